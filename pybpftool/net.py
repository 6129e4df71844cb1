"""``pybpftool net``: XDP and tc attachments of the network devices — bpftool v7.1's net.c.

The simulated kernel has no network devices until the device/attachment work lands, so
``show`` prints the three empty sections the real tool prints when nothing is attached,
and a device name that does not exist gives the real tool's ``invalid devname``."""

from __future__ import annotations

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, req_args, usage
from .handles import prog_parse_fd

USAGE = """\
Usage: %1$s %2$s { show | list } [dev <devname>]
       %1$s %2$s attach ATTACH_TYPE PROG dev <devname> [ overwrite ]
       %1$s %2$s detach ATTACH_TYPE dev <devname>
       %1$s %2$s help

       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }

Note: Only xdp and tc attachments are supported now.
      For progs attached to cgroups, use "bpftool cgroup"
      to dump program attachments. For program types
      sk_{filter,skb,msg,reuseport} and lwt/seg6, please
      consult iproute2.
"""

ATTACH_TYPES = ("xdp", "xdpgeneric", "xdpdrv", "xdpoffload")
EINVAL = 22


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def net_parse_dev(args: Args) -> int:
    if is_prefix(args.cur, "dev"):
        args.next()
        name = args.cur or ""
        ifindex = kern.if_nametoindex(name)
        if not ifindex:
            p_err(f"invalid devname {name}")
        args.next()
        return ifindex
    p_err(f"expected 'dev', got: '{args.cur}'?")
    return -1


def do_show(args: Args) -> int:
    filter_idx = 0
    if args.argc == 2:
        filter_idx = net_parse_dev(args)
        if filter_idx < 1:
            return -1
    elif args.argc != 0:
        usage()
    sections = kern.net_attachments(filter_idx)
    jw = common.jw
    if jw is not None:
        jw.start_array()
        jw.start_object()
        for name in ("xdp", "tc", "flow_dissector"):
            jw.name(name)
            jw.start_array()
            for entry in sections.get(name, []):
                jw.start_object()
                for key, value in entry.items():
                    if isinstance(value, int):
                        jw.uint_field(key, value)
                    else:
                        jw.string_field(key, str(value))
                jw.end_object()
            jw.end_array()
        jw.end_object()
        jw.end_array()
        return 0
    out = []
    for name in ("xdp", "tc", "flow_dissector"):
        out.append(f"{name}:\n")
        for entry in sections.get(name, []):
            out.append(entry.get("text", "") + "\n")
        out.append("\n")
    common.out("".join(out))
    return 0


def _attach_type(word: str | None) -> str | None:
    return word if word in ATTACH_TYPES else None


def do_attach(args: Args) -> int:
    if not req_args(args, 5):
        return -EINVAL
    kind = _attach_type(args.cur)
    if kind is None:
        p_err(f"invalid net attach/detach type: {args.cur}")
        return -EINVAL
    args.next()
    progfd = prog_parse_fd(args)
    if progfd < 0:
        return -EINVAL
    try:
        ifindex = net_parse_dev(args)
        if ifindex < 1:
            return -EINVAL
        overwrite = False
        if args.argc:
            if is_prefix(args.cur, "overwrite"):
                overwrite = True
            else:
                p_err(f"expected 'overwrite', got: '{args.cur}'?")
                return -EINVAL
        err = kern.xdp_attach(ifindex, progfd, kind, overwrite)
        if err:
            p_err(f"interface {kind} attach failed: {kern.strerror(-err)}")
            return err
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(progfd)


def do_detach(args: Args) -> int:
    if not req_args(args, 3):
        return -EINVAL
    kind = _attach_type(args.cur)
    if kind is None:
        p_err(f"invalid net attach/detach type: {args.cur}")
        return -EINVAL
    args.next()
    ifindex = net_parse_dev(args)
    if ifindex < 1:
        return -EINVAL
    err = kern.xdp_attach(ifindex, -1, kind, False)
    if err < 0:
        p_err(f"interface {kind} detach failed: {kern.strerror(-err)}")
        return err
    if common.jw is not None:
        common.jw.null()
    return 0


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("attach", do_attach, ATTACH_TYPES),
    Cmd("detach", do_detach, ATTACH_TYPES),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
