"""The opcode table, disassembler and both assemblers agree with each other."""

from pathlib import Path

import pytest

from pykernel.uapi import insn as I
from pykernel.uapi.asm import AsmError, assemble, assemble_kernel
from pykernel.uapi.disasm import format_insn
from pykernel.uapi.opcodes import OPS, Kind, lookup

CONF = Path(__file__).resolve().parent / "conformance_data"


def _sample(op):  # one well-formed instruction of each form
    mem = op.kind in (Kind.LDX, Kind.ST, Kind.STX, Kind.ATOMIC)
    off = op.off if op.off is not None else (-8 if mem else (3 if op.kind in (Kind.JMP, Kind.JA) else 0))
    imm = op.imm if op.imm is not None else 0
    if not op.x and op.kind in (Kind.ALU, Kind.JMP, Kind.ST, Kind.LD_ABS, Kind.LD_IND) and op.sym != "neg":
        imm = -5
    if op.name == "gotol":
        off, imm = 0, -3
    if op.kind is Kind.CALL:
        imm = 7
    src = 2 if op.x or op.kind in (Kind.LDX, Kind.LD_IND) else 0
    dst = 0 if op.kind in (Kind.LD_ABS, Kind.LD_IND, Kind.JA, Kind.EXIT, Kind.CALL) else 1
    if op.kind is Kind.LD_IMM64:
        return [I.Insn(op.code, 1, 0, 0, 0x1234), I.Insn(0, 0, 0, 0, 0x56)]
    return [I.Insn(op.code, dst, src, off, imm)]


@pytest.mark.parametrize("op", [o for o in OPS if o.kind is not Kind.CALLX], ids=lambda o: o.name)
def test_kernel_syntax_round_trip(op):
    ins = _sample(op)
    assert lookup(ins[0]) is op
    text = format_insn(ins[0], ins[1] if len(ins) > 1 else None)
    assert assemble_kernel(text) == ins


@pytest.mark.parametrize("text,expected", [
    (I.Insn(0xB7, 0, 0, 0, 0), "(b7) r0 = 0"),
    (I.Insn(0x07, 2, 0, 0, -4), "(07) r2 += -4"),
    (I.Insn(0x63, 10, 3, -4, 0), "(63) *(u32 *)(r10 -4) = r3"),
    (I.Insn(0x2D, 3, 2, 1, 0), "(2d) if r3 > r2 goto pc+1"),
    (I.Insn(0x35, 0, 0, 3, 4), "(35) if r0 >= 0x4 goto pc+3"),
    (I.Insn(0xDB, 0, 1, 0, 0), "(db) lock *(u64 *)(r0 +0) += r1"),
    (I.Insn(0x16, 1, 0, 2, -1), "(16) if w1 == 0xffffffff goto pc+2"),
    (I.Insn(0xBC, 1, 2, 16, 0), "(bc) w1 = (s16)w2"),
    (I.Insn(0x91, 1, 2, 5, 0), "(91) r1 = *(s8 *)(r2 +5)"),
])
def test_kernel_format(text, expected):
    assert format_insn(text) == expected


def test_conformance_dialect_basics():
    prog = assemble("""
        mov %r0, 1          # comment
        lddw %r1, 0x8877665544332211
        jeq %r0, 1, exit
        lock fetch add32 [%r10-8], %r1
        call local fn
        exit
    fn:
        mov32 %r0, 0x80000000
        exit
    """)
    assert prog[0] == I.Insn(0xB7, 0, 0, 0, 1)
    assert prog[1:3] == list(I.ld_imm64(1, 0x8877665544332211))
    assert prog[3] == I.Insn(0x15, 0, 0, 2, 1)  # to the first exit (slot 6)
    assert prog[4] == I.Insn(0xC3, 10, 1, -8, 0x01)
    assert prog[5] == I.Insn(0x85, 0, 1, 0, 1)  # pc-relative to fn
    assert prog[7] == I.Insn(0xB4, 0, 0, 0, -0x80000000)


@pytest.mark.parametrize("name,message", [
    ("invalid_register", "Invalid register: %r50"),
    ("invalid_offset", "Failed to decode register and offset: %r1"),
    ("invalid_imm32_hex_range", "Immediate out of 32-bit range: 0x100000000"),
    ("invalid_imm32_dec_range", "Immediate out of 32-bit range: 2147483648"),
    ("invalid_operand_count", "Invalid number of operands for mnemonic: lddw"),
    ("invalid_label", "Invalid label: NOT_A_LABEL"),
    ("invalid_mnemonic", "Invalid mnemonic: ldxq"),
    ("invalid_lock", "Invalid number of operands for lock"),
    ("invalid_lock2", "Invalid number of operands for lock"),
])
def test_conformance_negative_assembler_cases(name, message):
    path = CONF / "bpf_conformance" / "negative" / f"{name}.data"
    if not path.exists():
        pytest.skip("conformance data not present")
    from tests.conformance import parse_data

    case = parse_data(path.read_text())
    with pytest.raises(AsmError) as e:
        assemble(case.asm)
    assert str(e.value) == message


def test_offset_range_message():
    with pytest.raises(AsmError, match="Offset out of 16-bit range"):
        assemble("ldxb %r0, [%r1+0x10000]\nexit")
