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
The whole structure is JSON data kept in the map row (``maps.state``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import config

LOCAL_FREE_TARGET = 128
LOCAL_NR_SCANS = LOCAL_FREE_TARGET
PERCPU_FREE_TARGET = 4
PERCPU_NR_SCANS = PERCPU_FREE_TARGET

ACTIVE, INACTIVE, FREE, LOCAL_FREE, PENDING = "a", "i", "f", "lf", "p"


class _List:
    """One bpf_lru_list: active and inactive node ids (head first), free count, rotation."""

    def __init__(self, d: dict[str, Any] | None = None) -> None:
        d = d or {}
        self.active: list[int] = list(d.get("a", []))
        self.inactive: list[int] = list(d.get("i", []))
        self.free: int = d.get("f", 0)
        self.nir: int | None = d.get("r")  # next_inactive_rotation; None = the list head

    def dump(self) -> dict[str, Any]:
        return {"a": self.active, "i": self.inactive, "f": self.free, "r": self.nir}

    def lst(self, t: str) -> list[int]:
        return self.active if t == ACTIVE else self.inactive

    def prev_inactive(self, node: int | None) -> int | None:
        """``->prev`` inside the circular inactive list (None is the head sentinel)."""
        if node is None:
            return self.inactive[-1] if self.inactive else None
        i = self.inactive.index(node)
        return self.inactive[i - 1] if i > 0 else None

    def next_inactive(self, node: int | None) -> int | None:
        if node is None:
            return self.inactive[0] if self.inactive else None
        i = self.inactive.index(node)
        return self.inactive[i + 1] if i + 1 < len(self.inactive) else None


class _Local:
    def __init__(self, cpu: int, d: dict[str, Any] | None = None) -> None:
        d = d or {}
        self.free: int = d.get("f", 0)
        self.pending: list[int] = list(d.get("p", []))
        self.next_steal: int = d.get("s", cpu)

    def dump(self) -> dict[str, Any]:
        return {"f": self.free, "p": self.pending, "s": self.next_steal}


class Lru:
    """The LRU of one map. ``delete_from_htab(key)`` removes an evicted element."""

    def __init__(self, state: dict[str, Any] | None, nr_elems: int, percpu: bool,
                 delete_from_htab: Callable[[bytes], bool]) -> None:
        self.del_from_htab = delete_from_htab
        self.percpu = percpu
        ncpu = config.NR_CPUS
        if state is None:
            state = self._populate(nr_elems, percpu)
        self.nodes: dict[int, list[Any]] = {int(k): v for k, v in state["nodes"].items()}  # id -> [keyhex, ref, cpu, type]
        self.next_id: int = state["next_id"]
        self.target_free: int = state.get("target_free", 1)
        if percpu:
            self.lists = [_List(x) for x in state["lists"]]
            self.nr_scans = PERCPU_NR_SCANS
        else:
            self.glob = _List(state["glob"])
            self.local = [_Local(c, x) for c, x in enumerate(state["local"])]
            self.nr_scans = LOCAL_NR_SCANS
        self.by_key: dict[str, int] = {v[0]: k for k, v in self.nodes.items()}
        self.dirty = state is not None and "fresh" in state
        self._ncpu = ncpu

    @staticmethod
    def _populate(nr_elems: int, percpu: bool) -> dict[str, Any]:
        ncpu = config.NR_CPUS
        st: dict[str, Any] = {"nodes": {}, "next_id": 1, "fresh": True}
        if percpu:
            per = nr_elems // ncpu
            lists = [{"a": [], "i": [], "f": per, "r": None} for _ in range(ncpu)]
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

    def _clear_ref(self, n: int) -> None:
        self.nodes[n][1] = 0

    def _type(self, n: int) -> str:
        return self.nodes[n][3]

    def _evict(self, n: int) -> bool:
        """del_from_htab: drop the element of node ``n`` from the hash table."""
        key = bytes.fromhex(self.nodes[n][0])
        return self.del_from_htab(key)

    def _forget(self, n: int) -> None:
        keyhex = self.nodes[n][0]
        del self.nodes[n]
        if self.by_key.get(keyhex) == n:
            del self.by_key[keyhex]
            for m, v in self.nodes.items():  # another node of the same key (replace in flight)
                if v[0] == keyhex:
                    self.by_key[keyhex] = m
                    break

    def node_of(self, key: bytes) -> int | None:
        return self.by_key.get(key.hex())

    def set_ref(self, n: int) -> None:
        if not self.nodes[n][1]:
            self.nodes[n][1] = 1
            self.dirty = True

    # -- list moves (the kernel's __bpf_lru_node_move* helpers) ---------------------------------
    def _unlink(self, lst: _List, n: int) -> None:
        t = self._type(n)
        if t in (ACTIVE, INACTIVE):
            lst.lst(t).remove(n)

    def _move(self, lst: _List, n: int, tgt: str) -> None:
        """Between/within active and inactive, or to the list's free list (tgt FREE)."""
        self._clear_ref(n)
        if lst.nir == n:
            lst.nir = lst.prev_inactive(n)
        self._unlink(lst, n)
        if tgt == FREE:
            lst.free += 1
            self._forget(n)
            return
        self.nodes[n][3] = tgt
        lst.lst(tgt).insert(0, n)

    def _move_in(self, lst: _List, n: int, tgt: str) -> None:
        """A node from a local (pending) list into the global active/inactive list."""
        self._clear_ref(n)
        self.nodes[n][3] = tgt
        lst.lst(tgt).insert(0, n)

    def _move_to_free(self, lst: _List, n: int, free_to: Callable[[], None]) -> None:
        if lst.nir == n:
            lst.nir = lst.prev_inactive(n)
        self._unlink(lst, n)
        self._forget(n)
        free_to()

    # -- rotation and shrinking ------------------------------------------------------------------
    def _rotate_active(self, lst: _List) -> None:
        if not lst.active:
            return
        first = lst.active[0]
        i = 0
        for n in list(reversed(lst.active)):
            self._move(lst, n, ACTIVE if self._ref(n) else INACTIVE)
            i += 1
            if i == self.nr_scans or n == first:
                break

    def _rotate_inactive(self, lst: _List) -> None:
        if not lst.inactive:
            return
        last = lst.next_inactive(lst.nir)
        if last is None:
            last = lst.next_inactive(None)
        cur = lst.nir
        nxt: int | None = None
        i = 0
        while i < self.nr_scans:
            if cur is None:
                cur = lst.prev_inactive(None)
                continue
            n = cur
            nxt = lst.prev_inactive(cur)
            if self._ref(n):
                self._move(lst, n, ACTIVE)
            if cur == last:
                break
            cur = nxt
            i += 1
        lst.nir = nxt

    def _rotate(self, lst: _List) -> None:
        if len(lst.inactive) < len(lst.active):
            self._rotate_active(lst)
        self._rotate_inactive(lst)

    def _shrink_inactive(self, lst: _List, tgt: int, free_to: Callable[[], None]) -> int:
        done = 0
        i = 0
        for n in list(reversed(lst.inactive)):
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
        force = lst.inactive if lst.inactive else lst.active
        for n in list(reversed(force)):
            if self._evict(n):
                self._move_to_free(lst, n, free_to)
                return 1
        return 0

    # -- allocation ----------------------------------------------------------------------------
    def _new_node(self, key: bytes, cpu: int, t: str) -> int:
        n = self.next_id
        self.next_id += 1
        self.nodes[n] = [key.hex(), 0, cpu, t]
        self.by_key[key.hex()] = n
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
        lst.inactive.insert(0, n)
        return n

    def _flush_local(self, loc: _Local) -> None:
        for n in list(reversed(loc.pending)):
            self._move_in(self.glob, n, ACTIVE if self._ref(n) else INACTIVE)
        loc.pending = []

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
        loc.pending.insert(0, n)
        return n

    def _pop_pending(self, loc: _Local) -> bool:
        """__local_list_pop_pending: evict the oldest pending node (unreferenced first)."""
        for force in (False, True):
            for n in list(reversed(loc.pending)):
                if (not self._ref(n) or force) and self._evict(n):
                    loc.pending.remove(n)
                    self._forget(n)
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
            cpu = self.nodes[n][2]
            self._move(self.lists[cpu], n, FREE)
            return
        if self._type(n) == PENDING:
            loc = self.local[self.nodes[n][2]]
            loc.pending.remove(n)
            loc.free += 1
            self._forget(n)
            return
        self._move(self.glob, n, FREE)
