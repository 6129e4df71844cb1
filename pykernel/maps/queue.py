"""BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO).

No keys (key_size 0; a key pointer is EINVAL). The syscall side maps push to
MAP_UPDATE_ELEM, peek to MAP_LOOKUP_ELEM and pop to MAP_LOOKUP_AND_DELETE_ELEM, all with a
NULL key. A full map refuses a push with E2BIG unless the flag is BPF_EXIST, which drops the
oldest element (for both types, as the kernel's ring does). Empty -> ENOENT. Elements are
rows ordered by ``seq``: a queue pops the lowest, a stack the highest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import MapType
from .base import (
    BPF_EXIST,
    BPF_NOEXIST,
    E2BIG,
    EINVAL,
    ENOENT,
    F_ACCESS_MASK,
    F_NUMA_NODE,
    BpfMap,
    check_mem,
    err,
    flags_access_ok,
    p32,
)

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapCreateAttr


class QueueStackMap(BpfMap):
    TYPES = (MapType.QUEUE, MapType.STACK)

    def setup(self) -> None:
        self.is_stack = self.map_type == MapType.STACK

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if (attr.max_entries == 0 or attr.key_size != 0 or attr.value_size == 0
                or attr.map_flags & ~(F_NUMA_NODE | F_ACCESS_MASK) or not flags_access_ok(attr.map_flags)):
            raise err(EINVAL, "bad queue/stack attributes")
        if attr.value_size > config.KMALLOC_MAX_SIZE:
            raise err(E2BIG, "value too large")

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return config.SIZEOF_BPF_QUEUE_STACK + (fields["max_entries"] + 1) * fields["value_size"]

    def _end(self, newest: bool) -> tuple[bytes, bytes] | None:
        order = "DESC" if newest else "ASC"
        row = self.tx.one(f"SELECT key, value FROM map_elems WHERE map = ? ORDER BY seq {order} LIMIT 1",
                          (self.id,))
        return (bytes(row[0]), bytes(row[1])) if row else None

    def _get(self, delete: bool) -> bytes | int:
        row = self._end(newest=self.is_stack)
        if row is None:
            return -ENOENT
        if delete:
            self.row_del(row[0])
            self.nelems -= 1
            self.touch_meta()
        return row[1]

    def _push(self, value: bytes, flags: int) -> int:
        if flags & BPF_NOEXIST or flags > BPF_EXIST:
            return -EINVAL
        if self.nelems >= self.max_entries:
            if not flags & BPF_EXIST:
                return -E2BIG
            oldest = self._end(newest=False)
            if oldest is not None:
                self.row_del(oldest[0])
                self.nelems -= 1
        seq = self.next_seq()
        self.row_put(p32(seq) + p32(seq >> 32), bytes(value[: self.value_size]), 0, seq)
        self.nelems += 1
        self.touch_meta()
        return 0

    # -- syscall side -----------------------------------------------------------------------
    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        v = self._get(delete=False)
        if isinstance(v, int):
            raise err(-v, "empty")
        return v

    def sys_lookup_and_delete(self, key: bytes | None, flags: int) -> bytes:
        v = self._get(delete=True)
        if isinstance(v, int):
            raise err(-v, "empty")
        return v

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        r = self._push(value, flags)
        if r:
            raise err(-r)

    def sys_delete(self, key: bytes | None) -> None:
        raise err(EINVAL, "queue/stack elements are popped, not deleted")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        raise err(EINVAL, "queue/stack maps have no keys")

    # -- program side --------------------------------------------------------------------------
    def prog_push(self, value: bytes, flags: int = 0) -> int:
        return self._push(bytes(value), flags)

    def prog_pop(self, out: bytearray, off: int = 0) -> int:
        """bpf_map_pop_elem: copy into ``out[off:]``; zeroes it and returns -ENOENT when empty."""
        v = self._get(delete=True)
        if isinstance(v, int):
            out[off:off + self.value_size] = bytes(self.value_size)
            return v
        out[off:off + self.value_size] = v
        return 0

    def prog_peek(self, out: bytearray, off: int = 0) -> int:
        v = self._get(delete=False)
        if isinstance(v, int):
            out[off:off + self.value_size] = bytes(self.value_size)
            return v
        out[off:off + self.value_size] = v
        return 0

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        return -EINVAL

    def prog_delete(self, key: bytes) -> int:
        return -EINVAL
