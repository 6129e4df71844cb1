"""pytc against the real tc 6.1: every recorded tc session (tests/fixtures/net/tc/*.json
from the oracle, tests/fixtures/iproute2/tc_*.json of our own) replayed on the simulated
kernel and compared byte for byte after normalisation (see tests/test_pyip_common.py for
the normalised fields and the excused records)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_pyip_common import fixture_files, kernel_has_netlink, replay

pytestmark = pytest.mark.skipif(not kernel_has_netlink(), reason="the kernel has no netlink side yet")

FILES = fixture_files("tc")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_replay_matches_real_tc(path: Path, tmp_path: Path) -> None:
    outcomes = replay(path, tmp_path)
    bad = [o for o in outcomes if o.compared and not o.ok]
    compared = sum(1 for o in outcomes if o.compared)
    assert compared >= len([o for o in outcomes if o.argv[0] == "tc"]) // 2, \
        "most tc records must be compared, not excused"
    assert not bad, f"{len(bad)} of {compared} compared records differ:\n" + \
        "\n".join(o.describe() for o in bad)
