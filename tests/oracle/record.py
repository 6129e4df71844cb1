#!/usr/bin/env python3
"""Record what the REAL kernel and the REAL bpftool do with the test corpus.

    python tests/oracle/record.py [--out DIR] [--only NAME ...] [--bpftool PATH]

Needs root, a mounted bpffs at /sys/fs/bpf and bpftool (v7.1.0 is what the committed
fixtures were recorded with). It loads every object of tests/progs/ (the committed .o
files, never rebuilt here), runs bpftool commands against them and writes one JSON
fixture per scenario to DIR/<object>/<scenario>.json (default DIR: tests/fixtures).
The format is described in tests/fixtures/README.md.

Pins live under /sys/fs/bpf/pybpf-oracle/<object>/ and are removed after every
scenario. bpftool runs with its CPU affinity set to CPU 0 (taskset), so the per-CPU
values a test run writes always land in CPU 0's slot.

The same script is used by the realkernel-marked test to re-record live and compare
with the committed fixtures (see `record_object` and `compare_dirs`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load_sibling(name: str):  # noqa: ANN202 - a module
    """Import tests/oracle/<name>.py under a unique module name (no sys.path games, so a
    different `normalize` module elsewhere in the test suite cannot shadow it)."""
    import importlib.util

    full = f"pybpf_oracle_{name}"
    if full not in sys.modules:
        spec = importlib.util.spec_from_file_location(full, HERE / f"{name}.py")
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[full] = mod
        spec.loader.exec_module(mod)
    return sys.modules[full]


_norm = _load_sibling("normalize")
normalize, normalize_argv, normalize_insns = _norm.normalize, _norm.normalize_argv, _norm.normalize_insns

REPO = HERE.parents[1]
PROGS = REPO / "tests" / "progs"
PACKETS = REPO / "tests" / "fixtures" / "packets"
PIN_ROOT = "/sys/fs/bpf/pybpf-oracle"
PKT_REL = "../fixtures/packets"  # packets as seen from the commands' cwd (tests/progs)
FORMAT = 1

# map types whose iteration order depends on the kernel's per-map random hash seed
HASHLIKE = {"hash", "percpu_hash", "lru_hash", "lru_percpu_hash", "hash_of_maps", "devmap_hash",
            "sockhash"}
# map types whose values are object ids (volatile)
ID_VALUED = {"prog_array", "array_of_maps", "hash_of_maps"}

# array-like maps with more entries than this are not dumped (a dump lists every slot);
# their interesting keys are looked up instead (ObjSpec.lookup_keys, else keys 0 and 1)
DUMP_MAX = 64

PACKET_ORDER = [
    "pkt10", "eth_only", "pkt64", "tcp_syn_80", "tcp_syn_22", "tcp_null_scan", "icmp_echo",
    "udp_dns", "udp_ttl1", "ipv6_udp", "ipv6_ext", "ipv6_frag", "vlan_udp", "qinq_ipv6",
    "arp_req", "ipv4_1500", "ipv4_bad_ihl",
]


@dataclass
class ObjSpec:
    """One object of the corpus and what to record for it."""

    name: str
    loadall: bool = False
    # bpftool argv tails run after loading and before the test runs ({maps}, {progs} expand)
    setup: list[list[str]] = field(default_factory=list)
    # programs to test-run (None: every program of the object)
    run_progs: list[str] | None = None
    repeat: bool = False
    # keys to look up in maps too big to dump (array-like maps with > DUMP_MAX entries)
    lookup_keys: dict[str, list[int]] = field(default_factory=dict)
    ctx_in: str | None = None  # a ctx file (in tests/fixtures/packets) for one extra run


def S(*a: str) -> list[str]:
    return list(a)


OBJECTS: list[ObjSpec] = [
    ObjSpec("xdp_count", repeat=True),
    ObjSpec("tc_cls"),
    ObjSpec("xdp_pass", ctx_in="xdp_md_ctx"),
    ObjSpec("cg_skb"),
    ObjSpec("xdp_eth_proto"),
    ObjSpec("xdp_vlan_filter", lookup_keys={"vlan_deny": [100, 10], "vlan_seen": [100, 10, 200, 0]},
            setup=[S("map", "update", "pinned", "{maps}/vlan_deny", "key", "100", "0", "0", "0",
                     "value", "1", "0", "0", "0")]),
    ObjSpec("xdp_ipv4_proto", lookup_keys={"ip_proto_stats": [0, 1, 6, 17, 255]}),
    ObjSpec("xdp_ipv6_exthdr"),
    ObjSpec("xdp_fw_port",
            setup=[S("map", "update", "pinned", "{maps}/deny_ports", "key", "hex", "35", "00",
                     "value", "1")]),
    ObjSpec("xdp_icmp_echo"),
    ObjSpec("xdp_lpm_acl",
            setup=[S("map", "update", "pinned", "{maps}/src_acl", "key", "8", "0", "0", "0",
                     "10", "0", "0", "0", "value", "2", "0", "0", "0"),
                   S("map", "update", "pinned", "{maps}/src_acl", "key", "32", "0", "0", "0",
                     "10", "0", "0", "1", "value", "1", "0", "0", "0"),
                   S("map", "update", "pinned", "{maps}/src_acl", "key", "16", "0", "0", "0",
                     "192", "168", "0", "0", "value", "3", "0", "0", "0"),
                   S("map", "dump", "pinned", "{maps}/src_acl"),
                   S("map", "lookup", "pinned", "{maps}/src_acl", "key", "32", "0", "0", "0",
                     "10", "0", "0", "2"),
                   S("map", "lookup", "pinned", "{maps}/src_acl", "key", "32", "0", "0", "0",
                     "11", "0", "0", "2")]),
    ObjSpec("xdp_global_data"),
    ObjSpec("xdp_subprog"),
    ObjSpec("xdp_tail_call", loadall=True,
            setup=[S("map", "update", "pinned", "{maps}/jmp_table", "key", "0", "0", "0", "0",
                     "value", "pinned", "{progs}/xdp_stage_ip"),
                   S("map", "dump", "pinned", "{maps}/jmp_table")]),
    ObjSpec("xdp_adjust_head"),
    ObjSpec("xdp_adjust_tail"),
    ObjSpec("xdp_adjust_meta"),
    ObjSpec("xdp_csum_check"),
    ObjSpec("xdp_sanity"),
    ObjSpec("xdp_trace"),
    ObjSpec("xdp_redirect"),
    ObjSpec("xdp_queue_stack"),
    ObjSpec("xdp_tcp_flags"),
    ObjSpec("tc_port_rewrite"),
    ObjSpec("tc_ttl_dec"),
    ObjSpec("tc_skb_fields", ctx_in="skb_ctx"),
    ObjSpec("tc_loop_sum"),
    ObjSpec("tc_redirect"),
    ObjSpec("tc_vlan_push"),
]


class Recorder:
    """Runs bpftool and collects records for one fixture file."""

    def __init__(self, bpftool: str, cwd: Path = PROGS) -> None:
        self.bpftool = bpftool
        self.cwd = cwd
        self.records: list[dict] = []
        self.ids: dict[str, int] = {}
        self.pre = ["taskset", "-c", "0"] if shutil.which("taskset") else []

    def raw(self, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ, LC_ALL="C", LANG="C")
        return subprocess.run(self.pre + [self.bpftool] + argv, cwd=self.cwd, env=env,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=120)

    def run(self, argv: list[str], *, note: str | None = None, unordered: bool = False,
            order_dependent: bool = False, id_values: bool = False,
            files: list[str] | None = None) -> dict:
        p = self.raw(argv)
        out = p.stdout.decode("utf-8", "backslashreplace")
        err = p.stderr.decode("utf-8", "backslashreplace")
        rec: dict = {"argv": ["bpftool"] + argv, "exit": p.returncode, "stdout": out,
                     "stderr": err}
        nargv = ["bpftool"] + normalize_argv(argv, self.ids)
        if nargv != rec["argv"]:
            rec["argv_norm"] = nargv
            rec["ids"] = {k: v for k, v in self.ids.items() if f"<{k}>" in nargv}
        nout, nerr = normalize(out), normalize(err)
        if nout != out or nerr != err:
            rec["norm"] = {"stdout": nout, "stderr": nerr}
        hints = {}
        if "-f" in argv and rec["stdout"].count("pinned") > 1:
            hints["pinned_unordered"] = True
        if unordered:
            hints["unordered"] = True
        if order_dependent:
            hints["order_dependent"] = True
        if id_values:
            hints["id_values"] = True
        if hints:
            rec["compare"] = hints
        if note:
            rec["note"] = note
        if files:
            rec["files"] = {}
            for f in files:
                fp = self.cwd / f
                rec["files"][f] = fp.read_bytes().hex() if fp.exists() else None
                if fp.exists():
                    fp.unlink()
            rec["files_norm"] = {f: normalize_insns(bytes.fromhex(h)).hex() if h else None
                                 for f, h in rec["files"].items()}
        self.records.append(rec)
        return rec

    def setup(self, what: str, path: str) -> None:
        """A step that is not a bpftool command (mkdir in bpffs). Recorded so a replay
        knows it happened; a simulated bpffs creates parents itself."""
        if what == "mkdir":
            os.makedirs(path, exist_ok=True)
        self.records.append({"setup": what, "path": path})

    def json_of(self, argv: list[str]) -> object:
        p = self.raw(["-j"] + argv)
        try:
            return json.loads(p.stdout or b"null")
        except ValueError:
            return None


def clean_pins(path: str) -> None:
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", path], check=False)


# ---------------------------------------------------------------------------------------
# per-object scenarios


class Loaded:
    """An object loaded and pinned under PIN_ROOT/<name>/."""

    def __init__(self, r: Recorder, spec: ObjSpec, *, record_load: bool = True) -> None:
        self.r = r
        self.spec = spec
        self.dir = f"{PIN_ROOT}/{spec.name}"
        self.maps_dir = f"{self.dir}/maps"
        self.progs_dir = f"{self.dir}/progs" if spec.loadall else self.dir
        clean_pins(self.dir)
        os.makedirs(PIN_ROOT, exist_ok=True)
        r.setup("mkdir", self.dir)
        obj = f"{spec.name}.o"
        if spec.loadall:
            argv = ["prog", "loadall", obj, self.progs_dir, "pinmaps", self.maps_dir]
        else:
            argv = ["prog", "load", obj, f"{self.dir}/prog", "pinmaps", self.maps_dir]
        rec = r.run(argv)
        if rec["exit"] != 0:
            raise RuntimeError(f"{spec.name}: load failed:\n{rec['stderr']}")
        if spec.loadall:
            self.progs = {n: f"{self.progs_dir}/{n}" for n in sorted(os.listdir(self.progs_dir))}
        else:
            info = r.json_of(["prog", "show", "pinned", f"{self.dir}/prog"])
            self.progs = {info["name"]: f"{self.dir}/prog"}
        self.maps = {}
        if os.path.isdir(self.maps_dir):
            for n in sorted(os.listdir(self.maps_dir)):
                self.maps[n] = f"{self.maps_dir}/{n}"
        self.map_info = {n: r.json_of(["map", "show", "pinned", p]) for n, p in self.maps.items()}
        first = next(iter(self.progs.values()))
        pinfo = r.json_of(["prog", "show", "pinned", first])
        if isinstance(pinfo, dict) and "btf_id" in pinfo:
            r.ids["BTF_ID"] = pinfo["btf_id"]
        if isinstance(pinfo, dict):
            r.ids["PROG_ID"] = pinfo["id"]

    def expand(self, argv: list[str]) -> list[str]:
        return [a.replace("{maps}", self.maps_dir).replace("{progs}", self.progs_dir) for a in argv]

    def map_hints(self, name: str) -> dict:
        t = (self.map_info.get(name) or {}).get("type", "")
        return {"unordered": t in HASHLIKE, "id_values": t in ID_VALUED}

    def close(self) -> None:
        clean_pins(self.dir)


def too_big(info: dict) -> bool:
    return info.get("type") not in HASHLIKE and info.get("max_entries", 0) > DUMP_MAX \
        and info.get("type") not in ("lpm_trie", "queue", "stack")


def dump_map(r: Recorder, lo: Loaded, name: str) -> None:
    """`map dump` text and -j, or lookups of chosen keys for maps too big to dump."""
    p, info, h = lo.maps[name], lo.map_info[name], lo.map_hints(name)
    if too_big(info):
        for k in lo.spec.lookup_keys.get(name, [0, 1]):
            key = _ints(k, info["bytes_key"])
            r.run(["map", "lookup", "pinned", p, "key"] + key)
            r.run(["-j", "map", "lookup", "pinned", p, "key"] + key)
        return
    r.run(["map", "dump", "pinned", p], unordered=h["unordered"], id_values=h["id_values"])
    r.run(["-j", "map", "dump", "pinned", p], unordered=h["unordered"], id_values=h["id_values"])


def scen_load(r: Recorder, spec: ObjSpec) -> None:
    lo = Loaded(r, spec)
    for p in lo.progs.values():
        r.run(["prog", "show", "pinned", p])
        r.run(["-j", "prog", "show", "pinned", p])
        r.run(["-p", "prog", "show", "pinned", p])
        r.run(["-f", "prog", "show", "pinned", p])
    for p in lo.maps.values():
        r.run(["map", "show", "pinned", p])
        r.run(["-j", "map", "show", "pinned", p])
        r.run(["-p", "map", "show", "pinned", p])
    lo.close()


def scen_xlated(r: Recorder, spec: ObjSpec) -> None:
    lo = Loaded(r, spec)
    for n, p in lo.progs.items():
        r.run(["prog", "dump", "xlated", "pinned", p])
        r.run(["prog", "dump", "xlated", "pinned", p, "opcodes"])
        r.run(["prog", "dump", "xlated", "pinned", p, "linum"])
        r.run(["-j", "prog", "dump", "xlated", "pinned", p])
        r.run(["-p", "prog", "dump", "xlated", "pinned", p, "opcodes"])
        r.run(["-j", "prog", "dump", "xlated", "pinned", p, "linum"])
        r.run(["prog", "dump", "xlated", "pinned", p, "visual"])
        fname = f"xlated-{n}.bin"
        r.run(["prog", "dump", "xlated", "pinned", p, "file", fname], files=[fname])
        r.run(["prog", "dump", "jited", "pinned", p])
    lo.close()


def _ints(value: int, size: int) -> list[str]:
    return [str(b) for b in value.to_bytes(size, "little")]


def map_ops(r: Recorder, path: str, info: dict, hints: dict) -> None:
    """The entry-operation sequence (with its error cases) for one map."""
    t = info["type"]
    ks, vs, n = info["bytes_key"], info["bytes_value"], info["max_entries"]
    un = hints.get("unordered", False)
    if t in ("queue", "stack"):
        v1, v2 = _ints(0x11, vs), _ints(0x22, vs)
        r.run(["map", "peek", "pinned", path])
        r.run(["-j", "map", "pop", "pinned", path])
        r.run(["map", "push", "pinned", path, "value"] + v1)
        r.run(["map", "enqueue", "pinned", path, "value"] + v2)
        r.run(["map", "peek", "pinned", path])
        r.run(["-j", "map", "peek", "pinned", path])
        r.run(["map", "update", "pinned", path, "key", "value"] + v1)
        r.run(["map", "lookup", "pinned", path, "key", "1", "0", "0", "0"])
        r.run(["map", "dump", "pinned", path])
        r.run(["map", "pop", "pinned", path])
        r.run(["map", "dequeue", "pinned", path])
        r.run(["map", "pop", "pinned", path])
        r.run(["map", "push", "pinned", path, "value"] + v1[:-1])
        return
    if t in ID_VALUED or t in ("perf_event_array", "ringbuf"):
        r.run(["map", "dump", "pinned", path], id_values=True)
        r.run(["map", "lookup", "pinned", path, "key"] + _ints(1, ks))
        r.run(["map", "getnext", "pinned", path])
        r.run(["map", "delete", "pinned", path, "key"] + _ints(1, ks))
        return
    k1, k2 = _ints(1, ks), _ints(2, ks)
    koob = _ints(n + 3, ks)
    if t == "lpm_trie":  # {prefixlen, data}: a /24 and a /32 inside it
        k1 = _ints(24, 4) + ["10", "1", "2", "0"] + ["0"] * (ks - 8)
        k2 = _ints(32, 4) + ["10", "1", "2", "3"] + ["0"] * (ks - 8)
        koob = _ints(33, 4) + ["10", "1", "2", "3"] + ["0"] * (ks - 8)
    v1 = _ints(0x2A, vs)
    v2 = _ints(0x0102030405060708 & ((1 << (8 * vs)) - 1), vs)
    r.run(["map", "lookup", "pinned", path, "key"] + k1)
    r.run(["-j", "map", "lookup", "pinned", path, "key"] + k1)
    r.run(["map", "update", "pinned", path, "key"] + k1 + ["value"] + v1 + ["any"])
    r.run(["map", "lookup", "pinned", path, "key"] + k1)
    r.run(["-j", "map", "lookup", "pinned", path, "key"] + k1)
    r.run(["-p", "map", "lookup", "pinned", path, "key"] + k1)
    r.run(["map", "update", "pinned", path, "key"] + k1 + ["value"] + v2 + ["noexist"])
    r.run(["-j", "map", "update", "pinned", path, "key"] + k1 + ["value"] + v2 + ["noexist"])
    r.run(["map", "update", "pinned", path, "key"] + k2 + ["value"] + v2 + ["exist"])
    r.run(["map", "update", "pinned", path, "key"] + koob + ["value"] + v1)
    r.run(["map", "lookup", "pinned", path, "key"] + k1[:-1])
    r.run(["map", "lookup", "pinned", path, "key"] + k1 + ["7"])
    if vs > 1:
        r.run(["map", "update", "pinned", path, "key"] + k1 + ["value"] + v1[:-1])
    r.run(["map", "lookup", "pinned", path, "key", "hex", "zz"] + ["00"] * (ks - 1))
    r.run(["map", "lookup", "pinned", path, "key", "0xzz"] + ["0"] * (ks - 1))
    r.run(["map", "lookup", "pinned", path, "key", "hex"] + ["ff"] * ks)
    r.run(["map", "lookup", "pinned", path, "key", "300"] + ["0"] * (ks - 1))
    r.run(["map", "lookup", "pinned", path, "key"])
    r.run(["map", "update", "pinned", path, "key"] + k1 + ["value"] + v1 + ["sometimes"])
    r.run(["map", "getnext", "pinned", path], order_dependent=un)
    r.run(["map", "getnext", "pinned", path, "key"] + k1, order_dependent=un)
    r.run(["-j", "map", "getnext", "pinned", path, "key"] + k1, order_dependent=un)
    r.run(["map", "getnext", "pinned", path, "key"] + _ints(0x7F7F7F7F & ((1 << (8 * ks)) - 1), ks),
          order_dependent=un)
    if not too_big(info):
        r.run(["map", "dump", "pinned", path], unordered=un)
        r.run(["-j", "map", "dump", "pinned", path], unordered=un)
    r.run(["map", "delete", "pinned", path, "key"] + k1)
    r.run(["map", "delete", "pinned", path, "key"] + k1)
    r.run(["-j", "map", "delete", "pinned", path, "key"] + k2)
    if not too_big(info):
        r.run(["map", "dump", "pinned", path], unordered=un)


def scen_maps(r: Recorder, spec: ObjSpec) -> None:
    lo = Loaded(r, spec)
    for n, p in lo.maps.items():
        h = lo.map_hints(n)
        dump_map(r, lo, n)
        map_ops(r, p, lo.map_info[n], h)
    lo.close()


def scen_run(r: Recorder, spec: ObjSpec) -> None:
    lo = Loaded(r, spec)
    by_path = {p: n for n, p in lo.maps.items()}
    for argv in spec.setup:
        argv = lo.expand(argv)
        hints = {}
        for a in argv:
            if a in by_path and argv[1] in ("dump", "lookup", "getnext"):
                hints = lo.map_hints(by_path[a])
        r.run(argv, **hints)
    progs = spec.run_progs or list(lo.progs)
    for pname in progs:
        p = lo.progs[pname]
        for pkt in PACKET_ORDER:
            f = f"{PKT_REL}/{pkt}.bin"
            r.run(["prog", "run", "pinned", p, "data_in", f, "data_out", "-"])
            r.run(["-j", "prog", "run", "pinned", p, "data_in", f, "data_out", "-"])
    first = lo.progs[progs[0]]
    pkt64 = f"{PKT_REL}/pkt64.bin"
    r.run(["prog", "run", "pinned", first, "data_in", pkt64])
    r.run(["-p", "prog", "run", "pinned", first, "data_in", pkt64, "data_out", "-"])
    r.run(["prog", "run", "pinned", first, "data_in", pkt64, "data_out", "-", "data_size_out", "16"])
    r.run(["-j", "prog", "run", "pinned", first, "data_in", pkt64, "data_out", "-",
           "data_size_out", "16"])
    r.run(["prog", "run", "pinned", first, "data_in", "/nonexistent"])
    r.run(["prog", "run", "pinned", first])
    r.run(["-j", "prog", "run", "pinned", first])
    r.run(["prog", "run", "pinned", first, "data_in", f"{PKT_REL}/pkt10.bin"])
    r.run(["-j", "prog", "run", "pinned", first, "data_in", f"{PKT_REL}/pkt10.bin"])
    if spec.repeat:
        r.run(["prog", "run", "pinned", first, "data_in", pkt64, "repeat", "5"])
        r.run(["-j", "prog", "run", "pinned", first, "data_in", pkt64, "repeat", "5"])
    if spec.ctx_in:
        ctx = f"{PKT_REL}/{spec.ctx_in}.bin"
        r.run(["prog", "run", "pinned", first, "data_in", pkt64, "data_out", "-", "ctx_in", ctx,
               "ctx_out", "-"])
        r.run(["-j", "prog", "run", "pinned", first, "data_in", pkt64, "ctx_in", ctx,
               "ctx_out", "-"])
    for n in lo.maps:
        dump_map(r, lo, n)
    lo.close()


def scen_btf(r: Recorder, spec: ObjSpec) -> None:
    lo = Loaded(r, spec)
    if "BTF_ID" in r.ids:
        bid = str(r.ids["BTF_ID"])
        r.run(["btf", "show", "id", bid])
        r.run(["-j", "btf", "show", "id", bid])
        r.run(["-p", "btf", "show", "id", bid])
        r.run(["btf", "dump", "id", bid])
        r.run(["btf", "dump", "id", bid, "format", "c"])
        r.run(["-j", "btf", "dump", "id", bid])
    for p in lo.progs.values():
        r.run(["btf", "dump", "prog", "pinned", p])
    for p in lo.maps.values():
        r.run(["btf", "dump", "map", "pinned", p])
        r.run(["btf", "dump", "map", "pinned", p, "value"])
        r.run(["btf", "dump", "map", "pinned", p, "kv", "format", "c"])
    lo.close()


SCENARIOS = {"load": scen_load, "xlated": scen_xlated, "maps": scen_maps, "run": scen_run,
             "btf": scen_btf}


# ---------------------------------------------------------------------------------------
# special scenarios (not tied to one loadable object)


def scen_bad(r: Recorder) -> None:
    d = f"{PIN_ROOT}/bad"
    clean_pins(d)
    r.setup("mkdir", d)
    r.run(["prog", "load", "bad.o", f"{d}/bad"])
    r.run(["-j", "prog", "load", "bad.o", f"{d}/bad"])
    r.run(["-p", "prog", "load", "bad.o", f"{d}/bad"])
    r.run(["prog", "loadall", "bad.o", f"{d}/all"])
    r.run(["-d", "prog", "load", "bad.o", f"{d}/bad"])
    clean_pins(d)


def scen_legacy(r: Recorder) -> None:
    d = f"{PIN_ROOT}/xdp_legacy_map"
    clean_pins(d)
    r.setup("mkdir", d)
    r.run(["prog", "load", "xdp_legacy_map.o", f"{d}/prog"])
    r.run(["-m", "prog", "load", "xdp_legacy_map.o", f"{d}/prog"])
    r.run(["--legacy", "prog", "load", "xdp_legacy_map.o", f"{d}/prog"])
    r.run(["-j", "prog", "load", "xdp_legacy_map.o", f"{d}/prog"])
    clean_pins(d)


def scen_load_variants(r: Recorder) -> None:
    """cli-surface 2.1 variants on xdp_count and tc_cls: map reuse, type, bad args."""
    d = f"{PIN_ROOT}/load_variants"
    clean_pins(d)
    r.setup("mkdir", d)
    r.run(["prog", "load", "xdp_count.o", f"{d}/g/xdp_count", "pinmaps", f"{d}/g/maps"])
    r.setup("mkdir", f"{d}/g")
    r.run(["prog", "load", "xdp_count.o", f"{d}/g/xdp_count", "pinmaps", f"{d}/g/maps"])
    r.run(["prog", "load", "xdp_count.o", f"{d}/g/xdp_count", "pinmaps", f"{d}/g/maps"])
    r.run(["prog", "loadall", "xdp_count.o", f"{d}/all2", "type", "xdp", "map", "name", "pkt_cnt",
           "pinned", f"{d}/g/maps/pkt_cnt", "map", "idx", "1", "pinned", f"{d}/g/maps/len_hash"])
    r.run(["-j", "prog", "show", "pinned", f"{d}/all2/xdp_count"])
    r.run(["-j", "prog", "show", "pinned", f"{d}/g/xdp_count"])
    r.run(["prog", "load", "xdp_count.o", f"{d}/reuse2", "map", "name", "nosuchmap", "pinned",
           f"{d}/x"])
    r.run(["prog", "load", "xdp_count.o", f"{d}/t3", "type", "frob"])
    r.run(["prog", "load", "tc_cls.o"])
    r.run(["prog", "load", "tc_cls.o", f"{d}/tc_mark"])
    r.run(["prog", "load", "tc_cls.o", f"{d}/tc_mark"])
    r.run(["prog", "load", "tc_cls.o", f"{d}/tc_mark2", "type", "xdp"])
    r.run(["prog", "load", "xdp_tail_call.o", f"{d}/first"])
    r.run(["prog", "show", "pinned", f"{d}/first"])
    r.run(["prog", "load", "nosuch.o", f"{d}/nosuch"])
    r.run(["prog", "load", "Makefile", f"{d}/notelf"])
    r.run(["prog", "load", "xdp_count.o", f"{d}/extra", "frob"])
    r.run(["prog", "show", "pinned", f"{d}/g/maps/pkt_cnt"])
    r.run(["map", "show", "pinned", f"{d}/g/xdp_count"])
    r.run(["prog", "show", "pinned", f"{d}/nope"])
    r.run(["-j", "prog", "show", "pinned", f"{d}/nope"])
    clean_pins(d)


def scen_pins(r: Recorder) -> None:
    d = f"{PIN_ROOT}/pins"
    clean_pins(d)
    r.setup("mkdir", d)
    r.run(["map", "create", f"{d}/x", "type", "hash", "key", "4", "value", "8", "entries", "16",
           "name", "x"])
    r.run(["map", "create", f"{d}/x", "type", "hash", "key", "4", "value", "8", "entries", "16",
           "name", "x"])
    r.run(["map", "pin", "pinned", f"{d}/x", f"{d}/x"])
    r.run(["map", "pin", "pinned", f"{d}/x", f"{d}/a.b"])
    r.run(["map", "pin", "pinned", f"{d}/x", f"{d}/y"])
    r.run(["map", "pin", "pinned", f"{d}/x", f"{d}/missing/sub/z"])
    r.run(["-f", "map", "show", "pinned", f"{d}/x"])
    r.run(["-j", "-f", "map", "show", "pinned", f"{d}/x"])
    r.run(["map", "create", f"{d}/dot.map", "type", "array", "key", "4", "value", "4", "entries",
           "1", "name", "dot"])
    r.run(["map", "create", f"{d}/nodir/m", "type", "array", "key", "4", "value", "4", "entries",
           "1", "name", "m"])
    r.run(["prog", "load", "xdp_pass.o", f"{d}/p"])
    r.run(["prog", "load", "xdp_pass.o", f"{d}/p.x"])
    r.run(["prog", "load", "xdp_pass.o", f"{d}/x"])
    r.run(["prog", "load", "xdp_pass.o", f"{d}/nodir/p"])
    r.run(["prog", "loadall", "xdp_tail_call.o", f"{d}/nodir/deeper"])
    r.run(["prog", "pin", "pinned", f"{d}/p", f"{d}/p"])
    r.run(["prog", "pin", "pinned", f"{d}/p", f"{d}/p2"])
    r.run(["prog", "pin", "pinned", f"{d}/p", f"{d}/p.2"])
    r.run(["prog", "pin", "pinned", f"{d}/x", f"{d}/p3"])
    r.run(["-f", "prog", "show", "pinned", f"{d}/p"])
    r.run(["-j", "-f", "prog", "show", "pinned", f"{d}/p"])
    r.run(["prog", "show", "pinned", f"{d}/x"])
    r.run(["map", "show", "pinned", f"{d}/p"])
    r.run(["map", "show", "pinned", f"{d}/nope"])
    r.run(["-j", "map", "show", "pinned", f"{d}/nope"])
    clean_pins(d)


# map create: (type, key, value, entries, flags or None); names are m<index>
CREATE = [
    ("hash", 4, 8, 16, None), ("hash", 8, 16, 1, None), ("hash", 16, 4, 1024, None),
    ("hash", 1, 1, 3, None), ("hash", 4, 256, 100, None), ("hash", 4, 8, 16, "1"),
    ("array", 4, 8, 4, None), ("array", 4, 4, 2, None), ("array", 4, 1, 1, None),
    ("array", 4, 64, 1000, None), ("array", 4, 4096, 10, None), ("array", 4, 8, 4, "1024"),
    ("array", 8, 8, 4, None),
    ("percpu_hash", 4, 8, 16, None), ("percpu_hash", 8, 24, 64, None),
    ("percpu_array", 4, 8, 4, None), ("percpu_array", 4, 16, 256, None),
    ("lru_hash", 4, 8, 16, None), ("lru_hash", 8, 8, 1024, None),
    ("lru_percpu_hash", 4, 8, 16, None), ("lru_percpu_hash", 16, 8, 128, None),
    ("lpm_trie", 8, 4, 16, "1"), ("lpm_trie", 20, 8, 100, "1"), ("lpm_trie", 8, 4, 16, None),
    ("prog_array", 4, 4, 4, None), ("prog_array", 4, 4, 64, None), ("prog_array", 4, 8, 4, None),
    ("queue", 0, 4, 8, None), ("queue", 0, 16, 1, None), ("queue", 4, 4, 8, None),
    ("stack", 0, 8, 4, None), ("stack", 0, 4, 100, None),
    ("devmap", 4, 4, 8, None), ("devmap_hash", 4, 4, 8, None), ("cpumap", 4, 4, 2, None),
    ("ringbuf", 0, 0, 4096, None), ("bloom_filter", 0, 4, 100, None),
    ("perf_event_array", 4, 4, 2, None), ("array_of_maps", 4, 4, 4, None),
]

OPS_ON = {"hash", "array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash",
          "lpm_trie", "queue", "stack", "prog_array", "devmap"}


def scen_map_create(r: Recorder) -> None:
    d = f"{PIN_ROOT}/map_create"
    clean_pins(d)
    r.setup("mkdir", d)
    done_ops: set[str] = set()
    for i, (t, k, v, n, flags) in enumerate(CREATE):
        path = f"{d}/m{i}"
        argv = ["map", "create", path, "type", t, "key", str(k), "value", str(v), "entries", str(n),
                "name", f"m{i}"]
        if flags:
            argv += ["flags", flags]
        rec = r.run(argv)
        if rec["exit"] != 0:
            continue
        r.run(["map", "show", "pinned", path])
        r.run(["-j", "map", "show", "pinned", path])
        if t in OPS_ON and t not in done_ops:
            done_ops.add(t)
            info = r.json_of(["map", "show", "pinned", path])
            map_ops(r, path, info, {"unordered": t in HASHLIKE})
        elif t != "ringbuf" and not too_big({"type": t, "max_entries": n}):
            r.run(["map", "dump", "pinned", path], unordered=t in HASHLIKE)
    # argument errors
    r.run(["map", "create", f"{d}/e1", "type", "hash", "key", "4", "value", "8", "entries", "16"])
    r.run(["map", "create", f"{d}/e2", "type", "frob", "key", "4", "value", "8", "entries", "16",
           "name", "e2"])
    r.run(["map", "create", f"{d}/e3", "type", "hash", "key", "0", "value", "8", "entries", "16",
           "name", "e3"])
    r.run(["map", "create", f"{d}/e4", "type", "array", "key", "8", "value", "8", "entries", "0",
           "name", "e4"])
    r.run(["map", "create", f"{d}/e5", "type", "hash", "key", "4", "value", "8", "entries", "16",
           "name", "a_name_that_is_too_long"])
    r.run(["-f", "map", "show", "pinned", f"{d}/e5"])
    r.run(["map", "create", f"{d}/e6", "type", "hash_of_maps", "key", "4", "value", "4", "entries",
           "4", "name", "e6"])
    r.run(["map", "create", f"{d}/e7", "type", "hash_of_maps", "key", "4", "value", "4", "entries",
           "4", "name", "e7", "inner_map", "pinned", f"{d}/m0"])
    r.run(["map", "show", "pinned", f"{d}/e7"])
    r.run(["-j", "map", "show", "pinned", f"{d}/e7"])
    r.run(["map", "update", "pinned", f"{d}/e7", "key", "1", "0", "0", "0", "value", "pinned",
           f"{d}/m0"])
    r.run(["map", "dump", "pinned", f"{d}/e7"], id_values=True)
    r.run(["map", "create", f"{d}/e8", "type", "hash", "key", "4", "value", "8", "entries", "16",
           "name", "e8", "frob"])
    clean_pins(d)


def scen_freeze(r: Recorder) -> None:
    d = f"{PIN_ROOT}/freeze"
    clean_pins(d)
    r.setup("mkdir", d)
    for name, t in (("fz", "array"), ("fh", "hash")):
        p = f"{d}/{name}"
        r.run(["map", "create", p, "type", t, "key", "4", "value", "4", "entries", "2",
               "name", name])
        r.run(["map", "update", "pinned", p, "key", "0", "0", "0", "0", "value", "7", "0", "0", "0"])
        r.run(["map", "freeze", "pinned", p])
        r.run(["map", "show", "pinned", p])
        r.run(["-j", "map", "show", "pinned", p])
        r.run(["map", "update", "pinned", p, "key", "0", "0", "0", "0", "value", "1", "0", "0", "0"])
        r.run(["map", "update", "pinned", p, "key", "1", "0", "0", "0", "value", "1", "0", "0", "0"])
        r.run(["map", "delete", "pinned", p, "key", "0", "0", "0", "0"])
        r.run(["map", "lookup", "pinned", p, "key", "0", "0", "0", "0"])
        r.run(["map", "dump", "pinned", p])
        r.run(["map", "freeze", "pinned", p])
    r.run(["map", "freeze", "pinned", f"{d}/nope"])
    r.run(["map", "freeze"])
    clean_pins(d)


SPECIAL = {"bad": scen_bad, "xdp_legacy_map": scen_legacy, "load_variants": scen_load_variants,
           "pins": scen_pins, "map_create": scen_map_create, "freeze": scen_freeze}


# ---------------------------------------------------------------------------------------
# xlated-only corpora (step 4): tests/progs/ctx/*.o and tests/progs/maps/*.o


def scen_xlated_only(r: Recorder, obj: str) -> None:
    name = Path(obj).stem
    d = f"{PIN_ROOT}/x_{name}"
    clean_pins(d)
    r.setup("mkdir", d)
    rec = r.run(["prog", "loadall", obj, f"{d}/progs", "pinmaps", f"{d}/maps"])
    if rec["exit"] == 0:
        for pn in sorted(os.listdir(f"{d}/progs")):
            p = f"{d}/progs/{pn}"
            r.run(["prog", "show", "pinned", p])
            r.run(["prog", "dump", "xlated", "pinned", p])
            r.run(["prog", "dump", "xlated", "pinned", p, "opcodes"])
    clean_pins(d)


# ---------------------------------------------------------------------------------------


def environment() -> dict:
    def out(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {"kernel": platform.release(), "bpftool": out("bpftool", "version").splitlines()[0:2],
            "clang": out("clang", "--version").splitlines()[0:1], "nr_cpus": os.cpu_count(),
            "cpu_affinity_for_runs": 0}


def write(out_dir: Path, group: str, scenario: str, r: Recorder, objfile: str | None) -> Path:
    path = out_dir / group / f"{scenario}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"format": FORMAT, "object": objfile, "scenario": scenario, "cwd": "tests/progs",
           "pin_root": PIN_ROOT, "environment": environment(), "records": r.records}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    return path


def record_object(spec: ObjSpec, out_dir: Path, bpftool: str = "bpftool",
                  scenarios: list[str] | None = None) -> list[Path]:
    written = []
    for scen in scenarios or list(SCENARIOS):
        r = Recorder(bpftool)
        try:
            SCENARIOS[scen](r, spec)
        finally:
            clean_pins(f"{PIN_ROOT}/{spec.name}")
        written.append(write(out_dir, spec.name, scen, r, f"{spec.name}.o"))
    try:
        os.rmdir(PIN_ROOT)  # only if nothing else is pinned there
    except OSError:
        pass
    return written


def record_all(out_dir: Path, bpftool: str = "bpftool", only: list[str] | None = None) -> None:
    os.makedirs(PIN_ROOT, exist_ok=True)
    try:
        for spec in OBJECTS:
            if only and spec.name not in only:
                continue
            print(f"recording {spec.name}", file=sys.stderr)
            record_object(spec, out_dir, bpftool)
        for name, fn in SPECIAL.items():
            if only and name not in only:
                continue
            print(f"recording {name}", file=sys.stderr)
            r = Recorder(bpftool)
            fn(r)
            obj = {"bad": "bad.o", "xdp_legacy_map": "xdp_legacy_map.o"}.get(name)
            write(out_dir, name if name not in ("pins", "map_create", "freeze", "load_variants")
                  else "misc", name, r, obj)
        for group, sub in (("ctx_access", "ctx"), ("map_xlated", "maps")):
            for obj in sorted((PROGS / sub).glob("*.o")):
                if only and group not in only and obj.stem not in only:
                    continue
                print(f"recording {group}/{obj.stem}", file=sys.stderr)
                r = Recorder(bpftool)
                scen_xlated_only(r, f"{sub}/{obj.name}")
                write(out_dir, group, obj.stem, r, f"{sub}/{obj.name}")
    finally:
        subprocess.run(["rm", "-rf", PIN_ROOT], check=False)


# ---------------------------------------------------------------------------------------
# comparison of two recordings (used to check stability and by the realkernel test)


def comparable(rec: dict, hints: dict | None = None) -> dict | None:
    """What must match between two recordings of one command: normalised output,
    compared as a set where the record's `compare` hints say the order is not defined."""
    if "setup" in rec:
        return rec
    out = normalize(rec["stdout"])
    err = normalize(rec["stderr"])
    hints = hints if hints is not None else rec.get("compare", {})
    if hints.get("unordered"):
        out = "\n".join(_norm.unordered_entries(out))
    code = rec["exit"]
    if hints.get("pinned_unordered") or "-f" in rec["argv"]:
        out = _norm.sort_pinned(out)
    if hints.get("order_dependent"):
        out, err, code = "<order dependent>", "", None
    if hints.get("id_values"):
        out = "<id dependent>"
    return {"argv": rec.get("argv_norm", rec["argv"]), "exit": code, "stdout": out,
            "stderr": err,
            "files": {f: normalize_insns(bytes.fromhex(h)).hex() if h else None
                      for f, h in (rec.get("files") or {}).items()}}


def compare_files(a: Path, b: Path) -> list[str]:
    da, db = json.loads(a.read_text()), json.loads(b.read_text())
    diffs = []
    ra, rb = da["records"], db["records"]
    if len(ra) != len(rb):
        diffs.append(f"{a.name}: {len(ra)} vs {len(rb)} records")
    for i, (x, y) in enumerate(zip(ra, rb, strict=False)):
        hints = {**x.get("compare", {}), **y.get("compare", {})}
        cx, cy = comparable(x, hints), comparable(y, hints)
        if cx != cy:
            diffs.append(f"{a.parent.name}/{a.name}[{i}] {' '.join(x.get('argv', [x.get('setup', '')]))}")
    return diffs


def compare_dirs(a: Path, b: Path) -> list[str]:
    diffs = []
    for fa in sorted(a.rglob("*.json")):
        rel = fa.relative_to(a)
        fb = b / rel
        if rel.parts[0] == "packets":
            continue
        if not fb.exists():
            diffs.append(f"missing {rel}")
            continue
        diffs += compare_files(fa, fb)
    return diffs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures")
    ap.add_argument("--only", nargs="*", help="object names / special scenario names")
    ap.add_argument("--bpftool", default="bpftool")
    ap.add_argument("--compare", type=Path, metavar="DIR",
                    help="after recording, compare normalised output with DIR (exit 1 on diffs)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("record.py: needs root (bpf(), bpffs)", file=sys.stderr)
        return 2
    if not shutil.which(args.bpftool):
        print(f"record.py: {args.bpftool} not found", file=sys.stderr)
        return 2
    if not os.path.ismount("/sys/fs/bpf"):
        print("record.py: bpffs is not mounted at /sys/fs/bpf", file=sys.stderr)
        return 2
    record_all(args.out, args.bpftool, args.only)
    if args.compare:
        diffs = compare_dirs(args.compare, args.out)
        for d in diffs:
            print(d)
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    _ = tempfile  # (kept for callers that record into a temporary directory)
    sys.exit(main())
