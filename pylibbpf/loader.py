"""``load_object``: put an opened :class:`~pylibbpf.object.BpfObject` into a kernel through
``proc.bpf()``, in libbpf 1.1's order and with its messages:

1. BTF (BPF_BTF_LOAD; on failure the log is printed and loading goes on without BTF);
2. maps: reuse of given fds, pinned-map reuse (LIBBPF_PIN_BY_NAME), creation (a BTF
   retry without type ids), internal maps filled and ``.rodata`` frozen, map-in-map slots,
   auto-pinning;
3. relocation of every entry-point program (map fds, subprograms, func/line info);
4. BPF_PROG_LOAD per program: first without a log, then with log_level 1 and a 16 MiB
   buffer doubling on ENOSPC; the log is printed between ``-- BEGIN/END PROG LOAD LOG --``;
5. prog_array initial slots; ``pin_maps_dir`` pins every map as ``DIR/<name>``.

On failure everything created is closed, auto-pinned maps are unpinned, ``failed to load
object '<path>'`` is printed and LibbpfError is raised.
"""

from __future__ import annotations

import copy
import errno as _errno
import struct

from pykernel.uapi.attr import (
    BtfLoadAttr,
    GetIdAttr,
    InfoAttr,
    MapCreateAttr,
    MapElemAttr,
    MapFreezeAttr,
    MapInfo,
    ObjPinAttr,
    ProgLoadAttr,
)
from pykernel.uapi.consts import BPF_OBJ_NAME_LEN, Cmd, MapType
from pykernel.uapi.errors import SyscallError
from pykernel.uapi.insn import encode_all

from .errors import LibbpfError, libbpf_strerror
from .object import MAP_KCONFIG, MAP_RODATA, BpfMap, BpfObject, BpfProgram, PrintFn
from .relo import relocate_program

BPF_LOG_BUF_SIZE = 0xFFFFFFFF >> 8
UINT_MAX = 0xFFFFFFFF

# map types that take no BTF key/value in libbpf 1.1 (bpf_object__create_map)
_NO_BTF_MAP_TYPES = {
    MapType.PERF_EVENT_ARRAY, MapType.CGROUP_ARRAY, MapType.STACK_TRACE, MapType.ARRAY_OF_MAPS,
    MapType.HASH_OF_MAPS, MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP,
    MapType.SOCKMAP, MapType.SOCKHASH, MapType.QUEUE, MapType.STACK,
}
_MAP_IN_MAP = (MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS)


def _errno_of(e: SyscallError) -> int:
    return e.errno or _errno.EINVAL


def load_object(obj: BpfObject, proc, *, prog_type: int | None = None,  # noqa: ANN001
                expected_attach_type: int | None = None,
                map_reuse: dict[str | int, int] | None = None, pin_maps_dir: str | None = None,
                ifindex: int = 0, log_level: int = 0, print_fn: PrintFn | None = None,
                autoload: dict[str, bool] | None = None, verifier_trace: bool = False) -> BpfObject:
    """Load ``obj`` into the simulated kernel of ``proc`` (see the module docstring).

    ``prog_type``/``expected_attach_type`` override every program's type (bpftool ``type``);
    ``map_reuse`` maps a map name or index to an fd to use instead of creating the map;
    ``ifindex`` asks for device offload of programs and maps; ``log_level`` > 0 requests
    the verifier log on the first attempt (printed at debug level on success);
    ``autoload`` switches individual programs off by name; ``verifier_trace`` (beyond
    libbpf) asks the kernel for the structured trace of each program's verification, left
    in ``prog.verifier_trace_out`` with the log in ``prog.verifier_log``, loaded or not.
    """
    if print_fn is not None:
        obj.print_fn = print_fn
    if obj.loaded:
        raise obj.fail(_errno.EINVAL, f"object '{obj.name}': load can't be attempted twice")
    obj.loaded = True
    ld = _Loader(obj, proc, log_level, verifier_trace)
    try:
        ld.apply_options(prog_type, expected_attach_type, map_reuse or {}, ifindex, autoload or {})
        ld.load_btf()
        ld.create_maps()
        ld.relocate()
        ld.load_progs()
        ld.init_prog_arrays()
        if pin_maps_dir is not None:
            pin_maps(obj, proc, pin_maps_dir)
    except LibbpfError as e:
        ld.unload()
        obj.warn(f"failed to load object '{obj.path}'")
        raise LibbpfError(e.errno, e.message, log=e.log) from None
    return obj


class _Loader:
    def __init__(self, obj: BpfObject, proc, log_level: int, verifier_trace: bool = False) -> None:  # noqa: ANN001
        self.obj = obj
        self.proc = proc
        self.log_level = log_level
        self.verifier_trace = verifier_trace
        self.created_fds: list[int] = []

    # ---------------------------------------------------------------- options
    def apply_options(self, prog_type: int | None, attach: int | None, reuse: dict[str | int, int],
                      ifindex: int, autoload: dict[str, bool]) -> None:
        obj = self.obj
        for p in obj.programs:
            if prog_type is not None:
                p.type = int(prog_type)
                p.expected_attach_type = int(attach or 0)
            if ifindex:
                p.ifindex = ifindex
            if p.name in autoload:
                p.autoload = autoload[p.name]
            p.log_level = self.log_level
            p.verifier_trace = self.verifier_trace
        if ifindex:
            for m in obj.maps:
                if m.type != MapType.PERF_EVENT_ARRAY:
                    m.ifindex = ifindex
        for key, fd in reuse.items():
            if isinstance(key, int):
                if not 0 <= key < len(obj.maps):
                    raise obj.fail(_errno.ENOENT, f"map index {key} out of range")
                m = obj.maps[key]
            else:
                found = obj.find_map(key)
                if found is None:
                    raise obj.fail(_errno.ENOENT, f"unable to find map '{key}'")
                m = found
            self.reuse_fd(m, fd)

    def reuse_fd(self, m: BpfMap, fd: int) -> None:
        """bpf_map__reuse_fd(): a second fd on the same map, and the map's real parameters."""
        info = MapInfo()
        try:
            self.proc.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
            dup = getattr(self.proc, "dup", None)
            if dup is not None:
                new_fd = dup(fd)
            else:  # a second fd on the same map, the other way
                new_fd = self.proc.bpf(Cmd.MAP_GET_FD_BY_ID, GetIdAttr(start_id=info.id))
        except SyscallError as e:
            raise self.obj.fail(_errno_of(e), f"map '{m.name}': failed to reuse fd {fd}: "
                                              f"{libbpf_strerror(_errno_of(e))}") from None
        if not (len(info.name) == BPF_OBJ_NAME_LEN - 1 and m.name.startswith(info.name)):
            m.name = info.name
        m.type, m.key_size, m.value_size = info.type, info.key_size, info.value_size
        m.max_entries, m.map_flags, m.map_extra = info.max_entries, info.map_flags, info.map_extra
        m.btf_key_type_id, m.btf_value_type_id = info.btf_key_type_id, info.btf_value_type_id
        m.fd = new_fd
        m.reused = True
        self.created_fds.append(new_fd)

    # ---------------------------------------------------------------- BTF
    def load_btf(self) -> None:
        obj = self.obj
        if obj.btf is None:
            return
        raw = obj.btf.raw()
        level = 1 if self.log_level else 0
        size = 0
        while True:
            attr = BtfLoadAttr(btf=raw)
            if level:
                size = max(BPF_LOG_BUF_SIZE, size * 2)
                attr.btf_log_buf = bytearray(size)
                attr.btf_log_size = size
                attr.btf_log_level = level
            try:
                obj.btf_fd = self.proc.bpf(Cmd.BTF_LOAD, attr)
                self.created_fds.append(obj.btf_fd)
                return
            except SyscallError as e:
                err = _errno_of(e)
                if level == 0:
                    level = 1
                    continue
                if err == _errno.ENOSPC and size <= UINT_MAX // 2:
                    continue
                obj.warn(f"BTF loading error: -{err}")
                log = _cstr(attr.btf_log_buf)
                if log:
                    obj.warn(f"-- BEGIN BTF LOAD LOG ---\n{log}\n-- END BTF LOAD LOG --")
                obj.warn(f"Error loading .BTF into kernel: -{err}. BTF is optional, ignoring.")
                obj.btf_fd = -1
                return

    # ---------------------------------------------------------------- maps
    def create_maps(self) -> None:
        obj = self.obj
        for i, m in enumerate(obj.maps):
            if not m.autocreate:
                obj.debug(f"map '{m.name}': skipped auto-creating...")
                continue
            try:
                self._create_one(m)
            except LibbpfError as e:
                obj.warn(f"map '{m.name}': failed to create: {libbpf_strerror(e.errno)}(-{e.errno})")
                for prev in obj.maps[:i]:
                    prev.fd = -1
                raise LibbpfError(e.errno, f"map '{m.name}': failed to create: "
                                           f"{libbpf_strerror(e.errno)}(-{e.errno})") from None

    def _create_one(self, m: BpfMap) -> None:
        obj = self.obj
        retried = False
        while True:
            if m.pin_path and not m.reused:
                self._reuse_pinned(m, retried)
            if m.fd >= 0:
                obj.debug(f"map '{m.name}': skipping creation (preset fd={m.fd})")
            else:
                self._create_map(m)
                obj.debug(f"map '{m.name}': created successfully, fd={m.fd}")
                if m.is_internal:
                    self._populate_internal(m)
                if m.init_slots and m.type != MapType.PROG_ARRAY:
                    self._init_map_in_map_slots(m)
            if m.pin_path and not m.pinned:
                try:
                    pin_map(obj, self.proc, m, None)
                except LibbpfError as e:
                    self._close(m.fd)
                    m.fd = -1
                    if not retried and e.errno == _errno.EEXIST:
                        retried = True
                        continue
                    obj.warn(f"map '{m.name}': failed to auto-pin at '{m.pin_path}': -{e.errno}")
                    raise
            return

    def _reuse_pinned(self, m: BpfMap, retried: bool) -> None:
        obj = self.obj
        assert m.pin_path is not None
        try:
            fd = self.proc.bpf(Cmd.OBJ_GET, ObjPinAttr(pathname=m.pin_path))
        except SyscallError as e:
            err = _errno_of(e)
            if err == _errno.ENOENT:
                obj.debug(f"found no pinned map to reuse at '{m.pin_path}'")
                if retried:
                    obj.warn(f"map '{m.name}': cannot find pinned map")
                    raise LibbpfError(_errno.ENOENT, f"map '{m.name}': cannot find pinned map") from None
                return
            obj.warn(f"couldn't retrieve pinned map '{m.pin_path}': {libbpf_strerror(err)}")
            obj.warn(f"map '{m.name}': error reusing pinned map")
            raise LibbpfError(err, f"map '{m.name}': error reusing pinned map") from None
        info = MapInfo()
        try:
            self.proc.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
        except SyscallError as e:
            self._close(fd)
            raise LibbpfError(_errno_of(e), f"map '{m.name}': error reusing pinned map") from None
        if (info.type != m.type or info.key_size != m.key_size or info.value_size != m.value_size
                or info.max_entries != m.max_entries or info.map_flags != m.map_flags
                or info.map_extra != m.map_extra):
            self._close(fd)
            obj.warn(f"couldn't reuse pinned map at '{m.pin_path}': parameter mismatch")
            obj.warn(f"map '{m.name}': error reusing pinned map")
            raise LibbpfError(_errno.EINVAL, f"map '{m.name}': error reusing pinned map")
        m.fd = fd
        m.reused = True
        m.pinned = True
        self.created_fds.append(fd)
        obj.debug(f"reused pinned map at '{m.pin_path}'")

    def _create_map(self, m: BpfMap, is_inner: bool = False) -> None:
        obj = self.obj
        attr = MapCreateAttr(map_type=m.type, key_size=m.key_size, value_size=m.value_size,
                             max_entries=m.max_entries, map_flags=m.map_flags, numa_node=m.numa_node,
                             map_name=m.name[:BPF_OBJ_NAME_LEN - 1], map_ifindex=m.ifindex,
                             map_extra=m.map_extra)
        if obj.btf_fd >= 0:
            attr.btf_fd = obj.btf_fd
            attr.btf_key_type_id = m.btf_key_type_id
            attr.btf_value_type_id = m.btf_value_type_id
        inner_fd = -1
        if m.type in _MAP_IN_MAP and m.inner is not None:
            try:
                self._create_map(m.inner, is_inner=True)
            except LibbpfError as e:
                obj.warn(f"map '{m.name}': failed to create inner map: -{e.errno}")
                raise
            inner_fd = m.inner.fd
            attr.inner_map_fd = inner_fd
        if m.type in _NO_BTF_MAP_TYPES:
            attr.btf_fd = attr.btf_key_type_id = attr.btf_value_type_id = 0
            m.btf_key_type_id = m.btf_value_type_id = 0
        try:
            try:
                m.fd = self.proc.bpf(Cmd.MAP_CREATE, attr)
            except SyscallError as e:
                if not (attr.btf_key_type_id or attr.btf_value_type_id):
                    raise
                err = _errno_of(e)
                obj.warn(f"Error in bpf_create_map_xattr({m.name}):{libbpf_strerror(err)}(-{err}). "
                         f"Retrying without BTF.")
                attr.btf_fd = attr.btf_key_type_id = attr.btf_value_type_id = 0
                m.btf_key_type_id = m.btf_value_type_id = 0
                m.fd = self.proc.bpf(Cmd.MAP_CREATE, attr)
        except SyscallError as e:
            raise LibbpfError(_errno_of(e), f"map '{m.name}': {libbpf_strerror(_errno_of(e))}") from None
        finally:
            if inner_fd >= 0 and m.inner is not None:
                self._close(inner_fd)
                m.inner.fd = -1
        if not is_inner:
            self.created_fds.append(m.fd)

    def _populate_internal(self, m: BpfMap) -> None:
        obj = self.obj
        value = bytes(m.initial_value or bytes(m.value_size))
        try:
            self.proc.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=m.fd, key=b"\0\0\0\0", value=value))
        except SyscallError as e:
            err = _errno_of(e)
            obj.warn(f"Error setting initial map({m.name}) contents: {libbpf_strerror(err)}")
            raise LibbpfError(err, f"Error setting initial map({m.name}) contents: {libbpf_strerror(err)}") from None
        if m.libbpf_type in (MAP_RODATA, MAP_KCONFIG):
            try:
                self.proc.bpf(Cmd.MAP_FREEZE, MapFreezeAttr(map_fd=m.fd))
            except SyscallError as e:
                err = _errno_of(e)
                obj.warn(f"Error freezing map({m.name}) as read-only: {libbpf_strerror(err)}")
                raise LibbpfError(err, f"Error freezing map({m.name}) as read-only: "
                                       f"{libbpf_strerror(err)}") from None

    def _init_map_in_map_slots(self, m: BpfMap) -> None:
        obj = self.obj
        for slot, (_, name) in sorted(m.init_slots.items()):
            targ = obj.find_map(name)
            assert targ is not None
            try:
                self.proc.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=m.fd, key=struct.pack("<I", slot),
                                                               value=struct.pack("<I", targ.fd)))
            except SyscallError as e:
                err = _errno_of(e)
                obj.warn(f"map '{m.name}': failed to initialize slot [{slot}] to map '{name}' fd={targ.fd}: -{err}")
                raise LibbpfError(err, f"map '{m.name}': failed to initialize slot [{slot}]") from None
            obj.debug(f"map '{m.name}': slot [{slot}] set to map '{name}' fd={targ.fd}")

    # ---------------------------------------------------------------- relocation
    def relocate(self) -> None:
        obj = self.obj
        progs = [p for p in obj.programs if p.autoload]
        if obj.btf_ext is not None and obj.btf is not None and obj.btf_ext.core_relo.sections:
            for sec in obj.btf_ext.core_relo.sections:
                name = obj.btf.str_at(sec.sec_name_off)
                if any(p.sec_name == name for p in progs):
                    obj.debug(f"sec '{name}': found {len(sec.records)} CO-RE relocations")
                    obj.warn("failed to find valid kernel BTF")
                    obj.warn("Error loading vmlinux BTF: -3")
                    raise LibbpfError(_errno.ESRCH, "CO-RE relocations need kernel BTF (vmlinux), "
                                                    "which this simulated kernel does not provide")
        for p in progs:
            if p.sec_def is not None and p.sec_def.needs_btf_target and p.type == p.sec_def.prog_type:
                target = p.sec_name.split("/", 1)[1] if "/" in p.sec_name else ""
                if not target:
                    raise obj.fail(_errno.EINVAL, f"prog '{p.name}': no BTF-based attach target is specified, "
                                                  f"use bpf_program__set_attach_target()")
                raise obj.fail(_errno.ESRCH, f"prog '{p.name}': failed to find kernel BTF type ID of "
                                             f"'{target}': -3")
            try:
                relocate_program(obj, p, lambda i: obj.maps[i].fd, with_ext_info=obj.btf_fd >= 0)
            except LibbpfError as e:
                obj.warn(f"prog '{p.name}': failed to relocate calls: -{e.errno}")
                raise

    # ---------------------------------------------------------------- programs
    def load_progs(self) -> None:
        obj = self.obj
        for p in obj.programs:
            if not p.autoload:
                obj.debug(f"prog '{p.name}': skipped loading")
                continue
            try:
                self._load_prog(p)
            except LibbpfError as e:
                obj.warn(f"prog '{p.name}': failed to load: -{e.errno}")
                raise

    def _load_prog(self, p: BpfProgram) -> None:
        obj = self.obj
        if p.type == 0:
            msg = f"prog '{p.name}': missing BPF prog type, check ELF section name '{p.sec_name}'"
            obj.warn(msg)
            raise LibbpfError(_errno.EINVAL, msg)
        insns = p.final_insns or []
        if not insns:
            raise LibbpfError(_errno.EINVAL, f"prog '{p.name}': no instructions")
        attr = ProgLoadAttr(prog_type=p.type, insns=encode_all(insns), license=obj.license,
                            kern_version=obj.kern_version, prog_flags=p.load_flags(),
                            prog_name=p.name[:BPF_OBJ_NAME_LEN - 1], prog_ifindex=p.ifindex,
                            expected_attach_type=p.expected_attach_type)
        if obj.btf_fd >= 0:
            attr.prog_btf_fd = obj.btf_fd
            if p.func_info_cnt:
                attr.func_info, attr.func_info_cnt = p.func_info, p.func_info_cnt
                attr.func_info_rec_size = p.func_info_rec_size
            if p.line_info_cnt:
                attr.line_info, attr.line_info_cnt = p.line_info, p.line_info_cnt
                attr.line_info_rec_size = p.line_info_rec_size
        attr.verifier_trace = p.verifier_trace
        level = p.log_level
        size = 0
        base = attr
        while True:
            attr = copy.copy(base)  # a fresh attr per attempt, as each syscall gets
            if level:
                size = max(BPF_LOG_BUF_SIZE, size * 2)
                attr.log_buf = bytearray(size)
                attr.log_size = size
            else:
                attr.log_buf, attr.log_size = None, 0
            attr.log_level = level
            try:
                p.fd = self.proc.bpf(Cmd.PROG_LOAD, attr)
            except SyscallError as e:
                err = _errno_of(e)
                p.load_errno, p.verifier_log = err, _cstr(attr.log_buf)
                p.verifier_trace_out = attr.verifier_trace_out
                if level == 0:
                    level = 1
                    continue
                if err == _errno.ENOSPC and size <= UINT_MAX // 2:
                    continue
                obj.warn(f"prog '{p.name}': BPF program load failed: {libbpf_strerror(err)}")
                log = _cstr(attr.log_buf)
                if log:
                    obj.warn(f"prog '{p.name}': -- BEGIN PROG LOAD LOG --\n{log}-- END PROG LOAD LOG --")
                raise LibbpfError(err, f"prog '{p.name}': BPF program load failed: {libbpf_strerror(err)}",
                                  log=log) from None
            self.created_fds.append(p.fd)
            p.load_errno, p.verifier_log = 0, _cstr(attr.log_buf)
            p.verifier_trace_out = attr.verifier_trace_out
            if level:
                obj.debug(f"prog '{p.name}': -- BEGIN PROG LOAD LOG --\n{_cstr(attr.log_buf)}"
                          f"-- END PROG LOAD LOG --")
            return

    def init_prog_arrays(self) -> None:
        obj = self.obj
        for m in obj.maps:
            if m.type != MapType.PROG_ARRAY or not m.init_slots or m.fd < 0:
                continue
            for slot, (_, name) in sorted(m.init_slots.items()):
                prog = obj.find_program(name)
                if prog is None or prog.fd < 0:
                    continue
                try:
                    self.proc.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=m.fd, key=struct.pack("<I", slot),
                                                                   value=struct.pack("<I", prog.fd)))
                except SyscallError as e:
                    err = _errno_of(e)
                    obj.warn(f"map '{m.name}': failed to initialize slot [{slot}] to prog '{name}' "
                             f"fd={prog.fd}: -{err}")
                    raise LibbpfError(err, f"map '{m.name}': failed to initialize slot [{slot}]") from None
                obj.debug(f"map '{m.name}': slot [{slot}] set to prog '{name}' fd={prog.fd}")

    # ---------------------------------------------------------------- failure
    def _close(self, fd: int) -> None:
        if fd < 0:
            return
        try:
            self.proc.close(fd)
        except (SyscallError, OSError, KeyError, ValueError):
            pass
        if fd in self.created_fds:
            self.created_fds.remove(fd)

    def unload(self) -> None:
        obj = self.obj
        for m in obj.maps:
            if m.pinned and not m.reused and m.pin_path:
                unpin(self.proc, m.pin_path)
                m.pinned = False
        for fd in list(self.created_fds):
            self._close(fd)
        for m in obj.maps:
            m.fd = -1
        for p in obj.all_programs:
            p.fd = -1
        obj.btf_fd = -1


def _cstr(buf: bytearray | None) -> str:
    if not buf:
        return ""
    return bytes(buf).split(b"\0", 1)[0].decode("utf-8", errors="replace")


# -------------------------------------------------------------------- pinning

def unpin(proc, path: str) -> None:  # noqa: ANN001
    """Remove a pin (bpffs unlink) if the process supports it."""
    fn = getattr(proc, "unlink", None) or getattr(proc, "unpin", None)
    if fn is None:
        return
    try:
        fn(path)
    except (SyscallError, OSError):
        pass


def pin_map(obj: BpfObject, proc, m: BpfMap, path: str | None) -> None:  # noqa: ANN001
    """bpf_map__pin()."""
    if m.pin_path:
        if path and path != m.pin_path:
            raise obj.fail(_errno.EINVAL, f"map '{m.name}' already has pin path '{m.pin_path}' different "
                                          f"from '{path}'")
        if m.pinned:
            obj.debug(f"map '{m.name}' already pinned at '{m.pin_path}'; not re-pinning")
            return
    else:
        if not path:
            raise obj.fail(_errno.EINVAL, f"missing a path to pin map '{m.name}' at")
        if m.pinned:
            raise obj.fail(_errno.EEXIST, f"map '{m.name}' already pinned")
        m.pin_path = path
    try:
        proc.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname=m.pin_path, bpf_fd=m.fd))
    except SyscallError as e:
        err = _errno_of(e)
        raise obj.fail(err, f"failed to pin map: {libbpf_strerror(err)}") from None
    m.pinned = True
    obj.debug(f"pinned map '{m.pin_path}'")


def sanitize_pin_path(path: str) -> str:
    """libbpf replaces '.' in the map-name part of a pin path with '_' (bpffs forbids dots)."""
    head, _, tail = path.rpartition("/")
    return f"{head}/{tail.replace('.', '_')}" if head or path.startswith("/") else tail.replace(".", "_")


def pin_maps(obj: BpfObject, proc, path: str | None) -> None:  # noqa: ANN001
    """bpf_object__pin_maps(): every map at ``path/<name>`` (or its own pin path)."""
    done: list[BpfMap] = []
    try:
        for m in obj.maps:
            if not m.autocreate:
                continue
            if path is not None:
                pin_path = sanitize_pin_path(f"{path.rstrip('/')}/{m.name}")
            elif not m.pin_path:
                continue
            else:
                pin_path = None
            pin_map(obj, proc, m, pin_path)
            done.append(m)
    except LibbpfError:
        for m in done:
            if m.pin_path:
                unpin(proc, m.pin_path)
            m.pinned = False
        raise


def pin_program(obj: BpfObject, proc, prog: BpfProgram, path: str) -> None:  # noqa: ANN001
    """bpf_program__pin()."""
    if prog.fd < 0:
        raise obj.fail(_errno.EINVAL, f"prog '{prog.name}': can't pin program that wasn't loaded")
    try:
        proc.bpf(Cmd.OBJ_PIN, ObjPinAttr(pathname=path, bpf_fd=prog.fd))
    except SyscallError as e:
        err = _errno_of(e)
        raise obj.fail(err, f"prog '{prog.name}': failed to pin at '{path}': {libbpf_strerror(err)}") from None
    obj.debug(f"prog '{prog.name}': pinned at '{path}'")


def pin_programs(obj: BpfObject, proc, path: str) -> None:  # noqa: ANN001
    """bpf_object__pin_programs(): every loaded entry-point program at ``path/<name>``."""
    for p in obj.programs:
        if p.fd >= 0:
            pin_program(obj, proc, p, f"{path.rstrip('/')}/{p.name}")


def close_object(obj: BpfObject, proc) -> None:  # noqa: ANN001
    """bpf_object__close(): close every fd the object holds."""
    fds = [p.fd for p in obj.all_programs] + [m.fd for m in obj.maps] + [obj.btf_fd]
    for fd in fds:
        if fd >= 0:
            try:
                proc.close(fd)
            except (SyscallError, OSError, KeyError, ValueError):
                pass
    for p in obj.all_programs:
        p.fd = -1
    for m in obj.maps:
        m.fd = -1
    obj.btf_fd = -1
