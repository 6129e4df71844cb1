"""bpf_trace_printk: the kernel's format checks, its printf, and the trace_pipe line.

The format is checked as ``bpf_bprintf_prepare`` does (6.18): it must be NUL-terminated
inside ``fmt_size``, printable, and use at most three conversions from ``%d %i %u %x %X``
(with ``l``/``ll``), ``%c``, ``%s``, ``%p`` (``%px %pK %ps %pS %pi4 %pI4 %pi6 %pI6 %pks
%pus``) and ``%%``, with ``0 + - space`` flags and a width. Anything else: ``-EINVAL``.
The result is formatted like the kernel's vsnprintf (``%p`` prints a hashed pointer,
deterministically here) and the helper returns its length.

Each call appends one line to the run's trace (``env.trace``), in trace_pipe's format::

             bpftool-9630    [000] b..11  3370.446421: bpf_trace_printk: <text>

(comm right-aligned in 16, ``-pid`` left-aligned in 7, CPU, the context flags a test run
has, the virtual clock as ``secs.usecs``); the text is kept as is, so a format ending in
``\\n`` gives an empty line after it, as on Linux. :mod:`pykernel.interp.tracebuf` persists
the lines for ``tracelog``.
"""

from __future__ import annotations

from typing import Any

from ..errors import MemFault
from .registry import helper

EINVAL = 22
MAX_ARGS = 3
MAX_VARARGS = 12  # MAX_BPRINTF_VARARGS
M64 = 0xFFFFFFFFFFFFFFFF
FLAGS_TEST_RUN = "b..11"


class FormatError(ValueError):
    pass


def _pointer_hash(v: int) -> int:
    """A stand-in for the kernel's siphash of %p (stable for a value, not reversible)."""
    x = (v * 0x9E3779B97F4A7C15 + 0x5EED) & M64
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 32
    return x & 0xFFFFFFFF


def _pad(body: str, flags: str, width: int, numeric: bool, sign: str = "") -> str:
    if "-" in flags:
        return (sign + body).ljust(width)
    if "0" in flags and numeric:
        return sign + body.rjust(width - len(sign), "0")
    return (sign + body).rjust(width)


def bprintf(fmt: bytes, args: list[int], read_str: Any, read_mem: Any, max_args: int = MAX_ARGS) -> str:
    """Check ``fmt`` (bytes up to the NUL) and format it with ``args`` (at most
    ``max_args`` conversions: 3 for bpf_trace_printk, 12 for bpf_trace_vprintk)."""
    out: list[str] = []
    i, n, spec = 0, len(fmt), 0
    while i < n:
        ch = chr(fmt[i])
        if not (ch.isprintable() or ch.isspace()) or fmt[i] > 126:
            raise FormatError("non-printable character in format")
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == ord("%"):
            out.append("%")
            i += 2
            continue
        if spec >= min(max_args, len(args)):
            raise FormatError("too many arguments")
        arg = args[spec] & M64
        spec += 1
        i += 1
        flags = ""
        while i < n and chr(fmt[i]) in "0+- ":
            flags += chr(fmt[i])
            i += 1
        width = 0
        if i < n and chr(fmt[i]) in "123456789":
            j = i
            while i < n and chr(fmt[i]).isdigit():
                i += 1
            width = int(fmt[j:i])
        c = chr(fmt[i]) if i < n else "\0"
        if c == "p":
            nxt = chr(fmt[i + 1]) if i + 1 < n else "\0"
            nxt2 = chr(fmt[i + 2]) if i + 2 < n else "\0"
            if nxt in "ku" and nxt2 == "s":
                out.append(_pad(read_str(arg), flags, width, False))
                i += 3
                continue
            if nxt in "iI" and nxt2 in "46":
                # an address that cannot be read prints as zeros
                if nxt2 == "4":
                    b = read_mem(arg, 4) or bytes(4)
                    s = ".".join(f"{x:03d}" if nxt == "i" else str(x) for x in b)
                else:
                    b = read_mem(arg, 16) or bytes(16)
                    if nxt == "i":
                        s = b.hex()
                    else:
                        s = ":".join(b[k:k + 2].hex() for k in range(0, 16, 2))
                out.append(_pad(s, flags, width, False))
                i += 3
                continue
            if nxt == "\0" or nxt.isspace() or (not nxt.isalnum() and nxt.isprintable()):
                out.append(_pad(f"{_pointer_hash(arg):016x}", flags, width, False))
                i += 1
                continue
            if nxt in "Kx":
                out.append(_pad(f"{arg:016x}", flags, width, False))
                i += 2
                continue
            if nxt in "sS":
                out.append(_pad(f"0x{arg:x}", flags, width, False))
                i += 2
                continue
            raise FormatError(f"unsupported %p{nxt}")
        if c == "s":
            out.append(_pad(read_str(arg), flags, width, False))
            i += 1
            continue
        if c == "c":
            out.append(_pad(chr(arg & 0xFF), flags, width, False))
            i += 1
            continue
        size = 4
        if c == "l":
            size = 8
            i += 1
            c = chr(fmt[i]) if i < n else "\0"
            if c == "l":
                i += 1
                c = chr(fmt[i]) if i < n else "\0"
        if c not in "diuxX":
            raise FormatError(f"unsupported conversion %{c}")
        i += 1
        v = arg & ((1 << (8 * size)) - 1)
        if c in "di":
            sv = v - (1 << (8 * size)) if v >> (8 * size - 1) else v
            sign = "-" if sv < 0 else ("+" if "+" in flags else (" " if " " in flags else ""))
            out.append(_pad(str(abs(sv)), flags, width, True, sign))
        elif c == "u":
            out.append(_pad(str(v), flags, width, True))
        else:
            out.append(_pad(f"{v:x}" if c == "x" else f"{v:X}", flags, width, True))
    return "".join(out)


def trace_line(env: Any, text: str) -> str:
    ns = env.now_ns()
    secs, usecs = ns // 1_000_000_000, ns % 1_000_000_000 // 1000
    return (f"{env.comm[:16]:>16}-{env.pid:<7} [{env.cpu:03d}] {FLAGS_TEST_RUN} {secs:5d}.{usecs:06d}: "
            f"bpf_trace_printk: {text}")


def _printk(run: Any, fmt_ptr: int, fmt_size: int, args: list[int], max_args: int) -> int:
    mem = run.mem
    fmt_size &= 0xFFFFFFFF
    try:
        raw = mem.read(fmt_ptr, fmt_size) if fmt_size else b""
    except MemFault:
        return -EINVAL
    end = raw.find(b"\0")
    if end < 0:
        return -EINVAL

    def read_str(p: int) -> str:
        try:
            return mem.read_cstr(p, 1024).decode("latin-1")
        except MemFault:
            return ""

    def read_mem(p: int, k: int) -> bytes | None:
        try:
            return mem.read(p, k)
        except MemFault:
            return None

    try:
        text = bprintf(raw[:end], args, read_str, read_mem, max_args)
    except FormatError:
        return -EINVAL
    text = text[:1023]
    run.env.trace_line(trace_line(run.env, text))
    return len(text)


@helper("trace_printk")
def trace_printk(run: Any, fmt_ptr: int, fmt_size: int, a1: int, a2: int, a3: int) -> int:
    return _printk(run, fmt_ptr, fmt_size, [a1, a2, a3], MAX_ARGS)


@helper("trace_vprintk")
def trace_vprintk(run: Any, fmt_ptr: int, fmt_size: int, data: int, data_len: int, *_: int) -> int:
    """bpf_trace_vprintk: up to 12 arguments as u64s at ``data`` (what bpf_printk uses for
    more than three)."""
    data_len &= 0xFFFFFFFF
    if data_len & 7 or data_len > 8 * MAX_VARARGS or (data_len and not data):
        return -EINVAL
    try:
        raw = run.mem.read(data, data_len) if data_len else b""
    except MemFault:
        return -EINVAL
    args = [int.from_bytes(raw[i:i + 8], "little") for i in range(0, data_len, 8)]
    return _printk(run, fmt_ptr, fmt_size, args, MAX_VARARGS)
