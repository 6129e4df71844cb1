"""memlock: the map and program memory bpftool shows, as the 6.18 kernel computes it.

``RECORDED`` holds what the reference kernel reported (``/proc/self/fdinfo`` memlock, the
number behind ``bpftool map show``'s ``memlock NB``) for maps of every supported type at
several sizes; pykernel must give the same numbers. The ``realkernel`` test re-measures them.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pykernel import Process
from pykernel.uapi.attr import InfoAttr, MapCreateAttr, MapElemAttr, MapInfo, ProgInfo, ProgLoadAttr
from pykernel.uapi.consts import Cmd
from tests.test_kernel_realsys import RealSys, need_real

# (map_type, key_size, value_size, max_entries, flags) -> (memlock, max_entries, map_flags)
RECORDED: dict[tuple[int, int, int, int, int], tuple[int, int, int]] = {
    (1, 4, 8, 4, 0): (1360, 4, 0), (1, 4, 8, 16, 0): (2320, 16, 0), (1, 4, 8, 64, 0): (6160, 64, 0),
    (1, 8, 16, 100, 0): (10304, 100, 0), (1, 4, 4, 1, 0): (1120, 1, 0), (1, 16, 3, 1000, 0): (89440, 1000, 0),
    (1, 4, 8, 4, 1): (960, 4, 1), (1, 4, 8, 16, 1): (1152, 16, 1),
    (2, 4, 8, 4, 0): (344, 4, 0), (2, 4, 8, 16, 0): (440, 16, 0), (2, 4, 8, 64, 0): (824, 64, 0),
    (2, 4, 4, 1, 0): (320, 1, 0), (2, 4, 4, 2, 1024): (8192, 2, 1024), (2, 4, 4, 1, 1024): (8192, 1, 1024),
    (2, 4, 4, 1025, 1024): (16384, 1025, 1024), (2, 4, 8, 512, 1024): (8192, 512, 1024),
    (2, 4, 8, 513, 1024): (12288, 513, 1024),
    (3, 4, 4, 1, 0): (320, 1, 0), (4, 4, 4, 1, 0): (320, 1, 0),
    (5, 4, 8, 4, 0): (1280, 4, 0), (5, 4, 8, 16, 0): (2432, 16, 0), (5, 4, 8, 64, 0): (7040, 64, 0),
    (5, 8, 16, 100, 0): (12544, 100, 0), (5, 4, 4, 1, 0): (992, 1, 0), (5, 16, 3, 1000, 0): (105280, 1000, 0),
    (5, 4, 8, 4, 1): (960, 4, 1), (5, 4, 8, 16, 1): (1152, 16, 1),
    (6, 4, 8, 4, 0): (408, 4, 0), (6, 4, 8, 16, 0): (696, 16, 0), (6, 4, 8, 64, 0): (1848, 64, 0),
    (6, 4, 4, 1, 0): (336, 1, 0),
    (9, 4, 8, 4, 0): (1216, 4, 0), (9, 4, 8, 16, 0): (2176, 16, 0), (9, 4, 8, 64, 0): (6016, 64, 0),
    (9, 8, 16, 100, 0): (10144, 100, 0), (9, 4, 4, 1, 0): (976, 1, 0), (9, 16, 3, 1000, 0): (89280, 1000, 0),
    (9, 4, 8, 4, 2): (1216, 4, 2), (9, 8, 8, 7, 2): (1536, 8, 2),
    (10, 4, 8, 4, 0): (1280, 4, 0), (10, 4, 8, 16, 0): (2432, 16, 0), (10, 4, 8, 64, 0): (7040, 64, 0),
    (10, 8, 16, 100, 0): (12544, 100, 0), (10, 4, 4, 1, 0): (992, 1, 0), (10, 16, 3, 1000, 0): (105280, 1000, 0),
    (10, 4, 8, 4, 2): (1280, 4, 2), (10, 8, 8, 7, 2): (1664, 8, 2),
    (11, 8, 8, 4, 1): (0, 4, 1), (11, 8, 16, 100, 1): (0, 100, 1),
    (14, 4, 8, 4, 0): (376, 4, 128), (14, 4, 8, 16, 0): (472, 16, 128), (14, 4, 8, 64, 0): (856, 64, 128),
    (14, 4, 4, 1, 0): (352, 1, 128), (14, 4, 4, 3, 0): (368, 3, 128), (14, 4, 8, 7, 0): (400, 7, 128),
    (25, 4, 8, 4, 0): (376, 4, 128), (25, 4, 8, 16, 0): (472, 16, 128), (25, 4, 4, 1, 0): (352, 1, 128),
    (25, 4, 4, 3, 0): (376, 3, 128), (25, 4, 8, 7, 0): (408, 7, 128),
    (16, 4, 8, 4, 0): (336, 4, 0), (16, 4, 8, 16, 0): (432, 16, 0), (16, 4, 8, 64, 0): (816, 64, 0),
    (16, 4, 4, 1, 0): (312, 1, 0),
    (17, 4, 4, 1, 0): (312, 1, 0), (17, 4, 4, 2, 0): (320, 2, 0), (17, 4, 4, 100, 0): (1104, 100, 0),
    (17, 4, 4, 1000, 0): (8304, 1000, 0),
    (22, 0, 8, 4, 0): (352, 4, 0), (22, 0, 16, 100, 0): (1928, 100, 0), (22, 0, 3, 1000, 0): (3315, 1000, 0),
    (23, 0, 8, 16, 0): (448, 16, 0), (23, 0, 4, 1, 0): (320, 1, 0),
}

# cli-surface.md: "memlock 344B" array u32->u64 x4, "2320B" hash 4/8/16, "6160" hash 4/8/64,
# "8192B" for a frozen mmapable array 4/4/2 - all in RECORDED above.


def create(sys: object, key: tuple[int, int, int, int, int]) -> int:
    t, ks, vs, me, fl = key
    return sys.map_create(t, ks, vs, me, fl)  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_map_memlock_matches_recorded(tmp_path: Path, key: tuple[int, int, int, int, int]) -> None:
    from tests.test_kernel_realsys import SimSys

    p = Process(tmp_path)
    try:
        s = SimSys(p)
        fd = create(s, key)
        info = s.map_info(fd)
        assert (info["memlock"], info["max_entries"], info["map_flags"]) == RECORDED[key]
    finally:
        p.exit()


@pytest.mark.realkernel
def test_recorded_memlock_is_the_real_kernels() -> None:
    need_real()
    r = RealSys()
    for key, want in sorted(RECORDED.items()):
        fd = create(r, key)
        try:
            info = r.map_info(fd)
            assert (info["memlock"], info["max_entries"], info["map_flags"]) == want, key
        finally:
            r.close(fd)


def test_memlock_grows_with_elements_where_the_kernel_counts_them(tmp_path: Path) -> None:
    """No-prealloc hashes, LPM tries and devmap items are counted as they are added."""
    p = Process(tmp_path)
    try:
        def memlock(fd: int) -> int:
            info = MapInfo()
            p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
            return info.memlock

        h = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=1, key_size=4, value_size=8, max_entries=16,
                                                map_flags=1))
        assert memlock(h) == 1152
        for i in range(3):
            p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=h, key=struct.pack("<I", i), value=bytes(8)))
        # elem_size = 48 + 8 + 8 = 64, plus an llist_node (8) per element
        assert memlock(h) == 1152 + 3 * 72
        lm = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=11, key_size=8, value_size=4, max_entries=4,
                                                 map_flags=1))
        for plen, b in ((16, 1), (24, 2), (24, 3), (8, 4)):
            p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=lm, key=struct.pack("<IBBBB", plen, 192, 168, b, 0),
                                                   value=bytes(4)))
        assert memlock(lm) == 4 * (24 + 4 + 4)  # measured: 128
    finally:
        p.exit()


@pytest.mark.parametrize("n,want", [(2, 4096), (500, 4096), (501, 8192), (1012, 8192), (1013, 12288)])
def test_prog_memlock_is_pages_of_the_image(tmp_path: Path, n: int, want: int) -> None:
    """Measured: 500 instructions fit one page with the 96-byte bpf_prog header, 501 need two."""
    insns = bytes.fromhex("b700000002000000") * (n - 1) + bytes.fromhex("9500000000000000")
    p = Process(tmp_path)
    try:
        fd = p.bpf(Cmd.PROG_LOAD, ProgLoadAttr(prog_type=6, insns=insns, license="GPL"))
        info = ProgInfo()
        p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
        assert info.memlock == want
        assert info.xlated_prog_len == 8 * n
    finally:
        p.exit()
