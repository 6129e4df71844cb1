"""XDP attachment: ``dev_change_xdp_fd`` (netlink IFLA_XDP), ``dev_xdp_attach`` (shared with
bpf links), detach, and uninstall when a device goes away.

Modes are ``"skb"`` (generic), ``"drv"`` (native) and ``"hw"`` (offload); a device holds at
most one program per mode, through a ``refs`` row (``netdev``, device id, ``xdp:<mode>``) or
through a bpf_link (``xdp_<mode>_link``; the link holds the program). The checks run in
the kernel's order with its errnos and extack texts (nfp-offload.md 1.4; cli-surface.md
2.7/2.8 show them through ip and bpftool).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..uapi import rtnl as R
from ..uapi.consts import EBUSY, EEXIST, EINVAL, ENOSPC, EOPNOTSUPP, ERANGE, AttachType, ProgType
from ..uapi.errors import SyscallError
from . import offload
from .devices import ETH_MAX_MTU, NETDEV, Netdev, peer_of

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog

MODES = ("skb", "drv", "hw")
PAGE_SIZE = 4096
VETH_XDP_HEADROOM = 256
SKB_SHINFO = 320
ETH_HLEN = 14
MAX_SKB_FRAGS = 17
F_XDP_HAS_FRAGS = 1 << 5


def mode_of(dev: Netdev, flags: int) -> str:
    """dev_xdp_mode(): the flag's mode, else native if the driver has ndo_bpf."""
    if flags & R.XDP_FLAGS_HW_MODE:
        return "hw"
    if flags & R.XDP_FLAGS_DRV_MODE:
        return "drv"
    if flags & R.XDP_FLAGS_SKB_MODE:
        return "skb"
    return "drv" if dev.spec.ndo_bpf else "skb"


def is_offloaded(prog: Prog) -> bool:
    return bool(prog.ifindex) and not prog.prog_flags & offload.BPF_F_XDP_DEV_BOUND_ONLY


def get_xdp_prog(k: Kernel, fd: int, attach_drv: bool) -> Prog:
    """bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_XDP, attach_drv)."""
    prog = k.prog_fd(fd)
    if prog.type != ProgType.XDP:
        raise SyscallError(EINVAL, "not an XDP program")
    if is_offloaded(prog) and not attach_drv:
        raise SyscallError(EINVAL, "offloaded program outside HW mode")
    return prog


def change_xdp_fd(k: Kernel, dev: Netdev, xr: R.XdpRequest) -> None:
    """rtnetlink's IFLA_XDP: validate the attribute, then dev_change_xdp_fd()."""
    flags = xr.flags
    if flags & ~R.XDP_FLAGS_MASK:
        raise SyscallError(EINVAL, "unknown XDP flags")
    if bin(flags & R.XDP_FLAGS_MODES).count("1") > 1:
        raise SyscallError(EINVAL, "more than one XDP mode flag")
    expected_fd = -1
    if flags & R.XDP_FLAGS_REPLACE:
        if xr.expected_fd is None:
            raise SyscallError(EINVAL, "XDP_FLAGS_REPLACE without IFLA_XDP_EXPECTED_FD")
        expected_fd = xr.expected_fd
    mode = mode_of(dev, flags)
    new = get_xdp_prog(k, xr.fd, mode != "skb") if xr.fd >= 0 else None
    old = get_xdp_prog(k, expected_fd, mode != "skb") if expected_fd >= 0 else None
    attach(k, dev, new, old, flags)


def attach(k: Kernel, dev: Netdev, new: Prog | None, old: Prog | None, flags: int,
           link_id: int = 0) -> None:
    """dev_xdp_attach(): program (``new``/``old``) or link (``link_id`` with its program as ``new``)."""
    if link_id and flags & ~R.XDP_FLAGS_MODES:
        raise SyscallError(EINVAL, "bad flags", extack="Invalid XDP flags for BPF link attachment")
    nmodes = bin(flags & R.XDP_FLAGS_MODES).count("1")
    if nmodes > 1:
        raise SyscallError(EINVAL, "modes", extack="Only one XDP mode flag can be set")
    if not nmodes and dev.xdp_count() > 1:
        raise SyscallError(EINVAL, "ambiguous", extack="More than one program loaded, unset mode is ambiguous")
    if old is not None and not flags & R.XDP_FLAGS_REPLACE:
        raise SyscallError(EINVAL, "old prog", extack="XDP_FLAGS_REPLACE is not specified")
    mode = mode_of(dev, flags)
    if dev.xdp_link(mode):
        raise SyscallError(EBUSY, "link owns the mode", extack="Can't replace active BPF XDP link")
    cur = dev.xdp_prog(mode)
    if link_id and cur:
        raise SyscallError(EBUSY, "prog attached", extack="Can't replace active XDP program with BPF link")
    if flags & R.XDP_FLAGS_REPLACE and cur != (old.id if old is not None else 0):
        raise SyscallError(EEXIST, "expected", extack="Active program does not match expected")
    if new is not None:
        hw = mode == "hw"
        other = "drv" if mode == "skb" else "skb"
        if flags & R.XDP_FLAGS_UPDATE_IF_NOEXIST and cur:
            raise SyscallError(EBUSY, "attached", extack="XDP program already attached")
        if not hw and dev.xdp_prog(other):
            raise SyscallError(EEXIST, "other mode",
                               extack="Native and generic XDP can't be active at the same time")
        if not hw and is_offloaded(new):
            raise SyscallError(EINVAL, "offloaded",
                               extack="Using offloaded program without HW_MODE flag is not supported")
        if new.ifindex:
            from .devices import get_by_index

            bound = get_by_index(k, new.ifindex)
            if bound is None or not offload.same_device(bound, dev):
                raise SyscallError(EINVAL, "bound elsewhere", extack="Program bound to different device")
            if mode == "skb":
                raise SyscallError(EINVAL, "dev-bound generic",
                                   extack="Can't attach device-bound programs in generic mode")
        if new.expected_attach_type == AttachType.XDP_DEVMAP:
            raise SyscallError(EINVAL, "devmap prog",
                               extack="BPF_XDP_DEVMAP programs can not be attached to a device")
        if new.expected_attach_type == AttachType.XDP_CPUMAP:
            raise SyscallError(EINVAL, "cpumap prog",
                               extack="BPF_XDP_CPUMAP programs can not be attached to a device")
    new_id = new.id if new is not None else 0
    if new_id != cur:
        _install(k, dev, mode, new)
    dev.set_xdp(mode, new_id, link_id)
    k.ref_drop(NETDEV, dev.id, slot=f"xdp:{mode}")
    if new_id and not link_id:
        k.ref_add(NETDEV, dev.id, f"xdp:{mode}", "prog", new_id)
    dev.save(k.tx)


def _install(k: Kernel, dev: Netdev, mode: str, prog: Prog | None) -> None:
    """The driver's part (bpf_op): generic always works; native needs ndo_bpf."""
    if mode == "skb":
        return
    if not dev.spec.ndo_bpf:
        raise SyscallError(EOPNOTSUPP, "no ndo_bpf",
                           extack="Underlying driver does not support XDP in native mode")
    if mode == "hw":
        offload.xdp_setup_hw(k, dev, prog)
        return
    if dev.kind == "veth":
        _veth_xdp_set(k, dev, prog)


def _veth_xdp_set(k: Kernel, dev: Netdev, prog: Prog | None) -> None:
    peer = peer_of(k, dev)
    had = bool(dev.xdp_drv)
    if prog is not None:
        if peer is None:  # pragma: no cover - veth peers go together
            raise SyscallError(107, "peer detached", extack="veth: Cannot set XDP when peer is detached")
        max_mtu = PAGE_SIZE - VETH_XDP_HEADROOM - SKB_SHINFO - ETH_HLEN
        if prog.prog_flags & F_XDP_HAS_FRAGS:
            max_mtu += PAGE_SIZE * MAX_SKB_FRAGS
        if peer.mtu > max_mtu:
            raise SyscallError(ERANGE, "peer mtu", extack="veth: Peer MTU is too large to set XDP")
        if dev.num_rx < peer.num_tx:
            raise SyscallError(ENOSPC, "queues",
                               extack="veth: XDP expects number of rx queues not less than peer tx queues")
        if not had:
            peer.max_mtu = max_mtu
            peer.save(k.tx)
    elif had and peer is not None:
        peer.max_mtu = ETH_MAX_MTU
        peer.save(k.tx)


def detach_link(k: Kernel, dev: Netdev, mode: str, link_id: int) -> None:
    """dev_xdp_detach_link(): the link's mode is cleared (the link object stays)."""
    if dev.xdp_link(mode) != link_id:
        raise SyscallError(EINVAL, "link not attached here")
    try:
        _install(k, dev, mode, None)
    except SyscallError:  # pragma: no cover - clearing never fails in the drivers modelled
        pass
    dev.set_xdp(mode, 0, 0)
    dev.save(k.tx)


def update_link(k: Kernel, dev: Netdev, mode: str, new: Prog) -> None:
    """bpf_xdp_link_update(): swap the program under an attached link."""
    if dev.xdp_prog(mode) == new.id:
        return
    _install(k, dev, mode, new)
    dev.set_xdp(mode, new.id, dev.xdp_link(mode))
    dev.save(k.tx)


def uninstall(k: Kernel, dev: Netdev) -> None:
    """dev_xdp_uninstall() when the device is unregistered: programs drop, links go defunct."""
    import json

    for mode in MODES:
        prog = dev.xdp_prog(mode)
        link = dev.xdp_link(mode)
        if not prog:
            continue
        try:
            _install(k, dev, mode, None)
        except SyscallError:
            pass
        if link:
            row = k.tx.one("SELECT target FROM links WHERE id = ?", (link,))
            if row is not None:
                tgt = json.loads(row[0] or "{}")
                tgt["ifindex"] = 0
                tgt["dev"] = 0
                k.tx.x("UPDATE links SET target = ?, detached = 1 WHERE id = ?", (json.dumps(tgt, sort_keys=True),
                                                                                  link))
        dev.set_xdp(mode, 0, 0)
    k.ref_drop(NETDEV, dev.id)
    dev.save(k.tx)


__all__ = ["MODES", "mode_of", "change_xdp_fd", "attach", "detach_link", "update_link", "uninstall"]
