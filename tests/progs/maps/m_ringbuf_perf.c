// SPDX-License-Identifier: GPL-2.0
/* ringbuf reserve/submit and output, perf_event_output, bloom filter push/peek. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
} bf SEC(".maps");

SEC("xdp")
int m_ringbuf_perf(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, *slot;

	slot = bpf_ringbuf_reserve(&rb, sizeof(*slot), 0);
	if (slot) {
		*slot = len;
		bpf_ringbuf_submit(slot, 0);
	}
	bpf_ringbuf_output(&rb, &len, sizeof(len), 0);
	bpf_perf_event_output(ctx, &pe, BPF_F_CURRENT_CPU, &len, sizeof(len));
	bpf_map_push_elem(&bf, &len, 0);
	if (bpf_map_peek_elem(&bf, &len) == 0)
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
