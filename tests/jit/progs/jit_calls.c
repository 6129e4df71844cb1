// SPDX-License-Identifier: GPL-2.0
/* Programs for the x86-64 JIT size model (tests/jit/record_jit.py): tail calls
 * from subprograms (the tail-call counter kept through bpf-to-bpf calls), callbacks
 * (bpf_loop inlined and called, bpf_for_each_map_elem), global functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} cnt SEC(".maps");

static __attribute__((noinline)) int do_tail(struct xdp_md *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &jt, slot);
	return XDP_PASS;
}

static __attribute__((noinline)) int leaf(__u32 x)
{
	return x * 3 + 1;
}

static __attribute__((noinline)) int middle(struct xdp_md *ctx)
{
	int r = leaf(ctx->rx_queue_index);

	if (r > 10)
		return do_tail(ctx, 1);
	return r;
}

SEC("xdp")
int tail_from_sub(struct xdp_md *ctx)
{
	volatile __u64 pad[4] = {};

	pad[1] = ctx->ingress_ifindex;
	if (middle(ctx) == 7)
		return leaf(pad[1]);
	return do_tail(ctx, 0);
}

SEC("xdp")
int tail_const_in_main(struct xdp_md *ctx)
{
	int r = leaf(ctx->rx_queue_index);

	bpf_tail_call(ctx, &jt, 2);
	return r & 3;
}

static long loop_cb(__u32 i, void *data)
{
	__u64 *sum = data;

	*sum += i;
	return 0;
}

SEC("xdp")
int loop_inlined(struct xdp_md *ctx)
{
	__u64 sum = 0;

	bpf_loop(8, loop_cb, &sum, 0);
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int loop_called(struct xdp_md *ctx)
{
	__u64 sum = 0;
	__u32 flags = ctx->rx_queue_index > 100;

	bpf_loop(ctx->rx_queue_index & 15, loop_cb, &sum, flags);
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

static long each_cb(void *map, __u32 *key, __u64 *val, void *data)
{
	*(__u64 *)data += *val + *key;
	return 0;
}

SEC("xdp")
int for_each(struct xdp_md *ctx)
{
	__u64 sum = 0;

	bpf_for_each_map_elem(&cnt, each_cb, &sum, 0);
	return sum > 5 ? XDP_PASS : XDP_DROP;
}

__attribute__((noinline)) int global_fn(__u32 a, __u32 b)
{
	if (a > b)
		return a - b;
	return b * 7;
}

SEC("xdp")
int calls_global(struct xdp_md *ctx)
{
	return global_fn(ctx->rx_queue_index, ctx->ingress_ifindex) & 3;
}

char LICENSE[] SEC("license") = "GPL";
