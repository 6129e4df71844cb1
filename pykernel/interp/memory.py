"""Simulated memory: one flat 64-bit address space made of regions.

A pointer is a plain Python int, so the pointer arithmetic and comparisons programs do
(``data + 14 > data_end``) work unchanged. The space is cut into *slots* of 4 GiB (the
high 32 bits of an address). Every region lives inside one slot and has

* ``base``  - the address of ``buf[0]`` (the backing ``bytearray``),
* ``lo, hi`` - the valid window ``[lo, hi)`` (absolute addresses, inside the buffer),
* ``writable`` - whether stores are allowed (``.rodata`` of a frozen map, read-only ctx
  are not).

Every load and store is checked against the window of the region the address falls in;
a miss raises :class:`MemFault`, which stops the program. Nothing outside a window is
ever read or written, so a verifier gap cannot corrupt the simulator.

Fast path. The executor's generated code does, per access::

    b, base, lo, hi = RD(a >> 32, NOREG)            # slot -> primary region tuple
    v = U32(b, a - base)[0] if lo <= a and a + 4 <= hi else slow_load(a, 4, pc)

``Memory.rd`` / ``Memory.wr`` map a slot to the ``(buf, base, lo, hi)`` tuple of the
slot's *primary* region (readable / writable ones). A second region in the same slot (the
header of an array map next to its values), a miss, or a fault go through
:meth:`Memory.load` / :meth:`Memory.store`, which search every region of the slot and
raise :class:`MemFault` when none covers the access. Moving a window
(:meth:`Region.set_window`, e.g. ``bpf_xdp_adjust_head``) refreshes the tuples.

Address layout (high 32 bits; kernel-looking, deterministic):

=====================  ==========================================================
``0xffff8880 ..``      per-run regions allocated in order (ctx structs, packet
                       buffers, hash-map elements): :meth:`Memory.alloc_slot`
``0xffffa000 + id``    map ``id``: the map's address is ``map_address(id)`` (the
                       slot base); an array map's values start at
                       ``map_address(id) + ARRAY_VALUE_OFF`` (from layouts)
``0xffffc900 + d``     stack frame of call depth ``d``; r10 = frame top
=====================  ==========================================================

Per-CPU data: a per-CPU pointer ``p`` (a percpu map's ``pptrs[i]``, the inlined
``get_smp_processor_id``'s ``&cpu_number``) becomes CPU ``c``'s address through the
verifier's per-CPU ``mov64`` as ``p + percpu_offset(c)``: CPU ``c``'s copy sits ``c``
slots above CPU 0's (:meth:`Memory.alloc_slot` hands out ``NR_CPUS`` consecutive slots).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable

from .errors import MemFault

M64 = 0xFFFFFFFFFFFFFFFF
M32 = 0xFFFFFFFF
SLOT_SHIFT = 32
SLOT_SIZE = 1 << SLOT_SHIFT

DYN_SLOT_FIRST = 0xFFFF8880
DYN_SLOT_LAST = 0xFFFF9FFF
MAP_SLOT_FIRST = 0xFFFFA000
MAP_SLOT_LAST = 0xFFFFC8FF
STACK_SLOT_FIRST = 0xFFFFC900
STACK_SIZE = 512
#: offset of a stack frame's lowest byte inside its slot (frames look page-aligned at the top)
STACK_OFFSET = 0x3E00

# unpackers shared with the generated code: (signed?, size) -> struct
STRUCTS = {
    (False, 1): struct.Struct("<B"), (False, 2): struct.Struct("<H"),
    (False, 4): struct.Struct("<I"), (False, 8): struct.Struct("<Q"),
    (True, 1): struct.Struct("<b"), (True, 2): struct.Struct("<h"),
    (True, 4): struct.Struct("<i"), (True, 8): struct.Struct("<q"),
}


def map_address(map_id: int) -> int:
    """Address of map ``map_id`` as ld_imm64 sees it after the verifier resolved the fd."""
    if not 0 < map_id <= MAP_SLOT_LAST - MAP_SLOT_FIRST:
        raise ValueError(f"map id {map_id} outside the simulated map address range")
    return (MAP_SLOT_FIRST + map_id) << SLOT_SHIFT


def map_id_of(addr: int) -> int | None:
    """Inverse of :func:`map_address` for any address inside a map's slot."""
    slot = addr >> SLOT_SHIFT
    if MAP_SLOT_FIRST < slot <= MAP_SLOT_LAST:
        return slot - MAP_SLOT_FIRST
    return None


def percpu_offset(cpu: int) -> int:
    """``this_cpu_off`` of ``cpu``: a per-CPU pointer ``p`` names ``(p + percpu_offset(cpu))
    & M64`` on that CPU, i.e. CPU ``c``'s copy lives ``c`` slots above CPU 0's."""
    return cpu << SLOT_SHIFT


def stack_top(depth: int) -> int:
    """r10 of the frame at call depth ``depth``."""
    return ((STACK_SLOT_FIRST + depth) << SLOT_SHIFT) + STACK_OFFSET + STACK_SIZE


class Region:
    """One backing buffer mapped at ``base`` with a valid window ``[lo, hi)``."""

    __slots__ = ("name", "kind", "base", "buf", "lo", "hi", "writable", "owner", "_mem")

    def __init__(self, name: str, kind: str, base: int, buf: bytearray | memoryview,
                 lo: int | None = None, hi: int | None = None, *, writable: bool = True,
                 owner: object = None) -> None:
        self.name, self.kind, self.base, self.buf = name, kind, base, buf
        self.lo = base if lo is None else lo
        self.hi = base + len(buf) if hi is None else hi
        self.writable = writable
        self.owner = owner  # the object behind the region (map, skb ...), for helpers
        self._mem: Memory | None = None
        self._check_window(self.lo, self.hi)
        if (base >> SLOT_SHIFT) != ((base + max(len(buf), 1) - 1) >> SLOT_SHIFT):
            raise ValueError(f"region {name} crosses a slot boundary")

    def _check_window(self, lo: int, hi: int) -> None:
        if not (self.base <= lo <= hi <= self.base + len(self.buf)):
            raise ValueError(f"window [0x{lo:x}, 0x{hi:x}) outside region {self.name}")

    @property
    def slot(self) -> int:
        return self.base >> SLOT_SHIFT

    @property
    def end(self) -> int:
        return self.base + len(self.buf)

    def set_window(self, lo: int, hi: int) -> None:
        """Move the valid window (packet data moved by a helper)."""
        self._check_window(lo, hi)
        self.lo, self.hi = lo, hi
        if self._mem is not None:
            self._mem._refresh(self)

    def set_buffer(self, buf: bytearray, lo: int, hi: int) -> None:
        """Replace the backing buffer (a reallocated skb head), keeping ``base``."""
        self.buf = buf
        self._check_window(lo, hi)
        self.lo, self.hi = lo, hi
        if self._mem is not None:
            self._mem._refresh(self)

    def offset(self, addr: int) -> int:
        return addr - self.base

    def __repr__(self) -> str:
        return (f"Region({self.name!r}, {self.kind}, base=0x{self.base:x}, len={len(self.buf)}, "
                f"window=[+{self.lo - self.base}, +{self.hi - self.base}){'' if self.writable else ', ro'})")


#: what ``rd.get`` returns for an unmapped slot: a window no access fits in
NOREG: tuple = (bytearray(0), 0, 1, 0)


class Memory:
    """The address space of one program run (plus the maps it reaches)."""

    def __init__(self) -> None:
        self.rd: dict[int, tuple] = {}
        self.wr: dict[int, tuple] = {}
        self._by_slot: dict[int, list[Region]] = {}
        self._primary: dict[int, Region] = {}
        self._by_buf: dict[int, Region] = {}
        self._next_slot = DYN_SLOT_FIRST
        #: called with an address no region covers; returns True if it mapped one (lazy maps)
        self.miss_hook: Callable[[int], bool] | None = None

    # -- mapping -------------------------------------------------------------
    def alloc_slot(self, count: int = 1) -> int:
        """Base address of ``count`` fresh consecutive slots for per-run regions."""
        while True:
            slot = self._next_slot
            if slot + count - 1 > DYN_SLOT_LAST:
                raise MemoryError("simulated address space exhausted")
            self._next_slot += count
            if all(s not in self._by_slot for s in range(slot, slot + count)):
                return slot << SLOT_SHIFT

    def add(self, region: Region, *, primary: bool | None = None) -> Region:
        """Map ``region``. The first region of a slot is its fast-path (primary) region
        unless ``primary`` says otherwise."""
        if region._mem is not None:
            raise ValueError(f"region {region.name} is already mapped")
        slot = region.slot
        lst = self._by_slot.setdefault(slot, [])
        for other in lst:
            if region.base < other.end and other.base < region.end:
                raise ValueError(f"region {region.name} overlaps {other.name}")
        lst.append(region)
        region._mem = self
        self._by_buf.setdefault(id(region.buf), region)
        if primary or (primary is None and slot not in self._primary):
            self._primary[slot] = region
        self._refresh(region)
        return region

    def map_buffer(self, name: str, kind: str, buf: bytearray, *, writable: bool = True,
                   owner: object = None, lo: int | None = None, hi: int | None = None,
                   offset: int = 0) -> Region:
        """Map ``buf`` in a fresh slot (at ``offset`` inside it)."""
        base = self.alloc_slot() + offset
        return self.add(Region(name, kind, base, buf, None if lo is None else base + lo,
                               None if hi is None else base + hi, writable=writable, owner=owner))

    def remove(self, region: Region) -> None:
        slot = region.slot
        lst = self._by_slot.get(slot, [])
        if region in lst:
            lst.remove(region)
        if self._by_buf.get(id(region.buf)) is region:
            del self._by_buf[id(region.buf)]
        region._mem = None
        if self._primary.get(slot) is region:
            del self._primary[slot]
            self.rd.pop(slot, None)
            self.wr.pop(slot, None)
            if lst:
                self._primary[slot] = lst[0]
                self._refresh(lst[0])
        if not lst:
            self._by_slot.pop(slot, None)

    def _refresh(self, region: Region) -> None:
        slot = region.slot
        if self._primary.get(slot) is not region:
            return
        t = (region.buf, region.base, region.lo, region.hi)
        self.rd[slot] = t
        if region.writable:
            self.wr[slot] = t
        else:
            self.wr.pop(slot, None)
        self._by_buf[id(region.buf)] = region

    def regions(self) -> Iterable[Region]:
        for slot in sorted(self._by_slot):
            yield from sorted(self._by_slot[slot], key=lambda r: r.base)

    def region_of_buffer(self, buf: object) -> Region | None:
        """The region backed by ``buf`` (identity), if one is mapped."""
        r = self._by_buf.get(id(buf))
        return r if r is not None and r.buf is buf else None

    # -- lookups ---------------------------------------------------------------
    def find(self, addr: int, size: int = 1) -> Region | None:
        """The region whose window holds ``[addr, addr + size)``."""
        for r in self._by_slot.get(addr >> SLOT_SHIFT, ()):
            if r.lo <= addr and addr + size <= r.hi:
                return r
        return None

    def region_at(self, addr: int) -> Region | None:
        """The region whose buffer (not necessarily window) contains ``addr``."""
        for r in self._by_slot.get(addr >> SLOT_SHIFT, ()):
            if r.base <= addr < r.end:
                return r
        return None

    def _need(self, addr: int, size: int, access: str, pc: int, write: bool) -> Region:
        if size < 0 or addr < 0:
            raise MemFault(addr, size, access, pc, "negative address or size")
        r = self.find(addr, size)
        if r is None and self.miss_hook is not None and self.miss_hook(addr):
            r = self.find(addr, size)  # the hook mapped something lazily (a map)
        if r is None:
            hit = self.region_at(addr)
            why = "outside every region" if hit is None else f"outside the valid window of {hit.name}"
            raise MemFault(addr, size, access, pc, why)
        if write and not r.writable:
            raise MemFault(addr, size, access, pc, f"{r.name} is read-only")
        return r

    # -- slow-path accesses (generated code) ---------------------------------
    def load(self, addr: int, size: int, pc: int = -1, signed: bool = False) -> int:
        r = self._need(addr, size, "load", pc, False)
        v = STRUCTS[(signed, size)].unpack_from(r.buf, addr - r.base)[0]
        return v & M64

    def store(self, addr: int, size: int, value: int, pc: int = -1) -> None:
        r = self._need(addr, size, "store", pc, True)
        STRUCTS[(False, size)].pack_into(r.buf, addr - r.base, value & ((1 << (8 * size)) - 1))

    def store_view(self, addr: int, size: int, pc: int = -1) -> tuple[bytearray, int]:
        """(buffer, base) of the writable region holding ``[addr, addr + size)`` (atomics)."""
        r = self._need(addr, size, "store", pc, True)
        return r.buf, r.base  # type: ignore[return-value]

    def view(self, addr: int, size: int, *, write: bool = False, pc: int = -1) -> tuple[bytearray, int]:
        """(buffer, offset) of ``size`` checked bytes at ``addr``, for helpers."""
        if size == 0:
            return bytearray(0), 0
        r = self._need(addr, size, "store" if write else "load", pc, write)
        return r.buf, addr - r.base  # type: ignore[return-value]

    # -- byte strings (helpers) ------------------------------------------------
    def read(self, addr: int, size: int) -> bytes:
        t = self.rd.get(addr >> SLOT_SHIFT)
        if t is not None and t[2] <= addr and addr + size <= t[3] and size > 0:
            o = addr - t[1]
            return bytes(t[0][o:o + size])
        buf, off = self.view(addr, size)
        return bytes(buf[off:off + size])

    def write(self, addr: int, data: bytes | bytearray | memoryview) -> None:
        buf, off = self.view(addr, len(data), write=True)
        buf[off:off + len(data)] = data

    def read_cstr(self, addr: int, limit: int = 4096) -> bytes:
        """A NUL-terminated string (without the NUL), reading only inside one window."""
        r = self.find(addr, 1)
        if r is None and self.miss_hook is not None and self.miss_hook(addr):
            r = self.find(addr, 1)
        if r is None:
            raise MemFault(addr, 1, "load", -1, "string outside every region")
        off = addr - r.base
        end = min(r.hi - r.base, off + limit)
        i = r.buf.find(b"\0", off, end) if isinstance(r.buf, bytearray) else bytes(r.buf[off:end]).find(b"\0")
        if i < 0:
            raise MemFault(addr, end - off + 1, "load", -1, "unterminated string")
        if not isinstance(r.buf, bytearray):
            i += off
        return bytes(r.buf[off:i])
