"""The ctx models: ``XdpCtx``/``SkbCtx`` build the kernel's structs, and ``reset()`` (the
datapath reuses one ctx per queue / per hook) gives exactly what a fresh build gives."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pykernel import layouts as L
from pykernel.interp import MemFault, Memory
from pykernel.interp.ctx import LOOPBACK, Netdev, SkbCtx, XdpCtx

PACKETS = Path(__file__).resolve().parent / "fixtures" / "packets"
FRAMES = {n: (PACKETS / f"{n}.bin").read_bytes() for n in ("pkt64", "udp_dns", "vlan_udp", "ipv4_1500", "arp_req")}


def _skb_view(s: SkbCtx) -> dict:
    """Everything a program can observe, with addresses made relative to the regions."""
    return {
        "len": s.len, "data": s.data - s.head, "tail": s.tail, "end": s.end, "protocol": s.protocol,
        "pkt_type": s.pkt_type, "mac": s.mac_header, "net": s.network_header, "transport": s.transport_header,
        "mark": s.mark, "prio": s.priority, "cb": s.cb_data, "tc_classid": s.tc_classid, "vlan": s.vlan_all_raw(),
        "bytes": s.bytes(), "gso": (s.gso_segs, s.gso_size), "ifindex_ptr": struct.unpack_from("<Q", s.skb.buf,
                                                                                            L.SK_BUFF_DEV)[0]
        == s.dev_region.base,
        "window": (s.head_region.lo - s.head, s.head_region.hi - s.head),
        "data_end": struct.unpack_from("<Q", s.skb.buf, L.SKB_DATA_END)[0] - s.head,
        "sock": bytes(s.sock.buf),
    }


@pytest.mark.parametrize("first", sorted(FRAMES))
@pytest.mark.parametrize("second", sorted(FRAMES))
@pytest.mark.parametrize("is_l2", [True, False])
def test_skb_reset_equals_a_fresh_skb(first: str, second: str, is_l2: bool) -> None:
    mem = Memory()
    s = SkbCtx(mem, FRAMES[first], is_l2=is_l2)
    s.mark, s.priority, s.tc_classid = 7, 9, 3  # what a program may have left
    s.cb_data = b"x" * 20
    s.set_shinfo(gso_segs=4)
    s.reset(FRAMES[second])
    fresh = SkbCtx(Memory(), FRAMES[second], is_l2=is_l2)
    assert _skb_view(s) == _skb_view(fresh)


def test_skb_fields_after_eth_type_trans() -> None:
    mem = Memory()
    s = SkbCtx(mem, FRAMES["udp_dns"], is_l2=True)
    assert s.protocol == 0x0800 and s.pkt_type == 3  # unicast to another host on lo
    assert s.data - s.head == 64 and s.network_header == 78 and s.mac_header == 64
    assert s.bytes() == FRAMES["udp_dns"]
    s2 = SkbCtx(mem, FRAMES["pkt64"], is_l2=False)  # broadcast dst: multicast on lo
    assert s2.pkt_type == 2 and s2.data - s2.head == 78
    eth = Netdev(5, "eth0", 1500, addr=bytes.fromhex("020000000002"))
    s3 = SkbCtx(mem, FRAMES["udp_dns"], dev=eth)
    assert s3.pkt_type == 0  # to this device's address
    s3.release()
    s4 = SkbCtx(mem, FRAMES["pkt64"], dev=Netdev(6, "eth1", 1500))
    assert s4.pkt_type == 1  # a real device's broadcast address


def test_xdp_reset_moves_pointers_and_window() -> None:
    mem = Memory()
    x = XdpCtx(mem, FRAMES["udp_dns"], dev=LOOPBACK)
    base = x.data
    assert x.adjust_head(14) == 0 and x.adjust_tail(-10) == 0
    x.reset(FRAMES["pkt64"])
    assert (x.data, x.data_end, x.data_meta) == (base, base + 64, base)
    assert x.packet() == FRAMES["pkt64"]
    assert mem.read(base, 64) == FRAMES["pkt64"]
    with pytest.raises(MemFault):
        mem.read(base + 60, 8)  # past the new data_end
    with pytest.raises(MemFault):
        mem.read(base - 1, 1)  # the headroom is outside the window again
