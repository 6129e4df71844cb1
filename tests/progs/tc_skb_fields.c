// SPDX-License-Identifier: GPL-2.0
/* classifier: snapshots many __sk_buff fields into an array map (one slot per
 * field), then writes mark, priority, tc_index and tc_classid. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

enum {
	F_LEN, F_PKT_TYPE, F_MARK, F_QUEUE_MAPPING, F_PROTOCOL, F_VLAN_PRESENT,
	F_VLAN_TCI, F_VLAN_PROTO, F_PRIORITY, F_INGRESS_IFINDEX, F_IFINDEX,
	F_TC_INDEX, F_CB0, F_HASH, F_TC_CLASSID, F_DATA_LEN, F_NAPI_ID,
	F_GSO_SEGS, F_GSO_SIZE, F_WIRE_LEN, F_TSTAMP, F_DATA_META_LEN, F_MAX
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, F_MAX);
	__type(key, __u32);
	__type(value, __u64);
} skb_snap SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&skb_snap, &k, &v, BPF_ANY);
}

SEC("classifier")
int tc_skb_fields(struct __sk_buff *skb)
{
	put(F_LEN, skb->len);
	put(F_PKT_TYPE, skb->pkt_type);
	put(F_MARK, skb->mark);
	put(F_QUEUE_MAPPING, skb->queue_mapping);
	put(F_PROTOCOL, skb->protocol);
	put(F_VLAN_PRESENT, skb->vlan_present);
	put(F_VLAN_TCI, skb->vlan_tci);
	put(F_VLAN_PROTO, skb->vlan_proto);
	put(F_PRIORITY, skb->priority);
	put(F_INGRESS_IFINDEX, skb->ingress_ifindex);
	put(F_IFINDEX, skb->ifindex);
	put(F_TC_INDEX, skb->tc_index);
	put(F_CB0, skb->cb[0]);
	put(F_HASH, skb->hash);
	put(F_TC_CLASSID, skb->tc_classid);
	put(F_DATA_LEN, skb->data_end - skb->data);
	put(F_NAPI_ID, skb->napi_id);
	put(F_GSO_SEGS, skb->gso_segs);
	put(F_GSO_SIZE, skb->gso_size);
	put(F_WIRE_LEN, skb->wire_len);
	put(F_TSTAMP, skb->tstamp);
	put(F_DATA_META_LEN, skb->data - skb->data_meta);

	skb->mark = 0x1234;
	skb->priority = 7;
	skb->tc_index = 3;
	skb->tc_classid = 0x10001;
	skb->cb[1] = skb->len;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
