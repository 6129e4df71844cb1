// SPDX-License-Identifier: GPL-2.0
/* bpf_xdp_adjust_meta: reserves 8 bytes of metadata in front of the frame and
 * stores the frame length and EtherType there; reads them back for the verdict. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct meta {
	__u32 len;
	__u16 proto;
	__u16 magic;
};

SEC("xdp")
int xdp_adjust_meta(struct xdp_md *ctx)
{
	struct meta *m;
	struct ethhdr *eth;
	void *data, *data_end;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	m->len = data_end - data;
	m->proto = eth->h_proto;
	m->magic = 0xbeef;
	if (m->proto == bpf_htons(ETH_P_ARP))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
