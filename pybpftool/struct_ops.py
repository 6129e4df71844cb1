"""``pybpftool struct_ops``: struct_ops maps. The simulated kernel has no struct_ops types
(no vmlinux BTF to register against), so ``show`` and ``dump`` list nothing — what
bpftool v7.1 prints on a machine without struct_ops maps — and ``register`` says so."""

from __future__ import annotations

from . import common
from .common import Args, Cmd, cmd_select, p_err, print_usage, usage

USAGE = """\
Usage: %1$s %2$s { show | list } [STRUCT_OPS_MAP]
       %1$s %2$s dump [STRUCT_OPS_MAP]
       %1$s %2$s register OBJ
       %1$s %2$s unregister STRUCT_OPS_MAP
       %1$s %2$s help

       STRUCT_OPS_MAP := [ id STRUCT_OPS_MAP_ID | name STRUCT_OPS_MAP_NAME ]
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def _list(args: Args) -> int:
    if args.argc not in (0, 2):
        usage()
    jw = common.jw
    if jw is not None or args.back(1).startswith("d"):
        if jw is None:
            common.out("[]\n")
        else:
            jw.start_array()
            jw.end_array()
    return 0


def do_register(args: Args) -> int:
    if args.argc != 1:
        usage()
    p_err("struct_ops register: the simulated kernel has no struct_ops types")
    return -1


def do_unregister(args: Args) -> int:
    if args.argc != 2:
        usage()
    p_err("struct_ops unregister: the simulated kernel has no struct_ops maps")
    return -1


COMMANDS = [
    Cmd("show", _list),
    Cmd("list", _list),
    Cmd("dump", _list),
    Cmd("register", do_register),
    Cmd("unregister", do_unregister),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
