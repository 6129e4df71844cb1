"""What every object module shares: global options, output, errors, argument cursor,
keyword dispatch (bpftool's ``is_prefix``/``cmd_select``) and the command tables.

Command handlers follow bpftool's convention: they take an :class:`Args` cursor and
return an int (0, -1 or ``-errno``); ``main`` turns it into the exit status by
truncating to 8 bits. Messages are printed where bpftool prints them: ``p_err`` gives
``Error: <msg>`` on stderr, or ``{"error":"<msg>"}`` inside the JSON stream with
``-j``. ``usage()`` ends the whole process (as bpftool's ``exit(-1)``), even inside a
batch file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .jsonw import JsonWriter


# ------------------------------------------------------------------------ global state
class Options:
    """The global options (bpftool's globals json_output, show_pinned, ...)."""

    __slots__ = ("json", "pretty", "show_pinned", "block_mount", "debug", "relaxed_maps",
                 "use_loader", "legacy", "base_btf")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.json = False
        self.pretty = False
        self.show_pinned = False  # -f
        self.block_mount = False  # -n
        self.debug = False  # -d: libbpf debug output and verifier logs
        self.relaxed_maps = False  # -m
        self.use_loader = False  # -L
        self.legacy = False  # -l
        self.base_btf: object | None = None  # -B FILE, parsed by pylibbpf


opts = Options()
jw: JsonWriter | None = None  # the JSON stream, set by main when -j/-p is given
bin_name = "bpftool"


def out(text: str) -> None:
    sys.stdout.write(text)


def err_write(text: str) -> None:
    """stderr, after flushing what stdout holds (bpftool's stdout is line buffered and
    its stderr unbuffered, so a reader of both streams sees them in this order)."""
    sys.stdout.flush()
    sys.stderr.write(text)
    sys.stderr.flush()


def p_err(msg: str) -> None:
    if opts.json and jw is not None:
        jw.start_object()
        jw.name("error")
        jw.raw_quoted(msg)
        jw.end_object()
    else:
        err_write(f"Error: {msg}\n")


def p_info(msg: str) -> None:
    if not opts.json:
        err_write(msg + "\n")


class Exit(Exception):
    """Leave the process now with bpftool's return value ``code`` (usage(), exit(-1))."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# ----------------------------------------------------------------------- argument cursor
class Args:
    """bpftool's ``(argc, argv)`` pair: a position in one argument vector.

    ``argv[-1]``/``argv[-2]`` style look-backs (``'run' needs at least ...``, the object
    word in usage texts) use :meth:`back`.
    """

    __slots__ = ("vec", "i")

    def __init__(self, vec: list[str], i: int = 0) -> None:
        self.vec = vec
        self.i = i

    @property
    def argc(self) -> int:
        return len(self.vec) - self.i

    @property
    def cur(self) -> str | None:
        return self.vec[self.i] if self.i < len(self.vec) else None

    def peek(self, k: int) -> str | None:
        j = self.i + k
        return self.vec[j] if 0 <= j < len(self.vec) else None

    def back(self, k: int) -> str:
        j = self.i - k
        return self.vec[j] if 0 <= j < len(self.vec) else ""

    def next(self) -> None:
        """NEXT_ARG()"""
        self.i += 1

    def take(self) -> str | None:
        """GET_ARG(): the current word, then advance (None when empty)."""
        if self.i >= len(self.vec):
            return None
        self.i += 1
        return self.vec[self.i - 1]

    def rest(self) -> list[str]:
        return self.vec[self.i:]

    def copy(self, skip: int = 0) -> Args:
        return Args(self.vec, self.i + skip)


def is_prefix(pfx: str | None, word: str) -> bool:
    return pfx is not None and word.startswith(pfx)


def req_args(args: Args, n: int) -> bool:
    """REQ_ARGS(n): ``'<cmd>' needs at least N arguments, M found``."""
    if args.argc < n:
        p_err(f"'{args.back(1)}' needs at least {n} arguments, {args.argc} found")
        return False
    return True


def bad_arg(args: Args) -> int:
    p_err(f"what is '{args.cur}'?")
    return -1


def detect_common_prefix(arg: str, *choices: str) -> bool:
    """True (after printing the error) when ``arg`` is a prefix of several ``choices``."""
    hits = [c for c in choices if is_prefix(arg, c)]
    if len(hits) >= 2:
        p_err(f"ambiguous prefix: '{arg}' could be '" + "' or '".join(hits) + "'")
        return True
    return False


# ------------------------------------------------------------------------- dispatching
Handler = Callable[[Args], int]


class Cmd:
    """One keyword of a command table.

    ``words`` lists the keywords a user types after it (completion hints).
    """

    __slots__ = ("name", "func", "words")

    def __init__(self, name: str, func: Handler, words: tuple[str, ...] = ()) -> None:
        self.name = name
        self.func = func
        self.words = words

    def __repr__(self) -> str:
        return f"Cmd({self.name!r})"


class _DispatchState:
    __slots__ = ("last_args", "last_help")

    def __init__(self) -> None:
        self.last_args = Args([])
        self.last_help: Handler | None = None


_state = _DispatchState()


def cmd_select(cmds: list[Cmd], args: Args, help_fn: Handler) -> int:
    """bpftool's cmd_select: no word runs the first command (``show``); otherwise the
    first command (in table order) that the word is a prefix of; otherwise the help text
    and -1. Table order settles "ambiguous" prefixes (``p`` is ``prog``, not ``perf``)."""
    _state.last_args = args.copy()
    _state.last_help = help_fn
    if args.argc < 1:
        return cmds[0].func(args.copy())
    for c in cmds:
        if is_prefix(args.cur, c.name):
            return c.func(args.copy(1))
    help_fn(args.copy(1))
    return -1


def usage() -> None:
    """Print the help of the level being dispatched and leave with -1."""
    if _state.last_help is not None:
        _state.last_help(_state.last_args.copy(1))
    raise Exit(-1)


def print_usage(template: str, args: Args, *, obj: str | None = None, json_null: bool = True) -> int:
    """An object's help: on stderr (``null`` in JSON mode), with the program name and the
    object word as typed (``bpftool p help`` says ``bpftool p ...``). A few bpftool
    objects differ: btf, gen and iter print their own name whatever was typed (``obj``),
    perf and iter print the text even in JSON mode (``json_null=False``)."""
    if json_null and opts.json and jw is not None:
        jw.null()
        return 0
    err_write(template.replace("%1$s", bin_name).replace("%2$s", obj if obj else args.back(2)))
    return 0


# ---------------------------------------------------------------------- small parsers
def strtoul(text: str, base: int = 0) -> int | None:
    """``strtoul(text, &end, base)`` with ``*end == 0`` required; None if it would fail.

    Leading whitespace and a sign are accepted, as by C; base 0 reads ``0x`` hex, ``0``
    octal or decimal, base 16 also accepts a ``0x`` prefix. The result wraps modulo
    2**64 (ULONG_MAX on overflow) and callers truncate to their C type.
    """
    if text == "":
        return 0  # no digits and nothing after them: strtoul says 0 and *end is NUL
    s = text.lstrip(" \t\n\v\f\r")
    neg = False
    if s[:1] in ("+", "-"):
        neg, s = s[0] == "-", s[1:]
    if base in (0, 16) and s[:2].lower() == "0x" and _all_digits(s[2:3], 16):
        s, base = s[2:], 16
    elif base == 0:
        base = 8 if s[:1] == "0" else 10
    if not s or not _all_digits(s, base):
        return None
    value = int(s, base)
    if value >= 1 << 64:
        value = (1 << 64) - 1
    return (-value) % (1 << 64) if neg else value


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _all_digits(s: str, base: int) -> bool:
    if not s:
        return False
    allowed = _DIGITS[:base]
    return all(c.lower() in allowed for c in s)


def u32(v: int) -> int:
    return v & 0xFFFFFFFF


def fprint_hex(data: bytes, sep: str = " ") -> str:
    """bpftool's fprint_hex: bytes in hex, two spaces every 8 and a newline every 16."""
    parts = []
    for i, b in enumerate(data):
        if i == 0:
            pfx = ""
        elif i % 16 == 0:
            pfx = "\n"
        elif i % 8 == 0:
            pfx = "  "
        else:
            pfx = sep
        parts.append(f"{pfx}{b:02x}")
    return "".join(parts)
