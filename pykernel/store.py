"""The simulated kernel's memory: one SQLite database in the state directory.

Separate commands of a shell script are separate processes; they see one kernel because
all kernel state lives here. The file is ``$PYBPF_STATE/state.sqlite`` (default state
directory ``${XDG_STATE_HOME:-~/.local/state}/pybpf``, created with mode 0700).

Concurrency: WAL mode, and every ``bpf()`` call is one ``BEGIN IMMEDIATE`` transaction
(:meth:`Store.transaction`), so processes serialise on the write lock (busy timeout
:data:`BUSY_TIMEOUT_S`) and never lose an update.

Durability: ``synchronous = OFF``. A committed call survives the crash or kill of any
simulated process (the WAL is in the host's page cache); only a crash of the host OS
itself can lose the last calls, as it loses a real kernel's state. Syncing to disk cost
~1 ms per call and ~20 ms per command (the checkpoint when the last connection closes) on
the reference machine - more than everything else ``pybpftool prog show`` does.

Data only: rows hold ints, text, BLOBs and JSON text; nothing is pickled or evaluated.

Tables (schema version :data:`SCHEMA_VERSION`, ``PRAGMA user_version``; the file is marked
with ``PRAGMA application_id`` = :data:`APPLICATION_ID`):

* ``meta(k, v)`` - boot time, virtual clock, PRNG state, schema name.
* ``processes(pkey, pid, starttime, boot_id, nonce)`` - simulated processes with fds.
* ``fds(pkey, fd, kind, obj, mode)`` - per-process fd tables (kind: map/prog/btf/link).
* ``maps``, ``progs``, ``btfs``, ``links`` - one row per object; ids come from
  ``AUTOINCREMENT`` so they start at 1 and are never reused.
* ``map_elems(map, key, value, bucket, seq, extra)`` - one row per map element, so
  updating one element never rewrites a map; ``(bucket, seq)`` orders iteration.
* ``refs(src_kind, src_id, slot, kind, obj)`` - one row per reference an object or an
  attachment holds (prog -> used map, map slot -> prog/map, link -> prog, netdev hook ->
  prog ...). Refcounts are *derived*: fds of processes + pins + refs pointing at an object.
* ``pins(path, kind, obj)`` - the simulated bpffs (``kind = 'dir'`` for directories).

A state file that cannot be read - not SQLite, truncated, corrupted, written by a newer
pybpf, or some other SQLite database - raises :class:`StateError`; the file is never
recreated or modified in that case.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
APPLICATION_ID = 0x70426631  # "pBf1"
STATE_FILE = "state.sqlite"
BUSY_TIMEOUT_S = 120.0
_SQLITE_MAGIC = b"SQLite format 3\0"


class StateError(Exception):
    """The kernel state cannot be used. The command line prints ``Error: <message>``."""


def default_state_dir() -> Path:
    env = os.environ.get("PYBPF_STATE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(xdg) / "pybpf"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS processes (
    pkey TEXT PRIMARY KEY, pid INTEGER NOT NULL, starttime INTEGER NOT NULL,
    boot_id TEXT NOT NULL, nonce TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fds (
    pkey TEXT NOT NULL, fd INTEGER NOT NULL, kind TEXT NOT NULL, obj INTEGER NOT NULL,
    mode INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pkey, fd)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fds_obj ON fds (kind, obj);
CREATE TABLE IF NOT EXISTS maps (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER NOT NULL, key_size INTEGER NOT NULL,
    value_size INTEGER NOT NULL, max_entries INTEGER NOT NULL, flags INTEGER NOT NULL,
    name TEXT NOT NULL, numa_node INTEGER NOT NULL, ifindex INTEGER NOT NULL,
    btf_id INTEGER NOT NULL, btf_key_type_id INTEGER NOT NULL, btf_value_type_id INTEGER NOT NULL,
    btf_vmlinux_value_type_id INTEGER NOT NULL, map_extra INTEGER NOT NULL,
    frozen INTEGER NOT NULL DEFAULT 0, hashrnd INTEGER NOT NULL DEFAULT 0,
    inner_meta TEXT, owner TEXT, nelems INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0, state TEXT, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS map_elems (
    map INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, bucket INTEGER NOT NULL,
    seq INTEGER NOT NULL, extra BLOB, PRIMARY KEY (map, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS map_elems_order ON map_elems (map, bucket, seq);
CREATE TABLE IF NOT EXISTS progs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER NOT NULL, name TEXT NOT NULL,
    tag BLOB NOT NULL, insns BLOB NOT NULL, xlated BLOB NOT NULL, gpl INTEGER NOT NULL,
    expected_attach_type INTEGER NOT NULL, prog_flags INTEGER NOT NULL, ifindex INTEGER NOT NULL,
    btf_id INTEGER NOT NULL, func_info BLOB, func_info_rec_size INTEGER NOT NULL,
    line_info BLOB, line_info_rec_size INTEGER NOT NULL, loaded_at_ns INTEGER NOT NULL,
    load_time_ns INTEGER NOT NULL, uid INTEGER NOT NULL, verified_insns INTEGER NOT NULL,
    jited_len INTEGER NOT NULL, run_time_ns INTEGER NOT NULL DEFAULT 0,
    run_cnt INTEGER NOT NULL DEFAULT 0, extra TEXT);
CREATE TABLE IF NOT EXISTS btfs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL, name TEXT NOT NULL DEFAULT '',
    kernel INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS links (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER NOT NULL, prog INTEGER NOT NULL,
    attach_type INTEGER NOT NULL, target TEXT, detached INTEGER NOT NULL DEFAULT 0, extra TEXT);
CREATE TABLE IF NOT EXISTS refs (
    src_kind TEXT NOT NULL, src_id INTEGER NOT NULL, slot TEXT NOT NULL, kind TEXT NOT NULL,
    obj INTEGER NOT NULL, PRIMARY KEY (src_kind, src_id, slot, kind, obj)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_obj ON refs (kind, obj);
CREATE TABLE IF NOT EXISTS pins (
    path TEXT PRIMARY KEY, kind TEXT NOT NULL, obj INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pins_obj ON pins (kind, obj);
"""


class Tx:
    """One open transaction: thin helpers over the connection."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def x(self, sql: str, args: tuple | list = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, args)

    def q(self, sql: str, args: tuple | list = ()) -> list[tuple]:
        return self.conn.execute(sql, args).fetchall()

    def one(self, sql: str, args: tuple | list = ()) -> tuple | None:
        return self.conn.execute(sql, args).fetchone()

    def val(self, sql: str, args: tuple | list = (), default: Any = None) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return default if row is None else row[0]

    def meta_get(self, k: str) -> Any:
        return self.val("SELECT v FROM meta WHERE k = ?", (k,))

    def meta_set(self, k: str, v: object) -> None:
        self.x("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", (k, v))


def _describe(path: Path, e: BaseException) -> str:
    msg = str(e) or e.__class__.__name__
    return f"kernel state {path} is unusable ({msg}); move it away to start a fresh kernel"


class Store:
    """The state database of one state directory, opened lazily (and again after fork)."""

    def __init__(self, state_dir: str | os.PathLike[str] | None = None) -> None:
        self.dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.path = self.dir / STATE_FILE
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    # -- opening --------------------------------------------------------------------------
    def _prepare_dir(self) -> None:
        try:
            if self.dir.exists():
                if not self.dir.is_dir():
                    raise StateError(f"state directory {self.dir} exists and is not a directory")
            else:
                self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                with contextlib.suppress(OSError):
                    os.chmod(self.dir, 0o700)
        except OSError as e:
            raise StateError(f"cannot create state directory {self.dir}: {e.strerror}") from None

    def _check_file(self) -> None:
        """Refuse anything that is not an SQLite file before SQLite touches it."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        except OSError as e:
            raise StateError(f"cannot read kernel state {self.path}: {e.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            raise StateError(f"kernel state {self.path} is not a regular file")
        if st.st_size == 0:
            return  # an empty file holds nothing: SQLite initialises it
        try:
            with open(self.path, "rb") as f:
                head = f.read(len(_SQLITE_MAGIC))
        except OSError as e:
            raise StateError(f"cannot read kernel state {self.path}: {e.strerror}") from None
        if head != _SQLITE_MAGIC:
            raise StateError(f"kernel state {self.path} is not a pybpf state database "
                             "(not an SQLite file); move it away to start a fresh kernel")

    def _open(self) -> sqlite3.Connection:
        self._prepare_dir()
        self._check_file()
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as e:
            raise StateError(_describe(self.path, e)) from None
        try:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            ntables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and (app_id != 0 or ntables):
                raise StateError(f"kernel state {self.path} is not a pybpf state database "
                                 "(a different SQLite database); move it away to start a fresh kernel")
            if version > SCHEMA_VERSION:
                raise StateError(f"kernel state {self.path} was written by a newer pybpf "
                                 f"(schema {version}, this one knows {SCHEMA_VERSION})")
            self._retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
            conn.execute("PRAGMA synchronous = OFF")  # see Durability above
            if app_id == 0 or version < SCHEMA_VERSION:
                self._create(conn)
        except StateError:
            conn.close()
            raise
        except sqlite3.Error as e:
            conn.close()
            raise StateError(_describe(self.path, e)) from None
        return conn

    @staticmethod
    def _retry(fn: Any) -> Any:
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id == APPLICATION_ID and version == SCHEMA_VERSION:
                conn.execute("COMMIT")  # another process finished it first
                return
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            tx = Tx(conn)
            if tx.meta_get("schema") is None:
                tx.meta_set("schema", "pybpf-kernel-state")
                tx.meta_set("boot_wall_ns", time.time_ns())
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._conn = self._open()  # a forked child must not share its parent's connection
            self._pid = os.getpid()
        return self._conn

    # -- transactions ---------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the body raises.

        Callers that must keep partial effects of a failing operation (as Linux does, e.g.
        a batch update stopped half-way) catch the error inside the body.
        """
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise StateError(f"kernel state {self.path} is busy ({e}); another process "
                             "holds it too long") from None
        except sqlite3.DatabaseError as e:
            raise StateError(_describe(self.path, e)) from None
        try:
            yield Tx(conn)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise StateError(_describe(self.path, e)) from None

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` ('ok' when sound); for tests and diagnostics."""
        try:
            return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
        except sqlite3.DatabaseError as e:
            return str(e)
