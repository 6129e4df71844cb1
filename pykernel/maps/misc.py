"""The other map types of the 6.18 kernel: creatable with the kernel's checks and memlock,
usable as far as a kernel without sockets, cgroups and perf events allows.

* BLOOM_FILTER - complete: ``map_extra`` hash functions (default 5) over a bitset of
  ``roundup_pow_of_two(max_entries * k * 7 / 5)`` bits; user space pushes with
  MAP_UPDATE_ELEM (NULL key, BPF_ANY) and tests with MAP_LOOKUP_ELEM, whose *value* is the
  element to test (0 or ENOENT); programs use ``prog_push`` / ``prog_peek(value)``.
* RINGBUF / USER_RINGBUF - creatable; element syscalls are ENOTSUPP as in Linux. Programs
  append records with ``prog_output(data, flags)`` (EAGAIN when full); user space would read
  them through mmap, which the simulated kernel does not offer: ``drain()`` hands them out.
* STACK_TRACE - creatable; stays empty (nothing collects stacks), so lookups/deletes are
  ENOENT and updates EINVAL, as on a kernel whose programs never called get_stackid.
* SOCKMAP / SOCKHASH / REUSEPORT_SOCKARRAY - creatable; there are no sockets, so an update
  is ENOTSOCK (EBADF for a closed fd) and the maps stay empty.
* CGROUP_STORAGE / PERCPU_CGROUP_STORAGE - creatable (max_entries 0, key u64 or the 16-byte
  struct); storage only exists for attached programs: lookup/update ENOENT.
* SK/INODE/TASK/CGRP_STORAGE - creatable with BTF; the key is an fd of the owning object,
  which the simulated kernel cannot supply (ENOTSOCK / EBADF), except inode storage on the
  process's files, which keeps values per fd.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import EAGAIN, EBADF, EEXIST, EOPNOTSUPP, MapType
from .array import array_alloc_check, array_next_key
from .base import (
    BPF_ANY,
    BPF_EXIST,
    BPF_F_LOCK,
    BPF_NOEXIST,
    E2BIG,
    EINVAL,
    ENOENT,
    ENOSPC,
    ENOTSUPP,
    F_ACCESS_MASK,
    F_MMAPABLE,
    F_NO_PREALLOC,
    F_NUMA_NODE,
    F_RDONLY,
    F_WRONLY,
    F_ZERO_SEED,
    BpfMap,
    check_mem,
    err,
    flags_access_ok,
    p32,
    u32,
)
from .jhash import jhash, jhash2

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapCreateAttr

ENOTSOCK = 88
SIZEOF_BPF_MAP = 296
SIZEOF_BLOOM = 312
SIZEOF_RINGBUF_MAP = 304
RINGBUF_NR_META_PAGES = 3
RINGBUF_HDR_SZ = 8
SIZEOF_STACK_MAP = 320
SIZEOF_STACK_BUCKET = 16
PERF_EVENT_MAX_STACK = 127
SIZEOF_STAB, SIZEOF_SOCKHASH, SIZEOF_REUSEPORT = 376, 384, 296
SIZEOF_CGROUP_STORAGE_MAP = 328
SIZEOF_LOCAL_STORAGE_MAP = 480
BPF_F_STACK_BUILD_ID = 1 << 5
BPF_F_CLONE = 1 << 9
BLOOM_CHUNK = 4096
LOCAL_STORAGE_MAX_VALUE = (1 << 16) - 1 - 32  # KMALLOC_MAX_SIZE-bound in Linux; values stay small


class BloomFilterMap(BpfMap):
    TYPES = (MapType.BLOOM_FILTER,)
    has_check_btf = True

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if attr.value_size > config.KMALLOC_MAX_SIZE:
            raise err(E2BIG, "value too large")

    @staticmethod
    def geometry(max_entries: int, map_extra: int) -> tuple[int, int, int]:
        """(number of hash functions, bitset mask, bitset bytes)."""
        k = map_extra or 5
        nr = max_entries * k
        if nr > config.U32_MAX or (nr // 5) * 7 > config.U32_MAX or (nr // 5) * 7 > 1 << 31:
            return k, config.U32_MAX, (config.U32_MAX + 7) // 8
        nr = (nr // 5) * 7
        nr = 64 if nr <= 64 else config.roundup_pow_of_two(nr)
        return k, nr - 1, config.round_up(nr // 8, 8)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if (attr.key_size != 0 or attr.value_size == 0 or attr.max_entries == 0
                or attr.map_flags & ~(F_NUMA_NODE | F_ZERO_SEED | F_ACCESS_MASK)
                or not flags_access_ok(attr.map_flags) or attr.map_extra & ~0xF):
            raise err(EINVAL, "bad bloom filter attributes")
        check_mem(fields, cls.mem_usage_of(fields))
        fields["hashrnd"] = 0 if attr.map_flags & F_ZERO_SEED else kernel.clock.prandom_u32()

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        _k, mask, _b = cls.geometry(fields["max_entries"], fields.get("map_extra", 0))
        return SIZEOF_BLOOM + config.round_up((mask + 1 + 7) // 8, 8)

    def fields(self) -> dict[str, Any]:
        f = super().fields()
        f["map_extra"] = self.map_extra
        return f

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return 0 if key_kind is None else EINVAL

    def setup(self) -> None:
        self.nr_hash, self.mask, _ = self.geometry(self.max_entries, self.map_extra)
        self._chunks: dict[int, bytearray] = {}
        self._dirty: set[int] = set()

    def _bits(self, value: bytes) -> list[int]:
        v = value[: self.value_size]
        out = []
        for i in range(self.nr_hash):
            seed = (self.hashrnd + i) & 0xFFFFFFFF
            h = jhash2(struct.unpack(f"<{len(v) // 4}I", v), seed) if len(v) % 4 == 0 else jhash(v, seed)
            out.append(h & self.mask)
        return out

    def _chunk(self, n: int) -> bytearray:
        c = self._chunks.get(n)
        if c is None:
            row = self.row_get(p32(n))
            c = bytearray(row[0]) if row else bytearray(BLOOM_CHUNK)
            self._chunks[n] = c
        return c

    def _test(self, bit: int) -> bool:
        byte = bit >> 3
        return bool(self._chunk(byte // BLOOM_CHUNK)[byte % BLOOM_CHUNK] & (1 << (bit & 7)))

    def _set(self, bit: int) -> None:
        byte = bit >> 3
        n = byte // BLOOM_CHUNK
        self._chunk(n)[byte % BLOOM_CHUNK] |= 1 << (bit & 7)
        self._dirty.add(n)

    def flush(self) -> None:
        for n in self._dirty:
            self.row_put(p32(n), bytes(self._chunks[n]), n, 0)
        self._dirty.clear()
        super().flush()

    def peek(self, value: bytes) -> int:
        return 0 if all(self._test(b) for b in self._bits(bytes(value))) else -ENOENT

    def push(self, value: bytes, flags: int) -> int:
        if flags != BPF_ANY:
            return -EINVAL
        for b in self._bits(bytes(value)):
            self._set(b)
        return 0

    # syscall side: MAP_LOOKUP_ELEM tests the value it is given (see syscall.map_lookup_elem)
    def sys_peek(self, value: bytes) -> None:
        r = self.peek(value)
        if r:
            raise err(-r, "not in the filter")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        r = self.push(value, flags)
        if r:
            raise err(-r)

    def sys_delete(self, key: bytes | None) -> None:
        raise err(EOPNOTSUPP, "bloom filters cannot delete")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(EOPNOTSUPP, "bloom filters have no keys")

    # program side
    def prog_push(self, value: bytes, flags: int = 0) -> int:
        return self.push(value, flags)

    def prog_peek(self, value: bytes | bytearray, off: int = 0) -> int:
        """bpf_map_peek_elem on a bloom filter: is ``value`` (an input) in the set?"""
        return self.peek(bytes(value[off:off + self.value_size]))

    def prog_pop(self, out: bytearray, off: int = 0) -> int:
        return -EOPNOTSUPP

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        return -EINVAL

    def prog_delete(self, key: bytes) -> int:
        return -EOPNOTSUPP


class RingbufMap(BpfMap):
    TYPES = (MapType.RINGBUF, MapType.USER_RINGBUF)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        me = attr.max_entries
        if attr.map_flags & ~F_NUMA_NODE:
            raise err(EINVAL, "bad ring buffer flags")
        if attr.key_size or attr.value_size or me == 0 or me & (me - 1) or me % config.PAGE_SIZE:
            raise err(EINVAL, "ring buffer size must be a power-of-2 multiple of the page size")
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        data_pages = fields["max_entries"] // config.PAGE_SIZE
        return (SIZEOF_RINGBUF_MAP + (RINGBUF_NR_META_PAGES + data_pages) * config.PAGE_SIZE
                + (RINGBUF_NR_META_PAGES + 2 * data_pages) * 8)

    def _used(self) -> int:
        return int(self.tx.val("SELECT coalesce(sum(length(value) + 15) / 8 * 8, 0) FROM map_elems "
                               "WHERE map = ?", (self.id,), 0))

    def prog_output(self, data: bytes, flags: int = 0) -> int:
        """bpf_ringbuf_output: append one record; -EAGAIN when it does not fit."""
        if flags & ~3:
            return -EINVAL
        size = len(data)
        rec = config.round_up(size + RINGBUF_HDR_SZ, 8)
        if size > (1 << 28) or rec > self.max_entries or self._used() + rec > self.max_entries - 1:
            return -EAGAIN
        seq = self.next_seq()
        self.row_put(struct.pack("<Q", seq), bytes(data), 0, seq)
        return 0

    def drain(self) -> list[bytes]:
        """Consume every record, oldest first (what a user-space reader would see)."""
        rows = self.tx.q("SELECT key, value FROM map_elems WHERE map = ? ORDER BY seq", (self.id,))
        self.tx.x("DELETE FROM map_elems WHERE map = ?", (self.id,))
        return [bytes(v) for _k, v in rows]


class StackTraceMap(BpfMap):
    TYPES = (MapType.STACK_TRACE,)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        vs = attr.value_size
        if attr.map_flags & ~(F_NUMA_NODE | F_RDONLY | F_WRONLY | BPF_F_STACK_BUILD_ID):
            raise err(EINVAL, "bad stack map flags")
        if attr.max_entries == 0 or attr.key_size != 4 or vs < 8 or vs % 8:
            raise err(EINVAL, "bad stack map sizes")
        if attr.map_flags & BPF_F_STACK_BUILD_ID:
            if vs % 32 or vs // 32 > PERF_EVENT_MAX_STACK:
                raise err(EINVAL, "bad build-id stack size")
        elif vs // 8 > PERF_EVENT_MAX_STACK:
            raise err(EINVAL, "stack too deep")
        if config.roundup_pow_of_two(attr.max_entries) > config.U32_MAX:
            raise err(E2BIG, "too many entries")
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        me = fields["max_entries"]
        return (SIZEOF_STACK_MAP + config.roundup_pow_of_two(me) * 8
                + me * (SIZEOF_STACK_BUCKET + fields["value_size"]))

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        raise err(ENOENT, "no such stack id")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        raise err(EINVAL, "stack traces are written by bpf_get_stackid")

    def sys_delete(self, key: bytes | None) -> None:
        if u32(key or bytes(4)) >= config.roundup_pow_of_two(self.max_entries):
            raise err(E2BIG, "stack id out of range")
        raise err(ENOENT, "no such stack id")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(ENOENT, "no stacks")

    def sys_lookup_and_delete(self, key: bytes | None, flags: int) -> bytes:
        raise err(ENOENT, "no such stack id")


class SocketMap(BpfMap):
    """SOCKMAP, SOCKHASH, REUSEPORT_SOCKARRAY: no sockets exist, so they stay empty."""

    TYPES = (MapType.SOCKMAP, MapType.SOCKHASH, MapType.REUSEPORT_SOCKARRAY)
    has_check_btf = True

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if attr.map_type == MapType.REUSEPORT_SOCKARRAY:
            if attr.value_size not in (4, 8):
                raise err(EINVAL, "value must be a u32 or u64 fd")
            array_alloc_check(attr)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if attr.map_type == MapType.REUSEPORT_SOCKARRAY:
            if attr.map_flags & F_MMAPABLE:
                raise err(EINVAL, "bad flags")
            return
        if (attr.max_entries == 0 or attr.value_size not in (4, 8)
                or attr.map_flags & ~(F_NUMA_NODE | F_RDONLY | F_WRONLY)):
            raise err(EINVAL, "bad socket map attributes")
        if attr.map_type == MapType.SOCKMAP and attr.key_size != 4:
            raise err(EINVAL, "sockmap keys are u32")
        if attr.map_type == MapType.SOCKHASH:
            if attr.key_size == 0:
                raise err(EINVAL, "sockhash needs a key")
            if attr.key_size > 512:
                raise err(E2BIG, "key too large")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        me = fields["max_entries"]
        if fields["type"] == MapType.SOCKMAP:
            return SIZEOF_STAB + me * 8
        if fields["type"] == MapType.SOCKHASH:
            return SIZEOF_SOCKHASH + config.roundup_pow_of_two(me) * 16
        return SIZEOF_REUSEPORT + me * 8

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return ENOTSUPP

    @property
    def _is_array(self) -> bool:
        return self.map_type != MapType.SOCKHASH

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        if self.value_size != 8:
            raise err(ENOSPC, "socket cookies are u64")
        raise err(ENOENT, "empty")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        if flags > BPF_EXIST:
            raise err(EINVAL, "bad flags")
        if self._is_array and u32(key or bytes(4)) >= self.max_entries:
            raise err(E2BIG, "index out of range")
        fd = u32(value) if self.value_size == 4 else struct.unpack_from("<Q", value)[0]
        if fd > 0x7FFFFFFF:
            raise err(EBADF, "bad fd")
        self.kernel.fd_get(fd)  # EBADF for a closed fd
        raise err(ENOTSOCK, "not a socket")

    def sys_delete(self, key: bytes | None) -> None:
        if self.map_type == MapType.SOCKMAP:
            raise err(EINVAL, "empty slot")
        raise err(ENOENT, "empty")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        if self._is_array:
            return array_next_key(self.max_entries, key)
        raise err(ENOENT, "empty")


class CgroupStorageMap(BpfMap):
    TYPES = (MapType.CGROUP_STORAGE, MapType.PERCPU_CGROUP_STORAGE)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        percpu = attr.map_type == MapType.PERCPU_CGROUP_STORAGE
        if attr.key_size not in (8, 16) or attr.value_size == 0:
            raise err(EINVAL, "bad cgroup storage sizes")
        limit = config.PCPU_MIN_UNIT_SIZE if percpu else config.KMALLOC_MAX_SIZE
        if attr.value_size > limit:
            raise err(E2BIG, "value too large")
        if attr.map_flags & ~(F_NUMA_NODE | F_ACCESS_MASK) or attr.max_entries:
            raise err(EINVAL, "cgroup storage has no entries of its own")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return SIZEOF_CGROUP_STORAGE_MAP

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        raise err(ENOENT, "no cgroup storage")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        raise err(ENOENT, "no cgroup storage")

    def sys_delete(self, key: bytes | None) -> None:
        raise err(EINVAL, "cgroup storage cannot be deleted")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(ENOENT, "no cgroup storage")


class LocalStorageMap(BpfMap):
    TYPES = (MapType.SK_STORAGE, MapType.INODE_STORAGE, MapType.TASK_STORAGE, MapType.CGRP_STORAGE)
    has_check_btf = True

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if (attr.map_flags & ~(F_NO_PREALLOC | BPF_F_CLONE) or not attr.map_flags & F_NO_PREALLOC
                or attr.max_entries or attr.key_size != 4 or not attr.value_size
                or not attr.btf_key_type_id or not attr.btf_value_type_id):
            raise err(EINVAL, "bad local storage attributes")
        if attr.value_size > LOCAL_STORAGE_MAX_VALUE:
            raise err(E2BIG, "value too large")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return SIZEOF_LOCAL_STORAGE_MAP

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        from ..btf_obj import is_i32

        return 0 if is_i32(key_kind) else EINVAL

    def _owner(self, key: bytes | None) -> bytes:
        fd = struct.unpack("<i", (key or bytes(4))[:4])[0]
        e = self.kernel.fd_get(fd)  # EBADF
        if self.map_type == MapType.SK_STORAGE:
            raise err(ENOTSOCK, "not a socket")
        if self.map_type != MapType.INODE_STORAGE:
            raise err(EBADF, "not a pidfd / cgroup fd")
        ident = f"{e.kind}:{e.obj}" if e.kind != "file" else f"file:{self.kernel.pkey}:{fd}"
        return ident.encode()

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        row = self.row_get(self._owner(key))
        if row is None:
            raise err(ENOENT, "no storage")
        return row[0]

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        owner = self._owner(key)
        if (flags & ~BPF_F_LOCK) > BPF_EXIST or flags & BPF_F_LOCK:
            raise err(EINVAL, "bad flags")
        row = self.row_get(owner)
        if row is not None and flags == BPF_NOEXIST:
            raise err(EEXIST, "exists")
        if row is None and flags == BPF_EXIST:
            raise err(ENOENT, "no storage")
        self.row_put(owner, bytes(value[: self.value_size]), 0, self.next_seq())

    def sys_delete(self, key: bytes | None) -> None:
        owner = self._owner(key)
        if self.row_get(owner) is None:
            raise err(ENOENT, "no storage")
        self.row_del(owner)

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(ENOTSUPP, "local storage has no key iteration")


BPF_F_NO_USER_CONV = 1 << 18
BPF_F_SEGV_ON_FAULT = 1 << 19


class ArenaMap(BpfMap):
    """BPF_MAP_TYPE_ARENA: creatable (mmapable, up to 4 GiB of pages); programs and user
    space reach an arena through mmap, which the simulated kernel does not offer."""

    TYPES = (MapType.ARENA,)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if (attr.key_size or attr.value_size or attr.max_entries == 0 or not attr.map_flags & F_MMAPABLE
                or attr.map_flags & ~(F_MMAPABLE | BPF_F_NO_USER_CONV | BPF_F_SEGV_ON_FAULT)):
            raise err(EINVAL, "bad arena attributes")
        if attr.max_entries > (1 << 32) // config.PAGE_SIZE:
            raise err(E2BIG, "arena larger than 4 GiB")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return 0

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        raise err(EINVAL, "arena pages are reached through mmap")

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        raise err(EOPNOTSUPP, "arena pages are reached through mmap")

    def sys_delete(self, key: bytes | None) -> None:
        raise err(EOPNOTSUPP, "arena pages are reached through mmap")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(EOPNOTSUPP, "arenas have no keys")


__all__ = ["ArenaMap", "BloomFilterMap", "RingbufMap", "StackTraceMap", "SocketMap", "CgroupStorageMap", "LocalStorageMap"]
