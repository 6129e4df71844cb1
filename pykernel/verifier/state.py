"""Verifier states: frames (registers + stack slots), whole states, and their comparison."""

from __future__ import annotations

from . import regs as R
from . import tnum as T
from .regs import Reg

SLOT_INVALID, SLOT_SPILL, SLOT_MISC, SLOT_ZERO = "?", "r", "m", "0"
MAX_BPF_REG = 11


class Slot:
    """One 8-byte stack slot; ``types[k]`` describes the byte at fp-(8*spi)-(k+1)."""

    __slots__ = ("types", "spilled")

    def __init__(self, types: list[str] | None = None, spilled: Reg | None = None) -> None:
        self.types = types if types is not None else [SLOT_INVALID] * 8
        self.spilled = spilled

    def copy(self) -> Slot:
        return Slot(self.types[:], self.spilled.copy() if self.spilled is not None else None)

    def is_spill(self) -> bool:
        return self.types[7] == SLOT_SPILL

    def valid(self) -> bool:
        return any(t != SLOT_INVALID for t in self.types)


class Frame:
    __slots__ = ("regs", "stack", "frameno", "callsite", "subprog", "depth", "cb_range", "cb_depth")

    def __init__(self, frameno: int = 0, callsite: int = -1, subprog: int = 0) -> None:
        self.regs = [Reg() for _ in range(MAX_BPF_REG)]
        for r in self.regs:
            r.frameno = frameno
        self.stack: dict[int, Slot] = {}  # spi -> slot
        self.frameno = frameno
        self.callsite = callsite
        self.subprog = subprog
        self.depth = 0  # deepest stack byte touched (positive)
        self.cb_range: tuple[int, int] | None = None  # a callback's frame: the range its r0 must be in
        self.cb_depth = 0  # callbacks of this frame's current helper call walked so far

    def copy(self) -> Frame:
        f = Frame.__new__(Frame)
        f.regs = [r.copy() for r in self.regs]
        f.stack = {k: v.copy() for k, v in self.stack.items()}
        f.frameno, f.callsite, f.subprog, f.depth = self.frameno, self.callsite, self.subprog, self.depth
        f.cb_range, f.cb_depth = self.cb_range, self.cb_depth
        return f


class VState:
    """One verifier state: call frames, acquired references and the precision-tracking links.

    ``last_ckpt`` is the parent checkpoint (the state this path last stored at a prune point);
    ``first_idx``/``last_idx`` bound the instructions walked since then and ``hist`` is the
    jump history of that segment: ``[idx, prev_idx, flags, linked]`` entries for every
    non-sequential step, register spill/fill (``flags``: HIST_STACK | frame << 6 | spi) and
    conditional jump that refined linked scalars (``linked``: ((frame, regno|-1-spi), ...)).
    """

    __slots__ = ("frames", "refs", "last_ckpt", "path", "first_idx", "last_idx", "insn_idx", "hist", "dfs_depth",
                 "unroll")

    def __init__(self) -> None:
        self.frames: list[Frame] = [Frame()]
        self.refs: list[tuple[int, int]] = []  # (ref id, insn that acquired it)
        self.last_ckpt: Checkpoint | None = None
        self.path: list[int] | None = None
        self.first_idx = 0
        self.last_idx = -1
        self.insn_idx = 0
        self.hist: list[list] = []
        self.dfs_depth = 0  # how many pushes to the branch stack made this state
        self.unroll = 0  # callback bodies entered on this path

    @property
    def cur(self) -> Frame:
        return self.frames[-1]

    @property
    def curframe(self) -> int:
        return len(self.frames) - 1

    def copy(self) -> VState:
        s = VState.__new__(VState)
        s.frames = [f.copy() for f in self.frames]
        s.refs = list(self.refs)
        s.last_ckpt = self.last_ckpt
        s.path = list(self.path) if self.path is not None else None
        s.first_idx, s.last_idx, s.insn_idx = self.first_idx, self.last_idx, self.insn_idx
        s.hist = [list(h) for h in self.hist]
        s.dfs_depth, s.unroll = self.dfs_depth, self.unroll
        return s


HIST_STACK = 1 << 9


def maybe_looping(old: VState, cur: VState) -> bool:
    """The cheap pre-check of the loop detector: the current frame's registers are identical."""
    if len(old.frames) != len(cur.frames):
        return False
    for a, b in zip(old.frames[-1].regs, cur.frames[-1].regs, strict=True):
        if a.type != b.type or a.var != b.var or a.off != b.off or a.id != b.id or a.smin != b.smin \
                or a.smax != b.smax or a.umin != b.umin or a.umax != b.umax or a.s32min != b.s32min \
                or a.s32max != b.s32max or a.u32min != b.u32min or a.u32max != b.u32max \
                or a.map is not b.map or a.range != b.range or a.mem_size != b.mem_size \
                or a.ref_obj_id != b.ref_obj_id:
            return False
    return True


def fingerprint(st: VState) -> tuple:
    """Exact identity of a state (ids included)."""
    out = []
    for f in st.frames:
        out.append(tuple(r.key() for r in f.regs))
        out.append(tuple(sorted((k, "".join(v.types), v.spilled.key() if v.spilled is not None else None)
                                for k, v in f.stack.items())))
    return tuple(out)


class Checkpoint:
    """A state stored at a prune point (the kernel's bpf_verifier_state_list entry)."""

    __slots__ = ("state", "insn", "parent", "branches", "hits", "miss", "fp", "cleaned", "in_list", "callsite")  # fp: in the free list

    def __init__(self, state: VState, insn: int, parent: Checkpoint | None) -> None:
        self.state = state
        self.insn = insn
        self.parent = parent
        self.branches = 1
        self.hits = 0
        self.miss = 0
        self.fp: tuple | None = None
        self.cleaned = False
        self.in_list = True
        self.callsite = state.frames[-1].callsite


# ---------------------------------------------------------------------------- comparison


class IdMap:
    """Old id -> current id correspondence built while comparing two states (check_ids)."""

    __slots__ = ("m", "rev", "tmp")

    def __init__(self, tmp: int = 0) -> None:
        self.m: dict[int, int] = {}
        self.rev: dict[int, int] = {}
        self.tmp = tmp

    def check(self, old: int, cur: int) -> bool:
        if (not old) != (not cur):
            return False
        if not old:
            return True
        a = self.m.get(old)
        if a is None:
            if cur in self.rev:
                return False
            self.m[old] = cur
            self.rev[cur] = old
            return True
        return a == cur

    def check_scalar(self, old: int, cur: int) -> bool:
        if not old:
            return True
        if not cur:
            self.tmp += 1
            cur = -self.tmp  # a fresh id nothing else can match
        return self.check(old, cur)


def _range_within(o: Reg, c: Reg) -> bool:
    return (o.umin <= c.umin and o.umax >= c.umax and o.smin <= c.smin and o.smax >= c.smax
            and o.u32min <= c.u32min and o.u32max >= c.u32max and o.s32min <= c.s32min and o.s32max >= c.s32max)


def regs_exact(o: Reg, c: Reg, idmap: IdMap) -> bool:
    return (o.type == c.type and o.off == c.off and o.map is c.map and o.range == c.range
            and o.mem_size == c.mem_size and o.var == c.var and o.smin == c.smin and o.smax == c.smax
            and o.umin == c.umin and o.umax == c.umax and o.s32min == c.s32min and o.s32max == c.s32max
            and o.u32min == c.u32min and o.u32max == c.u32max
            and idmap.check(o.id, c.id) and idmap.check(o.ref_obj_id, c.ref_obj_id))


NOT_EXACT, EXACT, RANGE_WITHIN = 0, 1, 2


def regsafe(o: Reg, c: Reg, idmap: IdMap, exact: int) -> bool:
    if exact == EXACT:
        return regs_exact(o, c, idmap)
    ot = o.type
    if ot == R.NOT_INIT and (exact == NOT_EXACT or c.type == R.NOT_INIT):
        return True
    if ot != c.type:
        return False
    t = ot & R.BASE
    if t == R.SCALAR:
        if not o.precise and exact == NOT_EXACT:
            return True
        return _range_within(o, c) and T.within(o.var, c.var) and idmap.check_scalar(o.id, c.id)
    if t in (R.MAP_KEY, R.MAP_VALUE, R.MEM):
        return (o.off == c.off and o.map is c.map and o.range == c.range and o.mem_size == c.mem_size
                and _range_within(o, c) and T.within(o.var, c.var)
                and idmap.check(o.id, c.id) and idmap.check(o.ref_obj_id, c.ref_obj_id))
    if t in (R.PACKET, R.PACKET_META):
        if o.range < 0 or c.range < 0:
            if o.range != c.range:
                return False
        elif o.range > c.range:
            return False
        if o.off != c.off:
            return False
        if not idmap.check(o.id, c.id):
            return False
        return _range_within(o, c) and T.within(o.var, c.var)
    if t == R.STACK:
        return regs_exact(o, c, idmap) and o.frameno == c.frameno
    return regs_exact(o, c, idmap)


_INVALID8 = [SLOT_INVALID] * 8


def _scalar_for_stack(s: Slot | None, uninit_ok: bool) -> Reg | None:
    if s is None:
        return _UNBOUND if uninit_ok else None
    if s.types[0] == SLOT_SPILL and s.spilled is not None and s.spilled.type == R.SCALAR:
        return s.spilled
    for t in s.types:
        if t != SLOT_MISC and not (t == SLOT_INVALID and uninit_ok):
            return None
    return _UNBOUND


_UNBOUND = Reg()
_UNBOUND.type = R.SCALAR


def stacksafe(o: Frame, c: Frame, idmap: IdMap, exact: int, uninit_ok: bool = True) -> bool:
    cstack = c.stack
    for spi, os_ in o.stack.items():
        cs = cstack.get(spi)
        otypes = os_.types
        ctypes = cs.types if cs is not None else _INVALID8
        if exact == EXACT:
            if cs is None or otypes != ctypes:
                return False
        if otypes == _INVALID8:
            continue
        for k in range(8):
            ot = otypes[k]
            if ot == SLOT_INVALID:
                continue
            if uninit_ok and ot == SLOT_MISC:
                continue
            if cs is None:
                return False
            orr = _scalar_for_stack(os_, uninit_ok)
            crr = _scalar_for_stack(cs, uninit_ok) if orr is not None else None
            if orr is not None and crr is not None:
                if not regsafe(orr, crr, idmap, exact):
                    return False
                break
            ct = ctypes[k]
            if ot == SLOT_MISC and ct == SLOT_ZERO:
                continue
            if ot != ct:
                return False
            if k != 7:
                continue
            if ot == SLOT_SPILL:
                if not regsafe(os_.spilled, cs.spilled, idmap, exact):  # type: ignore[arg-type]
                    return False
    return True


def refsafe(old: VState, cur: VState, idmap: IdMap) -> bool:
    if len(old.refs) != len(cur.refs):
        return False
    return all(idmap.check(a[0], b[0]) for a, b in zip(old.refs, cur.refs, strict=True))


def states_equal(old: VState, cur: VState, live_of, exact: int = NOT_EXACT, id_gen: int = 0) -> bool:  # type: ignore[no-untyped-def]
    """``live_of(frame_index, state)`` gives the live-register mask of that frame."""
    ofr, cfr = old.frames, cur.frames
    n = len(ofr)
    if n != len(cfr):
        return False
    idmap = IdMap(id_gen)
    if (old.refs or cur.refs) and not refsafe(old, cur, idmap):
        return False
    not_exact = exact == NOT_EXACT
    for fi in range(n):
        fo, fc = ofr[fi], cfr[fi]
        if fo.callsite != fc.callsite or fo.cb_depth > fc.cb_depth:
            return False
        live = live_of(fi, old) & 0x7FF
        oregs, cregs = fo.regs, fc.regs
        i = 0
        while live:
            if live & 1:
                o = oregs[i]
                ot = o.type
                # the two commonest verdicts of regsafe without the call: an uninitialised
                # old register matches anything, an imprecise old scalar any scalar
                if not_exact and (ot == _NOT_INIT or (ot == _SCALAR and not o.precise and cregs[i].type == _SCALAR)):
                    pass
                elif not regsafe(o, cregs[i], idmap, exact):
                    return False
            live >>= 1
            i += 1
        if fo.stack and not stacksafe(fo, fc, idmap, exact):
            return False
    return True


_NOT_INIT, _SCALAR = R.NOT_INIT, R.SCALAR
