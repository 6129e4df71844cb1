"""Scalar arithmetic on register bounds (the kernel's scalar_min_max_* family)."""

from __future__ import annotations

from ..uapi import insn as I
from . import regs as R
from . import tnum as T
from .regs import M32, M64, S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, Reg


def _add_bounds(d: Reg, s: Reg) -> None:
    smin, smax = d.smin + s.smin, d.smax + s.smax
    if smin < S64_MIN or smin > S64_MAX or smax < S64_MIN or smax > S64_MAX:
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = smin, smax
    umin, umax = d.umin + s.umin, d.umax + s.umax
    if umax > U64_MAX:
        if umin > U64_MAX and umax - umin <= U64_MAX:
            d.umin, d.umax = umin & M64, umax & M64
        else:
            d.umin, d.umax = 0, U64_MAX
    else:
        d.umin, d.umax = umin, umax
    smin, smax = d.s32min + s.s32min, d.s32max + s.s32max
    if smin < S32_MIN or smin > S32_MAX or smax < S32_MIN or smax > S32_MAX:
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = smin, smax
    umin, umax = d.u32min + s.u32min, d.u32max + s.u32max
    if umax > U32_MAX:
        if umin > U32_MAX and umax - umin <= U32_MAX:
            d.u32min, d.u32max = umin & M32, umax & M32
        else:
            d.u32min, d.u32max = 0, U32_MAX
    else:
        d.u32min, d.u32max = umin, umax


def _sub_bounds(d: Reg, s: Reg) -> None:
    smin, smax = d.smin - s.smax, d.smax - s.smin
    if smin < S64_MIN or smax > S64_MAX:
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = smin, smax
    umin, umax = d.umin - s.umax, d.umax - s.umin
    if umin < 0:
        if umax < 0 and umax - umin <= U64_MAX:
            d.umin, d.umax = umin & M64, umax & M64
        else:
            d.umin, d.umax = 0, U64_MAX
    else:
        d.umin, d.umax = umin, umax
    smin, smax = d.s32min - s.s32max, d.s32max - s.s32min
    if smin < S32_MIN or smax > S32_MAX:
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = smin, smax
    umin, umax = d.u32min - s.u32max, d.u32max - s.u32min
    if umin < 0:
        if umax < 0 and umax - umin <= U32_MAX:
            d.u32min, d.u32max = umin & M32, umax & M32
        else:
            d.u32min, d.u32max = 0, U32_MAX
    else:
        d.u32min, d.u32max = umin, umax


def _mul_bounds(d: Reg, s: Reg) -> None:
    umin, umax = d.umin * s.umin, d.umax * s.umax
    if umax > U64_MAX:
        d.umin, d.umax = 0, U64_MAX
    else:
        d.umin, d.umax = umin, umax
    prods = [d.smin * s.smin, d.smin * s.smax, d.smax * s.smin, d.smax * s.smax]
    if min(prods) < S64_MIN or max(prods) > S64_MAX:
        d.smin, d.smax = S64_MIN, S64_MAX
    else:
        d.smin, d.smax = min(prods), max(prods)
    umin, umax = d.u32min * s.u32min, d.u32max * s.u32max
    if umax > U32_MAX:
        d.u32min, d.u32max = 0, U32_MAX
    else:
        d.u32min, d.u32max = umin, umax
    prods = [d.s32min * s.s32min, d.s32min * s.s32max, d.s32max * s.s32min, d.s32max * s.s32max]
    if min(prods) < S32_MIN or max(prods) > S32_MAX:
        d.s32min, d.s32max = S32_MIN, S32_MAX
    else:
        d.s32min, d.s32max = min(prods), max(prods)


def _signed_from_unsigned(d: Reg) -> None:
    if R.s64(d.umin) <= R.s64(d.umax):
        d.smin, d.smax = R.s64(d.umin), R.s64(d.umax)
    else:
        d.smin, d.smax = S64_MIN, S64_MAX
    if R.s32(d.u32min) <= R.s32(d.u32max):
        d.s32min, d.s32max = R.s32(d.u32min), R.s32(d.u32max)
    else:
        d.s32min, d.s32max = S32_MIN, S32_MAX


def _bitwise(d: Reg, s: Reg, op: int) -> None:
    v = d.var
    v32 = (v[0] & M32, v[1] & M32)
    if op == I.AND:
        d.umin, d.umax = v[0], min(d.umax, s.umax)
        d.u32min, d.u32max = v32[0], min(d.u32max, s.u32max)
    elif op == I.OR:
        d.umin, d.umax = max(d.umin, s.umin), v[0] | v[1]
        d.u32min, d.u32max = max(d.u32min, s.u32min), v32[0] | v32[1]
    else:
        d.umin, d.umax = v[0], v[0] | v[1]
        d.u32min, d.u32max = v32[0], v32[0] | v32[1]
    _signed_from_unsigned(d)


_CONST_OPS = frozenset((I.ADD, I.SUB, I.MUL, I.AND, I.OR, I.XOR, I.LSH, I.RSH, I.ARSH))
CONST_OPS = _CONST_OPS


def _const_result(a: int, b: int, op: int, bits: int) -> int | None:
    """a OP b in ``bits`` (both masked to it first); None for a shift by >= bits."""
    mask = (1 << bits) - 1
    a &= mask
    b &= mask
    if op == I.ADD:
        return (a + b) & mask
    if op == I.SUB:
        return (a - b) & mask
    if op == I.MUL:
        return (a * b) & mask
    if op == I.AND:
        return a & b
    if op == I.OR:
        return a | b
    if op == I.XOR:
        return a ^ b
    if b >= bits:
        return None
    if op == I.LSH:
        return (a << b) & mask
    if op == I.RSH:
        return a >> b
    sa = a - (1 << bits) if a >> (bits - 1) else a
    return (sa >> b) & mask


const_result = _const_result


def scalar_alu(d: Reg, s: Reg, op: int, alu32: bool) -> None:
    """dst = dst OP src on scalars (both already validated). Updates d in place."""
    bits = 32 if alu32 else 64
    if d.var[1] == 0 and s.var[1] == 0 and op in _CONST_OPS:
        # both known: the tnum arithmetic is exact, and so are the bounds derived from it
        res = _const_result(d.var[0], s.var[0], op, bits)
        if res is not None:
            R.set_known(d, res)
            return
    if op in (I.LSH, I.RSH, I.ARSH):
        if not s.is_const() or (s.var[0] & M64) >= bits:
            R.mark_unknown(d)
            if alu32:
                R.zext_32_to_64(d)
                R.sync(d)
            return
    elif op not in (I.ADD, I.SUB, I.MUL, I.AND, I.OR, I.XOR):
        R.mark_unknown(d)
        if alu32:
            R.zext_32_to_64(d)
            R.sync(d)
        return
    if not R.bounds_sane(s):
        R.mark_unknown(d)
        return
    if alu32:
        # work on the 32-bit subregisters: drop upper knowledge first
        sv = T.subreg(s.var)
        dv = T.subreg(d.var)
    else:
        sv, dv = s.var, d.var
    if op == I.ADD:
        _add_bounds(d, s)
        d.var = T.add(dv, sv)
    elif op == I.SUB:
        _sub_bounds(d, s)
        d.var = T.sub(dv, sv)
    elif op == I.MUL:
        d.var = T.mul(dv, sv)
        _mul_bounds(d, s)
    elif op in (I.AND, I.OR, I.XOR):
        d.var = T.and_(dv, sv) if op == I.AND else T.or_(dv, sv) if op == I.OR else T.xor(dv, sv)
        if alu32:
            d.var = T.subreg(d.var)
        _bitwise(d, s, op)
    elif op == I.LSH:
        sh = s.var[0]
        if alu32:
            d.var = T.subreg(T.lshift(dv, sh))
            if d.u32max > (1 << (31 - sh)) if sh < 32 else True:
                d.u32min, d.u32max = 0, U32_MAX
            else:
                d.u32min, d.u32max = d.u32min << sh, d.u32max << sh
            d.s32min, d.s32max = S32_MIN, S32_MAX
            d.smin, d.smax, d.umin, d.umax = S64_MIN, S64_MAX, 0, U64_MAX
        else:
            smax = (d.s32max << 32) if sh == 32 and d.s32max >= 0 else S64_MAX
            smin = (d.s32min << 32) if sh == 32 and d.s32min >= 0 else S64_MIN
            if d.umax > (1 << (63 - sh)):
                d.umin, d.umax = 0, U64_MAX
            else:
                d.umin, d.umax = d.umin << sh, d.umax << sh
            d.smin, d.smax = smin, smax
            d.var = T.lshift(dv, sh)
            # 32-bit view
            if sh < 32 and d.u32max <= (1 << (31 - sh)):
                d.u32min, d.u32max = d.u32min << sh, d.u32max << sh
            else:
                d.u32min, d.u32max = 0, U32_MAX
            d.s32min, d.s32max = S32_MIN, S32_MAX
    elif op == I.RSH:
        sh = s.var[0]
        if alu32:
            d.var = T.rshift(dv, sh)
            d.s32min, d.s32max = S32_MIN, S32_MAX
            d.u32min, d.u32max = d.u32min >> sh, d.u32max >> sh
            d.smin, d.smax, d.umin, d.umax = S64_MIN, S64_MAX, 0, U64_MAX
        else:
            d.smin, d.smax = S64_MIN, S64_MAX
            d.var = T.rshift(dv, sh)
            d.umin, d.umax = d.umin >> sh, d.umax >> sh
            R.mark_32_unbounded(d)
    elif op == I.ARSH:
        sh = s.var[0]
        if alu32:
            d.s32min, d.s32max = d.s32min >> sh, d.s32max >> sh
            d.var = T.arshift(dv, sh, 32)
            d.u32min, d.u32max = 0, U32_MAX
            d.smin, d.smax, d.umin, d.umax = S64_MIN, S64_MAX, 0, U64_MAX
        else:
            d.smin, d.smax = d.smin >> sh, d.smax >> sh
            d.var = T.arshift(dv, sh, 64)
            d.umin, d.umax = 0, U64_MAX
            R.mark_32_unbounded(d)
    R.update_bounds(d)
    if alu32:
        R.zext_32_to_64(d)
    R.sync(d)
    if not R.bounds_sane(d):
        R.mark_unknown(d)


def coerce_to_size(r: Reg, size: int) -> None:
    """Zero-extending narrow load/truncation (coerce_reg_to_size)."""
    if size >= 8:
        return
    mask = (1 << (size * 8)) - 1
    r.var = (r.var[0] & mask, r.var[1] & mask)
    if (r.umin & ~mask) == (r.umax & ~mask):
        r.umin &= mask
        r.umax &= mask
        if r.umin > r.umax:
            r.umin, r.umax = 0, mask
    else:
        r.umin, r.umax = 0, mask
    r.smin, r.smax = r.umin, r.umax
    if size >= 4:
        r.u32min, r.u32max = r.umin & M32, r.umax & M32
        r.s32min, r.s32max = S32_MIN, S32_MAX
    else:
        r.u32min, r.u32max = r.umin, r.umax
        r.s32min, r.s32max = r.umin, r.umax
    R.sync(r)


def coerce_sx(r: Reg, size: int) -> None:
    """Sign-extending load/move of ``size`` bytes into 64 bits."""
    bits = size * 8
    if r.var[1] == 0:
        v = R.s64(((r.var[0] & ((1 << bits) - 1)) ^ (1 << (bits - 1))) - (1 << (bits - 1)))
        R.set_known(r, v)
        return
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    # keep the range if it stays inside the positive half
    if 0 <= r.smin and r.smax <= hi:
        smin, smax = r.smin, r.smax
    else:
        smin, smax = lo, hi
    R.mark_unbounded(r)
    r.var = T.UNKNOWN
    r.smin, r.smax = smin, smax
    if smin >= 0:
        r.umin, r.umax = smin, smax
    R.sync(r)
