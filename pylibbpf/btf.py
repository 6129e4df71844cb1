"""The BTF model: type lookup, sizes, alignment, member layout, libbpf's load-time fixups,
and the views bpftool prints (``btf dump`` raw/JSON, ``map dump`` values, function
signatures). C output (``format c``) lives in :mod:`pylibbpf.btf_c`.

Wire-format decoding is :mod:`pykernel.uapi.btf` (shared with the kernel).
"""

from __future__ import annotations

import copy
import errno as _errno
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pykernel.uapi import btf as ubtf
from pykernel.uapi.btf import BtfData, BtfError, BtfType, Kind

from .errors import LibbpfError

PTR_SIZE = 8
_MODS = (Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG)


class RawJson(str):
    """A token bpftool writes with ``jsonw_printf`` (unquoted, verbatim): ``0x1f``,
    ``(nil)``, ``0xffff8880...``, ``"a"``, ``(unsupported-kind``. A JSON writer must
    print it as is."""

    __slots__ = ()


class DupKey(str):
    """A struct member name that repeats in one object (anonymous members are all
    ``""``). Distinct instances never compare equal, so a dict can hold them all in
    member order, as bpftool prints them."""

    __slots__ = ()

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other


@dataclass(frozen=True)
class MemberInfo:
    name: str
    type: int
    bit_offset: int
    bitfield_size: int


class Btf:
    """One BTF object (types and strings). Type ids index ``types``; id 0 is void."""

    def __init__(self, data: BtfData) -> None:
        self.data = data

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_bytes(cls, raw: bytes | bytearray | memoryview) -> Btf:
        """btf__new(): decode raw BTF; malformed data raises LibbpfError(EINVAL)."""
        try:
            data = ubtf.parse(raw)
        except BtfError as e:
            raise LibbpfError(_errno.EINVAL, _libbpf_btf_message(bytes(raw), e)) from None
        btf = cls(data)
        btf._sanity_check()
        return btf

    @classmethod
    def from_elf_section(cls, raw: bytes | bytearray | memoryview) -> Btf:
        """The ``.BTF`` section of an object file, as clang wrote it (before fixups)."""
        return cls.from_bytes(raw)

    def _sanity_check(self) -> None:
        """What libbpf 1.1's btf__new checks beyond the record layout: the string section."""
        if not self.data.strings or self.data.strings[-1:] != b"\0" or self.data.strings[:1] != b"\0":
            raise LibbpfError(_errno.EINVAL, "Invalid BTF string section")

    def copy(self) -> Btf:
        return Btf(copy.deepcopy(self.data))

    def raw(self) -> bytes:
        return ubtf.encode(self.data)

    # ------------------------------------------------------------------ lookup
    @property
    def types(self) -> list[BtfType]:
        return self.data.types

    @property
    def nr_types(self) -> int:
        """Ids including void (btf__type_cnt)."""
        return len(self.data.types)

    def t(self, type_id: int) -> BtfType:
        if not 0 <= type_id < len(self.data.types):
            raise LibbpfError(_errno.EINVAL, f"BTF type [{type_id}] not found")
        return self.data.types[type_id]

    def str_at(self, off: int) -> str:
        try:
            return self.data.str_at(off)
        except BtfError:
            raise LibbpfError(_errno.EINVAL, f"invalid BTF string offset {off}") from None

    def name(self, type_id: int) -> str:
        return self.str_at(self.t(type_id).name_off)

    def kind(self, type_id: int) -> int:
        return self.t(type_id).kind

    def find_by_name_kind(self, name: str, kind: int | None = None) -> int:
        """First type id with this name (and kind); -1 when absent (btf__find_by_name_kind)."""
        if name == "void" and kind in (None, Kind.UNKN):
            return 0
        for tid in range(1, len(self.data.types)):
            t = self.data.types[tid]
            if (kind is None or t.kind == kind) and self.data.str_at(t.name_off) == name:
                return tid
        return -1

    def skip_mods(self, type_id: int) -> int:
        """Follow volatile/const/restrict/type_tag."""
        for _ in range(ubtf.MAX_RESOLVE_DEPTH + 1):
            t = self.t(type_id)
            if t.kind not in _MODS:
                return type_id
            type_id = t.type
        raise LibbpfError(_errno.ELOOP, "BTF modifier loop")

    def skip_mods_and_typedefs(self, type_id: int) -> int:
        for _ in range(ubtf.MAX_RESOLVE_DEPTH + 1):
            t = self.t(type_id)
            if t.kind not in _MODS and t.kind != Kind.TYPEDEF:
                return type_id
            type_id = t.type
        raise LibbpfError(_errno.ELOOP, "BTF modifier loop")

    def resolve_type(self, type_id: int) -> int:
        """btf__resolve_type(): skip typedefs, modifiers and VARs."""
        for _ in range(ubtf.MAX_RESOLVE_DEPTH + 1):
            t = self.t(type_id)
            if t.kind not in _MODS and t.kind not in (Kind.TYPEDEF, Kind.VAR):
                return type_id
            type_id = t.type
        raise LibbpfError(_errno.EINVAL, "BTF type chain too deep")

    def resolve_size(self, type_id: int) -> int:
        """btf__resolve_size(): bytes a value of this type occupies; EINVAL when unsized."""
        nelems = 1
        for _ in range(ubtf.MAX_RESOLVE_DEPTH + 1):
            t = self.t(type_id)
            k = t.kind
            if k in (Kind.INT, Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64, Kind.DATASEC, Kind.FLOAT):
                size = t.size
                break
            if k == Kind.PTR:
                size = PTR_SIZE
                break
            if k in _MODS or k in (Kind.TYPEDEF, Kind.VAR, Kind.DECL_TAG):
                type_id = t.type
                continue
            if k == Kind.ARRAY and t.array:
                if nelems and t.array[2] > 0xFFFFFFFF // nelems:
                    raise LibbpfError(_errno.E2BIG, "array too large")
                nelems *= t.array[2]
                type_id = t.array[0]
                continue
            raise LibbpfError(_errno.EINVAL, f"type [{type_id}] has no size")
        else:
            raise LibbpfError(_errno.E2BIG, "BTF type chain too deep")
        if nelems and size > 0xFFFFFFFF // nelems:
            raise LibbpfError(_errno.E2BIG, "type too large")
        return nelems * size

    def align_of(self, type_id: int) -> int:
        """btf__align_of(): natural alignment; 1 for a packed struct."""
        t = self.t(type_id)
        k = t.kind
        if k in (Kind.INT, Kind.ENUM, Kind.ENUM64, Kind.FLOAT):
            return min(PTR_SIZE, t.size) or 1
        if k == Kind.PTR:
            return PTR_SIZE
        if k in _MODS or k == Kind.TYPEDEF:
            return self.align_of(t.type)
        if k == Kind.ARRAY and t.array:
            return self.align_of(t.array[0])
        if k in (Kind.STRUCT, Kind.UNION):
            max_align = 1
            for m in self.members(type_id):
                a = self.align_of(m.type)
                if a <= 0:
                    return a
                if m.bitfield_size == 0 and m.bit_offset % (8 * a):
                    return 1
                max_align = max(max_align, a)
            if t.size % max_align:
                return 1
            return max_align
        raise LibbpfError(_errno.EINVAL, f"unsupported BTF_KIND:{k}")

    def members(self, type_id: int) -> list[MemberInfo]:
        t = self.t(type_id)
        return [MemberInfo(self.str_at(m.name_off), m.type, m.bit_offset(t.kflag), m.bitfield_size(t.kflag))
                for m in t.members]

    # ------------------------------------------------------------------ libbpf fixups
    def fixup_datasecs(self, section_size: Callable[[str], int | None],
                       var_symbol: Callable[[str], tuple[int, bool] | None]) -> None:
        """libbpf's btf_fixup_datasec: clang leaves DATASEC sizes and VAR offsets 0; fill
        them from the ELF section sizes and the global symbols' values.

        ``var_symbol(name)`` returns ``(st_value, hidden)`` of the global/weak STT_OBJECT
        symbol of that name, or None; hidden (or internal) symbols make the VAR static."""
        for t in self.data.types:
            if t.kind != Kind.DATASEC:
                continue
            sec = self.str_at(t.name_off)
            if not sec:
                raise LibbpfError(_errno.ENOENT, "No name found in string section for DATASEC kind.")
            if sec in (".kconfig", ".ksyms"):
                continue
            if t.size == 0:
                size = section_size(sec)
                if size is None:
                    raise LibbpfError(_errno.ENOENT,
                                      f"sec '{sec}': failed to determine size from ELF: size {t.size}, err -2")
                t.size_type = size
            for s in t.secinfos:
                v = self.t(s.type)
                if v.kind != Kind.VAR:
                    raise LibbpfError(_errno.EINVAL, f"sec '{sec}': unexpected non-VAR type found")
                if v.linkage in (ubtf.VAR_STATIC, ubtf.VAR_GLOBAL_EXTERN):
                    continue
                vname = self.str_at(v.name_off)
                sym = var_symbol(vname)
                if sym is None:
                    raise LibbpfError(_errno.ENOENT, f"sec '{sec}': failed to find ELF symbol for VAR '{vname}'")
                s.offset, hidden = sym
                if hidden:
                    v.linkage = ubtf.VAR_STATIC
            t.secinfos.sort(key=lambda s: s.offset)

    # ------------------------------------------------------------------ bpftool btf dump (raw)
    def _sname(self, off: int) -> str:
        if not off:
            return "(anon)"
        try:
            return self.data.str_at(off)
        except BtfError:
            return "(invalid)"

    def dump_raw(self, type_id: int | list[int] | None = None) -> list[str]:
        """``bpftool btf dump ... format raw`` lines (members on tab-indented lines)."""
        ids = self._dump_ids(type_id)
        out: list[str] = []
        for tid in ids:
            out.extend(self._raw_type_lines(tid))
        return out

    def _dump_ids(self, type_id: int | list[int] | None) -> list[int]:
        if type_id is None:
            return list(range(1, len(self.data.types)))
        if isinstance(type_id, int):
            return [type_id]
        return list(type_id)

    def _raw_type_lines(self, tid: int) -> list[str]:
        t = self.t(tid)
        k = t.kind
        head = f"[{tid}] {_kind_str(k)} '{self._sname(t.name_off)}'"
        lines: list[str] = []
        if k == Kind.INT:
            head += (f" size={t.size} bits_offset={t.int_offset} nr_bits={t.int_bits}"
                     f" encoding={_int_enc_str(t.int_encoding)}")
        elif k in (Kind.PTR, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPEDEF, Kind.TYPE_TAG):
            head += f" type_id={t.type}"
        elif k == Kind.ARRAY:
            a = t.array or (0, 0, 0)
            head += f" type_id={a[0]} index_type_id={a[1]} nr_elems={a[2]}"
        elif k in (Kind.STRUCT, Kind.UNION):
            head += f" size={t.size} vlen={len(t.members)}"
            for m in t.members:
                line = f"\t'{self._sname(m.name_off)}' type_id={m.type} bits_offset={m.bit_offset(t.kflag)}"
                if m.bitfield_size(t.kflag):
                    line += f" bitfield_size={m.bitfield_size(t.kflag)}"
                lines.append(line)
        elif k in (Kind.ENUM, Kind.ENUM64):
            enc = "SIGNED" if t.kflag else "UNSIGNED"
            head += f" encoding={enc} size={t.size} vlen={len(t.values)}"
            sfx = "" if k == Kind.ENUM else ("LL" if t.kflag else "ULL")
            for v in t.values:
                lines.append(f"\t'{self._sname(v.name_off)}' val={self._enum_val(t, v.val)}{sfx}")
        elif k == Kind.FWD:
            head += f" fwd_kind={'union' if t.kflag else 'struct'}"
        elif k == Kind.FUNC:
            head += f" type_id={t.type} linkage={_func_linkage_str(t.vlen)}"
        elif k == Kind.FUNC_PROTO:
            head += f" ret_type_id={t.type} vlen={len(t.params)}"
            for p in t.params:
                lines.append(f"\t'{self._sname(p.name_off)}' type_id={p.type}")
        elif k == Kind.VAR:
            head += f" type_id={t.type}, linkage={_var_linkage_str(t.linkage)}"
        elif k == Kind.DATASEC:
            head += f" size={t.size} vlen={len(t.secinfos)}"
            for s in t.secinfos:
                vname = self._sname(self.t(s.type).name_off) if 0 <= s.type < self.nr_types else "(invalid)"
                lines.append(f"\ttype_id={s.type} offset={s.offset} size={s.size} (VAR '{vname}')")
        elif k == Kind.FLOAT:
            head += f" size={t.size}"
        elif k == Kind.DECL_TAG:
            head += f" type_id={t.type} component_idx={t.component_idx}"
        return [head] + lines

    @staticmethod
    def _enum_val(t: BtfType, raw: int) -> int:
        if t.kind == Kind.ENUM:
            raw &= 0xFFFFFFFF
            return raw - (1 << 32) if t.kflag and raw & 0x80000000 else raw
        raw &= 0xFFFFFFFFFFFFFFFF
        return raw - (1 << 64) if t.kflag and raw >> 63 else raw

    @staticmethod
    def _enum_json_val(t: BtfType, raw: int) -> int:
        if t.kind == Kind.ENUM:
            v = _s32(raw)  # the s32 in struct btf_enum, widened for the 64-bit JSON field
            return v if t.kflag else v & 0xFFFFFFFFFFFFFFFF
        raw &= 0xFFFFFFFFFFFFFFFF
        return raw - (1 << 64) if t.kflag and raw >> 63 else raw

    def dump_raw_json(self, type_id: int | list[int] | None = None) -> dict[str, Any]:
        """``bpftool -j btf dump ...``: ``{"types": [...]}`` with bpftool's key order."""
        return {"types": [self._json_type(tid) for tid in self._dump_ids(type_id)]}

    def _json_type(self, tid: int) -> dict[str, Any]:
        t = self.t(tid)
        k = t.kind
        o: dict[str, Any] = {"id": tid, "kind": _kind_str(k), "name": self._sname(t.name_off)}
        if k == Kind.INT:
            o.update(size=t.size, bits_offset=t.int_offset, nr_bits=t.int_bits,
                     encoding=_int_enc_str(t.int_encoding))
        elif k in (Kind.PTR, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPEDEF, Kind.TYPE_TAG):
            o["type_id"] = t.type
        elif k == Kind.ARRAY:
            a = t.array or (0, 0, 0)
            o.update(type_id=a[0], index_type_id=a[1], nr_elems=a[2])
        elif k in (Kind.STRUCT, Kind.UNION):
            o.update(size=t.size, vlen=len(t.members))
            ms = []
            for m in t.members:
                d: dict[str, Any] = {"name": self._sname(m.name_off), "type_id": m.type,
                                     "bits_offset": m.bit_offset(t.kflag)}
                if m.bitfield_size(t.kflag):
                    d["bitfield_size"] = m.bitfield_size(t.kflag)
                ms.append(d)
            o["members"] = ms
        elif k in (Kind.ENUM, Kind.ENUM64):
            o.update(encoding="SIGNED" if t.kflag else "UNSIGNED", size=t.size, vlen=len(t.values))
            o["values"] = [{"name": self._sname(v.name_off), "val": self._enum_json_val(t, v.val)}
                           for v in t.values]
        elif k == Kind.FWD:
            o["fwd_kind"] = "union" if t.kflag else "struct"
        elif k == Kind.FUNC:
            o.update(type_id=t.type, linkage=_func_linkage_str(t.vlen))
        elif k == Kind.FUNC_PROTO:
            o.update(ret_type_id=t.type, vlen=len(t.params))
            o["params"] = [{"name": self._sname(p.name_off), "type_id": p.type} for p in t.params]
        elif k == Kind.VAR:
            o.update(type_id=t.type, linkage=_var_linkage_str(t.linkage))
        elif k == Kind.DATASEC:
            o.update(size=t.size, vlen=len(t.secinfos))
            o["vars"] = [{"type_id": s.type, "offset": s.offset, "size": s.size} for s in t.secinfos]
        elif k == Kind.FLOAT:
            o["size"] = t.size
        elif k == Kind.DECL_TAG:
            o.update(type_id=t.type, component_idx=t.component_idx)
        return o

    # ------------------------------------------------------------------ bpftool map dump values
    def format_value(self, type_id: int, data: bytes | bytearray | memoryview, *,
                     plain_text: bool = False) -> Any:
        """bpftool's btf_dumper: the value of ``type_id`` stored in ``data``.

        Ints are numbers, printable NUL-terminated char arrays strings, structs dicts in
        member order, arrays lists, enums the enumerator name, bools ``True``/``False``.
        ``plain_text`` selects the text-mode (``map dump`` without ``-j``) spellings:
        pointers and bitfields then come as :class:`RawJson` tokens (``0x1f``, ``(nil)``);
        in JSON mode pointers are numbers and bitfields quoted hex strings. Kinds the
        dumper does not know (float, func) stop the dump with a ``(unsupported-kind`` token
        there, exactly as bpftool does; see :meth:`format_value_checked`.
        """
        return self.format_value_checked(type_id, data, plain_text=plain_text)[0]

    def format_value_checked(self, type_id: int, data: bytes | bytearray | memoryview, *,
                             plain_text: bool = False) -> tuple[Any, bool]:
        """``(value, ok)``; ``ok`` is False when bpftool's dumper would return an error
        (the value is then cut where bpftool stopped printing)."""
        d = _Dumper(self, bytes(data), plain_text)
        return d.do_type(type_id, 0, 0)

    # ------------------------------------------------------------------ C
    def dump_c(self, type_ids: list[int] | None = None) -> str:
        """``bpftool btf dump ... format c`` (see :mod:`pylibbpf.btf_c`)."""
        from .btf_c import dump_c

        return dump_c(self, type_ids)

    # ------------------------------------------------------------------ signatures
    def type_only_str(self, type_id: int) -> str:
        """bpftool's btf_dumper_type_only (e.g. ``int xdp_count(struct xdp_md * ctx)``);
        empty when the type cannot be printed."""
        try:
            return "".join(self._type_only(type_id, [])) if type_id else "void "
        except _NoSig:
            return ""

    def func_signature(self, func_id: int) -> str:
        """The ``int name(args)`` line bpftool prints above a function in ``dump xlated``."""
        return self.type_only_str(func_id)

    def _type_only(self, tid: int, out: list[str]) -> list[str]:
        if not tid:
            out.append("void ")
            return out
        if not 0 <= tid < self.nr_types:
            raise _NoSig
        t = self.data.types[tid]
        k = t.kind
        nm = self._plain_name(t.name_off)
        if k in (Kind.INT, Kind.TYPEDEF, Kind.FLOAT):
            out.append(f"{nm} ")
        elif k == Kind.STRUCT:
            out.append(f"struct {nm} ")
        elif k == Kind.UNION:
            out.append(f"union {nm} ")
        elif k in (Kind.ENUM, Kind.ENUM64):
            out.append(f"enum {nm} ")
        elif k == Kind.ARRAY and t.array:
            self._type_only(t.array[0], out)
            out.append(f"[{_s32(t.array[2])}]")
        elif k == Kind.PTR:
            self._type_only(t.type, out)
            out.append("* ")
        elif k == Kind.FWD:
            out.append(f"{'union' if t.kflag else 'struct'} {nm} ")
        elif k == Kind.VOLATILE:
            out.append("volatile ")
            self._type_only(t.type, out)
        elif k == Kind.CONST:
            out.append("const ")
            self._type_only(t.type, out)
        elif k == Kind.RESTRICT:
            out.append("restrict ")
            self._type_only(t.type, out)
        elif k == Kind.FUNC_PROTO:
            self._func_sig(t, None, out)
        elif k == Kind.FUNC:
            if not 0 <= t.type < self.nr_types:
                raise _NoSig
            self._func_sig(self.data.types[t.type], t, out)
        elif k == Kind.VAR:
            if t.linkage == ubtf.VAR_STATIC:
                out.append("static ")
            self._type_only(t.type, out)
            out.append(f" {nm}")
        elif k == Kind.DATASEC:
            out.append(f'section ("{nm}") ')
        else:
            raise _NoSig
        return out

    def _func_sig(self, proto: BtfType, func: BtfType | None, out: list[str]) -> None:
        self._type_only(proto.type, out)
        out.append(f"{self._plain_name(func.name_off)}(" if func else "(")
        for i, p in enumerate(proto.params):
            if i:
                out.append(", ")
            if p.type:
                self._type_only(p.type, out)
                if p.name_off:
                    out.append(self._plain_name(p.name_off))
                else:
                    s = "".join(out)
                    if s.endswith(" "):
                        out[:] = [s[:-1]]
            else:
                out.append("...")
        out.append(")")

    def _plain_name(self, off: int) -> str:
        try:
            return self.data.str_at(off)
        except BtfError:
            return "(null)"


class _NoSig(Exception):
    pass


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _kind_str(k: int) -> str:
    return ubtf.KIND_NAMES.get(k, "UNKNOWN") if k else "UNKNOWN"


def _int_enc_str(enc: int) -> str:
    return {0: "(none)", ubtf.INT_SIGNED: "SIGNED", ubtf.INT_CHAR: "CHAR", ubtf.INT_BOOL: "BOOL"}.get(enc, "UNKN")


def _var_linkage_str(linkage: int) -> str:
    return {0: "static", 1: "global", 2: "extern"}.get(linkage, "(unknown)")


def _func_linkage_str(linkage: int) -> str:
    return {0: "static", 1: "global", 2: "extern"}.get(linkage, "(unknown)")


def _libbpf_btf_message(raw: bytes, e: BtfError) -> str:
    """libbpf's own wording for a header it refuses (btf_parse_hdr in libbpf)."""
    if len(raw) < ubtf.HEADER_SIZE:
        return "BTF header not found"
    magic = struct.unpack_from("<H", raw)[0]
    if magic != ubtf.BTF_MAGIC:
        return f"Invalid BTF magic: {magic:x}"
    hdr_len = struct.unpack_from("<I", raw, 4)[0]
    if hdr_len > len(raw):
        return f"BTF header len {hdr_len} larger than data size {len(raw)}"
    msg = str(e)
    if "section" in msg.lower() or "length" in msg.lower() or "overlap" in msg.lower():
        h = ubtf.Header.parse(raw[:ubtf.HEADER_SIZE])
        return (f"Invalid BTF data sections layout: type data at {h.type_off} + {h.type_len}, "
                f"strings data at {h.str_off} + {h.str_len}")
    if "meta" in msg or "kind" in msg or "btf_info" in msg:
        return "BTF types data is malformed"
    return msg


# ---------------------------------------------------------------------- the value dumper

def _fmt_hex(v: int) -> str:
    return f"0x{v:x}"


class _Dumper:
    """bpftool's btf_dumper (map dump / lookup with BTF), one value at a time."""

    def __init__(self, btf: Btf, data: bytes, plain: bool) -> None:
        self.btf = btf
        self.data = data
        self.plain = plain

    def read(self, off: int, size: int) -> bytes:
        """Bytes [off, off+size) of the value; past the end reads as zero (bpftool would
        read the neighbouring memory of its buffer)."""
        chunk = self.data[off:off + size] if off >= 0 else b""
        return chunk + b"\0" * (size - len(chunk))

    def do_type(self, tid: int, bit_off: int, off: int) -> tuple[Any, bool]:
        btf = self.btf
        if not 0 <= tid < btf.nr_types:
            return RawJson("(unsupported-kind"), False
        t = btf.types[tid]
        k = t.kind
        if k == Kind.INT:
            return self.int_(t, bit_off, off), True
        if k in (Kind.STRUCT, Kind.UNION):
            return self.struct(t, off)
        if k == Kind.ARRAY:
            return self.array(t, off)
        if k == Kind.ENUM:
            return self.enum(t, off)
        if k == Kind.ENUM64:
            raw = int.from_bytes(self.read(off, 8), "little")
            for v in t.values:
                if v.val & 0xFFFFFFFFFFFFFFFF == raw:
                    return btf._plain_name(v.name_off), True
            return raw - (1 << 64) if raw >> 63 else raw, True
        if k == Kind.PTR:
            v = int.from_bytes(self.read(off, 8), "little")
            if self.plain:
                return RawJson(f"0x{v:x}" if v else "(nil)"), True
            return v, True
        if k == Kind.UNKN:
            return RawJson("(unknown)"), True
        if k == Kind.FWD:
            return RawJson("(fwd-kind-invalid)"), False
        if k in (Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT):
            try:
                rid = btf.resolve_type(tid)
            except LibbpfError:
                return RawJson("(unsupported-kind"), False
            return self.do_type(rid, bit_off, off)
        if k == Kind.VAR:
            v, ok = self.do_type(t.type, bit_off, off)
            return {btf._plain_name(t.name_off): v}, ok
        if k == Kind.DATASEC:
            items: list[Any] = []
            ok = True
            for s in t.secinfos:
                v, ok = self.do_type(s.type, 0, off + s.offset)
                items.append(v)
                if not ok:
                    break
            return {btf._plain_name(t.name_off): items}, ok
        return RawJson("(unsupported-kind"), False

    def struct(self, t: BtfType, off: int) -> tuple[Any, bool]:
        obj: dict[str, Any] = {}
        ok = True
        for m in t.members:
            bit_offset = m.bit_offset(t.kflag)
            bits = m.bitfield_size(t.kflag)
            name = self.btf._plain_name(m.name_off)
            key = DupKey(name) if name in obj else name
            moff = off + bit_offset // 8
            if bits:
                obj[key] = self.bitfield(bits, bit_offset & 7, moff)
            else:
                v, ok = self.do_type(m.type, bit_offset & 7, moff)
                obj[key] = v
                if not ok:
                    break
        return obj, ok

    def array(self, t: BtfType, off: int) -> tuple[Any, bool]:
        elem, _, nelems = t.array or (0, 0, 0)
        s = self.str_array(elem, nelems, off)
        if s is not None:
            return s, True
        try:
            esize = self.btf.resolve_size(elem)
        except LibbpfError:
            return [], False
        items: list[Any] = []
        ok = True
        for i in range(nelems):
            v, ok = self.do_type(elem, 0, off + i * esize)
            items.append(v)
            if not ok:
                break
        return items, ok

    def str_array(self, elem: int, nelems: int, off: int) -> str | None:
        if not nelems:
            return None
        btf = self.btf
        tid = elem
        for _ in range(ubtf.MAX_RESOLVE_DEPTH):
            if not 0 <= tid < btf.nr_types or btf.types[tid].kind not in _MODS:
                break
            tid = btf.types[tid].type
        if not 0 <= tid < btf.nr_types:
            return None
        et = btf.types[tid]
        if et.kind != Kind.INT or et.size != 1:
            return None
        if et.int_encoding != ubtf.INT_CHAR and btf._plain_name(et.name_off) != "char":
            return None
        raw = self.read(off, nelems)
        for i, c in enumerate(raw):
            if c == 0:
                return raw[:i].decode("latin-1")
            if c <= 0x1F or c >= 0x7F:
                return None
        return None

    def enum(self, t: BtfType, off: int) -> tuple[Any, bool]:
        size = t.size
        if size not in (1, 2, 4, 8):
            return None, False
        value = int.from_bytes(self.read(off, size), "little", signed=True)
        for v in t.values:
            if value == _s32(v.val):
                return self.btf._plain_name(v.name_off), True
        return value, True

    def int_(self, t: BtfType, bit_off: int, off: int) -> Any:
        nr_bits = t.int_bits
        if bit_off or t.int_offset or nr_bits & 7:
            total = bit_off + t.int_offset
            return self.bitfield(nr_bits, total & 7, off + total // 8)
        if nr_bits == 128:
            return self.int128(int.from_bytes(self.read(off, 16), "little"))
        enc = t.int_encoding
        if enc in (0, ubtf.INT_SIGNED):
            if nr_bits not in (8, 16, 32, 64):
                return self.bitfield(nr_bits, bit_off, off)
            return int.from_bytes(self.read(off, nr_bits // 8), "little", signed=bool(enc))
        if enc == ubtf.INT_CHAR:
            c = self.read(off, 1)[0]
            if 0x20 <= c <= 0x7E:
                return RawJson(f'"{chr(c)}"')
            return RawJson(f"0x{c:x}") if self.plain else RawJson(f'"\\u00{c:02x}"')
        if enc == ubtf.INT_BOOL:
            return int.from_bytes(self.read(off, 4), "little") != 0
        return RawJson("(unsupported-kind")

    def int128(self, v: int) -> Any:
        s = _fmt_hex(v)
        return RawJson(s) if self.plain else s

    def bitfield(self, nr_bits: int, bit_off: int, off: int) -> Any:
        nbytes = (bit_off + nr_bits + 7) // 8
        raw = int.from_bytes(self.read(off, min(nbytes, 16)), "little")
        v = (raw >> bit_off) & ((1 << nr_bits) - 1) if nr_bits else 0
        return self.int128(v)

