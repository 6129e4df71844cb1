"""``ip netns``: the simulated kernel's named network namespaces (``add``, ``delete``,
``list``/``show``, ``help``).

ip keeps a namespace alive through a file under /run/netns; here the kernel keeps the
names (``Process.netns_add/netns_del/netns_list``), so every pyip, pytc and pybpftool
process sees the same set. ``-n NAME`` then works on the devices of NAME.
"""

from __future__ import annotations

from pykernel.uapi.errors import SyscallError

from . import json_print as J
from . import rtnl
from .usage import NETNS_USAGE
from .utils import Args, Exit, err, matches, strerror


def usage() -> None:
    err(NETNS_USAGE)
    raise Exit(-1)


def _valid_name(name: str) -> bool:
    """netns_add()/netns_delete() refuse names that cannot be a file under /run/netns."""
    return bool(name) and "/" not in name and name not in (".", "..")


def netns_list() -> int:
    try:
        names = list(rtnl.proc().netns_list())
    except SyscallError as e:
        err(f"{strerror(e.errno or 0)}\n")
        return -1
    J.new_json_obj()
    for name in names:
        J.open_json_object(None)
        J.print_string(J.ANY, "name", "%s", name)
        J.print_string(J.FP, None, "%s", "\n")
        J.close_json_object()
    J.delete_json_obj()
    return 0


def netns_add(args: Args) -> int:
    if args.argc < 1:
        err("No netns name specified\n")
        return -1
    name = args.cur
    if not _valid_name(name):
        err(f'Invalid netns name "{name}"\n')
        raise Exit(-1)
    try:
        rtnl.proc().netns_add(name)
    except SyscallError as e:
        err(f'Cannot create namespace file "/run/netns/{name}": {strerror(e.errno or 0)}\n')
        return -1
    return 0


def netns_delete(args: Args) -> int:
    if args.argc < 1:
        err("No netns name specified\n")
        return -1
    name = args.cur
    if not _valid_name(name):
        err(f'Invalid netns name "{name}"\n')
        raise Exit(-1)
    try:
        rtnl.proc().netns_del(name)
    except SyscallError as e:
        err(f'Cannot remove namespace file "/run/netns/{name}": {strerror(e.errno or 0)}\n')
        return -1
    return 0


def do_netns(args: Args) -> int:
    if args.argc < 1:
        return netns_list()
    a = args.cur
    rest = Args(args.vec, args.i + 1)
    if matches(a, "help"):
        usage()
    if matches(a, "list") or matches(a, "show") or matches(a, "lst"):
        return netns_list()
    if matches(a, "add"):
        return netns_add(rest)
    if matches(a, "delete"):
        return netns_delete(rest)
    err(f'Command "{a}" is unknown, try "ip netns help".\n')
    raise Exit(-1)


main = do_netns
