"""Regenerate the availability block of pykernel/uapi/helpers.py from the probe fixture.

    .venv/bin/python tests/oracle/helpers_probe/gen_availability.py

Reads tests/fixtures/helpers/availability.json (written by probe_availability.py) and
rewrites the text between the BEGIN/END GENERATED markers at the end of helpers.py, so
importing the table never touches JSON.  tests/test_helper_table.py checks that the block
is up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "helpers" / "availability.json"
TABLE = ROOT / "pykernel" / "uapi" / "helpers.py"
BEGIN = "# BEGIN GENERATED AVAILABILITY"
END = "# END GENERATED AVAILABILITY"


def ranges(ids: list[int]) -> str:
    out: list[str] = []
    ids = sorted(ids)
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.append(str(ids[i]) if i == j else f"{ids[i]}-{ids[j]}")
        i = j + 1
    return ",".join(out)


def q(text: str) -> str:
    """A double-quoted Python string literal (the style ruff format keeps)."""
    return json.dumps(text)


def block(data: dict) -> str:
    lines = [
        BEGIN,
        "# Measured by tests/oracle/helpers_probe/probe_availability.py; regenerate with",
        "# gen_availability.py.  Do not edit by hand.",
        f"PROBED_KERNEL = {q(data['kernel'])}",
        f"MAX_ID = {data['max_id']}",
        "_AVAILABLE: dict[str, dict[str, str]] = {",
    ]
    by_type: dict[str, list[dict]] = {}
    for v in data["variants"]:
        by_type.setdefault(v["type"], []).append(v)
    not_probed = []
    for tname, vs in by_type.items():
        probed = [v for v in vs if v["probeable"]]
        for v in vs:
            if not v["probeable"]:
                not_probed.append((f"{tname}:{v['variant']}", v["reason"]))
        if not probed:
            continue
        lines.append(f"    {q(tname)}: {{")
        for v in probed:
            lines.append(f"        {q(v['variant'])}: {q(ranges(v['available']))},")
        lines.append("    },")
    lines.append("}")
    lines.append("# variants that could not be loaded at all on the oracle kernel, with the reason")
    lines.append("NOT_PROBED: dict[str, str] = {")
    for k, why in not_probed:
        lines.append(f"    {q(k)}: {q(why)},")
    lines.append("}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def render(table_text: str, data: dict) -> str:
    head, sep, rest = table_text.partition(BEGIN)
    if not sep:
        return table_text.rstrip("\n") + "\n\n\n" + block(data)
    _, sep2, tail = rest.partition(END + "\n")
    assert sep2, "END marker missing"
    return head + block(data) + tail


def main() -> int:
    data = json.loads(FIXTURE.read_text())
    TABLE.write_text(render(TABLE.read_text(), data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
