"""Devices through Process.netlink: kinds, names, errors, flags, carrier, MTU, deletion, netns.

Expected values are those the 6.18 reference kernel gave for the same requests (ip/iproute2
6.1 in a private namespace; see test_net_realkernel.py for the live comparison).
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi import rtnl as R
from tests.test_net_util import DUMP, NEW, err, link, veth

SET = R.NLM_F_REQUEST | R.NLM_F_ACK


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def names(p: Process) -> list[tuple[int, str]]:
    return [(d.ifindex, d.ifname) for d in p.netlink(R.LinkRequest(R.RTM_GETLINK, DUMP))]


def test_lo_exists_from_the_start_and_is_up(p: Process) -> None:
    lo = link(p, "lo")
    assert (lo.ifindex, lo.mtu, lo.min_mtu, lo.max_mtu, lo.qdisc, lo.link_type) == (1, 65536, 0, 0, "noqueue",
                                                                                 R.ARPHRD_LOOPBACK)
    assert lo.flags & (R.IFF_LOOPBACK | R.IFF_UP | R.IFF_LOWER_UP | R.IFF_RUNNING) == (
        R.IFF_LOOPBACK | R.IFF_UP | R.IFF_LOWER_UP | R.IFF_RUNNING)
    assert lo.operstate == R.IF_OPER_UNKNOWN and lo.address == bytes(6) and lo.broadcast == bytes(6)
    assert err(p.netlink, R.LinkRequest(R.RTM_DELLINK, SET, ifname="lo")) == (errno.EOPNOTSUPP, None)


def test_veth_pair_registers_the_peer_first(p: Process) -> None:
    v0 = p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="v0", kind="veth", peer_name="v1"))
    assert names(p) == [(1, "lo"), (2, "v1"), (3, "v0")]
    v1 = link(p, "v1")
    assert (v0.ifindex, v0.link, v1.link) == (3, 2, 3)
    for d in (v0, v1):
        assert d.kind == "veth" and d.mtu == 1500 and (d.min_mtu, d.max_mtu) == (68, 65535)
        assert d.flags == R.IFF_BROADCAST | R.IFF_MULTICAST and d.operstate == R.IF_OPER_DOWN
        assert d.qdisc == "noop" and d.txqlen == 1000 and (d.num_tx_queues, d.num_rx_queues) == (2, 2)
        assert d.tso_max_size == 524280 and d.address[0] & 3 == 2  # unicast, locally administered
    assert v0.address != v1.address


def test_macs_are_deterministic(tmp_path: Path) -> None:
    macs = []
    for sub in ("a", "b"):
        q = Process(tmp_path / sub)
        veth(q, up=False)
        macs.append([link(q, n).address for n in ("v0", "v1")])
        q.exit()
    assert macs[0] == macs[1]


def test_name_errors_as_the_kernel(p: Process) -> None:
    veth(p, up=False)
    assert err(p.netlink, R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="v0", kind="veth", peer_name="v2")) == (
        errno.EEXIST, None)
    assert err(p.netlink, R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="v3", kind="veth", peer_name="v3")) == (
        errno.EEXIST, None)
    assert err(p.netlink, R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="abcdefghijklmnop", kind="veth",
                                        peer_name="x1")) == (errno.ERANGE, "Attribute failed policy validation")
    for bad in ("a:b", ".", "..", "a b", "a/b"):
        assert err(p.netlink, R.LinkRequest(R.RTM_NEWLINK, NEW, ifname=bad, kind="veth", peer_name="x1")) == (
            errno.EINVAL, None), bad
    assert err(p.netlink, R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="d0", kind="bogus")) == (
        errno.EOPNOTSUPP, "Unknown device type")
    # nothing half-made stays behind
    assert names(p) == [(1, "lo"), (2, "v1"), (3, "v0")]
    assert err(p.netlink, R.LinkRequest(R.RTM_DELLINK, SET, ifname="nosuch")) == (errno.ENODEV, None)
    assert err(p.netlink, R.LinkRequest(R.RTM_GETLINK, R.NLM_F_REQUEST, ifindex=99)) == (errno.ENODEV, None)


def test_default_names_and_ifindexes_are_not_reused(p: Process) -> None:
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, kind="veth"))
    assert names(p) == [(1, "lo"), (2, "veth0"), (3, "veth1")]
    p.netlink(R.LinkRequest(R.RTM_DELLINK, SET, ifname="veth1"))
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="d0", kind="dummy"))
    assert names(p) == [(1, "lo"), (4, "d0")]


def test_mtu_limits(p: Process) -> None:
    veth(p, up=False)
    assert err(p.netlink, R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", mtu=67)) == (
        errno.EINVAL, "mtu less than device minimum")
    assert err(p.netlink, R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", mtu=65536)) == (
        errno.EINVAL, "mtu greater than device maximum")
    assert p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", mtu=9000)).mtu == 9000


def test_carrier_follows_the_peer(p: Process) -> None:
    veth(p, up=False)
    v0 = p.netlink(R.LinkRequest(R.RTM_NEWLINK, SET, ifname="v0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    # ip: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> ... qdisc noqueue state LOWERLAYERDOWN
    assert v0.flags == R.IFF_BROADCAST | R.IFF_MULTICAST | R.IFF_UP
    assert (v0.qdisc, v0.operstate) == ("noqueue", R.IF_OPER_LOWERLAYERDOWN)
    assert link(p, "v1").qdisc == "noop"
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, SET, ifname="v1", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    for n in ("v0", "v1"):
        d = link(p, n)
        assert d.flags == R.IFF_BROADCAST | R.IFF_MULTICAST | R.IFF_UP | R.IFF_LOWER_UP | R.IFF_RUNNING
        assert d.operstate == R.IF_OPER_UP and d.qdisc == "noqueue"
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, SET, ifname="v1", ifi_flags=0, ifi_change=R.IFF_UP))
    assert link(p, "v1").qdisc == "noqueue"  # the default qdisc stays once made
    assert link(p, "v0").operstate == R.IF_OPER_LOWERLAYERDOWN


def test_dummy(p: Process) -> None:
    d = p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="d0", kind="dummy",
                                ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    assert d.flags & ~R.IFF_RUNNING == R.IFF_BROADCAST | R.IFF_NOARP | R.IFF_UP | R.IFF_LOWER_UP
    assert (d.operstate, d.min_mtu, d.max_mtu, d.kind) == (R.IF_OPER_UNKNOWN, 0, 0, "dummy")
    assert p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="d0", mtu=100000)).mtu == 100000


def test_deleting_either_veth_side_deletes_both(p: Process) -> None:
    veth(p)
    p.netlink(R.LinkRequest(R.RTM_DELLINK, SET, ifname="v1"))
    assert names(p) == [(1, "lo")]


def test_rename_needs_the_device_down(p: Process) -> None:
    veth(p)
    assert err(p.netlink, R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", new_name="w0")) == (errno.EBUSY, None)
    p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", ifi_flags=0, ifi_change=R.IFF_UP))
    p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="v0", new_name="w0"))
    assert link(p, "w0").link == link(p, "v1").ifindex
    assert err(p.netlink, R.LinkRequest(R.RTM_SETLINK, SET, ifname="w0", new_name="v1")) == (errno.EEXIST, None)


def test_namespaces(p: Process) -> None:
    p.netns_add("ns1")
    assert err(p.netns_add, "ns1") == (errno.EEXIST, None)
    assert err(p.setns, "nosuch") == (errno.ENOENT, None)
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="h0", kind="veth", peer_name="c0", peer_netns="ns1"))
    assert names(p) == [(1, "lo"), (2, "h0")]
    h0 = link(p, "h0")
    assert h0.link == 2 and h0.link_netnsid is not None
    p.setns("ns1")
    lo = link(p, "lo")
    assert lo.flags & R.IFF_UP == 0 and lo.qdisc == "noop"  # lo of a new namespace is down
    assert names(p) == [(1, "lo"), (2, "c0")]
    p.setns("")
    assert p.netns_list() == ["ns1"]
    p.netns_del("ns1")
    assert names(p) == [(1, "lo")]  # the veth went with the namespace
    assert p.netns_list() == []


def test_nic_moves_home_when_its_namespace_goes(p: Process) -> None:
    from pykernel.net import devices as D

    p.kernel_call(lambda k: D.create_nic(k, "eth0"))
    p.netns_add("ns1")
    p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="eth0", netns="ns1"))
    assert [n for _i, n in names(p)] == ["lo"]
    p.netns_del("ns1")
    eth0 = link(p, "eth0")
    assert eth0.kind is None and eth0.max_mtu == 9216 and eth0.qdisc == "noop"
    assert err(p.netlink, R.LinkRequest(R.RTM_DELLINK, SET, ifname="eth0")) == (errno.EOPNOTSUPP, None)
    up = p.netlink(R.LinkRequest(R.RTM_SETLINK, SET, ifname="eth0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    assert (up.qdisc, up.operstate) == ("mq", R.IF_OPER_UP)


def test_devices_are_shared_between_processes(tmp_path: Path) -> None:
    a, b = Process(tmp_path), Process(tmp_path)
    veth(a)
    assert link(b, "v0").ifindex == 3
    a.exit()
    assert link(b, "v1").ifindex == 2  # devices are not held by fds: they outlive the process
    b.exit()


def test_netdev_exists_for_devmap_and_test_run(p: Process) -> None:
    from pykernel.uapi.attr import MapCreateAttr, MapElemAttr
    from pykernel.uapi.consts import Cmd, MapType

    fd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(MapType.DEVMAP, 4, 4, 4))
    assert err(p.bpf, Cmd.MAP_UPDATE_ELEM, MapElemAttr(fd, b"\0" * 4, (3).to_bytes(4, "little")))[0] == errno.EINVAL
    veth(p)
    p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(fd, b"\0" * 4, (3).to_bytes(4, "little")))
