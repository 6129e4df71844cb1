"""The map API programs use (the interpreter and helpers), and the write-back after a run.

Inside one kernel call (``Process.kernel_call``, as a test run is) a program gets live
buffers from ``value_buf``; whatever it writes there is in the map after the call, and
nothing else changes.
"""

from __future__ import annotations

import errno
import struct
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.clock import Clock, prandom_state
from pykernel.config import NR_CPUS
from pykernel.uapi.attr import MapCreateAttr, MapElemAttr
from pykernel.uapi.consts import Cmd, MapType

K = lambda i: struct.pack("<I", i)  # noqa: E731


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def mk(p: Process, t: int, ks: int = 4, vs: int = 8, me: int = 4, flags: int = 0, **kw: object) -> int:
    return p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=t, key_size=ks, value_size=vs, max_entries=me,
                                               map_flags=flags, **kw))


def mid(p: Process, fd: int) -> int:
    return p.kernel_call(lambda k: k.map_fd(fd)[0].id)


def lookup(p: Process, fd: int, key: bytes | None, size: int) -> bytes:
    v = bytearray(size)
    p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=key, value=v))
    return bytes(v)


def test_array_values_are_one_bytearray_with_8_byte_stride(p: Process) -> None:
    fd = mk(p, MapType.ARRAY, vs=5, me=3)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(2), value=b"hello"))
    m_id = mid(p, fd)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        m = k.map(m_id)
        assert m.elem_size == 8
        assert len(m.values) == 24
        assert bytes(m.values[16:21]) == b"hello"
        buf, off = m.value_buf(K(1))
        assert buf is m.values and off == 8
        buf[off:off + 5] = b"world"
        assert m.value_buf(K(3)) is None

    p.kernel_call(prog)
    assert lookup(p, fd, K(1), 5) == b"world"
    assert lookup(p, fd, K(2), 5) == b"hello"


def test_percpu_array_buffers_per_cpu(p: Process) -> None:
    fd = mk(p, MapType.PERCPU_ARRAY, vs=4, me=2)
    m_id = mid(p, fd)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        m = k.map(m_id)
        for cpu in range(NR_CPUS):
            buf, off = m.value_buf(K(1), cpu)
            buf[off:off + 4] = struct.pack("<I", 100 + cpu)

    p.kernel_call(prog)
    assert lookup(p, fd, K(1), 8 * NR_CPUS) == b"".join(struct.pack("<Q", 100 + c) for c in range(NR_CPUS))


def test_hash_prog_update_delete_and_errnos(p: Process) -> None:
    fd = mk(p, MapType.HASH, vs=8, me=2)
    m_id = mid(p, fd)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        m = k.map(m_id)
        assert m.value_buf(K(1)) is None
        assert m.prog_update(K(1), b"\1" * 8, 0) == 0
        assert m.prog_update(K(1), b"\2" * 8, 1) == -errno.EEXIST
        assert m.prog_update(K(9), b"\2" * 8, 2) == -errno.ENOENT
        assert m.prog_update(K(2), b"\2" * 8, 0) == 0
        assert m.prog_update(K(3), b"\3" * 8, 0) == -errno.E2BIG
        assert m.prog_update(K(2), b"\2" * 8, 5) == -errno.EINVAL
        buf, off = m.value_buf(K(2))
        buf[off] = 0x77
        assert m.prog_delete(K(1)) == 0
        assert m.prog_delete(K(1)) == -errno.ENOENT

    p.kernel_call(prog)
    assert lookup(p, fd, K(2), 8) == b"\x77" + b"\2" * 7
    with pytest.raises(OSError):
        lookup(p, fd, K(1), 8)


def test_percpu_hash_prog_update_touches_only_the_current_cpu(p: Process) -> None:
    fd = mk(p, MapType.PERCPU_HASH, vs=4, me=2)
    m_id = mid(p, fd)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        k.cpu = 1
        m = k.map(m_id)
        assert m.prog_update(K(5), b"\xaa\xbb\xcc\xdd", 0) == 0

    p.kernel_call(prog)
    assert lookup(p, fd, K(5), 16) == bytes(8) + b"\xaa\xbb\xcc\xdd" + bytes(4)


def test_lru_lookup_by_a_program_protects_from_eviction(p: Process) -> None:
    """A referenced node survives a shrink that evicts unreferenced ones."""
    fd = mk(p, MapType.LRU_HASH, vs=8, me=4, flags=0x40)
    for i in range(4):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(i), value=bytes(8)))
    m_id = mid(p, fd)

    def touch(k) -> None:  # type: ignore[no-untyped-def]
        assert k.map(m_id).value_buf(K(0)) is not None

    p.kernel_call(touch)
    for i in range(4, 7):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(i), value=bytes(8)))
    assert lookup(p, fd, K(0), 8) == bytes(8)  # 0 was referenced, 1 and 2 went first
    with pytest.raises(OSError):
        lookup(p, fd, K(1), 8)


def test_queue_and_stack_from_programs(p: Process) -> None:
    q = mk(p, MapType.QUEUE, ks=0, vs=4, me=2)
    s = mk(p, MapType.STACK, ks=0, vs=4, me=2)
    qi, si = mid(p, q), mid(p, s)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        for m_id in (qi, si):
            m = k.map(m_id)
            assert m.prog_push(K(1)) == 0
            assert m.prog_push(K(2)) == 0
            assert m.prog_push(K(3)) == -errno.E2BIG
        out = bytearray(4)
        assert k.map(qi).prog_peek(out) == 0 and out == K(1)
        assert k.map(si).prog_pop(out) == 0 and out == K(2)

    p.kernel_call(prog)
    assert lookup(p, q, None, 4) == K(1)
    assert lookup(p, s, None, 4) == K(1)


def test_lpm_value_buf_is_longest_prefix(p: Process) -> None:
    fd = mk(p, MapType.LPM_TRIE, ks=8, vs=4, me=8, flags=1)
    for plen, val in ((8, 1), (16, 2), (24, 3)):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=struct.pack("<IBBBB", plen, 10, 1, 2, 0),
                                               value=K(val)))
    m_id = mid(p, fd)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        m = k.map(m_id)
        buf, off = m.value_buf(struct.pack("<IBBBB", 32, 10, 1, 9, 9))
        assert bytes(buf[off:off + 4]) == K(2)
        buf[off:off + 4] = K(20)
        assert m.value_buf(struct.pack("<IBBBB", 32, 11, 0, 0, 0)) is None

    p.kernel_call(prog)
    assert lookup(p, fd, struct.pack("<IBBBB", 16, 10, 1, 0, 0), 4) == K(20)


def test_fd_maps_expose_ids_to_programs(p: Process) -> None:
    inner = mk(p, MapType.ARRAY, vs=4, me=1)
    aom = mk(p, MapType.ARRAY_OF_MAPS, vs=4, me=2, inner_map_fd=inner)
    hom = mk(p, MapType.HASH_OF_MAPS, vs=4, me=2, inner_map_fd=inner)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=aom, key=K(1), value=K(inner)))
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=hom, key=K(9), value=K(inner)))
    iid, ai, hi = mid(p, inner), mid(p, aom), mid(p, hom)

    def prog(k) -> None:  # type: ignore[no-untyped-def]
        assert k.map(ai).inner_map_id(K(1)) == iid
        assert k.map(ai).inner_map_id(K(0)) is None
        assert k.map(hi).inner_map_id(K(9)) == iid
        assert k.map(hi).prog_update(K(1), K(inner), 0) < 0

    p.kernel_call(prog)


def test_for_each_visits_in_iteration_order(p: Process) -> None:
    fd = mk(p, MapType.HASH, vs=4, me=8, flags=0x40)
    for i in range(5):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(i), value=K(i)))
    m_id = mid(p, fd)
    order = []
    k_ = None
    while True:
        nk = bytearray(4)
        try:
            p.bpf(Cmd.MAP_GET_NEXT_KEY, MapElemAttr(map_fd=fd, key=k_, next_key=nk))
        except OSError:
            break
        order.append(bytes(nk))
        k_ = bytes(nk)
    seen = p.kernel_call(lambda k: [key for key, _ in k.map(m_id).for_each()])
    assert seen == order


def test_nothing_written_when_nothing_changed(p: Process) -> None:
    fd = mk(p, MapType.ARRAY, vs=8, me=1000)
    m_id = mid(p, fd)

    def rows(k) -> int:  # type: ignore[no-untyped-def]
        return k.tx.val("SELECT count(*) FROM map_elems WHERE map = ?", (m_id,))

    def read_only(k) -> None:  # type: ignore[no-untyped-def]
        _ = bytes(k.map(m_id).values)

    p.kernel_call(read_only)
    assert p.kernel_call(rows) == 0  # zero elements are not stored

    def write_one(k) -> None:  # type: ignore[no-untyped-def]
        buf, off = k.map(m_id).value_buf(K(500))
        buf[off] = 1

    p.kernel_call(write_one)
    assert p.kernel_call(rows) == 1


def test_clock_and_prandom_persist_and_are_deterministic(tmp_path: Path) -> None:
    a = Process(tmp_path)
    t0 = a.kernel_call(lambda k: k.clock.ktime_ns())

    def step(k) -> list[int]:  # type: ignore[no-untyped-def]
        k.clock.advance(1000)
        return [k.clock.prandom_u32() for _ in range(3)]

    r1 = a.kernel_call(step)
    a.exit()
    b = Process(tmp_path)
    assert b.kernel_call(lambda k: k.clock.ktime_ns()) == t0 + 1000
    r2 = b.kernel_call(lambda k: [k.clock.prandom_u32() for _ in range(3)])
    b.exit()
    assert r1 != r2
    store: dict[str, object] = {}
    c = Clock(store.get, store.__setitem__)
    assert [c.prandom_u32() for _ in range(6)] == r1 + r2  # same seed, same sequence
    assert prandom_state(1) != prandom_state(2)
    with pytest.raises(ValueError):
        c.advance(-1)
