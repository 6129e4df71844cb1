// SPDX-License-Identifier: GPL-2.0
/* C declarations that exercise the BTF-to-C writer (bpftool btf dump format c):
 * padding, packing, bitfields, alignment, function pointers, arrays of
 * pointers, qualifiers, anonymous nesting, forward references, enums. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct fwd_only;
struct self_ref { struct self_ref *next; struct fwd_only *opaque; int v; };

struct padded {
	char a;
	long b;
	char c;
	int d : 3;
	int : 0;
	char e;
	short f __attribute__((aligned(8)));
	char tail;
};

struct __attribute__((packed)) packed_s {
	char a;
	int b;
	short c;
};

struct bits {
	unsigned long long lo : 10;
	unsigned long long : 20;
	unsigned long long hi : 30;
	char after;
	unsigned int x : 1, : 6, y : 1;
};

struct aligned16 { int x; } __attribute__((aligned(16)));
struct holds_aligned { char c; struct aligned16 a; };

typedef int (*cb_t)(const char *restrict s, volatile int *const p, ...);
typedef const int *const *arr2d_t[3][4];
typedef struct { int q; } anon_td;
typedef union { int u1; char u2; } anon_u_td;
typedef enum { TD_A, TD_B } anon_enum_t;
enum { TOP_ANON_1 = 7, TOP_ANON_2 };

struct funcs {
	cb_t cb;
	int (*(*fpa)[2])(void);
	char *(*ret_ptr)(int);
	void (*noargs)(void);
	arr2d_t *p2d;
	struct { int deep; union { char c; short s; } inner; } nested;
	enum { INL_X = 1, INL_Y = -3 } inl;
	anon_td td;
	anon_u_td utd;
	anon_enum_t ae;
	struct self_ref *sr;
	int big_arr[0];
};

union uni { struct packed_s p; struct bits b; long long l; };

struct outer_ptr {
	struct {
		struct padded pd;
	} *anon_ptr;
	union uni u;
	struct holds_aligned ha;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct funcs);
	__uint(max_entries, 1);
} m1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct outer_ptr);
	__uint(max_entries, 1);
} m2 SEC(".maps");

int top_anon_user = TOP_ANON_1;

SEC("xdp")
int xdp_ctypes(struct xdp_md *ctx)
{
	__u32 k = 0;
	bpf_map_lookup_elem(&m1, &k);
	bpf_map_lookup_elem(&m2, &k);
	return XDP_PASS + top_anon_user - 7;
}

char _license[] SEC("license") = "GPL";
