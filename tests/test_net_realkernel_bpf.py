"""Cgroup attachments and bpf links: the simulated kernel's bpf() answers next to the real one's.

Operations (mkdir, PROG_ATTACH/DETACH/QUERY with flags, LINK_CREATE/UPDATE/DETACH, XDP links
over netlink-attached programs) run against the simulation and, as raw bpf() calls through
ctypes, against the machine's kernel (cgroups under /sys/fs/cgroup/unified/pybpf-netrk, an
XDP veth in a namespace of our own). Programs are bpftool pins, named by label; query
results are given as labels. Every step's errno (or value) must be equal.

realkernel: needs root, bpftool and a cgroup v2 mount at /sys/fs/cgroup/unified (or
/sys/fs/cgroup); skips cleanly otherwise.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PROGS = REPO / "tests" / "progs"
NS = f"pybpf-netrk2-{os.getpid()}"  # unique: several test runs may share the machine
#: the helper (a child) gets the parent's pin directory through the environment
PIN = os.environ.get("PYBPF_NETRK_PIN") or f"/sys/fs/bpf/pybpf-netrk2-{os.getpid()}"
ING, EG, XDP = 0, 1, 37
NONE, OVERRIDE, MULTI, REPLACE = 0, 1, 2, 4
#: label -> (object, bpftool extra args); several labels load the same object: distinct programs
PROGRAMS = {"a": ("cg_skb.o", []), "b": ("cg_skb.o", []), "c": ("cg_skb.o", []), "d": ("cg_skb.o", []),
            "x": ("xdp_pass.o", []), "y": ("xdp_pass.o", [])}

SCENARIOS: dict[str, list[list[Any]]] = {
    "cgroup": [
        ["mkdir", "t"], ["mkdir", "t/c"], ["mkdir", "t/c/g"],
        ["attach", "t", "a", ING, NONE],
        ["attach", "t", "b", ING, NONE],
        ["query", "t", ING, False],
        ["attach", "t", "a", ING, MULTI],
        ["attach", "t/c", "a", ING, NONE],
        ["attach", "t/c", "a", ING, OVERRIDE],
        ["query", "t/c", ING, True],
        ["detach", "t", "c", ING],
        ["detach", "t", "c", ING],
        ["attach", "t", "a", ING, OVERRIDE],
        ["attach", "t/c", "b", ING, OVERRIDE],
        ["query", "t/c/g", ING, True],
        ["detach", "t/c", "b", ING],
        ["attach", "t/c", "b", ING, MULTI],
        ["attach", "t/c", "c", ING, MULTI],
        ["attach", "t/c", "b", ING, MULTI],
        ["attach", "t/c/g", "d", ING, MULTI],
        ["query", "t/c/g", ING, True],
        ["query", "t/c", ING, False],
        ["attach", "t/c", "a", ING, MULTI | REPLACE, "c"],
        ["query", "t/c", ING, False],
        ["attach", "t/c", "d", ING, MULTI | REPLACE, "c"],
        ["attach", "t/c", "d", ING, REPLACE, "c"],
        ["attach", "t/c", "d", ING, OVERRIDE | MULTI],
        ["detach", "t/c", None, ING],
        ["detach", "t/c", "d", ING],
        ["attach", "t", "x", ING, NONE],
        ["query", "t", EG, False],
        ["link", "L1", "a", "t", EG],
        ["query", "t", EG, False],
        ["attach", "t", "a", EG, NONE],
        ["attach", "t", "a", EG, MULTI],
        ["query", "t", EG, False],
        ["detach", "t", "a", EG],
        ["query", "t", EG, False],
        ["link_update", "L1", "b", None],
        ["link_update", "L1", "c", "a"],
        ["query", "t", EG, False],
        ["link_detach", "L1"],
        ["query", "t", EG, False],
        ["link_update", "L1", "c", None],
        ["link_detach", "L1"],
    ],
    "xdp_link": [
        ["veth"],
        ["xdp_link", "L1", "x", "v0", 0],
        ["xdp_link", "L2", "y", "v0", 0],
        ["xdp_link", "L3", "y", "v0", 2],
        ["xdp_link", "L4", "y", "v0", 1],
        ["xdp_link", "L5", "a", "v0", 0],
        ["link_update", "L1", "y", None],
        ["link_update", "L1", "x", "x"],
        ["link_update", "L1", "a", None],
        ["link_detach", "L1"],
        ["link_update", "L1", "x", None],
        ["xdp_link", "L6", "x", "v0", 4],
        ["xdp_link", "L7", "x", "nosuch", 0],
    ],
}


# ------------------------------------------------------------------------------------------------
# the real side (runs as a helper in the namespace)

def _bpf(cmd: int, attr: bytes) -> tuple[int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(attr + bytes(144 - len(attr)), 144)
    r = libc.syscall(321, cmd, buf, 144)
    return (r, 0) if r >= 0 else (-1, ctypes.get_errno()), buf.raw  # type: ignore[return-value]


class RealBackend:
    def __init__(self, cgroot: str, ids: dict[str, int]) -> None:
        self.cgroot = cgroot
        self.ids = {v: k for k, v in ids.items()}
        self.fds: dict[str, int] = {}
        self.links: dict[str, int] = {}

    def fd(self, label: str) -> int:
        if label not in self.fds:
            path = ctypes.create_string_buffer(f"{PIN}/{label}".encode())
            (r, e), _ = _bpf(7, struct.pack("<QII", ctypes.addressof(path), 0, 0))
            if r < 0:
                raise OSError(e, label)
            self.fds[label] = r
        return self.fds[label]

    def cg(self, rel: str) -> int:
        return os.open(f"{self.cgroot}/{rel}", os.O_RDONLY)

    def do(self, op: list[Any]) -> Any:
        k = op[0]
        if k == "mkdir":
            os.mkdir(f"{self.cgroot}/{op[1]}")
            return [0]
        if k == "veth":
            r = subprocess.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
            return [r.returncode]
        if k in ("attach", "detach"):
            cgfd = self.cg(op[1])
            fd = self.fd(op[2]) if op[2] else 0
            flags = op[4] if k == "attach" else 0
            rep = self.fd(op[5]) if k == "attach" and len(op) > 5 else 0
            (r, e), _ = _bpf(8 if k == "attach" else 9, struct.pack("<IIIII", cgfd, fd, op[3], flags, rep))
            os.close(cgfd)
            return [e]
        if k == "query":
            cgfd = self.cg(op[1])
            ids = (ctypes.c_uint32 * 16)()
            attr = struct.pack("<IIIIQII", cgfd, op[2], 1 if op[3] else 0, 0, ctypes.addressof(ids), 16, 0)
            (r, e), raw = _bpf(16, attr)
            os.close(cgfd)
            flags, cnt = struct.unpack_from("<I", raw, 12)[0], struct.unpack_from("<I", raw, 24)[0]
            return [e, flags, [self.ids.get(ids[i], "?") for i in range(min(cnt, 16))]]
        if k in ("link", "xdp_link"):
            if k == "link":
                target = self.cg(op[3])
            else:
                try:
                    target = socket.if_nametoindex(op[3])
                except OSError:
                    target = 99
            (r, e), _ = _bpf(28, struct.pack("<IIII", self.fd(op[2]), target, op[4] if k == "link" else XDP,
                                             0 if k == "link" else op[4]))
            if r >= 0:
                self.links[op[1]] = r
            return [e]
        if k == "link_update":
            old = self.fd(op[3]) if op[3] else 0
            (r, e), _ = _bpf(29, struct.pack("<IIII", self.links[op[1]], self.fd(op[2]), 4 if op[3] else 0, old))
            return [e]
        if k == "link_detach":
            (r, e), _ = _bpf(34, struct.pack("<I", self.links[op[1]]))
            return [e]
        raise ValueError(k)


# ------------------------------------------------------------------------------------------------
# the simulated side

class SimBackend:
    def __init__(self, state: Path) -> None:
        from pykernel import Process
        from tests.test_net_util import load

        self.p = Process(state)
        self.p.cgroup_mkdir("/sys/fs/cgroup/unified/pybpf-netrk")
        self.fds = {label: next(v for n, v in load(self.p, obj).items() if not n.startswith("map:"))
                    for label, (obj, _x) in PROGRAMS.items()}
        from pykernel.uapi.attr import InfoAttr, ProgInfo
        from pykernel.uapi.consts import Cmd

        self.labels = {}
        for label, fd in self.fds.items():
            info = ProgInfo()
            self.p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(fd, info))
            self.labels[info.id] = label
        self.links: dict[str, int] = {}

    def do(self, op: list[Any]) -> Any:
        from pykernel import SyscallError
        from pykernel.uapi import attr as A
        from pykernel.uapi import rtnl as R
        from pykernel.uapi.consts import Cmd

        k = op[0]
        root = "/sys/fs/cgroup/unified/pybpf-netrk/"
        try:
            if k == "mkdir":
                self.p.cgroup_mkdir(root + op[1])
            elif k == "veth":
                self.p.netlink(R.LinkRequest(R.RTM_NEWLINK, R.NLM_F_REQUEST | R.NLM_F_CREATE | R.NLM_F_EXCL,
                                             ifname="v0", kind="veth", peer_name="v1"))
            elif k in ("attach", "detach"):
                cg = self.p.open_cgroup(root + op[1])
                fd = self.fds[op[2]] if op[2] else 0
                try:
                    if k == "attach":
                        rep = self.fds[op[5]] if len(op) > 5 else 0
                        self.p.bpf(Cmd.PROG_ATTACH, A.ProgAttachAttr(cg, fd, op[3], op[4], rep))
                    else:
                        self.p.bpf(Cmd.PROG_DETACH, A.ProgAttachAttr(cg, fd, op[3]))
                finally:
                    self.p.close(cg)
            elif k == "query":
                cg = self.p.open_cgroup(root + op[1])
                q = A.ProgQueryAttr(cg, op[2], 1 if op[3] else 0, prog_cnt=16)
                try:
                    self.p.bpf(Cmd.PROG_QUERY, q)
                finally:
                    self.p.close(cg)
                return [0, q.attach_flags, [self.labels.get(i, "?") for i in q.prog_ids]]
            elif k in ("link", "xdp_link"):
                if k == "link":
                    cg = self.p.open_cgroup(root + op[3])
                    a = A.LinkCreateAttr(self.fds[op[2]], target_fd=cg, attach_type=op[4])
                else:
                    try:
                        ifindex = self.p.netlink(R.LinkRequest(R.RTM_GETLINK, ifname=op[3])).ifindex
                    except SyscallError:
                        ifindex = 99
                    a = A.LinkCreateAttr(self.fds[op[2]], target_ifindex=ifindex, attach_type=XDP, flags=op[4])
                self.links[op[1]] = self.p.bpf(Cmd.LINK_CREATE, a)
            elif k == "link_update":
                old = self.fds[op[3]] if op[3] else 0
                self.p.bpf(Cmd.LINK_UPDATE, A.LinkUpdateAttr(self.links[op[1]], self.fds[op[2]], 4 if op[3] else 0,
                                                             old))
            elif k == "link_detach":
                self.p.bpf(Cmd.LINK_DETACH, A.LinkDetachAttr(self.links[op[1]]))
            else:
                raise ValueError(k)
        except SyscallError as e:
            return [e.errno] if k != "query" else [e.errno, 0, []]
        return [0]


# ------------------------------------------------------------------------------------------------

def _cgroot() -> str | None:
    for base in ("/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        try:
            with open("/proc/mounts") as f:
                if any(line.split()[1] == base and line.split()[2] == "cgroup2" for line in f):
                    return base
        except OSError:
            return None
    return None


def _sh(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


def _rm_cgroups(root: str) -> None:
    if not os.path.isdir(root):
        return
    for dirpath, _dirs, _files in sorted(os.walk(root), key=lambda t: -t[0].count("/")):
        try:
            os.rmdir(dirpath)
        except OSError:
            pass


def run_real(name: str) -> list[Any]:
    base = _cgroot()
    if os.geteuid() != 0 or base is None or shutil.which("bpftool") is None or shutil.which("nsenter") is None:
        pytest.skip("needs root, bpftool, nsenter and a cgroup2 mount")
    root = f"{base}/pybpf-netrk-{os.getpid()}"
    _sh("ip", "netns", "del", NS)
    shutil.rmtree(PIN, ignore_errors=True)
    _rm_cgroups(root)
    try:
        os.makedirs(PIN, exist_ok=True)
        os.mkdir(root)
        if _sh("ip", "netns", "add", NS).returncode:
            pytest.skip("cannot create a network namespace")
        ids = {}
        for label, (obj, extra) in PROGRAMS.items():
            r = _sh("bpftool", "prog", "load", str(PROGS / obj), f"{PIN}/{label}", *extra)
            if r.returncode:
                pytest.skip(f"bpftool cannot load {obj}: {r.stderr.strip()}")
            ids[label] = json.loads(_sh("bpftool", "-j", "prog", "show", "pinned", f"{PIN}/{label}").stdout)["id"]
        r = subprocess.run(["nsenter", f"--net=/run/netns/{NS}", sys.executable, __file__, name, root, json.dumps(ids)],
                           capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO), PYBPF_NETRK_PIN=PIN), timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    finally:
        _sh("ip", "netns", "del", NS)
        shutil.rmtree(PIN, ignore_errors=True)
        _rm_cgroups(root)


def run_sim(name: str, state: Path) -> list[Any]:
    sim = SimBackend(state)
    try:
        return [sim.do(op) for op in SCENARIOS[name]]
    finally:
        sim.p.exit()


@pytest.mark.realkernel
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_bpf_answers_match_the_kernel(name: str, tmp_path: Path) -> None:
    real = run_real(name)
    sim = run_sim(name, tmp_path)
    diffs = [(i, op, r, s) for i, (op, r, s) in enumerate(zip(SCENARIOS[name], real, sim, strict=True)) if r != s]
    assert not diffs, "\n".join(f"step {i} {op}: kernel {r}, simulation {s}" for i, op, r, s in diffs)


def test_scenarios_run_on_the_simulation(tmp_path: Path) -> None:
    for name in SCENARIOS:
        out = run_sim(name, tmp_path / name)
        assert len(out) == len(SCENARIOS[name]) and all(isinstance(r[0], int) for r in out)


if __name__ == "__main__":  # the helper, inside the namespace
    backend = RealBackend(sys.argv[2], json.loads(sys.argv[3]))
    print(json.dumps([backend.do(op) for op in SCENARIOS[sys.argv[1]]]))
