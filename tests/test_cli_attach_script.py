"""Run tests/sh/attach.sh: a bpftool/ip deployment script with the command names changed
(XDP on a veth in a namespace, a cgroup filter, feature probe of a device, the trace
log), each command a separate process against one temporary simulated kernel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli_common import PACKETS, PROGS, REPO

SCRIPT = REPO / "tests" / "sh" / "attach.sh"


def _tool(name: str, module: str) -> str:
    exe = Path(sys.executable).with_name(name)
    return str(exe) if exe.exists() else f"{sys.executable} -m {module}"


def test_attach_script(tmp_path: Path) -> None:
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no POSIX shell")
    env = dict(os.environ, PYBPFTOOL=_tool("pybpftool", "pybpftool.main"), PYIP=_tool("pyip", "pyip.main"),
               NFPSIM=_tool("nfpsim", "nfpsim.cli"), PYBPF_STATE=str(tmp_path / "state"),
               PROGS=str(PROGS), PACKETS=str(PACKETS), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("PYBPF_NETNS", None)
    r = subprocess.run([sh, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("attach ok")
    assert "Traceback" not in r.stderr
