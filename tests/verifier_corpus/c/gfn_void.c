/* A global function returning void, and one whose scalar result the caller bounds. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

__attribute__((noinline)) void note(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &k);

	if (v)
		*v += 1;
}

__attribute__((noinline)) int pick(int len)
{
	return len & 3;
}

SEC("xdp")
int gfn_void(struct xdp_md *ctx)
{
	int k = pick(ctx->data_end - ctx->data);
	char tbl[4] = { 2, 2, 1, 2 };

	note(k);
	if (k < 0 || k > 3)
		return XDP_ABORTED;
	return tbl[k];
}

char LICENSE[] SEC("license") = "GPL";
