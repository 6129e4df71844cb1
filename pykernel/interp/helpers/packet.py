"""Packet helpers for skb programs (tc, cgroup_skb, socket filters) and XDP.

Each follows the kernel function the 6.18 verifier calls (``net/core/filter.c``): the same
argument checks, the same errno for each, the same effect on the packet and on the
``sk_buff``/``xdp_buff`` fields (see :mod:`pykernel.interp.ctx`). Redirects only record
their target in the run's redirect info (``env.redirect``); test_run returns the verdict.
"""

from __future__ import annotations

import struct
from typing import Any

from ...uapi.consts import MapType
from ..ctx import ETH_HLEN, SkbCtx, XdpCtx
from ..env import INT_MAX
from ..errors import HelperFault
from . import csum as C
from .registry import helper, kernel_func

EPERM, ENOENT, EFAULT, EINVAL, E2BIG, ENOTSUPP, EOPNOTSUPP, EBUSY = 1, 2, 14, 22, 7, 524, 95, 16
M32 = 0xFFFFFFFF

BPF_F_RECOMPUTE_CSUM = 1 << 0
BPF_F_INVALIDATE_HASH = 1 << 1
BPF_F_HDR_FIELD_MASK = 0xF
BPF_F_PSEUDO_HDR = 1 << 4
BPF_F_MARK_MANGLED_0 = 1 << 5
BPF_F_MARK_ENFORCE = 1 << 6
BPF_F_IPV6 = 1 << 7
BPF_F_INGRESS = 1 << 0
BPF_F_INDEX_MASK = 0xFFFFFFFF
BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK
BPF_F_CTXLEN_MASK = 0xFFFFF << 32
BPF_F_BROADCAST = 1 << 3
BPF_F_EXCLUDE_INGRESS = 1 << 4
CSUM_MANGLED_0 = 0xFFFF
CHECKSUM_NONE, CHECKSUM_UNNECESSARY, CHECKSUM_COMPLETE, CHECKSUM_PARTIAL = 0, 1, 2, 3
XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT = range(5)
TC_ACT_SHOT, TC_ACT_REDIRECT = 2, 7
ETH_P_8021Q, ETH_P_8021AD = 0x8100, 0x88A8
VLAN_HLEN = 4


def s32(v: int) -> int:
    v &= M32
    return v - (1 << 32) if v & 0x80000000 else v


def _skb(run: Any) -> SkbCtx:
    ctx = run.env.ctx
    if not isinstance(ctx, SkbCtx):
        raise HelperFault("skb helper outside an skb program")
    return ctx


def _xdp(run: Any) -> XdpCtx:
    ctx = run.env.ctx
    if not isinstance(ctx, XdpCtx):
        raise HelperFault("xdp helper outside an XDP program")
    return ctx


def _make_writable(skb: SkbCtx, write_len: int) -> bool:
    """bpf_try_make_writable(): the linear data must hold ``write_len`` bytes."""
    ok = 0 <= write_len <= skb.len
    skb.compute_data_pointers()
    return ok


# -- loads and stores ---------------------------------------------------------------------------------

def _skb_load_helper(size: int):  # type: ignore[no-untyped-def]
    def load(run: Any, ctx: int, offset: int, *_: int) -> int:
        """What the verifier turns LD_ABS/LD_IND into: the big-endian value at ``offset``
        (negative offsets: the SKF_NET_OFF/SKF_LL_OFF areas), or -EFAULT."""
        v = run.env.ld_abs(run, ctx, offset & M32, size)
        return -EFAULT if v is None else v
    return load


for _size in (1, 2, 4):
    kernel_func(f"bpf_skb_load_helper_{8 * _size}_no_cache")(_skb_load_helper(_size))


@helper("skb_load_bytes")
def skb_load_bytes(run: Any, ctx: int, offset: int, to: int, length: int, *_: int) -> int:
    skb = _skb(run)
    offset &= M32
    if offset <= INT_MAX and offset + length <= skb.len:
        o = skb.data - skb.head_region.base + offset
        run.mem.write(to, bytes(skb.head_region.buf[o:o + length]))
        return 0
    run.mem.write(to, bytes(length))
    return -EFAULT


@helper("skb_load_bytes_relative")
def skb_load_bytes_relative(run: Any, ctx: int, offset: int, to: int, length: int, start: int, *_: int) -> int:
    skb = _skb(run)
    offset &= M32
    BPF_HDR_START_MAC, BPF_HDR_START_NET = 0, 1
    if start == BPF_HDR_START_MAC:
        base = skb.mac_header if skb.mac_header != 0xFFFF else None
    elif start == BPF_HDR_START_NET:
        base = skb.network_header
    else:
        base = None
    if base is not None and offset <= 0xFFFF:
        head_off = base + offset  # offset from skb->head
        end = (skb.data - skb.head) + skb.len  # skb_headlen end
        if head_off + length <= end and length <= 0xFFFF:
            o = head_off
            run.mem.write(to, bytes(skb.head_region.buf[o:o + length]))
            return 0
    run.mem.write(to, bytes(length))
    return -EFAULT


@helper("skb_store_bytes")
def skb_store_bytes(run: Any, ctx: int, offset: int, frm: int, length: int, flags: int, *_: int) -> int:
    skb = _skb(run)
    offset &= M32
    if flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH):
        return -EINVAL
    if offset > INT_MAX:
        return -EFAULT
    if not _make_writable(skb, offset + length):
        return -EFAULT
    data = run.mem.read(frm, length)
    if flags & BPF_F_RECOMPUTE_CSUM and skb.ip_summed == CHECKSUM_COMPLETE:
        old = skb.bytes()[offset:offset + length]
        skb.csum = C.csum_sub(skb.csum, C.csum_partial(_aligned(old, offset)))
    skb.write(offset, data)
    if flags & BPF_F_RECOMPUTE_CSUM and skb.ip_summed == CHECKSUM_COMPLETE:
        skb.csum = C.csum_add(skb.csum, C.csum_partial(_aligned(data, offset)))
    if flags & BPF_F_INVALIDATE_HASH:
        skb.hash = 0
    return 0


def _aligned(data: bytes, offset: int) -> bytes:
    """csum_block_sub/add rotate an odd-offset block: a leading pad byte does the same."""
    return (b"\0" + data) if offset & 1 else data


# -- checksums ------------------------------------------------------------------------------------------

@helper("l3_csum_replace")
def l3_csum_replace(run: Any, ctx: int, offset: int, frm: int, to: int, flags: int) -> int:
    skb = _skb(run)
    offset &= M32
    if flags & ~BPF_F_HDR_FIELD_MASK:
        return -EINVAL
    if offset > 0xFFFF or offset & 1:
        return -EFAULT
    if not _make_writable(skb, offset + 2):
        return -EFAULT
    cur = struct.unpack("<H", skb.bytes()[offset:offset + 2])[0]
    field = flags & BPF_F_HDR_FIELD_MASK
    if field == 0:
        if frm:
            return -EINVAL
        new = C.csum_replace_by_diff(cur, to & M32)
    elif field == 2:
        new = C.csum_replace2(cur, frm & 0xFFFF, to & 0xFFFF)
    elif field == 4:
        new = C.csum_replace4(cur, frm & M32, to & M32)
    else:
        return -EINVAL
    skb.write(offset, struct.pack("<H", new))
    return 0


@helper("l4_csum_replace")
def l4_csum_replace(run: Any, ctx: int, offset: int, frm: int, to: int, flags: int) -> int:
    skb = _skb(run)
    offset &= M32
    is_pseudo = bool(flags & BPF_F_PSEUDO_HDR)
    is_mmzero = bool(flags & BPF_F_MARK_MANGLED_0)
    do_mforce = bool(flags & BPF_F_MARK_ENFORCE)
    if flags & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6):
        return -EINVAL
    if offset > 0xFFFF or offset & 1:
        return -EFAULT
    if not _make_writable(skb, offset + 2):
        return -EFAULT
    cur = struct.unpack("<H", skb.bytes()[offset:offset + 2])[0]
    if is_mmzero and not do_mforce and not cur:
        return 0
    field = flags & BPF_F_HDR_FIELD_MASK
    if field == 0:
        if frm:
            return -EINVAL
        diff = to & M32
        if skb.ip_summed != CHECKSUM_PARTIAL:
            new = C.csum_replace_by_diff(cur, diff)
            if skb.ip_summed == CHECKSUM_COMPLETE and is_pseudo:
                skb.csum = ~C.csum_sub(diff, skb.csum) & M32
        elif is_pseudo:
            new = ~C.csum_fold(C.csum_add(diff, cur)) & 0xFFFF
        else:
            new = cur
    elif field in (2, 4):
        mask = 0xFFFF if field == 2 else M32
        old_v, new_v = frm & mask, to & mask
        if skb.ip_summed != CHECKSUM_PARTIAL:
            new = C.csum_replace4(cur, old_v, new_v)
            if skb.ip_summed == CHECKSUM_COMPLETE and is_pseudo:
                skb.csum = ~C.csum_add(C.csum_sub(~skb.csum & M32, old_v), new_v) & M32
        elif is_pseudo:
            new = ~C.csum_fold(C.csum_add(C.csum_sub(cur, old_v), new_v)) & 0xFFFF
        else:
            new = cur
    else:
        return -EINVAL
    if is_mmzero and not new:
        new = CSUM_MANGLED_0
    skb.write(offset, struct.pack("<H", new))
    return 0


@helper("csum_diff")
def csum_diff(run: Any, frm: int, from_size: int, to: int, to_size: int, seed: int) -> int:
    """6.18's bpf_csum_diff: any sizes, the result folded to 16 bits (csum_from32to16)."""
    from_size &= M32
    to_size &= M32
    seed &= M32
    a = run.mem.read(frm, from_size) if from_size else b""
    b = run.mem.read(to, to_size) if to_size else b""
    if from_size and to_size:
        return C.csum_from32to16(C.csum_sub(C.csum_partial(b, seed), C.csum_partial(a, 0)))
    if to_size:
        return C.csum_from32to16(C.csum_partial(b, seed))
    if from_size:
        return C.csum_from32to16(~C.csum_partial(a, ~seed & M32) & M32)
    return seed


@helper("csum_update")
def csum_update(run: Any, ctx: int, csum: int, *_: int) -> int:
    skb = _skb(run)
    if skb.ip_summed == CHECKSUM_COMPLETE:
        skb.csum = C.csum_add(skb.csum, csum & M32)
        return skb.csum
    return -ENOTSUPP


@helper("csum_level")
def csum_level(run: Any, ctx: int, level: int, *_: int) -> int:
    skb = _skb(run)
    BPF_CSUM_LEVEL_QUERY, BPF_CSUM_LEVEL_INC, BPF_CSUM_LEVEL_DEC, BPF_CSUM_LEVEL_RESET = range(4)
    if level == BPF_CSUM_LEVEL_QUERY:
        return skb.csum_level if skb.ip_summed == CHECKSUM_UNNECESSARY else -EACCES_
    if level in (BPF_CSUM_LEVEL_INC, BPF_CSUM_LEVEL_DEC):
        return -ENOTSUPP if skb.ip_summed != CHECKSUM_UNNECESSARY else 0
    if level == BPF_CSUM_LEVEL_RESET:
        return 0
    return -EINVAL


EACCES_ = 13


# -- hashes ---------------------------------------------------------------------------------------------------

@helper("get_hash_recalc")
def get_hash_recalc(run: Any, ctx: int, *_: int) -> int:
    skb = _skb(run)
    if not skb.hash:
        skb.hash = flow_hash(skb)
    return skb.hash


@helper("set_hash_invalid")
def set_hash_invalid(run: Any, ctx: int, *_: int) -> int:
    _skb(run).hash = 0
    return 0


@helper("set_hash")
def set_hash(run: Any, ctx: int, h: int, *_: int) -> int:
    _skb(run).hash = h & M32
    return 0


def flow_hash(skb: SkbCtx) -> int:
    """A deterministic flow hash (the kernel seeds its with boot-time randomness)."""
    from ...maps.jhash import jhash  # the kernel core's jhash

    data = skb.bytes()
    off = (skb.network_header - (skb.data - skb.head))
    net = data[off:] if off >= 0 else b""
    key = b""
    if skb.protocol == 0x0800 and len(net) >= 20:
        ihl = (net[0] & 15) * 4
        key = net[12:20] + bytes([net[9]]) + (net[ihl:ihl + 4] if net[9] in (6, 17) else b"")
    elif skb.protocol == 0x86DD and len(net) >= 40:
        key = net[8:40] + bytes([net[6]]) + (net[40:44] if net[6] in (6, 17) else b"")
    h = jhash(key, 0x5EED) if key else 0
    return h or 1


# -- VLAN -------------------------------------------------------------------------------------------------

@helper("skb_vlan_push")
def skb_vlan_push(run: Any, ctx: int, vlan_proto: int, vlan_tci: int, *_: int) -> int:
    skb = _skb(run)
    proto = int.from_bytes((vlan_proto & 0xFFFF).to_bytes(2, "little"), "big")  # __be16 in a register
    if proto not in (ETH_P_8021Q, ETH_P_8021AD):
        proto = ETH_P_8021Q
    if skb.vlan_present:
        if skb.data - skb.head != skb.mac_header:
            return -EINVAL
        rc = _vlan_insert(skb, skb.vlan_proto, skb.vlan_tci)
        if rc:
            return rc
        skb.protocol = skb.vlan_proto
        skb.network_header = skb.network_header - VLAN_HLEN
    skb.vlan_proto = proto
    skb.vlan_tci = vlan_tci & 0xFFFF
    skb.mac_len = skb.network_header - skb.mac_header
    skb.compute_data_pointers()
    return 0


def _vlan_insert(skb: SkbCtx, proto: int, tci: int) -> int:
    if skb.headroom() < VLAN_HLEN:
        skb.grow(headroom_needed=VLAN_HLEN)
    macs = skb.bytes()[:12]
    skb.push(VLAN_HLEN)
    skb.write(0, macs + proto.to_bytes(2, "big") + tci.to_bytes(2, "big"))
    skb.mac_header = skb.mac_header - VLAN_HLEN
    return 0


def _vlan_pop_data(skb: SkbCtx) -> int | tuple[int]:
    """__skb_vlan_pop: strip the tag in the data; returns the TCI (or -errno)."""
    if skb.data - skb.head != skb.mac_header:
        return -EINVAL
    if skb.len < ETH_HLEN + VLAN_HLEN:
        return -ENOMEM_
    data = skb.bytes()
    tci = int.from_bytes(data[14:16], "big")
    encap = int.from_bytes(data[16:18], "big")
    macs = data[:12]
    skb.pull(VLAN_HLEN)
    skb.write(0, macs)
    if encap >= 0x0600:
        skb.protocol = encap
    else:
        skb.protocol = 0x0001 if data[18:20] == b"\xff\xff" else 0x0004
    skb.mac_header = skb.mac_header + VLAN_HLEN
    if skb.network_header - (skb.data - skb.head) < ETH_HLEN:
        skb.network_header = (skb.data - skb.head) + ETH_HLEN
    skb.mac_len = skb.network_header - skb.mac_header
    return (tci,)


ENOMEM_ = 12


@helper("skb_vlan_pop")
def skb_vlan_pop(run: Any, ctx: int, *_: int) -> int:
    skb = _skb(run)
    try:
        if skb.vlan_present:
            struct.pack_into("<I", skb.skb.buf, _vlan_all_off(), 0)
        else:
            if skb.protocol not in (ETH_P_8021Q, ETH_P_8021AD):
                return 0
            r = _vlan_pop_data(skb)
            if isinstance(r, int):
                return r
        if skb.protocol not in (ETH_P_8021Q, ETH_P_8021AD):
            return 0
        proto = skb.protocol
        r = _vlan_pop_data(skb)
        if isinstance(r, int):
            return r
        skb.vlan_proto = proto
        skb.vlan_tci = r[0]
        return 0
    finally:
        skb.compute_data_pointers()


def _vlan_all_off() -> int:
    from ... import layouts as L

    return L.SK_BUFF_VLAN_ALL


# -- resizing -----------------------------------------------------------------------------------------------

@helper("skb_change_tail")
def skb_change_tail(run: Any, ctx: int, new_len: int, flags: int, *_: int) -> int:
    skb = _skb(run)
    new_len &= M32
    max_len = skb.dev.mtu + ETH_HLEN
    net_off = skb.network_header - (skb.data - skb.head)
    min_len = net_off
    if skb.transport_header != 0xFFFF:
        min_len = skb.transport_header - (skb.data - skb.head)
    if flags or new_len > max_len or new_len < min_len:
        return -EINVAL
    if new_len > skb.len:
        grow = new_len - skb.len
        if skb.tailroom() < grow:
            skb.grow(tailroom_needed=grow)
        o = skb.data - skb.head + skb.len
        skb.head_region.buf[o:o + grow] = bytes(grow)
        skb._set_data(skb.data, new_len)
        if skb.ip_summed == CHECKSUM_COMPLETE:
            skb.ip_summed = CHECKSUM_NONE
    elif new_len < skb.len:
        if skb.ip_summed == CHECKSUM_COMPLETE:
            skb.csum = C.csum_sub(skb.csum, C.csum_partial(_aligned(skb.bytes()[new_len:], new_len)))
        skb._set_data(skb.data, new_len)
    skb.compute_data_pointers()
    return 0


@helper("skb_change_head")
def skb_change_head(run: Any, ctx: int, head_room: int, flags: int, *_: int) -> int:
    skb = _skb(run)
    head_room &= M32
    max_len = skb.dev.mtu + ETH_HLEN
    new_len = skb.len + head_room
    if flags or new_len > max_len or new_len < skb.len:
        return -EINVAL
    if skb.headroom() < head_room:
        skb.grow(headroom_needed=head_room)
    skb.push(head_room)
    skb.write(0, bytes(head_room))
    skb.mac_header = skb.data - skb.head
    skb.compute_data_pointers()
    return 0


@helper("skb_pull_data")
def skb_pull_data(run: Any, ctx: int, length: int, *_: int) -> int:
    skb = _skb(run)
    length &= M32
    ok = (length or skb.len) <= skb.len
    skb.compute_data_pointers()
    return 0 if ok else -ENOMEM_


@helper("skb_change_type")
def skb_change_type(run: Any, ctx: int, pkt_type: int, *_: int) -> int:
    skb = _skb(run)
    PACKET_OTHERHOST = 3
    if skb.pkt_type > PACKET_OTHERHOST or pkt_type > PACKET_OTHERHOST:
        return -EINVAL
    skb.pkt_type = pkt_type
    return 0


# -- redirects ----------------------------------------------------------------------------------------------

@helper("redirect")
def tc_redirect(run: Any, ifindex: int, flags: int, *_: int) -> int:
    if flags & ~BPF_F_INGRESS:
        return TC_ACT_SHOT
    ri = run.env.redirect
    ri.flags = flags
    ri.tgt_index = ifindex & M32
    return TC_ACT_REDIRECT


@helper("redirect", func="bpf_xdp_redirect")
def xdp_redirect(run: Any, ifindex: int, flags: int, *_: int) -> int:
    if flags:
        return XDP_ABORTED
    ri = run.env.redirect
    ri.tgt_index = ifindex & M32
    ri.map_id = INT_MAX
    ri.map_type = 0
    return XDP_REDIRECT


@helper("redirect_map")
def redirect_map(run: Any, map_addr: int, key: int, flags: int, *_: int) -> int:
    env = run.env
    m = env.map_at(map_addr)
    t = int(m.map_type)
    flag_mask = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS if t in (MapType.DEVMAP, MapType.DEVMAP_HASH) else 0
    action_mask = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX
    if flags & ~(action_mask | flag_mask):
        return XDP_ABORTED
    key &= M32
    target = m.redirect_target(key) if hasattr(m, "redirect_target") else None
    ri = env.redirect
    if not target and not flags & BPF_F_BROADCAST:
        ri.map_id = INT_MAX
        ri.map_type = 0
        return flags & action_mask
    ri.tgt_index = key
    ri.tgt_value = target
    ri.map_id = m.id
    ri.map_type = t
    ri.flags = flags if flags & BPF_F_BROADCAST else 0
    return XDP_REDIRECT


for _sym in ("dev_map_redirect", "dev_hash_map_redirect", "cpu_map_redirect", "xsk_map_redirect"):
    kernel_func(_sym)(redirect_map)


# -- XDP ---------------------------------------------------------------------------------------------------------

@helper("xdp_adjust_head")
def xdp_adjust_head(run: Any, ctx: int, offset: int, *_: int) -> int:
    return _xdp(run).adjust_head(s32(offset))


@helper("xdp_adjust_tail")
def xdp_adjust_tail(run: Any, ctx: int, offset: int, *_: int) -> int:
    return _xdp(run).adjust_tail(s32(offset))


@helper("xdp_adjust_meta")
def xdp_adjust_meta(run: Any, ctx: int, offset: int, *_: int) -> int:
    return _xdp(run).adjust_meta(s32(offset))


@helper("xdp_get_buff_len")
def xdp_get_buff_len(run: Any, ctx: int, *_: int) -> int:
    x = _xdp(run)
    return x.data_end - x.data + len(x.frags)


@helper("xdp_load_bytes")
def xdp_load_bytes(run: Any, ctx: int, offset: int, buf: int, length: int, *_: int) -> int:
    data = _xdp(run).load_bytes(offset & M32, length & M32)
    if data is None:
        return -EINVAL
    run.mem.write(buf, data)
    return 0


@helper("xdp_store_bytes")
def xdp_store_bytes(run: Any, ctx: int, offset: int, buf: int, length: int, *_: int) -> int:
    x = _xdp(run)
    offset &= M32
    length &= M32
    linear = x.data_end - x.data
    if offset + length > linear:
        return -EINVAL
    data = run.mem.read(buf, length)
    o = x.data - x.pkt.base + offset
    x.pkt.buf[o:o + length] = data
    return 0


# -- perf event output --------------------------------------------------------------------------------------------

def _event_output(run: Any, map_addr: int, flags: int, meta: int, meta_size: int, ctx_len: int,
                  ctx_bytes: bytes) -> int:
    env = run.env
    m = env.map_at(map_addr)
    index = flags & BPF_F_INDEX_MASK
    if index == BPF_F_CURRENT_CPU:
        index = env.cpu
    if index >= m.max_entries:
        return -E2BIG
    kernel = getattr(env, "kernel", None)
    if kernel is not None and getattr(kernel, "tx", None) is not None:
        from ... import perfbuf  # the rings readers (map event_pipe) installed in the slots

        if perfbuf.listener(kernel, m.id, index) is None:
            return -ENOENT
    else:
        events = getattr(m, "perf_event", None)
        ev = events(index) if callable(events) else None
        if not ev:
            return -ENOENT
    from ..env import PerfRecord

    data = run.mem.read(meta, meta_size) if meta_size else b""
    sample = data + ctx_bytes[:ctx_len]
    env.perf.append(PerfRecord(m.id, env.cpu, sample))
    if kernel is not None and getattr(kernel, "tx", None) is not None:
        perfbuf.append(kernel, m.id, index, env.cpu, env.now_ns(), sample)
    return 0


@helper("perf_event_output")
def skb_event_output(run: Any, ctx: int, map_addr: int, flags: int, meta: int, meta_size: int) -> int:
    skb = _skb(run)
    ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32
    if flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK):
        return -EINVAL
    if ctx_len > skb.len:
        return -EFAULT
    return _event_output(run, map_addr, flags, meta, meta_size & M32, ctx_len, skb.bytes())


@helper("perf_event_output", func="bpf_xdp_event_output")
def xdp_event_output(run: Any, ctx: int, map_addr: int, flags: int, meta: int, meta_size: int) -> int:
    x = _xdp(run)
    ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32
    if flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK):
        return -EINVAL
    if ctx_len > x.data_end - x.data + len(x.frags):
        return -EFAULT
    return _event_output(run, map_addr, flags, meta, meta_size & M32, ctx_len, x.packet() + x.frags)
