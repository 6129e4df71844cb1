#!/usr/bin/env python3
"""JIT size model speed: programs and instructions per second, next to the verifier.

    .venv/bin/python bench/bench_jit.py

pykernel/jit_x86.py runs at every PROG_LOAD, so it is measured on what tests/jit/ recorded
(the test objects, the accepted corpus cases and the micro-programs: 349 programs, with the
real kernel's lengths): every program sized three times, the best time kept; the largest
one (``micro:chain_ja_30``, a jump chain that needs padding passes) on its own; and, side
by side, our verifier on the same micro-programs, so the ratio says what share of a load
the JIT model costs. The model's agreement with the kernel is printed too (it is asserted
in tests/test_jit_x86.py). Target: >= 1,000 programs/s over the recordings.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JIT = ROOT / "tests" / "jit"
for p in (ROOT, ROOT / "tests", ROOT / "tests" / "verifier_corpus", JIT):
    sys.path.insert(0, str(p))

from pykernel import jit_x86 as J  # noqa: E402
from pykernel.uapi import insn as I  # noqa: E402

TARGET = 1_000


def records() -> list[tuple[str, list[I.Insn], list[int], list[int], dict[int, int], list[int]]]:
    out = []
    for group in ("objects", "corpus", "micro"):
        for r in json.loads((JIT / f"{group}.json").read_text())["records"]:
            insns = I.decode_all(zlib.decompress(base64.b64decode(r["xlated"])))
            arrays = {int(a): n for a, n in r["prog_arrays"].items()}
            out.append((r["name"], insns, r["subprog_starts"], r["stack_depth"], arrays,
                        r["jited_func_lens"] or [r["jited_prog_len"]]))
    return out


def best(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    recs = records()
    n_insns = sum(len(r[1]) for r in recs)

    def size_all() -> list[list[int]]:
        return [J.func_lens(ins, starts, stack, map_max_entries=arrays.get)
                for _, ins, starts, stack, arrays, _ in recs]

    got = size_all()
    same = sum(g == r[5] for g, r in zip(got, recs, strict=True))
    dt = best(size_all)
    rate = len(recs) / dt
    print(f"JIT model: {len(recs)} programs ({n_insns} insns) in {dt * 1e3:.1f} ms: "
          f"{rate:,.0f} programs/s, {n_insns / dt:,.0f} insns/s "
          f"({rate / TARGET:.1f}x the target of {TARGET:,} programs/s)")
    print(f"           kernel's lengths from our xlated code: {same}/{len(recs)} programs "
          "(the rest are verifier gaps, tests/test_jit_x86.py)")
    big = next(r for r in recs if r[0] == "micro:chain_ja_30")
    dtb = best(lambda: J.func_lens(big[1], big[2], big[3]))
    print(f"largest:   micro:chain_ja_30, {len(big[1])} insns, 20 passes: {dtb * 1e3:.2f} ms")

    import record_jit
    from micro import micro_programs

    cases = micro_programs()
    prepared = [(case, *record_jit.fake_maps_of_case(case)) for _, case in cases]

    def verify_all() -> list:  # type: ignore[type-arg]
        return [record_jit.verify_ours(c.prog_type, insns, maps, attach=c.attach, flags=c.flags)
                for c, maps, insns in prepared]

    results = verify_all()
    dv = best(verify_all, 1)

    def size_micro() -> None:
        for res in results:
            J.func_lens(res.xlated, list(res.subprog_starts) or [0], list(res.stack_depth))

    dm = best(size_micro)
    print(f"side by side on the {len(cases)} micro-programs: verifier {dv * 1e3:.0f} ms, "
          f"JIT model {dm * 1e3:.0f} ms ({dm / dv:.1%} of the verifier's time)")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
