// SPDX-License-Identifier: GPL-2.0
/* Reads every field of struct xdp_md the verifier allows (all u32 only), in a
 * plain XDP program and in a devmap program (which may also read egress_ifindex),
 * so `prog dump xlated` shows how each access is rewritten onto struct xdp_buff. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define USE(x) asm volatile("" : : "r"(x))

SEC("xdp")
int ctx_xdp(struct xdp_md *ctx)
{
	USE(ctx->data);
	USE(ctx->data_end);
	USE(ctx->data_meta);
	USE(ctx->ingress_ifindex);
	USE(ctx->rx_queue_index);
	return XDP_PASS;
}

SEC("xdp/devmap")
int ctx_xdp_devmap(struct xdp_md *ctx)
{
	USE(ctx->data);
	USE(ctx->data_end);
	USE(ctx->data_meta);
	USE(ctx->ingress_ifindex);
	USE(ctx->rx_queue_index);
	USE(ctx->egress_ifindex);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
