// SPDX-License-Identifier: GPL-2.0
/* lookup / update / delete on a BPF_MAP_TYPE_LRU_HASH map, to show how the verifier rewrites
 * (inlines or redirects) each map helper call in the xlated program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} m SEC(".maps");

SEC("xdp")
int m_lru_hash(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 val = 5, *v;

	v = bpf_map_lookup_elem(&m, &key);
	if (v)
		return XDP_DROP;
	bpf_map_update_elem(&m, &key, &val, BPF_ANY);
	bpf_map_delete_elem(&m, &key);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
