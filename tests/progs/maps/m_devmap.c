// SPDX-License-Identifier: GPL-2.0
/* bpf_redirect_map through a devmap, a devmap_hash, a cpumap and an xskmap,
 * plus a devmap lookup. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} dmh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xm SEC(".maps");

SEC("xdp")
int m_devmap(struct xdp_md *ctx)
{
	__u32 k = 0, *v;

	v = bpf_map_lookup_elem(&dm, &k);
	if (v && *v == 1)
		return bpf_redirect_map(&dm, 0, XDP_PASS);
	switch (ctx->rx_queue_index) {
	case 1:
		return bpf_redirect_map(&dmh, 1, XDP_DROP);
	case 2:
		return bpf_redirect_map(&cm, 1, XDP_DROP);
	case 3:
		return bpf_redirect_map(&xm, ctx->rx_queue_index, XDP_PASS);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
