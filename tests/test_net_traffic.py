"""Traffic through the simulated datapath, against the reference kernel's ground truth.

tests/fixtures/net/traffic/traffic_replay.json recorded what the 6.18 kernel did when the
frames of tests/fixtures/pcap/replay_in.pcap were sent from peer0 (xdp_pass in driver mode,
tc_count on clsact ingress and egress) to dut0 (xdp_icmp_echo in driver mode) over a veth
pair in two namespaces. The simulation has no IP stack (no ARP, ICMP errors, TCP resets), so
the frames the DUT's kernel itself sent are left out of the comparison; everything XDP and
tc did must match byte for byte, and so must the counters that do not depend on the stack.
"""

from __future__ import annotations

import json
from pathlib import Path

import dpkt
import pytest

from pykernel import Process
from pykernel.net.datapath import Datapath
from pykernel.uapi import rtnl as R
from pykernel.uapi.attr import MapElemAttr
from pykernel.uapi.consts import Cmd
from tests.test_net_util import NEW, add_filter, clsact, link, load, set_xdp

FIX = Path(__file__).parent / "fixtures"
PCAP = FIX / "pcap"


def frames(name: str) -> list[bytes]:
    with open(PCAP / name, "rb") as f:
        return [bytes(buf) for _ts, buf in dpkt.pcap.Reader(f)]


def counts(p: Process, fd: int, n: int) -> list[int]:
    out = []
    for i in range(n):
        v = bytearray(8)
        p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(fd, i.to_bytes(4, "little"), v))
        out.append(int.from_bytes(v, "little"))
    return out


def fixture_map(rec_argv_tail: str) -> list[int]:
    data = json.loads((FIX / "net/traffic/traffic_replay.json").read_text())
    for r in data["records"]:
        if "argv" in r and r["argv"][:3] == ["bpftool", "-j", "map"] and r["argv"][-1].endswith(rec_argv_tail):
            return [e["formatted"]["value"] for e in json.loads(r["stdout"])]
    raise AssertionError(rec_argv_tail)


@pytest.fixture
def topo(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The recorded topology: dut0 in the initial namespace, peer0 in namespace "peer"."""
    p = Process(tmp_path)
    p.netns_add("peer")
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="dut0", kind="veth", peer_name="peer0", peer_netns="peer",
                            address=bytes.fromhex("020000000002"), peer_address=bytes.fromhex("020000000001")))
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="dut0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    fds = load(p, "xdp_icmp_echo.o")
    set_xdp(p, "dut0", fds["xdp_icmp_echo"], R.XDP_FLAGS_DRV_MODE)
    p.setns("peer")
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="peer0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    tc_in = load(p, "../fixtures/net/progs/tc_count.o")
    tc_out = load(p, "../fixtures/net/progs/tc_count.o")
    peer = link(p, "peer0").ifindex
    clsact(p, peer)
    add_filter(p, peer, tc_in["tc_count"], name="tc_in:[*fsobj]")
    add_filter(p, peer, tc_out["tc_count"], egress=True, name="tc_out:[*fsobj]")
    yield p, peer, fds, tc_in, tc_out
    p.exit()


def test_replay_matches_the_reference_kernel(topo) -> None:  # type: ignore[no-untyped-def]
    p, peer, fds, tc_in, tc_out = topo
    pass_fd = load(p, "xdp_pass.o")["xdp_pass"]
    set_xdp(p, "peer0", pass_fd, R.XDP_FLAGS_DRV_MODE)  # NAPI on the peer: XDP_TX frames arrive
    sent: list[tuple[str, str, bytes]] = []

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k, on_wire=lambda d, f, kind: sent.append((d.name, kind, f)))
        results = [dp.transmit(peer, f) for f in frames("replay_in.pcap")]
        dp.finish()
        return results, dp.counters

    results, counters = p.kernel_call(run)
    assert results.count(False) == 1  # the 10-byte frame: EINVAL, as AF_PACKET refuses it
    # what came back to peer0: the XDP_TX replies, byte for byte, in order
    real_back = frames("traffic_replay_replay_peer0_in.pcap")
    dut_stack = set(frames("traffic_replay_replay_dut0.pcap"))  # what the DUT's own stack saw and sent
    xdp_replies = [f for f in real_back if f not in dut_stack]
    ours = [f for (dev, kind, f) in sent if dev == "dut0"]
    assert ours == xdp_replies and len(ours) == 10
    assert all(kind == "xdp" for dev, kind, _f in sent if dev == "dut0")
    # the frames peer0 put on the wire are the input (minus the refused one), in order
    assert [f for (dev, _k, f) in sent if dev == "peer0"] == frames("traffic_replay_replay_peer0_out.pcap")
    # maps: the responder's count and the egress counter are the kernel's; the ingress counter
    # saw the XDP replies only (the recorded one also saw the DUT stack's 8 frames)
    p.setns("")
    assert counts(p, fds["map:replies"], 1) == fixture_map("echo_maps/replies")
    p.setns("peer")
    assert counts(p, tc_out["map:tc_counts"], 10) == fixture_map("tc_out_maps/tc_counts")
    tin = counts(p, tc_in["map:tc_counts"], 10)
    assert tin[0] == 10 and tin[1] == sum(len(f) for f in xdp_replies)
    # interface statistics: peer0 TX and dut0 RX as recorded (skbs without their header),
    # dut0 RX dropped 1 (the frame of an unknown ethertype reached the stack)
    st = link(p, "peer0").stats
    assert (st.tx_packets, st.tx_bytes) == (28, 4519)
    p.setns("")
    st = link(p, "dut0").stats
    assert (st.rx_packets, st.rx_bytes, st.rx_dropped) == (28, 4519, 1)
    assert (st.tx_packets, st.tx_bytes) == (10, sum(len(f) for f in xdp_replies))  # XDP frames with header
    assert counters[("dut0", "xdp_drv", "tx")] == 10 and counters[("dut0", "stack", "unknown_protocol")] == 1


def test_without_napi_on_the_peer_xdp_tx_frames_are_dropped(topo) -> None:  # type: ignore[no-untyped-def]
    p, peer, fds, _tc_in, _tc_out = topo
    requests = [f for f in frames("icmp_burst.pcap")[:3]]

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        for f in requests:
            dp.transmit(peer, f)
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)
    assert c[("dut0", "xdp_drv", "tx")] == 3 and c[("dut0", "tx", "xdp_no_napi")] == 3
    assert link(p, "peer0").stats.rx_dropped == 3  # traffic_icmp phase "nonapi": dropped 3 on both ends
    p.setns("")
    assert link(p, "dut0").stats.tx_dropped == 3
    assert counts(p, fds["map:replies"], 1) == [3]


def raw_prog(p: Process, ptype: int, r0: int) -> int:
    """A program that returns ``r0`` (mov r0, imm; exit)."""
    from pykernel.uapi.attr import ProgLoadAttr

    insns = bytes([0xB7, 0, 0, 0]) + (r0 & 0xFFFFFFFF).to_bytes(4, "little") + bytes.fromhex("9500000000000000")
    return p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(ptype, insns, "GPL"))


def test_xdp_tx_ping_pong_ends_at_the_hop_budget(tmp_path: Path) -> None:
    from pykernel.net.datapath import HOP_BUDGET
    from tests.test_net_util import veth

    p = Process(tmp_path)
    v0, _v1 = veth(p)
    tx = raw_prog(p, 6, 3)  # always XDP_TX
    set_xdp(p, "v0", tx)
    set_xdp(p, "v1", tx)

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        dp.receive(v0, frames("icmp_burst.pcap")[0])
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)
    assert c[("v0", "rx", "hop_limit")] + c[("v1", "rx", "hop_limit")] == 1
    assert c[("v0", "xdp_drv", "tx")] + c[("v1", "xdp_drv", "tx")] == HOP_BUDGET + 1
    p.exit()


def test_tc_classic_and_direct_action(tmp_path: Path) -> None:
    from tests.test_net_util import veth

    p = Process(tmp_path)
    v0, _v1 = veth(p)
    clsact(p, v0)
    nomatch, classid, shot = raw_prog(p, 3, 0), raw_prog(p, 3, 0x10001), raw_prog(p, 3, 2)
    add_filter(p, v0, nomatch, prio=1, da=False)  # classic, 0: no match, go on
    add_filter(p, v0, classid, prio=2, da=False)  # classic, a classid: TC_ACT_OK
    add_filter(p, v0, shot, prio=3)  # never reached

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        dp.receive(v0, frames("icmp_burst.pcap")[0])
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)
    assert c[("v0", "tc_ingress", "ok")] == 1 and c[("v0", "stack", "ipv4")] == 1
    p.netlink(R.FilterRequest(R.RTM_DELTFILTER, ifindex=v0, parent=R.TC_PARENT_INGRESS, prio=2))
    c = p.kernel_call(run)
    assert c[("v0", "tc_ingress", "shot")] == 1 and not c[("v0", "stack", "ipv4")]
    q = p.netlink(R.QdiscRequest(R.RTM_GETQDISC, R.NLM_F_REQUEST | R.NLM_F_DUMP, ifindex=v0))[-1]
    assert (q.kind, q.packets, q.bytes, q.drops) == ("clsact", 2, 2 * (64 - 14), 1)
    p.exit()


def test_tc_redirect_to_another_device(tmp_path: Path) -> None:
    from tests.test_net_util import veth

    p = Process(tmp_path)
    v0, _v1 = veth(p)
    clsact(p, v0)
    add_filter(p, v0, load(p, "tc_redirect.o")["tc_redirect"])  # IPv6 -> bpf_redirect(1 (lo), 0)
    v6 = next(f for f in frames("mixed.pcap") if f[12:14] == b"\x86\xdd")
    v4 = frames("icmp_burst.pcap")[0]

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        dp.receive(v0, v6)
        dp.receive(v0, v4)
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)
    assert c[("v0", "tc_ingress", "redirect")] == 1 and c[("lo", "tx", "skb")] == 1
    assert c[("lo", "stack", "ipv6")] == 1 and c[("v0", "stack", "ipv4")] == 1
    p.exit()


def test_xdp_redirect_through_a_devmap(tmp_path: Path) -> None:
    from pykernel.uapi.attr import MapElemAttr as E

    p = Process(tmp_path)
    for a, b in (("a0", "a1"), ("b0", "b1")):
        p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname=a, kind="veth", peer_name=b))
        for n in (a, b):
            p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname=n, ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    fds = load(p, "xdp_redirect.o")
    set_xdp(p, "a0", fds["xdp_redirect"])
    v6 = next(f for f in frames("mixed.pcap") if f[12:14] == b"\x86\xdd")
    v4 = frames("icmp_burst.pcap")[0]
    a0 = link(p, "a0").ifindex

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        dp.receive(a0, v6)
        dp.receive(a0, v4)
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)  # empty devmap slot: XDP_PASS; ifindex 1 (lo) cannot transmit XDP frames
    assert c[("a0", "xdp_drv", "pass")] == 1 and c[("a0", "stack", "ipv6")] == 1
    assert c[("a0", "xdp_drv", "redirect")] == 1 and c[("lo", "tx", "xdp_unsupported")] == 1
    p.bpf(Cmd.MAP_UPDATE_ELEM, E(fds["map:tx_ports"], bytes(4), link(p, "b0").ifindex.to_bytes(4, "little")))
    c = p.kernel_call(run)  # b1 without XDP: no NAPI, the frame is dropped at b0
    assert c[("b0", "tx", "xdp_no_napi")] == 1
    set_xdp(p, "b1", load(p, "xdp_pass.o")["xdp_pass"])
    c = p.kernel_call(run)
    assert c[("b0", "tx", "xdp")] == 1 and c[("b1", "xdp_drv", "pass")] == 1 and c[("b1", "stack", "ipv6")] == 1
    p.exit()


def asm_prog(p: Process, ptype: int, text: str) -> int:
    from pykernel.uapi.asm import assemble_kernel
    from pykernel.uapi.attr import ProgLoadAttr
    from pykernel.uapi.insn import encode_all

    return p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(ptype, encode_all(assemble_kernel(text)), "GPL"))


def test_programs_see_the_real_context(tmp_path: Path) -> None:
    """xdp_md.ingress_ifindex/rx_queue_index and __sk_buff ifindex/ingress_ifindex/pkt_type/
    protocol are those of the device and queue the frame arrived on."""
    from pykernel.net import devices as D

    p = Process(tmp_path)
    p.kernel_call(lambda k: D.create_nic(k, "eth0"))
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="eth0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    eth0 = link(p, "eth0")
    # XDP_PASS when ingress_ifindex == eth0 and rx_queue_index == 3, else XDP_DROP
    xdp = asm_prog(p, 6, f"""
        r2 = *(u32 *)(r1 +12)
        r3 = *(u32 *)(r1 +16)
        r0 = 1
        if r2 != {eth0.ifindex} goto pc+2
        if r3 != 3 goto pc+1
        r0 = 2
        exit""")
    set_xdp(p, "eth0", xdp)
    clsact(p, eth0.ifindex)
    # TC_ACT_OK when ingress_ifindex == ifindex == eth0, pkt_type == PACKET_HOST and
    # protocol == htons(ETH_P_IP), else TC_ACT_SHOT
    tc = asm_prog(p, 3, f"""
        r2 = *(u32 *)(r1 +36)
        r3 = *(u32 *)(r1 +40)
        r4 = *(u32 *)(r1 +4)
        r5 = *(u32 *)(r1 +16)
        r0 = 2
        if r2 != {eth0.ifindex} goto pc+5
        if r3 != {eth0.ifindex} goto pc+4
        if r4 != 0 goto pc+3
        if r5 != 8 goto pc+2
        r0 = 0
        exit
        exit""")
    add_filter(p, eth0.ifindex, tc)
    frame = eth0.address + bytes.fromhex("020000000001") + frames("icmp_burst.pcap")[0][12:]
    other = bytes.fromhex("020000000099") + frame[6:]  # another host's MAC: PACKET_OTHERHOST

    def run(k):  # type: ignore[no-untyped-def]
        dp = Datapath(k)
        dp.receive(eth0.ifindex, frame, rx_queue=3)
        dp.receive(eth0.ifindex, frame, rx_queue=1)
        dp.receive(eth0.ifindex, other, rx_queue=3)
        dp.finish()
        return dp.counters

    c = p.kernel_call(run)
    assert c[("eth0", "xdp_drv", "pass")] == 2 and c[("eth0", "xdp_drv", "drop")] == 1
    assert c[("eth0", "tc_ingress", "ok")] == 1 and c[("eth0", "tc_ingress", "shot")] == 1
    p.exit()
