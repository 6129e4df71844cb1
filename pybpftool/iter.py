"""``pybpftool iter``: BPF iterators. The simulated kernel has no iterator targets yet, so
``pin`` says so in one ``Error:`` line after checking its arguments as bpftool does."""

from __future__ import annotations

from .common import Args, Cmd, cmd_select, p_err, print_usage

USAGE = """\
Usage: %1$s %2$s pin OBJ PATH [map MAP]
       %1$s %2$s help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args, obj="iter", json_null=False)


def _unsupported(args: Args) -> int:
    p_err(f"iter {args.back(1)}: not supported by pybpftool yet")
    return -1


def do_pin(args: Args) -> int:
    from .common import req_args, usage

    if not req_args(args, 2):
        usage()
    objfile = args.cur or ""
    from pylibbpf import BpfObject, LibbpfError

    from .load import libbpf_print

    try:
        BpfObject.open(objfile, print_fn=libbpf_print)
    except LibbpfError as e:
        p_err(f"can't open objfile {objfile}")
        return -e.errno
    p_err("iter pin: the simulated kernel has no iterator targets yet")
    return -1


COMMANDS = [
    Cmd("pin", do_pin),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
