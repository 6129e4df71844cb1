/* Rejected by the kernel: a callback must be a static function. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) long global_cb(__u32 i, void *data)
{
	return 0;
}

SEC("xdp")
int bad_global(struct xdp_md *ctx)
{
	bpf_loop(2, global_cb, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
