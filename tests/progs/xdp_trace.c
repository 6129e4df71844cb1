// SPDX-License-Identifier: GPL-2.0
/* bpf_trace_printk through bpf_printk: logs the frame length and EtherType. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_trace(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end) {
		bpf_printk("short frame");
		return XDP_DROP;
	}
	bpf_printk("len %d proto 0x%x", (int)(data_end - data), bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
