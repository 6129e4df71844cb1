// SPDX-License-Identifier: GPL-2.0
/* tc: tags untagged IPv4 with VLAN 42 via bpf_skb_vlan_push and strips the
 * accelerated tag again when one is already present (bpf_skb_vlan_pop). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} vlan_state SEC(".maps");

SEC("tc")
int tc_vlan_push(struct __sk_buff *skb)
{
	__u32 k0 = 0, k1 = 1, v;

	v = skb->vlan_present;
	bpf_map_update_elem(&vlan_state, &k0, &v, BPF_ANY);
	if (skb->vlan_present) {
		if (bpf_skb_vlan_pop(skb))
			return TC_ACT_SHOT;
	} else if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 42))
			return TC_ACT_SHOT;
	}
	v = skb->vlan_tci;
	bpf_map_update_elem(&vlan_state, &k1, &v, BPF_ANY);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
