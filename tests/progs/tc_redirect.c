// SPDX-License-Identifier: GPL-2.0
/* tc: redirects IPv6 to ifindex 1 (egress) with bpf_redirect and returns the
 * helper's verdict (TC_ACT_REDIRECT); ARP is dropped, the rest passes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int tc_redirect(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return bpf_redirect(1, 0);
	if (skb->protocol == bpf_htons(ETH_P_ARP))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
