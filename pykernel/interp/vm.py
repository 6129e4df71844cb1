"""A program run: memory, stack frames, helpers, counters — and the call into the code.

::

    from pykernel.interp import Run, translate
    tr = translate(insns, calls)              # once per program (cached in-process)
    run = Run(calls=calls)                    # one address space (+ maps, ctx ...)
    r0 = run.run(tr, r1=ctx_addr)             # full 64-bit r0

``Run`` owns the :class:`~pykernel.interp.memory.Memory`, one 512-byte stack region per
call depth (``MAX_CALL_FRAMES`` by default), the instruction counter and whatever the
program type's environment puts in ``run.env`` for helpers (the xdp_buff/skb model, the
kernel context with maps and the clock). Helper implementations receive the run.

Instruction counting: ``run.ic`` counts the instructions of the current top-level run
(reset by :meth:`Run.run`); ``run.total_ic`` accumulates over all runs of this object and
drives the virtual clock (:meth:`Run.now_ns`). The hard budget (``budget`` instructions per
top-level run) raises :class:`~pykernel.interp.errors.BudgetExceeded`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..uapi.consts import MAX_CALL_FRAMES
from .calls import EMPTY, CallTable
from .errors import BadCall, BudgetExceeded, CallDepthExceeded, ExecFault
from .memory import NOREG, STACK_SIZE, Memory, Region, percpu_offset, stack_top
from .translate import FUNC_BASE, Translated

M64 = 0xFFFFFFFFFFFFFFFF

#: default hard limit of executed instructions per top-level run
DEFAULT_BUDGET = 100_000_000
#: tail calls allowed per run (the kernel's MAX_TAIL_CALL_CNT)
MAX_TAIL_CALL_CNT = 33
#: virtual nanoseconds per executed instruction (the clock programs see)
NS_PER_INSN = 1


class _Unwind(Exception):
    """uBPF's unwind extension: stop the whole program with r0 = 0."""


class Run:
    def __init__(self, mem: Memory | None = None, *, calls: CallTable = EMPTY,
                 budget: int = DEFAULT_BUDGET, max_depth: int = MAX_CALL_FRAMES,
                 env: Any = None, clock_base_ns: int = 0, cpu: int = 0) -> None:
        self.mem = mem if mem is not None else Memory()
        self.calls = calls
        self.budget = budget
        self.max_depth = max_depth
        self.env = env
        self.cpu = cpu
        self.ic = 0
        self.total_ic = 0
        self.clock_base_ns = clock_base_ns
        self.tail_calls = 0
        self.frames: list[tuple[bytearray, int]] = []
        for d in range(max_depth):
            buf = bytearray(STACK_SIZE)
            top = stack_top(d)
            self.mem.add(Region(f"stack[{d}]", "stack", top - STACK_SIZE, buf))
            self.frames.append((buf, top))
        self._bound: dict[int, tuple[Translated, dict[int, Callable]]] = {}
        self.current: Translated | None = None
        self._cur_funcs: dict[int, Callable] = {}

    # -- binding -------------------------------------------------------------
    def bind(self, tr: Translated) -> dict[int, Callable]:
        """The subprogram functions of ``tr`` bound to this run (cached)."""
        hit = self._bound.get(id(tr))
        if hit is not None and hit[0] is tr:
            return hit[1]
        mem = self.mem
        H = {imm: impl.fn for imm, impl in tr.helpers.items()}
        funcs = tr.factory(  # type: ignore[operator]
            self, mem.rd.get, mem.wr.get, NOREG, self.frames, H, self.budget, self.max_depth,
            mem.load, mem.store, mem.store_view, self._ld_abs, self._callx, self._nocall,
            self._depth, self._over_budget, self._unwind, percpu_offset(self.cpu))
        self._bound[id(tr)] = (tr, funcs)
        return funcs

    def entry(self, tr: Translated) -> Callable:
        """The main function of ``tr`` (what a tail call jumps to)."""
        funcs = self.bind(tr)
        self.current = tr
        self._cur_funcs = funcs
        return funcs[0]

    # -- running -------------------------------------------------------------
    def run(self, tr: Translated, r1: int = 0, r2: int = 0, r3: int = 0, r4: int = 0,
            r5: int = 0) -> int:
        """Run ``tr`` from its first instruction; returns the full 64-bit r0.

        Raises an :class:`ExecFault` subclass if the program faults.
        """
        f = self.entry(tr)
        self.tail_calls = 0
        self.ic = 0
        try:
            r0, ic = f(r1 & M64, r2 & M64, r3 & M64, r4 & M64, r5 & M64, 0, 0)
        except _Unwind:
            r0, ic = 0, self.ic
        self.ic = ic
        self.total_ic += ic
        return r0

    def call_func(self, addr: int, r1: int = 0, r2: int = 0, r3: int = 0, r4: int = 0,
                  r5: int = 0, depth: int = 1) -> int:
        """Call a subprogram by the address a ``ld_imm64 PSEUDO_FUNC`` produced (callbacks)."""
        pc = (addr - FUNC_BASE) // 8
        f = self._cur_funcs.get(pc) if (addr - FUNC_BASE) % 8 == 0 else None
        if f is None:
            raise BadCall(f"callback address 0x{addr & M64:x} is no subprogram")
        r0, self.ic = f(r1 & M64, r2 & M64, r3 & M64, r4 & M64, r5 & M64, self.ic, depth)
        return r0

    def now_ns(self) -> int:
        """The virtual clock: advances with executed instructions."""
        return self.clock_base_ns + (self.total_ic + self.ic) * NS_PER_INSN

    # -- hooks for the generated code -----------------------------------------
    def _ld_abs(self, run: Run, ctx: int, off: int, size: int, pc: int) -> int | None:
        hook = getattr(self.env, "ld_abs", None)
        if hook is None:
            raise BadCall("LD_ABS/LD_IND outside a socket buffer program", pc)
        return hook(self, ctx, off, size)

    def _callx(self, run: Run, pc: int, imm: int, r1: int, r2: int, r3: int, r4: int, r5: int) -> int:
        impl = self.calls.resolve(imm & 0xFFFFFFFF) if imm <= 0xFFFFFFFF else None
        if impl is None or impl.kind == "tail_call":
            raise BadCall(f"callx to unknown function {imm}", pc)
        r0 = impl.fn(self, r1, r2, r3, r4, r5) & M64
        if impl.kind == "unwind" and r0 == 0:
            raise _Unwind()
        return r0

    def _nocall(self, run: Run, pc: int, src: int, imm: int) -> int:
        what = {0: "helper", 2: "kfunc"}.get(src, f"call (src {src})")
        raise BadCall(f"{what} {imm} is not available", pc)

    def _depth(self, d: int) -> None:
        raise CallDepthExceeded(f"call depth {d} exceeds the limit of {self.max_depth} frames")

    def _over_budget(self, ic: int) -> None:
        self.ic = ic
        raise BudgetExceeded(f"instruction budget of {self.budget} exceeded")

    def _unwind(self) -> None:
        raise _Unwind()


__all__ = ["Run", "ExecFault", "DEFAULT_BUDGET", "MAX_TAIL_CALL_CNT", "NS_PER_INSN"]
