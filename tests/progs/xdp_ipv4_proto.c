// SPDX-License-Identifier: GPL-2.0
/* Parses IPv4 and counts packets and bytes per IP protocol in a per-CPU array. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct datarec {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct datarec);
} ip_proto_stats SEC(".maps");

SEC("xdp")
int xdp_ipv4_proto(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct datarec *rec;
	__u32 key;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_DROP;
	key = iph->protocol;
	rec = bpf_map_lookup_elem(&ip_proto_stats, &key);
	if (!rec)
		return XDP_ABORTED;
	rec->packets++;
	rec->bytes += data_end - data;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
