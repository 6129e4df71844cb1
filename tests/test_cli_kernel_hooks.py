"""The Process methods pybpftool reads the simulated machine through, besides bpf() and
netlink: /proc/kallsyms (``dump xlated`` call targets), trace_pipe (``prog tracelog``),
the possible CPUs, the sysctls and kernel config ``feature probe`` reports, and dropping
privileges (``feature probe unprivileged``)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tests.test_cli_common import FIXTURES, PACKETS, run


def _proc(state: Path):  # noqa: ANN202
    from pykernel import Process

    return Process(state)


def test_kallsyms_places_helpers_as_the_reference_kernel(tmp_path: Path) -> None:
    """__bpf_call_base sits where it is on the reference machine, so helper symbols are at
    the same addresses there and here (``call __htab_map_lookup_elem#330864``)."""
    p = _proc(tmp_path / "s")
    syms = {name: addr for addr, _t, name, _m in p.kallsyms()}
    p.exit()
    assert syms["__bpf_call_base"] == 0xFFFFFFFF814CC810
    # reference machine: ffffffff8151d480 t __htab_map_lookup_elem
    assert syms["__htab_map_lookup_elem"] == 0xFFFFFFFF8151D480
    recorded = json.loads((FIXTURES / "helpers" / "kallsyms.json").read_text())["offsets"]
    for name, off in recorded.items():
        assert syms[name] - syms["__bpf_call_base"] == off, name


def _subprog_fixture_symbols() -> list[str]:
    rec = json.loads((FIXTURES / "xdp_subprog" / "xlated.json").read_text())["records"]
    text = next(r["stdout"] for r in rec if r.get("argv", [])[1:4] == ["prog", "dump", "xlated"]
                and len(r["argv"]) == 6)
    return [line.split("#", 1)[1] for line in text.splitlines() if "call pc" in line]


def test_kallsyms_names_jited_subprograms_like_the_kernel(tmp_path: Path) -> None:
    """Each function of a program with bpf-to-bpf calls gets bpf_prog_<its tag>_<BTF name>
    at the address prog info reports in jited_ksyms; the tags are the reference kernel's."""
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import Cmd

    state = tmp_path / "s"
    assert run(["prog", "load", "xdp_subprog.o", "/sys/fs/bpf/sp"], state).exit_code == 0
    p = _proc(state)
    fd = p.bpf(Cmd.OBJ_GET, A.ObjPinAttr(pathname="/sys/fs/bpf/sp"))
    info = A.ProgInfo()
    p.bpf(Cmd.OBJ_GET_INFO_BY_FD, A.InfoAttr(bpf_fd=fd, info=info))
    by_addr = {addr: (name, mod) for addr, _t, name, mod in p.kallsyms()}
    p.exit()
    names = [by_addr[a] for a in info.jited_ksyms]
    assert all(mod == "bpf" for _n, mod in names)
    # the main function's image has its own tag (taken after the verifier's rewrites)
    assert names[0][0].startswith("bpf_prog_") and names[0][0].endswith("_xdp_subprog")
    assert [n for n, _m in names[1:]] == _subprog_fixture_symbols()


def test_dump_xlated_resolves_calls_through_kallsyms(tmp_path: Path) -> None:
    """The subprogram dump, byte for byte as the real bpftool printed it (map id aside)."""
    import re

    state = tmp_path / "s"
    assert run(["prog", "load", "xdp_subprog.o", "/sys/fs/bpf/sp"], state).exit_code == 0
    got = run(["prog", "dump", "xlated", "pinned", "/sys/fs/bpf/sp"], state).out
    rec = json.loads((FIXTURES / "xdp_subprog" / "xlated.json").read_text())["records"]
    want = next(r["stdout"] for r in rec if r.get("argv", [])[1:4] == ["prog", "dump", "xlated"]
                and len(r["argv"]) == 6)
    mapid = re.compile(r"map\[id:\d+\]")
    assert mapid.sub("map[id:N]", got) == mapid.sub("map[id:N]", want)


def test_helper_calls_print_the_reference_symbols(tmp_path: Path) -> None:
    state = tmp_path / "s"
    assert run(["prog", "load", "xdp_trace.o", "/sys/fs/bpf/t"], state).exit_code == 0
    out = run(["prog", "dump", "xlated", "pinned", "/sys/fs/bpf/t"], state).out
    assert "(85) call bpf_trace_printk#-61360\n" in out


# ------------------------------------------------------------------------- trace_pipe
def test_tracelog_drains_what_programs_printed(tmp_path: Path) -> None:
    state = tmp_path / "s"
    assert run(["prog", "load", "xdp_trace.o", "/sys/fs/bpf/t"], state).exit_code == 0
    assert run(["prog", "tracelog"], state).out == ""
    pkt = str(PACKETS / "pkt64.bin")
    assert run(["prog", "run", "pinned", "/sys/fs/bpf/t", "data_in", pkt, "repeat", "2"], state).exit_code == 0
    r = run(["prog", "tracelog"], state)
    lines = r.out.splitlines(keepends=True)
    assert r.exit_code == 0 and len(lines) == 2
    for line in lines:
        # comm right-aligned in 16, "-pid" in 7, [cpu], flags, secs.usecs, then the event
        assert line[16] == "-" and line[24:31] == " [000] "
        assert line.endswith(": bpf_trace_printk: len 64 proto 0x800\n")
    assert run(["prog", "tracelog"], state).out == ""  # reading trace_pipe consumes


def test_trace_message_ending_in_newline_leaves_an_empty_line(tmp_path: Path) -> None:
    """trace_pipe ends every event with a newline, so a message that has its own prints
    an empty line after it; getline() returns it as a line of its own."""
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import Cmd, ProgType
    from pykernel.uapi.insn import Insn, encode_all

    fmt = struct.unpack("<i", b"hi\n\0")[0]
    insns = [Insn(0x62, 10, 0, -4, fmt),  # *(u32 *)(r10 -4) = "hi\n"
             Insn(0xBF, 1, 10, 0, 0), Insn(0x07, 1, 0, 0, -4),  # r1 = r10 - 4
             Insn(0xB7, 2, 0, 0, 4),  # r2 = 4
             Insn(0x85, 0, 0, 0, 6),  # call bpf_trace_printk
             Insn(0xB7, 0, 0, 0, 2), Insn(0x95, 0, 0, 0, 0)]
    state = tmp_path / "s"
    p = _proc(state)
    fd = p.bpf(Cmd.PROG_LOAD, A.ProgLoadAttr(prog_type=ProgType.XDP, insns=encode_all(insns), license="GPL"))
    p.bpf(Cmd.PROG_TEST_RUN, A.TestRunAttr(prog_fd=fd, data_in=bytes(64), repeat=1))
    lines = p.trace_pipe_read()
    p.exit()
    assert len(lines) == 2 and lines[0].endswith(": bpf_trace_printk: hi\n") and lines[1] == "\n"


# ------------------------------------------------------------------- machine facts
def test_possible_cpus(tmp_path: Path) -> None:
    p = _proc(tmp_path / "s")
    assert p.nr_cpus() == 2
    p.exit()


def test_sysctls_and_config_of_the_simulated_build(tmp_path: Path) -> None:
    from pykernel.uapi.errors import SyscallError

    p = _proc(tmp_path / "s")
    assert p.sysctl("kernel.unprivileged_bpf_disabled") == 2
    assert p.sysctl("net.core.bpf_jit_enable") == 1
    assert p.sysctl("net.core.bpf_jit_harden") == 0
    cfg = p.kernel_config()
    assert cfg["CONFIG_BPF_SYSCALL"] == "y" and cfg["CONFIG_HZ"] == "250"
    assert "CONFIG_DEBUG_INFO_BTF" not in cfg  # no vmlinux BTF in the simulation
    with pytest.raises(SyscallError) as e:
        p.sysctl("net.core.nosuch")
    assert e.value.errno == 2
    p.exit()


def test_unprivileged_process_gets_eperm(tmp_path: Path) -> None:
    """With kernel.unprivileged_bpf_disabled set, bpf() without CAP_BPF/CAP_SYS_ADMIN is
    EPERM, and the JIT sysctls other than bpf_jit_enable cannot be read."""
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import Cmd, MapType
    from pykernel.uapi.errors import SyscallError

    p = _proc(tmp_path / "s")
    p.drop_privileges()
    with pytest.raises(SyscallError) as e:
        p.bpf(Cmd.MAP_CREATE, A.MapCreateAttr(map_type=MapType.HASH, key_size=4, value_size=4, max_entries=1))
    assert e.value.errno == 1
    assert p.sysctl("net.core.bpf_jit_enable") == 1
    with pytest.raises(SyscallError) as e:
        p.sysctl("net.core.bpf_jit_harden")
    assert e.value.errno == 1
    p.exit()


# ------------------------------------------------------------------------- perf rings
def _perf_prog(p, map_fd: int) -> int:  # noqa: ANN001
    """XDP: bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, &0x11223344, 4); XDP_PASS."""
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import Cmd, ProgType
    from pykernel.uapi.insn import Insn, encode_all

    insns = [Insn(0xBF, 6, 1, 0, 0),  # r6 = r1
             Insn(0x62, 10, 0, -4, 0x11223344),  # *(u32 *)(r10 -4) = 0x11223344
             Insn(0xBF, 1, 6, 0, 0),
             Insn(0x18, 2, 1, 0, map_fd), Insn(0, 0, 0, 0, 0),  # r2 = map
             Insn(0xB4, 3, 0, 0, -1),  # w3 = BPF_F_CURRENT_CPU
             Insn(0xBF, 4, 10, 0, 0), Insn(0x07, 4, 0, 0, -4),
             Insn(0xB7, 5, 0, 0, 4),
             Insn(0x85, 0, 0, 0, 25),  # call bpf_perf_event_output
             Insn(0xBF, 7, 0, 0, 0),
             Insn(0xB7, 0, 0, 0, 2), Insn(0x95, 0, 0, 0, 0)]
    return p.bpf(Cmd.PROG_LOAD, A.ProgLoadAttr(prog_type=ProgType.XDP, insns=encode_all(insns), license="GPL"))


def test_event_pipe_reads_what_programs_sent(tmp_path: Path) -> None:
    """The first event_pipe installs a ring per CPU (as a running bpftool would); samples
    programs send afterwards come out of the next one, once; without a reader the helper
    fails with ENOENT, as on Linux."""
    from pykernel.uapi import attr as A
    from pykernel.uapi.consts import Cmd

    state = tmp_path / "s"
    assert run(["map", "create", "/sys/fs/bpf/pe", "type", "perf_event_array", "key", "4", "value", "4",
                "entries", "2", "name", "pe"], state).exit_code == 0
    p = _proc(state)
    mfd = p.bpf(Cmd.OBJ_GET, A.ObjPinAttr(pathname="/sys/fs/bpf/pe"))
    pfd = _perf_prog(p, mfd)
    p.bpf(Cmd.OBJ_PIN, A.ObjPinAttr(pathname="/sys/fs/bpf/pp", bpf_fd=pfd))
    p.exit()
    frame = tmp_path / "f.bin"
    frame.write_bytes(bytes(64))
    assert run(["prog", "run", "pinned", "/sys/fs/bpf/pp", "data_in", str(frame)], state).exit_code == 0
    r = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe"], state)
    assert (r.exit_code, r.out, r.err) == (0, "", "")  # nobody was listening: nothing kept
    for _ in range(2):
        assert run(["prog", "run", "pinned", "/sys/fs/bpf/pp", "data_in", str(frame)], state).exit_code == 0
    r = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe"], state)
    lines = r.out.splitlines()
    assert r.exit_code == 0 and len(lines) == 4
    assert lines[0].startswith("== @") and lines[0].endswith(" CPU: 0 index: 0 =====")
    assert lines[1] == "44 33 22 11"
    assert run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe"], state).out == ""  # consumed
    assert run(["prog", "run", "pinned", "/sys/fs/bpf/pp", "data_in", str(frame)], state).exit_code == 0
    j = run(["-j", "map", "event_pipe", "pinned", "/sys/fs/bpf/pe"], state).out
    assert j.startswith('[{"type":9,"cpu":0,"index":0,"timestamp":') and j.endswith('"data":[68,51,34,17]}]\n')
    r = run(["map", "event_pipe", "pinned", "/sys/fs/bpf/pe", "cpu", "5", "index", "0"], state)
    assert r.exit_code == 255 and r.err.startswith("Error: failed to create perf buffer: Invalid argument")
