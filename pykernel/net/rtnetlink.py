"""The NETLINK_ROUTE socket: one request record in, a reply (or a list, or None) out.

See :mod:`pykernel.uapi.rtnl` for the contract. Link requests follow ``rtnl_newlink`` /
``do_setlink`` / ``rtnl_dellink`` / ``rtnl_getlink``; qdisc and filter requests go to
:mod:`.tc`. Changes made before a failing step of one request stay, as in Linux.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..uapi import rtnl as R
from ..uapi.consts import EEXIST, EINVAL, ENODEV, EOPNOTSUPP, ERANGE
from ..uapi.errors import SyscallError
from . import devices as D
from . import netns, schema, tc, xdp

if TYPE_CHECKING:
    from ..objects import Kernel


def handle(k: Kernel, req: Any) -> Any:
    schema.ensure(k.tx)
    netns.current(k)
    if isinstance(req, R.LinkRequest):
        return _link(k, req)
    if isinstance(req, R.QdiscRequest):
        if req.type == R.RTM_NEWQDISC:
            return tc.modify_qdisc(k, req)
        if req.type == R.RTM_GETQDISC and req.flags & R.NLM_F_DUMP == R.NLM_F_DUMP:
            return tc.dump_qdiscs(k, req)
        if req.type in (R.RTM_GETQDISC, R.RTM_DELQDISC):
            return tc.get_or_del_qdisc(k, req)
    elif isinstance(req, R.FilterRequest):
        if req.type == R.RTM_NEWTFILTER:
            return tc.new_filter(k, req)
        if req.type == R.RTM_DELTFILTER:
            tc.del_filter(k, req)
            return None
        if req.type == R.RTM_GETTFILTER:
            if req.flags & R.NLM_F_DUMP == R.NLM_F_DUMP:
                return tc.dump_filters(k, req)
            return tc.get_filter(k, req)
    else:
        raise SyscallError(EINVAL, f"not a netlink request: {type(req).__name__}")
    raise SyscallError(EOPNOTSUPP, f"message type {req.type} is not handled here")


def _link(k: Kernel, req: R.LinkRequest) -> Any:
    t = req.type
    if t == R.RTM_GETLINK:
        if req.flags & R.NLM_F_DUMP == R.NLM_F_DUMP:
            return [D.ifinfo(k, d) for d in D.all_devices(k)]
        if req.ifname is not None and len(req.ifname.encode()) >= R.IFNAMSIZ:
            raise SyscallError(ERANGE, "name", extack="Attribute failed policy validation")
        d = _find(k, req)
        if d is None:
            raise SyscallError(ENODEV, "no such device")
        return D.ifinfo(k, d)
    if t == R.RTM_DELLINK:
        d = _find(k, req)
        if d is None:
            raise SyscallError(ENODEV, "no such device")
        D.delete(k, d)
        return None
    if t in (R.RTM_NEWLINK, R.RTM_SETLINK):
        if req.ifname is not None and len(req.ifname.encode()) >= R.IFNAMSIZ:
            raise SyscallError(ERANGE, "name", extack="Attribute failed policy validation")
        d = _find(k, req)
        if t == R.RTM_SETLINK:
            if d is None:
                raise SyscallError(ENODEV, "no such device")
            return _setlink(k, d, req)
        if d is not None:
            if req.flags & R.NLM_F_EXCL:
                raise SyscallError(EEXIST, f"{d.name} exists")
            if req.kind is not None and req.kind != (d.spec.kind or None):
                raise SyscallError(EOPNOTSUPP, "kind differs")
            return _setlink(k, d, req)
        if req.ifindex and req.ifname is None:
            raise SyscallError(ENODEV, "no device with that ifindex")
        if not req.flags & R.NLM_F_CREATE:
            raise SyscallError(ENODEV, "no such device and no NLM_F_CREATE")
        if req.kind is None:
            raise SyscallError(EOPNOTSUPP, "no kind")
        dev = D.create(k, req)
        if req.ifi_change or req.ifi_flags:
            D.change_flags(k, dev, req.ifi_flags, req.ifi_change or 0xFFFFFFFF)
            dev.save(k.tx)
        if req.xdp is not None:
            xdp.change_xdp_fd(k, dev, req.xdp)
        return D.ifinfo(k, D.get_by_id(k, dev.id) or dev)
    raise SyscallError(EOPNOTSUPP, f"link message type {t}")


def _find(k: Kernel, req: R.LinkRequest) -> D.Netdev | None:
    if req.ifindex:
        return D.get_by_index(k, req.ifindex)
    if req.ifname is not None:
        return D.get_by_name(k, req.ifname)
    return None


def _setlink(k: Kernel, d: D.Netdev, req: R.LinkRequest) -> R.IfInfo:
    """do_setlink(): namespace, name, address, MTU, flags, txqlen, then XDP."""
    if req.netns is not None and req.netns != d.ns:
        if not netns.exists(k, req.netns):
            raise SyscallError(EINVAL, f"no namespace {req.netns!r}")
        D.move_ns(k, d, req.netns, req.new_name)
        return D.ifinfo(k, D.get_by_id(k, d.id) or d)
    try:
        new_name = req.new_name if req.new_name is not None else (req.ifname if req.ifindex and req.ifname else None)
        if new_name is not None and new_name != d.name:
            if d.up:
                raise SyscallError(16, "device is up")  # EBUSY: dev_change_name of a running device
            name = D.check_new_name(k, d.ns, new_name, d.kind, set())
            d.name = name
        if req.address is not None:
            if len(req.address) != 6:
                raise SyscallError(EINVAL, "address length")
            if req.address[0] & 1:
                raise SyscallError(99, "multicast address")  # EADDRNOTAVAIL (eth_prepare_mac_addr_change)
            d.address = bytes(req.address)
        if req.mtu is not None:
            D.set_mtu(k, d, req.mtu)
        if req.ifi_flags or req.ifi_change:
            D.change_flags(k, d, req.ifi_flags, req.ifi_change or 0xFFFFFFFF)
        if req.txqlen is not None:
            if req.txqlen < 0 or req.txqlen > 0xFFFFFFFF:
                raise SyscallError(EINVAL, "txqlen")
            d.txqlen = req.txqlen
    finally:
        d.save(k.tx)  # what was changed before a failing step stays changed
    if req.xdp is not None:
        xdp.change_xdp_fd(k, d, req.xdp)
    return D.ifinfo(k, D.get_by_id(k, d.id) or d)
