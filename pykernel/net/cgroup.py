"""A cgroup v2 hierarchy and its BPF hooks (``kernel/bpf/cgroup.c`` semantics).

The hierarchy is rooted at ``/sys/fs/cgroup`` (cgroup id 1); ``/sys/fs/cgroup/unified/...``
names the same cgroups (the reference machine mounts cgroup v2 there). Cgroups are made and
removed with ``Process.cgroup_mkdir/cgroup_rmdir`` (``nfpsim cgroup mkdir|rmdir|ls``: the
simulation's stand-in for mkdir/rmdir in cgroupfs). ``Process.open_cgroup(path)`` opens one
as an fd (fd kind ``cgroup``); other existing host paths open as plain files (fd kind
``file``), which the BPF commands refuse with EBADF, as a non-cgroup fd is refused.

Per cgroup and attach type there is a list of attached programs (or links) in attach order
and the cgroup's attach flags (NONE, BPF_F_ALLOW_OVERRIDE or BPF_F_ALLOW_MULTI). The
effective array of a cgroup is its own programs, then those of each ancestor that allows
multi (an override ancestor counts only while nothing was collected below it), computed on
demand from the hierarchy, as ``compute_effective_progs`` builds it.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Any

from ..uapi.consts import (
    E2BIG,
    EBADF,
    EBUSY,
    EEXIST,
    EINVAL,
    ENOENT,
    ENOSPC,
    ENOTDIR,
    EPERM,
    AttachType,
    ProgType,
)
from ..uapi.errors import SyscallError
from . import schema

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog

CGROUP = "cgroup"  # fd kind, and src_kind of the refs attachments hold
FILE = "file"
ROOT = "/sys/fs/cgroup"
ALIAS = "/sys/fs/cgroup/unified"
F_ALLOW_OVERRIDE = 1 << 0
F_ALLOW_MULTI = 1 << 1
F_REPLACE = 1 << 2
F_QUERY_EFFECTIVE = 1 << 0
BPF_CGROUP_MAX_PROGS = 64
#: the interface files every cgroup directory has
INTERFACE_FILES = ("cgroup.controllers", "cgroup.events", "cgroup.freeze", "cgroup.kill", "cgroup.max.depth",
                   "cgroup.max.descendants", "cgroup.procs", "cgroup.stat", "cgroup.subtree_control",
                   "cgroup.threads", "cgroup.type", "cpu.stat")

T = AttachType
#: attach type -> program type (attach_type_to_prog_type) for the cgroup hooks
CGROUP_ATTACH: dict[int, int] = {
    T.CGROUP_INET_INGRESS: ProgType.CGROUP_SKB, T.CGROUP_INET_EGRESS: ProgType.CGROUP_SKB,
    T.CGROUP_INET_SOCK_CREATE: ProgType.CGROUP_SOCK, T.CGROUP_INET_SOCK_RELEASE: ProgType.CGROUP_SOCK,
    T.CGROUP_INET4_POST_BIND: ProgType.CGROUP_SOCK, T.CGROUP_INET6_POST_BIND: ProgType.CGROUP_SOCK,
    T.CGROUP_SOCK_OPS: ProgType.SOCK_OPS, T.CGROUP_DEVICE: ProgType.CGROUP_DEVICE,
    T.CGROUP_SYSCTL: ProgType.CGROUP_SYSCTL,
    T.CGROUP_GETSOCKOPT: ProgType.CGROUP_SOCKOPT, T.CGROUP_SETSOCKOPT: ProgType.CGROUP_SOCKOPT,
    **{a: ProgType.CGROUP_SOCK_ADDR for a in (
        T.CGROUP_INET4_BIND, T.CGROUP_INET6_BIND, T.CGROUP_INET4_CONNECT, T.CGROUP_INET6_CONNECT,
        T.CGROUP_UDP4_SENDMSG, T.CGROUP_UDP6_SENDMSG, T.CGROUP_UDP4_RECVMSG, T.CGROUP_UDP6_RECVMSG,
        T.CGROUP_INET4_GETPEERNAME, T.CGROUP_INET6_GETPEERNAME, T.CGROUP_INET4_GETSOCKNAME,
        T.CGROUP_INET6_GETSOCKNAME, 46, 47, 48, 49, 50)},
}
#: program types whose attach type must equal the expected attach type given at load
STRICT_TYPES = (ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SOCKOPT)


# -- paths and the hierarchy ---------------------------------------------------------------------

def canonical(path: str) -> str | None:
    """The cgroup path under ROOT for ``path`` (alias folded), or None if outside cgroupfs."""
    if not path.startswith("/"):
        path = posixpath.join(os.getcwd(), path)
    p = posixpath.normpath(path)
    if p.startswith("//"):
        p = "/" + p.lstrip("/")
    for base in (ALIAS, ROOT):
        if p == base:
            return ROOT
        if p.startswith(base + "/"):
            return ROOT + p[len(base):]
    return None


def _ensure_root(k: Kernel) -> None:
    schema.ensure(k.tx)
    if k.tx.one("SELECT 1 FROM cgroups WHERE id = 1") is None:
        k.tx.x("INSERT INTO cgroups (id, path, parent) VALUES (1, ?, 0)", (ROOT,))


def lookup(k: Kernel, path: str) -> int:
    """The id of the cgroup at ``path``: ENOENT if missing, ENOTDIR below an interface file."""
    _ensure_root(k)
    p = canonical(path)
    if p is None:
        raise SyscallError(ENOENT, f"{path} is not in cgroupfs")
    row = k.tx.one("SELECT id FROM cgroups WHERE path = ?", (p,))
    if row is not None:
        return int(row[0])
    parent = posixpath.dirname(p)
    while parent != ROOT and parent.startswith(ROOT):
        if posixpath.basename(parent) in INTERFACE_FILES and k.tx.one(
                "SELECT 1 FROM cgroups WHERE path = ?", (posixpath.dirname(parent),)):
            raise SyscallError(ENOTDIR, f"{parent} is a file")
        parent = posixpath.dirname(parent)
    raise SyscallError(ENOENT, f"no cgroup {p}")


def path_of(k: Kernel, cg: int) -> str | None:
    return k.tx.val("SELECT path FROM cgroups WHERE id = ?", (cg,))


def parent_of(k: Kernel, cg: int) -> int:
    return int(k.tx.val("SELECT parent FROM cgroups WHERE id = ?", (cg,), 0))


def mkdir(k: Kernel, path: str) -> int:
    _ensure_root(k)
    p = canonical(path)
    if p is None:
        raise SyscallError(ENOENT, f"{path} is not in cgroupfs")
    if k.tx.one("SELECT 1 FROM cgroups WHERE path = ?", (p,)) or p == ALIAS:
        raise SyscallError(EEXIST, f"{p} exists")
    name = posixpath.basename(p)
    if name in INTERFACE_FILES and k.tx.one("SELECT 1 FROM cgroups WHERE path = ?", (posixpath.dirname(p),)):
        raise SyscallError(EEXIST, f"{p} exists")
    parent = lookup(k, posixpath.dirname(p))
    if name.startswith("cgroup.") or len(name.encode()) > 255:
        raise SyscallError(EINVAL, f"invalid cgroup name {name!r}")
    cur = k.tx.x("INSERT INTO cgroups (path, parent) VALUES (?, ?)", (p, parent))
    return int(cur.lastrowid)


def rmdir(k: Kernel, path: str) -> None:
    cg = lookup(k, path)
    if cg == 1:
        raise SyscallError(EBUSY, "the root cgroup is a mount point")
    if k.tx.one("SELECT 1 FROM cgroups WHERE parent = ?", (cg,)):
        raise SyscallError(EBUSY, "cgroup has children")
    release(k, cg)
    k.tx.x("DELETE FROM cgroups WHERE id = ?", (cg,))


def listdir(k: Kernel, path: str) -> list[str]:
    """Child cgroup names, sorted (the directories ``ls`` shows)."""
    cg = lookup(k, path)
    return sorted(posixpath.basename(r[0]) for r in k.tx.q("SELECT path FROM cgroups WHERE parent = ?", (cg,)))


def open_fd(k: Kernel, path: str) -> int:
    """open(path, O_RDONLY) for a cgroup directory (or a plain file: not a cgroup fd)."""
    from ..objects import O_RDONLY

    _ensure_root(k)
    p = canonical(path)
    if p is None:
        if not os.path.exists(path):
            raise SyscallError(ENOENT, f"{path}: no such file or directory")
        return k.fd_install(FILE, 0, O_RDONLY)
    try:
        cg = lookup(k, p)
    except SyscallError as e:
        parent = posixpath.dirname(p)
        if e.errno == ENOENT and posixpath.basename(p) in INTERFACE_FILES and k.tx.one(
                "SELECT 1 FROM cgroups WHERE path = ?", (parent,)):
            return k.fd_install(FILE, 0, O_RDONLY)
        raise
    return k.fd_install(CGROUP, cg, O_RDONLY)


def cgroup_of_fd(k: Kernel, fd: int) -> int:
    """cgroup_get_from_fd(): EBADF for anything that is not a live cgroup v2 directory."""
    e = k.fd_get(fd)
    if e.kind != CGROUP:
        raise SyscallError(EBADF, f"fd {fd} is not a cgroup")
    if path_of(k, e.obj) is None:
        raise SyscallError(ENOENT, "cgroup was removed")
    return e.obj


# -- attachments ---------------------------------------------------------------------------------

class _Entry:
    __slots__ = ("id", "prog", "link", "flags", "seq")

    def __init__(self, row: tuple) -> None:
        self.id, self.prog, self.link, self.flags, self.seq = row


def entries(k: Kernel, cg: int, atype: int) -> list[_Entry]:
    return [_Entry(r) for r in k.tx.q("SELECT id, prog, link, flags, seq FROM cgroup_progs WHERE cg = ? AND "
                                      "attach_type = ? ORDER BY seq", (cg, atype))]


def cg_flags(k: Kernel, cg: int, atype: int) -> int:
    """cgrp->bpf.flags[atype]: the flags of the (non-empty) list."""
    e = entries(k, cg, atype)
    return e[0].flags & (F_ALLOW_OVERRIDE | F_ALLOW_MULTI) if e else 0


def _hierarchy_allows_attach(k: Kernel, cg: int, atype: int) -> bool:
    p = parent_of(k, cg)
    while p:
        flags = cg_flags(k, p, atype)
        if flags & F_ALLOW_MULTI:
            return True
        if len(entries(k, p, atype)) == 1:
            return bool(flags & F_ALLOW_OVERRIDE)
        p = parent_of(k, p)
    return True


def attach(k: Kernel, cg: int, prog: Prog | None, replace: Prog | None, link_id: int, atype: int,
           flags: int) -> None:
    """__cgroup_bpf_attach()."""
    saved = flags & (F_ALLOW_OVERRIDE | F_ALLOW_MULTI)
    if (flags & F_ALLOW_OVERRIDE and flags & F_ALLOW_MULTI) or (flags & F_REPLACE and not flags & F_ALLOW_MULTI):
        raise SyscallError(EINVAL, "invalid flag combination")
    if link_id and (prog is not None or replace is not None):
        raise SyscallError(EINVAL, "link and prog")
    if (replace is not None) != bool(flags & F_REPLACE):
        raise SyscallError(EINVAL, "replace_prog and BPF_F_REPLACE go together")
    if atype not in CGROUP_ATTACH:
        raise SyscallError(EINVAL, "not a cgroup attach type")
    if not _hierarchy_allows_attach(k, cg, atype):
        raise SyscallError(EPERM, "an ancestor does not allow overriding")
    cur = entries(k, cg, atype)
    if cur and cg_flags(k, cg, atype) != saved:
        raise SyscallError(EPERM, "attach flags differ from those of the programs attached")
    if len(cur) >= BPF_CGROUP_MAX_PROGS:
        raise SyscallError(E2BIG, "too many programs")
    # find_attach_entry()
    target: _Entry | None = None
    if not flags & F_ALLOW_MULTI:
        target = cur[0] if cur else None
    else:
        for e in cur:
            if prog is not None and e.prog == prog.id and not e.link and (replace is None or prog.id != replace.id):
                raise SyscallError(EINVAL, "program attached twice")
            if link_id and e.link == link_id:
                raise SyscallError(EINVAL, "link attached twice")
        if replace is not None:
            target = next((e for e in cur if e.prog == replace.id and not e.link), None)
            if target is None:
                raise SyscallError(ENOENT, "program to replace is not attached")
    from ..objects import LINK

    prog_id = prog.id if prog is not None else int(k.tx.val("SELECT prog FROM links WHERE id = ?", (link_id,), 0))
    if target is not None:
        k.tx.x("UPDATE cgroup_progs SET prog = ?, link = ?, flags = ? WHERE id = ?", (prog_id, link_id, flags,
                                                                                    target.id))
        k.ref_drop(CGROUP, cg, slot=f"{atype}:{target.id}")
        eid = target.id
    else:
        seq = int(k.tx.val("SELECT coalesce(max(seq), 0) + 1 FROM cgroup_progs", (), 1))
        c = k.tx.x("INSERT INTO cgroup_progs (cg, attach_type, prog, link, flags, seq) VALUES (?, ?, ?, ?, ?, ?)",
                   (cg, atype, prog_id, link_id, flags, seq))
        eid = int(c.lastrowid)
    # every entry keeps the list's flags (cgrp->bpf.flags[atype] = saved_flags)
    k.tx.x("UPDATE cgroup_progs SET flags = (flags & ~3) | ? WHERE cg = ? AND attach_type = ?", (saved, cg, atype))
    if not link_id:
        k.ref_add(CGROUP, cg, f"{atype}:{eid}", "prog", prog_id)
    _ = LINK


def detach(k: Kernel, cg: int, prog: Prog | None, link_id: int, atype: int) -> None:
    """__cgroup_bpf_detach()."""
    if atype not in CGROUP_ATTACH:
        raise SyscallError(EINVAL, "not a cgroup attach type")
    if prog is not None and link_id:
        raise SyscallError(EINVAL, "prog and link")
    cur = entries(k, cg, atype)
    multi = bool(cg_flags(k, cg, atype) & F_ALLOW_MULTI)
    if not multi:
        if not cur:
            raise SyscallError(ENOENT, "nothing attached")
        target = cur[0]
    else:
        if prog is None and not link_id:
            raise SyscallError(EINVAL, "multi detach needs the program")
        want_prog = prog.id if prog is not None else None
        target = next((e for e in cur if (e.link == link_id if link_id else (not e.link and e.prog == want_prog))),
                      None)
        if target is None:
            raise SyscallError(ENOENT, "not attached")
    k.tx.x("DELETE FROM cgroup_progs WHERE id = ?", (target.id,))
    k.ref_drop(CGROUP, cg, slot=f"{atype}:{target.id}")


def effective(k: Kernel, cg: int, atype: int) -> list[int]:
    """compute_effective_progs(): program ids in run order."""
    out: list[int] = []
    p = cg
    while p:
        if not out or cg_flags(k, p, atype) & F_ALLOW_MULTI:
            out.extend(e.prog for e in entries(k, p, atype))
        p = parent_of(k, p)
    return out


def query(k: Kernel, cg: int, a: Any) -> int:
    """__cgroup_bpf_query(): fills attach_flags, prog_cnt, prog_ids (+ prog_attach_flags)."""
    eff = bool(a.query_flags & F_QUERY_EFFECTIVE)
    if a.attach_type not in CGROUP_ATTACH:
        raise SyscallError(EINVAL, "not a cgroup attach type")
    if eff:
        ids = effective(k, cg, a.attach_type)
        flags = 0
        pflags: list[int] = []
    else:
        cur = entries(k, cg, a.attach_type)
        ids = [e.prog for e in cur]
        flags = cg_flags(k, cg, a.attach_type)
        pflags = [flags for _ in cur]
    cap = a.prog_cnt
    a.attach_flags = flags
    a.prog_cnt = len(ids)
    if cap == 0 or not ids:
        a.prog_ids = []
        a.prog_attach_flags = []
        return 0
    err = 0
    if cap < len(ids):
        ids, pflags, err = ids[:cap], pflags[:cap], ENOSPC
    a.prog_ids = ids
    a.prog_attach_flags = pflags
    if err:
        raise SyscallError(err, "prog_ids too small")
    return 0


def release(k: Kernel, cg: int) -> None:
    """cgroup_bpf_release(): a removed cgroup drops its programs; its links go defunct."""
    import json

    for (lid,) in k.tx.q("SELECT DISTINCT link FROM cgroup_progs WHERE cg = ? AND link != 0", (cg,)):
        row = k.tx.one("SELECT target FROM links WHERE id = ?", (lid,))
        if row is not None:
            tgt = json.loads(row[0] or "{}")
            tgt["cgroup_id"] = 0
            k.tx.x("UPDATE links SET target = ?, detached = 1 WHERE id = ?", (json.dumps(tgt, sort_keys=True), lid))
    k.tx.x("DELETE FROM cgroup_progs WHERE cg = ?", (cg,))
    k.ref_drop(CGROUP, cg)
