"""Object handles (``PROG := id N | pinned FILE | tag TAG | name NAME``, ``MAP := id N |
pinned FILE | name NAME``), the ``-f`` pinned-path table, and ``pin`` — bpftool's
common.c, on the simulated kernel.

Functions return fds (or lists of fds); on failure they print bpftool's message and
return -1 / None, so command code keeps bpftool's control flow and exit codes.
"""

from __future__ import annotations

import re

from pykernel.uapi.consts import BPF_OBJ_NAME_LEN

from . import kern
from .common import Args, is_prefix, p_err, req_args, strtoul, u32
from .kern import SyscallError, strerror

MAX_PROG_FULL_NAME = 128
_TAG_BYTE = re.compile(r"\s*([0-9a-fA-F]{1,2})")


def parse_tag(text: str) -> bytes | None:
    """sscanf("%02hhx" x 8): eight bytes of one or two hex digits; trailing text ignored."""
    out = bytearray()
    pos = 0
    for _ in range(8):
        m = _TAG_BYTE.match(text, pos)
        if not m:
            return None
        out.append(int(m.group(1), 16))
        pos = m.end()
    return bytes(out)


def parse_id(args: Args) -> int | None:
    """``id N`` after the keyword: strtoul(N, 0) truncated to 32 bits, or None (printed)."""
    word = args.cur or ""
    value = strtoul(word)
    if value is None:
        p_err(f"can't parse {word} as ID")
        return None
    args.next()
    return u32(value)


# ------------------------------------------------------------------------------ progs
def prog_full_name(info, fd: int | None = None) -> str:
    """bpftool's get_prog_full_name: a name cut at 15 characters is completed from the
    program's BTF (its first func_info record names the function)."""
    name = info.name
    if len(name) != BPF_OBJ_NAME_LEN - 1 or not info.btf_id or not info.nr_func_info:
        return name
    try:
        import struct

        type_id = struct.unpack_from("<II", info.func_info, 0)[1]
        btf = load_btf_by_id(info.btf_id)
        if btf is None:
            return name
        t = btf.t(type_id)
        from pykernel.uapi.btf import Kind

        if t.kind != Kind.FUNC:
            return name
        return btf.data.str_at(t.name_off)[:MAX_PROG_FULL_NAME - 1]
    except Exception:  # noqa: BLE001 - any failure keeps the kernel's 15-char name
        return name


def load_btf_by_id(btf_id: int):
    """libbpf's btf__load_from_kernel_by_id: a pylibbpf Btf, or None."""
    fd = kern.btf_get_fd_by_id(btf_id)
    try:
        info = kern.btf_info(fd)
    finally:
        kern.close(fd)
    from pylibbpf.btf import Btf

    return Btf.from_bytes(bytes(info.btf))


def _prog_fds_by(match) -> list[int] | None:
    fds: list[int] = []
    obj_id = 0
    while True:
        try:
            obj_id = kern.prog_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno == 2:
                return fds
            p_err(strerror(e.errno))
            break
        try:
            fd = kern.prog_get_fd_by_id(obj_id)
        except SyscallError as e:
            p_err(f"can't get prog by id ({obj_id}): {strerror(e.errno)}")
            break
        try:
            info = kern.prog_info(fd)
        except SyscallError as e:
            p_err(f"can't get prog info ({obj_id}): {strerror(e.errno)}")
            kern.close(fd)
            break
        if match(info, fd):
            fds.append(fd)
        else:
            kern.close(fd)
    for fd in fds:
        kern.close(fd)
    return None


def open_obj_pinned(path: str, quiet: bool = False) -> int:
    try:
        return kern.obj_get(path)
    except SyscallError as e:
        if not quiet:
            p_err(f"bpf obj get ({path}): {strerror(e.errno)}")
        return -1


def open_obj_pinned_any(path: str, kind: str) -> int:
    fd = open_obj_pinned(path)
    if fd < 0:
        return -1
    got = kern.fd_type(fd)
    if got != kind:
        p_err(f"incorrect object type: {got if got in ('prog', 'map', 'link') else 'unknown'}")
        kern.close(fd)
        return -1
    return fd


def prog_parse_fds(args: Args) -> list[int] | None:
    """All programs a PROG handle names (several for ``tag``/``name``), None on error."""
    word = args.cur
    if is_prefix(word, "id"):
        args.next()
        obj_id = parse_id(args)
        if obj_id is None:
            return None
        try:
            return [kern.prog_get_fd_by_id(obj_id)]
        except SyscallError as e:
            p_err(f"get by id ({obj_id}): {strerror(e.errno)}")
            return None
    if is_prefix(word, "tag"):
        args.next()
        tag = parse_tag(args.cur or "")
        if tag is None:
            p_err("can't parse tag")
            return None
        args.next()
        return _prog_fds_by(lambda info, fd: bytes(info.tag) == tag)
    if is_prefix(word, "name"):
        args.next()
        name = args.cur or ""
        if len(name.encode()) > MAX_PROG_FULL_NAME - 1:
            p_err("can't parse name")
            return None
        args.next()
        return _prog_fds_by(lambda info, fd: prog_full_name(info, fd) == name)
    if is_prefix(word, "pinned"):
        args.next()
        path = args.cur or ""
        args.next()
        fd = open_obj_pinned_any(path, "prog")
        return None if fd < 0 else [fd]
    p_err(f"expected 'id', 'tag', 'name' or 'pinned', got: '{word}'?")
    return None


def prog_parse_fd(args: Args) -> int:
    fds = prog_parse_fds(args)
    if fds is None:
        return -1
    if len(fds) != 1:
        if len(fds) > 1:
            p_err("several programs match this handle")
            for fd in fds:
                kern.close(fd)
        return -1
    return fds[0]


# ------------------------------------------------------------------------------- maps
def _map_fds_by_name(name: str) -> list[int] | None:
    fds: list[int] = []
    obj_id = 0
    while True:
        try:
            obj_id = kern.map_get_next_id(obj_id)
        except SyscallError as e:
            if e.errno == 2:
                return fds
            p_err(strerror(e.errno))
            break
        try:
            fd = kern.map_get_fd_by_id(obj_id)
        except SyscallError as e:
            p_err(f"can't get map by id ({obj_id}): {strerror(e.errno)}")
            break
        try:
            info = kern.map_info(fd)
        except SyscallError as e:
            p_err(f"can't get map info ({obj_id}): {strerror(e.errno)}")
            kern.close(fd)
            break
        if info.name[:BPF_OBJ_NAME_LEN] == name[:BPF_OBJ_NAME_LEN]:
            fds.append(fd)
        else:
            kern.close(fd)
    for fd in fds:
        kern.close(fd)
    return None


def map_parse_fds(args: Args) -> list[int] | None:
    word = args.cur
    if is_prefix(word, "id"):
        args.next()
        obj_id = parse_id(args)
        if obj_id is None:
            return None
        try:
            return [kern.map_get_fd_by_id(obj_id)]
        except SyscallError as e:
            p_err(f"get map by id ({obj_id}): {strerror(e.errno)}")
            return None
    if is_prefix(word, "name"):
        args.next()
        name = args.cur or ""
        if len(name.encode()) > BPF_OBJ_NAME_LEN - 1:
            p_err("can't parse name")
            return None
        args.next()
        return _map_fds_by_name(name)
    if is_prefix(word, "pinned"):
        args.next()
        path = args.cur or ""
        args.next()
        fd = open_obj_pinned_any(path, "map")
        return None if fd < 0 else [fd]
    p_err(f"expected 'id', 'name' or 'pinned', got: '{word}'?")
    return None


def map_parse_fd(args: Args) -> int:
    fds = map_parse_fds(args)
    if fds is None:
        return -1
    if len(fds) != 1:
        if len(fds) > 1:
            p_err("several maps match this handle")
            for fd in fds:
                kern.close(fd)
        return -1
    return fds[0]


def map_parse_fd_and_info(args: Args):
    """(fd, MapInfo), or (-1, None) after printing the error."""
    fd = map_parse_fd(args)
    if fd < 0:
        return -1, None
    try:
        return fd, kern.map_info(fd)
    except SyscallError as e:
        p_err(f"can't get map info: {strerror(e.errno)}")
        kern.close(fd)
        return -e.errno, None


# ----------------------------------------------------------------------------- links
def link_parse_fd(args: Args) -> int:
    word = args.cur
    if is_prefix(word, "id"):
        args.next()
        obj_id = parse_id(args)
        if obj_id is None:
            return -1
        try:
            return kern.link_get_fd_by_id(obj_id)
        except SyscallError as e:
            p_err(f"failed to get link with ID {obj_id}: {strerror(e.errno)}")
            return -e.errno
    if is_prefix(word, "pinned"):
        args.next()
        path = args.cur or ""
        args.next()
        return open_obj_pinned_any(path, "link")
    p_err(f"expected 'id' or 'pinned', got: '{word}'?")
    return -1


# ------------------------------------------------------------------------------- pins
def do_pin_fd(fd: int, path: str) -> int:
    """Pin ``fd`` at ``path``. The simulated bpffs covers every path, so bpftool's
    "mount a bpffs on the parent directory" step has nothing to do; the kernel creates
    missing parent directories (a simulated filesystem has no mkdir)."""
    try:
        kern.obj_pin(fd, path)
    except SyscallError as e:
        p_err(f"can't pin the object ({path}): {strerror(e.errno)}")
        return -e.errno
    return 0


def do_pin_any(args: Args, parse_fd) -> int:
    if not req_args(args, 3):
        return -22
    fd = parse_fd(args)
    if fd < 0:
        return fd
    try:
        return do_pin_fd(fd, args.cur or "")
    finally:
        kern.close(fd)


def pinned_table(kind: str) -> dict[int, list[str]]:
    """``-f``: object id -> the paths it is pinned at. bpftool walks every bpffs mount and
    appends to a libbpf hashmap keyed by id; reading a key's entries back follows that
    hashmap's bucket order, which :class:`IdMultimap` reproduces."""
    table = IdMultimap()
    for path, k, obj in kern.pins():
        if k == kind:
            table.append(obj, path)
    return table.as_dict()


class IdMultimap:
    """libbpf's hashmap with identity hash, used by bpftool with hashmap__append() and
    read with hashmap__for_each_key_entry(): entries are prepended to their bucket, and
    every resize re-prepends them bucket by bucket, which reverses runs of a key. The
    order bpftool prints (``map_ids 29,28``) follows from that."""

    _MULT = 11400714819323198485

    def __init__(self) -> None:
        self.cap_bits = 0
        self.buckets: list[list[tuple[int, object]]] = []
        self.size = 0

    def _hash(self, key: int, bits: int) -> int:
        if bits == 0:
            return 0
        return ((key * self._MULT) & 0xFFFFFFFFFFFFFFFF) >> (64 - bits)

    def _grow(self) -> None:
        bits = max(self.cap_bits + 1, 2)
        new: list[list[tuple[int, object]]] = [[] for _ in range(1 << bits)]
        for bucket in self.buckets:
            for entry in bucket:
                new[self._hash(entry[0], bits)].insert(0, entry)
        self.buckets, self.cap_bits = new, bits

    def append(self, key: int, value: object) -> None:
        cap = len(self.buckets)
        if cap == 0 or (self.size + 1) * 4 // 3 > cap:
            self._grow()
        self.buckets[self._hash(key, self.cap_bits)].insert(0, (key, value))
        self.size += 1

    def values(self, key: int) -> list:
        if not self.buckets:
            return []
        return [v for k, v in self.buckets[self._hash(key, self.cap_bits)] if k == key]

    def as_dict(self) -> dict[int, list]:
        out: dict[int, list] = {}
        for bucket in self.buckets:
            for k, _v in bucket:
                if k not in out:
                    out[k] = self.values(k)
        return out
