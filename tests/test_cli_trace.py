"""``pybpftool prog load|loadall ... trace FILE``: the verifier's walk as JSON (beyond
bpftool), checked against the text log of the same load.

The trace must describe the walk the log describes: at log_level 2 (``-d``) the same
instructions, disassembled the same way, in the same order, with the same branches
resumed and the same states pruned, and register/stack states equal to the log's state
lines; for a rejection, the failing path is the one the level-1 log shows (the kernel
drops the other paths from it) and ends at the instruction the log names. Asking for a
trace changes nothing else the command prints, and a load without one does no trace work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli_common import PROGS, REPO, normalize, run

CORPUS = REPO / "tests" / "verifier_corpus" / "c"
PIN = "/sys/fs/bpf/t"

INSN_LINE = re.compile(r"^(\d+): (\([0-9a-f]{2}\) .*?)(?: {2,}; (.*)| ; (.*))?$")
STATE_TOKEN = re.compile(r" (?=(?:R\d+|fp-\d+)=)")


def load_trace(tmp_path: Path, argv: list[str], name: str = "trace.json"):  # noqa: ANN201
    """Run ``argv`` + ``trace FILE`` in a fresh state; the result and the parsed document."""
    out = tmp_path / name
    r = run([*argv, "trace", str(out)], tmp_path / "state")
    return r, json.loads(out.read_text())


def log_block(stderr: str) -> list[str]:
    """The verifier log libbpf printed between BEGIN and END PROG LOAD LOG."""
    m = re.search(r"-- BEGIN PROG LOAD LOG --\n(.*?)-- END PROG LOAD LOG --", stderr, re.S)
    assert m, stderr
    return m.group(1).splitlines()


def walk_from_log(lines: list[str]) -> list[tuple]:
    """The walk as the level-2 log tells it: instructions, resumed branches, prunes."""
    seq: list[tuple] = []
    for line in lines:
        m = re.match(r"^from (\d+) to (\d+):( safe)?", line)
        if m:  # a queued branch resumed, or the return from a subprogram's exit
            seq.append(("from", int(m.group(2)), int(m.group(1))))
            if m.group(3):
                seq.append(("prune", int(m.group(2))))
            continue
        m = re.match(r"^(\d+): safe$", line)
        if m:
            seq.append(("prune", int(m.group(1))))
            continue
        m = INSN_LINE.match(line)
        if m:
            seq.append(("insn", int(m.group(1)), m.group(2).rstrip()))
    return seq


def walk_from_trace(events: list[dict]) -> list[tuple]:
    seq: list[tuple] = []
    for e in events:
        if e["event"] == "insn":
            seq.append(("insn", e["insn"], e["text"]))
        elif e["event"] in ("pop", "return"):
            seq.append(("from", e["insn"], e["from"]))
        elif e["event"] == "prune":
            seq.append(("prune", e["insn"]))
    return seq


def state_tokens(text: str) -> dict[str, str]:
    """`` R1=pkt(r=0) R10=fp0 fp-8=mmmm????`` -> {"r1": "pkt(r=0)", ..., "fp-8": "mmmm????"}."""
    out = {}
    text = re.sub(r"^\s*frame\d+:", "", text)  # the state of a callee's frame
    for tok in STATE_TOKEN.split(" " + text.strip()):
        tok = tok.strip()
        if not tok:
            continue
        key, _, val = tok.partition("=")
        out[key.lower()] = val
    return out


def trace_state(ev: dict[str, Any]) -> dict[str, str]:
    st = {k: r["text"] for k, r in ev["regs"].items()}
    st.update({k: s["text"] for k, s in ev["stack"].items()})
    return st


def program(doc: dict, name: str | None = None) -> dict:
    progs = doc["programs"]
    return progs[0] if name is None else next(p for p in progs if p["name"] == name)


# ----------------------------------------------------------------------------- accepted
@pytest.mark.parametrize("obj", ["xdp_count.o", "xdp_fw_port.o", "tc_loop_sum.o", "xdp_subprog.o"])
def test_trace_is_the_walk_of_the_level2_log(tmp_path: Path, obj: str) -> None:
    r, doc = load_trace(tmp_path, ["-d", "prog", "load", obj, PIN])
    assert r.exit_code == 0, r.err
    assert doc["version"] == 1 and doc["file"] == obj and "error" not in doc
    p = program(doc)
    assert p["status"] == "accepted"
    shown = json.loads(run(["-j", "prog", "show", "pinned", PIN], tmp_path / "state").out)
    assert p["id"] == shown["id"]
    # the log in the document is the one libbpf printed on stderr
    log = log_block(r.err)
    assert p["log"] == log
    v = p["verifier"]
    events = v["events"]
    assert events[0] == {"event": "start", "insn": 0, "subprog": 0}
    assert walk_from_trace(events) == walk_from_log(log)
    # "; source @ file:line" before an insn line: that insn's source line
    insn_events = iter(e for e in events if e["event"] == "insn")
    src = None
    seen_src = 0
    for line in log:
        if line.startswith("; ") and " @ " in line:
            src = line[2:]
        elif INSN_LINE.match(line):
            ev = next(insn_events)
            if src is not None:
                li = ev["line"]
                assert f"{li['src']} @ {li['file'].rsplit('/', 1)[-1]}:{li['line']}" == src
                seen_src += 1
            src = None
    assert seen_src > 0
    n_insn = sum(e["event"] == "insn" for e in events)
    n_prune = sum(e["event"] == "prune" for e in events)
    m = re.search(r"^processed (\d+) insns", "\n".join(log), re.M)
    assert m and v["insns_processed"] == int(m.group(1)) == n_insn + n_prune
    # every queued branch is resumed once: pushes and pops pair up
    pushes = sorted((e["insn"], e["from"]) for e in events if e["event"] == "push")
    pops = sorted((e["insn"], e["from"]) for e in events if e["event"] == "pop")
    assert pushes == pops
    assert "rejection" not in v


@pytest.mark.parametrize("obj", ["xdp_count.o", "xdp_fw_port.o", "tc_loop_sum.o", "xdp_subprog.o"])
def test_register_and_stack_states_agree_with_the_log(tmp_path: Path, obj: str) -> None:
    r, doc = load_trace(tmp_path, ["-d", "prog", "load", obj, PIN])
    assert r.exit_code == 0, r.err
    events = program(doc)["verifier"]["events"]
    log = program(doc)["log"]
    insn_events = [e for e in events if e["event"] == "insn"]

    # "0: R1=ctx() R10=fp0": the whole state at the entry
    first = next(line for line in log if re.match(r"^0: R", line))
    assert state_tokens(first[3:]) == trace_state(insn_events[0])

    # "from J to T: <state>": the whole state where a queued branch resumes (or a callee
    # returns)
    resumed = [(i, e) for i, e in enumerate(events) if e["event"] in ("pop", "return")]
    full = [line for line in log if re.match(r"^from \d+ to \d+:(?: frame\d+:)? R", line)]
    assert len(full) == sum(1 for i, _ in resumed if events[i + 1]["event"] == "insn")
    checked = 0
    for line in full:
        j, t, state = re.match(r"^from (\d+) to (\d+):(.*)$", line).groups()
        i = next(i for i, e in resumed if (e["from"], e["insn"]) == (int(j), int(t))
                 and events[i + 1]["event"] == "insn")
        resumed = [x for x in resumed if x[0] != i]
        assert state_tokens(state) == trace_state(events[i + 1]), line
        checked += 1

    # "N: (..) insn ; R0=...": what insn N changed, i.e. the state at the next insn (the
    # log's k-th insn line is the k-th insn event: test_trace_is_the_walk_of_the_level2_log)
    at = [k for k, e in enumerate(events) if e["event"] == "insn"]
    lines = [mm for line in log if (mm := INSN_LINE.match(line))]
    assert len(lines) == len(at)
    for mm, k in zip(lines, at, strict=True):
        if not (mm.group(3) or mm.group(4)):
            continue
        after = state_tokens(mm.group(3) or mm.group(4))
        nxt = next(e for e in events[k + 1:] if e["event"] != "push")
        if nxt["event"] != "insn":  # the path ended (pruned) right after
            continue
        state = trace_state(nxt)
        for key, val in after.items():
            assert state.get(key) == val, (mm.group(0), key, state)
        checked += 1
    assert checked > 3


def test_register_fields_are_structured(tmp_path: Path) -> None:
    r, doc = load_trace(tmp_path, ["prog", "load", "xdp_fw_port.o", PIN])
    assert r.exit_code == 0, r.err
    p = program(doc)
    assert p["log"] == []  # no -d: libbpf asked for no log, the trace is there all the same
    regs = [reg for e in p["verifier"]["events"] if e["event"] == "insn" for reg in e["regs"].values()]
    ctx = next(reg for reg in regs if reg["type"] == "ctx")
    assert ctx == {"type": "ctx", "text": "ctx()", "off": 0}
    pkt = [reg for reg in regs if reg["type"] == "pkt" and reg["range"] > 0]
    assert pkt and all(reg["text"].endswith(f"r={reg['range']})") for reg in pkt)
    unknown = [reg for reg in regs if reg["type"] == "scalar" and "var_off" in reg]
    assert unknown
    for reg in unknown:
        assert reg["umin"] <= reg["umax"] and reg["smin"] <= reg["smax"]
        assert reg["var_off"]["value"] & reg["var_off"]["mask"] == 0
        assert isinstance(reg["precise"], bool)
    consts = [reg for reg in regs if reg["type"] == "scalar" and "value" in reg]
    assert consts and all(reg["text"].lstrip("P") == str(reg["value"]) for reg in consts)
    lines = [e["line"] for e in p["verifier"]["events"] if e["event"] == "insn" and "line" in e]
    assert lines and all(li["file"].endswith("xdp_fw_port.c") and li["line"] >= 0 for li in lines)
    assert any(li["line"] > 0 and li["src"] for li in lines)


# ----------------------------------------------------------------------------- rejected
def rebuild_path(events: list[dict]) -> list[int]:
    """The current path at the end of the events, replayed from push/pop."""
    cur: list[int] = []
    pending: list[list[int]] = []
    for e in events:
        if e["event"] == "start":
            cur = []
        elif e["event"] == "insn":
            cur.append(e["insn"])
        elif e["event"] == "push":
            assert cur[-1] == e["from"]
            pending.append(list(cur))
        elif e["event"] == "pop":
            cur = pending.pop()
            assert cur[-1] == e["from"]
    return cur


@pytest.mark.parametrize("obj,name,errno,error", [
    (PROGS / "bad.o", "xdp_bad", 13, "Permission denied"),  # on the first path
    (PROGS / "maps" / "m_devmap.o", "m_devmap", 22, "Invalid argument"),  # on a branch resumed later
    (CORPUS / "gfn_arg_oob.o", "gfn_arg_oob", 13, "Permission denied"),  # in a global function
])
def test_rejection_names_the_failing_path_of_the_log(tmp_path: Path, obj: Path, name: str, errno: int,
                                                      error: str) -> None:
    r, doc = load_trace(tmp_path, ["prog", "load", str(obj), PIN])
    assert r.exit_code == 255
    assert r.err.endswith("Error: failed to load object file\n" + STRICT)
    assert doc["error"] == "failed to load object file"
    p = program(doc, name)
    assert (p["status"], p["errno"], p["error"]) == ("rejected", errno, error)
    assert f"prog '{name}': BPF program load failed: {error}" in r.err
    log = log_block(r.err)
    assert p["log"] == log
    rej = p["verifier"]["rejection"]
    assert rej["errno"] == errno
    # at log_level 1 the kernel keeps only the failing path in the log
    logged = [int(m.group(1)) for line in log if (m := INSN_LINE.match(line))]
    assert rej["path"] == logged
    assert rej["insn"] == logged[-1] == rej["path"][-1]
    assert rebuild_path(p["verifier"]["events"]) == rej["path"]
    # the message is what the log says after the failing insn's line
    last = max(i for i, line in enumerate(log) if INSN_LINE.match(line))
    said = log[last + 1:]
    assert rej["message"].splitlines() == said[:len(rej["message"].splitlines())]
    assert said[len(rej["message"].splitlines())].startswith("processed ")


def test_rejection_at_level2_is_the_same(tmp_path: Path) -> None:
    quiet = load_trace(tmp_path, ["prog", "load", str(PROGS / "maps" / "m_devmap.o"), PIN], "a.json")[1]
    loud = load_trace(tmp_path, ["-d", "prog", "load", str(PROGS / "maps" / "m_devmap.o"), PIN], "b.json")[1]
    a, b = program(quiet)["verifier"], program(loud)["verifier"]
    assert a["rejection"] == b["rejection"]
    assert a["events"] == b["events"]  # the walk does not depend on the log level


# ------------------------------------------------------------------- output unchanged
STRICT = ("Warning: bpftool is now running in libbpf strict mode and has more stringent requirements "
          "about BPF programs.\nIf it used to work for this object file but now doesn't, see --legacy "
          "option for more details.\n\n")


@pytest.mark.parametrize("opts", [[], ["-j"], ["-d"], ["-j", "-d"], ["-p", "-d"]])
@pytest.mark.parametrize("obj", ["xdp_count.o", "bad.o"])
def test_trace_file_changes_nothing_the_command_prints(tmp_path: Path, opts: list[str], obj: str) -> None:
    plain = run([*opts, "prog", "load", obj, PIN], tmp_path / "a")
    traced = run([*opts, "prog", "load", obj, PIN, "trace", str(tmp_path / "t.json")], tmp_path / "b")
    assert (traced.exit_code, normalize(traced.out), normalize(traced.err)) == \
        (plain.exit_code, normalize(plain.out), normalize(plain.err))
    json.loads((tmp_path / "t.json").read_text())
    ok = obj == "xdp_count.o"
    assert plain.exit_code == (0 if ok else 255)
    if "-j" in opts:  # bpftool's: null, or the error object, and the log as text on stderr
        assert plain.out == ("null\n" if ok else '{"error":"failed to load object file"}\n')
    elif "-p" in opts:
        assert plain.out == ("null\n" if ok else '{\n    "error": "failed to load object file"\n}\n')
    else:
        assert plain.out == ""
    assert ("-- BEGIN PROG LOAD LOG --" in plain.err) == ("-d" in opts or not ok)


def test_trace_to_stdout_is_the_one_json_value(tmp_path: Path) -> None:
    bad = run(["-j", "prog", "load", "bad.o", PIN, "trace", "-"], tmp_path / "a")
    plain = run(["-j", "prog", "load", "bad.o", PIN], tmp_path / "b")
    assert bad.exit_code == plain.exit_code == 255
    assert bad.err == plain.err
    doc = json.loads(bad.out)  # one value: the document carries the error
    assert bad.out.count("\n") == 1 and doc["error"] == json.loads(plain.out)["error"]
    assert program(doc)["verifier"]["rejection"]["insn"] == 1

    good = run(["-p", "prog", "load", "xdp_count.o", PIN, "trace", "-"], tmp_path / "c")
    assert good.exit_code == 0
    doc = json.loads(good.out)
    assert good.out.startswith('{\n    "version": 1,\n') and "error" not in doc
    assert program(doc)["status"] == "accepted"

    text = run(["prog", "load", "bad.o", PIN, "trace", "-"], tmp_path / "d")
    assert text.exit_code == 255
    assert text.err == run(["prog", "load", "bad.o", PIN], tmp_path / "e").err
    assert json.loads(text.out)["error"] == "failed to load object file"


def test_loadall_traces_every_program(tmp_path: Path) -> None:
    r, doc = load_trace(tmp_path, ["prog", "loadall", "xdp_tail_call.o", "/sys/fs/bpf/tc"])
    assert r.exit_code == 0, r.err
    shown = json.loads(run(["-j", "prog", "show"], tmp_path / "state").out)
    by_name = {p["name"]: p["id"] for p in shown}
    assert {p["name"]: p["id"] for p in doc["programs"]} == by_name
    for p in doc["programs"]:
        assert p["status"] == "accepted"
        assert p["verifier"]["events"][0]["event"] == "start"
    assert any(m["level"] == "debug" for m in doc["libbpf"])  # every level, without -d


def test_programs_not_sent_to_the_kernel(tmp_path: Path) -> None:
    """A missing object, or programs behind one the verifier refused in loadall."""
    r, doc = load_trace(tmp_path, ["prog", "load", "no_such.o", PIN])
    assert r.exit_code == 255 and r.err.endswith("Error: failed to open object file\n")
    assert doc["programs"] == [] and doc["error"] == "failed to open object file"
    r, doc = load_trace(tmp_path, ["prog", "loadall", str(CORPUS / "gfn_arg_oob.o"), "/sys/fs/bpf/g"])
    assert r.exit_code == 255
    assert [p["status"] for p in doc["programs"]] == ["rejected"]


def test_bad_trace_file_fails_before_loading(tmp_path: Path) -> None:
    state = tmp_path / "state"
    r = run(["prog", "load", "xdp_count.o", PIN, "trace", str(tmp_path / "no" / "dir.json")], state)
    assert (r.exit_code, r.out) == (255, "")
    assert r.err == f"Error: can't open file {tmp_path / 'no' / 'dir.json'}: No such file or directory\n"
    assert run(["prog", "show"], state).out == ""
    r = run(["-j", "prog", "load", "xdp_count.o", PIN, "trace"], state)
    assert (r.exit_code, r.out) == (255, '{"error":"\'trace\' needs at least 1 arguments, 0 found"}\n')


# ------------------------------------------------------------------------ costs nothing
def test_no_trace_work_without_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykernel.verifier import trace
    from pykernel.verifier.state import VState

    made: list[int] = []
    paths: list[int] = []
    real_init, real_copy = trace.Tracer.__init__, VState.copy

    def counting_init(self, v) -> None:  # noqa: ANN001
        made.append(1)
        real_init(self, v)

    def watching_copy(self):  # noqa: ANN001, ANN202
        if self.path is not None:
            paths.append(1)
        return real_copy(self)

    monkeypatch.setattr(trace.Tracer, "__init__", counting_init)
    monkeypatch.setattr(VState, "copy", watching_copy)
    for argv in (["prog", "load", "xdp_fw_port.o", PIN], ["-j", "-d", "prog", "load", "xdp_fw_port.o", PIN],
                 ["prog", "load", "bad.o", PIN]):
        run(argv, tmp_path / "off")
    assert made == [] and paths == []
    assert run(["prog", "load", "xdp_fw_port.o", "/sys/fs/bpf/u", "trace", str(tmp_path / "t.json")],
               tmp_path / "on").exit_code == 0
    assert made == [1] and paths  # the counters see a traced load


def test_kernel_returns_the_trace_only_when_asked(tmp_path: Path) -> None:
    """The uapi: PROG_LOAD fills verifier_trace_out when verifier_trace is set."""
    from pykernel import Process
    from pykernel.uapi.attr import ProgLoadAttr
    from pykernel.uapi.consts import Cmd, ProgType
    from pykernel.uapi.errors import SyscallError
    mov_r0_2, exit_ = bytes.fromhex("b700000002000000"), bytes.fromhex("9500000000000000")
    insns = mov_r0_2 + exit_
    proc = Process(tmp_path / "state")
    try:
        plain = ProgLoadAttr(prog_type=ProgType.XDP, insns=insns, license="GPL")
        proc.close(proc.bpf(Cmd.PROG_LOAD, plain))
        assert plain.verifier_trace_out is None
        asked = ProgLoadAttr(prog_type=ProgType.XDP, insns=insns, license="GPL", verifier_trace=True)
        proc.close(proc.bpf(Cmd.PROG_LOAD, asked))
        out = asked.verifier_trace_out
        assert out is not None and [e["event"] for e in out["events"]] == ["start", "insn", "insn"]
        assert out["events"][2]["regs"]["r0"] == {"type": "scalar", "text": "2", "value": 2, "precise": False}
        bad = ProgLoadAttr(prog_type=ProgType.XDP, insns=exit_, license="GPL", verifier_trace=True)
        with pytest.raises(SyscallError):
            proc.bpf(Cmd.PROG_LOAD, bad)
        assert bad.verifier_trace_out["rejection"] == {"errno": 13, "message": "R0 !read_ok", "insn": 0,
                                                       "path": [0]}
    finally:
        proc.exit()
