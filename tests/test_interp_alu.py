"""Instruction families of the executor against the opcode table's semantics.

Every ALU/ALU64/MOVSX/END form and every JMP/JMP32 condition is run on random operands
(hypothesis) and compared with ``op.fn`` applied as the table's docstring says: operands
reduced to the op's width, imm sign-extended to 64 bits first, 32-bit results zero-extended.
Register forms read their operands from memory so one translation serves all examples.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykernel.interp import Region, Run, translate
from pykernel.uapi import insn as I
from pykernel.uapi.opcodes import OPS, Kind, Op

M64 = 0xFFFFFFFFFFFFFFFF
BUF = 0xFFFF_8000_0000_1000

u64 = st.integers(0, M64)
interesting = st.sampled_from([0, 1, 2, 7, 31, 32, 63, 64, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
                               0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x1_0000_0000,
                               0x7FFFFFFFFFFFFFFF, 0x8000000000000000, M64, M64 - 1])
operand = st.one_of(u64, interesting)
imm32 = st.one_of(st.integers(-(1 << 31), (1 << 31) - 1),
                  st.sampled_from([0, 1, -1, 31, 32, 63, 64, -(1 << 31), (1 << 31) - 1, 16]))


def run_prog(insns: list[I.Insn], a: int, b: int) -> int:
    run = Run()
    buf = bytearray(struct.pack("<QQ", a, b))
    run.mem.add(Region("operands", "test", BUF, buf))
    return run.run(translate(insns, name="alu-test"), BUF)


def load_ab() -> list[I.Insn]:
    return [I.Insn(I.LDX | I.MEM | I.DW, 3, 1, 0, 0), I.Insn(I.LDX | I.MEM | I.DW, 4, 1, 8, 0)]


def exit_with(reg: int) -> list[I.Insn]:
    return [I.Insn(I.ALU64 | I.MOV | I.X, 0, reg, 0, 0), I.Insn(I.JMP | I.EXIT)]


def red(v: int, bits: int) -> int:
    return v & ((1 << bits) - 1)


def expected_alu(op: Op, a: int, b: int) -> int:
    assert op.fn is not None
    if op.kind is Kind.END:
        return op.fn(red(a, op.width), 0)
    if op.kind is Kind.MOVSX:
        return op.fn(0, red(b, op.width))
    return op.fn(red(a, op.width), red(b, op.width))


ALU_X = [op for op in OPS if op.kind in (Kind.ALU, Kind.MOVSX) and op.x]
ALU_K = [op for op in OPS if op.kind is Kind.ALU and not op.x]
ENDS = [op for op in OPS if op.kind is Kind.END]
JMPS = [op for op in OPS if op.kind is Kind.JMP]


def test_every_alu_form_is_covered() -> None:
    names = {op.name for op in ALU_X + ALU_K + ENDS}
    assert {"sdiv32_x", "smod64_k", "movsx32_64", "movsx8_32", "neg32", "bswap64", "be16", "le32",
            "arsh32_k", "mov32_x"} <= names
    assert len(JMPS) == 44


@pytest.mark.parametrize("op", ALU_X, ids=lambda o: o.name)
@settings(max_examples=60, deadline=None)
@given(a=operand, b=operand)
def test_alu_reg(op: Op, a: int, b: int) -> None:
    insn = I.Insn(op.code, 3, 4, op.off or 0, 0)
    r0 = run_prog(load_ab() + [insn] + exit_with(3), a, b)
    assert r0 == expected_alu(op, a, b)


@pytest.mark.parametrize("op", ALU_K, ids=lambda o: o.name)
@settings(max_examples=12, deadline=None)
@given(a=operand, imm=imm32)
def test_alu_imm(op: Op, a: int, imm: int) -> None:
    insn = I.Insn(op.code, 3, 0, op.off or 0, imm)
    r0 = run_prog(load_ab() + [insn] + exit_with(3), a, 0)
    assert r0 == expected_alu(op, a, imm & M64)


@pytest.mark.parametrize("op", ENDS, ids=lambda o: o.name)
@settings(max_examples=40, deadline=None)
@given(a=operand)
def test_end(op: Op, a: int) -> None:
    insn = I.Insn(op.code, 3, 0, 0, op.imm or 0)
    assert run_prog(load_ab() + [insn] + exit_with(3), a, 0) == expected_alu(op, a, 0)


def _jump_prog(insn: I.Insn) -> list[I.Insn]:
    return load_ab() + [insn, I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0), I.Insn(I.JMP | I.EXIT),
                        I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 1), I.Insn(I.JMP | I.EXIT)]


@pytest.mark.parametrize("op", [o for o in JMPS if o.x], ids=lambda o: o.name)
@settings(max_examples=60, deadline=None)
@given(a=operand, b=operand)
def test_jmp_reg(op: Op, a: int, b: int) -> None:
    r0 = run_prog(_jump_prog(I.Insn(op.code, 3, 4, 2, 0)), a, b)
    assert r0 == int(bool(op.fn(red(a, op.width), red(b, op.width))))  # type: ignore[misc]


@pytest.mark.parametrize("op", [o for o in JMPS if not o.x], ids=lambda o: o.name)
@settings(max_examples=10, deadline=None)
@given(a=operand, imm=imm32)
def test_jmp_imm(op: Op, a: int, imm: int) -> None:
    r0 = run_prog(_jump_prog(I.Insn(op.code, 3, 0, 2, imm)), a, 0)
    assert r0 == int(bool(op.fn(red(a, op.width), red(imm & M64, op.width))))  # type: ignore[misc]


@pytest.mark.parametrize("a", [0, 5, 0xFFFFFFFF, 0x1_0000_0005, M64])
def test_alu32_result_is_zero_extended_even_after_known_32bit_values(a: int) -> None:
    """The executor skips re-masking registers it knows are 32-bit; check the chain."""
    prog = load_ab() + [
        I.Insn(I.ALU | I.ADD, 3, 0, 0, -1),           # w3 += -1      (zero-extends)
        I.Insn(I.ALU | I.END | I.TO_LE, 3, 0, 0, 16),  # r3 = le16 r3  (must still mask to 16)
        I.Insn(I.ALU64 | I.LSH, 3, 0, 0, 40),          # 64-bit op on a known-32 value
        I.Insn(I.ALU | I.MOV | I.X, 4, 3, 0, 0),       # w4 = w3
    ] + exit_with(4)
    assert run_prog(prog, a, 0) == ((((a - 1) & 0xFFFFFFFF) & 0xFFFF) << 40) & 0xFFFFFFFF


def test_ld_imm64_and_gotol() -> None:
    lo, hi = I.ld_imm64(0, 0x1122334455667788)
    prog = [lo, hi, I.Insn(I.JMP32 | I.JA, 0, 0, 0, 1), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 9),
            I.Insn(I.JMP | I.EXIT)]
    assert Run().run(translate(prog)) == 0x1122334455667788
