"""The exact instruction sequences the 6.18 verifier inlines (pykernel.kallsyms builders,
measured on the oracle) run against the simulated maps and per-CPU data.

Each program: key on the stack, ``r1`` = the map's address, the inline sequence, then a
load through the returned pointer (or NULL check) - as the xlated dumps show them. Values
are set through the syscall side, so this checks that the interpreter lays maps out
exactly where the kernel's inlined code looks (bpf_array.value at 312, pptrs, htab_elem
value at 48 + round_up(key_size, 8), the LRU ref byte, per-CPU offsets, cpu_number,
jiffies).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pykernel import kallsyms as K
from pykernel.interp.memory import map_address
from pykernel.interp.progrun import run_xdp
from pykernel.uapi import insn as I
from pykernel.uapi.consts import MapType, ProgType

EXIT = I.Insn(I.JMP | I.EXIT)


@dataclass
class FakeProg:
    xlated: list[I.Insn]
    type: int = ProgType.XDP
    name: str = "inline"
    id: int = 1
    extra: dict = field(default_factory=dict)


def _insns(seq: list[tuple[int, int, int, int, int]]) -> list[I.Insn]:
    return [I.Insn(*t) for t in seq]


class Env:
    def __init__(self, tmp: Path) -> None:
        from pykernel.process import Process
        from tests.test_kernel_realsys import SimSys

        self.proc = Process(tmp / "state")
        self.sys = SimSys(self.proc)

    def map(self, t: int, ks: int, vs: int, n: int, inner_fd: int = 0) -> tuple[int, int]:
        fd = self.sys.map_create(t, ks, vs, n, inner_map_fd=inner_fd)
        mid = self.proc.kernel_call(lambda k: k.map_fd(fd)[0].id)
        return fd, mid

    def run(self, prog: list[I.Insn], cpu: int = 0) -> int:
        res = self.proc.kernel_call(lambda k: run_xdp(k, FakeProg(prog), bytes(64), cpu=cpu))
        assert res.fault is None, res.fault
        return res.action

    def close(self) -> None:
        self.proc.exit()


def lookup_prog(map_id: int, key: int, inline: list[I.Insn], value_load: list[I.Insn]) -> list[I.Insn]:
    lo, hi = I.ld_imm64(1, map_address(map_id), src=1)
    return [I.Insn(I.ST | I.MEM | I.W, 10, 0, -4, key), lo, hi,
            I.Insn(I.ALU64 | I.MOV | I.X, 2, 10, 0, 0), I.Insn(I.ALU64 | I.ADD, 2, 0, 0, -4),
            *inline,
            I.Insn(I.JMP | I.JNE, 0, 0, 2, 0), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0xDEAD), EXIT,
            *value_load, EXIT]


LOAD_U32 = [I.Insn(I.LDX | I.MEM | I.W, 0, 0, 0, 0)]


@pytest.mark.parametrize("value_size", [4, 12, 24])
def test_array_inline(tmp_path: Path, value_size: int) -> None:
    e = Env(tmp_path)
    fd, mid = e.map(MapType.ARRAY, 4, value_size, 5)
    for i in range(5):
        e.sys.update(fd, struct.pack("<I", i), struct.pack("<I", 100 + i).ljust(value_size, b"\0"))
    inline = _insns(K.array_lookup_inline(5, value_size))
    for i in range(5):
        assert e.run(lookup_prog(mid, i, inline, LOAD_U32)) == 100 + i
    assert e.run(lookup_prog(mid, 5, inline, LOAD_U32)) == 0xDEAD
    e.close()


def test_percpu_array_inline_sees_this_cpus_value(tmp_path: Path) -> None:
    e = Env(tmp_path)
    fd, mid = e.map(MapType.PERCPU_ARRAY, 4, 8, 4)
    e.sys.update(fd, struct.pack("<I", 2), struct.pack("<QQ", 7, 9))  # CPU 0: 7, CPU 1: 9
    inline = _insns(K.array_lookup_inline(4, 8, variant="percpu_array"))
    assert e.run(lookup_prog(mid, 2, inline, LOAD_U32), cpu=0) == 7
    assert e.run(lookup_prog(mid, 2, inline, LOAD_U32), cpu=1) == 9
    e.close()


def test_array_of_maps_inline_then_inner_lookup(tmp_path: Path) -> None:
    e = Env(tmp_path)
    ifd, iid = e.map(MapType.ARRAY, 4, 4, 2)
    e.sys.update(ifd, struct.pack("<I", 1), struct.pack("<I", 4242))
    ofd, oid = e.map(MapType.ARRAY_OF_MAPS, 4, 4, 3, inner_fd=ifd)
    e.sys.update(ofd, struct.pack("<I", 1), struct.pack("<I", ifd))
    outer = _insns(K.array_lookup_inline(3, 4, variant="array_of_maps"))
    # r0 = inner map pointer: look key 1 up in it with the inner map's own inline sequence
    inner = [I.Insn(I.ALU64 | I.MOV | I.X, 1, 0, 0, 0), I.Insn(I.ST | I.MEM | I.W, 10, 0, -8, 1),
             I.Insn(I.ALU64 | I.MOV | I.X, 2, 10, 0, 0), I.Insn(I.ALU64 | I.ADD, 2, 0, 0, -8),
             *_insns(K.array_lookup_inline(2, 4)),
             I.Insn(I.JMP | I.JEQ, 0, 0, 1, 0), *LOAD_U32]
    assert e.run(lookup_prog(oid, 1, outer, inner)) == 4242
    assert e.run(lookup_prog(oid, 2, outer, inner)) == 0xDEAD  # empty slot: NULL
    e.close()


@pytest.mark.parametrize("variant,map_type", [("hash", MapType.HASH), ("lru_hash", MapType.LRU_HASH),
                                              ("percpu_hash", MapType.PERCPU_HASH)])
@pytest.mark.parametrize("key_size", [4, 12])
def test_htab_inline(tmp_path: Path, variant: str, map_type: int, key_size: int) -> None:
    e = Env(tmp_path)
    fd, mid = e.map(map_type, key_size, 8, 8)
    key = struct.pack("<I", 3).ljust(key_size, b"k")
    percpu = map_type == MapType.PERCPU_HASH
    e.sys.update(fd, key, struct.pack("<QQ", 55, 66) if percpu else struct.pack("<Q", 55))
    lo, hi = I.ld_imm64(1, map_address(mid), src=1)
    stores = [I.Insn(I.STX | I.MEM | I.W, 10, 3, -16 + 4 * i, 0) for i in range(key_size // 4)]
    prog = []
    for i in range(key_size // 4):
        lo3, hi3 = I.ld_imm64(3, struct.unpack_from("<I", key, 4 * i)[0])
        prog += [lo3, hi3, stores[i]]
    prog += [lo, hi, I.Insn(I.ALU64 | I.MOV | I.X, 2, 10, 0, 0), I.Insn(I.ALU64 | I.ADD, 2, 0, 0, -16),
             *_insns(K.htab_lookup_inline(key_size, variant=variant)),
             I.Insn(I.JMP | I.JNE, 0, 0, 2, 0), I.Insn(I.ALU64 | I.MOV, 0, 0, 0, 0xDEAD), EXIT,
             I.Insn(I.LDX | I.MEM | I.DW, 0, 0, 0, 0), EXIT]
    assert e.run(prog, cpu=0) == 55
    if percpu:
        assert e.run(prog, cpu=1) == 66
    prog2 = list(prog)
    prog2[0] = prog[0].with_(imm=0x7777)  # another key: not found
    assert e.run(prog2) == 0xDEAD
    e.close()


@pytest.mark.parametrize("cpu", [0, 1])
def test_smp_processor_id_and_jiffies_inline(tmp_path: Path, cpu: int) -> None:
    e = Env(tmp_path)
    assert e.run(_insns(K.smp_processor_id_inline()) + [EXIT], cpu=cpu) == cpu
    j = e.run(_insns(K.jiffies64_inline()) + [EXIT], cpu=cpu)
    # INITIAL_JIFFIES (-300 s at HZ 250) + the virtual uptime at 250 Hz, low 32 bits
    assert j == (((-300 * 250) & 0xFFFFFFFF) + e.proc.kernel_call(lambda k: k.clock.ktime_ns()) * 250
                 // 1_000_000_000) & 0xFFFFFFFF
    e.close()
