"""The map base class: metadata, element rows, the generic batch operations.

Every map type is a subclass of :class:`BpfMap`, one module per family
(``array``, ``hash``, ``lpm``, ``queue``, ``fdarray``, ``devmap``). A map object is bound to
one syscall's :class:`~pykernel.objects.Kernel` (one store transaction); its elements are
rows of ``map_elems`` read on demand, cached, mutated in memory and written back by
:meth:`flush` when the syscall ends - so a CLI ``map update`` touches one row.

Syscall side (called by ``pykernel.syscall`` after the attr, fd and permission checks):
``sys_lookup(key, flags) -> bytes``, ``sys_update(key, value, flags)``,
``sys_delete(key)``, ``sys_get_next_key(key | None) -> bytes``,
``sys_lookup_and_delete(key, flags) -> bytes``, the batch ops; each raises
``SyscallError`` with Linux's errno. Values cross the boundary in Linux's user format
(per-CPU maps: ``round_up(value_size, 8) * NR_CPUS`` bytes; fd maps: a u32).

Program side (the interpreter and helpers; returns follow the helpers' conventions):

* ``value_buf(key, cpu=None) -> (bytearray, offset) | None`` - the live storage of the
  value (``bpf_map_lookup_elem``); programs write straight into it. ``cpu`` defaults to
  the kernel's current CPU (per-CPU maps).
* ``prog_update(key, value, flags) -> 0 | -errno``, ``prog_delete(key) -> 0 | -errno``.
* queue/stack: ``prog_push(value, flags)``, ``prog_pop(buf)``, ``prog_peek(buf)`` (the value
  is copied into ``buf``); bloom filter: ``prog_push(value, flags)`` and ``prog_peek(value)``
  where ``value`` is the element to test (an input; 0 or -ENOENT); ringbuf:
  ``prog_output(data, flags)``.
* array maps: ``values`` (one bytearray, stride ``elem_size = round_up(value_size, 8)``)
  and, per CPU, ``cpu_values(cpu)``; fd maps: ``prog_at(index)`` (prog_array ->
  prog id), ``inner_map_id(key)`` (map-in-map), ``redirect_target(key)`` (dev/cpu/xsk).
* ``for_each()`` yields ``(key, (buf, off))`` in iteration order.

Everything a program changed is written back when the syscall (the test run) ends, by
``Kernel.flush`` -> :meth:`flush`. Attribute names follow ``struct bpf_map``
(``id, map_type, key_size, value_size, max_entries, map_flags, name, frozen``) as the
verifier expects them.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from .. import config
from ..uapi.consts import E2BIG, EFAULT, EINVAL, ENOENT, ENOMEM, ENOSPC, ENOTSUPP, MapFlags
from ..uapi.errors import SyscallError

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapBatchAttr, MapCreateAttr

F_NO_PREALLOC = int(MapFlags.NO_PREALLOC)
F_NO_COMMON_LRU = int(MapFlags.NO_COMMON_LRU)
F_NUMA_NODE = int(MapFlags.NUMA_NODE)
F_RDONLY = int(MapFlags.RDONLY)
F_WRONLY = int(MapFlags.WRONLY)
F_ZERO_SEED = int(MapFlags.ZERO_SEED)
F_RDONLY_PROG = int(MapFlags.RDONLY_PROG)
F_WRONLY_PROG = int(MapFlags.WRONLY_PROG)
F_MMAPABLE = int(MapFlags.MMAPABLE)
F_PRESERVE_ELEMS = int(MapFlags.PRESERVE_ELEMS)
F_INNER_MAP = int(MapFlags.INNER_MAP)
F_ACCESS_MASK = F_RDONLY | F_WRONLY | F_RDONLY_PROG | F_WRONLY_PROG

BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK = 0, 1, 2, 4
NUMA_NO_NODE = -1

_COLS = ("id, type, key_size, value_size, max_entries, flags, name, numa_node, ifindex, btf_id, "
         "btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id, map_extra, frozen, hashrnd, "
         "inner_meta, owner, nelems, seq, state")


def flags_access_ok(flags: int) -> bool:
    return (flags & (F_RDONLY_PROG | F_WRONLY_PROG)) != (F_RDONLY_PROG | F_WRONLY_PROG)


def numa_node_of(attr: MapCreateAttr) -> int:
    return attr.numa_node if attr.map_flags & F_NUMA_NODE else NUMA_NO_NODE


def err(e: int, why: str = "") -> SyscallError:
    return SyscallError(e, why)


class BpfMap:
    """Common state and behaviour; subclasses override what their type does differently."""

    #: map types this class implements
    TYPES: ClassVar[tuple[int, ...]] = ()
    #: a map that holds references to other objects in its slots (prog/map/... ids)
    holds_objects: bool = False
    #: struct bpf_map_ops has map_meta_equal (can be an inner-map template)
    has_meta_equal: bool = True
    #: syscall batch ops the type supports: subset of {lookup, lookup_and_delete, update, delete}
    BATCH_OPS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, kernel: Kernel, row: tuple) -> None:
        (self.id, self.map_type, self.key_size, self.value_size, self.max_entries, self.map_flags,
         self.name, self.numa_node, self.ifindex, self.btf_id, self.btf_key_type_id,
         self.btf_value_type_id, self.btf_vmlinux_value_type_id, self.map_extra, frozen,
         self.hashrnd, inner_meta, owner, self.nelems, self.seq, state) = row
        self.kernel = kernel
        self.tx = kernel.tx
        self.frozen = bool(frozen)
        self.inner_meta: dict[str, int] | None = json.loads(inner_meta) if inner_meta else None
        self.owner: dict[str, int] | None = json.loads(owner) if owner else None
        self._state_raw = state
        self._meta_dirty = False
        self.setup()

    # -- construction ----------------------------------------------------------------------
    def setup(self) -> None:
        """Per-type initialisation after the row is read."""

    @classmethod
    def columns(cls) -> str:
        return _COLS

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        """The type's ``map_alloc_check`` (raise SyscallError)."""

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        """The type's ``map_alloc``: more checks, and adjust ``fields`` (the new row)."""

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        """Memory at creation (used for the allocation limit)."""
        return 0

    def mem_usage(self) -> int:
        """``map_mem_usage``: the memlock bpftool shows."""
        return self.mem_usage_of(self.fields())

    def fields(self) -> dict[str, Any]:
        return {"type": self.map_type, "key_size": self.key_size, "value_size": self.value_size,
                "max_entries": self.max_entries, "flags": self.map_flags, "nelems": self.nelems}

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        """``map_check_btf``: 0 or an errno. ``key_kind`` is None for a void key."""
        return 0

    #: whether the type has a map_check_btf op at all (keyless BTF needs one)
    has_check_btf: bool = False

    # -- sizes -----------------------------------------------------------------------------
    @property
    def elem_size(self) -> int:
        return config.round_up(self.value_size, 8)

    @property
    def sys_value_size(self) -> int:
        """What user space reads and writes per element (bpf_map_value_size)."""
        return self.value_size

    # -- persistence of meta ---------------------------------------------------------------
    def set_state(self, obj: Any) -> None:
        self._state_raw = json.dumps(obj, separators=(",", ":"))
        self._meta_dirty = True

    def get_state(self) -> Any:
        return json.loads(self._state_raw) if self._state_raw else None

    def save_meta(self) -> None:
        self.tx.x("UPDATE maps SET frozen = ?, owner = ?, nelems = ?, seq = ?, state = ? WHERE id = ?",
                  (int(self.frozen), json.dumps(self.owner) if self.owner else None, self.nelems,
                   self.seq, self._state_raw, self.id))
        self._meta_dirty = False

    def touch_meta(self) -> None:
        self._meta_dirty = True

    def next_seq(self) -> int:
        self.seq += 1
        self._meta_dirty = True
        return self.seq

    # -- element rows ----------------------------------------------------------------------
    def row_get(self, key: bytes) -> tuple[bytes, int, int, bytes | None] | None:
        r = self.tx.one("SELECT value, bucket, seq, extra FROM map_elems WHERE map = ? AND key = ?",
                        (self.id, key))
        return (bytes(r[0]), r[1], r[2], r[3]) if r else None

    def row_put(self, key: bytes, value: bytes, bucket: int = 0, seq: int = 0,
                extra: bytes | None = None) -> None:
        self.tx.x("INSERT INTO map_elems (map, key, value, bucket, seq, extra) VALUES (?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT(map, key) DO UPDATE SET value = excluded.value, bucket = excluded.bucket, "
                  "seq = excluded.seq, extra = excluded.extra", (self.id, key, value, bucket, seq, extra))

    def row_set_value(self, key: bytes, value: bytes) -> None:
        self.tx.x("UPDATE map_elems SET value = ? WHERE map = ? AND key = ?", (value, self.id, key))

    def row_del(self, key: bytes) -> None:
        self.tx.x("DELETE FROM map_elems WHERE map = ? AND key = ?", (self.id, key))

    def rows(self) -> list[tuple[bytes, bytes, int, int, bytes | None]]:
        """All rows in iteration order: (key, value, bucket, seq, extra)."""
        return [(bytes(k), bytes(v), b, s, e) for k, v, b, s, e in self.tx.q(
            "SELECT key, value, bucket, seq, extra FROM map_elems WHERE map = ? ORDER BY bucket, seq DESC",
            (self.id,))]

    # -- the checks every syscall op starts with ---------------------------------------------
    def key_arg(self, key: bytes | bytearray | memoryview | None, allow_null: bool = False) -> bytes | None:
        """__bpf_copy_key: NULL with a key size is EFAULT, a key with key_size 0 is EINVAL."""
        if self.key_size == 0:
            if key is not None:
                raise err(EINVAL, "this map has no keys")
            return None
        if key is None:
            if allow_null:
                return None
            raise err(EFAULT, "key pointer is NULL")
        key = bytes(key)
        if len(key) < self.key_size:
            raise err(EFAULT, f"key buffer holds {len(key)} bytes, the map's keys have {self.key_size}")
        return key[: self.key_size]

    def value_arg(self, value: bytes | bytearray | memoryview | None) -> bytes:
        size = self.sys_value_size
        if value is None:
            raise err(EFAULT, "value pointer is NULL")
        value = bytes(value)
        if len(value) < size:
            raise err(EFAULT, f"value buffer holds {len(value)} bytes, {size} needed")
        return value[:size]

    # -- syscall side (defaults: what a type without the op returns) -------------------------
    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        raise err(ENOTSUPP)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        raise err(ENOTSUPP)

    def sys_delete(self, key: bytes | None) -> None:
        raise err(ENOTSUPP)

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(ENOTSUPP)

    def sys_lookup_and_delete(self, key: bytes | None, flags: int) -> bytes:
        raise err(ENOTSUPP)

    # -- generic batch ops (kernel/bpf/syscall.c generic_map_*_batch) ------------------------
    def batch(self, op: str, attr: MapBatchAttr) -> None:
        if op not in self.BATCH_OPS:
            raise err(ENOTSUPP, f"{op} batch not supported by this map type")
        getattr(self, f"batch_{op}")(attr)

    def _batch_check_elem_flags(self, attr: MapBatchAttr) -> None:
        if attr.elem_flags & ~BPF_F_LOCK:
            raise err(EINVAL, "elem_flags")
        if attr.elem_flags & BPF_F_LOCK:
            raise err(EINVAL, "BPF_F_LOCK without a bpf_spin_lock in the value")

    @staticmethod
    def _need_buf(buf: Any, size: int, what: str) -> bytearray:
        if not isinstance(buf, bytearray) or len(buf) < size:
            raise err(EFAULT, f"{what} buffer too small (need {size} bytes)")
        return buf

    def batch_lookup(self, attr: MapBatchAttr) -> None:
        self._generic_lookup_batch(attr)

    def _generic_lookup_batch(self, attr: MapBatchAttr) -> None:
        self._batch_check_elem_flags(attr)
        vsize = self.sys_value_size
        max_count = attr.count
        if not max_count:
            return
        attr.count = 0
        keys = self._need_buf(attr.keys, max_count * self.key_size, "keys")
        values = self._need_buf(attr.values, max_count * vsize, "values")
        prev: bytes | None = None
        if attr.in_batch is not None:
            ib = bytes(attr.in_batch)
            if len(ib) < self.key_size:
                raise err(EFAULT, "in_batch too small")
            prev = ib[: self.key_size]
        cp = 0
        error = 0
        while cp < max_count:
            try:
                key = self.sys_get_next_key(prev)
            except SyscallError as e:
                error = e.errno
                break
            try:
                val = self.sys_lookup(key, attr.elem_flags)
                error = 0
            except SyscallError as e:
                if e.errno != ENOENT:
                    raise
                prev = key
                error = ENOENT
                continue
            keys[cp * self.key_size:(cp + 1) * self.key_size] = key
            values[cp * vsize:(cp + 1) * vsize] = val
            cp += 1
            prev = key
        attr.count = cp
        if cp:
            ob = self._need_buf(attr.out_batch, self.key_size, "out_batch")
            ob[: self.key_size] = prev or b""
        if error:
            raise err(error)

    def batch_update(self, attr: MapBatchAttr) -> None:
        self._batch_check_elem_flags(attr)
        vsize = self.sys_value_size
        max_count = attr.count
        if not max_count:
            return
        attr.count = 0
        keys = bytes(attr.keys or b"")
        values = bytes(attr.values or b"")
        cp = 0
        try:
            while cp < max_count:
                k = keys[cp * self.key_size:(cp + 1) * self.key_size]
                v = values[cp * vsize:(cp + 1) * vsize]
                if len(k) < self.key_size or len(v) < vsize:
                    raise err(EFAULT, "keys/values buffers shorter than count")
                self.sys_update(k if self.key_size else None, v, attr.elem_flags)
                cp += 1
        finally:
            attr.count = cp

    def batch_delete(self, attr: MapBatchAttr) -> None:
        self._batch_check_elem_flags(attr)
        max_count = attr.count
        if not max_count:
            return
        attr.count = 0
        keys = bytes(attr.keys or b"")
        cp = 0
        try:
            while cp < max_count:
                k = keys[cp * self.key_size:(cp + 1) * self.key_size]
                if len(k) < self.key_size:
                    raise err(EFAULT, "keys buffer shorter than count")
                self.sys_delete(k)
                cp += 1
        finally:
            attr.count = cp

    # -- program side (defaults) -----------------------------------------------------------
    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        return None

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        return -ENOTSUPP

    def prog_delete(self, key: bytes) -> int:
        return -ENOTSUPP

    def for_each(self) -> Iterator[tuple[bytes, tuple[bytearray, int]]]:
        return iter(())

    # -- lifetime hooks ----------------------------------------------------------------------
    def flush(self) -> None:
        """Write back cached element changes and metadata."""
        if self._meta_dirty:
            self.save_meta()

    def free(self) -> None:
        """Called just before the map's rows are deleted (refs are dropped by the kernel)."""

    def release_uref(self) -> bool:
        """Last fd/pin gone (map_release_uref). True if something was released."""
        return False

    def meta_equal(self, tmpl: dict[str, int]) -> bool:
        """bpf_map_meta_equal against an inner-map template."""
        return (tmpl["type"] == self.map_type and tmpl["key_size"] == self.key_size
                and tmpl["value_size"] == self.value_size and tmpl["flags"] == self.map_flags)

    def template(self) -> dict[str, int]:
        return {"type": self.map_type, "key_size": self.key_size, "value_size": self.value_size,
                "max_entries": self.max_entries, "flags": self.map_flags, "btf_id": self.btf_id}


def check_mem(fields: dict[str, Any], usage: int) -> None:
    if usage > config.MAP_MEMORY_LIMIT:
        raise err(ENOMEM, f"map needs {usage} bytes")


def u32(b: bytes, off: int = 0) -> int:
    return struct.unpack_from("<I", b, off)[0]


def p32(v: int) -> bytes:
    return struct.pack("<I", v & 0xFFFFFFFF)


__all__ = ["BpfMap", "err", "check_mem", "u32", "p32", "flags_access_ok", "numa_node_of", "E2BIG",
           "EINVAL", "ENOENT", "ENOSPC", "ENOTSUPP"]
