"""``BpfObject``: a clang-compiled BPF object file opened the way libbpf 1.1 opens it.

Opening parses the ELF (programs per section and symbol, ``.text`` subprograms, license,
kernel version), BTF and .BTF.ext, map definitions (BTF ``.maps``; legacy ``maps`` when
asked), global data sections (``.data``, ``.rodata``, ``.bss``, their ``.*`` variants),
and records every relocation. Nothing touches a kernel until :meth:`BpfObject.load`.
"""

from __future__ import annotations

import errno as _errno
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from pykernel.uapi import insn as I
from pykernel.uapi.btf import Kind
from pykernel.uapi.consts import (
    F_SLEEPABLE,
    F_XDP_HAS_FRAGS,
    PSEUDO_CALL,
    PSEUDO_FUNC,
    MapFlags,
    MapType,
    ProgType,
)
from pykernel.uapi.insn import Insn

from . import elf as E
from .btf import Btf
from .btf_ext import BtfExt
from .errors import (
    LIBBPF_ERRNO__FORMAT,
    LIBBPF_ERRNO__RELOC,
    LibbpfError,
)
from .sections import LIBBPF_DEBUG, LIBBPF_INFO, LIBBPF_WARN, SecDef, find_sec_def

PrintFn = Callable[[int, str], None]

BPF_OBJ_NAME_LEN = 16
LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME = 0, 1
BPF_INSN_SZ = 8
LICENSE_MAX = 64

# libbpf_map_type
MAP_USER, MAP_DATA, MAP_BSS, MAP_RODATA, MAP_KCONFIG, MAP_LEGACY = (
    "user", "data", "bss", "rodata", "kconfig", "legacy")

_KIND_STR = {
    Kind.UNKN: "void", Kind.INT: "int", Kind.PTR: "ptr", Kind.ARRAY: "array", Kind.STRUCT: "struct",
    Kind.UNION: "union", Kind.ENUM: "enum", Kind.FWD: "fwd", Kind.TYPEDEF: "typedef",
    Kind.VOLATILE: "volatile", Kind.CONST: "const", Kind.RESTRICT: "restrict", Kind.FUNC: "func",
    Kind.FUNC_PROTO: "func_proto", Kind.VAR: "var", Kind.DATASEC: "datasec", Kind.FLOAT: "float",
    Kind.DECL_TAG: "decl_tag", Kind.TYPE_TAG: "type_tag", Kind.ENUM64: "enum64",
}

_MAP_IN_MAP = (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS)

_global_print: PrintFn | None = None


def set_print(fn: PrintFn | None) -> PrintFn | None:
    """libbpf_set_print(): where messages go when no print_fn is passed. Returns the old one."""
    global _global_print
    old, _global_print = _global_print, fn
    return old


def kind_str(btf: Btf, tid: int) -> str:
    try:
        return _KIND_STR.get(btf.t(tid).kind, "unknown")
    except LibbpfError:
        return "unknown"


@dataclass
class Reloc:
    """One relocation of a program, in the program's own instruction numbering."""

    kind: str  # "call", "ld64" (map fd), "data" (map value), "subprog_addr"
    insn_idx: int
    map_idx: int = -1
    sym_off: int = 0
    sym_name: str = ""


@dataclass
class BpfMap:
    name: str  # name given to the kernel (internal maps: libbpf's prefixed name)
    real_name: str  # the variable or section name
    libbpf_type: str = MAP_USER
    sec_idx: int = 0
    sec_offset: int = 0
    type: int = 0
    key_size: int = 0
    value_size: int = 0
    max_entries: int = 0
    map_flags: int = 0
    numa_node: int = 0
    map_extra: int = 0
    pinning: int = LIBBPF_PIN_NONE
    btf_key_type_id: int = 0
    btf_value_type_id: int = 0
    btf_var_idx: int = -1
    inner: BpfMap | None = None
    init_slots: dict[int, tuple[str, str]] = field(default_factory=dict)  # slot -> ("map"|"prog", name)
    initial_value: bytearray | None = None  # internal maps: the section contents
    pin_path: str | None = None
    pinned: bool = False
    reused: bool = False
    fd: int = -1
    ifindex: int = 0
    autocreate: bool = True
    def_parts: set[str] = field(default_factory=set)
    # legacy (struct bpf_elf_map of iproute2) extras
    legacy_id: int = 0
    legacy_pinning: int = 0
    inner_id: int = 0
    inner_idx: int = 0

    @property
    def is_internal(self) -> bool:
        return self.libbpf_type in (MAP_DATA, MAP_BSS, MAP_RODATA, MAP_KCONFIG)

    def reuse_fd(self, fd: int) -> None:
        """bpf_map__reuse_fd(): use an existing map instead of creating one."""
        self.fd = fd
        self.reused = True

    def set_initial_value(self, data: bytes) -> None:
        if not self.is_internal or len(data) != self.value_size:
            raise LibbpfError(_errno.EINVAL, f"map '{self.name}': initial value must be {self.value_size} bytes")
        self.initial_value = bytearray(data)


@dataclass
class BpfProgram:
    name: str
    sec_name: str
    sec_idx: int
    sec_insn_off: int
    insns: list[Insn]
    is_subprog: bool = False
    sec_def: SecDef | None = None
    type: int = 0
    expected_attach_type: int = 0
    prog_flags: int = 0  # extra BPF_F_* flags (bpf_program__set_flags); the section adds its own
    relocs: list[Reloc] = field(default_factory=list)
    autoload: bool = True
    log_level: int = 0
    verifier_trace: bool = False  # beyond libbpf: ask PROG_LOAD for the structured verifier trace
    ifindex: int = 0
    mark_btf_static: bool = False
    fd: int = -1
    # filled by the load (the last PROG_LOAD attempt): its errno (0: loaded, None: never
    # attempted), the verifier log libbpf received (empty when no log was asked for) and,
    # with verifier_trace, the trace
    load_errno: int | None = None
    verifier_log: str = ""
    verifier_trace_out: dict | None = None
    # filled by relocation (see pylibbpf.relo)
    final_insns: list[Insn] | None = None
    func_info: bytes = b""
    func_info_cnt: int = 0
    func_info_rec_size: int = 0
    line_info: bytes = b""
    line_info_cnt: int = 0
    line_info_rec_size: int = 0
    sub_insn_off: int = 0

    @property
    def sec_insn_cnt(self) -> int:
        return len(self.insns)

    @property
    def insns_cnt(self) -> int:
        return len(self.insns)

    def set_type(self, prog_type: int) -> None:
        self.type = prog_type

    def set_expected_attach_type(self, attach_type: int) -> None:
        self.expected_attach_type = attach_type

    def load_flags(self) -> int:
        """prog_flags of BPF_PROG_LOAD: ours plus what the ELF section's SEC_DEF implies
        (sleepable; XDP frags only while the program is still an XDP program)."""
        flags = self.prog_flags
        d = self.sec_def
        if d is not None:
            from .sections import SEC_SLEEPABLE, SEC_XDP_FRAGS

            if d.flags & SEC_SLEEPABLE:
                flags |= F_SLEEPABLE
            if self.type == ProgType.XDP and d.flags & SEC_XDP_FRAGS:
                flags |= F_XDP_HAS_FRAGS
        return flags


class BpfObject:
    """An opened BPF object: programs, maps, BTF. See :meth:`open`."""

    def __init__(self, path: str, name: str) -> None:
        self.path = path
        self.name = name
        self.license = ""
        self.kern_version = 0
        self.btf: Btf | None = None
        self.btf_ext: BtfExt | None = None
        self.btf_fd = -1
        self.all_programs: list[BpfProgram] = []
        self.maps: list[BpfMap] = []
        self.elf: E.ElfFile | None = None
        self.text_shndx = 0
        self.maps_shndx = -1
        self.maps_sec_btf_id = 0
        self.has_rodata = False
        self.messages: list[tuple[int, str]] = []
        self.print_fn: PrintFn | None = None
        self.loaded = False
        self.sec_types: dict[int, str] = {}  # section idx -> data/rodata/bss/relo

    # ------------------------------------------------------------------ messages
    def pr(self, level: int, msg: str) -> None:
        """One libbpf message (without the trailing newline)."""
        self.messages.append((level, msg))
        fn = self.print_fn or _global_print
        if fn is not None:
            fn(level, msg)

    def warn(self, msg: str) -> None:
        self.pr(LIBBPF_WARN, "libbpf: " + msg)

    def info(self, msg: str) -> None:
        self.pr(LIBBPF_INFO, "libbpf: " + msg)

    def debug(self, msg: str) -> None:
        self.pr(LIBBPF_DEBUG, "libbpf: " + msg)

    def fail(self, err: int, msg: str) -> LibbpfError:
        """Warn with libbpf's text and build the error to raise."""
        self.warn(msg)
        return LibbpfError(err, msg)

    # ------------------------------------------------------------------ views
    @property
    def programs(self) -> list[BpfProgram]:
        """Entry-point programs in libbpf order (subprograms excluded)."""
        return [p for p in self.all_programs if not p.is_subprog]

    def find_program(self, name: str) -> BpfProgram | None:
        for p in self.programs:
            if p.name == name:
                return p
        return None

    def find_map(self, name: str) -> BpfMap | None:
        """bpf_object__find_map_by_name(): by libbpf name, or the real name of internal maps."""
        for m in self.maps:
            if m.name == name or (m.is_internal and m.real_name == name):
                return m
        return None

    def map_index(self, m: BpfMap) -> int:
        return self.maps.index(m)

    # ------------------------------------------------------------------ open
    @classmethod
    def open(cls, path: str | bytes | bytearray | os.PathLike, name: str | None = None, *,
             legacy_maps: bool = False, pin_root_path: str = "/sys/fs/bpf",
             print_fn: PrintFn | None = None, strict: bool = True) -> BpfObject:
        """bpf_object__open_file()/open_mem(): parse an object without loading it.

        ``path`` is a file name or the object's bytes. ``name`` overrides the object name
        (which prefixes internal map names). ``legacy_maps`` accepts a pre-BTF ``maps``
        section (libbpf 1.1 refuses it, as bpftool does; iproute2's loader takes it).
        Every problem raises :class:`LibbpfError` after reporting it through ``print_fn``.
        """
        if isinstance(path, bytes | bytearray | memoryview):
            data = bytes(path)
            obj_path = f"{id(data):x}-{len(data):x}"
            default_name = obj_path
        else:
            obj_path = os.fspath(path)
            default_name = os.path.basename(obj_path)[:BPF_OBJ_NAME_LEN - 1].split(".", 1)[0]
            data = None
        obj = cls(obj_path, name if name is not None else default_name)
        obj.print_fn = print_fn
        obj.debug(f"loading {obj_path}")
        if data is None:
            try:
                with open(obj_path, "rb") as fh:
                    data = fh.read()
            except OSError as e:
                err = e.errno or _errno.EINVAL
                raise obj.fail(err, f"elf: failed to open {obj_path}: {os.strerror(err)}") from None
        try:
            obj._open(data, legacy_maps=legacy_maps, pin_root_path=pin_root_path, strict=strict)
        except LibbpfError as e:
            if not e.quiet and (not obj.messages or obj.messages[-1][1] != "libbpf: " + e.message):
                obj.warn(e.message)
            raise
        return obj

    def _open(self, data: bytes, *, legacy_maps: bool, pin_root_path: str, strict: bool) -> None:
        self.elf = E.read_elf(data, self.path)
        self._collect(legacy_maps)
        self._collect_externs()
        self._finalize_btf()
        self._init_maps(strict, pin_root_path, legacy_maps)
        self._init_progs()
        self._collect_relos()

    # --- ELF sections ---
    def _collect(self, legacy_maps: bool) -> None:
        f = self.elf
        assert f is not None
        btf_sec = btf_ext_sec = None
        legacy_sec = None
        for s in f.sections[1:]:
            if _ignore_section(s):
                continue
            self.debug(f"elf: section({s.idx}) {s.name}, size {s.size}, link {s.link}, "
                       f"flags {s.flags:x}, type={s.type}")
            if s.name == "license":
                raw = s.data[:LICENSE_MAX - 1]
                self.license = raw.split(b"\0", 1)[0].decode("latin-1")
                self.debug(f"license of {self.path} is {self.license}")
            elif s.name == "version":
                if len(s.data) != 4:
                    raise self.fail(LIBBPF_ERRNO__FORMAT, f"invalid kver section in {self.path}")
                self.kern_version = struct.unpack("<I", s.data)[0]
                self.debug(f"kernel version of {self.path} is {self.kern_version:x}")
            elif s.name == "maps":
                if not legacy_maps:
                    raise self.fail(_errno.ENOTSUP, "elf: legacy map definitions in 'maps' section "
                                                    "are not supported by libbpf v1.0+")
                legacy_sec = s
            elif s.name == ".maps":
                self.maps_shndx = s.idx
            elif s.name == ".BTF":
                btf_sec = s
            elif s.name == ".BTF.ext":
                btf_ext_sec = s
            elif s.type == E.SHT_SYMTAB:
                pass
            elif s.type == E.SHT_PROGBITS and s.size > 0:
                if s.flags & E.SHF_EXECINSTR:
                    if s.name == ".text":
                        self.text_shndx = s.idx
                    self._add_programs(s)
                elif s.name == ".data" or s.name.startswith(".data."):
                    self.sec_types[s.idx] = MAP_DATA
                elif s.name == ".rodata" or s.name.startswith(".rodata."):
                    self.sec_types[s.idx] = MAP_RODATA
                elif s.name == ".struct_ops":
                    raise self.fail(_errno.ENOTSUP, "struct_ops maps are not supported")
                else:
                    self.info(f"elf: skipping unrecognized data section({s.idx}) {s.name}")
            elif s.type == E.SHT_REL:
                if s.entsize != E.REL_SIZE or s.info >= len(f.sections):
                    raise LibbpfError(LIBBPF_ERRNO__FORMAT, f"elf: relo section({s.idx}) {s.name} is corrupted "
                                                            f"(entry size {s.entsize}, target #{s.info})",
                                      quiet=True)
                targ = f.sections[s.info]
                if not targ.is_exec and s.name not in (".rel.struct_ops", ".rel.maps"):
                    self.info(f"elf: skipping relo section({s.idx}) {s.name} for section({s.info}) {targ.name}")
                    continue
                self.sec_types[s.idx] = "relo"
            elif s.type == E.SHT_NOBITS and s.name == ".bss":
                self.sec_types[s.idx] = MAP_BSS
            else:
                self.info(f"elf: skipping section({s.idx}) {s.name} (size {s.size})")
        if not f.strtab_idx or f.strtab_idx >= len(f.sections):
            raise self.fail(LIBBPF_ERRNO__FORMAT, f"elf: symbol strings section missing or invalid in {self.path}")
        self._init_btf(btf_sec, btf_ext_sec)
        self._legacy_sec = legacy_sec

    def _add_programs(self, s: E.ElfSection) -> None:
        f = self.elf
        assert f is not None
        if s.size % BPF_INSN_SZ:
            raise self.fail(LIBBPF_ERRNO__FORMAT, f"sec '{s.name}': code size {s.size} is not a multiple "
                                                  f"of {BPF_INSN_SZ}")
        for sym in f.symbols:
            if sym.shndx != s.idx or sym.type != E.STT_FUNC:
                continue
            off, size = sym.value, sym.size
            if self._sym_name(sym) is None:
                raise self.fail(LIBBPF_ERRNO__FORMAT,
                                f"sec '{s.name}': failed to get symbol name for offset {off}")
            if off + size > s.size:
                raise self.fail(LIBBPF_ERRNO__FORMAT,
                                f"sec '{s.name}': program at offset {off} crosses section boundary")
            if off % BPF_INSN_SZ or size % BPF_INSN_SZ:
                raise self.fail(LIBBPF_ERRNO__FORMAT,
                                f"sec '{s.name}': corrupted program '{sym.name}', offset {off}, size {size}")
            if s.idx != self.text_shndx and sym.bind == E.STB_LOCAL:
                raise self.fail(_errno.ENOTSUP, f"sec '{s.name}': program '{sym.name}' is static and not supported")
            self.debug(f"sec '{s.name}': found program '{sym.name}' at insn offset {off // 8} ({off} bytes), "
                       f"code size {size // 8} insns ({size} bytes)")
            insns = I.decode_all(s.data[off:off + size])
            prog = BpfProgram(sym.name, s.name, s.idx, off // 8, insns)
            if sym.bind != E.STB_LOCAL and sym.visibility in (E.STV_HIDDEN, E.STV_INTERNAL):
                prog.mark_btf_static = True
            self.all_programs.append(prog)

    # --- BTF ---
    def _init_btf(self, btf_sec: E.ElfSection | None, ext_sec: E.ElfSection | None) -> None:
        if btf_sec is not None:
            try:
                self.btf = Btf.from_elf_section(btf_sec.data)
            except LibbpfError as e:
                self.debug(e.message)  # btf__new() explains at debug level only
                self.warn(f"Error loading ELF section .BTF: -{e.errno}.")
                self.btf = None
            if self.btf is not None and ext_sec is not None:
                try:
                    self.btf_ext = BtfExt.parse(ext_sec.data)
                except LibbpfError as e:
                    self.debug(e.message)
                    self.warn(f"Error loading ELF section .BTF.ext: -{e.errno}. Ignored and continue.")
                    self.btf_ext = None
        if self.btf is None and self.maps_shndx >= 0:
            err = _errno.EINVAL if btf_sec is not None else _errno.ENOENT
            raise self.fail(err, "BTF is required, but is missing or corrupted.")

    def _collect_externs(self) -> None:
        f = self.elf
        assert f is not None
        self.debug(f"looking for externs among {len(f.symbols)} symbols...")
        externs = [s for s in f.symbols[1:]
                   if s.shndx == E.SHN_UNDEF and s.bind in (E.STB_GLOBAL, E.STB_WEAK)
                   and s.type != E.STT_SECTION and s.name]
        if externs:
            raise self.fail(_errno.ENOTSUP, f"extern '{externs[0].name}' is not supported: this loader "
                                            f"resolves no kconfig or kernel symbols")
        self.debug("collected 0 externs total")

    def _finalize_btf(self) -> None:
        """libbpf's btf_finalize_data: DATASEC sizes and VAR offsets from the ELF."""
        if self.btf is None:
            return
        f = self.elf
        assert f is not None

        def sec_size(name: str) -> int | None:
            s = f.section_by_name(name)
            return s.size if s is not None else None

        def var_sym(var: str) -> tuple[int, bool] | None:
            for sym in f.symbols:  # find_elf_var_sym(): global or weak objects only
                if sym.type != E.STT_OBJECT or sym.bind not in (E.STB_GLOBAL, E.STB_WEAK):
                    continue
                if sym.name is None:
                    raise LibbpfError(_errno.EIO, f"failed to get sym name string for var {var}")
                if sym.name == var:
                    return sym.value, sym.visibility in (E.STV_HIDDEN, E.STV_INTERNAL)
            return None

        try:
            self.btf.fixup_datasecs(sec_size, var_sym)
        except LibbpfError as e:
            raise self.fail(e.errno, e.message) from None
        for p in self.all_programs:
            if p.mark_btf_static:
                fid = self.btf.find_by_name_kind(p.name, Kind.FUNC)
                if fid > 0:
                    self.btf.t(fid).vlen = 0  # BTF_FUNC_STATIC

    # --- maps ---
    def _init_maps(self, strict: bool, pin_root_path: str, legacy_maps: bool) -> None:
        if self._legacy_sec is not None:
            self._init_legacy_maps(self._legacy_sec)
        self._init_user_btf_maps(strict, pin_root_path)
        self._init_global_data_maps()

    def _init_legacy_maps(self, s: E.ElfSection) -> None:
        """Pre-BTF ``struct bpf_map_def`` / iproute2 ``struct bpf_elf_map`` records."""
        f = self.elf
        assert f is not None
        syms = sorted((y for y in f.symbols if y.shndx == s.idx and y.type in (E.STT_OBJECT, E.STT_NOTYPE)
                       and y.bind != E.STB_LOCAL or (y.shndx == s.idx and y.type == E.STT_OBJECT)),
                      key=lambda y: y.value)
        syms = [y for y in syms if y.type != E.STT_SECTION]
        if not syms:
            return
        rec = s.size // len(syms)
        if rec < 20 or rec % 4:
            raise self.fail(LIBBPF_ERRNO__FORMAT, f"elf: unable to determine legacy map definition size "
                                                  f"in {self.path}")
        for y in syms:
            if y.name is None:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f"failed to get map #{len(self.maps)} name in {self.path}")
            size = y.size or rec
            if y.value + min(size, rec) > s.size or y.value % 4:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f"corrupted maps section in {self.path}: map "
                                                      f"'{y.name}' at offset {y.value}")
            raw = s.data[y.value:y.value + min(size, rec)]
            vals = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))
            vals += [0] * (9 - len(vals))
            m = BpfMap(y.name, y.name, MAP_LEGACY, s.idx, y.value, type=vals[0], key_size=vals[1],
                       value_size=vals[2], max_entries=vals[3], map_flags=vals[4])
            if rec >= 36:
                m.legacy_id, m.legacy_pinning, m.inner_id, m.inner_idx = vals[5:9]
            self.debug(f"map '{m.name}' (legacy): at sec_idx {s.idx}, offset {y.value}.")
            self.maps.append(m)

    def _init_user_btf_maps(self, strict: bool, pin_root_path: str) -> None:
        if self.maps_shndx < 0:
            return
        btf = self.btf
        f = self.elf
        assert btf is not None and f is not None
        sec_data = f.sections[self.maps_shndx]
        sec_id = 0
        for tid in range(1, btf.nr_types):
            t = btf.t(tid)
            if t.kind == Kind.DATASEC and btf.str_at(t.name_off) == ".maps":
                sec_id = tid
                break
        if not sec_id:
            raise self.fail(_errno.ENOENT, "DATASEC '.maps' not found.")
        self.maps_sec_btf_id = sec_id
        for i, vi in enumerate(btf.t(sec_id).secinfos):
            var = btf.t(vi.type)
            map_name = btf.str_at(var.name_off)
            if not map_name:
                raise self.fail(_errno.EINVAL, f"map #{i}: empty name.")
            if vi.offset + vi.size > sec_data.size:
                raise self.fail(_errno.EINVAL, f"map '{map_name}' BTF data is corrupted.")
            if var.kind != Kind.VAR:
                raise self.fail(_errno.EINVAL, f"map '{map_name}': unexpected var kind {kind_str(btf, vi.type)}.")
            if var.linkage != 1:
                link = {0: "static", 2: "extern"}.get(var.linkage, "unknown")
                raise self.fail(_errno.EOPNOTSUPP, f"map '{map_name}': unsupported map linkage {link}.")
            def_id = btf.skip_mods_and_typedefs(var.type)
            d = btf.t(def_id)
            if d.kind != Kind.STRUCT:
                raise self.fail(_errno.EINVAL, f"map '{map_name}': unexpected def kind {kind_str(btf, vi.type)}.")
            if d.size > vi.size:
                raise self.fail(_errno.EINVAL, f"map '{map_name}': invalid def size.")
            m = BpfMap(map_name, map_name, MAP_USER, self.maps_shndx, vi.offset, btf_var_idx=i)
            self.debug(f"map '{map_name}': at sec_idx {self.maps_shndx}, offset {vi.offset}.")
            self.maps.append(m)
            inner = self._parse_btf_map_def(m, map_name, def_id, strict, is_inner=False)
            self._report_map_def(m)
            if m.pinning == LIBBPF_PIN_BY_NAME:
                m.pin_path = f"{pin_root_path}/{map_name}"
            if inner is not None:
                m.inner = inner
                self._report_map_def(inner)

    def _report_map_def(self, m: BpfMap) -> None:
        """fill_map_from_def(): what was found, in libbpf's fixed order."""
        p, n = m.def_parts, m.name
        if "type" in p:
            self.debug(f"map '{n}': found type = {m.type}.")
        if "key" in p:
            self.debug(f"map '{n}': found key [{m.btf_key_type_id}], sz = {m.key_size}.")
        elif "key_size" in p:
            self.debug(f"map '{n}': found key_size = {m.key_size}.")
        if "value" in p:
            self.debug(f"map '{n}': found value [{m.btf_value_type_id}], sz = {m.value_size}.")
        elif "value_size" in p:
            self.debug(f"map '{n}': found value_size = {m.value_size}.")
        if "max_entries" in p:
            self.debug(f"map '{n}': found max_entries = {m.max_entries}.")
        if "map_flags" in p:
            self.debug(f"map '{n}': found map_flags = 0x{m.map_flags:x}.")
        if "map_extra" in p:
            self.debug(f"map '{n}': found map_extra = 0x{m.map_extra:x}.")
        if "pinning" in p:
            self.debug(f"map '{n}': found pinning = {m.pinning}.")
        if "numa_node" in p:
            self.debug(f"map '{n}': found numa_node = {m.numa_node}.")
        if "inner" in p:
            self.debug(f"map '{n}': found inner map definition.")

    def _map_field_int(self, map_name: str, mname: str, mtype: int) -> int:
        btf = self.btf
        assert btf is not None
        tid = btf.skip_mods_and_typedefs(mtype)
        t = btf.t(tid)
        if t.kind != Kind.PTR:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': attr '{mname}': expected PTR, got {kind_str(btf, tid)}.")
        if not 0 <= t.type < btf.nr_types:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': attr '{mname}': type [{t.type}] not found.")
        arr = btf.t(t.type)
        if arr.kind != Kind.ARRAY or arr.array is None:
            raise self.fail(_errno.EINVAL,
                            f"map '{map_name}': attr '{mname}': expected ARRAY, got {kind_str(btf, t.type)}.")
        return arr.array[2]

    def _map_type_spec(self, map_name: str, what: str, mtype: int) -> tuple[int, int]:
        """__type(key|value, T): a pointer to T. Returns (type id, size)."""
        btf = self.btf
        assert btf is not None
        if not 0 <= mtype < btf.nr_types:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': {what} type [{mtype}] not found.")
        t = btf.t(mtype)
        if t.kind != Kind.PTR:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': {what} spec is not PTR: {kind_str(btf, mtype)}.")
        try:
            sz = btf.resolve_size(t.type)
        except LibbpfError as e:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': can't determine {what} size for type "
                                           f"[{t.type}]: -{e.errno}.") from None
        return t.type, sz

    def _parse_btf_map_def(self, m: BpfMap, map_name: str, def_id: int, strict: bool,
                           is_inner: bool) -> BpfMap | None:
        btf = self.btf
        assert btf is not None
        d = btf.t(def_id)
        inner: BpfMap | None = None
        parts: set[str] = set()
        m.def_parts = parts
        nm = len(d.members)
        for i, mem in enumerate(btf.members(def_id)):
            name = mem.name
            if not name:
                raise self.fail(_errno.EINVAL, f"map '{map_name}': invalid field #{i}.")
            if name == "type":
                m.type = self._map_field_int(map_name, name, mem.type)
                parts.add(name)
            elif name == "max_entries":
                m.max_entries = self._map_field_int(map_name, name, mem.type)
                parts.add(name)
            elif name == "map_flags":
                m.map_flags = self._map_field_int(map_name, name, mem.type)
                parts.add(name)
            elif name == "numa_node":
                m.numa_node = self._map_field_int(map_name, name, mem.type)
                parts.add(name)
            elif name == "key_size":
                sz = self._map_field_int(map_name, name, mem.type)
                if m.key_size and m.key_size != sz:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': conflicting key size {m.key_size} != {sz}.")
                m.key_size = sz
                parts.add(name)
            elif name == "key":
                tid, sz = self._map_type_spec(map_name, "key", mem.type)
                if m.key_size and m.key_size != sz:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': conflicting key size {m.key_size} != {sz}.")
                m.key_size, m.btf_key_type_id = sz, tid
                parts.add(name)
            elif name == "value_size":
                sz = self._map_field_int(map_name, name, mem.type)
                if m.value_size and m.value_size != sz:
                    raise self.fail(_errno.EINVAL,
                                    f"map '{map_name}': conflicting value size {m.value_size} != {sz}.")
                m.value_size = sz
                parts.add(name)
            elif name == "value":
                tid, sz = self._map_type_spec(map_name, "value", mem.type)
                if m.value_size and m.value_size != sz:
                    raise self.fail(_errno.EINVAL,
                                    f"map '{map_name}': conflicting value size {m.value_size} != {sz}.")
                m.value_size, m.btf_value_type_id = sz, tid
                parts.add(name)
            elif name == "values":
                is_mim = m.type in _MAP_IN_MAP
                is_pa = m.type == MapType.PROG_ARRAY
                if is_inner:
                    raise self.fail(_errno.ENOTSUP, f"map '{map_name}': multi-level inner maps not supported.")
                if i != nm - 1:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': '{name}' member should be last.")
                if not is_mim and not is_pa:
                    raise self.fail(_errno.ENOTSUP, f"map '{map_name}': should be map-in-map or prog-array.")
                if m.value_size and m.value_size != 4:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': conflicting value size {m.value_size} != 4.")
                m.value_size = 4
                if not 0 <= mem.type < btf.nr_types:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': {name} type [{mem.type}] not found.")
                arr = btf.t(mem.type)
                if arr.kind != Kind.ARRAY or arr.array is None or arr.array[2]:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': {name} spec is not a zero-sized array.")
                pid = btf.skip_mods_and_typedefs(arr.array[0])
                if btf.t(pid).kind != Kind.PTR:
                    raise self.fail(_errno.EINVAL,
                                    f"map '{map_name}': {name} def is of unexpected kind {kind_str(btf, pid)}.")
                tid = btf.skip_mods_and_typedefs(btf.t(pid).type)
                if is_pa:
                    if btf.t(tid).kind != Kind.FUNC_PROTO:
                        raise self.fail(_errno.EINVAL, f"map '{map_name}': prog-array value def is of unexpected "
                                                       f"kind {kind_str(btf, tid)}.")
                    continue
                if btf.t(tid).kind != Kind.STRUCT:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': map-in-map inner def is of unexpected "
                                                   f"kind {kind_str(btf, tid)}.")
                iname = f"{map_name}.inner"
                inner = BpfMap(iname, iname, MAP_USER, m.sec_idx)
                self._parse_btf_map_def(inner, iname, tid, strict, is_inner=True)
                parts.add("inner")
            elif name == "pinning":
                if is_inner:
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': inner def can't be pinned.")
                val = self._map_field_int(map_name, name, mem.type)
                if val not in (LIBBPF_PIN_NONE, LIBBPF_PIN_BY_NAME):
                    raise self.fail(_errno.EINVAL, f"map '{map_name}': invalid pinning value {val}.")
                m.pinning = val
                parts.add(name)
            elif name == "map_extra":
                m.map_extra = self._map_field_int(map_name, name, mem.type)
                parts.add(name)
            else:
                if strict:
                    raise self.fail(_errno.ENOTSUP, f"map '{map_name}': unknown field '{name}'.")
                self.debug(f"map '{map_name}': ignoring unknown field '{name}'.")
        if m.type == MapType.UNSPEC:
            raise self.fail(_errno.EINVAL, f"map '{map_name}': map type isn't specified.")
        return inner

    def _internal_map_name(self, real_name: str) -> str:
        sfx_len = min(max(7, len(real_name)), BPF_OBJ_NAME_LEN - 1)
        if "." in real_name[1:]:
            pfx_len = 0
        else:
            pfx_len = min(BPF_OBJ_NAME_LEN - sfx_len - 1, len(self.name))
        name = (self.name[:pfx_len] + real_name[:sfx_len])[:BPF_OBJ_NAME_LEN - 1]
        return "".join(c if (c.isascii() and c.isalnum()) or c in "_." else "_" for c in name)

    def _init_global_data_maps(self) -> None:
        f = self.elf
        assert f is not None
        for idx in sorted(self.sec_types):
            kind = self.sec_types[idx]
            if kind not in (MAP_DATA, MAP_RODATA, MAP_BSS):
                continue
            s = f.sections[idx]
            if s.size == 0:
                continue
            if kind == MAP_RODATA:
                self.has_rodata = True
            m = BpfMap(self._internal_map_name(s.name), s.name, kind, idx, 0,
                       type=int(MapType.ARRAY), key_size=4, value_size=s.size, max_entries=1)
            m.map_flags = MapFlags.RDONLY_PROG if kind == MAP_RODATA else 0
            if self.btf is not None:
                vid = self.btf.find_by_name_kind(s.name, Kind.DATASEC)
                m.btf_value_type_id = max(vid, 0)
            m.map_flags |= MapFlags.MMAPABLE
            m.map_flags = int(m.map_flags)
            m.initial_value = bytearray(s.data) if kind != MAP_BSS else bytearray(s.size)
            self.debug(f"map '{m.name}' (global data): at sec_idx {idx}, offset 0, flags {m.map_flags:x}.")
            self.maps.append(m)
            self.debug(f"map {len(self.maps) - 1} is \"{m.name}\"")

    # --- programs ---
    def _init_progs(self) -> None:
        nprogs = len(self.all_programs)
        for p in self.all_programs:
            p.is_subprog = p.sec_idx == self.text_shndx and nprogs > 1
        for p in self.programs:
            d = find_sec_def(p.sec_name)
            if d is None:
                self.debug(f"prog '{p.name}': unrecognized ELF section name '{p.sec_name}'")
                continue
            p.sec_def = d
            p.type = int(d.prog_type)
            p.expected_attach_type = int(d.expected_attach_type)

    # --- relocations ---
    def _collect_relos(self) -> None:
        f = self.elf
        assert f is not None
        for idx in sorted(self.sec_types):
            if self.sec_types[idx] != "relo":
                continue
            s = f.sections[idx]
            if s.info == self.maps_shndx:
                self._collect_map_relos(s)
            else:
                self._collect_prog_relos(s)

    def _sym_name(self, sym: E.ElfSymbol) -> str | None:
        """elf_sym_str(): the symbol's name, or a warning (in libbpf's words) and None."""
        if sym.name is None:
            self.warn(f"elf: failed to get section name string at offset {sym.name_off} from {self.path}: "
                      f"{sym.name_error}")
        return sym.name

    def _sym(self, idx: int) -> E.ElfSymbol | None:
        syms = self.elf.symbols if self.elf else []
        return syms[idx] if 0 <= idx < len(syms) else None

    def _collect_prog_relos(self, rs: E.ElfSection) -> None:
        f = self.elf
        assert f is not None
        target = f.sections[rs.info]
        self.debug(f"sec '{rs.name}': collecting relocation for section({target.idx}) '{target.name}'")
        for rel in f.rels(rs):
            sym = self._sym(rel.sym)
            if sym is None:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f"sec '{rs.name}': symbol #{rel.sym} not found "
                                                      f"for relo #{rel.idx}")
            if sym.shndx >= len(f.sections) and sym.shndx < E.SHN_LORESERVE:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f"sec '{rs.name}': corrupted symbol #{rel.sym} pointing "
                                                      f"to invalid section #{sym.shndx} for relo #{rel.idx}")
            if rel.offset % BPF_INSN_SZ or rel.offset >= target.size:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f"sec '{rs.name}': invalid offset 0x{rel.offset:x} "
                                                      f"for relo #{rel.idx}")
            if rel.type not in E.KNOWN_RELOC_TYPES:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"sec '{rs.name}': relo #{rel.idx}: bad relo type {rel.type}")
            insn_idx = rel.offset // BPF_INSN_SZ
            if sym.type == E.STT_SECTION and sym.name_off == 0:
                sym_name = f.sec_name(sym.shndx)
            else:
                sym_name = self._sym_name(sym)
            sym_name = sym_name if sym_name is not None else "<?"
            self.debug(f"sec '{rs.name}': relo #{rel.idx}: insn #{insn_idx} against '{sym_name}'")
            prog = self._find_prog_by_sec_insn(target.idx, insn_idx)
            if prog is None:
                self.debug(f"sec '{rs.name}': relo #{rel.idx}: couldn't find program in section "
                           f"'{target.name}' for insn #{insn_idx}, probably overridden weak function, skipping...")
                continue
            self._record_reloc(prog, insn_idx - prog.sec_insn_off, sym_name, sym)

    def _find_prog_by_sec_insn(self, sec_idx: int, insn_idx: int) -> BpfProgram | None:
        for p in self.all_programs:
            if p.sec_idx == sec_idx and p.sec_insn_off <= insn_idx < p.sec_insn_off + p.sec_insn_cnt:
                return p
        return None

    def _record_reloc(self, prog: BpfProgram, insn_idx: int, sym_name: str, sym: E.ElfSymbol) -> None:
        insn = prog.insns[insn_idx]
        is_call = insn.code == (I.JMP | I.CALL)
        is_ld64 = insn.is_ld_imm64()
        if not is_call and not is_ld64:
            raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': invalid relo against '{sym_name}' for "
                                                 f"insns[{insn_idx}].code 0x{insn.code:x}")
        if is_ld64 and insn_idx + 1 >= len(prog.insns):
            raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': invalid relo against '{sym_name}' for "
                                                 f"insns[{insn_idx}]: ld_imm64 is truncated")
        shndx = sym.shndx
        if is_call:
            if insn.src != PSEUDO_CALL:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': incorrect bpf_call opcode")
            if not shndx or shndx != self.text_shndx:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': bad call relo against '{sym_name}' "
                                                     f"in section '{self.elf.sec_name(shndx) if self.elf else ''}'")
            if sym.value % BPF_INSN_SZ:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': bad call relo against '{sym_name}' "
                                                     f"at offset {sym.value}")
            prog.relocs.append(Reloc("call", insn_idx, sym_off=sym.value, sym_name=sym_name))
            return
        if not shndx or shndx >= E.SHN_LORESERVE:
            raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': invalid relo against '{sym_name}' in special "
                                                 f"section 0x{shndx:x}; forgot to initialize global var?..")
        if self.text_shndx and shndx == self.text_shndx and sym.type in (E.STT_FUNC, E.STT_SECTION):
            if sym.value % BPF_INSN_SZ or insn.imm % BPF_INSN_SZ:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': bad subprog addr relo against "
                                                     f"'{sym_name}' at offset {sym.value}+{insn.imm}")
            prog.relocs.append(Reloc("subprog_addr", insn_idx, sym_off=sym.value, sym_name=sym_name))
            return
        sec_type = self.sec_types.get(shndx)
        sec_name = self.elf.sec_name(shndx) if self.elf else None
        if sec_type not in (MAP_DATA, MAP_RODATA, MAP_BSS):
            is_maps = shndx == self.maps_shndx or (self._legacy_sec is not None and shndx == self._legacy_sec.idx)
            if not is_maps:
                raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': bad map relo against '{sym_name}' in "
                                                     f"section '{sec_name}'")
            for mi, m in enumerate(self.maps):
                if m.libbpf_type in (MAP_USER, MAP_LEGACY) and m.sec_idx == shndx and m.sec_offset == sym.value:
                    self.debug(f"prog '{prog.name}': found map {mi} ({m.name}, sec {m.sec_idx}, off {m.sec_offset}) "
                               f"for insn #{insn_idx}")
                    prog.relocs.append(Reloc("ld64", insn_idx, map_idx=mi, sym_name=sym_name))
                    return
            raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': map relo failed to find map for section "
                                                 f"'{sec_name}', off {sym.value}")
        for mi, m in enumerate(self.maps):
            if m.libbpf_type == sec_type and m.sec_idx == shndx:
                self.debug(f"prog '{prog.name}': found data map {mi} ({m.name}, sec {m.sec_idx}, "
                           f"off {m.sec_offset}) for insn {insn_idx}")
                prog.relocs.append(Reloc("data", insn_idx, map_idx=mi, sym_off=sym.value, sym_name=sym_name))
                return
        raise self.fail(LIBBPF_ERRNO__RELOC, f"prog '{prog.name}': data relo failed to find map for section "
                                             f"'{sec_name}'")

    def _collect_map_relos(self, rs: E.ElfSection) -> None:
        f = self.elf
        btf = self.btf
        if btf is None or not self.maps_sec_btf_id:
            raise self.fail(_errno.EINVAL, f"sec '{rs.name}': .maps relocations without BTF map definitions")
        sec = btf.t(self.maps_sec_btf_id)
        for rel in f.rels(rs):
            sym = self._sym(rel.sym)
            if sym is None:
                raise self.fail(LIBBPF_ERRNO__FORMAT, f".maps relo #{rel.idx}: symbol {rel.sym:x} not found")
            if rel.type not in E.KNOWN_RELOC_TYPES:
                raise self.fail(LIBBPF_ERRNO__RELOC, f".maps relo #{rel.idx}: bad relo type {rel.type}")
            name = sym.name if sym.name is not None else "<?>"
            self.debug(f".maps relo #{rel.idx}: for {rel.sym} value {sym.value} rel->r_offset {rel.offset} "
                       f"name {sym.name_off} ('{name}')")
            m = None
            vi = None
            for cand in self.maps:
                if cand.sec_idx != self.maps_shndx or cand.libbpf_type != MAP_USER:
                    continue
                vi = sec.secinfos[cand.btf_var_idx]
                if vi.offset <= rel.offset and rel.offset + 8 <= vi.offset + vi.size:
                    m = cand
                    break
            if m is None or vi is None:
                raise self.fail(_errno.EINVAL, f".maps relo #{rel.idx}: cannot find map '{name}' at "
                                               f"rel->r_offset {rel.offset}")
            if m.type in _MAP_IN_MAP:
                if sym.shndx != self.maps_shndx:
                    raise self.fail(LIBBPF_ERRNO__RELOC, f".maps relo #{rel.idx}: '{name}' isn't a BTF-defined map")
                if m.type == MapType.HASH_OF_MAPS and m.key_size != 4:
                    raise self.fail(_errno.EINVAL, f".maps relo #{rel.idx}: hash-of-maps '{m.name}' should have "
                                                   f"key size 4.")
                if self.find_map(name) is None:
                    raise self.fail(_errno.ESRCH, f".maps relo #{rel.idx}: '{name}' isn't a valid map reference")
                kind = "map"
            elif m.type == MapType.PROG_ARRAY:
                targ = self.find_program(name)
                if targ is None:
                    raise self.fail(_errno.ESRCH, f".maps relo #{rel.idx}: '{name}' isn't a valid program reference")
                if targ.sec_idx != sym.shndx or targ.sec_insn_off * 8 != sym.value:
                    raise self.fail(LIBBPF_ERRNO__RELOC, f".maps relo #{rel.idx}: '{name}' isn't an entry-point "
                                                         f"program")
                kind = "prog"
            else:
                raise self.fail(_errno.EINVAL, f".maps relo #{rel.idx}: map '{m.name}' takes no initial values")
            var = btf.t(vi.type)
            def_id = btf.skip_mods_and_typedefs(var.type)
            mems = btf.members(def_id)
            if not mems or mems[-1].name != "values":
                raise self.fail(_errno.EINVAL, f".maps relo #{rel.idx}: map '{m.name}' has no 'values' member")
            moff = mems[-1].bit_offset // 8
            if rel.offset - vi.offset < moff or (rel.offset - vi.offset - moff) % 8:
                raise self.fail(_errno.EINVAL, f".maps relo #{rel.idx}: misplaced initial value in map '{m.name}'")
            slot = (rel.offset - vi.offset - moff) // 8
            m.init_slots[slot] = (kind, name)
            self.debug(f".maps relo #{rel.idx}: map '{m.name}' slot [{slot}] points to {kind} '{name}'")

    # ------------------------------------------------------------------ load
    def load(self, proc, **kwargs):  # noqa: ANN001, ANN201 - see pylibbpf.loader.load_object
        """Create maps, relocate and load programs into ``proc`` (see :func:`pylibbpf.loader.load_object`)."""
        from .loader import load_object

        return load_object(self, proc, **kwargs)

    def close(self, proc) -> None:  # noqa: ANN001
        """bpf_object__close(): give back every fd the loaded object holds in ``proc``."""
        from .loader import close_object

        close_object(self, proc)


def _ignore_section(s: E.ElfSection) -> bool:
    if s.type == E.SHT_STRTAB or s.type == E.SHT_LLVM_ADDRSIG:
        return True
    if s.type == E.SHT_PROGBITS and s.size == 0 and s.name == ".text":
        return True
    if s.name.startswith(".debug_"):
        return True
    if s.name.startswith(".rel"):
        rest = s.name[4:]
        if rest.startswith(".debug_") or rest in (".BTF", ".BTF.ext"):
            return True
    return False


def insn_is_subprog_call(insn: Insn) -> bool:
    return (insn.code == (I.JMP | I.CALL) and insn.src == PSEUDO_CALL and insn.dst == 0 and insn.off == 0)


def insn_is_pseudo_func(insn: Insn) -> bool:
    return insn.is_ld_imm64() and insn.src == PSEUDO_FUNC
