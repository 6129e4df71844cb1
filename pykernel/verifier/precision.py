"""Precision tracking: which scalars a verdict depended on, found by walking the path backwards.

States stored at prune points start with every scalar imprecise; an imprecise scalar of a
stored state matches any scalar of a later state (``state.regsafe``). When the walk relies on
a scalar's value (a branch decided by it, pointer arithmetic, a helper's size argument, a
constant map key, the return code), ``mark_chain_precision`` walks the instructions of the
current path backwards (the jump history tells where a path jumped and which stack slot a
spill/fill touched), tracking the set of registers and stack slots the value came from, and
marks them precise in every stored parent state until the set is empty. The log lines at
level 2 are the kernel's (``mark_precise: frame%d: ...``).
"""

from __future__ import annotations

from ..uapi import insn as I
from ..uapi.consts import PSEUDO_CALL
from . import regs as R
from .cfg import VerifyError
from .log import LOG_LEVEL2
from .state import HIST_STACK, SLOT_SPILL, VState

MAX_FRAMES = 8
ARGS_MASK = 0x3E  # r1-r5


class NotSupported(Exception):
    """Backtracking met an instruction it cannot see through: mark everything precise."""


class Backtrack:
    __slots__ = ("frame", "regs", "stack")

    def __init__(self) -> None:
        self.frame = 0
        self.regs = [0] * MAX_FRAMES
        self.stack = [0] * MAX_FRAMES

    def reset(self, frame: int) -> None:
        self.frame = frame
        self.regs = [0] * MAX_FRAMES
        self.stack = [0] * MAX_FRAMES

    def empty(self) -> bool:
        return not any(self.regs) and not any(self.stack)


def _fmt_regs(mask: int) -> str:
    return ",".join(f"r{i}" for i in range(11) if (mask >> i) & 1)


def _fmt_stack(mask: int) -> str:
    return ",".join(str(-(i + 1) * 8) for i in range(64) if (mask >> i) & 1)


def is_spilled_scalar(slot) -> bool:  # type: ignore[no-untyped-def]
    return slot is not None and slot.types[7] == SLOT_SPILL and slot.spilled is not None \
        and slot.spilled.type == R.SCALAR


class PrecisionMixin:
    """Methods of the Verifier that implement backtracking (see the module docstring)."""

    # ------------------------------------------------------------------ jump history
    def push_hist(self, st: VState, flags: int = 0, linked: tuple | None = None) -> None:
        ent = self.cur_hist_ent  # type: ignore[attr-defined]
        if ent is not None and ent[0] == self.insn_idx and st.hist and st.hist[-1] is ent:  # type: ignore[attr-defined]
            ent[2] |= flags
            if linked is not None:
                ent[3] = linked
            return
        ent = [self.insn_idx, st.last_idx, flags, linked]  # type: ignore[attr-defined]
        st.hist.append(ent)
        self.cur_hist_ent = ent  # type: ignore[attr-defined]

    @staticmethod
    def _hist_entry(st: VState, cnt: int, idx: int) -> list | None:
        if cnt > 0 and st.hist[cnt - 1][0] == idx:
            return st.hist[cnt - 1]
        return None

    @staticmethod
    def _prev_insn(st: VState, i: int, cnt: int) -> tuple[int, int]:
        if i == st.first_idx:
            if cnt == 0:
                return -1, cnt
            if cnt == 1 and st.hist[0][0] == i:
                return -1, cnt
        if cnt and st.hist[cnt - 1][0] == i:
            return st.hist[cnt - 1][1], cnt - 1
        return i - 1, cnt

    # ------------------------------------------------------------------ entry points
    def mark_chain_precision(self, regno: int) -> None:
        if not self.bpf_capable:  # type: ignore[attr-defined]
            return
        st = self.cur  # type: ignore[attr-defined]
        bt = self.bt  # type: ignore[attr-defined]
        bt.reset(st.curframe)
        if regno >= 0:
            bt.regs[bt.frame] |= 1 << regno
        self._mark_chain(st)

    def mark_stack_slot_precision(self, frameno: int, spi: int) -> None:
        if not self.bpf_capable:  # type: ignore[attr-defined]
            return
        st = self.cur  # type: ignore[attr-defined]
        bt = self.bt  # type: ignore[attr-defined]
        bt.reset(st.curframe)
        bt.stack[frameno] |= 1 << spi
        self._mark_chain(st)

    def mark_all_scalars_precise(self, st: VState) -> None:
        lvl2 = self.log.level & LOG_LEVEL2  # type: ignore[attr-defined]
        ck = st.last_ckpt
        while ck is not None:
            s = ck.state
            for fi, f in enumerate(s.frames):
                for j in range(10):
                    r = f.regs[j]
                    if r.type != R.SCALAR or r.precise:
                        continue
                    r.precise = True
                    if lvl2:
                        self.v(f"force_precise: frame{fi}: forcing r{j} to be precise\n")  # type: ignore[attr-defined]
                for spi in sorted(f.stack):
                    slot = f.stack[spi]
                    if slot.types[7] != SLOT_SPILL or slot.spilled is None:
                        continue
                    r = slot.spilled
                    if r.type != R.SCALAR or r.precise:
                        continue
                    r.precise = True
                    if lvl2:
                        self.v(f"force_precise: frame{fi}: forcing fp{-(spi + 1) * 8} to be precise\n")  # type: ignore[attr-defined]
            ck = ck.parent

    @staticmethod
    def mark_all_scalars_imprecise(st: VState) -> None:
        for f in st.frames:
            for r in f.regs:
                if r.type == R.SCALAR:
                    r.precise = False
            for slot in f.stack.values():
                if slot.spilled is not None and slot.types[7] == SLOT_SPILL and slot.spilled.type == R.SCALAR:
                    slot.spilled.precise = False

    def propagate_precision(self, old: VState, cur: VState) -> None:
        bt = self.bt  # type: ignore[attr-defined]
        bt.reset(cur.curframe)
        lvl2 = self.log.level & LOG_LEVEL2  # type: ignore[attr-defined]
        for fr in range(len(old.frames) - 1, -1, -1):
            f = old.frames[fr]
            first = True
            for i in range(10):
                r = f.regs[i]
                if r.type != R.SCALAR or not r.precise:
                    continue
                if lvl2:
                    self.v(f"frame {fr}: propagating r{i}" if first else f",r{i}")  # type: ignore[attr-defined]
                bt.regs[fr] |= 1 << i
                first = False
            for spi in sorted(f.stack):
                slot = f.stack[spi]
                if slot.types[7] != SLOT_SPILL or slot.spilled is None:
                    continue
                r = slot.spilled
                if r.type != R.SCALAR or not r.precise:
                    continue
                if lvl2:
                    off = -(spi + 1) * 8
                    self.v(f"frame {fr}: propagating fp{off}" if first else f",fp{off}")  # type: ignore[attr-defined]
                bt.stack[fr] |= 1 << spi
                first = False
            if not first and lvl2:
                self.v("\n")  # type: ignore[attr-defined]
        self._mark_chain(cur)

    # ------------------------------------------------------------------ the walk
    def _mark_chain(self, start: VState) -> None:
        bt = self.bt  # type: ignore[attr-defined]
        bregs, bstack = bt.regs, bt.stack
        if not any(bregs) and not any(bstack):
            return
        lvl2 = self.log.level & LOG_LEVEL2  # type: ignore[attr-defined]
        backtrack = self.backtrack_insn
        kinds = self.bt_kind  # type: ignore[attr-defined]
        st = start
        first_idx = st.first_idx
        last_idx = st.insn_idx
        subseq_idx = -1
        skip_first = True
        ck = st.last_ckpt
        n = self.n  # type: ignore[attr-defined]
        while True:
            hist = st.hist
            cnt = len(hist)
            if lvl2:
                self.v(f"mark_precise: frame{bt.frame}: last_idx {last_idx} first_idx {first_idx} "  # type: ignore[attr-defined]
                       f"subseq_idx {subseq_idx} \n")
            if last_idx < 0:
                return
            i = last_idx
            first = st.first_idx
            while True:
                if skip_first:
                    skip_first = False
                else:
                    ent = hist[cnt - 1] if cnt and hist[cnt - 1][0] == i else None
                    # instructions that cannot change the tracked sets need no backtracking step
                    # (a plain jump-history entry only says where the path came from): see
                    # check._bt_kind for the registers that make each one matter
                    k = kinds[i]
                    if lvl2 or k < 0 or (ent is not None and (ent[2] or ent[3])) or bregs[bt.frame] & k:
                        try:
                            backtrack(i, subseq_idx, ent, bt)
                        except NotSupported:
                            self.mark_all_scalars_precise(start)
                            bt.reset(0)
                            return
                        fr = bt.frame
                        if not bregs[fr] and not bstack[fr] and not any(bregs) and not any(bstack):
                            return
                subseq_idx = i
                if i == first and (cnt == 0 or (cnt == 1 and hist[0][0] == i)):
                    break
                if cnt and hist[cnt - 1][0] == i:
                    i = hist[cnt - 1][1]
                    cnt -= 1
                else:
                    i -= 1
                if i < 0 or i >= n:
                    raise VerifyError(14, f"verifier bug: backtracking idx {i}")
            if ck is None:
                break
            st = ck.state
            for fr in range(bt.frame, -1, -1):
                if fr >= len(st.frames):
                    continue
                func = st.frames[fr]
                m = bregs[fr]
                k = 0
                while m >> k:
                    if (m >> k) & 1:
                        r = func.regs[k]
                        if r.type != R.SCALAR or r.precise:
                            bregs[fr] &= ~(1 << k)
                        else:
                            r.precise = True
                    k += 1
                m = bstack[fr]
                k = 0
                while m >> k:
                    if (m >> k) & 1:
                        slot = func.stack.get(k)
                        if not is_spilled_scalar(slot) or slot.spilled.precise:
                            bstack[fr] &= ~(1 << k)
                        else:
                            slot.spilled.precise = True
                    k += 1
                if lvl2:
                    self.v(f"mark_precise: frame{fr}: parent state regs={_fmt_regs(bregs[fr])} "  # type: ignore[attr-defined]
                           f"stack={_fmt_stack(bstack[fr])}: ")
                    self.v(self.state_str(st, fr, True))  # type: ignore[attr-defined]
            if not any(bregs) and not any(bstack):
                return
            subseq_idx = first_idx
            last_idx = st.last_idx
            first_idx = st.first_idx
            ck = ck.parent
        if any(bregs) or any(bstack):
            self.mark_all_scalars_precise(start)
            bt.reset(0)

    def backtrack_insn(self, idx: int, subseq_idx: int, hist: list | None, bt: Backtrack) -> None:
        code, d, s, imm = self.dec[idx]  # type: ignore[attr-defined]
        if code == 0:
            return
        if self.log.level & LOG_LEVEL2:  # type: ignore[attr-defined]
            self.v(f"mark_precise: frame{bt.frame}: regs={_fmt_regs(bt.regs[bt.frame])} "  # type: ignore[attr-defined]
                   f"stack={_fmt_stack(bt.stack[bt.frame])} before {idx}: {self.insn_text(idx)}\n")  # type: ignore[attr-defined]
        if hist is not None and hist[3]:
            _sync_linked(bt, hist)
        cls = code & 7
        fr = bt.frame
        regs = bt.regs
        if cls == 7 or cls == 4:  # ALU64, ALU
            if not (regs[fr] >> d) & 1:
                return
            op = code & 0xF0
            if op == I.MOV:
                regs[fr] &= ~(1 << d)
                if code & I.X and s != 10:
                    regs[fr] |= 1 << s
            elif op != I.END and op != I.NEG and code & I.X and s != 10:
                regs[fr] |= 1 << s
        elif cls == I.LDX:
            if not (regs[fr] >> d) & 1:
                return
            regs[fr] &= ~(1 << d)
            if hist is None or not hist[2] & HIST_STACK:
                return
            sfr, spi = (hist[2] >> 6) & 7, hist[2] & 63
            bt.stack[sfr] |= 1 << spi
        elif cls == I.STX and (code & 0xE0) == I.ATOMIC:
            # the fetched old value comes from memory: nothing earlier to track for it
            if (regs[fr] >> d) & 1:
                raise NotSupported
            if imm & I.FETCH:
                loaded = 0 if imm == I.CMPXCHG else s
                regs[fr] &= ~(1 << loaded)
            return
        elif cls == I.STX or cls == I.ST:
            if (regs[fr] >> d) & 1:
                raise NotSupported
            if hist is None or not hist[2] & HIST_STACK:
                return
            sfr, spi = (hist[2] >> 6) & 7, hist[2] & 63
            if not (bt.stack[sfr] >> spi) & 1:
                return
            bt.stack[sfr] &= ~(1 << spi)
            if cls == I.STX:
                regs[fr] |= 1 << s
        elif cls == I.JMP or cls == I.JMP32:
            op = code & 0xF0
            if op == I.CALL and s == PSEUDO_CALL:
                sub = self.subprogs.index(idx + imm + 1)  # type: ignore[attr-defined]
                if self.subprog_is_global(sub):  # type: ignore[attr-defined]
                    # the walk did not enter it: the caller's next insn follows, and r0 is
                    # the call's unknown result (r1-r5 were clobbered)
                    if idx + 1 != subseq_idx:
                        raise VerifyError(14, f"verifier bug: extra insn from subprog after global call at {idx}")
                    if regs[fr] & ARGS_MASK:
                        raise VerifyError(14, f"verifier bug: global subprog unexpected regs {regs[fr]:x}")
                    regs[fr] &= ~1
                    return
                if regs[fr] & ~ARGS_MASK & 0x7FF:
                    raise VerifyError(14, f"verifier bug: static subprog unexpected regs {regs[fr]:x}")
                if bt.stack[fr]:
                    raise VerifyError(14, f"verifier bug: static subprog leftover stack slots {bt.stack[fr]:x}")
                if fr == 0:
                    raise VerifyError(14, "verifier bug: subprog exit at frame 0")
                for i in range(1, 6):
                    if (regs[fr] >> i) & 1:
                        regs[fr] &= ~(1 << i)
                        regs[fr - 1] |= 1 << i
                bt.frame -= 1
                return
            if op == I.CALL and s == 0 and idx in self.cb_calls and idx != subseq_idx - 1:  # type: ignore[attr-defined]
                # from a callback's first insn back to the helper call that queued it: r1-r5
                # of the callback were set by the helper, not by the caller's registers
                if regs[fr] & ~ARGS_MASK & 0x7FF:
                    raise VerifyError(14, f"verifier bug: backtracking call unexpected regs {regs[fr]:x}")
                if bt.stack[fr]:
                    raise NotSupported
                regs[fr] &= ~ARGS_MASK
                if fr == 0:
                    raise VerifyError(14, "verifier bug: subprog exit at frame 0")
                bt.frame -= 1
                return
            if op == I.CALL:
                regs[fr] &= ~1
                if regs[fr] & ARGS_MASK:
                    raise VerifyError(14, f"verifier bug: backtracking call unexpected regs {regs[fr]:x}")
                if s == 0 and imm == 12 and subseq_idx >= 0 and idx != subseq_idx - 1:
                    # a tail call that ended the called function: back into its frame
                    if fr + 1 >= MAX_FRAMES:
                        raise VerifyError(14, "verifier bug: subprog enter from frame")
                    bt.frame += 1
            elif op == I.EXIT:
                if subseq_idx >= 0 and subseq_idx in self.cb_calls:  # type: ignore[attr-defined]
                    # a callback's exit back to its helper call: r1-r5 there are the call's own
                    regs[fr] &= ~ARGS_MASK
                if regs[fr] & ARGS_MASK:
                    raise VerifyError(14, f"verifier bug: backtracking exit unexpected regs {regs[fr]:x}")
                r0 = (subseq_idx - 1 >= 0 and _is_pseudo_call(self.insns[subseq_idx - 1])  # type: ignore[attr-defined]
                      and regs[fr] & 1)
                regs[fr] &= ~1
                if fr + 1 >= MAX_FRAMES:
                    raise VerifyError(14, "verifier bug: subprog enter from frame")
                bt.frame += 1
                if r0:
                    regs[bt.frame] |= 1
                return
            elif code & I.X and op != I.JA:
                if not (regs[fr] >> d) & 1 and not (regs[fr] >> s) & 1:
                    return
                regs[fr] |= (1 << s) | (1 << d)
        elif cls == I.LD:
            if not (regs[fr] >> d) & 1:
                return
            regs[fr] &= ~(1 << d)
            mode = code & 0xE0
            if mode in (I.ABS, I.IND):
                raise NotSupported
        if hist is not None and hist[3]:
            _sync_linked(bt, hist)


def _is_pseudo_call(ins: I.Insn) -> bool:
    return ins.code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL


def _sync_linked(bt: Backtrack, hist: list | None) -> None:
    if hist is None or not hist[3]:
        return
    linked = hist[3]
    hit = False
    for fr, r in linked:
        if r >= 0:
            if (bt.regs[fr] >> r) & 1:
                hit = True
                break
        elif (bt.stack[fr] >> (-1 - r)) & 1:
            hit = True
            break
    if not hit:
        return
    for fr, r in linked:
        if r >= 0:
            bt.regs[fr] |= 1 << r
        else:
            bt.stack[fr] |= 1 << (-1 - r)
