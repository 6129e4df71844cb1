"""``pybpftool perf``: programs attached to perf events (kprobes, tracepoints...). The
simulated kernel has none, so ``show`` lists nothing — what bpftool v7.1 prints on a
machine without such attachments."""

from __future__ import annotations

from . import common
from .common import Args, Cmd, cmd_select, print_usage

USAGE = """\
Usage: %1$s %2$s { show | list }
       %1$s %2$s help }

       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args, json_null=False)


def do_show(args: Args) -> int:
    jw = common.jw
    if jw is not None:
        jw.start_array()
        jw.end_array()
    return 0


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
