"""The state database: concurrency, persistence and unusable files.

* Several OS processes hammering one map at once never lose an update: every kernel call
  is one ``BEGIN IMMEDIATE`` transaction.
* A state file that is not ours, is truncated or corrupted gives a clean ``StateError``
  and is left byte-for-byte as it was.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import sqlite3
import stat
import struct
from pathlib import Path

import pytest

from pykernel import Process, StateError, SyscallError
from pykernel.store import STATE_FILE, Store
from pykernel.uapi.attr import GetIdAttr, MapCreateAttr, MapElemAttr, ObjPinAttr
from pykernel.uapi.consts import Cmd, MapType

K = lambda i: struct.pack("<I", i)  # noqa: E731
WORKERS = 4
ROUNDS = 60


def _incr_worker(state: str, path: str, n: int) -> None:
    """n read-modify-write increments of key 0, each inside one kernel call."""
    p = Process(state)
    fd = p.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname=path))
    mid = p.kernel_call(lambda k: k.map_fd(fd)[0].id)

    def bump(k) -> None:  # type: ignore[no-untyped-def]
        m = k.map(mid)
        buf, off = m.value_buf(K(0))
        v = struct.unpack_from("<Q", buf, off)[0]
        struct.pack_into("<Q", buf, off, v + 1)

    for _ in range(n):
        p.kernel_call(bump)
    p.exit()


def _insert_worker(state: str, path: str, base: int, n: int) -> None:
    p = Process(state)
    fd = p.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname=path))
    for i in range(n):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(base + i), value=K(i)))
    p.exit()


@pytest.mark.parametrize("map_type", [MapType.ARRAY, MapType.HASH, MapType.PERCPU_ARRAY])
def test_concurrent_increments_are_never_lost(tmp_path: Path, map_type: int) -> None:
    p = Process(tmp_path)
    vs = 8
    fd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=map_type, key_size=4, value_size=vs, max_entries=4))
    if map_type == MapType.HASH:
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(0), value=bytes(8)))
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/ctr", bpf_fd=fd))
    ctx = mp.get_context("fork")
    ws = [ctx.Process(target=_incr_worker, args=(str(tmp_path), "/sys/fs/bpf/ctr", ROUNDS))
          for _ in range(WORKERS)]
    for w in ws:
        w.start()
    for w in ws:
        w.join(300)
        assert w.exitcode == 0
    size = 16 if map_type == MapType.PERCPU_ARRAY else 8
    v = bytearray(size)
    p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=K(0), value=v))
    assert struct.unpack_from("<Q", v)[0] == WORKERS * ROUNDS
    p.exit()


def test_concurrent_inserts_all_land(tmp_path: Path) -> None:
    p = Process(tmp_path)
    fd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=MapType.HASH, key_size=4, value_size=4,
                                             max_entries=WORKERS * ROUNDS))
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/h", bpf_fd=fd))
    ctx = mp.get_context("fork")
    ws = [ctx.Process(target=_insert_worker, args=(str(tmp_path), "/sys/fs/bpf/h", w * 1000, ROUNDS))
          for w in range(WORKERS)]
    for w in ws:
        w.start()
    for w in ws:
        w.join(300)
        assert w.exitcode == 0
    keys = set()
    k = None
    while True:
        nk = bytearray(4)
        try:
            p.bpf(Cmd.MAP_GET_NEXT_KEY, MapElemAttr(map_fd=fd, key=k, next_key=nk))
        except SyscallError:
            break
        keys.add(struct.unpack("<I", nk)[0])
        k = bytes(nk)
    assert keys == {w * 1000 + i for w in range(WORKERS) for i in range(ROUNDS)}
    # the element count kept in the map row agrees: the map is exactly full
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(99999), value=K(0)))
    assert e.value.errno == 7  # E2BIG
    p.exit()


def test_state_persists_across_processes(tmp_path: Path) -> None:
    a = Process(tmp_path)
    fd = a.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=MapType.ARRAY, key_size=4, value_size=4, max_entries=2))
    a.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(1), value=K(42)))
    a.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/a", bpf_fd=fd))
    a.exit()
    b = Process(tmp_path)
    fd = b.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname="/sys/fs/bpf/a"))
    v = bytearray(4)
    b.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=K(1), value=v))
    assert bytes(v) == K(42)
    b.exit()


def test_state_dir_is_private(tmp_path: Path) -> None:
    d = tmp_path / "deep" / "state"
    p = Process(d)
    p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=1, key_size=4, value_size=4, max_entries=1))
    assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    p.exit()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _use(state: Path) -> None:
    p = Process(state)
    try:
        p.bpf(Cmd.MAP_GET_NEXT_ID, GetIdAttr(start_id=0))
    except SyscallError:
        pass  # ENOENT on an empty kernel: the state itself was fine
    finally:
        p.exited = True


def _populated(tmp_path: Path) -> Path:
    p = Process(tmp_path)
    fd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=MapType.HASH, key_size=4, value_size=64,
                                             max_entries=4096))
    for i in range(600):
        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=K(i), value=bytes([i & 255]) * 64))
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/big", bpf_fd=fd))
    p.exit()
    con = sqlite3.connect(tmp_path / STATE_FILE)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return tmp_path / STATE_FILE


def test_garbage_state_file_is_refused_and_kept(tmp_path: Path) -> None:
    f = tmp_path / STATE_FILE
    f.write_bytes(b"this is not a database\n" * 100)
    before = _digest(f)
    with pytest.raises(StateError, match="not a pybpf state database"):
        _use(tmp_path)
    assert _digest(f) == before


def test_foreign_sqlite_database_is_refused_and_kept(tmp_path: Path) -> None:
    f = tmp_path / STATE_FILE
    con = sqlite3.connect(f)
    con.execute("CREATE TABLE photos (id INTEGER, data BLOB)")
    con.execute("INSERT INTO photos VALUES (1, x'00ff')")
    con.commit()
    con.close()
    before = _digest(f)
    with pytest.raises(StateError, match="different SQLite database"):
        _use(tmp_path)
    assert _digest(f) == before


def test_truncated_state_file_gives_state_error(tmp_path: Path) -> None:
    f = _populated(tmp_path)
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 3])
    before = _digest(f)
    with pytest.raises(StateError):
        p = Process(tmp_path)
        try:
            fd = p.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname="/sys/fs/bpf/big"))
            k = None
            for _ in range(1000):  # walk the elements: pages past the cut are missing
                nk = bytearray(4)
                p.bpf(Cmd.MAP_GET_NEXT_KEY, MapElemAttr(map_fd=fd, key=k, next_key=nk))
                v = bytearray(64)
                p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=bytes(nk), value=v))
                k = bytes(nk)
        finally:
            p.exited = True
    assert f.exists() and f.stat().st_size > 0
    assert _digest(f) == before or f.read_bytes()[:16] == data[:16]


def test_corrupted_pages_give_state_error(tmp_path: Path) -> None:
    f = _populated(tmp_path)
    data = bytearray(f.read_bytes())
    for off in range(4096 * 2, len(data), 4096):  # scribble over every page but the header
        data[off:off + 64] = b"\xa5" * 64
    f.write_bytes(bytes(data))
    with pytest.raises(StateError):
        p = Process(tmp_path)
        try:
            fd = p.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname="/sys/fs/bpf/big"))
            for i in range(600):
                p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=K(i), value=bytearray(64)))
        finally:
            p.exited = True
    assert f.read_bytes()[:16] == b"SQLite format 3\0"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    _use(tmp_path)
    f = tmp_path / STATE_FILE
    con = sqlite3.connect(f)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with pytest.raises(StateError, match="newer pybpf"):
        _use(tmp_path)


def test_state_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "notadir"
    f.write_text("x")
    with pytest.raises(StateError, match="not a directory"):
        _use(f)


def test_empty_state_file_is_initialised(tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_bytes(b"")
    _use(tmp_path)
    assert Store(tmp_path).integrity_check() == "ok"
