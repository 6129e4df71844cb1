"""libbpf 1.1's section-name table (SEC_DEF): program type, expected attach type and flags
guessed from an ELF section name, with the strict matching rules of libbpf 1.x.

* ``"name"``   matches exactly;
* ``"name+"``  matches ``name`` or ``name/anything``;
* ``"name/"``  matches ``name/anything`` (none in 1.1's table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pykernel.uapi.consts import F_SLEEPABLE, F_XDP_HAS_FRAGS, AttachType, ProgType

from .errors import LibbpfError

# sec_def flags
SEC_NONE = 0
SEC_EXP_ATTACH_OPT = 1  # expected_attach_type is optional for old kernels
SEC_ATTACHABLE = 2  # attach type needed at load
SEC_ATTACHABLE_OPT = SEC_ATTACHABLE | SEC_EXP_ATTACH_OPT
SEC_ATTACH_BTF = 4  # needs a BTF attach target (fentry, tp_btf, lsm, iter, freplace)
SEC_SLEEPABLE = 8
SEC_XDP_FRAGS = 16

LIBBPF_WARN, LIBBPF_INFO, LIBBPF_DEBUG = 0, 1, 2


@dataclass(frozen=True)
class SecDef:
    sec: str
    prog_type: int
    expected_attach_type: int
    flags: int

    def matches(self, sec_name: str) -> bool:
        s = self.sec
        if s.endswith("/"):
            return sec_name.startswith(s)
        if s.endswith("+"):
            base = s[:-1]
            if not sec_name.startswith(base):
                return False
            rest = sec_name[len(base):]
            return rest == "" or rest.startswith("/")
        return sec_name == s

    @property
    def prog_flags(self) -> int:
        """BPF_PROG_LOAD prog_flags libbpf derives from the section."""
        f = 0
        if self.flags & SEC_SLEEPABLE:
            f |= F_SLEEPABLE
        if self.prog_type == ProgType.XDP and self.flags & SEC_XDP_FRAGS:
            f |= F_XDP_HAS_FRAGS
        return f

    @property
    def needs_btf_target(self) -> bool:
        return bool(self.flags & SEC_ATTACH_BTF)


P, A = ProgType, AttachType
_A, _AO, _B, _S = SEC_ATTACHABLE, SEC_ATTACHABLE_OPT, SEC_ATTACH_BTF, SEC_SLEEPABLE

# In libbpf 1.1's order: find_sec_def() returns the first match.
SECTION_DEFS: tuple[SecDef, ...] = tuple(SecDef(*row) for row in (
    ("socket", P.SOCKET_FILTER, 0, SEC_NONE),
    ("sk_reuseport/migrate", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT_OR_MIGRATE, _A),
    ("sk_reuseport", P.SK_REUSEPORT, A.SK_REUSEPORT_SELECT, _A),
    ("kprobe+", P.KPROBE, 0, SEC_NONE),
    ("uprobe+", P.KPROBE, 0, SEC_NONE),
    ("uprobe.s+", P.KPROBE, 0, _S),
    ("kretprobe+", P.KPROBE, 0, SEC_NONE),
    ("uretprobe+", P.KPROBE, 0, SEC_NONE),
    ("uretprobe.s+", P.KPROBE, 0, _S),
    ("kprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI, SEC_NONE),
    ("kretprobe.multi+", P.KPROBE, A.TRACE_KPROBE_MULTI, SEC_NONE),
    ("ksyscall+", P.KPROBE, 0, SEC_NONE),
    ("kretsyscall+", P.KPROBE, 0, SEC_NONE),
    ("usdt+", P.KPROBE, 0, SEC_NONE),
    ("tc", P.SCHED_CLS, 0, SEC_NONE),
    ("classifier", P.SCHED_CLS, 0, SEC_NONE),
    ("action", P.SCHED_ACT, 0, SEC_NONE),
    ("tracepoint+", P.TRACEPOINT, 0, SEC_NONE),
    ("tp+", P.TRACEPOINT, 0, SEC_NONE),
    ("raw_tracepoint+", P.RAW_TRACEPOINT, 0, SEC_NONE),
    ("raw_tp+", P.RAW_TRACEPOINT, 0, SEC_NONE),
    ("raw_tracepoint.w+", P.RAW_TRACEPOINT_WRITABLE, 0, SEC_NONE),
    ("raw_tp.w+", P.RAW_TRACEPOINT_WRITABLE, 0, SEC_NONE),
    ("tp_btf+", P.TRACING, A.TRACE_RAW_TP, _B),
    ("fentry+", P.TRACING, A.TRACE_FENTRY, _B),
    ("fmod_ret+", P.TRACING, A.MODIFY_RETURN, _B),
    ("fexit+", P.TRACING, A.TRACE_FEXIT, _B),
    ("fentry.s+", P.TRACING, A.TRACE_FENTRY, _B | _S),
    ("fmod_ret.s+", P.TRACING, A.MODIFY_RETURN, _B | _S),
    ("fexit.s+", P.TRACING, A.TRACE_FEXIT, _B | _S),
    ("freplace+", P.EXT, 0, _B),
    ("lsm+", P.LSM, A.LSM_MAC, _B),
    ("lsm.s+", P.LSM, A.LSM_MAC, _B | _S),
    ("lsm_cgroup+", P.LSM, A.LSM_CGROUP, _B),
    ("iter+", P.TRACING, A.TRACE_ITER, _B),
    ("iter.s+", P.TRACING, A.TRACE_ITER, _B | _S),
    ("syscall", P.SYSCALL, 0, _S),
    ("xdp.frags/devmap", P.XDP, A.XDP_DEVMAP, SEC_XDP_FRAGS),
    ("xdp/devmap", P.XDP, A.XDP_DEVMAP, _A),
    ("xdp.frags/cpumap", P.XDP, A.XDP_CPUMAP, SEC_XDP_FRAGS),
    ("xdp/cpumap", P.XDP, A.XDP_CPUMAP, _A),
    ("xdp.frags", P.XDP, A.XDP, SEC_XDP_FRAGS),
    ("xdp", P.XDP, A.XDP, _AO),
    ("perf_event", P.PERF_EVENT, 0, SEC_NONE),
    ("lwt_in", P.LWT_IN, 0, SEC_NONE),
    ("lwt_out", P.LWT_OUT, 0, SEC_NONE),
    ("lwt_xmit", P.LWT_XMIT, 0, SEC_NONE),
    ("lwt_seg6local", P.LWT_SEG6LOCAL, 0, SEC_NONE),
    ("sockops", P.SOCK_OPS, A.CGROUP_SOCK_OPS, _AO),
    ("sk_skb/stream_parser", P.SK_SKB, A.SK_SKB_STREAM_PARSER, _AO),
    ("sk_skb/stream_verdict", P.SK_SKB, A.SK_SKB_STREAM_VERDICT, _AO),
    ("sk_skb", P.SK_SKB, 0, SEC_NONE),
    ("sk_msg", P.SK_MSG, A.SK_MSG_VERDICT, _AO),
    ("lirc_mode2", P.LIRC_MODE2, A.LIRC_MODE2, _AO),
    ("flow_dissector", P.FLOW_DISSECTOR, A.FLOW_DISSECTOR, _AO),
    ("cgroup_skb/ingress", P.CGROUP_SKB, A.CGROUP_INET_INGRESS, _AO),
    ("cgroup_skb/egress", P.CGROUP_SKB, A.CGROUP_INET_EGRESS, _AO),
    ("cgroup/skb", P.CGROUP_SKB, 0, SEC_NONE),
    ("cgroup/sock_create", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, _A),
    ("cgroup/sock_release", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE, _A),
    ("cgroup/sock", P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, _AO),
    ("cgroup/post_bind4", P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND, _A),
    ("cgroup/post_bind6", P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND, _A),
    ("cgroup/bind4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND, _A),
    ("cgroup/bind6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND, _A),
    ("cgroup/connect4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT, _A),
    ("cgroup/connect6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT, _A),
    ("cgroup/sendmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG, _A),
    ("cgroup/sendmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG, _A),
    ("cgroup/recvmsg4", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG, _A),
    ("cgroup/recvmsg6", P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG, _A),
    ("cgroup/getpeername4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME, _A),
    ("cgroup/getpeername6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME, _A),
    ("cgroup/getsockname4", P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME, _A),
    ("cgroup/getsockname6", P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME, _A),
    ("cgroup/sysctl", P.CGROUP_SYSCTL, A.CGROUP_SYSCTL, _A),
    ("cgroup/getsockopt", P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT, _A),
    ("cgroup/setsockopt", P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT, _A),
    ("cgroup/dev", P.CGROUP_DEVICE, A.CGROUP_DEVICE, _AO),
    ("struct_ops+", P.STRUCT_OPS, 0, SEC_NONE),
    ("sk_lookup", P.SK_LOOKUP, A.SK_LOOKUP, _A),
))


def find_sec_def(sec_name: str) -> SecDef | None:
    for d in SECTION_DEFS:
        if d.matches(sec_name):
            return d
    return None


def type_names(attach_only: bool = False) -> str:
    """libbpf_get_type_names(): ``" socket sk_reuseport/migrate ..."`` (leading space)."""
    return "".join(f" {d.sec}" for d in SECTION_DEFS if not attach_only or d.flags & SEC_ATTACHABLE)


PrintFn = Callable[[int, str], None]


def libbpf_prog_type_by_name(name: str, print_fn: PrintFn | None = None) -> tuple[int, int]:
    """``(prog_type, expected_attach_type)`` for a section name; on failure prints libbpf's
    two debug lines through ``print_fn`` and raises LibbpfError(ESRCH)."""
    d = find_sec_def(name)
    if d is not None:
        return int(d.prog_type), int(d.expected_attach_type)
    if print_fn is not None:
        print_fn(LIBBPF_DEBUG, f"libbpf: failed to guess program type from ELF section '{name}'")
        print_fn(LIBBPF_DEBUG, f"libbpf: supported section(type) names are:{type_names()}")
    raise LibbpfError(3, f"failed to guess program type from ELF section '{name}'")


def libbpf_attach_type_by_name(name: str, print_fn: PrintFn | None = None) -> int:
    """libbpf_attach_type_by_name(): the attach type of an attachable section."""
    d = find_sec_def(name)
    if d is not None and d.flags & SEC_ATTACHABLE:
        return int(d.expected_attach_type)
    if print_fn is not None:
        print_fn(LIBBPF_DEBUG, f"libbpf: failed to guess attach type based on ELF section name '{name}'")
        print_fn(LIBBPF_DEBUG, f"libbpf: attachable section(type) names are:{type_names(True)}")
    raise LibbpfError(22, f"failed to guess attach type based on ELF section name '{name}'")
