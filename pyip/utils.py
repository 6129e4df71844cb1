"""What ip and tc share from iproute2's ``lib/utils.c``: the argument cursor, keyword
matching, the parse-error messages and exits, number and address parsers, and the batch
reader.

Command handlers follow iproute2's conventions. They walk an :class:`Args` cursor (C's
``argc``/``argv`` pair with ``NEXT_ARG()`` and friends), return an int, and report
errors with iproute2's words on stderr. ``exit(-1)`` in the C code (usage texts,
``incomplete_command()``, ``invarg()``) ends the whole process, even inside a batch
file; here it raises :class:`Exit`, which the entry point turns into the exit status.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import TextIO

IFNAMSIZ = 16
ALTIFNAMSIZ = 128
INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
UINT_MAX = (1 << 32) - 1
MAX_ARGS = 512  # do_batch()'s argument vector


class Exit(Exception):
    """Leave the process now with status ``code`` (C's ``exit(code)``)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------------------- output
def out(text: str) -> None:
    sys.stdout.write(text)


def err(text: str) -> None:
    """stderr, after what stdout holds (C's stdout is buffered, stderr is not, so a
    terminal shows them in this order)."""
    sys.stdout.flush()
    sys.stderr.write(text)
    sys.stderr.flush()


def strerror(errno: int) -> str:
    """glibc's strerror() text (``Unknown error N`` beyond the table)."""
    return os.strerror(errno)


def describe(exc: BaseException) -> str:
    """One user-facing line for an exception nothing else reported (a damaged state, a
    bug): the tools print ``Error: <this>`` and exit 255, never a traceback."""
    if type(exc).__name__ == "StateError":
        return str(exc)
    errno = getattr(exc, "errno", None)
    if isinstance(errno, int) and errno > 0 and isinstance(exc, OSError):
        return exc.strerror or strerror(errno)
    lines = str(exc).strip().splitlines()
    return f"internal error ({type(exc).__name__}): {lines[0] if lines else type(exc).__name__}"


# ---------------------------------------------------------------------- argument cursor
class Args:
    """C's ``(argc, argv)``: a position in one argument vector.

    ``cur`` is ``*argv``; :meth:`next_arg` is ``NEXT_ARG()`` (advance, or fail with
    "Command line is not complete" when nothing follows), :meth:`fwd` is
    ``NEXT_ARG_FWD()``/``argc--, argv++`` and :meth:`prev` is ``PREV_ARG()``.
    """

    __slots__ = ("vec", "i")

    def __init__(self, vec: list[str], i: int = 0) -> None:
        self.vec = vec
        self.i = i

    @property
    def argc(self) -> int:
        return len(self.vec) - self.i

    @property
    def cur(self) -> str:
        return self.vec[self.i]

    def at(self, k: int) -> str | None:
        j = self.i + k
        return self.vec[j] if 0 <= j < len(self.vec) else None

    def next_arg(self) -> str:
        """NEXT_ARG(): the next word, or exit with incomplete_command()."""
        self.i += 1
        if self.argc <= 0:
            incomplete_command()
        return self.vec[self.i]

    def next_arg_ok(self) -> bool:
        """NEXT_ARG_OK(): another word follows the current one."""
        return self.argc - 1 > 0

    def fwd(self) -> None:
        """NEXT_ARG_FWD() / ``argc--; argv++``."""
        self.i += 1

    def prev(self) -> None:
        """PREV_ARG()."""
        self.i -= 1

    def copy(self) -> Args:
        return Args(self.vec, self.i)

    def rest(self) -> list[str]:
        return self.vec[self.i:]


def matches(arg: str, word: str) -> bool:
    """iproute2's ``matches(arg, word) == 0``: ``arg`` is a non-empty prefix of ``word``."""
    return bool(arg) and word.startswith(arg)


# ------------------------------------------------------------------ parse-error exits
def incomplete_command() -> None:
    err('Command line is not complete. Try option "help"\n')
    raise Exit(-1)


def invarg(msg: str, arg: str) -> None:
    err(f'Error: argument "{arg}" is wrong: {msg}\n')
    raise Exit(-1)


def duparg(key: str, arg: str) -> None:
    err(f'Error: duplicate "{key}": "{arg}" is the second value.\n')
    raise Exit(-1)


def duparg2(key: str, arg: str) -> None:
    err(f'Error: either "{key}" is duplicate, or "{arg}" is a garbage.\n')
    raise Exit(-1)


def missarg(key: str) -> None:
    err(f'Error: argument "{key}" is required\n')
    raise Exit(-1)


def nodev(dev: str) -> int:
    err(f'Cannot find device "{dev}"\n')
    return -1


def on_off(msg: str, realval: str) -> int:
    err(f'Error: argument of "{msg}" must be "on" or "off", not "{realval}"\n')
    return -1


# -------------------------------------------------------------------- number parsing
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def c_strtol(s: str, base: int = 0) -> tuple[int, int]:
    """strtol()/strtoul() without the range check: ``(value, characters consumed)``;
    consumed is 0 when there is no number (then value is 0)."""
    i, n = 0, len(s)
    while i < n and s[i] in " \t\n\r\f\v":
        i += 1
    neg = False
    if i < n and s[i] in "+-":
        neg = s[i] == "-"
        i += 1
    if base in (0, 16) and s[i:i + 2].lower() == "0x" and i + 2 < n and s[i + 2].lower() in _DIGITS[:16]:
        i += 2
        base = 16
    elif base == 0:
        base = 8 if s[i:i + 1] == "0" else 10
    start = i
    val = 0
    while i < n and s[i].lower() in _DIGITS[:base]:
        val = val * base + _DIGITS.index(s[i].lower())
        i += 1
    if i == start:
        return 0, 0
    return (-val if neg else val), i


def get_integer(arg: str, base: int = 0) -> int | None:
    """get_integer(): a whole-word C ``int``, or None."""
    val, used = c_strtol(arg, base)
    if not arg or used != len(arg) or not INT_MIN <= val <= INT_MAX:
        return None
    return val


def get_unsigned(arg: str, base: int = 0) -> int | None:
    """get_unsigned(): a whole-word ``unsigned int`` (strtoul: "-1" wraps past the range)."""
    val, used = c_strtol(arg, base)
    if not arg or used != len(arg):
        return None
    if val < 0:
        val += 1 << 64
    return val if val <= UINT_MAX else None


def get_u32(arg: str, base: int = 0) -> int | None:
    """get_u32(): like get_unsigned, but a leading '-' is refused."""
    if arg.lstrip().startswith("-"):
        return None
    return get_unsigned(arg, base)


def get_u16(arg: str, base: int = 0) -> int | None:
    v = get_u32(arg, base)
    return v if v is not None and v <= 0xFFFF else None


def sscanf_hex(s: str) -> int | None:
    """``sscanf(s, "%x", &int)``: leading blanks, a sign, an optional 0x, hex digits;
    trailing junk is ignored. None when no digit was read."""
    val, used = c_strtol(s, 16)
    if used == 0:
        return None
    if val > UINT_MAX or val < -UINT_MAX:  # strtoul saturates; stored in an int: -1
        return -1
    if val > INT_MAX:
        val -= 1 << 32
    return val


# ----------------------------------------------------------------- names and addresses
def check_ifname(name: str) -> bool:
    """check_ifname() == 0: what the kernel's dev_valid_name() would accept (mostly)."""
    return bool(name) and len(name.encode()) < IFNAMSIZ and not any(c == "/" or c.isspace() for c in name)


def check_altifname(name: str) -> bool:
    return bool(name) and len(name.encode()) < ALTIFNAMSIZ and not any(c == "/" or c.isspace() for c in name)


def ll_addr_a2n(arg: str, maxlen: int = 32) -> bytes | None:
    """ll_addr_a2n(): "aa:bb:..." (or a dotted IPv4 address) to bytes; prints iproute2's
    message and returns None when a part is not a byte in hex."""
    if "." in arg:
        parts = arg.split(".")
        try:
            vals = [int(p, 10) for p in parts]
        except ValueError:
            vals = []
        if len(vals) != 4 or any(not 0 <= v <= 255 for v in vals):
            err(f'"{arg}" is invalid lladdr.\n')
            return None
        return bytes(vals)
    out_b = bytearray()
    rest: str | None = arg
    while rest is not None and len(out_b) < maxlen:
        part, sep, tail = rest.partition(":")
        val = sscanf_hex(part)
        if val is None or not 0 <= val <= 255:
            err(f'"{part}" is invalid lladdr.\n')
            return None
        out_b.append(val)
        rest = tail if sep else None
    return bytes(out_b)


def ll_addr_n2a(addr: bytes) -> str:
    return ":".join(f"{b:02x}" for b in addr)


# ---------------------------------------------------------------------- batch input
def getcmdlines(stream: TextIO, counter: list[int]) -> Iterator[str | None]:
    """getcmdline() in a loop: each command line with '#' comments cut and '\\'-newline
    continuations joined; ``counter[0]`` is cmdlineno (physical lines read). Yields
    None (then stops) for a missing continuation line, after the message."""
    while True:
        line = stream.readline()
        if not line:
            return
        counter[0] += 1
        line = line.split("#", 1)[0]
        while "\\\n" in line:
            more = stream.readline()
            if not more:
                err("Missing continuation line\n")
                yield None
                return
            counter[0] += 1
            line = line[:line.index("\\\n")] + more.split("#", 1)[0]
        yield line


def makeargs(line: str) -> list[str]:
    """makeargs(): blanks separate words; a word that starts with a quote runs to the
    next identical quote. Exits like iproute2 on an unterminated quote."""
    ws = " \t\r\n"
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in ws:
            i += 1
        if i >= n:
            break
        if len(words) >= MAX_ARGS - 1:
            err("Too many arguments to command\n")
            raise Exit(1)
        if line[i] in "'\"":
            quote = line[i]
            end = line.find(quote, i + 1)
            if end < 0:
                err("Unterminated quoted string\n")
                raise Exit(1)
            words.append(line[i + 1:end])
            i = end + 1
        else:
            j = i
            while j < n and line[j] not in ws:
                j += 1
            words.append(line[i:j])
            i = j + 1
    return words
