"""Arrays of object references: PROG_ARRAY, PERF_EVENT_ARRAY, ARRAY_OF_MAPS.

User space stores an *fd* (u32) and reads back the object's *id*. A slot holds a reference
to its object (a ``refs`` row), so a program or inner map stays alive while it is in a
slot. Update flags other than BPF_ANY are EINVAL, an index past the end is E2BIG (update
and delete), an empty slot is ENOENT (lookup and delete).

* PROG_ARRAY: the first program stored (or the first program loaded that uses the map)
  becomes the owner; later programs must match its type, JIT state, xdp frags flag and
  expected attach type, else EINVAL (``owner_prog_type`` shows in the map's info). When the
  last fd/pin of the map goes, its slots are emptied, as in Linux.
* PERF_EVENT_ARRAY / CGROUP_ARRAY: the simulated kernel has no perf events or cgroup fds,
  so every fd is EBADF, and a lookup is ENOTSUPP (bpftool prints "Unknown error 524" for
  each slot).
* ARRAY_OF_MAPS: the inner map must match the template given at creation
  (``inner_map_fd``): type, sizes, flags, and for arrays max_entries unless the template
  had BPF_F_INNER_MAP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..uapi.consts import EBADF, MapType, ProgType
from .array import array_alloc_check, array_mem_usage, array_next_key
from .base import (
    BPF_ANY,
    E2BIG,
    EINVAL,
    ENOENT,
    ENOTSUPP,
    F_RDONLY_PROG,
    F_WRONLY_PROG,
    BpfMap,
    check_mem,
    err,
    p32,
    u32,
)

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog
    from ..uapi.attr import MapCreateAttr


def owner_of(prog: Prog) -> dict[str, int]:
    return {"type": prog.type, "jited": 1, "xdp_has_frags": int(bool(prog.prog_flags & (1 << 5))),
            "eat": prog.expected_attach_type, "sleepable": int(bool(prog.prog_flags & (1 << 4)))}


def prog_map_compatible(m: BpfMap, prog: Prog) -> bool:
    """bpf_prog_map_compatible: claim or check ownership of a map that holds programs."""
    if prog.ifindex:
        return False  # dev-bound programs cannot go into program maps
    own = owner_of(prog)
    if m.owner is None:
        m.owner = own
        m.touch_meta()
        return True
    keys = ("type", "jited", "xdp_has_frags")
    if m.map_type == MapType.PROG_ARRAY:
        keys += ("eat", "sleepable")
    return all(m.owner.get(k) == own[k] for k in keys)


class FdArrayMap(BpfMap):
    TYPES = (MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY, MapType.ARRAY_OF_MAPS, MapType.CGROUP_ARRAY)
    holds_objects = True

    def setup(self) -> None:
        t = self.map_type
        self.kind = {MapType.PROG_ARRAY: "prog", MapType.ARRAY_OF_MAPS: "map"}.get(t, "other")
        self.has_meta_equal = t in (MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY)
        self.has_check_btf = t != MapType.PROG_ARRAY
        self.BATCH_OPS = frozenset({"lookup", "update"}) if t == MapType.ARRAY_OF_MAPS else frozenset()

    @classmethod
    def alloc_check(cls, attr: MapCreateAttr) -> None:
        if attr.value_size != 4:
            raise err(EINVAL, "fd arrays store u32 fds")
        if attr.map_flags & (F_RDONLY_PROG | F_WRONLY_PROG):
            raise err(EINVAL, "no program access flags on fd arrays")
        array_alloc_check(attr)

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        check_mem(fields, cls.mem_usage_of(fields))

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        return array_mem_usage(fields)

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        return ENOTSUPP  # map_check_no_btf (prog_array has no check at all)

    @property
    def sys_value_size(self) -> int:
        return 4

    def slot(self, index: int) -> int | None:
        row = self.row_get(p32(index))
        return u32(row[0]) if row else None

    def _set_slot(self, index: int, obj: int | None) -> bool:
        """Store ``obj`` (or empty the slot); True if the slot held something."""
        slot = str(index)
        old = self.slot(index)
        if old is not None:
            self.kernel.ref_drop("map", self.id, slot=slot)
        if obj is None:
            if old is not None:
                self.row_del(p32(index))
                self.nelems -= 1
                self.touch_meta()
        else:
            self.row_put(p32(index), p32(obj), index, 0)
            self.kernel.ref_add("map", self.id, slot, self.kind, obj)
            if old is None:
                self.nelems += 1
                self.touch_meta()
        return old is not None

    # -- syscall side -------------------------------------------------------------------------
    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        if self.map_type in (MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY):
            raise err(ENOTSUPP, "this fd array cannot be read from user space")
        index = u32(key or bytes(4))
        obj = self.slot(index) if index < self.max_entries else None
        if obj is None:
            raise err(ENOENT, "empty slot")
        return p32(obj)

    def _resolve(self, ufd: int) -> int:
        k = self.kernel
        if self.map_type == MapType.PROG_ARRAY:
            prog = k.prog_fd(ufd)
            if prog.type == ProgType.EXT or not prog_map_compatible(self, prog):
                raise err(EINVAL, "program does not match the prog_array's owner")
            return prog.id
        if self.map_type == MapType.ARRAY_OF_MAPS:
            inner, _mode = k.map_fd(ufd)
            if self.inner_meta is None or not inner.meta_equal(self.inner_meta):
                raise err(EINVAL, "inner map does not match the template")
            return inner.id
        k.fd_get(ufd)  # EBADF for a closed fd
        raise err(EBADF, "not a perf event / cgroup fd")  # none exist in the simulated kernel

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        if flags != BPF_ANY:
            raise err(EINVAL, "fd arrays only take BPF_ANY")
        index = u32(key or bytes(4))
        if index >= self.max_entries:
            raise err(E2BIG, "index out of range")
        obj = self._resolve(u32(value))
        self._set_slot(index, obj)

    def sys_delete(self, key: bytes | None) -> None:
        index = u32(key or bytes(4))
        if index >= self.max_entries:
            raise err(E2BIG, "index out of range")
        if not self._set_slot(index, None):
            raise err(ENOENT, "empty slot")

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        return array_next_key(self.max_entries, key)

    # -- lifetime --------------------------------------------------------------------------------
    def release_uref(self) -> bool:
        """prog_array_map_clear: the last user reference went away."""
        if self.map_type != MapType.PROG_ARRAY or not self.nelems:
            return False
        for (k,) in self.tx.q("SELECT key FROM map_elems WHERE map = ?", (self.id,)):
            self._set_slot(u32(bytes(k)), None)
        return True

    # -- program side ------------------------------------------------------------------------------
    def prog_at(self, index: int) -> int | None:
        """PROG_ARRAY: the program id in slot ``index`` (bpf_tail_call), or None."""
        if self.map_type != MapType.PROG_ARRAY or not 0 <= index < self.max_entries:
            return None
        return self.slot(index)

    def inner_map_id(self, key: bytes) -> int | None:
        """ARRAY_OF_MAPS: the inner map id at ``key``, or None."""
        index = u32(key)
        if self.map_type != MapType.ARRAY_OF_MAPS or index >= self.max_entries:
            return None
        return self.slot(index)

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        return -ENOTSUPP

    def prog_delete(self, key: bytes) -> int:
        return -ENOTSUPP
