// SPDX-License-Identifier: GPL-2.0
/* Drops 802.1Q frames whose VLAN id is listed in an array of flags; counts per VLAN id. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} vlan_deny SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} vlan_seen SEC(".maps");

SEC("xdp")
int xdp_vlan_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	__u32 vid, *deny;
	__u64 *seen;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	if ((void *)(vh + 1) > data_end)
		return XDP_DROP;
	vid = bpf_ntohs(vh->h_vlan_TCI) & 0x0fff;
	seen = bpf_map_lookup_elem(&vlan_seen, &vid);
	if (seen)
		*seen += 1;
	deny = bpf_map_lookup_elem(&vlan_deny, &vid);
	if (deny && *deny)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
