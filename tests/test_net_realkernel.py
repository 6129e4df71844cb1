"""The simulated kernel's netlink answers next to the real kernel's, request by request.

Each scenario is a list of abstract operations (make a veth, set an MTU, attach XDP with
flags, add a qdisc or a cls_bpf filter, ...). They run twice: against the simulated kernel
through ``Process.netlink``, and against the machine's kernel as raw rtnetlink messages in a
network namespace of our own (this file run as a helper under ``nsenter --net``, with
extended acks on), programs coming from bpftool pins. Every step's (errno, extack) - or the
observed value - must be equal.

realkernel: needs root, ip, bpftool and a kernel with BPF; skips cleanly otherwise.
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
NS = f"pybpf-netrk-{os.getpid()}"  # unique: several test runs may share the machine
#: the helper (a child) gets the parent's pin directory through the environment
PIN = os.environ.get("PYBPF_NETRK_PIN") or f"/sys/fs/bpf/pybpf-netrk-{os.getpid()}"

# ------------------------------------------------------------------------------------------------
# raw rtnetlink (the helper side)

NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_REPLACE = 1, 4, 0x200, 0x400, 0x100
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLA_F_NESTED = 0x8000
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_XDP, IFLA_MIN_MTU, IFLA_MAX_MTU = 1, 3, 4, 18, 43, 50, 51
IFLA_INFO_KIND, IFLA_INFO_DATA, VETH_INFO_PEER = 1, 2, 1
IFLA_XDP_FD, IFLA_XDP_FLAGS, IFLA_XDP_EXPECTED_FD = 1, 3, 8
TCA_KIND, TCA_OPTIONS = 1, 2
TCA_BPF_CLASSID, TCA_BPF_FD, TCA_BPF_NAME, TCA_BPF_FLAGS, TCA_BPF_FLAGS_GEN = 3, 6, 7, 8, 9
RTM = {"newlink": 16, "dellink": 17, "getlink": 18, "setlink": 19, "newqdisc": 36, "delqdisc": 37,
       "newtfilter": 44, "deltfilter": 45, "gettfilter": 46}


def _attr(t: int, data: bytes) -> bytes:
    a = struct.pack("<HH", 4 + len(data), t) + data
    return a + b"\0" * (-len(a) % 4)


def _str(t: int, s: str) -> bytes:
    return _attr(t, s.encode() + b"\0")


def _ifinfo(index: int = 0, flags: int = 0, change: int = 0) -> bytes:
    return struct.pack("<BBHiII", 0, 0, 0, index, flags, change)


def _tcmsg(ifindex: int, handle: int, parent: int, info: int) -> bytes:
    return struct.pack("<BBHiIII", 0, 0, 0, ifindex, handle, parent, info)


class RawNetlink:
    def __init__(self) -> None:
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0

    def talk(self, mtype: int, flags: int, body: bytes) -> tuple[int, str | None]:
        self.seq += 1
        msg = struct.pack("<IHHII", 16 + len(body), mtype, flags | NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body
        self.s.send(msg)
        while True:
            data = self.s.recv(65536)
            off = 0
            while off < len(data):
                ln, t, fl, seq, _pid = struct.unpack_from("<IHHII", data, off)
                if t == NLMSG_ERROR and seq == self.seq:
                    err = -struct.unpack_from("<i", data, off + 16)[0]
                    ext = None
                    if fl & NLM_F_ACK_TLVS:
                        inner = struct.unpack_from("<I", data, off + 20)[0]
                        p = off + 20 + (16 if fl & NLM_F_CAPPED else inner)
                        while p + 4 <= off + ln:
                            alen, atype = struct.unpack_from("<HH", data, p)
                            if atype == 1 and alen > 4:
                                ext = data[p + 4:p + alen].split(b"\0", 1)[0].decode()
                            p += (alen + 3) & ~3
                    return err, ext
                off += (ln + 3) & ~3


def _bpf_obj_get(path: str) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(path.encode())
    attr = struct.pack("<QII", ctypes.addressof(buf), 0, 0) + bytes(128 - 16)
    cattr = ctypes.create_string_buffer(attr, len(attr))
    fd = libc.syscall(321, 7, cattr, len(attr))
    if fd < 0:
        raise OSError(ctypes.get_errno(), path)
    return fd


class RealBackend:
    """The operations as raw rtnetlink messages (run inside the test namespace)."""

    def __init__(self) -> None:
        self.nl = RawNetlink()
        self.fds: dict[str, int] = {}

    def fd(self, prog: str) -> int:
        if prog not in self.fds:
            self.fds[prog] = _bpf_obj_get(f"{PIN}/{prog}")
        return self.fds[prog]

    def idx(self, name: str) -> int:
        try:
            return socket.if_nametoindex(name)
        except OSError:
            return 0

    def link_value(self, name: str, what: str) -> Any:
        for line in subprocess.run(["ip", "-d", "-j", "link", "show", "dev", name], capture_output=True,
                                   text=True).stdout.splitlines():
            d = json.loads(line)[0]
            return {"max_mtu": d.get("max_mtu"), "ifindex": d.get("ifindex"), "mtu": d.get("mtu")}[what]
        return None

    def do(self, op: list[Any]) -> Any:
        kind = op[0]
        a = op[1] if len(op) > 1 else {}
        if kind == "value":
            return ["value", self.link_value(a["dev"], a["what"])]
        if kind == "newlink":
            attrs = _str(IFLA_IFNAME, a["name"])
            info = _str(IFLA_INFO_KIND, a["kind"])
            if "peer" in a:
                info += _attr(IFLA_INFO_DATA | NLA_F_NESTED,
                              _attr(VETH_INFO_PEER | NLA_F_NESTED, _ifinfo() + _str(IFLA_IFNAME, a["peer"])))
            attrs += _attr(IFLA_LINKINFO | NLA_F_NESTED, info)
            return list(self.nl.talk(16, NLM_F_CREATE | NLM_F_EXCL, _ifinfo() + attrs))
        if kind in ("setlink", "dellink"):
            body = _ifinfo(self.idx(a["dev"]) if "dev" in a else 0, a.get("flags", 0), a.get("change", 0))
            if "mtu" in a:
                body += _attr(IFLA_MTU, struct.pack("<I", a["mtu"]))
            if "xdp" in a:
                x = a["xdp"]
                fd = -1 if x["prog"] is None else self.fd(x["prog"])
                inner = _attr(IFLA_XDP_FD, struct.pack("<i", fd)) + _attr(IFLA_XDP_FLAGS, struct.pack("<I", x["flags"]))
                if "expected" in x:
                    efd = -1 if x["expected"] is None else self.fd(x["expected"])
                    inner += _attr(IFLA_XDP_EXPECTED_FD, struct.pack("<i", efd))
                body += _attr(IFLA_XDP | NLA_F_NESTED, inner)
            if "dev_name" in a:
                body = _ifinfo() + _str(IFLA_IFNAME, a["dev_name"])
            return list(self.nl.talk(RTM[kind], 0, body))
        if kind in ("newqdisc", "delqdisc"):
            body = _tcmsg(self.idx(a["dev"]), a["handle"], a["parent"], 0)
            if a.get("kind"):
                body += _str(TCA_KIND, a["kind"])
            return list(self.nl.talk(RTM[kind], a.get("nlflags", 0), body))
        if kind in ("newtfilter", "deltfilter", "gettfilter"):
            info = (a.get("prio", 0) << 16) | socket.htons(a.get("protocol", 0))
            body = _tcmsg(self.idx(a["dev"]), a.get("handle", 0), a["parent"], info)
            if a.get("kind"):
                body += _str(TCA_KIND, a["kind"])
            if "prog" in a:
                opts = _attr(TCA_BPF_FD, struct.pack("<I", self.fd(a["prog"]))) + _str(TCA_BPF_NAME, "x")
                opts += _attr(TCA_BPF_FLAGS, struct.pack("<I", a.get("bpf_flags", 1)))
                if a.get("gen_flags"):
                    opts += _attr(TCA_BPF_FLAGS_GEN, struct.pack("<I", a["gen_flags"]))
                body += _attr(TCA_OPTIONS | NLA_F_NESTED, opts)
            return list(self.nl.talk(RTM[kind], a.get("nlflags", 0), body))
        raise ValueError(kind)


# ------------------------------------------------------------------------------------------------
# the simulated side


class SimBackend:
    def __init__(self, state: Path) -> None:
        from pykernel import Process
        from tests.test_net_util import load

        self.p = Process(state)
        self.fds = {"xdp_pass": load(self.p, "xdp_pass.o")["xdp_pass"], "tc_mark": load(self.p, "tc_cls.o")["tc_mark"]}

    def idx(self, name: str) -> int:
        from pykernel.uapi import rtnl as R

        try:
            return self.p.netlink(R.LinkRequest(R.RTM_GETLINK, ifname=name)).ifindex
        except OSError:
            return 0

    def do(self, op: list[Any]) -> Any:
        from pykernel import SyscallError
        from pykernel.uapi import rtnl as R

        kind = op[0]
        a = op[1] if len(op) > 1 else {}
        if kind == "value":
            d = self.p.netlink(R.LinkRequest(R.RTM_GETLINK, ifname=a["dev"]))
            return ["value", {"max_mtu": d.max_mtu, "ifindex": d.ifindex, "mtu": d.mtu}[a["what"]]]
        try:
            if kind == "newlink":
                self.p.netlink(R.LinkRequest(R.RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                                             ifname=a["name"], kind=a["kind"], peer_name=a.get("peer")))
            elif kind in ("setlink", "dellink"):
                xr = None
                if "xdp" in a:
                    x = a["xdp"]
                    xr = R.XdpRequest(-1 if x["prog"] is None else self.fds[x["prog"]], x["flags"])
                    if "expected" in x:
                        xr.expected_fd = -1 if x["expected"] is None else self.fds[x["expected"]]
                req = R.LinkRequest(RTM[kind], ifindex=self.idx(a["dev"]) if "dev" in a else 0,
                                    ifname=a.get("dev_name"), mtu=a.get("mtu"), ifi_flags=a.get("flags", 0),
                                    ifi_change=a.get("change", 0), xdp=xr)
                if not req.ifindex and req.ifname is None:
                    raise SyscallError(19, "no device")
                self.p.netlink(req)
            elif kind in ("newqdisc", "delqdisc"):
                self.p.netlink(R.QdiscRequest(RTM[kind], NLM_F_REQUEST | NLM_F_ACK | a.get("nlflags", 0),
                                              ifindex=self.idx(a["dev"]), handle=a["handle"], parent=a["parent"],
                                              kind=a.get("kind")))
            elif kind in ("newtfilter", "deltfilter", "gettfilter"):
                bpf = None
                if "prog" in a:
                    bpf = R.BpfFilterRequest(self.fds[a["prog"]], "x", a.get("bpf_flags", 1), a.get("gen_flags", 0))
                self.p.netlink(R.FilterRequest(RTM[kind], NLM_F_REQUEST | NLM_F_ACK | a.get("nlflags", 0),
                                               ifindex=self.idx(a["dev"]), parent=a["parent"], prio=a.get("prio", 0),
                                               protocol=a.get("protocol", 0), handle=a.get("handle", 0),
                                               kind=a.get("kind"), bpf=bpf))
            else:
                raise ValueError(kind)
        except SyscallError as e:
            return [e.errno, e.extack]
        return [0, None]


# ------------------------------------------------------------------------------------------------
# scenarios

UP = {"flags": 1, "change": 1}
NEW = NLM_F_CREATE | NLM_F_EXCL
CLSACT = {"dev": "v0", "handle": 0xFFFF0000, "parent": 0xFFFFFFF1, "kind": "clsact"}
ING = 0xFFFFFFF2
ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 3, 0x800, 0x86DD

SCENARIOS: dict[str, list[list[Any]]] = {
    "links": [
        ["newlink", {"name": "v0", "kind": "veth", "peer": "v1"}],
        ["value", {"dev": "v1", "what": "ifindex"}],
        ["value", {"dev": "v0", "what": "ifindex"}],
        ["newlink", {"name": "v0", "kind": "veth", "peer": "v2"}],
        ["newlink", {"name": "v3", "kind": "veth", "peer": "v3"}],
        ["newlink", {"name": "abcdefghijklmnop", "kind": "veth", "peer": "x1"}],
        ["newlink", {"name": "a:b", "kind": "veth", "peer": "x2"}],
        ["newlink", {"name": "d0", "kind": "bogus"}],
        ["newlink", {"name": "v5", "kind": "veth", "peer": "v6"}],
        ["value", {"dev": "v6", "what": "ifindex"}],
        ["setlink", {"dev": "v0", "mtu": 67}],
        ["setlink", {"dev": "v0", "mtu": 65536}],
        ["setlink", {"dev": "v0", "mtu": 9000}],
        ["dellink", {"dev": "lo"}],
        ["dellink", {"dev_name": "nosuch"}],
        ["dellink", {"dev": "v5"}],
        ["value", {"dev": "v0", "what": "mtu"}],
    ],
    "xdp": [
        ["newlink", {"name": "v0", "kind": "veth", "peer": "v1"}],
        ["setlink", {"dev": "v0", **UP}],
        ["setlink", {"dev": "v1", **UP}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 1 | 4}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 1 | 4}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 1 | 2}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 8}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 2 | 4}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 16}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 16 | 4, "expected": None}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "tc_mark", "flags": 1}}],
        ["setlink", {"dev": "lo", "xdp": {"prog": "xdp_pass", "flags": 1 | 4}}],
        ["setlink", {"dev": "lo", "xdp": {"prog": "xdp_pass", "flags": 1 | 8}}],
        ["setlink", {"dev": "lo", "xdp": {"prog": "xdp_pass", "flags": 1}}],
        ["value", {"dev": "v0", "what": "max_mtu"}],
        ["setlink", {"dev": "v0", "mtu": 4000}],
        ["setlink", {"dev": "v1", "xdp": {"prog": None, "flags": 4}}],
        ["value", {"dev": "v0", "what": "max_mtu"}],
        ["setlink", {"dev": "v0", "mtu": 9000}],
        ["setlink", {"dev": "v1", "xdp": {"prog": "xdp_pass", "flags": 4}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": None, "flags": 0}}],
        ["setlink", {"dev": "v1", "xdp": {"prog": None, "flags": 0}}],
        ["setlink", {"dev": "lo", "xdp": {"prog": None, "flags": 2}}],
    ],
    "tc": [
        ["newlink", {"name": "v0", "kind": "veth", "peer": "v1"}],
        ["setlink", {"dev": "v0", **UP}],
        ["delqdisc", CLSACT],
        ["newtfilter", {"dev": "v0", "parent": ING, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "nlflags": NEW}],
        ["newqdisc", {**CLSACT, "nlflags": NEW}],
        ["newqdisc", {**CLSACT, "nlflags": NEW}],
        ["newqdisc", {**CLSACT, "kind": "ingress", "nlflags": NEW}],
        ["deltfilter", {"dev": "v0", "parent": ING, "prio": 7}],
        ["newtfilter", {"dev": "v0", "parent": ING, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 7, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 7, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 5, "protocol": ETH_P_IP, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 6, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": 0}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 0, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": 0}],
        ["newtfilter", {"dev": "v0", "parent": ING, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "gen_flags": 3, "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "xdp_pass",
                        "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": 0xFFFFFFF5, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": 0xFFFF0000, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 7, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "bpf_flags": 0, "gen_flags": 1, "nlflags": NLM_F_CREATE}],
        ["deltfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 9, "kind": "bpf"}],
        ["deltfilter", {"dev": "v0", "parent": ING, "prio": 5, "protocol": ETH_P_IPV6}],
        ["deltfilter", {"dev": "v0", "parent": ING, "prio": 20}],
        ["deltfilter", {"dev": "v0", "parent": ING, "handle": 1, "kind": "bpf"}],
        ["gettfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 7, "kind": "bpf"}],
        ["newtfilter", {"dev": "v0", "parent": ING, "prio": 32768, "protocol": ETH_P_ALL, "kind": "bpf",
                        "prog": "tc_mark", "nlflags": NEW}],
        ["newtfilter", {"dev": "v0", "parent": ING, "protocol": ETH_P_ALL, "kind": "bpf", "prog": "tc_mark",
                        "nlflags": NEW}],
        ["deltfilter", {"dev": "v0", "parent": ING, "prio": 5, "handle": 7, "kind": "bpf"}],
        ["deltfilter", {"dev": "v0", "parent": ING}],
        ["delqdisc", {**CLSACT, "kind": "ingress"}],
        ["delqdisc", CLSACT],
        ["delqdisc", CLSACT],
        ["delqdisc", {"dev": "v0", "handle": 0, "parent": 0xFFFFFFFF}],
        ["newqdisc", {"dev": "v0", "handle": 0, "parent": 0, "nlflags": NEW}],
    ],
}


# ------------------------------------------------------------------------------------------------
# the test


def _real_available() -> str | None:
    if os.geteuid() != 0:
        return "needs root"
    for tool in ("ip", "bpftool", "nsenter"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not os.path.isdir("/sys/fs/bpf"):
        return "no bpffs"
    return None


def _sh(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


def run_real(name: str) -> list[Any]:
    _sh("ip", "netns", "del", NS)
    shutil.rmtree(PIN, ignore_errors=True)
    try:
        if _sh("ip", "netns", "add", NS).returncode:
            pytest.skip("cannot create a network namespace")
        os.makedirs(PIN, exist_ok=True)
        for obj, pin, extra in (("xdp_pass.o", "xdp_pass", []), ("tc_cls.o", "tc_mark", ["type", "classifier"])):
            r = _sh("bpftool", "prog", "load", str(PROGS / obj), f"{PIN}/{pin}", *extra)
            if r.returncode:
                pytest.skip(f"bpftool cannot load {obj}: {r.stderr.strip()}")
        r = subprocess.run(["nsenter", f"--net=/run/netns/{NS}", sys.executable, __file__, name],
                           capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO), PYBPF_NETRK_PIN=PIN), timeout=120)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    finally:
        _sh("ip", "netns", "del", NS)
        shutil.rmtree(PIN, ignore_errors=True)


def run_sim(name: str, state: Path) -> list[Any]:
    sim = SimBackend(state)
    try:
        sim.p.netns_add("rk")
        sim.p.setns("rk")
        return [sim.do(op) for op in SCENARIOS[name]]
    finally:
        sim.p.exit()


@pytest.mark.realkernel
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_netlink_answers_match_the_kernel(name: str, tmp_path: Path) -> None:
    why = _real_available()
    if why:
        pytest.skip(why)
    real = run_real(name)
    sim = run_sim(name, tmp_path)
    diffs = [(i, op, r, s) for i, (op, r, s) in enumerate(zip(SCENARIOS[name], real, sim, strict=True)) if r != s]
    assert not diffs, "\n".join(f"step {i} {op}: kernel {r}, simulation {s}" for i, op, r, s in diffs)


def test_scenarios_run_on_the_simulation(tmp_path: Path) -> None:
    """Without root the scenarios still run against the simulation (no crash, no None errnos)."""
    for name in SCENARIOS:
        out = run_sim(name, tmp_path / name)
        assert len(out) == len(SCENARIOS[name])
        assert all(isinstance(r[0], int) or r[0] == "value" for r in out)


if __name__ == "__main__":  # the helper, run inside the namespace
    backend = RealBackend()
    print(json.dumps([backend.do(op) for op in SCENARIOS[sys.argv[1]]]))
