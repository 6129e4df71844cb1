// SPDX-License-Identifier: GPL-2.0
/* Port firewall: drops TCP/UDP to a destination port listed in `deny_ports`
 * (plus the compile-time SSH port 22 for TCP) and counts drops per source
 * address in an LRU hash. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);	/* port, host order */
	__type(value, __u8);	/* 1 = deny */
} deny_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);	/* IPv4 source, network order */
	__type(value, __u64);
} drop_by_src SEC(".maps");

static __always_inline int count_drop(__u32 saddr)
{
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&drop_by_src, &saddr);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&drop_by_src, &saddr, &one, BPF_ANY);
	return XDP_DROP;
}

SEC("xdp")
int xdp_fw_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u16 dport;
	__u8 *deny;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5)
		return XDP_PASS;
	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(iph + 1);

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		dport = bpf_ntohs(th->dest);
		if (dport == 22)
			return count_drop(iph->saddr);
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(iph + 1);

		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		dport = bpf_ntohs(uh->dest);
	} else {
		return XDP_PASS;
	}
	deny = bpf_map_lookup_elem(&deny_ports, &dport);
	if (deny && *deny)
		return count_drop(iph->saddr);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
