"""Helpers and BPF_PROG_TEST_RUN: the same programs through the real 6.18 kernel and ours.

Each case is a small program (uBPF/bpf_conformance assembler dialect, with labels) loaded
as raw instructions into the real kernel (bpf(2) through ctypes) and into the simulated
one (``Process.bpf``: our verifier, then ``pykernel.test_run``), run with the same
``data_in``/``ctx_in``/flags, and compared: errno of the run, ``retval``, ``data_out``,
``data_size_out``, ``ctx_out`` and the contents of every map afterwards. Programs record
helper return values (full 64 bits) in a results map with ``SAVE n`` (slot n).

Placeholders: ``MAP_<name>`` (ld_imm64 of a map), ``MAPV_<name>`` (of its value, for
single-entry arrays). Needs root and bpf(); skipped cleanly elsewhere (``realkernel``).
Nothing is pinned on the real side; every fd is closed.
"""

from __future__ import annotations

import ctypes
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pykernel.uapi import insn as I
from pykernel.uapi.asm import assemble
from tests.test_kernel_realsys import ATTR_SIZE, RealSys, _Buf, have_real

pytestmark = pytest.mark.realkernel

PACKETS = Path(__file__).resolve().parent / "fixtures" / "packets"
PKT64 = (PACKETS / "pkt64.bin").read_bytes()
TCP80 = (PACKETS / "tcp_syn_80.bin").read_bytes()
UDP = (PACKETS / "udp_dns.bin").read_bytes()
VLAN = (PACKETS / "vlan_udp.bin").read_bytes()
QINQ = (PACKETS / "qinq_ipv6.bin").read_bytes()
V6 = (PACKETS / "ipv6_udp.bin").read_bytes()

XDP, SCHED_CLS, SOCKET_FILTER, CGROUP_SKB = 6, 3, 1, 8
ARRAY, HASH, PROG_ARRAY, PERF, PERCPU_ARRAY, QUEUE, STACK, DEVMAP, LRU_HASH, PERCPU_HASH = (
    2, 1, 3, 4, 6, 22, 23, 14, 9, 5)


@dataclass
class MapSpec:
    type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0
    init: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass
class Case:
    id: str
    prog_type: int
    asm: str
    data: bytes = PKT64
    maps: dict[str, MapSpec] = field(default_factory=dict)
    data_out: int | None = 4096  # size of the data_out buffer (None: no buffer)
    ctx_in: bytes | None = None
    ctx_out: int = 0
    repeat: int = 1
    flags: int = 0
    cpu: int = 0
    expected_attach_type: int = 0


RESULTS = MapSpec(ARRAY, 4, 8 * 16, 1)


def _expand(text: str) -> str:
    out = []
    for line in text.splitlines():
        m = re.match(r"\s*SAVE\s+(\d+)\s*$", line)
        if m:
            out += ["lddw %r9, MAPV_res", f"stxdw [%r9+{8 * int(m.group(1))}], %r0"]
        else:
            out.append(line)
    return "\n".join(out)


def build(text: str, fds: dict[str, int]) -> bytes:
    """Assemble with map placeholders turned into ld_imm64 PSEUDO_MAP_FD/VALUE."""
    names: dict[int, tuple[str, int]] = {}

    def sub(m: re.Match[str]) -> str:
        magic = 0x5A000000 + len(names)
        names[magic] = (m.group(2), 2 if m.group(1) == "MAPV_" else 1)
        return hex(magic)

    src = re.sub(r"\b(MAPV_|MAP_)(\w+)", sub, _expand(text))
    insns = assemble(src)
    for i, ins in enumerate(insns):
        if ins.is_ld_imm64() and ins.imm in names:
            name, kind = names[ins.imm]
            insns[i] = ins.with_(src=kind, imm=fds[name])
    return I.encode_all(insns)


# ----------------------------------------------------------------------------------------- sides

class Real:
    def __init__(self) -> None:
        self.sys = RealSys()
        self.fds: list[int] = []

    def map(self, s: MapSpec) -> int:
        fd = self.sys.map_create(s.type, s.key_size, s.value_size, s.max_entries, s.flags)
        self.fds.append(fd)
        for k, v in s.init:
            self.sys.update(fd, k, v)
        return fd

    def prog(self, prog_type: int, insns: bytes, eat: int = 0) -> int:
        fd, _ = self.sys.prog_load(prog_type, insns, log_buf=True, log_size=1 << 20, log_level=1,
                                   expected_attach_type=eat)
        self.fds.append(fd)
        return fd

    def update(self, fd: int, key: bytes, value: bytes) -> None:
        self.sys.update(fd, key, value)

    def dump(self, fd: int, s: MapSpec) -> list[tuple[bytes, bytes]]:
        return _dump(self.sys, fd, s)

    def run(self, fd: int, c: Case) -> dict:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        dp, _ = b.ptr(c.data)
        op, obuf = b.ptr(None, c.data_out) if c.data_out else (0, None)
        cp, _ = b.ptr(c.ctx_in) if c.ctx_in is not None else (0, None)
        cop, cobuf = b.ptr(None, c.ctx_out) if c.ctx_out else (0, None)
        struct.pack_into("<IIIIQQIIIIQQIII", a, 0, fd, 0, len(c.data), c.data_out or 0, dp, op, c.repeat, 0,
                         len(c.ctx_in) if c.ctx_in is not None else 0, c.ctx_out, cp, cop, c.flags, c.cpu, 0)
        err = 0
        cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {0})  # the simulated test_run runs on CPU 0, as the fixtures did
        try:
            self.sys.sys(10, a)
        except OSError as e:
            err = e.errno or -1
        finally:
            os.sched_setaffinity(0, cpus)
        retval, _, size_out = struct.unpack_from("<III", a, 4)
        csize, = struct.unpack_from("<I", a, 44)
        n = min(size_out, c.data_out or 0)
        return {"err": err, "retval": retval, "size_out": size_out if err in (0, 28) else None,
                "data_out": obuf.raw[:n] if obuf is not None and err in (0, 28) else None,
                "ctx_out": cobuf.raw[:c.ctx_out] if cobuf is not None and err == 0 else None,
                "ctx_size_out": csize if err == 0 else None}

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


class Sim:
    def __init__(self, state: Path) -> None:
        from pykernel.process import Process
        from tests.test_kernel_realsys import SimSys

        self.proc = Process(state)
        self.sys = SimSys(self.proc)

    def map(self, s: MapSpec) -> int:
        fd = self.sys.map_create(s.type, s.key_size, s.value_size, s.max_entries, s.flags)
        for k, v in s.init:
            self.sys.update(fd, k, v)
        return fd

    def prog(self, prog_type: int, insns: bytes, eat: int = 0) -> int:
        fd, _ = self.sys.prog_load(prog_type, insns, log_buf=True, log_size=1 << 20, log_level=1,
                                   expected_attach_type=eat)
        return fd

    def update(self, fd: int, key: bytes, value: bytes) -> None:
        self.sys.update(fd, key, value)

    def dump(self, fd: int, s: MapSpec) -> list[tuple[bytes, bytes]]:
        return _dump(self.sys, fd, s)

    def run(self, fd: int, c: Case) -> dict:
        from pykernel.uapi.attr import TestRunAttr
        from pykernel.uapi.consts import Cmd
        from pykernel.uapi.errors import SyscallError

        out = bytearray(c.data_out) if c.data_out else None
        cout = bytearray(c.ctx_out) if c.ctx_out else None
        a = TestRunAttr(fd, data_in=c.data, data_out=out, repeat=c.repeat, ctx_in=c.ctx_in, ctx_out=cout,
                        flags=c.flags, cpu=c.cpu)
        err = 0
        try:
            self.proc.bpf(Cmd.PROG_TEST_RUN, a)
        except SyscallError as e:
            err = e.errno
        n = min(a.data_size_out, c.data_out or 0)
        return {"err": err, "retval": a.retval, "size_out": a.data_size_out if err in (0, 28) else None,
                "data_out": bytes(out[:n]) if out is not None and err in (0, 28) else None,
                "ctx_out": bytes(cout) if cout is not None and err == 0 else None,
                "ctx_size_out": a.ctx_size_out if err == 0 else None}

    def close(self) -> None:
        self.proc.exit()


def _dump(sysx: object, fd: int, s: MapSpec) -> list[tuple[bytes, bytes]]:
    if s.type in (PROG_ARRAY, PERF, DEVMAP, QUEUE, STACK):
        return []
    vsize = s.value_size * (2 if s.type in (PERCPU_ARRAY, PERCPU_HASH) else 1)
    vsize = ((s.value_size + 7) // 8 * 8) * 2 if s.type in (PERCPU_ARRAY, PERCPU_HASH) else s.value_size
    out = []
    key = None
    while True:
        try:
            key = sysx.next_key(fd, key, s.key_size)  # type: ignore[attr-defined]
        except OSError:
            break
        out.append((key, sysx.lookup(fd, key, vsize)))  # type: ignore[attr-defined]
    return sorted(out)


def run_both(c: Case, tmp: Path) -> tuple[dict, dict]:
    if not have_real():
        pytest.skip("needs root and the real kernel's bpf()")
    results = []
    for side in (Real(), Sim(tmp / "state")):
        try:
            maps = dict(c.maps)
            if "MAPV_res" in c.asm or "SAVE" in c.asm:
                maps.setdefault("res", RESULTS)
            fds = {name: side.map(spec) for name, spec in maps.items()}
            fd = side.prog(c.prog_type, build(c.asm, fds), c.expected_attach_type)
            r = side.run(fd, c)
            r["maps"] = {name: side.dump(fds[name], spec) for name, spec in maps.items()}
            results.append(r)
        finally:
            side.close()
    return results[0], results[1]


def check(c: Case, tmp: Path) -> dict:
    real, sim = run_both(c, tmp)
    assert sim == real
    return real


# ------------------------------------------------------------------------------------------- cases

def xdp_call(helper: int, *args: int) -> str:
    regs = "\n".join(f"mov %r{i + 2}, {a}" for i, a in enumerate(args))
    return f"mov %r6, %r1\nmov %r1, %r6\n{regs}\ncall {helper}\nSAVE 0\nexit"


ADJUST_HEAD, ADJUST_TAIL, ADJUST_META = 44, 65, 54
CASES: list[Case] = []

for d in (-300, -256, -217, -216, -215, -14, -1, 0, 1, 14, 49, 50, 51, 64):
    CASES.append(Case(f"xdp_adjust_head[{d}]", XDP, xdp_call(ADJUST_HEAD, d)))
for d in (-64, -51, -50, -49, -1, 0, 1, 100, 3456, 3457, 4000):
    CASES.append(Case(f"xdp_adjust_tail[{d}]", XDP, xdp_call(ADJUST_TAIL, d)))
for d in (-4, -8, -3, -32, -212, -216, -220, -252, 4, 0):
    CASES.append(Case(f"xdp_adjust_meta[{d}]", XDP, xdp_call(ADJUST_META, d)))
# metadata moves with the head; the data_out includes it
CASES.append(Case("xdp_meta_then_head", XDP, """
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, -8
    call 54
    SAVE 0
    ldxw %r2, [%r6+8]
    ldxw %r3, [%r6+0]
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, out
    stdw [%r2], 0x11223344
    stw [%r2+4], 0x55667788
    mov %r1, %r6
    mov %r2, -20
    call 44
    SAVE 1
    mov %r1, %r6
    mov %r2, -4
    call 54
    SAVE 2
out:
    mov %r0, 2
    exit
"""))
# repeat: every run works on the same buffer (the head keeps moving)
CASES.append(Case("xdp_adjust_head_repeat", XDP, xdp_call(ADJUST_HEAD, 4), repeat=5))
CASES.append(Case("xdp_redirect", XDP, "mov %r1, 7\nmov %r2, 0\ncall 23\nSAVE 0\nmov %r1, 7\nmov %r2, 1\n"
                  "call 23\nSAVE 1\nmov %r1, 9\nmov %r2, 0\ncall 23\nexit"))
CASES.append(Case("xdp_redirect_map_empty_devmap", XDP, """
    lddw %r1, MAP_dev
    mov %r2, 0
    mov %r3, 2
    call 51
    SAVE 0
    lddw %r1, MAP_dev
    mov %r2, 5
    mov %r3, 0x20
    call 51
    SAVE 1
    lddw %r1, MAP_dev
    mov %r2, 1
    mov %r3, 3
    call 51
    exit
""", maps={"dev": MapSpec(DEVMAP, 4, 4, 4)}))

for sizes in ((0, 0, 0), (4, 0, 0), (0, 4, 0), (8, 8, 0), (12, 4, 0x1234), (40, 0, 0xFFFF), (3, 0, 0),
              (0, 7, 0), (256, 256, 0), (260, 256, 0), (16, 24, 0x7EADBEEF), (0, 0, 0x1234)):
    fs, ts, seed = sizes
    CASES.append(Case(f"csum_diff{sizes}", XDP, f"""
        mov %r1, %r10
        add %r1, -512
        mov %r2, 0
    fill:
        mov %r3, %r2
        mul %r3, 0x01010101
        xor %r3, 0x5a5a5a5a
        stxw [%r1], %r3
        add %r1, 4
        add %r2, 1
        jlt %r2, 128, fill
        mov %r1, %r10
        add %r1, -512
        mov %r2, {fs}
        mov %r3, %r10
        add %r3, -256
        mov %r4, {ts}
        mov %r5, {seed}
        call 28
        SAVE 0
        mov %r0, 2
        exit
    """))

CASES.append(Case("perf_event_output_empty", XDP, """
    mov %r6, %r1
    stdw [%r10-8], 0x55
    mov %r1, %r6
    lddw %r2, MAP_perf
    lddw %r3, 0xffffffff
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    SAVE 0
    mov %r1, %r6
    lddw %r2, MAP_perf
    mov %r3, 7
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    SAVE 1
    mov %r1, %r6
    lddw %r2, MAP_perf
    lddw %r3, 0x100000000000
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    SAVE 2
    mov %r1, %r6
    lddw %r2, MAP_perf
    lddw %r3, 0xffff00000000
    mov %r4, %r10
    add %r4, -8
    mov %r5, 8
    call 25
    SAVE 3
    mov %r0, 2
    exit
""", maps={"perf": MapSpec(PERF, 4, 4, 2)}))

# map helper error paths
CASES.append(Case("map_update_array_flags", XDP, """
    stdw [%r10-16], 42
    UPD 0 0
    SAVE 0
    UPD 0 1
    SAVE 1
    UPD 0 2
    SAVE 2
    UPD 0 4
    SAVE 3
    UPD 0 5
    SAVE 4
    UPD 9 0
    SAVE 5
    DEL 0
    SAVE 6
    mov %r0, 2
    exit
""", maps={"m": MapSpec(ARRAY, 4, 8, 4)}))
CASES.append(Case("map_update_hash_flags", XDP, """
    stw [%r10-4], 1
    stdw [%r10-16], 7
    UPD 1 1
    SAVE 0
    UPD 1 1
    SAVE 1
    UPD 1 2
    SAVE 2
    UPD 2 2
    SAVE 3
    UPD 2 0
    SAVE 4
    UPD 3 0
    SAVE 5
    DEL 1
    SAVE 6
    DEL 1
    SAVE 7
    UPD 4 4
    SAVE 8
    mov %r0, 2
    exit
""", maps={"m": MapSpec(HASH, 4, 8, 2)}))
CASES.append(Case("queue_push_pop", XDP, """
    stdw [%r10-8], 1
    PUSH 0
    SAVE 0
    stdw [%r10-8], 2
    PUSH 0
    SAVE 1
    stdw [%r10-8], 3
    PUSH 0
    SAVE 2
    stdw [%r10-8], 4
    PUSH 2
    SAVE 3
    PUSH 1
    SAVE 4
    POP
    SAVE 5
    ldxdw %r0, [%r10-16]
    SAVE 6
    POP
    POP
    POP
    SAVE 7
    ldxdw %r0, [%r10-16]
    SAVE 8
    mov %r0, 2
    exit
""", maps={"m": MapSpec(QUEUE, 0, 8, 2)}))
CASES.append(Case("percpu_array_and_lru_hash", XDP, """
    stw [%r10-4], 1
    lddw %r1, MAP_pc
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, skip
    mov %r1, 5
    stxdw [%r0], %r1
skip:
    stdw [%r10-16], 3
    stw [%r10-4], 1
    LUPD
    stw [%r10-4], 2
    LUPD
    stw [%r10-4], 3
    LUPD
    SAVE 0
    mov %r0, 2
    exit
""", maps={"pc": MapSpec(PERCPU_ARRAY, 4, 8, 4, init=[(struct.pack("<I", 1), struct.pack("<QQ", 9, 8))]),
           "lru": MapSpec(LRU_HASH, 4, 8, 64)}))


def _macros(text: str) -> str:
    rep = {
        r"UPD (\d+) (\d+)": lambda m: (f"stw [%r10-4], {m.group(1)}\nlddw %r1, MAP_m\nmov %r2, %r10\nadd %r2, -4\n"
                                       f"mov %r3, %r10\nadd %r3, -16\nmov %r4, {m.group(2)}\ncall 2"),
        r"DEL (\d+)": lambda m: (f"stw [%r10-4], {m.group(1)}\nlddw %r1, MAP_m\nmov %r2, %r10\nadd %r2, -4\n"
                                 "call 3"),
        r"PUSH (\d+)": lambda m: f"lddw %r1, MAP_m\nmov %r2, %r10\nadd %r2, -8\nmov %r3, {m.group(1)}\ncall 87",
        r"POP": lambda m: "stdw [%r10-16], -1\nlddw %r1, MAP_m\nmov %r2, %r10\nadd %r2, -16\ncall 88",
        r"LUPD": lambda m: ("lddw %r1, MAP_lru\nmov %r2, %r10\nadd %r2, -4\nmov %r3, %r10\nadd %r3, -16\n"
                            "mov %r4, 0\ncall 2"),
    }
    for pat, fn in rep.items():
        text = re.sub(pat, fn, text)
    return text


for _c in CASES:
    _c.asm = _macros(_c.asm)

# ---- trace_printk return values (the text itself is checked against recorded lines) ----
FMTS = [b"hello\0", b"nl\n\0", b"%d %u %x\0", b"%ld %lx %llu\0", b"%c|%5d|%-5d|%05d\0", b"%s\0",
        b"%p\0", b"%pi4\0", b"%pI4 %pi6\0", b"%pI6\0", b"%s %s\0", b"%d %d %d %d\0", b"%q\0", b"%hd\0", b"no nul", b"%%\0", b"\x01\0",
        b"%pK\0", b"%-+5d\0"]
for i, f in enumerate(FMTS):
    words = [f[j:j + 8].ljust(8, b"\0") for j in range(0, len(f), 8)]
    stores = "\n".join(f"lddw %r1, {hex(int.from_bytes(w, 'little'))}\nstxdw [%r10-{64 - 8 * k}], %r1"
                       for k, w in enumerate(words))
    CASES.append(Case(f"trace_printk[{i}]", XDP, f"""
        stdw [%r10-72], 0x727473
        {stores}
        mov %r1, %r10
        add %r1, -64
        mov %r2, {len(f)}
        mov %r3, {-5 if b"%s" not in f and b"%p" not in f else "%r10"}
        {"add %r3, -72" if b"%s" in f or b"%p" in f else ""}
        mov %r4, 7
        mov %r5, 255
        call 6
        SAVE 0
        mov %r0, 2
        exit
    """))


VFMTS = [(b"%c|%5d|%-5d|%05d\0", 32), (b"%c|%5d|%-5d|%05d\0", 30), (b"%c|%5d|%-5d|%05d\0", 24),
         (b"plain\0", 0), (b"%d %d %d %d %d %d %d %d %d %d %d %d\0", 96),
         (b"%d %d %d %d %d %d %d %d %d %d %d %d %d\0", 104), (b"%ld %lx\0", 16)]
for i, (f, data_len) in enumerate(VFMTS):
    words = [f[j:j + 8].ljust(8, b"\0") for j in range(0, len(f), 8)]
    stores = "\n".join(f"lddw %r1, {hex(int.from_bytes(w, 'little'))}\nstxdw [%r10-{64 - 8 * k}], %r1"
                       for k, w in enumerate(words))
    CASES.append(Case(f"trace_vprintk[{i}]", XDP, f"""
        {stores}
        mov %r1, %r10
        add %r1, -168
        mov %r2, 0
    fill:
        mov %r3, %r2
        add %r3, 65
        stxdw [%r1], %r3
        add %r1, 8
        add %r2, 1
        jlt %r2, 13, fill
        mov %r1, %r10
        add %r1, -64
        mov %r2, {len(f)}
        mov %r3, %r10
        add %r3, -168
        mov %r4, {data_len}
        call 177
        SAVE 0
        mov %r0, 2
        exit
    """))

# ---- skb helpers (sched_cls unless said otherwise) ----
def tc(text: str, **kw: object) -> str:
    return "mov %r6, %r1\n" + text


for off, ln, flags in ((0, 4, 0), (12, 2, 0), (60, 4, 0), (61, 4, 0), (64, 1, 0), (14, 8, 1), (14, 8, 2),
                       (14, 8, 4), (14, 8, 3), (0x7fffffff, 1, 0)):
    CASES.append(Case(f"skb_store_bytes[{off},{ln},{flags}]", SCHED_CLS, f"""
        mov %r6, %r1
        lddw %r1, 0x8877665544332211
        stxdw [%r10-8], %r1
        mov %r1, %r6
        mov %r2, {off}
        mov %r3, %r10
        add %r3, -8
        mov %r4, {ln}
        mov %r5, {flags}
        call 9
        SAVE 0
        mov %r0, 0
        exit
    """))
for off, ln in ((0, 8), (56, 8), (57, 8), (63, 1), (64, 1), (-1, 4)):
    CASES.append(Case(f"skb_load_bytes[{off},{ln}]", SCHED_CLS, f"""
        mov %r6, %r1
        stdw [%r10-8], -1
        mov %r1, %r6
        mov %r2, {off}
        mov %r3, %r10
        add %r3, -8
        mov %r4, {ln}
        call 26
        SAVE 0
        ldxdw %r0, [%r10-8]
        SAVE 1
        mov %r0, 0
        exit
    """))
for off, frm, to, flags in ((24, 0x0011, 0x0022, 2), (24, 0x11223344, 0x55667788, 4), (24, 0, 0xABCD, 0),
                            (24, 1, 0xABCD, 0), (25, 0, 0, 2), (24, 0, 0, 3), (24, 0, 0, 0x10),
                            (62, 0, 0, 2), (64, 0, 0, 2)):
    CASES.append(Case(f"l3_csum_replace[{off},{frm:#x},{to:#x},{flags}]", SCHED_CLS, f"""
        mov %r6, %r1
        mov %r1, %r6
        mov %r2, {off}
        lddw %r3, {frm:#x}
        lddw %r4, {to:#x}
        mov %r5, {flags}
        call 10
        SAVE 0
        mov %r0, 0
        exit
    """, data=TCP80))
for off, frm, to, flags in ((50, 0x5000, 0x5001, 2), (50, 0x0a000001, 0x0b000001, 0x14),
                            (50, 0x0a000001, 0x0b000001, 4), (50, 0, 0x1234, 0x10), (50, 0, 0x1234, 0),
                            (40, 0x1388, 0x1389, 0x22), (40, 0x1388, 0x1389, 0x62), (51, 0, 0, 2),
                            (50, 0, 0, 0x80 | 2), (50, 0, 0, 0x100)):
    data = TCP80 if off == 50 else UDP
    CASES.append(Case(f"l4_csum_replace[{off},{frm:#x},{to:#x},{flags:#x}]", SCHED_CLS, f"""
        mov %r6, %r1
        mov %r1, %r6
        mov %r2, {off}
        lddw %r3, {frm:#x}
        lddw %r4, {to:#x}
        mov %r5, {flags}
        call 11
        SAVE 0
        mov %r0, 0
        exit
    """, data=data))
# a zero UDP checksum with BPF_F_MARK_MANGLED_0: left alone unless forced
CASES.append(Case("l4_csum_mangled_zero", SCHED_CLS, """
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 40
    mov %r3, 0
    mov %r4, 0
    stw [%r10-4], 0
    mov %r5, 0x22
    call 11
    SAVE 0
    mov %r0, 0
    exit
""", data=PKT64))
for prot, tci in ((0x0081, 5), (0xA888, 7), (0x1234, 9)):
    CASES.append(Case(f"skb_vlan_push_twice[{prot:#x}]", SCHED_CLS, f"""
        mov %r6, %r1
        mov %r1, %r6
        mov %r2, {prot}
        mov %r3, {tci}
        call 18
        SAVE 0
        ldxw %r0, [%r6+48]
        mov %r1, %r6
        mov %r2, 0x0081
        mov %r3, 3
        call 18
        SAVE 1
        mov %r0, 0
        exit
    """))
for name, data in (("untagged", PKT64), ("vlan", VLAN), ("qinq", QINQ)):
    CASES.append(Case(f"skb_vlan_pop[{name}]", SCHED_CLS, """
        mov %r6, %r1
        call 19
        SAVE 0
        mov %r1, %r6
        call 19
        SAVE 1
        mov %r0, 0
        exit
    """.replace("call 19\n        SAVE 0", "mov %r1, %r6\n        call 19\n        SAVE 0"), data=data))
for new_len, flags in ((40, 0), (14, 0), (13, 0), (100, 0), (64, 1), (1000, 0), (70000, 0)):
    CASES.append(Case(f"skb_change_tail[{new_len},{flags}]", SCHED_CLS, f"""
        mov %r6, %r1
        mov %r1, %r6
        mov %r2, {new_len}
        mov %r3, {flags}
        call 38
        SAVE 0
        mov %r0, 0
        exit
    """))
for room, flags in ((0, 0), (4, 0), (100, 0), (4, 1)):
    CASES.append(Case(f"skb_change_head[{room},{flags}]", SCHED_CLS, f"""
        mov %r6, %r1
        mov %r1, %r6
        mov %r2, {room}
        mov %r3, {flags}
        call 43
        SAVE 0
        mov %r0, 0
        exit
    """))
CASES.append(Case("tc_redirect", SCHED_CLS, "mov %r1, 3\nmov %r2, 1\ncall 23\nSAVE 0\nmov %r1, 3\nmov %r2, 2\n"
                  "call 23\nSAVE 1\nmov %r1, 3\nmov %r2, 0\ncall 23\nexit"))

# ---- test_run itself ----
CTX_SKB = bytearray(192)
struct.pack_into("<I", CTX_SKB, 8, 0x77)       # mark
struct.pack_into("<II", CTX_SKB, 32, 5, 1)     # priority, ingress_ifindex
struct.pack_into("<I", CTX_SKB, 48, 0xCAFE)    # cb[0]
struct.pack_into("<II", CTX_SKB, 160, 100, 3)  # wire_len, gso_segs
struct.pack_into("<I", CTX_SKB, 176, 1400)     # gso_size
def _cgroup_skb_reads(text: str) -> str:
    """cgroup_skb may not read wire_len, gso_*, data/data_end pairs the same way: drop them."""
    drop = ("[%r6+160]", "[%r6+164]", "[%r6+176]", "[%r6+80]", "[%r6+76]")
    lines = text.splitlines()
    out, skip = [], False
    for ln in lines:
        if any(d in ln for d in drop):
            skip = True
            continue
        if skip and (ln.strip().startswith("SAVE") or ln.strip().startswith("sub")):
            if ln.strip().startswith("SAVE"):
                skip = False
            continue
        out.append(ln)
    return "\n".join(out)


READ_SKB = """
    mov %r6, %r1
    ldxw %r0, [%r6+0]
    SAVE 0
    ldxw %r0, [%r6+4]
    SAVE 1
    ldxw %r0, [%r6+8]
    SAVE 2
    ldxw %r0, [%r6+16]
    SAVE 3
    ldxw %r0, [%r6+32]
    SAVE 4
    ldxw %r0, [%r6+36]
    SAVE 5
    ldxw %r0, [%r6+40]
    SAVE 6
    ldxw %r0, [%r6+48]
    SAVE 7
    ldxw %r0, [%r6+160]
    SAVE 8
    ldxw %r0, [%r6+164]
    SAVE 9
    ldxw %r0, [%r6+176]
    SAVE 10
    ldxw %r0, [%r6+80]
    ldxw %r1, [%r6+76]
    sub %r0, %r1
    SAVE 11
    stw [%r6+8], 0x99
    stw [%r6+52], 0x1234
    mov %r0, 1
    exit
"""
for ptype in (SCHED_CLS, CGROUP_SKB):
    for name, ctx in (("none", None), ("ctx", bytes(CTX_SKB)), ("bad_field", bytes(CTX_SKB[:12]) + b"\1" + bytes(179)),
                      ("wire_len_short", bytes(CTX_SKB[:160]) + struct.pack("<I", 10) + bytes(CTX_SKB[164:])),
                      ("ifindex_missing", bytes(CTX_SKB[:40]) + struct.pack("<I", 99) + bytes(CTX_SKB[44:]))):
        asm = READ_SKB if ptype == SCHED_CLS else _cgroup_skb_reads(READ_SKB)
        CASES.append(Case(f"skb_ctx[{ptype},{name}]", ptype, asm, ctx_in=ctx, ctx_out=192 if ctx else 0,
                          expected_attach_type=0 if ptype != CGROUP_SKB else 0))
CASES.append(Case("skb_ctx_out_only", SCHED_CLS, READ_SKB, ctx_out=192))
CASES.append(Case("skb_flags_cpu", SCHED_CLS, "mov %r0, 0\nexit", cpu=1))
CASES.append(Case("skb_flags", SCHED_CLS, "mov %r0, 0\nexit", flags=1))
CASES.append(Case("socket_filter_data_out", SOCKET_FILTER, "mov %r0, 7\nexit", data=UDP))
CASES.append(Case("socket_filter_ld_abs", SOCKET_FILTER, """
    mov %r6, %r1
    ldabsh 12
    mov %r7, %r0
    ldabsb 9
    lsh %r7, 8
    or %r0, %r7
    SAVE 0
    mov %r2, 20
    ldindh %r2, 2
    SAVE 1
    ldabsw 1000
    mov %r0, 5
    exit
""", data=UDP))
# the guards the verifier puts around divisions: x / 0 = 0, x % 0 = x, and for the signed
# forms (register or immediate -1) INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0, 32-bit results
# zero-extended
CASES.append(Case("divmod_by_zero_and_minus_one", XDP, """
    lddw %r6, 0x8000000000000000
    lddw %r5, 0xffffffff80000000
    mov %r7, 0
    mov %r8, -1
    mov %r0, %r6
    sdiv %r0, %r8
    SAVE 0
    mov %r0, %r6
    smod %r0, %r8
    SAVE 1
    mov %r0, %r6
    sdiv %r0, %r7
    SAVE 2
    mov %r0, %r6
    smod %r0, %r7
    SAVE 3
    mov %r0, %r5
    sdiv32 %r0, %r8
    SAVE 4
    mov %r0, %r5
    smod32 %r0, %r8
    SAVE 5
    mov %r0, %r5
    sdiv32 %r0, %r7
    SAVE 6
    mov %r0, %r5
    smod32 %r0, %r7
    SAVE 7
    mov %r0, %r6
    div %r0, %r7
    SAVE 8
    mov %r0, %r6
    mod %r0, %r7
    SAVE 9
    mov %r0, %r5
    div32 %r0, %r7
    SAVE 10
    mov %r0, %r5
    mod32 %r0, %r7
    SAVE 11
    mov %r0, %r6
    sdiv %r0, -1
    SAVE 12
    mov %r0, %r6
    smod %r0, -1
    SAVE 13
    mov %r0, %r5
    sdiv32 %r0, -1
    SAVE 14
    mov %r0, %r5
    smod32 %r0, -1
    SAVE 15
    mov %r0, 2
    exit
"""))
CASES.append(Case("checksum_complete_kept", SCHED_CLS, "mov %r0, 0\nexit", flags=4, data=UDP))
CASES.append(Case("checksum_complete_broken", SCHED_CLS, """
    mov %r6, %r1
    stdw [%r10-8], 0x1234
    mov %r1, %r6
    mov %r2, 30
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 0
    call 9
    mov %r0, 0
    exit
""", flags=4, data=UDP))
CASES.append(Case("checksum_complete_recomputed", SCHED_CLS, """
    mov %r6, %r1
    stdw [%r10-8], 0x1234
    mov %r1, %r6
    mov %r2, 31
    mov %r3, %r10
    add %r3, -8
    mov %r4, 2
    mov %r5, 1
    call 9
    mov %r0, 0
    exit
""", flags=4, data=UDP))
for size in (0, 16, 63, 64, 65):
    CASES.append(Case(f"xdp_data_out_size[{size}]", XDP, "mov %r0, 2\nexit", data_out=size or None))
    CASES.append(Case(f"skb_data_out_size[{size}]", SCHED_CLS, "mov %r0, 0\nexit", data_out=size or None))
CASES.append(Case("xdp_frags", XDP, xdp_call(ADJUST_HEAD, 14), data=bytes(range(256)) * 16))
CASES.append(Case("xdp_live_frames_drop", XDP, "mov %r0, 1\nexit", flags=2, data_out=None, repeat=3))
CASES.append(Case("xdp_unknown_flag", XDP, "mov %r0, 2\nexit", flags=4))
CASES.append(Case("xdp_cpu", XDP, "mov %r0, 2\nexit", cpu=1))
CASES.append(Case("xdp_repeat_map_counter", XDP, """
    stw [%r10-4], 0
    lddw %r1, MAP_m
    mov %r2, %r10
    add %r2, -4
    call 1
    jeq %r0, 0, out
    mov %r1, 1
    lock add [%r0], %r1
out:
    mov %r0, 2
    exit
""", maps={"m": MapSpec(ARRAY, 4, 8, 1)}, repeat=7))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_same_as_real_kernel(case: Case, tmp_path: Path) -> None:
    check(case, tmp_path)


def test_cases_cover_the_helpers() -> None:
    used = {int(m) for c in CASES for m in re.findall(r"call (\d+)", c.asm)}
    assert {1, 2, 3, 6, 9, 10, 11, 18, 19, 23, 25, 26, 28, 38, 43, 44, 51, 54, 65, 87, 88, 177} <= used


def test_tail_calls_and_the_limit(tmp_path: Path) -> None:
    """A program that tail-calls itself through a prog_array: 33 tail calls, then falls through."""
    if not have_real():
        pytest.skip("needs root and the real kernel's bpf()")
    text = """
        mov %r6, %r1
        stw [%r10-4], 0
        lddw %r1, MAP_m
        mov %r2, %r10
        add %r2, -4
        call 1
        jeq %r0, 0, out
        mov %r1, 1
        lock add [%r0], %r1
        mov %r1, %r6
        lddw %r2, MAP_pa
        mov %r3, 0
        call 12
        mov %r1, %r6
        lddw %r2, MAP_pa
        mov %r3, 1
        call 12
    out:
        mov %r0, 3
        exit
    """
    results = []
    for side in (Real(), Sim(tmp_path / "state")):
        try:
            m = side.map(MapSpec(ARRAY, 4, 8, 1))
            pa = side.map(MapSpec(PROG_ARRAY, 4, 4, 2))
            fd = side.prog(XDP, build(_macros(text), {"m": m, "pa": pa}))
            side.update(pa, struct.pack("<I", 0), struct.pack("<I", fd))
            r = side.run(fd, Case("tail", XDP, text))
            r["count"] = side.dump(m, MapSpec(ARRAY, 4, 8, 1))
            side.update(pa, struct.pack("<I", 0), struct.pack("<I", fd))
            results.append(r)
        finally:
            side.close()
    real, sim = results
    assert real["count"][0][1] == struct.pack("<Q", 34)  # the first run + 33 tail calls
    assert sim == real


def test_trace_lines_have_trace_pipes_format(tmp_path: Path) -> None:
    """The lines bpf_trace_printk leaves (checked against the ones recorded on the oracle:
    ``bpftool-9630    [000] b..11  3370.446424: bpf_trace_printk: r=3 4294967295 ff``)."""
    from pykernel.interp import tracebuf
    from pykernel.process import Process
    from pykernel.uapi.attr import TestRunAttr
    from pykernel.uapi.consts import Cmd
    from tests.test_kernel_realsys import SimSys

    proc = Process(tmp_path / "state")
    sim = SimSys(proc)
    fds = {"res": sim.map_create(ARRAY, 4, 128, 1)}
    text = """
        lddw %r1, 0x0000000a6c6e
        stxdw [%r10-8], %r1
        mov %r1, %r10
        add %r1, -8
        mov %r2, 4
        call 6
        mov %r3, %r0
        lddw %r1, 0x7525206425
        stxdw [%r10-16], %r1
        mov %r1, %r10
        add %r1, -16
        mov %r2, 6
        mov %r4, -1
        call 6
        mov %r0, 2
        exit
    """
    fd, _ = sim.prog_load(XDP, build(text, fds))
    proc.bpf(Cmd.PROG_TEST_RUN, TestRunAttr(fd, data_in=PKT64))
    lines = proc.kernel_call(lambda k: tracebuf.read(k))
    assert len(lines) == 2
    pat = r"^ {9}bpftool-\d+ +\[000\] b\.\.11 +\d+\.\d{6}: bpf_trace_printk: "
    assert re.match(pat + r"nl\n$", lines[0]), lines[0]
    assert re.match(pat + r"3 4294967295$", lines[1]), lines[1]
    assert proc.kernel_call(lambda k: tracebuf.read(k)) == []  # reading consumes (trace_pipe)
    proc.exit()


def test_ctypes_harness_sees_real_errors() -> None:
    """The harness reports errno from the real syscall (a bad fd is EBADF)."""
    if not have_real():
        pytest.skip("needs root and the real kernel's bpf()")
    r = Real().run(12345, Case("x", XDP, ""))
    assert r["err"] == 9
    assert ctypes.sizeof(ctypes.c_void_p) == 8
