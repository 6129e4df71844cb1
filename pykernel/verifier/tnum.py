"""Tracked numbers: a (value, mask) pair per register, where mask bits are unknown.

Plain functions on tuples for speed; the algorithms follow the published tnum paper
(Vishwanathan et al., "Sound, precise, and fast abstract interpretation with tristate
numbers") as the kernel does.
"""

from __future__ import annotations

M64 = 0xFFFFFFFFFFFFFFFF
M32 = 0xFFFFFFFF

Tnum = tuple[int, int]
UNKNOWN: Tnum = (0, M64)


def const(v: int) -> Tnum:
    return (v & M64, 0)


def trange(lo: int, hi: int) -> Tnum:
    """The smallest tnum holding every value in [lo, hi] (unsigned 64-bit)."""
    chi = lo ^ hi
    if chi == 0:
        return (lo, 0)
    bits = chi.bit_length()
    if bits > 63:
        return UNKNOWN
    delta = (1 << bits) - 1
    return (lo & ~delta & M64, delta)


def lshift(a: Tnum, s: int) -> Tnum:
    return ((a[0] << s) & M64, (a[1] << s) & M64)


def rshift(a: Tnum, s: int) -> Tnum:
    return (a[0] >> s, a[1] >> s)


def arshift(a: Tnum, s: int, bits: int) -> Tnum:
    if bits == 32:
        v, m = a[0] & M32, a[1] & M32
        v = ((v ^ 0x80000000) - 0x80000000) >> s
        m = ((m ^ 0x80000000) - 0x80000000) >> s
        return (v & M32, m & M32)
    v = ((a[0] ^ (1 << 63)) - (1 << 63)) >> s
    m = ((a[1] ^ (1 << 63)) - (1 << 63)) >> s
    return (v & M64, m & M64)


def add(a: Tnum, b: Tnum) -> Tnum:
    sm = (a[1] + b[1]) & M64
    sv = (a[0] + b[0]) & M64
    sigma = (sm + sv) & M64
    chi = sigma ^ sv
    mu = chi | a[1] | b[1]
    return (sv & ~mu & M64, mu)


def sub(a: Tnum, b: Tnum) -> Tnum:
    dv = (a[0] - b[0]) & M64
    alpha = (dv + a[1]) & M64
    beta = (dv - b[1]) & M64
    chi = alpha ^ beta
    mu = chi | a[1] | b[1]
    return (dv & ~mu & M64, mu)


def neg(a: Tnum) -> Tnum:
    return sub((0, 0), a)


def and_(a: Tnum, b: Tnum) -> Tnum:
    alpha = a[0] | a[1]
    beta = b[0] | b[1]
    v = a[0] & b[0]
    return (v, alpha & beta & ~v & M64)


def or_(a: Tnum, b: Tnum) -> Tnum:
    v = a[0] | b[0]
    mu = a[1] | b[1]
    return (v, mu & ~v & M64)


def xor(a: Tnum, b: Tnum) -> Tnum:
    v = a[0] ^ b[0]
    mu = a[1] | b[1]
    return (v & ~mu & M64, mu)


def mul(a: Tnum, b: Tnum) -> Tnum:
    acc_v = (a[0] * b[0]) & M64
    acc_m: Tnum = (0, 0)
    av, am = a
    bv, bm = b
    while av or am:
        if av & 1:
            acc_m = add(acc_m, (0, bm))
        elif am & 1:
            acc_m = add(acc_m, (0, bv | bm))
        av >>= 1
        am >>= 1
        bv = (bv << 1) & M64
        bm = (bm << 1) & M64
    return add((acc_v, 0), acc_m)


def intersect(a: Tnum, b: Tnum) -> Tnum:
    v = a[0] | b[0]
    mu = a[1] & b[1]
    return (v & ~mu & M64, mu)


def union(a: Tnum, b: Tnum) -> Tnum:
    v = a[0] & b[0]
    mu = (a[1] | b[1] | (a[0] ^ b[0])) & M64
    return (v & ~mu & M64, mu)


def cast(a: Tnum, size: int) -> Tnum:
    m = (1 << (size * 8)) - 1
    return (a[0] & m, a[1] & m)


def is_const(a: Tnum) -> bool:
    return a[1] == 0


def is_unknown(a: Tnum) -> bool:
    return a[1] == M64


def is_aligned(a: Tnum, size: int) -> bool:
    if not size:
        return True
    return not ((a[0] | a[1]) & (size - 1))


def within(a: Tnum, b: Tnum) -> bool:
    """True if every value of b is a value of a."""
    if b[1] & ~a[1] & M64:
        return False
    return (b[0] & ~a[1] & M64) == a[0]


def subreg(a: Tnum) -> Tnum:
    return (a[0] & M32, a[1] & M32)


def clear_subreg(a: Tnum) -> Tnum:
    return (a[0] & ~M32 & M64, a[1] & ~M32 & M64)


def with_subreg(a: Tnum, sub_: Tnum) -> Tnum:
    return or_(clear_subreg(a), subreg(sub_))


def const_subreg(a: Tnum, v: int) -> Tnum:
    return with_subreg(a, (v & M32, 0))


def tstr(a: Tnum) -> str:
    if a[1] == 0:
        return str(a[0]) if a[0] <= 0xFFFF else hex(a[0])
    return f"({a[0]:#x}; {a[1]:#x})"
