#!/usr/bin/env python3
"""Record what the real bpftool v7.1 / libbpf 1.1 do with the pylibbpf test objects.

    python tests/progs/libbpf/record.py            # writes tests/progs/libbpf/expected/

Needs root, bpftool, /usr/lib/*/libbpf.so.1 and a bpffs at /sys/fs/bpf. Pins live only
under /sys/fs/bpf/pybpf-libbpf/ and are removed. For every object (this directory's and
the main corpus in tests/progs/):

* ``<obj>.btf.txt|.btf.json|.btf.c``: ``bpftool btf dump file OBJ [-j] [format c]``;
* ``<obj>.libbpf.txt``: libbpf's messages of ``bpftool -d prog load`` (the open phase and
  relocation lines are what pylibbpf reproduces; verifier logs are kernel-specific);
* ``<obj>.relocated.json``: per program, the instructions libbpf hands to BPF_PROG_LOAD,
  with map fds replaced by map indexes (read back through libbpf's bpf_program__insns),
  and the func_info/line_info records the kernel holds for it;
* ``<obj>.mapshow.json``: ``bpftool map show`` of every map after ``loadall ... pinmaps``;
* ``mapdump.json``: values written into maps with BTF and ``bpftool map dump`` of them,
  text and ``-j`` (the btf_dumper oracle);
* ``btflog.json``: the kernel's BTF_LOAD log for valid and broken BTF;
* ``sections.txt``: libbpf's list of supported section names.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import struct
import subprocess
import sys
import weakref
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
OUT = HERE / "expected"
PIN = "/sys/fs/bpf/pybpf-libbpf"


def bpftool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["bpftool", *args], capture_output=True, text=True, cwd=cwd)


# ----------------------------------------------------------------------------- libbpf via ctypes


class Libbpf:
    """The system's libbpf 1.1 through ctypes: open/load objects, read programs and maps."""

    PRINT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

    class OpenOpts(ctypes.Structure):
        _fields_ = [("sz", ctypes.c_size_t), ("object_name", ctypes.c_char_p), ("relaxed_maps", ctypes.c_bool),
                    ("pin_root_path", ctypes.c_char_p), ("kconfig", ctypes.c_char_p),
                    ("btf_custom_path", ctypes.c_char_p), ("kernel_log_buf", ctypes.c_char_p),
                    ("kernel_log_size", ctypes.c_size_t), ("kernel_log_level", ctypes.c_uint32)]

    def __init__(self) -> None:
        self.lib = lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
        libc = ctypes.CDLL(None)
        libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
        vp, u32, cp = ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p
        sigs = {
            "bpf_object__open_file": (vp, [cp, vp]), "bpf_object__next_program": (vp, [vp, vp]),
            "bpf_object__next_map": (vp, [vp, vp]), "bpf_object__load": (ctypes.c_int, [vp]),
            "bpf_object__close": (None, [vp]), "libbpf_set_print": (vp, [vp]),
            "bpf_program__name": (cp, [vp]), "bpf_program__insn_cnt": (ctypes.c_size_t, [vp]),
            "bpf_program__insns": (vp, [vp]), "bpf_map__name": (cp, [vp]), "bpf_map__fd": (ctypes.c_int, [vp]),
            "bpf_program__fd": (ctypes.c_int, [vp]),
            "bpf_btf_load": (ctypes.c_int, [vp, ctypes.c_size_t, vp]),
            "bpf_map_create": (ctypes.c_int, [ctypes.c_int, cp, u32, u32, u32, vp]),
            "bpf_map_update_elem": (ctypes.c_int, [ctypes.c_int, vp, vp, ctypes.c_uint64]),
            "bpf_obj_get_info_by_fd": (ctypes.c_int, [ctypes.c_int, vp, ctypes.POINTER(u32)]),
        }
        for name, (res, args) in sigs.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        self.messages: list[str] = []

        @self.PRINT
        def cb(level, fmt, va):  # noqa: ANN001, ANN202
            buf = ctypes.create_string_buffer(1 << 20)
            libc.vsnprintf(buf, len(buf), fmt, va)
            self.messages.append(buf.value.decode(errors="replace"))
            return 0

        self._cb = cb
        # libbpf keeps the pointer globally: put its own printer back when this recorder
        # (and with it the callback's code) goes away, or the next libbpf user in the
        # process jumps into freed memory.
        old = lib.libbpf_set_print(ctypes.cast(cb, ctypes.c_void_p))
        weakref.finalize(self, lib.libbpf_set_print, old)

    def relocated(self, path: str) -> dict[str, list[str]]:
        """Load ``path`` with libbpf and return each program's final instructions (hex),
        ld_imm64 map fds replaced by map indexes."""
        lib = self.lib
        opts = self.OpenOpts(sz=ctypes.sizeof(self.OpenOpts), pin_root_path=PIN.encode())
        obj = lib.bpf_object__open_file(path.encode(), ctypes.byref(opts))
        if not obj:
            return {}
        try:
            if lib.bpf_object__load(obj):
                return {}
            fd_to_idx = {}
            m, i = None, 0
            while True:
                m = lib.bpf_object__next_map(obj, m)
                if not m:
                    break
                fd_to_idx[lib.bpf_map__fd(m)] = i
                i += 1
            out = {}
            p = None
            while True:
                p = lib.bpf_object__next_program(obj, p)
                if not p:
                    break
                n = lib.bpf_program__insn_cnt(p)
                raw = bytearray(ctypes.string_at(lib.bpf_program__insns(p), n * 8))
                for k in range(n):
                    code, regs = raw[k * 8], raw[k * 8 + 1]
                    if code == 0x18 and (regs >> 4) in (1, 2):
                        fd = struct.unpack_from("<i", raw, k * 8 + 4)[0]
                        struct.pack_into("<i", raw, k * 8 + 4, fd_to_idx[fd])
                entry = {"insns": [raw[k * 8:k * 8 + 8].hex() for k in range(n)]}
                entry.update(self.ext_info(lib.bpf_program__fd(p)))
                out[lib.bpf_program__name(p).decode()] = entry
            return out
        finally:
            lib.bpf_object__close(obj)

    def ext_info(self, prog_fd: int) -> dict[str, list[str]]:
        """func_info and line_info records as the kernel stores them (struct bpf_prog_info)."""
        lib = self.lib
        info = ctypes.create_string_buffer(256)
        ln = ctypes.c_uint32(256)
        lib.bpf_obj_get_info_by_fd(prog_fd, info, ctypes.byref(ln))
        fi_rec, = struct.unpack_from("<I", info, 132)
        nr_fi, nr_li = struct.unpack_from("<II", info, 144)
        li_rec, = struct.unpack_from("<I", info, 172)
        fbuf = ctypes.create_string_buffer(max(nr_fi * fi_rec, 1))
        lbuf = ctypes.create_string_buffer(max(nr_li * li_rec, 1))
        info2 = ctypes.create_string_buffer(256)
        struct.pack_into("<IQII", info2, 132, fi_rec, ctypes.addressof(fbuf), nr_fi, nr_li)
        struct.pack_into("<Q", info2, 152, ctypes.addressof(lbuf))
        struct.pack_into("<I", info2, 172, li_rec)
        ln = ctypes.c_uint32(256)
        lib.bpf_obj_get_info_by_fd(prog_fd, info2, ctypes.byref(ln))
        return {"func_info": [fbuf.raw[i * fi_rec:(i + 1) * fi_rec].hex() for i in range(nr_fi)],
                "line_info": [lbuf.raw[i * li_rec:(i + 1) * li_rec].hex() for i in range(nr_li)]}

    def map_with_btf(self, raw_btf: bytes, key_id: int, value_id: int, key_size: int, value_size: int,
                     entries: list[tuple[bytes, bytes]], map_type: int = 1) -> int:
        """A map whose key/value types are described by ``raw_btf``; returns (fd, btf fd, id)."""
        lib = self.lib
        buf = ctypes.create_string_buffer(raw_btf, len(raw_btf))
        bfd = lib.bpf_btf_load(buf, len(raw_btf), None)
        if bfd < 0:
            raise OSError(ctypes.get_errno(), "BTF_LOAD")
        # struct bpf_map_create_opts { sz; btf_fd; btf_key_type_id; btf_value_type_id; ... }
        opts = (ctypes.c_uint32 * 16)()
        struct.pack_into("<QIII", opts, 0, 64, bfd, key_id, value_id)
        fd = lib.bpf_map_create(map_type, b"pylibbpf_rec", key_size, value_size, max(len(entries), 1), opts)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "MAP_CREATE")
        for k, v in entries:
            kb, vb = ctypes.create_string_buffer(k, len(k)), ctypes.create_string_buffer(v, len(v))
            if lib.bpf_map_update_elem(fd, kb, vb, 0):
                raise OSError(ctypes.get_errno(), "UPDATE")
        info = (ctypes.c_uint32 * 32)()
        ln = ctypes.c_uint32(ctypes.sizeof(info))
        lib.bpf_obj_get_info_by_fd(fd, info, ctypes.byref(ln))
        return fd, bfd, info[1]


# ----------------------------------------------------------------------------- recording

def objects() -> list[Path]:
    return sorted(HERE.glob("*.o")) + sorted((REPO / "tests" / "progs").glob("*.o"))


def record_btf(o: Path) -> None:
    stem = o.stem if o.parent == HERE else f"corpus_{o.stem}"
    for suffix, args in ((".btf.txt", ["btf", "dump", "file", str(o)]),
                         (".btf.json", ["-j", "btf", "dump", "file", str(o)]),
                         (".btf.c", ["btf", "dump", "file", str(o), "format", "c"])):
        r = bpftool(*args)
        if r.returncode == 0:
            (OUT / f"{stem}{suffix}").write_text(r.stdout)


def record_messages(o: Path, lb: Libbpf) -> None:
    """libbpf's messages for ``bpftool -d prog load``; objects that pin by name are opened
    through libbpf itself with a pin root under our directory."""
    stem = o.stem if o.parent == HERE else f"corpus_{o.stem}"
    if b"pinning" in o.read_bytes():
        lb.messages.clear()
        opts = Libbpf.OpenOpts(sz=ctypes.sizeof(Libbpf.OpenOpts), pin_root_path=PIN.encode())
        cwd = os.getcwd()
        os.chdir(o.parent)
        try:
            obj = lb.lib.bpf_object__open_file(o.name.encode(), ctypes.byref(opts))
        finally:
            os.chdir(cwd)
        if obj:
            lb.lib.bpf_object__close(obj)
        text = "".join(lb.messages).replace(f"libbpf: loading object from {o.name}\n", f"libbpf: loading {o.name}\n")
    else:
        pin = f"{PIN}/rec_{o.stem}"
        text = bpftool("-d", "prog", "loadall", o.name, pin, "pinmaps", f"{pin}_maps", cwd=o.parent).stderr
        shows = []
        if os.path.isdir(f"{pin}_maps"):
            for name in sorted(os.listdir(f"{pin}_maps")):
                r = bpftool("-j", "map", "show", "pinned", f"{pin}_maps/{name}")
                if r.returncode == 0:
                    d = json.loads(r.stdout)
                    shows.append({k: d.get(k) for k in ("type", "name", "flags", "bytes_key", "bytes_value",
                                                        "max_entries", "frozen")} | {"pin": name,
                                                                                    "btf": "btf_id" in d})
        (OUT / f"{stem}.mapshow.json").write_text(json.dumps(shows, indent=1) + "\n")
        shutil.rmtree(pin, ignore_errors=True)
        shutil.rmtree(f"{pin}_maps", ignore_errors=True)
    (OUT / f"{stem}.libbpf.txt").write_text(strip_logs(text))


def strip_logs(text: str) -> str:
    """Keep libbpf's own lines; drop verifier log bodies (kernel-specific, and huge)."""
    out, in_log = [], False
    for line in text.splitlines(keepends=True):
        if "-- BEGIN PROG LOAD LOG --" in line:
            in_log = True
            out.append(line)
        elif "-- END PROG LOAD LOG --" in line:
            in_log = False
            out.append(line)
        elif not in_log:
            out.append(line)
    return "".join(out)


def record_relocated(o: Path, lb: Libbpf) -> None:
    stem = o.stem if o.parent == HERE else f"corpus_{o.stem}"
    out = lb.relocated(str(o))
    if out:
        (OUT / f"{stem}.relocated.json").write_text(json.dumps(out, indent=1) + "\n")


def record_mapdump(lb: Libbpf) -> None:
    """Map values in every btf_dumper shape, dumped by bpftool (text and -j)."""
    from tests.test_pylibbpf_btf import MAPDUMP_CASES  # the cases live with their test

    results = []
    for case in MAPDUMP_CASES:
        raw_btf, key_id, value_id, ksz, vsz, entries = case["build"]()
        fd, bfd, mid = lb.map_with_btf(raw_btf, key_id, value_id, ksz, vsz, entries, case.get("map_type", 1))
        text = bpftool("map", "dump", "id", str(mid)).stdout
        js = bpftool("-j", "map", "dump", "id", str(mid)).stdout
        os.close(fd)
        os.close(bfd)
        results.append({"name": case["name"], "text": text, "json": js})
    (OUT / "mapdump.json").write_text(json.dumps(results, indent=1) + "\n")


def record_btflog(lb: Libbpf) -> None:
    """The kernel's BTF_LOAD log (log_level 1) for valid and broken BTF."""
    from tests.test_pylibbpf_btf import BTFLOG_CASES

    out = {}
    for name, build in BTFLOG_CASES.items():
        raw = build()
        buf = ctypes.create_string_buffer(raw, len(raw))
        log = ctypes.create_string_buffer(1 << 20)
        opts = (ctypes.c_uint64 * 4)()
        struct.pack_into("<QQII", opts, 0, 24, ctypes.addressof(log), 1, len(log))
        fd = lb.lib.bpf_btf_load(buf, len(raw), opts)
        err = 0 if fd >= 0 else ctypes.get_errno()
        if fd >= 0:
            os.close(fd)
        out[name] = {"errno": err, "log": log.value.decode()}
    (OUT / "btflog.json").write_text(json.dumps(out, indent=1) + "\n")


def record_sections() -> None:
    r = bpftool("prog", "load", str(HERE / "xdp_count.o"), f"{PIN}/rec_sec", "type", "frob")
    (OUT / "sections.txt").write_text(r.stderr)


def main(out: Path | None = None) -> None:
    global OUT
    if out is not None:
        OUT = out
    OUT.mkdir(exist_ok=True)
    made_pin_dir = not os.path.isdir(PIN)
    os.makedirs(PIN, exist_ok=True)
    before = set(os.listdir(PIN))
    lb = Libbpf()
    for o in objects():
        record_btf(o)
        record_messages(o, lb)
        record_relocated(o, lb)
    record_mapdump(lb)
    record_btflog(lb)
    record_sections()
    for name in set(os.listdir(PIN)) - before:  # our pins only (rec_*, maps pinned by name)
        leftover = Path(PIN) / name
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
    if made_pin_dir:  # leave the real bpffs as we found it
        with contextlib.suppress(OSError):
            os.rmdir(PIN)


if __name__ == "__main__":
    main()
