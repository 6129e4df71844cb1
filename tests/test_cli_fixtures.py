"""pybpftool against the real bpftool's recorded sessions (tests/fixtures/, see its
README): each scenario is replayed command by command on a fresh simulated kernel and
every output is compared with what bpftool printed, after the oracle's normalisation
(ids, load times, durations).

Fields that legitimately differ, and why:

* ids, ``loaded_at``, durations: normalised away (README).
* missing pin directories: bpftool cannot pin into a directory that does not exist
  (``can't mount BPF file system ...``); the simulated bpffs creates parents (DESIGN.md).
  Those records are checked to succeed, and what they pinned is removed so the rest of
  the scenario sees the state the real run had.

Everything else is compared byte for byte over every recorded bpftool scenario -
``xlated``, ``jited`` (the x86-64 JIT size model's numbers, pykernel/jit_x86.py) and
``memlock`` sizes, verifier logs and ``dump xlated`` listings. :func:`test_scenario_strict`
(``-m slow``) also replays the commands of :data:`KERNEL_GAPS`.

``prog run`` results and the map contents the runs leave are compared in full.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_common import FIXTURES, comparable, replay, run, scenario

DEFAULT = [
    "xdp_count/load.json", "xdp_count/maps.json", "xdp_count/btf.json", "xdp_count/xlated.json",
    "xdp_count/run.json",
    "tc_cls/load.json", "tc_cls/maps.json", "tc_cls/btf.json", "tc_cls/xlated.json", "tc_cls/run.json",
    "xdp_pass/run.json", "xdp_tail_call/run.json", "xdp_lpm_acl/run.json", "tc_skb_fields/run.json",
    "xdp_queue_stack/run.json",
    "xdp_lpm_acl/maps.json", "xdp_queue_stack/maps.json", "xdp_tail_call/load.json",
    "xdp_tail_call/maps.json", "xdp_global_data/maps.json", "xdp_subprog/load.json",
    "bad/bad.json", "xdp_legacy_map/xdp_legacy_map.json",
    "misc/load_variants.json", "misc/pins.json", "misc/map_create.json", "misc/freeze.json",
]
# Records that need what the simulated kernel does not model yet (skipped by the default
# test, compared by the strict one): object -> substrings of the command line.
KERNEL_GAPS: dict[str, list[str]] = {}

def _bpftool_scenario(p: Path) -> bool:
    """A bpftool scenario (tests/fixtures/README.md), not another suite's records (the
    ip/tc ones of tests/fixtures/iproute2/, packets, helper tables ...)."""
    if p.parent.name in ("packets", "helpers", "ctx_access", "map_xlated"):
        return False
    try:
        import json

        data = json.loads(p.read_text())
    except ValueError:
        return False
    if not isinstance(data, dict) or data.get("suite") or data.get("tool"):
        return False  # another suite's format (namespaces, ip/tc): tests/test_cli_net.py replays those
    records = data.get("records", [])
    return bool(records) and all(r.get("argv", ["bpftool"])[0] == "bpftool" for r in records if isinstance(r, dict))


ALL = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.json") if _bpftool_scenario(p))


def _kind(argv: list[str]) -> str:
    words = [a for a in argv if not a.startswith("-")]
    if words[:3] == ["prog", "dump", "xlated"]:
        return "xlated"
    if words[:2] == ["prog", "run"]:
        return "run"
    return "other"


def _undo_bpffs_parent_creation(argv: list[str], state: Path) -> None:
    """Remove what a command pinned where bpftool could not (missing parent dirs)."""
    from nfpsim.bpffs import _rm_tree
    from pykernel import Process

    proc = Process(state)
    words = [a for a in argv if not a.startswith("-")]
    paths = []
    if words[:2] in (["prog", "load"], ["prog", "loadall"]):
        paths.append(words[3])
        if "pinmaps" in words:
            paths.append(words[words.index("pinmaps") + 1])
    elif words[:2] in (["map", "create"],):
        paths.append(words[2])
    elif words[1:2] == ["pin"]:
        paths.append(words[-1])
    for path in paths:
        try:
            _rm_tree(proc, path)
        except Exception:  # noqa: BLE001 - nothing was created there
            pass
    proc.exit()


def check_scenario(path: str, state: Path, *, strict: bool) -> list[str]:
    diffs: list[str] = []
    gaps = KERNEL_GAPS.get(path, []) if not strict else []
    for rec, res in replay(path, state):
        if any(g in a for g in gaps for a in rec.argv):
            continue
        if "can't mount BPF file system" in rec.stderr:
            if res.exit_code != 0:
                diffs.append(f"[{rec.index}] {' '.join(rec.argv)}: expected to pin (parents are created)\n"
                             f"  got exit {res.exit_code}: {res.err}")
            _undo_bpffs_parent_creation(rec.argv, state)
            continue
        want = comparable(rec.stdout, rec.stderr, rec.exit, rec.compare, rec.raw["argv"])
        got = comparable(res.out, res.err, res.exit_code, rec.compare, rec.raw["argv"])
        if want != got:
            lines = [f"[{rec.index}] {' '.join(rec.argv)}"]
            for key in ("exit", "stdout", "stderr"):
                if want[key] != got[key]:
                    lines.append(f"  {key}: want {want[key]!r}\n  {key}:  got {got[key]!r}")
            diffs.append("\n".join(lines))
    return diffs


@pytest.mark.parametrize("path", ALL)
def test_scenario(path: str, tmp_path: Path) -> None:
    diffs = check_scenario(path, tmp_path / "state", strict=False)
    assert not diffs, f"{path}: {len(diffs)} differences\n" + "\n".join(diffs[:8])


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL)
def test_scenario_strict(path: str, tmp_path: Path) -> None:
    """Every command, the known kernel gaps included (the end-to-end acceptance test)."""
    diffs = check_scenario(path, tmp_path / "state", strict=True)
    assert not diffs, f"{path}: {len(diffs)} differences\n" + "\n".join(diffs[:8])


def test_default_selection_exists() -> None:
    for path in DEFAULT:
        assert scenario(path)["records"], path


def test_scenarios_cover_the_brief() -> None:
    """The default set exercises what the CLI must render: prog show -j/-p/-f, dump
    xlated views, map show, map dump (BTF and raw), entry operations and their errors,
    prog run argument errors, btf show/dump."""
    argvs = [" ".join(r["argv"]) for p in DEFAULT for r in scenario(p)["records"] if "argv" in r]
    for needle in ("-j prog show", "-p prog show", "-f prog show", "dump xlated", "opcodes", "linum",
                   "map show", "map dump", "map lookup", "map update", "map delete", "map getnext",
                   "prog run", "btf show", "btf dump", "map create", "map freeze"):
        assert any(needle in a for a in argvs), needle


def test_replay_is_isolated(tmp_path: Path) -> None:
    """Each replayed command is its own process: an object only its pin holds goes away
    with the pin."""
    from pykernel import Process

    state = tmp_path / "state"
    r = run(["map", "create", "/sys/fs/bpf/t/x", "type", "hash", "key", "4", "value", "4",
             "entries", "2", "name", "x"], state)
    assert r.exit_code == 0
    assert run(["-j", "map", "show"], state).out.startswith('[{"id":')
    p = Process(state)
    p.unlink("/sys/fs/bpf/t/x")
    p.exit()
    assert run(["-j", "map", "show"], state).out == "[]\n"
