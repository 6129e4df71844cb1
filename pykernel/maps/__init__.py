"""Map types of the simulated kernel: one module per family, all on :class:`BpfMap`.

``MAP_CLASSES`` maps each supported ``BPF_MAP_TYPE_*`` to its class; :func:`load_map`
instantiates a map from its row for one syscall. The program-side API every map offers is
documented in :mod:`pykernel.maps.base`.

Fully modelled: hash, array, prog_array, perf_event_array, percpu_hash, percpu_array,
lru_hash, lru_percpu_hash, lpm_trie, array_of_maps, hash_of_maps, devmap, cpumap, xskmap,
queue, stack, devmap_hash, bloom_filter. Creatable with the kernel's checks and memlock but
empty for lack of sockets/cgroups/perf (see :mod:`pykernel.maps.misc`): stack_trace,
cgroup_array, sockmap, sockhash, reuseport_sockarray, cgroup_storage,
percpu_cgroup_storage, sk/inode/task/cgrp_storage, ringbuf, user_ringbuf, arena.
struct_ops is refused with EINVAL (no kernel BTF to describe its value).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .array import ArrayMap
from .base import BpfMap
from .devmap import CpuMap, DevMap, XskMap
from .fdarray import FdArrayMap
from .hash import HashMap
from .lpm import LpmTrieMap
from .misc import (
    ArenaMap,
    BloomFilterMap,
    CgroupStorageMap,
    LocalStorageMap,
    RingbufMap,
    SocketMap,
    StackTraceMap,
)
from .queue import QueueStackMap

if TYPE_CHECKING:
    from ..objects import Kernel

MAP_CLASSES: dict[int, type[BpfMap]] = {}
for _cls in (ArrayMap, HashMap, FdArrayMap, LpmTrieMap, QueueStackMap, DevMap, CpuMap, XskMap, BloomFilterMap,
             RingbufMap, StackTraceMap, SocketMap, CgroupStorageMap, LocalStorageMap, ArenaMap):
    for _t in _cls.TYPES:
        MAP_CLASSES[int(_t)] = _cls


def load_map(kernel: Kernel, map_id: int) -> BpfMap | None:
    row = kernel.tx.one(f"SELECT {BpfMap.columns()} FROM maps WHERE id = ?", (map_id,))
    if row is None:
        return None
    cls = MAP_CLASSES[row[1]]
    return cls(kernel, row)


__all__ = ["BpfMap", "MAP_CLASSES", "load_map", "ArrayMap", "HashMap", "FdArrayMap", "LpmTrieMap",
           "QueueStackMap", "DevMap", "CpuMap", "XskMap", "BloomFilterMap", "RingbufMap", "StackTraceMap",
           "SocketMap", "CgroupStorageMap", "LocalStorageMap", "ArenaMap"]
