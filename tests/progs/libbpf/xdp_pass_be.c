// SPDX-License-Identifier: GPL-2.0
/* Built for the big-endian BPF target (-target bpfeb): libbpf refuses the byte order. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass_be(struct xdp_md *ctx) { return XDP_PASS; }

char _license[] SEC("license") = "GPL";
