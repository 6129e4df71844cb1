"""A program's tag: the 8-byte digest ``bpftool prog show`` prints.

The 6.18 kernel hashes the program as loaded (before the verifier rewrites it) with
SHA-256 and keeps the first 8 bytes. Map fds are not stable across processes, so the
immediates of ``ld_imm64`` instructions that carry a map fd or a map-value reference
(BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE) are zeroed first - in both slots, the second
one only when it looks like a plain second slot (all other fields zero). Checked against the
real kernel: tc_cls.o's ``tc_mark`` is ec27583e231bd0d0 and xdp_pass.o's ``xdp_pass`` is
614b434cd8324ecc (tests/test_kernel_tag.py).
"""

from __future__ import annotations

import hashlib
import struct

from .uapi.consts import PSEUDO_MAP_FD, PSEUDO_MAP_VALUE

_LD_IMM64 = 0x18
_SLOT = struct.Struct("<BBhi")
TAG_SIZE = 8


def tag_input(insns: bytes) -> bytes:
    """The bytes the kernel hashes: ``insns`` with map fd immediates zeroed."""
    out = bytearray(insns)
    was_ld_map = False
    for off in range(0, len(out) - len(out) % 8, 8):
        code, regs, ioff, _imm = _SLOT.unpack_from(out, off)
        src = regs >> 4
        if not was_ld_map and code == _LD_IMM64 and src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE):
            was_ld_map = True
            struct.pack_into("<i", out, off + 4, 0)
        elif was_ld_map and code == 0 and regs == 0 and ioff == 0:
            was_ld_map = False
            struct.pack_into("<i", out, off + 4, 0)
        else:
            was_ld_map = False
    return bytes(out)


def prog_tag(insns: bytes) -> bytes:
    """bpf_prog_calc_tag: first 8 bytes of SHA-256 over :func:`tag_input`."""
    return hashlib.sha256(tag_input(insns)).digest()[:TAG_SIZE]


# jit_subprogs points a callback's address at the module area before the functions are
# split and tagged (x86-64 MODULES_VADDR)
MODULES_VADDR = 0xFFFFFFFFC0000000


def jit_func_insns(seg: list) -> list:
    """One function's xlated insns as ``jit_subprogs`` tags them: bpf-to-bpf calls hold the
    callee's index in ``off`` and 1 in ``imm``; a callback's ``ld_imm64`` its subprogram
    index in ``off`` and MODULES_VADDR as the value. (``seg`` as the xlated code keeps
    them: calls with the index in ``imm``, callback loads with it in the second slot.)"""
    from .uapi.consts import PSEUDO_CALL, PSEUDO_FUNC

    body = list(seg)
    for i, ins in enumerate(body):
        if ins.code == 0x85 and ins.src == PSEUDO_CALL:
            body[i] = ins.with_(off=ins.imm, imm=1)
        elif ins.code == _LD_IMM64 and ins.src == PSEUDO_FUNC and i + 1 < len(body):
            lo, hi = MODULES_VADDR & 0xFFFFFFFF, MODULES_VADDR >> 32
            body[i] = ins.with_(off=body[i + 1].imm, imm=lo - (1 << 32) if lo >> 31 else lo)
            body[i + 1] = body[i + 1].with_(imm=hi - (1 << 32) if hi >> 31 else hi)
    return body
