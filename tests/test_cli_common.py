"""Shared helpers of the pybpftool tests (tests/test_cli_*.py): running pybpftool as a
separate simulated process per command, replaying the oracle fixtures of
tests/fixtures/ (see tests/fixtures/README.md), and the realkernel checks.

No tests here; the helpers live in a test module because tests/ files outside
test_cli_* belong to other parts of the project.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
PROGS = REPO / "tests" / "progs"
PACKETS = FIXTURES / "packets"
ORACLE = REPO / "tests" / "oracle"


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def oracle_normalize():  # noqa: ANN201 - a module
    """tests/oracle/normalize.py (the rules fixtures were normalised with)."""
    return _load("cli_oracle_normalize", ORACLE / "normalize.py")


def normalize(text: str) -> str:
    return oracle_normalize().normalize(text)


# --------------------------------------------------------------------------- running
def run(argv: list[str], state: Path, *, stdin: bytes = b"", cwd: Path | None = None):  # noqa: ANN201
    """One pybpftool command as its own simulated process (in-process, fast)."""
    from pybpftool.testing import invoke

    return invoke(argv, state_dir=state, stdin=stdin, cwd=cwd or PROGS)


def run_subprocess(argv: list[str], state: Path, *, stdin: bytes = b"", cwd: Path | None = None,
                   exe: str | None = None) -> subprocess.CompletedProcess:
    """pybpftool as a real OS process (console script if installed, else -m)."""
    env = dict(os.environ, PYBPF_STATE=str(state))
    cmd = [exe] if exe else [sys.executable, "-m", "pybpftool.main"]
    return subprocess.run(cmd + argv, input=stdin, capture_output=True, cwd=cwd or PROGS, env=env,
                          timeout=300)


# ------------------------------------------------------------------------- fixtures
@dataclass
class Record:
    index: int
    argv: list[str]  # without the program name, ids substituted for this replay
    exit: int
    stdout: str
    stderr: str
    raw: dict

    @property
    def norm_stdout(self) -> str:
        return self.raw.get("norm", {}).get("stdout", self.stdout)

    @property
    def norm_stderr(self) -> str:
        return self.raw.get("norm", {}).get("stderr", self.stderr)

    @property
    def compare(self) -> dict:
        return self.raw.get("compare", {})


def scenario(path: str | Path) -> dict:
    return json.loads((FIXTURES / path).read_text())


def replay(path: str | Path, state: Path, *, stop_after: int | None = None):  # noqa: ANN201
    """Run the commands of one fixture scenario in order against ``state``; yield
    (Record, Result) pairs. ``argv_norm`` ids (``<BTF_ID>``) are taken from our own
    first program, as the README prescribes; ``setup: mkdir`` records are skipped (the
    simulated bpffs creates parents)."""
    data = scenario(path)
    ids: dict[str, int] = {}
    for i, raw in enumerate(data["records"]):
        if stop_after is not None and i > stop_after:
            return
        if "setup" in raw:
            continue
        argv = list(raw["argv"][1:])
        if "argv_norm" in raw:
            if not ids:
                listing = run(["-j", "prog", "show"], state)
                progs = json.loads(listing.out or "[]")
                if progs:
                    ids = {"BTF_ID": progs[0].get("btf_id", 0), "PROG_ID": progs[0]["id"]}
            argv = [str(ids.get(a[1:-1], 0)) if a.startswith("<") and a.endswith(">") else a
                    for a in raw["argv_norm"][1:]]
        rec = Record(i, argv, raw["exit"], raw["stdout"], raw["stderr"], raw)
        yield rec, run(argv, state)


def comparable(stdout: str, stderr: str, code: int, hints: dict, argv: list[str]) -> dict:
    """The oracle's comparison rules (tests/oracle/record.py: comparable)."""
    norm = oracle_normalize()
    out, err = norm.normalize(stdout), norm.normalize(stderr)
    if hints.get("unordered"):
        out = "\n".join(norm.unordered_entries(out))
    if hints.get("pinned_unordered") or "-f" in argv:
        out = norm.sort_pinned(out)
    if hints.get("order_dependent"):
        out, err, code = "<order dependent>", "", -1
    if hints.get("id_values"):
        out = "<id dependent>"
    return {"exit": code, "stdout": out, "stderr": err}


# ----------------------------------------------------------------------- real kernel
def realkernel_unavailable() -> str | None:
    """Why the real bpftool/bpf() cannot be used here (None when they can)."""
    if os.geteuid() != 0:
        return "needs root"
    if not shutil.which("bpftool"):
        return "needs bpftool"
    v = subprocess.run(["bpftool", "version"], capture_output=True, text=True).stdout
    if not v.startswith("bpftool v7.1.0"):
        return "compares with bpftool v7.1.0"
    if not os.path.isdir("/sys/fs/bpf"):
        return "needs a bpffs at /sys/fs/bpf"
    r = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True)
    if r.returncode != 0:
        return "bpf() is not usable here"
    return None


# ------------------------------------------------------------------- network fixtures
NET_FIXTURES = FIXTURES / "net"


def oracle_net():  # noqa: ANN201 - a module
    """tests/oracle/net/normalize_net.py."""
    return _load("cli_oracle_normalize_net", ORACLE / "net" / "normalize_net.py")


def net_scenario(path: str | Path) -> dict:
    p = NET_FIXTURES / path
    data = p.read_bytes()
    if p.name.endswith(".gz"):
        import gzip

        data = gzip.decompress(data)
    return json.loads(data)


def net_tools_unavailable() -> str | None:
    """Why ip/tc records of a network scenario cannot be replayed (pyip/pytc missing)."""
    try:
        import pyip.testing  # noqa: F401
        import pytc.main  # noqa: F401
    except ImportError as e:
        return f"pyip/pytc are not available ({e})"
    return None


def _link_create(state: Path, rec: dict, netns: str | None) -> tuple[int, str]:
    """tests/oracle/net/bpf_link.py on the simulated kernel: OBJ_GET the program,
    BPF_LINK_CREATE, OBJ_PIN the link; (exit, result) as the recorder reports them."""
    import errno as E

    from pykernel import Process
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import AttachType, Cmd
    from pykernel.uapi.errors import SyscallError

    p = Process(state)
    try:
        if netns:
            p.setns(netns)
        prog = p.bpf(Cmd.OBJ_GET, A.ObjPinAttr(pathname=rec["prog"]))
        kind = rec["kind"]
        if kind == "xdp":
            attr = A.LinkCreateAttr(prog_fd=prog, attach_type=AttachType.XDP,
                                    target_ifindex=p.if_nametoindex(rec["target"]), flags=rec["flags"])
        elif kind == "cgroup":
            name = {"ingress": "CGROUP_INET_INGRESS", "egress": "CGROUP_INET_EGRESS"}[rec["attach"]]
            attr = A.LinkCreateAttr(prog_fd=prog, attach_type=AttachType[name],
                                    target_fd=p.open_cgroup(rec["target"]), flags=rec["flags"])
        else:  # tcx_ingress
            attr = A.LinkCreateAttr(prog_fd=prog, attach_type=46,  # BPF_TCX_INGRESS
                                    target_ifindex=p.if_nametoindex(rec["target"]), flags=rec["flags"])
        try:
            link = p.bpf(Cmd.LINK_CREATE, attr)
        except SyscallError as e:
            return 1, f"BPF_LINK_CREATE: {E.errorcode.get(e.errno, e.errno)} ({os.strerror(e.errno)})"
        p.bpf(Cmd.OBJ_PIN, A.ObjPinAttr(pathname=rec["link_pin"], bpf_fd=link))
        return 0, f"link pinned at {rec['link_pin']}"
    finally:
        p.exit()


def net_replay(path: str | Path, state: Path):  # noqa: ANN201
    """Replay a network scenario (tests/fixtures/net/README.md) on a fresh simulated
    kernel: namespaces by their recorded names, cgroups, bpffs directories and links made
    as the recorder made them, ip/tc through pyip/pytc, bpftool through pybpftool, each
    command its own simulated process in the record's namespace. Yields (record, result)
    for every command and link creation (result: exit/stdout/stderr)."""
    from pybpftool.testing import Result, invoke
    from pykernel import Process
    from pykernel.uapi.errors import SyscallError

    data = net_scenario(path)
    names: dict[str, str] = {}
    for raw in data["records"]:
        setup = raw.get("setup")
        ns = names.get(raw.get("ns") or "") if raw.get("ns") else None
        if setup == "netns":
            p = Process(state)
            p.netns_add(raw["name"])
            p.exit()
            names[raw["ns"]] = raw["name"]
            continue
        if setup == "cgroup":  # the recorder's mkdir -p
            p = Process(state)
            parts = raw["path"].rstrip("/").split("/")
            for n in range(5, len(parts) + 1):  # below /sys/fs/cgroup/unified
                try:
                    p.cgroup_mkdir("/".join(parts[:n]))
                except SyscallError as e:
                    if e.errno != 17:  # EEXIST
                        raise
            p.exit()
            continue
        if setup == "link_create":
            code, text = _link_create(state, raw, ns)
            yield raw, Result(code, text.encode(), b"")
            continue
        if setup is not None:  # sysctl (IPv6 is not simulated), mkdir (pins make parents), traffic
            continue
        tool, argv = raw["argv"][0], raw["argv"][1:]
        stdin = (raw.get("stdin") or "").encode()
        if tool == "bpftool":
            res = invoke(argv, state_dir=state, stdin=stdin, cwd=PROGS, netns=ns, prog_name=tool)
        else:
            from pyip.testing import invoke as ip_invoke

            res = ip_invoke(argv, tool=tool, state_dir=state, stdin=stdin, cwd=PROGS, netns=ns)
        yield raw, res


def net_differences(path: str | Path, state: Path, *, only: str = "bpftool", setup: bool = False,
                    skip: tuple[str, ...] = ()) -> list[str]:
    """Records of ``only`` (argv[0]) whose normalised output or exit differs from the
    fixture. With ``setup``, also the other tools' records and link creations whose exit
    differs (the replay no longer sets up what the real run had). Records naming one of
    ``skip`` (a pin path, a device) are not compared: the caller names why."""
    nn = oracle_net()
    diffs: list[str] = []
    for raw, res in net_replay(path, state):
        words = raw.get("argv") or [str(v) for v in raw.values()]
        if any(s in w for s in skip for w in words):
            continue
        if "setup" in raw:
            if setup and (res.exit_code != raw["exit"] or res.out != raw["result"]):
                diffs.append(f"link_create {raw['kind']} {raw['target']}: want {raw['result']!r}, got {res.out!r}")
            continue
        tool = raw["argv"][0]
        want_out = raw.get("norm", {}).get("stdout", raw["stdout"])
        want_err = raw.get("norm", {}).get("stderr", raw["stderr"])
        got_out, got_err = nn.normalize_net(res.out, tool), nn.normalize_net(res.err, tool)
        if tool == "bpftool" and "-f" in raw["argv"]:
            base = oracle_normalize()
            want_out, got_out = base.sort_pinned(want_out), base.sort_pinned(got_out)
        if tool != only:
            if setup and res.exit_code != raw["exit"]:
                diffs.append(f"(setup) {' '.join(raw['argv'])}: exit {res.exit_code}, want {raw['exit']}: "
                             f"{res.err.strip()[:200]}")
            continue
        if (res.exit_code, got_out, got_err) != (raw["exit"], want_out, want_err):
            lines = [f"{' '.join(raw['argv'])}"]
            if res.exit_code != raw["exit"]:
                lines.append(f"  exit: want {raw['exit']} got {res.exit_code}")
            if got_out != want_out:
                lines.append(f"  stdout: want {want_out!r}\n  stdout:  got {got_out!r}")
            if got_err != want_err:
                lines.append(f"  stderr: want {want_err!r}\n  stderr:  got {got_err!r}")
            diffs.append("\n".join(lines))
    return diffs
