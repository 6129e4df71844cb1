"""Run tests/sh/session.sh: a realistic shell session of separate pybpftool processes
against one temporary simulated kernel (load and pin, show, map entries, batch, BTF,
test runs, unpinning with nfpsim bpffs and the program's disappearance with its last
pin). Parts the simulated kernel cannot do yet are reported as SKIP lines by the script
and turned into warnings here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.test_cli_common import PACKETS, PROGS, REPO

SCRIPT = REPO / "tests" / "sh" / "session.sh"


def _commands() -> tuple[str, str]:
    exe = Path(sys.executable).with_name("pybpftool")
    tool = str(exe) if exe.exists() else f"{sys.executable} -m pybpftool.main"
    return tool, f"{sys.executable} -m nfpsim.bpffs"


def test_session(tmp_path: Path) -> None:
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no POSIX shell")
    tool, bpffs = _commands()
    env = dict(os.environ, PYBPFTOOL=tool, PYBPFFS=bpffs, PYBPF_STATE=str(tmp_path / "state"),
               PROGS=str(PROGS), PACKETS=str(PACKETS))
    r = subprocess.run([sh, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("session ok")
    assert "Traceback" not in r.stderr
    for line in r.stdout.splitlines():
        if line.startswith("SKIP: "):
            warnings.warn(line, stacklevel=1)
