"""Shared helpers of the pybpftool tests (tests/test_cli_*.py): running pybpftool as a
separate simulated process per command, replaying the oracle fixtures of
tests/fixtures/ (see tests/fixtures/README.md), and the realkernel checks.

No tests here; the helpers live in a test module because tests/ files outside
test_cli_* belong to other parts of the project.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
PROGS = REPO / "tests" / "progs"
PACKETS = FIXTURES / "packets"
ORACLE = REPO / "tests" / "oracle"


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def oracle_normalize():  # noqa: ANN201 - a module
    """tests/oracle/normalize.py (the rules fixtures were normalised with)."""
    return _load("cli_oracle_normalize", ORACLE / "normalize.py")


def normalize(text: str) -> str:
    return oracle_normalize().normalize(text)


# --------------------------------------------------------------------------- running
def run(argv: list[str], state: Path, *, stdin: bytes = b"", cwd: Path | None = None):  # noqa: ANN201
    """One pybpftool command as its own simulated process (in-process, fast)."""
    from pybpftool.testing import invoke

    return invoke(argv, state_dir=state, stdin=stdin, cwd=cwd or PROGS)


def run_subprocess(argv: list[str], state: Path, *, stdin: bytes = b"", cwd: Path | None = None,
                   exe: str | None = None) -> subprocess.CompletedProcess:
    """pybpftool as a real OS process (console script if installed, else -m)."""
    env = dict(os.environ, PYBPF_STATE=str(state))
    cmd = [exe] if exe else [sys.executable, "-m", "pybpftool.main"]
    return subprocess.run(cmd + argv, input=stdin, capture_output=True, cwd=cwd or PROGS, env=env,
                          timeout=300)


# ------------------------------------------------------------------------- fixtures
@dataclass
class Record:
    index: int
    argv: list[str]  # without the program name, ids substituted for this replay
    exit: int
    stdout: str
    stderr: str
    raw: dict

    @property
    def norm_stdout(self) -> str:
        return self.raw.get("norm", {}).get("stdout", self.stdout)

    @property
    def norm_stderr(self) -> str:
        return self.raw.get("norm", {}).get("stderr", self.stderr)

    @property
    def compare(self) -> dict:
        return self.raw.get("compare", {})


def scenario(path: str | Path) -> dict:
    return json.loads((FIXTURES / path).read_text())


def replay(path: str | Path, state: Path, *, stop_after: int | None = None):  # noqa: ANN201
    """Run the commands of one fixture scenario in order against ``state``; yield
    (Record, Result) pairs. ``argv_norm`` ids (``<BTF_ID>``) are taken from our own
    first program, as the README prescribes; ``setup: mkdir`` records are skipped (the
    simulated bpffs creates parents)."""
    data = scenario(path)
    ids: dict[str, int] = {}
    for i, raw in enumerate(data["records"]):
        if stop_after is not None and i > stop_after:
            return
        if "setup" in raw:
            continue
        argv = list(raw["argv"][1:])
        if "argv_norm" in raw:
            if not ids:
                listing = run(["-j", "prog", "show"], state)
                progs = json.loads(listing.out or "[]")
                if progs:
                    ids = {"BTF_ID": progs[0].get("btf_id", 0), "PROG_ID": progs[0]["id"]}
            argv = [str(ids.get(a[1:-1], 0)) if a.startswith("<") and a.endswith(">") else a
                    for a in raw["argv_norm"][1:]]
        rec = Record(i, argv, raw["exit"], raw["stdout"], raw["stderr"], raw)
        yield rec, run(argv, state)


def comparable(stdout: str, stderr: str, code: int, hints: dict, argv: list[str]) -> dict:
    """The oracle's comparison rules (tests/oracle/record.py: comparable)."""
    norm = oracle_normalize()
    out, err = norm.normalize(stdout), norm.normalize(stderr)
    if hints.get("unordered"):
        out = "\n".join(norm.unordered_entries(out))
    if hints.get("pinned_unordered") or "-f" in argv:
        out = norm.sort_pinned(out)
    if hints.get("order_dependent"):
        out, err, code = "<order dependent>", "", -1
    if hints.get("id_values"):
        out = "<id dependent>"
    return {"exit": code, "stdout": out, "stderr": err}


# ----------------------------------------------------------------------- real kernel
def realkernel_unavailable() -> str | None:
    """Why the real bpftool/bpf() cannot be used here (None when they can)."""
    if os.geteuid() != 0:
        return "needs root"
    if not shutil.which("bpftool"):
        return "needs bpftool"
    v = subprocess.run(["bpftool", "version"], capture_output=True, text=True).stdout
    if not v.startswith("bpftool v7.1.0"):
        return "compares with bpftool v7.1.0"
    if not os.path.isdir("/sys/fs/bpf"):
        return "needs a bpffs at /sys/fs/bpf"
    r = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True)
    if r.returncode != 0:
        return "bpf() is not usable here"
    return None
