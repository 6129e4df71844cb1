"""Function prototypes from the program's BTF: what a global function may be called with.

A global (non-static) function is verified once, on its own, for any arguments its BTF
prototype allows, and every call to it is checked against the same prototype instead of
being walked into (the kernel's btf_prepare_func_args / btf_check_func_arg_match). The
prototype's parameters become argument kinds:

* ``SCALAR`` — an integer or enum;
* ``CTX`` — a pointer to the program type's context struct (``struct xdp_md *`` for XDP,
  ``struct __sk_buff *`` for the skb family, or the kernel struct they project), or any
  pointer tagged ``arg:ctx``;
* ``MEM`` — any other pointer of a global function: memory of the pointee's size, possibly
  NULL unless tagged ``arg:nonnull``;
* ``ARENA`` — a pointer tagged ``arg:arena``: anything, seen as an unknown scalar.

Static functions take only scalars and ctx pointers; anything else makes them "unreliable"
for BTF without an error (they are walked into at each call anyway). Errors carry the
kernel's log line, or none where the kernel fails silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..uapi import btf as B
from ..uapi.consts import EFAULT, EINVAL, EOPNOTSUPP, ProgType

SCALAR, CTX, MEM, ARENA = "scalar", "ctx", "mem", "arena"
MAX_ARGS = 5

# the context struct each program type's programs see (uapi name), as bpf_types.h pairs them
CTX_STRUCT = {
    ProgType.SOCKET_FILTER: "__sk_buff", ProgType.SCHED_CLS: "__sk_buff", ProgType.SCHED_ACT: "__sk_buff",
    ProgType.XDP: "xdp_md", ProgType.CGROUP_SKB: "__sk_buff", ProgType.CGROUP_SOCK: "bpf_sock",
    ProgType.CGROUP_SOCK_ADDR: "bpf_sock_addr", ProgType.LWT_IN: "__sk_buff", ProgType.LWT_OUT: "__sk_buff",
    ProgType.LWT_XMIT: "__sk_buff", ProgType.LWT_SEG6LOCAL: "__sk_buff", ProgType.SOCK_OPS: "bpf_sock_ops",
    ProgType.SK_SKB: "__sk_buff", ProgType.SK_MSG: "sk_msg_md", ProgType.FLOW_DISSECTOR: "__sk_buff",
    ProgType.PERF_EVENT: "bpf_perf_event_data", ProgType.RAW_TRACEPOINT: "bpf_raw_tracepoint_args",
    ProgType.RAW_TRACEPOINT_WRITABLE: "bpf_raw_tracepoint_args", ProgType.CGROUP_DEVICE: "bpf_cgroup_dev_ctx",
    ProgType.CGROUP_SYSCTL: "bpf_sysctl", ProgType.CGROUP_SOCKOPT: "bpf_sockopt",
    ProgType.SK_REUSEPORT: "sk_reuseport_md", ProgType.SK_LOOKUP: "bpf_sk_lookup", ProgType.NETFILTER: "bpf_nf_ctx",
}
# the kernel-side structs a program may also name for its context (btf_is_projection_of)
PROJECTION = {"__sk_buff": "sk_buff", "xdp_md": "xdp_buff"}

_TAGS = ("ctx", "trusted", "untrusted", "nonnull", "nullable", "arena")


@dataclass(frozen=True)
class Arg:
    kind: str
    nullable: bool = False
    mem_size: int = 0


class ArgError(Exception):
    """The prototype cannot be used: ``errno`` and the log line (None: no line)."""

    def __init__(self, errno: int, msg: str | None = None) -> None:
        super().__init__(msg)
        self.errno = errno
        self.msg = msg


def _t(btf: Any, tid: int) -> B.BtfType | None:
    return btf.types[tid] if 0 <= tid < len(btf.types) else None


def _name(btf: Any, t: B.BtfType) -> str:
    try:
        return btf.str_at(t.name_off)
    except B.BtfError:
        return ""


def _skip_mods(btf: Any, tid: int) -> tuple[int, B.BtfType | None]:
    t = _t(btf, tid)
    depth = 0
    while t is not None and t.is_modifier() and depth < B.MAX_RESOLVE_DEPTH:
        tid = t.type
        t = _t(btf, tid)
        depth += 1
    return tid, t


def _is_void(t: B.BtfType | None) -> bool:
    return t is not None and t.kind == B.Kind.UNKN


def _is_int_or_enum(t: B.BtfType | None) -> bool:
    return t is not None and t.kind in (B.Kind.INT, B.Kind.ENUM, B.Kind.ENUM64)


def kind_str(t: B.BtfType | None) -> str:
    """btf_type_str: the kind's name as the kernel prints it."""
    if t is None:
        return "UNKNOWN"
    try:
        k = B.Kind(t.kind)
    except ValueError:
        return "UNKNOWN"
    return "UNKNOWN" if k == B.Kind.UNKN else k.name


def resolve_size(btf: Any, t: B.BtfType | None) -> int | None:
    """btf_resolve_size: the size of a sized type through modifiers and arrays, else None."""
    nelems = 1
    for _ in range(B.MAX_RESOLVE_DEPTH):
        if t is None:
            return None
        k = t.kind
        if k in (B.Kind.INT, B.Kind.STRUCT, B.Kind.UNION, B.Kind.ENUM, B.Kind.FLOAT, B.Kind.ENUM64):
            size = t.size
            break
        if k == B.Kind.PTR:
            size = 8
            break
        if t.is_modifier():
            t = _t(btf, t.type)
            continue
        if k == B.Kind.ARRAY and t.array is not None:
            n = t.array[2]
            if nelems and n > 0xFFFFFFFF // nelems:
                return None
            nelems *= n
            t = _t(btf, t.array[0])
            continue
        return None
    else:
        return None
    if nelems and size > 0xFFFFFFFF // nelems:
        return None
    return nelems * size


def func_linkage(btf: Any, type_id: int) -> int:
    t = _t(btf, type_id) if btf is not None else None
    return t.func_linkage if t is not None and t.kind == B.Kind.FUNC else B.FUNC_STATIC


def func_name(btf: Any, type_id: int) -> str:
    t = _t(btf, type_id) if btf is not None else None
    return _name(btf, t) if t is not None else ""


def _arg_tags(btf: Any, fn_id: int, i: int, is_global: bool) -> set[str]:
    tags: set[str] = set()
    for t in btf.types[1:]:
        if t.kind != B.Kind.DECL_TAG or t.type != fn_id or t.component_idx != i:
            continue
        name = _name(btf, t)
        if not name.startswith("arg:"):
            continue
        if not is_global:
            raise ArgError(EOPNOTSUPP, f"arg#{i} type tag is not supported in static functions")
        tag = name[4:]
        if tag not in _TAGS:
            raise ArgError(EOPNOTSUPP, f"arg#{i} has unsupported set of tags")
        tags.add(tag)
    return tags


def _is_prog_ctx(btf: Any, ptr: B.BtfType, prog_type: int) -> bool:
    """btf_is_prog_ctx_type: the pointee is a struct named as the program type's context."""
    _, t = _skip_mods(btf, ptr.type)
    if t is None or t.kind != B.Kind.STRUCT:
        return False
    want = CTX_STRUCT.get(prog_type, "")
    if not want:
        return False
    tname = _name(btf, t)
    return tname == want or tname == PROJECTION.get(want)


def _validate_ctx_tag(btf: Any, ptr: B.BtfType, i: int, prog_type: int) -> None:
    """btf_validate_prog_ctx_type for an ``arg:ctx`` pointer."""
    _, t = _skip_mods(btf, ptr.type)
    if _is_void(t):
        return
    tname = _name(btf, t) if t is not None else ""
    if not tname:
        raise ArgError(EINVAL, f"arg#{i} type doesn't have a name")
    if prog_type in (ProgType.TRACEPOINT, ProgType.SYSCALL, ProgType.EXT):
        return
    if prog_type in (ProgType.RAW_TRACEPOINT, ProgType.RAW_TRACEPOINT_WRITABLE, ProgType.LSM,
                     ProgType.STRUCT_OPS) and t is not None and t.kind == B.Kind.INT and t.size == 8:
        return
    want = CTX_STRUCT.get(prog_type, "")
    if not want:
        raise ArgError(EINVAL, f"arg#{i} should be void pointer")
    if t is None or t.kind != B.Kind.STRUCT or tname != want:
        raise ArgError(EINVAL, f"arg#{i} should be `struct {want} *`")


def prepare_func_args(btf: Any, type_id: int, is_global: bool, prog_type: int, subprog: int) -> list[Arg]:
    """The argument kinds of function ``type_id`` (a BTF FUNC); ArgError when unusable."""
    if not type_id:
        if not is_global:
            raise ArgError(EINVAL)
        raise ArgError(EFAULT, "Global functions need valid BTF")
    fn = _t(btf, type_id) if btf is not None else None
    if fn is None or fn.kind != B.Kind.FUNC:
        raise ArgError(EFAULT, f"BTF of func#{subprog} doesn't point to KIND_FUNC")
    tname = _name(btf, fn)
    proto = _t(btf, fn.type)
    if proto is None or proto.kind != B.Kind.FUNC_PROTO:
        raise ArgError(EFAULT, f"Invalid type of function {tname}()")
    params = proto.params
    if len(params) > MAX_ARGS:
        if not is_global:
            raise ArgError(EINVAL)
        raise ArgError(EINVAL, f"Global function {tname}() with {len(params)} > {MAX_ARGS} args. Buggy compiler.")
    _, ret = _skip_mods(btf, proto.type)
    if not _is_int_or_enum(ret):
        if not is_global:
            raise ArgError(EINVAL)
        raise ArgError(EINVAL, f"Global function {tname}() doesn't return scalar. Only those are supported.")
    out: list[Arg] = []
    for i, p in enumerate(params):
        tags = _arg_tags(btf, type_id, i, is_global)
        _, t = _skip_mods(btf, p.type)
        if t is not None and t.kind == B.Kind.PTR:
            if "ctx" in tags or _is_prog_ctx(btf, t, prog_type):
                if tags - {"ctx"}:
                    raise ArgError(EINVAL, f"arg#{i} has invalid combination of tags")
                if "ctx" in tags:
                    _validate_ctx_tag(btf, t, i, prog_type)
                out.append(Arg(CTX))
                continue
            if "trusted" in tags or "untrusted" in tags:
                # kernel objects by BTF id: the simulated kernel has no vmlinux BTF to find them in
                raise ArgError(EINVAL, f"arg#{i} has type with no kernel BTF to resolve it")
            if "arena" in tags:
                if tags - {"arena"}:
                    raise ArgError(EINVAL, f"arg#{i} arena cannot be combined with any other tags")
                out.append(Arg(ARENA))
                continue
            if is_global:  # generic user data pointer
                if "nullable" in tags:
                    raise ArgError(EINVAL, f"arg#{i} has invalid combination of tags")
                _, pointee = _skip_mods(btf, t.type)
                size = resolve_size(btf, pointee)
                if size is None:
                    pname = _name(btf, pointee) if pointee is not None else ""
                    raise ArgError(EINVAL, f"arg#{i} reference type('{kind_str(pointee)} {pname}') size cannot be "
                                           f"determined: -{EINVAL}")
                out.append(Arg(MEM, nullable="nonnull" not in tags, mem_size=size))
                continue
        if tags:
            raise ArgError(EINVAL, f"arg#{i} has pointer tag, but is not a pointer type")
        if _is_int_or_enum(t):
            out.append(Arg(SCALAR))
            continue
        if not is_global:
            raise ArgError(EINVAL)
        raise ArgError(EINVAL, f"Arg#{i} type {kind_str(t)} in {tname}() is not supported yet.")
    return out
