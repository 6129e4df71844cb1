// SPDX-License-Identifier: GPL-2.0
/* sched_cls: reads every readable __sk_buff field at full size, a selection of
 * narrow (u8/u16, low and high part) reads, and writes every writable field. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define USE(x) asm volatile("" : : "r"(x))
#define SET(field, v) (*(volatile typeof(skb->field) *)&skb->field = (v))
#define NARROW(type, field, byte) USE(*(volatile type *)((void *)&skb->field + (byte)))

SEC("tc")
int ctx_tc_read(struct __sk_buff *skb)
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
	USE(skb->cb[1]);
	USE(skb->cb[2]);
	USE(skb->cb[3]);
	USE(skb->cb[4]);
	USE(skb->hash);
	USE(skb->tc_classid);
	USE(skb->data);
	USE(skb->data_end);
	USE(skb->napi_id);
	USE(skb->data_meta);
	USE(skb->tstamp);
	USE(skb->wire_len);
	USE(skb->gso_segs);
	USE(skb->sk);
	USE(skb->gso_size);
	USE(skb->tstamp_type);
	USE(skb->hwtstamp);
	return TC_ACT_OK;
}

SEC("tc")
int ctx_tc_narrow(struct __sk_buff *skb)
{
	NARROW(__u8, len, 0);
	NARROW(__u8, len, 3);
	NARROW(__u16, len, 2);
	NARROW(__u8, mark, 1);
	NARROW(__u16, protocol, 0);
	NARROW(__u8, pkt_type, 0);
	NARROW(__u16, vlan_tci, 0);
	NARROW(__u8, hash, 2);
	NARROW(__u16, tc_classid, 0);
	NARROW(__u8, cb[2], 1);
	NARROW(__u16, cb[4], 2);
	NARROW(__u64, cb[0], 0);
	NARROW(__u8, napi_id, 0);
	NARROW(__u16, gso_segs, 0);
	return TC_ACT_OK;
}

SEC("tc")
int ctx_tc_write(struct __sk_buff *skb)
{
	SET(mark, 1);
	SET(queue_mapping, 2);
	SET(priority, 3);
	SET(tc_index, 4);
	SET(cb[0], 5);
	SET(cb[1], 6);
	SET(cb[2], 7);
	SET(cb[3], 8);
	SET(cb[4], 9);
	SET(tc_classid, 10);
	SET(tstamp, 11);
	*(volatile __u8 *)((void *)&skb->cb[1] + 3) = 12;
	*(volatile __u16 *)((void *)&skb->cb[3] + 2) = 13;
	*(volatile __u64 *)&skb->cb[2] = 14;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
