"""Redirect targets: DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP.

* DEVMAP / DEVMAP_HASH: the value is ``struct bpf_devmap_val`` - an ifindex (4 bytes) and
  optionally a program fd (8 bytes); user space reads back the ifindex and the program's
  *id*. The device must exist (``pykernel.config.netdev_exists``); the program must be XDP
  with expected attach type BPF_XDP_DEVMAP and match the map's owner; any failure there is
  EINVAL. An ifindex of 0 empties a DEVMAP slot. The map gets BPF_F_RDONLY_PROG (programs
  only read it). DEVMAP_HASH keys are ifindex-like u32s in ``max_entries`` rounded up to
  a power of two buckets (``idx & (n_buckets - 1)``, newest first).
* CPUMAP: the value is ``struct bpf_cpumap_val`` - a queue size and optionally a program
  fd (BPF_XDP_CPUMAP; any failure there is ENOMEM as in Linux); a queue size of 0 empties
  the slot, more than 16384 is EOVERFLOW, a key that is not a possible CPU is ENODEV.
* XSKMAP: values are AF_XDP socket fds; the simulated kernel has no sockets, so updates
  fail with ENOTSOCK (EBADF for a closed fd); lookups from user space are EOPNOTSUPP.

Programs use :meth:`redirect_target` (``bpf_redirect_map``).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import EEXIST, ENODEV, ENOMEM, EOPNOTSUPP, EOVERFLOW, AttachType, MapType, ProgType
from .array import array_next_key
from .base import (
    BPF_EXIST,
    BPF_NOEXIST,
    E2BIG,
    EINVAL,
    ENOENT,
    ENOTSUPP,
    F_NUMA_NODE,
    F_RDONLY,
    F_RDONLY_PROG,
    F_WRONLY,
    BpfMap,
    check_mem,
    err,
    p32,
    u32,
)
from .fdarray import prog_map_compatible

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapCreateAttr

ENOTSOCK = 88
DEV_CREATE_FLAG_MASK = F_NUMA_NODE | F_RDONLY | F_WRONLY
CPUMAP_QSIZE_MAX = 16384


class _SlotMap(BpfMap):
    """Common storage: rows keyed by the u32 key, value = (u32 a, u32 prog id)."""

    holds_objects = True
    has_check_btf = True

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return ENOTSUPP  # map_check_no_btf

    def _get(self, k: int) -> tuple[int, int] | None:
        row = self.row_get(p32(k))
        if row is None:
            return None
        a, pid = struct.unpack("<II", row[0][:8].ljust(8, b"\0"))
        return a, pid

    def _put(self, k: int, a: int, pid: int, bucket: int, new_seq: bool) -> None:
        slot = str(k)
        old = self.row_get(p32(k))
        self.kernel.ref_drop("map", self.id, slot=slot)
        seq = self.next_seq() if new_seq or old is None else old[2]
        self.row_put(p32(k), struct.pack("<II", a, pid), bucket, seq)
        if pid:
            self.kernel.ref_add("map", self.id, slot, "prog", pid)
        if old is None:
            self.nelems += 1
            self.touch_meta()

    def _clear(self, k: int, count: bool = True) -> bool:
        if self.row_get(p32(k)) is None:
            return False
        self.kernel.ref_drop("map", self.id, slot=str(k))
        self.row_del(p32(k))
        if count:
            self.nelems -= 1
            self.touch_meta()
        return True

    def _user(self, a: int, pid: int) -> bytes:
        return struct.pack("<II", a, pid)[: self.value_size]


class DevMap(_SlotMap):
    TYPES = (MapType.DEVMAP, MapType.DEVMAP_HASH)

    def setup(self) -> None:
        self.is_hash = self.map_type == MapType.DEVMAP_HASH
        self.n_buckets = config.roundup_pow_of_two(self.max_entries) if self.is_hash else 0

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if (attr.max_entries == 0 or attr.key_size != 4 or attr.value_size not in (4, 8)
                or attr.map_flags & ~DEV_CREATE_FLAG_MASK):
            raise err(EINVAL, "bad devmap attributes")
        if attr.map_type == MapType.DEVMAP_HASH and attr.max_entries > 1 << 31:
            raise err(EINVAL, "too many entries")

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        fields["flags"] |= F_RDONLY_PROG
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        usage = config.SIZEOF_BPF_DTAB
        if fields["type"] == MapType.DEVMAP_HASH:
            usage += config.roundup_pow_of_two(fields["max_entries"]) * 8
        else:
            usage += fields["max_entries"] * 8
        return usage + fields.get("nelems", 0) * config.SIZEOF_BPF_DTAB_NETDEV

    def _node(self, value: bytes) -> tuple[int, int]:
        """__dev_map_alloc_node: (ifindex, prog id); any problem is EINVAL."""
        ifindex = u32(value)
        fd = struct.unpack_from("<i", value, 4)[0] if self.value_size >= 8 else 0
        if not config.netdev_exists(ifindex):
            raise err(EINVAL, f"no device with ifindex {ifindex}")
        pid = 0
        if fd > 0:
            try:
                prog = self.kernel.prog_fd(fd)
            except Exception:
                raise err(EINVAL, "bad program fd") from None
            if (prog.type != ProgType.XDP or prog.ifindex
                    or prog.expected_attach_type != AttachType.XDP_DEVMAP
                    or not prog_map_compatible(self, prog)):
                raise err(EINVAL, "program cannot run from a devmap")
            pid = prog.id
        return ifindex, pid

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        k = u32(key or bytes(4))
        v = self._get(k) if self.is_hash or k < self.max_entries else None
        if v is None:
            raise err(ENOENT, "empty slot")
        return self._user(*v)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        k = u32(key or bytes(4))
        value = bytes(value).ljust(8, b"\0")
        if self.is_hash:
            if flags > BPF_EXIST or u32(value) == 0:
                raise err(EINVAL, "bad flags or ifindex 0")
            old = self._get(k)
            if old is not None and flags & BPF_NOEXIST:
                raise err(EEXIST, "exists")
            ifindex, pid = self._node(value)
            if old is None and self.nelems >= self.max_entries:
                raise err(E2BIG, "devmap_hash full")
            self._put(k, ifindex, pid, k & (self.n_buckets - 1), new_seq=True)
            return
        if flags > BPF_EXIST:
            raise err(EINVAL, "bad flags")
        if k >= self.max_entries:
            raise err(E2BIG, "index out of range")
        if flags == BPF_NOEXIST:
            raise err(EEXIST, "devmap slots always exist")
        if u32(value) == 0:
            if self.value_size >= 8 and struct.unpack_from("<i", value, 4)[0] > 0:
                raise err(EINVAL, "a program needs a device")
            if not self._clear(k, count=False):
                self.nelems += 1  # the kernel counts an item whenever the slot was empty
                self.touch_meta()
            return
        ifindex, pid = self._node(value)
        self._put(k, ifindex, pid, k, new_seq=False)

    def sys_delete(self, key: bytes | None) -> None:
        k = u32(key or bytes(4))
        if self.is_hash:
            if not self._clear(k):
                raise err(ENOENT, "no such key")
            return
        if k >= self.max_entries:
            raise err(EINVAL, "index out of range")
        self._clear(k)

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        if not self.is_hash:
            return array_next_key(self.max_entries, key)
        if key is not None:
            row = self.row_get(key[:4])
            if row is not None:
                b, s = row[1], row[2]
                nxt = self.tx.one("SELECT key FROM map_elems WHERE map = ? AND bucket = ? AND seq < ? "
                                  "ORDER BY seq DESC LIMIT 1", (self.id, b, s))
                if nxt is None:
                    nxt = self.tx.one("SELECT key FROM map_elems WHERE map = ? AND bucket > ? "
                                      "ORDER BY bucket, seq DESC LIMIT 1", (self.id, b))
                if nxt is None:
                    raise err(ENOENT, "last key")
                return bytes(nxt[0])
        first = self.tx.one("SELECT key FROM map_elems WHERE map = ? ORDER BY bucket, seq DESC LIMIT 1",
                            (self.id,))
        if first is None:
            raise err(ENOENT, "empty")
        return bytes(first[0])

    def meta_equal(self, tmpl: dict[str, int]) -> bool:
        return super().meta_equal(tmpl)

    # -- program side --------------------------------------------------------------------------
    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        v = self._get(u32(key))
        if v is None or (not self.is_hash and u32(key) >= self.max_entries):
            return None
        return bytearray(self._user(*v).ljust(8, b"\0")), 0

    def redirect_target(self, key: int) -> tuple[int, int] | None:
        """(ifindex, program id or 0) stored at ``key``, or None."""
        if not self.is_hash and key >= self.max_entries:
            return None
        return self._get(key)


class CpuMap(_SlotMap):
    TYPES = (MapType.CPUMAP,)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if (attr.max_entries == 0 or attr.key_size != 4 or attr.value_size not in (4, 8)
                or attr.map_flags & ~F_NUMA_NODE):
            raise err(EINVAL, "bad cpumap attributes")
        if attr.max_entries > config.CONFIG_NR_CPUS:
            raise err(E2BIG, "more entries than NR_CPUS")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return config.SIZEOF_BPF_CPU_MAP + fields["max_entries"] * 8

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        k = u32(key or bytes(4))
        v = self._get(k) if k < self.max_entries else None
        if v is None:
            raise err(ENOENT, "empty slot")
        return self._user(*v)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        k = u32(key or bytes(4))
        value = bytes(value).ljust(8, b"\0")
        qsize = u32(value)
        fd = struct.unpack_from("<i", value, 4)[0] if self.value_size >= 8 else 0
        if flags > BPF_EXIST:
            raise err(EINVAL, "bad flags")
        if k >= self.max_entries:
            raise err(E2BIG, "index out of range")
        if flags == BPF_NOEXIST:
            raise err(EEXIST, "cpumap slots always exist")
        if qsize > CPUMAP_QSIZE_MAX:
            raise err(EOVERFLOW, "queue too large")
        if k >= config.NR_CPUS:
            raise err(ENODEV, "no such CPU")
        if qsize == 0:
            self._clear(k)
            return
        pid = 0
        if fd > 0:
            try:
                prog = self.kernel.prog_fd(fd)
            except Exception:
                raise err(ENOMEM, "bad program fd") from None
            if (prog.type != ProgType.XDP or prog.expected_attach_type != AttachType.XDP_CPUMAP
                    or not prog_map_compatible(self, prog)):
                raise err(ENOMEM, "program cannot run from a cpumap")
            pid = prog.id
        self._put(k, qsize, pid, k, new_seq=False)

    def sys_delete(self, key: bytes | None) -> None:
        k = u32(key or bytes(4))
        if k >= self.max_entries:
            raise err(EINVAL, "index out of range")
        self._clear(k)

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        return array_next_key(self.max_entries, key)

    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        k = u32(key)
        v = self._get(k) if k < self.max_entries else None
        return (bytearray(self._user(*v).ljust(8, b"\0")), 0) if v else None

    def redirect_target(self, key: int) -> tuple[int, int] | None:
        """(queue size, program id or 0) for CPU ``key``, or None."""
        return self._get(key) if key < self.max_entries else None


class XskMap(BpfMap):
    TYPES = (MapType.XSKMAP,)
    has_check_btf = True

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if (attr.max_entries == 0 or attr.key_size != 4 or attr.value_size != 4
                or attr.map_flags & ~DEV_CREATE_FLAG_MASK):
            raise err(EINVAL, "bad xskmap attributes")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return config.SIZEOF_XSK_MAP + fields["max_entries"] * 8

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return ENOTSUPP

    def meta_equal(self, tmpl: dict[str, int]) -> bool:
        return super().meta_equal(tmpl) and tmpl["max_entries"] == self.max_entries

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        raise err(EOPNOTSUPP, "AF_XDP sockets cannot be read back")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        if flags > BPF_EXIST:
            raise err(EINVAL, "bad flags")
        if u32(key or bytes(4)) >= self.max_entries:
            raise err(E2BIG, "index out of range")
        self.kernel.fd_get(u32(value))  # EBADF for a closed fd
        raise err(ENOTSOCK, "not an AF_XDP socket")

    def sys_delete(self, key: bytes | None) -> None:
        if u32(key or bytes(4)) >= self.max_entries:
            raise err(EINVAL, "index out of range")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        return array_next_key(self.max_entries, key)

    def redirect_target(self, key: int) -> None:
        return None
