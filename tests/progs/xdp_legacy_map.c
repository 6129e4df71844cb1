// SPDX-License-Identifier: GPL-2.0
/* A map declared the pre-BTF way: struct bpf_map_def in SEC("maps").
 * libbpf 1.x dropped the struct, so it is spelled out here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_cnt = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

SEC("xdp")
int xdp_legacy(struct xdp_md *ctx)
{
	__u32 key = (ctx->data_end - ctx->data) > 100;
	__u64 *v = bpf_map_lookup_elem(&legacy_cnt, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
