"""``prog dump xlated`` rendering, byte for byte against the real bpftool, independent of
the simulated kernel: the instructions are the ones the real 6.18 kernel produced
(recorded by ``dump xlated ... file F`` in tests/fixtures/<obj>/xlated.json), the
func/line info comes from the object through pylibbpf's relocation, and the kernel
symbol table from tests/fixtures/helpers/kallsyms.json. What is compared: every view
bpftool printed (plain, opcodes, linum, -j, -p opcodes, -j linum, visual), after the
oracle's normalisation (map ids only).

Programs qualify when the kernel did not change their length (then the kernel's
line info equals libbpf's); tests/test_cli_fixtures.py covers the others end to end.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from pybpftool import common, xlated
from pybpftool.jsonw import JsonWriter
from pykernel.uapi import insn as I
from tests.test_cli_common import FIXTURES, PROGS, normalize

CALL_BASE = 0xFFFFFFFF81000000


def _symbols() -> xlated.Symbols:
    data = json.loads((FIXTURES / "helpers" / "kallsyms.json").read_text())
    syms = xlated.Symbols(call_base=CALL_BASE)
    syms.by_addr[CALL_BASE] = "__bpf_call_base"
    for name, off in data["offsets"].items():
        syms.by_addr.setdefault((CALL_BASE + off) & (2**64 - 1), name)
    return syms


def _cases() -> list[tuple[str, str, bytes]]:
    """(object, program name, real xlated bytes) for programs of unchanged length."""
    from pylibbpf import BpfObject
    from pylibbpf.relo import relocated_insns

    out = []
    for path in sorted(FIXTURES.glob("*/xlated.json")):
        data = json.loads(path.read_text())
        obj = BpfObject.open(str(PROGS / data["object"]), print_fn=lambda lvl, msg: None)
        for rec in data["records"]:
            if not rec.get("files"):
                continue
            raw = bytes.fromhex(next(iter(rec["files"].values())))
            pin = rec["argv"][rec["argv"].index("pinned") + 1]
            name = pin.rsplit("/", 1)[1]
            progs = obj.programs
            prog = progs[0] if name == "prog" else next((p for p in progs if p.name == name), None)
            if prog is None:
                continue
            if len(relocated_insns(obj, prog)) == len(raw) // 8:
                out.append((path.parent.name, prog.name, raw))
    return out


CASES = _cases()


def test_enough_programs_qualify() -> None:
    assert len(CASES) >= 10, [c[:2] for c in CASES]


def _dump_data(obj_dir: str, prog_name: str, raw: bytes) -> xlated.DumpData:
    from pylibbpf import BpfObject
    from pylibbpf.relo import relocate_program

    data = json.loads((FIXTURES / obj_dir / "xlated.json").read_text())
    obj = BpfObject.open(str(PROGS / data["object"]), print_fn=lambda lvl, msg: None)
    prog = next(p for p in obj.programs if p.name == prog_name)
    relocate_program(obj, prog, lambda i: i)
    return xlated.DumpData(
        insns=I.decode_all(raw), raw=raw, syms=_symbols(), jited_ksyms=[0xFFFFFFFFC0000000],
        btf=obj.btf,
        func_info=xlated.parse_func_info(prog.func_info, prog.func_info_rec_size, prog.func_info_cnt),
        line_info=xlated.parse_line_info(prog.line_info, prog.line_info_rec_size, prog.line_info_cnt))


def _render(dd: xlated.DumpData, argv: list[str]) -> str:
    opcodes, linum, visual = "opcodes" in argv, "linum" in argv, "visual" in argv
    json_mode = "-j" in argv or "-p" in argv
    buf = io.StringIO()
    saved = common.jw, common.opts.json
    with contextlib.redirect_stdout(buf):
        if json_mode:
            common.jw = JsonWriter(buf, pretty="-p" in argv)
            common.opts.json = True
            xlated.dump_json(dd, opcodes, linum)
            common.jw.finish()
        elif visual:
            xlated.dump_cfg(dd)
        else:
            xlated.dump_plain(dd, opcodes, linum)
    common.jw, common.opts.json = saved
    return buf.getvalue()


@pytest.mark.parametrize(("obj_dir", "prog_name", "raw"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_xlated_views_match_bpftool(obj_dir: str, prog_name: str, raw: bytes) -> None:
    dd = _dump_data(obj_dir, prog_name, raw)
    data = json.loads((FIXTURES / obj_dir / "xlated.json").read_text())
    checked = 0
    for rec in data["records"]:
        argv = rec.get("argv", [])
        if argv[1:4] != ["prog", "dump", "xlated"] and argv[2:5] != ["prog", "dump", "xlated"]:
            continue
        if "file" in argv or rec["exit"] != 0:
            continue
        pin = argv[argv.index("pinned") + 1].rsplit("/", 1)[1]
        if pin not in ("prog", prog_name):
            continue
        want = rec.get("norm", {}).get("stdout", rec["stdout"])
        got = normalize(_render(dd, argv))
        assert got == want, f"{' '.join(argv)}"
        checked += 1
    assert checked >= 7


def test_dump_file_writes_the_raw_instructions(tmp_path) -> None:  # noqa: ANN001
    from pybpftool.prog import prog_dump
    from pykernel.uapi.attr import ProgInfo

    obj_dir, _name, raw = CASES[0]
    info = ProgInfo(xlated_prog_len=len(raw), xlated_prog_insns=raw)
    out = tmp_path / "x.bin"
    assert prog_dump(info, str(out), False, False, False) == 0
    assert out.read_bytes() == raw
    assert (out.stat().st_mode & 0o777) == 0o600


def _all_dumps() -> list[tuple[str, str, bytes, str]]:
    """(object dir, pin name, real xlated bytes, recorded visual output) of every program."""
    out = []
    for path in sorted(FIXTURES.glob("*/xlated.json")):
        recs = json.loads(path.read_text())["records"]
        raws = {r["argv"][r["argv"].index("pinned") + 1]: bytes.fromhex(next(iter(r["files"].values())))
                for r in recs if r.get("files")}
        for r in recs:
            argv = r.get("argv", [])
            if "visual" in argv and r["exit"] == 0:
                pin = argv[argv.index("pinned") + 1]
                if pin in raws:
                    out.append((path.parent.name, pin.rsplit("/", 1)[1], raws[pin],
                                r.get("norm", {}).get("stdout", r["stdout"])))
    return out


VISUAL = _all_dumps()


@pytest.mark.parametrize(("obj_dir", "pin", "raw", "want"), VISUAL, ids=[f"{v[0]}-{v[1]}" for v in VISUAL])
def test_visual_of_every_program(obj_dir: str, pin: str, raw: bytes, want: str) -> None:
    """The control-flow graph needs no line info, so every recorded program qualifies,
    bpf-to-bpf calls included (bpftool draws blocks without jited symbols: ``call pc+N``)."""
    dd = xlated.DumpData(insns=I.decode_all(raw), raw=raw, syms=_symbols(),
                         jited_ksyms=[0xFFFFFFFFC0000000, 0xFFFFFFFFC0001000])
    assert normalize(_render(dd, ["visual"])) == want


def test_visual_covers_subprograms() -> None:
    assert any(v[0] == "xdp_subprog" for v in VISUAL)
    assert len(VISUAL) >= 25
