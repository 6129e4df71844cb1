"""Scenarios with real traffic between two namespaces (the ground truth for replays).

Topology (addresses as in tests/fixtures/packets/):

    netns pybpf-orc-3 ("peer")                  netns pybpf-orc-2 ("dut")
    peer0 02:00:00:00:00:01 10.0.0.1/24  <-veth->  dut0 02:00:00:00:00:02 10.0.0.2/24
    clsact: ingress tc_count (tc_in maps)          XDP (driver mode): xdp_icmp_echo
            egress  tc_count (tc_out maps)         (answers ICMP echo with XDP_TX)

Three captures per phase: on peer0 outgoing (`-Q out`: what was put on the wire towards
the DUT), on peer0 incoming (`-Q in`: what came back) and on dut0 (both directions: what
the DUT's own stack saw; frames XDP answered with XDP_TX never show there).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from netrec import NET_PROGS_REL, PIN_ROOT, NetRecorder  # noqa: E402

MAC_PEER, MAC_DUT = "02:00:00:00:00:01", "02:00:00:00:00:02"
IP_PEER, IP_DUT = "10.0.0.1", "10.0.0.2"
HERE = Path(__file__).resolve().parent
REPLAY_IN = "../fixtures/pcap/replay_in.pcap"  # relative to tests/progs


class Capture:
    """tcpdump in a namespace, writing a pcap; recorded as a `capture` set-up step."""

    def __init__(self, r: NetRecorder, ns: str, dev: str, direction: str, path: Path) -> None:
        self.r, self.ns, self.dev, self.direction, self.path = r, ns, dev, direction, path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        argv = ["tcpdump", "-i", dev, "-w", str(path), "-U", "--immediate-mode", "-n",
                "-s", "0", "-Z", "root"]
        if direction != "inout":
            argv[3:3] = ["-Q", direction]
        self.p = subprocess.Popen(r.s.prefix(ns, "nsenter") + argv, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        r.s.procs.append(self.p)
        assert self.p.stderr is not None
        line = self.p.stderr.readline().decode(errors="replace")  # "listening on ..."
        if "listening on" not in line:
            raise RuntimeError(f"tcpdump did not start: {line}")

    def stop(self) -> dict:
        time.sleep(0.3)
        self.p.send_signal(signal.SIGINT)
        _out, err = self.p.communicate(timeout=10)
        self.r.s.procs.remove(self.p)
        frames = read_frames(self.path)
        text = subprocess.run(["tcpdump", "-nn", "-e", "-t", "-r", str(self.path)],
                              capture_output=True, text=True).stdout
        rel = self.path.relative_to(self.path.parents[1]).as_posix()  # pcap/NAME.pcap
        return self.r.setup("capture", ns=self.ns, dev=self.dev, direction=self.direction,
                            file=rel, count=len(frames), frames=[f.hex() for f in frames],
                            tcpdump=text, tcpdump_stats=err.decode(errors="replace"))


def read_frames(path: Path) -> list[bytes]:
    import dpkt

    with open(path, "rb") as f:
        return [bytes(buf) for _ts, buf in dpkt.pcap.Reader(f)]


def _setup_topology(r: NetRecorder, *, peer_xdp: bool) -> dict[str, str]:
    dut = r.netns("dut", 2)
    r.netns("peer", 3)
    r.ns_default = "peer"
    ip = lambda ns, *a, **kw: r.run(["ip", *a], ns=ns, **kw)  # noqa: E731
    ip("peer", "link", "add", "peer0", "address", MAC_PEER, "type", "veth", "peer", "name",
       "dut0", "address", MAC_DUT, "netns", dut)
    ip("dut", "addr", "add", f"{IP_DUT}/24", "dev", "dut0")
    ip("peer", "addr", "add", f"{IP_PEER}/24", "dev", "peer0")
    ip("dut", "link", "set", "dev", "dut0", "up")
    ip("peer", "link", "set", "dev", "peer0", "up")
    r.settle("dut")
    r.settle("peer")
    d = f"{PIN_ROOT}/traffic"
    r.mkdir_pin(d)
    P = {"echo": f"{d}/echo", "echo_maps": f"{d}/echo_maps", "tc_in": f"{d}/tc_in",
         "tc_in_maps": f"{d}/tc_in_maps", "tc_out": f"{d}/tc_out",
         "tc_out_maps": f"{d}/tc_out_maps", "xdp_pass": f"{d}/xdp_pass"}
    bt = lambda ns, *a, **kw: r.run(["bpftool", *a], ns=ns, **kw)  # noqa: E731
    bt("dut", "prog", "load", "xdp_icmp_echo.o", P["echo"], "pinmaps", P["echo_maps"])
    bt("peer", "prog", "load", f"{NET_PROGS_REL}/tc_count.o", P["tc_in"], "pinmaps",
       P["tc_in_maps"])
    bt("peer", "prog", "load", f"{NET_PROGS_REL}/tc_count.o", P["tc_out"], "pinmaps",
       P["tc_out_maps"])
    bt("peer", "prog", "load", "xdp_pass.o", P["xdp_pass"])
    ip("dut", "link", "set", "dev", "dut0", "xdpdrv", "pinned", P["echo"])
    r.run(["tc", "qdisc", "add", "dev", "peer0", "clsact"], ns="peer")
    r.run(["tc", "filter", "add", "dev", "peer0", "ingress", "bpf", "object-pinned", P["tc_in"],
           "da"], ns="peer")
    r.run(["tc", "filter", "add", "dev", "peer0", "egress", "bpf", "object-pinned", P["tc_out"],
           "da"], ns="peer")
    if peer_xdp:
        ip("peer", "link", "set", "dev", "peer0", "xdpdrv", "pinned", P["xdp_pass"])
    ip("peer", "link", "show")
    ip("dut", "link", "show")
    ip("peer", "-j", "link", "show", "dev", "peer0")
    ip("dut", "-d", "link", "show", "dev", "dut0")
    ip("peer", "addr", "show", "dev", "peer0")
    bt("peer", "net", "show")
    bt("dut", "net", "show")
    r.run(["tc", "filter", "show", "dev", "peer0", "ingress"], ns="peer")
    r.run(["tc", "filter", "show", "dev", "peer0", "egress"], ns="peer")
    return P


def _counters(r: NetRecorder, P: dict[str, str]) -> None:
    bt = lambda ns, *a, **kw: r.run(["bpftool", *a], ns=ns, **kw)  # noqa: E731
    bt("dut", "map", "dump", "pinned", f"{P['echo_maps']}/replies")
    bt("dut", "-j", "map", "dump", "pinned", f"{P['echo_maps']}/replies")
    for which in ("tc_in_maps", "tc_out_maps"):
        bt("peer", "map", "dump", "pinned", f"{P[which]}/tc_counts")
        bt("peer", "-j", "map", "dump", "pinned", f"{P[which]}/tc_counts")
    r.run(["ip", "-s", "link", "show", "dev", "peer0"], ns="peer")
    r.run(["ip", "-s", "link", "show", "dev", "dut0"], ns="dut")
    r.run(["ip", "-s", "-j", "link", "show", "dev", "dut0"], ns="dut")
    r.run(["tc", "-s", "qdisc", "show", "dev", "peer0"], ns="peer")
    r.run(["tc", "-s", "filter", "show", "dev", "peer0", "ingress"], ns="peer")


def _captures(r: NetRecorder, phase: str) -> list[Capture]:
    base = Path(r.pcap_dir)
    name = f"{r.scenario}_{phase}"
    return [Capture(r, "peer", "peer0", "out", base / f"{name}_peer0_out.pcap"),
            Capture(r, "peer", "peer0", "in", base / f"{name}_peer0_in.pcap"),
            Capture(r, "dut", "dut0", "inout", base / f"{name}_dut0.pcap")]


def _stop_all(caps: list[Capture]) -> None:
    """Stop the captures and mark the frames the DUT's own stack sent (ARP aside): their
    IPv4 id and header checksum (bytes 18-19 and 24-25 of an untagged frame) differ from
    run to run (the kernel picks IP ids from a hashed, randomly keyed counter), so a
    comparison masks them. Those are the IPv4 frames dut0's capture shows leaving the
    DUT; frames answered by XDP_TX never pass there and stay compared byte for byte."""
    recs = [c.stop() for c in caps]
    stack = {f for rec in recs if rec["dev"] == "dut0" for f in rec["frames"]
             if f[12:24] == MAC_DUT.replace(":", "") and f[24:28] == "0800"}
    for rec in recs:
        idx = [i for i, f in enumerate(rec["frames"]) if f in stack]
        if idx:
            rec["volatile"] = {"ipv4_id_csum": idx}


def _helper(r: NetRecorder, ns: str, what: str, *args: str) -> dict:
    argv = [sys.executable, str(HERE / "traffic.py"), what, *args]
    p = r.raw(argv, ns=ns, via="nsenter", timeout=300)
    return r.setup(what, ns=ns, args=list(args), exit=p.returncode,
                   stdout=p.stdout.decode(), stderr=p.stderr.decode())


def scen_traffic_icmp(r: NetRecorder) -> dict:
    """ping through the XDP responder: first without, then with NAPI on the peer veth."""
    P = _setup_topology(r, peer_xdp=False)
    caps = _captures(r, "nonapi")
    _helper(r, "peer", "ping", IP_DUT, IP_PEER, "3", "0.2")
    _stop_all(caps)
    _counters(r, P)
    r.run(["ip", "link", "set", "dev", "peer0", "xdpdrv", "pinned", P["xdp_pass"]], ns="peer")
    r.run(["ip", "link", "show", "dev", "peer0"], ns="peer")
    caps = _captures(r, "napi")
    _helper(r, "peer", "ping", IP_DUT, IP_PEER, "5", "0.2")
    _stop_all(caps)
    _counters(r, P)
    return {"topology": __doc__.split("\n\n")[1]}


def scen_traffic_replay(r: NetRecorder) -> dict:
    """The frames of tests/fixtures/pcap/replay_in.pcap sent from the peer to the DUT."""
    P = _setup_topology(r, peer_xdp=True)
    caps = _captures(r, "replay")
    _helper(r, "peer", "replay", "peer0", REPLAY_IN, "0.05")
    time.sleep(0.5)
    _stop_all(caps)
    _counters(r, P)
    return {"topology": __doc__.split("\n\n")[1], "input": "pcap/replay_in.pcap"}


_ = json
