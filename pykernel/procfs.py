"""The /proc and /sys files user space reads about BPF, as the simulated kernel fills them.

Linux exposes these as files; here each is a function of the kernel state that a
``Process`` method returns (the "syscall" is the read of the file):

* :func:`kallsyms` - ``/proc/kallsyms`` as root reads it (real addresses): the kernel's
  functions that fixed-up helper calls reach (:data:`pykernel.kallsyms.SYMBOL_IMM`, placed
  relative to :data:`BPF_CALL_BASE`) and one ``bpf_prog_<tag>_<name> [bpf]`` symbol per
  JIT-ed function of every loaded program, at the addresses ``OBJ_GET_INFO_BY_FD`` reports
  in ``jited_ksyms``. ``bpftool prog dump xlated`` resolves call targets through it.
* :data:`SYSCTLS` / :func:`sysctl` - ``/proc/sys/kernel/unprivileged_bpf_disabled`` and
  ``/proc/sys/net/core/bpf_jit_*``.
* :func:`kernel_config` - the build configuration (``/proc/config.gz``): the ``CONFIG_*``
  options ``bpftool feature probe`` looks for.
* :func:`kernfs_order` - the order ``getdents`` lists a kernfs directory (cgroupfs) in.

The values describe the simulated kernel, not the host. Where the reference machine
(6.18.44, x86-64) and the simulation agree they are the reference machine's; where the
simulation lacks a feature the option says so (see :data:`KCONFIG`).
"""

from __future__ import annotations

from typing import Any

#: address of ``__bpf_call_base`` in the simulated build: the reference kernel's
#: (6.18.44-fc-v669, ``ffffffff814cc810 T __bpf_call_base`` in its /proc/kallsyms), so that
#: ``call __htab_map_lookup_elem#330864`` resolves exactly as it does there
BPF_CALL_BASE = 0xFFFFFFFF814CC810
#: the simulated JIT places program ``id``'s image at ``JIT_IMAGE_BASE + (id << 14)``
#: (``OBJ_GET_INFO_BY_FD``'s jited_ksyms; tests/test_cli_kernel_hooks.py keeps them equal)
JIT_IMAGE_BASE = 0xFFFFFFFFC0000000

#: sysctl path (below /proc/sys, dots for slashes) -> (value, readable without CAP_SYS_ADMIN)
#:
#: * ``kernel.unprivileged_bpf_disabled`` = 2: bpf() needs CAP_BPF/CAP_SYS_ADMIN, and an
#:   admin may set it to 0 (CONFIG_BPF_UNPRIV_DEFAULT_OFF, the 6.18 default); the simulation
#:   has no capability checks inside bpf(), so unprivileged callers get EPERM at the entry.
#: * ``net.core.bpf_jit_enable`` = 1: programs are "JIT-ed" (jited sizes, jited_ksyms);
#:   CONFIG_BPF_JIT_ALWAYS_ON, so it cannot be 0.
#: * ``net.core.bpf_jit_harden`` = 0 (no constant blinding: ``dump xlated`` shows constants).
#: * ``net.core.bpf_jit_kallsyms`` = 1: the programs' symbols are in :func:`kallsyms`.
#: * ``net.core.bpf_jit_limit``: the reference machine's value (bytes of JIT memory for
#:   unprivileged users); the simulation does not account JIT memory.
#:
#: The three bpf_jit_harden/kallsyms/limit files need CAP_SYS_ADMIN even to read
#: (``proc_do*_bpf_restricted``); the other two are world-readable.
SYSCTLS: dict[str, tuple[int, bool]] = {
    "kernel.unprivileged_bpf_disabled": (2, True),
    "net.core.bpf_jit_enable": (1, True),
    "net.core.bpf_jit_harden": (0, False),
    "net.core.bpf_jit_kallsyms": (1, False),
    "net.core.bpf_jit_limit": (528482304, False),
}


def _hz() -> int:
    from .interp.env import HZ  # jiffies advance at this rate in the interpreter

    return int(HZ)


#: The build configuration. Options absent here are "not set". Chosen to state what the
#: simulated kernel does:
#:
#: * the BPF core, the (always-on) JIT, cgroups with BPF hooks, socket cgroup data, the
#:   classid cgroup (``bpf_get_cgroup_classid`` is available), clsact/cls_bpf with
#:   direct-action, XDP sockets (xskmap), LWT/seg6 program types, sockmap
#:   (``BPF_STREAM_PARSER``), the xt_bpf match, XFRM and route classid helpers: as on the
#:   reference kernel, and what the simulated helper table and program types provide;
#: * ``DEBUG_INFO_BTF`` is **not set**: the simulation has no vmlinux BTF (tracing, LSM and
#:   struct_ops programs cannot attach to kernel functions), unlike the reference kernel;
#: * ``KPROBE_EVENTS``, ``FUNCTION_ERROR_INJECTION``/``BPF_KPROBE_OVERRIDE``,
#:   ``NET_ACT_BPF``, ``BPF_LIRC_MODE2``, ``BPFILTER`` and ``TEST_BPF``: not set, as on the
#:   reference kernel (no kprobes, no act_bpf, no IR receivers);
#: * ``UPROBE_EVENTS``, ``TRACING``, ``FTRACE_SYSCALLS``, ``BPF_EVENTS``: set (the tracing
#:   program types load, and bpf_trace_printk writes a trace_pipe);
#: * ``HZ`` is the interpreter's jiffies rate (250, the reference kernel's).
KCONFIG: dict[str, str] = {
    "CONFIG_BPF": "y",
    "CONFIG_BPF_SYSCALL": "y",
    "CONFIG_HAVE_EBPF_JIT": "y",
    "CONFIG_BPF_JIT": "y",
    "CONFIG_BPF_JIT_ALWAYS_ON": "y",
    "CONFIG_BPF_UNPRIV_DEFAULT_OFF": "y",
    "CONFIG_CGROUPS": "y",
    "CONFIG_CGROUP_BPF": "y",
    "CONFIG_CGROUP_NET_CLASSID": "y",
    "CONFIG_SOCK_CGROUP_DATA": "y",
    "CONFIG_BPF_EVENTS": "y",
    "CONFIG_UPROBE_EVENTS": "y",
    "CONFIG_TRACING": "y",
    "CONFIG_FTRACE_SYSCALLS": "y",
    "CONFIG_NET": "y",
    "CONFIG_XDP_SOCKETS": "y",
    "CONFIG_LWTUNNEL_BPF": "y",
    "CONFIG_NET_CLS_BPF": "y",
    "CONFIG_NET_CLS_ACT": "y",
    "CONFIG_NET_SCH_INGRESS": "y",
    "CONFIG_XFRM": "y",
    "CONFIG_IP_ROUTE_CLASSID": "y",
    "CONFIG_IPV6_SEG6_BPF": "y",
    "CONFIG_BPF_STREAM_PARSER": "y",
    "CONFIG_NETFILTER_XT_MATCH_BPF": "y",
}


def kernel_config() -> dict[str, str]:
    """``CONFIG_NAME`` -> value (``y``, ``m`` or a number) of every option that is set."""
    cfg = dict(KCONFIG)
    cfg["CONFIG_HZ"] = str(_hz())
    from . import config

    cfg["CONFIG_NR_CPUS"] = str(config.CONFIG_NR_CPUS)
    return cfg


def sysctl(name: str, privileged: bool) -> int:
    """The value of sysctl ``name``. ENOENT for an unknown one; EPERM reading a restricted
    one without CAP_SYS_ADMIN."""
    from .uapi.errors import SyscallError

    entry = SYSCTLS.get(name)
    if entry is None:
        raise SyscallError(2, f"no sysctl {name}")
    value, world_readable = entry
    if not world_readable and not privileged:
        raise SyscallError(1, f"reading {name} needs CAP_SYS_ADMIN")
    return value


# ------------------------------------------------------------------------------ kernfs
def kernfs_name_hash(name: str) -> int:
    """kernfs_name_hash(name, NULL): the reiserfs R5 partial hash of the name bytes, folded
    to 32 bits with hash_long (64-bit golden ratio), kept in 2 .. INT_MAX-1."""
    h = 0
    for c in name.encode():
        h = ((h + (c << 4) + (c >> 4)) * 11) & 0xFFFFFFFFFFFFFFFF
    h = ((h * 0x61C8864680B583EB) & 0xFFFFFFFFFFFFFFFF) >> 32
    h &= 0x7FFFFFFF
    if h < 2:
        h += 2
    if h >= 0x7FFFFFFF:
        h = 0x7FFFFFFF - 1
    return h


def kernfs_order(names: list[str]) -> list[str]:
    """Directory entries in kernfs readdir order: by name hash, then name (the rbtree
    order of kernfs_sd_compare). Checked with ``ls -f`` on the reference machine's
    cgroupfs: x1 c a lnk empty x2 grand db zz b child web."""
    return sorted(names, key=lambda n: (kernfs_name_hash(n), n))


# ---------------------------------------------------------------------------- kallsyms
def _func_name(k: Any, prog: Any, idx: int) -> str:
    """``bpf_get_prog_name``: the BTF name of function ``idx`` when the program has func
    info, else the program's name for the main function and ``F`` for a subprogram."""
    import struct

    finfo = prog.func_info or b""
    if prog.btf_id and len(finfo) >= 8 * (idx + 1):
        type_id = struct.unpack_from("<I", finfo, 8 * idx + 4)[0]
        btf = k.btf(prog.btf_id)
        if btf is not None:
            try:
                types = btf.parsed.types
                if 0 < type_id < len(types):
                    name = btf.str_at(types[type_id].name_off)
                    if name:
                        return name
            except Exception:  # noqa: BLE001 - a BTF we cannot read: fall back as Linux cannot
                pass
    if idx == 0:
        return prog.name
    return "F"


def subprog_tags(prog: Any) -> list[bytes]:
    """Tags of the JIT-ed functions of a program with bpf-to-bpf calls.

    The verifier splits such a program into one image per function and tags each
    (``jit_subprogs`` + ``bpf_prog_calc_tag``) at a point where calls still hold the
    callee's index (``off``) and ``imm`` 1, and ``ld_imm64`` of maps still carry their
    pseudo source register (whose immediates the tag ignores). Checked against the
    reference kernel's ``bpf_prog_<tag>_<name>`` symbols of xdp_subprog.o.
    """
    from .prog import map_of_kaddr
    from .tag import jit_func_insns, prog_tag
    from .uapi.consts import PSEUDO_FUNC, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE
    from .uapi.insn import encode_all

    xl = prog.xlated
    starts = list(prog.subprog_starts) + [len(xl)]
    used = set(prog.used_maps)
    tags = []
    for s in range(len(starts) - 1):
        body = jit_func_insns(xl[starts[s]:starts[s + 1]])
        i = 0
        while i < len(body):
            ins = body[i]
            if ins.code == 0x18 and i + 1 < len(body) and ins.src != PSEUDO_FUNC:
                addr = ((body[i + 1].imm & 0xFFFFFFFF) << 32) | (ins.imm & 0xFFFFFFFF)
                hit = map_of_kaddr(addr)
                if hit is not None and hit[0] in used:
                    body[i] = ins.with_(src=PSEUDO_MAP_FD if hit[1] == 0 else PSEUDO_MAP_VALUE)
                i += 1
            i += 1
        tags.append(prog_tag(encode_all(body)))
    return tags


def prog_symbols(k: Any, prog: Any) -> list[tuple[int, str]]:
    """(address, name) of each JIT-ed function of ``prog``, at its ``jited_ksyms``."""
    from .syscall import _func_lens

    nfuncs = prog.func_cnt or 1
    base = JIT_IMAGE_BASE + (prog.id << 14)  # where syscall.prog_info puts jited_ksyms[0]
    lens = _func_lens(prog, nfuncs)
    tags = [prog.tag] if nfuncs == 1 else subprog_tags(prog)
    out = []
    addr = base
    for i in range(nfuncs):
        name = _func_name(k, prog, i)
        out.append((addr, f"bpf_prog_{tags[i].hex()}" + (f"_{name}" if name else "")))
        addr += lens[i]
    return out


def kallsyms(k: Any) -> list[tuple[int, str, str, str]]:
    """/proc/kallsyms as root reads it: (address, type letter, name, module) sorted by
    address; ``module`` is ``""`` for the kernel image and ``"bpf"`` for programs."""
    from .kallsyms import SYMBOL_IMM

    rows: list[tuple[int, str, str, str]] = [(BPF_CALL_BASE, "T", "__bpf_call_base", "")]
    for name, imm in SYMBOL_IMM.items():
        rows.append(((BPF_CALL_BASE + imm) & 0xFFFFFFFFFFFFFFFF, "t", name, ""))
    for (prog_id,) in k.tx.x("SELECT id FROM progs ORDER BY id").fetchall():
        prog = k.prog(prog_id)
        if prog is None:
            continue
        for addr, name in prog_symbols(k, prog):
            rows.append((addr, "t", name, "bpf"))
    rows.sort()
    return rows
