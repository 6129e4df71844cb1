"""Reader for the bpf_conformance / uBPF ``.data`` test format (tests/conformance_data/README.md).

Only data handling lives here; the program is assembled by ``pykernel.uapi.asm`` and run
by the project's interpreter in ``tests/test_conformance.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "conformance_data"

# upstream recognises a section by searching the directive line for these words, in order
_SECTIONS = ["asm", "result", "mem", "raw", "no register offset", " c", "error", "no jit",
             "pyelf", "description", "reload", "unload"]


@dataclass
class Case:
    asm: str = ""
    result: int | None = None
    mem: bytes = b""
    raw: list[int] = field(default_factory=list)  # one 64-bit word per slot (low byte = opcode)
    raw_bytes: bytes | None = None  # the negative/ files' 8-bytes-per-line form
    error: str | None = None
    error_pattern: str | None = None
    asm_file: str | None = None
    mem_file: str | None = None
    sections: list[str] = field(default_factory=list)
    unknown_directive: bool = False


def _strip(line: str) -> str:
    return line.split("#", 1)[0].strip()


def parse_data(text: str, base: Path | None = None) -> Case:
    case = Case()
    current: str | None = None
    body: dict[str, list[str]] = {}
    for raw in text.splitlines():
        if "--" in raw and raw.lstrip().startswith("--"):
            directive = raw.split("--", 1)[1].strip()
            name = None
            for word in _SECTIONS:
                if (" " + directive).find(word) >= 0:
                    name = word.strip()
                    break
            if name is None:
                case.unknown_directive = True
                current = None
                continue
            if name == "error" and "pattern" in directive:
                name = "error pattern"
            if "@" in directive and name in ("asm", "mem"):
                ref = directive.split("@", 1)[1].strip()
                if name == "asm":
                    case.asm_file = ref
                else:
                    case.mem_file = ref
            current = name
            case.sections.append(name)
            body.setdefault(name, [])
            continue
        if current is not None:
            body[current].append(raw)

    if "asm" in body:
        case.asm = "\n".join(body["asm"])
        if case.asm_file and base is not None:
            case.asm = (base / case.asm_file).read_text()
    if "result" in body:
        vals = [_strip(x) for x in body["result"] if _strip(x)]
        if vals:
            case.result = int(vals[0], 0) & 0xFFFFFFFFFFFFFFFF
    if "mem" in body:
        if case.mem_file and base is not None:
            text_mem = (base / case.mem_file).read_text()
        else:
            text_mem = "\n".join(_strip(x) for x in body["mem"])
        case.mem = bytes(int(b, 16) for b in text_mem.split())
    if "raw" in body:
        lines = [_strip(x) for x in body["raw"] if _strip(x)]
        if lines and all(re.fullmatch(r"(?:[0-9a-fA-F]{2}\s+){7}[0-9a-fA-F]{2}", ln) for ln in lines):
            case.raw_bytes = b"".join(bytes(int(b, 16) for b in ln.split()) for ln in lines)
        else:
            case.raw = [int(ln, 16) for ln in lines]
    if "error" in body:
        vals = [x.strip() for x in body["error"] if x.strip()]
        case.error = vals[0] if vals else ""
    if "error pattern" in body:
        vals = [x.strip() for x in body["error pattern"] if x.strip()]
        case.error_pattern = vals[0] if vals else ""
    return case


def raw_program(case: Case) -> bytes | None:
    """The pre-encoded program of a ``-- raw`` section, as instruction bytes."""
    if case.raw_bytes is not None:
        return case.raw_bytes
    if case.raw:
        return b"".join(w.to_bytes(8, "little") for w in case.raw)
    return None
