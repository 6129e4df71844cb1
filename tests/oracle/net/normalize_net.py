"""Normalisation of ip / tc / bpftool output for the network fixtures (tests/fixtures/net/).

Same scheme as tests/oracle/normalize.py (whose rules are reused for bpftool output):
`normalize_net(text, tool)` rewrites only the fields that differ from run to run to fixed
placeholders and leaves every other byte alone, so that

    normalize_net(our_stdout, argv[0]) == record["norm"]["stdout"]

compares everything the real tool prints deterministically. Extra placeholders:

    <ID>      also: `prog/xdp id N` (ip), `... not_in_hw id N name` (tc), `driver id N` and
              `clsact/ingress NAME id N` (bpftool net), `prog N` (bpftool link show),
              the id column of `bpftool cgroup show|tree` (padded to its 8-wide column)
    <TIME>    `load_time N` (ip -d, tc -d: nanoseconds since boot; JSON too)
    <MAC>     a random MAC address (veth picks one per device). Broadcast, all-zero and
              the fixed addresses the recorder assigns itself (02:00:00:00:00:xx, the
              addresses of tests/fixtures/packets/) are kept.
    <CGID>    `cgroup_id N` of a cgroup link (the cgroup directory's inode number)

ifindexes are NOT normalised: in a fresh network namespace they are deterministic
(lo = 1, then one per device created, a veth peer before the device itself).

Which rules apply depends on the tool: the base rule `show_id` (`N: ` at the start of a
line) is an object id for bpftool but an ifindex for `ip link show`, so ip and tc get
their own list.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

_BASE_PATH = Path(__file__).resolve().parents[1] / "normalize.py"


def _base():  # noqa: ANN202 - a module
    name = "pybpf_oracle_normalize"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _BASE_PATH)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


base = _base()

_MAC = r"\b(?!ff:ff:ff:ff:ff:ff\b|00:00:00:00:00:00\b|02:00:00:00:00:)[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b"

# rules shared by all three tools (name, pattern, replacement)
COMMON: list[tuple[str, str, str]] = [
    ("mac", _MAC, "<MAC>"),
    ("load_time_text", r"\bload_time \d+", "load_time <TIME>"),
    ("load_time_json", r'("load_time": ?)\d+', r"\1<TIME>"),
    ("btf_id_text", r"\bbtf_id \d+", "btf_id <ID>"),
    ("id_text", r"\bid \d+\b", "id <ID>"),
    # `ip addr show`: "mtu 1500 xdp/id:41259 qdisc ..." (xdpgeneric/id:N, xdpoffload/id:N)
    ("xdp_addr_id", r"\b(xdp(?:generic|offload|multi)?/id:)\d+", r"\1<ID>"),
    ("id_json", r'("(?:id|btf_id|prog_id|map_id|link_id)": ?)\d+', r"\1<ID>"),
]

# bpftool only, after tests/oracle/normalize.py RULES
BPFTOOL: list[tuple[str, str, str]] = [
    # `bpftool link show`: "89: xdp  prog 122  "
    ("link_prog", r"(?<=  )prog \d+\b", "prog <ID>"),
    # (a detached cgroup link shows cgroup_id 0: kept)
    ("cgroup_id_text", r"\bcgroup_id [1-9]\d*", "cgroup_id <CGID>"),
    ("cgroup_id_json", r'("cgroup_id": ?)[1-9]\d*', r"\1<CGID>"),
    # `bpftool cgroup show|tree` rows: "%-8u %-15s ..." (tree: 4 more spaces for children)
    ("cgroup_row_id", r"^( {4})?\d{1,8} +(?=[a-z])", r"\1<ID>     "),
]

_COMMON_C = [(n, re.compile(p, re.MULTILINE), r) for n, p, r in COMMON]
_BPFTOOL_C = [(n, re.compile(p, re.MULTILINE), r) for n, p, r in BPFTOOL]


def _apply(rules: list, text: str) -> str:
    for _n, rx, repl in rules:
        text = rx.sub(repl, text)
    return text


def normalize_net(text: str, tool: str) -> str:
    """Replace run-dependent fields of `tool`'s output (tool: ip, tc, bpftool, or anything
    else: only the common rules) by placeholders."""
    if tool == "bpftool":
        text = base.normalize(text)
        text = _apply(_BPFTOOL_C, text)
    return _apply(_COMMON_C, text)


def rules_fired(text: str, tool: str) -> list[str]:
    """Names of the rules that change `text` (for test messages)."""
    fired = []
    rules = list(_COMMON_C)
    if tool == "bpftool":
        rules = [(n, re.compile(p, re.MULTILINE), r) for n, p, r in base.RULES] + _BPFTOOL_C + rules
    for n, rx, repl in rules:
        if rx.sub(repl, text) != text:
            fired.append(n)
    return fired
