// SPDX-License-Identifier: GPL-2.0
/* tc: rewrites UDP destination port 53 to 5353 and TCP destination port 80 to
 * 8080 with bpf_skb_load_bytes / bpf_skb_store_bytes, fixing the L4 checksum
 * with bpf_l4_csum_replace. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF ETH_HLEN
#define L4_OFF (ETH_HLEN + sizeof(struct iphdr))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} rewrites SEC(".maps");

SEC("tc")
int tc_port_rewrite(struct __sk_buff *skb)
{
	struct iphdr iph;
	__be16 old_port, new_port;
	__u32 dport_off, csum_off, key;
	__u64 *n;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, &iph, sizeof(iph)) < 0)
		return TC_ACT_SHOT;
	if (iph.ihl != 5)
		return TC_ACT_OK;
	if (iph.protocol == IPPROTO_UDP) {
		dport_off = L4_OFF + offsetof(struct udphdr, dest);
		csum_off = L4_OFF + offsetof(struct udphdr, check);
		new_port = bpf_htons(5353);
		key = 0;
	} else if (iph.protocol == IPPROTO_TCP) {
		dport_off = L4_OFF + offsetof(struct tcphdr, dest);
		csum_off = L4_OFF + offsetof(struct tcphdr, check);
		new_port = bpf_htons(8080);
		key = 1;
	} else {
		return TC_ACT_OK;
	}
	if (bpf_skb_load_bytes(skb, dport_off, &old_port, sizeof(old_port)) < 0)
		return TC_ACT_SHOT;
	if (old_port != (key ? bpf_htons(80) : bpf_htons(53)))
		return TC_ACT_OK;
	if (bpf_l4_csum_replace(skb, csum_off, old_port, new_port, sizeof(new_port)) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, dport_off, &new_port, sizeof(new_port), 0) < 0)
		return TC_ACT_SHOT;
	n = bpf_map_lookup_elem(&rewrites, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_PIPE;
}

char _license[] SEC("license") = "GPL";
