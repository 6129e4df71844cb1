/* Global (non-static) functions: the kernel verifies each one on its own, from its BTF
 * prototype, and a call to one only checks the arguments against that prototype. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

__attribute__((noinline)) int frame_byte(struct xdp_md *ctx, __u32 off)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (off > 64)
		return -1;
	if ((void *)(data + off + 1) > end)
		return -1;
	return data[off];
}

__attribute__((noinline)) int scale(int a, int b)
{
	return a * 3 + b;
}

__attribute__((noinline)) int bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return 1;
}

__attribute__((noinline)) int sum_pair(int *a, int *b)
{
	if (!a || !b)
		return 0;
	return *a + *b;
}

SEC("xdp")
int gfn_calls(struct xdp_md *ctx)
{
	int x = frame_byte(ctx, 12), y = frame_byte(ctx, 13);

	bump(x & 15);
	if (sum_pair(&x, &y) < 0)
		return XDP_ABORTED;
	if (scale(x, 1) > 100)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
