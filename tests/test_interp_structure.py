"""The executor's control-flow structuring against a naive step interpreter.

Random programs (random ALU ops, forward and backward conditional jumps, gotos, stack
traffic, counted loops) must give the same r0 and the same executed-instruction count as
``tests/test_interp_ref.py``; programs that do not finish within the reference's limit must
hit the executor's instruction budget. Plus shapes that stress the code generator: very
long branch chains (nesting limit), wide merges, many regions, deep duplication.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykernel.interp import BudgetExceeded, Run, translate
from pykernel.interp.translate import TranslateError
from pykernel.uapi import insn as I
from pykernel.uapi.opcodes import OPS, Kind
from tests.test_interp_ref import RefBudget, ref_run

M64 = 0xFFFFFFFFFFFFFFFF
ALU_OPS = [op for op in OPS if op.kind in (Kind.ALU, Kind.MOVSX, Kind.END)]
JMP_OPS = [op for op in OPS if op.kind is Kind.JMP]
WORK_REGS = [0, 1, 2, 3, 4, 5, 6]


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[I.Insn], dict[int, int]]:
    n = draw(st.integers(2, 48))
    body: list[list[I.Insn] | tuple[str, int, I.Insn]] = []
    for _ in range(n - 1):
        kind = draw(st.sampled_from(["alu", "alu", "alu", "jmp", "jmp", "ja", "st", "ld", "loop", "exit"]))
        if kind == "alu":
            op = draw(st.sampled_from(ALU_OPS))
            dst = draw(st.sampled_from(WORK_REGS))
            if op.kind is Kind.END:
                body.append([I.Insn(op.code, dst, 0, 0, op.imm or 0)])
            elif op.x:
                body.append([I.Insn(op.code, dst, draw(st.sampled_from(WORK_REGS)), op.off or 0, 0)])
            else:
                imm = draw(st.integers(-(1 << 31), (1 << 31) - 1))
                if op.name.startswith(("lsh", "rsh", "arsh")):
                    imm &= op.width - 1
                if op.name.startswith(("div", "mod", "sdiv", "smod")) and imm == 0:
                    imm = 3
                body.append([I.Insn(op.code, dst, 0, op.off or 0, imm)])
        elif kind == "jmp":
            op = draw(st.sampled_from(JMP_OPS))
            src = draw(st.sampled_from(WORK_REGS)) if op.x else 0
            imm = 0 if op.x else draw(st.integers(-8, 8))
            body.append(("jmp", draw(st.integers(0, n - 1)), I.Insn(op.code, draw(st.sampled_from(WORK_REGS)), src, 0, imm)))
        elif kind == "ja":
            body.append(("jmp", draw(st.integers(0, n - 1)), I.Insn(I.JMP | I.JA)))
        elif kind == "st":
            size = draw(st.sampled_from([I.B, I.H, I.W, I.DW]))
            off = -8 * draw(st.integers(1, 8))
            body.append([I.Insn(I.STX | I.MEM | size, 10, draw(st.sampled_from(WORK_REGS)), off, 0)])
        elif kind == "ld":
            size = draw(st.sampled_from([I.B, I.H, I.W, I.DW]))
            mode = draw(st.sampled_from([I.MEM, I.MEMSX])) if size != I.DW else I.MEM
            off = -8 * draw(st.integers(1, 8))
            body.append([I.Insn(I.LDX | mode | size, draw(st.sampled_from(WORK_REGS)), 10, off, 0)])
        elif kind == "loop":
            body.append([I.Insn(I.ALU64 | I.ADD, 9, 0, 0, -1)])
            body.append(("jmp", draw(st.integers(0, n - 1)), I.Insn(I.JMP | I.JNE, 9, 0, 0, 0)))
        else:
            body.append([I.Insn(I.JMP | I.EXIT)])
    # lay out, then resolve jump targets (given as body indexes) to slot offsets
    starts, pc = [], 0
    for item in body:
        starts.append(pc)
        pc += len(item) if isinstance(item, list) else 1
    end = pc
    starts.append(end)
    insns: list[I.Insn] = []
    for item in body:
        if isinstance(item, list):
            insns.extend(item)
        else:
            _, tgt, ins = item
            insns.append(ins.with_(off=starts[min(tgt, len(body))] - len(insns) - 1))
    insns.append(I.Insn(I.JMP | I.EXIT))
    regs = {r: draw(st.integers(0, M64)) for r in range(1, 6)}
    regs[9] = draw(st.integers(1, 20))
    prelude_lo, prelude_hi = I.ld_imm64(9, regs.pop(9))
    # r9 set by a prelude so both interpreters start the same way
    insns = [prelude_lo, prelude_hi] + insns
    return insns, regs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_match_reference(prog: tuple[list[I.Insn], dict[int, int]]) -> None:
    insns, regs = prog
    limit = 3000
    args = [regs.get(i, 0) for i in range(1, 6)]
    try:
        r0, count = ref_run(insns, regs, limit=limit)
    except RefBudget:
        run = Run(budget=limit)
        with pytest.raises(BudgetExceeded):
            run.run(translate(insns, name="random"), *args)
        return
    run = Run(budget=limit * 10)
    got = run.run(translate(insns, name="random"), *args)
    assert got == r0
    assert run.ic == count


def _branch_chain(n: int) -> list[I.Insn]:
    """n sequential `if r1 == i goto ret_i` tests, each target a distinct small tail."""
    insns: list[I.Insn] = [I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0)]
    for i in range(n):
        # if r1 != i goto next ; r0 = i*3 ; r0 += r2 ; (fall into next test)
        insns.append(I.Insn(I.JMP | I.JNE, 1, 0, 2, i))
        insns.append(I.Insn(I.ALU64 | I.MOV, 0, 0, 0, i * 3))
        insns.append(I.Insn(I.ALU64 | I.ADD | I.X, 0, 2, 0, 0))
    insns.append(I.Insn(I.JMP | I.EXIT))
    return insns


@pytest.mark.parametrize("n", [1, 60, 400])
def test_long_branch_chains(n: int) -> None:
    tr = translate(_branch_chain(n), name=f"chain{n}")
    for r1 in (0, n // 2, n - 1, n + 5):
        expect, count = ref_run(_branch_chain(n), {1: r1, 2: 7})
        run = Run()
        assert run.run(tr, r1, 7) == expect
        assert run.ic == count


def _nested_ifs(depth: int) -> list[I.Insn]:
    """`if r1 > i` nested `depth` deep, each level with work on both sides (no merges)."""
    insns: list[I.Insn] = []
    for i in range(depth):
        insns.append(I.Insn(I.JMP | I.JGT, 1, 0, 2, i))   # taken: go deeper
        insns.append(I.Insn(I.ALU64 | I.MOV, 0, 0, 0, i))
        insns.append(I.Insn(I.JMP | I.EXIT))
    insns.append(I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 1000))
    insns.append(I.Insn(I.JMP | I.EXIT))
    return insns


def test_nesting_deeper_than_python_allows_is_split_into_regions() -> None:
    prog = _nested_ifs(150)
    tr = translate(prog, name="deep")
    for r1 in (0, 75, 149, 150, 1 << 40):
        assert Run().run(tr, r1) == ref_run(prog, {1: r1})[0]


def test_diamond_ladder_does_not_blow_up() -> None:
    """A chain of diamonds: naive tail duplication would be exponential."""
    insns: list[I.Insn] = []
    for i in range(40):
        insns += [I.Insn(I.JMP | I.JSET, 1, 0, 2, 1 << (i % 30)),
                  I.Insn(I.ALU64 | I.ADD, 0, 0, 0, i),
                  I.Insn(I.JMP | I.JA, 0, 0, 1, 0),
                  I.Insn(I.ALU64 | I.XOR, 0, 0, 0, i * 7)]
        insns += [I.Insn(I.ALU64 | I.MUL, 0, 0, 0, 3)] * 8  # the merge block
    insns.append(I.Insn(I.JMP | I.EXIT))
    tr = translate(insns, name="ladder")
    assert len(tr.source.splitlines()) < 40 * 40
    for r1 in (0, 0x2AAAAAAA, 0x3FFFFFFF):
        assert Run().run(tr, r1) == ref_run(insns, {1: r1})[0]


def test_nested_counted_loops_and_budget() -> None:
    # r0 = sum over i<100, j<100 of (i ^ j)
    src = [
        I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0),
        I.Insn(I.ALU64 | I.MOV, 1, 0, 0, 0),            # i = 0
        I.Insn(I.ALU64 | I.MOV, 2, 0, 0, 0),            # j = 0         <- outer head (2)
        I.Insn(I.ALU64 | I.MOV | I.X, 3, 1, 0, 0),      # inner head (3)
        I.Insn(I.ALU64 | I.XOR | I.X, 3, 2, 0, 0),
        I.Insn(I.ALU64 | I.ADD | I.X, 0, 3, 0, 0),
        I.Insn(I.ALU64 | I.ADD, 2, 0, 0, 1),
        I.Insn(I.JMP | I.JLT, 2, 0, -5, 100),           # -> 3
        I.Insn(I.ALU64 | I.ADD, 1, 0, 0, 1),
        I.Insn(I.JMP | I.JLT, 1, 0, -8, 100),           # -> 2
        I.Insn(I.JMP | I.EXIT),
    ]
    tr = translate(src, name="nested")
    run = Run()
    assert run.run(tr) == sum(i ^ j for i in range(100) for j in range(100))
    assert run.ic == ref_run(src, limit=10**6)[1]
    with pytest.raises(BudgetExceeded):
        Run(budget=5000).run(tr)


def test_malformed_control_flow_is_a_translate_error() -> None:
    with pytest.raises(TranslateError, match="jump out of bounds"):
        translate([I.Insn(I.JMP | I.JA, 0, 0, 5, 0), I.Insn(I.JMP | I.EXIT)])
    with pytest.raises(TranslateError, match="last instruction"):
        translate([I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0)])
    with pytest.raises(TranslateError, match="falls off"):
        translate([I.Insn(I.JMP | I.JEQ, 0, 0, -1, 0)])
    lo, hi = I.ld_imm64(0, 5)
    with pytest.raises(TranslateError, match="middle of lddw"):
        translate([I.Insn(I.JMP | I.JA, 0, 0, 1, 0), lo, hi, I.Insn(I.JMP | I.EXIT)])
    with pytest.raises(TranslateError, match="r10"):
        translate([I.Insn(I.ALU64 | I.MOV, 10, 0, 0, 0), I.Insn(I.JMP | I.EXIT)])
    with pytest.raises(TranslateError, match="invalid register"):
        translate([I.Insn(I.ALU64 | I.MOV, 12, 0, 0, 0), I.Insn(I.JMP | I.EXIT)])
    with pytest.raises(TranslateError, match="invalid register"):  # r11 (AX) is kernel-only
        translate([I.Insn(I.ALU64 | I.MOV, 11, 0, 0, 0), I.Insn(I.JMP | I.EXIT)], isa_only=True)
    ax = [I.Insn(I.ALU64 | I.MOV, 11, 0, 0, 7), I.Insn(I.ALU64 | I.MOV | I.X, 0, 11, 0, 0), I.Insn(I.JMP | I.EXIT)]
    assert Run().run(translate(ax)) == 7
    with pytest.raises(TranslateError, match="unknown opcode 0x8f"):
        translate([I.Insn(0x8F), I.Insn(I.JMP | I.EXIT)])
    with pytest.raises(TranslateError, match="empty"):
        translate([])


def test_translation_is_cached() -> None:
    prog = [I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 42), I.Insn(I.JMP | I.EXIT)]
    assert translate(prog) is translate(list(prog))
