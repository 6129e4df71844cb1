/* Callbacks: bpf_loop (inlined when the flags are a known 0 and the callback constant,
 * called otherwise) and bpf_for_each_map_elem, the callback's argument types, its body
 * verified as a subprogram re-entered until the state at the call converges, and the
 * [0, 1] range of its return value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} hsh SEC(".maps");

struct acc {
	__u64 sum;
	__u32 hits;
	__u32 stop;
};

static long add_cb(__u32 i, void *data)
{
	struct acc *a = data;

	a->sum += i;
	if (i >= a->stop)
		return 1;
	a->hits++;
	return 0;
}

static long count_cb(__u32 i, void *data)
{
	return i > 5;
}

SEC("xdp")
int loop_inl(struct xdp_md *ctx)
{
	struct acc a = { .stop = 5 };

	bpf_loop(10, add_cb, &a, 0);
	return a.hits & 1 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int loop_var(struct xdp_md *ctx)
{
	struct acc a = { .stop = ctx->rx_queue_index };
	__u32 flags = ctx->ingress_ifindex == 1234;
	long n;

	n = bpf_loop(ctx->rx_queue_index, add_cb, &a, flags);
	return (n + a.sum) & 1 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int loop_null(struct __sk_buff *skb)
{
	long n = bpf_loop(16, count_cb, NULL, 0);

	return n == 6 ? 0 : 2;
}

SEC("xdp")
int loop_twice(struct xdp_md *ctx)
{
	struct acc a = { .stop = 3 };
	long n;

	n = bpf_loop(4, count_cb, NULL, 0);
	bpf_loop(n, add_cb, &a, 0);
	return a.sum > 2 ? XDP_PASS : XDP_DROP;
}

static __attribute__((noinline)) int loop_in_sub(__u32 n)
{
	struct acc a = { .stop = 7 };

	bpf_loop(n & 7, add_cb, &a, 0);
	return a.hits;
}

SEC("xdp")
int loop_sub(struct xdp_md *ctx)
{
	return loop_in_sub(ctx->rx_queue_index) & 3;
}

static long arr_cb(void *map, __u32 *key, __u64 *val, void *data)
{
	struct acc *a = data;

	a->sum += *val;
	*val += *key;
	return a->sum > 100;
}

SEC("xdp")
int each_arr(struct xdp_md *ctx)
{
	struct acc a = {};

	bpf_for_each_map_elem(&arr, arr_cb, &a, 0);
	return a.sum & 1 ? XDP_PASS : XDP_DROP;
}

static long hsh_cb(void *map, __u32 *key, __u32 *val, void *data)
{
	__u32 *n = data;

	if (*key & 1)
		bpf_map_delete_elem(map, key);
	*n += *val;
	return 0;
}

SEC("tc")
int each_hash(struct __sk_buff *skb)
{
	__u32 n = 0;
	long k = bpf_for_each_map_elem(&hsh, hsh_cb, &n, 0);

	return (n + k) & 1;
}

char LICENSE[] SEC("license") = "GPL";
