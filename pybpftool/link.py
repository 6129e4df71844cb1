"""``pybpftool link``: show, pin and detach bpf_link objects — bpftool v7.1's link.c.

The simulated kernel makes XDP and cgroup links (BPF_LINK_CREATE); ``show`` prints what
bpftool v7.1 prints of each type: the header (``89: xdp  prog 122  ``, two trailing
spaces), a ``\tcgroup_id N  attach_type T  `` line for cgroup links, ``type N`` for link
types v7.1 has no name for (tcx is 11), and ``\tpinned PATH`` lines with ``-f``."""

from __future__ import annotations

import errno as _errno

from pykernel.uapi.consts import ATTACH_TYPE_NAMES, LINK_TYPE_NAMES, LinkType

from . import common, kern
from .common import Args, Cmd, cmd_select, opts, p_err, print_usage
from .handles import do_pin_any, link_parse_fd, pinned_table
from .kern import SyscallError, strerror

USAGE = """\
Usage: %1$s %2$s { show | list }   [LINK]
       %1$s %2$s pin        LINK  FILE
       %1$s %2$s detach     LINK
       %1$s %2$s help

       LINK := { id LINK_ID | pinned FILE }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-n|--nomount} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def _show_link(fd: int, pins) -> int:
    try:
        info = kern.link_info(fd)
    except SyscallError as e:
        p_err(f"can't get link info: {strerror(e.errno)}")
        return -1
    type_name = LINK_TYPE_NAMES.get(info.type)
    attach = ATTACH_TYPE_NAMES.get(info.attach_type)
    jw = common.jw
    if jw is not None:
        jw.start_object()
        jw.uint_field("id", info.id)
        if type_name:
            jw.string_field("type", type_name)
        else:
            jw.uint_field("type", info.type)
        jw.uint_field("prog_id", info.prog_id)
        if info.type == LinkType.CGROUP:
            jw.uint_field("cgroup_id", info.cgroup_id)
            if attach:
                jw.string_field("attach_type", attach)
            else:
                jw.uint_field("attach_type", info.attach_type)
        if pins:
            jw.name("pinned")
            jw.start_array()
            for p in pins.get(info.id, []):
                jw.string(p)
            jw.end_array()
        jw.end_object()
        return 0
    parts = [f"{info.id}: ", f"{type_name}  " if type_name else f"type {info.type}  ",
             f"prog {info.prog_id}  "]
    if info.type == LinkType.CGROUP:
        parts.append(f"\n\tcgroup_id {info.cgroup_id}  ")
        parts.append(f"attach_type {attach}  " if attach else f"attach_type {info.attach_type}  ")
    if pins:
        for p in pins.get(info.id, []):
            parts.append(f"\n\tpinned {p}")
    common.out("".join(parts) + "\n")
    return 0


def do_show(args: Args) -> int:
    pins = pinned_table("link") if opts.show_pinned else None
    if args.argc == 2:
        fd = link_parse_fd(args)
        if fd < 0:
            return fd
        try:
            return _show_link(fd, pins)
        finally:
            kern.close(fd)
    if args.argc:
        return common.bad_arg(args)
    jw = common.jw
    if jw is not None:
        jw.start_array()
    err = 0
    obj_id = 0
    while True:
        try:
            obj_id = kern.link_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno != _errno.ENOENT:
                p_err(f"can't get next link: {strerror(e.errno)}"
                      + (" -- kernel too old?" if e.errno == _errno.EINVAL else ""))
                err = -1
            break
        try:
            fd = kern.link_get_fd_by_id(obj_id)
        except SyscallError as e:
            if e.errno == _errno.ENOENT:
                continue
            p_err(f"can't get link by id ({obj_id}): {strerror(e.errno)}")
            err = -1
            break
        err = _show_link(fd, pins)
        kern.close(fd)
        if err:
            break
    if jw is not None:
        jw.end_array()
    return err


def do_pin(args: Args) -> int:
    err = do_pin_any(args, link_parse_fd)
    if not err and common.jw is not None:
        common.jw.null()
    return err


def do_detach(args: Args) -> int:
    if args.argc != 2:
        p_err("link specifier is invalid or missing\n")
        return 1
    fd = link_parse_fd(args)
    if fd < 0:
        return 1
    try:
        from pykernel.uapi.attr import LinkDetachAttr
        from pykernel.uapi.consts import Cmd as SysCmd

        try:
            kern.bpf(SysCmd.LINK_DETACH, LinkDetachAttr(link_fd=fd))
        except SyscallError as e:
            p_err(f"failed link detach: {strerror(e.errno)}")
            return 1
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(fd)


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("help", do_help),
    Cmd("pin", do_pin),
    Cmd("detach", do_detach),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
