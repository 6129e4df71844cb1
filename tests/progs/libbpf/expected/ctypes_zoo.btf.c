#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned int __u32;

typedef int (*cb_t)(const char * restrict, volatile int * const, ...);

typedef const int * const *arr2d_t[3][4];

typedef struct {
	int q;
} anon_td;

typedef union {
	int u1;
	char u2;
} anon_u_td;

typedef enum {
	TD_A = 0,
	TD_B = 1,
} anon_enum_t;

struct self_ref;

struct funcs {
	cb_t cb;
	int (*(*fpa)[2])(void);
	char * (*ret_ptr)(int);
	void (*noargs)(void);
	arr2d_t *p2d;
	struct {
		int deep;
		union {
			char c;
			short s;
		} inner;
	} nested;
	enum {
		INL_X = 1,
		INL_Y = 4294967293,
	} inl;
	anon_td td;
	anon_u_td utd;
	anon_enum_t ae;
	struct self_ref *sr;
	int big_arr[0];
};

struct padded {
	char a;
	long b;
	char c;
	int d: 3;
	int: 0;
	char e;
	long: 0;
	short f;
	char tail;
};

struct packed_s {
	char a;
	int b;
	short c;
} __attribute__((packed));

struct bits {
	unsigned long long lo: 10;
	short: 6;
	short: 14;
	unsigned long long hi: 30;
	char after;
	unsigned int x: 1;
	char: 6;
	unsigned int y: 1;
};

union uni {
	struct packed_s p;
	struct bits b;
	long long l;
};

struct aligned16 {
	int x;
	long: 64;
};

struct holds_aligned {
	char c;
	long: 64;
	struct aligned16 a;
};

struct outer_ptr {
	struct {
		struct padded pd;
	} *anon_ptr;
	union uni u;
	long: 64;
	struct holds_aligned ha;
};

struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
