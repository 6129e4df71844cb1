"""``prog run`` output formatting against the real bpftool, independent of the simulated
kernel: xdp_pass returns XDP_PASS and leaves every frame untouched, so for each run the
real tool recorded (tests/fixtures/xdp_pass/run.json) the data it printed is the input
frame. Rendering that frame with pybpftool's printer must give bpftool's bytes: the
``%07x``/16-bit-group/ASCII hex dump, the decimal JSON array (-j, -p), the return value
line, and the ``duration (average)`` label with ``repeat``. The end-to-end runs (through
BPF_PROG_TEST_RUN of the simulated kernel) are in test_cli_fixtures.py."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from pybpftool import common
from pybpftool.jsonw import JsonWriter
from pybpftool.prog import hex_print, print_run_results
from pykernel.uapi.attr import TestRunAttr as RunAttr
from tests.test_cli_common import FIXTURES, PROGS

RECORDS = [r for r in json.loads((FIXTURES / "xdp_pass" / "run.json").read_text())["records"]
           if r.get("exit") == 0 and "run" in r.get("argv", []) and "ctx_in" not in r["argv"]]


def _render(argv: list[str], packet: bytes, duration: int) -> str:
    repeat = int(argv[argv.index("repeat") + 1]) if "repeat" in argv else 1
    data_out = "-" if "data_out" in argv else None
    attr = RunAttr(prog_fd=3, retval=2, duration=duration, data_in=packet,
                       data_out=bytearray(packet), data_size_out=len(packet), repeat=repeat)
    buf = io.StringIO()
    saved = common.jw, common.opts.json
    with contextlib.redirect_stdout(buf):
        if "-j" in argv or "-p" in argv:
            common.jw = JsonWriter(buf, pretty="-p" in argv)
            common.opts.json = True
        assert print_run_results(attr, data_out, None, repeat) == 0
        if common.jw is not None:
            common.jw.finish()
    common.jw, common.opts.json = saved
    return buf.getvalue()


def test_enough_records() -> None:
    assert len(RECORDS) >= 30


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: " ".join(r["argv"][1:]).split("packets/")[-1])
def test_run_output_matches_bpftool(rec: dict) -> None:
    argv = rec["argv"][1:]
    packet = (PROGS / argv[argv.index("data_in") + 1]).read_bytes()
    m = re.search(r'duration(?: \(average\))?: (\d+)ns|"duration": ?(\d+)', rec["stdout"])
    assert m, rec["stdout"]
    duration = int(m.group(1) or m.group(2))
    assert _render(argv, packet, duration) == rec["stdout"]


def test_hexdump_of_the_cli_surface_frame() -> None:
    pkt = (FIXTURES / "packets" / "pkt64.bin").read_bytes()
    assert hex_print(pkt).splitlines()[:2] == [
        "0000000\tffff ffff ffff 0200 0000 0001 0800 4500 | ........ ......E.",
        "0000010\t002e 0001 0000 4011 0000 c0a8 0001 c0a8 | ......@. ........",
    ]
    # a partial last line pads the hex groups and keeps the separator
    assert hex_print(b"ab") == "0000000\t6162" + " " * 36 + "| ab\n"
    assert hex_print(bytes([0x7F, 0x80, 0x20, 0x7E])).endswith("| .. ~\n")


def test_repeat_label() -> None:
    out = _render(["prog", "run", "data_in", "x", "repeat", "5"], b"\0" * 14, 56)
    assert out == "Return value: 2, duration (average): 56ns\n"
