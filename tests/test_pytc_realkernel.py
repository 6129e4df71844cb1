"""pytc next to the real tc 6.1, live: the tc scenarios of
tests/fixtures/iproute2/record_iproute2.py (tc_core, tc_extra) recorded on this machine and
replayed at once on the simulated kernel (see tests/test_pyip_realkernel.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_pyip_common import replay
from tests.test_pyip_realkernel import live_unavailable, record_live

pytestmark = pytest.mark.realkernel


@pytest.mark.parametrize("scenario", ["tc_core", "tc_extra"])
def test_live_tc_and_pytc_agree(scenario: str, tmp_path: Path) -> None:
    why = live_unavailable()
    if why:
        pytest.skip(why)
    path = record_live(scenario, tmp_path)
    outcomes = replay(path, tmp_path / "state")
    bad = [o for o in outcomes if o.compared and not o.ok]
    assert not bad, "\n".join(o.describe() for o in bad)
