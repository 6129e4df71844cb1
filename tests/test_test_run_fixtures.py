"""BPF_PROG_TEST_RUN against the real kernel's recorded runs (tests/fixtures/*/run.json).

Every ``run.json`` scenario (programs of tests/progs x the frames of
tests/fixtures/packets, recorded with ``bpftool prog run`` on the 6.18 oracle) is replayed
through the whole simulated stack - pybpftool -> pylibbpf -> Process.bpf -> verifier ->
``pykernel.test_run`` -> the interpreter and helpers. For each ``prog run`` the exit status,
the return value, ``data_out`` (JSON byte arrays and hex dumps) and the error messages
(EINVAL for a 10-byte frame, ENOSPC for a short ``data_size_out``, ...) must equal the
real ones; after the runs, the map contents the programs left (``map dump``/``lookup``)
must too. Only durations differ (normalised, see tests/fixtures/README.md): ours come from
the virtual clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli_common import FIXTURES, comparable, replay

RUNS = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/run.json"))


def _is_run(argv: list[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    return words[:2] == ["prog", "run"]


def _is_map_read(argv: list[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    return words[:1] == ["map"] and len(words) > 1 and words[1] in ("dump", "lookup", "peek")


def test_every_recorded_object_is_replayed() -> None:
    assert len(RUNS) >= 20
    packets = set()
    for path in RUNS:
        for raw in json.loads((FIXTURES / path).read_text())["records"]:
            for i, a in enumerate(raw.get("argv", [])):
                if a == "data_in":
                    packets.add(raw["argv"][i + 1])
    assert len(packets) >= 10


def _raw(text: str, hints: dict) -> object:
    """key/value bytes of a ``-j`` map dump or lookup (sorted for unordered hash dumps)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    items = data if isinstance(data, list) else [data]
    out = [(e.get("key"), e.get("value"), e.get("values")) for e in items if isinstance(e, dict)]
    return sorted(out, key=repr) if hints.get("unordered") else out


@pytest.mark.parametrize("path", RUNS)
def test_run_scenario(path: str, tmp_path: Path) -> None:
    failures: list[str] = []
    ran = 0
    after_run = False
    for rec, res in replay(path, tmp_path / "state"):
        argv = rec.argv
        if _is_run(argv):
            after_run = True
            ran += 1
        elif not (after_run and _is_map_read(argv)):
            # set-up (load, map updates): must work as it did on the real machine
            if res.exit_code != rec.exit:
                failures.append(f"#{rec.index} {' '.join(argv)}: exit {res.exit_code} != {rec.exit}: {res.err.strip()}")
            continue
        if not _is_run(argv):
            # the map contents a program left: compare the raw bytes of ``-j`` dumps and
            # lookups (their BTF formatting is the command line's business)
            if "-j" in argv and rec.exit == 0 and not rec.compare.get("id_values"):
                w, g = _raw(rec.stdout, rec.compare), _raw(res.out, rec.compare)
                if w != g:
                    failures.append(f"#{rec.index} {' '.join(argv)}\n  want {w}\n  got  {g}")
            continue
        want = comparable(rec.stdout, rec.stderr, rec.exit, rec.compare, argv)
        got = comparable(res.out, res.err, res.exit_code, rec.compare, argv)
        # bpftool exits with the errno's low byte (234 = -EINVAL) where the CLI layer may
        # still say 255; that is the command line's business - here failure is failure
        want["exit"], got["exit"] = bool(want["exit"]), bool(got["exit"])
        if got != want:
            failures.append(f"#{rec.index} {' '.join(argv)}\n  want {want}\n  got  {got}")
    assert ran, "the scenario has no prog run"
    assert not failures, "\n".join(failures)
