"""The one JSON writer of pybpftool: a streaming writer with bpftool's exact output.

bpftool does not build documents and serialise them; it streams tokens, and its output
has quirks that scripts (and our fixtures) see byte for byte:

* pretty mode indents with 4 spaces per level and puts a newline before every member
  name, but never before array *elements*: an array of scalars opens inline and only its
  closing bracket goes on a new line (``"map_ids": [361,362\\n    ],``); an array of
  objects prints ``[{`` ... ``},{`` ... ``}`` and ``]`` on its own line;
* an empty container closes right after it opens (``[]``, ``{}``);
* string escaping covers \\t \\n \\r \\f \\b and the double quote; a backslash comes out
  as ``\\n`` (a long-standing bpftool bug, kept), anything else is written raw (no
  \\uXXXX, no escaping of other control characters);
* error messages (``{"error":"..."}``) and ``jsonw_printf``-style values are written
  without any escaping at all;
* ``finish()`` (bpftool's ``jsonw_destroy``) always ends the stream with one newline,
  even when nothing else was written.
"""

from __future__ import annotations

from typing import TextIO

_ESCAPES = {
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\f": "\\f",
    "\b": "\\b",
    "\\": "\\n",  # sic: bpftool's writer maps a backslash to "\n"
    '"': '\\"',
}
_NEEDS_ESCAPE = frozenset(_ESCAPES)


def quote(s: str) -> str:
    """A string the way bpftool's writer quotes it."""
    if _NEEDS_ESCAPE.isdisjoint(s):
        return f'"{s}"'
    return '"' + "".join(_ESCAPES.get(c, c) for c in s) + '"'


class JsonWriter:
    """Token-level writer: ``start_object``/``name``/``uint``/``end_array``..."""

    __slots__ = ("out", "depth", "pretty", "_sep", "_open", "_pending_name")

    def __init__(self, out: TextIO, pretty: bool = False) -> None:
        self.out = out
        self.depth = 0
        self.pretty = pretty
        self._sep = False  # True once the current container has a member: next one needs ','
        self._open: list[str] = []  # closing brackets of the open containers
        self._pending_name = False  # a member name was written, its value not yet

    # -- layout helpers ---------------------------------------------------------------
    def _eol(self) -> None:
        if self.pretty:
            self.out.write("\n" + "    " * self.depth)

    def _eor(self) -> None:
        self._pending_name = False
        if self._sep:
            self.out.write(",")
        self._sep = True

    def _begin(self, c: str) -> None:
        self._eor()
        self.out.write(c)
        self.depth += 1
        self._sep = False
        self._open.append("}" if c == "{" else "]")

    def _end(self, c: str) -> None:
        if self._open:
            self._open.pop()
        self.depth -= 1
        if self._sep:
            self._eol()
        self.out.write(c)
        self._sep = True

    # -- containers --------------------------------------------------------------------
    def start_object(self) -> None:
        self._begin("{")

    def end_object(self) -> None:
        self._end("}")

    def start_array(self) -> None:
        self._begin("[")

    def end_array(self) -> None:
        self._end("]")

    def name(self, name: str) -> None:
        self._eor()
        self._eol()
        self._sep = False
        self.out.write(quote(name))
        self.out.write(": " if self.pretty else ":")
        self._pending_name = True

    # -- values ------------------------------------------------------------------------
    def raw(self, text: str) -> None:
        """A value printed verbatim (bpftool's jsonw_printf)."""
        self._eor()
        self.out.write(text)

    def raw_quoted(self, text: str) -> None:
        """``"text"`` with no escaping (jsonw_vprintf_enquote, used for error messages)."""
        self._eor()
        self.out.write(f'"{text}"')

    def string(self, value: str) -> None:
        self._eor()
        self.out.write(quote(value))

    def uint(self, value: int) -> None:
        self.raw(str(value & 0xFFFFFFFFFFFFFFFF))

    def int(self, value: int) -> None:
        self.raw(str(value))

    def bool(self, value: bool) -> None:
        self.raw("true" if value else "false")

    def null(self) -> None:
        self.raw("null")

    # -- name/value pairs --------------------------------------------------------------
    def string_field(self, name: str, value: str) -> None:
        self.name(name)
        self.string(value)

    def uint_field(self, name: str, value: int) -> None:
        self.name(name)
        self.uint(value)

    def int_field(self, name: str, value: int) -> None:
        self.name(name)
        self.int(value)

    def bool_field(self, name: str, value: bool) -> None:
        self.name(name)
        self.bool(value)

    def null_field(self, name: str) -> None:
        self.name(name)
        self.null()

    def close_all(self) -> None:
        """Close every open container (a command left in the middle of its output).
        A member name still waiting for its value gets ``null``."""
        if self._pending_name:
            self.null()
        while self._open:
            self._end(self._open[-1])

    # -- stream end --------------------------------------------------------------------
    def finish(self) -> None:
        """End of output (bpftool's jsonw_destroy): one newline, always."""
        self.out.write("\n")
        self.out.flush()
