// SPDX-License-Identifier: GPL-2.0
/* Global data: .data, .rodata, .bss, string literals (.rodata.str1.1), a
 * custom .data.* section, and a tc program using them. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

volatile const __u32 drop_len = 14;		/* .rodata */
volatile const char greeting[8] = "hello";	/* .rodata */
__u64 seen = 7;					/* .data */
__u32 last_len[2] = {1, 2};			/* .data */
__u64 zeroed;					/* .bss */
__u32 zero_arr[4];				/* .bss */
__u64 extra SEC(".data.extra") = 99;		/* .data.extra */

static __noinline int use_str(const char *s)
{
	return s[0];
}

SEC("tc")
int tc_globals(struct __sk_buff *skb)
{
	seen++;
	zeroed += skb->len;
	last_len[1] = skb->len;
	zero_arr[skb->len & 3] = 1;
	extra++;
	if (skb->len < drop_len)
		return 2;
	return use_str("a literal") + greeting[0] == 0;
}

char _license[] SEC("license") = "GPL";
