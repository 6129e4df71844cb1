"""``bpf(cmd, attr)``: the commands of the simulated 6.18 kernel.

:func:`dispatch` runs one command inside one :class:`~pykernel.objects.Kernel` (one store
transaction, opened by :meth:`pykernel.process.Process.bpf`). Each handler performs the
checks Linux performs, in Linux's order, and raises ``SyscallError`` with Linux's errno;
the order and errnos were measured on the reference kernel (see tests/test_kernel_*.py).

Handlers for commands other engineers own (links, attach, netlink-side objects) are added
with :func:`register`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import struct
import time
from collections.abc import Callable
from typing import Any

from . import bpffs, config
from .maps import MAP_CLASSES
from .maps.base import (
    F_NUMA_NODE,
    F_RDONLY,
    F_WRONLY,
    NUMA_NO_NODE,
    BpfMap,
    numa_node_of,
)
from .maps.fdarray import prog_map_compatible
from .objects import BTF, LINK, MAP, O_RDONLY, O_RDWR, O_WRONLY, PROG, Kernel, can_read, can_write
from .prog import Prog, jit, jited_func_lens, license_is_gpl_compatible, xlated_for_dump
from .uapi import attr as A
from .uapi.consts import (
    E2BIG,
    EACCES,
    EBUSY,
    EFAULT,
    EINVAL,
    ENOENT,
    ENOSPC,
    ENOTSUPP,
    EPERM,
    AttachType,
    Cmd,
    MapType,
    ProgType,
)
from .uapi.errors import SyscallError
from .uapi.insn import Insn, decode_all, encode_all
from .uapi.structs import dataclass, field  # dataclasses without the import cost

EBADFD = 77
BPF_F_LOCK = 4
BPF_F_PATH_FD = 1 << 14
BPF_F_TOKEN_FD = 1 << 16
INT_MAX = 0x7FFFFFFF

Handler = Callable[[Kernel, Any], int]
HANDLERS: dict[int, tuple[type, Handler]] = {}


def register(cmd: int, attr_type: type, fn: Handler) -> None:
    """Add (or replace) the handler of ``cmd``; ``attr_type`` is the attr class it takes."""
    HANDLERS[int(cmd)] = (attr_type, fn)


def dispatch(k: Kernel, cmd: int, attr: Any) -> int:
    entry = HANDLERS.get(int(cmd)) if isinstance(cmd, int) else None
    if entry is None and isinstance(cmd, int):
        # the networking layer registers its commands (PROG_ATTACH/QUERY, LINK_*) when
        # imported; most calls never need it, so it is imported on first use
        from . import net  # noqa: F401

        entry = HANDLERS.get(int(cmd))
    if entry is None:
        raise SyscallError(EINVAL, f"unknown or unsupported bpf command {cmd}")
    attr_type, fn = entry
    if not isinstance(attr, attr_type):
        raise SyscallError(EINVAL, f"command {cmd} takes a {attr_type.__name__}, not {type(attr).__name__}")
    return fn(k, attr)


def _cmd(cmd: int, attr_type: type) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        register(cmd, attr_type, fn)
        return fn

    return deco


# -- shared helpers ---------------------------------------------------------------------------

def obj_name(name: str | bytes | None) -> str:
    """bpf_obj_name_cpy: [A-Za-z0-9_.], NUL-terminated within 16 bytes, else EINVAL."""
    if not name:
        return ""
    raw = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else bytes(name)
    raw = raw.split(b"\0", 1)[0] if b"\0" in raw[:16] else raw
    if len(raw) >= 16:
        raise SyscallError(EINVAL, "object name longer than 15 characters")
    for c in raw:
        if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in (0x5F, 0x2E)):
            raise SyscallError(EINVAL, f"invalid character {chr(c)!r} in object name")
    return raw.decode("ascii")


def file_flag(flags: int) -> int:
    """bpf_get_file_flag: BPF_F_RDONLY/WRONLY -> open mode."""
    if flags & F_RDONLY and flags & F_WRONLY:
        raise SyscallError(EINVAL, "BPF_F_RDONLY and BPF_F_WRONLY together")
    if flags & F_RDONLY:
        return O_RDONLY
    if flags & F_WRONLY:
        return O_WRONLY
    return O_RDWR


def sys_perms(m: BpfMap, mode: int) -> tuple[bool, bool]:
    """map_get_sys_perms: (can read, can write) through an fd of ``mode``."""
    return can_read(mode), can_write(mode) and not m.frozen


def _copy_out(buf: Any, data: bytes) -> None:
    if not isinstance(buf, (bytearray, memoryview)) or len(buf) < len(data):
        raise SyscallError(EFAULT, f"output buffer must be a writable buffer of >= {len(data)} bytes")
    buf[: len(data)] = data


def _log_attr_check(level: int, buf: bytearray | None, size: int) -> None:
    """bpf_verifier_log_attr_valid (6.4+): no minimum size, buffer and size together."""
    has_buf = buf is not None
    if has_buf != bool(size):
        raise SyscallError(EINVAL, "log_buf and log_size must come together")
    if has_buf and level == 0:
        raise SyscallError(EINVAL, "log buffer without log_level")
    if level & ~0xF:
        raise SyscallError(EINVAL, "bad log_level")
    if size > 0xFFFFFFFF >> 2:
        raise SyscallError(EINVAL, "log_size too large")


def _write_log(buf: bytearray | None, size: int, text: str, level: int = 1) -> tuple[int, int]:
    """Copy a log into the user's buffer: (log_true_size, ENOSPC or 0).

    Since 6.4 the log rotates: a buffer too small keeps the *end* of the log, unless
    BPF_LOG_FIXED (8) asks for the beginning."""
    data = text.encode()
    true_size = len(data) + 1 if data else 0
    if buf is None or not size:
        return true_size, 0
    cap = min(size, len(buf))
    keep = max(cap - 1, 0)
    out = data[:keep] if level & 8 else (data[len(data) - keep:] if keep else b"")
    buf[: len(out)] = out
    if len(out) < len(buf):
        buf[len(out)] = 0
    return true_size, ENOSPC if true_size > cap else 0


# -- maps ----------------------------------------------------------------------------------------

@_cmd(Cmd.MAP_CREATE, A.MapCreateAttr)
def map_create(k: Kernel, a: A.MapCreateAttr) -> int:
    if a.btf_vmlinux_value_type_id:
        if a.map_type != MapType.STRUCT_OPS or a.btf_key_type_id or a.btf_value_type_id:
            raise SyscallError(EINVAL, "btf_vmlinux_value_type_id is for struct_ops")
    elif a.btf_key_type_id and not a.btf_value_type_id:
        raise SyscallError(EINVAL, "btf key type without a value type")
    if a.map_type not in (MapType.BLOOM_FILTER, MapType.ARENA) and a.map_extra:
        raise SyscallError(EINVAL, "map_extra is for bloom filters and arenas")
    mode = file_flag(a.map_flags)
    numa = numa_node_of(a)
    if numa != NUMA_NO_NODE and not 0 <= numa < config.NR_NODES:
        raise SyscallError(EINVAL, f"NUMA node {numa} is not online")
    cls = MAP_CLASSES.get(a.map_type)
    if cls is None:
        raise SyscallError(EINVAL, f"map type {a.map_type} is not supported")
    cls.alloc_check(a)
    if a.map_ifindex:
        offload_map_create(k, a)  # raises: no offload device yet
    fields: dict[str, Any] = {
        "type": a.map_type, "key_size": a.key_size, "value_size": a.value_size,
        "max_entries": a.max_entries, "flags": a.map_flags & ~(F_RDONLY | F_WRONLY),
        "numa_node": numa if a.map_flags & F_NUMA_NODE else NUMA_NO_NODE, "ifindex": a.map_ifindex,
        "map_extra": a.map_extra, "hashrnd": 0, "inner_meta": None, "nelems": 0,
    }
    inner_btf = 0
    if a.map_type in (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS):
        inner, _mode = k.map_fd(a.inner_map_fd)
        if inner.inner_meta is not None:
            raise SyscallError(EINVAL, "map-in-map of more than one level")
        if not inner.has_meta_equal:
            raise SyscallError(ENOTSUPP, "this map type cannot be an inner map")
        fields["inner_meta"] = inner.template()
        inner_btf = inner.btf_id
    cls.alloc(k, a, fields)
    name = obj_name(a.map_name)
    import json

    row = (0, fields["type"], fields["key_size"], fields["value_size"], fields["max_entries"],
           fields["flags"], name, fields["numa_node"], fields["ifindex"], 0, 0, 0,
           a.btf_vmlinux_value_type_id, fields["map_extra"], 0, fields["hashrnd"],
           json.dumps(fields["inner_meta"]) if fields["inner_meta"] else None, None, 0, 0, None)
    probe = cls(k, row)
    btf_id = 0
    if a.btf_key_type_id or a.btf_value_type_id or a.btf_vmlinux_value_type_id:
        btf = k.btf_fd(a.btf_fd)
        if btf.kernel:
            raise SyscallError(EACCES, "kernel BTF cannot describe a map")
        btf_id = btf.id
        if a.btf_value_type_id:
            _map_check_btf(probe, btf, a.btf_key_type_id, a.btf_value_type_id)
    cur = k.tx.x(
        "INSERT INTO maps (type, key_size, value_size, max_entries, flags, name, numa_node, ifindex, btf_id, "
        "btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id, map_extra, hashrnd, inner_meta, "
        "created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (fields["type"], fields["key_size"], fields["value_size"], fields["max_entries"], fields["flags"],
         name, fields["numa_node"], fields["ifindex"], btf_id, a.btf_key_type_id if btf_id else 0,
         a.btf_value_type_id if btf_id else 0, a.btf_vmlinux_value_type_id, fields["map_extra"],
         fields["hashrnd"], row[16], time.time_ns()))
    map_id = int(cur.lastrowid)
    if btf_id:
        k.ref_add(MAP, map_id, "btf", BTF, btf_id)
    if inner_btf:
        k.ref_add(MAP, map_id, "inner_meta", BTF, inner_btf)
    fd = k.fd_install(MAP, map_id, mode)
    return fd


def _map_check_btf(m: BpfMap, btf: Any, key_id: int, value_id: int) -> None:
    from .btf_obj import type_id_size
    from .uapi import btf as ubtf

    try:
        d = btf.parsed
    except ubtf.BtfError:
        raise SyscallError(EINVAL, "unreadable BTF") from None
    if key_id:
        kr = type_id_size(d, key_id)
        if kr is None or kr[1] != m.key_size:
            raise SyscallError(EINVAL, "BTF key type does not match key_size")
        key_t = kr[0]
    else:
        key_t = None
        if not m.has_check_btf:
            raise SyscallError(EINVAL, "this map type needs a BTF key type")
    vr = type_id_size(d, value_id)
    if vr is None or vr[1] != m.value_size:
        raise SyscallError(EINVAL, "BTF value type does not match value_size")
    if m.has_check_btf:
        e = m.check_btf(key_t, vr[0])
        if e:
            raise SyscallError(e, "map_check_btf")


def offload_map_create(k: Kernel, a: A.MapCreateAttr) -> None:
    """A map bound to a device (map_ifindex): the offload layer (pykernel.net.offload)."""
    from .net import offload

    offload.map_offload_alloc(k, a)


def _elem_map(k: Kernel, fd: int) -> tuple[BpfMap, bool, bool]:
    m, mode = k.map_fd(fd)
    r, w = sys_perms(m, mode)
    return m, r, w


@_cmd(Cmd.MAP_LOOKUP_ELEM, A.MapElemAttr)
def map_lookup_elem(k: Kernel, a: A.MapElemAttr) -> int:
    if a.flags & ~BPF_F_LOCK:
        raise SyscallError(EINVAL, "lookup flags")
    m, r, _w = _elem_map(k, a.map_fd)
    if not r:
        raise SyscallError(EPERM, "map fd is write-only")
    if a.flags & BPF_F_LOCK:
        raise SyscallError(EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value")
    key = m.key_arg(a.key)
    out = a.value if a.value is not None else a.next_key
    if out is None:
        raise SyscallError(EFAULT, "value pointer is NULL")
    if m.map_type == MapType.BLOOM_FILTER:  # the value is the element to test
        m.sys_peek(m.value_arg(out))  # type: ignore[attr-defined]
        return 0
    val = m.sys_lookup(key, a.flags)
    _copy_out(out, val)
    return 0


@_cmd(Cmd.MAP_UPDATE_ELEM, A.MapElemAttr)
def map_update_elem(k: Kernel, a: A.MapElemAttr) -> int:
    m, _r, w = _elem_map(k, a.map_fd)
    if not w:
        raise SyscallError(EPERM, "map is read-only (fd mode or frozen)")
    if a.flags & BPF_F_LOCK:
        raise SyscallError(EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value")
    key = m.key_arg(a.key)
    value = m.value_arg(a.value)
    m.sys_update(key, value, a.flags)
    return 0


@_cmd(Cmd.MAP_DELETE_ELEM, A.MapElemAttr)
def map_delete_elem(k: Kernel, a: A.MapElemAttr) -> int:
    if a.value is not None or a.next_key is not None or a.flags:
        raise SyscallError(EINVAL, "delete takes only map_fd and key")
    m, _r, w = _elem_map(k, a.map_fd)
    if not w:
        raise SyscallError(EPERM, "map is read-only (fd mode or frozen)")
    key = m.key_arg(a.key)
    m.sys_delete(key)
    return 0


@_cmd(Cmd.MAP_GET_NEXT_KEY, A.MapElemAttr)
def map_get_next_key(k: Kernel, a: A.MapElemAttr) -> int:
    if a.flags:
        raise SyscallError(EINVAL, "get_next_key takes no flags")
    m, r, _w = _elem_map(k, a.map_fd)
    if not r:
        raise SyscallError(EPERM, "map fd is write-only")
    key = m.key_arg(a.key, allow_null=True) if a.key is not None or m.key_size else None
    out = a.next_key if a.next_key is not None else a.value
    nxt = m.sys_get_next_key(key)
    if out is None:
        raise SyscallError(EFAULT, "next_key pointer is NULL")
    _copy_out(out, nxt)
    return 0


@_cmd(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, A.MapElemAttr)
def map_lookup_and_delete_elem(k: Kernel, a: A.MapElemAttr) -> int:
    if a.flags & ~BPF_F_LOCK:
        raise SyscallError(EINVAL, "lookup_and_delete flags")
    m, r, w = _elem_map(k, a.map_fd)
    if not r or not w:
        raise SyscallError(EPERM, "needs a readable and writable map")
    if a.flags and m.map_type in (MapType.QUEUE, MapType.STACK):
        raise SyscallError(EINVAL, "queue/stack pop takes no flags")
    if a.flags & BPF_F_LOCK:
        raise SyscallError(EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value")
    key = m.key_arg(a.key)
    out = a.value if a.value is not None else a.next_key
    if m.map_type not in (MapType.QUEUE, MapType.STACK, MapType.HASH, MapType.PERCPU_HASH,
                          MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.STACK_TRACE):
        raise SyscallError(ENOTSUPP, "lookup_and_delete not supported by this map type")
    val = m.sys_lookup_and_delete(key, a.flags)
    if out is None:
        raise SyscallError(EFAULT, "value pointer is NULL")
    _copy_out(out, val)
    return 0


@_cmd(Cmd.MAP_FREEZE, A.MapFreezeAttr)
def map_freeze(k: Kernel, a: A.MapFreezeAttr) -> int:
    m, _r, w = _elem_map(k, a.map_fd)
    if m.map_type == MapType.STRUCT_OPS:
        raise SyscallError(ENOTSUPP, "struct_ops maps cannot be frozen")
    if not w:
        raise SyscallError(EPERM, "map is read-only (fd mode or already frozen)")
    if m.frozen:  # pragma: no cover - a frozen map is never writable
        raise SyscallError(EBUSY, "already frozen")
    m.frozen = True
    m.touch_meta()
    return 0


def _batch(op: str, needs_read: bool, needs_write: bool) -> Handler:
    def handler(k: Kernel, a: A.MapBatchAttr) -> int:
        m, r, w = _elem_map(k, a.map_fd)
        if needs_read and not r:
            raise SyscallError(EPERM, "map fd is write-only")
        if needs_write and not w:
            raise SyscallError(EPERM, "map is read-only (fd mode or frozen)")
        m.batch(op, a)
        return 0

    return handler


register(Cmd.MAP_LOOKUP_BATCH, A.MapBatchAttr, _batch("lookup", True, False))
register(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, A.MapBatchAttr, _batch("lookup_and_delete", True, True))
register(Cmd.MAP_UPDATE_BATCH, A.MapBatchAttr, _batch("update", False, True))
register(Cmd.MAP_DELETE_BATCH, A.MapBatchAttr, _batch("delete", False, True))


# -- programs ---------------------------------------------------------------------------------------

_PROG_FLAGS_OK = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | BPF_F_TOKEN_FD
#: prog types the simulated kernel does not provide, and the errno the 6.18 reference
#: kernel gives for a plain load of them (no attach target, no BTF)
_UNAVAILABLE_PROG_TYPES = {ProgType.LIRC_MODE2: EINVAL, ProgType.TRACING: EINVAL,
                           ProgType.EXT: EPERM, ProgType.LSM: EPERM, ProgType.STRUCT_OPS: ENOTSUPP}
_MAX_PROG_TYPE = ProgType.NETFILTER
BPF_NETFILTER = 45
BPF_CGROUP_UNIX_ATTACH = (46, 47, 48, 49, 50)  # unix connect/sendmsg/recvmsg/getpeername/getsockname


def _fixup_attach_type(prog_type: int, eat: int) -> int:
    if prog_type == ProgType.CGROUP_SOCK and not eat:
        return AttachType.CGROUP_INET_SOCK_CREATE
    if prog_type == ProgType.SK_REUSEPORT and not eat:
        return AttachType.SK_REUSEPORT_SELECT
    return eat


def _check_attach(prog_type: int, eat: int) -> None:
    """bpf_prog_load_check_attach for loads without attach_btf/dst_prog."""
    T = AttachType
    allowed: dict[int, tuple[int, ...]] = {
        ProgType.CGROUP_SOCK: (T.CGROUP_INET_SOCK_CREATE, T.CGROUP_INET_SOCK_RELEASE,
                               T.CGROUP_INET4_POST_BIND, T.CGROUP_INET6_POST_BIND),
        ProgType.CGROUP_SOCK_ADDR: (T.CGROUP_INET4_BIND, T.CGROUP_INET6_BIND, T.CGROUP_INET4_CONNECT,
                                    T.CGROUP_INET6_CONNECT, T.CGROUP_INET4_GETPEERNAME,
                                    T.CGROUP_INET6_GETPEERNAME, T.CGROUP_INET4_GETSOCKNAME,
                                    T.CGROUP_INET6_GETSOCKNAME, T.CGROUP_UDP4_SENDMSG,
                                    T.CGROUP_UDP6_SENDMSG, T.CGROUP_UDP4_RECVMSG, T.CGROUP_UDP6_RECVMSG,
                                    *BPF_CGROUP_UNIX_ATTACH),
        ProgType.CGROUP_SKB: (T.CGROUP_INET_INGRESS, T.CGROUP_INET_EGRESS),
        ProgType.CGROUP_SOCKOPT: (T.CGROUP_SETSOCKOPT, T.CGROUP_GETSOCKOPT),
        ProgType.SK_LOOKUP: (T.SK_LOOKUP,),
        ProgType.SK_REUSEPORT: (T.SK_REUSEPORT_SELECT, T.SK_REUSEPORT_SELECT_OR_MIGRATE),
        ProgType.NETFILTER: (BPF_NETFILTER,),
    }
    if prog_type in allowed:
        if eat not in allowed[prog_type]:
            raise SyscallError(EINVAL, "expected_attach_type does not fit the program type")
    elif prog_type in (ProgType.SYSCALL, ProgType.EXT) and eat:
        raise SyscallError(EINVAL, "expected_attach_type must be 0")


def offload_prog_init(k: Kernel, a: A.ProgLoadAttr) -> None:
    """bpf_prog_dev_bound_init: the offload layer (pykernel.net.offload) decides."""
    from .net import offload

    offload.prog_dev_bound_init(k, a)


def _records(blob: bytes | None, rec_size: int, cnt: int, min_size: int) -> list[bytes]:
    if not cnt:
        return []
    if rec_size < min_size or rec_size > config.PAGE_SIZE or rec_size % 4:
        raise SyscallError(EINVAL, "bad record size")
    data = bytes(blob or b"")
    if len(data) < rec_size * cnt:
        raise SyscallError(EFAULT, "record buffer shorter than its count")
    return [data[i * rec_size:(i + 1) * rec_size] for i in range(cnt)]


@dataclass
class _FallbackEnv:
    """What PROG_LOAD hands the verifier when the real verifier is not importable."""

    insns: list[Insn]
    prog_type: int
    expected_attach_type: int = 0
    gpl: bool = True
    log_level: int = 0
    log_size: int = 0
    log_buf: bytearray | None = None
    prog_flags: int = 0
    prog_name: str = ""
    map_by_fd: Callable[[int], Any] = field(default=lambda fd: None)
    fd_array: list[int] | None = None
    line_info: list[Any] | None = None
    func_info: list[Any] | None = None
    offload_ifindex: int = 0
    bpf_capable: bool = True
    trace: bool = False  # accepted and ignored: no walk, no trace
    log_true_size: int = 0
    trace_out: dict[str, Any] | None = None


@dataclass
class _FallbackResult:
    xlated: list[Insn]
    used_maps: list[Any]
    stack_depth: list[int]
    subprog_starts: list[int]
    verified_insns: int
    line_info: list[Any] | None = None
    func_info: list[Any] | None = None
    log: str = ""


def _fallback_verify(env: Any) -> Any:
    """Only resolves ld_imm64 map references (when pykernel.verifier is not importable)."""
    from .prog import map_kaddr

    insns = list(env.insns)
    used: list[Any] = []
    i = 0
    while i < len(insns):
        ins = insns[i]
        if ins.is_ld_imm64() and i + 1 < len(insns) and ins.src in (1, 2, 5, 6):
            fd = ins.imm if ins.src in (1, 2) else (env.fd_array or [])[ins.imm]
            m = env.map_by_fd(fd)
            if m not in used:
                used.append(m)
            addr = map_kaddr(m.id) + (config.ARRAY_VALUE_OFF + insns[i + 1].imm if ins.src in (2, 6) else 0)
            insns[i] = ins.with_(src=0, imm=addr & 0xFFFFFFFF if addr & 0x80000000 == 0
                                 else (addr & 0xFFFFFFFF) - (1 << 32))
            hi = addr >> 32
            insns[i + 1] = insns[i + 1].with_(imm=hi - (1 << 32) if hi & 0x80000000 else hi)
            i += 2
            continue
        i += 1
    return _FallbackResult(insns, used, [0], [0], len(insns), env.line_info, env.func_info)


def _verifier() -> tuple[Callable[[Any], Any], type, type, type]:
    try:
        from .verifier import verify
        from .verifier.env import FuncInfo, LineInfo, VerifierEnv
        return verify, VerifierEnv, LineInfo, FuncInfo
    except ImportError:  # pragma: no cover - the verifier is part of the tree
        @dataclass
        class _LI:
            insn_off: int
            file_name: str = ""
            line: str = ""
            line_num: int = 0
            line_col: int = 0
            file_name_off: int = 0
            line_off: int = 0

        @dataclass
        class _FI:
            insn_off: int
            type_id: int = 0
            name: str = ""

        return _fallback_verify, _FallbackEnv, _LI, _FI


@_cmd(Cmd.PROG_LOAD, A.ProgLoadAttr)
def prog_load(k: Kernel, a: A.ProgLoadAttr) -> int:
    if a.prog_flags & ~_PROG_FLAGS_OK:
        raise SyscallError(EINVAL, "unknown prog_flags")
    ptype = a.prog_type
    eat = _fixup_attach_type(ptype, a.expected_attach_type)
    insns_raw = bytes(a.insns or b"")
    insn_cnt = len(insns_raw) // 8
    if insn_cnt == 0 or insn_cnt > config.BPF_COMPLEXITY_LIMIT_INSNS:
        raise SyscallError(E2BIG, f"{insn_cnt} instructions")
    insns_raw = insns_raw[: insn_cnt * 8]
    if a.attach_prog_fd:
        try:
            k.prog_fd(a.attach_prog_fd)
        except SyscallError:
            raise SyscallError(EINVAL, "attach_prog_fd is neither a program nor BTF") from None
        if ptype not in (ProgType.TRACING, ProgType.EXT):
            raise SyscallError(EINVAL, "only tracing/ext programs target another program")
    elif a.attach_btf_id:
        raise SyscallError(EINVAL, "no kernel BTF to attach to")  # the simulated kernel has no vmlinux BTF
    _check_attach(ptype, eat)
    if a.license is None:
        raise SyscallError(EFAULT, "license pointer is NULL")
    license = str(a.license).split("\0", 1)[0][:127]
    gpl = license_is_gpl_compatible(license)
    if a.prog_ifindex:
        offload_prog_init(k, a)
    if ptype <= 0 or ptype > _MAX_PROG_TYPE:
        raise SyscallError(EINVAL, f"unknown program type {ptype}")
    if ptype in _UNAVAILABLE_PROG_TYPES:
        raise SyscallError(_UNAVAILABLE_PROG_TYPES[ptype], "program type not available")
    name = obj_name(a.prog_name)
    _log_attr_check(a.log_level, a.log_buf, a.log_size)
    verify, Env, LI, FI = _verifier()

    btf: Any = None
    finfo_recs = _records(a.func_info, a.func_info_rec_size, a.func_info_cnt, 8)
    linfo_recs = _records(a.line_info, a.line_info_rec_size, a.line_info_cnt, 16)
    func_info = line_info = None
    if finfo_recs or linfo_recs:
        btf = k.btf_fd(a.prog_btf_fd)
        if btf.kernel:
            raise SyscallError(EINVAL, "program BTF must not be kernel BTF")
        if finfo_recs:
            func_info = []
            for r in finfo_recs:
                off, tid = struct.unpack_from("<II", r)
                nm = ""
                if 0 < tid < len(btf.parsed.types):
                    nm = btf.str_at(btf.parsed.types[tid].name_off)
                func_info.append(FI(insn_off=off, type_id=tid, name=nm))
        if linfo_recs:
            line_info = []
            for r in linfo_recs:
                off, fname, lnoff, col = struct.unpack_from("<IIII", r)
                line_info.append(LI(insn_off=off, file_name=btf.str_at(fname), line=btf.str_at(lnoff),
                                    line_num=col >> 10, line_col=col & 0x3FF, file_name_off=fname,
                                    line_off=lnoff))

    def map_by_fd(fd: int) -> BpfMap:
        m, _mode = k.map_fd(fd)
        return m

    env = Env(insns=decode_all(insns_raw), prog_type=ptype, expected_attach_type=eat, gpl=gpl,
              log_level=a.log_level, log_size=a.log_size, log_buf=a.log_buf, prog_flags=a.prog_flags,
              prog_name=name, map_by_fd=map_by_fd, fd_array=a.fd_array, line_info=line_info,
              func_info=func_info, offload_ifindex=a.prog_ifindex, trace=bool(a.verifier_trace))
    if btf is not None and hasattr(env, "btf"):
        env.btf = btf.parsed  # the prototypes of global functions
    try:
        res = verify(env)
    finally:
        a.log_true_size = getattr(env, "log_true_size", 0)
        a.verifier_trace_out = getattr(env, "trace_out", None)

    used_ids: list[int] = []
    for m in res.used_maps:
        if m.id not in used_ids:
            used_ids.append(m.id)
    from .tag import prog_tag  # hashlib: only loads need it

    prog = Prog(0, ptype, name, prog_tag(insns_raw), env.insns, list(res.xlated), gpl, eat, a.prog_flags,
                a.prog_ifindex, btf.id if btf else 0)
    for m in res.used_maps:  # bpf_check_tail_call: maps that hold programs get an owner
        if m.map_type in (MapType.PROG_ARRAY, MapType.DEVMAP, MapType.CPUMAP) and not prog_map_compatible(m, prog):
            raise SyscallError(EINVAL, f"program does not match the owner of map {m.id}")
    if res.func_info:
        prog.func_info = b"".join(struct.pack("<II", f.insn_off, f.type_id) for f in res.func_info)
        prog.func_info_rec_size = 8
    if res.line_info:
        prog.line_info = b"".join(struct.pack("<IIII", li.insn_off, li.file_name_off, li.line_off,
                                              (li.line_num << 10) | (li.line_col & 0x3FF))
                                  for li in res.line_info)
        prog.line_info_rec_size = 16
    prog.used_maps = used_ids
    prog.stack_depth = list(res.stack_depth)
    prog.subprog_starts = list(res.subprog_starts) or [0]
    prog.verified_insns = res.verified_insns
    now = time.time_ns()
    prog.loaded_at_ns = now
    prog.load_time_ns = max(0, now - k.boot_wall_ns())
    prog.uid = os.getuid() if hasattr(os, "getuid") else 0
    loads = getattr(res, "map_loads", None)
    if loads:
        prog.extra["map_loads"] = [[int(i), int(m.id), int(off)] for i, m, off in loads]
    if getattr(res, "tail_call_reachable", False):
        prog.extra["tail_call_reachable"] = True
    if getattr(res, "orig_idx", None):
        prog.extra["orig_idx"] = list(res.orig_idx)
    jit(prog, res.used_maps)
    pid = prog.insert(k.tx)
    for mid in used_ids:
        k.ref_add(PROG, pid, "", MAP, mid)
    if btf is not None:
        k.ref_add(PROG, pid, "btf", BTF, btf.id)
    return k.fd_install(PROG, pid, O_RDWR)


def find_test_run() -> Callable[..., Any] | None:
    """``pykernel.test_run.run(kernel, prog, attr)`` when that module exists."""
    if importlib.util.find_spec("pykernel.test_run") is None:
        return None
    mod = importlib.import_module("pykernel.test_run")
    return getattr(mod, "run", None)


@_cmd(Cmd.PROG_TEST_RUN, A.TestRunAttr)
def prog_test_run(k: Kernel, a: A.TestRunAttr) -> int:
    prog = k.prog_fd(a.prog_fd)
    run = find_test_run()
    if run is None:
        raise SyscallError(ENOTSUPP, "test runs are not available")
    ret = run(k, prog, a)
    return int(ret or 0)


# -- pins ---------------------------------------------------------------------------------------------

@_cmd(Cmd.OBJ_PIN, A.ObjPinAttr)
def obj_pin(k: Kernel, a: A.ObjPinAttr) -> int:
    if a.file_flags & ~BPF_F_PATH_FD:
        raise SyscallError(EINVAL, "file_flags")
    try:
        e = k.fd_get(a.bpf_fd)
    except SyscallError:
        raise SyscallError(EINVAL, "not a pinnable fd") from None
    if e.kind not in (MAP, PROG, LINK):
        raise SyscallError(EINVAL, "not a map, program or link")
    bpffs.pin(k.tx, a.pathname, e.kind, e.obj)
    return 0


@_cmd(Cmd.OBJ_GET, A.ObjPinAttr)
def obj_get(k: Kernel, a: A.ObjPinAttr) -> int:
    if a.bpf_fd != 0 or a.file_flags & ~(F_RDONLY | F_WRONLY | BPF_F_PATH_FD):
        raise SyscallError(EINVAL, "bad bpf_fd or file_flags")
    mode = file_flag(a.file_flags)
    kind, obj = bpffs.get(k.tx, a.pathname)
    if kind == LINK and mode != O_RDWR:
        raise SyscallError(EINVAL, "links open read-write only")
    return k.fd_install(kind, obj, mode if kind == MAP else O_RDWR)


# -- ids ----------------------------------------------------------------------------------------------

_ID_TABLES = {Cmd.PROG_GET_NEXT_ID: "progs", Cmd.MAP_GET_NEXT_ID: "maps", Cmd.BTF_GET_NEXT_ID: "btfs",
              Cmd.LINK_GET_NEXT_ID: "links"}


def _next_id(table: str) -> Handler:
    def handler(k: Kernel, a: A.GetIdAttr) -> int:
        if a.open_flags:
            raise SyscallError(EINVAL, "open_flags")
        if a.start_id >= INT_MAX or a.start_id < 0:
            raise SyscallError(EINVAL, "start_id")
        nxt = k.tx.val(f"SELECT min(id) FROM {table} WHERE id > ?", (a.start_id,))
        if nxt is None:
            raise SyscallError(ENOENT, "no more ids")
        a.next_id = int(nxt)
        return 0

    return handler


for _c, _t in _ID_TABLES.items():
    register(_c, A.GetIdAttr, _next_id(_t))


@_cmd(Cmd.PROG_GET_FD_BY_ID, A.GetIdAttr)
def prog_get_fd_by_id(k: Kernel, a: A.GetIdAttr) -> int:
    if a.next_id or a.open_flags:
        raise SyscallError(EINVAL, "only prog_id is used")
    if not a.start_id or k.prog(a.start_id) is None:
        raise SyscallError(ENOENT, f"no program {a.start_id}")
    return k.fd_install(PROG, a.start_id, O_RDWR)


@_cmd(Cmd.MAP_GET_FD_BY_ID, A.GetIdAttr)
def map_get_fd_by_id(k: Kernel, a: A.GetIdAttr) -> int:
    if a.open_flags & ~(F_RDONLY | F_WRONLY):
        raise SyscallError(EINVAL, "open_flags")
    mode = file_flag(a.open_flags)
    if not a.start_id or not k.exists(MAP, a.start_id):
        raise SyscallError(ENOENT, f"no map {a.start_id}")
    return k.fd_install(MAP, a.start_id, mode)


@_cmd(Cmd.BTF_GET_FD_BY_ID, A.GetIdAttr)
def btf_get_fd_by_id(k: Kernel, a: A.GetIdAttr) -> int:
    if a.open_flags & ~BPF_F_TOKEN_FD:
        raise SyscallError(EINVAL, "open_flags")
    if not a.start_id or not k.exists(BTF, a.start_id):
        raise SyscallError(ENOENT, f"no BTF {a.start_id}")
    return k.fd_install(BTF, a.start_id, O_RDWR)


@_cmd(Cmd.LINK_GET_FD_BY_ID, A.GetIdAttr)
def link_get_fd_by_id(k: Kernel, a: A.GetIdAttr) -> int:
    if a.next_id or a.open_flags:
        raise SyscallError(EINVAL, "only link_id is used")
    if not a.start_id or not k.exists(LINK, a.start_id):
        raise SyscallError(ENOENT, f"no link {a.start_id}")
    return k.fd_install(LINK, a.start_id, O_RDWR)


# -- info ---------------------------------------------------------------------------------------------

@_cmd(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr)
def obj_get_info_by_fd(k: Kernel, a: A.InfoAttr) -> int:
    try:
        e = k.fd_get(a.bpf_fd)
    except SyscallError:
        raise SyscallError(EBADFD, f"fd {a.bpf_fd} is not open") from None
    if e.kind == PROG:
        a.info = prog_info(k, k.prog_fd(a.bpf_fd), a.info)
    elif e.kind == MAP:
        a.info = map_info(k, k.map_fd(a.bpf_fd)[0], a.info)
    elif e.kind == BTF:
        a.info = btf_info(k.btf_fd(a.bpf_fd), a.info)
    elif e.kind == LINK:
        a.info = link_info(k.link_fd(a.bpf_fd), a.info)
    else:
        raise SyscallError(EINVAL, "not a BPF object")
    return 0


def map_info(k: Kernel, m: BpfMap, info: Any = None) -> A.MapInfo:
    out = info if isinstance(info, A.MapInfo) else A.MapInfo()
    out.type, out.id = m.map_type, m.id
    out.key_size, out.value_size, out.max_entries = m.key_size, m.value_size, m.max_entries
    out.map_flags, out.name, out.map_extra = m.map_flags, m.name, m.map_extra
    out.ifindex = m.ifindex
    out.btf_vmlinux_value_type_id = m.btf_vmlinux_value_type_id
    out.btf_id = m.btf_id
    out.btf_key_type_id = m.btf_key_type_id if m.btf_id else 0
    out.btf_value_type_id = m.btf_value_type_id if m.btf_id else 0
    out.frozen = m.frozen
    out.memlock = m.mem_usage()
    out.owner_prog_type = m.owner["type"] if m.owner else 0
    out.owner_jited = bool(m.owner["jited"]) if m.owner else False
    return out


def prog_info(k: Kernel, p: Prog, info: Any = None) -> A.ProgInfo:
    out = info if isinstance(info, A.ProgInfo) else A.ProgInfo()
    maps = {mid: k.map(mid) for mid in p.used_maps}
    xl = xlated_for_dump(p, maps)
    loads = p.extra.get("map_loads")
    if loads:
        for i, mid, off in loads:
            if 0 <= i + 1 < len(xl):
                if off < 0:
                    xl[i] = xl[i].with_(src=1, imm=mid)
                    xl[i + 1] = xl[i + 1].with_(imm=0)
                else:
                    xl[i] = xl[i].with_(src=2, imm=mid)
                    xl[i + 1] = xl[i + 1].with_(imm=off)
    out.type, out.id, out.tag = p.type, p.id, p.tag
    out.jited_prog_len = p.jited_len
    out.xlated_prog_insns = encode_all(xl)
    out.xlated_prog_len = len(out.xlated_prog_insns)
    out.jited_prog_insns = b""
    out.load_time = p.load_time_ns
    out.created_by_uid = p.uid
    out.map_ids = list(p.used_maps)
    out.nr_map_ids = len(out.map_ids)
    out.name = p.name
    out.ifindex = p.ifindex
    out.gpl_compatible = p.gpl
    nfuncs = p.func_cnt or 1
    out.nr_jited_ksyms = nfuncs
    base = 0xFFFFFFFFC0000000 + (p.id << 14)
    lens = _func_lens(p, nfuncs)
    out.jited_ksyms = [base + sum(lens[:i]) for i in range(nfuncs)]
    out.nr_jited_func_lens = nfuncs
    out.jited_func_lens = lens
    out.btf_id = p.btf_id
    out.func_info_rec_size = 8
    out.func_info = p.func_info
    out.nr_func_info = len(p.func_info) // 8
    out.line_info_rec_size = 16
    out.line_info = p.line_info
    out.nr_line_info = len(p.line_info) // 16
    out.nr_jited_line_info = out.nr_line_info if p.btf_id else 0
    out.jited_line_info = [base for _ in range(out.nr_jited_line_info)]
    out.jited_line_info_rec_size = 8
    out.nr_prog_tags = nfuncs
    out.prog_tags = [p.tag] * nfuncs if nfuncs == 1 else list(p.extra.get("subprog_tags", [p.tag] * nfuncs))
    out.run_time_ns, out.run_cnt = p.run_time_ns, p.run_cnt
    out.recursion_misses = 0
    out.verified_insns = p.verified_insns
    out.attach_btf_obj_id = 0
    out.attach_btf_id = 0
    out.expected_attach_type = p.expected_attach_type
    if hasattr(out, "memlock"):
        out.memlock = p.memlock  # type: ignore[attr-defined]
    return out


def _func_lens(p: Prog, n: int) -> list[int]:
    return jited_func_lens(p)


def btf_info(b: Any, info: Any = None) -> A.BtfInfo:
    out = info if isinstance(info, A.BtfInfo) else A.BtfInfo()
    out.btf, out.btf_size, out.id = b.data, len(b.data), b.id
    out.name, out.kernel_btf = b.name, b.kernel
    return out


def link_info(lk: Any, info: Any = None) -> A.LinkInfo:
    out = info if isinstance(info, A.LinkInfo) else A.LinkInfo()
    out.type, out.id, out.prog_id = lk.type, lk.id, lk.prog_id
    out.attach_type = lk.attach_type
    out.ifindex = int(lk.target.get("ifindex", 0))
    out.cgroup_id = int(lk.target.get("cgroup_id", 0))
    return out


@_cmd(Cmd.PROG_BIND_MAP, A.ProgBindMapAttr)
def prog_bind_map(k: Kernel, a: A.ProgBindMapAttr) -> int:
    if a.flags:
        raise SyscallError(EINVAL, "flags must be 0")
    prog = k.prog_fd(a.prog_fd)
    m, _mode = k.map_fd(a.map_fd)
    if m.id in prog.used_maps:
        return 0
    if len(prog.used_maps) >= 64:
        raise SyscallError(E2BIG, "too many maps")
    prog.used_maps.append(m.id)
    prog.save_used_maps(k.tx)
    k.ref_add(PROG, prog.id, "", MAP, m.id)
    return 0


# -- statistics ---------------------------------------------------------------------------------------

BPF_STATS_RUN_TIME = 0


@_cmd(Cmd.ENABLE_STATS, A.EnableStatsAttr)
def enable_stats(k: Kernel, a: A.EnableStatsAttr) -> int:
    if a.type != BPF_STATS_RUN_TIME:
        raise SyscallError(EINVAL, "unknown stats type")
    from .objects import STATS

    return k.fd_install(STATS, 0, O_RDWR)


# -- BTF ----------------------------------------------------------------------------------------------

@_cmd(Cmd.BTF_LOAD, A.BtfLoadAttr)
def btf_load(k: Kernel, a: A.BtfLoadAttr) -> int:
    from .btf_obj import BtfObject
    from .uapi import btf as ubtf

    data = bytes(a.btf or b"")
    if len(data) > config.BTF_MAX_SIZE:
        raise SyscallError(E2BIG, "BTF too large")
    _log_attr_check(a.btf_log_level, a.btf_log_buf, a.btf_log_size)
    try:
        parsed = ubtf.verify(data)
    except ubtf.BtfError as e:
        if a.btf_log_level:
            size, _ = _write_log(a.btf_log_buf, a.btf_log_size, e.log, a.btf_log_level)
            a.btf_log_true_size = size
        raise SyscallError(e.errno, str(e)) from None
    if a.btf_log_level:
        size, full = _write_log(a.btf_log_buf, a.btf_log_size, getattr(parsed, "log", ""), a.btf_log_level)
        a.btf_log_true_size = size
        if full:
            raise SyscallError(full, "BTF log truncated")
    bid = BtfObject.insert(k.tx, data)
    return k.fd_install(BTF, bid, O_RDWR)


__all__ = ["dispatch", "register", "HANDLERS", "map_info", "prog_info", "btf_info", "link_info",
           "obj_name", "EBADFD", "INT_MAX", "Insn", "encode_all"]
