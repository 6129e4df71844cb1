// SPDX-License-Identifier: GPL-2.0
/* A program in a section libbpf 1.1 does not know, next to a known one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("frob")
int frob_prog(void *ctx) { return 0; }

SEC("xdp")
int xdp_ok(struct xdp_md *ctx) { return XDP_PASS; }

char _license[] SEC("license") = "GPL";
