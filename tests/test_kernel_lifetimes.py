"""Object lifetimes: fds, pins, references between objects, processes that die.

Linux frees a map or program when its last reference goes; pykernel derives the refcount
from fds of live processes, pins and reference rows. These tests follow objects through
their ids (``MAP_GET_FD_BY_ID`` fails with ENOENT once an object is gone).
"""

from __future__ import annotations

import errno
import multiprocessing as mp
import os
import struct
from pathlib import Path

import pytest

from pykernel import Process, SyscallError
from pykernel.uapi.attr import (
    GetIdAttr,
    InfoAttr,
    MapCreateAttr,
    MapElemAttr,
    MapInfo,
    ObjPinAttr,
    ProgInfo,
    ProgLoadAttr,
)
from pykernel.uapi.consts import Cmd, MapType, ProgType

K = lambda i: struct.pack("<I", i)  # noqa: E731
XDP_OK = bytes.fromhex("b700000002000000" "9500000000000000")


def mk(p: Process, t: int = MapType.HASH, ks: int = 4, vs: int = 4, me: int = 4, **kw: object) -> int:
    return p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=t, key_size=ks, value_size=vs, max_entries=me, **kw))


def map_id(p: Process, fd: int) -> int:
    info = MapInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
    return info.id


def prog_id(p: Process, fd: int) -> int:
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
    return info.id


def alive(p: Process, kind: str, oid: int) -> bool:
    cmd = {"map": Cmd.MAP_GET_FD_BY_ID, "prog": Cmd.PROG_GET_FD_BY_ID}[kind]
    try:
        fd = p.bpf(cmd, GetIdAttr(start_id=oid))
    except SyscallError as e:
        assert e.errno == errno.ENOENT
        return False
    p.close(fd)
    return True


def load_xdp(p: Process, insns: bytes = XDP_OK, name: str = "p") -> int:
    return p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=ProgType.XDP, insns=insns, license="GPL",
                                             prog_name=name))


@pytest.fixture
def procs(tmp_path: Path):  # type: ignore[no-untyped-def]
    made: list[Process] = []

    def new() -> Process:
        p = Process(tmp_path)
        made.append(p)
        return p

    yield new
    for p in made:
        p.exit()


def test_fds_start_at_3_lowest_free_first(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    fds = [mk(p) for _ in range(4)]
    assert fds == [3, 4, 5, 6]
    p.close(4)
    assert mk(p) == 4
    assert p.dup(3) == 7
    assert [f for f, _k, _o in p.fds()] == [3, 4, 5, 6, 7]


def test_close_frees_and_ids_are_never_reused(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    fd = mk(p)
    mid = map_id(p, fd)
    p.close(fd)
    assert not alive(p, "map", mid)
    with pytest.raises(SyscallError) as e:
        p.close(fd)
    assert e.value.errno == errno.EBADF
    fd2 = mk(p)
    assert map_id(p, fd2) == mid + 1


def test_dup_keeps_the_object(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    fd = mk(p)
    mid = map_id(p, fd)
    d = p.dup(fd)
    p.close(fd)
    assert alive(p, "map", mid)
    p.close(d)
    assert not alive(p, "map", mid)


def test_pin_keeps_and_unlink_frees(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    fd = mk(p)
    mid = map_id(p, fd)
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/t/m", bpf_fd=fd))
    p.close(fd)
    assert alive(p, "map", mid)
    assert p.pins() == [("/sys/fs/bpf/t/m", "map", mid)]
    assert p.pinned_paths("map", mid) == ["/sys/fs/bpf/t/m"]
    assert p.listdir("/sys/fs/bpf") == [("t", "dir", 0)]
    p.unlink("/sys/fs/bpf/t/m")
    assert not alive(p, "map", mid)
    with pytest.raises(SyscallError) as e:
        p.unlink("/sys/fs/bpf/t/m")
    assert e.value.errno == errno.ENOENT
    with pytest.raises(SyscallError) as e:
        p.unlink("/sys/fs/bpf/t")
    assert e.value.errno == errno.EISDIR
    p.rmdir("/sys/fs/bpf/t")
    assert p.listdir("/sys/fs/bpf") == []


def test_two_processes_share_objects(procs) -> None:  # type: ignore[no-untyped-def]
    a, b = procs(), procs()
    fd = mk(a, t=MapType.ARRAY, vs=8, me=2)
    mid = map_id(a, fd)
    a.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(1), value=b"abcdefgh"))
    bfd = b.bpf(Cmd.MAP_GET_FD_BY_ID, GetIdAttr(start_id=mid))
    assert bfd == 3  # b's own fd table
    a.exit()
    v = bytearray(8)
    b.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=bfd, key=K(1), value=v))
    assert bytes(v) == b"abcdefgh"  # b's fd kept it alive
    b.close(bfd)
    c = procs()
    assert not alive(c, "map", mid)


def test_exit_frees_unpinned_objects(procs) -> None:  # type: ignore[no-untyped-def]
    a = procs()
    fd1, fd2 = mk(a), mk(a)
    m1, m2 = map_id(a, fd1), map_id(a, fd2)
    a.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/keep", bpf_fd=fd2))
    a.exit()
    b = procs()
    assert not alive(b, "map", m1)
    assert alive(b, "map", m2)
    with pytest.raises(SyscallError):
        a.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=1, key_size=4, value_size=4, max_entries=1))


def _child_creates_and_dies(state: str, conn) -> None:  # type: ignore[no-untyped-def]
    p = Process(state)
    fd = mk(p)
    conn.send(map_id(p, fd))
    os._exit(0)  # no exit(): the host process just disappears


def test_dead_process_fds_are_reaped(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    parent, child_end = ctx.Pipe()
    child = ctx.Process(target=_child_creates_and_dies, args=(str(tmp_path), child_end))
    child.start()
    assert parent.poll(60)
    mid = parent.recv()
    child.join(60)
    p = Process(tmp_path)
    try:
        assert not alive(p, "map", mid)
    finally:
        p.exit()


def _child_holds(state: str, q: mp.Queue, release: mp.Event) -> None:  # type: ignore[type-arg]
    p = Process(state)
    fd = mk(p)
    q.put(map_id(p, fd))
    release.wait(60)
    p.exit()


def test_live_process_objects_survive_other_processes(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    release = ctx.Event()
    child = ctx.Process(target=_child_holds, args=(str(tmp_path), q, release))
    child.start()
    mid = q.get(timeout=60)
    p = Process(tmp_path)
    try:
        for _ in range(3):  # several calls, each may reap dead processes and sweep
            assert alive(p, "map", mid)
        release.set()
        child.join(60)
        assert not alive(p, "map", mid)
    finally:
        release.set()
        p.exit()


def test_program_holds_its_maps(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    mfd = mk(p, t=MapType.ARRAY, vs=8, me=1)
    mid = map_id(p, mfd)
    ld = struct.pack("<BBhi", 0x18, 0x11, 0, mfd) + struct.pack("<BBhi", 0, 0, 0, 0)
    pfd = load_xdp(p, ld + XDP_OK)
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=pfd, info=info))
    assert info.map_ids == [mid]
    p.close(mfd)
    assert alive(p, "map", mid)
    pid = info.id
    p.close(pfd)
    assert not alive(p, "prog", pid)
    assert not alive(p, "map", mid)


def test_prog_array_cycle_is_broken_when_users_go(procs) -> None:  # type: ignore[no-untyped-def]
    """A program tail-calling through a prog_array that holds the program itself."""
    p = procs()
    pa = mk(p, t=MapType.PROG_ARRAY, me=2)
    pa_id = map_id(p, pa)
    tail = (struct.pack("<BBhi", 0x18, 0x12, 0, pa) + struct.pack("<BBhi", 0, 0, 0, 0)
            + struct.pack("<BBhi", 0xB7, 3, 0, 0) + struct.pack("<BBhi", 0x85, 0, 0, 12) + XDP_OK)
    pfd = load_xdp(p, tail, "tailer")
    pid = prog_id(p, pfd)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=pa, key=K(0), value=K(pfd)))
    p.close(pfd)
    assert alive(p, "prog", pid)  # held by the prog_array slot
    p.close(pa)  # last user reference of the prog_array: its slots are emptied
    assert not alive(p, "prog", pid)
    assert not alive(p, "map", pa_id)


def test_prog_array_slot_keeps_program_while_map_is_pinned(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    pa = mk(p, t=MapType.PROG_ARRAY, me=2)
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/jmp", bpf_fd=pa))
    pfd = load_xdp(p)
    pid = prog_id(p, pfd)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=pa, key=K(1), value=K(pfd)))
    p.close(pfd)
    p.close(pa)
    assert alive(p, "prog", pid)
    v = bytearray(4)
    q = procs()
    fd = q.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname="/sys/fs/bpf/jmp"))
    q.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=K(1), value=v))
    assert struct.unpack("<I", v)[0] == pid
    q.close(fd)
    p.unlink("/sys/fs/bpf/jmp")
    assert not alive(p, "prog", pid)


def test_map_in_map_holds_inner(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    inner = mk(p, t=MapType.ARRAY, me=2)
    iid = map_id(p, inner)
    outer = mk(p, t=MapType.HASH_OF_MAPS, me=2, inner_map_fd=inner)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=outer, key=K(7), value=K(inner)))
    p.close(inner)
    assert alive(p, "map", iid)
    p.bpf(Cmd.MAP_DELETE_ELEM, MapElemAttr(map_fd=outer, key=K(7)))
    assert not alive(p, "map", iid)


def test_outer_map_freed_frees_inner(procs) -> None:  # type: ignore[no-untyped-def]
    p = procs()
    inner = mk(p, t=MapType.ARRAY, me=2)
    iid = map_id(p, inner)
    outer = mk(p, t=MapType.ARRAY_OF_MAPS, me=2, inner_map_fd=inner)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=outer, key=K(1), value=K(inner)))
    p.close(inner)
    assert alive(p, "map", iid)
    p.close(outer)
    assert not alive(p, "map", iid)


def test_current_is_a_singleton_per_os_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pykernel.process as P

    monkeypatch.setenv("PYBPF_STATE", str(tmp_path))
    monkeypatch.setattr(P, "_current", None)
    a = Process.current()
    assert Process.current() is a
    assert a.store.dir == tmp_path
    a.exit()
    b = Process.current()
    assert b is not a
    b.exit()
