"""A bounds-checked view of a BPF relocatable ELF object (pyelftools decodes the records).

Everything libelf and libbpf verify before trusting an object is checked here: ELF magic,
class, byte order, type and machine, the section header table, section names and data
ranges, the one symbol table and its strings, relocation tables. Any violation raises
:class:`~pylibbpf.errors.LibbpfError` with libbpf's wording; no other exception escapes.
"""

from __future__ import annotations

import errno as _errno
import struct
from dataclasses import dataclass, field

from elftools.elf import enums as E
from elftools.elf.structs import ELFStructs

from .errors import LIBBPF_ERRNO__ENDIAN, LIBBPF_ERRNO__FORMAT, LibbpfError

EM_BPF = 247
ET_REL = 1
SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOBITS, SHT_REL = 0, 1, 2, 3, 4, 8, 9
SHT_LLVM_ADDRSIG = 0x6FFF4C03
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = 0, 1, 2, 3, 4
STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STV_DEFAULT, STV_INTERNAL, STV_HIDDEN = 0, 1, 2
SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON, SHN_XINDEX = 0, 0xFF00, 0xFFF1, 0xFFF2, 0xFFFF

# BPF relocation types (llvm/BinaryFormat/ELFRelocs/BPF.def)
R_BPF_NONE, R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32, R_BPF_64_NODYLD32, R_BPF_64_32 = 0, 1, 2, 3, 4, 10
KNOWN_RELOC_TYPES = {R_BPF_64_64, R_BPF_64_ABS64, R_BPF_64_ABS32, R_BPF_64_NODYLD32, R_BPF_64_32}

EHDR_SIZE, SHDR_SIZE, SYM_SIZE, REL_SIZE = 64, 64, 24, 16
MAX_SECTIONS = 0xFF00 * 16  # anything beyond this is a corrupted header

_STRUCTS = ELFStructs(little_endian=True, elfclass=64)
_STRUCTS.create_basic_structs()
_STRUCTS.create_advanced_structs(e_type="ET_REL", e_machine="EM_BPF", e_ident_osabi="ELFOSABI_SYSV")


def _num(table: dict, value: object) -> int:
    """pyelftools turns known enum values into names; we want the numbers."""
    if isinstance(value, int):
        return value
    return int(table[value])


_SH_TYPES = {k: v for k, v in E.ENUM_SH_TYPE_BASE.items() if isinstance(v, int)}
_SH_TYPES["SHT_LLVM_ADDRSIG"] = SHT_LLVM_ADDRSIG
_STT = {k: v for k, v in E.ENUM_ST_INFO_TYPE.items() if isinstance(v, int)}
_STB = {k: v for k, v in E.ENUM_ST_INFO_BIND.items() if isinstance(v, int)}
_STV = {k: v for k, v in E.ENUM_ST_VISIBILITY.items() if isinstance(v, int)}
_SHN = {k: v for k, v in E.ENUM_ST_SHNDX.items() if isinstance(v, int)}
_ET = {k: v for k, v in E.ENUM_E_TYPE.items() if isinstance(v, int)}
_EM = {k: v for k, v in E.ENUM_E_MACHINE.items() if isinstance(v, int)}


@dataclass
class ElfSection:
    idx: int
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int
    addralign: int
    data: bytes = b""  # empty for NOBITS

    @property
    def is_exec(self) -> bool:
        return self.type == SHT_PROGBITS and bool(self.flags & SHF_EXECINSTR)


@dataclass
class ElfSymbol:
    idx: int
    name: str | None  # None when st_name is outside the string table
    name_off: int
    value: int
    size: int
    type: int
    bind: int
    visibility: int
    shndx: int
    name_error: str | None = None  # libelf's reason when the name cannot be read


@dataclass
class ElfRel:
    idx: int
    offset: int
    sym: int
    type: int


@dataclass
class ElfFile:
    path: str
    data: bytes
    machine: int = EM_BPF
    sections: list[ElfSection] = field(default_factory=list)
    symbols: list[ElfSymbol] = field(default_factory=list)
    symtab_idx: int = 0
    strtab_idx: int = 0

    def section(self, idx: int) -> ElfSection | None:
        return self.sections[idx] if 0 <= idx < len(self.sections) else None

    def section_by_name(self, name: str) -> ElfSection | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def sec_name(self, idx: int) -> str | None:
        s = self.section(idx)
        return s.name if s else None

    def rels(self, sec: ElfSection) -> list[ElfRel]:
        """The entries of an SHT_REL section (entry size already checked)."""
        out = []
        for i in range(sec.size // REL_SIZE):
            r = _STRUCTS.Elf_Rel.parse(sec.data[i * REL_SIZE:(i + 1) * REL_SIZE])
            out.append(ElfRel(i, r.r_offset, r.r_info_sym, r.r_info_type))
        return out


def _fmt(msg: str, err: int = LIBBPF_ERRNO__FORMAT) -> LibbpfError:
    return LibbpfError(err, msg)


def _cstr(buf: bytes, off: int) -> str | None:
    if off < 0 or off >= len(buf):
        return None
    end = buf.find(b"\0", off)
    if end < 0:
        return None
    return buf[off:end].decode("utf-8", errors="surrogateescape")


def read_elf(data: bytes, path: str) -> ElfFile:
    """Parse and check ``data``; ``path`` only names the object in messages."""
    return _read_elf(bytes(data), path)


_NO_ELF = "invalid `Elf' handle"


def _strings_error(path: str) -> LibbpfError:
    """What libbpf says when libelf cannot give it the section table or the names."""
    return _fmt(f"elf: failed to get section names strings from {path}: {_NO_ELF}")


def _section_table_ok(data: bytes, endian: str) -> bool:
    shoff, = struct.unpack_from(endian + "Q", data, 0x28)
    shnum, shstrndx = struct.unpack_from(endian + "HH", data, 0x3C)
    return 0 < shoff and shoff + max(shnum, 1) * SHDR_SIZE <= len(data) and shstrndx < max(shnum, 1)


def _read_elf(data: bytes, path: str) -> ElfFile:
    if len(data) < EHDR_SIZE or data[:4] != b"\x7fELF" or data[6] != 1:
        raise _fmt(f"elf: '{path}' is not a proper ELF object")
    if data[4] != 2:
        raise _fmt(f"elf: '{path}' is not a 64-bit ELF object")
    if data[5] != 1:
        # a well-formed big-endian object is diagnosed as such; anything else has no usable
        # section table once its header is read in the wrong byte order
        if data[5] == 2 and _section_table_ok(data, ">"):
            raise _fmt(f"elf: endianness mismatch in {path}.", LIBBPF_ERRNO__ENDIAN)
        raise _strings_error(path)
    eh = _STRUCTS.Elf_Ehdr.parse(data[:EHDR_SIZE])
    e_type = _num(_ET, eh.e_type)
    e_machine = _num(_EM, eh.e_machine)
    f = ElfFile(path, data, e_machine)

    # --- section header table (libelf reads entries of sizeof(Elf64_Shdr) whatever
    #     e_shentsize says) ---
    shoff, shnum, shstrndx = eh.e_shoff, eh.e_shnum, eh.e_shstrndx
    if shoff == 0 or shoff + SHDR_SIZE > len(data):
        raise _strings_error(path)
    first = _STRUCTS.Elf_Shdr.parse(data[shoff:shoff + SHDR_SIZE])
    if shnum == 0:  # extended numbering: the count lives in section 0
        shnum = first.sh_size
    if shstrndx == SHN_XINDEX:
        shstrndx = first.sh_link
    if shnum > MAX_SECTIONS or shoff + shnum * SHDR_SIZE > len(data) or not 0 < shstrndx < shnum:
        raise _strings_error(path)
    raw_hdrs = [_STRUCTS.Elf_Shdr.parse(data[shoff + i * SHDR_SIZE: shoff + (i + 1) * SHDR_SIZE])
                for i in range(shnum)]
    strhdr = raw_hdrs[shstrndx]
    if (_num(_SH_TYPES, strhdr.sh_type) != SHT_STRTAB or strhdr.sh_offset > len(data)
            or strhdr.sh_size > len(data) - strhdr.sh_offset):
        raise _strings_error(path)
    shstr = data[strhdr.sh_offset:strhdr.sh_offset + strhdr.sh_size]

    if e_type != ET_REL or (e_machine and e_machine != EM_BPF):
        raise _fmt(f"elf: {path} is not a valid eBPF object file")

    for i, h in enumerate(raw_hdrs):
        stype = _num(_SH_TYPES, h.sh_type)
        if i == 0:
            f.sections.append(ElfSection(0, "", SHT_NULL, 0, 0, 0, 0, 0, 0, 0))
            continue
        name = _cstr(shstr, h.sh_name)
        if name is None:
            raise _fmt(f"elf: failed to get section name string at offset {h.sh_name} from {path}: "
                       f"offset out of range")
        if stype == SHT_NOBITS:
            sdata = b""
        else:
            if h.sh_offset > len(data) or h.sh_size > len(data) - h.sh_offset:
                raise _fmt(f"elf: failed to get section({i}) {name} data from {path}: invalid section header")
            sdata = data[h.sh_offset:h.sh_offset + h.sh_size]
        f.sections.append(ElfSection(i, name, stype, h.sh_flags, h.sh_offset, h.sh_size, h.sh_link,
                                     h.sh_info, h.sh_entsize, h.sh_addralign, sdata))

    # --- the symbol table; its strings are checked when a name is needed, as libbpf does ---
    symtabs = [s for s in f.sections if s.type == SHT_SYMTAB]
    if len(symtabs) > 1:
        raise _fmt(f"elf: multiple symbol tables in {path}")
    if not symtabs:
        raise LibbpfError(_errno.ENOENT, f"elf: couldn't find symbol table in {path}, stripped object file?")
    symtab = symtabs[0]
    f.symtab_idx = symtab.idx
    f.strtab_idx = symtab.link
    strtab = f.section(symtab.link)
    strings: bytes | None = None
    str_err = "invalid section index"
    if strtab is not None and strtab.idx:
        if strtab.type == SHT_STRTAB:
            strings = strtab.data
        else:
            str_err = "invalid section"
    for i in range(symtab.size // SYM_SIZE):
        s = _STRUCTS.Elf_Sym.parse(symtab.data[i * SYM_SIZE:(i + 1) * SYM_SIZE])
        name = _cstr(strings, s.st_name) if strings is not None else None
        err = None if name is not None else (str_err if strings is None else "offset out of range")
        f.symbols.append(ElfSymbol(
            i, name, s.st_name, s.st_value, s.st_size,
            _num(_STT, s.st_info.type), _num(_STB, s.st_info.bind),
            _num(_STV, s.st_other.visibility), _num(_SHN, s.st_shndx), err))
    return f


def u64(buf: bytes, off: int) -> int:
    return struct.unpack_from("<Q", buf, off)[0]
