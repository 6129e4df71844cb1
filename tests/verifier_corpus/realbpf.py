"""ctypes access to the real kernel's bpf(2) for recording verifier verdicts (root, x86-64).

Independent of pykernel on purpose: it measures the oracle. Used by ``record.py`` and by
the ``realkernel`` tests; everything it pins lives under ``/sys/fs/bpf/pybpf-verifier2/``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import subprocess

NR_BPF = 321
MAP_CREATE, MAP_LOOKUP, MAP_UPDATE, PROG_LOAD, OBJ_PIN, OBJ_GET_INFO_BY_FD, MAP_FREEZE = 0, 1, 2, 5, 6, 15, 22
PIN_ROOT = "/sys/fs/bpf/pybpf-verifier2"

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def sys_bpf(cmd: int, attr: ctypes.Array | ctypes.Structure, size: int | None = None) -> int:
    ret = _libc.syscall(NR_BPF, cmd, ctypes.byref(attr), size if size is not None else ctypes.sizeof(attr))
    if ret < 0:
        return -ctypes.get_errno()
    return ret


def available() -> bool:
    if platform.machine() != "x86_64" or os.geteuid() != 0:
        return False
    try:
        fd = map_create(2, 4, 4, 1)
    except OSError:
        return False
    os.close(fd)
    return True


def map_create(map_type: int, key_size: int, value_size: int, max_entries: int, flags: int = 0,
               name: str = "", inner_map_fd: int = 0) -> int:
    buf = ctypes.create_string_buffer(128)
    struct.pack_into("<IIIIIII", buf, 0, map_type, key_size, value_size, max_entries, flags, inner_map_fd, 0)
    nm = name.encode()[:15]
    buf[28:28 + len(nm)] = nm
    fd = sys_bpf(MAP_CREATE, buf)
    if fd < 0:
        raise OSError(-fd, f"MAP_CREATE {name}")
    return fd


def map_update(fd: int, key: bytes, value: bytes, flags: int = 0) -> None:
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(value, len(value))
    buf = ctypes.create_string_buffer(32)
    struct.pack_into("<IIQQQ", buf, 0, fd, 0, ctypes.addressof(k), ctypes.addressof(v), flags)
    r = sys_bpf(MAP_UPDATE, buf)
    if r < 0:
        raise OSError(-r, "MAP_UPDATE")


def map_freeze(fd: int) -> None:
    buf = ctypes.create_string_buffer(8)
    struct.pack_into("<I", buf, 0, fd)
    r = sys_bpf(MAP_FREEZE, buf)
    if r < 0:
        raise OSError(-r, "MAP_FREEZE")


class LoadResult:
    def __init__(self, fd: int, log: str, log_true_size: int) -> None:
        self.fd, self.log, self.log_true_size = fd, log, log_true_size

    @property
    def ok(self) -> bool:
        return self.fd >= 0


def prog_load(prog_type: int, code: bytes, *, license: str = "GPL", log_level: int = 1,
              log_size: int = 1 << 22, prog_flags: int = 0, expected_attach_type: int = 0,
              name: str = "", fd_array: list[int] | None = None, btf_fd: int = 0,
              func_info: bytes = b"", line_info: bytes = b"") -> LoadResult:
    attr = ctypes.create_string_buffer(160)
    lic = ctypes.create_string_buffer(license.encode())
    prog = ctypes.create_string_buffer(code, len(code))
    log = ctypes.create_string_buffer(max(log_size, 1)) if log_level else None
    fa = (ctypes.c_int32 * len(fd_array))(*fd_array) if fd_array else None
    fi = ctypes.create_string_buffer(func_info, len(func_info)) if func_info else None
    li = ctypes.create_string_buffer(line_info, len(line_info)) if line_info else None
    struct.pack_into("<IIQQIIQII", attr, 0, prog_type, len(code) // 8, ctypes.addressof(prog),
                     ctypes.addressof(lic), log_level, log_size if log else 0,
                     ctypes.addressof(log) if log else 0, 0, prog_flags)
    nm = name.encode()[:15]
    attr[48:48 + len(nm)] = nm
    struct.pack_into("<III", attr, 64, 0, expected_attach_type, btf_fd)
    if fi is not None:
        struct.pack_into("<IQI", attr, 76, 8, ctypes.addressof(fi), len(func_info) // 8)
    if li is not None:
        struct.pack_into("<IQI", attr, 92, 16, ctypes.addressof(li), len(line_info) // 16)
    if fa is not None:
        struct.pack_into("<Q", attr, 120, ctypes.addressof(fa))
    fd = sys_bpf(PROG_LOAD, attr)
    true_size = struct.unpack_from("<I", attr, 140)[0]
    text = log.raw.split(b"\0", 1)[0].decode(errors="replace") if log is not None else ""
    return LoadResult(fd, text, true_size)


def pin(fd: int, path: str) -> None:
    p = ctypes.create_string_buffer(path.encode())
    buf = ctypes.create_string_buffer(16)
    struct.pack_into("<QI", buf, 0, ctypes.addressof(p), fd)
    r = sys_bpf(OBJ_PIN, buf)
    if r < 0:
        raise OSError(-r, f"OBJ_PIN {path}")


def prog_id(fd: int) -> int:
    info = ctypes.create_string_buffer(256)
    buf = ctypes.create_string_buffer(16)
    struct.pack_into("<IIQ", buf, 0, fd, 256, ctypes.addressof(info))
    r = sys_bpf(OBJ_GET_INFO_BY_FD, buf)
    if r < 0:
        raise OSError(-r, "OBJ_GET_INFO_BY_FD")
    return struct.unpack_from("<I", info, 4)[0]


def map_id(fd: int) -> int:
    return prog_id(fd)  # bpf_map_info.id sits at the same offset as bpf_prog_info.id


def dump_xlated(fd: int) -> str:
    """`bpftool prog dump xlated id N` of a loaded program."""
    pid = prog_id(fd)
    out = subprocess.run(["bpftool", "prog", "dump", "xlated", "id", str(pid)],
                         capture_output=True, text=True, check=True)
    return out.stdout


def prog_ext_info(fd: int) -> dict:
    """The kernel's view of a loaded program's BTF info (OBJ_GET_INFO_BY_FD): func info and
    line info at xlated offsets, and the tag of every function."""
    def info(buf_setup: dict[int, tuple[str, int]] | None = None) -> ctypes.Array:
        inf = ctypes.create_string_buffer(256)
        keep = []
        for off, (fmt, val) in (buf_setup or {}).items():
            struct.pack_into(fmt, inf, off, val)
        buf = ctypes.create_string_buffer(16)
        struct.pack_into("<IIQ", buf, 0, fd, 256, ctypes.addressof(inf))
        r = sys_bpf(OBJ_GET_INFO_BY_FD, buf)
        if r < 0:
            raise OSError(-r, "OBJ_GET_INFO_BY_FD")
        _ = keep
        return inf

    first = info()
    nfi, nli = struct.unpack_from("<II", first, 144)
    ntags = struct.unpack_from("<I", first, 180)[0]
    fi = ctypes.create_string_buffer(max(nfi, 1) * 8)
    li = ctypes.create_string_buffer(max(nli, 1) * 16)
    tg = ctypes.create_string_buffer(max(ntags, 1) * 8)
    full = info({132: ("<I", 8), 136: ("<Q", ctypes.addressof(fi)), 144: ("<I", nfi), 148: ("<I", nli),
                 152: ("<Q", ctypes.addressof(li)), 172: ("<I", 16), 180: ("<I", ntags),
                 184: ("<Q", ctypes.addressof(tg))})
    _ = full
    return {
        "func_info": [list(struct.unpack_from("<II", fi, 8 * k)) for k in range(nfi)],
        "line_info": [list(struct.unpack_from("<IIII", li, 16 * k)) for k in range(nli)],
        "prog_tags": [tg.raw[8 * k:8 * k + 8].hex() for k in range(ntags)],
    }
