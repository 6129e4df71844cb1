// SPDX-License-Identifier: GPL-2.0
/* Walks up to 8 IPv6 extension headers with a bounded loop and counts the final
 * upper-layer protocol in a per-CPU hash. Drops fragments, aborts on a truncated chain. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_EXT_HDRS 8

struct ipv6_opt_hdr_s {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u8);
	__type(value, __u64);
} l4_proto_cnt SEC(".maps");

static __always_inline int is_ext_hdr(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT;
}

SEC("xdp")
int xdp_ipv6_exthdr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct ipv6_opt_hdr_s *opt;
	__u64 one = 1, *cnt;
	void *cur;
	__u8 nh;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	nh = ip6->nexthdr;
	cur = ip6 + 1;
	for (i = 0; i < MAX_EXT_HDRS; i++) {
		if (!is_ext_hdr(nh))
			break;
		if (nh == IPPROTO_FRAGMENT)
			return XDP_DROP;
		opt = cur;
		if ((void *)(opt + 1) > data_end)
			return XDP_ABORTED;
		nh = opt->nexthdr;
		cur += (opt->hdrlen + 1) * 8;
	}
	cnt = bpf_map_lookup_elem(&l4_proto_cnt, &nh);
	if (cnt)
		*cnt += 1;
	else
		bpf_map_update_elem(&l4_proto_cnt, &nh, &one, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
