#!/usr/bin/env python3
"""Replay throughput: frames per second through the simulated datapath (``nfpsim replay``).

A 100,000-frame capture (the seeded traffic mix of ``tests/fixtures/pcap/gen_pcaps.py --big``)
is replayed in one run, side by side, on an NFP port with

* ``none``          - no program (the receive path alone: device, stack counters);
* ``xdp_fw_port``   - a 103-instruction XDP port firewall (Ethernet/IPv4/TCP/UDP parse, a
                      hash lookup per TCP/UDP frame, an LRU update per drop), native mode;
* ``xdp_icmp_echo`` - a 108-instruction ICMP echo responder (parse, rewrite, XDP_TX, an
                      array counter), native mode, transmitted frames written to a pcap;
* ``tc_count``      - the tc ingress counter of the traffic fixtures (an skb per frame).

Each line: ``name frames/s`` and the ratio to the target (50,000 packets/s for a
~100-instruction XDP parser; the tc line is for information). ``--json`` prints one object.
The whole replay goes through nfpsim.replay (chunks of 4096 frames per state transaction,
map write-back at each chunk's end, pcap in and out streamed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nfpsim.replay import replay  # noqa: E402
from pykernel import Process  # noqa: E402
from pykernel.net import devices as D  # noqa: E402
from pykernel.uapi import rtnl as R  # noqa: E402

TARGET_PPS = 50_000


def make_capture(path: Path, count: int) -> None:
    subprocess.run([sys.executable, str(REPO / "tests/fixtures/pcap/gen_pcaps.py"), "--big", str(path),
                    "--count", str(count)], check=True, stdout=subprocess.DEVNULL)


def setup(state: Path, prog: str | None) -> Process:
    from pylibbpf import BpfObject

    p = Process(state)
    p.kernel_call(lambda k: D.create_nic(k, "eth0", extra={"offload": "nfp"}))
    p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="eth0", ifi_flags=R.IFF_UP, ifi_change=R.IFF_UP))
    if prog is None:
        return p
    progs = REPO / ("tests/fixtures/net/progs" if prog == "tc_count" else "tests/progs")
    obj = BpfObject.open(str(progs / f"{prog}.o"), print_fn=lambda lvl, msg: None)
    obj.load(p)
    fd = obj.programs[0].fd
    if prog == "tc_count":
        ifindex = p.netlink(R.LinkRequest(R.RTM_GETLINK, ifname="eth0")).ifindex
        p.netlink(R.QdiscRequest(R.RTM_NEWQDISC, R.NLM_F_REQUEST | R.NLM_F_CREATE | R.NLM_F_EXCL, ifindex=ifindex,
                                 parent=R.TC_H_CLSACT, handle=R.TC_H_INGRESS_HANDLE, kind="clsact"))
        p.netlink(R.FilterRequest(R.RTM_NEWTFILTER, R.NLM_F_REQUEST | R.NLM_F_CREATE | R.NLM_F_EXCL,
                                  ifindex=ifindex, parent=R.TC_PARENT_INGRESS, protocol=R.ETH_P_ALL, kind="bpf",
                                  bpf=R.BpfFilterRequest(fd=fd, flags=R.TCA_BPF_FLAG_ACT_DIRECT)))
    else:
        p.netlink(R.LinkRequest(R.RTM_SETLINK, ifname="eth0",
                                xdp=R.XdpRequest(fd=fd, flags=R.XDP_FLAGS_DRV_MODE)))
    return p


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000, help="frames in the generated capture")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", nargs="*", help="run only these cases")
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cap = Path(tmp) / "big.pcap"
        make_capture(cap, args.count)
        for name in ("none", "xdp_fw_port", "xdp_icmp_echo", "tc_count"):
            if args.only and name not in args.only:
                continue
            p = setup(Path(tmp) / f"state-{name}", None if name == "none" else name)
            out = str(Path(tmp) / f"out-{name}.pcap")
            res = replay(p, "eth0", str(cap), out=out, progress=False)
            p.exit()
            results[name] = {"frames": res.frames, "seconds": round(res.seconds, 3), "pps": round(res.pps),
                             "ratio_to_target": round(res.pps / TARGET_PPS, 2), "out_frames": res.out_frames}
    if args.json:
        print(json.dumps(results))
    else:
        for name, r in results.items():
            print(f"{name:<14} {r['pps']:>8} packets/s  {r['ratio_to_target']:>5.2f}x target  "
                  f"({r['frames']} frames in {r['seconds']} s, {r['out_frames']} transmitted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
