// SPDX-License-Identifier: GPL-2.0
/* Global data: a const config in .rodata, a mutable default in .data and
 * counters in .bss. Drops frames shorter than cfg.min_len, counts the rest. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct config {
	__u32 min_len;
	__u32 verdict;
	__u8 tag[8];
};

const volatile struct config cfg = {
	.min_len = 60,
	.verdict = XDP_PASS,
	.tag = "pybpf",
};

__u32 sample_every = 4;		/* .data */
__u64 seen_pkts;		/* .bss */
__u64 seen_bytes;		/* .bss */
__u64 short_pkts;		/* .bss */
__u32 last_len;			/* .bss */

SEC("xdp")
int xdp_global_data(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	last_len = len;
	if (len < cfg.min_len) {
		__sync_fetch_and_add(&short_pkts, 1);
		return XDP_DROP;
	}
	__sync_fetch_and_add(&seen_pkts, 1);
	__sync_fetch_and_add(&seen_bytes, len);
	if (sample_every && seen_pkts % sample_every == 0)
		sample_every += 1;
	return cfg.verdict;
}

char _license[] SEC("license") = "GPL";
