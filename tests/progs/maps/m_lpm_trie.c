// SPDX-License-Identifier: GPL-2.0
/* lookup / update / delete on an LPM trie (never inlined). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct key4 {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__type(key, struct key4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} m SEC(".maps");

SEC("xdp")
int m_lpm_trie(struct xdp_md *ctx)
{
	struct key4 key = { .prefixlen = 32, .addr = 0x0100000a };
	__u32 val = 1, *v;

	v = bpf_map_lookup_elem(&m, &key);
	if (v)
		return XDP_DROP;
	bpf_map_update_elem(&m, &key, &val, BPF_ANY);
	bpf_map_delete_elem(&m, &key);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
