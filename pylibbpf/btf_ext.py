""".BTF.ext: per-section function info, line info and CO-RE relocation records.

Offsets in the file are in bytes from the start of the ELF section; libbpf turns them into
instruction indexes relative to the (relocated) program when it builds the PROG_LOAD
func_info/line_info arrays.
"""

from __future__ import annotations

import errno as _errno
import struct
from dataclasses import dataclass, field

from construct import Int8ul, Int16ul, Int32ul, Struct

from pykernel.uapi.btf import BTF_MAGIC

from .errors import LibbpfError

ExtHeader = Struct(
    "magic" / Int16ul,
    "version" / Int8ul,
    "flags" / Int8ul,
    "hdr_len" / Int32ul,
    "func_info_off" / Int32ul,
    "func_info_len" / Int32ul,
    "line_info_off" / Int32ul,
    "line_info_len" / Int32ul,
)
CORE_HDR_EXTRA = Struct("core_relo_off" / Int32ul, "core_relo_len" / Int32ul)

FUNC_INFO_MIN = 8  # insn_off, type_id
LINE_INFO_MIN = 16  # insn_off, file_name_off, line_off, line_col
CORE_RELO_MIN = 16  # insn_off, type_id, access_str_off, kind

CORE_RELO_KINDS = {
    0: "byte_off", 1: "byte_sz", 2: "field_exists", 3: "signed", 4: "lshift_u64", 5: "rshift_u64",
    6: "local_type_id", 7: "target_type_id", 8: "type_exists", 9: "type_size",
    10: "enumval_exists", 11: "enumval_value", 12: "type_matches",
}


@dataclass
class ExtSection:
    """The records of one ELF section (sec_name_off names it in the BTF strings)."""

    sec_name_off: int
    records: list[bytes] = field(default_factory=list)  # raw, rec_size bytes each

    def insn_offs(self) -> list[int]:
        return [struct.unpack_from("<I", r)[0] for r in self.records]


@dataclass
class ExtInfo:
    rec_size: int = 0
    sections: list[ExtSection] = field(default_factory=list)


@dataclass
class BtfExt:
    func_info: ExtInfo
    line_info: ExtInfo
    core_relo: ExtInfo

    @classmethod
    def parse(cls, raw: bytes) -> BtfExt:
        """btf_ext__new(): raises LibbpfError with libbpf's message when malformed."""
        raw = bytes(raw)
        if len(raw) < 8:
            raise LibbpfError(_errno.EINVAL, "BTF.ext header not found")
        magic, version, flags, hdr_len = struct.unpack_from("<HBBI", raw)
        if magic != BTF_MAGIC:
            raise LibbpfError(_errno.EINVAL, f"Invalid BTF.ext magic:{magic:x}")
        if version != 1:
            raise LibbpfError(_errno.ENOTSUP, f"Unsupported BTF.ext version:{version}")
        if flags:
            raise LibbpfError(_errno.ENOTSUP, f"Unsupported BTF.ext flags:{flags:x}")
        if hdr_len < ExtHeader.sizeof() or hdr_len > len(raw):
            raise LibbpfError(_errno.EINVAL, "BTF.ext header not found")
        if len(raw) == hdr_len:
            raise LibbpfError(_errno.EINVAL, "BTF.ext has no data")
        h = ExtHeader.parse(raw[:ExtHeader.sizeof()])
        fi = _parse_info(raw, hdr_len, h.func_info_off, h.func_info_len, FUNC_INFO_MIN, "func_info")
        li = _parse_info(raw, hdr_len, h.line_info_off, h.line_info_len, LINE_INFO_MIN, "line_info")
        core = ExtInfo()
        if hdr_len >= ExtHeader.sizeof() + CORE_HDR_EXTRA.sizeof():
            c = CORE_HDR_EXTRA.parse(raw[ExtHeader.sizeof():ExtHeader.sizeof() + 8])
            core = _parse_info(raw, hdr_len, c.core_relo_off, c.core_relo_len, CORE_RELO_MIN, "core_relo")
        return cls(fi, li, core)


def _parse_info(raw: bytes, hdr_len: int, off: int, length: int, min_rec: int, what: str) -> ExtInfo:
    """One info block: u32 record size, then {sec_name_off, num_info, records...}*."""
    info = ExtInfo()
    if length == 0:
        return info
    if off & 3:
        raise LibbpfError(_errno.EINVAL, f".BTF.ext {what} section is not aligned to 4 bytes")
    data_len = len(raw) - hdr_len
    if off + length > data_len:
        raise LibbpfError(_errno.EINVAL, f"{what} section (off:{off} len:{length}) is beyond the end "
                                         f"of the ELF section .BTF.ext")
    blob = raw[hdr_len + off: hdr_len + off + length]
    if len(blob) < 4:
        raise LibbpfError(_errno.EINVAL, f".BTF.ext {what} record size not found")
    rec_size = struct.unpack_from("<I", blob)[0]
    if rec_size < min_rec or rec_size & 3:
        raise LibbpfError(_errno.EINVAL, f"{what} section in .BTF.ext has invalid record size {rec_size}")
    info.rec_size = rec_size
    pos = 4
    if pos >= len(blob):
        raise LibbpfError(_errno.EINVAL, f"{what} section in .BTF.ext has no records")
    while pos < len(blob):
        if len(blob) - pos < 8:
            raise LibbpfError(_errno.EINVAL, f"{what} section header is not found in .BTF.ext")
        name_off, num = struct.unpack_from("<II", blob, pos)
        pos += 8
        if num == 0:
            raise LibbpfError(_errno.EINVAL, f"{what} section has incorrect num_records in .BTF.ext")
        if num > (len(blob) - pos) // rec_size:
            raise LibbpfError(_errno.EINVAL, f"{what} section has incorrect num_records in .BTF.ext")
        recs = [blob[pos + i * rec_size: pos + (i + 1) * rec_size] for i in range(num)]
        pos += num * rec_size
        info.sections.append(ExtSection(name_off, recs))
    return info
