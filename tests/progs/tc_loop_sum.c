// SPDX-License-Identifier: GPL-2.0
/* classifier: bounded loop summing up to the first 64 payload bytes after the
 * Ethernet header with direct packet access; classifies by the sum's low bits. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} last_sum SEC(".maps");

SEC("classifier")
int tc_loop_sum(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u8 *p = data + ETH_HLEN;
	__u32 sum = 0, key = 0;
	int i;

	for (i = 0; i < 64; i++) {
		if ((void *)(p + i + 1) > data_end)
			break;
		sum += p[i];
	}
	bpf_map_update_elem(&last_sum, &key, &sum, BPF_ANY);
	skb->priority = sum & 7;
	return sum & 1 ? TC_ACT_OK : TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
