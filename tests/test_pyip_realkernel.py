"""pyip next to the real ip 6.1, live: the scenarios of
tests/fixtures/iproute2/record_iproute2.py (ip_core, ip_extra) are recorded on this machine
in network namespaces of their own (pybpf-cli-N, removed afterwards) and replayed at once
on the simulated kernel, compared as the committed fixtures are (tests/test_pyip_common.py).

Needs root, iproute2 6.1 (ip, tc), bpftool, nsenter and a bpffs; skipped cleanly elsewhere.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_pyip_common import FIX_OWN, kernel_has_netlink, replay

pytestmark = pytest.mark.realkernel


def live_unavailable() -> str | None:
    """Why the live comparison cannot run here (None: it can)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "tc", "bpftool", "nsenter"):
        if shutil.which(tool) is None:
            return f"no {tool}"
    try:
        ver = subprocess.run(["ip", "-V"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "ip -V failed"
    if "iproute2-6.1.0" not in ver:
        return f"not iproute2 6.1.0: {ver.strip()}"
    if not os.path.ismount("/sys/fs/bpf"):
        return "no bpffs at /sys/fs/bpf"
    if not kernel_has_netlink():
        return "the simulated kernel has no netlink side yet"
    return None


def recorder():  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location("pyip_live_recorder", FIX_OWN / "record_iproute2.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def record_live(scenario: str, out_dir: Path) -> Path:
    rec = recorder()
    r = rec.Recorder(scenario)
    try:
        rec.cleanup()
        rec.SCENARIOS[scenario](r)
    finally:
        rec.cleanup()
    return r.write(out_dir)


@pytest.mark.parametrize("scenario", ["ip_core", "ip_extra"])
def test_live_ip_and_pyip_agree(scenario: str, tmp_path: Path) -> None:
    why = live_unavailable()
    if why:
        pytest.skip(why)
    path = record_live(scenario, tmp_path)
    outcomes = replay(path, tmp_path / "state")
    bad = [o for o in outcomes if o.compared and not o.ok]
    assert not bad, "\n".join(o.describe() for o in bad)
