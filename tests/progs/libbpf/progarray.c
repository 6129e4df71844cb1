// SPDX-License-Identifier: GPL-2.0
/* A prog_array whose slot 2 is filled by the loader (BTF `values` initializer). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int xdp_leaf(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} table SEC(".maps") = {
	.values = { [2] = (void *)&xdp_leaf },
};

SEC("xdp")
int xdp_leaf(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xdp_root(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &table, 2);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
