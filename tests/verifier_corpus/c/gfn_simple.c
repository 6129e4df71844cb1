/* Two global functions: one given the context (verified with a ctx argument), one with scalars. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
__attribute__((noinline)) int check_len(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    if (data + 14 > end)
        return 0;
    return ((unsigned char *)data)[12];
}
__attribute__((noinline)) int add(int a, int b) { return a * 3 + b; }
SEC("xdp")
int gfn_simple(struct xdp_md *ctx)
{
    int r = check_len(ctx);
    if (add(r, 1) > 100)
        return XDP_DROP;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
