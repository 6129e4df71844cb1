"""pykernel.interp.progrun: running loaded programs on frames for the hooks (datapath).

The same verified programs give the same verdicts and packets through ``run_xdp`` /
``run_skb`` as through BPF_PROG_TEST_RUN (whose results the fixture tests compare with the
real kernel); map changes persist; faults become the drop verdicts instead of exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pykernel.interp.progrun import TC_ACT_SHOT, XDP_ABORTED, run_skb, run_xdp
from pykernel.uapi import attr as A
from pykernel.uapi import insn as I
from pykernel.uapi.consts import Cmd, ProgType

REPO = Path(__file__).resolve().parents[1]
PROGS = REPO / "tests" / "progs"
PACKETS = REPO / "tests" / "fixtures" / "packets"


def _load(tmp: Path, obj: str, prog_type: int | None = None):  # noqa: ANN202
    from pykernel.process import Process
    from pylibbpf import BpfObject, load_object

    proc = Process(tmp / "state")
    o = load_object(BpfObject.open(str(PROGS / obj)), proc, prog_type=prog_type)
    return proc, o


def _prog_of(proc, fd: int):  # noqa: ANN001, ANN202
    return proc.kernel_call(lambda k: k.prog_fd(fd))


@pytest.mark.parametrize("pkt", ["vlan_udp.bin", "udp_dns.bin", "arp_req.bin", "eth_only.bin"])
def test_xdp_matches_test_run(tmp_path: Path, pkt: str) -> None:
    proc, o = _load(tmp_path, "xdp_adjust_head.o")
    fd = o.programs[0].fd
    data = (PACKETS / pkt).read_bytes()
    a = A.TestRunAttr(fd, data_in=data, data_out=bytearray(4096))
    proc.bpf(Cmd.PROG_TEST_RUN, a)
    res = proc.kernel_call(lambda k: run_xdp(k, k.prog_fd(fd), data))
    assert res.fault is None
    assert res.action == a.retval
    assert res.frame == bytes(a.data_out[:a.data_size_out])
    assert res.insns > 0
    proc.exit()


@pytest.mark.parametrize("pkt", ["udp_dns.bin", "vlan_udp.bin", "pkt64.bin"])
def test_tc_matches_test_run(tmp_path: Path, pkt: str) -> None:
    proc, o = _load(tmp_path, "tc_ttl_dec.o", ProgType.SCHED_CLS)
    fd = o.programs[0].fd
    data = (PACKETS / pkt).read_bytes()
    a = A.TestRunAttr(fd, data_in=data, data_out=bytearray(4096))
    proc.bpf(Cmd.PROG_TEST_RUN, a)
    res = proc.kernel_call(lambda k: run_skb(k, k.prog_fd(fd), data))
    assert res.fault is None
    assert res.verdict == a.retval
    assert res.frame == bytes(a.data_out[:a.data_size_out])
    proc.exit()


def _lookup(proc, o, name: str, key: bytes, size: int) -> bytes:  # noqa: ANN001
    from tests.test_kernel_realsys import SimSys

    m = next(m for m in o.maps if m.real_name == name or m.name == name)
    return SimSys(proc).lookup(m.fd, key, size)


def test_vlan_push_stays_in_the_accelerated_tag(tmp_path: Path) -> None:
    """tc_vlan_push tags untagged IPv4 with VLAN 42: the tag is in the skb, not the bytes."""
    proc, o = _load(tmp_path, "tc_vlan_push.o", ProgType.SCHED_CLS)
    fd = o.programs[0].fd
    data = (PACKETS / "udp_dns.bin").read_bytes()
    res = proc.kernel_call(lambda k: run_skb(k, k.prog_fd(fd), data))
    assert res.fault is None and res.verdict == 0
    assert res.frame == data
    assert res.vlan == (0x8100, 42)
    assert _lookup(proc, o, "vlan_state", (1).to_bytes(4, "little"), 4) == (42).to_bytes(4, "little")
    proc.exit()


def test_map_changes_persist_across_runs(tmp_path: Path) -> None:
    proc, o = _load(tmp_path, "xdp_count.o")
    fd = o.programs[0].fd
    data = (PACKETS / "pkt64.bin").read_bytes()
    for _ in range(3):
        assert proc.kernel_call(lambda k: run_xdp(k, k.prog_fd(fd), data)).action == 2
    proc.bpf(Cmd.PROG_TEST_RUN, A.TestRunAttr(fd, data_in=data))
    assert _lookup(proc, o, "pkt_cnt", bytes(4), 8) == (4).to_bytes(8, "little")
    assert _lookup(proc, o, "len_hash", (64).to_bytes(4, "little"), 8) == (4).to_bytes(8, "little")
    proc.exit()


@dataclass
class FakeProg:
    xlated: list[I.Insn]
    type: int
    name: str = "fault"
    id: int = 1
    extra: dict = field(default_factory=dict)


def test_faults_become_drop_verdicts(tmp_path: Path) -> None:
    from pykernel.process import Process

    bad = [I.Insn(I.LDX | I.MEM | I.DW, 0, 1, 4000, 0), I.Insn(I.JMP | I.EXIT)]  # past the ctx struct
    proc = Process(tmp_path / "state")
    res = proc.kernel_call(lambda k: run_xdp(k, FakeProg(bad, ProgType.XDP), b"\0" * 64))
    assert res.action == XDP_ABORTED and "invalid load" in (res.fault or "")
    res = proc.kernel_call(lambda k: run_skb(k, FakeProg(bad, ProgType.SCHED_CLS), b"\0" * 64))
    assert res.verdict == TC_ACT_SHOT and res.fault
    proc.exit()
