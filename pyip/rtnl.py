"""The netlink side of ip and tc: iproute2's ``rtnl_talk``/``rtnl_dump`` over
``Process.netlink`` (the simulated kernel's NETLINK_ROUTE socket, pykernel.uapi.rtnl).

:func:`talk` sends one request and returns the reply; a kernel error comes back as
:class:`NetlinkError`, which the caller reports with :func:`report` exactly as
libnetlink does: the extack as ``Error: <msg>.`` (a period added unless the message
ends with one), else ``RTNETLINK answers: <strerror>``.

The process is made on first use (commands that fail in parsing never open the
state). ``-n NS`` switches it into a network namespace (:func:`netns_switch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .utils import err, strerror

if TYPE_CHECKING:
    from pykernel import Process

_proc: Process | None = None
_installed: Process | None = None  # a process given by the caller (pyip.testing)
_netns: str | None = None  # the namespace -n asked for


def proc() -> Process:
    global _proc
    if _proc is None:
        from pykernel import Process

        _proc = Process.current()
    return _proc


def reset() -> None:
    """Start a command line: the installed process, or a new one made on first use."""
    global _proc, _netns
    _proc, _netns = _installed, None
    forget_names()


def install(process: Process | None) -> None:
    """Run the next command lines as ``process`` (None: this OS process's own)."""
    global _installed
    _installed = process


class NetlinkError(Exception):
    """An NLMSG_ERROR answer: ``errno`` and the extended-ack text (or None)."""

    def __init__(self, errno: int, extack: str | None) -> None:
        super().__init__(errno, extack)
        self.errno = errno
        self.extack = extack


def talk(request: Any) -> Any:
    """rtnl_talk(): one request, its reply (a record, a list for dumps, None for DEL)."""
    from pykernel.uapi.errors import SyscallError

    try:
        return proc().netlink(request)
    except SyscallError as e:
        raise NetlinkError(e.errno or 0, e.extack) from None


def dump(request: Any) -> list[Any]:
    """rtnl_dump_request + rtnl_dump_filter: the replies of a NLM_F_DUMP request."""
    replies = talk(request)
    if replies is None:
        return []
    return list(replies) if isinstance(replies, list | tuple) else [replies]


def report(e: NetlinkError) -> None:
    """What libnetlink prints for an error answer."""
    if e.extack:
        dot = "" if e.extack.endswith(".") else "."
        err(f"Error: {e.extack}{dot}\n")
    else:
        err(f"RTNETLINK answers: {strerror(e.errno)}\n")


def netns_switch(name: str | None) -> bool:
    """``-n NAME`` (netns_switch()): enter the namespace, or print iproute2's message and
    return False. ``name`` None is a missing argument, which iproute2 shows as (null)."""
    global _netns
    from pykernel.uapi.errors import SyscallError

    shown = "(null)" if name is None else name
    if name is None:
        err(f'Cannot open network namespace "{shown}": {strerror(2)}\n')
        return False
    if name == "":
        # /run/netns/ itself opens (a directory), and setns() refuses it
        err(f'setting the network namespace "{name}" failed: {strerror(22)}\n')
        return False
    try:
        p = proc()
        p.setns(name)
    except SyscallError as e:
        err(f'Cannot open network namespace "{shown}": {strerror(e.errno or 2)}\n')
        return False
    _netns = name
    return True


def ifindex_of(name: str) -> int:
    """ll_name_to_index(): the index of device ``name`` in this namespace, 0 if none."""
    from pykernel.uapi import rtnl as R

    if not name:
        return 0
    try:
        info = talk(R.LinkRequest(type=R.RTM_GETLINK, ifname=name))
    except NetlinkError:
        # iproute2 falls back to if_nametoindex(), which also fails
        return 0
    return info.ifindex if info is not None else 0


_name_cache: dict[int, tuple[str, int]] = {}


def links() -> list[Any]:
    """All devices of the namespace (ll_init_map's dump), cached by index."""
    from pykernel.uapi import rtnl as R

    infos = dump(R.LinkRequest(type=R.RTM_GETLINK, flags=R.NLM_F_REQUEST | R.NLM_F_DUMP))
    _name_cache.clear()
    for i in infos:
        _name_cache[i.ifindex] = (i.ifname, i.flags)
    return infos


def index_to_name(ifindex: int) -> str:
    """ll_index_to_name(): the device name, or ``if<N>`` when it is unknown."""
    if ifindex not in _name_cache:
        try:
            links()
        except NetlinkError:
            pass
    hit = _name_cache.get(ifindex)
    return hit[0] if hit else f"if{ifindex}"


def index_to_flags(ifindex: int) -> int:
    if ifindex not in _name_cache:
        try:
            links()
        except NetlinkError:
            pass
    hit = _name_cache.get(ifindex)
    return hit[1] if hit else 0


def forget_names() -> None:
    _name_cache.clear()
    _nsid_names.clear()


_nsid_names: dict[tuple[int, int], str | None] = {}


def peer_netns_name(ifindex: int, peer_ifindex: int, nsid: int) -> str | None:
    """get_name_from_nsid() for a veth whose peer lives in another namespace: the name
    of the namespace holding device ``peer_ifindex`` paired with ``ifindex``. ip asks the
    kernel for the id of each /run/netns entry; here each named namespace is entered in
    turn and searched for the peer (the calling process comes back where it was)."""
    from pykernel.uapi import rtnl as R
    from pykernel.uapi.errors import SyscallError

    key = (ifindex, nsid)
    if key in _nsid_names:
        return _nsid_names[key]
    p = proc()
    here = getattr(p, "netns", "")
    found: str | None = None
    try:
        names = list(p.netns_list())
    except SyscallError:
        names = []
    try:
        for name in names + [""]:
            if name == here:
                continue
            try:
                p.setns(name)
                infos = p.netlink(R.LinkRequest(type=R.RTM_GETLINK, flags=R.NLM_F_REQUEST | R.NLM_F_DUMP))
            except SyscallError:
                continue
            if any(i.ifindex == peer_ifindex and i.link == ifindex and i.link_netnsid is not None
                   for i in infos or []):
                found = name or None
                break
    finally:
        try:
            p.setns(here)
        except SyscallError:
            pass
    _nsid_names[key] = found
    return found
