#!/usr/bin/env python3
"""The verifier trace's cost: the same programs verified without and with ``trace`` (the
structured trace of ``prog load ... trace FILE``), side by side in one run.

    .venv/bin/python bench/bench_trace.py

Without a trace the walk only tests ``trace is not None`` at its hooks, so "off" is the
verifier's normal speed (compare bench_verifier.py); "on" records every visited insn's
registers and stack and copies the path at each branch. Printed: best-of-three seconds
for both and their ratio, plus the trace's event count. Target for "on": within 4x of
"off" (a trace is asked for to read it, not on hot paths).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_verifier import loop_program, parser_program  # noqa: E402

from pykernel.uapi.consts import ProgType  # noqa: E402
from pykernel.verifier import VerifierEnv, verify  # noqa: E402

TARGET_RATIO = 4.0


def timed(insns: list, trace: bool) -> tuple[float, int]:  # type: ignore[type-arg]
    best = float("inf")
    events = 0
    for _ in range(3):
        env = VerifierEnv(insns=insns, prog_type=ProgType.XDP, trace=trace)
        t = time.perf_counter()
        verify(env)
        best = min(best, time.perf_counter() - t)
        events = len(env.trace_out["events"]) if env.trace_out else 0
    return best, events


def main() -> int:
    print(f"{'program':24} {'off s':>8} {'on s':>8} {'on/off':>7} {'events':>8} {'vs target':>9}")
    for name, insns in (("parser (29 checks)", parser_program()), ("bounded loop x1000", loop_program(1000))):
        off, _ = timed(insns, False)
        on, events = timed(insns, True)
        ratio = on / off if off else 0.0
        print(f"{name:24} {off:8.3f} {on:8.3f} {ratio:7.2f} {events:8d} {TARGET_RATIO / ratio:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
