/* Rejected by the kernel: a bpf_user_ringbuf_drain callback returning 2. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");
static long drain_cb(struct bpf_dynptr *p, void *ctx)
{
	return 2;
}
SEC("xdp")
int drain_bad(struct xdp_md *ctx)
{
	bpf_user_ringbuf_drain(&urb, drain_cb, NULL, 0);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
