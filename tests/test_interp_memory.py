"""Simulated memory: loads/stores of every width through the executor, and bounds faults
for every region kind (stack, packet window, ctx, read-only data, map values and the
header next to them, unmapped and wrapped addresses), plus atomics."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pykernel.interp import MemFault, Memory, Region, Run, map_address, translate
from pykernel.interp.memory import STACK_SIZE, percpu_offset, stack_top
from pykernel.uapi import insn as I
from pykernel.uapi.opcodes import OPS, Kind, Op

M64 = 0xFFFFFFFFFFFFFFFF
SIZES = [(I.B, 1), (I.H, 2), (I.W, 4), (I.DW, 8)]
EXIT = I.Insn(I.JMP | I.EXIT)


def mov(dst: int, imm: int) -> I.Insn:
    return I.Insn(I.ALU64 | I.MOV, dst, 0, 0, imm)


def ldx(size: int, dst: int, src: int, off: int, signed: bool = False) -> I.Insn:
    return I.Insn(I.LDX | (I.MEMSX if signed else I.MEM) | size, dst, src, off, 0)


def stx(size: int, dst: int, src: int, off: int) -> I.Insn:
    return I.Insn(I.STX | I.MEM | size, dst, src, off, 0)


def run_with(insns: list[I.Insn], *regions: Region, r1: int = 0, r2: int = 0) -> tuple[int, Run]:
    run = Run()
    for r in regions:
        run.mem.add(r)
    return run.run(translate(insns, name="mem-test"), r1, r2), run


# --- plain accesses -------------------------------------------------------------------------

@pytest.mark.parametrize("size,n", SIZES)
@settings(max_examples=25, deadline=None)
@given(value=st.integers(0, M64), off=st.integers(0, 24))
def test_store_then_load_every_width_generic_and_stack(size: int, n: int, value: int, off: int) -> None:
    base = 0xFFFF_8000_0000_0000
    buf = bytearray(32)
    lo, hi = I.ld_imm64(3, value)
    prog = [lo, hi,
            stx(size, 1, 3, off), ldx(size, 4, 1, off),          # through a pointer
            stx(size, 10, 3, -32 + off), ldx(size, 5, 10, -32 + off),  # r10-relative fast path
            I.Insn(I.ALU64 | I.XOR | I.X, 4, 5, 0, 0),           # must be equal: 0
            I.Insn(I.ALU64 | I.LSH, 4, 0, 0, 32),
            I.Insn(I.ALU64 | I.OR | I.X, 4, 5, 0, 0),
            I.Insn(I.ALU64 | I.MOV | I.X, 0, 4, 0, 0), EXIT]
    r0, _ = run_with(prog, Region("buf", "test", base, buf), r1=base)
    assert r0 == value & ((1 << (8 * n)) - 1)
    assert buf[off:off + n] == (value & ((1 << (8 * n)) - 1)).to_bytes(n, "little")


@pytest.mark.parametrize("size,n", SIZES[:3])
@pytest.mark.parametrize("through_stack", [False, True])
def test_sign_extending_loads(size: int, n: int, through_stack: bool) -> None:
    base = 0xFFFF_8000_0000_0000
    buf = bytearray(b"\x80\xff\xff\xff\x7f\x00\x00\x00")
    prog = [ldx(I.DW, 2, 1, 0), stx(I.DW, 10, 2, -8),
            ldx(size, 0, 10 if through_stack else 1, -8 if through_stack else 0, signed=True), EXIT]
    r0, _ = run_with(prog, Region("buf", "test", base, buf), r1=base)
    raw = int.from_bytes(buf[:n], "little")
    assert r0 == (raw - (1 << (8 * n)) if raw >> (8 * n - 1) else raw) & M64


def test_st_imm_is_truncated_to_width() -> None:
    prog = [I.Insn(I.ST | I.MEM | I.H, 10, 0, -2, -1), I.Insn(I.ST | I.MEM | I.W, 10, 0, -8, -2),
            ldx(I.H, 0, 10, -2), ldx(I.W, 1, 10, -8), I.Insn(I.ALU64 | I.LSH, 0, 0, 0, 32),
            I.Insn(I.ALU64 | I.OR | I.X, 0, 1, 0, 0), EXIT]
    assert run_with(prog)[0] == (0xFFFF << 32) | 0xFFFFFFFE


def test_stack_variable_offset_and_frame_layout() -> None:
    # stack.data's pattern: r2 = r10 + (r1 & 1) * 8 - 16, through the generic path
    prog = [I.Insn(I.ST | I.MEM | I.DW, 10, 0, -16, 111), I.Insn(I.ST | I.MEM | I.DW, 10, 0, -8, 222),
            I.Insn(I.ALU64 | I.AND, 1, 0, 0, 1), I.Insn(I.ALU64 | I.LSH, 1, 0, 0, 3),
            I.Insn(I.ALU64 | I.MOV | I.X, 2, 10, 0, 0), I.Insn(I.ALU64 | I.ADD | I.X, 2, 1, 0, 0),
            ldx(I.DW, 0, 2, -16), EXIT]
    tr = translate(prog)
    assert Run().run(tr, 0) == 111
    assert Run().run(tr, 1) == 222
    assert stack_top(0) % 512 == 0 and stack_top(1) - stack_top(0) == 1 << 32


# --- faults, per region kind -------------------------------------------------------------------

def fault_of(prog: list[I.Insn], *regions: Region, r1: int = 0) -> MemFault:
    with pytest.raises(MemFault) as info:
        run_with(prog, *regions, r1=r1)
    return info.value


@pytest.mark.parametrize("off", [0, 8, -513, -520, 0x7FFF])
def test_stack_static_offsets_outside_the_frame_fault(off: int) -> None:
    f = fault_of([I.Insn(I.ST | I.MEM | I.B, 10, 0, off, 0), mov(0, 0), EXIT])
    assert f.access == "store" and f.pc == 0


def test_stack_pointer_arithmetic_outside_the_frame_faults() -> None:
    prog = [I.Insn(I.ALU64 | I.MOV | I.X, 1, 10, 0, 0), I.Insn(I.ALU64 | I.ADD, 1, 0, 0, -(STACK_SIZE + 8)),
            ldx(I.DW, 0, 1, 0), EXIT]
    f = fault_of(prog)
    assert f.access == "load" and f.pc == 2 and "outside" in f.why
    # a frame's stack cannot reach the next frame's
    prog = [I.Insn(I.ALU64 | I.MOV | I.X, 1, 10, 0, 0), ldx(I.B, 0, 1, 0), EXIT]
    assert fault_of(prog).addr == stack_top(0)


def test_packet_window_moves_with_set_window() -> None:
    mem = Memory()
    base = mem.alloc_slot()
    pkt = Region("packet", "packet", base, bytearray(range(256)) * 2, base + 256, base + 320)
    mem.add(pkt)
    data, end = base + 256, base + 320
    prog = [ldx(I.B, 0, 1, 0), EXIT]
    tr = translate(prog)
    run = Run(mem)
    assert run.run(tr, data) == 0 and run.run(tr, end - 1) == 63
    for bad in (data - 1, end, base):  # headroom and tailroom are outside the window
        with pytest.raises(MemFault):
            run.run(tr, bad)
    pkt.set_window(data - 14, end)  # bpf_xdp_adjust_head(-14)
    assert run.run(tr, data - 1) == 255
    pkt.set_window(data, end - 10)   # bpf_xdp_adjust_tail(-10)
    with pytest.raises(MemFault):
        run.run(tr, end - 5)
    with pytest.raises(ValueError):
        pkt.set_window(base - 1, end)


def test_read_only_regions_reject_stores_but_allow_loads() -> None:
    base = 0xFFFF_8000_0000_0000
    ro = Region("ctx", "ctx", base, bytearray(b"\x2a" + bytes(7)), writable=False)
    assert run_with([ldx(I.B, 0, 1, 0), EXIT], ro, r1=base)[0] == 42
    ro = Region("ctx", "ctx", base, bytearray(8), writable=False)
    f = fault_of([I.Insn(I.ST | I.MEM | I.W, 1, 0, 0, 1), mov(0, 0), EXIT], ro, r1=base)
    assert "read-only" in f.why
    ro = Region("rodata", "map_value", base, bytearray(8), writable=False)
    f = fault_of([mov(2, 1), I.Insn(I.STX | I.ATOMIC | I.DW, 1, 2, 0, I.ADD), mov(0, 0), EXIT], ro, r1=base)
    assert "read-only" in f.why


def test_array_values_and_map_header_share_a_slot() -> None:
    """Values are the slot's fast-path region; the header next to them is found by the slow path."""
    addr = map_address(7)
    header = Region("map[7] header", "map", addr, bytearray(struct.pack("<I", 0xABCD) + bytes(308)),
                    writable=False)
    values = Region("map[7] values", "map_value", addr + 312, bytearray(16))
    prog = [ldx(I.W, 0, 1, 0), I.Insn(I.ST | I.MEM | I.DW, 1, 0, 312 + 8, 5), ldx(I.DW, 2, 1, 312 + 8),
            I.Insn(I.ALU64 | I.ADD | I.X, 0, 2, 0, 0), EXIT]
    r0, _ = run_with(prog, header, values, r1=addr)
    assert r0 == 0xABCD + 5
    # one past the last value, and a store into the header
    assert "outside" in fault_of([ldx(I.B, 0, 1, 312 + 16), EXIT],
                                 Region("h", "map", addr, bytearray(312), writable=False),
                                 Region("v", "map_value", addr + 312, bytearray(16)), r1=addr).why
    assert "read-only" in fault_of([I.Insn(I.ST | I.MEM | I.B, 1, 0, 0, 1), mov(0, 0), EXIT],
                                   Region("h", "map", addr, bytearray(312), writable=False),
                                   Region("v", "map_value", addr + 312, bytearray(16)), r1=addr).why


@pytest.mark.parametrize("r1", [0, 1, M64, M64 - 7, 0xFFFF_7000_0000_0000])
def test_unmapped_null_and_wrapping_addresses_fault(r1: int) -> None:
    for size, n in SIZES:
        f = fault_of([ldx(size, 0, 1, 7), EXIT], r1=r1)
        assert f.size == n
        f = fault_of([stx(size, 1, 1, 7), mov(0, 0), EXIT], r1=r1)
        assert f.access == "store"


def test_access_straddling_the_window_end_faults() -> None:
    base = 0xFFFF_8000_0000_0000
    reg = Region("buf", "test", base, bytearray(16))
    assert fault_of([ldx(I.DW, 0, 1, 12), EXIT], reg, r1=base).size == 8
    reg = Region("buf", "test", base, bytearray(16))
    assert fault_of([stx(I.W, 1, 1, 14), mov(0, 0), EXIT], reg, r1=base).size == 4


def test_region_bookkeeping_errors() -> None:
    mem = Memory()
    base = mem.alloc_slot()
    mem.add(Region("a", "test", base, bytearray(16)))
    with pytest.raises(ValueError, match="overlaps"):
        mem.add(Region("b", "test", base + 8, bytearray(16)))
    with pytest.raises(ValueError, match="slot"):
        Region("c", "test", (1 << 32) - 8, bytearray(16))
    r = mem.find(base + 4, 4)
    assert r is not None and r.name == "a"
    mem.remove(r)
    assert mem.find(base + 4, 4) is None and not mem.rd.get(base >> 32)


def test_helper_side_accessors() -> None:
    mem = Memory()
    base = mem.alloc_slot()
    mem.add(Region("s", "test", base, bytearray(b"hello\0world")))
    assert mem.read_cstr(base) == b"hello" and mem.read_cstr(base + 5) == b""
    assert mem.read(base + 6, 5) == b"world"
    mem.write(base, b"HE")
    assert mem.read_cstr(base) == b"HEllo"
    with pytest.raises(MemFault):
        mem.read_cstr(base + 6)  # "world" has no NUL inside the window
    with pytest.raises(MemFault):
        mem.read(base + 8, 4)


def test_percpu_mov_form() -> None:
    """``mov64 r0, r0`` with off=-1 (BPF_ADDR_PERCPU) adds this CPU's offset."""
    p = 0xFFFF_8888_0000_0040
    lo, hi = I.ld_imm64(1, p)
    prog = [lo, hi, I.Insn(I.ALU64 | I.MOV | I.X, 0, 1, -1, 0), EXIT]
    tr = translate(prog)
    assert Run(cpu=0).run(tr) == p
    assert Run(cpu=1).run(tr) == (p + percpu_offset(1)) & M64


# --- atomics ------------------------------------------------------------------------------------

ATOMICS = [op for op in OPS if op.kind is Kind.ATOMIC]


@pytest.mark.parametrize("op", ATOMICS, ids=lambda o: o.name)
@settings(max_examples=25, deadline=None)
@given(old=st.integers(0, M64), src=st.integers(0, M64), r0=st.integers(0, M64), on_stack=st.booleans())
def test_atomics(op: Op, old: int, src: int, r0: int, on_stack: bool) -> None:
    base = 0xFFFF_8000_0000_0000
    mask = (1 << op.width) - 1
    buf = bytearray(struct.pack("<QQQ", old, src, r0))
    ptr = 10 if on_stack else 1
    off = -8 if on_stack else 0
    prog = [ldx(I.DW, 3, 1, 0), stx(I.DW, 10, 3, -8)] if on_stack else []
    prog += [ldx(I.DW, 2, 1, 8), ldx(I.DW, 0, 1, 16),
             I.Insn(op.code, ptr, 2, off, op.imm or 0),
             ldx(I.DW, 4, ptr, off)]
    # result: r0 (may be changed by cmpxchg), r2 (fetch), memory -> stored into the buffer
    prog += [stx(I.DW, 1, 0, 16), stx(I.DW, 1, 2, 8), stx(I.DW, 1, 4, 0), mov(0, 0), EXIT]
    run_with(prog, Region("buf", "test", base, buf), r1=base)
    mem_after, src_after, r0_after = struct.unpack("<QQQ", buf)
    cur = old & mask
    if op.name.startswith("atomic_cmpxchg"):
        new = src & mask if cur == r0 & mask else cur
        assert r0_after == cur and src_after == src
    else:
        assert op.fn is not None
        new = op.fn(cur, src & mask)
        assert src_after == (cur if op.imm & I.FETCH else src)
        assert r0_after == r0
    assert mem_after == (old & ~mask & M64) | new
