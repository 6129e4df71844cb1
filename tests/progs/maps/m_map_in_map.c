// SPDX-License-Identifier: GPL-2.0
/* array_of_maps and hash_of_maps: outer lookup, then a lookup in the inner array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} in0 SEC(".maps"), in1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} aom SEC(".maps") = {
	.values = { &in0, &in1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} hom SEC(".maps") = {
	.values = { [1] = &in1 },
};

SEC("xdp")
int m_map_in_map(struct xdp_md *ctx)
{
	__u32 k = 1, i = 2;
	__u64 *v;
	void *inner;

	inner = bpf_map_lookup_elem(&aom, &k);
	if (inner) {
		v = bpf_map_lookup_elem(inner, &i);
		if (v)
			*v += 1;
	}
	inner = bpf_map_lookup_elem(&hom, &k);
	if (inner) {
		v = bpf_map_lookup_elem(inner, &i);
		if (v)
			*v += 2;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
