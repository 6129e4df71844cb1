"""Minimal bpf(2) access through ctypes, for the helper probes (root, x86-64 only).

Only what the probes need: PROG_LOAD with a verifier log, MAP_CREATE, and a tiny
instruction encoder. Kept independent of pykernel on purpose: the probes measure the
real kernel, the tests compare pykernel's table against what they recorded.
"""

from __future__ import annotations

import ctypes
import os
import struct
import subprocess
from dataclasses import dataclass

NR_BPF = 321  # x86-64
BPF_MAP_CREATE = 0
BPF_PROG_LOAD = 5
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_BTF_LOAD = 18

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class ProgLoadAttr(ctypes.Structure):
    _fields_ = [
        ("prog_type", ctypes.c_uint32),
        ("insn_cnt", ctypes.c_uint32),
        ("insns", ctypes.c_uint64),
        ("license", ctypes.c_uint64),
        ("log_level", ctypes.c_uint32),
        ("log_size", ctypes.c_uint32),
        ("log_buf", ctypes.c_uint64),
        ("kern_version", ctypes.c_uint32),
        ("prog_flags", ctypes.c_uint32),
        ("prog_name", ctypes.c_char * 16),
        ("prog_ifindex", ctypes.c_uint32),
        ("expected_attach_type", ctypes.c_uint32),
        ("prog_btf_fd", ctypes.c_uint32),
        ("func_info_rec_size", ctypes.c_uint32),
        ("func_info", ctypes.c_uint64),
        ("func_info_cnt", ctypes.c_uint32),
        ("line_info_rec_size", ctypes.c_uint32),
        ("line_info", ctypes.c_uint64),
        ("line_info_cnt", ctypes.c_uint32),
        ("attach_btf_id", ctypes.c_uint32),
        ("attach_prog_fd", ctypes.c_uint32),
        ("pad", ctypes.c_uint8 * 64),
    ]


class BtfLoadAttr(ctypes.Structure):
    _fields_ = [
        ("btf", ctypes.c_uint64),
        ("btf_log_buf", ctypes.c_uint64),
        ("btf_size", ctypes.c_uint32),
        ("btf_log_size", ctypes.c_uint32),
        ("btf_log_level", ctypes.c_uint32),
        ("pad", ctypes.c_uint8 * 64),
    ]


class MapCreateAttr(ctypes.Structure):
    _fields_ = [
        ("map_type", ctypes.c_uint32),
        ("key_size", ctypes.c_uint32),
        ("value_size", ctypes.c_uint32),
        ("max_entries", ctypes.c_uint32),
        ("map_flags", ctypes.c_uint32),
        ("inner_map_fd", ctypes.c_uint32),
        ("numa_node", ctypes.c_uint32),
        ("map_name", ctypes.c_char * 16),
        ("map_ifindex", ctypes.c_uint32),
        ("btf_fd", ctypes.c_uint32),
        ("btf_key_type_id", ctypes.c_uint32),
        ("btf_value_type_id", ctypes.c_uint32),
        ("btf_vmlinux_value_type_id", ctypes.c_uint32),
        ("map_extra", ctypes.c_uint64),
        ("pad", ctypes.c_uint8 * 64),
    ]


def sys_bpf(cmd: int, attr: ctypes.Structure) -> int:
    ret = _libc.syscall(NR_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if ret < 0:
        return -ctypes.get_errno()
    return ret


# ---------------------------------------------------------------------------- insns


def insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def mov64_imm(dst: int, imm: int) -> bytes:
    return insn(0xB7, dst, 0, 0, imm)


def mov64_reg(dst: int, src: int) -> bytes:
    return insn(0xBF, dst, src)


def add64_imm(dst: int, imm: int) -> bytes:
    return insn(0x07, dst, 0, 0, imm)


def call(helper_id: int) -> bytes:
    return insn(0x85, 0, 0, 0, helper_id)


def call_pc(off: int) -> bytes:
    """bpf-to-bpf call: src_reg = BPF_PSEUDO_CALL (1), imm = relative insn offset."""
    return insn(0x85, 0, 1, 0, off)


def exit_() -> bytes:
    return insn(0x95)


def st_dw(dst: int, off: int, imm: int) -> bytes:
    return insn(0x7A, dst, 0, off, imm)


def ldx(size: str, dst: int, src: int, off: int) -> bytes:
    return insn({"b": 0x71, "h": 0x69, "w": 0x61, "dw": 0x79}[size], dst, src, off)


def jeq_imm(dst: int, imm: int, off: int) -> bytes:
    return insn(0x15, dst, 0, off, imm)


def ld_map_fd(dst: int, fd: int) -> bytes:
    """ld_imm64 with src_reg = BPF_PSEUDO_MAP_FD (1): two slots."""
    return insn(0x18, dst, 1, 0, fd) + insn(0, 0, 0, 0, 0)


def ld_map_value(dst: int, fd: int, off: int) -> bytes:
    """ld_imm64 with src_reg = BPF_PSEUDO_MAP_VALUE (2)."""
    return insn(0x18, dst, 2, 0, fd) + insn(0, 0, 0, 0, off)


def ld_func(dst: int, off: int) -> bytes:
    """ld_imm64 with src_reg = BPF_PSEUDO_FUNC (4), imm = relative insn offset."""
    return insn(0x18, dst, 4, 0, off) + insn(0, 0, 0, 0, 0)


# ---------------------------------------------------------------------------- loads


@dataclass
class LoadResult:
    fd: int  # >= 0 on success, -errno on failure
    log: str

    @property
    def ok(self) -> bool:
        return self.fd >= 0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def prog_load(
    prog_type: int,
    code: bytes,
    *,
    license: str = "GPL",
    expected_attach_type: int = 0,
    attach_btf_id: int = 0,
    prog_flags: int = 0,
    log_level: int = 1,
    log_size: int = 1 << 20,
    name: str = "",
    btf_fd: int = 0,
    func_info: list[tuple[int, int]] | None = None,
) -> LoadResult:
    buf = ctypes.create_string_buffer(log_size) if log_level else None
    lic = ctypes.create_string_buffer(license.encode())
    prog = ctypes.create_string_buffer(code, len(code))
    attr = ProgLoadAttr()
    attr.prog_type = prog_type
    attr.insn_cnt = len(code) // 8
    attr.insns = ctypes.addressof(prog)
    attr.license = ctypes.addressof(lic)
    attr.log_level = log_level
    if buf is not None:
        attr.log_size = log_size
        attr.log_buf = ctypes.addressof(buf)
    attr.prog_flags = prog_flags
    attr.prog_name = name.encode()[:15]
    attr.expected_attach_type = expected_attach_type
    attr.attach_btf_id = attach_btf_id
    fi = None
    if func_info:
        raw = b"".join(struct.pack("<II", off, tid) for off, tid in func_info)
        fi = ctypes.create_string_buffer(raw, len(raw))
        attr.prog_btf_fd = btf_fd
        attr.func_info_rec_size = 8
        attr.func_info = ctypes.addressof(fi)
        attr.func_info_cnt = len(func_info)
    fd = sys_bpf(BPF_PROG_LOAD, attr)
    log = buf.value.decode(errors="replace") if buf is not None else ""
    return LoadResult(fd, log)


def map_create(
    map_type: int,
    key_size: int,
    value_size: int,
    max_entries: int,
    *,
    map_flags: int = 0,
    inner_map_fd: int = 0,
    name: str = "",
    btf_fd: int = 0,
    btf_key_type_id: int = 0,
    btf_value_type_id: int = 0,
) -> int:
    attr = MapCreateAttr()
    attr.map_type = map_type
    attr.key_size = key_size
    attr.value_size = value_size
    attr.max_entries = max_entries
    attr.map_flags = map_flags
    attr.inner_map_fd = inner_map_fd
    attr.map_name = name.encode()[:15]
    attr.btf_fd = btf_fd
    attr.btf_key_type_id = btf_key_type_id
    attr.btf_value_type_id = btf_value_type_id
    return sys_bpf(BPF_MAP_CREATE, attr)


def btf_load(blob: bytes) -> int:
    buf = ctypes.create_string_buffer(blob, len(blob))
    attr = BtfLoadAttr()
    attr.btf = ctypes.addressof(buf)
    attr.btf_size = len(blob)
    return sys_bpf(BPF_BTF_LOAD, attr)


def funcs_btf(names: list[str]) -> bytes:
    """A minimal BTF: int, one FUNC_PROTO ``int (void)``, and a static FUNC per name
    (type ids 3, 4, ... in order), enough for func_info of programs with callbacks."""
    strings = b"\0int\0"
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", (1 << 24) | 32)  # [1] int
    types += struct.pack("<III", 0, 13 << 24, 1)  # [2] FUNC_PROTO -> int, no params
    for n in names:
        off = len(strings)
        strings += n.encode() + b"\0"
        types += struct.pack("<III", off, 12 << 24, 2)  # FUNC, static, proto [2]
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
    return hdr + types + strings


class ProgInfo(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_uint32),
        ("id", ctypes.c_uint32),
        ("tag", ctypes.c_uint8 * 8),
        ("jited_prog_len", ctypes.c_uint32),
        ("xlated_prog_len", ctypes.c_uint32),
        ("jited_prog_insns", ctypes.c_uint64),
        ("xlated_prog_insns", ctypes.c_uint64),
        ("rest", ctypes.c_uint8 * 256),
    ]


class InfoAttr(ctypes.Structure):
    _fields_ = [("bpf_fd", ctypes.c_uint32), ("info_len", ctypes.c_uint32), ("info", ctypes.c_uint64)]


def prog_info(fd: int, want_xlated: bool = False) -> tuple[int, bytes]:
    """Return (prog id, xlated bytes if asked)."""
    info = ProgInfo()
    attr = InfoAttr(fd, ctypes.sizeof(info), ctypes.addressof(info))
    if sys_bpf(BPF_OBJ_GET_INFO_BY_FD, attr) < 0:
        raise OSError(ctypes.get_errno(), "OBJ_GET_INFO_BY_FD")
    if not want_xlated:
        return info.id, b""
    n = info.xlated_prog_len
    buf = ctypes.create_string_buffer(n)
    info2 = ProgInfo()
    info2.xlated_prog_len = n
    info2.xlated_prog_insns = ctypes.addressof(buf)
    attr = InfoAttr(fd, ctypes.sizeof(info2), ctypes.addressof(info2))
    if sys_bpf(BPF_OBJ_GET_INFO_BY_FD, attr) < 0:
        raise OSError(ctypes.get_errno(), "OBJ_GET_INFO_BY_FD")
    return info.id, buf.raw


# ---------------------------------------------------------------------------- vmlinux BTF


def vmlinux_btf_ids(names: set[str]) -> dict[tuple[str, str], int]:
    """(kind, name) -> BTF type id in /sys/kernel/btf/vmlinux, for the requested names."""
    out = subprocess.run(
        ["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found: dict[tuple[str, str], int] = {}
    for line in out.splitlines():
        if not line.startswith("["):
            continue
        head, _, rest = line.partition("] ")
        kind, _, rest = rest.partition(" ")
        name = rest.split("'")[1] if "'" in rest else ""
        if name in names:
            found.setdefault((kind, name), int(head[1:]))
    return found


def vmlinux_enum(enum_name: str) -> dict[str, int]:
    """Enumerators of one enum of the running kernel (from its BTF)."""
    out = subprocess.run(
        ["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = out.splitlines()
    start = lines.index(f"enum {enum_name} {{")
    values: dict[str, int] = {}
    for line in lines[start + 1 :]:
        if line.startswith("};"):
            break
        name, _, val = line.strip().rstrip(",").partition(" = ")
        values[name] = int(val)
    return values


def kernel_release() -> str:
    return os.uname().release


def can_probe() -> bool:
    """True when we are root and a trivial socket filter loads."""
    if os.geteuid() != 0:
        return False
    try:
        r = prog_load(1, mov64_imm(0, 0) + exit_(), log_level=0)
    except OSError:
        return False
    ok = r.ok
    r.close()
    return ok
