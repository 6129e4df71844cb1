// SPDX-License-Identifier: GPL-2.0
/* Longest-prefix match of the IPv4 source address in an LPM trie:
 * the value is the XDP action to return for that prefix. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_v4_key {
	__u32 prefixlen;
	__u32 addr;	/* network order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} src_acl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

SEC("xdp")
int xdp_lpm_acl(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct lpm_v4_key key;
	__u32 action = XDP_PASS, *act;
	__u64 *cnt;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key.prefixlen = 32;
	key.addr = iph->saddr;
	act = bpf_map_lookup_elem(&src_acl, &key);
	if (act && *act <= XDP_REDIRECT)
		action = *act;
	cnt = bpf_map_lookup_elem(&verdicts, &action);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	return action;
}

char _license[] SEC("license") = "GPL";
