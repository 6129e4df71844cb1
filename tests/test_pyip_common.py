"""Shared helpers of the pyip/pytc tests: running the tools as separate simulated
processes (in a simulated network namespace when asked), and replaying recorded real
ip/tc sessions (the oracle's tests/fixtures/net/{ip,tc}/*.json and our own
tests/fixtures/iproute2/*.json, same format) against pyip/pytc.

No tests here (tests/test_pyip_*.py and tests/test_pytc_*.py use these).

A replay runs every record in order on a fresh state, from tests/progs, and compares each
ip/tc record's exit status, stdout and stderr after normalisation
(tests/oracle/net/normalize_net.py: object ids, load times, random MACs) plus the fields
named in :data:`EXTRA_RULES`. Records the simulation cannot reproduce are *excused* — run
(they must not crash) but not compared — only for a reason named here:

* ``kind``: the record involves a device whose creation came out differently because the
  simulated kernel's device kinds differ from the reference machine's (no ifb or bridge
  there; dummy here); found at replay time, so it disappears when the kernels agree. It
  covers records naming such a device and records showing devices created after it
  (their ifindexes moved).
* ``no-dummy``: ``ip link add ... type dummy`` failed on the reference machine (it has no
  dummy driver) and works here, as on a kernel that has one: not run, so the devices
  after it get the reference machine's ifindexes.
* ``exec-pin``: a pinned path used under ``ip netns exec``, whose private mount namespace
  hides the host bpffs (the simulation has one bpffs).
* :data:`KNOWN` entries: behaviour of other parts of the simulation (verifier, kernel)
  that the tools only print, each with its reason.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROGS = REPO / "tests" / "progs"
FIX_NET = REPO / "tests" / "fixtures" / "net"
FIX_OWN = REPO / "tests" / "fixtures" / "iproute2"


def kernel_has_netlink() -> bool:
    """The simulated kernel's netlink side is there (pyip/pytc need nothing else)."""
    try:
        from pykernel import Process
        from pykernel.uapi import rtnl  # noqa: F401
    except ImportError:
        return False
    return hasattr(Process, "netlink") and hasattr(Process, "setns")


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def normalize_net(text: str, tool: str) -> str:
    mod = _load("pyip_test_normalize_net", REPO / "tests" / "oracle" / "net" / "normalize_net.py")
    text = mod.normalize_net(text, tool)
    for _name, rx, repl in _EXTRA:
        text = rx.sub(repl, text)
    return text


#: fields that differ for a reason of their own, beyond normalize_net's
EXTRA_RULES: list[tuple[str, str, str]] = [
    # ip/tc hold their netlink socket and iproute2's ELF context file open while libbpf
    # creates the maps, so libbpf's verbose log names higher fd numbers than ours
    ("libbpf_map_fd", r"(created successfully, fd=)\d+", r"\1<FD>"),
    # the verifier log between libbpf's markers is the simulated verifier's (tested by its
    # own suites against the kernel's logs); the lines around it are the tools'
    ("verifier_log", r"(-- BEGIN PROG LOAD LOG --\n).*?(-- END PROG LOAD LOG --\n)", r"\1<LOG>\n\2"),
]
_EXTRA = [(n, re.compile(p, re.S), r) for n, p, r in EXTRA_RULES]

#: (scenario, command line) -> why the simulation shows something else
KNOWN: dict[tuple[str, str], str] = {
    ("tc_filter", "tc filter show dev v0 ingress pref 5"):
        "the simulated kernel's filter dump does not filter by the tcm_info priority",
    ("tc_extra", "tc filter show dev v0 ingress protocol all"):
        "the simulated kernel's filter dump does not filter by the tcm_info protocol",
    ("ip_extra", "ip -d link show dev v6"):
        "the simulated kernel ignores IFLA_TXQLEN when it creates a device",
    ("tc_filter", "tc filter add dev v0 egress pref 22 bpf bytecode 1,6 0 0 4294967295, classid 1:2"):
        "the simulated kernel has no classic BPF (TCA_BPF_OPS)",
    ("tc_filter", "tc filter show dev v0 egress"): "shows the classic BPF filter (see bytecode)",
    ("tc_filter", "tc -j filter show dev v0 egress"): "shows the classic BPF filter (see bytecode)",
    ("tc_filter", "tc -d filter show dev v0 egress"): "shows the classic BPF filter (see bytecode)",
    ("tc_filter", "tc filter del dev v0 egress pref 22"): "deletes the classic BPF filter (see bytecode)",
    ("tc_filter", "tc filter show dev v1 ingress"):
        "on an ingress qdisc the real kernel reports filters under parent ffff:fff3 (egress)",
    ("tc_filter", "tc filter show dev v1 parent ffff:"):
        "on an ingress qdisc the real kernel reports filters under parent ffff:fff3 (egress)",
    ("tc_filter", "tc -j filter show dev v1 ingress"):
        "on an ingress qdisc the real kernel reports filters under parent ffff:fff3 (egress)",
}


@dataclass
class Outcome:
    index: int
    argv: list[str]
    compared: bool
    ok: bool
    why: str = ""
    want: dict = field(default_factory=dict)
    got: dict = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"#{self.index} {' '.join(self.argv)}"]
        for k in ("exit", "stdout", "stderr"):
            if self.want.get(k) != self.got.get(k):
                lines.append(f"  {k}: want {self.want.get(k)!r}")
                lines.append(f"  {k}:  got {self.got.get(k)!r}")
        return "\n".join(lines)


def run_tool(argv: list[str], state: Path, *, netns: str | None = None, stdin: bytes = b"",
             cwd: Path | None = None) -> tuple[int, str, str]:
    """One ip/tc/bpftool command line (argv[0] names the tool) as its own simulated
    process, in ``netns`` when given."""
    tool = argv[0]
    if tool in ("ip", "tc"):
        from pyip.testing import invoke

        r = invoke(argv[1:], tool=tool, state_dir=state, stdin=stdin, cwd=cwd or PROGS, netns=netns)
        return r.exit_code, r.out, r.err
    if tool == "bpftool":
        return _run_bpftool(argv[1:], state, netns, cwd or PROGS)
    raise ValueError(tool)


def _run_bpftool(argv: list[str], state: Path, netns: str | None, cwd: Path) -> tuple[int, str, str]:
    from pybpftool import kern
    from pybpftool.main import run_guarded
    from pykernel import Process

    out_b, err_b = io.BytesIO(), io.BytesIO()

    def wrap(b: io.BytesIO) -> io.TextIOWrapper:
        return io.TextIOWrapper(b, encoding="utf-8", errors="surrogateescape", newline="\n",
                                write_through=True)

    saved = sys.stdout, sys.stderr, os.getcwd()
    sys.stdout, sys.stderr = wrap(out_b), wrap(err_b)
    p = Process(state)
    try:
        os.chdir(cwd)
        if netns:
            p.setns(netns)
        kern._proc = p
        kern._boot_wall = None
        code = run_guarded(["bpftool", *argv]) & 0xFF
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        p.exit()
        kern._proc = None
        o, e = out_b.getvalue(), err_b.getvalue()
        sys.stdout.detach()
        sys.stderr.detach()
        sys.stdout, sys.stderr = saved[0], saved[1]
        os.chdir(saved[2])
    return code, o.decode("utf-8", "surrogateescape"), e.decode("utf-8", "surrogateescape")


_IFINDEX_RX = re.compile(r'^(\d+): |"ifindex": ?(\d+)|@if(\d+)\b', re.M)


def _max_ifindex(text: str) -> int:
    best = 0
    for m in _IFINDEX_RX.finditer(text):
        best = max(best, int(next(g for g in m.groups() if g)))
    return best


def _mentions(text: str, names: set[str]) -> bool:
    return any(re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", text) for n in names)


def replay(path: Path, state: Path) -> list[Outcome]:
    """Replay one fixture file on a fresh ``state``; one Outcome per command record."""
    from pykernel import Process

    data = json.loads(path.read_text())
    scenario = data.get("scenario", path.stem)
    cwd = REPO / data.get("cwd", "tests/progs")
    pin_root = data.get("pin_root", "/sys/fs/bpf")
    names: dict[str, str] = {}
    diverged: set[str] = set()  # device names whose creation came out differently
    shift_from: int | None = None  # devices above this ifindex moved
    outcomes: list[Outcome] = []
    for i, rec in enumerate(data["records"]):
        if "setup" in rec:
            if rec["setup"] == "netns":
                names[rec["ns"]] = rec["name"]
                boot = Process(state)
                try:
                    if rec["name"] not in boot.netns_list():
                        boot.netns_add(rec["name"])
                finally:
                    boot.exit()
            continue
        argv = rec["argv"]
        tool = argv[0]
        ns = names.get(rec["ns"]) if rec.get("ns") else None
        cmdline = " ".join(argv)
        if rec.get("via") == "exec" and any(a.startswith(pin_root) for a in argv):
            outcomes.append(Outcome(i, argv, False, True, "exec-pin"))
            continue
        if (tool == "ip" and argv[1:3] == ["link", "add"] and argv[-2:] == ["type", "dummy"]
                and rec["exit"] != 0 and "Unknown device type" in rec["stderr"]):
            outcomes.append(Outcome(i, argv, False, True, "no-dummy"))
            continue
        before = None
        is_add = tool == "ip" and len(argv) > 3 and argv[1:3] == ["link", "add"] and "type" in argv
        if is_add:
            code0, listing, _e = run_tool(["ip", "link", "show"], state, netns=ns)
            before = _max_ifindex(listing)
        code, out, err = run_tool(argv, state, netns=ns, stdin=rec.get("stdin", "").encode(), cwd=cwd)
        want = {"exit": rec["exit"], **rec.get("norm", {"stdout": rec["stdout"], "stderr": rec["stderr"]})}
        want = {"exit": want["exit"], "stdout": normalize_net(want["stdout"], tool),
                "stderr": normalize_net(want["stderr"], tool)}
        got = {"exit": code, "stdout": normalize_net(out, tool), "stderr": normalize_net(err, tool)}
        assert "internal error" not in err, f"#{i} {cmdline}: {err}"
        if tool == "bpftool":
            outcomes.append(Outcome(i, argv, False, True, "bpftool", want, got))
            continue
        kind_error = "Unknown device type" in rec["stderr"] or "Unknown device type" in err
        if is_add and (code == 0) != (rec["exit"] == 0) and kind_error:
            j = argv.index("type")
            dev = next((a for a in argv[3:j] if a not in ("name", "dev")), None)
            if dev:
                diverged.add(dev)
            if shift_from is None and before is not None:
                shift_from = before
        why = KNOWN.get((scenario, cmdline), "")
        if not why and diverged:
            blob = " ".join(argv) + "\n" + want["stdout"] + want["stderr"] + got["stdout"] + got["stderr"]
            if _mentions(blob, diverged):
                why = "kind"
            elif shift_from is not None and max(_max_ifindex(want["stdout"]),
                                                _max_ifindex(got["stdout"])) > shift_from:
                why = "kind"
        ok = got == want
        outcomes.append(Outcome(i, argv, not why, ok, why, want, got))
    return outcomes


def fixture_files(group: str) -> list[Path]:
    return sorted((FIX_NET / group).glob("*.json")) + sorted(FIX_OWN.glob(f"{group}_*.json"))
