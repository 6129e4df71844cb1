"""pybpftool and the real bpftool v7.1, side by side and live: the same command lines,
the same objects, compared after the oracle's normalisation (ids, times, durations), JIT
sizes included (pykernel/jit_x86.py gives the real ones). The real tool runs
under the name ``pybpftool`` (a copy in a temporary directory), so even the program name
in usage texts compares byte for byte. Pins of the real run live under
/sys/fs/bpf/pybpf-cli-test and are removed afterwards.

Needs root, bpf(), a bpffs and bpftool v7.1.0; skipped cleanly elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pybpftool.main import OBJECTS
from tests.test_cli_common import PACKETS, PROGS, normalize, realkernel_unavailable, run

pytestmark = pytest.mark.realkernel
PIN = "/sys/fs/bpf/pybpf-cli-test"


@pytest.fixture(scope="module")
def real(tmp_path_factory):  # noqa: ANN001, ANN201
    why = realkernel_unavailable()
    if why:
        pytest.skip(why)
    bindir = tmp_path_factory.mktemp("realbin")
    shutil.copy(shutil.which("bpftool"), bindir / "pybpftool")
    env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '')}")

    def call(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
        r = subprocess.run(["pybpftool", *argv], capture_output=True, input=stdin, cwd=PROGS, env=env,
                           timeout=120)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    subprocess.run(["rm", "-rf", PIN], check=False)
    os.makedirs(f"{PIN}/maps", exist_ok=True)  # bpftool cannot create pin directories
    yield call
    subprocess.run(["rm", "-rf", PIN], check=False)


@pytest.fixture(scope="module")
def ours(tmp_path_factory):  # noqa: ANN001, ANN201
    state = tmp_path_factory.mktemp("ours") / "state"

    def call(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
        r = run(argv, state, stdin=stdin)
        return r.exit_code, r.out, r.err

    return call


def same(real, ours, argv: list[str], *, stdin: bytes = b"") -> None:  # noqa: ANN001
    a, b = real(argv, stdin), ours(argv, stdin)

    def prep(x: tuple[int, str, str]) -> tuple[int, str, str]:
        return x[0], normalize(x[1]), normalize(x[2])

    assert prep(b) == prep(a), " ".join(argv)


@pytest.mark.parametrize("obj", ("main", *OBJECTS))
def test_usage_texts(real, ours, obj: str) -> None:  # noqa: ANN001
    same(real, ours, ["help"] if obj == "main" else [obj, "help"])
    if obj != "main":
        same(real, ours, [obj[:2], "frobnicate"])
        same(real, ours, ["-j", obj, "frobnicate"])


@pytest.mark.parametrize("argv", [
    ["-x"], ["-xj", "prog"], ["prog", "-xj", "show"], ["--b"], ["--json=1"], ["-B"], ["-jx", "prog"],
    ["--", "-j", "prog"], ["prog", "show", "id"], ["prog", "show", "id", "0x"],
    ["prog", "show", "tag", "zz"], ["prog", "show", "foo", "bar"], ["prog", "pin", "id", "1"],
    ["prog", "load", "tc_cls.o"], ["prog", "dump"], ["prog", "dump", "jited", "id", "1"],
    ["-j", "prog", "dump", "jited", "id", "1"], ["prog", "profile"],
    ["map", "create", "/sys/fs/bpf/x", "type", "hash", "key", "4", "value", "8", "entries", "4"],
    ["map", "create", "/sys/fs/bpf/x", "type", "frob", "key", "4", "value", "8", "entries", "4", "name", "a"],
    ["map", "create", "/sys/fs/bpf/x", "type", "hash", "key", "x", "value", "8", "entries", "4", "name", "a"],
    ["map", "dump", "id"], ["batch"], ["batch", "foo", "bar"], ["batch", "file", "/nonexistent"],
    ["-j", "batch", "file", "/nonexistent"], ["link", "detach"], ["link", "foo"],
    ["net", "attach", "frob", "id", "1", "dev", "lo"], ["net", "attach", "xdp", "id", "1"],
    ["feature", "probe", "foo"], ["feature", "probe", "kernel", "dev", "x"],
    ["feature", "list_builtins", "foo"], ["btf", "dump", "frob", "x"],
    ["cgroup", "show"], ["cgroup", "attach", "/x", "ingress"],
    ["prog", "load", "/nonexistent", f"{PIN}/x"], ["prog", "load", "xdp_legacy_map.o", f"{PIN}/x"],
    ["-j", "prog", "show", "name", "pybpf_no_such_prog"],
    ["btf", "dump", "file", "/etc/passwd"], ["-j", "btf", "dump", "file", "/etc/passwd"],
    ["btf", "dump", "file", "/dev/null"], ["btf", "dump", "file", "xdp_legacy_map.o"],
    ["btf", "dump", "file", "xdp_count.o", "format", "c"], ["-B", "/etc/passwd", "prog"],
    ["-B", "/nonexistent", "prog"],
])
def test_argument_handling(real, ours, argv: list[str]) -> None:  # noqa: ANN001
    same(real, ours, argv)


@pytest.mark.parametrize("group", ["prog_types", "map_types", "attach_types", "link_types", "helpers"])
def test_feature_list_builtins(real, ours, group: str) -> None:  # noqa: ANN001
    same(real, ours, ["feature", "list_builtins", group])
    same(real, ours, ["-j", "feature", "list_builtins", group])


def test_live_session(real, ours) -> None:  # noqa: ANN001
    """Load, show, map operations and BTF on both, command by command."""
    pkt = str(PACKETS / "pkt64.bin")
    steps = [
        ["prog", "load", "xdp_count.o", f"{PIN}/xc", "pinmaps", f"{PIN}/maps"],
        ["prog", "load", "tc_cls.o", f"{PIN}/tc"],
        ["prog", "show", "pinned", f"{PIN}/xc"],
        ["-j", "prog", "show", "pinned", f"{PIN}/xc"],
        ["-p", "prog", "show", "pinned", f"{PIN}/tc"],
        ["-f", "prog", "show", "pinned", f"{PIN}/tc"],
        ["prog", "show", "pinned", f"{PIN}/maps/pkt_cnt"],
        ["prog", "pin", "pinned", f"{PIN}/tc", f"{PIN}/tc"],
        ["prog", "pin", "pinned", f"{PIN}/tc", f"{PIN}/t.c"],
        ["map", "show", "pinned", f"{PIN}/maps/pkt_cnt"],
        ["-j", "map", "show", "pinned", f"{PIN}/maps/len_hash"],
        ["map", "dump", "pinned", f"{PIN}/maps/pkt_cnt"],
        ["-j", "map", "dump", "pinned", f"{PIN}/maps/pkt_cnt"],
        ["map", "update", "pinned", f"{PIN}/maps/pkt_cnt", "key", "3", "0", "0", "0", "value", "0x2a", "0", "0",
         "0", "0", "0", "0", "0"],
        ["map", "lookup", "pinned", f"{PIN}/maps/pkt_cnt", "key", "3", "0", "0", "0"],
        ["-p", "map", "lookup", "pinned", f"{PIN}/maps/pkt_cnt", "key", "3", "0", "0", "0"],
        ["map", "lookup", "pinned", f"{PIN}/maps/pkt_cnt", "key", "9", "0", "0", "0"],
        ["map", "delete", "pinned", f"{PIN}/maps/pkt_cnt", "key", "0", "0", "0", "0"],
        ["map", "update", "pinned", f"{PIN}/maps/pkt_cnt", "key", "0", "0", "0", "0", "value", "0", "0", "0", "0",
         "0", "0", "0", "0", "noexist"],
        ["map", "create", f"{PIN}/x", "type", "hash", "key", "4", "value", "8", "entries", "16", "name", "x"],
        ["map", "show", "pinned", f"{PIN}/x"],
        ["map", "dump", "pinned", f"{PIN}/x"],
        ["map", "update", "pinned", f"{PIN}/x", "key", "hex", "02", "00", "00", "00", "value", "hex", "2a", "00",
         "00", "00", "00", "00", "00", "00", "noexist"],
        ["map", "dump", "pinned", f"{PIN}/x"],
        ["-j", "map", "dump", "pinned", f"{PIN}/x"],
        ["map", "getnext", "pinned", f"{PIN}/x"],
        ["-j", "map", "getnext", "pinned", f"{PIN}/x"],
        ["map", "getnext", "pinned", f"{PIN}/x", "key", "2", "0", "0", "0"],
        ["map", "lookup", "pinned", f"{PIN}/x", "key", "1", "0", "0"],
        ["map", "lookup", "pinned", f"{PIN}/x", "key", "300", "0", "0", "0"],
        ["map", "update", "pinned", f"{PIN}/x", "key", "9", "0", "0", "0", "value", "5", "0", "0", "0", "0", "0",
         "0", "0", "exist"],
        ["map", "delete", "pinned", f"{PIN}/x", "key", "2", "0", "0", "0"],
        ["map", "delete", "pinned", f"{PIN}/x", "key", "2", "0", "0", "0"],
        ["map", "create", f"{PIN}/fz", "type", "array", "key", "4", "value", "4", "entries", "2", "name", "fz"],
        ["map", "freeze", "pinned", f"{PIN}/fz"],
        ["map", "show", "pinned", f"{PIN}/fz"],
        ["-j", "map", "show", "pinned", f"{PIN}/fz"],
        ["map", "update", "pinned", f"{PIN}/fz", "key", "0", "0", "0", "0", "value", "1", "0", "0", "0"],
        ["btf", "dump", "map", "pinned", f"{PIN}/maps/pkt_cnt"],
        ["btf", "dump", "map", "pinned", f"{PIN}/maps/pkt_cnt", "kv", "format", "c"],
        ["-j", "btf", "dump", "map", "pinned", f"{PIN}/maps/pkt_cnt", "format", "c"],
        ["btf", "dump", "map", "pinned", f"{PIN}/x"],
        ["btf", "dump", "file", "xdp_count.o"],
        ["prog", "run", "pinned", f"{PIN}/xc", "data_in", "/nonexistent"],
        ["prog", "run", "pinned", f"{PIN}/xc", "data_in", pkt, "foo", "x"],
        ["prog", "load", "bad.o", f"{PIN}/bad"],
        ["-j", "prog", "load", "bad.o", f"{PIN}/bad"],
        ["prog", "load", "xdp_count.o", f"{PIN}/t3", "map", "name", "nosuchmap", "pinned", f"{PIN}/x"],
        ["prog", "load", "xdp_count.o", f"{PIN}/t3", "type", "xdp", "type", "xdp"],
    ]
    for argv in steps:
        same(real, ours, argv)


def test_batch_side_by_side(real, ours, tmp_path: Path) -> None:  # noqa: ANN001
    f = tmp_path / "b.txt"
    f.write_text("# comment\nprog help\nfeature list_builtins link_types\nprog show id\nversion\n")
    same(real, ours, ["batch", "file", str(f)])
    same(real, ours, ["-j", "batch", "file", str(f)])
    same(real, ours, ["batch", "file", "-"], stdin=b"feature list_builtins link_types \\\n\n")
