/* Rejected by the kernel: a bpf_for_each_map_elem callback writing into the map key. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

static long key_cb(void *map, __u32 *key, __u64 *val, void *data)
{
	*key = 3;
	return 0;
}

SEC("xdp")
int bad_key(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&arr, key_cb, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
