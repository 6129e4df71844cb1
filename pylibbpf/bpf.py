"""libbpf's low-level API (bpf/bpf.h): one thin function per bpf() command, over
``proc.bpf``. Each returns what the libbpf function returns on success (an fd, a value,
an info object) and raises :class:`LibbpfError` carrying the errno where libbpf would
return ``-errno``.
"""

from __future__ import annotations

from pykernel.uapi.attr import (
    BtfInfo,
    BtfLoadAttr,
    GetIdAttr,
    InfoAttr,
    LinkCreateAttr,
    LinkDetachAttr,
    LinkInfo,
    LinkUpdateAttr,
    MapBatchAttr,
    MapCreateAttr,
    MapElemAttr,
    MapFreezeAttr,
    MapInfo,
    ObjPinAttr,
    ProgAttachAttr,
    ProgInfo,
    ProgLoadAttr,
    ProgQueryAttr,
    TestRunAttr,
)
from pykernel.uapi.consts import BPF_OBJ_NAME_LEN, Cmd
from pykernel.uapi.errors import SyscallError
from pykernel.uapi.insn import Insn, encode_all

from .errors import LibbpfError, libbpf_strerror

__all__ = [
    "bpf_btf_get_fd_by_id", "bpf_btf_get_info_by_fd", "bpf_btf_get_next_id", "bpf_btf_load",
    "bpf_link_create", "bpf_link_detach", "bpf_link_get_fd_by_id", "bpf_link_get_info_by_fd",
    "bpf_link_get_next_id", "bpf_link_update", "bpf_map_create", "bpf_map_delete_elem",
    "bpf_map_freeze", "bpf_map_get_fd_by_id", "bpf_map_get_info_by_fd", "bpf_map_get_next_id",
    "bpf_map_get_next_key", "bpf_map_lookup_and_delete_elem", "bpf_map_lookup_batch",
    "bpf_map_lookup_elem", "bpf_map_update_batch", "bpf_map_update_elem", "bpf_obj_get",
    "bpf_obj_get_info_by_fd", "bpf_obj_pin", "bpf_prog_attach", "bpf_prog_detach2",
    "bpf_prog_get_fd_by_id", "bpf_prog_get_info_by_fd", "bpf_prog_get_next_id", "bpf_prog_load",
    "bpf_prog_query", "bpf_prog_test_run_opts",
]


def _sys(proc, cmd: Cmd, attr) -> int:  # noqa: ANN001
    try:
        return proc.bpf(cmd, attr)
    except SyscallError as e:
        err = e.errno or 22
        raise LibbpfError(err, libbpf_strerror(err)) from None


# ------------------------------------------------------------------ maps

def bpf_map_create(proc, map_type: int, map_name: str | None, key_size: int, value_size: int,  # noqa: ANN001
                   max_entries: int, *, btf_fd: int = 0, btf_key_type_id: int = 0,
                   btf_value_type_id: int = 0, btf_vmlinux_value_type_id: int = 0,
                   inner_map_fd: int = 0, map_flags: int = 0, map_extra: int = 0,
                   numa_node: int = 0, map_ifindex: int = 0) -> int:
    attr = MapCreateAttr(map_type=map_type, key_size=key_size, value_size=value_size,
                         max_entries=max_entries, map_flags=map_flags, inner_map_fd=inner_map_fd,
                         numa_node=numa_node, map_name=(map_name or "")[:BPF_OBJ_NAME_LEN - 1],
                         map_ifindex=map_ifindex, btf_fd=btf_fd, btf_key_type_id=btf_key_type_id,
                         btf_value_type_id=btf_value_type_id,
                         btf_vmlinux_value_type_id=btf_vmlinux_value_type_id, map_extra=map_extra)
    return _sys(proc, Cmd.MAP_CREATE, attr)


def bpf_map_lookup_elem(proc, fd: int, key: bytes | None, value_size: int, flags: int = 0) -> bytes:  # noqa: ANN001
    """The value stored under ``key`` (``value_size`` bytes; per-CPU maps: all CPUs)."""
    value = bytearray(value_size)
    _sys(proc, Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=key, value=value, flags=flags))
    return bytes(value)


def bpf_map_update_elem(proc, fd: int, key: bytes | None, value: bytes, flags: int = 0) -> None:  # noqa: ANN001
    _sys(proc, Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=key, value=bytes(value), flags=flags))


def bpf_map_delete_elem(proc, fd: int, key: bytes) -> None:  # noqa: ANN001
    _sys(proc, Cmd.MAP_DELETE_ELEM, MapElemAttr(map_fd=fd, key=key))


def bpf_map_lookup_and_delete_elem(proc, fd: int, key: bytes | None, value_size: int,  # noqa: ANN001
                                   flags: int = 0) -> bytes:
    value = bytearray(value_size)
    _sys(proc, Cmd.MAP_LOOKUP_AND_DELETE_ELEM, MapElemAttr(map_fd=fd, key=key, value=value, flags=flags))
    return bytes(value)


def bpf_map_get_next_key(proc, fd: int, key: bytes | None, key_size: int) -> bytes:  # noqa: ANN001
    """The key after ``key`` (the first key when ``key`` is None); ENOENT at the end."""
    nxt = bytearray(key_size)
    _sys(proc, Cmd.MAP_GET_NEXT_KEY, MapElemAttr(map_fd=fd, key=key, next_key=nxt))
    return bytes(nxt)


def bpf_map_freeze(proc, fd: int) -> None:  # noqa: ANN001
    _sys(proc, Cmd.MAP_FREEZE, MapFreezeAttr(map_fd=fd))


def bpf_map_lookup_batch(proc, fd: int, in_batch: bytes | None, key_size: int, value_size: int,  # noqa: ANN001
                         count: int, *, elem_flags: int = 0, flags: int = 0
                         ) -> tuple[bytes, bytes, bytes, int]:
    """``(keys, values, out_batch, count)``; the kernel's ENOENT at the end still fills them."""
    out_batch = bytearray(key_size)
    keys, values = bytearray(key_size * count), bytearray(value_size * count)
    attr = MapBatchAttr(map_fd=fd, in_batch=in_batch, out_batch=out_batch, keys=keys, values=values,
                        count=count, elem_flags=elem_flags, flags=flags)
    _sys(proc, Cmd.MAP_LOOKUP_BATCH, attr)
    return bytes(keys), bytes(values), bytes(out_batch), attr.count


def bpf_map_update_batch(proc, fd: int, keys: bytes, values: bytes, count: int, *,  # noqa: ANN001
                         elem_flags: int = 0, flags: int = 0) -> int:
    attr = MapBatchAttr(map_fd=fd, keys=keys, values=values, count=count, elem_flags=elem_flags, flags=flags)
    _sys(proc, Cmd.MAP_UPDATE_BATCH, attr)
    return attr.count


# ------------------------------------------------------------------ objects, ids, info

def bpf_obj_pin(proc, fd: int, pathname: str) -> None:  # noqa: ANN001
    _sys(proc, Cmd.OBJ_PIN, ObjPinAttr(pathname=pathname, bpf_fd=fd))


def bpf_obj_get(proc, pathname: str, file_flags: int = 0) -> int:  # noqa: ANN001
    return _sys(proc, Cmd.OBJ_GET, ObjPinAttr(pathname=pathname, file_flags=file_flags))


def _next_id(proc, cmd: Cmd, start_id: int) -> int:  # noqa: ANN001
    attr = GetIdAttr(start_id=start_id)
    _sys(proc, cmd, attr)
    return attr.next_id


def bpf_prog_get_next_id(proc, start_id: int) -> int:  # noqa: ANN001
    return _next_id(proc, Cmd.PROG_GET_NEXT_ID, start_id)


def bpf_map_get_next_id(proc, start_id: int) -> int:  # noqa: ANN001
    return _next_id(proc, Cmd.MAP_GET_NEXT_ID, start_id)


def bpf_btf_get_next_id(proc, start_id: int) -> int:  # noqa: ANN001
    return _next_id(proc, Cmd.BTF_GET_NEXT_ID, start_id)


def bpf_link_get_next_id(proc, start_id: int) -> int:  # noqa: ANN001
    return _next_id(proc, Cmd.LINK_GET_NEXT_ID, start_id)


def bpf_prog_get_fd_by_id(proc, prog_id: int) -> int:  # noqa: ANN001
    return _sys(proc, Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=prog_id))


def bpf_map_get_fd_by_id(proc, map_id: int) -> int:  # noqa: ANN001
    return _sys(proc, Cmd.MAP_GET_FD_BY_ID, GetIdAttr(start_id=map_id))


def bpf_btf_get_fd_by_id(proc, btf_id: int) -> int:  # noqa: ANN001
    return _sys(proc, Cmd.BTF_GET_FD_BY_ID, GetIdAttr(start_id=btf_id))


def bpf_link_get_fd_by_id(proc, link_id: int) -> int:  # noqa: ANN001
    return _sys(proc, Cmd.LINK_GET_FD_BY_ID, GetIdAttr(start_id=link_id))


def bpf_obj_get_info_by_fd(proc, fd: int, info: object) -> object:  # noqa: ANN001
    """Fill ``info`` (a ProgInfo/MapInfo/BtfInfo/LinkInfo) for ``fd`` and return it."""
    _sys(proc, Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
    return info


def bpf_prog_get_info_by_fd(proc, fd: int) -> ProgInfo:  # noqa: ANN001
    return bpf_obj_get_info_by_fd(proc, fd, ProgInfo())  # type: ignore[return-value]


def bpf_map_get_info_by_fd(proc, fd: int) -> MapInfo:  # noqa: ANN001
    return bpf_obj_get_info_by_fd(proc, fd, MapInfo())  # type: ignore[return-value]


def bpf_btf_get_info_by_fd(proc, fd: int) -> BtfInfo:  # noqa: ANN001
    return bpf_obj_get_info_by_fd(proc, fd, BtfInfo())  # type: ignore[return-value]


def bpf_link_get_info_by_fd(proc, fd: int) -> LinkInfo:  # noqa: ANN001
    return bpf_obj_get_info_by_fd(proc, fd, LinkInfo())  # type: ignore[return-value]


# ------------------------------------------------------------------ programs, BTF

def bpf_prog_load(proc, prog_type: int, prog_name: str | None, license: str,  # noqa: ANN001
                  insns: list[Insn] | bytes, *, expected_attach_type: int = 0, prog_btf_fd: int = 0,
                  func_info: bytes | None = None, func_info_cnt: int = 0, func_info_rec_size: int = 0,
                  line_info: bytes | None = None, line_info_cnt: int = 0, line_info_rec_size: int = 0,
                  log_buf: bytearray | None = None, log_level: int = 0, kern_version: int = 0,
                  prog_flags: int = 0, prog_ifindex: int = 0, attach_btf_id: int = 0,
                  attach_prog_fd: int = 0, fd_array: list[int] | None = None) -> int:
    """BPF_PROG_LOAD. Like libbpf 1.1, a failure with ``log_level == 0`` but a ``log_buf``
    is retried once with log_level 1 so the buffer holds the verifier's reason."""
    code = insns if isinstance(insns, bytes | bytearray) else encode_all(list(insns))
    attr = ProgLoadAttr(prog_type=prog_type, insns=bytes(code), license=license, log_level=log_level,
                        log_size=len(log_buf) if log_buf is not None and log_level else 0,
                        log_buf=log_buf if log_level else None, kern_version=kern_version,
                        prog_flags=prog_flags, prog_name=(prog_name or "")[:BPF_OBJ_NAME_LEN - 1],
                        prog_ifindex=prog_ifindex, expected_attach_type=expected_attach_type,
                        prog_btf_fd=prog_btf_fd, func_info_rec_size=func_info_rec_size,
                        func_info=func_info, func_info_cnt=func_info_cnt,
                        line_info_rec_size=line_info_rec_size, line_info=line_info,
                        line_info_cnt=line_info_cnt, attach_btf_id=attach_btf_id,
                        attach_prog_fd=attach_prog_fd, fd_array=fd_array)
    try:
        return proc.bpf(Cmd.PROG_LOAD, attr)
    except SyscallError as e:
        if log_level == 0 and log_buf is not None:
            attr.log_level, attr.log_buf, attr.log_size = 1, log_buf, len(log_buf)
            return _sys(proc, Cmd.PROG_LOAD, attr)
        err = e.errno or 22
        raise LibbpfError(err, libbpf_strerror(err)) from None


def bpf_btf_load(proc, btf_data: bytes, *, log_buf: bytearray | None = None,  # noqa: ANN001
                 log_level: int = 0) -> int:
    attr = BtfLoadAttr(btf=bytes(btf_data))
    if log_buf is not None or log_level:
        attr.btf_log_buf, attr.btf_log_size, attr.btf_log_level = log_buf, len(log_buf or b""), log_level
    return _sys(proc, Cmd.BTF_LOAD, attr)


def bpf_prog_test_run_opts(proc, prog_fd: int, *, data_in: bytes | None = None,  # noqa: ANN001
                           data_size_out: int = 0, ctx_in: bytes | None = None, ctx_size_out: int = 0,
                           repeat: int = 0, flags: int = 0, cpu: int = 0, batch_size: int = 0) -> TestRunAttr:
    """BPF_PROG_TEST_RUN; the returned attr holds retval, duration, data_out/ctx_out and
    their sizes (``data_size_out`` is also set when the kernel answers ENOSPC)."""
    attr = TestRunAttr(prog_fd=prog_fd, data_in=data_in,
                       data_out=bytearray(data_size_out) if data_size_out else None,
                       data_size_out=data_size_out, repeat=repeat, ctx_in=ctx_in,
                       ctx_out=bytearray(ctx_size_out) if ctx_size_out else None,
                       ctx_size_out=ctx_size_out, flags=flags, cpu=cpu, batch_size=batch_size)
    _sys(proc, Cmd.PROG_TEST_RUN, attr)
    return attr


# ------------------------------------------------------------------ attachment

def bpf_prog_attach(proc, prog_fd: int, target_fd: int, attach_type: int, flags: int = 0,  # noqa: ANN001
                    replace_prog_fd: int = 0) -> None:
    _sys(proc, Cmd.PROG_ATTACH, ProgAttachAttr(target_fd=target_fd, attach_bpf_fd=prog_fd,
                                               attach_type=attach_type, attach_flags=flags,
                                               replace_bpf_fd=replace_prog_fd))


def bpf_prog_detach2(proc, prog_fd: int, target_fd: int, attach_type: int) -> None:  # noqa: ANN001
    _sys(proc, Cmd.PROG_DETACH, ProgAttachAttr(target_fd=target_fd, attach_bpf_fd=prog_fd,
                                               attach_type=attach_type))


def bpf_prog_query(proc, target_fd: int, attach_type: int, query_flags: int = 0,  # noqa: ANN001
                   prog_cnt: int = 64) -> ProgQueryAttr:
    attr = ProgQueryAttr(target_fd=target_fd, attach_type=attach_type, query_flags=query_flags,
                         prog_cnt=prog_cnt)
    _sys(proc, Cmd.PROG_QUERY, attr)
    return attr


def bpf_link_create(proc, prog_fd: int, target: int, attach_type: int, *, flags: int = 0,  # noqa: ANN001
                    target_ifindex: bool = False) -> int:
    """BPF_LINK_CREATE. ``target`` is a cgroup fd, or an ifindex when ``target_ifindex``
    (XDP links), as libbpf passes both in the same attr field."""
    attr = LinkCreateAttr(prog_fd=prog_fd, attach_type=attach_type, flags=flags)
    if target_ifindex:
        attr.target_ifindex = target
    else:
        attr.target_fd = target
    return _sys(proc, Cmd.LINK_CREATE, attr)


def bpf_link_update(proc, link_fd: int, new_prog_fd: int, *, flags: int = 0,  # noqa: ANN001
                    old_prog_fd: int = 0) -> None:
    _sys(proc, Cmd.LINK_UPDATE, LinkUpdateAttr(link_fd=link_fd, new_prog_fd=new_prog_fd, flags=flags,
                                               old_prog_fd=old_prog_fd))


def bpf_link_detach(proc, link_fd: int) -> None:  # noqa: ANN001
    _sys(proc, Cmd.LINK_DETACH, LinkDetachAttr(link_fd=link_fd))
