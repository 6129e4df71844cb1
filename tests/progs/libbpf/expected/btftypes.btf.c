#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

typedef unsigned int __u32;

enum big {
	SMALL = 1,
	HUGE = 2147483647,
};

struct key {
	__u32 id;
	enum big kind;
};

enum color {
	RED = 0,
	GREEN = 5,
	BLUE = 4294967295,
};

typedef enum color color_t;

struct flags {
	unsigned int a: 3;
	unsigned int b: 5;
	int c: 4;
	unsigned char d;
	unsigned long long e: 40;
};

union num {
	__u32 u;
	int i;
	char bytes[4];
};

struct point {
	short x;
	short y;
};

typedef unsigned long long __u64;

typedef signed char __s8;

typedef unsigned short __u16;

typedef unsigned char __u8;

struct value {
	char name[16];
	color_t col;
	_Bool ok;
	struct flags fl;
	union num n;
	struct point pts[2];
	int matrix[2][3];
	void *ptr;
	volatile const __u64 *cptr;
	double dbl;
	float flt;
	__s8 s8;
	unsigned char raw[3];
	struct {
		int anon_i;
	} anon;
	union {
		__u16 w;
		__u8 b2[2];
	};
	int (*fnptr)(int, char *);
	signed char sc[4];
};

struct tagged {
	int x;
	int __attribute__((btf_type_tag("user"))) *uptr;
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
