#!/usr/bin/env python3
"""Write pykernel/layouts.py from this machine's vmlinux BTF (and the recorded fixtures).

    python tests/oracle/gen_layouts.py [--out pykernel/layouts.py]

Needs bpftool and /sys/kernel/btf/vmlinux. Every constant names its kernel struct and
member; a few kernel #defines that BTF does not carry are listed with their source.
The ids of kernel functions that xlated calls show (`call __htab_map_lookup_elem#330864`)
are collected from the xlated fixtures in tests/fixtures/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from vmlinux_btf import Btf  # noqa: E402

REPO = HERE.parents[1]

# (constant, struct, member) -> byte offset of struct.member
OFFSETS: list[tuple[str, str, str]] = [
    ("XDP_BUFF_DATA", "xdp_buff", "data"),
    ("XDP_BUFF_DATA_END", "xdp_buff", "data_end"),
    ("XDP_BUFF_DATA_META", "xdp_buff", "data_meta"),
    ("XDP_BUFF_DATA_HARD_START", "xdp_buff", "data_hard_start"),
    ("XDP_BUFF_RXQ", "xdp_buff", "rxq"),
    ("XDP_BUFF_TXQ", "xdp_buff", "txq"),
    ("XDP_BUFF_FRAME_SZ", "xdp_buff", "frame_sz"),
    ("XDP_BUFF_FLAGS", "xdp_buff", "flags"),
    ("XDP_RXQ_INFO_DEV", "xdp_rxq_info", "dev"),
    ("XDP_RXQ_INFO_QUEUE_INDEX", "xdp_rxq_info", "queue_index"),
    ("XDP_TXQ_INFO_DEV", "xdp_txq_info", "dev"),
    ("NET_DEVICE_IFINDEX", "net_device", "ifindex"),
    ("NET_DEVICE_MTU", "net_device", "mtu"),
    ("NET_DEVICE_NAME", "net_device", "name"),
    ("SK_BUFF_DEV", "sk_buff", "dev"),
    ("SK_BUFF_SK", "sk_buff", "sk"),
    ("SK_BUFF_TSTAMP", "sk_buff", "tstamp"),
    ("SK_BUFF_CB", "sk_buff", "cb"),
    ("SK_BUFF_LEN", "sk_buff", "len"),
    ("SK_BUFF_DATA_LEN", "sk_buff", "data_len"),
    ("SK_BUFF_MAC_LEN", "sk_buff", "mac_len"),
    ("SK_BUFF_QUEUE_MAPPING", "sk_buff", "queue_mapping"),
    ("SK_BUFF_PKT_TYPE_OFFSET", "sk_buff", "__pkt_type_offset"),
    ("SK_BUFF_MONO_TC_OFFSET", "sk_buff", "__mono_tc_offset"),
    ("SK_BUFF_TC_INDEX", "sk_buff", "tc_index"),
    ("SK_BUFF_PRIORITY", "sk_buff", "priority"),
    ("SK_BUFF_SKB_IIF", "sk_buff", "skb_iif"),
    ("SK_BUFF_HASH", "sk_buff", "hash"),
    ("SK_BUFF_VLAN_ALL", "sk_buff", "vlan_all"),
    ("SK_BUFF_VLAN_PROTO", "sk_buff", "vlan_proto"),
    ("SK_BUFF_VLAN_TCI", "sk_buff", "vlan_tci"),
    ("SK_BUFF_NAPI_ID", "sk_buff", "napi_id"),
    ("SK_BUFF_MARK", "sk_buff", "mark"),
    ("SK_BUFF_PROTOCOL", "sk_buff", "protocol"),
    ("SK_BUFF_TRANSPORT_HEADER", "sk_buff", "transport_header"),
    ("SK_BUFF_NETWORK_HEADER", "sk_buff", "network_header"),
    ("SK_BUFF_MAC_HEADER", "sk_buff", "mac_header"),
    ("SK_BUFF_TAIL", "sk_buff", "tail"),
    ("SK_BUFF_END", "sk_buff", "end"),
    ("SK_BUFF_HEAD", "sk_buff", "head"),
    ("SK_BUFF_DATA", "sk_buff", "data"),
    ("QDISC_SKB_CB_PKT_LEN", "qdisc_skb_cb", "pkt_len"),
    ("QDISC_SKB_CB_TC_CLASSID", "qdisc_skb_cb", "tc_classid"),
    ("QDISC_SKB_CB_DATA", "qdisc_skb_cb", "data"),
    ("BPF_SKB_DATA_END_QDISC_CB", "bpf_skb_data_end", "qdisc_cb"),
    ("BPF_SKB_DATA_END_DATA_META", "bpf_skb_data_end", "data_meta"),
    ("BPF_SKB_DATA_END_DATA_END", "bpf_skb_data_end", "data_end"),
    ("SKB_SHARED_INFO_META_LEN", "skb_shared_info", "meta_len"),
    ("SKB_SHARED_INFO_NR_FRAGS", "skb_shared_info", "nr_frags"),
    ("SKB_SHARED_INFO_GSO_SIZE", "skb_shared_info", "gso_size"),
    ("SKB_SHARED_INFO_GSO_SEGS", "skb_shared_info", "gso_segs"),
    ("SKB_SHARED_INFO_HWTSTAMPS", "skb_shared_info", "hwtstamps"),
    ("SKB_SHARED_INFO_GSO_TYPE", "skb_shared_info", "gso_type"),
    ("SOCK_COMMON_DADDR", "sock_common", "skc_daddr"),
    ("SOCK_COMMON_RCV_SADDR", "sock_common", "skc_rcv_saddr"),
    ("SOCK_COMMON_DPORT", "sock_common", "skc_dport"),
    ("SOCK_COMMON_NUM", "sock_common", "skc_num"),
    ("SOCK_COMMON_FAMILY", "sock_common", "skc_family"),
    ("SOCK_COMMON_STATE", "sock_common", "skc_state"),
    ("SOCK_COMMON_BOUND_DEV_IF", "sock_common", "skc_bound_dev_if"),
    ("SOCK_COMMON_V6_DADDR", "sock_common", "skc_v6_daddr"),
    ("SOCK_COMMON_V6_RCV_SADDR", "sock_common", "skc_v6_rcv_saddr"),
    ("SOCK_SK_COMMON", "sock", "__sk_common"),
    ("SOCK_SK_PROTOCOL", "sock", "sk_protocol"),
    ("SOCK_SK_TYPE", "sock", "sk_type"),
    ("SOCK_SK_MARK", "sock", "sk_mark"),
    ("SOCK_SK_PRIORITY", "sock", "sk_priority"),
    ("BPF_ARRAY_ELEM_SIZE", "bpf_array", "elem_size"),
    ("BPF_ARRAY_INDEX_MASK", "bpf_array", "index_mask"),
    ("BPF_ARRAY_VALUE", "bpf_array", "value"),
    ("BPF_ARRAY_PPTRS", "bpf_array", "pptrs"),
    ("BPF_ARRAY_PTRS", "bpf_array", "ptrs"),
    ("HTAB_ELEM_HASH", "htab_elem", "hash"),
    ("HTAB_ELEM_KEY", "htab_elem", "key"),
    ("BPF_MAP_MAX_ENTRIES", "bpf_map", "max_entries"),
    ("BPF_MAP_KEY_SIZE", "bpf_map", "key_size"),
    ("BPF_MAP_VALUE_SIZE", "bpf_map", "value_size"),
]

SIZES = ["xdp_buff", "xdp_rxq_info", "xdp_txq_info", "xdp_md", "xdp_frame", "sk_buff",
         "__sk_buff", "qdisc_skb_cb", "bpf_skb_data_end", "skb_shared_info", "net_device",
         "sock_common", "sock", "bpf_array", "bpf_map", "htab_elem", "bpf_sock"]

BITFIELDS = [("SK_BUFF_PKT_TYPE", "sk_buff", "pkt_type"),
             ("SK_BUFF_TSTAMP_TYPE", "sk_buff", "tstamp_type"),
             ("SK_BUFF_TC_AT_INGRESS", "sk_buff", "tc_at_ingress"),
             ("SK_BUFF_CLONED", "sk_buff", "cloned")]


def kernel_call_imms(fixtures: Path) -> dict[str, int]:
    """`call NAME#IMM` in xlated dumps of kernel functions (not helpers by id)."""
    rx = re.compile(r"call ([A-Za-z_][A-Za-z0-9_]*)#(-?\d+)")
    found: dict[str, int] = {}
    for f in sorted(fixtures.rglob("*.json")):
        text = f.read_text()
        for name, imm in rx.findall(text.replace("\\n", "\n")):
            found.setdefault(name, int(imm))
    return dict(sorted(found.items()))


def generate(btf: Btf, fixtures: Path) -> str:
    rel = os.uname().release
    out = [
        '"""Kernel struct offsets of the simulated Linux 6.18 kernel.',
        "",
        f"Read from kernel {rel}'s vmlinux BTF (/sys/kernel/btf/vmlinux, via",
        "`bpftool btf dump file /sys/kernel/btf/vmlinux format raw`) by",
        "tests/oracle/gen_layouts.py; regenerate rather than edit. The verifier's ctx",
        "rewrites and the interpreter's memory regions use these so that `prog dump xlated`",
        "shows the same offsets as the real kernel (tests/fixtures/ctx_access/ has the",
        "real rewrites). Each constant names `struct.member` (byte offsets unless noted).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "# --- sizes (sizeof(struct X)) ---",
    ]
    for s in SIZES:
        try:
            size = int(btf.struct(s).attrs["size"])
        except KeyError:
            continue
        const = f"SIZEOF_{s[2:].upper()}_UAPI" if s.startswith("__") else f"SIZEOF_{s.upper()}"
        out.append(f"{const} = {size}  # sizeof(struct {s})")
    out.append("")
    out.append("# --- member offsets ---")
    last = None
    for const, s, m in OFFSETS:
        if s != last:
            out.append(f"# struct {s}")
            last = s
        try:
            off = btf.offsetof(s, m)
        except KeyError:
            out.append(f"# {const}: struct {s} has no member {m} in this kernel")
            continue
        out.append(f"{const} = {off}  # offsetof(struct {s}, {m})")
    out.append("")
    out.append("# --- bitfields: (byte offset, shift, mask) of the byte that holds the field ---")
    for const, s, m in BITFIELDS:
        bits, width, _sz = btf.members(s)[m]
        mask = ((1 << width) - 1) << (bits % 8)
        out.append(f"{const}_BYTE = {bits // 8}  # struct {s}.{m}: bit {bits}, {width} bits")
        out.append(f"{const}_SHIFT = {bits % 8}")
        out.append(f"{const}_MASK = {mask:#x}  # mask within that byte (little endian)")
    out += [
        "",
        "# --- derived layouts ---",
        "# __sk_buff->cb[] and tc_classid/wire_len live in sk_buff.cb (a struct qdisc_skb_cb);",
        "# data_meta/data_end of direct packet access in struct bpf_skb_data_end (also in cb).",
        "SKB_CB_DATA = SK_BUFF_CB + QDISC_SKB_CB_DATA  # __sk_buff.cb[0] (5 x u32)",
        "SKB_TC_CLASSID = SK_BUFF_CB + QDISC_SKB_CB_TC_CLASSID  # __sk_buff.tc_classid (u16)",
        "SKB_WIRE_LEN = SK_BUFF_CB + QDISC_SKB_CB_PKT_LEN  # __sk_buff.wire_len",
        "SKB_DATA_META = SK_BUFF_CB + BPF_SKB_DATA_END_DATA_META  # __sk_buff.data_meta (u64)",
        "SKB_DATA_END = SK_BUFF_CB + BPF_SKB_DATA_END_DATA_END  # __sk_buff.data_end (u64)",
        "# skb_shinfo(skb) = skb->head + skb->end (NET_SKBUFF_DATA_USES_OFFSET on 64-bit)",
        "",
        "# array maps: value of index i at map + BPF_ARRAY_VALUE + i * round_up(value_size, 8)",
        "ARRAY_VALUE_OFF = BPF_ARRAY_VALUE  # xlated: `r1 += 312` after an inlined lookup",
        "",
        "",
        "def htab_value_off(key_size: int) -> int:",
        '    """Offset of the value in a struct htab_elem: key, then the value 8-aligned."""',
        "    return HTAB_ELEM_KEY + ((key_size + 7) & ~7)",
        "",
        "",
        "# --- #defines that BTF does not carry (include/uapi/linux/bpf.h, skbuff.h, x86) ---",
        "XDP_PACKET_HEADROOM = 256  # headroom in front of an XDP frame (test_run too)",
        "NET_SKB_PAD = 64  # max(32, L1_CACHE_BYTES) on x86_64: skb headroom in test_run",
        "NET_IP_ALIGN = 0  # x86_64",
        "ETH_HLEN = 14",
        "MIN_NAPI_ID = 257  # CONFIG_NR_CPUS (256) + 1: xlated `if r2 >= 0x101` for napi_id",
        "",
    ]
    imms = kernel_call_imms(fixtures)
    out.append("# --- kernel function call targets as xlated shows them (`call NAME#IMM`) ---")
    out.append("# The imm of a call the verifier resolved to a kernel function is that function's")
    out.append("# address relative to __bpf_call_base in this build; bpftool prints NAME#IMM.")
    out.append("# Helpers that stay helpers print their helper id instead (`call bpf_tail_call#12`).")
    out.append("# Collected from tests/fixtures/ (xlated dumps of this kernel).")
    out.append("KERNEL_CALL_IMM: dict[str, int] = {")
    for k, v in imms.items():
        out.append(f'    "{k}": {v},')
    out.append("}")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "pykernel" / "layouts.py")
    ap.add_argument("--fixtures", type=Path, default=REPO / "tests" / "fixtures")
    args = ap.parse_args()
    text = generate(Btf.from_vmlinux(), args.fixtures)
    args.out.write_text(text)
    print(json.dumps({"written": str(args.out), "lines": text.count("\n")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
