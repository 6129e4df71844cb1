"""clsact/ingress qdiscs and cls_bpf filters through netlink: the kernel's orders, errnos, extacks.

Expected behaviour as recorded on the 6.18 reference (cli-surface.md 2.9,
tests/fixtures/net/tc/*.json, and the probes in test_net_realkernel.py).
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi import rtnl as R
from tests.test_net_util import DUMP, NEW, add_filter, clsact, err, filters, load, veth

SET = R.NLM_F_REQUEST | R.NLM_F_ACK


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def qdiscs(p: Process, ifindex: int) -> list[tuple[str, int, int]]:
    return [(q.kind, q.handle, q.parent) for q in p.netlink(R.QdiscRequest(R.RTM_GETQDISC, DUMP, ifindex=ifindex))]


def qdel(p: Process, ifindex: int, kind: str = "clsact") -> None:
    p.netlink(R.QdiscRequest(R.RTM_DELQDISC, SET, ifindex=ifindex, parent=R.TC_H_CLSACT,
                             handle=R.TC_H_INGRESS_HANDLE, kind=kind))


def test_clsact_add_show_del(p: Process) -> None:
    v0, _v1 = veth(p)
    assert qdiscs(p, v0) == [("noqueue", 0, R.TC_H_ROOT)]
    assert err(qdel, p, v0) == (errno.ENOENT, "Cannot find specified qdisc on specified device")
    clsact(p, v0)
    assert qdiscs(p, v0) == [("noqueue", 0, R.TC_H_ROOT), ("clsact", 0xFFFF0000, 0xFFFFFFF1)]
    assert err(clsact, p, v0) == (errno.EEXIST, "Exclusivity flag on, cannot modify")
    ingress = R.QdiscRequest(R.RTM_NEWQDISC, NEW, ifindex=v0, parent=R.TC_H_INGRESS,
                             handle=R.TC_H_INGRESS_HANDLE, kind="ingress")
    assert err(p.netlink, ingress) == (errno.EEXIST, "Exclusivity flag on, cannot modify")
    # tc qdisc replace dev v0 clsact: a no-op; replace with ingress: the name must match
    p.netlink(R.QdiscRequest(R.RTM_NEWQDISC, SET | R.NLM_F_CREATE | R.NLM_F_REPLACE, ifindex=v0,
                             parent=R.TC_H_CLSACT, handle=R.TC_H_INGRESS_HANDLE, kind="clsact"))
    assert err(qdel, p, v0, "ingress") == (errno.EINVAL, "Invalid qdisc name: must match existing qdisc")
    qdel(p, v0)
    assert err(qdel, p, v0) == (errno.EINVAL, "Invalid handle")  # the ingress queue exists now
    assert err(p.netlink, R.QdiscRequest(R.RTM_DELQDISC, SET, ifindex=v0, parent=R.TC_H_ROOT)) == (
        errno.ENOENT, "Cannot delete qdisc with handle of zero")
    assert err(p.netlink, R.QdiscRequest(R.RTM_NEWQDISC, NEW, ifindex=v0)) == (
        errno.EINVAL, "Handle cannot be zero")
    assert err(p.netlink, R.QdiscRequest(R.RTM_NEWQDISC, NEW, parent=R.TC_H_CLSACT, kind="clsact",
                                         handle=R.TC_H_INGRESS_HANDLE)) == (errno.ENODEV, None)


def test_a_down_device_shows_no_root_qdisc(p: Process) -> None:
    v0, _v1 = veth(p, up=False)
    clsact(p, v0)
    assert qdiscs(p, v0) == [("clsact", 0xFFFF0000, 0xFFFFFFF1)]


def test_filters_prefs_handles_and_order(p: Process) -> None:
    v0, v1 = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    assert err(add_filter, p, v1, fd) == (errno.EINVAL, "Parent Qdisc doesn't exists")
    clsact(p, v0)
    f = add_filter(p, v0, fd)
    assert (f.prio, f.handle, f.protocol, f.bpf.name, f.bpf.direct_action) == (49152, 1, R.ETH_P_ALL,
                                                                             "tc_cls.o:[tc]", True)
    assert f.bpf.gen_flags == R.TCA_CLS_FLAGS_NOT_IN_HW and f.bpf.prog_name == "tc_mark"
    add_filter(p, v0, fd, prio=5, handle=7)
    assert err(add_filter, p, v0, fd, prio=5, handle=7) == (errno.EEXIST, "Filter already exists")
    assert add_filter(p, v0, fd).prio == 49151  # one below the lowest pref at or above 0x8000
    shown = [(x.prio, x.handle, x.bpf is not None) for x in filters(p, v0)]
    assert shown == [(5, 0, False), (5, 7, True), (49151, 0, False), (49151, 1, True), (49152, 0, False),
                     (49152, 1, True)]


def test_newest_filter_of_a_pref_comes_first_and_takes_a_free_handle(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    clsact(p, v0)
    add_filter(p, v0, fd, prio=5, handle=7)
    add_filter(p, v0, fd, prio=5, handle=8)
    add_filter(p, v0, fd, prio=5)
    add_filter(p, v0, fd, prio=5)
    assert [x.handle for x in filters(p, v0) if x.bpf] == [2, 1, 8, 7]


def test_filter_errors(p: Process) -> None:
    v0, _ = veth(p)
    fds = load(p, "tc_cls.o") | load(p, "xdp_pass.o")
    fd = fds["tc_mark"]
    clsact(p, v0)
    assert err(p.netlink, R.FilterRequest(R.RTM_DELTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_INGRESS,
                                          prio=7)) == (errno.ENOENT, "Cannot find specified filter chain")
    add_filter(p, v0, fd, prio=3, protocol=R.ETH_P_IP)
    assert err(add_filter, p, v0, fd, prio=3, protocol=R.ETH_P_IPV6) == (
        errno.EINVAL, "Protocol mismatch for filter with specified priority")
    assert err(add_filter, p, v0, fd, prio=3, protocol=R.ETH_P_IP, flags=SET) == (
        errno.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
    assert err(add_filter, p, v0, fd, prio=0, flags=SET) == (
        errno.ENOENT, "Invalid filter command with priority of zero")
    assert err(add_filter, p, v0, fd, gen_flags=R.TCA_CLS_FLAGS_SKIP_SW | R.TCA_CLS_FLAGS_SKIP_HW) == (
        errno.EINVAL, None)
    assert err(add_filter, p, v0, fd, gen_flags=R.TCA_CLS_FLAGS_SKIP_SW)[0] == errno.EOPNOTSUPP
    assert err(add_filter, p, v0, fds["xdp_pass"]) == (errno.EINVAL, None)  # object-pinned of an XDP program
    bad_parent = R.FilterRequest(R.RTM_NEWTFILTER, NEW, ifindex=v0, parent=0xFFFFFFF5, protocol=R.ETH_P_ALL,
                                 kind="bpf", bpf=R.BpfFilterRequest(fd=fd))
    assert err(p.netlink, bad_parent) == (errno.ENOENT, "Specified class doesn't exist")
    bad_parent.parent = R.TC_H_INGRESS_HANDLE
    assert err(p.netlink, bad_parent) == (errno.EINVAL, None)
    add_filter(p, v0, fd, prio=32768)
    assert err(add_filter, p, v0, fd) == (errno.ENOSPC, "Lowest ID from auto-alloc range already in use")


def test_replace_change_delete(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    clsact(p, v0)
    add_filter(p, v0, fd, prio=10)
    add_filter(p, v0, fd, prio=10, handle=1, da=False, flags=SET | R.NLM_F_CREATE)  # tc filter replace
    assert not filters(p, v0)[1].bpf.direct_action
    assert err(add_filter, p, v0, fd, prio=10, handle=1, gen_flags=R.TCA_CLS_FLAGS_SKIP_HW,
               flags=SET | R.NLM_F_CREATE) == (errno.EINVAL, None)
    assert err(add_filter, p, v0, fd, prio=10, handle=5, flags=SET) == (
        errno.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
    add_filter(p, v0, fd, prio=10)
    delf = R.FilterRequest(R.RTM_DELTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_INGRESS, prio=10, handle=9,
                           kind="bpf")
    assert err(p.netlink, delf) == (errno.ENOENT, "Specified filter handle not found")
    delf.handle = 2
    p.netlink(delf)
    assert [x.handle for x in filters(p, v0) if x.bpf] == [1]
    delf.handle, delf.prio, delf.kind = 1, 0, "bpf"
    assert err(p.netlink, delf) == (errno.ENOENT, "Cannot flush filters with protocol, handle or kind set")
    assert err(p.netlink, R.FilterRequest(R.RTM_DELTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_INGRESS,
                                          prio=20)) == (errno.ENOENT,
                                                        "Filter with specified priority/protocol not found")
    p.netlink(R.FilterRequest(R.RTM_DELTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_INGRESS))  # flush
    assert filters(p, v0) == []
    p.netlink(R.FilterRequest(R.RTM_DELTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_INGRESS))  # empty: fine


def test_get_one_filter(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    clsact(p, v0)
    add_filter(p, v0, fd, prio=5, handle=8, egress=True)
    got = p.netlink(R.FilterRequest(R.RTM_GETTFILTER, SET, ifindex=v0, parent=R.TC_PARENT_EGRESS, prio=5,
                                    handle=8, kind="bpf"))
    assert (got.prio, got.handle, got.parent) == (5, 8, R.TC_PARENT_EGRESS)
    assert filters(p, v0) == []  # nothing on ingress


def test_filters_and_programs_go_with_the_qdisc(p: Process) -> None:
    from pykernel.uapi.attr import GetIdAttr
    from pykernel.uapi.consts import Cmd

    v0, _ = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    clsact(p, v0)
    pid = add_filter(p, v0, fd).bpf.prog_id
    p.close(fd)
    fd2 = p.bpf(Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=pid))
    p.close(fd2)
    qdel(p, v0)
    assert err(p.bpf, Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=pid))[0] == errno.ENOENT
    clsact(p, v0)
    assert filters(p, v0) == []


def test_ingress_qdisc_has_one_block_for_every_parent(p: Process) -> None:
    v0, _ = veth(p)
    fd = load(p, "tc_cls.o")["tc_mark"]
    p.netlink(R.QdiscRequest(R.RTM_NEWQDISC, NEW, ifindex=v0, parent=R.TC_H_INGRESS, handle=R.TC_H_INGRESS_HANDLE,
                             kind="ingress"))
    add_filter(p, v0, fd, prio=3, egress=True)
    add_filter(p, v0, fd, prio=4)
    ing = [x.prio for x in filters(p, v0) if x.bpf]
    eg = [x.prio for x in filters(p, v0, egress=True) if x.bpf]
    assert ing == eg == [3, 4]
