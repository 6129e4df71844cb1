// SPDX-License-Identifier: GPL-2.0
/* bpf-to-bpf calls: two static noinline subprograms and one global function
 * (verified on its own). Computes a verdict from the frame's L3 protocol. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} class_cnt SEC(".maps");

static __attribute__((noinline)) int classify_ip(struct iphdr *iph, void *data_end)
{
	if ((void *)(iph + 1) > data_end)
		return 0;
	switch (iph->protocol) {
	case IPPROTO_TCP:
		return 1;
	case IPPROTO_UDP:
		return 2;
	case IPPROTO_ICMP:
		return 3;
	}
	return 4;
}

static __attribute__((noinline)) void bump(__u32 class)
{
	__u64 *v = bpf_map_lookup_elem(&class_cnt, &class);

	if (v)
		*v += 1;
}

/* global: verified independently, may only take scalars or ctx here */
__attribute__((noinline)) int verdict_for(__u32 class, __u32 len)
{
	if (class == 0)
		return len < 14 ? XDP_DROP : XDP_PASS;
	if (class == 3 && len > 1000)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int xdp_subprog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 class = 0;

	if ((void *)(eth + 1) <= data_end) {
		if (eth->h_proto == bpf_htons(ETH_P_IP))
			class = classify_ip((void *)(eth + 1), data_end);
		else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
			class = 5;
		else
			class = 6;
	}
	bump(class);
	return verdict_for(class, data_end - data);
}

char _license[] SEC("license") = "GPL";
