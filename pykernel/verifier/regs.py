"""Register state: type, fixed offset, tnum and the four pairs of bounds, as Linux tracks them."""

from __future__ import annotations

from . import tnum as T

M64 = T.M64
M32 = T.M32
S64_MIN, S64_MAX = -(1 << 63), (1 << 63) - 1
S32_MIN, S32_MAX = -(1 << 31), (1 << 31) - 1
U64_MAX, U32_MAX = M64, M32
MAX_VAR_OFF = 1 << 29
MAX_PACKET_OFF = 0xFFFF

# register types (enum bpf_reg_type base types)
NOT_INIT, SCALAR, CTX, MAP_PTR, MAP_VALUE, STACK, PACKET, PACKET_META, PACKET_END, MAP_KEY, MEM, \
    SOCKET, SOCK_COMMON, TCP_SOCK, BTF_ID, FUNC, XDP_SOCK, FLOW_KEYS = range(18)
MAYBE_NULL = 0x100
RDONLY = 0x200
RINGBUF = 0x400
BASE = 0xFF

_NAMES = {
    NOT_INIT: "?", SCALAR: "scalar", CTX: "ctx", MAP_PTR: "map_ptr", MAP_VALUE: "map_value",
    STACK: "fp", PACKET: "pkt", PACKET_META: "pkt_meta", PACKET_END: "pkt_end", MAP_KEY: "map_key",
    MEM: "mem", SOCKET: "sock", SOCK_COMMON: "sock_common", TCP_SOCK: "tcp_sock", BTF_ID: "ptr_",
    FUNC: "func", XDP_SOCK: "xdp_sock", FLOW_KEYS: "flow_keys",
}

BEYOND_PKT_END = -2
AT_PKT_END = -1


def type_str(t: int) -> str:
    pre = ("rdonly_" if t & RDONLY else "") + ("ringbuf_" if t & RINGBUF else "")
    post = "_or_null" if t & MAYBE_NULL else ""
    return pre + _NAMES[t & BASE] + post


def s64(v: int) -> int:
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def s32(v: int) -> int:
    v &= M32
    return v - (1 << 32) if v >> 31 else v


_new = object.__new__


class Reg:
    __slots__ = ("type", "off", "var", "smin", "smax", "umin", "umax", "s32min", "s32max", "u32min",
                 "u32max", "id", "map", "range", "mem_size", "frameno", "ref_obj_id", "subreg_def", "precise")

    def __init__(self) -> None:
        self.type = NOT_INIT
        self.off = 0
        self.var = T.UNKNOWN
        self.smin, self.smax, self.umin, self.umax = S64_MIN, S64_MAX, 0, U64_MAX
        self.s32min, self.s32max, self.u32min, self.u32max = S32_MIN, S32_MAX, 0, U32_MAX
        self.id = 0
        self.map = None
        self.range = 0
        self.mem_size = 0
        self.frameno = 0
        self.ref_obj_id = 0
        self.subreg_def = 0
        self.precise = False

    def copy(self) -> Reg:
        r = _new(Reg)
        r.type = self.type
        r.off = self.off
        r.var = self.var
        r.smin = self.smin
        r.smax = self.smax
        r.umin = self.umin
        r.umax = self.umax
        r.s32min = self.s32min
        r.s32max = self.s32max
        r.u32min = self.u32min
        r.u32max = self.u32max
        r.id = self.id
        r.map = self.map
        r.range = self.range
        r.mem_size = self.mem_size
        r.frameno = self.frameno
        r.ref_obj_id = self.ref_obj_id
        r.subreg_def = self.subreg_def
        r.precise = self.precise
        return r

    def assign(self, o: Reg) -> None:
        self.type, self.off, self.var = o.type, o.off, o.var
        self.smin, self.smax, self.umin, self.umax = o.smin, o.smax, o.umin, o.umax
        self.s32min, self.s32max, self.u32min, self.u32max = o.s32min, o.s32max, o.u32min, o.u32max
        self.id, self.map, self.range, self.mem_size = o.id, o.map, o.range, o.mem_size
        self.frameno, self.ref_obj_id, self.subreg_def = o.frameno, o.ref_obj_id, o.subreg_def
        self.precise = o.precise

    # -- predicates
    @property
    def base(self) -> int:
        return self.type & BASE

    def is_const(self) -> bool:
        return self.type == SCALAR and self.var[1] == 0

    def is_pkt(self) -> bool:
        b = self.type & BASE
        return b == PACKET or b == PACKET_META

    def is_ptr(self) -> bool:
        return self.type != SCALAR and self.type != NOT_INIT

    def key(self) -> tuple:
        return (self.type, self.off, self.var, self.smin, self.smax, self.umin, self.umax, self.s32min,
                self.s32max, self.u32min, self.u32max, self.id, id(self.map) if self.map is not None else 0,
                self.range, self.mem_size, self.frameno, self.ref_obj_id)


def mark_not_init(r: Reg) -> None:
    r.__init__()


def mark_unbounded(r: Reg) -> None:
    r.smin, r.smax, r.umin, r.umax = S64_MIN, S64_MAX, 0, U64_MAX
    r.s32min, r.s32max, r.u32min, r.u32max = S32_MIN, S32_MAX, 0, U32_MAX


def mark_32_unbounded(r: Reg) -> None:
    r.s32min, r.s32max, r.u32min, r.u32max = S32_MIN, S32_MAX, 0, U32_MAX


def mark_unknown(r: Reg) -> None:
    frameno = r.frameno
    r.__init__()
    r.type = SCALAR
    r.frameno = frameno


def set_known(r: Reg, v: int) -> None:
    v &= M64
    r.var = (v, 0)
    r.smin = r.smax = v - (1 << 64) if v >> 63 else v
    r.umin = r.umax = v
    v32 = v & M32
    r.s32min = r.s32max = v32 - (1 << 32) if v32 >> 31 else v32
    r.u32min = r.u32max = v32


def mark_known(r: Reg, v: int) -> None:
    mark_unknown(r)
    set_known(r, v)


def mark_known_zero_ptr(r: Reg, typ: int) -> None:
    """A pointer of type ``typ`` with offset 0 (mark_reg_known_zero)."""
    mark_unknown(r)
    set_known(r, 0)
    r.type = typ


def set_known32(r: Reg, v: int) -> None:
    r.var = T.const_subreg(r.var, v)
    r.s32min = r.s32max = s32(v)
    r.u32min = r.u32max = v & M32


# ---------------------------------------------------------------------------- bounds


def update_bounds(r: Reg) -> None:
    v, m = r.var
    v32, m32 = v & M32, m & M32
    r.s32min = max(r.s32min, s32(v32 | (m32 & 0x80000000)))
    r.s32max = min(r.s32max, s32(v32 | (m32 & 0x7FFFFFFF)))
    r.u32min = max(r.u32min, v32)
    r.u32max = min(r.u32max, v32 | m32)
    r.smin = max(r.smin, s64(v | (m & (1 << 63))))
    r.smax = min(r.smax, s64(v | (m & S64_MAX)))
    r.umin = max(r.umin, v)
    r.umax = min(r.umax, v | m)


def _deduce32(r: Reg) -> None:
    if (r.umin >> 32) == (r.umax >> 32):
        lo, hi = r.umin & M32, r.umax & M32
        r.u32min = max(r.u32min, lo)
        r.u32max = min(r.u32max, hi)
        if s32(lo) <= s32(hi):
            r.s32min = max(r.s32min, s32(lo))
            r.s32max = min(r.s32max, s32(hi))
    if (r.smin >> 32) == (r.smax >> 32):
        lo, hi = r.smin & M32, r.smax & M32
        if lo <= hi:
            r.u32min = max(r.u32min, lo)
            r.u32max = min(r.u32max, hi)
        if s32(lo) <= s32(hi):
            r.s32min = max(r.s32min, s32(lo))
            r.s32max = min(r.s32max, s32(hi))
    # the upper halves are two consecutive numbers (0xffffffff then 0 included) while the
    # lower halves run from a negative to a non-negative s32: the s32 range is still exact
    for lo, hi in ((r.umin, r.umax), (r.smin & M64, r.smax & M64)):
        if ((lo >> 32) + 1) & M32 == (hi >> 32) & M32 and s32(lo & M32) < 0 <= s32(hi & M32):
            r.s32min = max(r.s32min, s32(lo & M32))
            r.s32max = min(r.s32max, s32(hi & M32))
    if s32(r.u32min) <= s32(r.u32max):
        r.s32min = max(r.s32min, s32(r.u32min))
        r.s32max = min(r.s32max, s32(r.u32max))
    if (r.s32min & M32) <= (r.s32max & M32):
        r.u32min = max(r.s32min & M32, r.u32min)
        r.u32max = min(r.s32max & M32, r.u32max)


def _deduce64(r: Reg) -> None:
    if s64(r.umin) <= s64(r.umax):
        r.smin = max(r.smin, s64(r.umin))
        r.smax = min(r.smax, s64(r.umax))
    if (r.smin & M64) <= (r.smax & M64):
        r.umin = max(r.smin & M64, r.umin)
        r.umax = min(r.smax & M64, r.umax)
    else:
        # signed range crosses zero: it splits into [smin, -1] and [0, smax] in u64 terms
        if r.umax < (r.smin & M64) and r.umax <= S64_MAX:
            # only the non-negative part is possible
            r.smin = max(r.smin, 0) if r.umin <= S64_MAX else r.smin
            r.smax = min(r.smax, s64(r.umax))
            r.umax = min(r.umax, r.smax & M64)
        elif (r.smax & M64) < r.umin and r.umin > S64_MAX:
            r.smin = max(r.smin, s64(r.umin))
            r.smax = min(r.smax, -1)
            r.umin = max(r.umin, r.smin & M64)


def _deduce_mixed(r: Reg) -> None:
    nu_min = (r.umin & ~M32 & M64) | r.u32min
    nu_max = (r.umax & ~M32 & M64) | r.u32max
    r.umin = max(r.umin, nu_min)
    r.umax = min(r.umax, nu_max)
    ns_min = s64((r.smin & ~M32 & M64) | r.u32min)
    ns_max = s64((r.smax & ~M32 & M64) | r.u32max)
    r.smin = max(r.smin, ns_min)
    r.smax = min(r.smax, ns_max)
    if r.s32min >= 0 and r.smin >= S32_MIN and r.smax <= S32_MAX:
        ns_min = s64((r.smin & ~M32 & M64) | (r.s32min & M32))
        ns_max = s64((r.smax & ~M32 & M64) | (r.s32max & M32))
        r.smin = max(r.smin, ns_min)
        r.smax = min(r.smax, ns_max)
        r.umin = max(r.umin, r.smin & M64)
        r.umax = min(r.umax, r.smax & M64)
    if r.smin >= S32_MIN and r.smax <= S32_MAX:
        r.smin = max(r.smin, r.s32min)
        r.smax = min(r.smax, r.s32max)


def deduce_bounds(r: Reg) -> None:
    _deduce32(r)
    _deduce64(r)
    _deduce_mixed(r)
    _deduce64(r)


def bound_offset(r: Reg) -> None:
    v64 = T.intersect(r.var, T.trange(r.umin, r.umax))
    v32 = T.intersect(T.subreg(v64), T.trange(r.u32min, r.u32max))
    r.var = T.or_(T.clear_subreg(v64), v32)


def _sync_full(r: Reg) -> None:
    update_bounds(r)
    deduce_bounds(r)
    deduce_bounds(r)
    bound_offset(r)
    update_bounds(r)


# sync() is a pure function of (var, the eight bounds): its results are memoized. The same
# inputs recur all the time (every narrow load of an unknown byte, every iteration of a
# loop, every refinement against the same constant), and the full deduction is the most
# expensive step of the walk. Bounded so a long walk cannot grow it without limit.
_SYNC_MEMO: dict[tuple, tuple] = {}
_SYNC_MEMO_MAX = 1 << 14


def sync(r: Reg) -> None:
    v, m = r.var
    if m == 0:
        # a constant whose bounds admit it: every bound collapses onto the value
        sv = v - (1 << 64) if v >> 63 else v
        v32 = v & M32
        sv32 = v32 - (1 << 32) if v32 >> 31 else v32
        if (r.umin <= v <= r.umax and r.smin <= sv <= r.smax and r.u32min <= v32 <= r.u32max
                and r.s32min <= sv32 <= r.s32max):
            r.umin = r.umax = v
            r.smin = r.smax = sv
            r.u32min = r.u32max = v32
            r.s32min = r.s32max = sv32
            return
    elif m == M64 and r.umin == 0 and r.umax == M64 and r.smin == S64_MIN and r.smax == S64_MAX \
            and r.u32min == 0 and r.u32max == M32 and r.s32min == S32_MIN and r.s32max == S32_MAX:
        return  # nothing known: nothing to deduce
    key = (v, m, r.smin, r.smax, r.umin, r.umax, r.s32min, r.s32max, r.u32min, r.u32max)
    res = _SYNC_MEMO.get(key)
    if res is None:
        t = _new(Reg)
        t.var = r.var
        t.smin, t.smax, t.umin, t.umax, t.s32min, t.s32max, t.u32min, t.u32max = key[2:]
        _sync_full(t)
        res = (t.var, t.smin, t.smax, t.umin, t.umax, t.s32min, t.s32max, t.u32min, t.u32max)
        if len(_SYNC_MEMO) >= _SYNC_MEMO_MAX:
            _SYNC_MEMO.clear()
        _SYNC_MEMO[key] = res
    r.var, r.smin, r.smax, r.umin, r.umax, r.s32min, r.s32max, r.u32min, r.u32max = res


def bounds_sane(r: Reg) -> bool:
    return not (r.umin > r.umax or r.smin > r.smax or r.u32min > r.u32max or r.s32min > r.s32max
                or (r.var[0] & r.var[1]))


def assign_32_into_64(r: Reg) -> None:
    r.umin, r.umax = r.u32min, r.u32max
    if r.s32min >= 0 and r.s32max >= 0:
        r.smin, r.smax = r.s32min, r.s32max
    else:
        r.smin, r.smax = 0, U32_MAX


def zext_32_to_64(r: Reg) -> None:
    r.var = T.subreg(r.var)
    assign_32_into_64(r)


# ---------------------------------------------------------------------------- printing


def unum(v: int) -> str:
    return str(v) if 0 <= v <= 0xFFFF else hex(v & M64)


def snum(v: int) -> str:
    return str(v) if -0x8000 <= v <= 0x7FFF else hex(v & M64)


def _ranges(r: Reg) -> list[str]:
    s32min = r.s32min if -0x8000 <= r.s32min <= 0x7FFF else r.s32min & M32
    s32max = r.s32max if -0x8000 <= r.s32max <= 0x7FFF else r.s32max & M32
    mm = [["smin", r.smin & M64, r.smin == S64_MIN], ["smax", r.smax & M64, r.smax == S64_MAX],
          ["umin", r.umin, r.umin == 0], ["umax", r.umax, r.umax == U64_MAX],
          ["smin32", s32min & M64, r.s32min == S32_MIN], ["smax32", s32max & M64, r.s32max == S32_MAX],
          ["umin32", r.u32min, r.u32min == 0], ["umax32", r.u32max, r.u32max == U32_MAX]]
    out = []
    n = len(mm)
    for i in range(n):
        m1 = mm[i]
        if m1[2]:
            continue
        neg1 = m1[0][0] == "s" and s64(m1[1]) < 0
        s = m1[0] + "="
        for j in range(i + 2, n, 2):
            m2 = mm[j]
            if m2[2] or m2[1] != m1[1]:
                continue
            neg2 = m2[0][0] == "s" and s64(m2[1]) < 0
            if neg2 != neg1:
                continue
            m2[2] = True
            s += m2[0] + "="
        s += snum(s64(m1[1])) if m1[0][0] == "s" else unum(m1[1])
        out.append(s)
    return out


def reg_str(r: Reg, cur_frame: int = 0) -> str:
    t = r.type
    pre = "P" if t == SCALAR and r.precise else ""
    if t == SCALAR and r.var[1] == 0:
        return pre + snum(s64(r.var[0]))
    name = pre + type_str(t)
    b = t & BASE
    if b == STACK:
        if r.frameno != cur_frame:
            name += f"[{r.frameno}]"
        if r.var[1] == 0:
            return name + snum(s64(r.var[0]) + r.off)
    parts: list[str] = []
    if r.id:
        parts.append(f"id={r.id}")
    if r.ref_obj_id:
        parts.append(f"ref_obj_id={r.ref_obj_id}")
    if b in (MAP_PTR, MAP_KEY, MAP_VALUE) and r.map is not None:
        if getattr(r.map, "name", ""):
            parts.append(f"map={r.map.name}")
        parts.append(f"ks={r.map.key_size},vs={r.map.value_size}")
    if t != SCALAR and r.off:
        parts.append("off=" + snum(r.off))
    if b in (PACKET, PACKET_META):
        parts.append("r=" + unum(r.range & M64))
    if b == MEM:
        parts.append("sz=" + unum(r.mem_size))
    if r.var[1] == 0:
        if r.var[0]:
            parts.append("imm=" + snum(s64(r.var[0])))
    else:
        parts.extend(_ranges(r))
        if r.var[1] != M64:
            parts.append("var_off=" + T.tstr(r.var))
    return f"{name}({','.join(parts)})"
