"""``pybpftool cgroup``: programs attached to cgroups - bpftool v7.1's cgroup.c on the
simulated cgroup v2 hierarchy.

Cgroup paths are opened through the kernel (``Process.open_cgroup``: a path under
``/sys/fs/cgroup`` or its ``/sys/fs/cgroup/unified`` alias; another existing path opens as a
plain file, which the BPF commands refuse with EBADF, as on Linux). ``show`` asks
BPF_PROG_QUERY for every attach type bpftool v7.1 knows; ``tree`` walks the hierarchy as
``nftw`` does (directory first, children in cgroupfs readdir order); ``attach``/``detach``
are BPF_PROG_ATTACH/BPF_PROG_DETACH with bpftool's flags and messages.
"""

from __future__ import annotations

from pykernel.uapi.consts import ATTACH_TYPE_NAMES

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, req_args
from .kern import SyscallError, strerror

USAGE = """\
Usage: %1$s %2$s { show | list } CGROUP [**effective**]
       %1$s %2$s tree [CGROUP_ROOT] [**effective**]
       %1$s %2$s attach CGROUP ATTACH_TYPE PROG [ATTACH_FLAGS]
       %1$s %2$s detach CGROUP ATTACH_TYPE PROG
       %1$s %2$s help

       ATTACH_TYPE := { cgroup_inet_ingress | cgroup_inet_egress |
                        cgroup_inet_sock_create | cgroup_sock_ops |
                        cgroup_device | cgroup_inet4_bind |
                        cgroup_inet6_bind | cgroup_inet4_post_bind |
                        cgroup_inet6_post_bind | cgroup_inet4_connect |
                        cgroup_inet6_connect | cgroup_inet4_getpeername |
                        cgroup_inet6_getpeername | cgroup_inet4_getsockname |
                        cgroup_inet6_getsockname | cgroup_udp4_sendmsg |
                        cgroup_udp6_sendmsg | cgroup_udp4_recvmsg |
                        cgroup_udp6_recvmsg | cgroup_sysctl |
                        cgroup_getsockopt | cgroup_setsockopt |
                        cgroup_inet_sock_release }
       ATTACH_FLAGS := { multi | override }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} }
"""

#: the attach types the usage text lists (completion offers them)
ATTACH_TYPES = (
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "cgroup_device", "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind", "cgroup_inet4_connect", "cgroup_inet6_connect",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg",
    "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_sysctl", "cgroup_getsockopt",
    "cgroup_setsockopt", "cgroup_inet_sock_release",
)
#: bpftool's short names of the cgroup attach types (completion offers them too)
SHORT_ATTACH_TYPES = ("ingress", "egress", "sock_create", "sock_ops", "device", "bind4", "bind6",
                      "post_bind4", "post_bind6", "connect4", "connect6", "getpeername4", "getpeername6",
                      "getsockname4", "getsockname6", "sendmsg4", "sendmsg6", "recvmsg4", "recvmsg6",
                      "sysctl", "getsockopt", "setsockopt", "sock_release")
#: __MAX_BPF_ATTACH_TYPE of the uapi bpftool v7.1 was built with: every type below it is
#: queried (the kernel answers EINVAL for the non-cgroup ones)
MAX_ATTACH_TYPE = 44
BPF_F_ALLOW_OVERRIDE = 1 << 0
BPF_F_ALLOW_MULTI = 1 << 1
BPF_F_QUERY_EFFECTIVE = 1 << 0
#: cgroup v2 mount point bpftool finds in /proc/mounts when ``tree`` gets no root
CGROUP2_ROOT = "/sys/fs/cgroup"
#: bpftool's traditional attach type names (bpf_attach_type_input_str), by type; the others
#: are libbpf's names
INPUT_NAMES = {
    0: "ingress", 1: "egress", 2: "sock_create", 34: "sock_release", 3: "sock_ops", 6: "device",
    8: "bind4", 9: "bind6", 10: "connect4", 11: "connect6", 12: "post_bind4", 13: "post_bind6",
    29: "getpeername4", 30: "getpeername6", 31: "getsockname4", 32: "getsockname6",
    14: "sendmsg4", 15: "sendmsg6", 18: "sysctl", 19: "recvmsg4", 20: "recvmsg6",
    21: "getsockopt", 22: "setsockopt", 23: "raw_tp", 24: "fentry", 25: "fexit", 26: "mod_ret",
    39: "sk_skb_reuseport_select", 40: "sk_skb_reuseport_select_or_migrate",
}
EINVAL = 22


class _State:
    query_flags = 0


state = _State()


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def parse_attach_type(word: str) -> int | None:
    """libbpf's exact names first, then bpftool's traditional names (and libbpf's) by
    prefix, in attach type order."""
    for t in sorted(ATTACH_TYPE_NAMES):
        if word == ATTACH_TYPE_NAMES[t]:
            return int(t)
    for t in sorted(ATTACH_TYPE_NAMES):
        if is_prefix(word, INPUT_NAMES.get(int(t), ATTACH_TYPE_NAMES[t])):
            return int(t)
    return None


# ---------------------------------------------------------------------------- queries
def _query(fd: int, atype: int, capacity: int = 1024):
    from pykernel.uapi.attr import ProgQueryAttr
    from pykernel.uapi.consts import Cmd as SysCmd

    a = ProgQueryAttr(target_fd=fd, attach_type=atype, query_flags=state.query_flags, prog_cnt=capacity)
    kern.bpf(SysCmd.PROG_QUERY, a)
    return a


def has_attached_progs(fd: int) -> int:
    """1 when some attach type has programs (effective ones with ``effective``), 0 when
    none has, -errno when a query fails for another reason than EINVAL."""
    for atype in range(MAX_ATTACH_TYPE):
        try:
            a = _query(fd, atype, 0)
        except SyscallError as e:
            if e.errno != EINVAL:
                return -e.errno
            continue
        if a.prog_cnt > 0:
            return 1
    return 0


def _flags_str(flags: int) -> str:
    if flags == BPF_F_ALLOW_MULTI:
        return "multi"
    if flags == BPF_F_ALLOW_OVERRIDE:
        return "override"
    if flags == 0:
        return ""
    return f"unknown({flags:x})"


def show_bpf_prog(prog_id: int, atype: int, flags_str: str, level: int) -> int:
    from .handles import prog_full_name

    try:
        fd = kern.prog_get_fd_by_id(prog_id)
    except SyscallError:
        return -1
    try:
        info = kern.prog_info(fd)
        name = prog_full_name(info, fd)
    except SyscallError:
        return -1
    finally:
        kern.close(fd)
    type_str = ATTACH_TYPE_NAMES.get(atype)
    effective = bool(state.query_flags & BPF_F_QUERY_EFFECTIVE)
    jw = common.jw
    if jw is not None:
        jw.start_object()
        jw.uint_field("id", info.id)
        if type_str:
            jw.string_field("attach_type", type_str)
        else:
            jw.uint_field("attach_type", atype)
        if not effective:
            jw.string_field("attach_flags", flags_str)
        jw.string_field("name", name)
        jw.string_field("attach_btf_name", "")
        jw.uint_field("attach_btf_obj_id", info.attach_btf_obj_id)
        jw.uint_field("attach_btf_id", info.attach_btf_id)
        jw.end_object()
        return 0
    row = [f"{'    ' if level else ''}{info.id:<8} ",
           f"{type_str:<15}" if type_str else f"type {atype:<10}"]
    row.append(f" {name:<15}" if effective else f" {flags_str:<15} {name:<15}")
    row.append(f" {'':<15}")  # attach_btf_name: only lsm_cgroup programs have one
    common.out("".join(row) + "\n")
    return 0


def show_attached_bpf_progs(fd: int, atype: int, level: int) -> int:
    try:
        a = _query(fd, atype)
    except SyscallError as e:
        return -e.errno
    for k, prog_id in enumerate(a.prog_ids[:a.prog_cnt]):
        pflags = a.prog_attach_flags[k] if k < len(a.prog_attach_flags) else 0
        show_bpf_prog(prog_id, atype, _flags_str(pflags or a.attach_flags), level)
    return 0


def _header() -> str:
    if state.query_flags & BPF_F_QUERY_EFFECTIVE:
        return f"{'ID':<8} {'AttachType':<15} {'Name':<15}\n"
    return f"{'ID':<8} {'AttachType':<15} {'AttachFlags':<15} {'Name':<15}\n"


def _parse_effective(args: Args) -> bool:
    while args.argc:
        if is_prefix(args.cur, "effective"):
            if state.query_flags & BPF_F_QUERY_EFFECTIVE:
                p_err(f"duplicated argument: {args.cur}")
                return False
            state.query_flags |= BPF_F_QUERY_EFFECTIVE
            args.next()
        else:
            p_err(f"expected no more arguments, 'effective', got: '{args.cur}'?")
            return False
    return True


def _open(path: str) -> int:
    try:
        return kern.proc().open_cgroup(path)
    except SyscallError:
        return -1


# ------------------------------------------------------------------------------- show
def do_show(args: Args) -> int:
    state.query_flags = 0
    if not req_args(args, 1):
        return -1
    path = args.take() or ""
    if not _parse_effective(args):
        return -1
    fd = _open(path)
    if fd < 0:
        p_err(f"can't open cgroup {path}")
        return -1
    try:
        has = has_attached_progs(fd)
        if has < 0:
            p_err(f"can't query bpf programs attached to {path}: {strerror(-has)}")
            return -1
        if not has:
            return 0
        jw = common.jw
        if jw is not None:
            jw.start_array()
        else:
            common.out(_header())
        ret = -1
        for atype in range(MAX_ATTACH_TYPE):
            if show_attached_bpf_progs(fd, atype, 0) == 0:
                ret = 0
        if jw is not None:
            jw.end_array()
        return ret
    finally:
        kern.close(fd)


# ------------------------------------------------------------------------------- tree
class _TreeError(Exception):
    pass


def _show_tree_dir(path: str, level: int) -> None:
    fd = _open(path)
    if fd < 0:
        p_err(f"can't open cgroup {path}: No such file or directory")
        raise _TreeError
    try:
        has = has_attached_progs(fd)
        if has < 0:
            p_err(f"can't query bpf programs attached to {path}: {strerror(-has)}")
            raise _TreeError
        if not has:
            return
        jw = common.jw
        if jw is not None:
            jw.start_object()
            jw.string_field("cgroup", path)
            jw.name("programs")
            jw.start_array()
        else:
            common.out(f"{path}\n")
        for atype in range(MAX_ATTACH_TYPE):
            show_attached_bpf_progs(fd, atype, level)
        if jw is not None:
            jw.end_array()
            jw.end_object()
    finally:
        kern.close(fd)


def _walk(path: str, level: int) -> None:
    """nftw(path, fn, 1024, FTW_MOUNT): the directory, then each child in readdir order."""
    _show_tree_dir(path, level)
    try:
        children = kern.proc().cgroup_readdir(path)
    except SyscallError:
        return  # not a cgroup directory: nothing below it in cgroupfs
    sep = "" if path.endswith("/") else "/"
    for name in children:
        _walk(f"{path}{sep}{name}", level + 1)


def _is_walkable(path: str) -> int:
    """0 for a cgroup directory or another existing directory, 1 for a file (nftw
    reports it and the callback ignores it), -errno when it cannot be walked."""
    import os

    try:
        fd = kern.proc().open_cgroup(path)
    except SyscallError as e:
        return -e.errno
    kind = kern.fd_kinds().get(fd)
    kern.close(fd)
    if kind == "cgroup":
        return 0
    return 0 if os.path.isdir(path) else 1


def do_tree(args: Args) -> int:
    state.query_flags = 0
    if not args.argc:
        root = CGROUP2_ROOT
    else:
        root = args.take() or ""
        if not _parse_effective(args):
            return -1
    jw = common.jw
    if jw is not None:
        jw.start_array()
    else:
        common.out("CgroupPath\n" + _header())
    ret = 0
    walkable = _is_walkable(root)
    if walkable < 0:
        p_err(f"can't iterate over {root}: {strerror(-walkable)}")
        ret = -1
    elif walkable == 0:
        try:
            _walk(root, 0)
        except _TreeError:
            ret = -1
    if jw is not None:
        jw.end_array()
    return ret


# ---------------------------------------------------------------------- attach/detach
def _attach_detach(args: Args, attach: bool) -> int:
    from pykernel.uapi.attr import ProgAttachAttr
    from pykernel.uapi.consts import Cmd as SysCmd

    from .handles import prog_parse_fd

    what = "attach" if attach else "detach"
    if args.argc < 4:
        p_err(f"too few parameters for cgroup {what}")
        return -1
    path = args.take() or ""
    cg_fd = _open(path)
    if cg_fd < 0:
        p_err(f"can't open cgroup {path}")
        return -1
    prog_fd = -1
    try:
        atype = parse_attach_type(args.take() or "")
        if atype is None:
            p_err("invalid attach type")
            return -1
        prog_fd = prog_parse_fd(args)
        if prog_fd < 0:
            return -1
        flags = 0
        if attach:
            for word in args.rest():
                if is_prefix(word, "multi"):
                    flags |= BPF_F_ALLOW_MULTI
                elif is_prefix(word, "override"):
                    flags |= BPF_F_ALLOW_OVERRIDE
                else:
                    p_err(f"unknown option: {word}")
                    return -1
        try:
            kern.bpf(SysCmd.PROG_ATTACH if attach else SysCmd.PROG_DETACH,
                     ProgAttachAttr(target_fd=cg_fd, attach_bpf_fd=prog_fd, attach_type=atype,
                                    attach_flags=flags))
        except SyscallError:
            p_err(f"failed to {what} program")
            return -1
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(prog_fd)
        kern.close(cg_fd)


def do_attach(args: Args) -> int:
    return _attach_detach(args, True)


def do_detach(args: Args) -> int:
    return _attach_detach(args, False)


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("tree", do_tree),
    Cmd("attach", do_attach),
    Cmd("detach", do_detach),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
