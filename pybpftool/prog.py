"""``pybpftool prog``: show, dump, pin, load/loadall, attach/detach, run, tracelog,
profile — bpftool v7.1's prog.c on the simulated kernel."""

from __future__ import annotations

import os
import sys
import time

from pykernel.uapi.consts import prog_type_name

from . import common, kern
from .common import (
    Args,
    Cmd,
    cmd_select,
    detect_common_prefix,
    fprint_hex,
    is_prefix,
    opts,
    p_err,
    p_info,
    print_usage,
    req_args,
    strtoul,
    usage,
)
from .handles import do_pin_any, map_parse_fd, pinned_table, prog_full_name, prog_parse_fd, prog_parse_fds
from .kern import SyscallError, strerror

USAGE = """\
Usage: %1$s %2$s { show | list } [PROG]
       %1$s %2$s dump xlated PROG [{ file FILE | opcodes | visual | linum }]
       %1$s %2$s dump jited  PROG [{ file FILE | opcodes | linum }]
       %1$s %2$s pin   PROG FILE
       %1$s %2$s { load | loadall } OBJ  PATH \\
                         [type TYPE] [dev NAME] \\
                         [map { idx IDX | name NAME } MAP]\\
                         [pinmaps MAP_DIR]
       %1$s %2$s attach PROG ATTACH_TYPE [MAP]
       %1$s %2$s detach PROG ATTACH_TYPE [MAP]
       %1$s %2$s run PROG \\
                         data_in FILE \\
                         [data_out FILE [data_size_out L]] \\
                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] \\
                         [repeat N]
       %1$s %2$s profile PROG [duration DURATION] METRICs
       %1$s %2$s tracelog
       %1$s %2$s help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       TYPE := { socket | kprobe | kretprobe | classifier | action |
                 tracepoint | raw_tracepoint | xdp | perf_event | cgroup/skb |
                 cgroup/sock | cgroup/dev | lwt_in | lwt_out | lwt_xmit |
                 lwt_seg6local | sockops | sk_skb | sk_msg | lirc_mode2 |
                 sk_reuseport | flow_dissector | cgroup/sysctl |
                 cgroup/bind4 | cgroup/bind6 | cgroup/post_bind4 |
                 cgroup/post_bind6 | cgroup/connect4 | cgroup/connect6 |
                 cgroup/getpeername4 | cgroup/getpeername6 |
                 cgroup/getsockname4 | cgroup/getsockname6 | cgroup/sendmsg4 |
                 cgroup/sendmsg6 | cgroup/recvmsg4 | cgroup/recvmsg6 |
                 cgroup/getsockopt | cgroup/setsockopt | cgroup/sock_release |
                 struct_ops | fentry | fexit | freplace | sk_lookup }
       ATTACH_TYPE := { sk_msg_verdict | sk_skb_verdict | sk_skb_stream_verdict |
                        sk_skb_stream_parser | flow_dissector }
       METRIC := { cycles | instructions | l1d_loads | llc_misses | itlb_misses | dtlb_misses }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-m|--mapcompat} | {-n|--nomount} |
                    {-L|--use-loader} }
"""

STRICT_WARNING = (
    "Warning: bpftool is now running in libbpf strict mode and has more stringent requirements "
    "about BPF programs.\nIf it used to work for this object file but now doesn't, see --legacy "
    "option for more details.\n\n")

# attach types `prog attach|detach` accepts (bpftool's attach_type_strings, in order)
ATTACH_TYPES = ("sk_msg_verdict", "sk_skb_verdict", "sk_skb_stream_verdict", "sk_skb_stream_parser",
                "flow_dissector")


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


# ------------------------------------------------------------------------------- show
def boot_time_str(load_time_ns: int, json: bool) -> str:
    """bpftool's print_boot_time: load_time is nanoseconds since boot, the wall time is
    boot time + load_time, printed in local time (epoch seconds in JSON)."""
    secs = (kern.boot_wall_ns() + load_time_ns) // 1_000_000_000
    if json:
        return str(secs)
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(secs))


def prog_memlock(info) -> int:
    """fdinfo's memlock: whole pages holding struct bpf_prog and its instructions."""
    memlock = getattr(info, "memlock", None)
    if memlock:
        return int(memlock)
    size = 72 + info.xlated_prog_len
    return ((size + 4095) // 4096) * 4096


def print_dev_plain(info) -> str:
    if not info.ifindex:
        return ""
    name = kern.ifindex_name(info.ifindex, info.netns_dev, info.netns_ino)
    if name:
        return f"  offloaded_to {name}"
    return f"  offloaded_to ifindex {info.ifindex} ns_dev {info.netns_dev} ns_ino {info.netns_ino}"


def print_dev_json(info) -> None:
    if not info.ifindex:
        return
    jw = common.jw
    jw.name("dev")
    jw.start_object()
    jw.uint_field("ifindex", info.ifindex)
    jw.uint_field("ns_dev", info.netns_dev)
    jw.uint_field("ns_inode", info.netns_ino)
    name = kern.ifindex_name(info.ifindex, info.netns_dev, info.netns_ino)
    if name:
        jw.string_field("ifname", name)
    jw.end_object()


def _type_str(info) -> str | None:
    name = prog_type_name(info.type)
    return None if name.startswith("type ") else name


def print_header_json(info, fd: int) -> None:
    jw = common.jw
    jw.uint_field("id", info.id)
    t = _type_str(info)
    if t is not None:
        jw.string_field("type", t)
    else:
        jw.uint_field("type", info.type)
    if info.name:
        jw.string_field("name", prog_full_name(info, fd))
    jw.name("tag")
    jw.raw('"' + bytes(info.tag).hex() + '"')
    jw.bool_field("gpl_compatible", bool(info.gpl_compatible))
    if info.run_time_ns:
        jw.uint_field("run_time_ns", info.run_time_ns)
        jw.uint_field("run_cnt", info.run_cnt)
    if info.recursion_misses:
        jw.uint_field("recursion_misses", info.recursion_misses)


def header_plain(info, fd: int) -> str:
    t = _type_str(info)
    parts = [f"{info.id}: ", f"{t}  " if t is not None else f"type {info.type}  "]
    if info.name:
        parts.append(f"name {prog_full_name(info, fd)}  ")
    parts.append("tag " + fprint_hex(bytes(info.tag), ""))
    parts.append(print_dev_plain(info))
    parts.append("  gpl" if info.gpl_compatible else "")
    if info.run_time_ns:
        parts.append(f" run_time_ns {info.run_time_ns} run_cnt {info.run_cnt}")
    if info.recursion_misses:
        parts.append(f" recursion_misses {info.recursion_misses}")
    return "".join(parts) + "\n"


def print_prog_json(info, fd: int, pins: dict[int, list[str]] | None) -> None:
    jw = common.jw
    jw.start_object()
    print_header_json(info, fd)
    print_dev_json(info)
    if info.load_time:
        jw.name("loaded_at")
        jw.raw(boot_time_str(info.load_time, True))
        jw.uint_field("uid", info.created_by_uid)
    jw.uint_field("bytes_xlated", info.xlated_prog_len)
    if info.jited_prog_len:
        jw.bool_field("jited", True)
        jw.uint_field("bytes_jited", info.jited_prog_len)
    else:
        jw.bool_field("jited", False)
    jw.int_field("bytes_memlock", prog_memlock(info))
    if info.map_ids:
        jw.name("map_ids")
        jw.start_array()
        for m in info.map_ids:
            jw.uint(m)
        jw.end_array()
    if info.btf_id:
        jw.int_field("btf_id", info.btf_id)
    if pins:
        jw.name("pinned")
        jw.start_array()
        for p in pins.get(info.id, []):
            jw.string(p)
        jw.end_array()
    jw.end_object()


def print_prog_plain(info, fd: int, pins: dict[int, list[str]] | None) -> None:
    parts = [header_plain(info, fd)]
    if info.load_time:
        parts.append(f"\tloaded_at {boot_time_str(info.load_time, False)}  uid {info.created_by_uid}\n")
    parts.append(f"\txlated {info.xlated_prog_len}B")
    parts.append(f"  jited {info.jited_prog_len}B" if info.jited_prog_len else "  not jited")
    parts.append(f"  memlock {prog_memlock(info)}B")
    if info.map_ids:
        parts.append("  map_ids " + ",".join(str(m) for m in info.map_ids))
    if pins:
        for p in pins.get(info.id, []):
            parts.append(f"\n\tpinned {p}")
    if info.btf_id:
        parts.append(f"\n\tbtf_id {info.btf_id}")
    parts.append("\n")
    common.out("".join(parts))


def show_prog(fd: int, pins: dict[int, list[str]] | None) -> int:
    try:
        info = kern.prog_info(fd)
    except SyscallError as e:
        p_err(f"can't get prog info: {strerror(e.errno)}")
        return -1
    if opts.json:
        print_prog_json(info, fd, pins)
    else:
        print_prog_plain(info, fd, pins)
    return 0


def do_show(args: Args) -> int:
    pins = pinned_table("prog") if opts.show_pinned else None
    jw = common.jw
    if args.argc == 2:
        fds = prog_parse_fds(args)
        if not fds:
            return -1
        many = len(fds) > 1
        if jw is not None and many:
            jw.start_array()
        err = 0
        for k, fd in enumerate(fds):
            err = show_prog(fd, pins)
            if err:
                for rest in fds[k:]:
                    kern.close(rest)
                break
            kern.close(fd)
        if jw is not None and many:
            jw.end_array()
        return err
    if args.argc:
        return common.bad_arg(args)
    if jw is not None:
        jw.start_array()
    err = 0
    obj_id = 0
    while True:
        try:
            obj_id = kern.prog_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno != 2:
                p_err(f"can't get next program: {strerror(e.errno)}"
                      + (" -- kernel too old?" if e.errno == 22 else ""))
                err = -1
            break
        try:
            fd = kern.prog_get_fd_by_id(obj_id)
        except SyscallError as e:
            if e.errno == 2:
                continue
            p_err(f"can't get prog by id ({obj_id}): {strerror(e.errno)}")
            err = -1
            break
        err = show_prog(fd, pins)
        kern.close(fd)
        if err:
            break
    if jw is not None:
        jw.end_array()
    return err


# ------------------------------------------------------------------------------- dump
def _dump_data(info):
    from pykernel.uapi import insn as I

    from . import xlated

    raw = bytes(info.xlated_prog_insns)
    insns = I.decode_all(raw[: len(raw) - len(raw) % 8])
    btf = None
    if info.btf_id:
        from .handles import load_btf_by_id

        try:
            btf = load_btf_by_id(info.btf_id)
        except Exception:  # noqa: BLE001
            btf = None
            p_err("failed to get btf")
            return None
    dd = xlated.DumpData(
        insns=insns,
        raw=raw,
        syms=kern.kernel_symbols(),
        jited_ksyms=list(info.jited_ksyms),
        btf=btf,
        func_info=xlated.parse_func_info(bytes(info.func_info), info.func_info_rec_size,
                                         info.nr_func_info or len(bytes(info.func_info)) // 8),
        line_info=xlated.parse_line_info(bytes(info.line_info), info.line_info_rec_size,
                                         info.nr_line_info or len(bytes(info.line_info)) // 16),
    )
    return dd


def prog_dump(info, filepath: str | None, opcodes: bool, visual: bool, linum: bool) -> int:
    from . import xlated

    if not info.xlated_prog_len:
        p_err("error retrieving insn dump: kernel.kptr_restrict set?")
        return -1
    raw = bytes(info.xlated_prog_insns)
    if filepath is not None:
        try:
            fd = os.open(filepath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as e:
            p_err(f"can't open file {filepath}: {os.strerror(e.errno or 0)}")
            return -1
        try:
            n = os.write(fd, raw)
        except OSError as e:
            os.close(fd)
            p_err(f"error writing output file: {os.strerror(e.errno or 0)}")
            return -1
        os.close(fd)
        if n != len(raw):
            p_err("error writing output file: short write")
            return -1
        if common.jw is not None:
            common.jw.null()
        return 0
    dd = _dump_data(info)
    if dd is None:
        return -1
    if visual:
        if common.jw is not None:
            common.jw.null()
        else:
            xlated.dump_cfg(dd)
        return 0
    if common.jw is not None:
        xlated.dump_json(dd, opcodes, linum)
    else:
        xlated.dump_plain(dd, opcodes, linum)
    return 0


def do_dump(args: Args) -> int:
    if is_prefix(args.cur, "jited"):
        # this bpftool build (like the Debian one we mirror) has no disassembler for
        # host code
        p_err("No libbfd support")
        return -1
    if not is_prefix(args.cur, "xlated"):
        p_err(f"expected 'xlated' or 'jited', got: {args.cur if args.cur is not None else '(null)'}")
        return -1
    args.next()
    if args.argc < 2:
        usage()
    fds = prog_parse_fds(args)
    if not fds:
        return -1
    filepath = None
    opcodes = visual = linum = False
    try:
        if is_prefix(args.cur, "file"):
            args.next()
            if not args.argc:
                p_err("expected file path")
                return -1
            filepath = args.cur
            args.next()
        elif is_prefix(args.cur, "opcodes"):
            opcodes = True
            args.next()
        elif is_prefix(args.cur, "visual"):
            visual = True
            args.next()
        elif is_prefix(args.cur, "linum"):
            linum = True
            args.next()
        if args.argc:
            usage()
        if filepath is not None and len(fds) > 1:
            p_err("several programs matched")
            return -1
        many = len(fds) > 1
        jw = common.jw
        if jw is not None and many:
            jw.start_array()
        err = 0
        for k, fd in enumerate(fds):
            try:
                info = kern.prog_info(fd)
            except SyscallError as e:
                p_err(f"can't get prog info: {strerror(e.errno)}")
                err = -1
                break
            if jw is not None and many:
                jw.start_object()
                print_header_json(info, fd)
                jw.name("insns")
            elif many:
                common.out(header_plain(info, fd))
            err = prog_dump(info, filepath, opcodes, visual, linum)
            if jw is not None and many:
                jw.end_object()
            elif k != len(fds) - 1 and many:
                common.out("\n")
            if err:
                break
        if jw is not None and many:
            jw.end_array()
        return err
    finally:
        for fd in fds:
            kern.close(fd)


# -------------------------------------------------------------------------------- pin
def do_pin(args: Args) -> int:
    err = do_pin_any(args, prog_parse_fd)
    if not err and common.jw is not None:
        common.jw.null()
    return err


# -------------------------------------------------------------------------------- run
def _read_run_data(fname: str | None) -> tuple[int, bytes | None]:
    if fname is None:
        return 0, None
    try:
        if fname == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(fname, "rb") as f:
                data = f.read()
    except OSError as e:
        if fname != "-" and not getattr(e, "_read", False):
            p_err(f"failed to open {fname}: {os.strerror(e.errno or 0)}")
        else:
            p_err(f"failed to read data_in/ctx_in from {fname}: {os.strerror(e.errno or 0)}")
        return -1, None
    return 0, data


def hex_print(data: bytes) -> str:
    """The hexdump bpftool prints for ``data_out -``: ``%07x`` TAB, 16-bit groups, ``| ``
    and the ASCII column split after 8 characters."""
    lines = []
    size = len(data)
    for i in range(0, size, 16):
        row = [f"{i:07x}\t"]
        for j in range(i, i + 16):
            if j < size:
                row.append(f"{data[j]:02x}{' ' if j % 2 else ''}")
            else:
                row.append(f"  {' ' if j % 2 else ''}")
        row.append("| ")
        for j in range(i, min(i + 16, size)):
            c = data[j]
            ch = chr(c) if 0x20 <= c <= 0x7E else "."
            row.append(ch + (" " if j == i + 7 else ""))
        lines.append("".join(row) + "\n")
    return "".join(lines)


def _print_run_output(data: bytes, fname: str | None, key: str) -> int:
    if fname is None:
        return 0
    if fname == "-":
        jw = common.jw
        if jw is not None:
            jw.name(key)
            jw.start_array()
            for b in data:
                jw.raw(str(b))
            jw.end_array()
        else:
            common.out(hex_print(data))
        return 0
    try:
        with open(fname, "wb") as f:
            f.write(data)
    except OSError as e:
        p_err(f"failed to open {fname}: {os.strerror(e.errno or 0)}")
        return -1
    return 0


def do_run(args: Args) -> int:
    from pykernel.uapi.attr import TestRunAttr

    if not req_args(args, 4):
        return -1
    fd = prog_parse_fd(args)
    if fd < 0:
        return -1
    data_in = data_out = ctx_in = ctx_out = None
    data_size_out = ctx_size_out = 0
    repeat = 1
    try:
        while args.argc:
            word = args.cur or ""
            if detect_common_prefix(word, "data_in", "data_out", "data_size_out"):
                return -1
            if detect_common_prefix(word, "ctx_in", "ctx_out", "ctx_size_out"):
                return -1
            if is_prefix(word, "data_in") or is_prefix(word, "ctx_in"):
                args.next()
                if not req_args(args, 1):
                    return -1
                if is_prefix(word, "data_in"):
                    data_in = args.take()
                else:
                    ctx_in = args.take()
                if data_in == "-" and ctx_in == "-":
                    p_err("cannot use standard input for both data_in and ctx_in")
                    return -1
            elif is_prefix(word, "data_out") or is_prefix(word, "ctx_out"):
                args.next()
                if not req_args(args, 1):
                    return -1
                if is_prefix(word, "data_out"):
                    data_out = args.take()
                else:
                    ctx_out = args.take()
            elif is_prefix(word, "data_size_out") or is_prefix(word, "ctx_size_out") \
                    or is_prefix(word, "repeat"):
                args.next()
                if not req_args(args, 1):
                    return -1
                value = strtoul(args.cur or "")
                if value is None:
                    what = {"d": "output data size", "c": "output context size", "r": "repeat number"}[word[0]]
                    p_err(f"can't parse {args.cur} as {what}")
                    return -1
                if word[0] == "d":
                    data_size_out = value & 0xFFFFFFFF
                elif word[0] == "c":
                    ctx_size_out = value & 0xFFFFFFFF
                else:
                    repeat = value & 0xFFFFFFFF
                args.next()
            else:
                p_err("expected no more arguments, 'data_in', 'data_out', 'data_size_out', "
                      f"'ctx_in', 'ctx_out', 'ctx_size_out' or 'repeat', got: '{word}'?")
                return -1

        default_size = 32 * 1024
        err, din = _read_run_data(data_in)
        if err:
            return -1
        err, cin = _read_run_data(ctx_in)
        if err:
            return -1
        attr = TestRunAttr(prog_fd=fd, repeat=repeat)
        if din is not None:
            attr.data_in = din
            attr.data_size_out = data_size_out or default_size
            attr.data_out = bytearray(attr.data_size_out)
        if cin is not None:
            attr.ctx_in = cin
            attr.ctx_size_out = ctx_size_out or default_size
            attr.ctx_out = bytearray(attr.ctx_size_out)
        try:
            kern.prog_test_run(attr)
        except SyscallError as e:
            p_err(f"failed to run program: {strerror(e.errno)}")
            return -e.errno
        return print_run_results(attr, data_out, ctx_out, repeat)
    finally:
        kern.close(fd)


def print_run_results(attr, data_out: str | None, ctx_out: str | None, repeat: int) -> int:
    """What bpftool prints after BPF_PROG_TEST_RUN: output data and context (hex dump or
    byte array on ``-``, else written to the file), return value and duration. Errors
    writing the outputs still print the results, and make the command fail."""
    jw = common.jw
    if jw is not None:
        jw.start_object()
    err = 0
    if attr.data_size_out and attr.data_out is not None:
        err += _print_run_output(bytes(attr.data_out[:attr.data_size_out]), data_out, "data_out")
    if attr.ctx_size_out and attr.ctx_out is not None:
        err += _print_run_output(bytes(attr.ctx_out[:attr.ctx_size_out]), ctx_out, "ctx_out")
    if jw is not None:
        jw.uint_field("retval", attr.retval & 0xFFFFFFFF)
        jw.uint_field("duration", attr.duration & 0xFFFFFFFF)
        jw.end_object()
    else:
        avg = " (average)" if repeat > 1 else ""
        common.out(f"Return value: {attr.retval & 0xFFFFFFFF}, duration{avg}: "
                   f"{attr.duration & 0xFFFFFFFF}ns\n")
    return err


# ------------------------------------------------------------------------ load/loadall
def do_load(args: Args) -> int:
    from .load import load_with_options

    return load_with_options(args, first_prog_only=True)


def do_loadall(args: Args) -> int:
    from .load import load_with_options

    return load_with_options(args, first_prog_only=False)


# -------------------------------------------------------------------- attach / detach
def _parse_attach_detach_args(args: Args):
    if not req_args(args, 3):
        return -22, None
    progfd = prog_parse_fd(args)
    if progfd < 0:
        return progfd, None
    word = args.cur or ""
    attach = next((t for t in ATTACH_TYPES if is_prefix(word, t)), None)
    if attach is None:
        kern.close(progfd)
        p_err("invalid attach/detach type")
        return -22, None
    if attach == "flow_dissector":
        return 0, (progfd, attach, -1)
    args.next()
    if not req_args(args, 2):
        kern.close(progfd)
        return -22, None
    mapfd = map_parse_fd(args)
    if mapfd < 0:
        kern.close(progfd)
        return mapfd, None
    return 0, (progfd, attach, mapfd)


def _attach_detach(args: Args, attach: bool) -> int:
    from pykernel.uapi.attr import ProgAttachAttr
    from pykernel.uapi.consts import AttachType, Cmd

    err, parsed = _parse_attach_detach_args(args)
    if err:
        return err
    progfd, name, mapfd = parsed
    try:
        target = mapfd if mapfd >= 0 else 0
        attr = ProgAttachAttr(target_fd=target, attach_bpf_fd=progfd,
                              attach_type=int(AttachType[name.upper()]))
        try:
            kern.bpf(Cmd.PROG_ATTACH if attach else Cmd.PROG_DETACH, attr)
        except SyscallError:
            p_err("failed prog attach to map" if attach else "failed prog detach from map")
            return -22
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(progfd)
        kern.close(mapfd)


def do_attach(args: Args) -> int:
    return _attach_detach(args, True)


def do_detach(args: Args) -> int:
    return _attach_detach(args, False)


# ------------------------------------------------------------------ tracelog, profile
def do_tracelog(args: Args) -> int:
    """Print what programs wrote with bpf_trace_printk, in trace_pipe format, and return.

    bpftool streams /sys/kernel/tracing/trace_pipe until interrupted; the simulated
    trace buffer only grows while commands run, so we print (and consume, as reading
    trace_pipe does) what is there and exit."""
    if args.argc:
        return common.bad_arg(args)
    lines = kern.trace_pipe_read()
    jw = common.jw
    if jw is not None:
        jw.start_array()
    for line in lines:
        if jw is not None:
            jw.string(line)  # bpftool puts each getline() result, newline included
        else:
            common.out(line)
    if jw is not None:
        jw.end_array()
    return 0


def do_profile(args: Args) -> int:
    # the bpftool we mirror is built without skeletons: profiling is unavailable
    p_err("bpftool prog profile command is not supported. Please build bpftool with clang >= 10.0.0")
    return 0


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("help", do_help),
    Cmd("dump", do_dump, ("xlated", "jited")),
    Cmd("pin", do_pin),
    Cmd("load", do_load),
    Cmd("loadall", do_loadall),
    Cmd("attach", do_attach),
    Cmd("detach", do_detach),
    Cmd("tracelog", do_tracelog),
    Cmd("run", do_run),
    Cmd("profile", do_profile),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)


__all__ = ["main", "COMMANDS", "USAGE", "p_info"]
