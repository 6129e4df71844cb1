"""``pybpftool cgroup``: programs attached to cgroups — bpftool v7.1's cgroup.c argument
handling. The simulated kernel has no cgroups yet (a later issue brings devices and
attachments), so once the arguments are valid the commands say so in one ``Error:``
line instead of touching the host's cgroup filesystem."""

from __future__ import annotations

from . import common
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, req_args

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

ATTACH_TYPES = (
    "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create", "cgroup_sock_ops",
    "cgroup_device", "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_post_bind",
    "cgroup_inet6_post_bind", "cgroup_inet4_connect", "cgroup_inet6_connect",
    "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg",
    "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_sysctl", "cgroup_getsockopt",
    "cgroup_setsockopt", "cgroup_inet_sock_release",
)
HEADER = f"{'ID':<8} {'AttachType':<15} {'AttachFlags':<15} {'Name':<15}\n"
UNSUPPORTED = "cgroups are not supported by the simulated kernel yet"


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def do_show(args: Args) -> int:
    if not req_args(args, 1):
        return -1
    path = args.take() or ""
    if args.argc:
        if is_prefix(args.cur, "effective"):
            args.next()
        if args.argc:
            p_err(f"expected no more arguments, 'effective', got: '{args.cur}'?")
            return -1
    p_err(f"can't open cgroup {path}: {UNSUPPORTED}")
    return -1


def do_tree(args: Args) -> int:
    root = "/sys/fs/cgroup"
    if args.argc:
        if not is_prefix(args.cur, "effective"):
            root = args.take() or root
        if args.argc and is_prefix(args.cur, "effective"):
            args.next()
        if args.argc:
            p_err(f"expected no more arguments, 'effective', got: '{args.cur}'?")
            return -1
    jw = common.jw
    if jw is not None:
        jw.start_array()
    else:
        common.out("CgroupPath\n" + HEADER)
    p_err(f"can't iterate over {root}: {UNSUPPORTED}")
    if jw is not None:
        jw.end_array()
    return -1


def _attach_detach(args: Args, attach: bool) -> int:
    if args.argc < 4:
        p_err(f"too few parameters for cgroup {'attach' if attach else 'detach'}")
        return -1
    path = args.cur
    p_err(f"can't open cgroup {path}: {UNSUPPORTED}")
    return -1


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
