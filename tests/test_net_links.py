"""bpf links for XDP and cgroups: LINK_CREATE/UPDATE/DETACH, info, pins, lifetimes, conflicts."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi import rtnl as R
from pykernel.uapi.attr import (
    GetIdAttr,
    InfoAttr,
    LinkCreateAttr,
    LinkDetachAttr,
    LinkInfo,
    LinkUpdateAttr,
    ObjPinAttr,
    ProgInfo,
    ProgQueryAttr,
)
from pykernel.uapi.consts import AttachType, Cmd, LinkType
from tests.test_net_util import err, link, load, set_xdp, veth

XDP = AttachType.XDP


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def pid(p: Process, fd: int) -> int:
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
    return info.id


def linfo(p: Process, fd: int) -> LinkInfo:
    info = LinkInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
    return info


def xdp_link(p: Process, prog_fd: int, ifindex: int, flags: int = 0) -> int:
    return p.bpf(Cmd.LINK_CREATE, LinkCreateAttr(prog_fd, target_ifindex=ifindex, attach_type=XDP, flags=flags))


def test_xdp_link_attaches_and_blocks_netlink(p: Process) -> None:
    v0, _v1 = veth(p)
    fds = load(p, "xdp_pass.o") | load(p, "xdp_count.o")
    lfd = xdp_link(p, fds["xdp_pass"], v0)
    info = linfo(p, lfd)
    assert (info.type, info.prog_id, info.ifindex, info.attach_type) == (LinkType.XDP, pid(p, fds["xdp_pass"]),
                                                                          v0, XDP)
    x = link(p, "v0").xdp
    assert (x.attached, x.prog_id) == (R.XDP_ATTACHED_DRV, pid(p, fds["xdp_pass"]))
    busy = (errno.EBUSY, "Can't replace active BPF XDP link")
    assert err(set_xdp, p, "v0", -1) == busy  # ip link set dev v0 xdp off / bpftool net detach xdp
    assert err(set_xdp, p, "v0", fds["xdp_count"], R.XDP_FLAGS_DRV_MODE) == busy
    set_xdp(p, "v0", -1, R.XDP_FLAGS_SKB_MODE)  # net detach xdpgeneric: nothing there, exit 0
    assert err(set_xdp, p, "v0", fds["xdp_count"], R.XDP_FLAGS_SKB_MODE) == (
        errno.EEXIST, "Native and generic XDP can't be active at the same time")


def test_link_over_a_netlink_program_is_ebusy_and_uses_up_an_id(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    set_xdp(p, "v0", fd)
    first = linfo(p, xdp_link(p, fd, link(p, "v1").ifindex)).id
    assert err(xdp_link, p, fd, v0) == (errno.EBUSY, None)
    assert err(xdp_link, p, fd, 99) == (errno.EINVAL, None)
    # the EBUSY attempt used up an id (bpf_link_prime runs before the attach); the bad ifindex did not
    assert linfo(p, xdp_link(p, fd, link(p, "lo").ifindex)).id == first + 2
    assert err(xdp_link, p, fd, v0, R.XDP_FLAGS_UPDATE_IF_NOEXIST) == (errno.EINVAL, None)


def test_link_lifetime_pin_detach_update(p: Process) -> None:
    v0, _ = veth(p)
    fds = load(p, "xdp_pass.o") | load(p, "xdp_count.o")
    a, b = fds["xdp_pass"], fds["xdp_count"]
    lfd = xdp_link(p, a, v0)
    p.close(lfd)  # the last reference: the link goes and detaches
    assert link(p, "v0").xdp.attached == R.XDP_ATTACHED_NONE
    lfd = xdp_link(p, a, v0)
    lid = linfo(p, lfd).id
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr("/sys/fs/bpf/xl", lfd))
    p.close(lfd)
    assert link(p, "v0").xdp.prog_id == pid(p, a)  # the pin keeps it attached
    lfd = p.bpf(Cmd.OBJ_GET, ObjPinAttr("/sys/fs/bpf/xl"))
    p.bpf(Cmd.LINK_UPDATE, LinkUpdateAttr(lfd, b))
    assert link(p, "v0").xdp.prog_id == pid(p, b) == linfo(p, lfd).prog_id
    assert err(p.bpf, Cmd.LINK_UPDATE, LinkUpdateAttr(lfd, a, flags=4, old_prog_fd=a)) == (errno.EPERM, None)
    assert err(p.bpf, Cmd.LINK_UPDATE, LinkUpdateAttr(lfd, a, old_prog_fd=b)) == (errno.EINVAL, None)
    p.bpf(Cmd.LINK_DETACH, LinkDetachAttr(lfd))
    assert link(p, "v0").xdp.attached == R.XDP_ATTACHED_NONE
    info = linfo(p, lfd)
    assert (info.id, info.ifindex) == (lid, 0)  # defunct, still there
    assert err(p.bpf, Cmd.LINK_UPDATE, LinkUpdateAttr(lfd, a)) == (errno.ENOLINK, None)
    p.bpf(Cmd.LINK_DETACH, LinkDetachAttr(lfd))  # again: fine
    set_xdp(p, "v0", a)  # the mode is free again


def test_deleting_the_device_leaves_a_defunct_link(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "xdp_pass.o")["xdp_pass"]
    lfd = xdp_link(p, fd, v0)
    p.netlink(R.LinkRequest(R.RTM_DELLINK, ifname="v0"))
    assert linfo(p, lfd).ifindex == 0
    p.close(lfd)


def test_link_prog_type_checks(p: Process) -> None:
    v0, _ = veth(p)
    fds = load(p, "tc_cls.o") | load(p, "cg_skb.o") | load(p, "xdp_pass.o")
    assert err(xdp_link, p, fds["tc_mark"], v0)[0] == errno.EINVAL
    assert err(xdp_link, p, fds["cg_allow"], v0)[0] == errno.EINVAL  # a cgroup_skb program on the XDP hook
    assert err(p.bpf, Cmd.LINK_CREATE, LinkCreateAttr(fds["xdp_pass"], target_ifindex=v0,
                                                      attach_type=AttachType.CGROUP_INET_INGRESS))[0] == errno.EINVAL


def test_cgroup_links(p: Process) -> None:
    p.cgroup_mkdir("/sys/fs/cgroup/lk")
    cg = p.open_cgroup("/sys/fs/cgroup/unified/lk")
    fd = load(p, "cg_skb.o")["cg_allow"]
    ing = AttachType.CGROUP_INET_INGRESS
    lfd = p.bpf(Cmd.LINK_CREATE, LinkCreateAttr(fd, target_fd=cg, attach_type=ing))
    info = linfo(p, lfd)
    assert (info.type, info.attach_type, info.prog_id) == (LinkType.CGROUP, ing, pid(p, fd)) and info.cgroup_id
    q = ProgQueryAttr(cg, ing, prog_cnt=8)
    p.bpf(Cmd.PROG_QUERY, q)
    assert (q.attach_flags, q.prog_ids) == (2, [pid(p, fd)])  # a link shows as multi
    from pykernel.uapi.attr import ProgAttachAttr

    assert err(p.bpf, Cmd.PROG_ATTACH, ProgAttachAttr(cg, fd, ing, 0))[0] == errno.EPERM
    p.bpf(Cmd.PROG_ATTACH, ProgAttachAttr(cg, fd, ing, 2))  # multi: the same program as a plain attachment
    p.bpf(Cmd.PROG_DETACH, ProgAttachAttr(cg, fd, ing))  # removes the non-link attachment
    p.bpf(Cmd.PROG_QUERY, q)
    assert q.prog_ids == [pid(p, fd)]
    p.bpf(Cmd.LINK_DETACH, LinkDetachAttr(lfd))
    assert linfo(p, lfd).cgroup_id == 0
    p.bpf(Cmd.PROG_QUERY, q)
    assert q.prog_ids == []


def test_cgroup_link_goes_defunct_with_its_cgroup(p: Process) -> None:
    p.cgroup_mkdir("/sys/fs/cgroup/lk")
    cg = p.open_cgroup("/sys/fs/cgroup/lk")
    fd = load(p, "cg_skb.o")["cg_allow"]
    lfd = p.bpf(Cmd.LINK_CREATE, LinkCreateAttr(fd, target_fd=cg, attach_type=AttachType.CGROUP_INET_EGRESS))
    p.close(cg)
    p.cgroup_rmdir("/sys/fs/cgroup/lk")
    assert linfo(p, lfd).cgroup_id == 0
    p.close(lfd)
    assert err(p.bpf, Cmd.LINK_GET_FD_BY_ID, GetIdAttr(start_id=1))[0] == errno.ENOENT
