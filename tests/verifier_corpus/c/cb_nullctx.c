/* Rejected by the kernel: a bpf_loop callback dereferencing the NULL ctx it was given. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long deref_cb(__u32 i, void *data)
{
	return *(__u32 *)data & 1;
}

SEC("xdp")
int bad_null_ctx(struct xdp_md *ctx)
{
	bpf_loop(2, deref_cb, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
