"""The structural pass: subprograms, jump ranges, ld_imm64 sanity, CFG walk, liveness.

Runs before the path walk with the kernel's messages (``jump out of range from insn %d to
%d``, ``last insn is not an exit or jmp``, ``unreachable insn %d``, ...). Errors are raised as
``VerifyError(errno, message)``; the caller writes the message to the log.
"""

from __future__ import annotations

from ..uapi import insn as I
from ..uapi.consts import EACCES, EINVAL, PSEUDO_CALL, PSEUDO_FUNC

MAX_SUBPROGS = 256
# helpers that call a callback synchronously, any number of times: bpf_for_each_map_elem,
# bpf_find_vma, bpf_loop, bpf_user_ringbuf_drain. The walk returns to the call after each
# pass through the callback, so the call is a prune point with a checkpoint always stored.
SYNC_CALLBACK_HELPERS = frozenset({164, 180, 181, 209})


class VerifyError(Exception):
    def __init__(self, errno: int, msg: str | None = None) -> None:
        super().__init__(msg)
        self.errno = errno
        self.msg = msg


def is_pseudo_call(ins: I.Insn) -> bool:
    return ins.code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL


def find_subprogs(insns: list[I.Insn]) -> list[int]:
    """Start offsets of the subprograms (0 first), sorted; EINVAL for a call out of range."""
    starts = {0}
    n = len(insns)
    for i, ins in enumerate(insns):
        tgt = None
        if is_pseudo_call(ins):
            tgt = i + ins.imm + 1
        elif ins.code == (I.LD | I.IMM | I.DW) and ins.src == PSEUDO_FUNC:
            tgt = i + ins.imm + 1
        if tgt is None:
            continue
        if tgt < 0 or tgt >= n:
            raise VerifyError(EINVAL, "call to invalid destination")
        starts.add(tgt)
        if len(starts) > MAX_SUBPROGS:
            raise VerifyError(EINVAL, "too many subprograms")
    return sorted(starts)


def check_subprogs(insns: list[I.Insn], starts: list[int]) -> None:
    n = len(insns)
    bounds = starts + [n]
    cur = 0
    start, end = bounds[0], bounds[1]
    for i in range(n):
        code = insns[i].code
        cls = code & 7
        if cls in (I.JMP, I.JMP32) and code & 0xF0 not in (I.EXIT, I.CALL):
            off = i + (insns[i].imm if code == (I.JMP32 | I.JA) else insns[i].off) + 1
            if off < start or off >= end:
                raise VerifyError(EINVAL, f"jump out of range from insn {i} to {off}")
        if i == end - 1:
            if code not in (I.JMP | I.EXIT, I.JMP32 | I.JA, I.JMP | I.JA):
                raise VerifyError(EINVAL, "last insn is not an exit or jmp")
            cur += 1
            start = end
            if cur + 1 < len(bounds):
                end = bounds[cur + 1]


def successors(insns: list[I.Insn], t: int) -> list[int]:
    ins = insns[t]
    code = ins.code
    cls = code & 7
    if cls in (I.JMP, I.JMP32):
        op = code & 0xF0
        if op == I.EXIT:
            return []
        if op == I.CALL:
            if ins.src == PSEUDO_CALL:
                return [t + 1, t + ins.imm + 1]
            return [t + 1]
        if op == I.JA:
            return [t + (ins.imm if cls == I.JMP32 else ins.off) + 1]
        return [t + 1, t + ins.off + 1]
    if code == (I.LD | I.IMM | I.DW):
        return [t + 2]
    return [t + 1]


def check_cfg(insns: list[I.Insn], bpf_capable: bool = True) -> tuple[set[int], set[int]]:
    """Depth-first walk: unreachable insns, jumps into ld_imm64, back-edges (unprivileged).

    Returns (prune points, jump points: where a path may arrive non-sequentially).
    """
    n = len(insns)
    state = [0] * n  # 0 undiscovered, 1 discovered, 2 explored
    prune: set[int] = set()
    jmp: set[int] = set()
    # iterative DFS mirroring the kernel's edge order (fall-through first, then branch)
    stack = [0]
    state[0] = 1
    edge = [0] * n
    succ_cache: dict[int, list[int]] = {}
    while stack:
        t = stack[-1]
        succ = succ_cache.get(t)
        if succ is None:
            succ = successors(insns, t)
            ins = insns[t]
            cls = ins.code & 7
            if ins.code == (I.LD | I.IMM | I.DW) and ins.src == PSEUDO_FUNC:
                # a callback's address: its body is reached from here, as from a call
                succ = [t + 2, t + ins.imm + 1]
                prune.update((t, t + 2, succ[1]))
                jmp.update((t + 2, succ[1]))
            succ_cache[t] = succ
            if cls in (I.JMP, I.JMP32):
                op = ins.code & 0xF0
                if op == I.CALL:
                    prune.add(t + 1)
                    jmp.add(t + 1)
                    if ins.src == 0 and ins.imm in SYNC_CALLBACK_HELPERS:
                        prune.add(t)
                        jmp.add(t)
                    if ins.src == PSEUDO_CALL:
                        prune.add(t)
                        prune.add(succ[1])
                        jmp.add(succ[1])
                elif op == I.JA:
                    prune.add(succ[0])
                    jmp.add(succ[0])
                elif op != I.EXIT:
                    prune.add(t)
                    prune.add(succ[1])
                    jmp.add(succ[1])
        pushed = False
        while edge[t] < len(succ):
            w = succ[edge[t]]
            edge[t] += 1
            if w < 0 or w >= n:
                raise VerifyError(EINVAL, f"jump out of range from insn {t} to {w}")
            if state[w] == 0:
                state[w] = 1
                stack.append(w)
                pushed = True
                break
            if state[w] == 1 and not bpf_capable:
                raise VerifyError(EINVAL, f"back-edge from insn {t} to {w}")
        if not pushed and edge[t] >= len(succ):
            state[t] = 2
            stack.pop()
    i = 0
    while i < n:
        if state[i] != 2:
            raise VerifyError(EINVAL, f"unreachable insn {i}")
        if insns[i].code == (I.LD | I.IMM | I.DW):
            if i + 1 < n and state[i + 1] != 0:
                raise VerifyError(EINVAL, f"jump into the middle of ldimm64 insn {i}")
            i += 2
            continue
        i += 1
    return prune, jmp


def _uses_defs(ins: I.Insn) -> tuple[int, int]:
    """(use mask, def mask) of registers r0..r9 for liveness."""
    code = ins.code
    cls = code & 7
    d, s = ins.dst, ins.src
    b = lambda r: (1 << r) if r < 10 else 0  # noqa: E731
    if cls in (I.ALU, I.ALU64):
        op = code & 0xF0
        if op == I.MOV:
            return (b(s) if code & I.X else 0), b(d)
        if op in (I.NEG, I.END):
            return b(d), b(d)
        return b(d) | (b(s) if code & I.X else 0), b(d)
    if cls == I.LDX:
        return b(s), b(d)
    if cls == I.STX:
        if code & 0xE0 == I.ATOMIC:
            u = b(d) | b(s)
            df = 0
            if ins.imm == I.CMPXCHG:
                u |= 1
                df = 1
            elif ins.imm & I.FETCH:
                df = b(s)
            return u, df
        return b(d) | b(s), 0
    if cls == I.ST:
        return b(d), 0
    if cls == I.LD:
        mode = code & 0xE0
        if mode == I.IMM:
            return 0, b(d)
        u = b(6) | (b(s) if mode == I.IND else 0)
        return u, 0x3F
    if cls in (I.JMP, I.JMP32):
        op = code & 0xF0
        if op == I.EXIT:
            return 1, 0
        if op == I.CALL:
            return 0x3E, 0x3F  # conservatively: r1-r5 may be arguments
        if op == I.JA:
            return 0, 0
        return b(d) | (b(s) if code & I.X else 0), 0
    return 0, 0


def live_regs(insns: list[I.Insn], helper_nargs: dict[int, int] | None = None) -> list[int]:
    """Registers live before each instruction (bit i = ri), by backward dataflow."""
    n = len(insns)
    live = [0] * n
    ud = []
    for ins in insns:
        u, d = _uses_defs(ins)
        if ins.code == (I.JMP | I.CALL) and ins.src == 0 and helper_nargs is not None:
            k = helper_nargs.get(ins.imm, 5)
            u = ((1 << (k + 1)) - 1) & ~1
        ud.append((u, d))
    succs = [(successors(insns, t)[:1] if is_pseudo_call(insns[t]) else successors(insns, t))
             if t == 0 or insns[t - 1].code != (I.LD | I.IMM | I.DW) else [] for t in range(n)]
    changed = True
    while changed:
        changed = False
        for t in range(n - 1, -1, -1):
            out = 0
            for w in succs[t]:
                if 0 <= w < n:
                    out |= live[w]
            u, d = ud[t]
            new = u | (out & ~d)
            if new != live[t]:
                live[t] = new
                changed = True
    return live


__all__ = ["VerifyError", "find_subprogs", "check_subprogs", "check_cfg", "live_regs", "EACCES"]
