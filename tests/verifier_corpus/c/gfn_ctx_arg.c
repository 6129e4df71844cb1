/* A global function that takes the context must be given the context. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int ifindex_of(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

SEC("xdp")
int gfn_ctx_arg(struct xdp_md *ctx)
{
	struct xdp_md fake = {};

	fake.ingress_ifindex = ctx->rx_queue_index;
	return ifindex_of(&fake) == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
