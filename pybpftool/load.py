"""``prog load`` / ``prog loadall``: open an object with pylibbpf, apply bpftool's options
(type, map reuse, offload device, pinmaps), load it through the simulated kernel and pin
the program(s) — bpftool v7.1's load_with_options, messages and exit codes included.

libbpf messages go to stderr as libbpf prints them (warnings and info; debug lines too
with ``-d``, which also asks the verifier for its log); a failure after the object was
opened adds bpftool's strict-mode warning block in text mode.
"""

from __future__ import annotations

import sys

from . import common, kern
from .common import Args, is_prefix, opts, p_err, p_info, req_args, strtoul
from .handles import map_parse_fd
from .kern import SyscallError, strerror
from .prog import STRICT_WARNING

LIBBPF_DEBUG = 2  # pylibbpf.sections.LIBBPF_DEBUG (kept here to avoid importing pylibbpf early)


def libbpf_print(level: int, msg: str) -> None:
    """libbpf's print callback as bpftool installs it: warnings and info always, debug
    lines only with -d; everything on stderr."""
    if level == LIBBPF_DEBUG and not opts.debug:
        return
    common.err_write(msg if msg.endswith("\n") else msg + "\n")


def _print_all(level: int, msg: str) -> None:
    common.err_write(msg if msg.endswith("\n") else msg + "\n")


def get_prog_type_by_name(name: str) -> tuple[int, int] | None:
    """Like bpftool: ask libbpf quietly first, then again with every level printed so the
    user sees why (libbpf only explains at debug level)."""
    from pylibbpf import LibbpfError, libbpf_prog_type_by_name

    try:
        return libbpf_prog_type_by_name(name, libbpf_print)
    except LibbpfError:
        pass
    try:
        return libbpf_prog_type_by_name(name, _print_all)
    except LibbpfError:
        return None


def _strict_warning() -> None:
    if not opts.legacy:
        p_info(STRICT_WARNING[:-1])


def load_with_options(args: Args, first_prog_only: bool) -> int:
    if not req_args(args, 2):
        return -1
    file = args.take() or ""
    pinfile = args.take() or ""
    common_type: tuple[int, int] | None = None
    replace: list[list] = []  # [idx, name, fd]
    ifindex = 0
    pinmaps: str | None = None

    def close_replace() -> None:
        for r in replace:
            kern.close(r[2])

    while args.argc:
        word = args.cur or ""
        if is_prefix(word, "type"):
            args.next()
            if common_type is not None:
                p_err("program type already specified")
                close_replace()
                return -1
            if not req_args(args, 1):
                close_replace()
                return -1
            from pylibbpf import LibbpfError, libbpf_prog_type_by_name

            try:
                common_type = libbpf_prog_type_by_name(args.cur or "", libbpf_print)
            except LibbpfError:
                common_type = get_prog_type_by_name((args.cur or "") + "/")
                if common_type is None:
                    close_replace()
                    return -1
            args.next()
        elif is_prefix(word, "map"):
            args.next()
            if not req_args(args, 4):
                close_replace()
                return -1
            if is_prefix(args.cur, "idx"):
                args.next()
                v = strtoul(args.cur or "")
                if v is None:
                    p_err(f"can't parse {args.cur} as IDX")
                    close_replace()
                    return -1
                idx = v & 0xFFFFFFFF
                if idx >= 1 << 31:
                    idx -= 1 << 32
                name = None
            elif is_prefix(args.cur, "name"):
                args.next()
                name = args.cur
                idx = -1
            else:
                p_err(f"expected 'idx' or 'name', got: '{args.cur}'?")
                close_replace()
                return -1
            args.next()
            fd = map_parse_fd(args)
            if fd < 0:
                close_replace()
                return -1
            replace.append([idx, name, fd])
        elif is_prefix(word, "dev"):
            args.next()
            if ifindex:
                p_err("offload device already specified")
                close_replace()
                return -1
            if not req_args(args, 1):
                close_replace()
                return -1
            ifindex = kern.if_nametoindex(args.cur or "")
            if not ifindex:
                p_err(f"unrecognized netdevice '{args.cur}': No such device")
                close_replace()
                return -1
            args.next()
        elif is_prefix(word, "pinmaps"):
            args.next()
            if not req_args(args, 1):
                close_replace()
                return -1
            pinmaps = args.take()
        else:
            p_err(f"expected no more arguments, 'type', 'map' or 'dev', got: '{word}'?")
            close_replace()
            return -1

    from pylibbpf import BpfObject, LibbpfError, close_object, load_object, pin_maps, pin_programs

    proc = kern.proc()
    try:
        obj = BpfObject.open(file, print_fn=libbpf_print, legacy_maps=False)
    except LibbpfError:
        p_err("failed to open object file")
        close_replace()
        return -1
    except Exception as e:  # noqa: BLE001 - a damaged object must never crash us
        libbpf_print(0, f"libbpf: elf: failed to open {file}: {e}")
        p_err("failed to open object file")
        close_replace()
        return -1

    pinned_prog_path: str | None = None

    def fail() -> int:
        _strict_warning()
        try:
            close_object(obj, proc)
        except Exception:  # noqa: BLE001
            pass
        close_replace()
        return -1

    for prog in obj.programs:
        if common_type is not None:
            ptype, eat = common_type
        else:
            got = get_prog_type_by_name(prog.sec_name)
            if got is None:
                return fail()
            ptype, eat = got
        prog.ifindex = ifindex
        prog.set_type(ptype)
        prog.set_expected_attach_type(eat)

    # map reuse: names are resolved to indexes, then everything is checked in idx order
    replace.sort(key=lambda r: r[0])
    for r in replace:
        if r[1] is None:
            continue
        for i, m in enumerate(obj.maps):
            if m.name == r[1]:
                r[0] = i
                break
        if r[0] == -1:
            p_err(f"unable to find map '{r[1]}'")
            return fail()
    replace.sort(key=lambda r: r[0])
    reuse: dict[str | int, int] = {}
    j = 0
    for idx, _m in enumerate(obj.maps):
        if j < len(replace) and replace[j][0] == idx:
            reuse[idx] = replace[j][2]
            j += 1
            if j < len(replace) and replace[j][0] == idx:
                p_err(f"replacement for map idx {idx} specified more than once")
                return fail()
    if j < len(replace):
        p_err(f"map idx '{replace[j][0]}' not used")
        return fail()

    try:
        load_object(obj, proc, map_reuse=reuse, ifindex=ifindex,
                    log_level=(1 + 2 + 4) if opts.debug else 0, print_fn=libbpf_print)
    except LibbpfError:
        p_err("failed to load object file")
        return fail()

    if first_prog_only:
        progs = obj.programs
        if not progs:
            p_err("object file doesn't contain any bpf program")
            return fail()
        prog = progs[0]
        try:
            kern.obj_pin(prog.fd, pinfile)
        except SyscallError:
            p_err(f"failed to pin program {prog.sec_name}")
            return fail()
        pinned_prog_path = pinfile
    else:
        try:
            pin_programs(obj, proc, pinfile)
        except LibbpfError:
            p_err("failed to pin all programs")
            return fail()

    if pinmaps is not None:
        try:
            pin_maps(obj, proc, pinmaps)
        except LibbpfError:
            p_err("failed to pin all maps")
            if pinned_prog_path is not None:
                kern.unlink(pinned_prog_path)
            else:
                for prog in obj.programs:
                    if prog.fd >= 0:
                        kern.unlink(f"{pinfile.rstrip('/')}/{prog.name}")
            return fail()

    if common.jw is not None:
        common.jw.null()
    close_object(obj, proc)
    close_replace()
    return 0


__all__ = ["load_with_options", "libbpf_print", "strerror", "sys"]
