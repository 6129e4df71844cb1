"""The verifier corpus: asm cases in kernel syntax plus clang-compiled C programs.

``cases.s`` holds the asm cases, each introduced by ``=== name`` and a few ``; key: value``
header lines (``type`` as bpftool names program types, ``attach``, ``license``, ``flags``,
``maps``: ``N=<map type>:<key>:<value>:<entries>[:flag,...]`` with flags ``rdonly_prog``,
``frozen`` and ``init=<hex>``). ``map[fd:N]`` in the asm means "the fd of map N"; a number of
1000 or more stays a literal (bad) fd. ``raw XX XX XX XX XX XX XX XX`` inserts one encoded slot.
C cases live in ``c/*.c`` (objects built next to them); ``recorded.json`` holds what the
real 6.18 kernel said for every case (``record.py``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pykernel.uapi import insn as I
from pykernel.uapi.asm import assemble_kernel
from pykernel.uapi.consts import MapType, ProgType

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.s"
RECORDED = HERE / "recorded.json"
CDIR = HERE / "c"

F_RDONLY_PROG = 1 << 7


@dataclass
class MapSpec:
    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    flags: int = 0
    frozen: bool = False
    init: bytes = b""
    name: str = ""


@dataclass
class Case:
    name: str
    prog_type: int
    insns: list[I.Insn]
    maps: dict[int, MapSpec] = field(default_factory=dict)
    attach: int = 0
    license: str = "GPL"
    flags: int = 0
    # where ld_imm64 map fds sit: insn index -> map number
    map_refs: dict[int, int] = field(default_factory=dict)


def prog_type_of(name: str) -> int:
    return int(ProgType[name.upper()])


def _parse_map(spec: str) -> tuple[int, MapSpec]:
    num, _, rest = spec.partition("=")
    parts = rest.split(":")
    ms = MapSpec(int(MapType[parts[0].upper()]), int(parts[1]), int(parts[2]), int(parts[3]),
                 name=f"m{num}")
    for fl in (parts[4].split(",") if len(parts) > 4 else []):
        if fl == "rdonly_prog":
            ms.flags |= F_RDONLY_PROG
        elif fl == "frozen":
            ms.frozen = True
        elif fl.startswith("init="):
            ms.init = bytes.fromhex(fl[5:])
        elif fl.startswith("name="):
            ms.name = fl[5:]
    return int(num), ms


_CALL = re.compile(r"call [A-Za-z_0-9]+#(-?\d+)")


def _assemble(body: list[str]) -> tuple[list[I.Insn], dict[int, int]]:
    insns: list[I.Insn] = []
    refs: dict[int, int] = {}
    for line in body:
        s = line.split(";", 1)[0].strip()
        if not s:
            continue
        if s.startswith("raw "):
            insns.append(I.decode(bytes.fromhex(s[4:].replace(" ", ""))))
            continue
        s = _CALL.sub(lambda m: f"call {m.group(1)}", s)
        m = re.search(r"map\[fd:(\d+)\]", s)
        got = assemble_kernel(s)
        if m and int(m.group(1)) < 1000:
            refs[len(insns)] = int(m.group(1))
        insns.extend(got)
    return insns, refs


def load_asm_cases(path: Path = CASES) -> list[Case]:
    cases: list[Case] = []
    name = None
    head: dict[str, str] = {}
    body: list[str] = []

    def flush() -> None:
        if name is None:
            return
        insns, refs = _assemble(body)
        maps = dict(_parse_map(s) for s in head.get("maps", "").split()) if head.get("maps") else {}
        cases.append(Case(name, prog_type_of(head.get("type", "xdp")), insns, maps,
                          int(head.get("attach", "0")), head.get("license", "GPL"),
                          int(head.get("flags", "0"), 0), refs))

    for line in path.read_text().splitlines():
        if line.startswith("=== "):
            flush()
            name, head, body = line[4:].strip(), {}, []
            continue
        m = re.match(r"^;\s*(type|attach|license|flags|maps):\s*(.*)$", line)
        if m and not body:
            head[m.group(1)] = m.group(2).strip()
            continue
        body.append(line)
    flush()
    return cases


def load_recorded() -> dict[str, dict]:
    if not RECORDED.exists():
        return {}
    return json.loads(RECORDED.read_text())


def error_line(log: str) -> str:
    """The kernel's final message: the last line before the ``processed ...`` statistics."""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("processed "):
            return lines[i - 1] if i else ""
    return lines[-1] if lines else ""


def with_fds(insns: list[I.Insn], refs: dict[int, int], fds: dict[int, int]) -> list[I.Insn]:
    out = list(insns)
    for idx, num in refs.items():
        out[idx] = out[idx].with_(imm=fds[num])
    return out


def func_line_info(btf, prog) -> tuple[list, list]:  # noqa: ANN001 - pylibbpf's Btf and Program
    """The func info and line info of a relocated pylibbpf program as the kernel reads them
    from the attr (strings resolved through the object's BTF)."""
    from pybpftool import xlated as X
    from pykernel.verifier import FuncInfo, LineInfo

    finfo = []
    for off, tid in X.parse_func_info(prog.func_info, prog.func_info_rec_size, prog.func_info_cnt):
        sig = btf.func_signature(tid)
        finfo.append(FuncInfo(insn_off=off, type_id=tid, name=sig.split("(", 1)[0].split()[-1].lstrip("*")))
    linfo = []
    for li in X.parse_line_info(prog.line_info, prog.line_info_rec_size, prog.line_info_cnt):
        linfo.append(LineInfo(insn_off=li.insn_off, file_name=btf.data.str_at(li.file_name_off),
                              line=btf.data.str_at(li.line_off), line_num=li.line_col >> 10,
                              line_col=li.line_col & 0x3FF, file_name_off=li.file_name_off, line_off=li.line_off))
    return finfo, linfo
