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


def test_tracelog_prints_the_buffer_and_returns(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    """tracelog prints what the kernel buffered in trace_pipe format and returns (bpftool
    would keep waiting); -j gives one string per line, newline included."""
    from pybpftool import kern
    from tests.test_cli_common import run

    line = "           <...>-1234    [000] ..s21  1426.114633: bpf_trace_printk: len 14 proto 0x88b5\n"
    monkeypatch.setattr(kern, "trace_pipe_read", lambda: [line])
    r = run(["prog", "tracelog"], tmp_path)
    assert (r.exit_code, r.out, r.err) == (0, line, "")
    j = run(["-j", "prog", "tracelog"], tmp_path)
    assert j.out == '["' + line[:-1] + '\\n"]\n'
    assert run(["prog", "tracelog", "x"], tmp_path).err == "Error: what is 'x'?\n"


def test_event_pipe_format(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    """map event_pipe prints the samples and losses the perf buffer holds, in bpftool's
    format, and returns."""
    from types import SimpleNamespace

    from pybpftool import kern
    from tests.test_cli_common import run

    state = tmp_path / "state"
    assert run(["map", "create", "/sys/fs/bpf/pe", "type", "perf_event_array", "key", "4", "value", "4",
                "entries", "2", "name", "pe"], state).exit_code == 0
    events = [SimpleNamespace(type=9, cpu=1, time=1426114633123, data=b"\x01\x02\x03", id=0, lost=0),
              SimpleNamespace(type=2, cpu=0, time=0, data=b"", id=7, lost=3)]
    monkeypatch.setattr(kern, "perf_buffer_read", lambda fd, sel: events)
    r = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe"], state)
    assert r.out == "== @1426.114633123 CPU: 1 index: 1 =====\n01 02 03\nlost 3 events\n"
    j = run(["-j", "map", "event_pipe", "pinned", "/sys/fs/bpf/pe", "cpu", "1", "index", "0"], state)
    assert j.out == ('[{"type":9,"cpu":1,"index":0,"timestamp":1426114633123,"data":[1,2,3]},'
                     '{"type":2,"cpu":0,"index":0,"lost":{"id":7,"count":3}}]\n')
    # argument errors as the real bpftool gives them (checked on the oracle machine)
    bad = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe", "cpu"], state)
    assert (bad.exit_code, bad.err) == (255, "Error: what is 'cpu'?\n")
    half = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe", "cpu", "1"], state)
    assert half.err == "Error: cpu and index must be specified together\n"
    nan = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe", "cpu", "x"], state)
    assert nan.err == "Error: can't parse x as CPU ID\n"
