#!/usr/bin/env python3
"""Record what the REAL ip, tc and bpftool print for devices, XDP and tc attachment,
cgroups, links and feature probes, and what real traffic does through them.

    sudo .venv/bin/python tests/oracle/net/record_net.py [--out DIR] [--only NAME ...]
                                                        [--compare DIR] [--list]

Needs root, iproute2 (ip, tc), bpftool, bpffs at /sys/fs/bpf and cgroup2 at
/sys/fs/cgroup/unified; the traffic scenario also needs tcpdump. Writes one JSON file per
scenario to DIR/<group>/<scenario>.json (default DIR: tests/fixtures/net) and, for the
traffic scenario, captures to tests/fixtures/pcap/ (DIR/../pcap when --out is given).
Format and contents: tests/fixtures/net/README.md.

Every scenario starts from a fresh network namespace `pybpf-orc-N` and removes it, its
pins (under /sys/fs/bpf/pybpf-oracle-net) and its cgroups (under
/sys/fs/cgroup/unified/pybpf-oracle) when it ends, also on failure.

--compare DIR re-records (into --out, e.g. a temporary directory) and diffs the
normalised outputs against DIR: exit 1 when they differ.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import netrec  # noqa: E402
import scen_bpftool  # noqa: E402
import scen_ip  # noqa: E402
import scen_tc  # noqa: E402
import scen_traffic  # noqa: E402

# name -> (group directory, function)
SCENARIOS: dict[str, tuple[str, Callable]] = {
    "ip_link": ("ip", scen_ip.scen_ip_link),
    "ip_xdp": ("ip", scen_ip.scen_ip_xdp),
    "ip_batch": ("ip", scen_ip.scen_ip_batch),
    "tc_qdisc": ("tc", scen_tc.scen_tc_qdisc),
    "tc_filter": ("tc", scen_tc.scen_tc_filter),
    "tc_batch": ("tc", scen_tc.scen_tc_batch),
    "net": ("bpftool", scen_bpftool.scen_net),
    "cgroup": ("bpftool", scen_bpftool.scen_cgroup),
    "link": ("bpftool", scen_bpftool.scen_link),
    "feature_kernel": ("feature", scen_bpftool.scen_feature_kernel),
    "feature_dev": ("feature", scen_bpftool.scen_feature_dev),
    "traffic_icmp": ("traffic", scen_traffic.scen_traffic_icmp),
    "traffic_replay": ("traffic", scen_traffic.scen_traffic_replay),
}

# scenarios that take long (feature probes: ~a minute each) and are left out of the
# realkernel test's quick re-record
SLOW = {"feature_kernel"}


def record(names: list[str], out_dir: Path, pcap_dir: Path | None = None) -> list[Path]:
    written = []
    with netrec.Session() as s:
        for name in names:
            group, fn = SCENARIOS[name]
            print(f"recording {group}/{name}", file=sys.stderr)
            r = netrec.NetRecorder(s, name)
            r.out_dir = out_dir
            r.pcap_dir = pcap_dir or out_dir.parent / "pcap"
            try:
                extra = fn(r) or {}
            finally:
                s.cleanup()
            written.append(r.write(out_dir, group, extra))
    return written


def compare_dirs(a: Path, b: Path, names: list[str] | None = None) -> list[str]:
    diffs = []
    for fa in netrec.fixture_files(a):
        if names and fa.name.split(".")[0] not in names:
            continue
        rel = fa.relative_to(a)
        fb = b / rel
        if not fb.exists():
            diffs.append(f"missing {rel}")
            continue
        diffs += netrec.compare_files(fa, fb)
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=netrec.FIX_NET)
    ap.add_argument("--pcap-out", type=Path, default=None)
    ap.add_argument("--only", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--compare", type=Path, metavar="DIR")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for n, (g, _f) in SCENARIOS.items():
            print(f"{g}/{n}")
        return 0
    if os.geteuid() != 0:
        print("record_net.py: needs root", file=sys.stderr)
        return 2
    for tool in ("ip", "tc", "bpftool", "nsenter"):
        if not shutil.which(tool):
            print(f"record_net.py: {tool} not found", file=sys.stderr)
            return 2
    names = args.only or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        print(f"record_net.py: unknown scenario(s) {unknown}", file=sys.stderr)
        return 2
    record(names, args.out, args.pcap_out)
    if args.compare:
        diffs = compare_dirs(args.out, args.compare, names)
        for d in diffs:
            print(d)
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
