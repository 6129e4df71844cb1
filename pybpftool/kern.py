"""The syscall side of pybpftool: libbpf's thin ``bpf_*`` wrappers over ``Process.bpf``.

Everything pybpftool asks the (simulated) kernel goes through here, so the command
modules read like bpftool's: ``prog_get_fd_by_id(id)``, ``obj_get(path)``,
``map_lookup_elem(fd, key, value)``. Each raises ``SyscallError`` exactly where libbpf
returns ``-errno``. The process is created on first use, so commands that never reach
the kernel (help, usage errors, ``version``) never open the state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pykernel.uapi import attr as A
from pykernel.uapi.consts import Cmd
from pykernel.uapi.errors import SyscallError, strerror

if TYPE_CHECKING:
    from pykernel import Process

__all__ = ["SyscallError", "strerror", "proc"]

_proc: Process | None = None


def proc() -> Process:
    """This command's simulated process. ``$PYBPF_NETNS`` names the network namespace it
    runs in - what ``ip netns exec NAME`` / ``nsenter --net=/run/netns/NAME`` give a real
    bpftool (unset or empty: the initial namespace)."""
    global _proc
    if _proc is None:
        import os

        from pykernel import Process

        _proc = Process.current()
        netns = os.environ.get("PYBPF_NETNS", "")
        if netns and _proc.netns != netns:
            _proc.netns = netns  # a missing namespace makes netlink fail with ENOENT
    return _proc


def bpf(cmd: Cmd, attr: Any) -> int:
    return proc().bpf(cmd, attr)


def close(fd: int) -> None:
    if fd is None or fd < 0:
        return
    try:
        proc().close(fd)
    except (SyscallError, OSError):
        pass


# ------------------------------------------------------------------------ ids and fds
def _next_id(cmd: Cmd, start: int) -> int:
    a = A.GetIdAttr(start_id=start)
    bpf(cmd, a)
    return a.next_id


def prog_get_next_id(start: int) -> int:
    return _next_id(Cmd.PROG_GET_NEXT_ID, start)


def map_get_next_id(start: int) -> int:
    return _next_id(Cmd.MAP_GET_NEXT_ID, start)


def btf_get_next_id(start: int) -> int:
    return _next_id(Cmd.BTF_GET_NEXT_ID, start)


def link_get_next_id(start: int) -> int:
    return _next_id(Cmd.LINK_GET_NEXT_ID, start)


def prog_get_fd_by_id(obj_id: int) -> int:
    return bpf(Cmd.PROG_GET_FD_BY_ID, A.GetIdAttr(start_id=obj_id))


def map_get_fd_by_id(obj_id: int) -> int:
    return bpf(Cmd.MAP_GET_FD_BY_ID, A.GetIdAttr(start_id=obj_id))


def btf_get_fd_by_id(obj_id: int) -> int:
    return bpf(Cmd.BTF_GET_FD_BY_ID, A.GetIdAttr(start_id=obj_id))


def link_get_fd_by_id(obj_id: int) -> int:
    return bpf(Cmd.LINK_GET_FD_BY_ID, A.GetIdAttr(start_id=obj_id))


def obj_get(path: str) -> int:
    return bpf(Cmd.OBJ_GET, A.ObjPinAttr(pathname=path))


def obj_pin(fd: int, path: str) -> None:
    bpf(Cmd.OBJ_PIN, A.ObjPinAttr(pathname=path, bpf_fd=fd))


# ------------------------------------------------------------------------------- info
def prog_info(fd: int) -> A.ProgInfo:
    info = A.ProgInfo()
    bpf(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr(bpf_fd=fd, info=info))
    return info


def map_info(fd: int) -> A.MapInfo:
    info = A.MapInfo()
    bpf(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr(bpf_fd=fd, info=info))
    return info


def btf_info(fd: int) -> A.BtfInfo:
    info = A.BtfInfo()
    bpf(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr(bpf_fd=fd, info=info))
    return info


def link_info(fd: int) -> A.LinkInfo:
    info = A.LinkInfo()
    bpf(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr(bpf_fd=fd, info=info))
    return info


def fd_type(fd: int) -> str:
    """What /proc/self/fd/N says the fd is: ``prog``, ``map``, ``link``, ``btf`` or
    ``unknown`` (bpftool's get_fd_type)."""
    kind = fd_kinds().get(fd)
    return kind if kind in ("prog", "map", "link", "btf") else "unknown"


# ------------------------------------------------------------------------ map entries
def map_lookup_elem(fd: int, key: bytes | None, value: bytearray, flags: int = 0) -> None:
    bpf(Cmd.MAP_LOOKUP_ELEM, A.MapElemAttr(map_fd=fd, key=key, value=value, flags=flags))


def map_update_elem(fd: int, key: bytes | None, value: bytes, flags: int = 0) -> None:
    bpf(Cmd.MAP_UPDATE_ELEM, A.MapElemAttr(map_fd=fd, key=key, value=value, flags=flags))


def map_delete_elem(fd: int, key: bytes) -> None:
    bpf(Cmd.MAP_DELETE_ELEM, A.MapElemAttr(map_fd=fd, key=key))


def map_get_next_key(fd: int, key: bytes | None, next_key: bytearray) -> None:
    bpf(Cmd.MAP_GET_NEXT_KEY, A.MapElemAttr(map_fd=fd, key=key, next_key=next_key))


def map_lookup_and_delete_elem(fd: int, key: bytes | None, value: bytearray) -> None:
    bpf(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, A.MapElemAttr(map_fd=fd, key=key, value=value))


def map_freeze(fd: int) -> None:
    bpf(Cmd.MAP_FREEZE, A.MapFreezeAttr(map_fd=fd))


def map_create(attr: A.MapCreateAttr) -> int:
    return bpf(Cmd.MAP_CREATE, attr)


def prog_test_run(attr: A.TestRunAttr) -> None:
    bpf(Cmd.PROG_TEST_RUN, attr)


# ----------------------------------------------------------------- the rest of "the OS"
def fd_kinds() -> dict[int, str]:
    """fd -> object kind for this process's open BPF fds (what /proc/self/fd shows)."""
    return {fd: kind for fd, kind, _obj in proc().fds()}


def pins() -> list[tuple[str, str, int]]:
    """Every pinned object as (path, kind, id), in bpffs walk order."""
    return list(proc().pins())


def pinned_paths() -> list[str]:
    return [path for path, _kind, _obj in pins()]


def unlink(path: str) -> None:
    try:
        proc().unlink(path)
    except (SyscallError, OSError):
        pass


_boot_wall: int | None = None


def boot_wall_ns() -> int:
    """CLOCK_REALTIME - CLOCK_BOOTTIME of the simulated machine: when it booted, in
    wall-clock ns (read once per command; the host clock is sampled on both sides of
    the kernel call so the difference is not skewed by the call's own duration)."""
    global _boot_wall
    if _boot_wall is None:
        import time

        before = time.clock_gettime_ns(time.CLOCK_REALTIME)
        boottime = int(proc().boottime_ns())
        after = time.clock_gettime_ns(time.CLOCK_REALTIME)
        _boot_wall = (before + after) // 2 - boottime
    return _boot_wall


def possible_cpus() -> int:
    """Number of possible CPUs of the simulated machine (/sys/devices/system/cpu/possible)."""
    return int(proc().nr_cpus())


def if_nametoindex(name: str) -> int:
    """if_nametoindex(3): 0 when there is no such device in this netns."""
    try:
        return int(proc().if_nametoindex(name) or 0)
    except (SyscallError, OSError):
        return 0


def ifindex_name(ifindex: int, ns_dev: int = 0, ns_ino: int = 0) -> str | None:
    """if_indextoname(3) for a device of this netns (None when there is none)."""
    try:
        return proc().if_indextoname(ifindex) or None
    except (SyscallError, OSError):
        return None


def dev_vendor(ifindex: int) -> int:
    """/sys/class/net/<dev>/device/vendor: the PCI vendor of a device (0x19ee for a
    Netronome NIC), 0 for a virtual device or when unknown."""
    try:
        info = netlink(_getlink(ifindex))
    except SyscallError:
        return 0
    if getattr(info, "parent_bus", None) == "pci" and getattr(info, "kind", None) == "nfp":
        return 0x19EE
    return 0


def _getlink(ifindex: int) -> Any:
    from pykernel.uapi import rtnl as R

    return R.LinkRequest(R.RTM_GETLINK, R.NLM_F_REQUEST, ifindex=ifindex)


def kernel_symbols():
    """/proc/kallsyms of the simulated kernel, as bpftool's xlated dumper loads it: every
    symbol by address, and ``__bpf_call_base`` (helper calls hold ``func - base``)."""
    from .xlated import Symbols

    syms = Symbols()
    for addr, _type, name, _module in proc().kallsyms():
        if name == "__bpf_call_base":
            syms.call_base = addr
        if addr:
            syms.by_addr.setdefault(addr, name)
    return syms


def trace_pipe_read() -> list[str]:
    """Drain trace_pipe: the lines getline() would return, newlines included."""
    return list(proc().trace_pipe_read())


def perf_buffer_read(map_fd: int, cpu_index: tuple[int, int] | None):
    """The records waiting in the perf rings of a perf event array (see
    Process.perf_buffer_read); SyscallError when the buffer cannot be set up."""
    return list(proc().perf_buffer_read(map_fd, cpu_index))


# ------------------------------------------------------------------------- netlink
def netlink(request: Any) -> Any:
    """One request on the process's NETLINK_ROUTE socket (see pykernel.uapi.rtnl)."""
    return proc().netlink(request)


def link_dump() -> list:
    """RTM_GETLINK dump: every device of the netns (IfInfo), in the kernel's order."""
    from pykernel.uapi import rtnl as R

    return list(netlink(R.LinkRequest(R.RTM_GETLINK, R.NLM_F_REQUEST | R.NLM_F_DUMP)))


def qdisc_dump(ifindex: int) -> list:
    """RTM_GETQDISC dump of one device (QdiscInfo); a dump that fails is empty."""
    from pykernel.uapi import rtnl as R

    try:
        replies = netlink(R.QdiscRequest(R.RTM_GETQDISC, R.NLM_F_REQUEST | R.NLM_F_DUMP, ifindex=ifindex))
    except SyscallError:
        return []
    return [q for q in replies if q.ifindex == ifindex]


def filter_dump(ifindex: int, parent: int) -> list:
    """RTM_GETTFILTER dump of (device, parent) (FilterInfo). The kernel ends such a dump
    quietly when the parent names nothing, so a failure reads as an empty dump."""
    from pykernel.uapi import rtnl as R

    try:
        return list(netlink(R.FilterRequest(R.RTM_GETTFILTER, R.NLM_F_REQUEST | R.NLM_F_DUMP,
                                            ifindex=ifindex, parent=parent)))
    except SyscallError:
        return []


def xdp_attach(ifindex: int, prog_fd: int, flags: int) -> int:
    """libbpf's bpf_xdp_attach (prog_fd -1: bpf_xdp_detach): RTM_SETLINK with IFLA_XDP;
    0 or -errno. A kernel extack is reported as libbpf reports it, on stderr."""
    from pykernel.uapi import rtnl as R

    if flags & ~R.XDP_FLAGS_MASK:
        return -22
    try:
        netlink(R.LinkRequest(R.RTM_SETLINK, R.NLM_F_REQUEST | R.NLM_F_ACK, ifindex=ifindex,
                              xdp=R.XdpRequest(fd=prog_fd, flags=flags)))
    except SyscallError as e:
        if e.extack:
            from . import common

            common.err_write(f"libbpf: Kernel error message: {e.extack}\n")
        return -e.errno
    return 0
