"""Start-up time of ``pybpftool prog show`` next to the real ``bpftool prog show``.

    .venv/bin/python bench/bench_cli.py [-n RUNS] [--state DIR]

Runs each command RUNS times (after one warm-up run, which also writes the byte-code
caches) as separate processes, one after the other, and prints the median and minimum
wall-clock time and CPU time (user + system) of each, and their ratios. The simulated
kernel's state is a fresh one holding two loaded programs (xdp_count.o and tc_cls.o
from tests/progs), so ``prog show`` has something to print; the real bpftool shows what
the machine has (it is skipped when it is missing or cannot run).

Also measured: ``python -c pass`` with the same interpreter - what any Python command
costs before it does anything - so the part pybpftool adds is visible.

Target (the brief of the start-up work): ``pybpftool prog show`` under 60 ms wall on the
reference machine. Wall time includes waiting for a CPU: on a loaded machine compare the
CPU columns.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROGS = REPO / "tests" / "progs"


def measure(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]] | None:
    """(wall seconds, CPU seconds) of each run; None when the command fails."""
    warm = subprocess.run(cmd, env=env, capture_output=True)
    if warm.returncode != 0:
        return None
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def _pybpftool() -> list[str]:
    exe = Path(sys.executable).parent / "pybpftool"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pybpftool.main"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=30)
    ap.add_argument("--state", help="use this PYBPF_STATE instead of a fresh one with two programs")
    args = ap.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's installation has its .pyc files
    tmp = None
    if args.state:
        env["PYBPF_STATE"] = args.state
    else:
        tmp = tempfile.mkdtemp(prefix="pybpf-bench-cli-")
        env["PYBPF_STATE"] = os.path.join(tmp, "state")
        for obj, pin in (("xdp_count.o", "/sys/fs/bpf/bench/xdp_count"), ("tc_cls.o", "/sys/fs/bpf/bench/tc_mark")):
            subprocess.run(_pybpftool() + ["prog", "load", str(PROGS / obj), pin], env=env, check=True,
                           capture_output=True)

    rows: list[tuple[str, tuple[list[float], list[float]] | None]] = []
    rows.append(("pybpftool prog show", measure(_pybpftool() + ["prog", "show"], env, args.runs)))
    bpftool = shutil.which("bpftool")
    real = measure([bpftool, "prog", "show"], env, args.runs) if bpftool else None
    rows.append(("bpftool prog show", real))
    rows.append(("python -c pass", measure([sys.executable, "-c", "pass"], env, args.runs)))
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{'command':<22} {'wall median':>12} {'wall min':>9} {'cpu median':>11} {'cpu min':>8}   ({args.runs} runs)")
    for name, res in rows:
        if res is None:
            print(f"{name:<22} {'(not available)':>12}")
            continue
        w, c = res
        print(f"{name:<22} {statistics.median(w) * 1e3:9.1f} ms {min(w) * 1e3:6.1f} ms "
              f"{statistics.median(c) * 1e3:8.1f} ms {min(c) * 1e3:5.1f} ms")
    ours, base = rows[0][1], rows[2][1]
    if ours and real:
        print(f"ratio pybpftool/bpftool: wall {statistics.median(ours[0]) / statistics.median(real[0]):.0f}x, "
              f"cpu {statistics.median(ours[1]) / max(statistics.median(real[1]), 1e-6):.0f}x")
    if ours and base:
        print(f"pybpftool beyond the bare interpreter: wall "
              f"{(statistics.median(ours[0]) - statistics.median(base[0])) * 1e3:.1f} ms, cpu "
              f"{(statistics.median(ours[1]) - statistics.median(base[1])) * 1e3:.1f} ms")
    if ours:
        verdict = "meets" if statistics.median(ours[0]) < 0.060 else "misses"
        print(f"target: pybpftool prog show under 60 ms wall - {verdict} it in this run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
