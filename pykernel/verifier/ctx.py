"""Context access: which fields a program type may read or write, and what they become.

``check(prog_type, attach, off, size, write, ldsx)`` answers like the kernel's
``*_is_valid_access`` callbacks: ``None`` (reject: ``invalid bpf_context access``) or a
``CtxAccess`` with the register type a read yields and the field's default size (for
narrow loads). ``convert(...)`` returns the instructions the kernel's
``*_convert_ctx_access`` emits on x86-64 6.18 (struct offsets of the oracle kernel, checked
against ``tests/fixtures/ctx_access``), including the shift/mask of narrow loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..uapi import insn as I
from ..uapi.consts import AttachType, ProgType
from . import regs as R

AX = 11  # BPF_REG_AX, printed as r11

# struct __sk_buff (uapi) offsets
SKB = dict(len=0, pkt_type=4, mark=8, queue_mapping=12, protocol=16, vlan_present=20, vlan_tci=24,
           vlan_proto=28, priority=32, ingress_ifindex=36, ifindex=40, tc_index=44, cb=48, hash=68,
           tc_classid=72, data=76, data_end=80, napi_id=84, family=88, remote_ip4=92, local_ip4=96,
           remote_ip6=100, local_ip6=116, remote_port=132, local_port=136, data_meta=140, flow_keys=144,
           tstamp=152, wire_len=160, gso_segs=164, sk=168, gso_size=176, tstamp_type=180, hwtstamp=184)
SKB_SIZE = 192
XDP_MD_SIZE = 24
XDP = dict(data=0, data_end=4, data_meta=8, ingress_ifindex=12, rx_queue_index=16, egress_ifindex=20)

# kernel struct offsets (6.18 x86-64): sk_buff, xdp_buff, xdp_rxq_info, net_device, sock
SK_BUFF = dict(len=112, pkt_type=128, tstamp_flags=129, mark=164, queue_mapping=124, protocol=176,
               vlan_all=152, vlan_tci=154, vlan_proto=152, priority=140, skb_iif=144, dev=16,
               tc_index=132, cb=48, hash=148, tc_classid=46, data=200, data_end=80, napi_id=156,
               data_meta=72, tstamp=32, wire_len=40, end=188, head=192, sk=24)
SHINFO = dict(gso_size=4, gso_segs=6, hwtstamps=16)
NETDEV_IFINDEX = 224
XDP_BUFF = dict(data=0, data_end=8, data_meta=16, rxq=32, txq=40)
RXQ = dict(dev=0, queue_index=8)
SOCK = dict(family=16, daddr=0, rcv_saddr=4, v6_daddr=56, v6_rcv_saddr=72, dport=12, num=14)
NAPI_MIN_ID = 0x101


@dataclass
class CtxAccess:
    reg_type: int = R.SCALAR
    field_size: int = 0  # the field's size for narrow loads (0: access size is used as is)


def _skb_range(off: int) -> str | None:
    for name, start in sorted(SKB.items(), key=lambda kv: -kv[1]):
        if off >= start:
            sizes = {"cb": 20, "remote_ip6": 16, "local_ip6": 16, "flow_keys": 8, "tstamp": 8, "sk": 8,
                     "hwtstamp": 8, "tstamp_type": 1}
            if off < start + sizes.get(name, 4):
                return name
            return None
    return None


def _narrow_ok(size: int, default: int) -> bool:
    return size <= default and (size & (size - 1)) == 0


def _skb_common(off: int, size: int, write: bool, ldsx: bool) -> CtxAccess | None:
    if off < 0 or off >= SKB_SIZE or off % size:
        return None
    f = _skb_range(off)
    if f is None:  # padding after tstamp_type
        return None
    if f == "cb":
        if off + size > SKB["cb"] + 20:
            return None
        return CtxAccess()
    if f in ("data", "data_meta", "data_end"):
        if ldsx or size != 4:
            return None
        return CtxAccess()
    if f == "tstamp":
        return CtxAccess() if size == 8 else None
    if f == "hwtstamp":
        return CtxAccess() if not write and size == 8 else None
    if f == "tstamp_type":
        return None
    if f == "flow_keys":
        return None
    if f == "sk":
        if write or size != 8:
            return None
        return CtxAccess(R.SOCK_COMMON | R.MAYBE_NULL)
    if write or f in ("remote_ip4", "local_ip4", "remote_ip6", "local_ip6"):
        return CtxAccess() if size == 4 else None
    if not _narrow_ok(size, 4):
        return None
    return CtxAccess(field_size=4)


_PKT_TYPES = {"data": R.PACKET, "data_meta": R.PACKET_META, "data_end": R.PACKET_END}


def check(prog_type: int, attach: int, off: int, size: int, write: bool, ldsx: bool = False) -> CtxAccess | None:
    pt = prog_type
    if pt == ProgType.XDP:
        if off < 0 or off >= XDP_MD_SIZE or off % size or size != 4:
            return None
        if off == XDP["egress_ifindex"] and attach != AttachType.XDP_DEVMAP if hasattr(AttachType, "XDP_DEVMAP") else attach != 33:
            return None
        if write:
            return None
        for name, o in XDP.items():
            if o == off and name in _PKT_TYPES:
                return CtxAccess(_PKT_TYPES[name])
        return CtxAccess()
    if pt in (ProgType.SCHED_CLS, ProgType.SCHED_ACT):
        f = _skb_range(off) if 0 <= off < SKB_SIZE else None
        if write and f not in ("mark", "tc_index", "priority", "tc_classid", "cb", "tstamp", "queue_mapping"):
            return None
        if f in ("family", "remote_ip4", "local_ip4", "remote_ip6", "local_ip6", "remote_port", "local_port"):
            return None
        if f == "tstamp_type" and not write and size == 1 and off == SKB["tstamp_type"]:
            return CtxAccess()
        acc = _skb_common(off, size, write, ldsx)
        if acc is not None and f in _PKT_TYPES:
            acc.reg_type = _PKT_TYPES[f]
        return acc
    if pt == ProgType.CGROUP_SKB:
        f = _skb_range(off) if 0 <= off < SKB_SIZE else None
        if f in ("tc_classid", "data_meta", "wire_len"):
            return None
        if write and f not in ("mark", "priority", "cb", "tstamp"):
            return None
        acc = _skb_common(off, size, write, ldsx)
        if acc is not None and f in ("data", "data_end"):
            acc.reg_type = _PKT_TYPES[f]
        return acc
    if pt == ProgType.SOCKET_FILTER:
        f = _skb_range(off) if 0 <= off < SKB_SIZE else None
        if f in ("tc_classid", "data", "data_meta", "data_end", "family", "remote_ip4", "local_ip4",
                 "remote_ip6", "local_ip6", "remote_port", "local_port", "tstamp", "wire_len", "hwtstamp"):
            return None
        if write and f != "cb":
            return None
        return _skb_common(off, size, write, ldsx)
    return None


# ---------------------------------------------------------------------------- conversion


def _ldx(size: int, dst: int, src: int, off: int) -> I.Insn:
    return I.Insn(I.LDX | I.MEM | size, dst, src, off, 0)


def _store(si: I.Insn, size: int, off: int) -> I.Insn:
    if si.cls == I.ST:
        return I.Insn(I.ST | I.MEM | size, si.dst, 0, off, si.imm)
    return I.Insn(I.STX | I.MEM | size, si.dst, si.src, off, 0)


def _convert_skb(pt: int, si: I.Insn, f: str, fidx: int, write: bool) -> tuple[list[I.Insn], int]:
    d, s = si.dst, si.src
    K = SK_BUFF
    if f == "cb":
        off = si.off  # __sk_buff cb and sk_buff qdisc cb data sit at the same offset on 6.18
        sz = si.code & 0x18
        return ([_store(si, sz, off)] if write else [_ldx(sz, d, s, off)]), 0
    simple = {"len": (I.W, K["len"], 4), "mark": (I.W, K["mark"], 4), "priority": (I.W, K["priority"], 4),
              "ingress_ifindex": (I.W, K["skb_iif"], 4), "hash": (I.W, K["hash"], 4),
              "queue_mapping": (I.H, K["queue_mapping"], 2), "protocol": (I.H, K["protocol"], 2),
              "vlan_tci": (I.H, K["vlan_tci"], 2), "vlan_proto": (I.H, K["vlan_proto"], 2),
              "tc_index": (I.H, K["tc_index"], 2), "tc_classid": (I.H, K["tc_classid"], 2),
              "wire_len": (I.W, K["wire_len"], 4), "data": (I.DW, K["data"], 8),
              "data_end": (I.DW, K["data_end"], 8), "data_meta": (I.DW, K["data_meta"], 8),
              "sk": (I.DW, K["sk"], 8)}
    if write:
        if f == "queue_mapping":
            return [I.Insn(I.JMP | I.JGE | I.K, s, 0, 1, 0xFFFF), _store(si, I.H, K["queue_mapping"])], 2
        if f == "tstamp":
            return [_ldx(I.B, AX, d, K["tstamp_flags"]), I.Insn(I.JMP32 | I.JSET | I.K, AX, 0, 1, 4),
                    I.Insn(I.JMP | I.JA, 0, 0, 2, 0), I.Insn(I.ALU | I.AND | I.K, AX, 0, 0, -4),
                    I.Insn(I.STX | I.MEM | I.B, d, AX, K["tstamp_flags"], 0), _store(si, I.DW, K["tstamp"])], 8
        sz, off, ts = simple[f]
        return [_store(si, sz, off)], ts
    if f in simple:
        sz, off, ts = simple[f]
        return [_ldx(sz, d, s, off)], ts
    if f == "pkt_type":
        return [_ldx(I.B, d, s, K["pkt_type"]), I.Insn(I.ALU | I.AND | I.K, d, 0, 0, 7)], 1
    if f == "tstamp_type":
        return [_ldx(I.B, d, s, K["tstamp_flags"]), I.Insn(I.ALU | I.AND | I.K, d, 0, 0, 3)], 1
    if f == "vlan_present":
        return [_ldx(I.W, d, s, K["vlan_all"]), I.Insn(I.JMP | I.JEQ | I.K, d, 0, 1, 0),
                I.Insn(I.ALU | I.MOV | I.K, d, 0, 0, 1)], 4
    if f == "ifindex":
        out = [_ldx(I.DW, d, s, K["dev"])]
        if pt not in (ProgType.SCHED_CLS, ProgType.SCHED_ACT):
            out.append(I.Insn(I.JMP | I.JEQ | I.K, d, 0, 1, 0))
        out.append(_ldx(I.W, d, d, NETDEV_IFINDEX))
        return out, 4
    if f == "napi_id":
        return [_ldx(I.W, d, s, K["napi_id"]), I.Insn(I.JMP | I.JGE | I.K, d, 0, 1, NAPI_MIN_ID),
                I.Insn(I.ALU64 | I.MOV | I.K, d, 0, 0, 0)], 4
    if f in ("gso_segs", "gso_size", "hwtstamp"):
        key = {"gso_segs": "gso_segs", "gso_size": "gso_size", "hwtstamp": "hwtstamps"}[f]
        sz = I.DW if f == "hwtstamp" else I.H
        return [_ldx(I.W, AX, s, K["end"]), _ldx(I.DW, d, s, K["head"]),
                I.Insn(I.ALU64 | I.ADD | I.X, d, AX, 0, 0), _ldx(sz, d, d, SHINFO[key])], 8 if sz == I.DW else 2
    if f == "tstamp":
        return [_ldx(I.B, AX, s, K["tstamp_flags"]), I.Insn(I.JMP32 | I.JSET | I.K, AX, 0, 1, 4),
                I.Insn(I.JMP | I.JA, 0, 0, 4, 0), I.Insn(I.JMP32 | I.JSET | I.K, AX, 0, 1, 3),
                I.Insn(I.JMP | I.JA, 0, 0, 2, 0), I.Insn(I.ALU64 | I.MOV | I.K, d, 0, 0, 0),
                I.Insn(I.JMP | I.JA, 0, 0, 1, 0), _ldx(I.DW, d, s, K["tstamp"])], 8
    sk = [_ldx(I.DW, d, s, K["sk"])]
    if f == "family":
        return sk + [_ldx(I.H, d, d, SOCK["family"])], 2
    if f == "remote_ip4":
        return sk + [_ldx(I.W, d, d, SOCK["daddr"])], 4
    if f == "local_ip4":
        return sk + [_ldx(I.W, d, d, SOCK["rcv_saddr"])], 4
    if f == "remote_ip6":
        return sk + [_ldx(I.W, d, d, SOCK["v6_daddr"] + 4 * fidx)], 4
    if f == "local_ip6":
        return sk + [_ldx(I.W, d, d, SOCK["v6_rcv_saddr"] + 4 * fidx)], 4
    if f == "remote_port":
        return sk + [_ldx(I.H, d, d, SOCK["dport"]), I.Insn(I.ALU | I.LSH | I.K, d, 0, 0, 16)], 2
    if f == "local_port":
        return sk + [_ldx(I.H, d, d, SOCK["num"])], 2
    raise KeyError(f)


def _convert_xdp(si: I.Insn, f: str) -> tuple[list[I.Insn], int]:
    d, s = si.dst, si.src
    if f in ("data", "data_end", "data_meta"):
        return [_ldx(I.DW, d, s, XDP_BUFF[f])], 8
    if f == "ingress_ifindex":
        return [_ldx(I.DW, d, s, XDP_BUFF["rxq"]), _ldx(I.DW, d, d, RXQ["dev"]), _ldx(I.W, d, d, NETDEV_IFINDEX)], 4
    if f == "rx_queue_index":
        return [_ldx(I.DW, d, s, XDP_BUFF["rxq"]), _ldx(I.W, d, d, RXQ["queue_index"])], 4
    if f == "egress_ifindex":
        return [_ldx(I.DW, d, s, XDP_BUFF["txq"]), _ldx(I.DW, d, d, RXQ["dev"]), _ldx(I.W, d, d, NETDEV_IFINDEX)], 4
    raise KeyError(f)


def convert(prog_type: int, si: I.Insn, field_size: int) -> list[I.Insn]:
    """The instructions that replace the ctx access ``si`` (already verified)."""
    write = si.cls in (I.STX, I.ST)
    size = I.SIZE_BYTES[si.code & 0x18]
    off = si.off
    narrow = not write and field_size and size < field_size
    if narrow:
        conv_si = I.Insn(I.LDX | I.MEM | I.W, si.dst, si.src, off & ~(field_size - 1), 0)
    else:
        conv_si = si
    if prog_type == ProgType.XDP:
        f = next(n for n, o in XDP.items() if o == conv_si.off)
        out, target = _convert_xdp(conv_si, f)
    else:
        f = _skb_range(conv_si.off) or ""
        fidx = (conv_si.off - SKB[f]) // 4 if f in ("remote_ip6", "local_ip6") else 0
        out, target = _convert_skb(prog_type, conv_si, f, fidx, write)
    if narrow and size < target:
        shift = (off & (field_size - 1)) * 8
        if shift:
            out.append(I.Insn(I.ALU | I.RSH | I.K, si.dst, 0, 0, shift))
        out.append(I.Insn(I.ALU | I.AND | I.K, si.dst, 0, 0, (1 << (size * 8)) - 1))
    return out
