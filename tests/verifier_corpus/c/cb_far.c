/* Rejected by the kernel: a bpf_loop callback writing past the caller's stack object it was given. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long far_cb(__u32 i, void *data)
{
	((__u64 *)data)[1 + (i & 1)] = i;
	return 0;
}

SEC("xdp")
int bad_far(struct xdp_md *ctx)
{
	__u64 x[2] = {};

	bpf_loop(2, far_cb, &x[1], 0);
	return x[0] ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
