#!/usr/bin/env python3
"""Run every benchmark side by side in one run and print its measurements and ratios.

Each ``bench/bench_*.py`` prints its own numbers (and the ratio to its target, or to the
real tool where that is installed); this runner only runs them one after another so one
command (``make bench``) shows them all. Timings are not asserted anywhere in the tests:
they belong here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.stem} ==", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"   ({time.perf_counter() - t0:.1f}s, exit {rc})\n", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
