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
    __slots__ = ("regs", "stack", "frameno", "callsite", "subprog", "depth")

    def __init__(self, frameno: int = 0, callsite: int = -1, subprog: int = 0) -> None:
        self.regs = [Reg() for _ in range(MAX_BPF_REG)]
        for r in self.regs:
            r.frameno = frameno
        self.stack: dict[int, Slot] = {}  # spi -> slot
        self.frameno = frameno
        self.callsite = callsite
        self.subprog = subprog
        self.depth = 0  # deepest stack byte touched (positive)

    def copy(self) -> Frame:
        f = Frame.__new__(Frame)
        f.regs = [r.copy() for r in self.regs]
        f.stack = {k: v.copy() for k, v in self.stack.items()}
        f.frameno, f.callsite, f.subprog, f.depth = self.frameno, self.callsite, self.subprog, self.depth
        return f


class VState:
    __slots__ = ("frames", "refs", "last_ckpt", "path")

    def __init__(self) -> None:
        self.frames: list[Frame] = [Frame()]
        self.refs: list[tuple[int, int]] = []  # (ref id, insn that acquired it)
        self.last_ckpt: Checkpoint | None = None
        self.path: list[int] | None = None

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
        return s


def fingerprint(st: VState) -> tuple:
    """Exact identity of a state (ids included), for the in-progress loop check."""
    out = []
    for f in st.frames:
        out.append(tuple(r.key() for r in f.regs))
        out.append(tuple(sorted((k, "".join(v.types), v.spilled.key() if v.spilled is not None else None)
                                for k, v in f.stack.items())))
    return tuple(out)


class Checkpoint:
    __slots__ = ("state", "insn", "parent", "branches", "hits", "miss", "fp")

    def __init__(self, state: VState, insn: int, parent: Checkpoint | None) -> None:
        self.state = state
        self.insn = insn
        self.parent = parent
        self.branches = 1
        self.hits = 0
        self.miss = 0
        self.fp: tuple | None = None


# ---------------------------------------------------------------------------- comparison


class IdMap:
    __slots__ = ("m", "rev")

    def __init__(self) -> None:
        self.m: dict[int, int] = {}
        self.rev: dict[int, int] = {}

    def check(self, old: int, cur: int) -> bool:
        if not old and not cur:
            return True
        if not old or not cur:
            return not old  # an old state without a link is more general
        a = self.m.get(old)
        if a is None:
            if cur in self.rev:
                return False
            self.m[old] = cur
            self.rev[cur] = old
            return True
        return a == cur


def _range_within(o: Reg, c: Reg) -> bool:
    return (o.umin <= c.umin and o.umax >= c.umax and o.smin <= c.smin and o.smax >= c.smax
            and o.u32min <= c.u32min and o.u32max >= c.u32max and o.s32min <= c.s32min and o.s32max >= c.s32max)


def regsafe(o: Reg, c: Reg, idmap: IdMap, exact: bool) -> bool:
    if exact:
        if o.type == R.NOT_INIT and c.type == R.NOT_INIT:
            return True
        ko, kc = o.key(), c.key()
        if ko[:11] != kc[:11] or ko[12:] != kc[12:]:
            return False
        return idmap.check(o.id, c.id)
    if o.type == R.NOT_INIT:
        return True
    if c.type == R.NOT_INIT:
        return False
    if o.type != c.type:
        return False
    t = o.type & R.BASE
    if t == R.SCALAR:
        if not (_range_within(o, c) and T.within(o.var, c.var)):
            return False
        return idmap.check(o.id, c.id) if o.id else True
    if t in (R.PACKET, R.PACKET_META):
        if o.range > c.range if o.range >= 0 and c.range >= 0 else o.range != c.range:
            return False
        if o.off != c.off:
            return False
        if not idmap.check(o.id, c.id):
            return False
        return _range_within(o, c) and T.within(o.var, c.var)
    if o.off != c.off or o.map is not c.map or o.mem_size != c.mem_size or o.frameno != c.frameno:
        return False
    if not idmap.check(o.id, c.id) or not idmap.check(o.ref_obj_id, c.ref_obj_id):
        return False
    return _range_within(o, c) and T.within(o.var, c.var)


def _stacksafe(o: Frame, c: Frame, idmap: IdMap, exact: bool) -> bool:
    for spi, os_ in o.stack.items():
        cs = c.stack.get(spi)
        ctypes = cs.types if cs is not None else [SLOT_INVALID] * 8
        if exact:
            if os_.types != ctypes:
                return False
            if os_.is_spill() and not regsafe(os_.spilled, cs.spilled, idmap, True):  # type: ignore[arg-type,union-attr]
                return False
            continue
        for k in range(8):
            ot, ct = os_.types[k], ctypes[k]
            if ot == SLOT_INVALID:
                continue
            if ot == SLOT_MISC and ct in (SLOT_MISC, SLOT_ZERO):
                continue
            if ot == SLOT_MISC and ct == SLOT_SPILL and cs is not None and cs.spilled is not None \
                    and cs.spilled.type == R.SCALAR:
                continue
            if ot != ct:
                return False
        if os_.is_spill():
            if cs is None or not cs.is_spill():
                return False
            if not regsafe(os_.spilled, cs.spilled, idmap, False):  # type: ignore[arg-type]
                return False
    if exact:
        for spi, cs in c.stack.items():
            if spi not in o.stack and cs.valid():
                return False
    return True


def states_equal(old: VState, cur: VState, live: int, exact: bool = False) -> bool:
    if len(old.frames) != len(cur.frames):
        return False
    # cheap filter: live registers of the innermost frame must have the same types
    oregs, cregs = old.frames[-1].regs, cur.frames[-1].regs
    for i in range(MAX_BPF_REG):
        if (live >> i) & 1 or exact:
            ot = oregs[i].type
            if ot != cregs[i].type and (exact or ot != R.NOT_INIT):
                return False
    if [r[0] for r in old.refs] != [r[0] for r in cur.refs] and not exact:
        if len(old.refs) != len(cur.refs):
            return False
    idmap = IdMap()
    for fi, (fo, fc) in enumerate(zip(old.frames, cur.frames, strict=True)):
        if fo.callsite != fc.callsite:
            return False
        last = fi == len(old.frames) - 1
        for i in range(MAX_BPF_REG):
            if last and not exact and not (live >> i) & 1 and i != 10:
                continue
            if not regsafe(fo.regs[i], fc.regs[i], idmap, exact):
                return False
        if not _stacksafe(fo, fc, idmap, exact):
            return False
    return True
