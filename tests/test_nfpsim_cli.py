"""nfpsim as a user runs it (a separate process per command, state in $PYBPF_STATE)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dpkt
import pytest

from pykernel import Process
from pykernel.net import devices as D
from pykernel.uapi import rtnl as R
from pykernel.uapi.attr import MapElemAttr
from pykernel.uapi.consts import Cmd
from tests.test_net_util import NEW, load, set_xdp

PCAP = Path(__file__).parent / "fixtures" / "pcap"


def nfpsim(state: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYBPF_STATE=str(state))
    r = subprocess.run([sys.executable, "-m", "nfpsim", *args], env=env, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(f"nfpsim {args}: {r.returncode} {r.stderr}")
    return r


def read(path: Path) -> list[bytes]:
    with open(path, "rb") as f:
        return [bytes(b) for _ts, b in dpkt.pcap.Reader(f)]


@pytest.fixture
def nic(tmp_path: Path):  # type: ignore[no-untyped-def]
    """eth0 up with xdp_icmp_echo in native mode; yields (state dir, process, fds)."""
    p = Process(tmp_path)
    p.kernel_call(lambda k: D.create_nic(k, "eth0", extra={"offload": "nfp"}))
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="eth0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    fds = load(p, "xdp_icmp_echo.o")
    set_xdp(p, "eth0", fds["xdp_icmp_echo"], R.XDP_FLAGS_DRV_MODE)
    yield tmp_path, p, fds
    p.exit()


def replies(p: Process, fds: dict[str, int]) -> int:
    v = bytearray(8)
    p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(fds["map:replies"], bytes(4), v))
    return int.from_bytes(v, "little")


def test_replay_answers_every_echo_request(nic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, p, fds = nic
    out = tmp_path / "out.pcap"
    r = nfpsim(state, "-j", "replay", "eth0", str(PCAP / "icmp_burst.pcap"), "--out", str(out))
    res = json.loads(r.stdout)
    c = {(x["device"], x["hook"], x["verdict"]): x["count"] for x in res["counters"]}
    assert res["frames"] == res["out_frames"] == 1000
    assert c[("eth0", "xdp_drv", "tx")] == 1000 and c[("eth0", "tx", "xdp")] == 1000
    assert replies(p, fds) == 1000  # map changes persist in the state
    ins, outs = read(PCAP / "icmp_burst.pcap"), read(out)
    for q, a in zip(ins, outs, strict=True):
        eq, ea = dpkt.ethernet.Ethernet(q), dpkt.ethernet.Ethernet(a)
        assert (ea.src, ea.dst) == (eq.dst, eq.src)
        assert (ea.data.src, ea.data.dst) == (eq.data.dst, eq.data.src)
        assert ea.data.data.type == 0 and ea.data.data.data.seq == eq.data.data.data.seq
        icmp = bytes(ea.data.data)
        assert dpkt.in_cksum(icmp) == 0  # the program fixed the ICMP checksum


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_tshark_reads_the_output(nic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, _p, _fds = nic
    out = tmp_path / "out.pcap"
    nfpsim(state, "replay", "eth0", str(PCAP / "icmp_burst.pcap"), "--out", str(out))
    t = subprocess.run(["tshark", "-r", str(out), "-Y", "icmp.type == 0", "-T", "fields", "-e", "icmp.seq"],
                       capture_output=True, text=True, check=True)
    assert t.stdout.split() == [str(i) for i in range(1, 1001)]


def test_pcapng_and_pcap_give_the_same_result(nic) -> None:  # type: ignore[no-untyped-def]
    state, _p, _fds = nic
    a = json.loads(nfpsim(state, "-j", "replay", "eth0", str(PCAP / "mixed.pcap")).stdout)["counters"]
    b = json.loads(nfpsim(state, "-j", "replay", "eth0", str(PCAP / "mixed.pcapng")).stdout)["counters"]
    assert a == b and a


def test_repeat_and_text_report(nic) -> None:  # type: ignore[no-untyped-def]
    state, p, fds = nic
    r = nfpsim(state, "replay", "--repeat", "3", "eth0", str(PCAP / "replay_in.pcap"))
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["DEVICE", "HOOK", "VERDICT", "COUNT"]
    assert lines[-1].startswith("87 frames in ") and lines[-1].endswith(" packets/s")
    assert re.search(r"^eth0 +xdp_drv +tx +30$", r.stdout, re.M)
    assert re.search(r"^eth0 +rx +runt +3$", r.stdout, re.M)  # the 10-byte frame, three times
    assert replies(p, fds) == 30


def test_errors(nic, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state, _p, _fds = nic
    r = nfpsim(state, "replay", "eth9", str(PCAP / "mixed.pcap"), check=False)
    assert (r.returncode, r.stderr) == (1, 'Error: Cannot find device "eth9"\n')
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"not a capture at all")
    r = nfpsim(state, "replay", "eth0", str(bad), check=False)
    assert (r.returncode, r.stderr) == (1, f"Error: {bad} is not a pcap or pcapng capture\n")
    r = nfpsim(state, "replay", "eth0", str(tmp_path / "nope.pcap"), check=False)
    assert r.returncode == 1 and r.stderr.startswith("Error: cannot open") and "Traceback" not in r.stderr
    trunc = tmp_path / "trunc.pcap"
    trunc.write_bytes((PCAP / "mixed.pcap").read_bytes()[:100])
    r = nfpsim(state, "replay", "eth0", str(trunc), check=False)
    assert r.returncode == 1 and "truncated" in r.stderr


def test_tx_mode_through_a_veth(tmp_path: Path) -> None:
    p = Process(tmp_path)
    p.netlink(R.LinkRequest(R.RTM_NEWLINK, NEW, ifname="v0", kind="veth", peer_name="v1"))
    for n in ("v0", "v1"):
        p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname=n, ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    set_xdp(p, "v1", load(p, "xdp_icmp_echo.o")["xdp_icmp_echo"])
    set_xdp(p, "v0", load(p, "xdp_pass.o")["xdp_pass"])
    back = tmp_path / "back.pcap"
    sent = tmp_path / "sent.pcap"
    r = nfpsim(tmp_path, "-j", "replay", "--tx", "v0", str(PCAP / "replay_in.pcap"), "--out", str(sent),
               "--capture-in", str(back))
    res = json.loads(r.stdout)
    assert (res["frames"], res["refused"], res["out_frames"], res["in_frames"]) == (29, 1, 28, 10)
    assert read(sent) == read(PCAP / "traffic_replay_replay_peer0_out.pcap")
    p.exit()


def test_nic_and_cgroup_commands(tmp_path: Path) -> None:
    assert nfpsim(tmp_path, "nic", "add").stdout == "2: eth0\n"
    assert nfpsim(tmp_path, "nic", "add", "--queues", "8", "p1").stdout == "3: p1\n"
    assert json.loads(nfpsim(tmp_path, "-j", "nic", "list").stdout) == [
        {"ifname": "eth0", "ifindex": 2, "queues": 4}, {"ifname": "p1", "ifindex": 3, "queues": 8}]
    nfpsim(tmp_path, "nic", "del", "eth0")
    r = nfpsim(tmp_path, "nic", "del", "eth0", check=False)
    assert (r.returncode, r.stderr) == (1, 'Error: Cannot find NIC "eth0"\n')
    nfpsim(tmp_path, "cgroup", "mkdir", "/sys/fs/cgroup/unified/a", "/sys/fs/cgroup/a/b")
    assert nfpsim(tmp_path, "cgroup", "ls", "/sys/fs/cgroup/a").stdout == "b\n"
    r = nfpsim(tmp_path, "cgroup", "rmdir", "/sys/fs/cgroup/a", check=False)
    assert (r.returncode, r.stderr) == (1, "Error: failed to remove '/sys/fs/cgroup/a': Device or resource busy\n")
    r = nfpsim(tmp_path, "cgroup", "mkdir", "/sys/fs/cgroup/x/y", check=False)
    assert r.stderr == "Error: cannot create directory '/sys/fs/cgroup/x/y': No such file or directory\n"
    nfpsim(tmp_path, "cgroup", "rmdir", "/sys/fs/cgroup/a/b", "/sys/fs/cgroup/a")
    assert nfpsim(tmp_path, "cgroup", "ls").stdout == ""
    r = nfpsim(tmp_path, "-n", "nosuch", "nic", "list", check=False)
    assert (r.returncode, r.stderr) == (1, 'Error: Cannot open network namespace "nosuch": No such file or directory\n')
