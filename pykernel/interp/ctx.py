"""Program contexts as kernel structs in simulated memory: ``xdp_buff`` and ``sk_buff``.

The verifier rewrites every ctx access to the kernel struct's own offsets (``r2 = *(u64
*)(r1 +8)`` for ``xdp_md->data_end``, ``*(u32 *)(r1 +164) = r2`` for ``skb->mark``), so
the context is that struct, laid out with :mod:`pykernel.layouts`, plus what it points to
(``xdp_rxq_info``, ``net_device``, ``sock``, the packet buffer and ``skb_shared_info``).
The struct bytes are the single source of truth: programs read and write them, helpers
update them through the accessors below, test_run reads the result back.

* :class:`XdpCtx` - ``xdp_buff`` over a page-sized frame: headroom, data, tailroom and the
  shared info; the packet region's window is ``[data_meta, data_end)`` (``[data,
  data_end)`` while the metadata is invalid) and moves with the adjust helpers.
* :class:`SkbCtx` - an ``sk_buff`` as ``bpf_prog_test_run_skb`` builds it (slab-built
  head, ``NET_SKB_PAD`` headroom, ``eth_type_trans`` on the loopback or the given device,
  the MAC header pushed back for tc programs, data pointers computed); the packet window
  is ``[data - meta_len, data + headlen)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .. import config
from .. import layouts as L
from .memory import Memory, Region

ETH_HLEN = 14
ETH_P_802_3 = 0x0001
ETH_P_802_2 = 0x0004
PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST = 0, 1, 2, 3
SKB_SHINFO_SIZE = 320  # SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
SIZEOF_XDP_FRAME = L.SIZEOF_XDP_FRAME


_PTRS = struct.Struct("<QQQ")  # xdp_buff.data, data_end, data_meta


def skb_data_align(n: int) -> int:
    return (n + 63) & ~63


def kmalloc_size(n: int) -> int:
    """ksize() of a kmalloc(n): the slab class it lands in."""
    for size in (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192):
        if n <= size:
            return size
    return 1 << (n - 1).bit_length()  # page allocations


@dataclass
class Netdev:
    """What programs and test_run read of a ``struct net_device``."""

    ifindex: int
    name: str
    mtu: int = 1500
    addr: bytes = bytes(6)
    broadcast: bytes = b"\xff" * 6
    num_rx_queues: int = 1


#: the loopback device: its broadcast address is all zeros (loopback_setup sets none), so
#: eth_type_trans() calls an ff:ff:ff:ff:ff:ff destination multicast on it
LOOPBACK = Netdev(1, "lo", 65536, broadcast=bytes(6))


def netdev(ifindex: int) -> Netdev | None:
    """The device with ``ifindex`` in the caller's namespace, or None.

    The netdev layer may provide ``config.netdev_info(ifindex) -> Netdev-like | None``;
    without it only the loopback device exists (``config.netdev_exists``).
    """
    info = getattr(config, "netdev_info", None)
    if info is not None:
        d = info(ifindex)
        if d is None:
            return None
        return d if isinstance(d, Netdev) else Netdev(**d) if isinstance(d, dict) else d
    if ifindex == 1:
        return LOOPBACK
    return Netdev(ifindex, f"if{ifindex}") if config.netdev_exists(ifindex) else None


def _map_netdev(mem: Memory, dev: Netdev) -> Region:
    buf = bytearray(L.SIZEOF_NET_DEVICE)
    struct.pack_into("<I", buf, L.NET_DEVICE_IFINDEX, dev.ifindex)
    struct.pack_into("<I", buf, L.NET_DEVICE_MTU, dev.mtu)
    name = dev.name.encode()[:15]
    buf[L.NET_DEVICE_NAME:L.NET_DEVICE_NAME + len(name)] = name
    return mem.map_buffer(f"net_device {dev.name}", "kernel", buf, writable=False, owner=dev)


# ---------------------------------------------------------------------------------------------
# XDP


class XdpCtx:
    """``struct xdp_buff`` + frame, as ``bpf_prog_test_run_xdp`` (or a driver) sets it up."""

    def __init__(self, mem: Memory, data: bytes, *, headroom: int = L.XDP_PACKET_HEADROOM,
                 frame_sz: int = 4096, meta_len: int = 0, dev: Netdev = LOOPBACK, queue_index: int = 0,
                 frags: bytes = b"") -> None:
        self.mem = mem
        self.dev = dev
        self.frags = frags
        self.frame_sz = frame_sz
        self.headroom = headroom
        frame = bytearray(frame_sz)
        hard_start = mem.alloc_slot() + 0x1000
        data_addr = hard_start + headroom
        frame[headroom:headroom + len(data)] = data
        self.pkt = mem.add(Region("xdp frame", "packet", hard_start, frame, data_addr, data_addr + len(data)))
        self.dev_region = _map_netdev(mem, dev)
        rxq = bytearray(L.SIZEOF_XDP_RXQ_INFO)
        struct.pack_into("<Q", rxq, L.XDP_RXQ_INFO_DEV, self.dev_region.base)
        struct.pack_into("<I", rxq, L.XDP_RXQ_INFO_QUEUE_INDEX, queue_index)
        self.rxq = mem.map_buffer("xdp_rxq_info", "kernel", rxq, writable=False)
        self.buff = mem.map_buffer("xdp_buff", "ctx", bytearray(L.SIZEOF_XDP_BUFF), writable=False, owner=self)
        b = self.buff.buf
        struct.pack_into("<Q", b, L.XDP_BUFF_DATA_HARD_START, hard_start)
        struct.pack_into("<Q", b, L.XDP_BUFF_RXQ, self.rxq.base)
        struct.pack_into("<I", b, L.XDP_BUFF_FRAME_SZ, frame_sz)
        struct.pack_into("<I", b, L.XDP_BUFF_FLAGS, 1 if frags else 0)  # XDP_FLAGS_HAS_FRAGS
        self.set_pointers(data_addr - meta_len, data_addr, data_addr + len(data))

    def reset(self, frame: bytes, *, meta_len: int = 0) -> None:
        """A new frame in the same buffer (a driver's recycled page): ``frame`` at the
        original headroom, pointers and window reset. Bytes outside the frame keep what was
        there, as in a reused page; the program can only reach them by growing the packet,
        and adjust_tail zeroes what it grows."""
        p = self.pkt
        n = len(frame)
        start = p.base + self.headroom
        o = self.headroom
        p.buf[o:o + n] = frame
        _PTRS.pack_into(self.buff.buf, L.XDP_BUFF_DATA, start, start + n, start - meta_len)
        p.lo, p.hi = start - meta_len, start + n
        self.mem._refresh(p)
        self.frags = b""

    # -- the struct's fields ---------------------------------------------------------------
    def _get(self, off: int) -> int:
        return struct.unpack_from("<Q", self.buff.buf, off)[0]

    @property
    def addr(self) -> int:
        """The ctx pointer (r1)."""
        return self.buff.base

    @property
    def data(self) -> int:
        return self._get(L.XDP_BUFF_DATA)

    @property
    def data_end(self) -> int:
        return self._get(L.XDP_BUFF_DATA_END)

    @property
    def data_meta(self) -> int:
        return self._get(L.XDP_BUFF_DATA_META)

    @property
    def data_hard_start(self) -> int:
        return self._get(L.XDP_BUFF_DATA_HARD_START)

    @property
    def meta_valid(self) -> bool:
        return self.data_meta <= self.data

    @property
    def metalen(self) -> int:
        return self.data - self.data_meta if self.meta_valid else 0

    @property
    def hard_end(self) -> int:
        """xdp_data_hard_end(): the frame minus the shared info at its end."""
        return self.data_hard_start + self.frame_sz - SKB_SHINFO_SIZE

    def set_pointers(self, data_meta: int, data: int, data_end: int) -> None:
        b = self.buff.buf
        struct.pack_into("<QQQ", b, L.XDP_BUFF_DATA, data, data_end, data_meta)
        self.pkt.set_window(min(data_meta, data), data_end)

    # -- bytes -----------------------------------------------------------------------------------
    def _off(self, addr: int) -> int:
        return addr - self.pkt.base

    def packet(self) -> bytes:
        """data .. data_end"""
        return bytes(self.pkt.buf[self._off(self.data):self._off(self.data_end)])

    def output(self) -> bytes:
        """What test_run copies out: data_meta .. data_end, then the fragments."""
        start = self.data_meta if self.meta_valid else self.data
        return bytes(self.pkt.buf[self._off(start):self._off(self.data_end)]) + self.frags

    # -- the adjust helpers (net/core/filter.c rules) ---------------------------------------------
    def adjust_head(self, offset: int) -> int:
        frame_end = self.data_hard_start + SIZEOF_XDP_FRAME
        metalen = self.metalen
        data_start = frame_end + metalen
        data = self.data + offset
        if data < data_start or data > self.data_end - ETH_HLEN:
            return -22
        meta = self.data_meta
        if metalen:
            buf, o = self.pkt.buf, self._off(meta)
            buf[o + offset:o + offset + metalen] = bytes(buf[o:o + metalen])
        self.set_pointers(meta + offset, data, self.data_end)
        return 0

    def adjust_tail(self, offset: int) -> int:
        data_end = self.data_end + offset
        if self.frags:
            return -95  # multi-buffer tails are not simulated (EOPNOTSUPP)
        if data_end > self.hard_end or data_end < self.data + ETH_HLEN:
            return -22
        if offset > 0:
            o = self._off(self.data_end)
            self.pkt.buf[o:o + offset] = bytes(offset)
        self.set_pointers(self.data_meta, self.data, data_end)
        return 0

    def adjust_meta(self, offset: int) -> int:
        frame_end = self.data_hard_start + SIZEOF_XDP_FRAME
        meta = self.data_meta + offset
        metalen = self.data - meta
        if not self.meta_valid:
            return -524  # ENOTSUPP
        if meta < frame_end or meta > self.data:
            return -22
        if metalen & 3 or metalen > 255:
            return -13  # EACCES: xdp_metalen_invalid
        self.set_pointers(meta, self.data, self.data_end)
        return 0

    # -- helper views --------------------------------------------------------------------------------
    def load_bytes(self, offset: int, n: int) -> bytes | None:
        """bpf_xdp_load_bytes: linear part first, then fragments."""
        whole = self.packet() + self.frags
        if offset < 0 or n < 0 or offset + n > len(whole):
            return None
        return whole[offset:offset + n]


# ---------------------------------------------------------------------------------------------
# sk_buff


class SkbCtx:
    """``struct sk_buff`` as ``bpf_prog_test_run_skb`` builds it."""

    def __init__(self, mem: Memory, frame: bytes, *, dev: Netdev = LOOPBACK, is_l2: bool = True,
                 direct: bool = True, headroom: int = L.NET_SKB_PAD + L.NET_IP_ALIGN) -> None:
        self.mem = mem
        self.headroom0 = headroom
        self.head_region: Region | None = None  # type: ignore[assignment]
        self.dev_region: Region | None = None  # type: ignore[assignment]
        self.dev = dev
        self.sock = mem.map_buffer("sock", "kernel", bytearray(L.SIZEOF_SOCK), writable=False)
        self.skb = mem.map_buffer("sk_buff", "ctx", bytearray(L.SIZEOF_SK_BUFF), owner=self)
        self.reset(frame, dev=dev, is_l2=is_l2, direct=direct)

    def reset(self, frame: bytes, *, dev: Netdev | None = None, is_l2: bool | None = None,
              direct: bool | None = None) -> None:
        """Make this a fresh skb for ``frame``, reusing the regions (the datapath runs one
        per frame): a new head only if the frame does not fit the current one."""
        mem = self.mem
        headroom = self.headroom0
        if dev is not None and (dev is not self.dev or self.dev_region is None):
            if self.dev_region is not None:
                mem.remove(self.dev_region)
            self.dev = dev
            self.dev_region = _map_netdev(mem, dev)
        if is_l2 is not None:
            self.is_l2 = is_l2
        if direct is not None:
            self.direct = direct
        size = len(frame)
        end = kmalloc_size(skb_data_align(size) + headroom + SKB_SHINFO_SIZE) - SKB_SHINFO_SIZE
        hr = self.head_region
        if hr is None or len(hr.buf) != end:
            if hr is not None:
                mem.remove(self.shinfo)
                mem.remove(hr)
            self.head_region = hr = mem.map_buffer("skb head", "packet", bytearray(end))
            self.shinfo = mem.add(Region("skb_shared_info", "kernel", hr.base + end,
                                         bytearray(SKB_SHINFO_SIZE), writable=False))
        else:  # reused: nothing of the previous frame stays behind
            hr.buf[:] = bytes(end)
            self.shinfo.buf[:] = bytes(SKB_SHINFO_SIZE)
        head = hr.base
        hr.buf[headroom:headroom + size] = frame
        s = self.skb.buf
        s[:] = bytes(len(s))
        struct.pack_into("<Q", s, L.SK_BUFF_HEAD, head)
        struct.pack_into("<I", s, L.SK_BUFF_END, end)
        struct.pack_into("<Q", s, L.SK_BUFF_DEV, self.dev_region.base)  # type: ignore[union-attr]
        struct.pack_into("<Q", s, L.SK_BUFF_SK, self.sock.base)
        struct.pack_into("<H", s, L.SK_BUFF_TRANSPORT_HEADER, 0xFFFF)
        self.sock.buf[:] = bytes(len(self.sock.buf))
        # skb_reserve + __skb_put
        self._set_data(head + headroom, size)
        # eth_type_trans(): mac header, pkt_type, pull, protocol
        self.mac_header = headroom
        eth = frame[:ETH_HLEN]
        dst = eth[:6]
        pkt_type = PACKET_HOST
        d = self.dev
        if dst != d.addr:
            if dst[0] & 1:
                pkt_type = PACKET_BROADCAST if dst == d.broadcast else PACKET_MULTICAST
            else:
                pkt_type = PACKET_OTHERHOST
        self.pkt_type = pkt_type
        self._set_data(self.data + ETH_HLEN, self.len - ETH_HLEN)
        proto = int.from_bytes(eth[12:14], "big")
        if proto < 0x0600:
            proto = ETH_P_802_3 if frame[ETH_HLEN:ETH_HLEN + 2] == b"\xff\xff" else ETH_P_802_2
        self.protocol = proto
        self.network_header = self.data - head
        self._fill_sock(frame)
        if self.is_l2:
            self._set_data(self.data - ETH_HLEN, self.len + ETH_HLEN)
        self.ip_summed = 0  # CHECKSUM_NONE; test_run's BPF_F_TEST_SKB_CHECKSUM_COMPLETE sets 2
        self.csum = 0
        self.csum_level = 0
        self.compute_data_pointers()

    def release(self) -> None:
        """Unmap every region of this skb."""
        for r in (self.head_region, self.shinfo, self.dev_region, self.sock, self.skb):
            if r is not None and r._mem is not None:
                self.mem.remove(r)

    # -- raw field access ---------------------------------------------------------------------------
    def _u(self, fmt: str, off: int) -> int:
        return struct.unpack_from(fmt, self.skb.buf, off)[0]

    def _p(self, fmt: str, off: int, v: int) -> None:
        struct.pack_into(fmt, self.skb.buf, off, v)

    @property
    def addr(self) -> int:
        return self.skb.base

    @property
    def head(self) -> int:
        return self._u("<Q", L.SK_BUFF_HEAD)

    @property
    def data(self) -> int:
        return self._u("<Q", L.SK_BUFF_DATA)

    @property
    def len(self) -> int:
        return self._u("<I", L.SK_BUFF_LEN)

    @property
    def end(self) -> int:
        return self._u("<I", L.SK_BUFF_END)

    @property
    def tail(self) -> int:
        return self._u("<I", L.SK_BUFF_TAIL)

    def _set_data(self, data: int, length: int) -> None:
        self._p("<Q", L.SK_BUFF_DATA, data)
        self._p("<I", L.SK_BUFF_LEN, length)
        self._p("<I", L.SK_BUFF_TAIL, data + length - self.head)

    def _field(name: str, fmt: str, off: int) -> property:  # type: ignore[misc]  # noqa: N805
        return property(lambda self: self._u(fmt, off), lambda self, v: self._p(fmt, off, v & ((1 << (8 * struct.calcsize(fmt))) - 1)))

    mark = _field("mark", "<I", L.SK_BUFF_MARK)
    priority = _field("priority", "<I", L.SK_BUFF_PRIORITY)
    skb_iif = _field("skb_iif", "<I", L.SK_BUFF_SKB_IIF)
    hash = _field("hash", "<I", L.SK_BUFF_HASH)
    tc_index = _field("tc_index", "<H", L.SK_BUFF_TC_INDEX)
    queue_mapping = _field("queue_mapping", "<H", L.SK_BUFF_QUEUE_MAPPING)
    vlan_tci = _field("vlan_tci", "<H", L.SK_BUFF_VLAN_TCI)
    tstamp = _field("tstamp", "<Q", L.SK_BUFF_TSTAMP)
    mac_header = _field("mac_header", "<H", L.SK_BUFF_MAC_HEADER)
    network_header = _field("network_header", "<H", L.SK_BUFF_NETWORK_HEADER)
    transport_header = _field("transport_header", "<H", L.SK_BUFF_TRANSPORT_HEADER)
    mac_len = _field("mac_len", "<H", L.SK_BUFF_MAC_LEN)
    wire_len = _field("wire_len", "<I", L.SKB_WIRE_LEN)
    tc_classid = _field("tc_classid", "<H", L.SKB_TC_CLASSID)
    del _field

    @property
    def protocol(self) -> int:
        """host order value of the big-endian ``skb->protocol``"""
        return int.from_bytes(self.skb.buf[L.SK_BUFF_PROTOCOL:L.SK_BUFF_PROTOCOL + 2], "big")

    @protocol.setter
    def protocol(self, v: int) -> None:
        self.skb.buf[L.SK_BUFF_PROTOCOL:L.SK_BUFF_PROTOCOL + 2] = (v & 0xFFFF).to_bytes(2, "big")

    @property
    def vlan_proto(self) -> int:
        return int.from_bytes(self.skb.buf[L.SK_BUFF_VLAN_PROTO:L.SK_BUFF_VLAN_PROTO + 2], "big")

    @vlan_proto.setter
    def vlan_proto(self, v: int) -> None:
        self.skb.buf[L.SK_BUFF_VLAN_PROTO:L.SK_BUFF_VLAN_PROTO + 2] = (v & 0xFFFF).to_bytes(2, "big")

    @property
    def vlan_present(self) -> bool:
        return self.vlan_all_raw() != 0

    def vlan_all_raw(self) -> int:
        return self._u("<I", L.SK_BUFF_VLAN_ALL)

    @property
    def pkt_type(self) -> int:
        return self.skb.buf[L.SK_BUFF_PKT_TYPE_BYTE] & L.SK_BUFF_PKT_TYPE_MASK

    @pkt_type.setter
    def pkt_type(self, v: int) -> None:
        b = self.skb.buf
        b[L.SK_BUFF_PKT_TYPE_BYTE] = (b[L.SK_BUFF_PKT_TYPE_BYTE] & ~L.SK_BUFF_PKT_TYPE_MASK & 0xFF) | (
            (v << L.SK_BUFF_PKT_TYPE_SHIFT) & L.SK_BUFF_PKT_TYPE_MASK)

    @property
    def cb_data(self) -> bytes:
        return bytes(self.skb.buf[L.SKB_CB_DATA:L.SKB_CB_DATA + 20])

    @cb_data.setter
    def cb_data(self, v: bytes) -> None:
        self.skb.buf[L.SKB_CB_DATA:L.SKB_CB_DATA + 20] = bytes(v[:20]).ljust(20, b"\0")

    # shared info
    def _sh(self, fmt: str, off: int) -> int:
        return struct.unpack_from(fmt, self.shinfo.buf, off)[0]

    def set_shinfo(self, gso_segs: int | None = None, gso_size: int | None = None,
                   hwtstamp: int | None = None, meta_len: int | None = None) -> None:
        b = self.shinfo.buf
        if gso_segs is not None:
            struct.pack_into("<H", b, L.SKB_SHARED_INFO_GSO_SEGS, gso_segs)
        if gso_size is not None:
            struct.pack_into("<H", b, L.SKB_SHARED_INFO_GSO_SIZE, gso_size)
        if hwtstamp is not None:
            struct.pack_into("<Q", b, L.SKB_SHARED_INFO_HWTSTAMPS, hwtstamp)
        if meta_len is not None:
            b[L.SKB_SHARED_INFO_META_LEN] = meta_len

    @property
    def gso_segs(self) -> int:
        return self._sh("<H", L.SKB_SHARED_INFO_GSO_SEGS)

    @property
    def gso_size(self) -> int:
        return self._sh("<H", L.SKB_SHARED_INFO_GSO_SIZE)

    @property
    def hwtstamp(self) -> int:
        return self._sh("<Q", L.SKB_SHARED_INFO_HWTSTAMPS)

    @property
    def meta_len(self) -> int:
        return self.shinfo.buf[L.SKB_SHARED_INFO_META_LEN]

    # -- data --------------------------------------------------------------------------------------------
    def _o(self, addr: int) -> int:
        return addr - self.head_region.base

    def headroom(self) -> int:
        return self.data - self.head

    def tailroom(self) -> int:
        return self.end - self.tail

    def bytes(self) -> bytes:
        """skb->data .. +len (the whole linear skb)."""
        o = self._o(self.data)
        return bytes(self.head_region.buf[o:o + self.len])

    def compute_data_pointers(self) -> None:
        """bpf_compute_data_pointers(): data_meta / data_end in the cb, and the packet window."""
        data = self.data
        meta = data - self.meta_len
        end = data + self.len
        self._p("<Q", L.SKB_DATA_META, meta)
        self._p("<Q", L.SKB_DATA_END, end)
        self.head_region.set_window(meta, end)

    def write(self, offset: int, data: bytes) -> None:
        """Store at skb->data + offset (caller checked the bounds)."""
        o = self._o(self.data) + offset
        self.head_region.buf[o:o + len(data)] = data

    def push(self, n: int) -> None:
        """__skb_push"""
        self._set_data(self.data - n, self.len + n)

    def pull(self, n: int) -> None:
        """__skb_pull"""
        self._set_data(self.data + n, self.len - n)

    def grow(self, headroom_needed: int = 0, tailroom_needed: int = 0) -> None:
        """pskb_expand_head(): a bigger head with the same contents (pointers move)."""
        old = self.head_region
        hr, tr = self.headroom(), self.tailroom()
        nhead = max(0, headroom_needed - hr)
        ntail = max(0, tailroom_needed - tr)
        if not nhead and not ntail:
            return
        nhead = skb_data_align(nhead) if nhead else 0
        new_size = kmalloc_size(old.hi - old.base + nhead + ntail + SKB_SHINFO_SIZE) - SKB_SHINFO_SIZE
        buf = bytearray(new_size)
        o = self._o(self.data)
        n = self.len
        buf[hr + nhead:hr + nhead + n] = old.buf[o:o + n]
        mac_off = self.mac_header + nhead
        net_off = self.network_header + nhead
        mem = self.mem
        mem.remove(self.shinfo)
        sh = bytes(self.shinfo.buf)
        new = mem.map_buffer("skb head", "packet", buf)
        mem.remove(old)
        self.head_region = new
        self.shinfo = mem.add(Region("skb_shared_info", "kernel", new.base + new_size, bytearray(sh),
                                     writable=False))
        self._p("<Q", L.SK_BUFF_HEAD, new.base)
        self._p("<I", L.SK_BUFF_END, new_size)
        self._set_data(new.base + hr + nhead, n)
        self.mac_header = mac_off
        self.network_header = net_off
        self.compute_data_pointers()

    def _fill_sock(self, frame: bytes) -> None:
        """The dummy socket test_run attaches: family and addresses from the packet."""
        b = self.sock.buf
        net = frame[ETH_HLEN:]
        if self.protocol == 0x0800:
            struct.pack_into("<H", b, L.SOCK_COMMON_FAMILY, 2)
            if len(net) >= 20:
                b[L.SOCK_COMMON_RCV_SADDR:L.SOCK_COMMON_RCV_SADDR + 4] = net[12:16]
                b[L.SOCK_COMMON_DADDR:L.SOCK_COMMON_DADDR + 4] = net[16:20]
        elif self.protocol == 0x86DD:
            struct.pack_into("<H", b, L.SOCK_COMMON_FAMILY, 10)
            if len(net) >= 40:
                b[L.SOCK_COMMON_V6_RCV_SADDR:L.SOCK_COMMON_V6_RCV_SADDR + 16] = net[8:24]
                b[L.SOCK_COMMON_V6_DADDR:L.SOCK_COMMON_V6_DADDR + 16] = net[24:40]

    # -- LD_ABS / LD_IND ---------------------------------------------------------------------------------
    def load_pointer(self, offset: int, size: int) -> bytes | None:
        """bpf_skb_load_helper semantics: offset relative to skb->data, or to the network
        (SKF_NET_OFF) / MAC (SKF_LL_OFF) header for the negative magic offsets."""
        if offset >= 0:
            if offset + size > self.len:
                return None
            o = self._o(self.data) + offset
        else:
            SKF_NET_OFF, SKF_LL_OFF = -0x100000, -0x200000
            if offset >= SKF_NET_OFF:
                base = self.head + self.network_header
                o = self._o(base) + offset - SKF_NET_OFF
            elif offset >= SKF_LL_OFF:
                base = self.head + self.mac_header
                o = self._o(base) + offset - SKF_LL_OFF
            else:
                return None
            lo, hi = self._o(self.head), self._o(self.data) + self.len
            if o < lo or o + size > hi:
                return None
        return bytes(self.head_region.buf[o:o + size])


__all__ = ["XdpCtx", "SkbCtx", "Netdev", "LOOPBACK", "netdev", "kmalloc_size", "skb_data_align"]

