"""``pybpftool btf``: show (with the prog/map references of each BTF object) and dump
(raw, JSON, C) from a loaded object, a program, a map or a file — bpftool v7.1's btf.c.
The BTF model and its renderings are pylibbpf's."""

from __future__ import annotations

import errno as _errno

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, opts, p_err, print_usage, req_args, strtoul, usage
from .handles import IdMultimap, map_parse_fd_and_info, parse_id, prog_parse_fd
from .kern import SyscallError, strerror

USAGE = """\
Usage: %1$s %2$s { show | list } [id BTF_ID]
       %1$s %2$s dump BTF_SRC [format FORMAT]
       %1$s %2$s help

       BTF_SRC := { id BTF_ID | prog PROG | map MAP [{key | value | kv | all}] | file FILE }
       FORMAT  := { raw | c }
       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-B|--base-btf} }
"""


def do_help(args: Args) -> int:
    return print_usage(USAGE, args, obj="btf")


# ------------------------------------------------------------------------------ show
def build_btf_tables() -> tuple[IdMultimap, IdMultimap] | None:
    """BTF id -> ids of the programs and maps that use it (bpftool's build_btf_tables)."""
    progs, maps = IdMultimap(), IdMultimap()
    for kind, table, next_id, get_fd, get_info in (
            ("prog", progs, kern.prog_get_next_id, kern.prog_get_fd_by_id, kern.prog_info),
            ("map", maps, kern.map_get_next_id, kern.map_get_fd_by_id, kern.map_info)):
        obj_id = 0
        while True:
            try:
                obj_id = next_id(obj_id)
            except SyscallError as e:
                if e.errno == _errno.ENOENT:
                    break
                p_err(f"can't get next {kind}: {strerror(e.errno)}"
                      + (" -- kernel too old?" if e.errno == _errno.EINVAL else ""))
                return None
            try:
                fd = get_fd(obj_id)
            except SyscallError as e:
                if e.errno == _errno.ENOENT:
                    continue
                p_err(f"can't get {kind} by id ({obj_id}): {strerror(e.errno)}")
                return None
            try:
                info = get_info(fd)
            except SyscallError as e:
                p_err(f"can't get {kind} info: {strerror(e.errno)}")
                return None
            finally:
                kern.close(fd)
            if info.btf_id:
                table.append(info.btf_id, obj_id)
    return progs, maps


def show_btf(fd: int, progs: IdMultimap, maps: IdMultimap) -> int:
    try:
        info = kern.btf_info(fd)
    except SyscallError as e:
        p_err(f"can't get BTF object info: {strerror(e.errno)}")
        return -1
    size = info.btf_size or len(bytes(info.btf))
    prog_ids, map_ids = progs.values(info.id), maps.values(info.id)
    jw = common.jw
    if jw is not None:
        jw.start_object()
        jw.uint_field("id", info.id)
        jw.uint_field("size", size)
        jw.name("prog_ids")
        jw.start_array()
        for i in prog_ids:
            jw.uint(i)
        jw.end_array()
        jw.name("map_ids")
        jw.start_array()
        for i in map_ids:
            jw.uint(i)
        jw.end_array()
        jw.bool_field("kernel", bool(info.kernel_btf))
        if info.name:
            jw.string_field("name", info.name)
        jw.end_object()
        return 0
    if info.kernel_btf:
        head = f"name [{info.name}]  "
    elif info.name:
        head = f"name {info.name}  "
    else:
        head = "name <anon>  "
    line = f"{info.id}: {head}size {size}B"
    if prog_ids:
        line += "  prog_ids " + ",".join(str(i) for i in prog_ids)
    if map_ids:
        line += "  map_ids " + ",".join(str(i) for i in map_ids)
    common.out(line + "\n")
    return 0


def do_show(args: Args) -> int:
    fd = -1
    if args.argc == 2:
        if not is_prefix(args.cur, "id"):
            p_err(f"expected 'id', got: '{args.cur}'?")
            return -1
        args.next()
        btf_id = parse_id(args)
        if btf_id is None:
            return -1
        try:
            fd = kern.btf_get_fd_by_id(btf_id)
        except SyscallError as e:
            p_err(f"can't get BTF object by id ({btf_id}): {strerror(e.errno)}")
            return -1
    if args.argc:
        kern.close(fd)
        return common.bad_arg(args)
    tables = build_btf_tables()
    if tables is None:
        kern.close(fd)
        return -1
    progs, maps = tables
    if fd >= 0:
        try:
            return show_btf(fd, progs, maps)
        finally:
            kern.close(fd)
    jw = common.jw
    if jw is not None:
        jw.start_array()
    err = 0
    obj_id = 0
    while True:
        try:
            obj_id = kern.btf_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno != _errno.ENOENT:
                p_err(f"can't get next BTF object: {strerror(e.errno)}"
                      + (" -- kernel too old?" if e.errno == _errno.EINVAL else ""))
                err = -1
            break
        try:
            fd = kern.btf_get_fd_by_id(obj_id)
        except SyscallError as e:
            if e.errno == _errno.ENOENT:
                continue
            p_err(f"can't get BTF object by id ({obj_id}): {strerror(e.errno)}")
            err = -1
            break
        err = show_btf(fd, progs, maps)
        kern.close(fd)
        if err:
            break
    if jw is not None:
        jw.end_array()
    return err


# ------------------------------------------------------------------------------ dump
def _load_by_id(btf_id: int):
    """btf__load_from_kernel_by_id(): (btf, 0) or (None, -errno) after bpftool's two
    messages (the second one is bpftool's, the first the helper's)."""
    try:
        fd = kern.btf_get_fd_by_id(btf_id)
    except SyscallError as e:
        p_err(f"can't get BTF object by id ({btf_id}): {strerror(e.errno)}")
        p_err(f"get btf by id ({btf_id}): {strerror(e.errno)}")
        return None, -e.errno
    try:
        info = kern.btf_info(fd)
    finally:
        kern.close(fd)
    from pylibbpf.btf import Btf

    try:
        return Btf.from_bytes(bytes(info.btf)), 0
    except Exception as e:  # noqa: BLE001 - corrupt BTF from the state
        err = getattr(e, "errno", _errno.EINVAL) or _errno.EINVAL
        p_err(f"get btf by id ({btf_id}): {strerror(err)}")
        return None, -err


def _load_file(path: str):
    """btf__parse(): raw BTF, else the .BTF section of an ELF object as the compiler wrote
    it (no loader fixups). (btf, 0) or (None, errno) with libbpf's own errno values
    (4001 is LIBBPF_ERRNO__FORMAT) after libbpf's message."""
    from pylibbpf.btf import Btf

    from .load import libbpf_print

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return None, e.errno or _errno.EINVAL
    if len(data) < 2:
        return None, _errno.EIO  # the two magic bytes cannot be read
    if data[:2] == b"\x9f\xeb":
        try:
            return Btf.from_bytes(data), 0
        except Exception:  # noqa: BLE001 - malformed raw BTF
            return None, _errno.EINVAL
    if data[:4] != b"\x7fELF" or len(data) < 64:
        libbpf_print(0, f"libbpf: failed to get EHDR from {path}")
        return None, 4001
    try:
        from pylibbpf.elf import read_elf

        sec = read_elf(data, path).section_by_name(".BTF")
    except Exception:  # noqa: BLE001 - damaged section headers
        libbpf_print(0, f"libbpf: failed to get e_shstrndx from {path}")
        return None, 4001
    if sec is None:
        return None, _errno.ENOENT
    try:
        return Btf.from_elf_section(sec.data), 0
    except Exception:  # noqa: BLE001
        return None, _errno.EINVAL


def dump_btf_raw(btf, root_ids: list[int]) -> int:
    ids = root_ids if root_ids else None
    jw = common.jw
    if jw is not None:
        from .map import emit_value

        emit_value(jw, btf.dump_raw_json(ids))
    else:
        lines = btf.dump_raw(ids)
        common.out("".join(line + "\n" for line in lines))
    return 0


def do_dump(args: Args) -> int:
    if not req_args(args, 2):
        usage()
    src = args.take() or ""
    root: list[int] = []
    btf = None
    btf_id = 0xFFFFFFFF
    fd = -1
    try:
        if is_prefix(src, "map"):
            if not req_args(args, 2):
                usage()
            fd, info = map_parse_fd_and_info(args)
            if fd < 0:
                return -1
            btf_id = info.btf_id
            word = args.cur if args.argc else None
            if word is not None and is_prefix(word, "key"):
                root = [info.btf_key_type_id]
                args.next()
            elif word is not None and is_prefix(word, "value"):
                root = [info.btf_value_type_id]
                args.next()
            elif word is not None and is_prefix(word, "all"):
                args.next()
            elif word is not None and is_prefix(word, "kv"):
                root = [info.btf_key_type_id, info.btf_value_type_id]
                args.next()
            else:
                root = [info.btf_key_type_id, info.btf_value_type_id]
        elif is_prefix(src, "prog"):
            if not req_args(args, 2):
                usage()
            fd = prog_parse_fd(args)
            if fd < 0:
                return -1
            try:
                btf_id = kern.prog_info(fd).btf_id
            except SyscallError as e:
                p_err(f"can't get prog info: {strerror(e.errno)}")
                return -1
        elif is_prefix(src, "id"):
            v = strtoul(args.cur or "")
            if v is None:
                p_err(f"can't parse {args.cur} as ID")
                return -1
            btf_id = v & 0xFFFFFFFF
            args.next()
        elif is_prefix(src, "file"):
            path = args.cur or ""
            btf, err = _load_file(path)
            if btf is None:
                p_err(f"failed to load BTF from {path}: {strerror(err)}")
                return -err
            args.next()
        else:
            p_err(f"unrecognized BTF source specifier: '{src}'")
            return -1

        dump_c = False
        while args.argc:
            if is_prefix(args.cur, "format"):
                args.next()
                if args.argc < 1:
                    p_err("expecting value for 'format' option\n")
                    return -_errno.EINVAL
                if args.cur == "c":
                    dump_c = True
                elif args.cur == "raw":
                    dump_c = False
                else:
                    p_err(f"unrecognized format specifier: '{args.cur}', possible values: raw, c")
                    return -_errno.EINVAL
                args.next()
            else:
                p_err(f"unrecognized option: '{args.cur}'")
                return -_errno.EINVAL

        if btf is None:
            btf, err = _load_by_id(btf_id)
            if btf is None:
                return err
        if dump_c:
            if opts.json:
                p_err("JSON output for C-syntax dump is not supported")
                return -_errno.EOPNOTSUPP
            common.out(btf.dump_c(root if root else None))
            return 0
        return dump_btf_raw(btf, root)
    finally:
        kern.close(fd)


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("help", do_help),
    Cmd("dump", do_dump, ("id", "prog", "map", "file", "format")),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
