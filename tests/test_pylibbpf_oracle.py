"""Re-record the pylibbpf fixtures live with the real bpftool/libbpf/kernel and check that
they still equal the committed ones (tests/progs/libbpf/expected/), so that the tests which
compare pylibbpf with those fixtures compare it with reality. Needs root, bpf(), bpftool
v7.1.0 and libbpf.so.1; skipped elsewhere."""

from __future__ import annotations

import ctypes.util
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LIBBPF_PROGS = HERE / "progs" / "libbpf"
EXPECTED = LIBBPF_PROGS / "expected"


def _realkernel_ready() -> str | None:
    if os.geteuid() != 0:
        return "needs root"
    if not shutil.which("bpftool"):
        return "needs bpftool"
    v = subprocess.run(["bpftool", "version"], capture_output=True, text=True).stdout
    if not v.startswith("bpftool v7.1.0"):
        return "fixtures were recorded with bpftool v7.1.0"
    if not os.path.isdir("/sys/fs/bpf") or not ctypes.util.find_library("bpf"):
        return "needs a bpffs and libbpf.so.1"
    r = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True)
    if r.returncode != 0:
        return "bpf() is not usable here"
    return None


pytestmark = pytest.mark.realkernel


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Path:  # noqa: ANN001
    why = _realkernel_ready()
    if why:
        pytest.skip(why)
    spec = importlib.util.spec_from_file_location("pylibbpf_record", LIBBPF_PROGS / "record.py")
    rec = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rec)
    out = tmp_path_factory.mktemp("pylibbpf_live")
    rec.main(out)
    return out


def _files() -> list[str]:
    return sorted(p.name for p in EXPECTED.iterdir())


def _entries(dump: str) -> list[str]:
    """The elements of a map dump, order-free (hash maps iterate in a per-map random order)."""
    body = dump.strip()
    assert body.startswith("[{") and body.endswith("]")
    return sorted(body[2:-1].rstrip().removesuffix("}").split("},{"))


def _normal(name: str, text: str) -> object:
    if name != "mapdump.json":
        return text
    return [(c["name"], _entries(c["text"]), _entries(c["json"])) for c in json.loads(text)]


@pytest.mark.parametrize("name", _files())
def test_committed_fixture_equals_live_recording(live: Path, name: str) -> None:
    fresh = live / name
    assert fresh.exists(), f"{name} was not produced by the live recording"
    assert _normal(name, fresh.read_text()) == _normal(name, (EXPECTED / name).read_text())


def test_live_recording_produces_nothing_new(live: Path) -> None:
    assert sorted(p.name for p in live.iterdir()) == _files()
    assert not [p for p in Path("/sys/fs/bpf/pybpf-libbpf").glob("rec_*")]
