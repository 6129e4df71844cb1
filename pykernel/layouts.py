"""Kernel struct offsets of the simulated Linux 6.18 kernel.

Read from kernel 6.18.44-fc-v669's vmlinux BTF (/sys/kernel/btf/vmlinux, via
`bpftool btf dump file /sys/kernel/btf/vmlinux format raw`) by
tests/oracle/gen_layouts.py; regenerate rather than edit. The verifier's ctx
rewrites and the interpreter's memory regions use these so that `prog dump xlated`
shows the same offsets as the real kernel (tests/fixtures/ctx_access/ has the
real rewrites). Each constant names `struct.member` (byte offsets unless noted).
"""

from __future__ import annotations

# --- sizes (sizeof(struct X)) ---
SIZEOF_XDP_BUFF = 56  # sizeof(struct xdp_buff)
SIZEOF_XDP_RXQ_INFO = 64  # sizeof(struct xdp_rxq_info)
SIZEOF_XDP_TXQ_INFO = 8  # sizeof(struct xdp_txq_info)
SIZEOF_XDP_MD = 24  # sizeof(struct xdp_md)
SIZEOF_XDP_FRAME = 40  # sizeof(struct xdp_frame)
SIZEOF_SK_BUFF = 224  # sizeof(struct sk_buff)
SIZEOF_SK_BUFF_UAPI = 192  # sizeof(struct __sk_buff)
SIZEOF_QDISC_SKB_CB = 28  # sizeof(struct qdisc_skb_cb)
SIZEOF_BPF_SKB_DATA_END = 48  # sizeof(struct bpf_skb_data_end)
SIZEOF_SKB_SHARED_INFO = 320  # sizeof(struct skb_shared_info)
SIZEOF_NET_DEVICE = 2496  # sizeof(struct net_device)
SIZEOF_SOCK_COMMON = 136  # sizeof(struct sock_common)
SIZEOF_SOCK = 784  # sizeof(struct sock)
SIZEOF_BPF_ARRAY = 312  # sizeof(struct bpf_array)
SIZEOF_BPF_MAP = 296  # sizeof(struct bpf_map)
SIZEOF_HTAB_ELEM = 48  # sizeof(struct htab_elem)
SIZEOF_BPF_SOCK = 80  # sizeof(struct bpf_sock)

# --- member offsets ---
# struct xdp_buff
XDP_BUFF_DATA = 0  # offsetof(struct xdp_buff, data)
XDP_BUFF_DATA_END = 8  # offsetof(struct xdp_buff, data_end)
XDP_BUFF_DATA_META = 16  # offsetof(struct xdp_buff, data_meta)
XDP_BUFF_DATA_HARD_START = 24  # offsetof(struct xdp_buff, data_hard_start)
XDP_BUFF_RXQ = 32  # offsetof(struct xdp_buff, rxq)
XDP_BUFF_TXQ = 40  # offsetof(struct xdp_buff, txq)
XDP_BUFF_FRAME_SZ = 48  # offsetof(struct xdp_buff, frame_sz)
XDP_BUFF_FLAGS = 52  # offsetof(struct xdp_buff, flags)
# struct xdp_rxq_info
XDP_RXQ_INFO_DEV = 0  # offsetof(struct xdp_rxq_info, dev)
XDP_RXQ_INFO_QUEUE_INDEX = 8  # offsetof(struct xdp_rxq_info, queue_index)
# struct xdp_txq_info
XDP_TXQ_INFO_DEV = 0  # offsetof(struct xdp_txq_info, dev)
# struct net_device
NET_DEVICE_IFINDEX = 224  # offsetof(struct net_device, ifindex)
NET_DEVICE_MTU = 56  # offsetof(struct net_device, mtu)
NET_DEVICE_NAME = 280  # offsetof(struct net_device, name)
# struct sk_buff
SK_BUFF_DEV = 16  # offsetof(struct sk_buff, dev)
SK_BUFF_SK = 24  # offsetof(struct sk_buff, sk)
SK_BUFF_TSTAMP = 32  # offsetof(struct sk_buff, tstamp)
SK_BUFF_CB = 40  # offsetof(struct sk_buff, cb)
SK_BUFF_LEN = 112  # offsetof(struct sk_buff, len)
SK_BUFF_DATA_LEN = 116  # offsetof(struct sk_buff, data_len)
SK_BUFF_MAC_LEN = 120  # offsetof(struct sk_buff, mac_len)
SK_BUFF_QUEUE_MAPPING = 124  # offsetof(struct sk_buff, queue_mapping)
SK_BUFF_PKT_TYPE_OFFSET = 128  # offsetof(struct sk_buff, __pkt_type_offset)
SK_BUFF_MONO_TC_OFFSET = 129  # offsetof(struct sk_buff, __mono_tc_offset)
SK_BUFF_TC_INDEX = 132  # offsetof(struct sk_buff, tc_index)
SK_BUFF_PRIORITY = 140  # offsetof(struct sk_buff, priority)
SK_BUFF_SKB_IIF = 144  # offsetof(struct sk_buff, skb_iif)
SK_BUFF_HASH = 148  # offsetof(struct sk_buff, hash)
SK_BUFF_VLAN_ALL = 152  # offsetof(struct sk_buff, vlan_all)
SK_BUFF_VLAN_PROTO = 152  # offsetof(struct sk_buff, vlan_proto)
SK_BUFF_VLAN_TCI = 154  # offsetof(struct sk_buff, vlan_tci)
SK_BUFF_NAPI_ID = 156  # offsetof(struct sk_buff, napi_id)
SK_BUFF_MARK = 164  # offsetof(struct sk_buff, mark)
SK_BUFF_PROTOCOL = 176  # offsetof(struct sk_buff, protocol)
SK_BUFF_TRANSPORT_HEADER = 178  # offsetof(struct sk_buff, transport_header)
SK_BUFF_NETWORK_HEADER = 180  # offsetof(struct sk_buff, network_header)
SK_BUFF_MAC_HEADER = 182  # offsetof(struct sk_buff, mac_header)
SK_BUFF_TAIL = 184  # offsetof(struct sk_buff, tail)
SK_BUFF_END = 188  # offsetof(struct sk_buff, end)
SK_BUFF_HEAD = 192  # offsetof(struct sk_buff, head)
SK_BUFF_DATA = 200  # offsetof(struct sk_buff, data)
# struct qdisc_skb_cb
QDISC_SKB_CB_PKT_LEN = 0  # offsetof(struct qdisc_skb_cb, pkt_len)
QDISC_SKB_CB_TC_CLASSID = 6  # offsetof(struct qdisc_skb_cb, tc_classid)
QDISC_SKB_CB_DATA = 8  # offsetof(struct qdisc_skb_cb, data)
# struct bpf_skb_data_end
BPF_SKB_DATA_END_QDISC_CB = 0  # offsetof(struct bpf_skb_data_end, qdisc_cb)
BPF_SKB_DATA_END_DATA_META = 32  # offsetof(struct bpf_skb_data_end, data_meta)
BPF_SKB_DATA_END_DATA_END = 40  # offsetof(struct bpf_skb_data_end, data_end)
# struct skb_shared_info
SKB_SHARED_INFO_META_LEN = 1  # offsetof(struct skb_shared_info, meta_len)
SKB_SHARED_INFO_NR_FRAGS = 2  # offsetof(struct skb_shared_info, nr_frags)
SKB_SHARED_INFO_GSO_SIZE = 4  # offsetof(struct skb_shared_info, gso_size)
SKB_SHARED_INFO_GSO_SEGS = 6  # offsetof(struct skb_shared_info, gso_segs)
SKB_SHARED_INFO_HWTSTAMPS = 16  # offsetof(struct skb_shared_info, hwtstamps)
SKB_SHARED_INFO_GSO_TYPE = 24  # offsetof(struct skb_shared_info, gso_type)
# struct sock_common
SOCK_COMMON_DADDR = 0  # offsetof(struct sock_common, skc_daddr)
SOCK_COMMON_RCV_SADDR = 4  # offsetof(struct sock_common, skc_rcv_saddr)
SOCK_COMMON_DPORT = 12  # offsetof(struct sock_common, skc_dport)
SOCK_COMMON_NUM = 14  # offsetof(struct sock_common, skc_num)
SOCK_COMMON_FAMILY = 16  # offsetof(struct sock_common, skc_family)
SOCK_COMMON_STATE = 18  # offsetof(struct sock_common, skc_state)
SOCK_COMMON_BOUND_DEV_IF = 20  # offsetof(struct sock_common, skc_bound_dev_if)
SOCK_COMMON_V6_DADDR = 56  # offsetof(struct sock_common, skc_v6_daddr)
SOCK_COMMON_V6_RCV_SADDR = 72  # offsetof(struct sock_common, skc_v6_rcv_saddr)
# struct sock
SOCK_SK_COMMON = 0  # offsetof(struct sock, __sk_common)
SOCK_SK_PROTOCOL = 532  # offsetof(struct sock, sk_protocol)
SOCK_SK_TYPE = 534  # offsetof(struct sock, sk_type)
SOCK_SK_MARK = 524  # offsetof(struct sock, sk_mark)
SOCK_SK_PRIORITY = 520  # offsetof(struct sock, sk_priority)
# struct bpf_array
BPF_ARRAY_ELEM_SIZE = 296  # offsetof(struct bpf_array, elem_size)
BPF_ARRAY_INDEX_MASK = 300  # offsetof(struct bpf_array, index_mask)
BPF_ARRAY_VALUE = 312  # offsetof(struct bpf_array, value)
BPF_ARRAY_PPTRS = 312  # offsetof(struct bpf_array, pptrs)
BPF_ARRAY_PTRS = 312  # offsetof(struct bpf_array, ptrs)
# struct htab_elem
HTAB_ELEM_HASH = 40  # offsetof(struct htab_elem, hash)
HTAB_ELEM_KEY = 48  # offsetof(struct htab_elem, key)
# struct bpf_map
BPF_MAP_MAX_ENTRIES = 76  # offsetof(struct bpf_map, max_entries)
BPF_MAP_KEY_SIZE = 68  # offsetof(struct bpf_map, key_size)
BPF_MAP_VALUE_SIZE = 72  # offsetof(struct bpf_map, value_size)

# --- bitfields: (byte offset, shift, mask) of the byte that holds the field ---
SK_BUFF_PKT_TYPE_BYTE = 128  # struct sk_buff.pkt_type: bit 1024, 3 bits
SK_BUFF_PKT_TYPE_SHIFT = 0
SK_BUFF_PKT_TYPE_MASK = 0x7  # mask within that byte (little endian)
SK_BUFF_TSTAMP_TYPE_BYTE = 129  # struct sk_buff.tstamp_type: bit 1032, 2 bits
SK_BUFF_TSTAMP_TYPE_SHIFT = 0
SK_BUFF_TSTAMP_TYPE_MASK = 0x3  # mask within that byte (little endian)
SK_BUFF_TC_AT_INGRESS_BYTE = 129  # struct sk_buff.tc_at_ingress: bit 1034, 1 bits
SK_BUFF_TC_AT_INGRESS_SHIFT = 2
SK_BUFF_TC_AT_INGRESS_MASK = 0x4  # mask within that byte (little endian)
SK_BUFF_CLONED_BYTE = 126  # struct sk_buff.cloned: bit 1008, 1 bits
SK_BUFF_CLONED_SHIFT = 0
SK_BUFF_CLONED_MASK = 0x1  # mask within that byte (little endian)

# --- derived layouts ---
# __sk_buff->cb[] and tc_classid/wire_len live in sk_buff.cb (a struct qdisc_skb_cb);
# data_meta/data_end of direct packet access in struct bpf_skb_data_end (also in cb).
SKB_CB_DATA = SK_BUFF_CB + QDISC_SKB_CB_DATA  # __sk_buff.cb[0] (5 x u32)
SKB_TC_CLASSID = SK_BUFF_CB + QDISC_SKB_CB_TC_CLASSID  # __sk_buff.tc_classid (u16)
SKB_WIRE_LEN = SK_BUFF_CB + QDISC_SKB_CB_PKT_LEN  # __sk_buff.wire_len
SKB_DATA_META = SK_BUFF_CB + BPF_SKB_DATA_END_DATA_META  # __sk_buff.data_meta (u64)
SKB_DATA_END = SK_BUFF_CB + BPF_SKB_DATA_END_DATA_END  # __sk_buff.data_end (u64)
# skb_shinfo(skb) = skb->head + skb->end (NET_SKBUFF_DATA_USES_OFFSET on 64-bit)

# array maps: value of index i at map + BPF_ARRAY_VALUE + i * round_up(value_size, 8)
ARRAY_VALUE_OFF = BPF_ARRAY_VALUE  # xlated: `r1 += 312` after an inlined lookup


def htab_value_off(key_size: int) -> int:
    """Offset of the value in a struct htab_elem: key, then the value 8-aligned."""
    return HTAB_ELEM_KEY + ((key_size + 7) & ~7)


# --- #defines that BTF does not carry (include/uapi/linux/bpf.h, skbuff.h, x86) ---
XDP_PACKET_HEADROOM = 256  # headroom in front of an XDP frame (test_run too)
NET_SKB_PAD = 64  # max(32, L1_CACHE_BYTES) on x86_64: skb headroom in test_run
NET_IP_ALIGN = 0  # x86_64
ETH_HLEN = 14
MIN_NAPI_ID = 257  # CONFIG_NR_CPUS (256) + 1: xlated `if r2 >= 0x101` for napi_id

# --- kernel function call targets as xlated shows them (`call NAME#IMM`) ---
# The imm of a call the verifier resolved to a kernel function is that function's
# address relative to __bpf_call_base in this build; bpftool prints NAME#IMM.
# Helpers that stay helpers print their helper id instead (`call bpf_tail_call#12`).
# Collected from tests/fixtures/ (xlated dumps of this kernel).
KERNEL_CALL_IMM: dict[str, int] = {
    "__htab_map_lookup_elem": 330864,
    "array_map_delete_elem": 349536,
    "array_map_update_elem": 353184,
    "bloom_map_peek_elem": 372944,
    "bloom_map_push_elem": 373536,
    "bpf_csum_diff": 10242400,
    "bpf_l3_csum_replace": 10277376,
    "bpf_l4_csum_replace": 10277808,
    "bpf_redirect": 10291712,
    "bpf_ringbuf_output": 381376,
    "bpf_ringbuf_reserve": 381328,
    "bpf_ringbuf_submit": 383104,
    "bpf_skb_load_bytes": 10264704,
    "bpf_skb_store_bytes": 10283056,
    "bpf_skb_vlan_pop": 10274816,
    "bpf_skb_vlan_push": 10275152,
    "bpf_tail_call": 12,
    "bpf_trace_printk": -61360,
    "bpf_xdp_adjust_head": 10243424,
    "bpf_xdp_adjust_meta": 10237616,
    "bpf_xdp_adjust_tail": 10261952,
    "bpf_xdp_event_output": 10244288,
    "bpf_xdp_redirect": 10292000,
    "bpf_xdp_redirect_map": 10212096,
    "dev_map_lookup_elem": 516848,
    "dev_map_redirect": 517200,
    "htab_lru_map_delete_elem": 340256,
    "htab_lru_map_update_elem": 341984,
    "htab_lru_percpu_map_lookup_elem": 337936,
    "htab_lru_percpu_map_update_elem": 341952,
    "htab_map_delete_elem": 339904,
    "htab_map_update_elem": 343552,
    "htab_percpu_map_update_elem": 341248,
    "queue_map_peek_elem": 378592,
    "queue_map_pop_elem": 378624,
    "queue_stack_map_push_elem": 378656,
    "stack_map_peek_elem": 379568,
    "stack_map_pop_elem": 379600,
    "trie_delete_elem": 369040,
    "trie_lookup_elem": 367264,
    "trie_update_elem": 369760,
}
