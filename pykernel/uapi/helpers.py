"""THE helper table of the simulated 6.18 kernel.

One entry per helper id of ``enum bpf_func_id`` (0 .. 211; ``__BPF_FUNC_MAX_ID`` is 212 on
6.18), built with :func:`H` below. Each entry carries:

* ``id``, ``name`` (``map_lookup_elem``) and ``bpf_name`` (``bpf_map_lookup_elem``, what
  bpftool and the verifier log print);
* ``proto``: the prototype as the verifier checks a call (:class:`Proto`: return type, argument
  types, ``gpl_only``, ``pkt_access``, ``might_sleep``, fixed argument sizes, BTF types of
  BTF-id arguments, and ``func`` - the kernel function that implements it, whose address the
  verifier's fixup puts into the call; see :mod:`pykernel.kallsyms`).  The default proto is
  the one the networking program types (sched_cls/sched_act first, then xdp, socket_filter,
  cgroup_skb) get;
* ``variants``: where the kernel hands a program type a different proto for the same id
  (another implementation, other argument types, or another gpl flag), the selectors and the
  changed proto.  :meth:`Helper.proto_for` picks it.  Selectors are program type names as
  bpftool prints them, ``"type:variant"`` for an attach-type variant (labels as in the probe
  fixture), ``"sleepable"`` (BPF_F_SLEEPABLE programs) and ``"recur"`` (tracing programs that
  the kernel checks for recursion).  Networking variants are exact; variants of tracing,
  LSM and struct_ops types are recorded from the kernel sources and only partly measured;
* which program types may call it, measured on the 6.18 oracle kernel (see
  ``tests/oracle/helpers_probe/``): the generated block at the end of this module, checked
  against ``tests/fixtures/helpers/availability.json`` by ``tests/test_helper_table.py``;
* ``offload``: whether the NFP JIT can translate a call (map lookup/update/delete,
  get_prandom_u32, perf_event_output, xdp_adjust_head, xdp_adjust_tail; every other id fails
  with ``unsupported function id: %d``);
* ``changes_pkt_data``: the call invalidates packet pointers (the kernel's
  ``bpf_helper_changes_pkt_data`` list, tail_call included).

Argument and return types are ints with the kernel's own values (6.18 BTF): a base type in
the low byte plus ``bpf_type_flag`` bits, so ``ARG_PTR_TO_MEM | MEM_RDONLY`` reads as in
the kernel.  Prototype facts come from the kernel sources (6.12 tree, updated for what
changed up to 6.17/6.18) and are checked against the real verifier's messages by the tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, IntFlag
from functools import cache

__all__ = [
    "ArgBase",
    "ArgType",
    "Helper",
    "Proto",
    "RetBase",
    "RetType",
    "TypeFlag",
    "HELPERS",
    "MAX_ID",
    "allowed",
    "available_ids",
    "by_id",
    "by_name",
    "probed_types",
]


class TypeFlag(IntFlag):
    """enum bpf_type_flag (6.18 values)."""

    PTR_MAYBE_NULL = 1 << 8
    MEM_RDONLY = 1 << 9
    MEM_RINGBUF = 1 << 10
    MEM_USER = 1 << 11
    MEM_PERCPU = 1 << 12
    OBJ_RELEASE = 1 << 13
    PTR_UNTRUSTED = 1 << 14
    MEM_UNINIT = 1 << 15
    DYNPTR_TYPE_LOCAL = 1 << 16
    DYNPTR_TYPE_RINGBUF = 1 << 17
    MEM_FIXED_SIZE = 1 << 18
    MEM_ALLOC = 1 << 19
    PTR_TRUSTED = 1 << 20
    MEM_RCU = 1 << 21
    NON_OWN_REF = 1 << 22
    DYNPTR_TYPE_SKB = 1 << 23
    DYNPTR_TYPE_XDP = 1 << 24
    MEM_ALIGNED = 1 << 25
    MEM_WRITE = 1 << 26
    DYNPTR_TYPE_SKB_META = 1 << 27


BASE_MASK = 0xFF

PTR_MAYBE_NULL = TypeFlag.PTR_MAYBE_NULL
MEM_RDONLY = TypeFlag.MEM_RDONLY
MEM_RINGBUF = TypeFlag.MEM_RINGBUF
MEM_PERCPU = TypeFlag.MEM_PERCPU
OBJ_RELEASE = TypeFlag.OBJ_RELEASE
MEM_UNINIT = TypeFlag.MEM_UNINIT
DYNPTR_TYPE_LOCAL = TypeFlag.DYNPTR_TYPE_LOCAL
DYNPTR_TYPE_RINGBUF = TypeFlag.DYNPTR_TYPE_RINGBUF
MEM_FIXED_SIZE = TypeFlag.MEM_FIXED_SIZE
PTR_TRUSTED = TypeFlag.PTR_TRUSTED
MEM_ALIGNED = TypeFlag.MEM_ALIGNED
MEM_WRITE = TypeFlag.MEM_WRITE


class ArgBase(IntEnum):
    """Base values of enum bpf_arg_type (6.18)."""

    DONTCARE = 0
    CONST_MAP_PTR = 1
    PTR_TO_MAP_KEY = 2
    PTR_TO_MAP_VALUE = 3
    PTR_TO_MEM = 4
    PTR_TO_ARENA = 5
    CONST_SIZE = 6
    CONST_SIZE_OR_ZERO = 7
    PTR_TO_CTX = 8
    ANYTHING = 9
    PTR_TO_SPIN_LOCK = 10
    PTR_TO_SOCK_COMMON = 11
    PTR_TO_SOCKET = 12
    PTR_TO_BTF_ID = 13
    PTR_TO_RINGBUF_MEM = 14
    CONST_ALLOC_SIZE_OR_ZERO = 15
    PTR_TO_BTF_ID_SOCK_COMMON = 16
    PTR_TO_PERCPU_BTF_ID = 17
    PTR_TO_FUNC = 18
    PTR_TO_STACK = 19
    PTR_TO_CONST_STR = 20
    PTR_TO_TIMER = 21
    KPTR_XCHG_DEST = 22
    PTR_TO_DYNPTR = 23


class RetBase(IntEnum):
    """Base values of enum bpf_return_type (6.18)."""

    INTEGER = 0
    VOID = 1
    PTR_TO_MAP_VALUE = 2
    PTR_TO_SOCKET = 3
    PTR_TO_TCP_SOCK = 4
    PTR_TO_SOCK_COMMON = 5
    PTR_TO_MEM = 6
    PTR_TO_MEM_OR_BTF_ID = 7
    PTR_TO_BTF_ID = 8


def _flag_names(value: int) -> list[str]:
    return [f.name for f in TypeFlag if value & f and f.name]


class _Typed(int):
    """An arg/return type value: base in the low byte, bpf_type_flag bits above."""

    _prefix = ""
    _base_enum: type[IntEnum] = IntEnum
    _aliases: dict[int, str] = {}

    @property
    def flags(self) -> TypeFlag:
        return TypeFlag(int(self) & ~BASE_MASK)

    @property
    def may_be_null(self) -> bool:
        return bool(int(self) & PTR_MAYBE_NULL)

    def has(self, flag: TypeFlag) -> bool:
        return bool(int(self) & flag)

    @property
    def name(self) -> str:
        alias = self._aliases.get(int(self))
        if alias:
            return alias
        base = self._base_enum(int(self) & BASE_MASK).name
        return " | ".join([self._prefix + base, *_flag_names(int(self) & ~BASE_MASK)])

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


class ArgType(_Typed):
    _prefix = "ARG_"
    _base_enum = ArgBase

    @property
    def base(self) -> ArgBase:
        return ArgBase(int(self) & BASE_MASK)


class RetType(_Typed):
    _prefix = "RET_"
    _base_enum = RetBase

    @property
    def base(self) -> RetBase:
        return RetBase(int(self) & BASE_MASK)


def _arg(base: ArgBase, *flags: TypeFlag) -> ArgType:
    v = int(base)
    for f in flags:
        v |= int(f)
    return ArgType(v)


def _ret(base: RetBase, *flags: TypeFlag) -> RetType:
    v = int(base)
    for f in flags:
        v |= int(f)
    return RetType(v)


ARG_DONTCARE = _arg(ArgBase.DONTCARE)
ARG_CONST_MAP_PTR = _arg(ArgBase.CONST_MAP_PTR)
ARG_PTR_TO_MAP_KEY = _arg(ArgBase.PTR_TO_MAP_KEY)
ARG_PTR_TO_MAP_VALUE = _arg(ArgBase.PTR_TO_MAP_VALUE)
ARG_PTR_TO_MEM = _arg(ArgBase.PTR_TO_MEM)
ARG_CONST_SIZE = _arg(ArgBase.CONST_SIZE)
ARG_CONST_SIZE_OR_ZERO = _arg(ArgBase.CONST_SIZE_OR_ZERO)
ARG_PTR_TO_CTX = _arg(ArgBase.PTR_TO_CTX)
ARG_ANYTHING = _arg(ArgBase.ANYTHING)
ARG_PTR_TO_SPIN_LOCK = _arg(ArgBase.PTR_TO_SPIN_LOCK)
ARG_PTR_TO_SOCK_COMMON = _arg(ArgBase.PTR_TO_SOCK_COMMON)
ARG_PTR_TO_SOCKET = _arg(ArgBase.PTR_TO_SOCKET)
ARG_PTR_TO_BTF_ID = _arg(ArgBase.PTR_TO_BTF_ID)
ARG_PTR_TO_RINGBUF_MEM = _arg(ArgBase.PTR_TO_RINGBUF_MEM)
ARG_CONST_ALLOC_SIZE_OR_ZERO = _arg(ArgBase.CONST_ALLOC_SIZE_OR_ZERO)
ARG_PTR_TO_BTF_ID_SOCK_COMMON = _arg(ArgBase.PTR_TO_BTF_ID_SOCK_COMMON)
ARG_PTR_TO_PERCPU_BTF_ID = _arg(ArgBase.PTR_TO_PERCPU_BTF_ID)
ARG_PTR_TO_FUNC = _arg(ArgBase.PTR_TO_FUNC)
ARG_PTR_TO_STACK = _arg(ArgBase.PTR_TO_STACK)
ARG_PTR_TO_CONST_STR = _arg(ArgBase.PTR_TO_CONST_STR)
ARG_PTR_TO_TIMER = _arg(ArgBase.PTR_TO_TIMER)
ARG_KPTR_XCHG_DEST = _arg(ArgBase.KPTR_XCHG_DEST)
ARG_PTR_TO_DYNPTR = _arg(ArgBase.PTR_TO_DYNPTR)
# composite names the kernel defines (same values)
ARG_PTR_TO_MAP_VALUE_OR_NULL = _arg(ArgBase.PTR_TO_MAP_VALUE, PTR_MAYBE_NULL)
ARG_PTR_TO_MEM_OR_NULL = _arg(ArgBase.PTR_TO_MEM, PTR_MAYBE_NULL)
ARG_PTR_TO_CTX_OR_NULL = _arg(ArgBase.PTR_TO_CTX, PTR_MAYBE_NULL)
ARG_PTR_TO_SOCKET_OR_NULL = _arg(ArgBase.PTR_TO_SOCKET, PTR_MAYBE_NULL)
ARG_PTR_TO_STACK_OR_NULL = _arg(ArgBase.PTR_TO_STACK, PTR_MAYBE_NULL)
ARG_PTR_TO_BTF_ID_OR_NULL = _arg(ArgBase.PTR_TO_BTF_ID, PTR_MAYBE_NULL)
ARG_PTR_TO_UNINIT_MEM = _arg(ArgBase.PTR_TO_MEM, MEM_UNINIT, MEM_WRITE)
ARG_PTR_TO_FIXED_SIZE_MEM = _arg(ArgBase.PTR_TO_MEM, MEM_FIXED_SIZE)

ArgType._aliases = {
    int(v): k for k, v in list(globals().items()) if k.startswith("ARG_") and isinstance(v, ArgType)
}

RET_INTEGER = _ret(RetBase.INTEGER)
RET_VOID = _ret(RetBase.VOID)
RET_PTR_TO_MAP_VALUE = _ret(RetBase.PTR_TO_MAP_VALUE)
RET_PTR_TO_SOCKET = _ret(RetBase.PTR_TO_SOCKET)
RET_PTR_TO_TCP_SOCK = _ret(RetBase.PTR_TO_TCP_SOCK)
RET_PTR_TO_SOCK_COMMON = _ret(RetBase.PTR_TO_SOCK_COMMON)
RET_PTR_TO_MEM = _ret(RetBase.PTR_TO_MEM)
RET_PTR_TO_MEM_OR_BTF_ID = _ret(RetBase.PTR_TO_MEM_OR_BTF_ID)
RET_PTR_TO_BTF_ID = _ret(RetBase.PTR_TO_BTF_ID)
RET_PTR_TO_MAP_VALUE_OR_NULL = _ret(RetBase.PTR_TO_MAP_VALUE, PTR_MAYBE_NULL)
RET_PTR_TO_SOCKET_OR_NULL = _ret(RetBase.PTR_TO_SOCKET, PTR_MAYBE_NULL)
RET_PTR_TO_TCP_SOCK_OR_NULL = _ret(RetBase.PTR_TO_TCP_SOCK, PTR_MAYBE_NULL)
RET_PTR_TO_SOCK_COMMON_OR_NULL = _ret(RetBase.PTR_TO_SOCK_COMMON, PTR_MAYBE_NULL)
RET_PTR_TO_RINGBUF_MEM_OR_NULL = _ret(RetBase.PTR_TO_MEM, PTR_MAYBE_NULL, MEM_RINGBUF)
RET_PTR_TO_DYNPTR_MEM_OR_NULL = _ret(RetBase.PTR_TO_MEM, PTR_MAYBE_NULL)
RET_PTR_TO_BTF_ID_OR_NULL = _ret(RetBase.PTR_TO_BTF_ID, PTR_MAYBE_NULL)
RET_PTR_TO_BTF_ID_TRUSTED = _ret(RetBase.PTR_TO_BTF_ID, PTR_TRUSTED)

RetType._aliases = {
    int(v): k
    for k, v in list(globals().items())
    if k.startswith("RET_") and isinstance(v, RetType) and k != "RET_PTR_TO_DYNPTR_MEM_OR_NULL"
}


@dataclass(frozen=True, slots=True)
class Proto:
    """struct bpf_func_proto, as far as the verifier and the JIT fixups use it."""

    ret: RetType
    args: tuple[ArgType, ...]  # arg1.., trailing ARG_DONTCARE dropped
    func: str | None  # implementing kernel symbol (None: tail_call, which has no function)
    gpl_only: bool = False
    pkt_access: bool = False
    might_sleep: bool = False
    allow_fastcall: bool = False
    arg_size: tuple[int, ...] = ()  # per argument, for MEM_FIXED_SIZE arguments (0 elsewhere)
    arg_btf: tuple[str | None, ...] = ()  # BTF struct expected by BTF-id arguments ("*": any)
    ret_btf: str | None = None  # BTF struct of a BTF-id return ("*": from the argument)
    allowed_cb: str | None = None  # the proto's allowed() callback, if any

    def arg(self, i: int) -> ArgType:
        """Type of argument ``i`` (1-based); ARG_DONTCARE past the last one."""
        return self.args[i - 1] if 0 < i <= len(self.args) else ARG_DONTCARE

    def size_of(self, i: int) -> int:
        return self.arg_size[i - 1] if 0 < i <= len(self.arg_size) else 0

    def btf_of(self, i: int) -> str | None:
        return self.arg_btf[i - 1] if 0 < i <= len(self.arg_btf) else None

    @property
    def nargs(self) -> int:
        return len(self.args)


@dataclass(frozen=True, slots=True)
class Helper:
    id: int
    name: str
    proto: Proto | None  # None only for id 0 (unspec)
    variants: tuple[tuple[frozenset[str], Proto], ...] = ()
    offload: bool = False
    changes_pkt_data: bool = False

    @property
    def bpf_name(self) -> str:
        return "bpf_" + self.name

    @property
    def gpl_only(self) -> bool:
        return bool(self.proto and self.proto.gpl_only)

    def proto_for(
        self,
        prog_type: object,
        variant: str | None = None,
        *,
        sleepable: bool = False,
        recur: bool = False,
    ) -> Proto | None:
        """The proto a program of ``prog_type`` gets (whether or not it may call it)."""
        t = _type_name(prog_type)
        keys = {t}
        if variant:
            keys.add(f"{t}:{variant}")
        if sleepable:
            keys.add("sleepable")
        if recur:
            keys.add("recur")
        found = self.proto
        for sel, proto in self.variants:
            if sel & keys:
                found = proto  # later, more specific selectors win
        return found

    def allowed(self, prog_type: object, variant: str | None = None) -> bool:
        return allowed(self, prog_type, variant)


def _type_name(prog_type: object) -> str:
    if isinstance(prog_type, str):
        return prog_type
    name = getattr(prog_type, "name", None)
    if isinstance(name, str):
        return name.lower()
    raise TypeError(f"not a program type: {prog_type!r}")


def P(ret: int, *args: int, func: str | None, gpl: bool = False, pkt: bool = False, sleeps: bool = False,
      fastcall: bool = False, size: tuple[int, ...] = (), btf: tuple[str | None, ...] = (),
      ret_btf: str | None = None, allowed_cb: str | None = None) -> Proto:  # fmt: skip
    return Proto(
        RetType(ret), tuple(ArgType(a) for a in args), func, gpl, pkt, sleeps, fastcall, size, btf, ret_btf,
        allowed_cb,
    )  # fmt: skip


def V(
    selectors: tuple[str, ...], proto: Proto | None = None, **changes: object
) -> tuple[tuple[str, ...], Proto | None, dict]:
    """A per-program-type variant: a whole proto, or changes to the helper's default one."""
    return (selectors, proto, changes)


_RENAME = {"gpl": "gpl_only", "sleeps": "might_sleep", "pkt": "pkt_access"}

# NFP JIT (nfpsim): the only helper ids it translates.
NFP_OFFLOAD_IDS = frozenset({1, 2, 3, 7, 25, 44, 65})

# Helpers after which the verifier forgets packet pointers (bpf_helper_changes_pkt_data).
CHANGES_PKT_DATA_IDS = frozenset({
    9, 10, 11, 12, 13, 18, 19, 31, 38, 39, 43, 44, 50, 54, 63, 65, 73, 74, 75, 76, 90, 91, 143,
})  # fmt: skip


def H(id: int, name: str, proto: Proto | None, variants: tuple = ()) -> Helper:
    vs = []
    for sel, vproto, changes in variants:
        if vproto is None:
            assert proto is not None
            vproto = dataclasses.replace(proto, **{_RENAME.get(k, k): v for k, v in changes.items()})
        vs.append((frozenset(sel), vproto))
    return Helper(id, name, proto, tuple(vs), id in NFP_OFFLOAD_IDS, id in CHANGES_PKT_DATA_IDS)


# fmt: off
# Prototypes as the 6.18 verifier sees them.  The default is what sched_cls/sched_act get
# (xdp, socket_filter and cgroup_skb where tc has none); variants follow per program type.
HELPERS: tuple[Helper, ...] = (
    H(0, "unspec", None),
    H(1, "map_lookup_elem", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, func='bpf_map_lookup_elem', pkt=True)),
    H(2, "map_update_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING, func='bpf_map_update_elem', pkt=True)),
    H(3, "map_delete_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, func='bpf_map_delete_elem', pkt=True)),
    H(4, "probe_read", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_compat', gpl=True)),
    H(5, "ktime_get_ns", P(RET_INTEGER, func='bpf_ktime_get_ns')),
    H(6, "trace_printk", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_trace_printk', gpl=True)),
    H(7, "get_prandom_u32", P(RET_INTEGER, func='bpf_user_rnd_u32')),
    H(8, "get_smp_processor_id", P(RET_INTEGER, func='bpf_get_smp_processor_id', fastcall=True), variants=(
        V(('socket_filter', 'cgroup_skb', 'cgroup_sock', 'cgroup_sock_addr', 'sock_ops', 'sk_skb', 'sk_msg', 'lwt_in', 'lwt_out', 'lwt_xmit', 'lwt_seg6local', 'flow_dissector', 'sk_reuseport', 'sk_lookup', 'cgroup_device', 'cgroup_sysctl', 'cgroup_sockopt', 'netfilter', 'struct_ops', 'syscall'), P(RET_INTEGER, func='bpf_get_raw_cpu_id')),
    )),
    H(9, "skb_store_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_store_bytes')),
    H(10, "l3_csum_replace", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_l3_csum_replace')),
    H(11, "l4_csum_replace", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_l4_csum_replace')),
    H(12, "tail_call", P(RET_VOID, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, func=None)),
    H(13, "clone_redirect", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_clone_redirect')),
    H(14, "get_current_pid_tgid", P(RET_INTEGER, func='bpf_get_current_pid_tgid')),
    H(15, "get_current_uid_gid", P(RET_INTEGER, func='bpf_get_current_uid_gid')),
    H(16, "get_current_comm", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_get_current_comm')),
    H(17, "get_cgroup_classid", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_cgroup_classid'), variants=(
        V(('cgroup_device', 'cgroup_skb', 'cgroup_sock', 'cgroup_sock_addr', 'cgroup_sockopt', 'cgroup_sysctl', 'flow_dissector', 'kprobe', 'netfilter', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'sk_lookup', 'sk_msg', 'sk_reuseport', 'sk_skb', 'sock_ops', 'socket_filter', 'struct_ops', 'syscall', 'tracepoint', 'tracing', 'lsm', 'xdp'), P(RET_INTEGER, func='bpf_get_cgroup_classid_curr')),
    )),
    H(18, "skb_vlan_push", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_vlan_push')),
    H(19, "skb_vlan_pop", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_skb_vlan_pop')),
    H(20, "skb_get_tunnel_key", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_get_tunnel_key')),
    H(21, "skb_set_tunnel_key", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_set_tunnel_key')),
    H(22, "perf_event_read", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_perf_event_read', gpl=True)),
    H(23, "redirect", P(RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, func='bpf_redirect'), variants=(
        V(('xdp',), func='bpf_xdp_redirect'),
    )),
    H(24, "get_route_realm", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_route_realm')),
    H(25, "perf_event_output", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_skb_event_output', gpl=True), variants=(
        V(('xdp',), func='bpf_xdp_event_output'),
        V(('kprobe',), func='bpf_perf_event_output'),
        V(('tracepoint', 'perf_event'), func='bpf_perf_event_output_tp'),
        V(('raw_tracepoint', 'raw_tracepoint_writable', 'tracing'), func='bpf_perf_event_output_raw_tp'),
        V(('cgroup_sock', 'cgroup_sock_addr', 'sock_ops', 'sk_msg', 'sk_skb', 'sk_lookup', 'struct_ops', 'lsm', 'cgroup_sockopt', 'cgroup_sysctl', 'cgroup_device', 'flow_dissector', 'netfilter', 'sk_reuseport', 'syscall'), func='bpf_event_output_data'),
    )),
    H(26, "skb_load_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_skb_load_bytes'), variants=(
        V(('sk_reuseport',), func='sk_reuseport_load_bytes'),
        V(('flow_dissector',), func='bpf_flow_dissector_load_bytes'),
    )),
    H(27, "get_stackid", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_get_stackid', gpl=True), variants=(
        V(('tracepoint',), func='bpf_get_stackid_tp'),
        V(('raw_tracepoint', 'raw_tracepoint_writable', 'tracing'), func='bpf_get_stackid_raw_tp'),
        V(('perf_event',), func='bpf_get_stackid_pe', gpl=False),
    )),
    H(28, "csum_diff", P(RET_INTEGER, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_csum_diff', pkt=True)),
    H(29, "skb_get_tunnel_opt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_skb_get_tunnel_opt')),
    H(30, "skb_set_tunnel_opt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_skb_set_tunnel_opt')),
    H(31, "skb_change_proto", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_change_proto')),
    H(32, "skb_change_type", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_skb_change_type')),
    H(33, "skb_under_cgroup", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_skb_under_cgroup')),
    H(34, "get_hash_recalc", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_hash_recalc')),
    H(35, "get_current_task", P(RET_INTEGER, func='bpf_get_current_task', gpl=True)),
    H(36, "probe_write_user", P(RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_probe_write_user', gpl=True)),
    H(37, "current_task_under_cgroup", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_current_task_under_cgroup')),
    H(38, "skb_change_tail", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_change_tail'), variants=(
        V(('sk_skb',), func='sk_skb_change_tail'),
    )),
    H(39, "skb_pull_data", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_skb_pull_data'), variants=(
        V(('sk_skb',), func='sk_skb_pull_data'),
    )),
    H(40, "csum_update", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_csum_update')),
    H(41, "set_hash_invalid", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_set_hash_invalid')),
    H(42, "get_numa_node_id", P(RET_INTEGER, func='bpf_get_numa_node_id')),
    H(43, "skb_change_head", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_change_head'), variants=(
        V(('sk_skb',), func='sk_skb_change_head'),
    )),
    H(44, "xdp_adjust_head", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_xdp_adjust_head')),
    H(45, "probe_read_str", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_compat_str', gpl=True)),
    H(46, "get_socket_cookie", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_socket_cookie'), variants=(
        V(('cgroup_sock_addr',), func='bpf_get_socket_cookie_sock_addr'),
        V(('cgroup_sock',), func='bpf_get_socket_cookie_sock'),
        V(('sock_ops',), func='bpf_get_socket_cookie_sock_ops'),
        V(('sk_reuseport', 'syscall', 'tracing', 'lsm'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL, func='bpf_get_socket_ptr_cookie')),
    )),
    H(47, "get_socket_uid", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_socket_uid')),
    H(48, "set_hash", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_set_hash')),
    H(49, "setsockopt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_sock_ops_setsockopt'), variants=(
        V(('cgroup_sock_addr',), func='bpf_sock_addr_setsockopt'),
        V(('struct_ops', 'lsm', 'tracing'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_sk_setsockopt')),
        V(('cgroup_sock', 'cgroup_sockopt'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_unlocked_sk_setsockopt')),
    )),
    H(50, "skb_adjust_room", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_adjust_room'), variants=(
        V(('sk_skb',), func='sk_skb_adjust_room'),
    )),
    H(51, "redirect_map", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING, func='bpf_xdp_redirect_map')),
    H(52, "sk_redirect_map", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING, func='bpf_sk_redirect_map')),
    H(53, "sock_map_update", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='bpf_sock_map_update', pkt=True)),
    H(54, "xdp_adjust_meta", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_xdp_adjust_meta')),
    H(55, "perf_event_read_value", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_perf_event_read_value', gpl=True)),
    H(56, "perf_prog_read_value", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_perf_prog_read_value', gpl=True)),
    H(57, "getsockopt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_sock_ops_getsockopt'), variants=(
        V(('cgroup_sock_addr',), func='bpf_sock_addr_getsockopt'),
        V(('struct_ops', 'lsm', 'tracing'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_sk_getsockopt')),
        V(('cgroup_sock', 'cgroup_sockopt'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_unlocked_sk_getsockopt')),
    )),
    H(58, "override_return", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_override_return', gpl=True)),
    H(59, "sock_ops_cb_flags_set", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_sock_ops_cb_flags_set')),
    H(60, "msg_redirect_map", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING, func='bpf_msg_redirect_map')),
    H(61, "msg_apply_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_msg_apply_bytes')),
    H(62, "msg_cork_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_msg_cork_bytes')),
    H(63, "msg_pull_data", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_msg_pull_data')),
    H(64, "bind", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_bind')),
    H(65, "xdp_adjust_tail", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_xdp_adjust_tail')),
    H(66, "skb_get_xfrm_state", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_get_xfrm_state')),
    H(67, "get_stack", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_get_stack', gpl=True), variants=(
        V(('tracepoint',), func='bpf_get_stack_tp'),
        V(('raw_tracepoint', 'raw_tracepoint_writable', 'tracing'), P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_get_stack_raw_tp', gpl=True)),
        V(('perf_event',), func='bpf_get_stack_pe'),
        V(('sleepable',), func='bpf_get_stack_sleepable', sleeps=True),
    )),
    H(68, "skb_load_bytes_relative", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_load_bytes_relative'), variants=(
        V(('sk_reuseport',), func='sk_reuseport_load_bytes_relative'),
    )),
    H(69, "fib_lookup", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_skb_fib_lookup', gpl=True), variants=(
        V(('xdp',), func='bpf_xdp_fib_lookup'),
    )),
    H(70, "sock_hash_update", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='bpf_sock_hash_update', pkt=True)),
    H(71, "msg_redirect_hash", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='bpf_msg_redirect_hash')),
    H(72, "sk_redirect_hash", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='bpf_sk_redirect_hash')),
    H(73, "lwt_push_encap", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_lwt_in_push_encap'), variants=(
        V(('lwt_xmit',), func='bpf_lwt_xmit_push_encap'),
    )),
    H(74, "lwt_seg6_store_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_lwt_seg6_store_bytes')),
    H(75, "lwt_seg6_adjust_srh", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_lwt_seg6_adjust_srh')),
    H(76, "lwt_seg6_action", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_lwt_seg6_action')),
    H(77, "rc_repeat", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_rc_repeat', gpl=True)),
    H(78, "rc_keydown", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_rc_keydown', gpl=True)),
    H(79, "skb_cgroup_id", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_skb_cgroup_id')),
    H(80, "get_current_cgroup_id", P(RET_INTEGER, func='bpf_get_current_cgroup_id')),
    H(81, "get_local_storage", P(RET_PTR_TO_MAP_VALUE, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_get_local_storage')),
    H(82, "sk_select_reuseport", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='sk_select_reuseport')),
    H(83, "skb_ancestor_cgroup_id", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_skb_ancestor_cgroup_id')),
    H(84, "sk_lookup_tcp", P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_tc_sk_lookup_tcp', pkt=True), variants=(
        V(('xdp',), func='bpf_xdp_sk_lookup_tcp'),
        V(('cgroup_skb', 'sk_skb'), func='bpf_sk_lookup_tcp'),
        V(('cgroup_sock_addr',), P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_sock_addr_sk_lookup_tcp')),
    )),
    H(85, "sk_lookup_udp", P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_tc_sk_lookup_udp', pkt=True), variants=(
        V(('xdp',), func='bpf_xdp_sk_lookup_udp'),
        V(('cgroup_skb', 'sk_skb'), func='bpf_sk_lookup_udp'),
        V(('cgroup_sock_addr',), P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_sock_addr_sk_lookup_udp')),
    )),
    H(86, "sk_release", P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE, func='bpf_sk_release')),
    H(87, "map_push_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE, ARG_ANYTHING, func='bpf_map_push_elem', pkt=True)),
    H(88, "map_pop_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE, func='bpf_map_pop_elem')),
    H(89, "map_peek_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE, func='bpf_map_peek_elem')),
    H(90, "msg_push_data", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_msg_push_data')),
    H(91, "msg_pop_data", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, ARG_ANYTHING, func='bpf_msg_pop_data')),
    H(92, "rc_pointer_rel", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_rc_pointer_rel', gpl=True)),
    H(93, "spin_lock", P(RET_VOID, ARG_PTR_TO_SPIN_LOCK, func='bpf_spin_lock', btf=('*',))),
    H(94, "spin_unlock", P(RET_VOID, ARG_PTR_TO_SPIN_LOCK, func='bpf_spin_unlock', btf=('*',))),
    H(95, "sk_fullsock", P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_SOCK_COMMON, func='bpf_sk_fullsock')),
    H(96, "tcp_sock", P(RET_PTR_TO_TCP_SOCK_OR_NULL, ARG_PTR_TO_SOCK_COMMON, func='bpf_tcp_sock')),
    H(97, "skb_ecn_set_ce", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_skb_ecn_set_ce')),
    H(98, "get_listener_sock", P(RET_PTR_TO_SOCKET_OR_NULL, ARG_PTR_TO_SOCK_COMMON, func='bpf_get_listener_sock')),
    H(99, "skc_lookup_tcp", P(RET_PTR_TO_SOCK_COMMON_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_tc_skc_lookup_tcp', pkt=True), variants=(
        V(('xdp',), func='bpf_xdp_skc_lookup_tcp'),
        V(('cgroup_skb', 'sk_skb'), func='bpf_skc_lookup_tcp'),
        V(('cgroup_sock_addr',), P(RET_PTR_TO_SOCK_COMMON_OR_NULL, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_ANYTHING, func='bpf_sock_addr_skc_lookup_tcp')),
    )),
    H(100, "tcp_check_syncookie", P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_tcp_check_syncookie', gpl=True, pkt=True)),
    H(101, "sysctl_get_name", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_sysctl_get_name')),
    H(102, "sysctl_get_current_value", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_sysctl_get_current_value')),
    H(103, "sysctl_get_new_value", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_sysctl_get_new_value')),
    H(104, "sysctl_set_new_value", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_sysctl_set_new_value')),
    H(105, "strtol", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, func='bpf_strtol', size=(0, 0, 0, 8))),
    H(106, "strtoul", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, func='bpf_strtoul', size=(0, 0, 0, 8))),
    H(107, "sk_storage_get", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_sk_storage_get'), variants=(
        V(('cgroup_sock',), P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_CTX, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_sk_storage_get')),
        V(('tracing', 'lsm', 'kprobe', 'syscall'), P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_sk_storage_get_tracing', btf=(None, 'sock_common', None, None), allowed_cb='bpf_sk_storage_tracing_allowed')),
    )),
    H(108, "sk_storage_delete", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_sk_storage_delete'), variants=(
        V(('tracing', 'lsm', 'kprobe', 'syscall'), P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, func='bpf_sk_storage_delete_tracing', btf=(None, 'sock_common'), allowed_cb='bpf_sk_storage_tracing_allowed')),
    )),
    H(109, "send_signal", P(RET_INTEGER, ARG_ANYTHING, func='bpf_send_signal')),
    H(110, "tcp_gen_syncookie", P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_tcp_gen_syncookie', gpl=True, pkt=True)),
    H(111, "skb_output", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_skb_event_output', gpl=True, btf=('sk_buff', None, None, None, None))),
    H(112, "probe_read_user", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_user', gpl=True)),
    H(113, "probe_read_kernel", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_kernel', gpl=True)),
    H(114, "probe_read_user_str", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_user_str', gpl=True)),
    H(115, "probe_read_kernel_str", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_probe_read_kernel_str', gpl=True)),
    H(116, "tcp_send_ack", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_ANYTHING, func='bpf_tcp_send_ack', btf=('tcp_sock', None))),
    H(117, "send_signal_thread", P(RET_INTEGER, ARG_ANYTHING, func='bpf_send_signal_thread')),
    H(118, "jiffies64", P(RET_INTEGER, func='bpf_jiffies64')),
    H(119, "read_branch_records", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_read_branch_records', gpl=True)),
    H(120, "get_ns_current_pid_tgid", P(RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_get_ns_current_pid_tgid')),
    H(121, "xdp_output", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_xdp_event_output', gpl=True, btf=('xdp_buff', None, None, None, None))),
    H(122, "get_netns_cookie", P(RET_INTEGER, ARG_PTR_TO_CTX_OR_NULL, func='bpf_get_netns_cookie'), variants=(
        V(('cgroup_sockopt',), func='bpf_get_netns_cookie_sockopt'),
        V(('cgroup_sock',), func='bpf_get_netns_cookie_sock'),
        V(('cgroup_sock_addr',), func='bpf_get_netns_cookie_sock_addr'),
        V(('sock_ops',), func='bpf_get_netns_cookie_sock_ops'),
        V(('sk_msg',), func='bpf_get_netns_cookie_sk_msg'),
    )),
    H(123, "get_current_ancestor_cgroup_id", P(RET_INTEGER, ARG_ANYTHING, func='bpf_get_current_ancestor_cgroup_id')),
    H(124, "sk_assign", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, func='bpf_sk_assign'), variants=(
        V(('sk_lookup',), P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_SOCKET_OR_NULL, ARG_ANYTHING, func='bpf_sk_lookup_assign')),
    )),
    H(125, "ktime_get_boot_ns", P(RET_INTEGER, func='bpf_ktime_get_boot_ns')),
    H(126, "seq_printf", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_seq_printf', gpl=True, btf=('seq_file', None, None, None, None))),
    H(127, "seq_write", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_seq_write', gpl=True, btf=('seq_file', None, None))),
    H(128, "sk_cgroup_id", P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_sk_cgroup_id')),
    H(129, "sk_ancestor_cgroup_id", P(RET_INTEGER, ARG_PTR_TO_BTF_ID_SOCK_COMMON, ARG_ANYTHING, func='bpf_sk_ancestor_cgroup_id')),
    H(130, "ringbuf_output", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_ringbuf_output')),
    H(131, "ringbuf_reserve", P(RET_PTR_TO_RINGBUF_MEM_OR_NULL, ARG_CONST_MAP_PTR, ARG_CONST_ALLOC_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_ringbuf_reserve')),
    H(132, "ringbuf_submit", P(RET_VOID, ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING, func='bpf_ringbuf_submit')),
    H(133, "ringbuf_discard", P(RET_VOID, ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING, func='bpf_ringbuf_discard')),
    H(134, "ringbuf_query", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_ringbuf_query')),
    H(135, "csum_level", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, func='bpf_csum_level')),
    H(136, "skc_to_tcp6_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_tcp6_sock', ret_btf='tcp6_sock')),
    H(137, "skc_to_tcp_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_tcp_sock', ret_btf='tcp_sock')),
    H(138, "skc_to_tcp_timewait_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_tcp_timewait_sock', ret_btf='tcp_timewait_sock')),
    H(139, "skc_to_tcp_request_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_tcp_request_sock', ret_btf='tcp_request_sock')),
    H(140, "skc_to_udp6_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_udp6_sock', ret_btf='udp6_sock')),
    H(141, "get_task_stack", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_get_task_stack', btf=('task_struct', None, None, None)), variants=(
        V(('sleepable',), func='bpf_get_task_stack_sleepable', sleeps=True),
    )),
    H(142, "load_hdr_opt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_WRITE, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_sock_ops_load_hdr_opt')),
    H(143, "store_hdr_opt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_sock_ops_store_hdr_opt')),
    H(144, "reserve_hdr_opt", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_sock_ops_reserve_hdr_opt')),
    H(145, "inode_storage_get", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_inode_storage_get', btf=(None, 'inode', None, None))),
    H(146, "inode_storage_delete", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, func='bpf_inode_storage_delete', btf=(None, 'inode'))),
    H(147, "d_path", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, func='bpf_d_path', btf=('path', None, None), allowed_cb='bpf_d_path_allowed')),
    H(148, "copy_from_user", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_copy_from_user', sleeps=True)),
    H(149, "snprintf_btf", P(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, func='bpf_snprintf_btf')),
    H(150, "seq_printf_btf", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_seq_printf_btf', gpl=True, btf=('seq_file', None, None, None))),
    H(151, "skb_cgroup_classid", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_skb_cgroup_classid')),
    H(152, "redirect_neigh", P(RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_redirect_neigh')),
    H(153, "per_cpu_ptr", P(RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY, ARG_PTR_TO_PERCPU_BTF_ID, ARG_ANYTHING, func='bpf_per_cpu_ptr')),
    H(154, "this_cpu_ptr", P(RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY, ARG_PTR_TO_PERCPU_BTF_ID, func='bpf_this_cpu_ptr')),
    H(155, "redirect_peer", P(RET_INTEGER, ARG_ANYTHING, ARG_ANYTHING, func='bpf_redirect_peer')),
    H(156, "task_storage_get", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_task_storage_get', btf=(None, 'task_struct', None, None)), variants=(
        V(('recur',), func='bpf_task_storage_get_recur'),
    )),
    H(157, "task_storage_delete", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, func='bpf_task_storage_delete', btf=(None, 'task_struct')), variants=(
        V(('recur',), func='bpf_task_storage_delete_recur'),
    )),
    H(158, "get_current_task_btf", P(RET_PTR_TO_BTF_ID_TRUSTED, func='bpf_get_current_task_btf', gpl=True, ret_btf='task_struct')),
    H(159, "bprm_opts_set", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_ANYTHING, func='bpf_bprm_opts_set', btf=('linux_binprm', None))),
    H(160, "ktime_get_coarse_ns", P(RET_INTEGER, func='bpf_ktime_get_coarse_ns')),
    H(161, "ima_inode_hash", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_ima_inode_hash', sleeps=True, btf=('inode', None, None), allowed_cb='bpf_ima_inode_hash_allowed')),
    H(162, "sock_from_file", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID, func='bpf_sock_from_file', btf=('file',), ret_btf='socket')),
    H(163, "check_mtu", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_check_mtu', gpl=True, size=(0, 0, 4, 0, 0)), variants=(
        V(('xdp',), func='bpf_xdp_check_mtu'),
    )),
    H(164, "for_each_map_elem", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, func='bpf_for_each_map_elem')),
    H(165, "snprintf", P(RET_INTEGER, ARG_PTR_TO_MEM_OR_NULL, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_CONST_STR, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_snprintf', gpl=True)),
    H(166, "sys_bpf", P(RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_sys_bpf', sleeps=True)),
    H(167, "btf_find_by_name_kind", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_ANYTHING, ARG_ANYTHING, func='bpf_btf_find_by_name_kind', sleeps=True)),
    H(168, "sys_close", P(RET_INTEGER, ARG_ANYTHING, func='bpf_sys_close', sleeps=True)),
    H(169, "timer_init", P(RET_INTEGER, ARG_PTR_TO_TIMER, ARG_CONST_MAP_PTR, ARG_ANYTHING, func='bpf_timer_init', gpl=True)),
    H(170, "timer_set_callback", P(RET_INTEGER, ARG_PTR_TO_TIMER, ARG_PTR_TO_FUNC, func='bpf_timer_set_callback', gpl=True)),
    H(171, "timer_start", P(RET_INTEGER, ARG_PTR_TO_TIMER, ARG_ANYTHING, ARG_ANYTHING, func='bpf_timer_start', gpl=True)),
    H(172, "timer_cancel", P(RET_INTEGER, ARG_PTR_TO_TIMER, func='bpf_timer_cancel', gpl=True)),
    H(173, "get_func_ip", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_func_ip_tracing', gpl=True), variants=(
        V(('kprobe',), func='bpf_get_func_ip_kprobe'),
        V(('kprobe:kprobe_multi', 'kprobe:kprobe_session'), func='bpf_get_func_ip_kprobe_multi', gpl=False),
        V(('kprobe:uprobe_multi',), func='bpf_get_func_ip_uprobe_multi', gpl=False),
    )),
    H(174, "get_attach_cookie", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_get_attach_cookie_trace'), variants=(
        V(('kprobe', 'tracepoint', 'raw_tracepoint'), func='bpf_get_attach_cookie_trace'),
        V(('kprobe:kprobe_multi', 'kprobe:kprobe_session'), func='bpf_get_attach_cookie_kprobe_multi'),
        V(('kprobe:uprobe_multi',), func='bpf_get_attach_cookie_uprobe_multi'),
        V(('perf_event',), func='bpf_get_attach_cookie_pe'),
        V(('tracing', 'lsm'), func='bpf_get_attach_cookie_tracing'),
        V(('cgroup_sock', 'cgroup_sock_addr', 'cgroup_skb', 'cgroup_device', 'cgroup_sysctl', 'cgroup_sockopt', 'lsm:lsm_cgroup'), func='bpf_get_attach_cookie'),
    )),
    H(175, "task_pt_regs", P(RET_PTR_TO_BTF_ID, ARG_PTR_TO_BTF_ID, func='bpf_task_pt_regs', gpl=True, btf=('task_struct',), ret_btf='pt_regs')),
    H(176, "get_branch_snapshot", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, func='bpf_get_branch_snapshot', gpl=True)),
    H(177, "trace_vprintk", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, func='bpf_trace_vprintk', gpl=True)),
    H(178, "skc_to_unix_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_BTF_ID_SOCK_COMMON, func='bpf_skc_to_unix_sock', ret_btf='unix_sock')),
    H(179, "kallsyms_lookup_name", P(RET_INTEGER, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, func='bpf_kallsyms_lookup_name', size=(0, 0, 0, 8))),
    H(180, "find_vma", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, func='bpf_find_vma', btf=('task_struct', None, None, None, None))),
    H(181, "loop", P(RET_INTEGER, ARG_ANYTHING, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, func='bpf_loop')),
    H(182, "strncmp", P(RET_INTEGER, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, ARG_PTR_TO_CONST_STR, func='bpf_strncmp')),
    H(183, "get_func_arg", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, func='get_func_arg', size=(0, 0, 8))),
    H(184, "get_func_ret", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, func='get_func_ret', size=(0, 8))),
    H(185, "get_func_arg_cnt", P(RET_INTEGER, ARG_PTR_TO_CTX, func='get_func_arg_cnt')),
    H(186, "get_retval", P(RET_INTEGER, func='bpf_get_retval')),
    H(187, "set_retval", P(RET_INTEGER, ARG_ANYTHING, func='bpf_set_retval')),
    H(188, "xdp_get_buff_len", P(RET_INTEGER, ARG_PTR_TO_CTX, func='bpf_xdp_get_buff_len'), variants=(
        V(('tracing', 'syscall', 'lsm'), P(RET_INTEGER, ARG_PTR_TO_BTF_ID, func='bpf_xdp_get_buff_len', btf=('xdp_buff',))),
    )),
    H(189, "xdp_load_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_xdp_load_bytes')),
    H(190, "xdp_store_bytes", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE, func='bpf_xdp_store_bytes')),
    H(191, "copy_from_user_task", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_PTR_TO_BTF_ID, ARG_ANYTHING, func='bpf_copy_from_user_task', gpl=True, sleeps=True, btf=(None, None, None, 'task_struct', None))),
    H(192, "skb_set_tstamp", P(RET_INTEGER, ARG_PTR_TO_CTX, ARG_ANYTHING, ARG_ANYTHING, func='bpf_skb_set_tstamp')),
    H(193, "ima_file_hash", P(RET_INTEGER, ARG_PTR_TO_BTF_ID, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE, func='bpf_ima_file_hash', sleeps=True, btf=('file', None, None), allowed_cb='bpf_ima_inode_hash_allowed')),
    H(194, "kptr_xchg", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_KPTR_XCHG_DEST, ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE, func='bpf_kptr_xchg', btf=(None, '*'), ret_btf='*')),
    H(195, "map_lookup_percpu_elem", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY, ARG_ANYTHING, func='bpf_map_lookup_percpu_elem', pkt=True)),
    H(196, "skc_to_mptcp_sock", P(RET_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_SOCK_COMMON, func='bpf_skc_to_mptcp_sock', ret_btf='mptcp_sock')),
    H(197, "dynptr_from_mem", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT | MEM_WRITE, func='bpf_dynptr_from_mem')),
    H(198, "ringbuf_reserve_dynptr", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_ANYTHING, ARG_ANYTHING, ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT | MEM_WRITE, func='bpf_ringbuf_reserve_dynptr')),
    H(199, "ringbuf_submit_dynptr", P(RET_VOID, ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE, ARG_ANYTHING, func='bpf_ringbuf_submit_dynptr')),
    H(200, "ringbuf_discard_dynptr", P(RET_VOID, ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE, ARG_ANYTHING, func='bpf_ringbuf_discard_dynptr')),
    H(201, "dynptr_read", P(RET_INTEGER, ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE_OR_ZERO, ARG_PTR_TO_DYNPTR | MEM_RDONLY, ARG_ANYTHING, ARG_ANYTHING, func='bpf_dynptr_read')),
    H(202, "dynptr_write", P(RET_INTEGER, ARG_PTR_TO_DYNPTR | MEM_RDONLY, ARG_ANYTHING, ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE_OR_ZERO, ARG_ANYTHING, func='bpf_dynptr_write')),
    H(203, "dynptr_data", P(RET_PTR_TO_DYNPTR_MEM_OR_NULL, ARG_PTR_TO_DYNPTR | MEM_RDONLY, ARG_ANYTHING, ARG_CONST_ALLOC_SIZE_OR_ZERO, func='bpf_dynptr_data')),
    H(204, "tcp_raw_gen_syncookie_ipv4", P(RET_INTEGER, ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, func='bpf_tcp_raw_gen_syncookie_ipv4', gpl=True, pkt=True, size=(20, 0, 0))),
    H(205, "tcp_raw_gen_syncookie_ipv6", P(RET_INTEGER, ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_MEM, ARG_CONST_SIZE_OR_ZERO, func='bpf_tcp_raw_gen_syncookie_ipv6', gpl=True, pkt=True, size=(40, 0, 0))),
    H(206, "tcp_raw_check_syncookie_ipv4", P(RET_INTEGER, ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_FIXED_SIZE_MEM, func='bpf_tcp_raw_check_syncookie_ipv4', gpl=True, pkt=True, size=(20, 20))),
    H(207, "tcp_raw_check_syncookie_ipv6", P(RET_INTEGER, ARG_PTR_TO_FIXED_SIZE_MEM, ARG_PTR_TO_FIXED_SIZE_MEM, func='bpf_tcp_raw_check_syncookie_ipv6', gpl=True, pkt=True, size=(40, 20))),
    H(208, "ktime_get_tai_ns", P(RET_INTEGER, func='bpf_ktime_get_tai_ns')),
    H(209, "user_ringbuf_drain", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_FUNC, ARG_PTR_TO_STACK_OR_NULL, ARG_ANYTHING, func='bpf_user_ringbuf_drain')),
    H(210, "cgrp_storage_get", P(RET_PTR_TO_MAP_VALUE_OR_NULL, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, ARG_PTR_TO_MAP_VALUE_OR_NULL, ARG_ANYTHING, func='bpf_cgrp_storage_get', btf=(None, 'cgroup', None, None))),
    H(211, "cgrp_storage_delete", P(RET_INTEGER, ARG_CONST_MAP_PTR, ARG_PTR_TO_BTF_ID_OR_NULL, func='bpf_cgrp_storage_delete', btf=(None, 'cgroup'))),
)
# fmt: on

_BY_ID: dict[int, Helper] = {h.id: h for h in HELPERS}
_BY_NAME: dict[str, Helper] = {h.name: h for h in HELPERS}


def by_id(helper_id: int) -> Helper | None:
    return _BY_ID.get(helper_id)


def by_name(name: str) -> Helper | None:
    """Look up ``map_lookup_elem`` or ``bpf_map_lookup_elem``."""
    h = _BY_NAME.get(name)
    if h is None and name.startswith("bpf_"):
        h = _BY_NAME.get(name[4:])
    return h


def helpers() -> Iterator[Helper]:
    """All helpers in id order (id 0, ``unspec``, included)."""
    return iter(HELPERS)


def _ranges(spec: str) -> frozenset[int]:
    out: set[int] = set()
    for part in spec.split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


@cache
def _variant_sets(prog_type: str) -> dict[str, frozenset[int]]:
    return {label: _ranges(spec) for label, spec in _AVAILABLE.get(prog_type, {}).items()}


def variants_of(prog_type: object) -> tuple[str, ...]:
    """The probed attach variants of a program type (first = the default one)."""
    return tuple(_AVAILABLE.get(_type_name(prog_type), {}))


def probed_types() -> tuple[str, ...]:
    """Program types with at least one probed variant, in enum order."""
    return tuple(_AVAILABLE)


@cache
def available_ids(prog_type: object, variant: str | None = None) -> frozenset[int]:
    """Helper ids a program of this type (and attach variant) may call on 6.18.

    Without ``variant`` it is the union over the probed variants of the type (which helper
    set cgroup_sock_addr programs get depends on their attach type, for example).  Types
    that could not be probed (see ``NOT_PROBED``) give an empty set.
    """
    sets = _variant_sets(_type_name(prog_type))
    if variant is not None:
        return sets.get(variant, frozenset())
    return frozenset().union(*sets.values()) if sets else frozenset()


def allowed(helper: Helper | int | str, prog_type: object, variant: str | None = None) -> bool:
    """May a program of ``prog_type`` call ``helper`` (the kernel has a proto for it)?

    True also for helpers whose proto exists but that still fail for other reasons the
    verifier checks after it (``might_sleep`` in a non-sleepable program, an ``allowed_cb``
    that refuses the attach point, gpl_only in a non-GPL program).
    """
    if isinstance(helper, Helper):
        hid = helper.id
    elif isinstance(helper, str):
        h = by_name(helper)
        if h is None:
            return False
        hid = h.id
    else:
        hid = int(helper)
    return hid in available_ids(prog_type, variant)


# BEGIN GENERATED AVAILABILITY
# Measured by tests/oracle/helpers_probe/probe_availability.py; regenerate with
# gen_availability.py.  Do not edit by hand.
PROBED_KERNEL = "6.18.44-fc-v669"
MAX_ID = 212
_AVAILABLE: dict[str, dict[str, str]] = {
    "socket_filter": {
        "default": "1-3,5-8,12,14-17,22,25-26,35,37,42,46-47,55,68,80,87-89,93-94,105-106,109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "kprobe": {
        "default": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
        "kprobe_multi": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
        "kprobe_session": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
        "uprobe_multi": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
    },
    "sched_cls": {
        "default": "1-3,5-26,28-35,37-43,46-48,50,55,66,68-69,79-80,83-89,93-100,105-110,112-115,117-118,120,122-125,130-141,148-149,151-158,160,163-165,169-172,175-178,180-182,191-192,194-211",
    },
    "sched_act": {
        "default": "1-3,5-26,28-35,37-43,46-48,50,55,66,68-69,79-80,83-89,93-100,105-110,112-115,117-118,120,122-125,130-141,148-149,151-158,160,163-165,169-172,175-178,180-182,191-192,194-211",
    },
    "tracepoint": {
        "default": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
    },
    "xdp": {
        "default": "1-3,5-8,12,14-17,22-23,25,28,35,37,42,44,51,54-55,65,69,80,84-89,93-94,99-100,105-106,109-110,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,163-165,169-172,175-178,180-182,188-191,194-211",
        "devmap": "1-3,5-8,12,14-17,22-23,25,28,35,37,42,44,51,54-55,65,69,80,84-89,93-94,99-100,105-106,109-110,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,163-165,169-172,175-178,180-182,188-191,194-211",
        "cpumap": "1-3,5-8,12,14-17,22-23,25,28,35,37,42,44,51,54-55,65,69,80,84-89,93-94,99-100,105-106,109-110,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,163-165,169-172,175-178,180-182,188-191,194-211",
    },
    "perf_event": {
        "default": "1-8,12,14-17,22,25,27,35,37,42,45,55-56,67,80,87-89,93-94,105-106,109,112-115,117-120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
    },
    "cgroup_skb": {
        "ingress": "1-3,5-8,12,14-17,22,25-26,35,37,42,46-47,55,68,79-81,83-89,93-99,105-109,112-115,117-118,120,122-123,125,128-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "egress": "1-3,5-8,12,14-17,22,25-26,35,37,42,46-47,55,68,79-81,83-89,93-99,105-109,112-115,117-118,120,122-123,125,128-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "cgroup_sock": {
        "sock_create": "1-3,5-8,12,14-17,22,25,35,37,42,46,55,80-81,87-89,93-94,105-107,109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
        "sock_release": "1-3,5-8,12,14-17,22,25,35,37,42,46,55,80-81,87-89,93-94,105-107,109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
        "post_bind4": "1-3,5-8,12,14-17,22,25,35,37,42,46,55,80-81,87-89,93-94,105-107,109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
        "post_bind6": "1-3,5-8,12,14-17,22,25,35,37,42,46,55,80-81,87-89,93-94,105-107,109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
    },
    "lwt_in": {
        "default": "1-3,5-8,12,14-17,22,24-26,28,33-35,37,39,42,55,73,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "lwt_out": {
        "default": "1-3,5-8,12,14-17,22,24-26,28,33-35,37,39,42,55,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "lwt_xmit": {
        "default": "1-3,5-17,20-26,28-30,33-35,37-43,55,73,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "sock_ops": {
        "default": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,53,55,57,59,70,80-81,87-89,93-94,96,105-109,112-115,117-118,120,122-123,125,130-134,136-144,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "sk_skb": {
        "stream_parser": "1-3,5-9,12,14-17,22,25-26,35,37-39,42-43,46-47,50,52,55,72,80,84-89,93-94,99,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "stream_verdict": "1-3,5-9,12,14-17,22,25-26,35,37-39,42-43,46-47,50,52,55,72,80,84-89,93-94,99,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "skb_verdict": "1-3,5-9,12,14-17,22,25-26,35,37-39,42-43,46-47,50,52,55,72,80,84-89,93-94,99,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "cgroup_device": {
        "default": "1-3,5-8,12,14-17,22,25,35,37,42,55,80-81,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-172,175-177,180-182,191,194-195,197-203,208-211",
    },
    "sk_msg": {
        "default": "1-3,5-8,12,14-17,22,25,35,37,42,55,60-63,71,80,87-91,93-94,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "raw_tracepoint": {
        "default": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
    },
    "cgroup_sock_addr": {
        "bind4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "bind6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "connect4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,64,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "connect6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,64,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "connect_unix": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "sendmsg4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "sendmsg6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "sendmsg_unix": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,186-187,191,194-203,208-211",
        "recvmsg4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "recvmsg6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "recvmsg_unix": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getpeername4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getpeername6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getpeername_unix": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getsockname4": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getsockname6": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
        "getsockname_unix": "1-3,5-8,12,14-17,22,25,35,37,42,46,49,55,57,80-81,84-89,93-94,99,105-109,112-115,117-118,120,122-123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "lwt_seg6local": {
        "default": "1-3,5-8,12,14-17,22,24-26,28,33-35,37,39,42,55,74-76,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "sk_reuseport": {
        "select": "1-3,5-8,12,14-17,22,26,35,37,42,46,55,68,80,82,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,191,194-195,197-203,208-211",
        "select_or_migrate": "1-3,5-8,12,14-17,22,26,35,37,42,46,55,68,80,82,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,191,194-195,197-203,208-211",
    },
    "flow_dissector": {
        "default": "1-3,5-8,12,14-17,22,26,35,37,42,55,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "cgroup_sysctl": {
        "default": "1-3,5-8,12,14-17,22,25,35,37,42,55,80-81,87-89,93-94,101-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
    },
    "raw_tracepoint_writable": {
        "default": "1-8,12,14-17,22,25,27,35,37,42,45,55,67,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-177,180-182,191,194-195,197-203,208-211",
    },
    "cgroup_sockopt": {
        "getsockopt": "1-3,5-8,12,14-17,22,25,35,37,42,55,80-81,87-89,93-94,96,105-109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
        "setsockopt": "1-3,5-8,12,14-17,22,25,35,37,42,49,55,57,80-81,87-89,93-94,96,105-109,112-115,117-118,120,122-123,125,130-134,141,148-149,153-154,156-158,164-165,169-172,175-177,180-182,186-187,191,194-195,197-203,208-211",
    },
    "tracing": {
        "tp_btf": "1-8,12,14-17,22,25,27,35,37,42,45-46,55,67,80,87-89,93-94,105-109,111-115,117-118,120-121,123,125,130-134,136-141,147-149,153-154,156-158,162,164-165,169-178,180-182,188,191,194-203,208-211",
        "iter": "1-8,12,14-17,22,25,27,35,37,42,45-46,55,67,80,87-89,93-94,105-109,111-115,117-118,120-121,123,125-127,130-134,136-141,147-150,153-154,156-158,162,164-165,169-173,175-178,180-182,188,191,194-203,208-211",
    },
    "struct_ops": {
        "tcp_ca.ssthresh": "1-3,5-8,12,14-17,22,35,37,42,49,55,57,80,87-89,93-94,105-109,112-118,120,123,125,130-134,141,148-149,153-154,156-158,160,164-165,169-172,175-177,180-182,191,194-195,197-203,208-211",
    },
    "sk_lookup": {
        "default": "1-3,5-8,12,14-17,22,25,35,37,42,55,80,86-89,93-94,105-106,109,112-115,117-118,120,123-125,130-134,136-141,148-149,153-154,156-158,160,164-165,169-172,175-178,180-182,191,194-203,208-211",
    },
    "syscall": {
        "sleepable": "1-8,12,14-17,22,25,27,35,37,42,45-46,55,67,80,87-89,93-94,105-109,111-115,117-118,120-121,123,125,130-134,136-141,147-149,153-154,156-158,162,164-173,175-182,188,191,194-203,208-211",
    },
    "netfilter": {
        "default": "1-3,5-8,12,14-17,22,35,37,42,55,80,87-89,93-94,105-106,109,112-115,117-118,120,123,125,130-134,141,148-149,153-154,156-158,164-165,169-172,175-177,180-182,191,194-195,197-203,208-211",
    },
}
# variants that could not be loaded at all on the oracle kernel, with the reason
NOT_PROBED: dict[str, str] = {
    "lirc_mode2:default": "errno 22 with an empty verifier log",
    "tracing:default": "Tracing programs must provide btf_id",
    "tracing:fentry": "errno 1 with an empty verifier log",
    "tracing:fexit": "errno 1 with an empty verifier log",
    "tracing:fmod_ret": "errno 1 with an empty verifier log",
    "tracing:fmod_ret.s": "errno 1 with an empty verifier log",
    "ext:default": "errno 1 with an empty verifier log",
    "lsm:default": "errno 1 with an empty verifier log",
    "lsm:lsm.file_open": "errno 1 with an empty verifier log",
    "lsm:lsm.s.file_open": "errno 1 with an empty verifier log",
    "lsm:lsm_cgroup.socket_bind": "errno 1 with an empty verifier log",
    "syscall:default": "Syscall programs can only be sleepable",
}
# END GENERATED AVAILABILITY
