"""A deliberately naive step-by-step eBPF interpreter, used only as a test oracle (no tests here).

It executes one instruction at a time with ``op.fn`` from the opcode table (no code
generation, no structuring), on registers and one 512-byte stack, so the translating
executor's control-flow structuring, block counting and operand reduction can be checked
against it on random programs. Supports ALU/ALU64, MOVSX, END, JMP/JMP32, JA/gotol,
LD_IMM64, stack LDX/ST/STX and exit; anything else raises ``NotImplementedError``.
"""

from __future__ import annotations

import struct

from pykernel.uapi import insn as I
from pykernel.uapi.opcodes import Kind, lookup

M64 = 0xFFFFFFFFFFFFFFFF
STACK = 512
_FMT = {(1, False): "<B", (2, False): "<H", (4, False): "<I", (8, False): "<Q",
        (1, True): "<b", (2, True): "<h", (4, True): "<i"}


class RefBudget(Exception):
    pass


def _reduce(v: int, bits: int) -> int:
    return v & ((1 << bits) - 1)


def ref_run(insns: list[I.Insn], regs: dict[int, int] | None = None, limit: int = 100_000) -> tuple[int, int]:
    """(r0, executed instruction count). r10 is the stack top at address ``STACK``."""
    r = [0] * 11
    for k, v in (regs or {}).items():
        r[k] = v & M64
    r[10] = STACK
    stack = bytearray(STACK)
    pc = 0
    count = 0
    while True:
        if count >= limit:
            raise RefBudget()
        ins = insns[pc]
        op = lookup(ins)
        assert op is not None, ins
        count += 1
        k = op.kind
        nxt = pc + 1
        if k is Kind.ALU:
            a = _reduce(r[ins.dst], op.width)
            b = _reduce(r[ins.src], op.width) if op.x else _reduce(ins.imm & M64, op.width)
            r[ins.dst] = op.fn(a, b)  # type: ignore[misc]
        elif k is Kind.MOVSX:
            r[ins.dst] = op.fn(0, _reduce(r[ins.src], op.width))  # type: ignore[misc]
        elif k is Kind.END:
            r[ins.dst] = op.fn(_reduce(r[ins.dst], op.width), 0)  # type: ignore[misc]
        elif k is Kind.LD_IMM64:
            r[ins.dst] = ((insns[pc + 1].imm & 0xFFFFFFFF) << 32) | (ins.imm & 0xFFFFFFFF)
            nxt = pc + 2
        elif k is Kind.JA:
            nxt = pc + 1 + (ins.imm if op.is_jmp32 else ins.off)
        elif k is Kind.JMP:
            a = _reduce(r[ins.dst], op.width)
            b = _reduce(r[ins.src], op.width) if op.x else _reduce(ins.imm & M64, op.width)
            if op.fn(a, b):  # type: ignore[misc]
                nxt = pc + 1 + ins.off
        elif k in (Kind.LDX, Kind.ST, Kind.STX):
            base = r[ins.src] if k is Kind.LDX else r[ins.dst]
            addr = base + ins.off
            if not 0 <= addr <= STACK - op.size:
                raise IndexError(f"ref: access at {addr}")
            if k is Kind.LDX:
                v = struct.unpack_from(_FMT[(op.size, op.signed)], stack, addr)[0]
                r[ins.dst] = v & M64
            else:
                v = ins.imm if k is Kind.ST else r[ins.src]
                struct.pack_into(_FMT[(op.size, False)], stack, addr, _reduce(v & M64, op.width))
        elif k is Kind.EXIT:
            return r[0], count
        else:
            raise NotImplementedError(op.name)
        pc = nxt
