/* Rejected by the kernel: bpf_for_each_map_elem on a map type without callbacks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

static long rb_cb(void *map, void *key, void *val, void *data)
{
	return 0;
}

SEC("xdp")
int bad_map(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&rb, rb_cb, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
