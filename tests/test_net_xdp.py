"""XDP attachment through netlink (IFLA_XDP): modes, conflicts, errnos and extack texts, lifetimes.

The expected (errno, extack) pairs are the 6.18 kernel's (cli-surface.md 2.7/2.8,
tests/fixtures/net/ip/ip_xdp.json, nfp-offload.md 1.4; test_net_realkernel.py compares live).
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi import rtnl as R
from pykernel.uapi.attr import GetIdAttr, InfoAttr, ProgInfo
from pykernel.uapi.consts import Cmd
from tests.test_net_util import NEW, err, link, load, set_xdp, veth

UPD = R.XDP_FLAGS_UPDATE_IF_NOEXIST


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def prog_id(p: Process, fd: int) -> int:
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
    return info.id


def prog_exists(p: Process, pid: int) -> bool:
    try:
        fd = p.bpf(Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=pid))
    except OSError:
        return False
    p.close(fd)
    return True


def test_driver_mode_by_default_and_its_conflicts(p: Process) -> None:
    veth(p)
    fds = load(p, "xdp_count.o") | load(p, "xdp_pass.o")
    count, pas = fds["xdp_count"], fds["xdp_pass"]
    set_xdp(p, "v0", count, UPD)
    x = link(p, "v0").xdp
    assert (x.attached, x.prog_id, x.drv_prog_id, x.skb_prog_id) == (R.XDP_ATTACHED_DRV, prog_id(p, count),
                                                                     prog_id(p, count), 0)
    # ip link set dev v1 xdpdrv ...; then xdpgeneric on the same device
    set_xdp(p, "v1", count, UPD | R.XDP_FLAGS_DRV_MODE)
    assert err(set_xdp, p, "v1", count, UPD | R.XDP_FLAGS_SKB_MODE) == (
        errno.EEXIST, "Native and generic XDP can't be active at the same time")
    assert err(set_xdp, p, "v1", count, UPD | R.XDP_FLAGS_DRV_MODE) == (errno.EBUSY, "XDP program already attached")
    assert err(set_xdp, p, "v1", pas, UPD) == (errno.EBUSY, "XDP program already attached")
    set_xdp(p, "v1", pas)  # ip -force: no UPDATE_IF_NOEXIST replaces
    assert link(p, "v1").xdp.prog_id == prog_id(p, pas)
    # -force does not cross modes
    assert err(set_xdp, p, "v1", pas, R.XDP_FLAGS_SKB_MODE)[0] == errno.EEXIST
    set_xdp(p, "v1", -1)  # xdp off
    set_xdp(p, "v1", -1)  # twice: still fine
    assert link(p, "v1").xdp.attached == R.XDP_ATTACHED_NONE


def test_generic_mode_and_plain_off_only_removes_driver_programs(p: Process) -> None:
    veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    set_xdp(p, "v0", fd, UPD | R.XDP_FLAGS_SKB_MODE)
    x = link(p, "v0").xdp
    assert (x.attached, x.skb_prog_id) == (R.XDP_ATTACHED_SKB, prog_id(p, fd))
    set_xdp(p, "v0", -1)  # "xdp off" (no mode: driver) leaves the generic program
    assert link(p, "v0").xdp.attached == R.XDP_ATTACHED_SKB
    set_xdp(p, "v0", -1, R.XDP_FLAGS_SKB_MODE)
    assert link(p, "v0").xdp.attached == R.XDP_ATTACHED_NONE


def test_devices_without_native_xdp(p: Process) -> None:
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="i0", kind="ifb"))
    for dev in ("lo", "i0"):
        for mode in (R.XDP_FLAGS_DRV_MODE, R.XDP_FLAGS_HW_MODE):
            assert err(set_xdp, p, dev, fd, UPD | mode) == (
                errno.EOPNOTSUPP, "Underlying driver does not support XDP in native mode")
        set_xdp(p, dev, fd, UPD)  # no mode: generic, silently
        assert link(p, dev).xdp.attached == R.XDP_ATTACHED_SKB


def test_veth_refuses_hw_mode_without_a_message(p: Process) -> None:
    veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    assert err(set_xdp, p, "v0", fd, R.XDP_FLAGS_HW_MODE) == (errno.EINVAL, None)


def test_nic_without_offload_firmware(p: Process) -> None:
    from pykernel.net import devices as D

    p.kernel_call(lambda k: D.create_nic(k, "eth0", extra={"offload": "nfp"}))
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    assert err(set_xdp, p, "eth0", fd, R.XDP_FLAGS_HW_MODE) == (errno.EOPNOTSUPP, None)
    set_xdp(p, "eth0", fd, UPD)  # native XDP works on the NIC
    assert link(p, "eth0").xdp.attached == R.XDP_ATTACHED_DRV
    # a program or map bound to it cannot be made while no offload driver is registered
    from pykernel.uapi.attr import MapCreateAttr, ProgLoadAttr

    ok = bytes.fromhex("b700000002000000" "9500000000000000")
    ifindex = link(p, "eth0").ifindex
    assert err(p.bpf, Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", prog_ifindex=ifindex))[0] == errno.EINVAL
    assert err(p.bpf, Cmd.MAP_CREATE, MapCreateAttr(2, 4, 8, 4, map_ifindex=ifindex))[0] == errno.EINVAL


def test_bad_programs_and_flags(p: Process) -> None:
    veth(p)
    fds = load(p, "xdp_pass.o") | load(p, "tc_cls.o")
    # a tc program as XDP: EINVAL without a message (RTNETLINK answers: Invalid argument)
    assert err(set_xdp, p, "v0", fds["tc_mark"], UPD) == (errno.EINVAL, None)
    assert err(set_xdp, p, "v0", 99, UPD)[0] == errno.EBADF
    assert err(set_xdp, p, "v0", fds["xdp_pass"], R.XDP_FLAGS_SKB_MODE | R.XDP_FLAGS_DRV_MODE) == (errno.EINVAL, None)
    assert err(set_xdp, p, "v0", fds["xdp_pass"], 1 << 5) == (errno.EINVAL, None)
    assert err(set_xdp, p, "v0", fds["xdp_pass"], R.XDP_FLAGS_REPLACE) == (errno.EINVAL, None)


def test_replace_with_expected_program(p: Process) -> None:
    veth(p)
    fds = load(p, "xdp_pass.o") | load(p, "xdp_count.o")
    a, b = fds["xdp_pass"], fds["xdp_count"]
    assert err(set_xdp, p, "v0", a, R.XDP_FLAGS_REPLACE, expected_fd=b) == (
        errno.EEXIST, "Active program does not match expected")
    set_xdp(p, "v0", a, R.XDP_FLAGS_REPLACE, expected_fd=-1)  # expect nothing attached
    assert err(set_xdp, p, "v0", b, R.XDP_FLAGS_REPLACE, expected_fd=-1) == (
        errno.EEXIST, "Active program does not match expected")
    set_xdp(p, "v0", b, R.XDP_FLAGS_REPLACE, expected_fd=a)
    assert link(p, "v0").xdp.prog_id == prog_id(p, b)


def test_veth_peer_mtu_rule(p: Process) -> None:
    veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="v0", mtu=9000))
    assert err(set_xdp, p, "v1", fd, UPD | R.XDP_FLAGS_DRV_MODE) == (
        errno.ERANGE, "veth: Peer MTU is too large to set XDP")
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="v0", mtu=3000))
    set_xdp(p, "v1", fd, UPD | R.XDP_FLAGS_DRV_MODE)
    assert link(p, "v0").max_mtu == 3506
    assert err(p.netlink, R.LinkRequest(R.RTM_SETLINK, ifname="v0", mtu=4000)) == (
        errno.EINVAL, "mtu greater than device maximum")
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="v1", mtu=9000))  # the XDP device itself may grow
    set_xdp(p, "v1", -1, R.XDP_FLAGS_DRV_MODE)
    assert link(p, "v0").max_mtu == 65535
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="v0", mtu=4000))


def test_attachment_holds_the_program_until_detach_or_device_deletion(p: Process) -> None:
    veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    pid = prog_id(p, fd)
    set_xdp(p, "v0", fd, UPD)
    set_xdp(p, "v1", fd, UPD)
    p.close(fd)
    assert prog_exists(p, pid)
    set_xdp(p, "v0", -1)
    assert prog_exists(p, pid)  # v1 still holds it
    p.netlink(R.LinkRequest(R.RTM_DELLINK, ifname="v0"))  # takes v1 along
    assert not prog_exists(p, pid)


def test_devmap_programs_cannot_be_attached(p: Process) -> None:
    from pykernel.uapi.attr import ProgLoadAttr
    from pykernel.uapi.consts import AttachType

    veth(p)
    ok = bytes.fromhex("b700000002000000" "9500000000000000")
    fd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", expected_attach_type=AttachType.XDP_DEVMAP))
    assert err(set_xdp, p, "v0", fd, UPD) == (errno.EINVAL, "BPF_XDP_DEVMAP programs can not be attached to a device")


def test_device_bound_programs(p: Process) -> None:
    """A BPF_F_XDP_DEV_BOUND_ONLY program (XDP metadata kfuncs) attaches natively to its own
    device only."""
    from pykernel.uapi.attr import ProgLoadAttr

    v0, v1 = veth(p)
    ok = bytes.fromhex("b700000002000000" "9500000000000000")
    fd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", prog_flags=1 << 6, prog_ifindex=v0))
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
    assert info.ifindex == v0
    assert err(set_xdp, p, "v1", fd, UPD) == (errno.EINVAL, "Program bound to different device")
    assert err(set_xdp, p, "v0", fd, UPD | R.XDP_FLAGS_SKB_MODE) == (
        errno.EINVAL, "Can't attach device-bound programs in generic mode")
    set_xdp(p, "v0", fd, UPD)
    assert link(p, "v0").xdp.drv_prog_id == info.id
    # loads bound to devices that cannot take them
    assert err(p.bpf, Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", prog_flags=1 << 6, prog_ifindex=1))[0] == (
        errno.EOPNOTSUPP)  # lo has no ndo_bpf
    assert err(p.bpf, Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", prog_ifindex=v1))[0] == errno.EINVAL  # offload
    assert err(p.bpf, Cmd.PROG_LOAD, ProgLoadAttr(6, ok, "GPL", prog_ifindex=99))[0] == errno.EINVAL
    assert err(p.bpf, Cmd.PROG_LOAD, ProgLoadAttr(3, ok, "GPL", prog_flags=1 << 6, prog_ifindex=v0))[0] == (
        errno.EINVAL)  # sched_cls cannot be dev-bound-only
