"""libbpf's feature probes (``libbpf_probe_bpf_prog_type``, ``libbpf_probe_bpf_map_type``,
``libbpf_probe_bpf_helper``) and bpftool's offload variants, on the simulated kernel.

Every answer comes from the kernel: a probe loads a tiny program or creates a tiny map
through ``bpf()`` exactly as libbpf does (same instructions, sizes, flags, expected attach
types, BTF) and reads the result - the errno, and for helpers the verifier log.

One deliberate difference from the libbpf 1.1 that bpftool v7.1 was built with: a helper
is reported unavailable when the verifier says ``program of this type cannot use helper``,
as libbpf does since 1.2. libbpf 1.1 only knows the older ``unknown func`` wording, so on a
6.x kernel it believes every helper is usable from every program type (cli-surface 5); the
simulated verifier speaks 6.18, so the old check would repeat that mistake.
"""

from __future__ import annotations

import struct

from pykernel.uapi import attr as A
from pykernel.uapi.consts import AttachType, Cmd, MapType, ProgType
from pykernel.uapi.insn import Insn, encode_all

from . import kern
from .kern import SyscallError

EINVAL, E2BIG, EPERM, EOPNOTSUPP, ENOTSUPP = 22, 7, 1, 95, 524
BPF_F_NO_PREALLOC = 1 << 0
BPF_F_SLEEPABLE = 1 << 4
BPF_MAXINSNS = 4096
PAGE_SIZE = 4096
#: what libbpf's get_kernel_version() reads from uname: KERNEL_VERSION(6, 18, 44)
KERNEL_VERSION = (6 << 16) | (18 << 8) | 44

MOV_R0_0 = Insn(0xB7, 0, 0, 0, 0)
EXIT = Insn(0x95, 0, 0, 0, 0)


def call(helper_id: int) -> Insn:
    return Insn(0x85, 0, 0, 0, helper_id)


class ProbeLoad:
    """The outcome of one probe load: loaded or not, errno, verifier log."""

    __slots__ = ("ok", "errno", "log")

    def __init__(self, ok: bool, errno: int, log: str) -> None:
        self.ok, self.errno, self.log = ok, errno, log


def prog_load(prog_type: int, insns: list[Insn], *, log: bool = False, ifindex: int = 0,
              expected_attach_type: int = 0, attach_btf_id: int = 0, prog_flags: int = 0,
              kern_version: int = 0) -> ProbeLoad:
    """bpf_prog_load(type, NULL, "GPL", insns, opts): the fd is closed at once."""
    buf = bytearray(4096) if log else None
    a = A.ProgLoadAttr(prog_type=prog_type, insns=encode_all(insns), license="GPL",
                       log_level=1 if log else 0, log_size=len(buf) if buf else 0, log_buf=buf,
                       prog_ifindex=ifindex, expected_attach_type=expected_attach_type,
                       attach_btf_id=attach_btf_id, prog_flags=prog_flags, kern_version=kern_version)
    try:
        fd = kern.bpf(Cmd.PROG_LOAD, a)
    except SyscallError as e:
        return ProbeLoad(False, e.errno, _log(buf))
    kern.close(fd)
    return ProbeLoad(True, 0, _log(buf))


def _log(buf: bytearray | None) -> str:
    if not buf:
        return ""
    return bytes(buf).split(b"\0", 1)[0].decode("utf-8", "replace")


# ------------------------------------------------------------------------ prog types
def _probe_prog_load(prog_type: int, insns: list[Insn]) -> tuple[int, ProbeLoad | None]:
    """libbpf's probe_prog_load: 1 (supported), 0 (not), or -EOPNOTSUPP for a type libbpf
    does not know how to probe; the load itself for the caller's log checks."""
    opts: dict = {}
    exp_err = 0
    exp_msg = None
    if prog_type == ProgType.CGROUP_SOCK_ADDR:
        opts["expected_attach_type"] = AttachType.CGROUP_INET4_CONNECT
    elif prog_type == ProgType.CGROUP_SOCKOPT:
        opts["expected_attach_type"] = AttachType.CGROUP_GETSOCKOPT
    elif prog_type == ProgType.SK_LOOKUP:
        opts["expected_attach_type"] = AttachType.SK_LOOKUP
    elif prog_type == ProgType.KPROBE:
        opts["kern_version"] = KERNEL_VERSION
    elif prog_type == ProgType.LIRC_MODE2:
        opts["expected_attach_type"] = AttachType.LIRC_MODE2
    elif prog_type in (ProgType.TRACING, ProgType.LSM):
        opts["expected_attach_type"] = (AttachType.TRACE_FENTRY if prog_type == ProgType.TRACING
                                        else AttachType.MODIFY_RETURN)
        opts["attach_btf_id"] = 1
        exp_err, exp_msg = EINVAL, "attach_btf_id 1 is not a function"
    elif prog_type == ProgType.EXT:
        opts["attach_btf_id"] = 1
        exp_err, exp_msg = EINVAL, "Cannot replace kernel functions"
    elif prog_type == ProgType.SYSCALL:
        opts["prog_flags"] = BPF_F_SLEEPABLE
    elif prog_type == ProgType.STRUCT_OPS:
        exp_err = ENOTSUPP
    elif not 0 <= prog_type <= ProgType.SYSCALL:
        return -EOPNOTSUPP, None
    res = prog_load(prog_type, insns, log=True, **opts)
    if exp_err:
        if res.ok or res.errno != exp_err:
            return 0, res
        if exp_msg is not None and exp_msg not in res.log:
            return 0, res
        return 1, res
    return (1 if res.ok else 0), res


def prog_type_supported(prog_type: int) -> tuple[bool, int]:
    """libbpf_probe_bpf_prog_type(type) > 0, and the errno of the load."""
    ret, res = _probe_prog_load(prog_type, [MOV_R0_0, EXIT])
    return ret > 0, (res.errno if res is not None else 0)


def prog_type_supported_on_dev(prog_type: int, ifindex: int) -> tuple[bool, int]:
    """bpftool's probe_prog_type_ifindex: ``r0 = 0; exit`` (``r0 = 2`` for sched_cls, which
    the nfp refuses to offload returning 0) loaded for the device: supported unless the
    kernel answers EINVAL or EOPNOTSUPP; and the errno of the load."""
    if prog_type not in (ProgType.SCHED_CLS, ProgType.XDP):
        return False, 0
    first = Insn(0xB7, 0, 0, 0, 2 if prog_type == ProgType.SCHED_CLS else 0)
    res = prog_load(prog_type, [first, EXIT], ifindex=ifindex)
    return res.ok or res.errno not in (EINVAL, EOPNOTSUPP), res.errno


# --------------------------------------------------------------------------- helpers
#: verifier messages that mean "this program type cannot call this helper"
UNAVAILABLE_HELPER_MSGS = ("invalid func ", "unknown func ", "program of this type cannot use helper ")


def helper_supported(prog_type: int, helper_id: int) -> tuple[bool, int]:
    """libbpf_probe_bpf_helper(type, id) > 0 (with libbpf 1.2's message list), and the
    errno of the load."""
    if prog_type in (ProgType.TRACING, ProgType.EXT, ProgType.LSM, ProgType.STRUCT_OPS):
        return False, 0  # -EOPNOTSUPP: libbpf cannot load these without a BTF target
    ret, res = _probe_prog_load(prog_type, [call(helper_id), EXIT])
    if ret < 0 or res is None:
        return False, 0
    if ret == 0 and any(m in res.log for m in UNAVAILABLE_HELPER_MSGS):
        return False, res.errno
    return True, res.errno


def helper_supported_on_dev(prog_type: int, helper_id: int, ifindex: int, vendor: int = 0) -> tuple[bool, int]:
    """bpftool's probe_helper_ifindex: the load for the device must not say ``invalid
    func``/``unknown func`` (nor, for a Netronome device, ``not supported by FW`` /
    ``unsupported function id``); and the errno of the load."""
    res = prog_load(prog_type, [call(helper_id), EXIT], log=True, ifindex=ifindex)
    ok = "invalid func " not in res.log and "unknown func " not in res.log
    if vendor == 0x19EE:
        ok = ok and "not supported by FW" not in res.log and "unsupported function id" not in res.log
    return ok, res.errno


# -------------------------------------------------------------------------- map types
def _local_storage_btf() -> bytes:
    """libbpf's load_local_storage_btf: int, struct bpf_spin_lock { int val; },
    struct val { int cnt; struct bpf_spin_lock l; }."""
    strs = b"\0bpf_spin_lock\0val\0cnt\0l\0"
    types = struct.pack(
        "<IIII" "III" "III" "III" "III" "III",
        0, 1 << 24, 4, (1 << 24) | 32,  # [1] INT int size 4, signed, 32 bits
        1, (4 << 24) | 1, 4, 15, 1, 0,  # [2] STRUCT bpf_spin_lock size 4 { int val; }
        15, (4 << 24) | 2, 8, 19, 1, 0,  # [3] STRUCT val size 8 { int cnt;
        23, 2, 32,  # struct bpf_spin_lock l (bit offset 32) }
    )
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def _map_create(map_type: int, key: int, value: int, entries: int, **opts) -> tuple[int, int]:
    """(fd or -1, errno)"""
    try:
        return kern.bpf(Cmd.MAP_CREATE, A.MapCreateAttr(map_type=map_type, key_size=key, value_size=value,
                                                        max_entries=entries, **opts)), 0
    except SyscallError as e:
        return -1, e.errno


def map_type_supported(map_type: int) -> bool:
    """libbpf_probe_bpf_map_type(type) > 0: libbpf's probe_map_create."""
    key, value, entries = 4, 4, 1
    opts: dict = {}
    exp_err = 0
    btf_fd = inner = -1
    M = MapType
    if map_type == M.STACK_TRACE:
        value = 8
    elif map_type == M.LPM_TRIE:
        key, value, opts["map_flags"] = 8, 8, BPF_F_NO_PREALLOC
    elif map_type in (M.CGROUP_STORAGE, M.PERCPU_CGROUP_STORAGE):
        key, value, entries = 16, 8, 0  # sizeof(struct bpf_cgroup_storage_key): u64 + u32, padded
    elif map_type in (M.QUEUE, M.STACK):
        key = 0
    elif map_type in (M.SK_STORAGE, M.INODE_STORAGE, M.TASK_STORAGE):
        value, entries, opts["map_flags"] = 8, 0, BPF_F_NO_PREALLOC
        try:
            btf_fd = kern.bpf(Cmd.BTF_LOAD, A.BtfLoadAttr(btf=_local_storage_btf()))
        except SyscallError:
            return False
        opts.update(btf_fd=btf_fd, btf_key_type_id=1, btf_value_type_id=3)
    elif map_type in (M.RINGBUF, M.USER_RINGBUF):
        key, value, entries = 0, 0, PAGE_SIZE
    elif map_type == M.STRUCT_OPS:
        opts["btf_vmlinux_value_type_id"] = 1
        exp_err = ENOTSUPP
    elif map_type == M.BLOOM_FILTER:
        key, entries = 0, 1
    elif not 0 < map_type <= M.USER_RINGBUF:
        return False
    fd, err = -1, 0
    try:
        if map_type in (M.ARRAY_OF_MAPS, M.HASH_OF_MAPS):
            inner, err = _map_create(M.HASH, 4, 4, 1)
            if inner < 0:
                return False
            opts["inner_map_fd"] = inner
        fd, err = _map_create(map_type, key, value, entries, **opts)
    finally:
        for f in (fd, inner, btf_fd):
            kern.close(f)
    if exp_err:
        return fd < 0 and err == exp_err
    return fd >= 0


def map_type_supported_on_dev(map_type: int, ifindex: int) -> bool:
    """bpftool's probe_map_type_ifindex: a 4/4/1 map created for the device."""
    fd, _err = _map_create(map_type, 4, 4, 1, map_ifindex=ifindex)
    kern.close(fd)
    return fd >= 0


# ------------------------------------------------------------------------ misc features
def misc_feature(insns: list[Insn], ifindex: int = 0) -> bool:
    """bpftool's probe_misc_feature: the program loads as a socket filter."""
    return prog_load(ProgType.SOCKET_FILTER, insns, ifindex=ifindex).ok


def large_insn_limit(ifindex: int = 0) -> bool:
    """BPF_MAXINSNS ``r0 = 1`` and an exit: more than the old 4096-instruction limit."""
    return misc_feature([Insn(0xB7, 0, 0, 0, 1)] * BPF_MAXINSNS + [EXIT], ifindex)


def bounded_loops(ifindex: int = 0) -> bool:
    """``r0 = 10; r0 -= 1; if r0 != 0 goto -2; exit``: a backward jump."""
    return misc_feature([Insn(0xB7, 0, 0, 0, 10), Insn(0x17, 0, 0, 0, 1), Insn(0x55, 0, 0, -2, 0), EXIT],
                        ifindex)


def v2_isa_extension(ifindex: int = 0) -> bool:
    """``if r0 < 0 goto +1`` (BPF_JLT, ISA v2)."""
    return misc_feature([MOV_R0_0, Insn(0xA5, 0, 0, 1, 0), Insn(0xB7, 0, 0, 0, 1), EXIT], ifindex)


def v3_isa_extension(ifindex: int = 0) -> bool:
    """``if w0 < 0 goto +1`` (BPF_JMP32, ISA v3)."""
    return misc_feature([MOV_R0_0, Insn(0xA6, 0, 0, 1, 0), Insn(0xB7, 0, 0, 0, 1), EXIT], ifindex)
