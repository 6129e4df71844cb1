// SPDX-License-Identifier: GPL-2.0
/* bpf_tail_call with a constant and with a variable index (the constant one
 * is turned into a direct jump by the verifier once the slot is known). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} jt SEC(".maps");

SEC("xdp")
int m_prog_array(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jt, 2);
	bpf_tail_call(ctx, &jt, ctx->rx_queue_index & 7);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
