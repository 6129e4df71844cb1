"""Record what helper calls look like after the 6.18 verifier's fixups (bpftool dump xlated).

Run as root on the oracle machine:

    .venv/bin/python tests/oracle/helpers_probe/probe_xlated.py

Writes tests/fixtures/helpers/:

* ``kallsyms.json``: ``__bpf_call_base`` and, for every implementing symbol named by the
  helper table (all per-type variants) and every map-ops symbol seen in a dump, its address
  minus ``__bpf_call_base`` (the imm the verifier writes into a fixed-up call).  Absolute
  addresses are not kept (KASLR makes them differ per boot; the differences do not).
* ``xlated/<case>.txt``: ``bpftool prog dump xlated id N`` of one real program per case,
  with the program id replaced by ``ID`` and map ids by ``MAPID``.
* ``xlated/cases.json``: per case the program type, the maps (type, key/value size,
  max_entries, flags), the loaded instructions (hex, 8 bytes each), and either the xlated
  file name or the verifier's rejection (errno and last log line).

Cases: every map helper (lookup/update/delete/push/pop/peek/redirect_map/for_each/
lookup_percpu) against every map type of interest, tail calls with a constant and a variable
index, a bpf-to-bpf call, and the plain helpers the x86-64 verifier may inline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[2]))

import bpfsys as b  # noqa: E402

OUT = HERE.parents[1] / "fixtures" / "helpers"

# map types (uapi numbers) with the attributes the cases use
MAPS: dict[str, dict] = {
    "array": dict(type=2, key=4, value=8, max=4),
    "hash": dict(type=1, key=4, value=8, max=4),
    "percpu_array": dict(type=6, key=4, value=8, max=4),
    "percpu_hash": dict(type=5, key=4, value=8, max=4),
    "lru_hash": dict(type=9, key=4, value=8, max=4),
    "lru_percpu_hash": dict(type=10, key=4, value=8, max=4),
    "lpm_trie": dict(type=11, key=8, value=8, max=4, flags=1),  # BPF_F_NO_PREALLOC
    "prog_array": dict(type=3, key=4, value=4, max=4),
    "queue": dict(type=22, key=0, value=8, max=4),
    "stack": dict(type=23, key=0, value=8, max=4),
    "devmap": dict(type=14, key=4, value=4, max=4),
    "devmap_hash": dict(type=25, key=4, value=4, max=4),
    "cpumap": dict(type=16, key=4, value=4, max=2),
    "xskmap": dict(type=17, key=4, value=4, max=4),
    "array_of_maps": dict(type=12, key=4, value=4, max=4, inner="array"),
    "hash_of_maps": dict(type=13, key=4, value=4, max=4, inner="array"),
    "perf_event_array": dict(type=4, key=4, value=4, max=2),
    "ringbuf": dict(type=27, key=0, value=0, max=4096),
}
# extra shapes for the inlined lookups (key/value sizes change the constants)
SHAPES: dict[str, dict] = {
    "hash_k16": dict(type=1, key=16, value=8, max=4),
    "lru_hash_k12": dict(type=9, key=12, value=8, max=4),
    "percpu_hash_k16": dict(type=5, key=16, value=8, max=4),
    "array_v12": dict(type=2, key=4, value=12, max=7),
    "array_v24": dict(type=2, key=4, value=24, max=5),
    "percpu_array_v24": dict(type=6, key=4, value=24, max=5),
}
MAPS_ALL = {**MAPS, **SHAPES}

XDP, SCHED_CLS = 6, 3
HELPER_IDS = {
    "map_lookup_elem": 1,
    "map_update_elem": 2,
    "map_delete_elem": 3,
    "map_push_elem": 87,
    "map_pop_elem": 88,
    "map_peek_elem": 89,
    "redirect_map": 51,
    "for_each_map_elem": 164,
    "map_lookup_percpu_elem": 195,
}


@dataclass
class Case:
    name: str
    prog_type: int
    code: bytes
    maps: list[str] = field(default_factory=list)  # map names, fds patched in by position
    subprog: int = 0  # insn index of a callback/subprogram (0: none); gets BTF func_info


def kallsyms() -> dict[str, int]:
    syms: dict[str, int] = {}
    with open("/proc/kallsyms") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1].lower() == "t":
                syms.setdefault(parts[2], int(parts[0], 16))
    return syms


def create_map(name: str, fds: dict[str, int]) -> int:
    m = MAPS_ALL[name]
    inner = 0
    if "inner" in m:
        inner = create_map(m["inner"], fds)
    fd = b.map_create(
        m["type"], m["key"], m["value"], m["max"], map_flags=m.get("flags", 0), inner_map_fd=inner
    )
    if fd < 0:
        raise OSError(-fd, f"map_create {name}")
    if "inner" in m:
        os.close(inner)
    return fd


# ------------------------------------------------------------------ program pieces

R0, R1, R2, R3, R4, R5, R6, R10 = 0, 1, 2, 3, 4, 5, 6, 10
MAP_SLOT = "MAP{}"  # placeholder: ld_map_fd with fd = -(index+1), patched at load time


def map_ref(dst: int, index: int) -> bytes:
    return b.ld_map_fd(dst, -(index + 1))


def patch_maps(code: bytes, fds: list[int]) -> bytes:
    out = bytearray(code)
    for off in range(0, len(out), 8):
        if out[off] == 0x18 and (out[off + 1] >> 4) in (1, 2):
            imm = int.from_bytes(out[off + 4 : off + 8], "little", signed=True)
            if imm < 0:
                out[off + 4 : off + 8] = fds[-imm - 1].to_bytes(4, "little", signed=True)
    return bytes(out)


def prologue() -> bytes:
    """r6 = ctx; fp-32 .. fp-1 zeroed: keys at fp-32 (up to 32 bytes), values at fp-16."""
    return b.mov64_reg(R6, R1) + b"".join(b.st_dw(R10, off, 0) for off in (-8, -16, -24, -32))


KEY = -32


def stack_ptr(dst: int, off: int) -> bytes:
    return b.mov64_reg(dst, R10) + b.add64_imm(dst, off)


def epilogue(ret: int = 2) -> bytes:
    return b.mov64_imm(R0, ret) + b.exit_()


def callback() -> bytes:
    return b.mov64_imm(R0, 0) + b.exit_()


def map_helper_case(helper: str, map_name: str) -> Case:
    hid = HELPER_IDS[helper]
    code = prologue() + map_ref(R1, 0)
    tail = b""
    if helper in ("map_lookup_elem", "map_delete_elem"):
        code += stack_ptr(R2, KEY)
    elif helper == "map_update_elem":
        code += stack_ptr(R2, KEY) + stack_ptr(R3, -16) + b.mov64_imm(R4, 0)
    elif helper == "map_push_elem":
        code += stack_ptr(R2, -16) + b.mov64_imm(R3, 0)
    elif helper in ("map_pop_elem", "map_peek_elem"):
        code += stack_ptr(R2, -16)
    elif helper == "redirect_map":
        code += b.mov64_imm(R2, 0) + b.mov64_imm(R3, 0)
    elif helper == "map_lookup_percpu_elem":
        code += stack_ptr(R2, KEY) + b.mov64_imm(R3, 0)
    elif helper == "for_each_map_elem":
        # r2 = callback (pseudo func), r3 = NULL ctx, r4 = 0 flags
        code, tail = with_callback(code, b.mov64_imm(R3, 0) + b.mov64_imm(R4, 0), hid)
        return Case(f"{helper}.{map_name}", SCHED_CLS, code + tail, [map_name], subprog=len(code) // 8)
    code += b.call(hid) + epilogue()
    ptype = (
        XDP
        if helper == "redirect_map" or map_name in ("xskmap", "cpumap", "devmap", "devmap_hash")
        else SCHED_CLS
    )
    return Case(f"{helper}.{map_name}", ptype, code, [map_name])


def with_callback(code: bytes, after: bytes, hid: int, reg: int = R2) -> tuple[bytes, bytes]:
    """code + ``reg = callback`` + after + call + epilogue; returns (main, callback)."""
    ld_at = len(code) // 8
    main_len = ld_at + 2 + len(after) // 8 + 1 + 2
    main = code + b.ld_func(reg, main_len - ld_at - 1) + after + b.call(hid) + epilogue()
    assert len(main) // 8 == main_len
    return main, callback()


def simple_call(name: str, hid: int, ptype: int, setup: bytes = b"", maps: list[str] | None = None) -> Case:
    return Case(name, ptype, prologue() + setup + b.call(hid) + epilogue(), maps or [])


def cases() -> list[Case]:
    out: list[Case] = []
    for helper in HELPER_IDS:
        for m in MAPS:
            out.append(map_helper_case(helper, m))
    for m in SHAPES:
        out.append(map_helper_case("map_lookup_elem", m))
    # tail calls: constant index (direct poke) and variable index
    out.append(
        Case(
            "tail_call.const_index",
            SCHED_CLS,
            prologue() + b.mov64_reg(R1, R6) + map_ref(R2, 0) + b.mov64_imm(R3, 1) + b.call(12) + epilogue(0),
            ["prog_array"],
        )
    )
    out.append(
        Case(
            "tail_call.var_index",
            SCHED_CLS,
            prologue()
            + b.call(7)
            + b.mov64_reg(R3, R0)
            + b.mov64_reg(R1, R6)
            + map_ref(R2, 0)
            + b.call(12)
            + epilogue(0),
            ["prog_array"],
        )
    )
    # bpf-to-bpf call
    body = prologue() + b.call_pc(2) + epilogue()  # call the subprog right after exit
    out.append(Case("bpf2bpf_call", XDP, body + b.mov64_imm(R0, 2) + b.exit_()))
    out.append(Case("bpf2bpf_call.btf", XDP, body + b.mov64_imm(R0, 2) + b.exit_(), subprog=len(body) // 8))
    # plain helpers, in xdp and in tc
    for ptype, tname in ((XDP, "xdp"), (SCHED_CLS, "sched_cls")):
        out.append(simple_call(f"get_smp_processor_id.{tname}", 8, ptype))
        out.append(simple_call(f"jiffies64.{tname}", 118, ptype))
        out.append(simple_call(f"ktime_get_ns.{tname}", 5, ptype))
        out.append(simple_call(f"ktime_get_boot_ns.{tname}", 125, ptype))
        out.append(simple_call(f"ktime_get_coarse_ns.{tname}", 160, ptype))
        out.append(simple_call(f"get_prandom_u32.{tname}", 7, ptype))
        out.append(simple_call(f"get_numa_node_id.{tname}", 42, ptype))
        out.append(simple_call(f"get_current_pid_tgid.{tname}", 14, ptype))
        out.append(simple_call(f"get_current_task.{tname}", 35, ptype))
        out.append(simple_call(f"get_current_task_btf.{tname}", 158, ptype))
        out.append(simple_call(f"redirect.{tname}", 23, ptype, b.mov64_imm(R1, 1) + b.mov64_imm(R2, 0)))
        out.append(
            simple_call(
                f"perf_event_output.{tname}",
                25,
                ptype,
                b.mov64_reg(R1, R6)
                + map_ref(R2, 0)
                + b.insn(0x18, R3, 0, 0, -1)
                + b.insn(0, 0, 0, 0, 0)  # r3 = BPF_F_CURRENT_CPU (0xffffffff)
                + stack_ptr(R4, -8)
                + b.mov64_imm(R5, 8),
                ["perf_event_array"],
            )
        )
        out.append(
            simple_call(
                f"csum_diff.{tname}",
                28,
                ptype,
                stack_ptr(R1, -8)
                + b.mov64_imm(R2, 8)
                + b.mov64_imm(R3, 0)
                + b.mov64_imm(R4, 0)
                + b.mov64_imm(R5, 0),
            )
        )
        out.append(simple_call(f"get_cgroup_classid.{tname}", 17, ptype, b.mov64_reg(R1, R6)))
        # bpf_loop: inlined when the callback is known and flags is 0
        main, cb = with_callback(
            prologue() + b.mov64_imm(R1, 4), b.mov64_imm(R3, 0) + b.mov64_imm(R4, 0), 181
        )
        out.append(Case(f"loop.{tname}", ptype, main + cb, subprog=len(main) // 8))
    out.append(simple_call("xdp_adjust_head.xdp", 44, XDP, b.mov64_reg(R1, R6) + b.mov64_imm(R2, 0)))
    out.append(simple_call("xdp_adjust_tail.xdp", 65, XDP, b.mov64_reg(R1, R6) + b.mov64_imm(R2, 0)))
    out.append(simple_call("xdp_adjust_meta.xdp", 54, XDP, b.mov64_reg(R1, R6) + b.mov64_imm(R2, 0)))
    out.append(
        simple_call("redirect_peer.sched_cls", 155, SCHED_CLS, b.mov64_imm(R1, 1) + b.mov64_imm(R2, 0))
    )
    out.append(
        simple_call(
            "skb_store_bytes.sched_cls",
            9,
            SCHED_CLS,
            b.mov64_reg(R1, R6)
            + b.mov64_imm(R2, 0)
            + stack_ptr(R3, -8)
            + b.mov64_imm(R4, 8)
            + b.mov64_imm(R5, 0),
        )
    )
    out.append(
        simple_call(
            "skb_load_bytes.sched_cls",
            26,
            SCHED_CLS,
            b.mov64_reg(R1, R6) + b.mov64_imm(R2, 0) + stack_ptr(R3, -8) + b.mov64_imm(R4, 8),
        )
    )
    out.append(
        simple_call(
            "l3_csum_replace.sched_cls",
            10,
            SCHED_CLS,
            b.mov64_reg(R1, R6)
            + b.mov64_imm(R2, 0)
            + b.mov64_imm(R3, 0)
            + b.mov64_imm(R4, 0)
            + b.mov64_imm(R5, 2),
        )
    )
    return out


def sanitize_ids(raw: bytes) -> bytes:
    """Zero the map ids the kernel reports in ld_imm64 map loads (they differ per run)."""
    out = bytearray(raw)
    for off in range(0, len(out) - 8, 8):
        if out[off] == 0x18 and (out[off + 1] >> 4) in (1, 2):
            out[off + 4 : off + 8] = bytes(4)
    return bytes(out)


def dump_xlated(fd: int) -> str:
    prog_id, _ = b.prog_info(fd)
    out = subprocess.run(
        ["bpftool", "prog", "dump", "xlated", "id", str(prog_id)], capture_output=True, text=True, check=True
    ).stdout
    return out


def map_ids_of(fd: int) -> list[int]:
    prog_id, _ = b.prog_info(fd)
    js = subprocess.run(
        ["bpftool", "-j", "prog", "show", "id", str(prog_id)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(js).get("map_ids", [])


CALL_RE = re.compile(r"call ([A-Za-z_0-9.]+)#(-?\d+)")


def main() -> None:
    xdir = OUT / "xlated"
    xdir.mkdir(parents=True, exist_ok=True)
    for old in xdir.glob("*.txt"):
        old.unlink()
    syms = kallsyms()
    base = syms["__bpf_call_base"]
    manifest: dict[str, dict] = {}
    seen_calls: dict[str, int] = {}
    for case in cases():
        fds = [create_map(m, {}) for m in case.maps]
        code = patch_maps(case.code, fds)
        btf_fd, finfo = 0, None
        if case.subprog:
            btf_fd = b.btf_load(b.funcs_btf(["main", "cb"]))
            assert btf_fd >= 0, btf_fd
            finfo = [(0, 3), (case.subprog, 4)]
        res = b.prog_load(case.prog_type, code, license="GPL", log_level=1, btf_fd=btf_fd, func_info=finfo)
        if btf_fd > 0:
            os.close(btf_fd)
        entry: dict = {
            "prog_type": case.prog_type,
            "maps": [dict(name=m, **{k: v for k, v in MAPS_ALL[m].items()}) for m in case.maps],
            "insns": case.code.hex(),
        }
        if res.ok:
            text = dump_xlated(res.fd)
            mids = map_ids_of(res.fd)
            prog_id, _ = b.prog_info(res.fd)
            for mid in sorted(mids, reverse=True):
                text = text.replace(f"map[id:{mid}]", "map[id:MAPID]")
            fname = case.name + ".txt"
            (xdir / fname).write_text(text)
            entry["xlated"] = fname
            entry["xlated_insns"] = sanitize_ids(b.prog_info(res.fd, want_xlated=True)[1]).hex()
            for sym, imm in CALL_RE.findall(text):
                seen_calls[sym] = int(imm)
        else:
            lines = [ln for ln in res.log.splitlines() if ln.strip() and not ln.startswith("processed ")]
            entry["rejected"] = {"errno": -res.fd, "log": lines[-1] if lines else ""}
        res.close()
        for fd in fds:
            os.close(fd)
        manifest[case.name] = entry
        print(case.name, "ok" if "xlated" in entry else entry["rejected"], file=sys.stderr)
    (xdir / "cases.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")

    # symbol offsets: every func of the helper table plus every call target seen
    from pykernel.uapi import helpers as H

    wanted = set(seen_calls)
    for h in H.HELPERS:
        for p in [h.proto] + [p for _, p in h.variants]:
            if p is not None and p.func:
                wanted.add(p.func)
    offsets = {s: syms[s] - base for s in sorted(wanted) if s in syms}
    missing = sorted(s for s in wanted if s not in syms)
    for sym, imm in seen_calls.items():
        if sym in offsets:
            assert offsets[sym] == imm, (sym, offsets[sym], imm)
    data = {
        "kernel": b.kernel_release(),
        "note": "symbol address minus __bpf_call_base, from /proc/kallsyms of the oracle kernel",
        "offsets": offsets,
        "not_in_kallsyms": missing,
        "seen_in_xlated": dict(sorted(seen_calls.items())),
    }
    (OUT / "kallsyms.json").write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
    print(f"{len(manifest)} cases, {len(offsets)} symbols, missing {missing}", file=sys.stderr)


if __name__ == "__main__":
    main()
