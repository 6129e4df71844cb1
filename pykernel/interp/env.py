"""The simulated kernel as a running program sees it: maps in memory, per-CPU data,
jiffies, tail-call targets, the redirect info, the trace and perf sinks.

A :class:`KernelEnv` is attached to one :class:`~pykernel.interp.vm.Run` (``run.env``).
It works on the kernel context of the current syscall (``pykernel.objects.Kernel``: maps
and programs by id, the virtual clock and PRNG, the CPU) through a few duck-typed calls:
``kernel.map(id)``, ``kernel.prog(id)``, ``kernel.clock`` (``ktime_ns()``,
``prandom_u32()``), ``kernel.cpu``. The program type's context (xdp_buff / sk_buff model,
:mod:`pykernel.interp.ctx`) is set by test_run as ``env.ctx``.

Maps appear in memory lazily, the first time the program (or a helper) touches their
address (``Memory.miss_hook``):

* every map: a read-only header at ``map_address(id)`` with ``struct bpf_map``'s
  key_size/value_size/max_entries (and ``struct bpf_array``'s elem_size/index_mask);
* array: the live value storage at ``+ARRAY_VALUE_OFF`` (stride ``round_up(value_size, 8)``),
  read-only for ``BPF_F_RDONLY_PROG`` maps (``.rodata``);
* percpu_array: ``pptrs[]`` there, each a per-CPU pointer whose CPU-``c`` copy
  (``+ percpu_offset(c)``) is that CPU's live value;
* array_of_maps: ``ptrs[]`` holding the inner maps' addresses; xskmap: its (empty) array;
* hash family: elements on lookup - a ``struct htab_elem`` (key at 48, the LRU ref byte
  at 35) whose value at ``htab_value_off(key_size)`` is the live value (per-CPU maps: a
  per-CPU pointer; hash_of_maps: the inner map's address), as the inlined lookups expect.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from .. import config
from ..kallsyms import CPU_NUMBER_IMM, JIFFIES_ADDR
from ..uapi.consts import MapType
from .errors import HelperFault
from .memory import M64, SLOT_SHIFT, Memory, Region, map_address, map_id_of, percpu_offset

try:
    from .. import layouts as L
except ImportError:  # pragma: no cover
    L = None  # type: ignore[assignment]

ARRAY_VALUE_OFF = 312 if L is None else L.ARRAY_VALUE_OFF
XSKMAP_ARRAY_OFF = 304
HTAB_ELEM_KEY = 48 if L is None else L.HTAB_ELEM_KEY
MAP_KEY_SIZE, MAP_VALUE_SIZE, MAP_MAX_ENTRIES = (68, 72, 76) if L is None else (
    L.BPF_MAP_KEY_SIZE, L.BPF_MAP_VALUE_SIZE, L.BPF_MAP_MAX_ENTRIES)
ARRAY_ELEM_SIZE, ARRAY_INDEX_MASK = (296, 300) if L is None else (L.BPF_ARRAY_ELEM_SIZE, L.BPF_ARRAY_INDEX_MASK)
SIZEOF_BPF_MAP = 296 if L is None else L.SIZEOF_BPF_MAP

HZ = 250  # CONFIG_HZ of the oracle kernel
INITIAL_JIFFIES = (-300 * HZ) & 0xFFFFFFFF  # (unsigned long)(unsigned int)(-300 * HZ)
F_RDONLY_PROG = 1 << 7
INT_MAX = 0x7FFFFFFF

ARRAY_TYPES = {MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.ARRAY_OF_MAPS, MapType.PROG_ARRAY,
               MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY} if hasattr(MapType, "CGROUP_ARRAY") else {
    MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.ARRAY_OF_MAPS, MapType.PROG_ARRAY, MapType.PERF_EVENT_ARRAY}
HASH_TYPES = {MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH, MapType.LRU_PERCPU_HASH,
              MapType.HASH_OF_MAPS}
PERCPU_TYPES = {MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH}


def sext32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def htab_value_off(key_size: int) -> int:
    return HTAB_ELEM_KEY + ((key_size + 7) & ~7)


@dataclass
class RedirectInfo:
    """The per-CPU ``struct bpf_redirect_info`` a redirect helper fills in."""

    tgt_index: int = 0
    flags: int = 0
    map_id: int = 0
    map_type: int = 0
    tgt_value: Any = None


@dataclass
class PerfRecord:
    map_id: int
    cpu: int
    data: bytes


@dataclass
class _Elem:
    addr: int
    bufs: tuple[int, ...]  # id() of the value buffers the regions were built on
    regions: list[Region] = field(default_factory=list)


class KernelEnv:
    def __init__(self, kernel: Any = None, *, cpu: int | None = None, nr_cpus: int = config.NR_CPUS,
                 comm: str = "bpftool", pid: int = 1) -> None:
        self.kernel = kernel
        self.cpu = cpu if cpu is not None else int(getattr(kernel, "cpu", 0) or 0)
        self.nr_cpus = nr_cpus
        self.comm, self.pid = comm, pid
        self.ctx: Any = None
        self.prog: Any = None  # the program being run (tail calls, trace lines)
        self.redirect = RedirectInfo()
        self.perf: list[PerfRecord] = []
        self.trace: list[str] = []  # lines bpf_trace_printk produced during this run
        self.maps: dict[int, Any] = {}  # map id -> map object (extra maps for tests)
        self.run: Any = None
        self._mapped: set[int] = set()
        self._map_cache: dict[int, Any] = {}
        self._elems: dict[tuple[int, bytes], _Elem] = {}
        self._bufs: dict[int, Region] = {}
        self._rnd_state = 0x2545F491
        self.clock_base_ns = 0

    # -- attaching ---------------------------------------------------------------------
    def attach(self, run: Any) -> None:
        self.run = run
        run.env = self
        run.cpu = self.cpu
        mem: Memory = run.mem
        mem.miss_hook = self._on_miss
        clock = getattr(self.kernel, "clock", None)
        if clock is not None:
            self.clock_base_ns = clock.ktime_ns()
            run.clock_base_ns = self.clock_base_ns
        # per-CPU cpu_number (the inlined bpf_get_smp_processor_id) and jiffies (bpf_jiffies64)
        for c in range(self.nr_cpus):
            addr = (sext32(CPU_NUMBER_IMM) + percpu_offset(c)) & M64
            mem.add(Region(f"cpu_number[{c}]", "percpu", addr, bytearray(struct.pack("<I", c)),
                           writable=False))
        mem.add(Region("jiffies", "kernel", JIFFIES_ADDR, bytearray(8), writable=False))
        self.refresh_jiffies()

    def refresh_jiffies(self) -> None:
        r = self.run.mem.region_at(JIFFIES_ADDR)
        if r is not None:
            struct.pack_into("<Q", r.buf, 0, self.jiffies())

    def now_ns(self) -> int:
        return self.run.now_ns() if self.run is not None else self.clock_base_ns

    def jiffies(self) -> int:
        return (INITIAL_JIFFIES + self.now_ns() * HZ // 1_000_000_000) & M64

    def prandom_u32(self) -> int:
        clock = getattr(self.kernel, "clock", None)
        if clock is not None and hasattr(clock, "prandom_u32"):
            return clock.prandom_u32() & 0xFFFFFFFF
        x = self._rnd_state  # xorshift32, for runs without a kernel
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self._rnd_state = x
        return x

    # -- maps -----------------------------------------------------------------------------------
    def add_map(self, m: Any) -> int:
        """Make a map object reachable without a kernel (tests); returns its address."""
        self.maps[m.id] = m
        return map_address(m.id)

    def map_by_id(self, map_id: int) -> Any:
        m = self.maps.get(map_id)
        if m is None and self.kernel is not None:
            m = self.kernel.map(map_id)
        return m

    def map_at(self, addr: int) -> Any:
        """The map whose address ``addr`` is (a helper's ``struct bpf_map *`` argument)."""
        m = self._map_cache.get(addr)
        if m is not None:
            return m
        mid = map_id_of(addr)
        m = self.map_by_id(mid) if mid is not None and addr == map_address(mid) else None
        if m is None:
            raise HelperFault(f"0x{addr:x} is not a map")
        self.ensure_map(m)
        self._map_cache[addr] = m
        return m

    def _on_miss(self, addr: int) -> bool:
        mid = map_id_of(addr)
        if mid is None or mid in self._mapped:
            return False
        m = self.map_by_id(mid)
        if m is None:
            return False
        self.ensure_map(m)
        return True

    def ensure_map(self, m: Any) -> None:
        if m.id in self._mapped:
            return
        self._mapped.add(m.id)
        mem: Memory = self.run.mem
        addr = map_address(m.id)
        t = int(m.map_type)
        array_like = t in ARRAY_TYPES
        hlen = XSKMAP_ARRAY_OFF if t == MapType.XSKMAP else (ARRAY_VALUE_OFF if array_like else SIZEOF_BPF_MAP)
        header = bytearray(hlen)
        struct.pack_into("<III", header, MAP_KEY_SIZE, m.key_size, m.value_size, m.max_entries)
        if array_like and hlen > ARRAY_INDEX_MASK + 4:
            elem = (m.value_size + 7) & ~7 if t in (MapType.ARRAY, MapType.PERCPU_ARRAY) else 8
            mask = (1 << max(0, (m.max_entries - 1).bit_length())) - 1
            struct.pack_into("<II", header, ARRAY_ELEM_SIZE, elem, mask)
        mem.add(Region(f"map[{m.id}]", "map", addr, header, writable=False, owner=m), primary=False)
        base = addr + ARRAY_VALUE_OFF
        rdonly = bool(m.map_flags & F_RDONLY_PROG)
        if t == MapType.ARRAY:
            buf = m.cpu_values(self.cpu) if hasattr(m, "cpu_values") else m.values
            self._add_buf(Region(f"map[{m.id}].value", "map_value", base, buf, writable=not rdonly, owner=m),
                          primary=True)
        elif t == MapType.PERCPU_ARRAY:
            es = (m.value_size + 7) & ~7
            pbase = mem.alloc_slot(self.nr_cpus)
            ptrs = bytearray(8 * m.max_entries)
            for i in range(m.max_entries):
                struct.pack_into("<Q", ptrs, 8 * i, pbase + i * es)
            mem.add(Region(f"map[{m.id}].pptrs", "map", base, ptrs, writable=False, owner=m), primary=True)
            for c in range(self.nr_cpus):
                self._add_buf(Region(f"map[{m.id}].value@cpu{c}", "map_value", pbase + percpu_offset(c),
                                     m.cpu_values(c), writable=not rdonly, owner=m))
        elif t == MapType.ARRAY_OF_MAPS:
            ptrs = bytearray(8 * m.max_entries)
            for i in range(m.max_entries):
                inner = m.inner_map_id(struct.pack("<I", i))
                if inner:
                    struct.pack_into("<Q", ptrs, 8 * i, map_address(inner))
            mem.add(Region(f"map[{m.id}].ptrs", "map", base, ptrs, writable=False, owner=m), primary=True)
        elif t == MapType.XSKMAP:
            mem.add(Region(f"map[{m.id}].xsks", "map", addr + XSKMAP_ARRAY_OFF, bytearray(8 * m.max_entries),
                           writable=False, owner=m), primary=True)

    def _add_buf(self, region: Region, primary: bool | None = None) -> Region:
        self.run.mem.add(region, primary=primary)
        self._bufs[id(region.buf)] = region
        return region

    def value_address(self, m: Any, buf: bytearray, off: int) -> int:
        """Address of ``buf[off]`` where ``buf`` is live value storage of ``m``."""
        r = self._bufs.get(id(buf))
        if r is None or r.buf is not buf:
            mem: Memory = self.run.mem
            base = mem.alloc_slot()
            rdonly = bool(m.map_flags & F_RDONLY_PROG)
            r = self._add_buf(Region(f"map[{m.id}].value", "map_value", base, buf, writable=not rdonly, owner=m))
        return r.base + off

    def elem_address(self, m: Any, key: bytes) -> int:
        """``__htab_map_lookup_elem``: the element of ``key`` in a hash-family map, or 0."""
        key = bytes(key[: m.key_size])
        t = int(m.map_type)
        percpu = t in PERCPU_TYPES
        mine = m.value_buf(key, cpu=self.cpu)
        if mine is None:
            return 0
        hit = self._elems.get((m.id, key))
        if hit is not None and hit.bufs[0] == id(mine[0]) and hit.regions[-1].buf is not None:
            return hit.addr  # the same element as before (its value storage is unchanged)
        cpus = range(self.nr_cpus) if percpu else (self.cpu,)
        vbs = []
        for c in cpus:
            vb = mine if c == self.cpu else m.value_buf(key, cpu=c)
            if vb is None:
                return 0
            vbs.append(vb)
        ids = (id(mine[0]),) + tuple(id(b) for b, _ in vbs)
        mem: Memory = self.run.mem
        vo = htab_value_off(m.key_size)
        elem = mem.alloc_slot()
        header = bytearray(vo)
        header[HTAB_ELEM_KEY:HTAB_ELEM_KEY + len(key)] = key
        regions = [Region(f"map[{m.id}].elem", "map", elem, header, owner=m)]
        rdonly = bool(m.map_flags & F_RDONLY_PROG)
        if t == MapType.HASH_OF_MAPS:
            inner = m.inner_map_id(key) or 0
            regions.append(Region(f"map[{m.id}].elem.value", "map", elem + vo,
                                  bytearray(struct.pack("<Q", map_address(inner) if inner else 0)),
                                  writable=False, owner=m))
        elif percpu:
            pbase = mem.alloc_slot(self.nr_cpus)
            regions.append(Region(f"map[{m.id}].elem.pptr", "map", elem + vo,
                                  bytearray(struct.pack("<Q", pbase)), writable=False, owner=m))
            for c, (buf, off) in zip(cpus, vbs, strict=True):
                a = pbase + percpu_offset(c)
                regions.append(Region(f"map[{m.id}].elem.value@cpu{c}", "map_value", a - off, buf,
                                      a, a + m.value_size, writable=not rdonly, owner=m))
        else:
            buf, off = vbs[0]
            a = elem + vo
            if off:  # hash elements own their value buffer (offset 0)
                raise HelperFault("hash value buffer with an offset")
            regions.append(Region(f"map[{m.id}].elem.value", "map_value", a - off, buf, a, a + m.value_size,
                                  writable=not rdonly, owner=m))
        for i, r in enumerate(regions):
            mem.add(r, primary=(i == 1))
            if r.kind == "map_value":
                self._bufs[id(r.buf)] = r
        self._elems[(m.id, key)] = _Elem(elem, ids, regions)
        return elem

    def lookup_value(self, m: Any, key: bytes, cpu: int | None = None) -> int:
        """Address of the value of ``key`` (this CPU's for per-CPU maps), or 0: what the
        non-inlined ``bpf_map_lookup_elem`` returns for any map type."""
        t = int(m.map_type)
        c = self.cpu if cpu is None else cpu
        if t in HASH_TYPES:
            elem = self.elem_address(m, key)
            if not elem:
                return 0
            addr = elem + htab_value_off(m.key_size)
            if t in PERCPU_TYPES:
                pptr = self.run.mem.load(addr, 8)
                return (pptr + percpu_offset(c)) & M64
            if t == MapType.HASH_OF_MAPS:
                return self.run.mem.load(addr, 8)
            return addr
        if t in (MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.ARRAY_OF_MAPS):
            index = struct.unpack_from("<I", key)[0]
            if index >= m.max_entries:
                return 0
            if t == MapType.ARRAY_OF_MAPS:
                return self.run.mem.load(map_address(m.id) + ARRAY_VALUE_OFF + 8 * index, 8)
            es = (m.value_size + 7) & ~7
            if t == MapType.ARRAY:
                return map_address(m.id) + ARRAY_VALUE_OFF + index * es
            pptr = self.run.mem.load(map_address(m.id) + ARRAY_VALUE_OFF + 8 * index, 8)
            return (pptr + percpu_offset(c)) & M64
        vb = m.value_buf(key, cpu=c) if _takes_cpu(m) else m.value_buf(key)
        if vb is None:
            return 0
        buf, off = vb
        return self.value_address(m, buf, off)

    # -- programs (tail calls) ----------------------------------------------------------------
    def prog_by_id(self, prog_id: int) -> Any:
        return self.kernel.prog(prog_id) if self.kernel is not None else None

    # -- LD_ABS / LD_IND ------------------------------------------------------------------------
    def ld_abs(self, run: Any, ctx: int, off: int, size: int) -> int | None:
        """The legacy packet loads of skb programs (``bpf_skb_load_helper`` semantics):
        big-endian value, or None (the program then returns 0)."""
        load = getattr(self.ctx, "load_pointer", None)
        if load is None:
            raise HelperFault("LD_ABS/LD_IND outside a socket buffer program")
        off = off - (1 << 32) if off & 0x80000000 else off
        data = load(off, size)
        return None if data is None else int.from_bytes(data, "big")

    # -- sinks ---------------------------------------------------------------------------------
    def trace_line(self, text: str) -> None:
        self.trace.append(text)


def _takes_cpu(m: Any) -> bool:
    try:
        import inspect

        return "cpu" in inspect.signature(m.value_buf).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


__all__ = ["KernelEnv", "RedirectInfo", "PerfRecord", "htab_value_off", "ARRAY_VALUE_OFF", "SLOT_SHIFT",
           "INT_MAX", "HZ"]
