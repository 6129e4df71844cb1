"""``prog load`` / ``prog loadall``: open an object with pylibbpf, apply bpftool's options
(type, map reuse, offload device, pinmaps), load it through the simulated kernel and pin
the program(s) — bpftool v7.1's load_with_options, messages and exit codes included.

libbpf messages go to stderr as libbpf prints them (warnings and info; debug lines too
with ``-d``, which also asks the verifier for its log); a failure after the object was
opened adds bpftool's strict-mode warning block in text mode.

``trace FILE`` (beyond bpftool, so absent from bpftool's usage text) asks the kernel for
the structured verifier trace and writes it, with the logs, as one JSON document
(loadtrace.py); everything else printed stays as without it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

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


def get_prog_type_by_name(name: str, pr: Callable[[int, str], None] = libbpf_print,
                          pr_all: Callable[[int, str], None] = _print_all) -> tuple[int, int] | None:
    """Like bpftool: ask libbpf quietly first, then again with every level printed so the
    user sees why (libbpf only explains at debug level)."""
    from pylibbpf import LibbpfError, libbpf_prog_type_by_name

    try:
        return libbpf_prog_type_by_name(name, pr)
    except LibbpfError:
        pass
    try:
        return libbpf_prog_type_by_name(name, pr_all)
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
    trace_target: str | None = None

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
        elif is_prefix(word, "trace"):  # beyond bpftool: the verifier trace (loadtrace.py)
            args.next()
            if not req_args(args, 1):
                close_replace()
                return -1
            trace_target = args.take()
        else:
            p_err(f"expected no more arguments, 'type', 'map' or 'dev', got: '{word}'?")
            close_replace()
            return -1

    if trace_target is None:
        return _load(_Load(file, pinfile, replace, common_type, ifindex, pinmaps, first_prog_only))
    from .loadtrace import TraceRequest

    req = TraceRequest(trace_target)
    msg = req.open()
    if msg is not None:
        p_err(msg)
        close_replace()
        return -1
    job = _Load(file, pinfile, replace, common_type, ifindex, pinmaps, first_prog_only, req)
    ret = _load(job)
    return _emit_trace(job, req, ret)


class _Load:
    """One ``prog load|loadall`` after its arguments were parsed."""

    def __init__(self, file: str, pinfile: str, replace: list[list], common_type: tuple[int, int] | None,
                 ifindex: int, pinmaps: str | None, first_prog_only: bool, trace=None) -> None:  # noqa: ANN001
        self.file, self.pinfile, self.replace = file, pinfile, replace
        self.common_type, self.ifindex, self.pinmaps = common_type, ifindex, pinmaps
        self.first_prog_only = first_prog_only
        self.trace = trace  # loadtrace.TraceRequest or None
        self.obj = None  # the opened object, once it is
        self.error: str | None = None  # the failure, as p_err worded it
        self.ids: dict[str, int] = {}  # program name -> id, of the loaded programs

    def err(self, msg: str) -> None:
        """p_err, remembered for the trace document; with ``-j ... trace -`` the document
        carries it instead (stdout holds one JSON value)."""
        self.error = msg
        if not (self.trace is not None and self.trace.to_stdout and opts.json):
            p_err(msg)

    def pr(self, level: int, msg: str) -> None:
        if self.trace is not None:
            self.trace.record(level, msg)
        libbpf_print(level, msg)

    def pr_all(self, level: int, msg: str) -> None:
        if self.trace is not None:
            self.trace.record(level, msg)
        _print_all(level, msg)


def _load(job: _Load) -> int:
    from pylibbpf import BpfObject, LibbpfError, close_object, load_object, pin_maps, pin_programs

    file, pinfile, replace, pinmaps = job.file, job.pinfile, job.replace, job.pinmaps

    def close_replace() -> None:
        for r in replace:
            kern.close(r[2])

    proc = kern.proc()
    try:
        obj = BpfObject.open(file, print_fn=job.pr, legacy_maps=False)
    except LibbpfError:
        job.err("failed to open object file")
        close_replace()
        return -1
    except Exception as e:  # noqa: BLE001 - a damaged object must never crash us
        job.pr(0, f"libbpf: elf: failed to open {file}: {e}")
        job.err("failed to open object file")
        close_replace()
        return -1
    job.obj = obj

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
        if job.common_type is not None:
            ptype, eat = job.common_type
        else:
            got = get_prog_type_by_name(prog.sec_name, job.pr, job.pr_all)
            if got is None:
                return fail()
            ptype, eat = got
        prog.ifindex = job.ifindex
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
            job.err(f"unable to find map '{r[1]}'")
            return fail()
    replace.sort(key=lambda r: r[0])
    reuse: dict[str | int, int] = {}
    j = 0
    for idx, _m in enumerate(obj.maps):
        if j < len(replace) and replace[j][0] == idx:
            reuse[idx] = replace[j][2]
            j += 1
            if j < len(replace) and replace[j][0] == idx:
                job.err(f"replacement for map idx {idx} specified more than once")
                return fail()
    if j < len(replace):
        job.err(f"map idx '{replace[j][0]}' not used")
        return fail()

    try:
        load_object(obj, proc, map_reuse=reuse, ifindex=job.ifindex,
                    log_level=(1 + 2 + 4) if opts.debug else 0, print_fn=job.pr,
                    verifier_trace=job.trace is not None)
    except LibbpfError:
        job.err("failed to load object file")
        return fail()
    if job.trace is not None:
        job.ids = {p.name: kern.prog_info(p.fd).id for p in obj.programs if p.fd >= 0}

    if job.first_prog_only:
        progs = obj.programs
        if not progs:
            job.err("object file doesn't contain any bpf program")
            return fail()
        prog = progs[0]
        try:
            kern.obj_pin(prog.fd, pinfile)
        except SyscallError:
            job.err(f"failed to pin program {prog.sec_name}")
            return fail()
        pinned_prog_path = pinfile
    else:
        try:
            pin_programs(obj, proc, pinfile)
        except LibbpfError:
            job.err("failed to pin all programs")
            return fail()

    if pinmaps is not None:
        try:
            pin_maps(obj, proc, pinmaps)
        except LibbpfError:
            job.err("failed to pin all maps")
            if pinned_prog_path is not None:
                kern.unlink(pinned_prog_path)
            else:
                for prog in obj.programs:
                    if prog.fd >= 0:
                        kern.unlink(f"{pinfile.rstrip('/')}/{prog.name}")
            return fail()

    if common.jw is not None and job.trace is None:
        common.jw.null()
    close_object(obj, proc)
    close_replace()
    return 0


def _emit_trace(job: _Load, req, ret: int) -> int:  # noqa: ANN001
    """Write the trace document of a finished load (``ret`` is its return value); the
    null that ``-j`` prints on success goes out here too when the document does not
    replace it."""
    from .loadtrace import document, dumps, write_file

    programs = job.obj.programs if job.obj is not None else []
    text = dumps(document(req, job.file, programs, job.ids, job.error), opts.pretty)
    if req.to_stdout:
        if opts.json and common.jw is not None:
            common.jw.raw(text)
        else:
            common.out(text + "\n")
        return ret
    msg = write_file(req, text)
    if msg is not None and ret == 0:
        p_err(msg)
        return -1
    if ret == 0 and common.jw is not None:
        common.jw.null()
    return ret


__all__ = ["load_with_options", "libbpf_print", "strerror", "sys"]
