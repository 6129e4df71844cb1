"""BPF_MAP_TYPE_LPM_TRIE: longest-prefix match over ``struct bpf_lpm_trie_key``.

A key is a u32 ``prefixlen`` followed by ``data`` (big-endian bits, ``key_size - 4``
bytes). The map is the kernel's binary trie: real nodes for stored prefixes, intermediate
(IM) nodes where two branches part, children chosen by the first bit after a node's prefix.
Lookups (syscall and program) return the value of the longest stored prefix covering the
key; update/delete need the exact prefix. ``get_next_key`` walks the trie in post-order
(more specific prefixes first), restarting from the leftmost node for a key it does not
know, exactly like ``trie_get_next_key``. The trie's shape depends only on the set of
prefixes, so it is rebuilt from the element rows when a syscall first needs it.

Rows: key = prefixlen + data with the bits past the prefix cleared (the element's
identity), ``extra`` = the data as the user gave it (returned by get_next_key), value.
Full map -> ENOSPC; ``BPF_F_NO_PREALLOC`` is required at creation.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi.consts import EEXIST, MapType
from .base import (
    BPF_EXIST,
    BPF_NOEXIST,
    EINVAL,
    ENOENT,
    ENOSPC,
    F_ACCESS_MASK,
    F_NO_PREALLOC,
    F_NUMA_NODE,
    BpfMap,
    err,
    flags_access_ok,
)

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..uapi.attr import MapCreateAttr

LPM_DATA_SIZE_MAX = 256
LPM_KEY_SIZE_MIN = 4 + 1
LPM_KEY_SIZE_MAX = 4 + LPM_DATA_SIZE_MAX
LPM_VAL_SIZE_MAX = config.KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - config.SIZEOF_LPM_TRIE_NODE
LPM_CREATE_FLAG_MASK = F_NO_PREALLOC | F_NUMA_NODE | F_ACCESS_MASK


class Node:
    __slots__ = ("child", "plen", "data", "im", "value")

    def __init__(self, plen: int, data: int, value: bytearray | None, im: bool = False) -> None:
        self.child: list[Node | None] = [None, None]
        self.plen = plen
        self.data = data  # the key's data bits as an int (big-endian)
        self.im = im
        self.value = value


class _Slot:
    """A place holding a node pointer: the root, or a child cell of a node."""

    __slots__ = ("owner", "idx", "trie")

    def __init__(self, trie: LpmTrieMap, owner: Node | None, idx: int) -> None:
        self.trie, self.owner, self.idx = trie, owner, idx

    def get(self) -> Node | None:
        return self.trie.root if self.owner is None else self.owner.child[self.idx]

    def set(self, n: Node | None) -> None:
        if self.owner is None:
            self.trie.root = n
        else:
            self.owner.child[self.idx] = n


class LpmTrieMap(BpfMap):
    TYPES = (MapType.LPM_TRIE,)
    BATCH_OPS = frozenset({"lookup", "update", "delete"})
    has_check_btf = True

    def setup(self) -> None:
        self.data_size = self.key_size - 4
        self.max_prefixlen = self.data_size * 8
        self.root: Node | None = None
        self._built = False
        self._dirty: dict[bytes, tuple[Node, bytes] | None] = {}
        self._snap: dict[bytes, bytes] = {}

    @classmethod
    def alloc(cls, kernel: Kernel, attr: MapCreateAttr, fields: dict[str, Any]) -> None:
        if (attr.max_entries == 0 or not attr.map_flags & F_NO_PREALLOC
                or attr.map_flags & ~LPM_CREATE_FLAG_MASK or not flags_access_ok(attr.map_flags)
                or attr.key_size < LPM_KEY_SIZE_MIN or attr.key_size > LPM_KEY_SIZE_MAX
                or attr.value_size < 1 or attr.value_size > LPM_VAL_SIZE_MAX):
            raise err(EINVAL, "bad LPM trie attributes")

    @classmethod
    def mem_usage_of(cls, fields: dict[str, Any]) -> int:
        data_size = fields["key_size"] - 4
        return (config.SIZEOF_LPM_TRIE_NODE + data_size + fields["value_size"]) * fields.get("nelems", 0)

    def check_btf(self, key_kind: Any, value_kind: Any) -> int:
        from ..btf_obj import is_struct

        return 0 if key_kind is not None and is_struct(key_kind) else EINVAL

    # -- bits ------------------------------------------------------------------------------
    def _split(self, key: bytes) -> tuple[int, int]:
        plen = struct.unpack_from("<I", key)[0]
        return plen, int.from_bytes(key[4:4 + self.data_size], "big")

    def _bit(self, data: int, index: int) -> int:
        return (data >> (self.max_prefixlen - 1 - index)) & 1

    def _lpm(self, node: Node, plen: int, data: int) -> int:
        limit = min(node.plen, plen)
        x = node.data ^ data
        common = self.max_prefixlen - x.bit_length()
        return min(common, limit)

    def _canon(self, plen: int, data: int) -> bytes:
        mask = ((1 << plen) - 1) << (self.max_prefixlen - plen) if plen else 0
        return struct.pack("<I", plen) + (data & mask).to_bytes(self.data_size, "big")

    def _raw(self, node: Node) -> bytes:
        return struct.pack("<I", node.plen) + node.data.to_bytes(self.data_size, "big")

    # -- building from rows --------------------------------------------------------------------
    def _build(self) -> None:
        if self._built:
            return
        self._built = True
        rows = self.tx.q("SELECT value, extra FROM map_elems WHERE map = ? ORDER BY seq", (self.id,))
        n = self.nelems
        self.nelems = 0
        for value, extra in rows:
            key = bytes(extra)
            self._insert(key, bytearray(value), 0, track=False)
        self.nelems = n
        self._snap = {self._canon(nd.plen, nd.data): bytes(nd.value)
                      for nd in self._real_nodes() if nd.value is not None}

    def _real_nodes(self) -> Iterator[Node]:
        stack = [self.root] if self.root is not None else []
        while stack:
            nd = stack.pop()
            if not nd.im:
                yield nd
            stack.extend(c for c in nd.child if c is not None)

    # -- the kernel's trie operations -------------------------------------------------------------
    def _check_add(self, flags: int) -> int:
        if flags == BPF_EXIST:
            return -ENOENT
        if self.nelems == self.max_entries:
            return -ENOSPC
        self.nelems += 1
        return 0

    def _insert(self, key: bytes, value: bytearray, flags: int, track: bool = True) -> int:
        plen, data = self._split(key)
        if flags > BPF_EXIST:
            return -EINVAL
        if plen > self.max_prefixlen:
            return -EINVAL
        new = Node(plen, data, value)
        slot = _Slot(self, None, 0)
        matchlen = 0
        node = slot.get()
        while node is not None:
            matchlen = self._lpm(node, plen, data)
            if node.plen != matchlen or node.plen == plen:
                break
            slot = _Slot(self, node, self._bit(data, node.plen))
            node = slot.get()
        if node is None:
            r = self._check_add(flags)
            if r:
                return r
            slot.set(new)
        elif node.plen == matchlen:
            if not node.im:
                if flags == BPF_NOEXIST:
                    return -EEXIST
            else:
                r = self._check_add(flags)
                if r:
                    return r
            new.child = [node.child[0], node.child[1]]
            slot.set(new)
        else:
            r = self._check_add(flags)
            if r:
                return r
            if matchlen == plen:
                new.child[self._bit(node.data, matchlen)] = node
                slot.set(new)
            else:
                im = Node(matchlen, node.data, None, im=True)
                if self._bit(data, matchlen):
                    im.child = [node, new]
                else:
                    im.child = [new, node]
                slot.set(im)
        if track:
            self._dirty[self._canon(plen, data)] = (new, self._raw(new))
            self.touch_meta()
        return 0

    def _remove(self, key: bytes) -> int:
        plen, data = self._split(key)
        if plen > self.max_prefixlen:
            return -EINVAL
        trim = _Slot(self, None, 0)
        trim2 = trim
        parent: Node | None = None
        matchlen = 0
        node = trim.get()
        while node is not None:
            matchlen = self._lpm(node, plen, data)
            if node.plen != matchlen or node.plen == plen:
                break
            parent = node
            trim2 = trim
            trim = _Slot(self, node, self._bit(data, node.plen))
            node = trim.get()
        if node is None or node.plen != plen or node.plen != matchlen or node.im:
            return -ENOENT
        self.nelems -= 1
        self._dirty[self._canon(plen, data)] = None
        self.touch_meta()
        if node.child[0] is not None and node.child[1] is not None:
            node.im = True
            node.value = None
            return 0
        if parent is not None and parent.im and node.child[0] is None and node.child[1] is None:
            trim2.set(parent.child[1] if node is parent.child[0] else parent.child[0])
            return 0
        trim.set(node.child[0] if node.child[0] is not None else node.child[1])
        return 0

    def _lookup(self, key: bytes) -> Node | None:
        plen, data = self._split(key)
        if plen > self.max_prefixlen:
            return None
        found = None
        node = self.root
        while node is not None:
            matchlen = self._lpm(node, plen, data)
            if matchlen == self.max_prefixlen:
                found = node
                break
            if matchlen < node.plen:
                break
            if not node.im:
                found = node
            node = node.child[self._bit(data, node.plen)]
        return found

    def _next(self, key: bytes | None) -> bytes:
        root = self.root
        if root is None:
            raise err(ENOENT, "empty trie")
        search_root = root
        nxt: Node | None = None
        found_exact = False
        if key is not None:
            plen, data = self._split(key)
            if plen <= self.max_prefixlen:
                stack: list[Node] = []
                node: Node | None = root
                matchlen = 0
                while node is not None:
                    stack.append(node)
                    matchlen = self._lpm(node, plen, data)
                    if node.plen != matchlen or node.plen == plen:
                        break
                    node = node.child[self._bit(data, node.plen)]
                if node is not None and node.plen == matchlen and not node.im and node.plen == plen:
                    found_exact = True
                    node = stack[-1]
                    i = len(stack) - 1
                    while i > 0:
                        par = stack[i - 1]
                        if par.child[0] is node and par.child[1] is not None:
                            search_root = par.child[1]
                            break
                        if not par.im:
                            return self._raw(par)
                        node = par
                        i -= 1
                    else:
                        raise err(ENOENT, "last key")
        del found_exact
        node = search_root
        while node is not None:
            if node.im:
                node = node.child[0]
            else:
                nxt = node
                node = node.child[0] if node.child[0] is not None else nxt.child[1]
        assert nxt is not None
        return self._raw(nxt)

    # -- storage --------------------------------------------------------------------------------
    def flush(self) -> None:
        if self._built:  # values a program changed in place
            for nd in self._real_nodes():
                canon = self._canon(nd.plen, nd.data)
                if canon in self._dirty or nd.value is None:
                    continue
                if bytes(nd.value) != self._snap.get(canon):
                    self.row_set_value(canon, bytes(nd.value))
                    self._snap[canon] = bytes(nd.value)
        for canon, entry in self._dirty.items():
            if entry is None:
                self.row_del(canon)
            else:
                node, raw = entry
                if node.value is None:
                    continue
                row = self.row_get(canon)
                seq = row[2] if row else self.next_seq()
                self.row_put(canon, bytes(node.value), 0, seq, raw)
                self._snap[canon] = bytes(node.value)
        self._dirty.clear()
        super().flush()

    # -- syscall side ------------------------------------------------------------------------------
    def sys_lookup(self, key: bytes | None, flags: int) -> bytes:
        assert key is not None
        self._build()
        n = self._lookup(key)
        if n is None or n.value is None:
            raise err(ENOENT, "no matching prefix")
        return bytes(n.value)

    def sys_update(self, key: bytes | None, value: bytes, flags: int) -> None:
        assert key is not None
        self._build()
        r = self._insert(key, bytearray(value[: self.value_size]), flags)
        if r:
            raise err(-r)

    def sys_delete(self, key: bytes | None) -> None:
        assert key is not None
        self._build()
        r = self._remove(key)
        if r:
            raise err(-r)

    def sys_get_next_key(self, key: bytes | None) -> bytes:
        self._build()
        return self._next(key)

    # -- program side -------------------------------------------------------------------------------
    def value_buf(self, key: bytes, cpu: int | None = None) -> tuple[bytearray, int] | None:
        self._build()
        n = self._lookup(bytes(key[: self.key_size]))
        if n is None or n.value is None:
            return None
        return n.value, 0

    def prog_update(self, key: bytes, value: bytes, flags: int = 0) -> int:
        self._build()
        return self._insert(bytes(key[: self.key_size]), bytearray(bytes(value)[: self.value_size]), flags)

    def prog_delete(self, key: bytes) -> int:
        self._build()
        return self._remove(bytes(key[: self.key_size]))

    def keys_in_order(self) -> Iterator[bytes]:
        self._build()
        k: bytes | None = None
        while True:
            try:
                k = self._next(k)
            except Exception:
                return
            yield k

    def for_each(self) -> Iterator[tuple[bytes, tuple[bytearray, int]]]:
        for k in list(self.keys_in_order()):
            n = self._lookup(k)
            if n is not None and n.value is not None:
                yield k, (n.value, 0)
