// SPDX-License-Identifier: GPL-2.0
/* One trivial program per section name, for the SEC_DEF table. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define P(sec, name) SEC(sec) int name(void *ctx) { return 0; }

P("socket", s_socket)
P("tc", s_tc)
P("classifier", s_classifier)
P("action", s_action)
P("xdp", s_xdp)
P("xdp.frags", s_xdp_frags)
P("xdp/devmap", s_xdp_devmap)
P("xdp/cpumap", s_xdp_cpumap)
P("xdp.frags/devmap", s_xdp_frags_devmap)
P("cgroup_skb/ingress", s_cg_ingress)
P("cgroup_skb/egress", s_cg_egress)
P("cgroup/skb", s_cg_skb)
P("cgroup/sock", s_cg_sock)
P("cgroup/sock_create", s_cg_sock_create)
P("cgroup/bind4", s_cg_bind4)
P("cgroup/connect6", s_cg_connect6)
P("cgroup/dev", s_cg_dev)
P("cgroup/sysctl", s_cg_sysctl)
P("cgroup/getsockopt", s_cg_getsockopt)
P("kprobe/do_sys_open", s_kprobe)
P("kretprobe/do_sys_open", s_kretprobe)
P("tracepoint/syscalls/sys_enter_openat", s_tracepoint)
P("tp/sched/sched_switch", s_tp)
P("raw_tracepoint/sched_switch", s_raw_tp)
P("raw_tp.w/foo", s_raw_tp_w)
P("perf_event", s_perf_event)
P("sk_skb/stream_parser", s_sk_skb_parser)
P("sk_skb/stream_verdict", s_sk_skb_verdict)
P("sk_skb", s_sk_skb)
P("sk_msg", s_sk_msg)
P("flow_dissector", s_flow_dissector)
P("lwt_in", s_lwt_in)
P("lwt_out", s_lwt_out)
P("lwt_xmit", s_lwt_xmit)
P("lwt_seg6local", s_lwt_seg6local)
P("sockops", s_sockops)
P("sk_reuseport", s_sk_reuseport)
P("sk_lookup", s_sk_lookup)
P("lirc_mode2", s_lirc)
P("syscall", s_syscall)

char _license[] SEC("license") = "GPL";
