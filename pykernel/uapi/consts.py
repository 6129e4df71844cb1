"""Constants of the BPF user API (linux/bpf.h, linux/if_link.h, linux/pkt_cls.h).

This module is what user space may import, as it would include the kernel's uapi headers.
Names follow the C spelling without the common prefix (``MapType.HASH`` is
``BPF_MAP_TYPE_HASH``); the names bpftool prints live next to each enum.
"""

from __future__ import annotations

import errno as _errno
from enum import IntEnum, IntFlag


class Cmd(IntEnum):
    MAP_CREATE = 0
    MAP_LOOKUP_ELEM = 1
    MAP_UPDATE_ELEM = 2
    MAP_DELETE_ELEM = 3
    MAP_GET_NEXT_KEY = 4
    PROG_LOAD = 5
    OBJ_PIN = 6
    OBJ_GET = 7
    PROG_ATTACH = 8
    PROG_DETACH = 9
    PROG_TEST_RUN = 10
    PROG_GET_NEXT_ID = 11
    MAP_GET_NEXT_ID = 12
    PROG_GET_FD_BY_ID = 13
    MAP_GET_FD_BY_ID = 14
    OBJ_GET_INFO_BY_FD = 15
    PROG_QUERY = 16
    RAW_TRACEPOINT_OPEN = 17
    BTF_LOAD = 18
    BTF_GET_FD_BY_ID = 19
    TASK_FD_QUERY = 20
    MAP_LOOKUP_AND_DELETE_ELEM = 21
    MAP_FREEZE = 22
    BTF_GET_NEXT_ID = 23
    MAP_LOOKUP_BATCH = 24
    MAP_LOOKUP_AND_DELETE_BATCH = 25
    MAP_UPDATE_BATCH = 26
    MAP_DELETE_BATCH = 27
    LINK_CREATE = 28
    LINK_UPDATE = 29
    LINK_GET_FD_BY_ID = 30
    LINK_GET_NEXT_ID = 31
    ENABLE_STATS = 32
    ITER_CREATE = 33
    LINK_DETACH = 34
    PROG_BIND_MAP = 35


class MapType(IntEnum):
    UNSPEC = 0
    HASH = 1
    ARRAY = 2
    PROG_ARRAY = 3
    PERF_EVENT_ARRAY = 4
    PERCPU_HASH = 5
    PERCPU_ARRAY = 6
    STACK_TRACE = 7
    CGROUP_ARRAY = 8
    LRU_HASH = 9
    LRU_PERCPU_HASH = 10
    LPM_TRIE = 11
    ARRAY_OF_MAPS = 12
    HASH_OF_MAPS = 13
    DEVMAP = 14
    SOCKMAP = 15
    CPUMAP = 16
    XSKMAP = 17
    SOCKHASH = 18
    CGROUP_STORAGE = 19
    REUSEPORT_SOCKARRAY = 20
    PERCPU_CGROUP_STORAGE = 21
    QUEUE = 22
    STACK = 23
    SK_STORAGE = 24
    DEVMAP_HASH = 25
    STRUCT_OPS = 26
    RINGBUF = 27
    INODE_STORAGE = 28
    TASK_STORAGE = 29
    BLOOM_FILTER = 30
    USER_RINGBUF = 31
    CGRP_STORAGE = 32
    ARENA = 33


class ProgType(IntEnum):
    UNSPEC = 0
    SOCKET_FILTER = 1
    KPROBE = 2
    SCHED_CLS = 3
    SCHED_ACT = 4
    TRACEPOINT = 5
    XDP = 6
    PERF_EVENT = 7
    CGROUP_SKB = 8
    CGROUP_SOCK = 9
    LWT_IN = 10
    LWT_OUT = 11
    LWT_XMIT = 12
    SOCK_OPS = 13
    SK_SKB = 14
    CGROUP_DEVICE = 15
    SK_MSG = 16
    RAW_TRACEPOINT = 17
    CGROUP_SOCK_ADDR = 18
    LWT_SEG6LOCAL = 19
    LIRC_MODE2 = 20
    SK_REUSEPORT = 21
    FLOW_DISSECTOR = 22
    CGROUP_SYSCTL = 23
    RAW_TRACEPOINT_WRITABLE = 24
    CGROUP_SOCKOPT = 25
    TRACING = 26
    STRUCT_OPS = 27
    EXT = 28
    LSM = 29
    SK_LOOKUP = 30
    SYSCALL = 31
    NETFILTER = 32


class AttachType(IntEnum):
    CGROUP_INET_INGRESS = 0
    CGROUP_INET_EGRESS = 1
    CGROUP_INET_SOCK_CREATE = 2
    CGROUP_SOCK_OPS = 3
    SK_SKB_STREAM_PARSER = 4
    SK_SKB_STREAM_VERDICT = 5
    CGROUP_DEVICE = 6
    SK_MSG_VERDICT = 7
    CGROUP_INET4_BIND = 8
    CGROUP_INET6_BIND = 9
    CGROUP_INET4_CONNECT = 10
    CGROUP_INET6_CONNECT = 11
    CGROUP_INET4_POST_BIND = 12
    CGROUP_INET6_POST_BIND = 13
    CGROUP_UDP4_SENDMSG = 14
    CGROUP_UDP6_SENDMSG = 15
    LIRC_MODE2 = 16
    FLOW_DISSECTOR = 17
    CGROUP_SYSCTL = 18
    CGROUP_UDP4_RECVMSG = 19
    CGROUP_UDP6_RECVMSG = 20
    CGROUP_GETSOCKOPT = 21
    CGROUP_SETSOCKOPT = 22
    TRACE_RAW_TP = 23
    TRACE_FENTRY = 24
    TRACE_FEXIT = 25
    MODIFY_RETURN = 26
    LSM_MAC = 27
    TRACE_ITER = 28
    CGROUP_INET4_GETPEERNAME = 29
    CGROUP_INET6_GETPEERNAME = 30
    CGROUP_INET4_GETSOCKNAME = 31
    CGROUP_INET6_GETSOCKNAME = 32
    XDP_DEVMAP = 33
    CGROUP_INET_SOCK_RELEASE = 34
    XDP_CPUMAP = 35
    SK_LOOKUP = 36
    XDP = 37
    SK_SKB_VERDICT = 38
    SK_REUSEPORT_SELECT = 39
    SK_REUSEPORT_SELECT_OR_MIGRATE = 40
    PERF_EVENT = 41
    TRACE_KPROBE_MULTI = 42
    LSM_CGROUP = 43


class LinkType(IntEnum):
    UNSPEC = 0
    RAW_TRACEPOINT = 1
    TRACING = 2
    CGROUP = 3
    ITER = 4
    NETNS = 5
    XDP = 6
    PERF_EVENT = 7
    KPROBE_MULTI = 8
    STRUCT_OPS = 9


# Names as bpftool v7.1 / libbpf 1.1 print them (libbpf_bpf_*_type_str).
MAP_TYPE_NAMES: dict[int, str] = {
    MapType.UNSPEC: "unspec", MapType.HASH: "hash", MapType.ARRAY: "array",
    MapType.PROG_ARRAY: "prog_array", MapType.PERF_EVENT_ARRAY: "perf_event_array",
    MapType.PERCPU_HASH: "percpu_hash", MapType.PERCPU_ARRAY: "percpu_array",
    MapType.STACK_TRACE: "stack_trace", MapType.CGROUP_ARRAY: "cgroup_array",
    MapType.LRU_HASH: "lru_hash", MapType.LRU_PERCPU_HASH: "lru_percpu_hash",
    MapType.LPM_TRIE: "lpm_trie", MapType.ARRAY_OF_MAPS: "array_of_maps",
    MapType.HASH_OF_MAPS: "hash_of_maps", MapType.DEVMAP: "devmap", MapType.SOCKMAP: "sockmap",
    MapType.CPUMAP: "cpumap", MapType.XSKMAP: "xskmap", MapType.SOCKHASH: "sockhash",
    MapType.CGROUP_STORAGE: "cgroup_storage", MapType.REUSEPORT_SOCKARRAY: "reuseport_sockarray",
    MapType.PERCPU_CGROUP_STORAGE: "percpu_cgroup_storage", MapType.QUEUE: "queue",
    MapType.STACK: "stack", MapType.SK_STORAGE: "sk_storage", MapType.DEVMAP_HASH: "devmap_hash",
    MapType.STRUCT_OPS: "struct_ops", MapType.RINGBUF: "ringbuf",
    MapType.INODE_STORAGE: "inode_storage", MapType.TASK_STORAGE: "task_storage",
    MapType.BLOOM_FILTER: "bloom_filter", MapType.USER_RINGBUF: "user_ringbuf",
}

PROG_TYPE_NAMES: dict[int, str] = {
    ProgType.UNSPEC: "unspec", ProgType.SOCKET_FILTER: "socket_filter", ProgType.KPROBE: "kprobe",
    ProgType.SCHED_CLS: "sched_cls", ProgType.SCHED_ACT: "sched_act",
    ProgType.TRACEPOINT: "tracepoint", ProgType.XDP: "xdp", ProgType.PERF_EVENT: "perf_event",
    ProgType.CGROUP_SKB: "cgroup_skb", ProgType.CGROUP_SOCK: "cgroup_sock",
    ProgType.LWT_IN: "lwt_in", ProgType.LWT_OUT: "lwt_out", ProgType.LWT_XMIT: "lwt_xmit",
    ProgType.SOCK_OPS: "sock_ops", ProgType.SK_SKB: "sk_skb",
    ProgType.CGROUP_DEVICE: "cgroup_device", ProgType.SK_MSG: "sk_msg",
    ProgType.RAW_TRACEPOINT: "raw_tracepoint", ProgType.CGROUP_SOCK_ADDR: "cgroup_sock_addr",
    ProgType.LWT_SEG6LOCAL: "lwt_seg6local", ProgType.LIRC_MODE2: "lirc_mode2",
    ProgType.SK_REUSEPORT: "sk_reuseport", ProgType.FLOW_DISSECTOR: "flow_dissector",
    ProgType.CGROUP_SYSCTL: "cgroup_sysctl",
    ProgType.RAW_TRACEPOINT_WRITABLE: "raw_tracepoint_writable",
    ProgType.CGROUP_SOCKOPT: "cgroup_sockopt", ProgType.TRACING: "tracing",
    ProgType.STRUCT_OPS: "struct_ops", ProgType.EXT: "ext", ProgType.LSM: "lsm",
    ProgType.SK_LOOKUP: "sk_lookup", ProgType.SYSCALL: "syscall",
}

ATTACH_TYPE_NAMES: dict[int, str] = {
    AttachType.CGROUP_INET_INGRESS: "cgroup_inet_ingress",
    AttachType.CGROUP_INET_EGRESS: "cgroup_inet_egress",
    AttachType.CGROUP_INET_SOCK_CREATE: "cgroup_inet_sock_create",
    AttachType.CGROUP_SOCK_OPS: "cgroup_sock_ops",
    AttachType.SK_SKB_STREAM_PARSER: "sk_skb_stream_parser",
    AttachType.SK_SKB_STREAM_VERDICT: "sk_skb_stream_verdict",
    AttachType.CGROUP_DEVICE: "cgroup_device", AttachType.SK_MSG_VERDICT: "sk_msg_verdict",
    AttachType.CGROUP_INET4_BIND: "cgroup_inet4_bind", AttachType.CGROUP_INET6_BIND: "cgroup_inet6_bind",
    AttachType.CGROUP_INET4_CONNECT: "cgroup_inet4_connect",
    AttachType.CGROUP_INET6_CONNECT: "cgroup_inet6_connect",
    AttachType.CGROUP_INET4_POST_BIND: "cgroup_inet4_post_bind",
    AttachType.CGROUP_INET6_POST_BIND: "cgroup_inet6_post_bind",
    AttachType.CGROUP_UDP4_SENDMSG: "cgroup_udp4_sendmsg",
    AttachType.CGROUP_UDP6_SENDMSG: "cgroup_udp6_sendmsg",
    AttachType.LIRC_MODE2: "lirc_mode2", AttachType.FLOW_DISSECTOR: "flow_dissector",
    AttachType.CGROUP_SYSCTL: "cgroup_sysctl",
    AttachType.CGROUP_UDP4_RECVMSG: "cgroup_udp4_recvmsg",
    AttachType.CGROUP_UDP6_RECVMSG: "cgroup_udp6_recvmsg",
    AttachType.CGROUP_GETSOCKOPT: "cgroup_getsockopt",
    AttachType.CGROUP_SETSOCKOPT: "cgroup_setsockopt",
    AttachType.TRACE_RAW_TP: "trace_raw_tp", AttachType.TRACE_FENTRY: "trace_fentry",
    AttachType.TRACE_FEXIT: "trace_fexit", AttachType.MODIFY_RETURN: "modify_return",
    AttachType.LSM_MAC: "lsm_mac", AttachType.TRACE_ITER: "trace_iter",
    AttachType.CGROUP_INET4_GETPEERNAME: "cgroup_inet4_getpeername",
    AttachType.CGROUP_INET6_GETPEERNAME: "cgroup_inet6_getpeername",
    AttachType.CGROUP_INET4_GETSOCKNAME: "cgroup_inet4_getsockname",
    AttachType.CGROUP_INET6_GETSOCKNAME: "cgroup_inet6_getsockname",
    AttachType.XDP_DEVMAP: "xdp_devmap",
    AttachType.CGROUP_INET_SOCK_RELEASE: "cgroup_inet_sock_release",
    AttachType.XDP_CPUMAP: "xdp_cpumap", AttachType.SK_LOOKUP: "sk_lookup", AttachType.XDP: "xdp",
    AttachType.SK_SKB_VERDICT: "sk_skb_verdict",
    AttachType.SK_REUSEPORT_SELECT: "sk_reuseport_select",
    AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE: "sk_reuseport_select_or_migrate",
    AttachType.PERF_EVENT: "perf_event", AttachType.TRACE_KPROBE_MULTI: "trace_kprobe_multi",
    AttachType.LSM_CGROUP: "lsm_cgroup",
}

LINK_TYPE_NAMES: dict[int, str] = {
    LinkType.UNSPEC: "unspec", LinkType.RAW_TRACEPOINT: "raw_tracepoint",
    LinkType.TRACING: "tracing", LinkType.CGROUP: "cgroup", LinkType.ITER: "iter",
    LinkType.NETNS: "netns", LinkType.XDP: "xdp", LinkType.PERF_EVENT: "perf_event",
    LinkType.KPROBE_MULTI: "kprobe_multi", LinkType.STRUCT_OPS: "struct_ops",
}


def map_type_name(t: int) -> str:
    return MAP_TYPE_NAMES.get(t, f"type {t}")


def prog_type_name(t: int) -> str:
    return PROG_TYPE_NAMES.get(t, f"type {t}")


# --- map flags (BPF_MAP_CREATE map_flags) ---
class MapFlags(IntFlag):
    NO_PREALLOC = 1 << 0
    NO_COMMON_LRU = 1 << 1
    NUMA_NODE = 1 << 2
    RDONLY = 1 << 3
    WRONLY = 1 << 4
    STACK_BUILD_ID = 1 << 5
    ZERO_SEED = 1 << 6
    RDONLY_PROG = 1 << 7
    WRONLY_PROG = 1 << 8
    CLONE = 1 << 9
    MMAPABLE = 1 << 10
    PRESERVE_ELEMS = 1 << 11
    INNER_MAP = 1 << 12
    LINK = 1 << 13
    PATH_FD = 1 << 14


# --- BPF_MAP_UPDATE_ELEM flags ---
ANY = 0
NOEXIST = 1
EXIST = 2
F_LOCK = 4

# --- BPF_PROG_LOAD prog_flags ---
F_STRICT_ALIGNMENT = 1 << 0
F_ANY_ALIGNMENT = 1 << 1
F_TEST_RND_HI32 = 1 << 2
F_TEST_STATE_FREQ = 1 << 3
F_SLEEPABLE = 1 << 4
F_XDP_HAS_FRAGS = 1 << 5
F_XDP_DEV_BOUND_ONLY = 1 << 6

# --- BPF_PROG_ATTACH flags ---
F_ALLOW_OVERRIDE = 1 << 0
F_ALLOW_MULTI = 1 << 1
F_REPLACE = 1 << 2

# --- BPF_PROG_TEST_RUN flags ---
F_TEST_RUN_ON_CPU = 1 << 0
F_TEST_XDP_LIVE_FRAMES = 1 << 1

# --- ld_imm64 pseudo sources ---
PSEUDO_MAP_FD = 1
PSEUDO_MAP_VALUE = 2
PSEUDO_BTF_ID = 3
PSEUDO_FUNC = 4
PSEUDO_MAP_IDX = 5
PSEUDO_MAP_IDX_VALUE = 6

# --- call pseudo sources ---
PSEUDO_CALL = 1
PSEUDO_KFUNC_CALL = 2

BPF_OBJ_NAME_LEN = 16
MAX_BPF_STACK = 512
BPF_MAXINSNS = 4096
BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000
MAX_CALL_FRAMES = 8

# --- XDP ---
class XdpAction(IntEnum):
    ABORTED = 0
    DROP = 1
    PASS = 2
    TX = 3
    REDIRECT = 4


XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0
XDP_FLAGS_SKB_MODE = 1 << 1
XDP_FLAGS_DRV_MODE = 1 << 2
XDP_FLAGS_HW_MODE = 1 << 3
XDP_FLAGS_REPLACE = 1 << 4
XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE


class XdpAttachMode(IntEnum):
    """IFLA_XDP_ATTACHED values (what `ip -j link` prints as "mode")."""

    NONE = 0
    DRV = 1
    SKB = 2
    HW = 3
    MULTI = 4


XDP_PACKET_HEADROOM = 256

# --- tc ---
class TcAct(IntEnum):
    UNSPEC = -1
    OK = 0
    RECLASSIFY = 1
    SHOT = 2
    PIPE = 3
    STOLEN = 4
    QUEUED = 5
    REPEAT = 6
    REDIRECT = 7
    TRAP = 8


# --- errno values the kernel returns (negated by the syscall layer) ---
EPERM = _errno.EPERM
ENOENT = _errno.ENOENT
ESRCH = _errno.ESRCH
E2BIG = _errno.E2BIG
EBADF = _errno.EBADF
EAGAIN = _errno.EAGAIN
ENOMEM = _errno.ENOMEM
EACCES = _errno.EACCES
EFAULT = _errno.EFAULT
EBUSY = _errno.EBUSY
EEXIST = _errno.EEXIST
ENODEV = _errno.ENODEV
ENOTDIR = _errno.ENOTDIR
EISDIR = _errno.EISDIR
EINVAL = _errno.EINVAL
ENOSPC = _errno.ENOSPC
ERANGE = _errno.ERANGE
ENOTSUPP = 524  # kernel-internal, leaks to user space for some map ops ("Unknown error 524")
EOPNOTSUPP = _errno.EOPNOTSUPP
ELOOP = _errno.ELOOP
ENOTEMPTY = _errno.ENOTEMPTY
EMFILE = _errno.EMFILE
EOVERFLOW = _errno.EOVERFLOW
EXDEV = _errno.EXDEV
EIO = _errno.EIO
ENXIO = _errno.ENXIO
ETIMEDOUT = _errno.ETIMEDOUT
EPROTO = _errno.EPROTO
EMSGSIZE = _errno.EMSGSIZE
EADDRNOTAVAIL = _errno.EADDRNOTAVAIL
ENOLINK = _errno.ENOLINK

