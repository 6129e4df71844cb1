// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
	skb->mark = 42;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
