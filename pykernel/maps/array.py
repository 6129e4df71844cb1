"""BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY.

Storage: one ``map_elems`` row per element whose value is not all zero (key = the u32
index), so a huge array costs nothing until written and ``map update`` of one element
writes one row. For programs, :attr:`ArrayMap.values` materialises the whole array as one
``bytearray`` with stride ``elem_size = round_up(value_size, 8)`` (per-CPU arrays: one such
bytearray per CPU, :meth:`cpu_values`); :meth:`flush` writes back only the elements whose
bytes changed. Every element always exists: delete is EINVAL, ``BPF_NOEXIST`` is EEXIST,
an index past ``max_entries`` is E2BIG on update and ENOENT on lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import EEXIST, MapType
from .base import (
    BPF_EXIST,
    BPF_F_LOCK,
    BPF_NOEXIST,
    E2BIG,
    EINVAL,
    ENOENT,
    F_ACCESS_MASK,
    F_INNER_MAP,
    F_MMAPABLE,
    F_NUMA_NODE,
    F_PRESERVE_ELEMS,
    NUMA_NO_NODE,
    BpfMap,
    check_mem,
    err,
    flags_access_ok,
    numa_node_of,
    p32,
    u32,
)

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapCreateAttr

ARRAY_CREATE_FLAG_MASK = F_NUMA_NODE | F_MMAPABLE | F_ACCESS_MASK | F_PRESERVE_ELEMS | F_INNER_MAP


def array_alloc_check(attr: MapCreateAttr) -> None:
    """array_map_alloc_check (shared by the fd arrays)."""
    percpu = attr.map_type == MapType.PERCPU_ARRAY
    if (attr.max_entries == 0 or attr.key_size != 4 or attr.value_size == 0
            or attr.map_flags & ~ARRAY_CREATE_FLAG_MASK or not flags_access_ok(attr.map_flags)
            or (percpu and numa_node_of(attr) != NUMA_NO_NODE)):
        raise err(EINVAL, "bad array map attributes")
    if attr.map_type != MapType.ARRAY and attr.map_flags & (F_MMAPABLE | F_INNER_MAP):
        raise err(EINVAL, "only plain arrays can be mmapable or inner maps")
    if attr.map_type != MapType.PERF_EVENT_ARRAY and attr.map_flags & F_PRESERVE_ELEMS:
        raise err(EINVAL, "BPF_F_PRESERVE_ELEMS is for perf event arrays")
    if attr.value_size > config.INT_MAX:
        raise err(E2BIG, "value too large")
    if percpu and config.round_up(attr.value_size, 8) > config.PCPU_MIN_UNIT_SIZE:
        raise err(E2BIG, "per-CPU value too large")


def array_mem_usage(fields: dict[str, Any]) -> int:
    elem = config.round_up(fields["value_size"], 8)
    entries = fields["max_entries"]
    usage = config.SIZEOF_BPF_ARRAY
    if fields["type"] == MapType.PERCPU_ARRAY:
        return usage + entries * 8 + entries * elem * config.NR_CPUS
    if fields["flags"] & F_MMAPABLE:
        return config.round_up(usage, config.PAGE_SIZE) + config.round_up(entries * elem, config.PAGE_SIZE)
    return usage + entries * elem


def array_next_key(max_entries: int, key: bytes | None) -> bytes:
    index = u32(key) if key is not None else 0xFFFFFFFF
    if index >= max_entries:
        return p32(0)
    if index == max_entries - 1:
        raise err(ENOENT, "last key")
    return p32(index + 1)


class ArrayMap(BpfMap):
    TYPES = (MapType.ARRAY, MapType.PERCPU_ARRAY)
    BATCH_OPS = frozenset({"lookup", "update"})
    has_check_btf = True

    def setup(self) -> None:
        self.percpu = self.map_type == MapType.PERCPU_ARRAY
        self._values: list[bytearray] | None = None  # per CPU (one entry for plain arrays)
        self._snap: list[bytes] | None = None

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        array_alloc_check(attr)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return array_mem_usage(fields)

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        from ..btf_obj import is_datasec, is_i32

        if key_kind is None:
            if self.map_type != MapType.ARRAY or self.max_entries != 1 or not is_datasec(value_kind):
                return EINVAL
            return 0
        return 0 if is_i32(key_kind) else EINVAL

    def meta_equal(self, tmpl: dict[str, int]) -> bool:
        if not super().meta_equal(tmpl):
            return False
        if self.map_type == MapType.ARRAY:
            return bool(tmpl["flags"] & F_INNER_MAP) or tmpl["max_entries"] == self.max_entries
        return True

    @property
    def sys_value_size(self) -> int:
        return self.elem_size * config.NR_CPUS if self.percpu else self.value_size

    # -- storage -----------------------------------------------------------------------------
    def _load(self) -> list[bytearray]:
        if self._values is None:
            n = self.max_entries * self.elem_size
            ncpu = config.NR_CPUS if self.percpu else 1
            vals = [bytearray(n) for _ in range(ncpu)]
            es = self.elem_size
            for k, v, _b, _s, _e in self.rows():
                i = u32(k)
                if i >= self.max_entries:
                    continue
                for c in range(ncpu):
                    vals[c][i * es:(i + 1) * es] = v[c * es:(c + 1) * es].ljust(es, b"\0")
            self._values = vals
            self._snap = [bytes(v) for v in vals]
        return self._values

    @property
    def values(self) -> bytearray:
        """All values of (CPU 0 of) the array, ``elem_size`` apart; live storage."""
        return self._load()[0]

    def cpu_values(self, cpu: int) -> bytearray:
        vals = self._load()
        return vals[cpu if self.percpu else 0]

    def _get(self, index: int) -> bytes:
        """The element in user format (per-CPU: all CPUs, elem_size each)."""
        es = self.elem_size
        if self._values is not None:
            chunks = [v[index * es:(index + 1) * es] for v in self._values]
            data = b"".join(bytes(c) for c in chunks)
        else:
            row = self.row_get(p32(index))
            ncpu = config.NR_CPUS if self.percpu else 1
            data = row[0] if row else bytes(es * ncpu)
        return data[: self.value_size] if not self.percpu else data

    def _set(self, index: int, data: bytes, cpu: int | None = None) -> None:
        """Store ``data``: user format (all CPUs) when ``cpu`` is None, else one CPU's value."""
        es = self.elem_size
        if self._values is not None:
            if cpu is None:
                for c, v in enumerate(self._values):
                    chunk = data[c * es:(c + 1) * es] if self.percpu else data[: self.value_size]
                    v[index * es:index * es + len(chunk)] = chunk
            else:
                v = self._values[cpu if self.percpu else 0]
                v[index * es:index * es + self.value_size] = data[: self.value_size]
            return
        ncpu = config.NR_CPUS if self.percpu else 1
        row = self.row_get(p32(index))
        cur = bytearray(row[0] if row else bytes(es * ncpu))
        if cpu is None:
            if self.percpu:
                cur[:] = data[: es * ncpu]
            else:
                cur[: self.value_size] = data[: self.value_size]
        else:
            off = (cpu if self.percpu else 0) * es
            cur[off:off + self.value_size] = data[: self.value_size]
        if any(cur):
            self.row_put(p32(index), bytes(cur), index, 0)
        elif row:
            self.row_del(p32(index))

    def flush(self) -> None:
        if self._values is not None and self._snap is not None:
            es = self.elem_size
            changed: set[int] = set()
            block = max(es, (4096 // es) * es)
            for cur, old in zip(self._values, self._snap, strict=True):
                if cur == old:
                    continue
                mv_cur, mv_old = memoryview(cur), memoryview(old)
                for a in range(0, len(cur), block):
                    if mv_cur[a:a + block] == mv_old[a:a + block]:
                        continue
                    for i in range(a // es, min((a + block) // es, self.max_entries)):
                        if mv_cur[i * es:(i + 1) * es] != mv_old[i * es:(i + 1) * es]:
                            changed.add(i)
            for i in sorted(changed):
                data = b"".join(bytes(v[i * es:(i + 1) * es]) for v in self._values)
                if any(data):
                    self.row_put(p32(i), data, i, 0)
                else:
                    self.row_del(p32(i))
            if changed:
                self._snap = [bytes(v) for v in self._values]
        super().flush()

    # -- syscall side --------------------------------------------------------------------------
    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        index = u32(key or b"\0\0\0\0")
        if index >= self.max_entries:
            raise err(ENOENT, "index out of range")
        return self._get(index)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        if self.percpu:
            if flags > BPF_EXIST:
                raise err(EINVAL, "unknown update flags")
        elif (flags & ~BPF_F_LOCK) > BPF_EXIST:
            raise err(EINVAL, "unknown update flags")
        index = u32(key or b"\0\0\0\0")
        if index >= self.max_entries:
            raise err(E2BIG, "all elements are preallocated")
        if (flags == BPF_NOEXIST) if self.percpu else (flags & BPF_NOEXIST):
            raise err(EEXIST, "array elements always exist")
        if flags & BPF_F_LOCK:
            raise err(EINVAL, "BPF_F_LOCK without a bpf_spin_lock")
        self._set(index, value)

    def sys_delete(self, key: bytes | None) -> None:
        raise err(EINVAL, "array elements cannot be deleted")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        return array_next_key(self.max_entries, key)

    # -- program side ----------------------------------------------------------------------------
    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        index = u32(key)
        if index >= self.max_entries:
            return None
        c = self.kernel.cpu if cpu is None else cpu
        return self.cpu_values(c), index * self.elem_size

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        if (flags & ~BPF_F_LOCK) > BPF_EXIST:
            return -EINVAL
        index = u32(key)
        if index >= self.max_entries:
            return -E2BIG
        if flags & BPF_NOEXIST:
            return -EEXIST
        if flags & BPF_F_LOCK:
            return -EINVAL
        buf = self.cpu_values(self.kernel.cpu)
        off = index * self.elem_size
        buf[off:off + self.value_size] = bytes(value[: self.value_size])
        return 0

    def prog_delete(self, key: bytes) -> int:
        return -EINVAL

    def for_each(self) -> Iterator[tuple[bytes, tuple[bytearray, int]]]:
        buf = self.cpu_values(self.kernel.cpu)
        for i in range(self.max_entries):
            yield p32(i), (buf, i * self.elem_size)
