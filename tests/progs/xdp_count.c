// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pkt_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} len_hash SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	__u32 len = data_end - data;
	__u64 *v, one = 1;

	v = bpf_map_lookup_elem(&pkt_cnt, &key);
	if (v)
		__sync_fetch_and_add(v, 1);

	v = bpf_map_lookup_elem(&len_hash, &len);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&len_hash, &len, &one, BPF_ANY);

	if (len < 14)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
