// SPDX-License-Identifier: GPL-2.0
/* push / pop / peek on a queue and a stack map. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u32);
} s SEC(".maps");

SEC("xdp")
int m_queue_stack(struct xdp_md *ctx)
{
	__u32 v = 7, out = 0;

	bpf_map_push_elem(&q, &v, BPF_ANY);
	bpf_map_push_elem(&s, &v, BPF_EXIST);
	bpf_map_peek_elem(&q, &out);
	bpf_map_pop_elem(&q, &out);
	bpf_map_peek_elem(&s, &out);
	bpf_map_pop_elem(&s, &out);
	return out == 7 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
