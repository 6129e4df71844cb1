// SPDX-License-Identifier: GPL-2.0
/* Queue and stack maps from a program: pushes each frame length to a queue
 * (BPF_EXIST overwrites the oldest when full) and to a stack, and pops the
 * stack once every time it holds more than two entries. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} len_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u32);
} len_stack SEC(".maps");

SEC("xdp")
int xdp_queue_stack(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, top = 0;

	bpf_map_push_elem(&len_queue, &len, BPF_EXIST);
	if (bpf_map_push_elem(&len_stack, &len, 0))
		bpf_map_pop_elem(&len_stack, &top);
	if (bpf_map_peek_elem(&len_stack, &top) == 0 && top > 1000)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
