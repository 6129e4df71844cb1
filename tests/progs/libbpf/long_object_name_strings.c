// SPDX-License-Identifier: GPL-2.0
/* A long object name (internal map names are prefixed with its first characters) and
 * string literals, which clang puts in .rodata.str1.1 (a map without BTF). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile int verbose = 1;

SEC("xdp")
int xdp_strings(struct xdp_md *ctx)
{
	if (verbose)
		bpf_trace_printk("len %d\n", sizeof("len %d\n"), ctx->data_end - ctx->data);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
