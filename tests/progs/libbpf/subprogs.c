// SPDX-License-Identifier: GPL-2.0
/* bpf-to-bpf calls: static and global subprograms in .text, shared by two
 * programs in the same section and one in another section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} counters SEC(".maps");

static __noinline int bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (!v)
		return 0;
	*v += 1;
	return 1;
}

static __noinline int twice(int x)
{
	return bump(x & 1) + x * 2;
}

__noinline int global_helper(int a)
{
	return a + 3;
}

SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
	return twice(ctx->ingress_ifindex) > 100 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
	bump(1);
	return XDP_PASS;
}

SEC("tc")
int tc_sub(struct __sk_buff *skb)
{
	return global_helper(skb->len) & 1;
}

char _license[] SEC("license") = "Dual BSD/GPL";
