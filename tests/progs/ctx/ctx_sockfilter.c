// SPDX-License-Identifier: GPL-2.0
/* socket_filter: reads every __sk_buff field a socket filter may read and
 * writes cb[] (the only writable field); returns the packet length (keep all). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define USE(x) asm volatile("" : : "r"(x))
#define SET(field, v) (*(volatile typeof(skb->field) *)&skb->field = (v))

SEC("socket")
int ctx_sockfilter(struct __sk_buff *skb)
{
	USE(skb->len);
	USE(skb->pkt_type);
	USE(skb->mark);
	USE(skb->queue_mapping);
	USE(skb->protocol);
	USE(skb->vlan_present);
	USE(skb->vlan_tci);
	USE(skb->vlan_proto);
	USE(skb->priority);
	USE(skb->ingress_ifindex);
	USE(skb->ifindex);
	USE(skb->tc_index);
	USE(skb->cb[0]);
	USE(skb->hash);
	USE(skb->napi_id);
	USE(skb->gso_segs);
	USE(skb->sk);
	USE(skb->gso_size);
	SET(cb[0], 1);
	SET(cb[4], 2);
	return skb->len;
}

char _license[] SEC("license") = "GPL";
