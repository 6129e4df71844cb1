"""Regenerate the symbol block of pykernel/kallsyms.py from tests/fixtures/helpers/kallsyms.json.

.venv/bin/python tests/oracle/helpers_probe/gen_kallsyms.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "helpers" / "kallsyms.json"
TARGET = ROOT / "pykernel" / "kallsyms.py"
BEGIN = "# BEGIN GENERATED SYMBOLS"
END = "# END GENERATED SYMBOLS"


def block(data: dict) -> str:
    lines = [BEGIN, f"# {data['note']} ({data['kernel']})", "SYMBOL_IMM: dict[str, int] = {"]
    for sym, imm in sorted(data["offsets"].items()):
        lines.append(f"    {json.dumps(sym)}: {imm},")
    lines.append("}")
    lines.append("NOT_IN_KALLSYMS: tuple[str, ...] = (")
    lines.extend(f"    {json.dumps(s)}," for s in data["not_in_kallsyms"])
    lines.append(")")
    lines.append(END)
    return "\n".join(lines) + "\n"


def render(text: str, data: dict) -> str:
    head, sep, rest = text.partition(BEGIN)
    assert sep, "BEGIN marker missing"
    _, sep2, tail = rest.partition(END + "\n")
    assert sep2, "END marker missing"
    return head + block(data) + tail


def main() -> int:
    TARGET.write_text(render(TARGET.read_text(), json.loads(FIXTURE.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
