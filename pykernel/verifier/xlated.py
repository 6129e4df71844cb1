"""The dump views of a verified program.

``prepare_dump(result)`` is the kernel's ``bpf_insn_prepare_dump``: map addresses in
ld_imm64 turn back into ``PSEUDO_MAP_FD``/``PSEUDO_MAP_VALUE`` + map id (+ offset), as
``OBJ_GET_INFO_BY_FD`` returns ``xlated_prog_insns``. ``xlated_lines`` renders that view the
way ``bpftool prog dump xlated`` prints it (``%4d: `` prefix, ``map[id:N]``,
``call sym#imm``, ``call pc+N#bpf_prog_<tag>_F``, ``; source`` lines when line info is given),
through the one disassembler.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import kallsyms as K
from ..uapi import insn as I
from ..uapi.consts import PSEUDO_CALL, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE
from ..uapi.disasm import format_insn
from .env import LineInfo, VerifierResult

TAIL_CALL_CODE = I.JMP | 0xF0  # BPF_JMP | BPF_TAIL_CALL, kernel-internal
_SYM_BY_IMM: dict[int, str] = {}


def symbol_of_imm(imm: int) -> str | None:
    if not _SYM_BY_IMM:
        for s, v in K.SYMBOL_IMM.items():
            _SYM_BY_IMM.setdefault(v, s)
    return _SYM_BY_IMM.get(imm)


def prepare_dump(res: VerifierResult, *, keep_tail_calls: bool = False) -> list[I.Insn]:
    """bpf_insn_prepare_dump: maps by id, the internal tail call shown as ``call 12``
    (``keep_tail_calls``: as the JIT sees it, for the function tags)."""
    out = list(res.xlated)
    if not keep_tail_calls:
        for i, ins in enumerate(out):
            if ins.code == TAIL_CALL_CODE:
                out[i] = I.Insn(I.JMP | I.CALL, 0, 0, 0, 12)
    for i, m, off in getattr(res, "map_loads", ()):
        lo, hi = out[i], out[i + 1]
        mid = int(getattr(m, "id", 0))
        if off < 0:
            out[i] = I.Insn(lo.code, lo.dst, PSEUDO_MAP_FD, 0, mid)
            out[i + 1] = I.Insn(0, 0, 0, 0, 0)
        else:
            out[i] = I.Insn(lo.code, lo.dst, PSEUDO_MAP_VALUE, 0, mid)
            out[i + 1] = I.Insn(0, 0, 0, 0, off)
        _ = hi
    return out


def xlated_lines(insns: list[I.Insn], *, line_info: list[LineInfo] | None = None,
                 subprog_name: Callable[[int], str] | None = None) -> list[str]:
    """bpftool's ``prog dump xlated`` text (without the trailing blank line)."""

    def call_name(ins: I.Insn) -> str | None:
        if ins.src == PSEUDO_CALL:
            name = subprog_name(ins.imm) if subprog_name else "bpf_prog_0000000000000000_F"
            return f"{ins.off:+d}#{name}"
        return symbol_of_imm(ins.imm)

    def imm64(ins: I.Insn, value: int) -> str:
        if ins.src == PSEUDO_MAP_FD:
            return f"map[id:{ins.imm}]"
        if ins.src == PSEUDO_MAP_VALUE:
            return f"map[id:{ins.imm}][0]+{value >> 32}"
        return f"{value:#x}"

    linfo = {li.insn_off: li for li in (line_info or [])}
    out: list[str] = []
    i = 0
    prev_line = None
    while i < len(insns):
        li = linfo.get(i)
        if li is not None and li.line and li.line != prev_line:
            out.append(f"; {li.line.strip()}")
            prev_line = li.line
        ins = insns[i]
        nxt = insns[i + 1] if i + 1 < len(insns) else None
        shown = ins
        if ins.code in (I.ALU | I.MOV | I.X, I.ALU64 | I.MOV | I.X) and ins.off:
            shown = ins.with_(off=0)  # bpftool 7.1's disassembler ignores mov offsets
        out.append(f"{i:4d}: {format_insn(shown, nxt, call_name=call_name, imm64=imm64)}")
        i += 2 if ins.is_ld_imm64() else 1
    return out
