"""pyip against the real ip 6.1: every recorded ip session (tests/fixtures/net/ip/*.json
from the oracle, tests/fixtures/iproute2/ip_*.json of our own) replayed on the simulated
kernel, exit status, stdout and stderr compared byte for byte after normalisation
(object ids, load times, random MACs, libbpf's map fd numbers, the verifier log body).
What is excused and why: tests/test_pyip_common.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_pyip_common import KNOWN, fixture_files, kernel_has_netlink, replay

pytestmark = pytest.mark.skipif(not kernel_has_netlink(), reason="the kernel has no netlink side yet")

FILES = fixture_files("ip")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_replay_matches_real_ip(path: Path, tmp_path: Path) -> None:
    outcomes = replay(path, tmp_path)
    bad = [o for o in outcomes if o.compared and not o.ok]
    compared = sum(1 for o in outcomes if o.compared)
    assert compared >= len([o for o in outcomes if o.argv[0] == "ip"]) // 2, \
        "most ip records must be compared, not excused"
    assert not bad, f"{len(bad)} of {compared} compared records differ:\n" + \
        "\n".join(o.describe() for o in bad)


def test_known_divergences_name_real_records() -> None:
    """Every KNOWN entry names a command line that is in its fixture (no stale excuses)."""
    import json

    lines: set[tuple[str, str]] = set()
    for group in ("ip", "tc"):
        for p in fixture_files(group):
            d = json.loads(p.read_text())
            for r in d["records"]:
                if "argv" in r:
                    lines.add((d.get("scenario", p.stem), " ".join(r["argv"])))
    missing = [k for k in KNOWN if k not in lines]
    assert not missing, f"KNOWN entries without a record: {missing}"
