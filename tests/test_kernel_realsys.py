"""A thin ctypes door to the real kernel's bpf(2), and the same door onto pykernel.

``RealSys`` and ``SimSys`` expose one small API (``map_create``, ``update``, ``lookup``,
``next_key``, batch ops, ``prog_load``, pins ...). Each method returns its result or raises
``OSError`` with the errno, so a scenario written once runs against both and the traces can
be compared (see tests/test_kernel_diff.py). ``RealSys`` needs root, x86-64 and bpf(); the
``realkernel`` tests skip cleanly where it is missing. Pins on the real kernel go only under
``/sys/fs/bpf/pybpf-kcore/`` and are removed afterwards.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

NR_BPF = 321  # x86-64
ATTR_SIZE = 160
REAL_PIN_ROOT = "/sys/fs/bpf/pybpf-kcore"

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def real_bpf_available() -> bool:
    if platform.machine() != "x86_64" or os.geteuid() != 0:
        return False
    try:
        fd = RealSys().map_create(2, 4, 4, 1)
    except OSError:
        return False
    os.close(fd)
    return True


_REAL: bool | None = None


def have_real() -> bool:
    global _REAL
    if _REAL is None:
        _REAL = real_bpf_available()
    return _REAL


realkernel = pytest.mark.realkernel


def need_real() -> None:
    if not have_real():
        pytest.skip("needs root and the real kernel's bpf()")


class _Buf:
    """Keeps ctypes buffers alive while their addresses sit in an attr."""

    def __init__(self) -> None:
        self.keep: list[object] = []

    def ptr(self, data: bytes | bytearray | None, size: int | None = None) -> tuple[int, object | None]:
        if data is None and size is None:
            return 0, None
        if data is None:
            buf = ctypes.create_string_buffer(size or 1)
        else:
            buf = ctypes.create_string_buffer(bytes(data), max(len(data), size or 0) or 1)
        self.keep.append(buf)
        return ctypes.addressof(buf), buf


class RealSys:
    """The real bpf(2)."""

    name = "real"

    def sys(self, cmd: int, attr: bytearray) -> int:
        buf = ctypes.create_string_buffer(bytes(attr), len(attr))
        ret = _libc.syscall(NR_BPF, cmd, buf, len(attr))
        attr[:] = buf.raw
        if ret < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return ret

    # -- maps -------------------------------------------------------------------------
    def map_create(self, map_type: int, key_size: int, value_size: int, max_entries: int,
                   map_flags: int = 0, name: str = "", inner_map_fd: int = 0, numa_node: int = 0,
                   btf_fd: int = 0, btf_key: int = 0, btf_value: int = 0, map_extra: int = 0,
                   map_ifindex: int = 0) -> int:
        a = bytearray(ATTR_SIZE)
        struct.pack_into("<IIIIIII", a, 0, map_type, key_size, value_size, max_entries, map_flags,
                         inner_map_fd, numa_node)
        a[28:44] = name.encode().ljust(16, b"\0")[:16]
        struct.pack_into("<IIIII", a, 44, map_ifindex, btf_fd, btf_key, btf_value, 0)
        struct.pack_into("<Q", a, 64, map_extra)
        return self.sys(0, a)

    def _elem(self, cmd: int, fd: int, key: bytes | None, value: bytes | None, vsize: int | None,
              flags: int) -> tuple[int, object | None]:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        kp, _ = b.ptr(key)
        vp, vbuf = b.ptr(value, vsize)
        struct.pack_into("<IIQQQ", a, 0, fd, 0, kp, vp, flags)
        ret = self.sys(cmd, a)
        return ret, vbuf

    def lookup(self, fd: int, key: bytes | None, value_size: int, flags: int = 0,
               value_in: bytes | None = None) -> bytes:
        _, vbuf = self._elem(1, fd, key, value_in, value_size, flags)
        return vbuf.raw[:value_size]  # type: ignore[union-attr]

    def update(self, fd: int, key: bytes | None, value: bytes, flags: int = 0) -> None:
        self._elem(2, fd, key, value, None, flags)

    def delete(self, fd: int, key: bytes | None, flags: int = 0) -> None:
        self._elem(3, fd, key, None, None, flags)

    def next_key(self, fd: int, key: bytes | None, key_size: int) -> bytes:
        _, vbuf = self._elem(4, fd, key, None, key_size, 0)
        return vbuf.raw[:key_size]  # type: ignore[union-attr]

    def lookup_and_delete(self, fd: int, key: bytes | None, value_size: int, flags: int = 0) -> bytes:
        _, vbuf = self._elem(21, fd, key, None, value_size, flags)
        return vbuf.raw[:value_size]  # type: ignore[union-attr]

    def freeze(self, fd: int) -> None:
        a = bytearray(ATTR_SIZE)
        struct.pack_into("<I", a, 0, fd)
        self.sys(22, a)

    def batch(self, cmd: int, fd: int, in_batch: bytes | None, out_batch_size: int,
              keys: bytes | None, values: bytes | None, count: int, key_size: int, value_size: int,
              elem_flags: int = 0, flags: int = 0) -> tuple[int, int, bytes, bytes, bytes]:
        """Returns (errno or 0, count, out_batch, keys, values)."""
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        ip, _ = b.ptr(in_batch)
        op, obuf = b.ptr(None, out_batch_size) if out_batch_size else (0, None)
        kp, kbuf = b.ptr(keys, key_size * count)
        vp, vbuf = b.ptr(values, value_size * count)
        struct.pack_into("<QQQQIIQQ", a, 0, ip, op, kp, vp, count, fd, elem_flags, flags)
        err = 0
        try:
            self.sys(cmd, a)
        except OSError as e:
            err = e.errno
        cnt = struct.unpack_from("<I", a, 32)[0]
        return (err, cnt, obuf.raw if obuf else b"", kbuf.raw if kbuf else b"",  # type: ignore[union-attr]
                vbuf.raw if vbuf else b"")  # type: ignore[union-attr]

    # -- progs --------------------------------------------------------------------------
    def prog_load(self, prog_type: int, insns: bytes, license: str | None = "GPL", name: str = "",
                  log_level: int = 0, log_size: int = 0, log_buf: bool = False,
                  expected_attach_type: int = 0, prog_flags: int = 0,
                  kern_version: int = 0, insn_cnt: int | None = None) -> tuple[int, str]:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        ip, _ = b.ptr(insns)
        lp, _ = b.ptr(license.encode() + b"\0") if license is not None else (0, None)
        lbp, lbuf = b.ptr(None, log_size) if log_buf else (0, None)
        cnt = len(insns) // 8 if insn_cnt is None else insn_cnt
        struct.pack_into("<IIQQIIQII", a, 0, prog_type, cnt, ip, lp, log_level, log_size, lbp,
                         kern_version, prog_flags)
        a[48:64] = name.encode().ljust(16, b"\0")[:16]
        struct.pack_into("<I", a, 68, expected_attach_type)
        fd = self.sys(5, a)
        log = lbuf.raw.split(b"\0", 1)[0].decode(errors="replace") if lbuf else ""  # type: ignore[union-attr]
        return fd, log

    def btf_load(self, data: bytes) -> int:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        dp, _ = b.ptr(data)
        struct.pack_into("<QQIIII", a, 0, dp, 0, len(data), 0, 0, 0)
        return self.sys(18, a)

    # -- objects ------------------------------------------------------------------------
    def pin(self, fd: int, path: str) -> None:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        pp, _ = b.ptr(path.encode() + b"\0")
        struct.pack_into("<QII", a, 0, pp, fd, 0)
        self.sys(6, a)

    def get(self, path: str, flags: int = 0) -> int:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        pp, _ = b.ptr(path.encode() + b"\0")
        struct.pack_into("<QII", a, 0, pp, 0, flags)
        return self.sys(7, a)

    def next_id(self, cmd: int, start: int) -> int:
        a = bytearray(ATTR_SIZE)
        struct.pack_into("<III", a, 0, start, 0, 0)
        self.sys(cmd, a)
        return struct.unpack_from("<I", a, 4)[0]

    def fd_by_id(self, cmd: int, obj_id: int, open_flags: int = 0) -> int:
        a = bytearray(ATTR_SIZE)
        struct.pack_into("<III", a, 0, obj_id, 0, open_flags)
        return self.sys(cmd, a)

    def map_info(self, fd: int) -> dict[str, object]:
        b = _Buf()
        a = bytearray(ATTR_SIZE)
        ip, ibuf = b.ptr(None, 88)
        struct.pack_into("<IIQ", a, 0, fd, 88, ip)
        self.sys(15, a)
        raw = ibuf.raw  # type: ignore[union-attr]
        t, i, ks, vs, me, fl = struct.unpack_from("<IIIIII", raw, 0)
        name = raw[24:40].split(b"\0", 1)[0].decode()
        btf_id, bk, bv = struct.unpack_from("<III", raw, 64)
        return {"type": t, "id": i, "key_size": ks, "value_size": vs, "max_entries": me,
                "map_flags": fl, "name": name, "btf_id": btf_id, "btf_key_type_id": bk,
                "btf_value_type_id": bv, **self.fdinfo(fd)}

    def fdinfo(self, fd: int) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines():
            k, _, v = line.partition(":")
            v = v.strip()
            try:
                out[k] = int(v, 0)
            except ValueError:
                pass
        return out

    def close(self, fd: int) -> None:
        os.close(fd)

    def unlink(self, path: str) -> None:
        os.unlink(path)

    def mkdir(self, path: str) -> None:
        os.mkdir(path)


def cleanup_real_pins() -> None:
    shutil.rmtree(REAL_PIN_ROOT, ignore_errors=True)


class SimSys:
    """The same API onto one simulated ``pykernel.Process``."""

    name = "sim"

    def __init__(self, proc: object) -> None:
        self.p = proc

    def _call(self, cmd: int, attr: object) -> int:
        from pykernel.uapi.errors import SyscallError

        try:
            return self.p.bpf(cmd, attr)  # type: ignore[attr-defined]
        except SyscallError as e:
            raise OSError(e.errno, os.strerror(e.errno) if e.errno != 524 else "Unknown error 524") from None

    def map_create(self, map_type: int, key_size: int, value_size: int, max_entries: int,
                   map_flags: int = 0, name: str = "", inner_map_fd: int = 0, numa_node: int = 0,
                   btf_fd: int = 0, btf_key: int = 0, btf_value: int = 0, map_extra: int = 0,
                   map_ifindex: int = 0) -> int:
        from pykernel.uapi.attr import MapCreateAttr

        return self._call(0, MapCreateAttr(map_type=map_type, key_size=key_size, value_size=value_size,
                                           max_entries=max_entries, map_flags=map_flags,
                                           inner_map_fd=inner_map_fd, numa_node=numa_node,
                                           map_name=name, btf_fd=btf_fd, btf_key_type_id=btf_key,
                                           btf_value_type_id=btf_value, map_extra=map_extra,
                                           map_ifindex=map_ifindex))

    def lookup(self, fd: int, key: bytes | None, value_size: int, flags: int = 0,
               value_in: bytes | None = None) -> bytes:
        from pykernel.uapi.attr import MapElemAttr

        v = bytearray(value_in) if value_in is not None else bytearray(value_size)
        self._call(1, MapElemAttr(map_fd=fd, key=key, value=v, flags=flags))
        return bytes(v)

    def update(self, fd: int, key: bytes | None, value: bytes, flags: int = 0) -> None:
        from pykernel.uapi.attr import MapElemAttr

        self._call(2, MapElemAttr(map_fd=fd, key=key, value=value, flags=flags))

    def delete(self, fd: int, key: bytes | None, flags: int = 0) -> None:
        from pykernel.uapi.attr import MapElemAttr

        self._call(3, MapElemAttr(map_fd=fd, key=key, flags=flags))

    def next_key(self, fd: int, key: bytes | None, key_size: int) -> bytes:
        from pykernel.uapi.attr import MapElemAttr

        nk = bytearray(key_size)
        self._call(4, MapElemAttr(map_fd=fd, key=key, next_key=nk))
        return bytes(nk)

    def lookup_and_delete(self, fd: int, key: bytes | None, value_size: int, flags: int = 0) -> bytes:
        from pykernel.uapi.attr import MapElemAttr

        v = bytearray(value_size)
        self._call(21, MapElemAttr(map_fd=fd, key=key, value=v, flags=flags))
        return bytes(v)

    def freeze(self, fd: int) -> None:
        from pykernel.uapi.attr import MapFreezeAttr

        self._call(22, MapFreezeAttr(map_fd=fd))

    def batch(self, cmd: int, fd: int, in_batch: bytes | None, out_batch_size: int,
              keys: bytes | None, values: bytes | None, count: int, key_size: int, value_size: int,
              elem_flags: int = 0, flags: int = 0) -> tuple[int, int, bytes, bytes, bytes]:
        from pykernel.uapi.attr import MapBatchAttr

        ob = bytearray(out_batch_size) if out_batch_size else None
        kb = bytearray(keys) if keys is not None else bytearray(key_size * count)
        vb = bytearray(values) if values is not None else bytearray(value_size * count)
        attr = MapBatchAttr(map_fd=fd, in_batch=in_batch, out_batch=ob, keys=kb, values=vb, count=count,
                            elem_flags=elem_flags, flags=flags)
        err = 0
        try:
            self._call(cmd, attr)
        except OSError as e:
            err = e.errno or 0
        return err, attr.count, bytes(ob or b""), bytes(kb), bytes(vb)

    def prog_load(self, prog_type: int, insns: bytes, license: str | None = "GPL", name: str = "",
                  log_level: int = 0, log_size: int = 0, log_buf: bool = False,
                  expected_attach_type: int = 0, prog_flags: int = 0,
                  kern_version: int = 0, insn_cnt: int | None = None) -> tuple[int, str]:
        from pykernel.uapi.attr import ProgLoadAttr

        lb = bytearray(log_size) if log_buf else None
        attr = ProgLoadAttr(prog_type=prog_type, insns=insns, license=license,  # type: ignore[arg-type]
                            log_level=log_level, log_size=log_size, log_buf=lb, prog_name=name,
                            expected_attach_type=expected_attach_type, prog_flags=prog_flags,
                            kern_version=kern_version)
        fd = self._call(5, attr)
        log = bytes(lb).split(b"\0", 1)[0].decode(errors="replace") if lb is not None else ""
        return fd, log

    def btf_load(self, data: bytes) -> int:
        from pykernel.uapi.attr import BtfLoadAttr

        return self._call(18, BtfLoadAttr(btf=data))

    def pin(self, fd: int, path: str) -> None:
        from pykernel.uapi.attr import ObjPinAttr

        self._call(6, ObjPinAttr(pathname=path, bpf_fd=fd))

    def get(self, path: str, flags: int = 0) -> int:
        from pykernel.uapi.attr import ObjPinAttr

        return self._call(7, ObjPinAttr(pathname=path, file_flags=flags))

    def next_id(self, cmd: int, start: int) -> int:
        from pykernel.uapi.attr import GetIdAttr

        a = GetIdAttr(start_id=start)
        self._call(cmd, a)
        return a.next_id

    def fd_by_id(self, cmd: int, obj_id: int, open_flags: int = 0) -> int:
        from pykernel.uapi.attr import GetIdAttr

        return self._call(cmd, GetIdAttr(start_id=obj_id, open_flags=open_flags))

    def map_info(self, fd: int) -> dict[str, object]:
        from pykernel.uapi.attr import InfoAttr, MapInfo

        info = MapInfo()
        self._call(15, InfoAttr(bpf_fd=fd, info=info))
        return {"type": info.type, "id": info.id, "key_size": info.key_size,
                "value_size": info.value_size, "max_entries": info.max_entries,
                "map_flags": info.map_flags, "name": info.name, "btf_id": info.btf_id,
                "btf_key_type_id": info.btf_key_type_id, "btf_value_type_id": info.btf_value_type_id,
                "memlock": info.memlock, "frozen": int(info.frozen)}

    def close(self, fd: int) -> None:
        try:
            self.p.close(fd)  # type: ignore[attr-defined]
        except Exception as e:  # SyscallError is an OSError
            raise OSError(getattr(e, "errno", errno.EBADF), str(e)) from None

    def unlink(self, path: str) -> None:
        self._fs(self.p.unlink, path)  # type: ignore[attr-defined]

    def mkdir(self, path: str) -> None:
        self._fs(self.p.mkdir, path, parents=True)  # type: ignore[attr-defined]

    @staticmethod
    def _fs(fn: Any, *a: Any, **kw: Any) -> None:
        from pykernel.uapi.errors import SyscallError

        try:
            fn(*a, **kw)
        except SyscallError as e:
            raise OSError(e.errno, os.strerror(e.errno)) from None


@realkernel
def test_real_bpf_door_works() -> None:
    need_real()
    s = RealSys()
    fd = s.map_create(1, 4, 8, 4, name="x")
    try:
        s.update(fd, b"\1\0\0\0", b"\2" * 8)
        assert s.lookup(fd, b"\1\0\0\0", 8) == b"\2" * 8
        with pytest.raises(OSError) as e:
            s.lookup(fd, b"\2\0\0\0", 8)
        assert e.value.errno == errno.ENOENT
        assert s.map_info(fd)["memlock"] > 0
    finally:
        s.close(fd)
