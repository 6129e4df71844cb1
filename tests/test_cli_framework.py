"""bpftool's command-line machinery as pybpftool reproduces it: global options (GNU
getopt_long permutation and its odd error words), prefix dispatch, the JSON writer's
bytes, ``version``, ``batch`` and error reporting. Expected outputs are what bpftool
v7.1.0 printed on the oracle machine (cli-surface.md and captures made there);
tests/test_cli_realkernel.py re-checks the same command lines against the live tool.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pybpftool import __version__
from pybpftool.common import fprint_hex, strtoul
from pybpftool.jsonw import JsonWriter
from pybpftool.main import USAGE
from tests.test_cli_common import run

MAIN_USAGE = USAGE.replace("%1$s", "pybpftool")
PROG_USAGE_HEAD = "Usage: pybpftool prog { show | list } [PROG]\n"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state"


# ----------------------------------------------------------------------- JSON writer
def _writer(pretty: bool) -> tuple[JsonWriter, io.StringIO]:
    buf = io.StringIO()
    return JsonWriter(buf, pretty), buf


def test_json_compact_and_escapes() -> None:
    jw, buf = _writer(False)
    jw.start_object()
    jw.uint_field("id", 257)
    jw.name("flags")
    jw.raw("0")
    jw.name("pinned")
    jw.start_array()
    jw.string("/sys/fs/bpf/pybpf-cli/we\\ird'q\"x")  # bpftool: backslash -> \n, ' raw
    jw.end_array()
    jw.end_object()
    jw.finish()
    assert buf.getvalue() == '{"id":257,"flags":0,"pinned":["/sys/fs/bpf/pybpf-cli/we\\nird\'q\\"x"]}\n'


def test_json_pretty_layout() -> None:
    # the shape of `bpftool -p prog show` and `-p map dump`: scalar arrays close on a new
    # line, object arrays print [{ ... },{ ... }] with ] alone, empty containers stay []
    jw, buf = _writer(True)
    jw.start_array()
    for i in range(2):
        jw.start_object()
        jw.uint_field("id", i)
        jw.name("map_ids")
        jw.start_array()
        jw.uint(361)
        jw.uint(362)
        jw.end_array()
        jw.name("empty")
        jw.start_array()
        jw.end_array()
        jw.end_object()
    jw.end_array()
    jw.finish()
    assert buf.getvalue() == (
        '[{\n        "id": 0,\n        "map_ids": [361,362\n        ],\n        "empty": []\n'
        '    },{\n        "id": 1,\n        "map_ids": [361,362\n        ],\n        "empty": []\n'
        '    }\n]\n')


def test_json_control_characters() -> None:
    jw, buf = _writer(False)
    jw.string("a\tb\nc\rd\fe\bf\x01g")
    assert buf.getvalue() == '"a\\tb\\nc\\rd\\fe\\bf\x01g"'


def test_json_error_messages_are_not_escaped(state: Path) -> None:
    r = run(["-j", "prog", "show", "pinned", "/sys/fs/bpf/a\\b'c\"d\te"], state)
    assert r.exit_code == 255
    assert r.out == '{"error":"bpf obj get (/sys/fs/bpf/a\\b\'c"d\te): No such file or directory"}\n'
    assert r.err == ""
    p = run(["-p", "prog", "show", "pinned", "/x"], state)
    assert p.out == '{\n    "error": "bpf obj get (/x): No such file or directory"\n}\n'


# --------------------------------------------------------------------------- options
@pytest.mark.parametrize(("argv", "word"), [
    (["-x"], "-x"),
    (["-xj", "prog"], "pybpftool"),       # glibc has not advanced optind inside the cluster
    (["prog", "-xj", "show"], "prog"),
    (["prog", "show", "-y", "id", "1"], "-y"),
    (["--foo"], "--foo"),
    (["--b"], "--b"),                     # ambiguous: --bpffs / --base-btf
    (["--json=1"], "--json=1"),
    (["-B"], "-B"),
    (["--base-btf"], "--base-btf"),
])
def test_unrecognized_options(argv: list[str], word: str, state: Path) -> None:
    r = run(argv, state)
    assert (r.exit_code, r.out) == (255, "")
    assert r.err == f"Error: unrecognized option '{word}'\n" + MAIN_USAGE


def test_unrecognized_option_in_json_mode(state: Path) -> None:
    r = run(["-jx", "prog"], state)
    assert (r.exit_code, r.out, r.err) == (255, '{"error":"unrecognized option \'-jx\'"}\n', "")
    r = run(["-j", "--foo"], state)
    assert r.out == '{"error":"unrecognized option \'--foo\'"}\n'


def test_options_anywhere_and_long_prefixes(state: Path) -> None:
    a = run(["--js", "--pre", "version"], state)
    b = run(["version", "-p"], state)
    assert a.exit_code == b.exit_code == 0
    assert a.out == b.out and a.out.startswith('{\n    "version": ')


def test_double_dash_ends_options(state: Path) -> None:
    r = run(["--", "-j", "version"], state)
    assert (r.exit_code, r.out, r.err) == (255, "", MAIN_USAGE)


def test_help_option_and_json_help(state: Path) -> None:
    assert run(["-h"], state).err == MAIN_USAGE
    r = run(["-j", "-h"], state)
    assert (r.exit_code, r.out) == (0, "null")  # bpftool returns before ending the JSON stream
    r = run(["-h", "-j"], state)
    assert (r.exit_code, r.out, r.err) == (0, "", MAIN_USAGE)


def test_version_shape(state: Path) -> None:
    r = run(["version"], state)
    lines = r.out.splitlines()
    assert r.exit_code == 0 and len(lines) == 3
    assert lines[0] == f"pybpftool v{__version__} (bpftool v7.1.0)"
    assert lines[1].startswith("using libbpf v1.1")
    assert lines[2] == "features: libbpf_strict"
    assert run(["-l", "version"], state).out.splitlines()[2] == "features:"
    j = run(["-jV"], state).out  # -V returns before the writer's final newline
    assert j == (f'{{"version":"{__version__}","libbpf_version":"1.1","features":{{"libbfd":false,'
                 '"libbpf_strict":true,"skeletons":false},"bpftool_version":"7.1.0"}')
    assert run(["-j", "version"], state).out == j + "\n"
    assert run(["v"], state).out == r.out  # prefix of "version"


# ------------------------------------------------------------------------- dispatch
def test_prefixes_resolve_in_table_order(state: Path) -> None:
    # "p" is prog (before perf), "b" is batch, "he" is help; no command means show
    assert run(["p", "frob"], state).err.startswith("Usage: pybpftool p { show | list } [PROG]")
    assert run(["b"], state).err == "Error: too few parameters for batch\n"
    assert run(["he"], state).err == MAIN_USAGE
    assert run(["p"], state).exit_code == 0
    assert run(["-j", "m"], state).out == "[]\n"


def test_unknown_command_prints_that_objects_usage(state: Path) -> None:
    r = run(["prog", "frobnicate"], state)
    assert r.exit_code == 255 and r.err.startswith(PROG_USAGE_HEAD) and r.out == ""
    j = run(["-j", "prog", "frobnicate"], state)
    assert (j.exit_code, j.out, j.err) == (255, "null\n", "")
    h = run(["-j", "prog", "help"], state)
    assert (h.exit_code, h.out) == (0, "null\n")


@pytest.mark.parametrize(("argv", "err", "code"), [
    (["prog", "show", "id"], "Error: what is 'id'?\n", 255),
    (["prog", "show", "id", "1", "2"], "Error: what is 'id'?\n", 255),
    (["prog", "show", "id", "0x"], "Error: can't parse 0x as ID\n", 255),
    (["prog", "show", "id", "99999"], "Error: get by id (99999): No such file or directory\n", 255),
    (["prog", "show", "id", "0x1869f"], "Error: get by id (99999): No such file or directory\n", 255),
    (["prog", "show", "tag", "zz"], "Error: can't parse tag\n", 255),
    (["prog", "show", "foo", "bar"], "Error: expected 'id', 'tag', 'name' or 'pinned', got: 'foo'?\n", 255),
    (["prog", "show", "name", "nosuchprog"], "", 255),
    (["prog", "show", "pinned", "/sys/fs/bpf/nope"],
     "Error: bpf obj get (/sys/fs/bpf/nope): No such file or directory\n", 255),
    (["prog", "pin", "id", "1"], "Error: 'pin' needs at least 3 arguments, 2 found\n", 234),
    (["prog", "load", "tc_cls.o"], "Error: 'load' needs at least 2 arguments, 1 found\n", 255),
    (["prog", "run", "pinned", "/x"], "Error: 'run' needs at least 4 arguments, 2 found\n", 255),
    (["prog", "dump"], "Error: expected 'xlated' or 'jited', got: (null)\n", 255),
    (["prog", "dump", "jited", "pinned", "/x"], "Error: No libbfd support\n", 255),
    (["prog", "profile", "id", "1"], "Error: bpftool prog profile command is not supported. "
     "Please build bpftool with clang >= 10.0.0\n", 0),
    (["map", "show", "id", "99999"], "Error: get map by id (99999): No such file or directory\n", 255),
    (["map", "create", "/sys/fs/bpf/x", "type", "hash", "key", "4", "value", "8", "entries", "4"],
     "Error: map name not specified\n", 255),
    (["link", "show", "id", "99999"], "Error: failed to get link with ID 99999: No such file or directory\n", 254),
    (["link", "detach", "id", "99999"], "Error: failed to get link with ID 99999: No such file or directory\n", 1),
    (["link", "detach"], "Error: link specifier is invalid or missing\n\n", 1),
    (["net", "attach", "frob", "id", "1", "dev", "lo"], "Error: invalid net attach/detach type: frob\n", 234),
    (["feature", "probe", "kernel", "dev", "x"], "Error: component to probe already specified\n", 255),
    (["btf", "dump", "map", "id", "1", "format", "x"], "Error: get map by id (1): No such file or directory\n", 255),
])
def test_argument_errors(argv: list[str], err: str, code: int, state: Path) -> None:
    r = run(argv, state)
    assert (r.exit_code, r.out, r.err) == (code, "", err)


def test_json_show_without_match_prints_an_empty_line(state: Path) -> None:
    r = run(["-j", "prog", "show", "name", "nosuchprog"], state)
    assert (r.exit_code, r.out, r.err) == (255, "\n", "")


# ---------------------------------------------------------------------------- batch
def test_batch_text(tmp_path: Path, state: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text('# comment\nversion # trailing comment\n\n  "version"\nprog \\\n help\n')
    r = run(["batch", "file", str(f)], state)
    assert r.exit_code == 0
    version = run(["version"], state).out
    assert r.out == version * 2 + "processed 3 commands\n"
    assert r.err.startswith(PROG_USAGE_HEAD)


def test_batch_json_and_first_failure(tmp_path: Path, state: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text("version\nprog show id\nversion\n")
    r = run(["-j", "batch", "file", str(f)], state)
    v = run(["-jV"], state).out
    assert r.exit_code == 255
    assert r.out == (f'[{{"command":["version"],"output":{v}}},'
                     '{"command":["prog","show","id"],"output":{"error":"what is \'id\'?"}}]\n')
    f.write_text("version\nprog frob\n")
    r = run(["-j", "batch", "file", str(f)], state)
    assert r.out.endswith('{"command":["prog","frob"],"output":null}]\n') and r.exit_code == 255


def test_batch_stdin_and_errors(tmp_path: Path, state: Path) -> None:
    r = run(["batch", "file", "-"], state, stdin=b"version\n")
    assert r.out.endswith("processed 1 commands\n")
    f = tmp_path / "q.txt"
    f.write_text('version "unterminated\n')
    assert run(["batch", "file", str(f)], state).err == "Error: unterminated quoted string in command 0\n"
    assert run(["-j", "batch", "file", str(f)], state).out == '[{"error":"unterminated quoted string in command 0"}]\n'
    f.write_text("version \\\n")
    assert run(["batch", "file", str(f)], state).err == "Error: missing continuation line on command 0\n"
    assert run(["batch", "f", "/nonexistent"], state).err == \
        "Error: Can't open file (/nonexistent): No such file or directory\n"
    assert run(["batch", "foo", "bar"], state).err == "Error: expected 'file', got: foo\n"
    assert run(["batch", "file", "a", "b"], state).err == "Error: too many parameters for batch\n"
    assert run(["batch", "f", "/dev/null"], state).out == "processed 0 commands\n"


def test_batch_usage_error_leaves_valid_json(tmp_path: Path, state: Path) -> None:
    # bpftool aborts here (an assertion in its JSON writer); we close the document
    f = tmp_path / "b.txt"
    f.write_text("version\nprog dump xlated\n")
    r = run(["-j", "batch", "file", str(f)], state)
    assert r.exit_code == 255
    import json

    doc = json.loads(r.out)
    assert doc[1] == {"command": ["prog", "dump", "xlated"], "output": None}


# ------------------------------------------------------------------------ primitives
@pytest.mark.parametrize(("text", "base", "value"), [
    ("0x7f", 0, 127), ("010", 0, 8), ("300", 0, 300), ("", 0, 0), (" 5", 0, 5),
    ("0x", 0, None), ("09", 0, None), ("5 ", 0, None), ("+", 0, None), ("1g", 16, None),
    ("0x1f", 16, 31), ("ff", 16, 255), ("-1", 0, 2**64 - 1),
])
def test_strtoul(text: str, base: int, value: int | None) -> None:
    assert strtoul(text, base) == value


def test_fprint_hex() -> None:
    assert fprint_hex(bytes(range(18))) == ("00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f\n10 11")
    assert fprint_hex(bytes.fromhex("d93332723d4a5f70"), "") == "d93332723d4a5f70"


def test_click_command(tmp_path: Path) -> None:
    """pybpftool as a click command (pybpftool.main.cli): same parsing, same output."""
    from click.testing import CliRunner

    from pybpftool.main import cli

    runner = CliRunner()
    env = {"PYBPF_STATE": str(tmp_path / "state")}
    r = runner.invoke(cli, ["-j", "--", "-x"], env=env, prog_name="pybpftool")
    assert (r.exit_code, r.output) == (255, "null\n")
    r = runner.invoke(cli, ["-jV"], env=env, prog_name="pybpftool")
    assert r.exit_code == 0 and r.output.startswith('{"version":')
    r = runner.invoke(cli, ["feature", "list_builtins", "link_types"], env=env, prog_name="pybpftool")
    assert (r.exit_code, r.output.splitlines()[:2]) == (0, ["unspec", "raw_tracepoint"])


def test_libbpf_hashmap_order() -> None:
    """bpftool lists a BTF object's users from a libbpf hashmap filled in id order; the
    entries of one key come back newest first (cli-surface 2.12: ``map_ids 29,28``), and
    a resize re-inserts them, reversing runs again."""
    from pybpftool.handles import IdMultimap

    t = IdMultimap()
    t.append(49, 28)
    t.append(49, 29)
    assert t.values(49) == [29, 28]
    t2 = IdMultimap()
    for obj in range(1, 8):
        t2.append(5, obj)
    # 7 appends to one key: grown at sizes 0, 3 and 6 -> [7, then 1..6 re-reversed twice]
    assert sorted(t2.values(5)) == list(range(1, 8)) and len(t2.values(5)) == 7
    assert t2.values(5)[0] == 7
