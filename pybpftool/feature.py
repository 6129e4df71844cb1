"""``pybpftool feature``: ``list_builtins`` prints the name tables bpftool v7.1 (libbpf
1.1) knows; ``probe`` parses its arguments as bpftool does and, until the simulated
kernel's feature set is described (a later issue), answers with a clean ``Error:``."""

from __future__ import annotations

from pykernel.uapi.consts import ATTACH_TYPE_NAMES, LINK_TYPE_NAMES, MAP_TYPE_NAMES, PROG_TYPE_NAMES

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, usage

USAGE = """\
Usage: %1$s %2$s probe [COMPONENT] [full] [unprivileged] [macros [prefix PREFIX]]
       %1$s %2$s list_builtins GROUP
       %1$s %2$s help

       COMPONENT := { kernel | dev NAME }
       GROUP := { prog_types | map_types | attach_types | link_types | helpers }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }
"""

GROUPS = ("prog_types", "map_types", "attach_types", "link_types", "helpers")
HELPER_COUNT = 210  # helper ids libbpf 1.1 names (0 .. BPF_FUNC_user_ringbuf_drain)


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def builtin_names(group: str) -> list[str]:
    if group == "helpers":
        from pykernel.uapi import helpers

        names = []
        for i in range(HELPER_COUNT):
            h = helpers.by_id(i)
            names.append(h.bpf_name if h is not None else f"bpf_{i}")
        return names
    table = {"prog_types": PROG_TYPE_NAMES, "map_types": MAP_TYPE_NAMES,
             "attach_types": ATTACH_TYPE_NAMES, "link_types": LINK_TYPE_NAMES}[group]
    return [table[k] for k in sorted(table)]


def do_list_builtins(args: Args) -> int:
    if args.argc != 1:
        usage()
    group = next((g for g in GROUPS if is_prefix(args.cur, g)), None)
    if group is None:
        p_err("expected 'prog_types', 'map_types', 'attach_types', 'link_types' or 'helpers', "
              f"got: {args.cur}")
        return -1
    names = builtin_names(group)
    jw = common.jw
    if jw is not None:
        jw.start_array()
        for n in names:
            jw.string(n)
        jw.end_array()
    else:
        common.out("".join(n + "\n" for n in names))
    return 0


def do_probe(args: Args) -> int:
    target = None
    ifname = None
    macros = False
    prefix_seen = False
    while args.argc:
        word = args.cur or ""
        if is_prefix(word, "kernel"):
            if target is not None:
                p_err("component to probe already specified")
                return -1
            target = "kernel"
            args.next()
        elif is_prefix(word, "dev"):
            args.next()
            if target is not None:
                p_err("component to probe already specified")
                return -1
            if args.argc < 1:
                usage()
            target = "dev"
            ifname = args.take()
        elif is_prefix(word, "full") or is_prefix(word, "unprivileged"):
            args.next()
        elif is_prefix(word, "macros") and not macros:
            macros = True
            args.next()
        elif is_prefix(word, "prefix"):
            if not macros:
                p_err("'prefix' argument can only be use after 'macros'")
                return -1
            if prefix_seen:
                p_err("'prefix' already defined")
                return -1
            args.next()
            if args.argc < 1:
                usage()
            prefix_seen = True
            args.next()
        else:
            p_err("expected no more arguments, 'kernel', 'dev', 'macros' or 'prefix', "
                  f"got: '{word}'?")
            return -1
    if target == "dev" and not kern.if_nametoindex(ifname or ""):
        p_err(f"unrecognized netdevice '{ifname}': No such device")
        return -1
    p_err("feature probe is not supported by the simulated kernel yet")
    return -1


COMMANDS = [
    Cmd("probe", do_probe, ("kernel", "dev", "full", "unprivileged", "macros", "prefix")),
    Cmd("list_builtins", do_list_builtins, GROUPS),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
