"""Program relocation as libbpf 1.1 does it before BPF_PROG_LOAD.

For each entry-point program: map references become ``ld_imm64`` with
BPF_PSEUDO_MAP_FD (or BPF_PSEUDO_MAP_VALUE plus the offset inside a global data map),
every ``.text`` subprogram the program calls (transitively) is appended once, in first-call
order, call and ``&func`` immediates are rewritten to the new positions, and the
.BTF.ext func_info/line_info records of the program and its subprograms are gathered and
converted to instruction indexes of the final program.
"""

from __future__ import annotations

import errno as _errno
import struct
from collections.abc import Callable

from pykernel.uapi.consts import PSEUDO_FUNC, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE
from pykernel.uapi.insn import Insn

from .btf_ext import ExtInfo
from .errors import LIBBPF_ERRNO__RELOC, LibbpfError
from .object import BPF_INSN_SZ, BpfObject, BpfProgram, insn_is_pseudo_func, insn_is_subprog_call


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def relocate_program(obj: BpfObject, prog: BpfProgram, map_fd: Callable[[int], int],
                     with_ext_info: bool = True) -> None:
    """Fill ``prog.final_insns`` (and func/line info) for one entry-point program.

    ``map_fd(map_idx)`` gives the fd to embed for a map reference.
    """
    for p in obj.all_programs:
        if p.is_subprog:
            p.sub_insn_off = 0
        # as libbpf's bpf_object__relocate: ld_imm64 of a subprogram's address (a callback)
        # become BPF_PSEUDO_FUNC loads before the calls are relocated, so they are found
        for r in p.relocs:
            if r.kind == "subprog_addr" and p.insns[r.insn_idx].src != PSEUDO_FUNC:
                p.insns[r.insn_idx] = p.insns[r.insn_idx].with_(src=PSEUDO_FUNC)
    prog.sub_insn_off = 0
    prog.final_insns = list(prog.insns)
    prog.func_info = prog.line_info = b""
    prog.func_info_cnt = prog.line_info_cnt = 0
    prog.func_info_rec_size = prog.line_info_rec_size = 0
    state = _ExtState(with_ext_info and obj.btf_ext is not None)
    _apply_data_relos(obj, prog, prog, map_fd)
    _reloc_code(obj, prog, prog, map_fd, state)
    if state.func:
        prog.func_info = b"".join(state.func)
        prog.func_info_cnt = len(state.func)
        prog.func_info_rec_size = state.func_rec
    if state.line:
        prog.line_info = b"".join(state.line)
        prog.line_info_cnt = len(state.line)
        prog.line_info_rec_size = state.line_rec


class _ExtState:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.func: list[bytes] = []
        self.line: list[bytes] = []
        self.func_rec = 0
        self.line_rec = 0


def _apply_data_relos(obj: BpfObject, main: BpfProgram, prog: BpfProgram,
                      map_fd: Callable[[int], int]) -> None:
    insns = main.final_insns
    assert insns is not None
    base = prog.sub_insn_off
    for r in prog.relocs:
        i = base + r.insn_idx
        if r.kind == "ld64":
            m = obj.maps[r.map_idx]
            insns[i] = insns[i].with_(src=PSEUDO_MAP_FD, imm=_s32(map_fd(r.map_idx)))
            if m.fd < 0 and not m.autocreate:
                raise LibbpfError(_errno.EINVAL, f"BPF map '{m.name}' is referenced but wasn't created")
        elif r.kind == "data":
            fd = map_fd(r.map_idx)
            insns[i + 1] = insns[i + 1].with_(imm=_s32(insns[i].imm + r.sym_off))
            insns[i] = insns[i].with_(src=PSEUDO_MAP_VALUE, imm=_s32(fd))
        elif r.kind == "subprog_addr":
            if insns[i].src != PSEUDO_FUNC:
                raise obj.fail(_errno.EINVAL, f"prog '{prog.name}': relo #{prog.relocs.index(r)}: bad insn")


def _find_relo(prog: BpfProgram, insn_idx: int):  # noqa: ANN202
    for r in prog.relocs:
        if r.insn_idx == insn_idx:
            return r
    return None


def _reloc_code(obj: BpfObject, main: BpfProgram, prog: BpfProgram,
                map_fd: Callable[[int], int], st: _ExtState) -> None:
    _reloc_ext_info(obj, main, prog, st)
    insns = main.final_insns
    assert insns is not None
    for insn_idx in range(prog.sec_insn_cnt):
        insn = insns[prog.sub_insn_off + insn_idx]
        if not insn_is_subprog_call(insn) and not insn_is_pseudo_func(insn):
            continue
        relo = _find_relo(prog, insn_idx)
        if relo is not None and relo.kind not in ("call", "subprog_addr"):
            raise obj.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': unexpected relo for insn #{insn_idx}, "
                                                f"type {relo.kind}")
        if relo is not None:
            if relo.kind == "call":
                sub_insn_idx = relo.sym_off // BPF_INSN_SZ + insn.imm + 1
            else:
                sub_insn_idx = (relo.sym_off + insn.imm) // BPF_INSN_SZ
        elif insn_is_pseudo_func(insn):
            raise obj.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': missing subprog addr relo for insn "
                                                f"#{insn_idx}")
        else:
            sub_insn_idx = prog.sec_insn_off + insn_idx + insn.imm + 1
        sub = obj._find_prog_by_sec_insn(obj.text_shndx, sub_insn_idx) if obj.text_shndx else None
        if sub is None:
            raise obj.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': no .text section found yet sub-program "
                                                f"call exists")
        if sub.sub_insn_off == 0:
            sub.sub_insn_off = len(insns)
            insns.extend(sub.insns)
            obj.debug(f"prog '{main.name}': added {len(sub.insns)} insns from sub-prog '{sub.name}'")
            _apply_data_relos(obj, main, sub, map_fd)
            _reloc_code(obj, main, sub, map_fd, st)
        pos = prog.sub_insn_off + insn_idx
        imm = sub.sub_insn_off - pos - 1
        insns[pos] = insns[pos].with_(imm=imm)
        obj.debug(f"prog '{prog.name}': insn #{insn_idx} relocated, imm {imm} points to subprog '{sub.name}' "
                  f"(now at {sub.sub_insn_off} offset)")


def _reloc_ext_info(obj: BpfObject, main: BpfProgram, prog: BpfProgram, st: _ExtState) -> None:
    """reloc_prog_func_and_line_info: func info only if the main program had some, same for lines."""
    if not st.enabled or obj.btf_ext is None or obj.btf is None:
        return
    ext = obj.btf_ext
    for what, info, acc in (("function", ext.func_info, st.func), ("line", ext.line_info, st.line)):
        if main is not prog and not acc:
            continue
        if _adjust(obj, prog, info, acc) == 0:
            if what == "function":
                st.func_rec = info.rec_size
            else:
                st.line_rec = info.rec_size
            continue
        if acc:
            raise obj.fail(_errno.ENOENT, f"prog '{prog.name}': missing .BTF.ext {what} info.")
        obj.warn(f"prog '{prog.name}': missing .BTF.ext {what} info for the main program, "
                 f"skipping all of .BTF.ext {what} info.")


def _adjust(obj: BpfObject, prog: BpfProgram, info: ExtInfo, out: list[bytes]) -> int:
    """adjust_prog_btf_ext_info: copy this program's records, rebased to its final position."""
    btf = obj.btf
    assert btf is not None
    for sec in info.sections:
        try:
            name = btf.str_at(sec.sec_name_off)
        except LibbpfError:
            continue
        if name != prog.sec_name:
            continue
        picked = []
        for rec in sec.records:
            off = struct.unpack_from("<I", rec)[0] // BPF_INSN_SZ
            if off < prog.sec_insn_off:
                continue
            if off >= prog.sec_insn_off + prog.sec_insn_cnt:
                break
            picked.append(rec)
        if not picked:
            return -_errno.ENOENT
        adj = prog.sub_insn_off - prog.sec_insn_off
        for rec in picked:
            off = struct.unpack_from("<I", rec)[0] // BPF_INSN_SZ + adj
            out.append(struct.pack("<I", off & 0xFFFFFFFF) + rec[4:])
        return 0
    return -_errno.ENOENT


def relocated_insns(obj: BpfObject, prog: BpfProgram, map_fd: Callable[[int], int] | None = None) -> list[Insn]:
    """The instructions libbpf would hand to the kernel for ``prog`` (maps as fds from
    ``map_fd``, default: the map index), without loading anything."""
    relocate_program(obj, prog, map_fd or (lambda i: i))
    assert prog.final_insns is not None
    return prog.final_insns
