"""Program tags: SHA-256 (first 8 bytes) of the loaded instructions, map fds zeroed.

The expected tags come from the real kernel (tests/fixtures via cli-surface.md: tc_mark
ec27583e231bd0d0, xdp_pass 614b434cd8324ecc, xdp_count d93332723d4a5f70); the realkernel test
loads more programs into the real kernel and compares every tag.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from pykernel import Process
from pykernel.tag import prog_tag, tag_input
from pykernel.uapi.attr import InfoAttr, MapCreateAttr, ProgInfo, ProgLoadAttr
from pykernel.uapi.consts import Cmd
from tests.test_kernel_realsys import RealSys, need_real

PROGS = Path(__file__).resolve().parent / "progs"


def section_insns(obj: str, sec: str, map_fds: dict[str, int] | None = None) -> bytes:
    """A program section as libbpf hands it to the kernel: map loads get src=PSEUDO_MAP_FD."""
    elf = ELFFile(open(PROGS / obj, "rb"))
    data = bytearray(elf.get_section_by_name(sec).data())
    rel = elf.get_section_by_name(".rel" + sec)
    if rel is not None:
        symtab = elf.get_section(rel["sh_link"])
        for r in rel.iter_relocations():
            off = r["r_offset"]
            name = symtab.get_symbol(r["r_info_sym"]).name
            data[off + 1] = (data[off + 1] & 0x0F) | 0x10
            struct.pack_into("<i", data, off + 4, (map_fds or {}).get(name, 0))
    return bytes(data)


@pytest.mark.parametrize("obj,sec,tag", [
    ("tc_cls.o", "tc", "ec27583e231bd0d0"),
    ("xdp_pass.o", "xdp", "614b434cd8324ecc"),
    ("xdp_count.o", "xdp", "d93332723d4a5f70"),
])
def test_known_tags(obj: str, sec: str, tag: str) -> None:
    assert prog_tag(section_insns(obj, sec, {"pkt_cnt": 7, "len_hash": 8})).hex() == tag


def test_map_fd_and_value_offset_do_not_change_the_tag() -> None:
    tail = bytes.fromhex("b700000002000000" "9500000000000000")

    def ld(src: int, fd: int, off: int) -> bytes:
        return struct.pack("<BBhi", 0x18, (src << 4) | 1, 0, fd) + struct.pack("<BBhi", 0, 0, 0, off)

    assert prog_tag(ld(1, 3, 0) + tail) == prog_tag(ld(1, 99, 0) + tail)
    assert prog_tag(ld(2, 3, 4) + tail) == prog_tag(ld(2, 77, 0) + tail)
    assert prog_tag(ld(1, 3, 0) + tail) != prog_tag(ld(2, 3, 0) + tail)  # src_reg is hashed
    # a plain 64-bit constant keeps its value in the hash
    assert prog_tag(ld(0, 3, 0) + tail) != prog_tag(ld(0, 4, 0) + tail)
    assert tag_input(ld(1, 3, 0) + tail)[:16] == ld(1, 0, 0)


def test_loaded_program_reports_the_tag(tmp_path: Path) -> None:
    p = Process(tmp_path)
    try:
        fd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=3, insns=section_insns("tc_cls.o", "tc"),
                                               license="GPL", prog_name="tc_mark"))
        info = ProgInfo()
        p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
        assert info.tag.hex() == "ec27583e231bd0d0"
        assert info.prog_tags == [info.tag] and info.nr_prog_tags == 1
        m1 = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=2, key_size=4, value_size=8, max_entries=4))
        m2 = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=1, key_size=4, value_size=8, max_entries=64))
        insns = section_insns("xdp_count.o", "xdp", {"pkt_cnt": m1, "len_hash": m2})
        fd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=insns, license="GPL", prog_name="xdp_count"))
        info = ProgInfo()
        p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
        assert info.tag.hex() == "d93332723d4a5f70"
        assert len(info.map_ids) == 2
    finally:
        p.exit()


@pytest.mark.realkernel
@pytest.mark.parametrize("obj,sec,ptype", [
    ("tc_cls.o", "tc", 3), ("xdp_pass.o", "xdp", 6), ("xdp_count.o", "xdp", 6),
    ("xdp_eth_proto.o", "xdp", 6), ("xdp_fw_port.o", "xdp", 6), ("tc_ttl_dec.o", "tc", 3),
])
def test_tags_match_the_real_kernel(obj: str, sec: str, ptype: int) -> None:
    need_real()
    r = RealSys()
    maps: dict[str, int] = {}
    elf = ELFFile(open(PROGS / obj, "rb"))
    rel = elf.get_section_by_name(".rel" + sec)
    if rel is not None:
        symtab = elf.get_section(rel["sh_link"])
        for rr in rel.iter_relocations():
            name = symtab.get_symbol(rr["r_info_sym"]).name
            if name not in maps:
                maps[name] = r.map_create(2, 4, 8, 64)  # any map: the kernel zeroes fds before hashing
    insns = section_insns(obj, sec, maps)
    try:
        try:
            fd, _ = r.prog_load(ptype, insns, "GPL")
        except OSError:
            pytest.skip(f"{obj} does not load with placeholder maps")
        tag = r.fdinfo(fd)
        real = [line.split()[1] for line in open(f"/proc/self/fdinfo/{fd}") if line.startswith("prog_tag")][0]
        r.close(fd)
        assert prog_tag(insns).hex() == real, tag
    finally:
        for m in maps.values():
            r.close(m)
