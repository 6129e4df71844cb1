// SPDX-License-Identifier: GPL-2.0
/* bpf_xdp_adjust_head: strips one 802.1Q tag (moving the MAC addresses up);
 * for untagged IPv4 it pushes a tag with VLAN id 5 instead. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "common.h"

SEC("xdp")
int xdp_adjust_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, copy;
	struct vlan_hdr *vh;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q)) {
		vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(&copy, eth, 12);
		copy.h_proto = vh->h_vlan_encapsulated_proto;
		if (bpf_xdp_adjust_head(ctx, (int)sizeof(*vh)))
			return XDP_ABORTED;
	} else if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		__builtin_memcpy(&copy, eth, 12);
		copy.h_proto = bpf_htons(ETH_P_8021Q);
		if (bpf_xdp_adjust_head(ctx, -(int)sizeof(*vh)))
			return XDP_ABORTED;
	} else {
		return XDP_PASS;
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	if (copy.h_proto == bpf_htons(ETH_P_8021Q)) {
		vh = (void *)(eth + 1);
		if ((void *)(vh + 1) > data_end)
			return XDP_ABORTED;
		vh->h_vlan_TCI = bpf_htons(5);
		vh->h_vlan_encapsulated_proto = bpf_htons(ETH_P_IP);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
