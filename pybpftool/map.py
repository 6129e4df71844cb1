"""``pybpftool map``: show, create, dump, update/lookup/getnext/delete, pin, freeze,
peek/push/pop/enqueue/dequeue and event_pipe — bpftool v7.1's map.c on the simulated
kernel."""

from __future__ import annotations

import sys

from pykernel.uapi.consts import ANY, EXIST, MAP_TYPE_NAMES, NOEXIST, MapType

from . import common, kern
from .common import (
    Args,
    Cmd,
    cmd_select,
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
from .handles import (
    do_pin_any,
    do_pin_fd,
    map_parse_fd,
    map_parse_fd_and_info,
    map_parse_fds,
    pinned_table,
    prog_parse_fd,
)
from .kern import SyscallError, strerror

USAGE = """\
Usage: %1$s %2$s { show | list }   [MAP]
       %1$s %2$s create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\
                                  entries MAX_ENTRIES name NAME [flags FLAGS] \\
                                  [inner_map MAP] [dev NAME]
       %1$s %2$s dump       MAP
       %1$s %2$s update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]
       %1$s %2$s lookup     MAP [key DATA]
       %1$s %2$s getnext    MAP [key DATA]
       %1$s %2$s delete     MAP  key DATA
       %1$s %2$s pin        MAP  FILE
       %1$s %2$s event_pipe MAP [cpu N index M]
       %1$s %2$s peek       MAP
       %1$s %2$s push       MAP value VALUE
       %1$s %2$s pop        MAP
       %1$s %2$s enqueue    MAP value VALUE
       %1$s %2$s dequeue    MAP
       %1$s %2$s freeze     MAP
       %1$s %2$s help

       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
       DATA := { [hex] BYTES }
       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       VALUE := { DATA | MAP | PROG }
       UPDATE_FLAGS := { any | exist | noexist }
       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |
                 percpu_array | stack_trace | cgroup_array | lru_hash |
                 lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |
                 devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |
                 cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |
                 queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |
                 task_storage | bloom_filter | user_ringbuf }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-f|--bpffs} | {-n|--nomount} }
"""

PERCPU_TYPES = {MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH,
                MapType.PERCPU_CGROUP_STORAGE}
MAP_OF_MAPS = {MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS}
PERF_RECORD_SAMPLE = 9
PERF_RECORD_LOST = 2


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def is_per_cpu(info) -> bool:
    return info.type in PERCPU_TYPES


def _ncpus() -> int:
    return kern.possible_cpus()


def _step(info) -> int:
    return (info.value_size + 7) & ~7


def alloc_value(info) -> bytearray:
    if is_per_cpu(info):
        return bytearray(_step(info) * _ncpus())
    return bytearray(info.value_size)


def type_name(t: int) -> str | None:
    return MAP_TYPE_NAMES.get(t)


# ------------------------------------------------------------------------------ show
def print_dev_plain(info) -> str:
    from .prog import print_dev_plain as pdp

    return pdp(info)


def show_map_header_json(info) -> None:
    jw = common.jw
    jw.uint_field("id", info.id)
    t = type_name(info.type)
    if t is not None:
        jw.string_field("type", t)
    else:
        jw.uint_field("type", info.type)
    if info.name:
        jw.string_field("name", info.name)
    jw.name("flags")
    jw.raw(str(info.map_flags))


def show_map_json(fd: int, info, pins) -> None:
    from .prog import print_dev_json

    jw = common.jw
    jw.start_object()
    show_map_header_json(info)
    print_dev_json(info)
    jw.uint_field("bytes_key", info.key_size)
    jw.uint_field("bytes_value", info.value_size)
    jw.uint_field("max_entries", info.max_entries)
    jw.int_field("bytes_memlock", info.memlock)
    if info.type == MapType.PROG_ARRAY and info.owner_prog_type:
        from pykernel.uapi.consts import PROG_TYPE_NAMES

        name = PROG_TYPE_NAMES.get(info.owner_prog_type)
        if name:
            jw.string_field("owner_prog_type", name)
        else:
            jw.uint_field("owner_prog_type", info.owner_prog_type)
        jw.bool_field("owner_jited", bool(info.owner_jited))
    jw.int_field("frozen", 1 if info.frozen else 0)
    if info.btf_id:
        jw.int_field("btf_id", info.btf_id)
    if pins:
        jw.name("pinned")
        jw.start_array()
        for p in pins.get(info.id, []):
            jw.string(p)
        jw.end_array()
    jw.end_object()


def show_map_plain(fd: int, info, pins) -> None:
    t = type_name(info.type)
    parts = [f"{info.id}: ", f"{t}  " if t is not None else f"type {info.type}  "]
    if info.name:
        parts.append(f"name {info.name}  ")
    parts.append(f"flags 0x{info.map_flags:x}")
    parts.append(print_dev_plain(info))
    parts.append("\n")
    parts.append(f"\tkey {info.key_size}B  value {info.value_size}B  max_entries {info.max_entries}")
    parts.append(f"  memlock {info.memlock}B")
    if info.type == MapType.PROG_ARRAY and info.owner_prog_type:
        from pykernel.uapi.consts import PROG_TYPE_NAMES

        name = PROG_TYPE_NAMES.get(info.owner_prog_type)
        parts.append("\n\t")
        parts.append(f"owner_prog_type {name}  " if name else f"owner_prog_type {info.owner_prog_type}  ")
        parts.append(f"owner{'' if info.owner_jited else ' not'} jited")
    parts.append("\n")
    if pins:
        for p in pins.get(info.id, []):
            parts.append(f"\tpinned {p}\n")
    # bpftool puts btf_id and frozen on one continuation line: "\tbtf_id 7  frozen"
    if info.btf_id or info.frozen:
        tail = [f"btf_id {info.btf_id}"] if info.btf_id else []
        if info.frozen:
            tail.append("frozen")
        parts.append("\t" + "  ".join(tail) + "\n")
    common.out("".join(parts))


def _show_one(fd: int, info, pins) -> None:
    if opts.json:
        show_map_json(fd, info, pins)
    else:
        show_map_plain(fd, info, pins)


def do_show(args: Args) -> int:
    pins = pinned_table("map") if opts.show_pinned else None
    jw = common.jw
    if args.argc == 2:
        fds = map_parse_fds(args)
        if not fds:
            return -1
        many = len(fds) > 1
        if jw is not None and many:
            jw.start_array()
        err = 0
        for k, fd in enumerate(fds):
            try:
                info = kern.map_info(fd)
            except SyscallError as e:
                p_err(f"can't get map info: {strerror(e.errno)}")
                for rest in fds[k:]:
                    kern.close(rest)
                err = -1
                break
            _show_one(fd, info, pins)
            kern.close(fd)
        if jw is not None and many:
            jw.end_array()
        return err
    if args.argc:
        return common.bad_arg(args)
    if jw is not None:
        jw.start_array()
    obj_id = 0
    err = 0
    while True:
        try:
            obj_id = kern.map_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno != 2:
                p_err(f"can't get next map: {strerror(e.errno)}"
                      + (" -- kernel too old?" if e.errno == 22 else ""))
                err = -1
            break
        try:
            fd = kern.map_get_fd_by_id(obj_id)
        except SyscallError as e:
            if e.errno == 2:
                continue
            p_err(f"can't get map by id ({obj_id}): {strerror(e.errno)}")
            err = -1
            break
        try:
            info = kern.map_info(fd)
        except SyscallError as e:
            p_err(f"can't get map info: {strerror(e.errno)}")
            kern.close(fd)
            err = -1
            break
        _show_one(fd, info, pins)
        kern.close(fd)
    if jw is not None:
        jw.end_array()
    return err


# --------------------------------------------------------------------- entry printing
def _hex_json(data: bytes) -> None:
    jw = common.jw
    jw.start_array()
    for b in data:
        jw.raw(f'"0x{b:02x}"')
    jw.end_array()


def emit_value(jw, value) -> None:
    """Write a value from pylibbpf's BTF formatter (dicts in member order, lists, ints,
    strings, bools, RawJson tokens) with our writer."""
    from pylibbpf.btf import RawJson

    if isinstance(value, RawJson):
        jw.raw(str(value))
    elif isinstance(value, bool):
        jw.bool(value)
    elif isinstance(value, int):
        jw.raw(str(value))
    elif isinstance(value, str):
        jw.string(value)
    elif isinstance(value, dict):
        jw.start_object()
        for k, v in value.items():
            jw.name(str(k))
            emit_value(jw, v)
        jw.end_object()
    elif isinstance(value, (list, tuple)):
        jw.start_array()
        for v in value:
            emit_value(jw, v)
        jw.end_array()
    elif value is None:
        jw.null()
    else:
        jw.raw(str(value))


def do_dump_btf(jw, btf, info, key: bytes, value: bytes, plain_text: bool) -> int:
    """bpftool's do_dump_btf: {"key": ..., "value": ...} (or "values" per CPU)."""
    ret = 0
    jw.start_object()
    if info.btf_key_type_id:
        jw.name("key")
        v, ok = btf.format_value_checked(info.btf_key_type_id, key, plain_text=plain_text)
        emit_value(jw, v)
        if not ok:
            jw.end_object()
            return -1
    value_id = info.btf_vmlinux_value_type_id or info.btf_value_type_id
    if not is_per_cpu(info):
        jw.name("value")
        v, ok = btf.format_value_checked(value_id, value, plain_text=plain_text)
        emit_value(jw, v)
        ret = 0 if ok else -1
    else:
        jw.name("values")
        jw.start_array()
        step = _step(info)
        for cpu in range(_ncpus()):
            jw.start_object()
            jw.int_field("cpu", cpu)
            jw.name("value")
            v, ok = btf.format_value_checked(value_id, value[cpu * step:cpu * step + info.value_size],
                                             plain_text=plain_text)
            emit_value(jw, v)
            jw.end_object()
            if not ok:
                ret = -1
                break
        jw.end_array()
    jw.end_object()
    return ret


def print_entry_json(info, key: bytes, value: bytes, btf) -> None:
    jw = common.jw
    jw.start_object()
    jw.name("key")
    _hex_json(key[:info.key_size])
    if not is_per_cpu(info):
        jw.name("value")
        _hex_json(value[:info.value_size])
    else:
        step = _step(info)
        jw.name("values")
        jw.start_array()
        for cpu in range(_ncpus()):
            jw.start_object()
            jw.int_field("cpu", cpu)
            jw.name("value")
            _hex_json(value[cpu * step:cpu * step + info.value_size])
            jw.end_object()
        jw.end_array()
    if btf is not None:
        jw.name("formatted")
        do_dump_btf(jw, btf, info, key, value, plain_text=False)
    jw.end_object()


def entry_plain(info, key: bytes, value: bytes) -> str:
    parts: list[str] = []
    if not is_per_cpu(info):
        break_names = info.key_size > 16 or info.value_size > 16
        single_line = info.key_size + info.value_size <= 24 and not break_names
        if info.key_size:
            parts.append("key:" + ("\n" if break_names else " "))
            parts.append(fprint_hex(key[:info.key_size]))
            parts.append("  " if single_line else "\n")
        if info.value_size:
            parts.append("value:" + ("\n" if break_names else " "))
            parts.append(fprint_hex(value[:info.value_size]))
        parts.append("\n")
    else:
        step = _step(info)
        if info.key_size:
            parts.append("key:\n" + fprint_hex(key[:info.key_size]) + "\n")
        if info.value_size:
            for cpu in range(_ncpus()):
                parts.append(f"value (CPU {cpu:02d}):" + ("\n" if info.value_size > 16 else " "))
                parts.append(fprint_hex(value[cpu * step:cpu * step + info.value_size]))
                parts.append("\n")
    return "".join(parts)


def print_entry_error(info, key: bytes, err: int) -> None:
    if (info.type in MAP_OF_MAPS or info.type == MapType.PROG_ARRAY) and err == 2:
        return  # an empty slot of a prog array or map-in-map is not an error
    jw = common.jw
    if jw is not None:
        jw.start_object()
        jw.name("key")
        _hex_json(key[:info.key_size])
        jw.name("value")
        jw.start_object()
        jw.string_field("error", strerror(err))
        jw.end_object()
        jw.end_object()
        return
    if err == 2:
        msg = "<no entry>"
    elif err == 28 and info.type == MapType.REUSEPORT_SOCKARRAY:
        msg = "<cannot read>"
    else:
        msg = strerror(err)
    break_names = info.key_size > 16 or len(msg) > 16
    single_line = info.key_size + len(msg) <= 24 and not break_names
    common.out("key:" + ("\n" if break_names else " ") + fprint_hex(key[:info.key_size])
               + ("  " if single_line else "\n") + "value:" + ("\n" if break_names else " ")
               + msg + "\n")


def get_map_kv_btf(info):
    """The BTF to format entries with: None when the map has no value type; False
    after printing an error."""
    if info.btf_vmlinux_value_type_id:
        p_err("failed to get kernel btf")
        return False
    if not info.btf_value_type_id:
        return None
    from .handles import load_btf_by_id

    try:
        return load_btf_by_id(info.btf_id)
    except Exception:  # noqa: BLE001 - bad or missing BTF object
        p_err("failed to get btf")
        return False


def print_key_value(info, key: bytes, value: bytes) -> None:
    btf = get_map_kv_btf(info)
    if btf is False:
        return
    if common.jw is not None:
        print_entry_json(info, key, value, btf)
    elif btf is not None:
        from .jsonw import JsonWriter

        w = JsonWriter(sys.stdout, pretty=True)
        do_dump_btf(w, btf, info, key, value, plain_text=True)
        w.finish()
    else:
        common.out(entry_plain(info, key, value))


# ------------------------------------------------------------------------------ dump
def _map_dump(fd: int, info, wtr, show_header: bool) -> int:
    btf = None
    if wtr is not None:
        btf = get_map_kv_btf(info)
        if btf is False:
            return -1
    if show_header:
        wtr.start_object()
        show_map_header_json_to(wtr, info)
        wtr.name("elements")
    if wtr is not None:
        wtr.start_array()
    num = 0
    err = 0
    prev: bytes | None = None
    key = bytearray(info.key_size)
    chunks: list[str] = []
    while True:
        try:
            kern.map_get_next_key(fd, prev, key)
        except SyscallError as e:
            if e.errno != 2:
                err = -e.errno
            break
        value = alloc_value(info)
        k = bytes(key)
        try:
            kern.map_lookup_elem(fd, k, value)
        except SyscallError as e:
            if chunks:
                common.out("".join(chunks))
                chunks = []
            print_entry_error(info, k, e.errno)
        else:
            if common.jw is not None:
                print_entry_json(info, k, bytes(value), btf)
            elif btf is not None:
                do_dump_btf(wtr, btf, info, k, bytes(value), plain_text=True)
            else:
                chunks.append(entry_plain(info, k, bytes(value)))
            num += 1
        prev = k
    if chunks:
        common.out("".join(chunks))
    if wtr is not None:
        wtr.end_array()
    if show_header:
        wtr.end_object()
    if wtr is None:
        common.out(f"Found {num} element{'s' if num != 1 else ''}\n")
    return err


def show_map_header_json_to(wtr, info) -> None:
    saved = common.jw
    common.jw = wtr
    try:
        show_map_header_json(info)
    finally:
        common.jw = saved


def do_dump(args: Args) -> int:
    if args.argc != 2:
        usage()
    fds = map_parse_fds(args)
    if not fds:
        return -1
    wtr = None
    btf_wtr = None
    err = -1
    try:
        infos = []
        for fd in fds:
            try:
                infos.append(kern.map_info(fd))
            except SyscallError as e:
                p_err(f"can't get map info: {strerror(e.errno)}")
                return -1
        if common.jw is not None:
            wtr = common.jw
        elif all(i.btf_id for i in infos):
            from .jsonw import JsonWriter

            btf_wtr = wtr = JsonWriter(sys.stdout, pretty=True)
        many = len(fds) > 1
        if wtr is not None and many:
            wtr.start_array()
        for k, (fd, info) in enumerate(zip(fds, infos, strict=True)):
            err = _map_dump(fd, info, wtr, many)
            if wtr is None and k != len(fds) - 1:
                common.out("\n")
            if err:
                break
        if wtr is not None and many:
            wtr.end_array()
        if btf_wtr is not None:
            btf_wtr.close_all()
            btf_wtr.finish()
        return err
    finally:
        for fd in fds:
            kern.close(fd)


# -------------------------------------------------------------------- entry arguments
class _Elem:
    def __init__(self) -> None:
        self.key: bytearray | None = None
        self.value: bytearray | None = None
        self.flags = ANY
        self.value_fd = -1


def parse_bytes(args: Args, name: str, n: int) -> bytearray | None:
    base = 0
    if is_prefix(args.cur, "hex"):
        base = 16
        args.next()
    out = bytearray()
    while len(out) < n and args.cur is not None:
        v = strtoul(args.cur, base)
        if v is None:
            p_err(f"error parsing byte: {args.cur}")
            return None
        out.append(v & 0xFF)
        args.next()
    if len(out) != n:
        p_err(f"{name} expected {n} bytes got {len(out)}")
        return None
    return out


def parse_elem(args: Args, info, want_key: bool, want_value: bool, want_flags: bool, el: _Elem) -> int:
    """bpftool's recursive parse_elem: ``key DATA``, ``value VALUE`` and update flags,
    in any order, each at most once."""
    key_pending, value_pending, flags_pending = want_key, want_value, want_flags
    while True:
        word = args.cur
        if word is None:
            if not key_pending and not value_pending:
                return 0
            p_err(f"did not find {'key' if key_pending else 'value'}")
            return -1
        if is_prefix(word, "key"):
            if not key_pending:
                p_err("duplicate key" if info.key_size and want_key else "unnecessary key")
                return -1
            args.next()
            key = parse_bytes(args, "key", info.key_size)
            if key is None:
                return -1
            el.key = key
            key_pending = False
        elif is_prefix(word, "value"):
            if not value_pending:
                p_err("duplicate value" if want_value else "unnecessary value")
                return -1
            args.next()
            if info.type in MAP_OF_MAPS or info.type == MapType.PROG_ARRAY:
                what = "map in map" if info.type in MAP_OF_MAPS else "map of progs"
                if info.value_size != 4:
                    p_err(f"value smaller than 4B for {what}?")
                    return -1
                if args.cur is None or args.peek(1) is None:
                    p_err(f"not enough value arguments for {what}")
                    return -1
                sub = Args(args.vec[args.i:args.i + 2])
                fd = map_parse_fd(sub) if info.type in MAP_OF_MAPS else prog_parse_fd(sub)
                if fd < 0:
                    return -1
                args.i += 2
                el.value_fd = fd
                el.value = bytearray(fd.to_bytes(4, "little"))
            else:
                v = parse_bytes(args, "value", info.value_size)
                if v is None:
                    return -1
                if is_per_cpu(info):
                    v = bytearray(b"".join(bytes(v) + bytes(_step(info) - info.value_size)
                                           for _ in range(_ncpus())))
                el.value = v
            value_pending = False
        elif is_prefix(word, "any") or is_prefix(word, "noexist") or is_prefix(word, "exist"):
            if not flags_pending:
                p_err(f"flags specified multiple times: {word}")
                return -1
            if is_prefix(word, "any"):
                el.flags = ANY
            elif is_prefix(word, "noexist"):
                el.flags = NOEXIST
            else:
                el.flags = EXIST
            flags_pending = False
            args.next()
        else:
            p_err(f"expected key or value, got: {word}")
            return -1


def _open_for_elem(args: Args):
    fd, info = map_parse_fd_and_info(args)
    return fd, info


def do_update(args: Args) -> int:
    if args.argc < 2:
        usage()
    fd, info = _open_for_elem(args)
    if fd < 0:
        return -1
    el = _Elem()
    try:
        err = parse_elem(args, info, bool(info.key_size), bool(info.value_size), True, el)
        if err:
            return err
        try:
            kern.map_update_elem(fd, bytes(el.key) if el.key is not None else None,
                                 bytes(el.value) if el.value is not None else b"", el.flags)
        except SyscallError as e:
            p_err(f"update failed: {strerror(e.errno)}")
            return -e.errno
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(el.value_fd)
        kern.close(fd)


def do_lookup(args: Args) -> int:
    if args.argc < 2:
        usage()
    fd, info = _open_for_elem(args)
    if fd < 0:
        return -1
    el = _Elem()
    try:
        err = parse_elem(args, info, bool(info.key_size), False, False, el)
        if err:
            return err
        key = bytes(el.key) if el.key is not None else None
        value = alloc_value(info)
        try:
            kern.map_lookup_elem(fd, key, value)
        except SyscallError as e:
            if e.errno == 2:
                if common.jw is not None:
                    common.jw.null()
                else:
                    common.out("key:\n" + fprint_hex(key or b"") + "\n\nNot found\n")
            else:
                p_err(f"lookup failed: {strerror(e.errno)}")
            return -e.errno
        print_key_value(info, key or b"", bytes(value))
        return 0
    finally:
        kern.close(fd)


def do_getnext(args: Args) -> int:
    if args.argc < 2:
        usage()
    fd, info = _open_for_elem(args)
    if fd < 0:
        return -1
    try:
        key: bytes | None = None
        if args.argc:
            el = _Elem()
            err = parse_elem(args, info, bool(info.key_size), False, False, el)
            if err:
                return err
            key = bytes(el.key) if el.key is not None else b""
        nxt = bytearray(info.key_size)
        try:
            kern.map_get_next_key(fd, key, nxt)
        except SyscallError as e:
            p_err(f"can't get next key: {strerror(e.errno)}")
            return -e.errno
        jw = common.jw
        if jw is not None:
            jw.start_object()
            if key is not None:
                jw.name("key")
                _hex_json(key)
            else:
                jw.null_field("key")
            jw.name("next_key")
            _hex_json(bytes(nxt))
            jw.end_object()
        else:
            head = "key:\n" + fprint_hex(key) + "\n" if key is not None else "key: None\n"
            common.out(head + "next key:\n" + fprint_hex(bytes(nxt)) + "\n")
        return 0
    finally:
        kern.close(fd)


def do_delete(args: Args) -> int:
    if args.argc < 2:
        usage()
    fd, info = _open_for_elem(args)
    if fd < 0:
        return -1
    try:
        el = _Elem()
        err = parse_elem(args, info, bool(info.key_size), False, False, el)
        if err:
            return err
        try:
            kern.map_delete_elem(fd, bytes(el.key) if el.key is not None else b"")
        except SyscallError as e:
            p_err(f"delete failed: {strerror(e.errno)}")
            return -e.errno
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(fd)


def do_pop_dequeue(args: Args) -> int:
    if args.argc < 2:
        usage()
    fd, info = _open_for_elem(args)
    if fd < 0:
        return -1
    try:
        key = bytearray(info.key_size)
        value = alloc_value(info)
        try:
            kern.map_lookup_and_delete_elem(fd, bytes(key) if info.key_size else None, value)
        except SyscallError as e:
            if e.errno == 2:
                if common.jw is not None:
                    common.jw.null()
                else:
                    common.out("Error: empty map\n")
            else:
                p_err(f"pop failed: {strerror(e.errno)}")
            return -e.errno
        print_key_value(info, bytes(key), bytes(value))
        return 0
    finally:
        kern.close(fd)


def do_pin(args: Args) -> int:
    err = do_pin_any(args, map_parse_fd)
    if not err and common.jw is not None:
        common.jw.null()
    return err


def do_freeze(args: Args) -> int:
    if not req_args(args, 2):
        return -1
    fd = map_parse_fd(args)
    if fd < 0:
        return -1
    try:
        if args.argc:
            return common.bad_arg(args)
        try:
            kern.map_freeze(fd)
        except SyscallError as e:
            p_err(f"failed to freeze map: {strerror(e.errno)}")
            return -e.errno
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(fd)


# ---------------------------------------------------------------------------- create
def _parse_u32_arg(args: Args, current: int, what: str) -> int | None:
    args.next()
    if current:
        p_err(f"{what} already specified")
        return None
    v = strtoul(args.cur or "")
    if v is None:
        p_err(f"can't parse {args.cur} as {what}")
        return None
    args.next()
    return v & 0xFFFFFFFF


def map_type_from_str(name: str) -> int:
    for t, s in MAP_TYPE_NAMES.items():
        if s == name:
            return int(t)
    return -1


def do_create(args: Args) -> int:
    from pykernel.uapi.attr import MapCreateAttr

    if not req_args(args, 7):
        return -1
    pinfile = args.take() or ""
    map_type = 0
    key_size = value_size = max_entries = flags = 0
    map_name: str | None = None
    ifindex = 0
    inner_fd = 0
    try:
        while args.argc:
            if not req_args(args, 2):
                return -1
            word = args.cur or ""
            if is_prefix(word, "type"):
                args.next()
                if map_type:
                    p_err("map type already specified")
                    return -1
                map_type = map_type_from_str(args.cur or "")
                if map_type < 0:
                    p_err(f"unrecognized map type: {args.cur}")
                    return -1
                args.next()
            elif is_prefix(word, "name"):
                args.next()
                map_name = args.take()
            elif is_prefix(word, "key"):
                v = _parse_u32_arg(args, key_size, "key size")
                if v is None:
                    return -1
                key_size = v
            elif is_prefix(word, "value"):
                v = _parse_u32_arg(args, value_size, "value size")
                if v is None:
                    return -1
                value_size = v
            elif is_prefix(word, "entries"):
                v = _parse_u32_arg(args, max_entries, "max entries")
                if v is None:
                    return -1
                max_entries = v
            elif is_prefix(word, "flags"):
                v = _parse_u32_arg(args, flags, "flags")
                if v is None:
                    return -1
                flags = v
            elif is_prefix(word, "dev"):
                args.next()
                if ifindex:
                    p_err("offload device already specified")
                    return -1
                dev = args.cur or ""
                ifindex = kern.if_nametoindex(dev)
                if not ifindex:
                    p_err(f"unrecognized netdevice '{dev}': No such device")
                    return -1
                args.next()
            elif is_prefix(word, "inner_map"):
                args.next()
                if not req_args(args, 2):
                    usage()
                fd, _info = map_parse_fd_and_info(args)
                if fd < 0:
                    return -1
                inner_fd = fd
            else:
                p_err(f"unknown arg {word}")
                return -1
        if map_name is None:
            p_err("map name not specified")
            return -1
        attr = MapCreateAttr(map_type=map_type, key_size=key_size, value_size=value_size,
                             max_entries=max_entries, map_flags=flags, inner_map_fd=inner_fd,
                             map_name=map_name[:15], map_ifindex=ifindex)
        try:
            fd = kern.map_create(attr)
        except SyscallError as e:
            p_err(f"map create failed: {strerror(e.errno)}")
            return -1
        try:
            err = do_pin_fd(fd, pinfile)
        finally:
            kern.close(fd)
        if err:
            return err
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        if inner_fd > 0:
            kern.close(inner_fd)


# ------------------------------------------------------------------------ event_pipe
def do_event_pipe(args: Args) -> int:
    """Print what programs sent to a perf_event_array with bpf_perf_event_output.

    bpftool polls the perf ring buffers until interrupted; the simulated buffers only
    fill while commands run, so we drain what is there and exit."""
    fd, info = map_parse_fd_and_info(args)
    if fd < 0:
        return -1
    try:
        if info.type != MapType.PERF_EVENT_ARRAY:
            p_err("map is not a perf event array")
            return -1
        cpu = idx = -1
        all_cpus = True
        while args.argc:
            if args.argc < 2:
                common.bad_arg(args)
                return -1
            word = args.cur or ""
            if is_prefix(word, "cpu") or is_prefix(word, "index"):
                args.next()
                v = strtoul(args.cur or "")
                if v is None:
                    p_err(f"can't parse {args.cur} as {'CPU ID' if is_prefix(word, 'cpu') else 'index'}")
                    return -1
                if is_prefix(word, "cpu"):
                    cpu = v & 0xFFFFFFFF
                else:
                    idx = v & 0xFFFFFFFF
                args.next()
            else:
                common.bad_arg(args)
                return -1
            all_cpus = False
        if not all_cpus and (cpu == -1 or idx == -1):
            p_err("cpu and index must be specified together")
            return -1
        try:
            events = kern.perf_buffer_read(fd, None if all_cpus else (cpu, idx))
        except SyscallError as e:
            p_err(f"failed to create perf buffer: {strerror(e.errno)} ({e.errno})")
            return -1
        jw = common.jw
        if jw is not None:
            jw.start_array()
        for ev in events:
            index = ev.cpu if all_cpus else idx
            if jw is not None:
                jw.start_object()
                jw.name("type")
                jw.uint(ev.type)
                jw.name("cpu")
                jw.uint(ev.cpu)
                jw.name("index")
                jw.uint(index)
                if ev.type == PERF_RECORD_SAMPLE:
                    jw.name("timestamp")
                    jw.uint(ev.time)
                    jw.name("data")
                    jw.start_array()
                    for b in ev.data:
                        jw.raw(str(b))
                    jw.end_array()
                elif ev.type == PERF_RECORD_LOST:
                    jw.name("lost")
                    jw.start_object()
                    jw.name("id")
                    jw.uint(ev.id)
                    jw.name("count")
                    jw.uint(ev.lost)
                    jw.end_object()
                jw.end_object()
            elif ev.type == PERF_RECORD_SAMPLE:
                common.out(f"== @{ev.time // 1_000_000_000}.{ev.time % 1_000_000_000:09d} "
                           f"CPU: {ev.cpu} index: {index} =====\n{fprint_hex(bytes(ev.data))}\n")
            elif ev.type == PERF_RECORD_LOST:
                common.out(f"lost {ev.lost} events\n")
            else:
                common.out(f"unknown event type={ev.type} size={len(ev.data)}\n")
        if jw is not None:
            jw.end_array()
        return 0
    finally:
        kern.close(fd)


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("help", do_help),
    Cmd("dump", do_dump),
    Cmd("update", do_update),
    Cmd("lookup", do_lookup),
    Cmd("getnext", do_getnext),
    Cmd("delete", do_delete),
    Cmd("pin", do_pin),
    Cmd("event_pipe", do_event_pipe),
    Cmd("create", do_create),
    Cmd("peek", do_lookup),
    Cmd("push", do_update),
    Cmd("enqueue", do_update),
    Cmd("pop", do_pop_dequeue),
    Cmd("dequeue", do_pop_dequeue),
    Cmd("freeze", do_freeze),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)


__all__ = ["main", "COMMANDS", "USAGE", "p_info"]
