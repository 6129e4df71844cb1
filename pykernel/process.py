"""A simulated user process: its fd table and its door into the kernel, ``bpf(cmd, attr)``.

``Process.current()`` is the process of this OS process (state directory ``$PYBPF_STATE``,
default ``${XDG_STATE_HOME:-~/.local/state}/pybpf``); it exits - closing its fds - at
interpreter exit. Tests create ``Process(state_dir)`` objects freely; each is a separate
simulated process with its own fds.

A process is registered in the state (table ``processes``) under a key made of the host
boot id, pid, the pid's start time and a random nonce, the first time it needs an fd. Its
fds keep objects alive for everybody until it exits - or until another process notices that
the host process is gone (crashed, killed) and reaps its fds (on its first call, and on any
call at most every :data:`REAP_INTERVAL_S` seconds).

Besides ``bpf()``, the methods here are the other system calls the command-line tools
need: ``close``, ``dup``, the bpffs operations a shell would do with ``rm``/``mkdir``/
``ls`` on ``/sys/fs/bpf`` (``unlink``, ``mkdir``, ``rmdir``, ``listdir``, ``pins``), and
``boottime_ns`` (``clock_gettime(CLOCK_BOOTTIME)``, to turn ``load_time`` into a date).

Every call raises ``SyscallError`` (errno) where Linux fails, and ``StateError`` when the
state database itself is unusable; it never returns half-done work: one call is one
transaction.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from . import bpffs
from .clock import boottime_ns
from .objects import Kernel, current_kernel, host_boot_id, proc_starttime, reap_dead_processes, sweep_all
from .store import StateError, Store, default_state_dir
from .uapi.errors import SyscallError

REAP_INTERVAL_S = 2.0
T = TypeVar("T")

_current: Process | None = None
_current_lock = threading.Lock()


class Process:
    """One simulated process. Thread-safe for one thread at a time (a lock serialises calls)."""

    def __init__(self, state_dir: str | os.PathLike[str] | None = None) -> None:
        self.store = Store(state_dir if state_dir is not None else default_state_dir())
        self.pid = os.getpid()
        self.starttime = proc_starttime(self.pid) or 0
        self.boot_id = host_boot_id()
        self.nonce = os.urandom(16).hex()  # what uuid4().hex held, without importing uuid
        self.pkey = f"{self.boot_id}:{self.pid}:{self.starttime}:{self.nonce}"
        self.exited = False
        #: the network namespace this process's netlink socket works in ("" = initial)
        self.netns = ""
        self._last_reap = 0.0
        self._lock = threading.RLock()

    # -- the singleton -------------------------------------------------------------------
    @classmethod
    def current(cls) -> Process:
        """The simulated process of this OS process (a new one after fork)."""
        global _current
        with _current_lock:
            if _current is None or _current.pid != os.getpid() or _current.exited:
                _current = cls()
                atexit.register(_current._atexit)
            return _current

    def _atexit(self) -> None:
        if self.pid == os.getpid() and not self.exited:
            try:
                self.exit()
            except Exception:  # noqa: BLE001 - never raise at interpreter exit
                pass

    # -- running one call ----------------------------------------------------------------------
    def _run(self, fn: Callable[[Kernel], T], *, reap: bool = True) -> T:
        if self.exited:
            raise SyscallError(9, "process has exited")  # EBADF: its fds are gone
        if self.pid != os.getpid():
            raise StateError("a Process object cannot be used after fork; use Process.current()")
        with self._lock:
            try:
                with self.store.transaction() as tx:
                    k = Kernel(tx, self)
                    token = current_kernel.set(k)
                    now = time.monotonic()
                    if reap and now - self._last_reap >= REAP_INTERVAL_S:
                        if reap_dead_processes(k, skip=self.pkey):
                            sweep_all(k)
                            k.gc()  # the dead are gone before this call looks at anything
                        self._last_reap = now
                    error: SyscallError | None = None
                    result: Any = None
                    try:
                        result = fn(k)
                    except SyscallError as e:
                        error = e  # Linux keeps what was done before the failure
                    finally:
                        current_kernel.reset(token)
                    k.finish()
                if error is not None:
                    raise error
                return result
            except sqlite3.Error as e:
                raise StateError(f"kernel state {self.store.path} is unusable ({e}); "
                                 "move it away to start a fresh kernel") from None

    # -- system calls ---------------------------------------------------------------------------
    def bpf(self, cmd: int, attr: Any) -> int:
        """The bpf(2) system call: a new fd or 0; ``SyscallError`` where Linux fails."""
        from .syscall import dispatch

        if not self.privileged:
            from .procfs import SYSCTLS

            if SYSCTLS["kernel.unprivileged_bpf_disabled"][0]:
                raise SyscallError(1, "bpf() is restricted to privileged users")  # EPERM
        return self._run(lambda k: dispatch(k, cmd, attr))

    def netlink(self, request: Any) -> Any:
        """A request on this process's NETLINK_ROUTE socket (see ``pykernel.uapi.rtnl``):
        a reply record, a list of them (dumps) or None (ACK); ``SyscallError(errno,
        extack=...)`` where the kernel answers with an error."""
        from .net import rtnetlink

        return self._run(lambda k: rtnetlink.handle(k, request))

    def setns(self, name: str) -> None:
        """Enter network namespace ``name`` ("" = the initial one): ``ip -n NAME``. ENOENT if
        no such namespace exists."""
        from .net import netns

        self._run(lambda k: netns.check(k, name), reap=False)
        self.netns = name

    def netns_add(self, name: str) -> None:
        """``ip netns add NAME`` (creates /run/netns/NAME): EEXIST if it exists."""
        from .net import netns

        self._run(lambda k: netns.add(k, name))

    def netns_del(self, name: str) -> None:
        """``ip netns del NAME``: its devices go with it (veth peers elsewhere too)."""
        from .net import netns

        self._run(lambda k: netns.delete(k, name))

    def netns_list(self) -> list[str]:
        from .net import netns

        return self._run(lambda k: netns.names(k), reap=False)

    def open_cgroup(self, path: str) -> int:
        """open(PATH, O_RDONLY) on a cgroup v2 directory: a cgroup fd for BPF_PROG_ATTACH,
        BPF_PROG_QUERY and BPF_LINK_CREATE. ENOENT / ENOTDIR as open() gives them."""
        from .net import cgroup

        return self._run(lambda k: cgroup.open_fd(k, path))

    def cgroup_mkdir(self, path: str) -> None:
        """mkdir in cgroupfs (``nfpsim cgroup mkdir``): EEXIST, ENOENT for a missing parent."""
        from .net import cgroup

        self._run(lambda k: cgroup.mkdir(k, path))

    def cgroup_rmdir(self, path: str) -> None:
        """rmdir in cgroupfs: EBUSY with children; attached programs are released."""
        from .net import cgroup

        self._run(lambda k: cgroup.rmdir(k, path))

    def cgroup_list(self, path: str) -> list[str]:
        """The child cgroups of ``path`` (sorted names)."""
        from .net import cgroup

        return self._run(lambda k: cgroup.listdir(k, path), reap=False)

    def close(self, fd: int) -> None:
        self._run(lambda k: k.fd_close(fd))

    def dup(self, fd: int) -> int:
        return self._run(lambda k: k.fd_dup(fd))

    def fds(self) -> list[tuple[int, str, int]]:
        """Open BPF fds of this process: (fd, kind, object id) - like /proc/self/fd."""
        return self._run(lambda k: [(e.fd, e.kind, e.obj) for e in k.fd_list()], reap=False)

    def unlink(self, path: str) -> None:
        """Remove a pin (``rm PATH`` on bpffs)."""
        def run(k: Kernel) -> None:
            kind, obj = bpffs.unlink(k.tx, path)
            k.candidates.add((kind, obj))

        self._run(run)

    def mkdir(self, path: str, parents: bool = False) -> None:
        self._run(lambda k: bpffs.mkdir(k.tx, path, parents))

    def rmdir(self, path: str) -> None:
        self._run(lambda k: bpffs.rmdir(k.tx, path))

    def listdir(self, path: str) -> list[tuple[str, str, int]]:
        """Entries of a bpffs directory: (name, kind, object id); kind 'dir' for directories."""
        return self._run(lambda k: bpffs.listdir(k.tx, path), reap=False)

    def pins(self, under: str | None = None) -> list[tuple[str, str, int]]:
        """Every pinned object (path, kind, object id), sorted by path (what ``bpftool -f``
        collects by walking bpffs)."""
        return self._run(lambda k: bpffs.entries(k.tx, under), reap=False)

    def pinned_paths(self, kind: str, obj: int) -> list[str]:
        return self._run(lambda k: bpffs.paths_of(k.tx, kind, obj), reap=False)

    def boottime_ns(self) -> int:
        """clock_gettime(CLOCK_BOOTTIME) of the simulated machine."""
        return self._run(lambda k: boottime_ns(k.boot_wall_ns()), reap=False)

    # -- capabilities, and the files under /proc and /sys the tools read ---------------------
    #: the tools run as root: CAP_SYS_ADMIN, CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON
    privileged = True

    def drop_privileges(self) -> None:
        """capset(2) without CAP_SYS_ADMIN, CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (what
        ``bpftool feature probe unprivileged`` does; there is no way back). bpf() then
        fails with EPERM while ``kernel.unprivileged_bpf_disabled`` is set."""
        self.privileged = False

    def kallsyms(self) -> list[tuple[int, str, str, str]]:
        """/proc/kallsyms as root reads it: (address, type, name, module) by address - the
        functions helper calls reach and every program's ``bpf_prog_<tag>_<name>``
        (``pykernel.procfs.kallsyms``)."""
        from .procfs import kallsyms

        return self._run(kallsyms, reap=False)

    def sysctl(self, name: str) -> int:
        """Read /proc/sys/NAME (dotted: ``net.core.bpf_jit_enable``); ENOENT for an
        unknown one, EPERM for a CAP_SYS_ADMIN-only one without the capability."""
        from .procfs import sysctl

        return sysctl(name, self.privileged)

    def kernel_config(self) -> dict[str, str]:
        """/proc/config.gz: ``CONFIG_*`` -> value of every option set in the simulated
        build (``pykernel.procfs.KCONFIG``)."""
        from .procfs import kernel_config

        return kernel_config()

    def cgroup_readdir(self, path: str) -> list[str]:
        """getdents on a cgroup directory: the child cgroups in the order a real cgroupfs
        lists them (kernfs name-hash order, what ``nftw`` walks); ENOENT/ENOTDIR."""
        from .net import cgroup
        from .procfs import kernfs_order

        return kernfs_order(self._run(lambda k: cgroup.listdir(k, path), reap=False))

    def nr_cpus(self) -> int:
        """Possible CPUs (/sys/devices/system/cpu/possible): per-CPU maps hold this many
        values, perf event arrays get one ring per CPU."""
        from .config import NR_CPUS

        return NR_CPUS

    def trace_pipe_read(self) -> list[str]:
        """Read /sys/kernel/tracing/trace_pipe until it is empty: the lines
        bpf_trace_printk wrote, oldest first, each as one ``getline()`` gives it (ending
        in a newline; a message that ends in one is followed by an empty line). Reading
        consumes them."""
        from .interp import tracebuf

        events = self._run(lambda k: tracebuf.read(k, consume=True), reap=False)
        return "".join(e + "\n" for e in events).splitlines(keepends=True)

    def perf_buffer_read(self, map_fd: int, cpu_index: tuple[int, int] | None = None) -> list:
        """Read the perf rings of perf event array ``map_fd`` (libbpf's perf_buffer with
        its perf_event_open + mmap + poll): installs a ring per CPU in slot = CPU (or one
        ring for ``(cpu, index)``) unless there is one, then returns and consumes the
        records programs wrote since the last read (``pykernel.perfbuf.PerfEvent``).
        EBADF/EINVAL for an fd that is not a perf event array."""
        from . import config, perfbuf
        from .uapi.consts import MapType

        def run(k: Kernel) -> list:
            m, _mode = k.map_fd(map_fd)
            if m.map_type != MapType.PERF_EVENT_ARRAY:
                raise SyscallError(22, "not a perf event array")
            if cpu_index is not None and (cpu_index[0] >= config.NR_CPUS or cpu_index[1] >= m.max_entries):
                raise SyscallError(22, "no such CPU or slot")
            perfbuf.open_rings(k, m.id, m.max_entries, config.NR_CPUS, cpu_index)
            return perfbuf.read(k, m.id, cpu_index)

        return self._run(run, reap=False)

    def if_nametoindex(self, name: str) -> int:
        """if_nametoindex(3) in this process's network namespace: ENODEV when there is
        no such device (libc asks the kernel with SIOCGIFINDEX)."""
        from .uapi import rtnl

        if not name or len(name.encode()) >= rtnl.IFNAMSIZ:
            raise SyscallError(19, f"no device {name!r}")
        info = self.netlink(rtnl.LinkRequest(rtnl.RTM_GETLINK, rtnl.NLM_F_REQUEST, ifname=name))
        return int(info.ifindex)

    def if_indextoname(self, ifindex: int) -> str:
        """if_indextoname(3) in this process's network namespace: ENXIO when no device
        has that index."""
        from .uapi import rtnl

        try:
            info = self.netlink(rtnl.LinkRequest(rtnl.RTM_GETLINK, rtnl.NLM_F_REQUEST, ifindex=ifindex))
        except SyscallError as e:
            if e.errno == 19:
                raise SyscallError(6, f"no device with index {ifindex}") from None
            raise
        return str(info.ifname)

    def kernel_call(self, fn: Callable[[Kernel], T]) -> T:
        """Run ``fn(kernel)`` as one kernel call (one transaction) - for kernel-side code
        paths other subsystems add (netlink, attachments). ``fn`` may raise SyscallError."""
        return self._run(fn)

    def exit(self) -> None:
        """Close every fd (process exit). Objects nothing else holds are freed."""
        if self.exited:
            return

        def run(k: Kernel) -> None:
            for e in k.fd_list():
                k.candidates.add((e.kind, e.obj))
            k.tx.x("DELETE FROM fds WHERE pkey = ?", (self.pkey,))
            k.tx.x("DELETE FROM processes WHERE pkey = ?", (self.pkey,))

        try:
            if self.store.path.exists():
                self._run(run, reap=False)
        finally:
            self.exited = True
            self.store.close()

    def __repr__(self) -> str:
        return f"Process(pid={self.pid}, state={str(self.store.dir)!r})"


__all__ = ["Process", "StateError"]
