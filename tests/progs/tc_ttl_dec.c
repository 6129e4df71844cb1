// SPDX-License-Identifier: GPL-2.0
/* tc: decrements the IPv4 TTL (fixing the header checksum with
 * bpf_l3_csum_replace) and drops when it would reach zero. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TTL_OFF (ETH_HLEN + offsetof(struct iphdr, ttl))
#define CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))

SEC("tc")
int tc_ttl_dec(struct __sk_buff *skb)
{
	__u8 ttl, new_ttl;
	__be16 old_w, new_w;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, TTL_OFF, &ttl, 1) < 0)
		return TC_ACT_SHOT;
	if (ttl <= 1)
		return TC_ACT_SHOT;
	new_ttl = ttl - 1;
	/* TTL is the high byte of the 16-bit word it shares with the protocol */
	old_w = bpf_htons((__u16)ttl << 8);
	new_w = bpf_htons((__u16)new_ttl << 8);
	if (bpf_l3_csum_replace(skb, CSUM_OFF, old_w, new_w, 2) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, TTL_OFF, &new_ttl, 1, 0) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
