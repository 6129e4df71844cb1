"""One eBPF instruction slot (struct bpf_insn) and its 8-byte little-endian encoding.

Byte 0 is the opcode; byte 1 holds dst in its low nibble and src in its high nibble;
bytes 2-3 the signed 16-bit offset; bytes 4-7 the signed 32-bit immediate. An ld_imm64
takes two slots: the second holds the upper 32 bits of the constant in ``imm``.
"""

from __future__ import annotations

import struct

from .structs import dataclass, replace  # dataclasses without the import cost (see structs)

_SLOT = struct.Struct("<BBhi")
INSN_SIZE = 8

# instruction classes
LD, LDX, ST, STX, ALU, JMP, JMP32, ALU64 = range(8)
# source operand (ALU/JMP) and byte order (END)
K, X = 0x00, 0x08
TO_LE, TO_BE = 0x00, 0x08
# size (LD/LDX/ST/STX)
W, H, B, DW = 0x00, 0x08, 0x10, 0x18
SIZE_BYTES = {W: 4, H: 2, B: 1, DW: 8}
# mode (LD/LDX/ST/STX)
IMM, ABS, IND, MEM, MEMSX, ATOMIC = 0x00, 0x20, 0x40, 0x60, 0x80, 0xC0
# ALU operations
ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0)
# JMP operations
JA, JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, CALL, EXIT, JLT, JLE, JSLT, JSLE = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0)
# atomic operations (in imm)
FETCH = 0x01
XCHG = 0xE0 | FETCH
CMPXCHG = 0xF0 | FETCH


def cls_of(code: int) -> int:
    return code & 0x07


def op_of(code: int) -> int:
    return code & 0xF0


def src_of(code: int) -> int:
    return code & 0x08


def size_of(code: int) -> int:
    return code & 0x18


def mode_of(code: int) -> int:
    return code & 0xE0


@dataclass(frozen=True, slots=True)
class Insn:
    code: int
    dst: int = 0
    src: int = 0
    off: int = 0
    imm: int = 0

    def encode(self) -> bytes:
        return _SLOT.pack(self.code, (self.src << 4) | self.dst, self.off, self.imm)

    def with_(self, **changes: int) -> Insn:
        return replace(self, **changes)

    @property
    def cls(self) -> int:
        return self.code & 0x07

    def is_ld_imm64(self) -> bool:
        return self.code == (LD | IMM | DW)


def decode(buf: bytes | bytearray | memoryview, index: int = 0) -> Insn:
    code, regs, off, imm = _SLOT.unpack_from(buf, index * INSN_SIZE)
    return Insn(code, regs & 0x0F, regs >> 4, off, imm)


def decode_all(buf: bytes | bytearray | memoryview) -> list[Insn]:
    """Decode a whole program; a trailing partial slot is an error (the kernel says EINVAL)."""
    if len(buf) % INSN_SIZE:
        raise ValueError(f"program size {len(buf)} is not a multiple of {INSN_SIZE}")
    return [Insn(c, r & 0x0F, r >> 4, o, i) for c, r, o, i in _SLOT.iter_unpack(buf)]


def encode_all(insns: list[Insn]) -> bytes:
    return b"".join(i.encode() for i in insns)


def ld_imm64(dst: int, value: int, src: int = 0) -> tuple[Insn, Insn]:
    """The two slots of ``dst = value`` (value taken as a 64-bit pattern)."""
    value &= 0xFFFFFFFFFFFFFFFF
    lo, hi = value & 0xFFFFFFFF, value >> 32
    return (Insn(LD | IMM | DW, dst, src, 0, lo - (1 << 32) if lo & 0x80000000 else lo),
            Insn(0, 0, 0, 0, hi - (1 << 32) if hi & 0x80000000 else hi))
