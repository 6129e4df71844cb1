"""The verifier corpus: our verdict and final log line against the real 6.18 kernel's.

Every case in tests/verifier_corpus/recorded.json (asm cases and clang-compiled C
programs) is verified by pykernel.verifier with the same instructions and maps the real
kernel was given. Verdicts must agree on 100% of the corpus, the final error line on at
least 90% of the rejects (the ones that differ are printed), and for every accepted
program ``dump xlated`` must equal real bpftool's output (map ids and subprogram tags
aside).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "verifier_corpus"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from simmaps import FakeMap  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402
from pykernel.uapi.errors import SyscallError  # noqa: E402
from pykernel.verifier import VerifierEnv, verify  # noqa: E402
from pykernel.verifier.xlated import prepare_dump, xlated_lines  # noqa: E402

RECORDED = corpus.load_recorded()
ASM = {c.name: c for c in corpus.load_asm_cases()}


def build_env(name: str) -> tuple[VerifierEnv, bytearray]:
    rec = RECORDED[name]
    buf = bytearray(1 << 22)
    if rec["kind"] == "asm":
        case = ASM[name]
        maps = {}
        fds = {}
        for num, ms in case.maps.items():
            vals = bytearray(((ms.value_size + 7) & ~7) * ms.max_entries) if ms.map_type == 2 else bytearray()
            if ms.init:
                vals[: len(ms.init)] = ms.init
            m = FakeMap(num + 1, ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags, ms.name,
                        ms.frozen, vals)
            maps[100 + num] = m
            fds[num] = 100 + num
        insns = corpus.with_fds(case.insns, case.map_refs, fds)
        env = VerifierEnv(insns=insns, prog_type=case.prog_type, expected_attach_type=case.attach,
                          gpl=case.license == "GPL", log_level=1, log_size=len(buf), log_buf=buf,
                          prog_flags=case.flags, map_by_fd=maps.get)
        return env, buf
    insns = I.decode_all(bytes.fromhex(rec["insns"]))
    maps = {}
    for k, mm in enumerate(rec["maps"]):
        vals = bytearray(bytes.fromhex(mm.get("values", ""))) if mm.get("values") else bytearray()
        maps[100 + k] = FakeMap(k + 1, mm["type"], mm["key_size"], mm["value_size"], mm["max_entries"],
                                mm["flags"], mm["name"], mm.get("frozen", False), vals)
    for i, k in rec["map_refs"]:
        insns[i] = insns[i].with_(imm=100 + k)
    env = VerifierEnv(insns=insns, prog_type=rec["prog_type"], expected_attach_type=rec["attach"], gpl=True,
                      log_level=1, log_size=len(buf), log_buf=buf, map_by_fd=maps.get)
    return env, buf


def run_case(name: str) -> tuple[bool, int, str, object]:
    env, buf = build_env(name)
    try:
        res = verify(env)
        return True, 0, buf.split(b"\0", 1)[0].decode(), res
    except SyscallError as e:
        return False, e.errno, buf.split(b"\0", 1)[0].decode(), None


def norm_xlated(text: str) -> list[str]:
    out = []
    for ln in text.splitlines():
        if not ln.strip() or ln.startswith(";") or re.match(r"^\S.*\):$", ln):
            continue
        ln = re.sub(r"map\[id:\d+\]", "map[id:N]", ln)
        ln = re.sub(r"#bpf_prog_[0-9a-f]+_\w+", "#bpf_prog_TAG", ln)
        out.append(ln.rstrip())
    return out


NAMES = sorted(RECORDED)
# cases that walk the full 1,000,000-instruction budget: only in the slow run
SLOW = {"rej_too_large", "rej_infinite_loop_cond"}
FAST = [n for n in NAMES if n not in SLOW]


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES])
def test_verdict(name: str) -> None:
    rec = RECORDED[name]
    ok, errno, log, _ = run_case(name)
    assert ok == rec["accepted"], f"{name}: ours {'accept' if ok else 'reject'} ({log.splitlines()[-2:] if log else ''}), kernel {rec['error']!r}"
    if not ok:
        assert errno == rec["errno"], f"{name}: errno {errno} != {rec['errno']}"


def test_error_lines() -> None:
    rejects = [n for n in FAST if not RECORDED[n]["accepted"]]
    diff = []
    for n in rejects:
        ok, _, log, _ = run_case(n)
        mine = corpus.error_line(log) if not ok else "<accepted>"
        if mine != RECORDED[n]["error"]:
            diff.append((n, RECORDED[n]["error"], mine))
    for n, want, got in diff:
        print(f"{n}:\n  kernel: {want}\n  ours:   {got}")
    rate = 1 - len(diff) / max(len(rejects), 1)
    print(f"final error line match: {len(rejects) - len(diff)}/{len(rejects)} = {rate:.1%}")
    assert rate >= 0.9


@pytest.mark.parametrize("name", [n for n in NAMES if RECORDED[n]["accepted"]])
def test_xlated(name: str) -> None:
    ok, _, _, res = run_case(name)
    assert ok
    ours = xlated_lines(prepare_dump(res))  # type: ignore[arg-type]
    assert norm_xlated("\n".join(ours)) == norm_xlated(RECORDED[name]["xlated"])


def test_corpus_size() -> None:
    acc = [n for n in NAMES if RECORDED[n]["accepted"]]
    rej = [n for n in NAMES if not RECORDED[n]["accepted"]]
    assert len(acc) >= 50 and len(rej) >= 50
