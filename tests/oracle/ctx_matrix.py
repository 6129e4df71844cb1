#!/usr/bin/env python3
"""Which context accesses does the real 6.18 verifier accept, and what does it turn them into?

    python tests/oracle/ctx_matrix.py [--out DIR]      (root; default DIR tests/fixtures/ctx_access)

For each program type (xdp, sched_cls, cgroup_skb ingress and egress, socket_filter) and
each access — read (`rX = *(uN *)(r1 +off)`) or write (`*(uN *)(r1 +off) = rX`) of size
1, 2, 4, 8 at every aligned offset of the context struct, plus one past its end and a
few misaligned ones — this loads a three-instruction program straight through bpf(2)
(no libbpf, so nothing but the access is in the program) and records whether the
verifier accepts it, with errno and the verifier log when it does not; when it does,
the program is pinned and `bpftool prog dump xlated` (plain and opcodes) records the
kernel's rewrite of the access. One JSON file per program type: matrix_<type>.json.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from normalize import normalize  # noqa: E402
from vmlinux_btf import Btf  # noqa: E402

REPO = HERE.parents[1]
PIN_DIR = "/sys/fs/bpf/pybpf-oracle/ctx"
SYS_bpf = 321  # x86_64
BPF_PROG_LOAD, BPF_OBJ_PIN = 5, 6

# (fixture name, prog_type number, bpftool type name, expected_attach_type, ctx struct)
PROG_TYPES = [
    ("xdp", 6, "xdp", 0, "xdp_md"),
    ("xdp_devmap", 6, "xdp", 33, "xdp_md"),  # expected_attach_type BPF_XDP_DEVMAP
    ("sched_cls", 3, "sched_cls", 0, "__sk_buff"),
    ("cgroup_skb_ingress", 8, "cgroup_skb", 0, "__sk_buff"),
    ("cgroup_skb_egress", 8, "cgroup_skb", 1, "__sk_buff"),
    ("socket_filter", 1, "socket_filter", 0, "__sk_buff"),
]

SIZE_CODE = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}  # BPF_B, BPF_H, BPF_W, BPF_DW
SIZE_NAME = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.syscall.restype = ctypes.c_long


def insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def program(op: str, off: int, size: int) -> bytes:
    if op == "read":
        body = insn(0x61 | SIZE_CODE[size], dst=2, src=1, off=off)          # LDX MEM
    else:
        body = insn(0xB7, dst=2, imm=1) + insn(0x63 | SIZE_CODE[size], dst=1, src=2, off=off)
    return body + insn(0xB7, dst=0, imm=0) + insn(0x95)                      # r0 = 0; exit


def bpf(cmd: int, attr: ctypes.Array) -> tuple[int, int]:
    r = _libc.syscall(SYS_bpf, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    return r, (ctypes.get_errno() if r < 0 else 0)


def prog_load(prog_type: int, attach: int, code: bytes, name: str) -> tuple[int, int, str]:
    insns = ctypes.create_string_buffer(code, len(code))
    lic = ctypes.create_string_buffer(b"GPL")
    log = ctypes.create_string_buffer(65536)
    attr = (ctypes.c_ubyte * 160)()
    struct.pack_into("<IIQQIIQ", attr, 0, prog_type, len(code) // 8,
                     ctypes.addressof(insns), ctypes.addressof(lic), 1, len(log),
                     ctypes.addressof(log))
    attr[48:48 + len(name)] = name.encode()
    struct.pack_into("<I", attr, 68, attach)
    fd, err = bpf(BPF_PROG_LOAD, attr)
    return fd, err, log.value.decode(errors="replace")


def obj_pin(fd: int, path: str) -> int:
    p = ctypes.create_string_buffer(path.encode())
    attr = (ctypes.c_ubyte * 16)()
    struct.pack_into("<QI", attr, 0, ctypes.addressof(p), fd)
    r, err = bpf(BPF_OBJ_PIN, attr)
    return err


def field_at(members: dict[str, tuple[int, int, int]], off: int, size: int) -> str:
    for name, (bits, _bf, sz) in sorted(members.items(), key=lambda kv: kv[1][0]):
        start = bits // 8
        if start <= off < start + max(sz, 1):
            rel = off - start
            if sz > 4 and name in ("cb", "remote_ip6", "local_ip6"):
                return f"{name}[{rel // 4}]" + (f"+{rel % 4}" if rel % 4 else "")
            return name + (f"+{rel}" if rel else "")
    return "(none)"


def bpftool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bpftool", *argv], capture_output=True, text=True)


def record_type(btf: Btf, fixture: str, ptype: int, tname: str, attach: int, ctx: str) -> dict:
    members = btf.members(ctx)
    ctx_size = int(btf.struct(ctx).attrs["size"])
    entries = []
    full_logs = 0
    cases = [(op, off, size) for op in ("read", "write") for size in (1, 2, 4, 8)
             for off in range(0, ctx_size + size, size)]
    cases += [(op, off, 4) for op in ("read", "write") for off in (2, 6, 9)]  # misaligned
    cases += [("read", -4, 4)]
    for op, off, size in cases:
        name = f"{op[0]}_{off}_{size}".replace("-", "m")
        fd, err, log = prog_load(ptype, attach, program(op, off, size), name)
        e: dict = {"op": op, "off": off, "size": size, "field": field_at(members, off, size)}
        if fd < 0:
            lines = log.strip().splitlines()
            e.update(accepted=False, errno=err, errname=os.strerror(err))
            if full_logs < 3:  # the complete log of the first few, for its exact format
                e["log"] = lines
                full_logs += 1
            else:  # the reason: what follows the rejected instruction, before "processed"
                body = [ln for ln in lines[1:] if not ln.startswith("processed ")]
                e["reason"] = [ln for ln in body if not ln[:1].isdigit()]
        else:
            e["accepted"] = True
            pin = f"{PIN_DIR}/{fixture}_{name}"
            if obj_pin(fd, pin) == 0:
                x = bpftool("prog", "dump", "xlated", "pinned", pin)
                xo = bpftool("prog", "dump", "xlated", "pinned", pin, "opcodes")
                e["xlated"] = normalize(x.stdout).splitlines()
                e["opcodes"] = [ln.strip() for ln in xo.stdout.splitlines()
                                if ln.startswith("       ")]
                os.unlink(pin)
            os.close(fd)
        entries.append(e)
    return {"prog_type": tname, "expected_attach_type": attach, "ctx": f"struct {ctx}",
            "ctx_size": ctx_size, "kernel": os.uname().release,
            "program": {"read": "rX = *(size *)(r1 +off); r0 = 0; exit",
                        "write": "r2 = 1; *(size *)(r1 +off) = r2; r0 = 0; exit"},
            "entries": entries}


def dump(doc: dict) -> str:
    """JSON with one line per entry, so that diffs stay readable."""
    head = {k: v for k, v in doc.items() if k != "entries"}
    text = json.dumps(head, indent=1)[:-2] + ',\n "entries": [\n'
    text += ",\n".join("  " + json.dumps(e) for e in doc["entries"])
    return text + "\n ]\n}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "ctx_access")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("ctx_matrix.py: needs root", file=sys.stderr)
        return 2
    btf = Btf.from_vmlinux()
    os.makedirs(PIN_DIR, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        for fixture, ptype, tname, attach, ctx in PROG_TYPES:
            doc = record_type(btf, fixture, ptype, tname, attach, ctx)
            ok = sum(e["accepted"] for e in doc["entries"])
            print(f"{fixture}: {ok}/{len(doc['entries'])} accepted", file=sys.stderr)
            (args.out / f"matrix_{fixture}.json").write_text(dump(doc))
    finally:
        subprocess.run(["rm", "-rf", PIN_DIR], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
