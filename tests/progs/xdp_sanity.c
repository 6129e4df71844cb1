// SPDX-License-Identifier: GPL-2.0
/* IPv4 sanity checks: XDP_ABORTED for a header length below 5 words or beyond
 * the frame, XDP_DROP for TTL 0 or a total length larger than the frame. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_sanity(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if ((void *)(iph + 1) > data_end)
		return XDP_ABORTED;
	hlen = iph->ihl * 4;
	if (hlen < sizeof(*iph))
		return XDP_ABORTED;
	if ((void *)iph + hlen > data_end)
		return XDP_ABORTED;
	if (iph->ttl == 0)
		return XDP_DROP;
	if (bpf_ntohs(iph->tot_len) > data_end - (void *)iph)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
