#!/usr/bin/env python3
"""Record what the real 6.18 x86-64 JIT makes of programs, for pykernel/jit_x86.py.

    sudo .venv/bin/python tests/jit/record_jit.py [objects|corpus|micro ...]
    sudo .venv/bin/python tests/jit/record_jit.py micro:NAME ...   # some micro-programs again

Every program is loaded twice with the same instructions and maps: into the real kernel
(bpf(2) through ctypes; C objects through the system libbpf) and into our verifier (with
stand-in maps, as tests/test_verifier_corpus.py does). A record keeps our xlated code and
what the model needs besides (subprogram starts, stack depths, prog array sizes by
address) next to the kernel's ``jited_prog_len``, ``jited_func_lens``, the JIT image and
its own xlated code (dump form), so tests/test_jit_x86.py can compare the model with the
kernel without either kernel. Groups:

* ``objects`` - every program of tests/progs/*.o, tests/fixtures/net/progs/*.o,
  tests/verifier_corpus/c/*.o and progs/*.o here (callbacks and tail calls from
  subprograms, which need BTF);
* ``corpus`` - the accepted asm cases of tests/verifier_corpus/cases.s;
* ``micro`` - :func:`micro_programs`: every instruction form with every register
  combination, immediates and displacements at the encodings' edges, jumps at the rel8
  boundary, long convergence chains, prologue/epilogue variants, subprograms, tail calls,
  inlined helpers, LD_ABS.

Nothing is pinned; every fd is closed. Output: ``<group>.json`` next to this file.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
ROOT = TESTS.parent
for p in (ROOT, TESTS, TESTS / "verifier_corpus"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus  # noqa: E402
import realbpf  # noqa: E402
from simmaps import FakeMap  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402
from pykernel.uapi.consts import PSEUDO_MAP_FD, PSEUDO_MAP_VALUE  # noqa: E402

OBJECTS = (sorted((TESTS / "progs").glob("*.o")) + sorted((TESTS / "fixtures/net/progs").glob("*.o"))
           + sorted((TESTS / "verifier_corpus/c").glob("*.o")) + sorted((HERE / "progs").glob("*.o")))
PROG_ARRAY = 3


def pack(raw: bytes) -> str:
    """Instructions and images are stored deflated, base64-encoded (see :func:`unpack`)."""
    return base64.b64encode(zlib.compress(raw, 9)).decode()


def unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


# ---------------------------------------------------------------------------
# the real kernel

def _info(fd: int, setup: dict[int, tuple[str, int]] | None = None) -> ctypes.Array:
    inf = ctypes.create_string_buffer(256)
    for off, (fmt, val) in (setup or {}).items():
        struct.pack_into(fmt, inf, off, val)
    buf = ctypes.create_string_buffer(16)
    struct.pack_into("<IIQ", buf, 0, fd, 256, ctypes.addressof(inf))
    r = realbpf.sys_bpf(realbpf.OBJ_GET_INFO_BY_FD, buf)
    if r < 0:
        raise OSError(-r, "OBJ_GET_INFO_BY_FD")
    return inf


def real_jit(fd: int) -> dict:
    """The kernel's JIT facts of a loaded program (bpf_prog_info): image length, per
    function lengths, the image itself and the xlated code (dump form)."""
    first = _info(fd)
    jlen, xlen = struct.unpack_from("<II", first, 16)
    nfl = struct.unpack_from("<I", first, 108)[0]
    img = ctypes.create_string_buffer(max(jlen, 1))
    xl = ctypes.create_string_buffer(max(xlen, 1))
    fl = (ctypes.c_uint32 * max(nfl, 1))()
    _info(fd, {16: ("<I", jlen), 20: ("<I", xlen), 24: ("<Q", ctypes.addressof(img)),
               32: ("<Q", ctypes.addressof(xl)), 108: ("<I", nfl), 120: ("<Q", ctypes.addressof(fl))})
    return {"jited_prog_len": jlen, "jited_func_lens": list(fl)[:nfl], "image": img.raw[:jlen],
            "kernel_xlated": xl.raw[:xlen]}


def load_real(case: corpus.Case) -> tuple[int, str]:
    """Load an asm case into the real kernel: (fd or -errno, log)."""
    fds: dict[int, int] = {}
    try:
        for num, ms in case.maps.items():
            fds[num] = realbpf.map_create(ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags,
                                          ms.name)
            if ms.init:
                realbpf.map_update(fds[num], b"\0\0\0\0", ms.init.ljust(ms.value_size, b"\0"))
            if ms.frozen:
                realbpf.map_freeze(fds[num])
        insns = corpus.with_fds(case.insns, case.map_refs, fds)
        r = realbpf.prog_load(case.prog_type, I.encode_all(insns), license=case.license, log_level=1,
                              prog_flags=case.flags, expected_attach_type=case.attach)
        return r.fd, r.log
    finally:
        for fd in fds.values():
            os.close(fd)


# ---------------------------------------------------------------------------
# ours

def verify_ours(prog_type: int, insns: list[I.Insn], maps: dict[int, FakeMap], *, attach: int = 0,
                flags: int = 0, gpl: bool = True, ext: tuple | None = None):  # noqa: ANN201
    """Our verifier's result for instructions whose ld_imm64 map fds are keys of ``maps``
    (``ext``: the object's (func info, line info, BTF), as libbpf passes them)."""
    from pykernel.uapi.errors import SyscallError
    from pykernel.verifier import VerifierEnv, verify

    buf = bytearray(1 << 20)
    env = VerifierEnv(insns=insns, prog_type=prog_type, expected_attach_type=attach, gpl=gpl,
                      prog_flags=flags, map_by_fd=maps.get, log_level=1, log_size=len(buf), log_buf=buf)
    if ext is not None:
        env.func_info, env.line_info, env.btf = ext
    try:
        return verify(env)
    except SyscallError as e:
        log = buf.split(b"\0", 1)[0].decode(errors="replace")
        raise RuntimeError(f"{e}: {corpus.error_line(log)}") from None


def ext_info(path: Path, program: str, fallback: tuple | None = None) -> tuple | None:
    """(func info, line info, BTF) of a program of a C object, relocated as libbpf hands them
    to the kernel (what tests/test_verifier_corpus.py gives our verifier)."""
    from pykernel.verifier import FuncInfo
    from pylibbpf import BpfObject
    from pylibbpf.relo import relocate_program

    obj = BpfObject.open(str(path), print_fn=lambda lvl, msg: None)
    prog = next((p for p in obj.programs if p.name == program), None)
    if prog is None or obj.btf is None:
        return None
    btf = obj.btf
    try:
        relocate_program(obj, prog, lambda i: i)
    except Exception:  # noqa: BLE001 - pylibbpf cannot relocate it: func info from the kernel
        if fallback is None:
            return None
        insns, kernel_finfo = fallback
        starts = sorted({0} | {i + ins.imm + 1 for i, ins in enumerate(insns)
                               if (ins.code == 0x85 and ins.src == 1) or (ins.is_ld_imm64() and ins.src == 4)})
        if len(starts) != len(kernel_finfo):
            return None
        finfo = []
        for off, (_, tid) in zip(starts, kernel_finfo, strict=True):
            sig = btf.func_signature(tid)
            finfo.append(FuncInfo(insn_off=off, type_id=tid, name=sig.split("(", 1)[0].split()[-1].lstrip("*")))
        return finfo, None, btf.data
    finfo, linfo = corpus.func_line_info(btf, prog)
    return finfo or None, linfo or None, btf.data


def fake_maps_of_case(case: corpus.Case) -> tuple[dict[int, FakeMap], list[I.Insn]]:
    maps, fds = {}, {}
    for num, ms in case.maps.items():
        vals = bytearray(((ms.value_size + 7) & ~7) * ms.max_entries) if ms.map_type == 2 else bytearray()
        if ms.init:
            vals[: len(ms.init)] = ms.init
        maps[100 + num] = FakeMap(num + 1, ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags,
                                  ms.name, ms.frozen, vals)
        fds[num] = 100 + num
    return maps, corpus.with_fds(case.insns, case.map_refs, fds)


def prog_arrays(maps: dict[int, FakeMap]) -> dict[str, int]:
    from pykernel.interp.memory import map_address

    return {str(map_address(m.id)): m.max_entries for m in maps.values() if m.map_type == PROG_ARRAY}


def dump_form(insns: list[I.Insn]) -> list[tuple]:
    """Instructions with map identities erased (ids differ between the two kernels)."""
    out = []
    skip = False
    for ins in insns:
        if skip:
            out.append((ins.code, ins.dst, ins.src, ins.off, ins.imm))
            skip = False
            continue
        if ins.is_ld_imm64():
            skip = True
            if ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE):
                out.append((ins.code, ins.dst, ins.src, ins.off, 0))
                continue
        out.append((ins.code, ins.dst, ins.src, ins.off, ins.imm))
    return out


def kernel_stack(real: dict) -> list[int]:
    """Per function, the ``sub rsp, imm32`` of the JIT image's prologue (0: none)."""
    img = real["image"]
    out, at = [], 0
    for n in real["jited_func_lens"] or [real["jited_prog_len"]]:
        p = img[at + 12:at + 19]                 # after nop5, nop3/xor, push rbp, mov rbp, rsp
        out.append(int.from_bytes(p[3:7], "little") if p[:3] == b"\x48\x81\xec" else 0)
        at += n
    return out


def record_entry(name: str, prog_type: int, res, maps: dict[int, FakeMap], real: dict) -> dict:  # noqa: ANN001
    """A record from our verifier's result."""
    from pykernel.verifier.xlated import prepare_dump

    same = dump_form(prepare_dump(res)) == dump_form(I.decode_all(real["kernel_xlated"]))
    rec = {"name": name, "prog_type": prog_type, "source": "ours", "xlated": pack(I.encode_all(res.xlated)),
           "subprog_starts": list(res.subprog_starts) or [0], "stack_depth": list(res.stack_depth),
           "kernel_stack": kernel_stack(real), "prog_arrays": prog_arrays(maps), "xlated_same": same,
           "jited_prog_len": real["jited_prog_len"], "jited_func_lens": real["jited_func_lens"],
           "image": pack(real["image"])}
    if not same:    # the kernel's own xlated code (dump form), where ours differs
        rec["kernel_xlated"] = pack(real["kernel_xlated"])
    return rec


def kernel_entry(name: str, prog_type: int, maps: list[dict], real: dict, why: str) -> dict:
    """A record from the kernel's own xlated code, for programs our verifier does not take
    yet (``why``): map ids become simulated map addresses, functions start where the
    kernel's func info says, stack depths come from the image."""
    from pykernel.interp.memory import map_address

    ids = sorted({ins.imm for ins in I.decode_all(real["kernel_xlated"])
                  if ins.is_ld_imm64() and ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE)})
    addr = {mid: map_address(k + 1) for k, mid in enumerate(ids)}
    insns = I.decode_all(real["kernel_xlated"])
    for i, ins in enumerate(insns):
        if ins.is_ld_imm64() and ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE):
            value = addr[ins.imm] + (0 if ins.src == PSEUDO_MAP_FD else 312 + insns[i + 1].imm)
            insns[i], insns[i + 1] = I.ld_imm64(ins.dst, value, ins.src)
    starts = [off for off, _ in real["func_info"]] or [0]
    by_id = {mid: m for mid, m in zip(ids, maps, strict=False)}
    arrays = {str(addr[mid]): m["max_entries"] for mid, m in by_id.items() if m["type"] == PROG_ARRAY}
    return {"name": name, "prog_type": prog_type, "source": "kernel", "why": why,
            "xlated": pack(I.encode_all(insns)), "subprog_starts": starts, "stack_depth": kernel_stack(real),
            "kernel_stack": kernel_stack(real), "prog_arrays": arrays, "xlated_same": True,
            "jited_prog_len": real["jited_prog_len"], "jited_func_lens": real["jited_func_lens"],
            "image": pack(real["image"])}


def record_case(name: str, case: corpus.Case) -> dict | str:
    """One asm case on both kernels: the record, or why there is none."""
    fd, log = load_real(case)
    if fd < 0:
        return f"kernel rejects ({-fd}): {corpus.error_line(log)}"
    try:
        real = real_jit(fd)
    finally:
        os.close(fd)
    maps, insns = fake_maps_of_case(case)
    try:
        res = verify_ours(case.prog_type, insns, maps, attach=case.attach, flags=case.flags,
                          gpl=case.license == "GPL")
    except Exception as e:  # noqa: BLE001 - a verifier gap: reported, not recorded
        return f"our verifier rejects: {e}"
    return record_entry(name, case.prog_type, res, maps, real)


# ---------------------------------------------------------------------------
# groups

def _map_id(fd: int) -> int:
    return realbpf.map_id(fd)


def record_objects() -> tuple[list[dict], list[str]]:
    from record import Libbpf  # tests/verifier_corpus/record.py

    lb = Libbpf()
    lib = lb.lib
    out, notes = [], []
    for path in OBJECTS:
        obj = lib.bpf_object__open_file(str(path).encode(), None)
        if not obj:
            notes.append(f"{path.name}: libbpf cannot open it")
            continue
        progs = []
        p = lib.bpf_object__next_program(obj, None)
        while p:
            if lib.bpf_program__autoload(p):
                progs.append(p)
            p = lib.bpf_object__next_program(obj, p)
        err = lib.bpf_object__load(obj)
        maps_rec = []
        m = lib.bpf_object__next_map(obj, None)
        while m:
            maps_rec.append({"fd": lib.bpf_map__fd(m), "type": lib.bpf_map__type(m),
                             "key_size": lib.bpf_map__key_size(m), "value_size": lib.bpf_map__value_size(m),
                             "max_entries": lib.bpf_map__max_entries(m), "flags": lib.bpf_map__map_flags(m),
                             "name": lib.bpf_map__name(m).decode()})
            m = lib.bpf_object__next_map(obj, m)
        rel = path.relative_to(TESTS)
        for p in progs:
            pname = lib.bpf_program__name(p).decode()
            name = f"{rel}:{pname}"
            fd = lib.bpf_program__fd(p)
            if err or fd < 0:
                notes.append(f"{name}: the kernel does not load it")
                continue
            raw = ctypes.string_at(lib.bpf_program__insns(p), lib.bpf_program__insn_cnt(p) * 8)
            insns = I.decode_all(raw)
            fakes = {}
            for k, mm in enumerate(maps_rec):
                fakes[100 + k] = FakeMap(k + 1, mm["type"], mm["key_size"], mm["value_size"], mm["max_entries"],
                                         mm["flags"], mm["name"], False, bytearray(
                                             ((mm["value_size"] + 7) & ~7) * mm["max_entries"])
                                         if mm["type"] == 2 else bytearray())
            for i, ins in enumerate(insns):
                if ins.is_ld_imm64() and ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_VALUE):
                    k = next((k for k, mm in enumerate(maps_rec) if mm["fd"] == ins.imm), None)
                    if k is not None:
                        insns[i] = ins.with_(imm=100 + k)
            ptype = lib.bpf_program__type(p)
            real = real_jit(fd)
            real["func_info"] = realbpf.prog_ext_info(fd)["func_info"]
            attach = lib.bpf_program__expected_attach_type(p)
            try:
                try:
                    res = verify_ours(ptype, insns, fakes, attach=attach,
                                      ext=ext_info(path, pname, (insns, real["func_info"])))
                except Exception:  # noqa: BLE001 - without BTF func info, if it takes that
                    res = verify_ours(ptype, insns, fakes, attach=attach)
            except Exception as e:  # noqa: BLE001 - recorded from the kernel's xlated code
                notes.append(f"{name}: our verifier rejects ({e}): recorded from the kernel's xlated code")
                used = [mm for mm in maps_rec if any(ins.is_ld_imm64() and ins.imm == mm["fd"] for ins in
                                                     I.decode_all(raw))]
                out.append(kernel_entry(name, ptype, sorted(used, key=lambda mm: _map_id(mm["fd"])), real,
                                        str(e)))
                continue
            real.pop("func_info")
            out.append(record_entry(name, ptype, res, fakes, real))
        lib.bpf_object__close(obj)
    return out, notes


def record_corpus() -> tuple[list[dict], list[str]]:
    rec = corpus.load_recorded()
    out, notes = [], []
    for case in corpus.load_asm_cases():
        if not rec.get(case.name, {}).get("accepted"):
            continue
        got = record_case(f"corpus:{case.name}", case)
        if isinstance(got, str):
            notes.append(f"{case.name}: {got}")
        else:
            out.append(got)
    return out, notes


def record_micro(only: set[str] | None = None) -> tuple[list[dict], list[str]]:
    from micro import micro_programs  # tests/jit/micro.py

    out, notes = [], []
    for name, case in micro_programs():
        if only and name not in only:
            continue
        got = record_case(f"micro:{name}", case)
        if isinstance(got, str):
            notes.append(f"{name}: {got}")
        else:
            out.append(got)
    return out, notes


GROUPS = {"objects": record_objects, "corpus": record_corpus, "micro": record_micro}


def _write(group: str, records: list[dict], notes: list[str]) -> None:
    doc = {"about": "tests/jit/record_jit.py; xlated, kernel_xlated and image are "
                    "zlib-deflated, base64-encoded", "records": records, "not_recorded": notes}
    (HERE / f"{group}.json").write_text(json.dumps(doc, indent=0, sort_keys=True) + "\n")


def rerecord_micro(names: set[str]) -> None:
    """Record only the named micro-programs again (new ones are added) and keep the rest
    of micro.json, in :func:`micro_programs` order."""
    from micro import micro_programs

    old = json.loads((HERE / "micro.json").read_text())
    by_name = {r["name"]: r for r in old["records"]}
    notes = [n for n in old["not_recorded"] if n.split(":", 1)[0] not in names]
    records, new_notes = record_micro(names)
    by_name.update({r["name"]: r for r in records})
    for n in new_notes:
        by_name.pop(f"micro:{n.split(':', 1)[0]}", None)
    order = [f"micro:{name}" for name, _ in micro_programs()]
    _write("micro", [by_name[n] for n in order if n in by_name], notes + new_notes)
    print(f"micro: {len(records)} programs recorded again, {len(new_notes)} not")
    for n in new_notes:
        print("   ", n)


def main(argv: list[str]) -> int:
    """Arguments: groups to record from scratch, or ``micro:NAME`` to record one
    micro-program again."""
    if not realbpf.available():
        print("needs root and the real kernel's bpf()", file=sys.stderr)
        return 1
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    names = {a.split(":", 1)[1] for a in argv if a.startswith("micro:")}
    if names:
        rerecord_micro(names)
    for group in [a for a in argv if ":" not in a] or ([] if names else list(GROUPS)):
        records, notes = GROUPS[group]()
        _write(group, records, notes)
        print(f"{group}: {len(records)} programs recorded, {len(notes)} not")
        for n in notes:
            print("   ", n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
