#!/usr/bin/env python3
"""Record what the real 6.18 kernel's verifier says about every corpus case.

    sudo .venv/bin/python tests/verifier_corpus/record.py [NAME ...]

For asm cases (cases.s) the maps are created with bpf(2), the program is loaded with
log_level 1 and the verdict, errno, log and (when accepted) ``bpftool prog dump xlated``
are kept. C cases (c/*.o here and ../progs/*.o) are opened and loaded with the system
libbpf through ctypes; the instructions libbpf hands to the kernel (relocated, subprograms
appended, map fds embedded) are recorded with the maps they use, so the test can give our
verifier exactly the same input. For accepted C programs the kernel's func info, line
info (at xlated offsets) and function tags are recorded too. Output: recorded.json.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent))

import corpus  # noqa: E402
import realbpf  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402
from pykernel.uapi.consts import PSEUDO_MAP_FD, PSEUDO_MAP_VALUE  # noqa: E402

C_OBJECTS = sorted((HERE / "c").glob("*.o")) + sorted((HERE.parent / "progs").glob("*.o"))


def record_asm(case: corpus.Case) -> dict:
    fds: dict[int, int] = {}
    try:
        for num, ms in case.maps.items():
            fd = realbpf.map_create(ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags & ~(1 << 7),
                                    ms.name) if False else realbpf.map_create(
                ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags, ms.name)
            fds[num] = fd
            if ms.init:
                realbpf.map_update(fd, b"\0\0\0\0", ms.init.ljust(ms.value_size, b"\0"))
            if ms.frozen:
                realbpf.map_freeze(fd)
        insns = corpus.with_fds(case.insns, case.map_refs, fds)
        r = realbpf.prog_load(case.prog_type, I.encode_all(insns), license=case.license, log_level=1,
                              prog_flags=case.flags, expected_attach_type=case.attach)
        out = {"kind": "asm", "accepted": r.ok, "errno": 0 if r.ok else -r.fd, "log": r.log,
               "error": "" if r.ok else corpus.error_line(r.log)}
        if r.ok:
            out["xlated"] = realbpf.dump_xlated(r.fd)
            os.close(r.fd)
        return out
    finally:
        for fd in fds.values():
            os.close(fd)


class Libbpf:
    def __init__(self) -> None:
        lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
        vp, cp, u32 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32
        sig = {
            "bpf_object__open_file": (vp, [cp, vp]), "bpf_object__load": (ctypes.c_int, [vp]),
            "bpf_object__close": (None, [vp]), "bpf_object__next_program": (vp, [vp, vp]),
            "bpf_object__next_map": (vp, [vp, vp]), "bpf_program__name": (cp, [vp]),
            "bpf_program__section_name": (cp, [vp]), "bpf_program__fd": (ctypes.c_int, [vp]),
            "bpf_program__type": (ctypes.c_int, [vp]), "bpf_program__expected_attach_type": (ctypes.c_int, [vp]),
            "bpf_program__insns": (vp, [vp]), "bpf_program__insn_cnt": (ctypes.c_size_t, [vp]),
            "bpf_program__set_log_level": (ctypes.c_int, [vp, u32]),
            "bpf_program__set_log_buf": (ctypes.c_int, [vp, cp, ctypes.c_size_t]),
            "bpf_program__autoload": (ctypes.c_bool, [vp]),
            "bpf_map__fd": (ctypes.c_int, [vp]), "bpf_map__name": (cp, [vp]), "bpf_map__type": (ctypes.c_int, [vp]),
            "bpf_map__key_size": (u32, [vp]), "bpf_map__value_size": (u32, [vp]),
            "bpf_map__max_entries": (u32, [vp]), "bpf_map__map_flags": (u32, [vp]),
        }
        for name, (res, args) in sig.items():
            f = getattr(lib, name)
            f.restype = res
            f.argtypes = args
        self.lib = lib


def map_info_frozen(fd: int) -> bool:
    try:
        txt = Path(f"/proc/self/fdinfo/{fd}").read_text()
    except OSError:
        return False
    for line in txt.splitlines():
        if line.startswith("frozen:"):
            return line.split()[1] == "1"
    return False


def map_values(fd: int, value_size: int, max_entries: int) -> str:
    out = bytearray()
    stride = (value_size + 7) & ~7
    for i in range(max_entries):
        v = ctypes.create_string_buffer(value_size)
        k = ctypes.create_string_buffer(i.to_bytes(4, "little"), 4)
        buf = ctypes.create_string_buffer(32)
        import struct
        struct.pack_into("<IIQQ", buf, 0, fd, 0, ctypes.addressof(k), ctypes.addressof(v))
        realbpf.sys_bpf(realbpf.MAP_LOOKUP, buf)
        out += v.raw.ljust(stride, b"\0")
    return out.hex()


def record_c(path: Path, lb: Libbpf) -> dict[str, dict]:
    lib = lb.lib
    obj = lib.bpf_object__open_file(str(path).encode(), None)
    if not obj:
        return {}
    logs: dict[str, ctypes.Array] = {}
    progs = []
    p = lib.bpf_object__next_program(obj, None)
    while p:
        if lib.bpf_program__autoload(p):
            name = lib.bpf_program__name(p).decode()
            buf = ctypes.create_string_buffer(1 << 22)
            logs[name] = buf
            lib.bpf_program__set_log_buf(p, buf, len(buf))
            lib.bpf_program__set_log_level(p, 1)
            progs.append(p)
        p = lib.bpf_object__next_program(obj, p)
    err = lib.bpf_object__load(obj)
    out: dict[str, dict] = {}
    maps = []
    m = lib.bpf_object__next_map(obj, None)
    while m:
        fd = lib.bpf_map__fd(m)
        maps.append({"fd": fd, "name": lib.bpf_map__name(m).decode(), "type": lib.bpf_map__type(m),
                     "key_size": lib.bpf_map__key_size(m), "value_size": lib.bpf_map__value_size(m),
                     "max_entries": lib.bpf_map__max_entries(m), "flags": lib.bpf_map__map_flags(m)})
        m = lib.bpf_object__next_map(obj, m)
    for p in progs:
        name = lib.bpf_program__name(p).decode()
        key = f"c_{path.stem}__{name}"
        cnt = lib.bpf_program__insn_cnt(p)
        raw = ctypes.string_at(lib.bpf_program__insns(p), cnt * 8)
        insns = I.decode_all(raw)
        used = []
        lost: dict[int, list[int]] = {}  # fds of maps already closed again -> insns using them
        for i, ins in enumerate(insns):
            if ins.is_ld_imm64() and ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE):
                idx = next((k for k, mm in enumerate(maps) if mm["fd"] == ins.imm), None)
                if idx is not None:
                    used.append([i, idx])
                else:
                    lost.setdefault(ins.imm, []).append(i)
        # a failed load closes the object's maps before we can ask for their fds; libbpf
        # created them in the object's order with ascending fds, so the lost fds, sorted,
        # are those maps in order
        closed = [k for k, mm in enumerate(maps) if mm["fd"] < 0]
        if lost and len(lost) <= len(closed):
            for fd_, k in zip(sorted(lost), closed, strict=False):
                used += [[i, k] for i in lost[fd_]]
            used.sort()
        mrec = []
        for mm in maps:
            d = dict(mm)
            if mm["fd"] >= 0:
                d["frozen"] = map_info_frozen(mm["fd"])
                if mm["type"] == 2 and mm["max_entries"] <= 16:
                    d["values"] = map_values(mm["fd"], mm["value_size"], mm["max_entries"])
            del d["fd"]
            mrec.append(d)
        fd = lib.bpf_program__fd(p)
        log = logs[name].value.decode(errors="replace")
        rec = {"kind": "c", "object": str(path.relative_to(HERE.parent)), "program": name,
               "section": lib.bpf_program__section_name(p).decode(),
               "prog_type": lib.bpf_program__type(p), "attach": lib.bpf_program__expected_attach_type(p),
               "insns": raw.hex(), "map_refs": used, "maps": mrec,
               "accepted": fd >= 0 and err == 0, "errno": 0 if fd >= 0 else (-err if err < 0 else 0),
               "log": log, "error": "" if fd >= 0 else corpus.error_line(log)}
        if fd >= 0:
            rec["xlated"] = realbpf.dump_xlated(fd)
            # the kernel's BTF info of the verified program: func info and line info at
            # xlated offsets ([insn_off, type_id], [insn_off, file_name_off, line_off,
            # line_col]) and each function's tag
            rec.update(realbpf.prog_ext_info(fd))
        out[key] = rec
    lib.bpf_object__close(obj)
    return out


CONF_RECORDED = HERE / "conformance_recorded.json"


def conformance_programs() -> dict[str, bytes]:
    """error.data, the unused-*.data encodings and the 12 shift-by-immediate tests, as bytes."""
    import conformance as CF  # tests/conformance.py

    from pykernel.uapi.asm import assemble

    base = CF.DATA / "bpf_conformance"
    out: dict[str, bytes] = {}
    neg = base / "negative"
    for f in sorted(neg.glob("unused-*.data")) + [neg / "error.data"]:
        case = CF.parse_data(f.read_text())
        raw = CF.raw_program(case)
        out[f"negative/{f.stem}"] = raw if raw is not None else I.encode_all(assemble(case.asm))
    for op in ("lsh", "rsh", "arsh"):
        for w in ("32", "64"):
            for kind in ("high", "neg"):
                f = base / f"{op}{w}-imm-{kind}.data"
                case = CF.parse_data(f.read_text())
                out[f.stem] = I.encode_all(assemble(case.asm))
    return out


def record_conformance() -> None:
    rec = {}
    for name, code in conformance_programs().items():
        r = realbpf.prog_load(6, code, log_level=1)
        rec[name] = {"accepted": r.ok, "errno": 0 if r.ok else -r.fd, "error": "" if r.ok else corpus.error_line(r.log)}
        if r.ok:
            os.close(r.fd)
    CONF_RECORDED.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    if not realbpf.available():
        print("needs root and the real kernel's bpf()", file=sys.stderr)
        return 1
    only = set(argv)
    if not only:
        record_conformance()
    rec = corpus.load_recorded()
    for case in corpus.load_asm_cases():
        if only and case.name not in only:
            continue
        rec[case.name] = record_asm(case)
    lb = Libbpf()
    for obj in C_OBJECTS:
        if only and obj.stem not in only:
            continue
        rec.update(record_c(obj, lb))
    corpus.RECORDED.write_text(json.dumps(rec, indent=1, sort_keys=True) + "\n")
    acc = sum(1 for r in rec.values() if r["accepted"])
    print(f"recorded {len(rec)} cases: {acc} accepted, {len(rec) - acc} rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
