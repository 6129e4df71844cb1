// SPDX-License-Identifier: GPL-2.0
/* bpf_xdp_adjust_tail: truncates frames longer than 128 bytes to 128 and grows
 * frames shorter than 60 bytes to 60 (zero padding written by the program). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TRIM_TO 128
#define MIN_LEN 60

SEC("xdp")
int xdp_adjust_tail(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int len = data_end - data;
	unsigned char *p;
	int i;

	if (len > TRIM_TO) {
		if (bpf_xdp_adjust_tail(ctx, TRIM_TO - len))
			return XDP_ABORTED;
		return XDP_TX;
	}
	if (len < MIN_LEN) {
		if (bpf_xdp_adjust_tail(ctx, MIN_LEN - len))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		for (i = 0; i < MIN_LEN; i++) {
			p = data + i;
			if ((void *)(p + 1) > data_end)
				break;
			if (i >= len)
				*p = 0;
		}
		return XDP_TX;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
