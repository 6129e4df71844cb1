/* Tail calls from subprograms: the kernel treats a tail call in a called function as a
 * possible exit of that function (the caller continues with an unknown r0) besides the
 * fall-through when the slot is empty; a function whose result is unused may exit
 * without setting r0. (One program type: a prog array takes the type of its first user.) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} jt SEC(".maps");

static __attribute__((noinline)) int do_tail(void *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &jt, slot);
	return 0;
}

static __attribute__((noinline)) int pick(struct __sk_buff *skb)
{
	if (skb->len > 100)
		return do_tail(skb, 1);
	return skb->len & 7;
}

SEC("tc")
int tail_nested(struct __sk_buff *skb)
{
	int r = pick(skb);

	if (r == 3)
		do_tail(skb, 2);
	return r & 1;
}

static __attribute__((noinline)) int tail_ret(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 0);
	return skb->mark;
}

SEC("tc")
int tail_result(struct __sk_buff *skb)
{
	int r = tail_ret(skb);

	return r == 1 ? 0 : 2;
}

char LICENSE[] SEC("license") = "GPL";
