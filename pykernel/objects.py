"""The kernel as one syscall sees it: fd tables, object lookup, references and lifetimes.

A :class:`Kernel` lives for one ``bpf()`` call (one store transaction). It resolves the
calling process's fds, instantiates map and program objects from their rows (cached for the
call, so a program run and its helpers share the same live map buffers), records which
objects may have lost a reference, and at the end (:meth:`Kernel.finish`) writes every map
it touched back to the store and frees what nothing holds any more.

Refcounts are derived, never stored. An object stays alive while any of these point at it:

* an fd of a simulated process (``fds``; fds of processes that died without ``exit()``
  are reaped when the next call notices, see :func:`reap_dead_processes`),
* a pin (``pins``),
* a reference row (``refs``): a program's used maps and BTF, a map's BTF, a prog_array /
  map-in-map / devmap / cpumap slot, a link's program, an attachment (netdev hook, tc
  filter, cgroup ...) - other subsystems add theirs with :meth:`Kernel.ref_add`.

As in Linux, a prog_array loses its entries when its last *user* reference (fd or pin)
goes, which breaks the program <-> prog_array cycle of tail calls.

fds 0, 1 and 2 of every simulated process are its standard streams: real files, not BPF
objects, so using them where a BPF fd is expected gives EINVAL as on Linux; BPF fds start
at 3, lowest free first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from . import config
from .clock import Clock
from .store import Tx
from .uapi.consts import EBADF, EINVAL, EMFILE
from .uapi.errors import SyscallError
from .uapi.structs import dataclass  # dataclasses without the import cost

if TYPE_CHECKING:
    from .btf_obj import BtfObject
    from .maps.base import BpfMap
    from .process import Process
    from .prog import Prog

MAP, PROG, BTF, LINK = "map", "prog", "btf", "link"
KINDS = (MAP, PROG, BTF, LINK)
STD_FILE = "file"  # fds 0-2
STATS = "stats"  # fds from BPF_ENABLE_STATS

# open modes of an fd (Linux f_mode access bits as O_* values)
O_RDONLY, O_WRONLY, O_RDWR = 0, 1, 2
FD_MAX = 1024  # RLIMIT_NOFILE of the simulated process


def can_read(mode: int) -> bool:
    return mode in (O_RDONLY, O_RDWR)


def can_write(mode: int) -> bool:
    return mode in (O_WRONLY, O_RDWR)


#: the Kernel of the call running in this thread (set by Process for the call's duration):
#: what context-free kernel code (config.netdev_exists, devmap updates) consults
current_kernel: ContextVar[Kernel | None] = ContextVar("current_kernel", default=None)

#: link type -> release(kernel, link): detaches the link from its target when the last
#: reference goes (bpf_link_ops.release); the networking layer registers XDP and cgroup links
LINK_RELEASE: dict[int, Callable[[Kernel, LinkObject], None]] = {}


@dataclass
class FdEntry:
    fd: int
    kind: str
    obj: int
    mode: int


@dataclass
class LinkObject:
    """A bpf_link: id, type, the program it holds, attach type and target (JSON-able)."""

    id: int
    type: int
    prog_id: int
    attach_type: int
    target: dict[str, Any]
    detached: bool = False


class Kernel:
    """The kernel state reachable from one syscall (one transaction)."""

    def __init__(self, tx: Tx, proc: Process | None) -> None:
        self.tx = tx
        self.proc = proc
        self.pkey = proc.pkey if proc is not None else ""
        self.cpu = 0  # the CPU syscalls run on; test_run may switch it
        self._maps: dict[int, BpfMap] = {}
        self._progs: dict[int, Prog] = {}
        self._btfs: dict[int, BtfObject] = {}
        self._clock: Clock | None = None
        self.candidates: set[tuple[str, int]] = set()
        self._registered = False

    # -- clock ---------------------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = Clock(self.tx.meta_get, self.tx.meta_set)
        return self._clock

    def boot_wall_ns(self) -> int:
        return int(self.tx.meta_get("boot_wall_ns") or 0)

    # -- the calling process's fd table ----------------------------------------------------
    def _register(self) -> None:
        if self._registered or self.proc is None:
            return
        p = self.proc
        self.tx.x("INSERT OR IGNORE INTO processes (pkey, pid, starttime, boot_id, nonce) "
                  "VALUES (?, ?, ?, ?, ?)", (p.pkey, p.pid, p.starttime, p.boot_id, p.nonce))
        self._registered = True

    def fd_get(self, fd: int) -> FdEntry:
        if not isinstance(fd, int) or fd < 0:
            raise SyscallError(EBADF, f"bad fd {fd!r}")
        if fd <= 2:
            return FdEntry(fd, STD_FILE, 0, O_RDWR)
        row = self.tx.one("SELECT kind, obj, mode FROM fds WHERE pkey = ? AND fd = ?", (self.pkey, fd))
        if row is None:
            raise SyscallError(EBADF, f"fd {fd} is not open")
        return FdEntry(fd, row[0], row[1], row[2])

    def fd_install(self, kind: str, obj: int, mode: int = O_RDWR) -> int:
        self._register()
        used = [r[0] for r in self.tx.q("SELECT fd FROM fds WHERE pkey = ? ORDER BY fd", (self.pkey,))]
        fd = 3
        for u in used:
            if u != fd:
                break
            fd += 1
        if fd >= FD_MAX:
            raise SyscallError(EMFILE, "too many open files")
        self.tx.x("INSERT INTO fds (pkey, fd, kind, obj, mode) VALUES (?, ?, ?, ?, ?)",
                  (self.pkey, fd, kind, obj, mode))
        return fd

    def fd_close(self, fd: int) -> None:
        if not isinstance(fd, int) or fd < 3:
            raise SyscallError(EBADF, f"fd {fd!r} is not a BPF fd of this process")
        row = self.tx.one("SELECT kind, obj FROM fds WHERE pkey = ? AND fd = ?", (self.pkey, fd))
        if row is None:
            raise SyscallError(EBADF, f"fd {fd} is not open")
        self.tx.x("DELETE FROM fds WHERE pkey = ? AND fd = ?", (self.pkey, fd))
        self.candidates.add((row[0], row[1]))

    def fd_dup(self, fd: int) -> int:
        e = self.fd_get(fd)
        if e.kind == STD_FILE:
            raise SyscallError(EINVAL, "cannot dup a standard stream into the BPF table")
        return self.fd_install(e.kind, e.obj, e.mode)

    def fd_list(self) -> list[FdEntry]:
        return [FdEntry(*r) for r in self.tx.q("SELECT fd, kind, obj, mode FROM fds WHERE pkey = ? "
                                              "ORDER BY fd", (self.pkey,))]

    # -- fds of a given kind (the kernel's __bpf_map_get & co) ----------------------------
    def map_fd(self, fd: int) -> tuple[BpfMap, int]:
        """(map, fd mode) behind ``fd``: EBADF if closed, EINVAL if not a map."""
        e = self.fd_get(fd)
        if e.kind != MAP:
            raise SyscallError(EINVAL, f"fd {fd} is not a map")
        m = self.map(e.obj)
        if m is None:  # pragma: no cover - fds keep their object alive
            raise SyscallError(EBADF, f"fd {fd}: map {e.obj} is gone")
        return m, e.mode

    def prog_fd(self, fd: int) -> Prog:
        e = self.fd_get(fd)
        if e.kind != PROG:
            raise SyscallError(EINVAL, f"fd {fd} is not a program")
        p = self.prog(e.obj)
        if p is None:  # pragma: no cover
            raise SyscallError(EBADF, f"fd {fd}: prog {e.obj} is gone")
        return p

    def btf_fd(self, fd: int) -> BtfObject:
        e = self.fd_get(fd)
        if e.kind != BTF:
            raise SyscallError(EINVAL, f"fd {fd} is not a BTF object")
        b = self.btf(e.obj)
        if b is None:  # pragma: no cover
            raise SyscallError(EBADF, f"fd {fd}: btf {e.obj} is gone")
        return b

    def link_fd(self, fd: int) -> LinkObject:
        e = self.fd_get(fd)
        if e.kind != LINK:
            raise SyscallError(EINVAL, f"fd {fd} is not a link")
        lk = self.link(e.obj)
        if lk is None:  # pragma: no cover
            raise SyscallError(EBADF, f"fd {fd}: link {e.obj} is gone")
        return lk

    # -- objects ---------------------------------------------------------------------------
    def map(self, map_id: int) -> BpfMap | None:
        m = self._maps.get(map_id)
        if m is None:
            from .maps import load_map

            m = load_map(self, map_id)
            if m is not None:
                self._maps[map_id] = m
        return m

    def adopt_map(self, m: BpfMap) -> None:
        self._maps[m.id] = m

    def prog(self, prog_id: int) -> Prog | None:
        p = self._progs.get(prog_id)
        if p is None:
            from .prog import Prog

            p = Prog.load(self.tx, prog_id)
            if p is not None:
                self._progs[prog_id] = p
        return p

    def btf(self, btf_id: int) -> BtfObject | None:
        b = self._btfs.get(btf_id)
        if b is None:
            from .btf_obj import BtfObject

            b = BtfObject.load(self.tx, btf_id)
            if b is not None:
                self._btfs[btf_id] = b
        return b

    def link(self, link_id: int) -> LinkObject | None:
        import json

        row = self.tx.one("SELECT id, type, prog, attach_type, target, detached FROM links WHERE id = ?",
                          (link_id,))
        if row is None:
            return None
        return LinkObject(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"), bool(row[5]))

    def create_link(self, link_type: int, prog_id: int, attach_type: int,
                    target: dict[str, Any] | None = None) -> LinkObject:
        """A new link holding ``prog_id``; the caller installs an fd or pins it."""
        import json

        cur = self.tx.x("INSERT INTO links (type, prog, attach_type, target) VALUES (?, ?, ?, ?)",
                        (link_type, prog_id, attach_type, json.dumps(target or {}, sort_keys=True)))
        lid = int(cur.lastrowid)
        self.ref_add(LINK, lid, "", PROG, prog_id)
        self.candidates.add((LINK, lid))  # freed at the end of the call unless held
        return LinkObject(lid, link_type, prog_id, attach_type, target or {})

    # -- statistics (BPF_ENABLE_STATS) -----------------------------------------------------
    def stats_enabled(self) -> bool:
        """Is run-time accounting on (an fd from BPF_ENABLE_STATS is open somewhere)?"""
        return self.tx.one("SELECT 1 FROM fds WHERE kind = ? LIMIT 1", (STATS,)) is not None

    def account_run(self, prog: Prog, run_ns: int, runs: int = 1) -> None:
        """Count ``runs`` runs of ``prog`` taking ``run_ns`` in total, if stats are on."""
        if self.stats_enabled():
            prog.run_cnt += runs
            prog.run_time_ns += run_ns
            prog.save_stats(self.tx)

    def exists(self, kind: str, obj: int) -> bool:
        table = {MAP: "maps", PROG: "progs", BTF: "btfs", LINK: "links"}[kind]
        return self.tx.one(f"SELECT 1 FROM {table} WHERE id = ?", (obj,)) is not None

    # -- references ------------------------------------------------------------------------
    def ref_add(self, src_kind: str, src_id: int, slot: str, kind: str, obj: int) -> None:
        self.tx.x("INSERT OR IGNORE INTO refs (src_kind, src_id, slot, kind, obj) VALUES (?, ?, ?, ?, ?)",
                  (src_kind, src_id, slot, kind, obj))

    def ref_drop(self, src_kind: str, src_id: int, slot: str | None = None,
                 kind: str | None = None, obj: int | None = None) -> None:
        """Drop the references ``(src_kind, src_id)`` holds (in ``slot`` / to ``kind, obj``)."""
        where = ["src_kind = ?", "src_id = ?"]
        args: list[Any] = [src_kind, src_id]
        if slot is not None:
            where.append("slot = ?")
            args.append(slot)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if obj is not None:
            where.append("obj = ?")
            args.append(obj)
        cond = " AND ".join(where)
        for k, o in self.tx.q(f"SELECT kind, obj FROM refs WHERE {cond}", args):
            self.candidates.add((k, o))
        self.tx.x(f"DELETE FROM refs WHERE {cond}", args)

    def refs_held(self, src_kind: str, src_id: int) -> list[tuple[str, str, int]]:
        return [tuple(r) for r in self.tx.q("SELECT slot, kind, obj FROM refs WHERE src_kind = ? "
                                            "AND src_id = ? ORDER BY slot, kind, obj", (src_kind, src_id))]

    def usercnt(self, kind: str, obj: int) -> int:
        """User references: fds of live processes and pins."""
        n = self.tx.val("SELECT count(*) FROM fds WHERE kind = ? AND obj = ?", (kind, obj), 0)
        return n + self.tx.val("SELECT count(*) FROM pins WHERE kind = ? AND obj = ?", (kind, obj), 0)

    def refcount(self, kind: str, obj: int) -> int:
        return self.usercnt(kind, obj) + self.tx.val(
            "SELECT count(*) FROM refs WHERE kind = ? AND obj = ?", (kind, obj), 0)

    # -- end of the call -------------------------------------------------------------------
    def flush(self) -> None:
        """Write every map touched by this call back to the store (the program write-back)."""
        for m in list(self._maps.values()):
            if self.exists(MAP, m.id):
                m.flush()
        if self._clock is not None:
            self._clock.flush()

    def gc(self) -> None:
        """Free every candidate nothing holds any more (cascading)."""
        guard = 0
        while self.candidates:
            guard += 1
            if guard > 1_000_000:  # pragma: no cover - cycles are broken by construction
                raise RuntimeError("GC does not converge")
            kind, obj = self.candidates.pop()
            if kind not in KINDS or not self.exists(kind, obj):
                continue
            if kind == MAP and self.usercnt(MAP, obj) == 0:
                m = self.map(obj)
                if m is not None and m.release_uref():
                    self.candidates.add((MAP, obj))
                    continue
            if self.refcount(kind, obj) == 0:
                self._free(kind, obj)

    def _free(self, kind: str, obj: int) -> None:
        if kind == MAP:
            m = self.map(obj)
            if m is not None:
                m.free()
            self.tx.x("DELETE FROM map_elems WHERE map = ?", (obj,))
            self.tx.x("DELETE FROM maps WHERE id = ?", (obj,))
            self._maps.pop(obj, None)
        elif kind == PROG:
            self.tx.x("DELETE FROM progs WHERE id = ?", (obj,))
            self._progs.pop(obj, None)
        elif kind == BTF:
            self.tx.x("DELETE FROM btfs WHERE id = ?", (obj,))
            self._btfs.pop(obj, None)
        elif kind == LINK:
            lk = self.link(obj)
            if not LINK_RELEASE:
                from . import net as _net  # noqa: F401 - registers the link releases
            release = LINK_RELEASE.get(lk.type) if lk is not None else None
            if release is not None and lk is not None and not lk.detached:
                release(self, lk)
            self.tx.x("DELETE FROM links WHERE id = ?", (obj,))
        self.ref_drop(kind, obj)

    def finish(self) -> None:
        self.flush()
        self.gc()
        self.flush()  # GC may have cleared prog_arrays of maps still cached


# -- processes -------------------------------------------------------------------------------

def proc_starttime(pid: int) -> int | None:
    """Start time of host process ``pid`` in clock ticks since boot; None if it is gone."""
    if not os.path.isdir("/proc/self"):  # no procfs (macOS ...): liveness only
        return 0 if _pid_alive(pid) else None
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError:
        return 0 if _pid_alive(pid) else None
    rest = data[data.rfind(b")") + 2:].split()
    try:
        return int(rest[19])
    except (IndexError, ValueError):  # pragma: no cover
        return 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def host_boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return "no-boot-id"


def process_alive(pid: int, starttime: int, boot_id: str) -> bool:
    if boot_id != host_boot_id():
        return False  # the host rebooted: every process of the old boot is gone
    st = proc_starttime(pid)
    if st is None:
        return False
    return starttime == 0 or st == 0 or st == starttime


def reap_dead_processes(kernel: Kernel, skip: str = "") -> int:
    """Close the fds of simulated processes whose host process is gone. Returns how many."""
    dead = 0
    for pkey, pid, starttime, boot_id in kernel.tx.q("SELECT pkey, pid, starttime, boot_id FROM processes"):
        if pkey == skip or process_alive(pid, starttime, boot_id):
            continue
        for kind, obj in kernel.tx.q("SELECT kind, obj FROM fds WHERE pkey = ?", (pkey,)):
            kernel.candidates.add((kind, obj))
        kernel.tx.x("DELETE FROM fds WHERE pkey = ?", (pkey,))
        kernel.tx.x("DELETE FROM processes WHERE pkey = ?", (pkey,))
        dead += 1
    return dead


def sweep_all(kernel: Kernel) -> None:
    """Consider every object for freeing (after reaping, or to repair a state)."""
    for table, kind in (("maps", MAP), ("progs", PROG), ("btfs", BTF), ("links", LINK)):
        for (oid,) in kernel.tx.q(f"SELECT id FROM {table}"):
            kernel.candidates.add((kind, oid))


__all__ = ["Kernel", "FdEntry", "LinkObject", "MAP", "PROG", "BTF", "LINK", "O_RDONLY", "O_WRONLY",
           "O_RDWR", "can_read", "can_write", "reap_dead_processes", "sweep_all", "config"]
