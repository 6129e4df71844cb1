"""The hash family: HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH and HASH_OF_MAPS.

Iteration order is the kernel's: buckets in ascending order, newest element first inside a
bucket, where the bucket of a key is ``jhash(key, hashrnd) & (n_buckets - 1)`` and
``n_buckets = roundup_pow_of_two(max_entries)``. ``hashrnd`` is 0 with ``BPF_F_ZERO_SEED``
(so such a map walks exactly like the real one) and otherwise drawn from the state's seeded
PRNG when the map is created (deterministic per state, scrambled like the real thing).
Replacing a key in a HASH / LRU_HASH puts it at the head of its bucket (the kernel inserts a
new element); per-CPU maps and HASH_OF_MAPS update in place.

Storage: one ``map_elems`` row per element (``bucket``/``seq`` give the order; ``extra``
holds an LRU element's node id). Elements are cached as :class:`HashElem` (values are live
``bytearray`` s, one per CPU for per-CPU maps) and written back by :meth:`HashMap.flush`.
The batch lookups walk buckets as the kernel does, so ``in_batch``/``out_batch`` are u32
bucket indexes and a bucket that does not fit gives ENOSPC.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import EEXIST, EFAULT, ENOMEM, MapType
from .base import (
    BPF_EXIST,
    BPF_F_LOCK,
    BPF_NOEXIST,
    E2BIG,
    EINVAL,
    ENOENT,
    ENOSPC,
    ENOTSUPP,
    F_ACCESS_MASK,
    F_NO_COMMON_LRU,
    F_NO_PREALLOC,
    F_NUMA_NODE,
    F_ZERO_SEED,
    NUMA_NO_NODE,
    BpfMap,
    check_mem,
    err,
    flags_access_ok,
    numa_node_of,
    p32,
    u32,
)
from .jhash import htab_hash
from .lru import Lru

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapBatchAttr, MapCreateAttr

HTAB_CREATE_FLAG_MASK = F_NO_PREALLOC | F_NO_COMMON_LRU | F_NUMA_NODE | F_ACCESS_MASK | F_ZERO_SEED
PERCPU_TYPES = (MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH)
LRU_TYPES = (MapType.LRU_HASH, MapType.LRU_PERCPU_HASH)


class HashElem:
    __slots__ = ("key", "vals", "bucket", "seq", "node", "orig", "in_db", "moved")

    def __init__(self, key: bytes, vals: list[bytearray], bucket: int, seq: int, node: int = 0,
                 orig: bytes | None = None, in_db: bool = False) -> None:
        self.key, self.vals, self.bucket, self.seq, self.node = key, vals, bucket, seq, node
        self.orig = orig  # serialised value as last written to the store (None: never)
        self.in_db = in_db
        self.moved = False  # seq/node changed since read


class HashMap(BpfMap):
    TYPES = (MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH,
             MapType.HASH_OF_MAPS)
    BATCH_OPS = frozenset({"lookup", "lookup_and_delete", "update", "delete"})

    def setup(self) -> None:
        self.percpu = self.map_type in PERCPU_TYPES
        self.lru = self.map_type in LRU_TYPES
        self.is_fd = self.map_type == MapType.HASH_OF_MAPS
        self.prealloc = not self.map_flags & F_NO_PREALLOC
        self.n_buckets = config.roundup_pow_of_two(self.max_entries)
        self._cache: dict[bytes, HashElem | None] = {}
        self._gone: set[bytes] = set()  # keys to delete from the store
        self._lru: Lru | None = None
        self.has_meta_equal = not self.is_fd
        self.holds_objects = self.is_fd
        self.has_check_btf = self.is_fd  # htab has no map_check_btf; fd htab has map_check_no_btf

    # -- creation ------------------------------------------------------------------------
    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if attr.map_type == MapType.HASH_OF_MAPS and attr.value_size != 4:
            raise err(EINVAL, "map-in-map values are u32 fds")
        percpu = attr.map_type in PERCPU_TYPES
        lru = attr.map_type in LRU_TYPES
        percpu_lru = bool(attr.map_flags & F_NO_COMMON_LRU)
        prealloc = not attr.map_flags & F_NO_PREALLOC
        if attr.map_flags & ~HTAB_CREATE_FLAG_MASK or not flags_access_ok(attr.map_flags):
            raise err(EINVAL, "bad hash map flags")
        if not lru and percpu_lru:
            raise err(EINVAL, "BPF_F_NO_COMMON_LRU is for LRU maps")
        if lru and not prealloc:
            raise err(ENOTSUPP, "LRU maps are always preallocated")
        if numa_node_of(attr) != NUMA_NO_NODE and (percpu or percpu_lru):
            raise err(EINVAL, "per-CPU maps have no NUMA node")
        if attr.max_entries == 0 or attr.key_size == 0 or attr.value_size == 0:
            raise err(EINVAL, "zero max_entries, key or value size")
        if attr.key_size + attr.value_size >= config.KMALLOC_MAX_SIZE - config.SIZEOF_HTAB_ELEM:
            raise err(E2BIG, "key + value too large")
        if percpu and config.round_up(attr.value_size, 8) > config.PCPU_MIN_UNIT_SIZE:
            raise err(E2BIG, "per-CPU value too large")

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if attr.map_flags & F_NO_COMMON_LRU:
            n = config.NR_CPUS
            me = config.round_up(attr.max_entries, n)
            if me > config.U32_MAX:
                me = attr.max_entries // n * n
            fields["max_entries"] = me
        me = fields["max_entries"]
        if me > 1 << 31:
            raise err(E2BIG, "max_entries too large for a hash table")
        nb = config.roundup_pow_of_two(me)
        if nb > config.U32_MAX // config.SIZEOF_HTAB_BUCKET:
            raise err(E2BIG, "too many buckets")
        check_mem(fields, cls.mem_usage_of(fields))
        fields["hashrnd"] = 0 if attr.map_flags & F_ZERO_SEED else kernel.clock.prandom_u32()

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        t = fields["type"]
        percpu = t in PERCPU_TYPES
        lru = t in LRU_TYPES
        fd = t == MapType.HASH_OF_MAPS
        ncpu = config.NR_CPUS
        vsize = config.round_up(fields["value_size"], 8)
        me = fields["max_entries"]
        elem_size = config.SIZEOF_HTAB_ELEM + config.round_up(fields["key_size"], 8)
        elem_size += 8 if percpu else vsize
        usage = config.SIZEOF_BPF_HTAB
        usage += config.SIZEOF_HTAB_BUCKET * config.roundup_pow_of_two(me)
        usage += 4 * ncpu * config.HASHTAB_MAP_LOCK_COUNT
        if not fields["flags"] & F_NO_PREALLOC:
            entries = me + (ncpu if not (percpu or lru or fd) else 0)
            usage += elem_size * entries
            if percpu:
                usage += vsize * ncpu * entries
            elif not lru:
                usage += 8 * ncpu
        else:
            n = fields.get("nelems", 0)
            usage += (elem_size + config.LLIST_NODE_SZ) * n
            if percpu:
                usage += (config.LLIST_NODE_SZ + 8) * n
                usage += vsize * ncpu * n
        return usage

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return ENOTSUPP if self.is_fd else 0

    @property
    def sys_value_size(self) -> int:
        if self.percpu:
            return self.elem_size * config.NR_CPUS
        return 4 if self.is_fd else self.value_size

    # -- storage ------------------------------------------------------------------------------
    def bucket_of(self, key: bytes) -> int:
        return htab_hash(key, self.hashrnd) & (self.n_buckets - 1)

    def _vals_from(self, data: bytes) -> list[bytearray]:
        if self.percpu:
            es = self.elem_size
            return [bytearray(data[c * es:(c + 1) * es].ljust(es, b"\0")) for c in range(config.NR_CPUS)]
        return [bytearray(data[: self.value_size].ljust(self.value_size, b"\0"))]

    def _ser(self, e: HashElem) -> bytes:
        return b"".join(bytes(v) for v in e.vals)

    def _find(self, key: bytes) -> HashElem | None:
        if key in self._cache:
            return self._cache[key]
        row = self.row_get(key)
        e = None
        if row is not None:
            value, bucket, seq, extra = row
            node = u32(extra) if extra else 0
            e = HashElem(key, self._vals_from(value), bucket, seq, node, value, True)
        self._cache[key] = e
        return e

    @property
    def lru_state(self) -> Lru:
        if self._lru is None:
            self._lru = Lru(self.get_state(), self.max_entries, bool(self.map_flags & F_NO_COMMON_LRU),
                            self._evicted)
        return self._lru

    def _evicted(self, key: bytes) -> bool:
        """The LRU evicts ``key`` (htab_lru_map_delete_node)."""
        e = self._find(key)
        if e is None:
            return False
        self._unlink(e)
        return True

    def _link(self, key: bytes, vals: list[bytearray], node: int = 0) -> HashElem:
        """A new element at the head of its bucket."""
        old = self._cache.get(key)
        e = HashElem(key, vals, self.bucket_of(key), self.next_seq(), node)
        if old is not None and old.in_db:
            e.in_db, e.orig = True, old.orig
        elif key in self._gone:
            self._gone.discard(key)
            e.in_db = True
        e.moved = True
        self._cache[key] = e
        self.nelems += 1
        self.touch_meta()
        return e

    def _unlink(self, e: HashElem) -> None:
        self._cache[e.key] = None
        if e.in_db:
            self._gone.add(e.key)
        self.nelems -= 1
        self.touch_meta()

    def _full(self) -> bool:
        return self.nelems >= self.max_entries

    def flush(self) -> None:
        for key in self._gone:
            if self._cache.get(key) is None:
                self.row_del(key)
        self._gone.clear()
        for key, e in self._cache.items():
            if e is None:
                continue
            data = self._ser(e)
            if not e.in_db or e.moved:
                extra = p32(e.node) if self.lru else None
                self.row_put(key, data, e.bucket, e.seq, extra)
            elif data != e.orig:
                self.row_set_value(key, data)
            e.in_db, e.moved, e.orig = True, False, data
        if self._lru is not None and self._lru.dirty:
            self.set_state(self._lru.dump())
            self._lru.dirty = False
        super().flush()

    # -- updates (shared by syscall and program side) -------------------------------------------
    def _fd_value(self, value: bytes) -> tuple[int, bytes]:
        """map-in-map: the inner map behind the fd in ``value`` (EBADF/EINVAL)."""
        inner, _mode = self.kernel.map_fd(u32(value))
        if self.inner_meta is None or not inner.has_meta_equal or not inner.meta_equal(self.inner_meta):
            raise err(EINVAL, "inner map does not match the template")
        return inner.id, p32(inner.id)

    def _update(self, key: bytes, value: bytes, flags: int, onallcpus: bool) -> int:
        """0 or -errno, as htab_*_update_elem."""
        if self.lru and not self.percpu:
            return self._update_lru(key, value, flags)
        if self.lru:
            return self._update_lru_percpu(key, value, flags, onallcpus)
        if self.percpu or self.is_fd:
            return self._update_in_place(key, value, flags, onallcpus)
        if (flags & ~BPF_F_LOCK) > BPF_EXIST:
            return -EINVAL
        if flags & BPF_F_LOCK:
            return -EINVAL  # no bpf_spin_lock in a value without BTF
        old = self._find(key)
        r = self._check_flags(old, flags)
        if r:
            return r
        if old is None and (self._full()):
            return -E2BIG
        if old is not None:
            self._unlink(old)
        self._link(key, self._vals_from(value))
        return 0

    @staticmethod
    def _check_flags(old: HashElem | None, flags: int) -> int:
        f = flags & ~BPF_F_LOCK
        if old is not None and f == BPF_NOEXIST:
            return -EEXIST
        if old is None and f == BPF_EXIST:
            return -ENOENT
        return 0

    def _write_vals(self, e: HashElem, value: bytes, onallcpus: bool) -> None:
        if self.percpu and onallcpus:
            es = self.elem_size
            for c, v in enumerate(e.vals):
                v[:] = value[c * es:(c + 1) * es].ljust(es, b"\0")
        elif self.percpu:
            v = e.vals[self.kernel.cpu]
            v[: self.value_size] = value[: self.value_size]
        else:
            e.vals[0][:] = value[: self.value_size]

    def _init_vals(self, value: bytes, onallcpus: bool) -> list[bytearray]:
        if not self.percpu:
            return self._vals_from(value)
        if onallcpus:
            return self._vals_from(value)
        es = self.elem_size
        vals = [bytearray(es) for _ in range(config.NR_CPUS)]
        vals[self.kernel.cpu][: self.value_size] = value[: self.value_size]
        return vals

    def _update_in_place(self, key: bytes, value: bytes, flags: int, onallcpus: bool) -> int:
        if flags > BPF_EXIST:
            return -EINVAL
        old = self._find(key)
        r = self._check_flags(old, flags)
        if r:
            return r
        if old is not None:
            if self.is_fd:
                self._fd_slot_drop(old)
            self._write_vals(old, value, onallcpus)
            return 0
        if self._full():
            return -E2BIG
        self._link(key, self._init_vals(value, onallcpus))
        return 0

    def _update_lru(self, key: bytes, value: bytes, flags: int) -> int:
        if flags > BPF_EXIST:
            return -EINVAL
        lru = self.lru_state
        node = lru.pop_free(key, self.kernel.cpu)
        if node is None:
            return -ENOMEM
        old = self._find(key)
        r = self._check_flags(old, flags)
        if r:
            lru.push_free(node)
            return r
        if old is not None:
            self._unlink(old)
        self._link(key, self._vals_from(value), node)
        if old is not None:
            lru.set_ref(node)
            lru.push_free(old.node)
        return 0

    def _update_lru_percpu(self, key: bytes, value: bytes, flags: int, onallcpus: bool) -> int:
        if flags > BPF_EXIST:
            return -EINVAL
        lru = self.lru_state
        node = None
        if flags != BPF_EXIST:
            node = lru.pop_free(key, self.kernel.cpu)
            if node is None:
                return -ENOMEM
        old = self._find(key)
        r = self._check_flags(old, flags)
        if r == 0 and old is not None:
            lru.set_ref(old.node)
            self._write_vals(old, value, onallcpus)
        elif r == 0:
            assert node is not None
            self._link(key, self._init_vals(value, onallcpus), node)
            node = None
        if node is not None:
            lru.push_free(node)
        return r

    def _delete(self, key: bytes) -> int:
        e = self._find(key)
        if e is None:
            return -ENOENT
        self._unlink(e)
        if self.lru:
            self.lru_state.push_free(e.node)
        if self.is_fd:
            self._fd_slot_drop(e)
        return 0

    def _fd_slot_drop(self, e: HashElem) -> None:
        self.kernel.ref_drop("map", self.id, slot=e.key.hex())

    # -- syscall side --------------------------------------------------------------------------
    def _user_value(self, e: HashElem) -> bytes:
        if self.percpu:
            return self._ser(e)
        return bytes(e.vals[0][: 4 if self.is_fd else self.value_size])

    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        assert key is not None
        e = self._find(key)
        if e is None:
            raise err(ENOENT, "no such key")
        return self._user_value(e)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        assert key is not None
        inner_id = None
        if self.is_fd:
            inner_id, value = self._fd_value(value)
        r = self._update(key, value, flags, onallcpus=True)
        if r:
            raise err(-r)
        if inner_id is not None:
            self.kernel.ref_add("map", self.id, key.hex(), "map", inner_id)

    def sys_delete(self, key: bytes | None) -> None:
        assert key is not None
        r = self._delete(key)
        if r:
            raise err(-r)

    def sys_lookup_and_delete(self, key: bytes | None, flags: int) -> bytes:
        if self.is_fd:
            raise err(ENOTSUPP)
        assert key is not None
        e = self._find(key)
        if e is None:
            raise err(ENOENT, "no such key")
        out = self._user_value(e)
        self._delete(key)
        return out

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        self.flush()
        if key is not None:
            row = self.tx.one("SELECT bucket, seq FROM map_elems WHERE map = ? AND key = ?", (self.id, key))
            if row is not None:
                b, s = row
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
            raise err(ENOENT, "empty map")
        return bytes(first[0])

    def _batch_walk(self, attr: MapBatchAttr, delete: bool) -> None:
        """__htab_map_lookup_and_delete_batch: whole buckets, in bucket order."""
        if attr.elem_flags & ~BPF_F_LOCK or attr.elem_flags & BPF_F_LOCK:
            raise err(EINVAL, "elem_flags")
        if attr.flags:
            raise err(EINVAL, "flags")
        max_count = attr.count
        if not max_count:
            return
        attr.count = 0
        batch = 0
        if attr.in_batch is not None:
            ib = bytes(attr.in_batch)
            if len(ib) < 4:
                raise err(EFAULT, "in_batch too small")
            batch = u32(ib)
        if batch >= self.n_buckets:
            raise err(ENOENT, "past the last bucket")
        vsize = self.sys_value_size
        keys = self._need_buf(attr.keys, max_count * self.key_size, "keys")
        values = self._need_buf(attr.values, max_count * vsize, "values")
        self.flush()
        by_bucket: dict[int, list[bytes]] = {}
        for b, k in self.tx.q("SELECT bucket, key FROM map_elems WHERE map = ? AND bucket >= ? "
                              "ORDER BY bucket, seq DESC", (self.id, batch)):
            by_bucket.setdefault(b, []).append(bytes(k))
        nonempty = sorted(by_bucket)
        total = 0
        error = 0
        while True:
            ks = by_bucket.get(batch, [])
            if len(ks) > max_count - total:
                if total == 0:
                    error = ENOSPC
                break
            for k in ks:
                e = self._find(k)
                assert e is not None
                keys[total * self.key_size:(total + 1) * self.key_size] = k
                values[total * vsize:(total + 1) * vsize] = self._user_value(e)
                total += 1
                if delete:
                    self._delete(k)
            batch += 1
            later = [b for b in nonempty if b >= batch]
            if batch >= self.n_buckets or not later:
                batch = self.n_buckets
                error = ENOENT
                break
            batch = later[0]
        ob = self._need_buf(attr.out_batch, 4, "out_batch")
        ob[:4] = p32(batch)
        attr.count = total
        if error:
            raise err(error)

    def batch_lookup(self, attr: MapBatchAttr) -> None:
        self._batch_walk(attr, delete=False)

    def batch_lookup_and_delete(self, attr: MapBatchAttr) -> None:
        self._batch_walk(attr, delete=True)

    # -- program side ------------------------------------------------------------------------------
    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        e = self._find(bytes(key[: self.key_size]))
        if e is None:
            return None
        if self.lru:
            self.lru_state.set_ref(e.node)
        c = self.kernel.cpu if cpu is None else cpu
        return (e.vals[c] if self.percpu else e.vals[0]), 0

    def inner_map_id(self, key: bytes) -> int | None:
        """HASH_OF_MAPS: id of the inner map stored under ``key`` (None if absent)."""
        e = self._find(bytes(key[: self.key_size]))
        return u32(bytes(e.vals[0])) if e is not None and self.is_fd else None

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        if self.is_fd:
            return -ENOTSUPP
        return self._update(bytes(key[: self.key_size]), bytes(value), flags, onallcpus=False)

    def prog_delete(self, key: bytes) -> int:
        if self.is_fd:
            return -ENOTSUPP
        return self._delete(bytes(key[: self.key_size]))

    def for_each(self) -> Iterator[tuple[bytes, tuple[bytearray, int]]]:
        self.flush()
        keys = [bytes(r[0]) for r in self.tx.q("SELECT key FROM map_elems WHERE map = ? "
                                                "ORDER BY bucket, seq DESC", (self.id,))]
        for k in keys:
            e = self._find(k)
            if e is not None:
                yield k, ((e.vals[self.kernel.cpu] if self.percpu else e.vals[0]), 0)


__all__ = ["HashMap", "HashElem", "struct"]
