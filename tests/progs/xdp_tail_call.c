// SPDX-License-Identifier: GPL-2.0
/* Tail calls through a prog_array: xdp_entry jumps to slot 0 (xdp_stage_ip) for
 * IPv4 and to slot 1 (xdp_stage_other) otherwise. When the slot is empty the
 * tail call falls through and xdp_entry returns XDP_ABORTED. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} stage_hits SEC(".maps");

static __always_inline void hit(__u32 stage)
{
	__u64 *v = bpf_map_lookup_elem(&stage_hits, &stage);

	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_entry(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	hit(0);
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(ctx, &jmp_table, 0);
	else
		bpf_tail_call(ctx, &jmp_table, 1);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_stage_ip(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);

	hit(1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	return iph->ttl <= 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_stage_other(struct xdp_md *ctx)
{
	hit(2);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
