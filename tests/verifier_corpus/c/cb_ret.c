/* Rejected by the kernel: a bpf_loop callback returning a value out of [0, 1]. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long ret2_cb(__u32 i, void *data)
{
	return i & 2;
}

SEC("xdp")
int bad_ret(struct xdp_md *ctx)
{
	bpf_loop(3, ret2_cb, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
