/* SPDX-License-Identifier: GPL-2.0 */
/* Small shared definitions for the pybpf test corpus. */
#ifndef PYBPF_TEST_COMMON_H
#define PYBPF_TEST_COMMON_H

#include <linux/types.h>

/* 802.1Q tag as it follows the Ethernet addresses (uapi has no struct for it) */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* <linux/icmp.h> pulls in libc headers that do not build for -target bpf */
struct icmphdr_s {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

#endif
