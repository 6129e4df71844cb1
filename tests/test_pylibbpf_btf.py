"""BTF: the wire format (pykernel.uapi.btf), the model and every bpftool rendering of it
(pylibbpf.btf / btf_c), checked against what the real bpftool v7.1 printed for the same
objects and values (recorded by tests/progs/libbpf/record.py into expected/)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from pykernel.uapi import btf as ubtf
from pykernel.uapi.btf import BtfData, BtfError, BtfType, EnumValue, Kind, Member, Param, VarSecinfo
from pylibbpf.btf import Btf, DupKey, RawJson
from pylibbpf.btf_c import BtfCDumpError
from pylibbpf.errors import LibbpfError
from pylibbpf.object import BpfObject

HERE = Path(__file__).resolve().parent
LIBBPF_PROGS = HERE / "progs" / "libbpf"
EXPECTED = LIBBPF_PROGS / "expected"
CORPUS = HERE / "progs"


def all_objects() -> list[Path]:
    """Little-endian objects (a big-endian one is only there to be refused)."""
    return sorted(o for o in LIBBPF_PROGS.glob("*.o") if not o.stem.endswith("_be")) + sorted(CORPUS.glob("*.o"))


def stem(o: Path) -> str:
    return o.stem if o.parent == LIBBPF_PROGS else f"corpus_{o.stem}"


def elf_btf(o: Path) -> Btf:
    from pylibbpf.elf import read_elf

    f = read_elf(o.read_bytes(), o.name)
    sec = f.section_by_name(".BTF")
    assert sec is not None
    return Btf.from_elf_section(sec.data)


# ------------------------------------------------------------------ a bpftool-style JSON writer
# (the same rules as bpftool's json_writer.c: separators, 4-space pretty indent, scalars of an
#  array kept on the opening line, RawJson tokens verbatim)

def _esc(s: str) -> str:
    # bpftool's jsonw_puts: note '\\' comes out as "\\n" and "'" is not escaped
    table = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\b": "\\b", "\\": "\\n", '"': '\\"'}
    return '"' + "".join(table.get(c, c) for c in s) + '"'


class JsonW:
    def __init__(self, pretty: bool) -> None:
        self.pretty, self.out, self.depth, self.sep = pretty, [], 0, ""

    def eol(self) -> None:
        if self.pretty:
            self.out.append("\n" + "    " * self.depth)

    def eor(self) -> None:
        if self.sep:
            self.out.append(self.sep)
        self.sep = ","

    def begin(self, c: str) -> None:
        self.eor()
        self.out.append(c)
        self.depth += 1
        self.sep = ""

    def end(self, c: str) -> None:
        self.depth -= 1
        if self.sep:
            self.eol()
        self.out.append(c)
        self.sep = ","

    def name(self, n: str) -> None:
        self.eor()
        self.eol()
        self.sep = ""
        self.out.append(_esc(n) + (": " if self.pretty else ":"))

    def value(self, v: object) -> None:
        if isinstance(v, RawJson):
            self.eor()
            self.out.append(str(v))
        elif isinstance(v, bool):
            self.eor()
            self.out.append("true" if v else "false")
        elif isinstance(v, int):
            self.eor()
            self.out.append(str(v))
        elif isinstance(v, str):
            self.eor()
            self.out.append(_esc(v))
        elif isinstance(v, dict):
            self.begin("{")
            for k, x in v.items():
                self.name(k)
                self.value(x)
            self.end("}")
        elif isinstance(v, list):
            self.begin("[")
            for x in v:
                self.value(x)
            self.end("]")
        else:
            raise TypeError(v)


def render(v: object, pretty: bool) -> str:
    w = JsonW(pretty)
    w.value(v)
    return "".join(w.out)


# ------------------------------------------------------------------ BTF builders for the map-dump cases

def _new() -> tuple[BtfData, callable, callable]:
    d = BtfData()
    return d, d.add_str, (lambda **kw: d.add_type(BtfType(**kw)))


def build_zoo():
    """btftypes.o: struct key / struct value with a float (bpftool stops at it)."""
    btf = BpfObject.open(LIBBPF_PROGS / "btftypes.o").btf
    v = bytearray(128)
    v[0:16] = b"hello\0world\0\0\0\0\0"
    struct.pack_into("<I", v, 16, 5)
    v[20] = 1
    bits = 5 | (17 << 3) | ((-3 & 0xF) << 8) | (200 << 16) | (0x123456789 << 24)
    struct.pack_into("<Q", v, 24, bits & ((1 << 64) - 1))
    struct.pack_into("<I", v, 32, 0xFFFFFFFE)
    struct.pack_into("<hhhh", v, 36, 1, -2, 3, -4)
    struct.pack_into("<6i", v, 44, 1, 2, 3, 4, 5, -6)
    struct.pack_into("<QQdf", v, 72, 0xFFFF888012345678, 0x1000, 3.5, 1.25)
    v[100:104] = b"\xff\x01\x41\x00"
    struct.pack_into("<iHxxQ", v, 104, -7, 0x1234, 0xDEADBEEF)
    v[120:124] = b"ab\0\0"
    k = struct.pack("<II", 1, 0x7FFFFFFF)
    return btf.raw(), 6, 11, 8, 128, [(k, bytes(v))]


def build_kinds():
    """ENUM64 (both signs), signed ENUM, CHAR-encoded ints, bool, int128, anonymous
    members, a type-tagged NULL pointer, kind_flag bitfields."""
    d, S, add = _new()
    i32 = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=(1 << 24) | 32)
    ch = add(kind=Kind.INT, name_off=S("char"), size_type=1, int_data=(2 << 24) | 8)
    i128 = add(kind=Kind.INT, name_off=S("__int128 unsigned"), size_type=16, int_data=128)
    b = add(kind=Kind.INT, name_off=S("_Bool"), size_type=1, int_data=(4 << 24) | 8)
    e64 = add(kind=Kind.ENUM64, name_off=S("e64"), size_type=8,
              values=[EnumValue(S("E_BIG"), 1 << 40), EnumValue(S("E_NEG"), (1 << 64) - 2)])
    e64s = add(kind=Kind.ENUM64, name_off=S("e64s"), kflag=True, size_type=8,
               values=[EnumValue(S("S_NEG"), (1 << 64) - 3), EnumValue(S("S_ONE"), 1)])
    es = add(kind=Kind.ENUM, name_off=S("es"), kflag=True, size_type=4,
             values=[EnumValue(S("ES_M1"), 0xFFFFFFFF), EnumValue(S("ES_2"), 2)])
    e1 = add(kind=Kind.ENUM, name_off=S("e1"), size_type=1, values=[EnumValue(S("ONE_B"), 0xFF)])
    arr = add(kind=Kind.ARRAY, array=(ch, i32, 6))
    anon_s = add(kind=Kind.STRUCT, size_type=4, members=[Member(S("ai"), i32, 0)])
    anon_u = add(kind=Kind.UNION, size_type=4, members=[Member(S("ui"), i32, 0), Member(S("uc"), ch, 0)])
    tt = add(kind=Kind.TYPE_TAG, name_off=S("user"), size_type=i32)
    ptt = add(kind=Kind.PTR, size_type=tt)
    u16 = add(kind=Kind.INT, name_off=S("u16"), size_type=2, int_data=16)
    st = add(kind=Kind.STRUCT, name_off=S("s"), kflag=True, size_type=96, members=[
        Member(S("big"), e64, 0), Member(S("neg"), e64s, 64), Member(S("es"), es, 128),
        Member(S("c"), ch, 160), Member(S("c2"), ch, 168), Member(S("flag"), b, 176), Member(S("e1"), e1, 184),
        Member(S("name"), arr, 192), Member(S("bf"), u16, (3 << 24) | 245),
        Member(S("wide"), i128, 256), Member(0, anon_s, 384), Member(0, anon_u, 416),
        Member(S("tp"), ptt, 448), Member(S("bf2"), i32, (17 << 24) | 520)])
    v = bytearray(96)
    struct.pack_into("<Qqi", v, 0, 1 << 40, 7, -1)
    v[20:24] = b'"\x07\x02\xff'
    v[24:30] = b"ab\ncd\0"
    v[30], v[31] = 0xE0, 0x3
    struct.pack_into("<QQii", v, 32, 0x1122334455667788, 0x99, 42, -9)
    v[64] = 0x7F
    struct.pack_into("<I", v, 65, 0xFFFFFFFF)
    return ubtf.encode(d), i32, st, 4, 96, [(b"\1\0\0\0", bytes(v))]


def build_strings():
    """char arrays: printable and NUL-terminated (a string), or not (a list)."""
    btf = BpfObject.open(LIBBPF_PROGS / "btftypes.o").btf
    entries = [(b"\0\0\0\0", b"abc" + bytes(9)), (b"\1\0\0\0", b"a\x01c\0d" + bytes(7)),
               (b"\2\0\0\0", b"x" * 12), (b"\3\0\0\0", b"it's \"q\"\\\0\0\0")]
    return btf.raw(), 7, 55, 4, 12, entries


def build_unmatched():
    """Enum values that name no enumerator, in 1-, 2- and 8-byte enums."""
    d, S, add = _new()
    e1 = add(kind=Kind.ENUM, name_off=S("e1"), size_type=1, values=[EnumValue(S("A1"), 1)])
    e2 = add(kind=Kind.ENUM, name_off=S("e2"), size_type=2, values=[EnumValue(S("A2"), 2)])
    e8 = add(kind=Kind.ENUM, name_off=S("e8"), size_type=8, values=[EnumValue(S("A8"), 0xFFFFFFFF)])
    e64 = add(kind=Kind.ENUM64, name_off=S("e64"), size_type=8, values=[EnumValue(S("B"), 3)])
    u32 = add(kind=Kind.INT, name_off=S("unsigned int"), size_type=4, int_data=32)
    st = add(kind=Kind.STRUCT, name_off=S("enums"), size_type=32, members=[
        Member(S("a"), e1, 0), Member(S("b"), e2, 16), Member(S("c"), e8, 64), Member(S("d"), e64, 128),
        Member(S("e"), e8, 192)])
    v = struct.pack("<bxhiqQq", -5, 300, 0, -1, (1 << 63) + 5, 2)
    return ubtf.encode(d), u32, st, 4, 32, [(b"\0\0\0\0", v)]


def build_datasec():
    """A global-data map value: the DATASEC of globals.o's .data, as bpftool dumps .data maps."""
    obj = BpfObject.open(LIBBPF_PROGS / "globals.o")
    m = obj.find_map(".data")
    assert m is not None and obj.btf is not None
    return obj.btf.raw(), 0, m.btf_value_type_id, 4, m.value_size, [(b"\0\0\0\0", bytes(m.initial_value))]


MAPDUMP_CASES = [
    {"name": "zoo", "build": build_zoo},
    {"name": "kinds", "build": build_kinds},
    {"name": "strings", "build": build_strings},
    {"name": "unmatched", "build": build_unmatched},
    {"name": "datasec", "build": build_datasec, "map_type": 2},
]


def _load_mapdump() -> dict[str, dict]:
    p = EXPECTED / "mapdump.json"
    return {c["name"]: c for c in json.loads(p.read_text())} if p.exists() else {}


@pytest.mark.parametrize("case", MAPDUMP_CASES, ids=[c["name"] for c in MAPDUMP_CASES])
def test_format_value_matches_bpftool_map_dump(case: dict) -> None:
    rec = _load_mapdump()[case["name"]]
    raw, key_id, value_id, ksz, vsz, entries = case["build"]()
    btf = Btf.from_bytes(raw)

    def fmt(tid: int, data: bytes, plain: bool):  # noqa: ANN202
        return btf.format_value(tid, data, plain_text=plain)

    # text mode: one pretty JSON-like array (the kernel's iteration order is the entry order
    # for arrays; these are small hash maps whose order we take from the recording)
    def kv(k: bytes, v: bytes, plain: bool) -> dict:
        # a map without BTF for its key (global data) shows the value only
        d = {"key": fmt(key_id, k, plain)} if key_id else {}
        d["value"] = fmt(value_id, v, plain)
        return d

    if len(entries) > 1:  # a hash map: take the element order the kernel gave bpftool
        order = [bytes(int(x, 16) for x in e["key"]) for e in json.loads(rec["json"])]
        entries = sorted(entries, key=lambda kv_: order.index(kv_[0]))
    text = render([kv(k, v, True) for k, v in entries], True) + "\n"
    js = render([{"key": [f"0x{b:02x}" for b in k], "value": [f"0x{b:02x}" for b in v],
                  "formatted": kv(k, v, False)} for k, v in entries], False) + "\n"
    assert text == rec["text"]
    assert js == rec["json"]


def test_format_value_stops_at_unsupported_kind() -> None:
    raw, key_id, value_id, _, _, entries = build_zoo()
    btf = Btf.from_bytes(raw)
    value, ok = btf.format_value_checked(value_id, entries[0][1], plain_text=True)
    assert not ok
    assert list(value)[-1] == "dbl" and value["dbl"] == RawJson("(unsupported-kind")
    assert "flt" not in value


def test_anonymous_members_keep_member_order() -> None:
    raw, key_id, value_id, _, _, entries = build_kinds()
    value = Btf.from_bytes(raw).format_value(value_id, entries[0][1])
    keys = list(value)
    assert [str(k) for k in keys].count("") == 2 and all(isinstance(k, str) for k in keys)
    assert sum(isinstance(k, DupKey) for k in keys) == 1
    assert json.loads(json.dumps(value)) is not None


# ------------------------------------------------------------------ btf dump raw / json / c

@pytest.mark.parametrize("obj", all_objects(), ids=lambda o: stem(o))
def test_dump_raw_matches_bpftool(obj: Path) -> None:
    btf = elf_btf(obj)
    txt = EXPECTED / f"{stem(obj)}.btf.txt"
    assert "\n".join(btf.dump_raw()) + "\n" == txt.read_text()
    assert btf.dump_raw_json() == json.loads((EXPECTED / f"{stem(obj)}.btf.json").read_text())


@pytest.mark.parametrize("obj", all_objects(), ids=lambda o: stem(o))
def test_dump_c_matches_bpftool(obj: Path) -> None:
    assert elf_btf(obj).dump_c() == (EXPECTED / f"{stem(obj)}.btf.c").read_text()


def test_dump_raw_of_selected_ids() -> None:
    btf = elf_btf(LIBBPF_PROGS / "xdp_count.o")
    assert btf.dump_raw([6, 9]) == ["[6] TYPEDEF '__u32' type_id=7", "[9] TYPEDEF '__u64' type_id=10"]
    assert btf.dump_raw(6) == ["[6] TYPEDEF '__u32' type_id=7"]


def _synthetic() -> BtfData:
    d, S, add = _new()
    i32 = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=(1 << 24) | 32)
    ch = add(kind=Kind.INT, name_off=S("char"), size_type=1, int_data=(1 << 24) | 8)
    add(kind=Kind.STRUCT, name_off=S("dup"), size_type=4, members=[Member(S("a"), i32, 0)])
    add(kind=Kind.STRUCT, name_off=S("dup"), size_type=8, members=[Member(S("b"), i32, 0), Member(S("c"), ch, 32)])
    add(kind=Kind.TYPEDEF, name_off=S("VAL"), size_type=i32)
    add(kind=Kind.ENUM, name_off=S("e1b"), size_type=1, values=[EnumValue(S("VAL"), 1), EnumValue(S("OTHER"), 2)])
    add(kind=Kind.ENUM64, name_off=S("e64n"), size_type=8, kflag=True, values=[EnumValue(S("N1"), (1 << 64) - 5)])
    add(kind=Kind.STRUCT, name_off=S("empty"), size_type=0)
    add(kind=Kind.UNION, name_off=S("emptyu"), size_type=4)
    add(kind=Kind.TYPEDEF, name_off=S("__builtin_va_list"), size_type=ch)
    add(kind=Kind.TYPEDEF, name_off=S("__gnuc_va_list"), size_type=0)
    td = add(kind=Kind.TYPEDEF, name_off=S("node_t"), size_type=0)
    node = add(kind=Kind.STRUCT, name_off=S("node"), size_type=16, members=[Member(S("next"), 0, 0),
                                                                            Member(S("v"), i32, 64)])
    pnode = add(kind=Kind.PTR, size_type=td)
    d.types[td].size_type = node
    d.types[node].members[0].type = pnode
    poly = add(kind=Kind.INT, name_off=S("__Poly8_t"), size_type=1, int_data=8)
    add(kind=Kind.STRUCT, name_off=S("user"), size_type=1, members=[Member(S("p"), poly, 0)])
    add(kind=Kind.ENUM, size_type=4, values=[EnumValue(S("VAL"), 9)])
    proto = add(kind=Kind.FUNC_PROTO, size_type=0, params=[Param(0, 0)])
    add(kind=Kind.FUNC, name_off=S("fn"), size_type=proto, vlen=1)
    v = add(kind=Kind.VAR, name_off=S("ev"), size_type=i32, linkage=2)
    add(kind=Kind.DATASEC, name_off=S(".data"), size_type=4, secinfos=[VarSecinfo(v, 0, 4)])
    add(kind=Kind.FWD, name_off=S("fu"), kflag=True)
    add(kind=Kind.FLOAT, name_off=S("long double"), size_type=16)
    return d


def test_dump_c_synthetic_names_and_special_typedefs() -> None:
    c = Btf(_synthetic()).dump_c()
    assert "struct dup___2 {\n\tint b;\n\tchar c;\n};" in c
    assert "enum e1b {\n\tVAL___2 = 1,\n\tOTHER = 2,\n};" in c  # enumerators share the typedef namespace
    assert "enum {\n\tVAL___3 = 9,\n};" in c
    assert "enum e64n {\n\tN1 = -5LL,\n};" in c
    assert "struct empty {};" in c and "union emptyu {\n};" in c
    assert "typedef __builtin_va_list __gnuc_va_list;" in c and "typedef char __builtin_va_list" not in c
    assert "struct node;\n\ntypedef struct node node_t;\n\nstruct node {\n\tnode_t *next;\n\tint v;\n};" in c
    assert "typedef unsigned char __Poly8_t;" in c
    assert "union fu;" in c


def test_dump_raw_synthetic_kinds() -> None:
    d = _synthetic()
    btf = Btf(d)
    lines = btf.dump_raw()
    fn, ev = btf.find_by_name_kind("fn", Kind.FUNC), btf.find_by_name_kind("ev", Kind.VAR)
    fu, ld = btf.find_by_name_kind("fu", Kind.FWD), btf.find_by_name_kind("long double", Kind.FLOAT)
    assert "[7] ENUM64 'e64n' encoding=SIGNED size=8 vlen=1" in lines and "\t'N1' val=-5LL" in lines
    assert f"[{fn}] FUNC 'fn' type_id={fn - 1} linkage=global" in lines
    assert f"[{ev}] VAR 'ev' type_id=1, linkage=extern" in lines
    assert f"\ttype_id={ev} offset=0 size=4 (VAR 'ev')" in lines
    assert f"[{fu}] FWD 'fu' fwd_kind=union" in lines and f"[{ld}] FLOAT 'long double' size=16" in lines


def test_dump_c_unsatisfiable_loop_reports_partial_output() -> None:
    d, S, add = _new()
    a = add(kind=Kind.STRUCT, name_off=S("a"), size_type=4, members=[Member(S("x"), 2, 0)])
    add(kind=Kind.STRUCT, name_off=S("b"), size_type=4, members=[Member(S("y"), a, 0)])
    with pytest.raises(BtfCDumpError) as e:
        Btf(d).dump_c()
    assert e.value.partial.startswith("#ifndef __VMLINUX_H__")


# ------------------------------------------------------------------ signatures

def test_func_signature_like_bpftool_dump_xlated() -> None:
    btf = elf_btf(CORPUS / "tc_cls.o")
    fid = btf.find_by_name_kind("tc_mark", Kind.FUNC)
    assert btf.func_signature(fid) == "int tc_mark(struct __sk_buff * skb)"
    btf = elf_btf(LIBBPF_PROGS / "btftypes.o")
    assert btf.func_signature(btf.find_by_name_kind("helper", Kind.FUNC)) == "int helper(struct value * v)"
    fp = btf.find_by_name_kind("value", Kind.STRUCT)
    fnptr = [m for m in btf.members(fp) if m.name == "fnptr"][0]
    assert btf.type_only_str(fnptr.type) == "int (int, char *)* "


# ------------------------------------------------------------------ model

def test_sizes_alignment_members() -> None:
    btf = elf_btf(LIBBPF_PROGS / "btftypes.o")
    value = btf.find_by_name_kind("value", Kind.STRUCT)
    assert btf.resolve_size(value) == 128 and btf.align_of(value) == 8
    flags = btf.find_by_name_kind("flags", Kind.STRUCT)
    ms = btf.members(flags)
    assert [(m.name, m.bit_offset, m.bitfield_size) for m in ms] == [
        ("a", 0, 3), ("b", 3, 5), ("c", 8, 4), ("d", 16, 0), ("e", 24, 40)]
    assert btf.resolve_size(btf.find_by_name_kind("color_t", Kind.TYPEDEF)) == 4
    zoo = elf_btf(LIBBPF_PROGS / "ctypes_zoo.o")
    assert zoo.align_of(zoo.find_by_name_kind("packed_s", Kind.STRUCT)) == 1
    with pytest.raises(LibbpfError):
        btf.resolve_size(btf.find_by_name_kind("xdp_zoo", Kind.FUNC))


def test_fixups_fill_datasec_from_elf() -> None:
    obj = BpfObject.open(LIBBPF_PROGS / "globals.o")
    btf = obj.btf
    data = btf.t(btf.find_by_name_kind(".data", Kind.DATASEC))
    assert data.size == 16
    offs = {btf.name(s.type): s.offset for s in data.secinfos}
    assert offs == {"seen": 0, "last_len": 8}
    ubtf.verify(btf.raw())  # what the kernel checks on BTF_LOAD now passes


# ------------------------------------------------------------------ wire format and kernel checks

@pytest.mark.parametrize("obj", all_objects(), ids=lambda o: stem(o))
def test_encode_roundtrip(obj: Path) -> None:
    from pylibbpf.elf import read_elf

    raw = read_elf(obj.read_bytes(), obj.name).section_by_name(".BTF").data
    assert ubtf.encode(ubtf.parse(raw)) == raw


def _raw_ok() -> bytes:
    obj = BpfObject.open(LIBBPF_PROGS / "xdp_count.o")
    return obj.btf.raw()


@pytest.mark.parametrize("mutate,msg", [
    (lambda b: b[:6], "hdr_len not found"),
    (lambda b: b"\x9f\xeb\x01\x00" + struct.pack("<I", 100000) + b[8:], "btf_header not found"),
    (lambda b: b"\x9f\xeb\x01\x00" + struct.pack("<I", 32) + b[8:24] + b"\1" + b[25:], "Unsupported btf_header"),
    (lambda b: b"\x00\xeb" + b[2:], "Invalid magic"),
    (lambda b: b[:2] + b"\x02" + b[3:], "Unsupported version"),
    (lambda b: b[:3] + b"\x01" + b[4:], "Unsupported flags"),
    (lambda b: b[:24], "No data"),
    (lambda b: b[:-1], "Total section length too long"),
    (lambda b: b + b"\0\0\0\0", "Unsupported section found"),
    (lambda b: b[:-1] + b"x", "Invalid string section"),
])
def test_verify_header_errors(mutate, msg: str) -> None:  # noqa: ANN001
    with pytest.raises(BtfError) as e:
        ubtf.verify(mutate(_raw_ok()))
    assert str(e.value) == msg
    assert e.value.log.endswith(msg + "\n")
    assert isinstance(e.value, ValueError)


def test_verify_type_errors() -> None:
    def check(d: BtfData, needle: str) -> None:
        with pytest.raises(BtfError) as e:
            ubtf.verify(ubtf.encode(d))
        assert needle in str(e.value), str(e.value)

    d, S, add = _new()
    add(kind=Kind.PTR, size_type=5)
    check(d, "Invalid type_id")
    d, S, add = _new()
    add(kind=Kind.TYPEDEF, name_off=S("1bad"), size_type=0)
    check(d, "Invalid name")
    d, S, add = _new()
    add(kind=Kind.PTR, name_off=S("p"), size_type=0)
    check(d, "Invalid name")
    d, S, add = _new()
    add(kind=Kind.CONST, size_type=2)
    add(kind=Kind.VOLATILE, size_type=1)
    check(d, "Loop detected")
    d, S, add = _new()
    i = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=32)
    add(kind=Kind.STRUCT, name_off=S("s"), size_type=2, members=[Member(S("x"), i, 0)])
    check(d, "Member exceeds struct_size")
    d, S, add = _new()
    add(kind=Kind.INT, name_off=S("int"), size_type=1, int_data=16)
    check(d, "nr_bits exceeds type_size")
    d, S, add = _new()
    i = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=32)
    v = add(kind=Kind.VAR, name_off=S("v"), size_type=i, linkage=1)
    add(kind=Kind.DATASEC, name_off=S(".data"), size_type=0, secinfos=[VarSecinfo(v, 0, 4)])
    check(d, "size == 0")
    d.types[-1].size_type = 2
    check(d, "Invalid size")  # the var is bigger than its section
    d.types[-1].size_type = 6
    d.types[-1].secinfos[0].offset = 4
    check(d, "Invalid offset+size")
    d, S, add = _new()
    add(kind=Kind.FUNC, name_off=S("f"), size_type=0, vlen=1)
    check(d, "Invalid type_id")
    raw = ubtf.encode(_new()[0])
    with pytest.raises(BtfError, match="No data|No type found"):
        ubtf.verify(raw)


def test_parse_rejects_truncated_records_with_kernel_wording() -> None:
    raw = bytearray(_raw_ok())
    h = ubtf.Header.parse(bytes(raw[:24]))
    # cut the type section in the middle of a record and move the strings accordingly
    cut = 24 + h.type_len - 6
    tsec = bytes(raw[24:cut])
    strings = bytes(raw[24 + h.str_off:])
    hdr = ubtf.Header.build(dict(magic=0xEB9F, version=1, flags=0, hdr_len=24, type_off=0,
                                 type_len=len(tsec), str_off=len(tsec), str_len=len(strings)))
    with pytest.raises(BtfError, match="meta_left"):
        ubtf.parse(hdr + tsec + strings)


# ------------------------------------------------------------------ the kernel's BTF log

def _log_valid_kinds() -> bytes:
    d, S, add = _new()
    i32 = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=(1 << 24) | 32)
    add(kind=Kind.FWD, name_off=S("fs"))
    add(kind=Kind.FWD, name_off=S("fu"), kflag=True)
    p = add(kind=Kind.PTR, size_type=i32)
    add(kind=Kind.RESTRICT, size_type=p)
    add(kind=Kind.FUNC_PROTO, size_type=i32, params=[Param(S("a"), i32), Param(0, 0)])
    add(kind=Kind.FUNC_PROTO, size_type=0, params=[])
    add(kind=Kind.ENUM, name_off=S("es"), kflag=True, size_type=4, values=[EnumValue(S("M1"), 0xFFFFFFFF)])
    add(kind=Kind.ENUM64, name_off=S("e64"), size_type=8, values=[EnumValue(S("B"), 1 << 40)])
    add(kind=Kind.ENUM64, name_off=S("e64s"), kflag=True, size_type=8, values=[EnumValue(S("N"), (1 << 64) - 2)])
    add(kind=Kind.INT, name_off=S("i7"), size_type=1, int_data=(1 << 24) | (1 << 16) | 7)
    st = add(kind=Kind.STRUCT, name_off=S("s"), kflag=True, size_type=4, members=[Member(S("x"), i32, (3 << 24) | 1)])
    v = add(kind=Kind.VAR, name_off=S("sv"), size_type=i32, linkage=0)
    add(kind=Kind.DATASEC, name_off=S(".bss"), size_type=4, secinfos=[VarSecinfo(v, 0, 4)])
    fp = add(kind=Kind.FUNC_PROTO, size_type=0, params=[Param(S("q"), i32)])
    add(kind=Kind.FUNC, name_off=S("gf"), size_type=fp, vlen=1)
    add(kind=Kind.FLOAT, name_off=S("float"), size_type=4)
    add(kind=Kind.TYPEDEF, name_off=S("td"), size_type=st)
    add(kind=Kind.DECL_TAG, name_off=S("tag"), size_type=st, component_idx=0)
    add(kind=Kind.TYPE_TAG, name_off=S("user"), size_type=i32)
    return ubtf.encode(d)


def _log_bad(kind: str) -> bytes:
    d, S, add = _new()
    i32 = add(kind=Kind.INT, name_off=S("int"), size_type=4, int_data=(1 << 24) | 32)
    if kind == "member-size":
        add(kind=Kind.STRUCT, name_off=S("s"), size_type=2, members=[Member(S("x"), i32, 0)])
    elif kind == "member-base":
        i7 = add(kind=Kind.INT, name_off=S("i7"), size_type=1, int_data=(1 << 24) | 7)
        add(kind=Kind.STRUCT, name_off=S("s"), kflag=True, size_type=4, members=[Member(S("x"), i7, 0)])
    elif kind == "bad-name":
        add(kind=Kind.TYPEDEF, name_off=S("1x"), size_type=i32)
    elif kind == "loop":
        add(kind=Kind.CONST, size_type=3)
        add(kind=Kind.VOLATILE, size_type=2)
    elif kind == "datasec-size":
        v = add(kind=Kind.VAR, name_off=S("v"), size_type=i32, linkage=1)
        add(kind=Kind.DATASEC, name_off=S(".data"), size_type=2, secinfos=[VarSecinfo(v, 0, 4)])
    elif kind == "bad-type-id":
        add(kind=Kind.PTR, size_type=77)
    elif kind == "int-size":
        add(kind=Kind.INT, name_off=S("i3"), size_type=3, int_data=24)
    elif kind == "func-linkage":
        fp = add(kind=Kind.FUNC_PROTO, size_type=0, params=[])
        add(kind=Kind.FUNC, name_off=S("f"), size_type=fp, vlen=2)
    return ubtf.encode(d)


BTFLOG_CASES = {
    "btftypes": lambda: BpfObject.open(LIBBPF_PROGS / "btftypes.o").btf.raw(),
    "kinds": _log_valid_kinds,
    **{k: (lambda k=k: _log_bad(k)) for k in ("member-size", "member-base", "bad-name", "loop", "datasec-size",
                                              "bad-type-id", "int-size", "func-linkage")},
}


@pytest.mark.parametrize("name", list(BTFLOG_CASES))
def test_btf_log_matches_kernel(name: str) -> None:
    rec = json.loads((EXPECTED / "btflog.json").read_text())[name]
    raw = BTFLOG_CASES[name]()
    if rec["errno"] == 0:
        assert ubtf.verify(raw).log == rec["log"]
    else:
        with pytest.raises(BtfError) as e:
            ubtf.verify(raw)
        assert e.value.errno == rec["errno"]
        assert e.value.log == rec["log"]
