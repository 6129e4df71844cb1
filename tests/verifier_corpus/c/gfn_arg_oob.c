/* A global function's pointer argument is only as large as its type: reading past it is
 * rejected even when the caller passed a larger buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int second_word(int *p)
{
	if (!p)
		return 0;
	return p[1];
}

SEC("xdp")
int gfn_arg_oob(struct xdp_md *ctx)
{
	int buf[2] = { ctx->ingress_ifindex, ctx->rx_queue_index };

	return second_word(buf) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
