"""The verifier corpus re-recorded live on the real kernel (``realkernel``; skipped elsewhere).

Every case of tests/verifier_corpus is loaded again through the real bpf(2) (asm cases with
their maps, C objects through the system libbpf, exactly as record.py does). The live
kernel must still say what recorded.json says (verdict, errno, final error line and, for
accepted programs, the statistics line), so the recorded oracle stays true to the machine;
and our verifier must agree with the live verdicts on every case and with the live final
error line on at least 90% of the rejects (the differing ones are printed).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "verifier_corpus"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import realbpf  # noqa: E402

pytestmark = pytest.mark.realkernel

STATS = re.compile(r"processed \d+ insns \(limit \d+\) max_states_per_insn \d+ total_states \d+ peak_states \d+")


def _live() -> dict[str, dict]:
    if not realbpf.available():
        pytest.skip("needs root and the real kernel's bpf()")
    if shutil.which("bpftool") is None:
        pytest.skip("needs bpftool")
    import record

    try:
        lb = record.Libbpf()
    except OSError:
        pytest.skip("needs the system libbpf (libbpf.so.1)")
    out: dict[str, dict] = {}
    for case in corpus.load_asm_cases():
        out[case.name] = record.record_asm(case)
    for obj in record.C_OBJECTS:
        out.update(record.record_c(obj, lb))
    return out


@pytest.fixture(scope="module")
def live() -> dict[str, dict]:
    return _live()


def _stats(log: str) -> str | None:
    m = STATS.search(log)
    return m.group(0) if m else None


def test_recorded_corpus_is_what_the_kernel_says(live: dict[str, dict]) -> None:
    rec = corpus.load_recorded()
    drift = []
    for name, now in sorted(live.items()):
        was = rec.get(name)
        if was is None:
            drift.append(f"{name}: not recorded")
            continue
        if (now["accepted"], now["errno"], now["error"]) != (was["accepted"], was["errno"], was["error"]):
            drift.append(f"{name}: recorded {was['accepted']}/{was['errno']}/{was['error']!r}, "
                         f"live {now['accepted']}/{now['errno']}/{now['error']!r}")
        elif now["accepted"] and _stats(now["log"]) != _stats(was["log"]):
            drift.append(f"{name}: recorded {_stats(was['log'])}, live {_stats(now['log'])}")
    for d in drift:
        print(d)
    assert not drift


def test_our_verdicts_match_the_live_kernel(live: dict[str, dict]) -> None:
    import test_verifier_corpus as T

    wrong, msg_diff, rejects = [], [], 0
    for name, now in sorted(live.items()):
        if name in T.SLOW or name not in T.RECORDED:
            continue
        ok, errno, log, _ = T.run_case(name)
        if ok != now["accepted"] or (not ok and errno != now["errno"]):
            wrong.append(f"{name}: ours {ok}/{errno}, kernel {now['accepted']}/{now['errno']}")
        if not now["accepted"]:
            rejects += 1
            mine = corpus.error_line(log) if not ok else "<accepted>"
            if mine != now["error"]:
                msg_diff.append(f"{name}:\n  kernel: {now['error']}\n  ours:   {mine}")
    for d in wrong + msg_diff:
        print(d)
    assert not wrong
    assert 1 - len(msg_diff) / max(rejects, 1) >= 0.9
