// SPDX-License-Identifier: GPL-2.0
/* bpf_redirect to a fixed ifindex for IPv4 (test_run reports XDP_REDIRECT),
 * and through a devmap slot for IPv6 (empty slot: falls back to XDP_PASS). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define OUT_IFINDEX 1

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return bpf_redirect(OUT_IFINDEX, 0);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return bpf_redirect_map(&tx_ports, 0, XDP_PASS);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
