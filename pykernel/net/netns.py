"""Network namespaces by name (what ``ip netns`` keeps under /run/netns).

The initial namespace is ``""``; it exists from the start with ``lo`` up. A new namespace
has only ``lo``, down. Deleting a namespace deletes its virtual devices (a veth whose peer
lives elsewhere takes the peer along) and moves NICs back to the initial namespace, as
``default_device_exit`` does (renamed ``dev%d`` when the name is taken there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..uapi.consts import EEXIST, EINVAL, ENOENT
from ..uapi.errors import SyscallError
from . import devices as D
from . import schema

if TYPE_CHECKING:
    from ..objects import Kernel


def exists(k: Kernel, name: str) -> bool:
    schema.ensure(k.tx)
    return D.ensure_ns(k, name)


def check(k: Kernel, name: str) -> None:
    if not exists(k, name):
        raise SyscallError(ENOENT, f"no network namespace {name!r}")


def current(k: Kernel) -> str:
    """The calling process's namespace (ENOENT if it was deleted under it)."""
    ns = D.ns_of(k)
    check(k, ns)
    return ns


def _valid(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..") and len(name.encode()) <= 255


def add(k: Kernel, name: str) -> None:
    schema.ensure(k.tx)
    if not _valid(name):
        raise SyscallError(EINVAL, f"invalid namespace name {name!r}")
    if exists(k, name):
        raise SyscallError(EEXIST, f"namespace {name} exists")
    D.create_ns(k, name)


def delete(k: Kernel, name: str) -> None:
    schema.ensure(k.tx)
    if name == "" or not exists(k, name):
        raise SyscallError(ENOENT, f"no network namespace {name!r}")
    for d in D.all_devices(k, name):
        cur = D.get_by_id(k, d.id)
        if cur is None:
            continue  # went with its veth peer
        if cur.kind == "nfp":
            new_name = None
            if k.tx.one("SELECT 1 FROM netdevs WHERE ns = '' AND name = ?", (cur.name,)):
                new_name = D.check_new_name(k, "", "dev%d", "dev", set())
            D.move_ns(k, cur, "", new_name)
        elif cur.kind == "lo":
            D.unregister(k, cur)
        else:
            D.delete(k, cur)
    k.tx.x("DELETE FROM net_ns WHERE name = ?", (name,))


def names(k: Kernel) -> list[str]:
    """``ip netns list`` (newest first, as ip lists /run/netns)."""
    schema.ensure(k.tx)
    D.ensure_ns(k, "")
    return [r[0] for r in k.tx.q("SELECT name FROM net_ns WHERE name != '' ORDER BY nsid DESC")]
