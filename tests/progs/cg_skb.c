// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int cg_allow(struct __sk_buff *skb)
{
	return 1;
}

char _license[] SEC("license") = "GPL";
