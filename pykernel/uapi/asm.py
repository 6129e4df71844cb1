"""Assemblers for the two text forms of eBPF, both driven by the opcode table.

* ``assemble(text)`` reads the bpf_conformance / uBPF dialect (``mov32 %r0, 1``,
  ``ldxw %r1, [%r2+4]``, ``jeq %r1, 0, +3``, labels, ``lock fetch add [%r10-8], %r1``).
* ``assemble_kernel(text)`` reads the kernel's own disassembly syntax — what the
  verifier log and ``bpftool prog dump xlated`` print (``r0 = 0``, ``if r1 > 0x5 goto pc+3``,
  ``*(u32 *)(r10 -4) = r1``, ``call bpf_map_lookup_elem#1``, ``r1 = map[fd:3]``) —
  so ``assemble_kernel(format_insn(x)) == x`` for every instruction the table knows.

Both raise ``AsmError`` with a one-line message.
"""

from __future__ import annotations

import re

from . import insn as I
from .consts import (
    PSEUDO_CALL,
    PSEUDO_KFUNC_CALL,
    PSEUDO_MAP_FD,
    PSEUDO_MAP_IDX,
    PSEUDO_MAP_IDX_VALUE,
    PSEUDO_MAP_VALUE,
)
from .opcodes import BY_MNEMONIC, OPS, Kind, Op

M32 = 0xFFFFFFFF


class AsmError(ValueError):
    pass


def _s32(v: int) -> int:
    v &= M32
    return v - (1 << 32) if v & 0x80000000 else v


# ---------------------------------------------------------------------------
# bpf_conformance / uBPF dialect

_REG = re.compile(r"^%r(\d+)$")
_MEMOP = re.compile(r"^\[\s*(%r\d+)\s*(?:([+-])\s*(0x[0-9a-fA-F]+|\d+))?\s*\]$")


def _reg(tok: str) -> int:
    m = _REG.match(tok.strip())
    if not m or int(m.group(1)) > 10:
        raise AsmError(f"Invalid register: {tok.strip()}")
    return int(m.group(1))


def _int(tok: str) -> int:
    tok = tok.strip()
    try:
        neg = tok.startswith("-")
        body = tok[1:] if neg or tok.startswith("+") else tok
        v = int(body, 16) if body.lower().startswith("0x") else int(body, 10)
        return -v if neg else v
    except ValueError:
        raise AsmError(f"Invalid immediate: {tok}") from None


def _imm32(tok: str) -> int:
    v = _int(tok)
    is_hex = tok.strip().lstrip("+-").lower().startswith("0x")
    if is_hex:
        if not -(1 << 32) < v <= M32:
            raise AsmError(f"Immediate out of 32-bit range: {tok.strip()}")
        return _s32(v)
    if not -(1 << 31) <= v < (1 << 31):
        raise AsmError(f"Immediate out of 32-bit range: {tok.strip()}")
    return v


def _off16(tok: str, text: str | None = None) -> int:
    v = _int(tok)
    if not -(1 << 15) <= v < (1 << 15):
        raise AsmError(f"Offset out of 16-bit range: {text or tok.strip()}")
    return v


def _mem(tok: str) -> tuple[int, int]:
    m = _MEMOP.match(tok.strip())
    if not m:
        inner = tok.strip()
        raise AsmError(f"Failed to decode register and offset: {inner}")
    reg = _reg(m.group(1))
    if m.group(2) is None:
        return reg, 0
    text = m.group(3)
    off = _int(text)
    if m.group(2) == "-":
        off = -off
    return reg, _off16(str(off), m.group(2) + text if m.group(2) == "-" else text)


def _pick(mnemonic: str, *, x: bool | None = None) -> Op:
    cands = [op for op in BY_MNEMONIC.get(mnemonic, ())]
    if x is not None:
        cands = [op for op in cands if op.x == x] or cands
    if not cands:
        raise AsmError(f"Invalid mnemonic: {mnemonic}")
    return cands[0]


def _split_operands(rest: str) -> list[str]:
    rest = rest.strip()
    return [] if not rest else [t.strip() for t in rest.split(",")]


def assemble(text: str) -> list[I.Insn]:
    """Assemble the bpf_conformance dialect into instruction slots."""
    lines: list[tuple[int, str]] = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].split("//", 1)[0].strip()
        if line:
            lines.append((no, line))

    # pass 1: slot index of every label and instruction
    labels: dict[str, int] = {}
    slots: list[tuple[int, str, int]] = []  # (line no, text, slot)
    pc = 0
    for no, line in lines:
        if line.endswith(":") and " " not in line:
            labels[line[:-1]] = pc
            continue
        slots.append((no, line, pc))
        mnem = line.split(None, 1)[0].lower()
        if mnem == "exit" and "exit" not in labels:
            labels["exit"] = pc
        pc += 2 if mnem == "lddw" else 1

    out: list[I.Insn] = []

    def target(tok: str, here: int) -> int:
        tok = tok.strip()
        if tok and tok[0] in "+-" and tok[1:].lstrip().isdigit():
            return _int(tok)
        if tok in labels:
            return labels[tok] - here - 1
        raise AsmError(f"Invalid label: {tok}")

    for _no, line, here in slots:
        parts = line.split(None, 1)
        mnem = parts[0].lower()
        ops = _split_operands(parts[1] if len(parts) > 1 else "")

        def need(n: int, name: str = mnem, ops: list[str] = ops) -> None:
            if len(ops) != n:
                raise AsmError(f"Invalid number of operands for mnemonic: {name}")

        if mnem == "lock":
            words = (parts[1] if len(parts) > 1 else "").split(None, 2)
            fetch = bool(words) and words[0] == "fetch"
            if fetch:
                words = words[1:]
            if len(words) < 2:
                raise AsmError("Invalid number of operands for lock")
            name = words[0]
            operands = _split_operands(" ".join(words[1:]))
            if len(operands) != 2:
                raise AsmError("Invalid number of operands for lock")
            full = f"lock {'fetch ' if fetch and not name.startswith(('xchg', 'cmpxchg')) else ''}{name}"
            if full not in BY_MNEMONIC:
                raise AsmError(f"Invalid mnemonic: {full}")
            op = BY_MNEMONIC[full][0]
            dst, off = _mem(operands[0])
            out.append(I.Insn(op.code, dst, _reg(operands[1]), off, op.imm or 0))
            continue
        if mnem == "call":
            rest = parts[1].strip() if len(parts) > 1 else ""
            words = rest.split()
            if not words:
                raise AsmError("Invalid number of operands for mnemonic: call")
            if words[0] == "local":
                out.append(I.Insn(I.JMP | I.CALL, 0, PSEUDO_CALL, 0, target(words[1], here)))
            elif words[0] == "runtime":
                out.append(I.Insn(I.JMP | I.CALL, 0, PSEUDO_KFUNC_CALL, 0, _imm32(words[1])))
            elif words[0] == "helper":
                out.append(I.Insn(I.JMP | I.CALL, 0, 0, 0, _imm32(words[1])))
            elif words[0].startswith("%"):
                out.append(I.Insn(I.JMP | I.CALL | I.X, _reg(words[0]), 0, 0, 0))
            else:
                out.append(I.Insn(I.JMP | I.CALL, 0, 0, 0, _imm32(words[0])))
            continue
        if mnem == "exit":
            need(0)
            out.append(I.Insn(I.JMP | I.EXIT))
            continue
        if mnem in ("ja", "ja32"):
            need(1)
            t = target(ops[0], here)
            out.append(I.Insn(I.JMP | I.JA, 0, 0, _off16(str(t)), 0) if mnem == "ja"
                       else I.Insn(I.JMP32 | I.JA, 0, 0, 0, t))
            continue
        if mnem == "lddw":
            need(2)
            v = _int(ops[1])
            if not -(1 << 63) <= v < (1 << 64):
                raise AsmError(f"Immediate out of 64-bit range: {ops[1]}")
            out.extend(I.ld_imm64(_reg(ops[0]), v))
            continue
        if mnem in ("swap16", "swap32", "swap64"):
            mnem = "b" + mnem
        if mnem not in BY_MNEMONIC:
            raise AsmError(f"Invalid mnemonic: {mnem}")
        cands = BY_MNEMONIC[mnem]
        kind = cands[0].kind
        if kind is Kind.END or (kind is Kind.ALU and cands[0].sym == "neg"):
            need(1)
            op = cands[0]
            out.append(I.Insn(op.code, _reg(ops[0]), 0, 0, op.imm if kind is Kind.END else 0))
        elif kind in (Kind.ALU, Kind.MOVSX):
            need(2)
            x = ops[1].startswith("%")
            op = _pick(mnem, x=x)
            if kind is Kind.MOVSX:
                out.append(I.Insn(op.code, _reg(ops[0]), _reg(ops[1]), op.off or 0, 0))
            elif x:
                out.append(I.Insn(op.code, _reg(ops[0]), _reg(ops[1]), op.off or 0, 0))
            else:
                out.append(I.Insn(op.code, _reg(ops[0]), 0, op.off or 0, _imm32(ops[1])))
        elif kind is Kind.JMP:
            need(3)
            x = ops[1].startswith("%")
            op = _pick(mnem, x=x)
            t = target(ops[2], here)
            if x:
                out.append(I.Insn(op.code, _reg(ops[0]), _reg(ops[1]), _off16(str(t)), 0))
            else:
                out.append(I.Insn(op.code, _reg(ops[0]), 0, _off16(str(t)), _imm32(ops[1])))
        elif kind is Kind.LDX:
            need(2)
            src, off = _mem(ops[1])
            out.append(I.Insn(cands[0].code, _reg(ops[0]), src, off, 0))
        elif kind is Kind.ST:
            need(2)
            dst, off = _mem(ops[0])
            out.append(I.Insn(cands[0].code, dst, 0, off, _imm32(ops[1])))
        elif kind is Kind.STX:
            need(2)
            dst, off = _mem(ops[0])
            out.append(I.Insn(cands[0].code, dst, _reg(ops[1]), off, 0))
        elif kind is Kind.LD_ABS:
            need(1)
            out.append(I.Insn(cands[0].code, 0, 0, 0, _imm32(ops[0])))
        elif kind is Kind.LD_IND:
            need(2)
            out.append(I.Insn(cands[0].code, 0, _reg(ops[0]), 0, _imm32(ops[1])))
        else:  # pragma: no cover - every mnemonic kind handled above
            raise AsmError(f"Invalid mnemonic: {mnem}")
    return out


# ---------------------------------------------------------------------------
# kernel syntax (the disassembler's output, read back)

_SIZE_OF = {"u8": I.B, "u16": I.H, "u32": I.W, "u64": I.DW, "s8": I.B, "s16": I.H, "s32": I.W}
_PREFIX = re.compile(r"^\s*(?:\d+:\s*)?(?:\(([0-9a-fA-F]{2})\)\s*)?")
_R = r"([rw])(\d+)"
_NUM = r"(-?(?:0x[0-9a-fA-F]+|\d+))"
_ADDR = r"\((u8|u16|u32|u64|s8|s16|s32) \*\)\(r(\d+) ([+-]\d+)\)"

_ALU_BY_SYM: dict[tuple[str, bool, bool], Op] = {}
_JMP_BY_SYM: dict[tuple[str, bool, bool], Op] = {}
_ATOMIC_BY: dict[tuple[str, int], Op] = {}
for _op in OPS:
    if _op.kind is Kind.ALU:
        _ALU_BY_SYM.setdefault((_op.sym, _op.width == 32, _op.x), _op)
    elif _op.kind is Kind.JMP:
        _JMP_BY_SYM[(_op.sym, _op.width == 32, _op.x)] = _op
    elif _op.kind is Kind.ATOMIC:
        _ATOMIC_BY[(_op.name.rstrip("0123456789"), _op.width)] = _op

_KERNEL_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^r(\d+) = bswap(16|32|64) r\d+$"), "bswap"),
    (re.compile(r"^r(\d+) = (be|le)(16|32|64) r\d+$"), "end"),
    (re.compile(rf"^{_R} = -[rw]\d+$"), "neg"),
    (re.compile(rf"^{_R} = \(s(8|16|32)\)[rw](\d+)$"), "movsx"),
    (re.compile(rf"^r(\d+) = \*{_ADDR}$"), "ldx"),
    (re.compile(rf"^\*{_ADDR} = r(\d+)$"), "stx"),
    (re.compile(rf"^\*{_ADDR} = {_NUM}$"), "st"),
    (re.compile(rf"^lock \*{_ADDR} (\S+) r(\d+)$"), "atomic"),
    (re.compile(rf"^r(\d+) = atomic(64)?_fetch_(add|and|or|xor)\({_ADDR}, r\d+\)$"), "fetch"),
    (re.compile(rf"^r(\d+) = atomic(64)?_xchg\({_ADDR}, r\d+\)$"), "xchg"),
    (re.compile(rf"^r0 = atomic(64)?_cmpxchg\({_ADDR}, r0, r(\d+)\)$"), "cmpxchg"),
    (re.compile(r"^r0 = \*\((u8|u16|u32) \*\)skb\[r(\d+) \+ (-?\d+)\]$"), "ldind"),
    (re.compile(r"^r0 = \*\((u8|u16|u32) \*\)skb\[(-?\d+)\]$"), "ldabs"),
    (re.compile(r"^r(\d+) = map\[(fd|id|idx):(\d+)\](?:\[0\]\+(\d+))?$"), "ldmap"),
    (re.compile(r"^r(\d+) = (0x[0-9a-fA-F]+)$"), "lddw"),
    (re.compile(rf"^{_R} (\S+) {_R}$"), "alux"),
    (re.compile(rf"^{_R} (\S+) {_NUM}$"), "aluk"),
    (re.compile(rf"^if {_R} (\S+) {_R} goto pc([+-]\d+)$"), "jmpx"),
    (re.compile(rf"^if {_R} (\S+) {_NUM} goto pc([+-]\d+)$"), "jmpk"),
    (re.compile(r"^goto pc([+-]\d+)$"), "ja"),
    (re.compile(r"^gotol pc([+-]\d+)$"), "gotol"),
    (re.compile(r"^call pc([+-]\d+)(?:#.*)?$"), "pcall"),
    (re.compile(r"^call ([A-Za-z_][A-Za-z0-9_]*)(?:#(-?\d+))?$"), "call"),
    (re.compile(r"^call (-?\d+)$"), "callnum"),
    (re.compile(r"^exit$"), "exit"),
]


def _helper_id(name: str) -> int:
    from . import helpers

    h = helpers.by_name(name)
    if h is None:
        raise AsmError(f"unknown helper: {name}")
    return h.id


def assemble_kernel(text: str) -> list[I.Insn]:
    """Assemble kernel-syntax lines (``;`` comments and ``N:``/``(xx)`` prefixes allowed)."""
    out: list[I.Insn] = []
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].rstrip()
        if not line.strip():
            continue
        m0 = _PREFIX.match(line)
        body = line[m0.end():].strip() if m0 else line.strip()
        out.extend(_kernel_line(body))
    return out


def _kernel_line(body: str) -> list[I.Insn]:
    for rx, form in _KERNEL_FORMS:
        m = rx.match(body)
        if m:
            return _kernel_form(form, m)
    raise AsmError(f"cannot assemble: {body}")


def _kernel_form(form: str, m: re.Match[str]) -> list[I.Insn]:
    g = m.groups()
    if form == "bswap":
        return [I.Insn(I.ALU64 | I.END | I.TO_LE, int(g[0]), 0, 0, int(g[1]))]
    if form == "end":
        return [I.Insn(I.ALU | I.END | (I.TO_BE if g[1] == "be" else I.TO_LE), int(g[0]), 0, 0, int(g[2]))]
    if form == "neg":
        return [I.Insn((I.ALU if g[0] == "w" else I.ALU64) | I.NEG, int(g[1]))]
    if form == "movsx":
        cls = I.ALU if g[0] == "w" else I.ALU64
        return [I.Insn(cls | I.MOV | I.X, int(g[1]), int(g[3]), int(g[2]), 0)]
    if form == "ldx":
        mode = I.MEMSX if g[1].startswith("s") else I.MEM
        return [I.Insn(I.LDX | mode | _SIZE_OF[g[1]], int(g[0]), int(g[2]), int(g[3]), 0)]
    if form == "stx":
        return [I.Insn(I.STX | I.MEM | _SIZE_OF[g[0]], int(g[1]), int(g[3]), int(g[2]), 0)]
    if form == "st":
        return [I.Insn(I.ST | I.MEM | _SIZE_OF[g[0]], int(g[1]), 0, int(g[2]), _s32(int(g[3], 0)))]
    if form == "atomic":
        size, dst, off, sym, src = g
        width = 64 if size == "u64" else 32
        op = next((o for o in OPS if o.kind is Kind.ATOMIC and o.sym == sym and o.width == width
                   and not (o.imm or 0) & I.FETCH), None)
        if op is None:
            raise AsmError(f"cannot assemble atomic operator {sym}")
        return [I.Insn(op.code, int(dst), int(src), int(off), op.imm or 0)]
    if form == "fetch":
        src, dw, name, size, dst, off = g
        op = _ATOMIC_BY[(f"atomic_fetch_{name}", 64 if dw else 32)]
        return [I.Insn(op.code, int(dst), int(src), int(off), op.imm or 0)]
    if form == "xchg":
        src, dw, size, dst, off = g
        op = _ATOMIC_BY[("atomic_xchg", 64 if dw else 32)]
        return [I.Insn(op.code, int(dst), int(src), int(off), op.imm or 0)]
    if form == "cmpxchg":
        dw, size, dst, off, src = g
        op = _ATOMIC_BY[("atomic_cmpxchg", 64 if dw else 32)]
        return [I.Insn(op.code, int(dst), int(src), int(off), op.imm or 0)]
    if form == "ldind":
        return [I.Insn(I.LD | I.IND | _SIZE_OF[g[0]], 0, int(g[1]), 0, int(g[2]))]
    if form == "ldabs":
        return [I.Insn(I.LD | I.ABS | _SIZE_OF[g[0]], 0, 0, 0, int(g[1]))]
    if form == "ldmap":
        dst, how, num, voff = g
        if how == "idx":
            src = PSEUDO_MAP_IDX_VALUE if voff is not None else PSEUDO_MAP_IDX
        else:
            src = PSEUDO_MAP_VALUE if voff is not None else PSEUDO_MAP_FD
        return [I.Insn(I.LD | I.IMM | I.DW, int(dst), src, 0, int(num)),
                I.Insn(0, 0, 0, 0, int(voff or 0))]
    if form == "lddw":
        return list(I.ld_imm64(int(g[0]), int(g[1], 16)))
    if form in ("alux", "aluk"):
        w, dst, sym = g[0], int(g[1]), g[2]
        is32 = w == "w"
        x = form == "alux"
        op = _ALU_BY_SYM.get((sym, is32, x))
        if op is None:
            raise AsmError(f"unknown ALU operator {sym}")
        if x:
            return [I.Insn(op.code, dst, int(g[4]), op.off or 0, 0)]
        return [I.Insn(op.code, dst, 0, op.off or 0, _s32(int(g[3], 0)))]
    if form in ("jmpx", "jmpk"):
        w, dst, sym = g[0], int(g[1]), g[2]
        x = form == "jmpx"
        op = _JMP_BY_SYM.get((sym, w == "w", x))
        if op is None:
            raise AsmError(f"unknown jump condition {sym}")
        if x:
            return [I.Insn(op.code, dst, int(g[4]), int(g[5]), 0)]
        return [I.Insn(op.code, dst, 0, int(g[4]), _s32(int(g[3], 0)))]
    if form == "ja":
        return [I.Insn(I.JMP | I.JA, 0, 0, int(g[0]), 0)]
    if form == "gotol":
        return [I.Insn(I.JMP32 | I.JA, 0, 0, 0, int(g[0]))]
    if form == "pcall":
        return [I.Insn(I.JMP | I.CALL, 0, PSEUDO_CALL, 0, int(g[0]))]
    if form == "call":
        name = g[0]
        if g[1] is not None and not name.startswith("bpf_"):
            return [I.Insn(I.JMP | I.CALL, 0, 0, 0, int(g[1]))]
        return [I.Insn(I.JMP | I.CALL, 0, 0, 0, _helper_id(name))]
    if form == "callnum":
        return [I.Insn(I.JMP | I.CALL, 0, 0, 0, int(g[0]))]
    if form == "exit":
        return [I.Insn(I.JMP | I.EXIT)]
    raise AsmError(f"cannot assemble: {form}")  # pragma: no cover


__all__ = ["AsmError", "assemble", "assemble_kernel", "PSEUDO_MAP_FD", "PSEUDO_MAP_VALUE"]
