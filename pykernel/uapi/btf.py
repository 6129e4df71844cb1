"""The BTF wire format (uapi linux/btf.h): header, type records, string section.

``parse(buf)`` decodes raw BTF into a :class:`BtfData` (``types[0]`` is ``void``, then one
:class:`BtfType` per record, ids in file order) and raises :class:`BtfError` (a
``ValueError``) when the bytes cannot be split into records. ``encode(data)`` is the exact
inverse. ``verify(buf)`` is what the kernel does on BPF_BTF_LOAD: ``parse`` plus the
semantic checks (header fields, section layout, string offsets, kinds, names, type ids,
sizes, resolution) with a kernel-like message in the error and in ``err.log``.

Pure data: no I/O, no imports from user-space packages (the kernel imports this module).
"""

from __future__ import annotations

import errno as _errno
from dataclasses import dataclass, field
from enum import IntEnum

BTF_MAGIC = 0xEB9F
BTF_VERSION = 1
HEADER_SIZE = 24
BTF_MAX_TYPE = 0x000FFFFF
BTF_MAX_NAME_OFFSET = 0x00FFFFFF
BTF_MAX_VLEN = 0xFFFF
BTF_MAX_SIZE = 16 * 1024 * 1024
KSYM_NAME_LEN = 512
MAX_RESOLVE_DEPTH = 32
ENOTSUPP = 524


class Kind(IntEnum):
    UNKN = 0
    INT = 1
    PTR = 2
    ARRAY = 3
    STRUCT = 4
    UNION = 5
    ENUM = 6
    FWD = 7
    TYPEDEF = 8
    VOLATILE = 9
    CONST = 10
    RESTRICT = 11
    FUNC = 12
    FUNC_PROTO = 13
    VAR = 14
    DATASEC = 15
    FLOAT = 16
    DECL_TAG = 17
    TYPE_TAG = 18
    ENUM64 = 19


KIND_MAX = Kind.ENUM64

# BTF_KIND_* spelled as bpftool and the kernel log print them
KIND_NAMES: dict[int, str] = {k.value: k.name for k in Kind}

# INT encoding bits
INT_SIGNED = 1 << 0
INT_CHAR = 1 << 1
INT_BOOL = 1 << 2

# FUNC linkage (in vlen)
FUNC_STATIC = 0
FUNC_GLOBAL = 1
FUNC_EXTERN = 2

# VAR linkage
VAR_STATIC = 0
VAR_GLOBAL_ALLOCATED = 1
VAR_GLOBAL_EXTERN = 2

# --- construct layouts of the records (all little-endian, 4-byte aligned) ---
# Built on first use: importing construct costs ~65 ms, which a command that only needs
# the constants above should not pay. ``Header`` etc. are module attributes all the same.
_LAYOUT_NAMES = ("Header", "CommonType", "IntData", "ArrayRec", "MemberRec", "EnumRec", "Enum64Rec",
                 "ParamRec", "VarRec", "SecinfoRec", "DeclTagRec", "U32")
_layouts: dict[str, object] = {}


def _L() -> dict[str, object]:  # noqa: N802 - reads like the struct names it returns
    if not _layouts:
        from construct import Int8ul, Int16ul, Int32sl, Int32ul, Struct

        _layouts.update(
            Header=Struct(
                "magic" / Int16ul,
                "version" / Int8ul,
                "flags" / Int8ul,
                "hdr_len" / Int32ul,
                "type_off" / Int32ul,
                "type_len" / Int32ul,
                "str_off" / Int32ul,
                "str_len" / Int32ul,
            ),
            CommonType=Struct("name_off" / Int32ul, "info" / Int32ul, "size_type" / Int32ul),
            IntData=Struct("data" / Int32ul),
            ArrayRec=Struct("type" / Int32ul, "index_type" / Int32ul, "nelems" / Int32ul),
            MemberRec=Struct("name_off" / Int32ul, "type" / Int32ul, "offset" / Int32ul),
            EnumRec=Struct("name_off" / Int32ul, "val" / Int32ul),
            Enum64Rec=Struct("name_off" / Int32ul, "val_lo32" / Int32ul, "val_hi32" / Int32ul),
            ParamRec=Struct("name_off" / Int32ul, "type" / Int32ul),
            VarRec=Struct("linkage" / Int32ul),
            SecinfoRec=Struct("type" / Int32ul, "offset" / Int32ul, "size" / Int32ul),
            DeclTagRec=Struct("component_idx" / Int32sl),
            U32=Int32ul,
        )
    return _layouts


def __getattr__(name: str) -> object:
    if name in _LAYOUT_NAMES:
        return _L()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


COMMON_SIZE = 12
# bytes of kind-specific data after the common part: fixed, and per vlen entry
_EXTRA_FIXED = {Kind.INT: 4, Kind.ARRAY: 12, Kind.VAR: 4, Kind.DECL_TAG: 4}
_EXTRA_PER_VLEN = {Kind.STRUCT: 12, Kind.UNION: 12, Kind.ENUM: 8, Kind.ENUM64: 12,
                   Kind.FUNC_PROTO: 8, Kind.DATASEC: 12}


class BtfError(ValueError):
    """Malformed BTF. ``errno`` is what BPF_BTF_LOAD returns, ``log`` the btf log text."""

    def __init__(self, msg: str, err: int = _errno.EINVAL, log: str = "") -> None:
        super().__init__(msg)
        self.errno = err
        self.log = log or (msg + "\n")


@dataclass
class Member:
    name_off: int
    type: int
    offset: int  # raw: with kind_flag, bitfield size in bits 24..31

    def bit_offset(self, kflag: bool) -> int:
        return self.offset & 0xFFFFFF if kflag else self.offset

    def bitfield_size(self, kflag: bool) -> int:
        return self.offset >> 24 if kflag else 0


@dataclass
class Param:
    name_off: int
    type: int


@dataclass
class EnumValue:
    name_off: int
    val: int  # raw unsigned: u32 for ENUM, u64 for ENUM64


@dataclass
class VarSecinfo:
    type: int
    offset: int
    size: int


@dataclass
class BtfType:
    kind: int
    name_off: int = 0
    kflag: bool = False
    size_type: int = 0  # the union of size and type
    vlen: int = 0  # only meaningful where there is no list (FUNC linkage)
    int_data: int = 0  # INT: encoding << 24 | offset << 16 | bits
    array: tuple[int, int, int] | None = None  # ARRAY: (elem type, index type, nelems)
    members: list[Member] = field(default_factory=list)
    values: list[EnumValue] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    secinfos: list[VarSecinfo] = field(default_factory=list)
    linkage: int = 0  # VAR
    component_idx: int = -1  # DECL_TAG

    # --- views ---
    @property
    def size(self) -> int:
        return self.size_type

    @property
    def type(self) -> int:
        return self.size_type

    @property
    def int_encoding(self) -> int:
        return (self.int_data >> 24) & 0x0F

    @property
    def int_offset(self) -> int:
        return (self.int_data >> 16) & 0xFF

    @property
    def int_bits(self) -> int:
        return self.int_data & 0xFF

    @property
    def func_linkage(self) -> int:
        return self.vlen

    def nr_entries(self) -> int:
        k = self.kind
        if k in (Kind.STRUCT, Kind.UNION):
            return len(self.members)
        if k in (Kind.ENUM, Kind.ENUM64):
            return len(self.values)
        if k == Kind.FUNC_PROTO:
            return len(self.params)
        if k == Kind.DATASEC:
            return len(self.secinfos)
        return self.vlen

    @property
    def info(self) -> int:
        return (int(self.kflag) << 31) | ((self.kind & 0x1F) << 24) | (self.nr_entries() & 0xFFFF)

    def is_modifier(self) -> bool:
        return self.kind in (Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG)

    def is_composite(self) -> bool:
        return self.kind in (Kind.STRUCT, Kind.UNION)

    def is_enum(self) -> bool:
        return self.kind in (Kind.ENUM, Kind.ENUM64)


@dataclass
class BtfData:
    """Decoded BTF: ``types[0]`` is void; ``strings`` is the raw string section."""

    types: list[BtfType] = field(default_factory=lambda: [BtfType(Kind.UNKN)])
    strings: bytes = b"\0"
    flags: int = 0
    hdr_len: int = HEADER_SIZE
    log: str = field(default="", compare=False)  # the kernel's BTF log of a successful verify()

    def str_at(self, off: int) -> str:
        """The NUL-terminated string at ``off``; BtfError if ``off`` is outside the section."""
        if off < 0 or off >= len(self.strings):
            raise BtfError(f"Invalid name_offset:{off}")
        end = self.strings.find(b"\0", off)
        if end < 0:
            raise BtfError(f"string at offset {off} is not NUL-terminated")
        return self.strings[off:end].decode("latin-1")

    def name_of(self, type_id: int) -> str:
        return self.str_at(self.types[type_id].name_off)

    def add_str(self, s: str) -> int:
        """Offset of ``s`` in the string section, appending it if absent."""
        if not s:
            return 0
        raw = s.encode("latin-1") + b"\0"
        pos = 0
        while True:
            pos = self.strings.find(raw, pos)
            if pos < 0:
                break
            if pos == 0 or self.strings[pos - 1] == 0:
                return pos
            pos += 1
        off = len(self.strings)
        self.strings += raw
        return off

    def add_type(self, t: BtfType) -> int:
        self.types.append(t)
        return len(self.types) - 1

    @property
    def nr_types(self) -> int:
        """Number of ids including void (btf__type_cnt)."""
        return len(self.types)


# ----------------------------------------------------------------------------- parse

def _header_log(h, total: int) -> str:
    return (f"magic: 0x{h.magic:x}\nversion: {h.version}\nflags: 0x{h.flags:x}\n"
            f"hdr_len: {h.hdr_len}\ntype_off: {h.type_off}\ntype_len: {h.type_len}\n"
            f"str_off: {h.str_off}\nstr_len: {h.str_len}\nbtf_total_size: {total}\n")


def _check_header(buf: bytes):
    """The kernel's btf_parse_hdr + btf_check_sec_info. Returns the parsed header."""
    L = _L()
    total = len(buf)
    if total > BTF_MAX_SIZE:
        raise BtfError("BTF too large", _errno.E2BIG)
    if total < 8:
        raise BtfError("hdr_len not found")
    hdr_len = L['U32'].parse(buf[4:8])
    if total < hdr_len:
        raise BtfError("btf_header not found")
    if hdr_len > HEADER_SIZE and any(buf[HEADER_SIZE:hdr_len]):
        raise BtfError("Unsupported btf_header", _errno.E2BIG)
    raw = bytes(buf[:min(hdr_len, HEADER_SIZE)]).ljust(HEADER_SIZE, b"\0")
    h = L['Header'].parse(raw)
    log = _header_log(h, total)

    def fail(msg: str, err: int = _errno.EINVAL) -> BtfError:
        return BtfError(msg, err, log + msg + "\n")

    if h.magic != BTF_MAGIC:
        raise fail("Invalid magic")
    if h.version != BTF_VERSION:
        raise fail("Unsupported version", ENOTSUPP)
    if h.flags:
        raise fail("Unsupported flags", ENOTSUPP)
    if total == hdr_len:
        raise fail("No data")
    secs = sorted([(h.type_off, h.type_len), (h.str_off, h.str_len)])
    expected = total - hdr_len
    done = 0
    for off, length in secs:
        if expected < off:
            raise fail("Invalid section offset")
        if done < off:
            raise fail("Unsupported section found")
        if done > off:
            raise fail("Section overlap found")
        if expected - done < length:
            raise fail("Total section length too long")
        done += length
    if expected != done:
        raise fail("Unsupported section found")
    return h, log


def _split_types(tsec: bytes, log: str) -> list[BtfType]:
    """Split the type section into records (the size part of btf_check_meta)."""
    L = _L()
    types: list[BtfType] = [BtfType(Kind.UNKN)]
    pos, end = 0, len(tsec)
    while pos < end:
        tid = len(types)
        left = end - pos
        if left < COMMON_SIZE:
            msg = f"[{tid}] meta_left:{left} meta_needed:{COMMON_SIZE}"
            raise BtfError(msg, _errno.EINVAL, log + msg + "\n")
        c = L['CommonType'].parse(tsec[pos:pos + COMMON_SIZE])
        info = c.info
        if info & ~0x9F00FFFF & 0xFFFFFFFF:
            msg = f"[{tid}] Invalid btf_info:{info:x}"
            raise BtfError(msg, _errno.EINVAL, log + msg + "\n")
        kind = (info >> 24) & 0x1F
        vlen = info & 0xFFFF
        kflag = bool(info >> 31)
        if kind > KIND_MAX or kind == Kind.UNKN:
            msg = f"[{tid}] Invalid kind:{kind}"
            raise BtfError(msg, _errno.EINVAL, log + msg + "\n")
        kind = Kind(kind)
        need = _EXTRA_FIXED.get(kind, 0) + _EXTRA_PER_VLEN.get(kind, 0) * vlen
        left -= COMMON_SIZE
        if left < need:
            msg = f"[{tid}] {kind.name} meta_left:{left} meta_needed:{need}"
            raise BtfError(msg, _errno.EINVAL, log + msg + "\n")
        p = pos + COMMON_SIZE
        t = BtfType(kind, c.name_off, kflag, c.size_type)
        if kind == Kind.INT:
            t.int_data = L['IntData'].parse(tsec[p:p + 4]).data
            t.vlen = vlen
        elif kind == Kind.ARRAY:
            a = L['ArrayRec'].parse(tsec[p:p + 12])
            t.array = (a.type, a.index_type, a.nelems)
            t.vlen = vlen
        elif kind in (Kind.STRUCT, Kind.UNION):
            t.members = [Member(m.name_off, m.type, m.offset) for m in
                         (L['MemberRec'].parse(tsec[p + 12 * i:p + 12 * i + 12]) for i in range(vlen))]
        elif kind == Kind.ENUM:
            t.values = [EnumValue(e.name_off, e.val) for e in
                        (L['EnumRec'].parse(tsec[p + 8 * i:p + 8 * i + 8]) for i in range(vlen))]
        elif kind == Kind.ENUM64:
            t.values = [EnumValue(e.name_off, e.val_lo32 | (e.val_hi32 << 32)) for e in
                        (L['Enum64Rec'].parse(tsec[p + 12 * i:p + 12 * i + 12]) for i in range(vlen))]
        elif kind == Kind.FUNC_PROTO:
            t.params = [Param(q.name_off, q.type) for q in
                        (L['ParamRec'].parse(tsec[p + 8 * i:p + 8 * i + 8]) for i in range(vlen))]
        elif kind == Kind.DATASEC:
            t.secinfos = [VarSecinfo(s.type, s.offset, s.size) for s in
                          (L['SecinfoRec'].parse(tsec[p + 12 * i:p + 12 * i + 12]) for i in range(vlen))]
        elif kind == Kind.VAR:
            t.linkage = L['VarRec'].parse(tsec[p:p + 4]).linkage
            t.vlen = vlen
        elif kind == Kind.DECL_TAG:
            t.component_idx = L['DeclTagRec'].parse(tsec[p:p + 4]).component_idx
            t.vlen = vlen
        else:
            t.vlen = vlen
        types.append(t)
        pos += COMMON_SIZE + need
    return types


def parse(buf: bytes | bytearray | memoryview) -> BtfData:
    """Decode raw BTF (header, types, strings). Structural errors raise BtfError."""
    buf = bytes(buf)
    h, log = _check_header(buf)
    base = h.hdr_len
    strings = buf[base + h.str_off: base + h.str_off + h.str_len]
    tsec = buf[base + h.type_off: base + h.type_off + h.type_len]
    if h.type_off & 3:
        raise BtfError("Unaligned type_off", _errno.EINVAL, log + "Unaligned type_off\n")
    types = _split_types(tsec, log)
    if len(types) - 1 > BTF_MAX_TYPE:
        raise BtfError("Too many types", _errno.E2BIG, log + "Too many types\n")
    return BtfData(types, strings, h.flags, h.hdr_len)


# ----------------------------------------------------------------------------- encode

def encode_types(types: list[BtfType]) -> bytes:
    L = _L()
    out = bytearray()
    for t in types[1:]:
        out += L['CommonType'].build(dict(name_off=t.name_off, info=t.info, size_type=t.size_type))
        k = t.kind
        if k == Kind.INT:
            out += L['IntData'].build(dict(data=t.int_data))
        elif k == Kind.ARRAY:
            a = t.array or (0, 0, 0)
            out += L['ArrayRec'].build(dict(type=a[0], index_type=a[1], nelems=a[2]))
        elif k in (Kind.STRUCT, Kind.UNION):
            for m in t.members:
                out += L['MemberRec'].build(dict(name_off=m.name_off, type=m.type, offset=m.offset))
        elif k == Kind.ENUM:
            for e in t.values:
                out += L['EnumRec'].build(dict(name_off=e.name_off, val=e.val & 0xFFFFFFFF))
        elif k == Kind.ENUM64:
            for e in t.values:
                v = e.val & 0xFFFFFFFFFFFFFFFF
                out += L['Enum64Rec'].build(dict(name_off=e.name_off, val_lo32=v & 0xFFFFFFFF, val_hi32=v >> 32))
        elif k == Kind.FUNC_PROTO:
            for q in t.params:
                out += L['ParamRec'].build(dict(name_off=q.name_off, type=q.type))
        elif k == Kind.DATASEC:
            for s in t.secinfos:
                out += L['SecinfoRec'].build(dict(type=s.type, offset=s.offset, size=s.size))
        elif k == Kind.VAR:
            out += L['VarRec'].build(dict(linkage=t.linkage))
        elif k == Kind.DECL_TAG:
            out += L['DeclTagRec'].build(dict(component_idx=t.component_idx))
    return bytes(out)


def encode(data: BtfData) -> bytes:
    """Raw BTF: 24-byte header, type section, string section (the layout clang and libbpf use)."""
    L = _L()
    tsec = encode_types(data.types)
    hdr = L['Header'].build(dict(magic=BTF_MAGIC, version=BTF_VERSION, flags=data.flags,
                            hdr_len=HEADER_SIZE, type_off=0, type_len=len(tsec),
                            str_off=len(tsec), str_len=len(data.strings)))
    return hdr + tsec + bytes(data.strings)


# ----------------------------------------------------------------------------- verify

def _valid_identifier(s: str) -> bool:
    """The kernel's identifier rule since 6.5: letters, digits, '_' and '.' (clang names
    function-local statics ``func.var``), not starting with a digit."""
    if not s or len(s) >= KSYM_NAME_LEN:
        return False
    if not (s[0].isascii() and (s[0].isalpha() or s[0] in "_.")):
        return False
    return all(c.isascii() and (c.isalnum() or c in "_.") for c in s[1:])


def _valid_section_name(s: str) -> bool:
    """DATASEC names: any printable character (space included, as isprint())."""
    if not s or len(s) >= KSYM_NAME_LEN:
        return False
    return all(" " <= c <= "~" for c in s)


_INT_ENC = {0: "(none)", INT_SIGNED: "SIGNED", INT_CHAR: "CHAR", INT_BOOL: "BOOL"}


def _int_is_regular(t: BtfType) -> bool:
    """A whole, naturally sized integer (no bit offset, 1/2/4/8/16 bytes of bits)."""
    return not t.int_bits % 8 and not t.int_offset and t.int_bits // 8 in (1, 2, 4, 8, 16)


class _Verifier:
    """The kernel's BTF checks, in its order: strings, metas (per record), then resolution.
    ``lines`` is the BTF log the kernel writes (every type as it is checked, then errors)."""

    def __init__(self, data: BtfData, log: str) -> None:
        self.d = data
        self.lines = [log] if log else []
        self.sizes: dict[int, int] = {}
        self.meta_phase = True
        self.loop_start = 0

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def fail(self, msg: str, err: int = _errno.EINVAL) -> BtfError:
        return BtfError(msg, err, self.log + msg + "\n")

    def name(self, off: int) -> str:
        return self.d.str_at(off)

    def kname(self, off: int) -> str:
        """__btf_name_by_offset(): what the kernel log shows for a name."""
        if not off:
            return "(anon)"
        if not self.off_ok(off):
            return "(invalid-name-offset)"
        return self.name(off)

    def details(self, tid: int) -> str:
        """The kind's log_details() in the kernel's format."""
        t = self.d.types[tid]
        k = t.kind
        if k == Kind.INT:
            enc = _INT_ENC.get(t.int_encoding, "UNKN")
            return f"size={t.size} bits_offset={t.int_offset} nr_bits={t.int_bits} encoding={enc}"
        if k in (Kind.PTR, Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG, Kind.FUNC):
            return f"type_id={t.type}"
        if k == Kind.ARRAY:
            a = t.array or (0, 0, 0)
            return f"type_id={a[0]} index_type_id={a[1]} nr_elems={a[2]}"
        if k in (Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64, Kind.DATASEC):
            return f"size={t.size} vlen={t.nr_entries()}"
        if k == Kind.FWD:
            return "union" if t.kflag else "struct"
        if k == Kind.FUNC_PROTO:
            args = []
            for i, q in enumerate(t.params):
                if i == len(t.params) - 1 and not q.type:
                    args.append("vararg")
                else:
                    args.append(f"{q.type} {self.kname(q.name_off)}")
            return f"return={t.type} args=({', '.join(args) if args else 'void'})"
        if k == Kind.VAR:
            return f"type_id={t.type} linkage={t.linkage}"
        if k == Kind.FLOAT:
            return f"size={t.size}"
        if k == Kind.DECL_TAG:
            return f"type={t.type} component_idx={t.component_idx}"
        return ""

    def head(self, tid: int, msg: str = "") -> str:
        t = self.d.types[tid]
        line = f"[{tid}] {KIND_NAMES.get(t.kind, 'UNKNOWN')} {self.kname(t.name_off)} {self.details(tid)}"
        return line + (f" {msg}" if msg else "") + "\n"

    def loop(self, tid: int) -> BtfError:
        """A modifier/array chain that comes back to itself (reported at the type it loops to)."""
        return BtfError("Loop detected", _errno.EEXIST, self.log + self.head(self.loop_start or tid, "Loop detected"))

    def tfail(self, tid: int, msg: str) -> BtfError:
        return BtfError(msg, _errno.EINVAL, self.log + self.head(tid, msg))

    def member_line(self, t: BtfType, m: Member) -> str:
        if t.kflag:
            return (f"\t{self.kname(m.name_off)} type_id={m.type} bitfield_size={m.bitfield_size(True)} "
                    f"bits_offset={m.bit_offset(True)}")
        return f"\t{self.kname(m.name_off)} type_id={m.type} bits_offset={m.offset}"

    def mfail(self, tid: int, m: Member, msg: str) -> BtfError:
        pre = "" if self.meta_phase else self.head(tid)
        return BtfError(msg, _errno.EINVAL, self.log + pre + self.member_line(self.d.types[tid], m) + f" {msg}\n")

    def vsi_line(self, s: VarSecinfo) -> str:
        return f"\t type_id={s.type} offset={s.offset} size={s.size}"

    def vfail(self, tid: int, s: VarSecinfo, msg: str) -> BtfError:
        pre = "" if self.meta_phase else self.head(tid)
        return BtfError(msg, _errno.EINVAL, self.log + pre + self.vsi_line(s) + f" {msg}\n")

    def _enum_line(self, t: BtfType, v: EnumValue) -> str:
        if t.kind == Kind.ENUM:
            val = v.val & 0xFFFFFFFF
            val = val - (1 << 32) if t.kflag and val >> 31 else val
        else:
            val = v.val & 0xFFFFFFFFFFFFFFFF
            val = val - (1 << 64) if t.kflag and val >> 63 else val
        return f"\t{self.kname(v.name_off)} val={val}\n"

    def id_ok(self, tid: int) -> bool:
        return 0 <= tid < len(self.d.types)

    def off_ok(self, off: int) -> bool:
        return 0 <= off < len(self.d.strings) and off <= BTF_MAX_NAME_OFFSET

    # --- strings ---
    def check_strings(self) -> None:
        s = self.d.strings
        if not s or len(s) - 1 > BTF_MAX_NAME_OFFSET or s[-1] != 0 or s[0] != 0:
            raise self.fail("Invalid string section")

    # --- per-record meta checks ---
    def check_meta(self, tid: int, t: BtfType) -> None:
        if not self.off_ok(t.name_off):
            raise self.fail(f"[{tid}] Invalid name_offset:{t.name_off}")
        k = t.kind
        nm = self.name(t.name_off)
        list_kinds = (Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64, Kind.FUNC_PROTO, Kind.DATASEC)
        if k not in list_kinds and k != Kind.FUNC and t.vlen:
            raise self.tfail(tid, "vlen != 0")
        if k == Kind.INT:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if t.size > 16:
                raise self.tfail(tid, "size exceeds 16")
            if t.int_data & 0xF0000000:
                raise self.tfail(tid, "Invalid int_data")
            bits, off = t.int_bits, t.int_offset
            if off + bits > 128:
                raise self.tfail(tid, "nr_bits exceeds 128")
            if (off + bits + 7) // 8 > t.size:
                raise self.tfail(tid, "nr_bits exceeds type_size")
            enc = t.int_encoding
            if enc and enc not in (INT_SIGNED, INT_CHAR, INT_BOOL):
                raise self.tfail(tid, "Unsupported encoding")
        elif k in (Kind.PTR, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT):
            if t.name_off:
                raise self.tfail(tid, "Invalid name")
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
        elif k == Kind.TYPEDEF:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
        elif k == Kind.TYPE_TAG:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if not nm:
                raise self.tfail(tid, "Invalid name")
        elif k == Kind.ARRAY:
            if t.name_off:
                raise self.tfail(tid, "Invalid name")
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if t.size_type:
                raise self.tfail(tid, "size != 0")
        elif k in (Kind.STRUCT, Kind.UNION):
            if nm and not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
            self.lines.append(self.head(tid))
            for m in t.members:
                if not self.off_ok(m.name_off):
                    raise self.mfail(tid, m, f"Invalid member name_offset:{m.name_off}")
                mn = self.name(m.name_off)
                if mn and not _valid_identifier(mn):
                    raise self.mfail(tid, m, "Invalid name")
                if not m.type or not self.id_ok(m.type):
                    raise self.mfail(tid, m, "Invalid type_id")
                if k == Kind.UNION and m.bit_offset(t.kflag):
                    raise self.mfail(tid, m, "Invalid member bits_offset")
                self.lines.append(self.member_line(t, m) + "\n")
            return
        elif k in (Kind.ENUM, Kind.ENUM64):
            if k == Kind.ENUM and t.size not in (1, 2, 4, 8):
                raise self.tfail(tid, "Unexpected size")
            if k == Kind.ENUM64 and t.size not in (1, 2, 4, 8):
                raise self.tfail(tid, "Unexpected size")
            if nm and not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
            self.lines.append(self.head(tid))
            for e in t.values:
                if not self.off_ok(e.name_off) or not e.name_off:
                    raise self.tfail(tid, f"Invalid name_offset:{e.name_off}")
                if not _valid_identifier(self.name(e.name_off)):
                    raise self.tfail(tid, "Invalid name")
                self.lines.append(self._enum_line(t, e))
            return
        elif k == Kind.FWD:
            if t.size_type:
                raise self.tfail(tid, "type != 0")
            if not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
        elif k == Kind.FUNC:
            if not nm or not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
            if t.vlen > FUNC_GLOBAL:
                raise self.tfail(tid, "Invalid func linkage")
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
        elif k == Kind.FUNC_PROTO:
            if t.name_off:
                raise self.tfail(tid, "Invalid name")
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
        elif k == Kind.VAR:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if not nm or not _valid_identifier(nm):
                raise self.tfail(tid, "Invalid name")
            if not t.size_type:
                raise self.tfail(tid, "Invalid type_id")
            if t.linkage not in (VAR_STATIC, VAR_GLOBAL_ALLOCATED):
                raise self.tfail(tid, "Linkage not supported")
        elif k == Kind.DATASEC:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if not t.secinfos:
                raise self.tfail(tid, "vlen == 0")
            if not t.size:
                raise self.tfail(tid, "size == 0")
            if not _valid_section_name(nm):
                raise self.tfail(tid, "Invalid name")
            self.lines.append(self.head(tid))
            last = 0
            for s in t.secinfos:
                if not s.type or not self.id_ok(s.type):
                    raise self.vfail(tid, s, "Invalid type_id")
                if s.offset < last or s.offset >= t.size:
                    raise self.vfail(tid, s, "Invalid offset")
                if not s.size or s.size > t.size:
                    raise self.vfail(tid, s, "Invalid size")
                last = s.offset + s.size
                if last > t.size:
                    raise self.vfail(tid, s, "Invalid offset+size")
                self.lines.append(self.vsi_line(s) + "\n")
            return
        elif k == Kind.FLOAT:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if t.size not in (2, 4, 8, 12, 16):
                raise self.tfail(tid, "Invalid type_size")
        elif k == Kind.DECL_TAG:
            if t.kflag:
                raise self.tfail(tid, "Invalid btf_info kind_flag")
            if not nm:
                raise self.tfail(tid, "Invalid name")
            if t.component_idx < -1:
                raise self.tfail(tid, "Invalid component_idx")
        self.lines.append(self.head(tid))

    # --- resolution: type ids in range, no modifier loops, sizes ---
    def resolve_size(self, tid: int, depth: int = 0) -> int:
        """Size in bytes of type ``tid`` (0 for void/func), raising on loops and bad ids."""
        if tid in self.sizes:
            return self.sizes[tid]
        if depth > MAX_RESOLVE_DEPTH:
            raise self.tfail(tid, f"Exceeded max resolving depth:{MAX_RESOLVE_DEPTH}")
        if not self.id_ok(tid):
            raise self.fail(f"Invalid type_id {tid}")
        t = self.d.types[tid]
        k = t.kind
        if k == Kind.UNKN:
            size = 0
        elif k in (Kind.INT, Kind.ENUM, Kind.ENUM64, Kind.STRUCT, Kind.UNION, Kind.DATASEC, Kind.FLOAT):
            size = t.size
        elif k == Kind.PTR:
            if not self.id_ok(t.type):
                raise self.tfail(tid, "Invalid type_id")
            size = 8
        elif k in (Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG, Kind.VAR):
            if not self.id_ok(t.type):
                raise self.tfail(tid, "Invalid type_id")
            target = self.d.types[t.type]
            if k != Kind.VAR and target.kind in (Kind.VAR, Kind.DATASEC, Kind.DECL_TAG):
                raise self.tfail(tid, "Invalid type_id")
            if k == Kind.VAR and target.kind in (Kind.FUNC, Kind.FUNC_PROTO, Kind.VAR,
                                                  Kind.DATASEC, Kind.DECL_TAG, Kind.FWD):
                raise self.tfail(tid, "Invalid type_id")
            self.sizes[tid] = -1  # in progress: loop guard
            inner = self.resolve_size(t.type, depth + 1)
            if inner == -1:
                raise self.loop(t.type)
            size = inner
        elif k == Kind.ARRAY:
            elem, index, nelems = t.array or (0, 0, 0)
            if not self.id_ok(index) or not index:
                raise self.tfail(tid, "Invalid index")
            it = self.d.types[index]
            for _ in range(MAX_RESOLVE_DEPTH):
                if not (it.is_modifier() and self.id_ok(it.type)):
                    break
                it = self.d.types[it.type]
            if it.kind != Kind.INT:
                raise self.tfail(tid, "Invalid index")
            if not elem or not self.id_ok(elem):
                raise self.tfail(tid, "Invalid elem")
            self.sizes[tid] = -1
            esize = self.resolve_size(elem, depth + 1)
            if esize == -1:
                raise self.loop(elem)
            if self.d.types[elem].kind in (Kind.FUNC, Kind.FUNC_PROTO, Kind.VAR, Kind.DATASEC,
                                            Kind.DECL_TAG, Kind.FWD):
                raise self.tfail(tid, "Invalid elem")
            if esize and nelems > 0xFFFFFFFF // esize:
                raise self.tfail(tid, "Array size overflows U32_MAX")
            size = esize * nelems
        elif k in (Kind.FUNC, Kind.FUNC_PROTO, Kind.FWD, Kind.DECL_TAG):
            size = 0
        else:  # pragma: no cover - kinds are closed
            raise self.tfail(tid, "Invalid kind")
        self.sizes[tid] = size
        return size

    def check_types(self) -> None:
        self.meta_phase = False
        types = self.d.types
        for tid in range(1, len(types)):
            t = types[tid]
            k = t.kind
            self.loop_start = tid
            self.resolve_size(tid)
            if k in (Kind.STRUCT, Kind.UNION):
                for m in t.members:
                    mt = types[m.type]
                    if mt.kind in (Kind.FUNC, Kind.FUNC_PROTO, Kind.VAR, Kind.DATASEC, Kind.DECL_TAG):
                        raise self.mfail(tid, m, "Invalid member")
                    bits = m.bitfield_size(t.kflag)
                    off = m.bit_offset(t.kflag)
                    if bits:
                        base = mt
                        while base.is_modifier() and self.id_ok(base.type):
                            base = types[base.type]
                        if base.kind not in (Kind.INT, Kind.ENUM, Kind.ENUM64) or bits > 128:
                            raise self.mfail(tid, m, "Invalid member bitfield_size")
                        if (off + bits + 7) // 8 > t.size:
                            raise self.mfail(tid, m, "Member exceeds struct_size")
                    else:
                        msize = self.resolve_size(m.type)
                        base = mt
                        while base.is_modifier() and self.id_ok(base.type):
                            base = types[base.type]
                        if t.kflag and base.kind == Kind.INT and not _int_is_regular(base):
                            raise self.mfail(tid, m, "Invalid member base type")
                        if mt.kind != Kind.FWD and off // 8 + msize > t.size:
                            raise self.mfail(tid, m, "Member exceeds struct_size")
            elif k == Kind.DATASEC:
                for s in t.secinfos:
                    v = types[s.type]
                    if v.kind != Kind.VAR:
                        raise self.vfail(tid, s, "Not a VAR kind member")
                    if s.size < self.resolve_size(v.type):
                        raise self.vfail(tid, s, "Invalid size")
            elif k == Kind.FUNC_PROTO:
                if t.type and not self.id_ok(t.type):
                    raise self.tfail(tid, "Invalid return type")
                n = len(t.params)
                for i, q in enumerate(t.params):
                    if not q.type and i == n - 1:
                        if q.name_off:
                            raise self.tfail(tid, f"Invalid arg#{n}")
                        continue
                    if not q.type or not self.id_ok(q.type):
                        raise self.tfail(tid, f"Invalid arg#{i + 1}")
                    if q.name_off and (not self.off_ok(q.name_off)
                                       or not _valid_identifier(self.name(q.name_off))):
                        raise self.tfail(tid, f"Invalid arg#{i + 1}")
                    self.resolve_size(q.type)
            elif k == Kind.FUNC:
                if not self.id_ok(t.type) or types[t.type].kind != Kind.FUNC_PROTO:
                    raise self.tfail(tid, "Invalid type_id")
                for i, q in enumerate(types[t.type].params):
                    if not q.name_off and q.type:
                        raise self.tfail(tid, f"Invalid arg#{i + 1}")
            elif k == Kind.DECL_TAG:
                if not t.type or not self.id_ok(t.type):
                    raise self.tfail(tid, "Invalid type_id")
                target = types[t.type]
                if target.kind not in (Kind.STRUCT, Kind.UNION, Kind.VAR, Kind.FUNC, Kind.TYPEDEF):
                    raise self.tfail(tid, "Invalid type")
                if t.component_idx != -1:
                    if target.kind in (Kind.VAR, Kind.TYPEDEF):
                        raise self.tfail(tid, "Invalid component_idx")
                    limit = (len(target.members) if target.is_composite()
                             else len(types[target.type].params) if self.id_ok(target.type) else 0)
                    if t.component_idx >= limit:
                        raise self.tfail(tid, "Invalid component_idx")


def validate(data: BtfData, log: str = "") -> None:
    """Kernel-side semantic checks on decoded BTF (raises BtfError)."""
    v = _Verifier(data, log)
    v.check_strings()
    if len(data.types) <= 1:
        raise v.fail("No type found")
    for tid in range(1, len(data.types)):
        v.check_meta(tid, data.types[tid])
    v.check_types()
    data.log = v.log


def verify(buf: bytes | bytearray | memoryview) -> BtfData:
    """What BPF_BTF_LOAD does with the user's bytes: parse and validate, or raise BtfError."""
    buf = bytes(buf)
    h, log = _check_header(buf)
    base = h.hdr_len
    strings = buf[base + h.str_off: base + h.str_off + h.str_len]
    data = BtfData([BtfType(Kind.UNKN)], strings, h.flags, h.hdr_len)
    v = _Verifier(data, log)
    v.check_strings()
    if h.type_off & 3:
        raise v.fail("Unaligned type_off")
    if not h.type_len:
        raise v.fail("No type found")
    data.types = _split_types(buf[base + h.type_off: base + h.type_off + h.type_len], log)
    validate(data, log)
    return data
