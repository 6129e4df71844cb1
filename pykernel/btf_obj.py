"""BTF objects: BPF_BTF_LOAD, their info, and the type checks map creation needs.

The bytes are validated with :func:`pykernel.uapi.btf.verify` (the kernel's BTF_LOAD checks)
and stored as they came. ``OBJ_GET_INFO_BY_FD`` gives them back with size and id. Maps and
programs that use a BTF object hold a reference to it (``refs``).

For ``BPF_MAP_CREATE`` with BTF ids: :func:`type_id_size` resolves a type id through
typedefs/modifiers to a sized type as ``btf_type_id_size`` does (None when the type has no
size), and ``is_i32`` / ``is_struct`` / ``is_datasec`` are the per-map-type key checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .store import Tx
from .uapi import btf as ubtf

_SIZED = (ubtf.Kind.INT, ubtf.Kind.STRUCT, ubtf.Kind.UNION, ubtf.Kind.ENUM, ubtf.Kind.DATASEC,
          ubtf.Kind.FLOAT, ubtf.Kind.ENUM64)
_NOSIZE = (ubtf.Kind.UNKN, ubtf.Kind.FWD, ubtf.Kind.FUNC, ubtf.Kind.FUNC_PROTO, ubtf.Kind.DECL_TAG)
_FOLLOW = (ubtf.Kind.TYPEDEF, ubtf.Kind.VOLATILE, ubtf.Kind.CONST, ubtf.Kind.RESTRICT,
           ubtf.Kind.TYPE_TAG, ubtf.Kind.VAR)


@dataclass
class BtfObject:
    id: int
    data: bytes
    name: str = ""
    kernel: bool = False
    _parsed: ubtf.BtfData | None = None

    @classmethod
    def load(cls, tx: Tx, btf_id: int) -> BtfObject | None:
        row = tx.one("SELECT id, data, name, kernel FROM btfs WHERE id = ?", (btf_id,))
        if row is None:
            return None
        return cls(row[0], bytes(row[1]), row[2], bool(row[3]))

    @staticmethod
    def insert(tx: Tx, data: bytes, name: str = "", kernel: bool = False) -> int:
        cur = tx.x("INSERT INTO btfs (data, name, kernel) VALUES (?, ?, ?)", (data, name, int(kernel)))
        return int(cur.lastrowid)

    @property
    def parsed(self) -> ubtf.BtfData:
        if self._parsed is None:
            self._parsed = ubtf.parse(self.data)
        return self._parsed

    def type_id_size(self, type_id: int) -> tuple[ubtf.BtfType, int] | None:
        return type_id_size(self.parsed, type_id)

    def str_at(self, off: int) -> str:
        try:
            return self.parsed.str_at(off)
        except ubtf.BtfError:
            return ""


def _array_size(d: ubtf.BtfData, t: ubtf.BtfType, depth: int = 0) -> int | None:
    elem, _index, nelems = t.array or (0, 0, 0)
    r = type_id_size(d, elem, depth + 1)
    return None if r is None else r[1] * nelems


def type_id_size(d: ubtf.BtfData, type_id: int, depth: int = 0) -> tuple[ubtf.BtfType, int] | None:
    """btf_type_id_size: the resolved type and its size, or None (no such id / no size)."""
    if depth > ubtf.MAX_RESOLVE_DEPTH or not 0 <= type_id < len(d.types):
        return None
    t = d.types[type_id]
    k = t.kind
    if k in _NOSIZE:
        return None
    if k in _SIZED:
        return t, t.size
    if k == ubtf.Kind.PTR:
        return t, 8
    if k == ubtf.Kind.ARRAY:
        n = _array_size(d, t, depth)
        return None if n is None else (t, n)
    if k in _FOLLOW:
        return type_id_size(d, t.type, depth + 1)
    return None


def is_i32(t: Any) -> bool:
    return t is not None and t.kind == ubtf.Kind.INT and t.size == 4


def is_struct(t: Any) -> bool:
    return t is not None and t.kind == ubtf.Kind.STRUCT


def is_datasec(t: Any) -> bool:
    return t is not None and t.kind == ubtf.Kind.DATASEC
