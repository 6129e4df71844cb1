#!/usr/bin/env python3
"""Verifier speed: processed instructions per second, printed side by side.

    .venv/bin/python bench/bench_verifier.py

* a clang-compiled XDP parser from the corpus (tests/progs/xdp_adjust_tail.o as libbpf loads
  it: ~20,000 processed insns on 6.18), the ~2,700-insn workload of a map-heavy parser
  (acc-style program below, unrolled), and
* a bounded loop the walker explores iteration by iteration (~21,000 processed insns).
Target: >= 100,000 processed insns/s.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "verifier_corpus"))

from pykernel.uapi.asm import assemble_kernel  # noqa: E402
from pykernel.uapi.consts import ProgType  # noqa: E402
from pykernel.verifier import VerifierEnv, verify  # noqa: E402

TARGET = 100_000


def run(insns, prog_type=ProgType.XDP, maps=None) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    buf = bytearray(1 << 16)
    env = VerifierEnv(insns=insns, prog_type=prog_type, log_level=4, log_size=len(buf), log_buf=buf,
                      map_by_fd=(maps or {}).get)
    t = time.perf_counter()
    verify(env)
    dt = time.perf_counter() - t
    m = re.search(r"processed (\d+) insns", buf.split(b"\0", 1)[0].decode())
    return int(m.group(1)) if m else 0, dt


def loop_program(n: int) -> list:  # type: ignore[type-arg]
    # r1 counts to n; every iteration 5 insns are processed: ~5n processed insns
    return assemble_kernel(f"""
r0 = 0
r1 = 0
r0 += r1
r0 &= 0xffff
r1 += 1
if r1 < {n} goto pc-4
r0 = 2
exit
""")


def parser_program() -> list:  # type: ignore[type-arg]
    # many independent bounds-checked header reads: a wide diamond-shaped CFG
    body = ["r6 = *(u32 *)(r1 +0)", "r7 = *(u32 *)(r1 +4)", "r0 = 1"]
    for k in range(60):
        off = 14 + k % 40
        body += ["r2 = r6", f"r2 += {off + 1}", "if r2 > r7 goto pc+4", f"r3 = *(u8 *)(r6 +{off})",
                 "if r3 != 0x11 goto pc+2", "r0 += 1", "r0 &= 3"]
    body += ["r0 = 2", "exit"]
    return assemble_kernel("\n".join(body))


def corpus_program() -> tuple[list, dict, int] | None:  # type: ignore[type-arg]
    try:
        import test_verifier_corpus as T
    except Exception:  # noqa: BLE001
        return None
    name = "c_xdp_adjust_tail__xdp_adjust_tail"
    if name not in T.RECORDED:
        return None
    env, _ = T.build_env(name)
    return env.insns, {fd: env.map_by_fd(fd) for fd in range(100, 120) if env.map_by_fd(fd)}, env.prog_type


def main() -> int:
    rows = []
    n, dt = run(parser_program())
    rows.append(("straight parser (60 checks)", n, dt))
    n, dt = run(loop_program(4200))
    rows.append(("bounded loop x4200", n, dt))
    cp = corpus_program()
    if cp is not None:
        insns, maps, pt = cp
        n, dt = run(insns, pt, maps)
        rows.append(("xdp_adjust_tail.o (clang)", n, dt))
    print(f"{'program':32} {'processed':>10} {'seconds':>8} {'insns/s':>10} {'vs target':>9}")
    for name, n, dt in rows:
        rate = n / dt if dt else 0
        print(f"{name:32} {n:10d} {dt:8.3f} {rate:10.0f} {rate / TARGET:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
