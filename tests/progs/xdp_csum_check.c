// SPDX-License-Identifier: GPL-2.0
/* Verifies the IPv4 header checksum with bpf_csum_diff: drops a header whose
 * checksum is wrong, aborts on a bad IHL, and records the last sum in a hash. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);	/* 0 = good, 1 = bad */
	__type(value, __u32);	/* folded sum of the last such header */
} last_sum SEC(".maps");

static __always_inline __u16 fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

SEC("xdp")
int xdp_csum_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u32 key, folded;
	__s64 sum;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (iph->ihl != 5)
		return XDP_ABORTED;
	sum = bpf_csum_diff(0, 0, (__be32 *)iph, sizeof(*iph), 0);
	if (sum < 0)
		return XDP_ABORTED;
	folded = fold(sum);
	key = folded != 0xffff;
	bpf_map_update_elem(&last_sum, &key, &folded, BPF_ANY);
	return key ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
