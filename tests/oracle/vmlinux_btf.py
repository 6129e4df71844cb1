"""Read kernel struct layouts from vmlinux BTF, via `bpftool btf dump file ... format raw`.

Used by gen_layouts.py (writes pykernel/layouts.py) and ctx_matrix.py (names ctx fields).
Needs bpftool and /sys/kernel/btf/vmlinux; the parsed text format is bpftool's raw dump:

    [13577] STRUCT 'xdp_buff' size=56 vlen=7
    \t'data' type_id=108 bits_offset=0
    \t'pkt_type' type_id=8 bits_offset=1024 bitfield_size=3
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

_HEAD = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
_MEMBER = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?$")
_KV = re.compile(r"(\w+)=(\S+)")


@dataclass
class Member:
    name: str
    type_id: int
    bits_offset: int
    bitfield_size: int = 0


@dataclass
class BtfType:
    id: int
    kind: str
    name: str
    attrs: dict[str, str]
    members: list[Member] = field(default_factory=list)


class Btf:
    def __init__(self, text: str) -> None:
        self.types: dict[int, BtfType] = {}
        self.by_name: dict[tuple[str, str], BtfType] = {}
        cur: BtfType | None = None
        for line in text.splitlines():
            m = _HEAD.match(line)
            if m:
                attrs = dict(_KV.findall(m.group(4)))
                cur = BtfType(int(m.group(1)), m.group(2), m.group(3), attrs)
                self.types[cur.id] = cur
                self.by_name.setdefault((cur.kind, cur.name), cur)
                continue
            m = _MEMBER.match(line)
            if m and cur is not None and cur.kind in ("STRUCT", "UNION"):
                cur.members.append(Member(m.group(1), int(m.group(2)), int(m.group(3)),
                                          int(m.group(4) or 0)))

    @classmethod
    def from_vmlinux(cls, path: str = "/sys/kernel/btf/vmlinux", bpftool: str = "bpftool") -> Btf:
        out = subprocess.run([bpftool, "btf", "dump", "file", path, "format", "raw"],
                             capture_output=True, text=True, check=True).stdout
        return cls(out)

    def struct(self, name: str) -> BtfType:
        t = self.by_name.get(("STRUCT", name)) or self.by_name.get(("UNION", name))
        if t is None:
            raise KeyError(name)
        return t

    def resolve(self, type_id: int) -> BtfType:
        """Skip typedefs and qualifiers."""
        t = self.types[type_id]
        while t.kind in ("TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
            t = self.types[int(t.attrs["type_id"])]
        return t

    def sizeof(self, type_id: int) -> int:
        t = self.resolve(type_id)
        if t.kind == "PTR":
            return 8
        if t.kind == "ARRAY":
            return int(t.attrs["nr_elems"]) * self.sizeof(int(t.attrs["type_id"]))
        return int(t.attrs["size"])

    def members(self, name: str) -> dict[str, tuple[int, int, int]]:
        """name -> (bit offset, bitfield size (0 if none), size in bytes), anonymous
        structs/unions flattened, as C would let you name the fields."""
        out: dict[str, tuple[int, int, int]] = {}

        def walk(t: BtfType, base: int) -> None:
            for m in t.members:
                r = self.resolve(m.type_id)
                if m.name == "(anon)" and r.kind in ("STRUCT", "UNION"):
                    walk(r, base + m.bits_offset)
                elif m.name != "(anon)":
                    out.setdefault(m.name, (base + m.bits_offset, m.bitfield_size,
                                            self.sizeof(m.type_id)))

        walk(self.struct(name), 0)
        return out

    def offsetof(self, struct: str, member: str) -> int:
        """Byte offset of a (possibly dotted: 'cb.data') member."""
        parts = member.split(".")
        off = 0
        cur = struct
        for i, p in enumerate(parts):
            bits, _bf, _sz = self.members(cur)[p]
            off += bits // 8
            if i + 1 < len(parts):
                t = self._member_type(cur, p)
                cur = t.name
        return off

    def _member_type(self, struct: str, member: str) -> BtfType:
        def walk(t: BtfType) -> BtfType | None:
            for m in t.members:
                r = self.resolve(m.type_id)
                if m.name == member:
                    return r
                if m.name == "(anon)" and r.kind in ("STRUCT", "UNION"):
                    found = walk(r)
                    if found:
                        return found
            return None

        found = walk(self.struct(struct))
        if found is None:
            raise KeyError(f"{struct}.{member}")
        return found
