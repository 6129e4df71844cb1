"""Calls in the executor: bpf-to-bpf (raw and xlated encodings, frames, depth limit),
helpers through a CallTable (plain, unwind, tail call), callx, callbacks, LD_ABS hooks,
and the instruction counter helpers see."""

from __future__ import annotations

import pytest

from pykernel.interp import (
    BadCall,
    BudgetExceeded,
    CallDepthExceeded,
    CallTable,
    HelperImpl,
    Run,
    TranslateError,
    translate,
)
from pykernel.interp.translate import FUNC_BASE
from pykernel.uapi import insn as I
from pykernel.uapi.asm import assemble

EXIT = I.Insn(I.JMP | I.EXIT)


def test_callee_saved_registers_and_private_stacks() -> None:
    prog = assemble("""
        mov %r6, 6
        mov %r7, 7
        mov %r8, 8
        mov %r9, 9
        stdw [%r10-8], 100
        mov %r1, 5
        call local f
        ldxdw %r1, [%r10-8]
        add %r0, %r1
        add %r0, %r6
        add %r0, %r7
        add %r0, %r8
        add %r0, %r9
        exit
    f:
        mov %r6, 1000
        mov %r7, 1000
        mov %r8, 1000
        mov %r9, 1000
        stdw [%r10-8], 5000
        mov %r0, %r1
        mul %r0, 2
        exit
    """)
    assert Run().run(translate(prog)) == 10 + 100 + 6 + 7 + 8 + 9


def test_xlated_call_encoding_uses_off() -> None:
    """The kernel's xlated form: off = pc-relative target, imm = subprogram index."""
    raw = [I.Insn(I.ALU64 | I.MOV, 1, 0, 0, 20), I.Insn(I.JMP | I.CALL, 0, 1, 0, 1), EXIT,
           I.Insn(I.ALU64 | I.MOV | I.X, 0, 1, 0, 0), I.Insn(I.ALU64 | I.ADD, 0, 0, 0, 1), EXIT]
    xlated = list(raw)
    xlated[1] = I.Insn(I.JMP | I.CALL, 0, 1, 1, 1)  # off=1 (pc+1 -> insn 3), imm=1 (subprog #1)
    assert Run().run(translate(raw)) == 21
    assert Run().run(translate(xlated)) == 21


def test_recursion_hits_the_frame_limit() -> None:
    prog = assemble("""
        call local f
        exit
    f:
        add %r1, 1
        call local f
        exit
    """)
    with pytest.raises(CallDepthExceeded):
        Run().run(translate(prog))
    # up to the limit it works: depth = r1 counts down
    prog = assemble("""
        call local f
        exit
    f:
        mov %r0, 0
        jeq %r1, 0, out
        sub %r1, 1
        call local f
        add %r0, 1
    out:
        exit
    """)
    tr = translate(prog)
    assert Run().run(tr, 6) == 6      # main + 7 nested calls = 8 frames
    with pytest.raises(CallDepthExceeded):
        Run().run(tr, 7)


def _table(**kinds: str) -> tuple[CallTable, list[tuple]]:
    log: list[tuple] = []

    def add(run: Run, a: int, b: int, *_: int) -> int:
        log.append(("add", a, b, run.ic))
        return a + b

    def neg(run: Run, a: int, *_: int) -> int:
        return -a  # reduced to 64 bits by the executor

    return CallTable("test-table", {
        1: HelperImpl("add", add),
        2: HelperImpl("neg", neg),
        3: HelperImpl("unwind", lambda run, a, *_: a, kind="unwind"),
    }), log


def test_helper_calls_get_args_and_the_instruction_count() -> None:
    calls, log = _table()
    prog = assemble("""
        mov %r1, 40
        mov %r2, 2
        mov %r6, 99
        call 1
        mov %r1, %r0
        call 2
        exit
    """)
    run = Run(calls=calls)
    assert run.run(translate(prog, calls)) == (-42) & 0xFFFFFFFFFFFFFFFF
    assert log == [("add", 40, 2, 4)]  # exactly the 4 instructions executed before it
    assert run.ic == 7


def test_unknown_helper_is_a_runtime_fault_or_a_translate_error() -> None:
    calls, _ = _table()
    prog = assemble("""
        jeq %r1, 0, skip
        call 77
    skip:
        mov %r0, 1
        exit
    """)
    tr = translate(prog, calls)
    assert Run(calls=calls).run(tr, 0) == 1  # never executed: fine
    with pytest.raises(BadCall, match="helper 77"):
        Run(calls=calls).run(tr, 1)
    with pytest.raises(TranslateError, match="nonexistent function 77"):
        translate(prog, calls, strict_calls=True)
    kfunc = [I.Insn(I.JMP | I.CALL, 0, 2, 0, 1234), EXIT]
    with pytest.raises(BadCall, match="kfunc 1234"):
        Run().run(translate(kfunc))


def test_unwind_stops_the_whole_program_from_a_subprogram() -> None:
    calls, _ = _table()
    prog = assemble("""
        call local f
        mov %r0, 7
        exit
    f:
        mov %r1, 0
        call 3
        mov %r0, 5
        exit
    """)
    assert Run(calls=calls).run(translate(prog, calls)) == 0


def test_callx_resolves_at_run_time() -> None:
    calls, _ = _table()
    prog = assemble("mov %r1, 3\nmov %r2, 4\nmov %r5, 1\ncall %r5\nexit")
    assert Run(calls=calls).run(translate(prog, calls)) == 7
    prog = assemble("mov %r5, 9\ncall %r5\nexit")
    with pytest.raises(BadCall, match="callx"):
        Run(calls=calls).run(translate(prog, calls))


def test_tail_call_replaces_the_frame_and_counts() -> None:
    """A tail_call-kind helper returns the bound entry of the target (or None)."""
    target = translate(assemble("mov %r0, %r1\nadd %r0, 1000\nexit"), name="target")
    attempts: list[int] = []

    def tail_call(run: Run, ctx: int, prog_array: int, index: int, *_: int):
        attempts.append(index)
        if index != 1 or run.tail_calls >= 33:
            return None
        run.tail_calls += 1
        return run.entry(target)

    calls = CallTable("tail-test", {12: HelperImpl("tail_call", tail_call, kind="tail_call")})
    prog = assemble("""
        mov %r6, %r1
        mov %r0, 5
        mov %r3, %r2
        call 12
        add %r0, 1
        exit
    """)
    tr = translate(prog, calls)
    assert Run(calls=calls).run(tr, 7, 1) == 1007   # jumped: the caller's "add" never runs
    internal = [ins if ins.code != (I.JMP | I.CALL) else I.Insn(0xF5) for ins in prog]  # BPF_TAIL_CALL
    assert Run(calls=calls).run(translate(internal, calls), 7, 1) == 1007
    assert Run(calls=calls).run(tr, 7, 2) == 6      # failed: r0 untouched, execution goes on
    assert attempts == [1, 1, 2]


def test_callbacks_by_function_address() -> None:
    """ld_imm64 PSEUDO_FUNC yields a code address a helper can call back (bpf_loop style)."""
    seen: list[int] = []

    def loop(run: Run, n: int, cb: int, ctx: int, *_: int) -> int:
        i = 0
        while i < n:
            i += 1
            if run.call_func(cb, i - 1, ctx):
                break
        seen.append(cb)
        return i

    calls = CallTable("loop-test", {181: HelperImpl("loop", loop)})
    lo, hi = I.ld_imm64(2, 0, src=4)
    prog = [I.Insn(I.ALU64 | I.MOV, 1, 0, 0, 10), lo.with_(imm=6), hi,       # r2 = &cb (insn 8)
            I.Insn(I.ALU64 | I.MOV | I.X, 3, 10, 0, 0), I.Insn(I.ALU64 | I.ADD, 3, 0, 0, -8),
            I.Insn(I.ST | I.MEM | I.DW, 10, 0, -8, 0),
            I.Insn(I.JMP | I.CALL, 0, 0, 0, 181),
            EXIT,
            # cb(i, ctx): *ctx += i; return i == 6
            I.Insn(I.LDX | I.MEM | I.DW, 3, 2, 0, 0), I.Insn(I.ALU64 | I.ADD | I.X, 3, 1, 0, 0),
            I.Insn(I.STX | I.MEM | I.DW, 2, 3, 0, 0), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0),
            I.Insn(I.JMP | I.JNE, 1, 0, 1, 6), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 1), EXIT]
    run = Run(calls=calls)
    assert run.run(translate(prog, calls)) == 7
    assert seen == [FUNC_BASE + 8 * 8]
    assert run.ic > 7 * 7  # callback instructions are counted
    with pytest.raises(BadCall):
        run.call_func(FUNC_BASE + 3 * 8)


def test_ld_abs_goes_through_the_environment() -> None:
    class Env:
        def ld_abs(self, run: Run, ctx: int, off: int, size: int) -> int | None:
            data = bytes(range(0x10, 0x30))
            if off + size > len(data):
                return None
            return int.from_bytes(data[off:off + size], "big")

    prog = [I.Insn(I.ALU64 | I.MOV | I.X, 6, 1, 0, 0),
            I.Insn(I.LD | I.ABS | I.H, 0, 0, 0, 2),         # r0 = ntohs(pkt[2..4])
            I.Insn(I.ALU64 | I.MOV | I.X, 7, 0, 0, 0),
            I.Insn(I.ALU64 | I.MOV, 2, 0, 0, 4),
            I.Insn(I.LD | I.IND | I.W, 0, 2, 0, 1),         # r0 = ntohl(pkt[r2 + 1 ..])
            I.Insn(I.ALU64 | I.LSH, 7, 0, 0, 32), I.Insn(I.ALU64 | I.OR | I.X, 0, 7, 0, 0), EXIT]
    assert Run(env=Env()).run(translate(prog)) == (0x1213 << 32) | 0x15161718
    oob = [I.Insn(I.ALU64 | I.MOV | I.X, 6, 1, 0, 0), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 9),
           I.Insn(I.LD | I.ABS | I.B, 0, 0, 0, 1000), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 9), EXIT]
    assert Run(env=Env()).run(translate(oob)) == 0  # out of the packet: the program returns 0
    with pytest.raises(BadCall, match="LD_ABS"):
        Run().run(translate(oob))


def test_budget_counts_instructions_in_subprograms() -> None:
    prog = assemble("""
        mov %r6, 0
    loop:
        call local f
        add %r6, 1
        jlt %r6, 1000, loop
        exit
    f:
        mov %r0, 1
        exit
    """)
    tr = translate(prog)
    run = Run()
    run.run(tr)
    assert run.ic == 1 + 1000 * 5 + 1
    with pytest.raises(BudgetExceeded):
        Run(budget=2000).run(tr)
