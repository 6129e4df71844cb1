"""bpf() commands for attachments: PROG_ATTACH/PROG_DETACH/PROG_QUERY (cgroups) and bpf links
(LINK_CREATE for XDP and the cgroup hooks, LINK_UPDATE, LINK_DETACH), with their release.

A link keeps its attachment while an fd or a pin holds it; when the last one goes, its
release detaches it (:data:`pykernel.objects.LINK_RELEASE`). LINK_DETACH detaches early:
the link object stays, defunct (its info reports ifindex/cgroup_id 0; LINK_UPDATE then
fails with ENOLINK). A failing LINK_CREATE still uses up a link id, as ``bpf_link_prime``
allocates it before the attach is tried.

Link ``target`` (JSON in the links table): XDP ``{"ifindex", "dev", "flags"}``, cgroup
``{"cgroup_id"}``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..objects import LINK, O_RDWR, LinkObject
from ..uapi import attr as A
from ..uapi.consts import EINVAL, ENOENT, ENOLINK, EPERM, AttachType, LinkType, ProgType
from ..uapi.errors import SyscallError
from . import cgroup as CG
from . import devices as D
from . import xdp as X

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog

F_ATTACH_MASK_BASE = CG.F_ALLOW_OVERRIDE | CG.F_ALLOW_MULTI | CG.F_REPLACE


def _prog_of_type(k: Kernel, fd: int, ptype: int) -> Prog:
    """bpf_prog_get_type()"""
    prog = k.prog_fd(fd)
    if prog.type != ptype:
        raise SyscallError(EINVAL, "program type does not match the attach type")
    return prog


def _check_attach_type(prog: Prog, atype: int) -> None:
    """bpf_prog_attach_check_attach_type()"""
    if prog.type in CG.STRICT_TYPES or prog.type == ProgType.SK_LOOKUP:
        if atype != prog.expected_attach_type:
            raise SyscallError(EINVAL, "attach type differs from the expected attach type")
        return
    if prog.type == ProgType.CGROUP_SKB:
        if CG.CGROUP_ATTACH.get(atype) != ProgType.CGROUP_SKB:
            raise SyscallError(EINVAL, "attach type is not a cgroup_skb hook")
        if prog.extra.get("enforce_expected_attach_type") and prog.expected_attach_type != atype:
            raise SyscallError(EINVAL, "attach type differs from the expected attach type")
        return
    if prog.type == ProgType.SCHED_CLS:
        raise SyscallError(EINVAL, "tcx links are not simulated")
    ptype = CG.CGROUP_ATTACH.get(atype) or (ProgType.XDP if atype == AttachType.XDP else 0)
    if not ptype or ptype != prog.type:
        raise SyscallError(EINVAL, "attach type does not fit the program type")


# -- PROG_ATTACH / PROG_DETACH / PROG_QUERY ------------------------------------------------------------

def prog_attach(k: Kernel, a: A.ProgAttachAttr) -> int:
    ptype = CG.CGROUP_ATTACH.get(a.attach_type)
    if ptype is None:
        raise SyscallError(EINVAL, "attach type is not simulated for PROG_ATTACH")
    if a.attach_flags & ~F_ATTACH_MASK_BASE:
        raise SyscallError(EINVAL, "attach flags")
    prog = _prog_of_type(k, a.attach_bpf_fd, ptype)
    _check_attach_type(prog, a.attach_type)
    cg = CG.cgroup_of_fd(k, a.target_fd)
    replace = None
    if a.attach_flags & CG.F_ALLOW_MULTI and a.attach_flags & CG.F_REPLACE:
        replace = _prog_of_type(k, a.replace_bpf_fd, ptype)
    CG.attach(k, cg, prog, replace, 0, a.attach_type, a.attach_flags)
    return 0


def prog_detach(k: Kernel, a: A.ProgAttachAttr) -> int:
    ptype = CG.CGROUP_ATTACH.get(a.attach_type)
    if ptype is None:
        raise SyscallError(EINVAL, "attach type is not simulated for PROG_DETACH")
    cg = CG.cgroup_of_fd(k, a.target_fd)
    try:
        prog: Prog | None = _prog_of_type(k, a.attach_bpf_fd, ptype)
    except SyscallError:
        prog = None
    CG.detach(k, cg, prog, 0, a.attach_type)
    return 0


def prog_query(k: Kernel, a: A.ProgQueryAttr) -> int:
    if a.query_flags & ~CG.F_QUERY_EFFECTIVE:
        raise SyscallError(EINVAL, "query flags")
    if a.attach_type not in CG.CGROUP_ATTACH:
        raise SyscallError(EINVAL, "attach type is not simulated for PROG_QUERY")
    cg = CG.cgroup_of_fd(k, a.target_fd)
    return CG.query(k, cg, a)


# -- links -------------------------------------------------------------------------------------------

def link_create(k: Kernel, a: A.LinkCreateAttr) -> int:
    prog = k.prog_fd(a.prog_fd)
    _check_attach_type(prog, a.attach_type)
    if prog.type == ProgType.XDP:
        return _xdp_link(k, prog, a)
    if prog.type in (ProgType.CGROUP_SKB, ProgType.CGROUP_SOCK, ProgType.CGROUP_SOCK_ADDR, ProgType.SOCK_OPS,
                     ProgType.CGROUP_DEVICE, ProgType.CGROUP_SYSCTL, ProgType.CGROUP_SOCKOPT):
        return _cgroup_link(k, prog, a)
    raise SyscallError(EINVAL, "links of this program type are not simulated")


def _prime(k: Kernel, ltype: int, prog: Prog, atype: int, target: dict) -> LinkObject:
    return k.create_link(ltype, prog.id, atype, target)


def _cleanup(k: Kernel, lk: LinkObject) -> None:
    """bpf_link_cleanup(): the id stays used, the link goes."""
    k.tx.x("DELETE FROM links WHERE id = ?", (lk.id,))
    k.ref_drop(LINK, lk.id)


def _target(a: A.LinkCreateAttr) -> int:
    """target_fd and target_ifindex share one field of union bpf_attr."""
    return a.target_fd or a.target_ifindex


def _xdp_link(k: Kernel, prog: Prog, a: A.LinkCreateAttr) -> int:
    dev = D.get_by_index(k, _target(a))
    if dev is None:
        raise SyscallError(EINVAL, f"no device {a.target_ifindex}")
    lk = _prime(k, LinkType.XDP, prog, a.attach_type, {"ifindex": dev.ifindex, "dev": dev.id, "flags": a.flags})
    try:
        X.attach(k, dev, prog, None, a.flags, link_id=lk.id)
    except SyscallError as e:
        _cleanup(k, lk)
        e.extack = None  # link attach passes no extack
        raise
    return k.fd_install(LINK, lk.id, O_RDWR)


def _cgroup_link(k: Kernel, prog: Prog, a: A.LinkCreateAttr) -> int:
    if a.flags:
        raise SyscallError(EINVAL, "cgroup link flags")
    cg = CG.cgroup_of_fd(k, _target(a))
    lk = _prime(k, LinkType.CGROUP, prog, a.attach_type, {"cgroup_id": cg})
    try:
        CG.attach(k, cg, None, None, lk.id, a.attach_type, CG.F_ALLOW_MULTI)
    except SyscallError:
        _cleanup(k, lk)
        raise
    return k.fd_install(LINK, lk.id, O_RDWR)


def release(k: Kernel, lk: LinkObject) -> None:
    """bpf_link_ops.release / .detach for XDP and cgroup links."""
    if lk.detached:
        return
    if lk.type == LinkType.XDP:
        dev = D.get_by_id(k, int(lk.target.get("dev", 0)))
        if dev is not None:
            mode = X.mode_of(dev, int(lk.target.get("flags", 0)))
            if dev.xdp_link(mode) == lk.id:
                X.detach_link(k, dev, mode, lk.id)
        tgt = dict(lk.target, ifindex=0, dev=0)
    elif lk.type == LinkType.CGROUP:
        cg = int(lk.target.get("cgroup_id", 0))
        if cg:
            try:
                CG.detach(k, cg, None, lk.id, lk.attach_type)
            except SyscallError:
                pass
        tgt = dict(lk.target, cgroup_id=0)
    else:  # pragma: no cover
        return
    k.tx.x("UPDATE links SET target = ?, detached = 1 WHERE id = ?", (json.dumps(tgt, sort_keys=True), lk.id))


def link_update(k: Kernel, a: A.LinkUpdateAttr) -> int:
    if a.flags & ~CG.F_REPLACE:
        raise SyscallError(EINVAL, "flags")
    lk = k.link_fd(a.link_fd)
    new = k.prog_fd(a.new_prog_fd)
    old = None
    if a.flags & CG.F_REPLACE:
        old = k.prog_fd(a.old_prog_fd)
    elif a.old_prog_fd:
        raise SyscallError(EINVAL, "old_prog_fd without BPF_F_REPLACE")
    if lk.type not in (LinkType.XDP, LinkType.CGROUP):
        raise SyscallError(EINVAL, "link type cannot be updated")
    if lk.detached:
        raise SyscallError(ENOLINK, "link is defunct")
    if old is not None and lk.prog_id != old.id:
        raise SyscallError(EPERM, "link holds another program")
    cur = k.prog(lk.prog_id)
    if lk.type == LinkType.XDP:
        if cur is None or cur.type != new.type or cur.expected_attach_type != new.expected_attach_type:
            raise SyscallError(EINVAL, "program type differs")
        if cur.id != new.id:
            dev = D.get_by_id(k, int(lk.target.get("dev", 0)))
            if dev is None:
                raise SyscallError(ENOLINK, "device gone")
            X.update_link(k, dev, X.mode_of(dev, int(lk.target.get("flags", 0))), new)
    else:
        if cur is None or cur.type != new.type:
            raise SyscallError(EINVAL, "program type differs")
        cg = int(lk.target.get("cgroup_id", 0))
        row = k.tx.one("SELECT id FROM cgroup_progs WHERE cg = ? AND link = ?", (cg, lk.id))
        if row is None:
            raise SyscallError(ENOENT, "link not found in its cgroup")
        k.tx.x("UPDATE cgroup_progs SET prog = ? WHERE id = ?", (new.id, row[0]))
    k.tx.x("UPDATE links SET prog = ? WHERE id = ?", (new.id, lk.id))
    k.ref_drop(LINK, lk.id)
    k.ref_add(LINK, lk.id, "", "prog", new.id)
    return 0


def link_detach(k: Kernel, a: A.LinkDetachAttr) -> int:
    lk = k.link_fd(a.link_fd)
    if lk.type not in (LinkType.XDP, LinkType.CGROUP):
        raise SyscallError(95, "link type has no detach")  # EOPNOTSUPP
    release(k, lk)
    return 0
