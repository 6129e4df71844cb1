"""THE disassembler: one instruction in the kernel's ``print_bpf_insn`` syntax.

Every text view renders instructions through ``format_insn`` — the verifier log
(``0: (b7) r0 = 0``), ``bpftool prog dump xlated`` (``   0: (b7) r0 = 0``), traces and
error messages — so they agree by construction. Callers add their own line prefix.

Two hooks stand in for the kernel's ``bpf_insn_cbs``: ``call_name(insn)`` may name a call
target (bpftool resolves kallsyms; the verifier log names helpers), and
``imm64(insn, value)`` renders an ld_imm64 operand (``map[id:5]``, ``map[id:5][0]+8``).
"""

from __future__ import annotations

from collections.abc import Callable

from . import insn as I
from .consts import PSEUDO_CALL, PSEUDO_KFUNC_CALL, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE
from .opcodes import Kind, lookup

CallName = Callable[[I.Insn], str | None]
Imm64Fmt = Callable[[I.Insn, int], str]

_LDST = {I.W: "u32", I.H: "u16", I.B: "u8", I.DW: "u64"}
_LDSX = {I.W: "s32", I.H: "s16", I.B: "s8"}
_CLASS = ["ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"]
_ATOMIC_NAME = {I.ADD: "add", I.AND: "and", I.OR: "or", I.XOR: "xor"}
_MOVSX = {8: "(s8)", 16: "(s16)", 32: "(s32)"}
BPF_ADDR_SPACE_CAST = 1
BPF_ADDR_PERCPU = -1
LOAD_ACQ = 0x100
STORE_REL = 0x110


def helper_name(helper_id: int) -> str | None:
    """``bpf_<name>`` of a helper id, or None if the id names no helper."""
    try:
        from .helpers import by_id
    except ImportError:  # pragma: no cover - table not built yet
        return None
    h = by_id(helper_id)
    return None if h is None else h.bpf_name


def _call_target(insn: I.Insn, call_name: CallName | None) -> str:
    if insn.src == 0:
        name = helper_name(insn.imm)
        if name:
            return name
    if call_name is not None:
        name = call_name(insn)
        if name:
            return name
    if insn.src == PSEUDO_CALL:
        return f"{insn.imm:+d}"
    if insn.src == PSEUDO_KFUNC_CALL:
        return "kernel-function"
    return "unknown"


def format_insn(insn: I.Insn, next_insn: I.Insn | None = None, *,
                call_name: CallName | None = None, imm64: Imm64Fmt | None = None,
                allow_ptr_leaks: bool = True) -> str:
    """``(%02x) <text>`` for one instruction; ``next_insn`` is the second ld_imm64 slot."""
    code, cls = insn.code, insn.code & 0x07
    d, s, off, imm = insn.dst, insn.src, insn.off, insn.imm
    head = f"({code:02x}) "
    op = code & 0xF0

    if cls in (I.ALU, I.ALU64):
        w = "w" if cls == I.ALU else "r"
        if op == I.END:
            if cls == I.ALU64:
                return f"{head}r{d} = bswap{imm} r{d}"
            return f"{head}r{d} = {'be' if code & I.X else 'le'}{imm} r{d}"
        if op == I.NEG:
            return f"{head}{w}{d} = -{w}{d}"
        if code == (I.ALU64 | I.MOV | I.X) and off == BPF_ADDR_SPACE_CAST:
            return f"{head}r{d} = addr_space_cast(r{s}, {(imm & 0xFFFFFFFF) >> 16}, {imm & 0xFFFF})"
        if code == (I.ALU64 | I.MOV | I.X) and off == BPF_ADDR_PERCPU:
            return f"{head}r{d} = &(void __percpu *)(r{s})"
        form = lookup(insn)
        sym = form.sym if form is not None else "(null)"
        if code & I.X:
            sx = _MOVSX.get(off, "") if form is not None and form.kind is Kind.MOVSX else ""
            return f"{head}{w}{d} {sym} {sx}{w}{s}"
        return f"{head}{w}{d} {sym} {imm}"

    if cls == I.STX:
        mode, sz = code & 0xE0, _LDST[code & 0x18]
        if mode == I.MEM:
            return f"{head}*({sz} *)(r{d} {off:+d}) = r{s}"
        if mode == I.ATOMIC:
            dw = "64" if code & 0x18 == I.DW else ""
            form = lookup(insn)
            if imm in _ATOMIC_NAME and form is not None:
                return f"{head}lock *({sz} *)(r{d} {off:+d}) {form.sym} r{s}"
            if imm & I.FETCH and (imm & ~I.FETCH) in _ATOMIC_NAME:
                return (f"{head}r{s} = atomic{dw}_fetch_{_ATOMIC_NAME[imm & ~I.FETCH]}"
                        f"(({sz} *)(r{d} {off:+d}), r{s})")
            if imm == I.CMPXCHG:
                return f"{head}r0 = atomic{dw}_cmpxchg(({sz} *)(r{d} {off:+d}), r0, r{s})"
            if imm == I.XCHG:
                return f"{head}r{s} = atomic{dw}_xchg(({sz} *)(r{d} {off:+d}), r{s})"
            if imm == LOAD_ACQ:
                return f"{head}r{d} = load_acquire(({sz} *)(r{s} {off:+d}))"
            if imm == STORE_REL:
                return f"{head}store_release(({sz} *)(r{d} {off:+d}), r{s})"
        return f"BUG_{code:02x}"

    if cls == I.ST:
        mode = code & 0xE0
        if mode == I.MEM:
            return f"{head}*({_LDST[code & 0x18]} *)(r{d} {off:+d}) = {imm}"
        if mode == 0xC0:
            return f"{head}nospec"
        return f"BUG_st_{code:02x}"

    if cls == I.LDX:
        mode = code & 0xE0
        if mode == I.MEM:
            return f"{head}r{d} = *({_LDST[code & 0x18]} *)(r{s} {off:+d})"
        if mode == I.MEMSX and (code & 0x18) in _LDSX:
            return f"{head}r{d} = *({_LDSX[code & 0x18]} *)(r{s} {off:+d})"
        if mode == I.MEMSX:  # the kernel indexes a missing string: keep the shape
            return f"{head}r{d} = *((null) *)(r{s} {off:+d})"
        return f"BUG_ldx_{code:02x}"

    if cls == I.LD:
        mode, sz = code & 0xE0, _LDST[code & 0x18]
        if mode == I.ABS:
            return f"{head}r0 = *({sz} *)skb[{imm}]"
        if mode == I.IND:
            return f"{head}r0 = *({sz} *)skb[r{s} + {imm}]"
        if mode == I.IMM and code & 0x18 == I.DW:
            hi = next_insn.imm if next_insn is not None else 0
            value = ((hi & 0xFFFFFFFF) << 32) | (imm & 0xFFFFFFFF)
            if s in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE) and not allow_ptr_leaks:
                value = 0
            text = imm64(insn, value) if imm64 is not None else f"0x{value:x}"
            return f"{head}r{d} = {text}"
        return f"BUG_ld_{code:02x}"

    if cls in (I.JMP, I.JMP32):
        if op == I.CALL:
            if s == PSEUDO_CALL:
                return f"{head}call pc{_call_target(insn, call_name)}"
            return f"{head}call {_call_target(insn, call_name)}#{imm}"
        if code == (I.JMP | I.JA):
            return f"{head}goto pc{off:+d}"
        if code == (I.JMP | 0xE0) and s == 0:  # JCOND / may_goto
            return f"{head}may_goto pc{off:+d}"
        if code == (I.JMP32 | I.JA):
            return f"{head}gotol pc{imm:+d}"
        if code == (I.JMP | I.EXIT):
            return f"{head}exit"
        w = "w" if cls == I.JMP32 else "r"
        form = lookup(insn)
        sym = form.sym if form is not None else "(null)"
        if code & I.X:
            return f"{head}if {w}{d} {sym} {w}{s} goto pc{off:+d}"
        return f"{head}if {w}{d} {sym} 0x{imm & 0xFFFFFFFF:x} goto pc{off:+d}"

    return f"{head}{_CLASS[cls]}"  # pragma: no cover - all classes handled above


def format_program(insns: list[I.Insn], *, call_name: CallName | None = None,
                   imm64: Imm64Fmt | None = None) -> list[tuple[int, str]]:
    """(index, text) for each instruction of a program, skipping ld_imm64 second slots."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(insns):
        ins = insns[i]
        nxt = insns[i + 1] if i + 1 < len(insns) else None
        out.append((i, format_insn(ins, nxt, call_name=call_name, imm64=imm64)))
        i += 2 if ins.is_ld_imm64() else 1
    return out


def is_known(insn: I.Insn) -> bool:
    """True if the table has a form for this instruction (reserved fields aside)."""
    return lookup(insn) is not None and lookup(insn).kind is not Kind.CALLX  # type: ignore[union-attr]
