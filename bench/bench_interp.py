#!/usr/bin/env python3
"""Interpreter throughput: eBPF instructions executed per second.

Prints one ``name value unit`` line per measurement (``--json`` for one JSON object):

* ``compute_loop`` - a counted loop of add/xor/shift/compare (1M iterations, 6 insns
  each) through the translating executor; best of ``--runs``;
* ``packet_parse`` - ``tests/progs/xdp_ipv6_exthdr.o`` (IPv6 extension-header walk) and
  ``xdp_fw_port.o`` loaded through pylibbpf/Process.bpf (the verifier's xlated code) and
  run with BPF_PROG_TEST_RUN ``repeat`` on real frames: instructions executed in the
  runs / wall time of the syscall (context set-up and copies included);
* ``translate_ms`` - time to translate + compile the packet program once (cold cache).

Target (DEVELOPERS/brief): >= 10 M insn/s on the compute loop on CPython 3.11.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import importlib  # noqa: E402

from pykernel.interp import Run, translate  # noqa: E402

translate_mod = importlib.import_module("pykernel.interp.translate")
from pykernel.uapi.asm import assemble  # noqa: E402

COMPUTE = """
    mov %r0, 0
    mov %r1, 0
    mov %r2, 0x12345
loop:
    add %r0, %r1
    xor %r0, %r2
    lsh %r0, 3
    rsh %r0, 1
    add %r1, 1
    jlt %r1, {n}, loop
    exit
"""


def bench_compute(n: int, runs: int) -> dict[str, float]:
    tr = translate(assemble(COMPUTE.format(n=n)), name="bench-compute")
    best = float("inf")
    insns = 0
    for _ in range(runs):
        r = Run()
        t0 = time.perf_counter()
        r.run(tr)
        dt = time.perf_counter() - t0
        best = min(best, dt)
        insns = r.ic
    return {"compute_loop": insns / best, "compute_loop_insns": insns}


def bench_packet(obj: str, packet: str, repeat: int, runs: int) -> dict[str, float]:
    from pykernel.process import Process
    from pykernel.uapi.attr import TestRunAttr
    from pykernel.uapi.consts import Cmd
    from pylibbpf import BpfObject, load_object

    data = (REPO / "tests" / "fixtures" / "packets" / packet).read_bytes()
    with tempfile.TemporaryDirectory() as state:
        proc = Process(state)
        o = load_object(BpfObject.open(str(REPO / "tests" / "progs" / obj)), proc)
        fd = o.programs[0].fd
        # one run to learn the instruction count and warm the translation cache
        translate_mod._CACHE.clear()
        t0 = time.perf_counter()
        proc.bpf(Cmd.PROG_TEST_RUN, TestRunAttr(fd, data_in=data, repeat=1))
        cold = time.perf_counter() - t0
        probe = TestRunAttr(fd, data_in=data, repeat=1)
        proc.bpf(Cmd.PROG_TEST_RUN, probe)
        per_run = probe.duration  # ns of virtual time = instructions (1 ns each)
        best = float("inf")
        for _ in range(runs):
            a = TestRunAttr(fd, data_in=data, repeat=repeat)
            t0 = time.perf_counter()
            proc.bpf(Cmd.PROG_TEST_RUN, a)
            best = min(best, time.perf_counter() - t0)
        proc.exit()
    return {"packet_parse": per_run * repeat / best, "packet_insns_per_run": per_run,
            "translate_ms": cold * 1000}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res: dict[str, float] = {}
    res.update(bench_compute(args.iterations, args.runs))
    for obj, pkt, key in (("xdp_ipv6_exthdr.o", "ipv6_ext.bin", "packet_parse"),
                          ("xdp_fw_port.o", "tcp_syn_22.bin", "packet_fw_port")):
        try:
            r = bench_packet(obj, pkt, args.repeat, args.runs)
        except Exception as e:  # noqa: BLE001 - the loader may be missing on a partial tree
            print(f"# {obj}: not measured ({type(e).__name__}: {e})", file=sys.stderr)
            continue
        res[key] = r["packet_parse"]
        res[f"{key}_insns_per_run"] = r["packet_insns_per_run"]
        res[f"{key}_translate_ms"] = r["translate_ms"]
    if args.json:
        print(json.dumps(res, sort_keys=True))
    else:
        for k, v in res.items():
            unit = "insn/s" if k in ("compute_loop", "packet_parse", "packet_fw_port") else (
                "ms" if k.endswith("_ms") else "insns")
            print(f"interp.{k} {v:.0f} {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
