"""``prog dump xlated``: plain, ``opcodes``, ``linum``, JSON and ``visual`` (DOT) views.

The instruction text comes from THE disassembler (``pykernel.uapi.disasm.format_insn``);
this module supplies what bpftool supplies around it: call targets resolved through the
kernel's symbol table (``call __htab_map_lookup_elem#330864``, ``call
pc+10#bpf_prog_<tag>_<func>``), ``map[id:N]`` operands, function headers from BTF func
info and ``; source`` lines from BTF line info (with libbpf's ``bpf_prog_linfo__lfind``
matching, whose lag is why some source lines print twice), and the control-flow graph
of ``visual``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from pykernel.uapi import insn as I
from pykernel.uapi.consts import (
    PSEUDO_CALL,
    PSEUDO_FUNC,
    PSEUDO_MAP_FD,
    PSEUDO_MAP_IDX_VALUE,
    PSEUDO_MAP_VALUE,
)
from pykernel.uapi.disasm import format_insn

from . import common
from .common import fprint_hex

BPF_LD_IMM64 = I.LD | I.IMM | I.DW
_U64 = (1 << 64) - 1


@dataclass
class Symbols:
    """The kernel symbol table bpftool reads from /proc/kallsyms: address -> name, and
    ``__bpf_call_base`` (helper calls in xlated code hold ``func - __bpf_call_base``)."""

    by_addr: dict[int, str] = field(default_factory=dict)
    call_base: int = 0


@dataclass
class LineInfo:
    insn_off: int
    file_name_off: int
    line_off: int
    line_col: int

    @property
    def line_num(self) -> int:
        return self.line_col >> 10

    @property
    def col(self) -> int:
        return self.line_col & 0x3FF


@dataclass
class DumpData:
    insns: list[I.Insn]
    raw: bytes
    syms: Symbols
    jited_ksyms: list[int] = field(default_factory=list)
    btf: object | None = None  # pylibbpf.btf.Btf
    func_info: list[tuple[int, int]] = field(default_factory=list)  # (insn_off, type_id)
    line_info: list[LineInfo] = field(default_factory=list)


def parse_func_info(raw: bytes, rec_size: int, count: int) -> list[tuple[int, int]]:
    rec_size = rec_size or 8
    out = []
    for k in range(count):
        chunk = raw[k * rec_size:k * rec_size + 8]
        if len(chunk) < 8:
            break
        out.append(struct.unpack("<II", chunk))
    return out


def parse_line_info(raw: bytes, rec_size: int, count: int) -> list[LineInfo]:
    rec_size = rec_size or 16
    out = []
    for k in range(count):
        chunk = raw[k * rec_size:k * rec_size + 16]
        if len(chunk) < 16:
            break
        out.append(LineInfo(*struct.unpack("<IIII", chunk)))
    return out


# ------------------------------------------------------------------ disassembler hooks
class _Callbacks:
    def __init__(self, dd: DumpData) -> None:
        self.dd = dd

    def call_name(self, insn: I.Insn) -> str:
        dd = self.dd
        address = (dd.syms.call_base + insn.imm) & _U64
        if insn.src == PSEUDO_CALL and 0 <= (insn.imm & 0xFFFFFFFF) < len(dd.jited_ksyms):
            address = dd.jited_ksyms[insn.imm & 0xFFFFFFFF]
        sym = dd.syms.by_addr.get(address)
        if insn.src == PSEUDO_CALL:
            if not dd.jited_ksyms:
                return f"{insn.off:+d}"
            if sym:
                return f"{insn.off:+d}#{sym}"
            return f"{insn.off:+d}#0x{address:x}"
        return sym if sym else f"0x{address:x}"

    def imm64(self, insn: I.Insn, value: int, nxt: I.Insn | None = None) -> str:
        if insn.src == PSEUDO_MAP_FD:
            return f"map[id:{insn.imm & 0xFFFFFFFF}]"
        if insn.src == PSEUDO_MAP_VALUE:
            hi = nxt.imm if nxt is not None else 0
            return f"map[id:{insn.imm & 0xFFFFFFFF}][0]+{hi & 0xFFFFFFFF}"
        if insn.src == PSEUDO_MAP_IDX_VALUE:
            hi = nxt.imm if nxt is not None else 0
            return f"map[idx:{insn.imm & 0xFFFFFFFF}]+{hi & 0xFFFFFFFF}"
        if insn.src == PSEUDO_FUNC:
            return f"subprog[{insn.imm:+d}]"
        return f"0x{value:x}"


def _as_v71_sees_it(ins: I.Insn) -> I.Insn:
    """bpftool v7.1 carries the kernel 6.1 disassembler, which ignores ``off`` of register
    moves: the per-CPU address move of 6.18 (off -1) and the sign-extending moves
    (off 8/16/32) print as plain ``rX = rY`` there, signed divisions as unsigned ones."""
    if ins.code in (I.ALU64 | I.MOV | I.X, I.ALU | I.MOV | I.X) and ins.off:
        return ins.with_(off=0)
    if ins.code & 7 in (I.ALU, I.ALU64) and ins.code & 0xF0 in (I.DIV, I.MOD) and ins.off:
        return ins.with_(off=0)  # nor of the signed divisions (off 1): "r0 /= r1"
    return ins


def insn_text(dd: DumpData, i: int) -> str:
    """``(b7) r0 = 0`` for instruction ``i`` (without index or newline)."""
    insns = dd.insns
    ins = _as_v71_sees_it(insns[i])
    nxt = insns[i + 1] if i + 1 < len(insns) else None
    cb = _Callbacks(dd)
    return format_insn(ins, nxt, call_name=cb.call_name,
                       imm64=lambda insn, value: cb.imm64(insn, value, nxt))


# ---------------------------------------------------------------------------- line info
class _Linfo:
    """libbpf's bpf_prog_linfo__lfind with bpftool's ``nr_skip`` bookkeeping."""

    def __init__(self, records: list[LineInfo]) -> None:
        self.records = records
        self.nr_skip = 0

    def find(self, insn_off: int) -> LineInfo | None:
        recs, skip = self.records, self.nr_skip
        if skip >= len(recs) or insn_off < recs[skip].insn_off:
            return None
        k = skip
        while k < len(recs) and recs[k].insn_off <= insn_off:
            k += 1
        self.nr_skip += 1
        return recs[k - 1]


def _btf_str(btf: object | None, off: int) -> str | None:
    if btf is None:
        return None
    try:
        return btf.data.str_at(off)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - an offset outside the string section: no line
        return None


def _func_sig(dd: DumpData, type_id: int) -> str:
    try:
        return dd.btf.func_signature(type_id) if dd.btf is not None else ""  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return ""


def _ltrim(s: str) -> str:
    return s.lstrip(" \t\n\v\f\r")


def dump_plain(dd: DumpData, opcodes: bool, linum: bool) -> None:
    out: list[str] = []
    records = list(dd.func_info) if dd.btf is not None else []
    rec_i = 0
    linfo = _Linfo(dd.line_info) if dd.line_info else None
    double = False
    n = len(dd.insns)
    for i in range(n):
        if double:
            double = False
            continue
        if records and rec_i < len(records) and records[rec_i][0] == i:
            sig = _func_sig(dd, records[rec_i][1])
            if sig:
                out.append(f"{sig}:\n")
            rec_i += 1
        if linfo is not None:
            li = linfo.find(i)
            if li is not None:
                line = _btf_str(dd.btf, li.line_off)
                if line is not None:
                    line = _ltrim(line)
                    if linum:
                        file = _btf_str(dd.btf, li.file_name_off) or ""
                        out.append(f"; {line} [file:{file} line_num:{li.line_num} line_col:{li.col}]\n")
                    else:
                        out.append(f"; {line}\n")
        ins = dd.insns[i]
        double = ins.code == BPF_LD_IMM64
        out.append(f"{i:4d}: {insn_text(dd, i)}\n")
        if opcodes:
            out.append("       " + fprint_hex(dd.raw[i * 8:i * 8 + 8]))
            if double:
                out.append(" " + fprint_hex(dd.raw[i * 8 + 8:i * 8 + 16]))
            out.append("\n")
    common.out("".join(out))


def _hex_json_array(jw, data: bytes) -> None:
    jw.start_array()
    for b in data:
        jw.raw(f'"0x{b:02x}"')
    jw.end_array()


def dump_json(dd: DumpData, opcodes: bool, linum: bool) -> None:
    jw = common.jw
    assert jw is not None
    records = list(dd.func_info) if dd.btf is not None else []
    rec_i = 0
    linfo = _Linfo(dd.line_info) if dd.line_info else None
    double = False
    jw.start_array()
    for i in range(len(dd.insns)):
        if double:
            double = False
            continue
        ins = dd.insns[i]
        double = ins.code == BPF_LD_IMM64
        jw.start_object()
        if records and rec_i < len(records) and records[rec_i][0] == i:
            sig = _func_sig(dd, records[rec_i][1])
            if sig:
                jw.name("proto")
                jw.string(sig)
            rec_i += 1
        if linfo is not None:
            li = linfo.find(i)
            if li is not None:
                line = _btf_str(dd.btf, li.line_off)
                if line is not None:
                    jw.string_field("src", _ltrim(line))
                if linum:
                    file = _btf_str(dd.btf, li.file_name_off)
                    if file is not None:
                        jw.string_field("file", file)
                    if li.line_num:
                        jw.int_field("line_num", li.line_num)
                    if li.col:
                        jw.int_field("line_col", li.col)
        jw.name("disasm")
        jw.raw_quoted(insn_text(dd, i))
        if opcodes:
            jw.name("opcodes")
            jw.start_object()
            jw.name("code")
            jw.raw(f'"0x{ins.code:02x}"')
            jw.name("src_reg")
            jw.raw(f'"0x{ins.src:x}"')
            jw.name("dst_reg")
            jw.raw(f'"0x{ins.dst:x}"')
            jw.name("off")
            _hex_json_array(jw, dd.raw[i * 8 + 2:i * 8 + 4])
            jw.name("imm")
            # bpftool prints the 4 imm bytes, or 12 (imm + the second slot) for ld_imm64
            _hex_json_array(jw, dd.raw[i * 8 + 4:i * 8 + (16 if double else 8)])
            jw.end_object()
        jw.end_object()
    jw.end_array()


# -------------------------------------------------------------------------------- CFG
_ENTRY, _EXIT = 0, 1


def _graph_escape(text: str) -> str:
    """bpftool formats each instruction into a 64-byte buffer (63 characters including
    the newline), then left-aligns rows with ``\\l\\`` and escapes < > | &."""
    s = (text + "\n")[:63]
    outp = []
    for c in s:
        if c == "\n":
            outp.append("\\l\\\n")
        elif c in "<>|&":
            outp.append("\\" + c)
        else:
            outp.append(c)
    return "".join(outp)


def _is_jmp(code: int) -> bool:
    return code & 0x07 in (I.JMP, I.JMP32)


def dump_cfg(dd: DumpData) -> None:
    # bpftool draws each block with a fresh dump context: kernel symbols, but no jited
    # symbols, so bpf-to-bpf calls print as plain "call pc+N" here
    dd = DumpData(insns=dd.insns, raw=dd.raw, syms=dd.syms)
    insns = dd.insns
    n = len(insns)
    if n == 0:
        return
    # functions: the entry plus every bpf-to-bpf call target, in address order
    starts = {0}
    for k, ins in enumerate(insns):
        if ins.code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL:
            starts.add(k + ins.off + 1)
    order_by_creation: dict[int, int] = {}
    for s in [0] + [k + ins.off + 1 for k, ins in enumerate(insns)
                    if ins.code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL]:
        order_by_creation.setdefault(s, len(order_by_creation))
    fstarts = sorted(starts)
    out: list[str] = ['digraph "DOT graph for eBPF program" {\n']
    for fi, fstart in enumerate(fstarts):
        fend = (fstarts[fi + 1] - 1) if fi + 1 < len(fstarts) else n - 1
        fidx = order_by_creation[fstart]
        heads = {fstart}
        for k in range(fstart, fend + 1):
            ins = insns[k]
            if _is_jmp(ins.code):
                op = ins.code & 0xF0
                if op in (I.EXIT, I.CALL):
                    continue
                heads.add(k + ins.off + 1)
                if op != I.JA:
                    heads.add(k + 1)
        hs = sorted(heads)
        blocks = []  # (idx, head, tail)
        for bi, h in enumerate(hs):
            tail = hs[bi + 1] - 1 if bi + 1 < len(hs) else fend
            blocks.append((bi + 2, h, tail))
        by_head = {h: idx for idx, h, _t in blocks}
        out.append(f'subgraph "cluster_{fidx}" {{\n\tstyle="dashed";\n\tcolor="black";\n'
                   f'\tlabel="func_{fidx} ()";\n')
        node_order = [(_ENTRY, None, None)] + blocks + [(_EXIT, None, None)]
        for idx, head, tail in node_order:
            shape = "Mdiamond" if idx in (_ENTRY, _EXIT) else "record"
            out.append(f'\tfn_{fidx}_bb_{idx} [shape={shape},style=filled,label="')
            if idx == _ENTRY:
                out.append("ENTRY")
            elif idx == _EXIT:
                out.append("EXIT")
            else:
                out.append("{")
                double = False
                for k in range(head, tail + 1):
                    if double:
                        double = False
                        continue
                    double = insns[k].code == BPF_LD_IMM64
                    out.append(f"{k - fstart:4d}: ")
                    out.append(_graph_escape(insn_text(dd, k)))
                    if k != tail:
                        out.append(" | ")
                out.append("}")
            out.append('"];\n\n')
        edges: list[tuple[int, int]] = [(_ENTRY, blocks[0][0])]
        for bi, (idx, _head, tail) in enumerate(blocks):
            nxt = blocks[bi + 1][0] if bi + 1 < len(blocks) else _EXIT
            ins = insns[tail]
            op = ins.code & 0xF0
            if not _is_jmp(ins.code) or op == I.EXIT:
                edges.append((idx, nxt))
            elif op == I.JA:
                edges.append((idx, by_head.get(tail + ins.off + 1, -1)))
            else:
                edges.append((idx, nxt))
                edges.append((idx, by_head.get(tail + ins.off + 1, -1)))
        for src, dst in edges:
            out.append(f'\tfn_{fidx}_bb_{src}:s -> fn_{fidx}_bb_{dst}:n [style="solid,bold", '
                       f'color=black, weight=10, constraint=true];\n')
        out.append(f'\tfn_{fidx}_bb_{_ENTRY}:s -> fn_{fidx}_bb_{_EXIT}:n [style="invis", constraint=true];\n')
        out.append("}\n")
    out.append("}\n")
    common.out("".join(out))
