"""Cgroup v2 hierarchy, cgroup fds, BPF_PROG_ATTACH/DETACH/QUERY (kernel/bpf/cgroup.c rules)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi.attr import InfoAttr, MapCreateAttr, ProgAttachAttr, ProgInfo, ProgQueryAttr
from pykernel.uapi.consts import AttachType, Cmd, MapType
from tests.test_net_util import err, load

ING, EG = AttachType.CGROUP_INET_INGRESS, AttachType.CGROUP_INET_EGRESS
NONE, OVERRIDE, MULTI, REPLACE = 0, 1, 2, 4
CG = "/sys/fs/cgroup/unified/t"


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def pid(p: Process, fd: int) -> int:
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
    return info.id


def attach(p: Process, cg: int, fd: int, flags: int = 0, atype: int = ING, replace: int = 0) -> int:
    return p.bpf(Cmd.PROG_ATTACH, ProgAttachAttr(cg, fd, atype, flags, replace))


def detach(p: Process, cg: int, fd: int, atype: int = ING) -> int:
    return p.bpf(Cmd.PROG_DETACH, ProgAttachAttr(cg, fd, atype))


def query(p: Process, cg: int, atype: int = ING, eff: bool = False, cap: int = 64) -> tuple[int, list[int]]:
    q = ProgQueryAttr(cg, atype, 1 if eff else 0, prog_cnt=cap)
    p.bpf(Cmd.PROG_QUERY, q)
    return q.attach_flags, q.prog_ids


def progs(p: Process, n: int) -> list[int]:
    """n distinct cgroup_skb programs (fds)."""
    return [load(p, "cg_skb.o")["cg_allow"] for _ in range(n)]


def test_hierarchy(p: Process) -> None:
    p.cgroup_mkdir(CG)
    p.cgroup_mkdir(CG + "/child")
    assert err(p.cgroup_mkdir, CG) == (errno.EEXIST, None)
    assert err(p.cgroup_mkdir, CG + "/nosuch/x") == (errno.ENOENT, None)
    assert p.cgroup_list("/sys/fs/cgroup") == ["t"]  # /sys/fs/cgroup/unified is the same hierarchy
    assert p.cgroup_list(CG) == ["child"]
    assert err(p.cgroup_rmdir, CG) == (errno.EBUSY, None)
    assert err(p.open_cgroup, CG + "/nosuch") == (errno.ENOENT, None)
    assert err(p.open_cgroup, CG + "/cgroup.procs/x") == (errno.ENOTDIR, None)
    p.cgroup_rmdir(CG + "/child")
    p.cgroup_rmdir(CG)
    assert p.cgroup_list("/sys/fs/cgroup") == []


def test_only_cgroup_fds_are_accepted(p: Process, tmp_path: Path) -> None:
    (fd,) = progs(p, 1)
    mfd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(MapType.ARRAY, 4, 4, 1))
    assert err(attach, p, mfd, fd)[0] == errno.EBADF
    f = p.open_cgroup(str(tmp_path))  # a real directory that is not a cgroup: open works, attach does not
    assert err(attach, p, f, fd)[0] == errno.EBADF
    assert err(query, p, f)[0] == errno.EBADF
    cgfd = p.open_cgroup("/sys/fs/cgroup")
    xdp = load(p, "xdp_pass.o")["xdp_pass"]
    assert err(attach, p, cgfd, xdp)[0] == errno.EINVAL  # an XDP program on a cgroup hook
    assert err(attach, p, cgfd, fd, flags=OVERRIDE | MULTI)[0] == errno.EINVAL
    assert err(attach, p, cgfd, fd, atype=AttachType.XDP)[0] == errno.EINVAL


def test_none_replaces_and_forbids_below(p: Process) -> None:
    p.cgroup_mkdir(CG)
    p.cgroup_mkdir(CG + "/child")
    top, child = p.open_cgroup(CG), p.open_cgroup(CG + "/child")
    a, b = progs(p, 2)
    attach(p, top, a)
    attach(p, top, b)  # NONE again: replaces
    assert query(p, top) == (NONE, [pid(p, b)])
    assert err(attach, p, top, a, MULTI)[0] == errno.EPERM  # flags differ from those attached
    assert err(attach, p, child, a)[0] == errno.EPERM  # the parent does not allow override
    assert query(p, child, eff=True) == (0, [pid(p, b)])
    detach(p, top, a)  # without multi: whatever program is named, the attached one goes
    assert query(p, top) == (NONE, [])
    assert err(detach, p, top, a)[0] == errno.ENOENT


def test_override_and_multi_effective_arrays(p: Process) -> None:
    p.cgroup_mkdir(CG)
    p.cgroup_mkdir(CG + "/child")
    p.cgroup_mkdir(CG + "/child/grand")
    top, child, grand = (p.open_cgroup(CG + s) for s in ("", "/child", "/child/grand"))
    a, b, c, d = progs(p, 4)
    attach(p, top, a, OVERRIDE)
    assert query(p, grand, eff=True)[1] == [pid(p, a)]
    attach(p, child, b, OVERRIDE)
    assert query(p, grand, eff=True)[1] == [pid(p, b)]  # the nearest override wins
    detach(p, child, b)
    attach(p, child, b, MULTI)
    attach(p, child, c, MULTI)
    assert query(p, child) == (MULTI, [pid(p, b), pid(p, c)])
    assert err(attach, p, child, b, MULTI)[0] == errno.EINVAL  # the same program twice
    attach(p, grand, d, MULTI)
    # own programs first, then each multi ancestor's; the override parent is shadowed
    assert query(p, grand, eff=True)[1] == [pid(p, d), pid(p, b), pid(p, c)]
    assert query(p, top, eff=True)[1] == [pid(p, a)]
    # replace in place
    attach(p, child, a, MULTI | REPLACE, replace=c)
    assert query(p, child)[1] == [pid(p, b), pid(p, a)]
    assert err(attach, p, child, d, MULTI | REPLACE, replace=c)[0] == errno.ENOENT
    assert err(attach, p, child, d, REPLACE, replace=c)[0] == errno.EINVAL
    assert err(detach, p, child, 99)[0] == errno.EINVAL  # multi: the program must be named
    assert err(detach, p, child, d)[0] == errno.ENOENT
    detach(p, child, b)
    detach(p, child, a)
    assert query(p, child) == (NONE, [])  # an empty list forgets its flags


def test_query_space_and_flags(p: Process) -> None:
    p.cgroup_mkdir(CG)
    cg = p.open_cgroup(CG)
    a, b = progs(p, 2)
    attach(p, cg, a, MULTI)
    attach(p, cg, b, MULTI)
    q = ProgQueryAttr(cg, ING, 0, prog_cnt=1)
    assert err(p.bpf, Cmd.PROG_QUERY, q)[0] == errno.ENOSPC
    assert (q.prog_cnt, q.prog_ids, q.attach_flags) == (2, [pid(p, a)], MULTI)
    q = ProgQueryAttr(cg, ING, 0, prog_cnt=0)
    p.bpf(Cmd.PROG_QUERY, q)
    assert (q.prog_cnt, q.prog_ids) == (2, [])
    assert err(p.bpf, Cmd.PROG_QUERY, ProgQueryAttr(cg, ING, 2))[0] == errno.EINVAL
    assert query(p, cg, EG) == (0, [])


def test_sock_programs_need_their_expected_attach_type(p: Process) -> None:
    fds = load(p, "../fixtures/net/progs/cg_progs.o")
    cg = p.open_cgroup("/sys/fs/cgroup")
    attach(p, cg, fds["cg_sock"], atype=AttachType.CGROUP_INET_SOCK_CREATE)
    assert err(attach, p, cg, fds["cg_sock"], atype=AttachType.CGROUP_INET4_POST_BIND)[0] == errno.EINVAL
    attach(p, cg, fds["cg_dev"], atype=AttachType.CGROUP_DEVICE)
    assert query(p, cg, AttachType.CGROUP_DEVICE)[1] == [pid(p, fds["cg_dev"])]


def test_rmdir_releases_programs(p: Process) -> None:
    from pykernel.uapi.attr import GetIdAttr

    p.cgroup_mkdir(CG)
    cg = p.open_cgroup(CG)
    (a,) = progs(p, 1)
    prog = pid(p, a)
    attach(p, cg, a)
    p.close(a)
    p.bpf(Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=prog))  # still held by the attachment
    p.cgroup_rmdir(CG)
    assert err(query, p, cg)[0] == errno.ENOENT  # the fd names a removed cgroup
