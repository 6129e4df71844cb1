"""Run tests/sh/topology.sh: a veth topology built with pyip, pytc, pybpftool and nfpsim as a
user would (the real tools' syntax), an XDP ICMP responder answering a replayed capture with
XDP_TX, a tc ingress counter on the other side, the reply capture checked with tshark where
it is installed, and the counters. Skips when one of the four commands is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tests" / "sh" / "topology.sh"
TOOLS = {"IP": "pyip", "TC": "pytc", "BPFTOOL": "pybpftool", "NFPSIM": "nfpsim"}


def _command(name: str) -> str | None:
    exe = Path(sys.executable).with_name(name)
    if exe.exists():
        return str(exe)
    found = shutil.which(name)
    return found


def test_topology(tmp_path: Path) -> None:
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no POSIX shell")
    env = dict(os.environ, PYBPF_STATE=str(tmp_path / "state"), PROGS=str(REPO / "tests/progs"),
               NETPROGS=str(REPO / "tests/fixtures/net/progs"), PCAP=str(REPO / "tests/fixtures/pcap"))
    missing = []
    for var, name in TOOLS.items():
        cmd = _command(name)
        if cmd is None:
            missing.append(name)
        else:
            env[var] = cmd
    if missing:
        pytest.skip(f"command(s) not installed yet: {', '.join(missing)} (pip install -e . provides them)")
    r = subprocess.run([sh, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("topology ok")
    assert "Traceback" not in r.stderr
    for line in r.stdout.splitlines():
        if line.startswith("SKIP: "):
            warnings.warn(line, stacklevel=1)
