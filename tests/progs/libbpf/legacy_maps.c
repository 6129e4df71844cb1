// SPDX-License-Identifier: GPL-2.0
/* Legacy map definitions in the "maps" section (struct bpf_map_def, as
 * libbpf 0.x and samples/bpf wrote them). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_legacy SEC("maps") legacy_arr = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = 4,
	.value_size = 8,
	.max_entries = 2,
};

struct bpf_map_def_legacy SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = 4,
	.value_size = 4,
	.max_entries = 10,
	.map_flags = 1,
};

SEC("xdp")
int xdp_legacy(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&legacy_arr, &k);

	if (v)
		*v += 1;
	bpf_map_lookup_elem(&legacy_hash, &k);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
