"""Which stack slots may still be read: the liveness that lets stored states forget dead slots.

The walk records, per instruction, the 8-byte slots of the executing frame it may read and
the slots it always overwrites whole (the intersection over every visit); reads of a caller's
stack made inside a callee (through a pointer argument) are charged to the call instruction.
A backward data-flow pass over each function (bpf-to-bpf calls continue at the next insn,
exits end the function) then gives the slots alive before every instruction. A stored state
whose paths are all explored keeps only the slots alive at its instruction (for an outer
frame: alive after its call site, or read by the callees); the others become invalid and
match anything, as in the kernel, whose 6.18 liveness is also computed from the accesses
the walk has seen.
"""

from __future__ import annotations

from ..uapi import insn as I
from .cfg import is_pseudo_call, successors


class StackLiveness:
    __slots__ = ("n", "succ", "read", "wr", "outer", "live_in", "dirty")

    def __init__(self, insns: list[I.Insn], subprogs: list[int]) -> None:
        n = len(insns)
        self.n = n
        succ: list[list[int]] = []
        for t, ins in enumerate(insns):
            if t and insns[t - 1].code == (I.LD | I.IMM | I.DW):
                succ.append([])
                continue
            ss = successors(insns, t)
            if is_pseudo_call(ins):
                ss = ss[:1]
            succ.append([w for w in ss if 0 <= w < n])
        self.succ = succ
        self.read = [0] * n
        self.wr: list[int | None] = [None] * n
        self.outer = [0] * n  # per call insn: caller slots its callees read
        self.live_in = [0] * n
        self.dirty = False
        _ = subprogs

    # -- recording (called by the walk)
    def note_read(self, frames: list, cur_idx: int, frameno: int, mask: int) -> None:
        if not mask:
            return
        cf = len(frames) - 1
        if frameno == cf:
            idx = cur_idx
        else:
            idx = frames[frameno + 1].callsite
            if self.outer[idx] | mask != self.outer[idx]:
                self.outer[idx] |= mask
        if self.read[idx] | mask != self.read[idx]:
            self.read[idx] |= mask
            self.dirty = True

    def note_write(self, frames: list, cur_idx: int, frameno: int, full_mask: int) -> None:
        """A stack write at cur_idx; ``full_mask``: own-frame slots overwritten whole."""
        m = full_mask if frameno == len(frames) - 1 else 0
        old = self.wr[cur_idx]
        new = m if old is None else old & m
        if new != old:
            self.wr[cur_idx] = new
            self.dirty = True

    # -- queries
    def _solve(self) -> None:
        n = self.n
        live = self.live_in
        read, wr, succ = self.read, self.wr, self.succ
        changed = True
        while changed:
            changed = False
            for t in range(n - 1, -1, -1):
                out = 0
                for w in succ[t]:
                    out |= live[w]
                k = wr[t]
                new = read[t] | (out & ~k if k else out)
                if new != live[t]:
                    live[t] = new
                    changed = True
        self.dirty = False

    def alive_mask(self, frames: list, insn_idx: int, frameno: int) -> int:
        if self.dirty:
            self._solve()
        if frameno == len(frames) - 1:
            return self.live_in[insn_idx]
        cs = frames[frameno + 1].callsite
        out = self.outer[cs]
        for w in self.succ[cs]:
            out |= self.live_in[w]
        return out
