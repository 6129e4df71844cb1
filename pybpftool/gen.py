"""``pybpftool gen``: skeleton and object generation. Registered with bpftool v7.1's usage
text; the generators are not part of pybpftool yet, so each command says so in one
``Error:`` line."""

from __future__ import annotations

from .common import Args, Cmd, cmd_select, p_err, print_usage

USAGE = """\
Usage: %1$s %2$s object OUTPUT_FILE INPUT_FILE [INPUT_FILE...]
       %1$s %2$s skeleton FILE [name OBJECT_NAME]
       %1$s %2$s subskeleton FILE [name OBJECT_NAME]
       %1$s %2$s min_core_btf INPUT OUTPUT OBJECT [OBJECT...]
       %1$s %2$s help

       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-L|--use-loader} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args, obj="gen")


def _unsupported(args: Args) -> int:
    p_err(f"gen {args.back(1)}: not supported by pybpftool yet")
    return -1


COMMANDS = [
    Cmd("object", _unsupported),
    Cmd("skeleton", _unsupported),
    Cmd("subskeleton", _unsupported),
    Cmd("min_core_btf", _unsupported),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
