"""Links as kernel objects (their attach side comes with LINK_CREATE later), and stats fds."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from pykernel import Process, SyscallError
from pykernel.objects import LINK
from pykernel.uapi.attr import (
    EnableStatsAttr,
    GetIdAttr,
    InfoAttr,
    LinkInfo,
    ObjPinAttr,
    ProgInfo,
    ProgLoadAttr,
)
from pykernel.uapi.consts import Cmd, LinkType

XDP_OK = bytes.fromhex("b700000002000000" "9500000000000000")


@pytest.fixture
def p(tmp_path: Path):  # type: ignore[no-untyped-def]
    proc = Process(tmp_path)
    yield proc
    proc.exit()


def new_link(p: Process, prog_fd: int) -> int:
    def mk(k) -> int:  # type: ignore[no-untyped-def]
        prog = k.prog_fd(prog_fd)
        lk = k.create_link(LinkType.XDP, prog.id, 37, {"ifindex": 1})
        return k.fd_install(LINK, lk.id)

    return p.kernel_call(mk)


def test_link_lifetime_info_and_pins(p: Process) -> None:
    pfd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=XDP_OK, license="GPL"))
    pi = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=pfd, info=pi))
    lfd = new_link(p, pfd)
    p.close(pfd)
    info = LinkInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=lfd, info=info))
    assert (info.type, info.prog_id, info.attach_type, info.ifindex) == (LinkType.XDP, pi.id, 37, 1)
    a = GetIdAttr(start_id=0)
    p.bpf(Cmd.LINK_GET_NEXT_ID, a)
    assert a.next_id == info.id
    p.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname="/sys/fs/bpf/lnk", bpf_fd=lfd))
    p.close(lfd)
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname="/sys/fs/bpf/lnk", file_flags=8))
    assert e.value.errno == errno.EINVAL  # links open read-write only
    fd = p.bpf(Cmd.LINK_GET_FD_BY_ID, GetIdAttr(start_id=info.id))
    p.close(fd)
    p.bpf(Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=pi.id))  # the link holds the program
    p.unlink("/sys/fs/bpf/lnk")
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.LINK_GET_FD_BY_ID, GetIdAttr(start_id=info.id))
    assert e.value.errno == errno.ENOENT


def test_unheld_link_does_not_outlive_its_call(p: Process) -> None:
    pfd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=XDP_OK, license="GPL"))
    lid = p.kernel_call(lambda k: k.create_link(LinkType.XDP, k.prog_fd(pfd).id, 37).id)
    with pytest.raises(SyscallError):
        p.bpf(Cmd.LINK_GET_FD_BY_ID, GetIdAttr(start_id=lid))


def test_prog_bind_map_holds_and_lists_the_map(p: Process) -> None:
    from pykernel.uapi.attr import MapCreateAttr, MapInfo, ProgBindMapAttr

    pfd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=XDP_OK, license="GPL"))
    mfd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=2, key_size=4, value_size=4, max_entries=1))
    mi = MapInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=mfd, info=mi))
    p.bpf(Cmd.PROG_BIND_MAP, ProgBindMapAttr(prog_fd=pfd, map_fd=mfd))
    p.bpf(Cmd.PROG_BIND_MAP, ProgBindMapAttr(prog_fd=pfd, map_fd=mfd))  # twice is fine
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.PROG_BIND_MAP, ProgBindMapAttr(prog_fd=pfd, map_fd=mfd, flags=1))
    assert e.value.errno == errno.EINVAL
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.PROG_BIND_MAP, ProgBindMapAttr(prog_fd=mfd, map_fd=mfd))
    assert e.value.errno == errno.EINVAL
    p.close(mfd)
    pi = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=pfd, info=pi))
    assert pi.map_ids == [mi.id]
    fd = p.bpf(Cmd.MAP_GET_FD_BY_ID, GetIdAttr(start_id=mi.id))  # still alive: the program holds it
    p.close(fd)


def test_enable_stats_fd_turns_accounting_on(p: Process) -> None:
    pfd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=XDP_OK, license="GPL"))
    p.kernel_call(lambda k: k.account_run(k.prog_fd(pfd), 100))
    sfd = p.bpf(Cmd.ENABLE_STATS, EnableStatsAttr(type=0))
    p.kernel_call(lambda k: k.account_run(k.prog_fd(pfd), 100, runs=2))
    p.close(sfd)
    p.kernel_call(lambda k: k.account_run(k.prog_fd(pfd), 100))
    info = ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=pfd, info=info))
    assert (info.run_cnt, info.run_time_ns) == (2, 100)
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.ENABLE_STATS, EnableStatsAttr(type=1))
    assert e.value.errno == errno.EINVAL
    s2 = p.bpf(Cmd.ENABLE_STATS, EnableStatsAttr())
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=s2))
    assert e.value.errno == errno.EINVAL
