// SPDX-License-Identifier: GPL-2.0
/* cgroup_skb (ingress and egress): reads every readable __sk_buff field,
 * including the socket fields behind family/remote_ip4/..., and writes the
 * writable ones. Both return 1 (allow). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define USE(x) asm volatile("" : : "r"(x))
#define SET(field, v) (*(volatile typeof(skb->field) *)&skb->field = (v))

static __always_inline void read_all(struct __sk_buff *skb)
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
	USE(skb->cb[4]);
	USE(skb->hash);
	USE(skb->data);
	USE(skb->data_end);
	USE(skb->napi_id);
	USE(skb->family);
	USE(skb->remote_ip4);
	USE(skb->local_ip4);
	USE(skb->remote_ip6[0]);
	USE(skb->remote_ip6[3]);
	USE(skb->local_ip6[0]);
	USE(skb->local_ip6[3]);
	USE(skb->remote_port);
	USE(skb->local_port);
	USE(skb->tstamp);
	USE(skb->gso_segs);
	USE(skb->sk);
	USE(skb->gso_size);
	USE(skb->hwtstamp);
}

SEC("cgroup_skb/ingress")
int ctx_cg_ingress(struct __sk_buff *skb)
{
	read_all(skb);
	SET(mark, 1);
	SET(priority, 2);
	SET(cb[0], 3);
	SET(tstamp, 4);
	return 1;
}

SEC("cgroup_skb/egress")
int ctx_cg_egress(struct __sk_buff *skb)
{
	read_all(skb);
	SET(mark, 1);
	SET(priority, 2);
	SET(cb[4], 3);
	SET(tstamp, 4);
	return 1;
}

char _license[] SEC("license") = "GPL";
