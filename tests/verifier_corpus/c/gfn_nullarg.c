/* A pointer argument of a global function may be NULL: using it unchecked is rejected. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int deref(int *p)
{
	return *p + 1;
}

SEC("xdp")
int gfn_nullarg(struct xdp_md *ctx)
{
	int v = ctx->ingress_ifindex;

	return deref(&v) > 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
