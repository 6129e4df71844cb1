// SPDX-License-Identifier: GPL-2.0
/* TCP over IPv4 or IPv6: counts SYNs per destination port in a hash keyed by
 * a struct, drops SYN+FIN and null-flag scans, passes everything else. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
	__u16 dport;
	__u8 family;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, struct flow_key);
	__type(value, __u64);
} syn_by_port SEC(".maps");

SEC("xdp")
int xdp_tcp_flags(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key key = {};
	struct tcphdr *th;
	__u64 one = 1, *v;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || iph->protocol != IPPROTO_TCP || iph->ihl != 5)
			return XDP_PASS;
		th = (void *)(iph + 1);
		key.family = 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)(ip6 + 1);
		key.family = 6;
	} else {
		return XDP_PASS;
	}
	if ((void *)(th + 1) > data_end)
		return XDP_DROP;
	if (th->syn && th->fin)
		return XDP_DROP;
	if (!th->syn && !th->ack && !th->fin && !th->rst && !th->psh && !th->urg)
		return XDP_DROP;
	if (th->syn && !th->ack) {
		key.dport = bpf_ntohs(th->dest);
		v = bpf_map_lookup_elem(&syn_by_port, &key);
		if (v)
			__sync_fetch_and_add(v, 1);
		else
			bpf_map_update_elem(&syn_by_port, &key, &one, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
