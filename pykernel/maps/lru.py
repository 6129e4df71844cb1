"""The LRU lists behind BPF_MAP_TYPE_LRU_HASH and LRU_PERCPU_HASH.

The kernel does not evict the single least recently used element: it keeps every
preallocated node on an *active*, *inactive* or *free* list (plus, for the common LRU,
per-CPU local free and pending lists), marks nodes referenced when a program looks them
up, rotates the lists when it needs nodes and evicts in batches. This module models those
lists so a simulated LRU map keeps exactly the elements the real one keeps (checked against
the 6.18 kernel in tests/test_kernel_diff.py):

* common LRU (default): a CPU first takes nodes from its local free list; when that is
  empty it flushes its pending list into the global lists, rotates them, moves up to
  ``target_free = clamp(max_entries / NR_CPUS / 2, 1, 128)`` free nodes to itself and, if
  the global free list ran dry, shrinks the inactive list (evicting unreferenced nodes,
  giving referenced ones another round on the active list); if still nothing, it steals
  from the CPUs' local free and pending lists, round robin.
* ``BPF_F_NO_COMMON_LRU``: one list set per CPU holding ``max_entries / NR_CPUS`` nodes;
  a CPU that needs a node rotates its lists and shrinks its inactive list by up to 4.

Free nodes are anonymous (only their number matters); nodes in use carry the element's key.
Lists are doubly linked (``prev``/``next`` maps with one negative sentinel id per list) so
every step is O(1), like the kernel's ``list_head``; the whole structure is stored as JSON
data in the map row (``maps.state``), each list as its node ids from head to tail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .. import config

LOCAL_FREE_TARGET = 128
LOCAL_NR_SCANS = LOCAL_FREE_TARGET
PERCPU_FREE_TARGET = 4
PERCPU_NR_SCANS = PERCPU_FREE_TARGET

ACTIVE, INACTIVE, FREE, PENDING = "a", "i", "f", "p"


class _Links:
    """All lists of one LRU as intrusive doubly linked lists over shared prev/next maps."""

    def __init__(self) -> None:
        self.nxt: dict[int, int] = {}
        self.prv: dict[int, int] = {}

    def init(self, head: int, items: list[int] | None = None) -> None:
        self.nxt[head] = self.prv[head] = head
        for n in reversed(items or []):
            self.add_head(head, n)

    def add_head(self, head: int, n: int) -> None:
        first = self.nxt[head]
        self.nxt[n], self.prv[n] = first, head
        self.prv[first] = n
        self.nxt[head] = n

    def unlink(self, n: int) -> None:
        p, q = self.prv.pop(n), self.nxt.pop(n)
        self.nxt[p], self.prv[q] = q, p

    def empty(self, head: int) -> bool:
        return self.nxt[head] == head

    def first(self, head: int) -> int:
        return self.nxt[head]

    def items(self, head: int) -> list[int]:
        out, n = [], self.nxt[head]
        while n != head:
            out.append(n)
            n = self.nxt[n]
        return out

    def reverse(self, head: int) -> Iterator[int]:
        """Tail to head, safe against moving the current node (its prev is read first)."""
        n = self.prv[head]
        while n != head:
            p = self.prv[n]
            yield n
            n = p


class _List:
    """One bpf_lru_list: an active and an inactive list, free count, rotation cursor."""

    def __init__(self, links: _Links, active: int, inactive: int, d: dict[str, Any] | None = None) -> None:
        d = d or {}
        self.L, self.active, self.inactive = links, active, inactive
        links.init(active, list(d.get("a", [])))
        links.init(inactive, list(d.get("i", [])))
        self.counts = {ACTIVE: len(d.get("a", [])), INACTIVE: len(d.get("i", []))}
        self.free: int = d.get("f", 0)
        r = d.get("r")
        self.nir: int = inactive if r is None else r  # next_inactive_rotation (the head = sentinel)

    def dump(self) -> dict[str, Any]:
        return {"a": self.L.items(self.active), "i": self.L.items(self.inactive), "f": self.free,
                "r": None if self.nir == self.inactive else self.nir}

    def head(self, t: str) -> int:
        return self.active if t == ACTIVE else self.inactive


class _Local:
    def __init__(self, links: _Links, head: int, cpu: int, d: dict[str, Any] | None = None) -> None:
        d = d or {}
        self.L, self.pending = links, head
        links.init(head, list(d.get("p", [])))
        self.free: int = d.get("f", 0)
        self.next_steal: int = d.get("s", cpu)

    def dump(self) -> dict[str, Any]:
        return {"f": self.free, "p": self.L.items(self.pending), "s": self.next_steal}


class Lru:
    """The LRU of one map. ``delete_from_htab(key)`` removes an evicted element."""

    def __init__(self, state: dict[str, Any] | None, nr_elems: int, percpu: bool,
                 delete_from_htab: Callable[[bytes], bool]) -> None:
        self.del_from_htab = delete_from_htab
        self.percpu = percpu
        self._ncpu = config.NR_CPUS
        fresh = state is None
        if state is None:
            state = self._populate(nr_elems, percpu)
        self.nodes: dict[int, list[Any]] = {int(k): v for k, v in state["nodes"].items()}  # [keyhex, ref, cpu, type]
        self.next_id: int = state["next_id"]
        self.target_free: int = state.get("target_free", 1)
        self.L = _Links()
        if percpu:
            self.lists = [_List(self.L, -(100 + 2 * c), -(101 + 2 * c), x) for c, x in enumerate(state["lists"])]
            self.nr_scans = PERCPU_NR_SCANS
        else:
            self.glob = _List(self.L, -1, -2, state["glob"])
            self.local = [_Local(self.L, -(10 + c), c, x) for c, x in enumerate(state["local"])]
            self.nr_scans = LOCAL_NR_SCANS
        self.dirty = fresh

    @staticmethod
    def _populate(nr_elems: int, percpu: bool) -> dict[str, Any]:
        ncpu = config.NR_CPUS
        st: dict[str, Any] = {"nodes": {}, "next_id": 1}
        if percpu:
            per = nr_elems // ncpu
            lists: list[dict[str, Any]] = [{"a": [], "i": [], "f": per, "r": None} for _ in range(ncpu)]
            lists[-1]["f"] += nr_elems - per * ncpu
            st["lists"] = lists
        else:
            st["glob"] = {"a": [], "i": [], "f": nr_elems, "r": None}
            st["local"] = [{"f": 0, "p": [], "s": c} for c in range(ncpu)]
            st["target_free"] = min(max((nr_elems // ncpu) // 2, 1), LOCAL_FREE_TARGET)
        return st

    def dump(self) -> dict[str, Any]:
        st: dict[str, Any] = {"nodes": {str(k): v for k, v in self.nodes.items()}, "next_id": self.next_id,
                              "target_free": self.target_free}
        if self.percpu:
            st["lists"] = [x.dump() for x in self.lists]
        else:
            st["glob"] = self.glob.dump()
            st["local"] = [x.dump() for x in self.local]
        return st

    # -- node helpers ------------------------------------------------------------------------
    def _ref(self, n: int) -> bool:
        return bool(self.nodes[n][1])

    def _type(self, n: int) -> str:
        return self.nodes[n][3]

    def _evict(self, n: int) -> bool:
        """del_from_htab: drop the element of node ``n`` from the hash table."""
        return self.del_from_htab(bytes.fromhex(self.nodes[n][0]))

    def set_ref(self, n: int) -> None:
        if n in self.nodes and not self.nodes[n][1]:
            self.nodes[n][1] = 1
            self.dirty = True

    # -- list moves (the kernel's __bpf_lru_node_move* helpers) ---------------------------------
    def _prev_inactive(self, lst: _List, n: int) -> int:
        return self.L.prv[n]

    def _move(self, lst: _List, n: int, tgt: str) -> None:
        """Between/within active and inactive, or to the list's free list (tgt FREE)."""
        t = self._type(n)
        if t != tgt:
            lst.counts[t] = lst.counts.get(t, 0) - 1
        self.nodes[n][1] = 0
        if lst.nir == n:
            lst.nir = self.L.prv[n]
        self.L.unlink(n)
        if tgt == FREE:
            lst.free += 1
            del self.nodes[n]
            return
        if t != tgt:
            lst.counts[tgt] = lst.counts.get(tgt, 0) + 1
        self.nodes[n][3] = tgt
        self.L.add_head(lst.head(tgt), n)

    def _move_in(self, lst: _List, n: int, tgt: str) -> None:
        """A node from a local (pending) list into the global active/inactive list."""
        self.L.unlink(n)
        lst.counts[tgt] += 1
        self.nodes[n][1] = 0
        self.nodes[n][3] = tgt
        self.L.add_head(lst.head(tgt), n)

    def _move_to_free(self, lst: _List, n: int, free_to: Callable[[], None]) -> None:
        if lst.nir == n:
            lst.nir = self.L.prv[n]
        lst.counts[self._type(n)] -= 1
        self.L.unlink(n)
        del self.nodes[n]
        free_to()

    # -- rotation and shrinking ------------------------------------------------------------------
    def _rotate_active(self, lst: _List) -> None:
        if self.L.empty(lst.active):
            return
        first = self.L.first(lst.active)
        i = 0
        for n in self.L.reverse(lst.active):
            self._move(lst, n, ACTIVE if self._ref(n) else INACTIVE)
            i += 1
            if i == self.nr_scans or n == first:
                break

    def _rotate_inactive(self, lst: _List) -> None:
        head = lst.inactive
        if self.L.empty(head):
            return
        last = self.L.nxt[lst.nir]
        if last == head:
            last = self.L.nxt[last]
        cur = lst.nir
        nxt = head
        i = 0
        while i < self.nr_scans:
            if cur == head:
                cur = self.L.prv[cur]
                continue
            nxt = self.L.prv[cur]
            if self._ref(cur):
                self._move(lst, cur, ACTIVE)
            if cur == last:
                break
            cur = nxt
            i += 1
        lst.nir = nxt

    def _rotate(self, lst: _List) -> None:
        if lst.counts[INACTIVE] < lst.counts[ACTIVE]:
            self._rotate_active(lst)
        self._rotate_inactive(lst)

    def _shrink_inactive(self, lst: _List, tgt: int, free_to: Callable[[], None]) -> int:
        done = 0
        i = 0
        for n in self.L.reverse(lst.inactive):
            if self._ref(n):
                self._move(lst, n, ACTIVE)
            elif self._evict(n):
                self._move_to_free(lst, n, free_to)
                done += 1
                if done == tgt:
                    break
            i += 1
            if i == self.nr_scans:
                break
        return done

    def _shrink(self, lst: _List, tgt: int, free_to: Callable[[], None]) -> int:
        done = self._shrink_inactive(lst, tgt, free_to)
        if done:
            return done
        force = lst.inactive if not self.L.empty(lst.inactive) else lst.active
        for n in self.L.reverse(force):
            if self._evict(n):
                self._move_to_free(lst, n, free_to)
                return 1
        return 0

    # -- allocation ----------------------------------------------------------------------------
    def _new_node(self, key: bytes, cpu: int, t: str) -> int:
        n = self.next_id
        self.next_id += 1
        self.nodes[n] = [key.hex(), 0, cpu, t]
        return n

    def pop_free(self, key: bytes, cpu: int) -> int | None:
        """bpf_lru_pop_free: a node for a new element with ``key`` (may evict others)."""
        self.dirty = True
        if self.percpu:
            return self._percpu_pop(key, cpu)
        return self._common_pop(key, cpu)

    def _percpu_pop(self, key: bytes, cpu: int) -> int | None:
        lst = self.lists[cpu]
        self._rotate(lst)

        def to_free() -> None:
            lst.free += 1

        if lst.free == 0:
            self._shrink(lst, PERCPU_FREE_TARGET, to_free)
        if lst.free == 0:
            return None
        lst.free -= 1
        n = self._new_node(key, cpu, INACTIVE)
        lst.counts[INACTIVE] += 1
        self.L.add_head(lst.inactive, n)
        return n

    def _flush_local(self, loc: _Local) -> None:
        for n in self.L.reverse(loc.pending):
            self._move_in(self.glob, n, ACTIVE if self._ref(n) else INACTIVE)

    def _pop_free_to_local(self, loc: _Local) -> None:
        g = self.glob
        self._flush_local(loc)
        self._rotate(g)
        nfree = 0
        while g.free > 0 and nfree < self.target_free:
            g.free -= 1
            loc.free += 1
            nfree += 1

        def to_local() -> None:
            loc.free += 1

        if nfree < self.target_free:
            self._shrink(g, self.target_free - nfree, to_local)

    def _add_pending(self, loc: _Local, cpu: int, key: bytes) -> int:
        n = self._new_node(key, cpu, PENDING)
        self.L.add_head(loc.pending, n)
        return n

    def _pop_pending(self, loc: _Local) -> bool:
        """__local_list_pop_pending: evict the oldest pending node (unreferenced first)."""
        for force in (False, True):
            for n in self.L.reverse(loc.pending):
                if (not self._ref(n) or force) and self._evict(n):
                    self.L.unlink(n)
                    del self.nodes[n]
                    return True
        return False

    def _common_pop(self, key: bytes, cpu: int) -> int | None:
        loc = self.local[cpu]
        if loc.free == 0:
            self._pop_free_to_local(loc)
        if loc.free > 0:
            loc.free -= 1
            return self._add_pending(loc, cpu, key)
        first = loc.next_steal
        steal = first
        got = False
        while True:
            sl = self.local[steal]
            if sl.free > 0:
                sl.free -= 1
                got = True
            else:
                got = self._pop_pending(sl)
            steal = (steal + 1) % self._ncpu
            if got or steal == first:
                break
        loc.next_steal = steal
        if got:
            return self._add_pending(loc, cpu, key)
        return None

    def push_free(self, n: int) -> None:
        """bpf_lru_push_free: the node's element was deleted."""
        self.dirty = True
        if n not in self.nodes:
            return
        if self.percpu:
            self._move(self.lists[self.nodes[n][2]], n, FREE)
            return
        if self._type(n) == PENDING:
            loc = self.local[self.nodes[n][2]]
            self.L.unlink(n)
            loc.free += 1
            del self.nodes[n]
            return
        self._move(self.glob, n, FREE)
