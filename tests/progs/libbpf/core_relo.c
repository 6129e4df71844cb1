// SPDX-License-Identifier: GPL-2.0
/* A CO-RE field relocation (preserve_access_index) on a kernel struct. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct sk_buff___x {
	unsigned int len;
} __attribute__((preserve_access_index));

SEC("kprobe/kfree_skb")
int core_prog(struct sk_buff___x *skb)
{
	unsigned int len = BPF_CORE_READ(skb, len);
	return len > 10;
}

char _license[] SEC("license") = "GPL";
