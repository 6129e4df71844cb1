"""The translating executor's compiler: eBPF instructions -> one Python factory.

A program (the verifier's xlated instructions, or any instruction list for the
conformance suites) is translated ONCE into Python source, compiled, and cached
in-process (:func:`translate` keys the cache by the instruction bytes, the call table
and the options). Running it (``pykernel.interp.vm``) binds the factory to a run's memory
and helpers, which costs a few closure creations.

Shape of the generated code::

    def factory(RUN, RD, WR, NOREG, FRAMES, H, LIM, MAXD, SLD, SST, SVIEW, ..., PCPU):
        h_1 = H[1]                               # helper implementations used
        def f_0(r1, r2, r3, r4, r5, ic, d):      # one function per subprogram
            if d >= MAXD: DEPTH(d)
            stk, r10 = FRAMES[d]                 # this frame's 512-byte stack and r10
            r0 = r6 = r7 = r8 = r9 = r11 = 0     # r11: BPF_REG_AX of kernel rewrites
            ...                                  # basic blocks (see below)
            return r0, ic
        return {0: f_0, ...}

* Registers are Python locals holding unsigned 64-bit ints; r6-r9 are callee-saved
  because every subprogram is its own Python function (bpf-to-bpf calls are Python calls
  with ``d + 1``, so each frame has its own stack and registers).
* Semantics come only from the opcode table: ``op.expr`` templates are pasted with ``{a}``
  / ``{b}`` replaced by register names or validated integer literals, reduced to
  ``op.width``; memory accesses use ``op.width``/``op.signed``; nothing here restates an
  opcode's meaning.
* Control flow: basic blocks are grouped into *regions*. A region head is the entry, a
  loop header (target of a DFS back edge) or a merge block too big to duplicate; every
  other block is inlined into the region that reaches it (small merge blocks are
  duplicated), giving straight-line ``if``/``return`` code. A region that jumps back to its
  own head becomes a ``while True:`` loop (``continue``); with several regions a ``pc``
  dispatch loop (binary ``if pc < K`` tree) connects them.
* Instruction counting: ``ic += n`` at the top of every basic block (n = its instruction
  count); the budget ``LIM`` is checked on every backward jump, so a run never exceeds it
  by more than one block.
* Kernel-internal forms the verifier emits are understood too: the per-CPU ``mov64``
  (``off = BPF_ADDR_PERCPU``: ``rD = rS + PCPU``, this CPU's offset), bpf-to-bpf calls
  in their xlated encoding (offset in ``off``, subprogram index in ``imm``), the scratch
  register BPF_REG_AX (r11) of ctx rewrites, and ``BPF_JMP | BPF_TAIL_CALL`` (0xf5, run as
  ``call 12``).
* Memory: ``r10``-relative accesses with a constant offset index the frame's stack
  directly; every other access looks up the slot's region tuple and checks the window
  inline, falling back to ``Memory.load``/``store`` (which fault). See
  :mod:`pykernel.interp.memory`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..uapi import insn as I
from ..uapi.consts import PSEUDO_CALL, PSEUDO_FUNC, PSEUDO_MAP_IDX_VALUE
from ..uapi.disasm import BPF_ADDR_PERCPU
from ..uapi.opcodes import EXPR_NAMESPACE, Kind, Op, family, lookup
from .calls import EMPTY, CallTable, HelperImpl
from .memory import STACK_SIZE

M64 = 0xFFFFFFFFFFFFFFFF
M32 = 0xFFFFFFFF

#: the kernel-internal ``BPF_JMP | BPF_TAIL_CALL`` a verifier may leave for bpf_tail_call
BPF_JMP_TAIL_CALL = 0xF5
TAIL_CALL_HELPER = 12

#: address of subprogram ``pc`` as a ``ld_imm64 PSEUDO_FUNC`` yields it (callback helpers)
FUNC_BASE = 0xFFFFFFFFC0000000

#: merge blocks whose inlined subtree has at most this many instructions are duplicated
DUP_LIMIT = 24
#: maximum statement nesting of the generated code before a block becomes a region head
MAX_NEST = 48
#: give up duplication when the generated code grows past this many lines per insn
MAX_GROWTH = 8


class TranslateError(ValueError):
    """The instructions cannot be translated (malformed program). ``pc`` is the slot."""

    def __init__(self, msg: str, pc: int = -1) -> None:
        self.pc = pc
        super().__init__(msg + (f" at PC {pc}" if pc >= 0 else ""))


@dataclass
class Translated:
    """A compiled program: ``factory`` builds the subprogram functions for one run."""

    name: str
    source: str
    factory: object
    n_insns: int
    subprogs: list[int]
    helpers: dict[int, HelperImpl] = field(default_factory=dict)
    key: str = ""


# ---------------------------------------------------------------------------
# decoding and validation


@dataclass
class _Slot:
    pc: int
    insn: I.Insn
    op: Op
    imm64: int = 0  # ld_imm64 value


def _decode(insns: Sequence[I.Insn], isa_only: bool = False) -> list[_Slot | None]:
    """Validate every slot; ld_imm64 second halves become None.

    ``isa_only``: plain ISA programs (conformance suites) - ld_imm64 takes no pseudo source.
    """
    out: list[_Slot | None] = []
    n = len(insns)
    # kernel code may use BPF_REG_AX (r11), the verifier's scratch register in rewrites
    max_reg = 10 if isa_only else 11
    pc = 0
    while pc < n:
        ins = insns[pc]
        if ins.code == BPF_JMP_TAIL_CALL and not isa_only:
            ins = ins.with_(code=I.JMP | I.CALL, src=0, imm=TAIL_CALL_HELPER)  # internal form
        op = lookup(ins)
        if op is None:
            if family(ins.code):
                raise TranslateError(f"opcode 0x{ins.code:02x} has no form with imm={ins.imm} "
                                     f"off={ins.off}", pc)
            raise TranslateError(f"unknown opcode 0x{ins.code:02x}", pc)
        if ins.dst > max_reg or ins.src > max_reg:
            raise TranslateError("invalid register", pc)
        if op.kind is Kind.LD_IMM64:
            if pc + 1 >= n or insns[pc + 1].code != 0:
                raise TranslateError("incomplete lddw", pc)
            if ins.src > (0 if isa_only else PSEUDO_MAP_IDX_VALUE):
                raise TranslateError("invalid source register for lddw", pc)
            hi = insns[pc + 1]
            if hi.dst or hi.src or hi.off:
                raise TranslateError("invalid lddw second half", pc + 1)
            value = ((hi.imm & M32) << 32) | (ins.imm & M32)
            out.append(_Slot(pc, ins, op, value))
            out.append(None)
            pc += 2
            continue
        out.append(_Slot(pc, ins, op))
        pc += 1
    return out


def _writes_dst(op: Op) -> bool:
    return op.kind in (Kind.ALU, Kind.MOVSX, Kind.END, Kind.LD_IMM64, Kind.LDX)


def _check_regs(s: _Slot) -> None:
    ins, op = s.insn, s.op
    if _writes_dst(op) and ins.dst == 10:
        raise TranslateError("cannot write to r10 (read-only frame pointer)", s.pc)
    if op.kind is Kind.ATOMIC and ins.src == 10 and (ins.imm & I.FETCH):
        raise TranslateError("cannot write to r10 (read-only frame pointer)", s.pc)


# ---------------------------------------------------------------------------
# control flow graph


@dataclass
class _Block:
    idx: int
    start: int
    end: int  # exclusive slot index
    term: tuple = ()  # ("exit",) | ("goto", T) | ("cond", slot, T, F)
    succs: list[int] = field(default_factory=list)
    preds: int = 0
    size: int = 0  # instructions (ld_imm64 counts once, as the kernel counts it)


def _jump_target(s: _Slot) -> int:
    if s.op.kind is Kind.JA and s.op.is_jmp32:
        return s.pc + 1 + s.insn.imm
    return s.pc + 1 + s.insn.off


def _call_target(s: _Slot) -> int:
    """Target of a bpf-to-bpf call. A program as loaded has the pc-relative offset in imm
    (off must be 0); the kernel's xlated form keeps that offset in ``off`` and puts the
    subprogram's index in imm. A valid call never has offset 0 (a function cannot end with
    a call), so a non-zero off means the xlated form."""
    return s.pc + 1 + (s.insn.off if s.insn.off else s.insn.imm)


def _subprog_starts(slots: list[_Slot | None]) -> list[int]:
    starts = {0}
    n = len(slots)
    for s in slots:
        if s is None:
            continue
        tgt = None
        if s.op.kind is Kind.CALL and s.insn.src == PSEUDO_CALL:
            tgt = _call_target(s)
        elif s.op.kind is Kind.LD_IMM64 and s.insn.src == PSEUDO_FUNC:
            tgt = s.pc + 1 + s.insn.imm
        if tgt is not None:
            if not 0 <= tgt < n or slots[tgt] is None:
                raise TranslateError("call to an invalid instruction", s.pc)
            starts.add(tgt)
    return sorted(starts)


def _blocks(slots: list[_Slot | None], lo: int, hi: int) -> list[_Block]:
    leaders = {lo}
    for pc in range(lo, hi):
        s = slots[pc]
        if s is None:
            continue
        k = s.op.kind
        if k in (Kind.JMP, Kind.JA):
            t = _jump_target(s)
            if not lo <= t < hi:
                raise TranslateError("jump out of bounds", pc)
            if slots[t] is None:
                raise TranslateError("jump to the middle of lddw", pc)
            leaders.add(t)
            if pc + 1 < hi:
                leaders.add(pc + 1)
        elif k is Kind.EXIT and pc + 1 < hi:
            leaders.add(pc + 1)
    order = sorted(leaders)
    index = {start: i for i, start in enumerate(order)}
    blocks: list[_Block] = []
    for i, start in enumerate(order):
        end = order[i + 1] if i + 1 < len(order) else hi
        b = _Block(i, start, end)
        last = None
        for pc in range(start, end):
            if slots[pc] is not None:
                last = slots[pc]
                b.size += 1
        assert last is not None
        k = last.op.kind
        if k is Kind.EXIT:
            b.term = ("exit",)
        elif k is Kind.JA:
            b.term = ("goto", index[_jump_target(last)])
        elif k is Kind.JMP:
            t = index[_jump_target(last)]
            if end >= hi:
                raise TranslateError("conditional jump falls off the end of the function", last.pc)
            b.term = ("cond", last, t, index[end])
        else:
            if end >= hi:
                raise TranslateError("last instruction is not an exit or jump", last.pc)
            b.term = ("goto", index[end])
        b.succs = [x for x in b.term[1:] if isinstance(x, int)] if b.term[0] == "goto" else (
            [b.term[2], b.term[3]] if b.term[0] == "cond" else [])
        blocks.append(b)
    return blocks


# ---------------------------------------------------------------------------
# instruction code


def _lit(v: int) -> str:
    return hex(v) if v > 9 else str(v)


class _Gen:
    """Python lines for the instructions of one block."""

    def __init__(self, tr: _Translator) -> None:
        self.tr = tr
        self.z32: set[int] = set()  # registers known to be zero-extended 32-bit values
        # base register -> it has its region tuple in m_<r><k>/o_/lo_/hi_ (k: r=RD, w=WR),
        # valid until the register is written or a call may move a window
        self.rcache: set[tuple[int, str]] = set()

    def reg(self, r: int, bits: int) -> str:
        if bits == 64 or (bits == 32 and r in self.z32):
            return f"r{r}"
        return f"(r{r} & {hex((1 << bits) - 1)})"

    def kval(self, imm: int, bits: int) -> str:
        """imm sign-extended to 64 bits, reduced to ``bits``."""
        return _lit(imm & ((1 << bits) - 1))

    def insn(self, s: _Slot) -> list[str]:
        ins, op, k = s.insn, s.op, s.op.kind
        d = ins.dst
        if k is Kind.ALU and op.x and op.name == "mov64_x" and ins.off:
            # kernel-internal forms of mov64 that only the verifier emits (xlated code)
            if ins.off == BPF_ADDR_PERCPU:  # this CPU's address of a per-CPU pointer
                self._set(d, False)
                return [f"r{d} = (r{ins.src} + PCPU) & {_lit(M64)}"]
            raise TranslateError(f"mov64 with off={ins.off} (address space cast) is not supported", s.pc)
        if k is Kind.ALU:
            a = self.reg(d, op.width)
            b = self.reg(ins.src, op.width) if op.x else self.kval(ins.imm, op.width)
            expr = op.expr.format(a=a, b=b)
            self._set(d, op.width == 32)
            return [f"r{d} = {expr}"]
        if k is Kind.MOVSX:
            expr = op.expr.format(a=self.reg(d, op.width), b=self.reg(ins.src, op.width))
            self._set(d, op.width == 32)
            return [f"r{d} = {expr}"]
        if k is Kind.END:
            expr = op.expr.format(a=self.reg(d, op.width))
            self._set(d, op.width <= 32)
            return [f"r{d} = {expr}"]
        if k is Kind.LD_IMM64:
            if ins.src == PSEUDO_FUNC:
                value = FUNC_BASE + (s.pc + 1 + ins.imm) * 8
            else:
                value = s.imm64
            self._set(d, value <= M32)
            return [f"r{d} = {_lit(value)}"]
        if k is Kind.LDX:
            lines = self.load(s, f"r{d}", ins.src, ins.off, op.size, op.signed)
            self._set(d, op.width <= 32 and not op.signed)
            return lines
        if k is Kind.ST:
            return self.store(s, ins.dst, ins.off, op.size, _lit(ins.imm & ((1 << op.width) - 1)))
        if k is Kind.STX:
            return self.store(s, ins.dst, ins.off, op.size, self.reg(ins.src, op.width))
        if k is Kind.ATOMIC:
            return self.atomic(s)
        if k in (Kind.LD_ABS, Kind.LD_IND):
            return self.ld_abs(s)
        if k is Kind.CALL:
            return self.call(s)
        if k is Kind.CALLX:
            self.z32.discard(0)
            self.rcache.clear()
            return ["RUN.ic = ic",
                    f"r0 = CALLX(RUN, {s.pc}, r{ins.dst}, r1, r2, r3, r4, r5) & {_lit(M64)}",
                    "ic = RUN.ic"]
        raise TranslateError(f"cannot translate {op.name}", s.pc)  # pragma: no cover

    def _set(self, r: int, is32: bool) -> None:
        if is32:
            self.z32.add(r)
        else:
            self.z32.discard(r)
        self.rcache.discard((r, "r"))
        self.rcache.discard((r, "w"))

    def _region(self, base: int, kind: str, lines: list[str]) -> str:
        """Suffix of the variables holding the region tuple of ``base``'s slot."""
        t = f"{base}{kind}"
        if (base, kind) not in self.rcache:
            lines.append(f"m{t}, o{t}, lo{t}, hi{t} = {'RD' if kind == 'r' else 'WR'}(r{base} >> 32, NOREG)")
            self.rcache.add((base, kind))
        return t

    # -- memory ---------------------------------------------------------------
    @staticmethod
    def _addr(base: int, off: int) -> str:
        if off == 0:
            return f"r{base}"
        return f"r{base} + {off}" if off > 0 else f"r{base} - {-off}"

    def load(self, s: _Slot, dst: str, base: int, off: int, size: int, signed: bool) -> list[str]:
        u = f"U{'S' if signed else ''}{size}"
        tail = f" & {_lit(M64)}" if signed else ""
        if base == 10 and -STACK_SIZE <= off <= -size:
            o = STACK_SIZE + off
            if size == 1 and not signed:
                return [f"{dst} = stk[{o}]"]
            return [f"{dst} = {u}(stk, {o})[0]{tail}"]
        lines: list[str] = []
        t = self._region(base, "r", lines)
        a = "a"
        if off:
            lines.append(f"a = {self._addr(base, off)}")
        else:
            a = f"r{base}"
        fast = f"m{t}[{a} - o{t}]" if size == 1 and not signed else f"{u}(m{t}, {a} - o{t})[0]{tail}"
        lines.append(f"{dst} = {fast} if lo{t} <= {a} and {a} + {size} <= hi{t} "
                     f"else SLD({a}, {size}, {s.pc}, {int(signed)})")
        return lines

    def store(self, s: _Slot, base: int, off: int, size: int, value: str) -> list[str]:
        if base == 10 and -STACK_SIZE <= off <= -size:
            o = STACK_SIZE + off
            if size == 1:
                return [f"stk[{o}] = {value}"]
            return [f"P{size}(stk, {o}, {value})"]
        lines: list[str] = []
        t = self._region(base, "w", lines)
        a = "a"
        if off:
            lines.append(f"a = {self._addr(base, off)}")
        else:
            a = f"r{base}"
        fast = f"m{t}[{a} - o{t}] = {value}" if size == 1 else f"P{size}(m{t}, {a} - o{t}, {value})"
        lines.append(f"if lo{t} <= {a} and {a} + {size} <= hi{t}: {fast}")
        lines.append(f"else: SST({a}, {size}, {value}, {s.pc})")
        return lines

    def atomic(self, s: _Slot) -> list[str]:
        ins, op = s.insn, s.op
        size, bits = op.size, op.width
        a = self._addr(ins.dst, ins.off)
        lines = [f"a = {a}",
                 "m, o, lo, hi = WR(a >> 32, NOREG)",
                 f"if not (lo <= a and a + {size} <= hi): m, o = SVIEW(a, {size}, {s.pc})",
                 f"x = U{size}(m, a - o)[0]"]
        src = self.reg(ins.src, bits)
        if op.imm == I.CMPXCHG:
            lines.append(f"if x == {self.reg(0, bits)}: P{size}(m, a - o, {src})")
            lines.append("r0 = x")
            self._set(0, bits == 32)
            return lines
        expr = op.expr.format(a="x", b=src)
        lines.append(f"P{size}(m, a - o, {expr})")
        if op.imm & I.FETCH:
            lines.append(f"r{ins.src} = x")
            self._set(ins.src, bits == 32)
        return lines

    def ld_abs(self, s: _Slot) -> list[str]:
        ins, op = s.insn, s.op
        off = _lit(ins.imm & M32) if op.kind is Kind.LD_ABS else f"(r{ins.src} + {_lit(ins.imm & M32)}) & {_lit(M32)}"
        self._set(0, True)
        self.rcache.clear()
        return [f"x = LDABS(RUN, r6, {off}, {op.size}, {s.pc})",
                "if x is None: return 0, ic",
                "r0 = x"]

    # -- calls -------------------------------------------------------------------
    def call(self, s: _Slot) -> list[str]:
        ins = s.insn
        self.z32.discard(0)
        self.rcache.clear()  # a helper may move a packet window or remap a buffer
        if ins.src == PSEUDO_CALL:
            tgt = _call_target(s)
            self.tr.called.add(tgt)
            return [f"r0, ic = f_{tgt}(r1, r2, r3, r4, r5, ic, d + 1)"]
        if ins.src != 0:
            return [f"r0 = NOCALL(RUN, {s.pc}, {ins.src}, {ins.imm})"]
        impl = self.tr.calls.resolve(ins.imm)
        if impl is None:
            if self.tr.strict_calls:
                raise TranslateError(f"call to nonexistent function {ins.imm}", s.pc)
            return [f"r0 = NOCALL(RUN, {s.pc}, 0, {ins.imm})"]
        name = self.tr.helper_name(ins.imm, impl)
        if impl.kind == "tail_call":
            return ["RUN.ic = ic",
                    f"x = {name}(RUN, r1, r2, r3, r4, r5)",
                    "if x is not None: return x(r1, 0, 0, 0, 0, RUN.ic, d)"]
        lines = ["RUN.ic = ic", f"r0 = {name}(RUN, r1, r2, r3, r4, r5) & {_lit(M64)}", "ic = RUN.ic"]
        if impl.kind == "unwind":
            lines.append("if r0 == 0: UNWIND()")
        return lines


# ---------------------------------------------------------------------------
# region structuring and emission


class _TooDeep(Exception):
    def __init__(self, block: int) -> None:
        self.block = block


class _FuncEmitter:
    def __init__(self, tr: _Translator, start: int, end: int) -> None:
        self.tr, self.start, self.end = tr, start, end
        self.blocks = _blocks(tr.slots, start, end)
        self.reach, self.back_targets, self.post = self._dfs()
        for b in self.blocks:
            if b.idx in self.reach:
                for t in b.succs:
                    self.blocks[t].preds += 1

    def _dfs(self) -> tuple[set[int], set[int], list[int]]:
        seen: set[int] = set()
        on_stack: set[int] = set()
        back: set[int] = set()
        post: list[int] = []
        stack: list[tuple[int, int]] = [(0, 0)]
        seen.add(0)
        on_stack.add(0)
        while stack:
            b, i = stack[-1]
            succs = self.blocks[b].succs
            if i < len(succs):
                stack[-1] = (b, i + 1)
                t = succs[i]
                if t in on_stack:
                    back.add(t)
                elif t not in seen:
                    seen.add(t)
                    on_stack.add(t)
                    stack.append((t, 0))
            else:
                stack.pop()
                on_stack.discard(b)
                post.append(b)
        return seen, back, post

    def choose_heads(self, forced: set[int], dup_limit: int) -> set[int]:
        heads = {0} | self.back_targets | forced
        self.tsize: dict[int, int] = {}
        for b in self.post:  # successors (along non-back edges) come first
            blk = self.blocks[b]
            total = blk.size
            for t in blk.succs:
                if t not in heads:
                    total += self.tsize.get(t, 0)
            if b not in heads and blk.preds >= 2 and total > dup_limit:
                heads.add(b)
            self.tsize[b] = total
        return heads

    # -- emission ------------------------------------------------------------------
    def emit(self) -> list[str]:
        forced: set[int] = set()
        budget = max(200, MAX_GROWTH * (self.end - self.start) * 4)
        dup = DUP_LIMIT
        while True:
            self.heads = self.choose_heads(forced, dup)
            self.lines: list[tuple[int, str]] = []
            try:
                self._emit_func()
            except _TooDeep as e:
                if e.block in self.heads:
                    raise TranslateError("control flow nests too deeply", self.blocks[e.block].start) from None
                forced.add(e.block)
                continue
            if len(self.lines) > budget and dup > 0:
                dup = 0  # stop duplicating merge blocks: every merge becomes a head
                continue
            return [("    " * depth) + text for depth, text in self.lines]

    def out(self, depth: int, text: str) -> None:
        if depth > MAX_NEST:
            raise _TooDeep(self._cur)
        self.lines.append((depth, text))

    def _emit_func(self) -> None:
        self._count_line: tuple[int, int] | None = None
        name = f"f_{self.start}"
        self.out(1, f"def {name}(r1, r2, r3, r4, r5, ic, d):")
        self.out(2, "if d >= MAXD: DEPTH(d)")
        self.out(2, "stk, r10 = FRAMES[d]")
        self.out(2, "r0 = r6 = r7 = r8 = r9 = r11 = 0")
        heads = sorted(self.heads & self.reach)
        self.dispatch = len(heads) > 1
        if not self.dispatch:
            self._emit_region(0, 2)
            return
        self.out(2, "pc = 0")
        self.out(2, "while True:")
        self._emit_dispatch(heads, 3)

    def _emit_dispatch(self, heads: list[int], depth: int) -> None:
        if len(heads) == 1:
            self._emit_region(heads[0], depth)
            return
        mid = len(heads) // 2
        self._cur = heads[0]
        self.out(depth, f"if pc < {heads[mid]}:")
        self._emit_dispatch(heads[:mid], depth + 1)
        self.out(depth, "else:")
        self._emit_dispatch(heads[mid:], depth + 1)

    def _emit_region(self, head: int, depth: int) -> None:
        mark = len(self.lines)
        self.loop_head = head
        self.looped = False
        self._emit_tree(head, depth + 1, first=True)
        if self.looped:
            # wrap the region in ``while True:``; exits to other regions went via ``break``
            self.lines.insert(mark, (depth, "while True:"))
            if self.dispatch:
                self.out(depth, "continue")
        else:
            # not a loop: re-emit one level shallower with plain region exits
            del self.lines[mark:]
            self.loop_head = None
            self._emit_tree(head, depth, first=True)

    def _goto_head(self, src: int, tgt: int, depth: int) -> None:
        # every cycle contains a DFS back edge, and back-edge targets are always heads:
        # checking the budget on jumps to them bounds every loop
        if tgt in self.back_targets:
            self.out(depth, "if ic > LIM: BUDGET(ic)")
        if self.loop_head is not None and tgt == self.loop_head:
            self.looped = True
            self.out(depth, "continue")
            return
        if not self.dispatch:  # pragma: no cover - single region has no other heads
            raise AssertionError("jump to another region without dispatch")
        self.out(depth, f"pc = {tgt}")
        self.out(depth, "break" if self.loop_head is not None else "continue")

    def _emit_tree(self, b: int, depth: int, first: bool = False) -> None:
        merge = False  # reached by an unconditional inline goto: extend the previous count
        while True:
            self._cur = b
            blk = self.blocks[b]
            self._emit_block(blk, depth, merge)
            merge = False
            term = blk.term
            if term[0] == "exit":
                self.out(depth, "return r0, ic")
                return
            if term[0] == "goto":
                t = term[1]
                if t in self.heads:
                    self._goto_head(b, t, depth)
                    return
                b = t
                merge = True
                continue
            _, s, t, f = term
            cond_t = self.cond(s)
            if t == f:
                if t in self.heads:
                    self._goto_head(b, t, depth)
                    return
                b = t
                continue
            th, fh = t in self.heads, f in self.heads
            if th:
                self.out(depth, f"if {cond_t}:")
                self._goto_head(b, t, depth + 1)
                if fh:
                    self._goto_head(b, f, depth)
                    return
                b = f
                continue
            if fh:
                self.out(depth, f"if not ({cond_t}):")
                self._goto_head(b, f, depth + 1)
                b = t
                continue
            # both inline: the smaller subtree goes into the if-body
            if self.tsize.get(t, 0) <= self.tsize.get(f, 0):
                self.out(depth, f"if {cond_t}:")
                self._emit_tree(t, depth + 1)
                b = f
            else:
                self.out(depth, f"if not ({cond_t}):")
                self._emit_tree(f, depth + 1)
                b = t

    def cond(self, s: _Slot) -> str:
        ins, op = s.insn, s.op
        g = self.gen
        a = g.reg(ins.dst, op.width)
        b = g.reg(ins.src, op.width) if op.x else g.kval(ins.imm, op.width)
        return op.expr.format(a=a, b=b)

    def _count(self, depth: int, n: int, merge: bool) -> None:
        if merge and self._count_line is not None:
            # straight-line continuation: one counter update covers both pieces
            idx, old = self._count_line
            d, _ = self.lines[idx]
            self.lines[idx] = (d, f"ic += {old + n}")
            self._count_line = (idx, old + n)
        else:
            self._count_line = (len(self.lines), n)
            self.out(depth, f"ic += {n}")

    def _emit_block(self, blk: _Block, depth: int, merge: bool = False) -> None:
        """The block's instructions; the counter is updated per segment ending at a call,
        so a helper sees exactly the instructions executed before it (the clock)."""
        self.gen = g = _Gen(self.tr)
        slots = self.tr.slots
        seg: list[_Slot] = []
        for pc in range(blk.start, blk.end):
            s = slots[pc]
            if s is None:
                continue
            seg.append(s)
            if s.op.kind in _SEGMENT_END or pc == blk.end - 1 or (
                    pc == blk.end - 2 and slots[blk.end - 1] is None):
                self._count(depth, len(seg), merge)
                merge = False
                for x in seg:
                    if x.op.kind not in (Kind.JMP, Kind.JA, Kind.EXIT):  # terminators: tree walk
                        for line in g.insn(x):
                            self.out(depth, line)
                if s.op.kind in _SEGMENT_END:
                    self._count_line = None
                seg = []


_SEGMENT_END = (Kind.CALL, Kind.CALLX, Kind.LD_ABS, Kind.LD_IND)


class _Translator:
    def __init__(self, insns: Sequence[I.Insn], calls: CallTable, strict_calls: bool,
                 isa_only: bool) -> None:
        self.calls = calls
        self.strict_calls = strict_calls
        self.slots = _decode(insns, isa_only)
        for s in self.slots:
            if s is not None:
                _check_regs(s)
        self.called: set[int] = set()
        self.helpers: dict[int, HelperImpl] = {}

    def helper_name(self, imm: int, impl: HelperImpl) -> str:
        self.helpers[imm] = impl
        return f"h_{imm}" if imm >= 0 else f"h_m{-imm}"

    def source(self) -> tuple[str, list[int]]:
        n = len(self.slots)
        if n == 0:
            raise TranslateError("empty program")
        starts = _subprog_starts(self.slots)
        bounds = starts + [n]
        funcs: list[str] = []
        for i, st in enumerate(starts):
            funcs.extend(_FuncEmitter(self, st, bounds[i + 1]).emit())
        head = ["def factory(RUN, RD, WR, NOREG, FRAMES, H, LIM, MAXD, SLD, SST, SVIEW, LDABS,",
                "            CALLX, NOCALL, DEPTH, BUDGET, UNWIND, PCPU):"]
        for imm in sorted(self.helpers):
            head.append(f"    {self.helper_name(imm, self.helpers[imm])} = H[{imm}]")
        tail = ["    return {" + ", ".join(f"{st}: f_{st}" for st in starts) + "}"]
        return "\n".join(head + funcs + tail) + "\n", starts


def _namespace() -> dict[str, object]:
    from .memory import STRUCTS

    ns: dict[str, object] = dict(EXPR_NAMESPACE)
    for size in (1, 2, 4, 8):
        ns[f"U{size}"] = STRUCTS[(False, size)].unpack_from
        ns[f"US{size}"] = STRUCTS[(True, size)].unpack_from
        ns[f"P{size}"] = STRUCTS[(False, size)].pack_into
    ns["__builtins__"] = {}
    return ns


_CACHE: dict[tuple, Translated] = {}
_LOCK = threading.Lock()


def translate(insns: Sequence[I.Insn], calls: CallTable = EMPTY, *, name: str = "prog",
              strict_calls: bool = False, isa_only: bool = False) -> Translated:
    """Translate (or fetch from the in-process cache) a program.

    ``strict_calls``: a helper call the table does not know is a :class:`TranslateError`
    (uBPF's loader) instead of a run-time fault when it executes. ``isa_only``: the program
    is plain ISA (no ld_imm64 pseudo sources), as the conformance suites use it.
    """
    blob = I.encode_all(list(insns))
    digest = hashlib.sha256(blob).hexdigest()
    key = (digest, calls.key, id(calls) if calls.key == "" else 0, strict_calls, isa_only)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    tr = _Translator(insns, calls, strict_calls, isa_only)
    source, starts = tr.source()
    ns = _namespace()
    code = compile(source, f"<bpf:{name}:{digest[:12]}>", "exec")
    exec(code, ns)  # noqa: S102 - source generated from the opcode table and validated ints
    result = Translated(name, source, ns["factory"], len(insns), starts, dict(tr.helpers), digest)
    with _LOCK:
        if len(_CACHE) > 512:
            _CACHE.clear()
        _CACHE[key] = result
    return result
