"""Bad input never produces a Python traceback: garbage bytes, wrong sizes, unknown ids,
missing pins, wrong object kinds, damaged ELF objects, a damaged state database, random
command lines. Each gets bpftool's ``Error:`` line (or JSON error object) and its exit
status, and nothing already stored is lost."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_cli_common import PROGS, normalize, run, run_subprocess

PIN = "/sys/fs/bpf/e"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:  # noqa: ANN001
    """A state with xdp_count loaded (maps pinned) and a plain hash map."""
    state = tmp_path_factory.mktemp("errors") / "state"
    assert run(["prog", "load", "xdp_count.o", f"{PIN}/prog", "pinmaps", f"{PIN}/maps"], state).exit_code == 0
    assert run(["map", "create", f"{PIN}/h", "type", "hash", "key", "4", "value", "8", "entries", "4",
                "name", "h"], state).exit_code == 0
    return state


def _no_traceback(r) -> None:  # noqa: ANN001
    assert "Traceback" not in r.err and "Traceback" not in r.out
    assert "internal error" not in r.err and "internal error" not in r.out


@pytest.mark.parametrize(("argv", "err", "code"), [
    (["map", "lookup", "pinned", f"{PIN}/h", "key", "hex", "zz", "0", "0", "0"], "Error: error parsing byte: zz\n", 255),
    (["map", "lookup", "pinned", f"{PIN}/h", "key", "0xzz", "0", "0", "0"], "Error: error parsing byte: 0xzz\n", 255),
    (["map", "lookup", "pinned", f"{PIN}/h", "key", "1", "0", "0"], "Error: key expected 4 bytes got 3\n", 255),
    (["map", "lookup", "pinned", f"{PIN}/h", "key", "1", "0", "0", "0", "0"], "Error: expected key or value, got: 0\n", 255),
    (["map", "update", "pinned", f"{PIN}/h", "key", "1", "0", "0", "0", "value", "1"],
     "Error: value expected 8 bytes got 1\n", 255),
    (["map", "update", "pinned", f"{PIN}/h", "key", "1", "0", "0", "0"], "Error: did not find value\n", 255),
    (["map", "update", "pinned", f"{PIN}/h", "value", "1", "0", "0", "0", "0", "0", "0", "0"],
     "Error: did not find key\n", 255),
    (["map", "update", "pinned", f"{PIN}/h", "key", "1", "0", "0", "0", "value", "1", "0", "0", "0", "0", "0",
      "0", "0", "frob"], "Error: expected key or value, got: frob\n", 255),
    (["map", "update", "pinned", f"{PIN}/h", "key", "9", "0", "0", "0", "value", "1", "0", "0", "0", "0", "0",
      "0", "0", "exist"], "Error: update failed: No such file or directory\n", 254),
    (["map", "delete", "pinned", f"{PIN}/maps/pkt_cnt", "key", "0", "0", "0", "0"],
     "Error: delete failed: Invalid argument\n", 234),
    (["map", "update", "pinned", f"{PIN}/maps/pkt_cnt", "key", "0", "0", "0", "0", "value", "0", "0", "0", "0",
      "0", "0", "0", "0", "noexist"], "Error: update failed: File exists\n", 239),
    (["map", "getnext", "pinned", f"{PIN}/h", "key", "7", "0", "0", "0"],
     "Error: can't get next key: No such file or directory\n", 254),
    (["map", "show", "id", "4242"], "Error: get map by id (4242): No such file or directory\n", 255),
    (["map", "show", "pinned", f"{PIN}/nope"], f"Error: bpf obj get ({PIN}/nope): No such file or directory\n", 255),
    (["map", "show", "pinned", f"{PIN}/prog"], "Error: incorrect object type: prog\n", 255),
    (["prog", "show", "pinned", f"{PIN}/h"], "Error: incorrect object type: map\n", 255),
    (["prog", "pin", "pinned", f"{PIN}/prog", f"{PIN}/prog"],
     f"Error: can't pin the object ({PIN}/prog): File exists\n", 239),
    (["prog", "pin", "pinned", f"{PIN}/prog", f"{PIN}/a.b"],
     f"Error: can't pin the object ({PIN}/a.b): Operation not permitted\n", 255),
    (["prog", "run", "pinned", f"{PIN}/prog", "data_in", "/nonexistent"],
     "Error: failed to open /nonexistent: No such file or directory\n", 255),
    (["prog", "run", "pinned", f"{PIN}/prog", "data_in", "-", "ctx_in", "-"],
     "Error: cannot use standard input for both data_in and ctx_in\n", 255),
    (["prog", "run", "pinned", f"{PIN}/prog", "data_in", "x", "d", "y"],
     "Error: ambiguous prefix: 'd' could be 'data_in' or 'data_out' or 'data_size_out'\n", 255),
    (["prog", "run", "pinned", f"{PIN}/prog", "data_in", "x", "repeat", "z"],
     "Error: can't parse z as repeat number\n", 255),
    (["btf", "dump", "map", "pinned", f"{PIN}/h"],
     "Error: can't get BTF object by id (0): No such file or directory\n"
     "Error: get btf by id (0): No such file or directory\n", 254),
    (["btf", "dump", "file", "/nonexistent"], "Error: failed to load BTF from /nonexistent: No such file or directory\n", 254),
    (["btf", "dump", "frob", "x"], "Error: unrecognized BTF source specifier: 'frob'\n", 255),
    (["btf", "dump", "file", "/etc/passwd"], "libbpf: failed to get EHDR from /etc/passwd\n"
     "Error: failed to load BTF from /etc/passwd: Unknown error 4001\n", 95),
    (["-B", "/nonexistent", "prog"], "Error: failed to parse base BTF at '/nonexistent': -2\n\n", 255),
    (["map", "event_pipe", "pinned", f"{PIN}/h"], "Error: map is not a perf event array\n", 255),
])
def test_error_lines(argv: list[str], err: str, code: int, loaded: Path) -> None:
    r = run(argv, loaded)
    _no_traceback(r)
    assert (r.exit_code, r.err) == (code, err)


def test_lookup_miss_and_truncated_bytes(loaded: Path) -> None:
    r = run(["map", "lookup", "pinned", f"{PIN}/h", "key", "300", "0", "0", "0"], loaded)
    assert (r.exit_code, r.out, r.err) == (254, "key:\n2c 00 00 00\n\nNot found\n", "")
    j = run(["-j", "map", "lookup", "pinned", f"{PIN}/h", "key", "9", "0", "0", "0"], loaded)
    assert (j.exit_code, j.out) == (254, "null\n")


def _objects(tmp: Path) -> dict[str, Path]:
    good = (PROGS / "xdp_pass.o").read_bytes()
    rnd = random.Random(7)
    files = {
        "empty": b"",
        "text": b"this is not an ELF object\n",
        "truncated": good[:100],
        "truncated_half": good[: len(good) // 2],
        "garbage": bytes(rnd.randrange(256) for _ in range(4096)),
        "elf_garbage": good[:16] + bytes(rnd.randrange(256) for _ in range(2000)),
        "flipped": bytes(b ^ 0xFF if 40 <= i < 64 else b for i, b in enumerate(good)),
    }
    out = {}
    for name, data in files.items():
        p = tmp / f"{name}.o"
        p.write_bytes(data)
        out[name] = p
    return out


def test_damaged_objects(tmp_path: Path, loaded: Path) -> None:
    before = normalize(run(["-j", "prog", "show"], loaded).out)
    for name, path in _objects(tmp_path).items():
        for cmd in (["prog", "load", str(path), f"{PIN}/bad_{name}"],
                    ["prog", "loadall", str(path), f"{PIN}/badall_{name}"],
                    ["btf", "dump", "file", str(path)]):
            r = run(cmd, loaded)
            _no_traceback(r)
            assert r.exit_code != 0, (name, cmd, r)
            assert r.out == ""
            if cmd[0] == "prog":
                errors = [line for line in r.err.splitlines() if line.startswith("Error: ")]
                assert errors in (["Error: failed to open object file"], ["Error: failed to load object file"]), r
            else:
                assert "Error: failed to load BTF from" in r.err.splitlines()[-1]
    # nothing already stored was lost
    assert normalize(run(["-j", "prog", "show"], loaded).out) == before
    missing = run(["prog", "load", str(tmp_path / "nope.o"), f"{PIN}/x"], loaded)
    assert missing.err == (f"libbpf: elf: failed to open {tmp_path / 'nope.o'}: No such file or directory\n"
                           "Error: failed to open object file\n")
    assert missing.exit_code == 255


def test_verifier_rejection_keeps_state(loaded: Path) -> None:
    before = run(["-j", "map", "show"], loaded).out
    r = run(["prog", "load", "bad.o", f"{PIN}/bad"], loaded)
    _no_traceback(r)
    assert r.exit_code == 255
    assert "libbpf: prog 'xdp_bad': BPF program load failed: Permission denied\n" in r.err
    assert r.err.endswith("Error: failed to load object file\n"
                          "Warning: bpftool is now running in libbpf strict mode and has more stringent "
                          "requirements about BPF programs.\nIf it used to work for this object file but now "
                          "doesn't, see --legacy option for more details.\n\n")
    j = run(["-j", "prog", "load", "bad.o", f"{PIN}/bad"], loaded)
    assert j.out == '{"error":"failed to load object file"}\n' and "Warning" not in j.err
    assert run(["-j", "map", "show"], loaded).out == before
    assert run(["prog", "show", "pinned", f"{PIN}/bad"], loaded).exit_code == 255


def test_damaged_state_database(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert run(["map", "show"], state).exit_code == 0
    db = next(state.iterdir())
    db.write_bytes(b"garbage" * 100)
    for argv in (["map", "show"], ["-j", "prog", "show"]):
        r = run_subprocess(argv, state)
        assert b"Traceback" not in r.stderr + r.stdout
        assert r.returncode == 255
        text = (r.stderr if argv[0] != "-j" else r.stdout).decode()
        assert "kernel state" in text and "move it away" in text
        assert text.startswith("Error: ") or text.startswith('[{"error":"kernel state')


def test_console_script_path_has_no_traceback(tmp_path: Path) -> None:
    r = run_subprocess(["map", "lookup", "pinned", "/sys/fs/bpf/none", "key", "1"], tmp_path / "s")
    assert (r.returncode, r.stdout) == (255, b"")
    assert r.stderr == b"Error: bpf obj get (/sys/fs/bpf/none): No such file or directory\n"


WORDS = ["prog", "map", "btf", "link", "net", "cgroup", "feature", "show", "list", "dump", "xlated",
         "jited", "pin", "load", "run", "lookup", "update", "delete", "getnext", "create", "id", "pinned",
         "name", "tag", "key", "value", "hex", "data_in", "data_out", "repeat", "type", "file", "format",
         "0", "1", "0x", "-1", "300", "zz", "", "-j", "-p", "-f", "-d", "--", "-x", f"{PIN}/h", f"{PIN}/prog",
         f"{PIN}/maps/pkt_cnt", "xdp_count.o", "batch", "version", "help", "attach", "detach", "dev", "lo"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=9))
def test_random_command_lines(loaded: Path, words: list[str]) -> None:
    if "load" in words or "create" in words or "pin" in words or "update" in words or "delete" in words:
        return  # keep the shared state unchanged; those commands have their own tests
    r = run(words, loaded)
    _no_traceback(r)
    assert 0 <= r.exit_code <= 255
    if r.exit_code and r.err:
        first = r.err.splitlines()[0]
        assert first.startswith(("Error: ", "Usage: ", "libbpf: ", "key:", "could not")) or r.err.startswith(
            ("Error",)), r


def test_environment_is_restored() -> None:
    assert "PYBPF_STATE" not in os.environ or os.environ["PYBPF_STATE"]


def test_handles_matching_several_objects(tmp_path: Path) -> None:
    """name/tag handles may match several objects: show and dump print them all,
    single-object commands refuse (cli-surface 1.1)."""
    state = tmp_path / "state"
    for i in (1, 2):
        assert run(["prog", "load", "xdp_pass.o", f"{PIN}/p{i}"], state).exit_code == 0
    show = run(["prog", "show", "name", "xdp_pass"], state)
    assert show.exit_code == 0 and show.out.count(": xdp  name xdp_pass  tag ") == 2
    j = run(["-j", "prog", "show", "tag", "614b434cd8324ecc"], state)
    assert j.out.startswith("[{") and j.out.count('"name":"xdp_pass"') == 2
    one = run(["-j", "prog", "show", "pinned", f"{PIN}/p1"], state)
    assert one.out.startswith('{"id":')  # a single match prints an object, not an array
    pin = run(["prog", "pin", "name", "xdp_pass", f"{PIN}/p3"], state)
    assert (pin.exit_code, pin.err) == (255, "Error: several programs match this handle\n")
    f = run(["prog", "dump", "xlated", "name", "xdp_pass", "file", str(tmp_path / "x")], state)
    assert (f.exit_code, f.err) == (255, "Error: several programs matched\n")
    d = run(["prog", "dump", "xlated", "name", "xdp_pass"], state)
    blocks = d.out.split("\n\n")
    assert d.exit_code == 0 and len(blocks) == 2
    assert all(": xdp  name xdp_pass  tag 614b434cd8324ecc  gpl\nint xdp_pass(struct xdp_md * ctx):\n" in b
               for b in blocks)
    dj = run(["-j", "prog", "dump", "xlated", "name", "xdp_pass"], state)
    assert dj.out.startswith('[{"id":') and dj.out.count('"insns":[{') == 2
    for i in (1, 2):
        assert run(["map", "create", f"{PIN}/m{i}", "type", "array", "key", "4", "value", "4",
                    "entries", "1", "name", "same"], state).exit_code == 0
    m = run(["map", "lookup", "name", "same", "key", "0", "0", "0", "0"], state)
    assert (m.exit_code, m.err) == (255, "Error: several maps match this handle\n")
    assert run(["map", "show", "name", "same"], state).out.count("array  name same  flags 0x0") == 2


_SEEDS = {name: (PROGS / name).read_bytes() for name in ("xdp_count.o", "tc_cls.o", "xdp_subprog.o")}
_LOAD_ERRORS = (["Error: failed to open object file"], ["Error: failed to load object file"])


@st.composite
def _mutated_elf(draw) -> tuple[str, bytes]:  # noqa: ANN001
    name = draw(st.sampled_from(sorted(_SEEDS)))
    data = bytearray(_SEEDS[name])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "overwrite", "truncate", "zero"]))
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[pos:pos + len(chunk)] = chunk
        elif kind == "zero":
            n = draw(st.integers(1, 64))
            data[pos:pos + n] = bytes(min(n, len(data) - pos))
        else:
            del data[pos:]
            if not data:
                data = bytearray(b"\x7fELF")
    return name, bytes(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mutated_elf())
def test_mutated_elf_objects_through_prog_load(tmp_path_factory, case: tuple[str, bytes]) -> None:  # noqa: ANN001
    """Mutated real objects given to `prog load`: either they still load (a harmless
    mutation), or bpftool's error line and exit status - never a traceback - and the
    kernel's state is intact (nothing half-created stays behind)."""
    name, data = case
    work = tmp_path_factory.mktemp("mut")
    state = work / "state"
    obj = work / name
    obj.write_bytes(data)
    r = run(["prog", "load", str(obj), "/sys/fs/bpf/m/p"], state)
    _no_traceback(r)
    assert r.out == ""
    if r.exit_code == 0:
        assert run(["prog", "show", "pinned", "/sys/fs/bpf/m/p"], state).exit_code == 0
        return
    assert r.exit_code == 255, r
    errors = [line for line in r.err.splitlines() if line.startswith("Error: ")]
    assert errors in _LOAD_ERRORS, r
    # a failed load leaves no program, map or BTF object alive
    for obj_kind in ("prog", "map", "btf"):
        assert run(["-j", obj_kind, "show"], state).out in ("[]\n", "\n", ""), obj_kind
