// SPDX-License-Identifier: GPL-2.0
/* A zoo of C types in map keys and values, for the BTF formatters
 * (bpftool btf dump raw/c and map dump). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { SMALL = 1, HUGE = 0x7fffffff };
typedef enum color color_t;

struct flags {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 4;
	unsigned char d;
	unsigned long long e : 40;
};

union num {
	__u32 u;
	int i;
	char bytes[4];
};

struct point { short x, y; };

struct value {
	char name[16];
	color_t col;
	bool ok;
	struct flags fl;
	union num n;
	struct point pts[2];
	int matrix[2][3];
	void *ptr;
	const volatile __u64 *cptr;
	double dbl;
	float flt;
	__s8 s8;
	unsigned char raw[3];
	struct { int anon_i; } anon;
	union { __u16 w; __u8 b2[2]; };
	int (*fnptr)(int, char *);
	signed char sc[4];
};

struct key {
	__u32 id;
	enum big kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct key);
	__type(value, struct value);
	__uint(max_entries, 8);
} zoo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, char[12]);
	__uint(max_entries, 2);
} names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct point);
	__uint(max_entries, 2);
} pcpu SEC(".maps");

struct tagged {
	int x __attribute__((btf_decl_tag("member_tag")));
	int __attribute__((btf_type_tag("user"))) *uptr;
} __attribute__((btf_decl_tag("struct_tag")));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tagged);
	__uint(max_entries, 1);
} tags SEC(".maps");

__attribute__((btf_decl_tag("func_tag")))
static __noinline int helper(struct value *v __attribute__((btf_decl_tag("param_tag"))))
{
	return v->ok;
}

SEC("xdp")
int xdp_zoo(struct xdp_md *ctx)
{
	struct key k = { .id = 1, .kind = HUGE };
	struct value *v = bpf_map_lookup_elem(&zoo, &k);
	__u32 z = 0;

	bpf_map_lookup_elem(&names, &z);
	bpf_map_lookup_elem(&pcpu, &z);
	bpf_map_lookup_elem(&tags, &z);
	if (v)
		return helper(v);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
