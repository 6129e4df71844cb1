"""Loading objects: the bpf() calls pylibbpf makes and the messages it prints, first
against a recording stand-in for ``proc.bpf`` (the exact attrs, retry policies, cleanup),
then end to end into the simulated kernel (pykernel.Process): maps created and filled,
programs loaded and run, pins, reuse, and every failure path with libbpf's wording."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pykernel.uapi import btf as ubtf
from pykernel.uapi.attr import MapInfo, ProgInfo
from pykernel.uapi.consts import Cmd, MapFlags, MapType, ProgType
from pykernel.uapi.errors import SyscallError
from pylibbpf import BpfObject, LibbpfError, close_object, load_object
from pylibbpf import bpf as B
from pylibbpf.loader import BPF_LOG_BUF_SIZE

HERE = Path(__file__).resolve().parent
PROGS = HERE / "progs" / "libbpf"
CORPUS = HERE / "progs"


# ------------------------------------------------------------------ a recording stand-in

class RecordingProc:
    """Answers bpf() like a kernel that accepts everything (or fails on request) and keeps
    every (cmd, attr) it was given."""

    def __init__(self, fail: dict | None = None) -> None:
        self.calls: list[tuple[int, object]] = []
        self.next_fd = 3
        self.open: set[int] = set()
        self.fail = fail or {}  # cmd -> callable(attr) -> errno | None
        self.maps: dict[int, MapInfo] = {}
        self.pins: dict[str, int] = {}
        self.closed: list[int] = []

    def _fd(self) -> int:
        fd = self.next_fd
        self.next_fd += 1
        self.open.add(fd)
        return fd

    def bpf(self, cmd: int, attr: object) -> int:
        self.calls.append((cmd, attr))
        f = self.fail.get(cmd)
        if f is not None:
            err = f(attr)
            if err:
                raise SyscallError(err)
        if cmd == Cmd.BTF_LOAD:
            ubtf.verify(attr.btf)  # what a kernel checks: the loader's fixups must make it pass
            return self._fd()
        if cmd == Cmd.MAP_CREATE:
            fd = self._fd()
            self.maps[fd] = MapInfo(type=attr.map_type, id=fd, key_size=attr.key_size, value_size=attr.value_size,
                                    max_entries=attr.max_entries, map_flags=attr.map_flags, name=attr.map_name)
            return fd
        if cmd in (Cmd.PROG_LOAD, Cmd.MAP_GET_FD_BY_ID):
            return self._fd()
        if cmd == Cmd.OBJ_GET:
            if attr.pathname not in self.pins:
                raise SyscallError(2)
            fd = self._fd()
            self.maps[fd] = self.maps[self.pins[attr.pathname]]
            return fd
        if cmd == Cmd.OBJ_PIN:
            if attr.pathname in self.pins:
                raise SyscallError(17)
            self.pins[attr.pathname] = attr.bpf_fd
            return 0
        if cmd == Cmd.OBJ_GET_INFO_BY_FD:
            src = self.maps[attr.bpf_fd]
            for k, v in vars(src).items():
                setattr(attr.info, k, v)
            return 0
        return 0

    def close(self, fd: int) -> None:
        self.open.discard(fd)
        self.closed.append(fd)

    def cmds(self) -> list[str]:
        return [Cmd(c).name for c, _ in self.calls]

    def attrs(self, cmd: int) -> list:
        return [a for c, a in self.calls if c == cmd]


def _load(path: Path, proc, **kw) -> tuple[BpfObject, list[tuple[int, str]]]:  # noqa: ANN001
    msgs: list[tuple[int, str]] = []
    obj = BpfObject.open(path, pin_root_path="/sys/fs/bpf/pybpf-libbpf")
    load_object(obj, proc, print_fn=lambda lvl, m: msgs.append((lvl, m)), **kw)
    return obj, msgs


def test_call_sequence_and_attrs_for_global_data() -> None:
    proc = RecordingProc()
    obj, _ = _load(PROGS / "globals.o", proc)
    assert proc.cmds() == ["BTF_LOAD",
                           "MAP_CREATE", "MAP_UPDATE_ELEM", "MAP_FREEZE",  # .rodata: filled then frozen
                           "MAP_CREATE", "MAP_UPDATE_ELEM",  # .data
                           "MAP_CREATE", "MAP_UPDATE_ELEM",  # .data.extra
                           "MAP_CREATE", "MAP_UPDATE_ELEM",  # .bss (zeros)
                           "PROG_LOAD"]
    creates = proc.attrs(Cmd.MAP_CREATE)
    assert [(a.map_name, a.map_type, a.key_size, a.value_size, a.max_entries, a.map_flags) for a in creates] == [
        ("globals.rodata", MapType.ARRAY, 4, 12, 1, MapFlags.MMAPABLE | MapFlags.RDONLY_PROG),
        ("globals.data", MapType.ARRAY, 4, 16, 1, MapFlags.MMAPABLE),
        (".data.extra", MapType.ARRAY, 4, 8, 1, MapFlags.MMAPABLE),
        ("globals.bss", MapType.ARRAY, 4, 24, 1, MapFlags.MMAPABLE)]
    assert all(a.btf_fd == 3 and a.btf_key_type_id == 0 and a.btf_value_type_id for a in creates)
    updates = proc.attrs(Cmd.MAP_UPDATE_ELEM)
    assert updates[0].value[:4] == struct.pack("<I", 14) and updates[3].value == bytes(24)
    load = proc.attrs(Cmd.PROG_LOAD)[0]
    assert (load.prog_type, load.prog_name, load.license, load.log_level, load.log_buf) == (
        ProgType.SCHED_CLS, "tc_globals", "GPL", 0, None)
    assert load.prog_btf_fd == 3 and load.func_info_cnt == 1 and load.line_info_cnt > 3
    assert load.func_info_rec_size == 8 and load.line_info_rec_size == 16
    # ld_imm64 against .data/.rodata: BPF_PSEUDO_MAP_VALUE with the variable's offset
    from pykernel.uapi.insn import decode_all

    ld = [(i.src, i.imm, n.imm) for i, n in zip(decode_all(load.insns), decode_all(load.insns)[1:], strict=False)
          if i.is_ld_imm64() and i.src]
    assert (2, obj.find_map(".data").fd, 8) in ld  # last_len[1] lives at .data+8 (+4 in the insn)


def test_prog_name_truncated_and_log_retry_policy() -> None:
    proc = RecordingProc(fail={Cmd.PROG_LOAD: lambda a: 13})
    obj = BpfObject.open(PROGS / "long_object_name_strings.o")
    obj.programs[0].name = "a_program_name_longer_than_15"
    msgs: list[tuple[int, str]] = []
    with pytest.raises(LibbpfError) as e:
        load_object(obj, proc, print_fn=lambda lvl, m: msgs.append((lvl, m)))
    loads = proc.attrs(Cmd.PROG_LOAD)
    assert [(a.log_level, a.log_size) for a in loads] == [(0, 0), (1, BPF_LOG_BUF_SIZE)]
    assert loads[0].prog_name == "a_program_name_"
    assert e.value.errno == 13
    assert [m for lvl, m in msgs if lvl == 0] == [
        "libbpf: prog 'a_program_name_longer_than_15': BPF program load failed: Permission denied",
        "libbpf: prog 'a_program_name_longer_than_15': failed to load: -13",
        f"libbpf: failed to load object '{PROGS / 'long_object_name_strings.o'}'"]
    assert proc.open == set()  # everything created was closed again


def test_log_buffer_grows_on_enospc() -> None:
    sizes: list[int] = []

    def fail(a) -> int:  # noqa: ANN001
        sizes.append(a.log_size)
        if a.log_level and a.log_size < 4 * BPF_LOG_BUF_SIZE:
            a.log_buf[:5] = b"full\n"
            return 28  # ENOSPC
        if a.log_level:
            a.log_buf[:9] = b"the log\n\0"
            return 13
        return 13

    proc = RecordingProc(fail={Cmd.PROG_LOAD: fail})
    obj = BpfObject.open(CORPUS / "bad.o")
    msgs: list[tuple[int, str]] = []
    with pytest.raises(LibbpfError) as e:
        load_object(obj, proc, print_fn=lambda lvl, m: msgs.append((lvl, m)))
    assert sizes == [0, BPF_LOG_BUF_SIZE, 2 * BPF_LOG_BUF_SIZE, 4 * BPF_LOG_BUF_SIZE]
    assert msgs[1] == (0, "libbpf: prog 'xdp_bad': -- BEGIN PROG LOAD LOG --\nthe log\n-- END PROG LOAD LOG --")
    assert e.value.log == "the log\n"


def test_verifier_log_on_success_when_asked() -> None:
    def ok(a) -> None:  # noqa: ANN001
        if a.log_level:
            a.log_buf[:12] = b"processed 2\n"

    proc = RecordingProc(fail={Cmd.PROG_LOAD: ok})
    _, msgs = _load(CORPUS / "xdp_pass.o", proc, log_level=1 | 2 | 4)
    assert proc.attrs(Cmd.PROG_LOAD)[0].log_level == 7
    assert (2, "libbpf: prog 'xdp_pass': -- BEGIN PROG LOAD LOG --\nprocessed 2\n-- END PROG LOAD LOG --") in msgs


def test_btf_load_failure_is_optional() -> None:
    proc = RecordingProc(fail={Cmd.BTF_LOAD: lambda a: 22})
    obj, msgs = _load(PROGS / "xdp_count.o", proc)
    warn = [m for lvl, m in msgs if lvl == 0]
    assert warn == ["libbpf: BTF loading error: -22",
                    "libbpf: Error loading .BTF into kernel: -22. BTF is optional, ignoring."]
    assert all(a.btf_fd == 0 for a in proc.attrs(Cmd.MAP_CREATE))
    load = proc.attrs(Cmd.PROG_LOAD)[0]
    assert load.prog_btf_fd == 0 and load.func_info is None and load.line_info is None


def test_map_create_retries_without_btf() -> None:
    proc = RecordingProc(fail={Cmd.MAP_CREATE: lambda a: 22 if a.btf_key_type_id else None})
    obj, msgs = _load(PROGS / "xdp_count.o", proc)
    assert "libbpf: Error in bpf_create_map_xattr(pkt_cnt):Invalid argument(-22). Retrying without BTF." in [
        m for _, m in msgs]
    assert obj.find_map("pkt_cnt").btf_key_type_id == 0


def test_map_create_failure_message_and_cleanup() -> None:
    proc = RecordingProc(fail={Cmd.MAP_CREATE: lambda a: 1 if a.map_name == "len_hash" else None})
    obj = BpfObject.open(PROGS / "xdp_count.o")
    msgs: list[str] = []
    with pytest.raises(LibbpfError) as e:
        load_object(obj, proc, print_fn=lambda lvl, m: msgs.append(m))
    assert msgs[-2:] == ["libbpf: map 'len_hash': failed to create: Operation not permitted(-1)",
                         f"libbpf: failed to load object '{PROGS / 'xdp_count.o'}'"]
    assert e.value.errno == 1 and proc.open == set()
    assert "PROG_LOAD" not in proc.cmds()


def test_map_in_map_inner_template_and_slots() -> None:
    proc = RecordingProc()
    obj, msgs = _load(PROGS / "mapdefs.o", proc)
    creates = proc.attrs(Cmd.MAP_CREATE)
    names = [a.map_name for a in creates]
    assert names == ["inner1", "inner2", "outer.inner", "outer", "jumps", "sized", "numa"]
    outer = creates[3]
    assert outer.inner_map_fd == creates_fd(proc, "outer.inner") and outer.btf_fd == 0
    assert creates_fd(proc, "outer.inner") in proc.closed  # the template is dropped after use
    text = [m for _, m in msgs]
    assert f"libbpf: map 'outer': slot [0] set to map 'inner1' fd={obj.find_map('inner1').fd}" in text
    assert f"libbpf: map 'jumps': slot [1] set to prog 'tail_target' fd={obj.find_program('tail_target').fd}" \
        in text
    assert proc.pins == {"/sys/fs/bpf/pybpf-libbpf/sized": obj.find_map("sized").fd}
    updates = [(a.map_fd, a.key, a.value) for a in proc.attrs(Cmd.MAP_UPDATE_ELEM)]
    assert (obj.find_map("jumps").fd, b"\1\0\0\0", struct.pack("<I", obj.find_program("tail_target").fd)) in updates


def creates_fd(proc: RecordingProc, name: str) -> int:
    return [fd for fd, info in proc.maps.items() if info.name == name][0]


def test_pinned_map_reuse_by_name() -> None:
    proc = RecordingProc()
    first, _ = _load(PROGS / "mapdefs.o", proc)
    second, msgs = _load(PROGS / "mapdefs.o", proc)
    assert "libbpf: reused pinned map at '/sys/fs/bpf/pybpf-libbpf/sized'" in [m for _, m in msgs]
    assert [a.map_name for a in proc.attrs(Cmd.MAP_CREATE)].count("sized") == 1


def test_map_reuse_and_overrides() -> None:
    proc = RecordingProc()
    fd = B.bpf_map_create(proc, MapType.ARRAY, "pkt_cnt", 4, 8, 4)
    obj, msgs = _load(PROGS / "xdp_count.o", proc, map_reuse={"pkt_cnt": fd}, prog_type=ProgType.SCHED_CLS,
                      ifindex=7)
    assert [a.map_name for a in proc.attrs(Cmd.MAP_CREATE)] == ["pkt_cnt", "len_hash"]  # ours + the other
    assert obj.find_map("pkt_cnt").reused
    assert f"libbpf: map 'pkt_cnt': skipping creation (preset fd={obj.find_map('pkt_cnt').fd})" in [
        m for _, m in msgs]
    load = proc.attrs(Cmd.PROG_LOAD)[0]
    assert (load.prog_type, load.expected_attach_type, load.prog_ifindex) == (ProgType.SCHED_CLS, 0, 7)
    assert proc.attrs(Cmd.MAP_CREATE)[1].map_ifindex == 7
    with pytest.raises(LibbpfError, match="unable to find map 'nosuchmap'"):
        _load(PROGS / "xdp_count.o", RecordingProc(), map_reuse={"nosuchmap": fd})


def test_pin_maps_dir_sanitizes_names() -> None:
    proc = RecordingProc()
    _load(PROGS / "globals.o", proc, pin_maps_dir="/sys/fs/bpf/x/maps")
    assert sorted(proc.pins) == ["/sys/fs/bpf/x/maps/_data_extra", "/sys/fs/bpf/x/maps/globals_bss",
                                 "/sys/fs/bpf/x/maps/globals_data", "/sys/fs/bpf/x/maps/globals_rodata"]


def test_unknown_section_and_btf_targets_fail_clearly() -> None:
    proc = RecordingProc()
    obj = BpfObject.open(PROGS / "unknown_sec.o")
    msgs: list[str] = []
    with pytest.raises(LibbpfError) as e:
        load_object(obj, proc, print_fn=lambda lvl, m: msgs.append(m))
    assert e.value.errno == 22
    assert msgs == ["libbpf: prog 'frob_prog': missing BPF prog type, check ELF section name 'frob'",
                    "libbpf: prog 'frob_prog': failed to load: -22",
                    f"libbpf: failed to load object '{PROGS / 'unknown_sec.o'}'"]
    obj = BpfObject.open(PROGS / "core_relo.o")
    with pytest.raises(LibbpfError) as e:
        load_object(obj, RecordingProc())
    assert e.value.errno == 3 and "kernel BTF" in str(e.value)


def test_load_twice_is_refused() -> None:
    proc = RecordingProc()
    obj, _ = _load(CORPUS / "xdp_pass.o", proc)
    with pytest.raises(LibbpfError, match="load can't be attempted twice"):
        load_object(obj, proc)
    close_object(obj, proc)
    assert proc.open == set()


def test_low_level_wrappers_map_errno() -> None:
    proc = RecordingProc(fail={Cmd.MAP_LOOKUP_ELEM: lambda a: 2})
    with pytest.raises(LibbpfError) as e:
        B.bpf_map_lookup_elem(proc, 3, b"\0\0\0\0", 8)
    assert e.value.errno == 2 and str(e.value) == "No such file or directory"
    B.bpf_obj_pin(proc, 3, "/sys/fs/bpf/p")
    assert proc.pins["/sys/fs/bpf/p"] == 3


# ------------------------------------------------------------------ the simulated kernel

process_mod = pytest.importorskip("pykernel.process")


@pytest.fixture()
def proc(tmp_path):  # noqa: ANN001, ANN201
    p = process_mod.Process(tmp_path / "state")
    yield p
    p.exit()


def _test_run(proc, fd: int, data: bytes, **kw):  # noqa: ANN001, ANN202
    try:
        return B.bpf_prog_test_run_opts(proc, fd, data_in=data, **kw)
    except LibbpfError as e:
        if e.errno == 524:
            pytest.skip("this build of the simulated kernel has no BPF_PROG_TEST_RUN yet")
        raise


def _pkt(size: int = 64) -> bytes:
    return bytes.fromhex("ffffffffffff020000000001") + b"\x08\x00" + bytes(size - 14)


def test_end_to_end_xdp_count(proc) -> None:  # noqa: ANN001
    obj, msgs = _load(PROGS / "xdp_count.o", proc)
    prog = obj.programs[0]
    info = B.bpf_prog_get_info_by_fd(proc, prog.fd)
    assert (info.type, info.name, info.gpl_compatible) == (ProgType.XDP, "xdp_count", True)
    maps = {m.name: B.bpf_map_get_info_by_fd(proc, m.fd) for m in obj.maps}
    assert sorted(info.map_ids) == sorted(i.id for i in maps.values())
    assert (maps["pkt_cnt"].type, maps["pkt_cnt"].max_entries, maps["len_hash"].type) == (
        MapType.ARRAY, 4, MapType.HASH)
    assert maps["pkt_cnt"].btf_id and maps["pkt_cnt"].btf_key_type_id == obj.find_map("pkt_cnt").btf_key_type_id
    run = _test_run(proc, prog.fd, _pkt(64), data_size_out=64)
    assert run.retval == 2
    _test_run(proc, prog.fd, _pkt(64), data_size_out=64)
    assert B.bpf_map_lookup_elem(proc, obj.find_map("pkt_cnt").fd, b"\0\0\0\0", 8) == struct.pack("<Q", 2)
    assert B.bpf_map_lookup_elem(proc, obj.find_map("len_hash").fd, struct.pack("<I", 64), 8) == struct.pack("<Q", 2)
    assert [m for _, m in msgs if "created successfully" in m] == [
        f"libbpf: map 'pkt_cnt': created successfully, fd={obj.maps[0].fd}",
        f"libbpf: map 'len_hash': created successfully, fd={obj.maps[1].fd}"]


def test_end_to_end_global_data(proc) -> None:  # noqa: ANN001
    obj, _ = _load(PROGS / "globals.o", proc)
    rodata, data = obj.find_map(".rodata"), obj.find_map(".data")
    assert B.bpf_map_get_info_by_fd(proc, rodata.fd).frozen
    assert not B.bpf_map_get_info_by_fd(proc, data.fd).frozen
    assert B.bpf_map_lookup_elem(proc, data.fd, b"\0\0\0\0", 16) == struct.pack("<QII", 7, 1, 2)
    with pytest.raises(LibbpfError) as e:  # frozen: user space cannot write .rodata
        B.bpf_map_update_elem(proc, rodata.fd, b"\0\0\0\0", bytes(12))
    assert e.value.errno == 1
    run = _test_run(proc, obj.programs[0].fd, _pkt(64))
    assert run.retval in (0, 1)
    seen, _, last = struct.unpack("<QII", B.bpf_map_lookup_elem(proc, data.fd, b"\0\0\0\0", 16))
    assert (seen, last) == (8, 64)


def test_end_to_end_subprograms(proc) -> None:  # noqa: ANN001
    obj, _ = _load(PROGS / "subprogs.o", proc)
    infos = {p.name: B.bpf_prog_get_info_by_fd(proc, p.fd) for p in obj.programs}
    assert infos["xdp_one"].nr_func_info == 3 and infos["tc_sub"].nr_func_info == 2
    run = _test_run(proc, obj.find_program("xdp_two").fd, _pkt(64))
    assert run.retval == 2
    counters = obj.find_map("counters")
    assert B.bpf_map_lookup_elem(proc, counters.fd, b"\1\0\0\0", 8) == struct.pack("<Q", 1)


def test_end_to_end_prog_array_slots(proc) -> None:  # noqa: ANN001
    obj, msgs = _load(PROGS / "progarray.o", proc)
    leaf_id = B.bpf_prog_get_info_by_fd(proc, obj.find_program("xdp_leaf").fd).id
    table = obj.find_map("table")
    assert struct.unpack("<I", B.bpf_map_lookup_elem(proc, table.fd, b"\2\0\0\0", 4))[0] == leaf_id
    run = _test_run(proc, obj.find_program("xdp_root").fd, _pkt(64))
    assert run.retval == 1  # XDP_DROP from the tail-called leaf


def test_end_to_end_verifier_rejection_like_bpftool(proc) -> None:  # noqa: ANN001
    obj = BpfObject.open("tests/progs/bad.o" if Path("tests/progs/bad.o").exists() else CORPUS / "bad.o")
    lines: list[str] = []
    with pytest.raises(LibbpfError) as e:
        load_object(obj, proc, print_fn=lambda lvl, m: lines.append(m))
    assert e.value.errno == 13
    assert lines[0] == "libbpf: prog 'xdp_bad': BPF program load failed: Permission denied"
    assert lines[1].startswith("libbpf: prog 'xdp_bad': -- BEGIN PROG LOAD LOG --\n")
    assert lines[1].endswith("\n-- END PROG LOAD LOG --")
    assert "invalid access to packet" in lines[1]
    assert lines[2:] == ["libbpf: prog 'xdp_bad': failed to load: -13",
                         f"libbpf: failed to load object '{obj.path}'"]
    assert proc.fds() == []  # nothing leaked


def test_end_to_end_pins_reuse_and_close(proc) -> None:  # noqa: ANN001
    obj, _ = _load(PROGS / "xdp_count.o", proc, pin_maps_dir="/sys/fs/bpf/t/maps")
    fd = B.bpf_obj_get(proc, "/sys/fs/bpf/t/maps/pkt_cnt")
    pinned_id = B.bpf_map_get_info_by_fd(proc, fd).id
    assert pinned_id == B.bpf_map_get_info_by_fd(proc, obj.find_map("pkt_cnt").fd).id
    again, _ = _load(PROGS / "xdp_count.o", proc, map_reuse={"pkt_cnt": fd, 1: fd})
    prog_info = B.bpf_prog_get_info_by_fd(proc, again.programs[0].fd)
    assert prog_info.map_ids == [pinned_id]
    close_object(again, proc)
    close_object(obj, proc)
    proc.close(fd)
    assert proc.fds() == []


def test_end_to_end_btf_and_prog_info(proc) -> None:  # noqa: ANN001
    obj, _ = _load(PROGS / "btftypes.o", proc)
    info = B.bpf_prog_get_info_by_fd(proc, obj.programs[0].fd)
    assert info.btf_id and info.nr_line_info > 0
    btf_fd = B.bpf_btf_get_fd_by_id(proc, info.btf_id)
    from pykernel.uapi.attr import BtfInfo

    binfo = B.bpf_obj_get_info_by_fd(proc, btf_fd, BtfInfo(btf=b""))
    assert isinstance(binfo, BtfInfo) and binfo.btf_size == len(obj.btf.raw())
    assert isinstance(info, ProgInfo)


def test_section_flags_follow_the_program_type() -> None:
    """xdp.frags asks for BPF_F_XDP_HAS_FRAGS, syscall for BPF_F_SLEEPABLE; a program whose
    type is overridden away from XDP loses the frags flag (libbpf's prepare_load rule)."""
    obj = BpfObject.open(PROGS / "sections.o")
    assert obj.find_program("s_xdp_frags").load_flags() == 1 << 5
    assert obj.find_program("s_xdp").load_flags() == 0
    assert obj.find_program("s_syscall").load_flags() == 1 << 4
    p = obj.find_program("s_xdp_frags_devmap")
    p.set_type(ProgType.SCHED_CLS)
    assert p.load_flags() == 0
    p.prog_flags = 1  # BPF_F_STRICT_ALIGNMENT from the user
    assert p.load_flags() == 1
