"""iproute2's JSON writer (``lib/json_writer.c``) and print helpers (``lib/json_print.c``).

ip and tc print every field through one call that knows both forms: ``print_uint(ANY,
"mtu", "mtu %d ", 1500)`` writes ``mtu 1500 `` as text, or ``"mtu":1500`` into the JSON
stream when ``-j`` opened one (:func:`new_json_obj`). ``FP`` prints only as text,
``JSON`` only into JSON. Format strings here are Python %-formats.

The writer reproduces iproute2's layout byte for byte: compact ``[{"a":1},{"b":2}]``,
or with ``-p`` four-space indents, arrays opened as ``[ `` and closed as `` ]`` with
scalar arrays on one line (``"flags": [ "UP","LOWER_UP" ],``), and a newline at the end.
"""

from __future__ import annotations

import sys

FP = 1  # PRINT_FP
JSON = 2  # PRINT_JSON
ANY = 4  # PRINT_ANY


class JsonWriter:
    __slots__ = ("depth", "pretty", "sep")

    def __init__(self, pretty: bool = False) -> None:
        self.depth = 0
        self.pretty = pretty
        self.sep = ""

    def _w(self, s: str) -> None:
        sys.stdout.write(s)

    def _eol(self) -> None:
        if self.pretty:
            self._w("\n" + "    " * self.depth)

    def _eor(self) -> None:
        if self.sep:
            self._w(self.sep)
        self.sep = ","

    @staticmethod
    def quote(s: str) -> str:
        out = ['"']
        for ch in s:
            if ch == "\t":
                out.append("\\t")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\f":
                out.append("\\f")
            elif ch == "\b":
                out.append("\\b")
            elif ch == "\\":
                out.append("\\\\")
            elif ch == '"':
                out.append('\\"')
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)

    def _begin(self, c: str) -> None:
        self._eor()
        self._w(c)
        self.depth += 1
        self.sep = ""

    def _end(self, c: str) -> None:
        self.depth -= 1
        if self.sep:
            self._eol()
        self._w(c)
        self.sep = ","

    def name(self, name: str) -> None:
        self._eor()
        self._eol()
        self.sep = ""
        self._w(self.quote(name) + (": " if self.pretty else ":"))

    def raw(self, text: str) -> None:
        """jsonw_printf(): a value written as is."""
        self._eor()
        self._w(text)

    def start_object(self) -> None:
        self._begin("{")

    def end_object(self) -> None:
        self._end("}")

    def start_array(self) -> None:
        self._begin("[")
        if self.pretty:
            self._w(" ")

    def end_array(self) -> None:
        if self.pretty and self.sep:
            self._w(" ")
        self.sep = ""
        self._end("]")

    def string(self, value: str) -> None:
        self._eor()
        self._w(self.quote(value))

    def destroy(self) -> None:
        self._w("\n")


_jw: JsonWriter | None = None
_json = False
_pretty = False


def configure(json: bool, pretty: bool) -> None:
    """The -j/-p global options (``json``/``pretty`` in ip.c and tc.c)."""
    global _json, _pretty, _jw
    _json, _pretty, _jw = json, pretty, None


def is_json_context() -> bool:
    return _jw is not None


def new_json_obj(json: bool | None = None) -> None:
    """new_json_obj(): open the top-level array when -j was given."""
    global _jw
    if json if json is not None else _json:
        _jw = JsonWriter(_pretty)
        _jw.start_array()


def delete_json_obj() -> None:
    global _jw
    if _jw is not None:
        _jw.end_array()
        _jw.destroy()
        _jw = None


def abandon_json_obj() -> None:
    """The process is leaving in the middle of a JSON document (exit(-1) from a parser):
    C's stdio flushes what was written and nothing closes it."""
    global _jw
    _jw = None


def _is_json(t: int) -> bool:
    return _jw is not None and bool(t & (JSON | ANY))


def _is_fp(t: int) -> bool:
    return _jw is None and bool(t & (FP | ANY))


def _text(fmt: str | None, value: object) -> None:
    if fmt:
        sys.stdout.write(fmt % value if "%" in fmt else fmt)


def open_json_object(name: str | None) -> None:
    if _jw is not None:
        if name:
            _jw.name(name)
        _jw.start_object()


def close_json_object() -> None:
    if _jw is not None:
        _jw.end_object()


def open_json_array(t: int, name: str | None) -> None:
    if _is_json(t):
        if name:
            _jw.name(name)  # type: ignore[union-attr]
        _jw.start_array()  # type: ignore[union-attr]
    elif _is_fp(t) and name:
        sys.stdout.write(name)


def close_json_array(t: int, text: str | None) -> None:
    if _is_json(t):
        _jw.end_array()  # type: ignore[union-attr]
    elif _is_fp(t) and text:
        sys.stdout.write(text)


def print_string(t: int, key: str | None, fmt: str | None, value: str | None) -> None:
    if _is_json(t):
        jw = _jw
        assert jw is not None
        if key and value is None:
            jw.name(key)
        elif not key and value is not None:
            jw.string(value)
        else:
            jw.name(key or "")
            jw.string(value or "")
    elif _is_fp(t):
        _text(fmt, value)


def _print_num(t: int, key: str | None, fmt: str | None, value: int, text: str) -> None:
    if _is_json(t):
        jw = _jw
        assert jw is not None
        if key:
            jw.name(key)
        jw.raw(text)
    elif _is_fp(t):
        _text(fmt, value)


def print_uint(t: int, key: str | None, fmt: str | None, value: int) -> None:
    _print_num(t, key, fmt, value, str(value))


print_int = print_uint
print_u64 = print_uint
print_luint = print_uint
print_lluint = print_uint
print_hu = print_uint


def print_bool(t: int, key: str | None, fmt: str | None, value: bool) -> None:
    if _is_json(t):
        jw = _jw
        assert jw is not None
        if key:
            jw.name(key)
        jw.raw("true" if value else "false")
    elif _is_fp(t):
        _text(fmt, "true" if value else "false")


def print_null(t: int, key: str | None, fmt: str | None, value: str) -> None:
    if _is_json(t):
        jw = _jw
        assert jw is not None
        if key:
            jw.name(key)
        jw.raw("null")
    elif _is_fp(t):
        _text(fmt, value)


def print_hex(t: int, key: str | None, fmt: str | None, value: int) -> None:
    """print_hex(): JSON carries the number as a hex *string* without 0x."""
    if _is_json(t):
        jw = _jw
        assert jw is not None
        if key:
            jw.name(key)
        jw.string(f"{value:x}")
    elif _is_fp(t):
        _text(fmt, value)


def print_nl() -> None:
    """print_nl(): a newline in text mode (``_SL_``)."""
    if _jw is None:
        sys.stdout.write(SL[0])


#: ``_SL_``: the line separator, "\\" with -oneline
SL = ["\n"]

# ---------------------------------------------------------------------------- colours
IFNAME, MAC, OPER_UP, OPER_DOWN = "ifname", "mac", "up", "down"
_CODES = {IFNAME: 36, MAC: 33, OPER_UP: 32, OPER_DOWN: 31}
_color = {"on": False, "dark": False}


def enable_color(mode: str | None, json: bool) -> None:
    """check_enable_color(): ``-c``/``-color[=always]`` colours, ``=auto`` only on a
    terminal, never with JSON; a dark background (COLORFGBG ending in 0-6 or 8) takes the
    bold palette."""
    import os

    on = mode == "always" or (mode == "auto" and sys.stdout.isatty())
    _color["on"] = bool(on and not json)
    fgbg = os.environ.get("COLORFGBG", "")
    last = fgbg.rsplit(";", 1)[-1] if ";" in fgbg else ""
    _color["dark"] = len(last) == 1 and (last in "0123456" or last == "8")


def print_color_string(t: int, color: str | None, key: str | None, fmt: str | None,
                       value: str | None) -> None:
    """print_color_string(): as print_string, the text wrapped in the colour's escapes."""
    if color is None or not _color["on"] or not _is_fp(t) or not fmt:
        print_string(t, key, fmt, value)
        return
    code = f"\033[{'1;' if _color['dark'] else ''}{_CODES[color]}m"
    sys.stdout.write(code + (fmt % value if "%" in fmt else fmt) + "\033[0m")
