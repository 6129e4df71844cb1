"""Helpers for the networking tests (no tests here): processes, program loading, netlink."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pykernel import Process, SyscallError
from pykernel.uapi import rtnl as R

PROGS = Path(__file__).parent / "progs"
NEW = R.NLM_F_REQUEST | R.NLM_F_ACK | R.NLM_F_CREATE | R.NLM_F_EXCL
DUMP = R.NLM_F_REQUEST | R.NLM_F_DUMP


def load(proc: Process, obj_name: str, prog_type: int | None = None) -> dict[str, int]:
    """Load tests/progs/<obj_name> into ``proc``: {program name: fd} plus {"map:<name>": fd}."""
    from pylibbpf import BpfObject

    obj = BpfObject.open(str(PROGS / obj_name), print_fn=lambda lvl, msg: None)
    obj.load(proc, prog_type=prog_type)
    out = {p.name: p.fd for p in obj.programs}
    out.update({f"map:{m.name}": m.fd for m in obj.maps})
    return out


def err(fn: Any, *a: Any, **kw: Any) -> tuple[int, str | None]:
    """(errno, extack) of a call that must fail."""
    try:
        fn(*a, **kw)
    except SyscallError as e:
        return e.errno, e.extack
    raise AssertionError("call succeeded")


def veth(proc: Process, a: str = "v0", b: str = "v1", up: bool = True) -> tuple[int, int]:
    """ip link add A type veth peer name B [+ both up]; (ifindex of A, ifindex of B)."""
    dev = proc.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname=a, kind="veth", peer_name=b))
    if up:
        for n in (a, b):
            proc.netlink(R.LinkRequest(R.RTM_NEWLINK, R.NLM_F_REQUEST | R.NLM_F_ACK, ifname=n,
                                       ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    return dev.ifindex, dev.link


def link(proc: Process, name: str) -> R.IfInfo:
    return proc.netlink(R.LinkRequest(R.RTM_GETLINK, R.NLM_F_REQUEST, ifname=name))


def set_xdp(proc: Process, name: str, fd: int, flags: int = 0, expected_fd: int | None = None) -> Any:
    return proc.netlink(R.LinkRequest(R.RTM_SETLINK, ifname=name,
                                      xdp=R.XdpRequest(fd=fd, flags=flags, expected_fd=expected_fd)))


def clsact(proc: Process, ifindex: int) -> Any:
    return proc.netlink(R.QdiscRequest(R.RTM_NEWQDISC, NEW, ifindex=ifindex, parent=R.TC_H_CLSACT,
                                       handle=R.TC_H_INGRESS_HANDLE, kind="clsact"))


def add_filter(proc: Process, ifindex: int, fd: int, *, egress: bool = False, prio: int = 0, handle: int = 0,
               da: bool = True, name: str = "tc_cls.o:[tc]", flags: int = NEW, gen_flags: int = 0,
               protocol: int = R.ETH_P_ALL, classid: int | None = None) -> R.FilterInfo:
    return proc.netlink(R.FilterRequest(
        R.RTM_NEWTFILTER, flags, ifindex=ifindex, parent=R.TC_PARENT_EGRESS if egress else R.TC_PARENT_INGRESS,
        prio=prio, protocol=protocol, handle=handle, kind="bpf",
        bpf=R.BpfFilterRequest(fd=fd, name=name, flags=R.TCA_BPF_FLAG_ACT_DIRECT if da else 0,
                               gen_flags=gen_flags, classid=classid)))


def filters(proc: Process, ifindex: int, egress: bool = False) -> list[R.FilterInfo]:
    return proc.netlink(R.FilterRequest(R.RTM_GETTFILTER, DUMP, ifindex=ifindex,
                                        parent=R.TC_PARENT_EGRESS if egress else R.TC_PARENT_INGRESS))
