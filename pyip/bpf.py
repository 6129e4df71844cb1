"""iproute2's eBPF front end (``lib/bpf_legacy.c`` parsing, ``lib/bpf_libbpf.c`` loading,
``bpf_dump_prog_info``), shared by ``ip link set ... xdp`` and ``tc filter ... bpf``.

``{obj|object-file} FILE [section NAME] [program NAME] [export UDS] [verbose]`` loads an
ELF object through pylibbpf the way iproute2 6.1 built with libbpf does:

* the ELF context checks iproute2 makes before libbpf sees the file ("Cannot initialize
  ELF context!", "ELF format error, ELF file not for eBPF?", "Error fetching ELF
  ancillary data!");
* every program is forced to the hook's type (xdp for ip, sched_cls for tc), whatever
  its section; only the program to attach is loaded: the first whose section is
  ``section`` (default ``prog`` for xdp, ``classifier`` for tc), or whose name is
  ``program`` when that is given;
* maps pinned by name go under ``/sys/fs/bpf/tc/globals`` (created on the way, as
  iproute2's bpffs hierarchy is);
* libbpf's messages: warnings only, or everything with ``verbose``.

``{pinned|object-pinned|fd} PATH`` takes a pinned program (``m:NAME`` is relative to the
tc bpffs directory). The result is a program fd and iproute2's annotation
(``FILE:[SECTION]``, ``NAME:[*fsobj]``) that tc stores as the filter's name.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass

from pykernel.uapi.consts import Cmd, ProgType
from pykernel.uapi.errors import SyscallError

from . import json_print as J
from . import rtnl
from .utils import Args, err, matches, strerror

BPF_DIR_MNT = "/sys/fs/bpf"
BPF_TC_DIR = "/sys/fs/bpf/tc"
BPF_GLOBALS = "/sys/fs/bpf/tc/globals"

CBPF_BYTECODE, CBPF_FILE, EBPF_OBJECT, EBPF_PINNED = range(4)

# bpf_prog_to_default_section() and the bpffs sub-directory of each type
_DEFAULT_SECTION = {ProgType.SCHED_CLS: "classifier", ProgType.SCHED_ACT: "action",
                    ProgType.XDP: "prog"}
_SUBDIR = {ProgType.SCHED_CLS: "tc", ProgType.SCHED_ACT: "tc", ProgType.XDP: "xdp"}


@dataclass
class BpfCfg:
    """struct bpf_cfg_in."""

    type: int
    ifindex: int = 0
    mode: int = -1
    object: str = ""
    section: str = ""
    prog_name: str | None = None
    uds: str | None = None
    verbose: bool = False
    prog_fd: int = -1
    cbpf: bool = False  # the caller accepts classic BPF (tc)

    @property
    def annotation(self) -> str:
        base = os.path.basename(self.object.rstrip("/")) if self.object else ""
        if self.object.endswith("/"):
            base = ""
        return f"{base}:[{'*fsobj' if self.mode == EBPF_PINNED else self.section}]"


class LoadFailed(Exception):
    """The program could not be had; the messages are printed already."""


# ---------------------------------------------------------------------------- parsing
def parse(cfg: BpfCfg, args: Args) -> None:
    """bpf_do_parse(): read the mode and its options from ``args`` (left on the last word
    consumed, as iproute2 leaves argv). Unknown modes print "What mode is ..." and
    raise LoadFailed; a pinned program is fetched here already."""
    a = args.cur
    if cfg.cbpf and (matches(a, "bytecode") or a == "bc"):
        cfg.mode = CBPF_BYTECODE
    elif cfg.cbpf and (matches(a, "bytecode-file") or a == "bcf"):
        cfg.mode = CBPF_FILE
    elif matches(a, "object-file") or a == "obj":
        cfg.mode = EBPF_OBJECT
    elif matches(a, "object-pinned") or matches(a, "pinned") or matches(a, "fd"):
        cfg.mode = EBPF_PINNED
    else:
        err(f'What mode is "{a}"?\n')
        raise LoadFailed
    args.next_arg()
    if cfg.mode in (CBPF_BYTECODE, CBPF_FILE):
        cfg.object = args.cur
        return
    cfg.object = args.cur
    args.fwd()
    cfg.section = _DEFAULT_SECTION.get(cfg.type, "")
    if args.argc > 0 and matches(args.cur, "section"):
        cfg.section = args.next_arg()
        args.fwd()
    if args.argc > 0 and args.cur == "program":
        cfg.prog_name = args.next_arg()
        args.fwd()
    if cfg.type in (ProgType.SCHED_CLS, ProgType.SCHED_ACT):
        cfg.uds = os.environ.get("TC_BPF_UDS")
        if args.argc > 0 and cfg.uds is None and matches(args.cur, "export"):
            cfg.uds = args.next_arg()
            args.fwd()
    if args.argc > 0 and matches(args.cur, "verbose"):
        cfg.verbose = True
        args.fwd()
    args.prev()
    if cfg.mode == EBPF_PINNED:
        cfg.prog_fd = obj_pinned(cfg.object, cfg.type)
        if cfg.prog_fd < 0:
            raise LoadFailed


def obj_pinned(path: str, prog_type: int) -> int:
    """bpf_obj_pinned(): BPF_OBJ_GET on ``path`` (``m:NAME`` under the bpffs work dir)."""
    shown = lookup = path
    if len(path) > 2 and path.startswith("m:"):
        sub = _SUBDIR.get(prog_type, "tc")
        shown = f"{BPF_DIR_MNT}/{sub}//{path[2:]}"
        lookup = f"{BPF_TC_DIR}/{path[2:]}"
    try:
        return rtnl.proc().bpf(Cmd.OBJ_GET, _obj_pin_attr(lookup))
    except SyscallError as e:
        err(f"Couldn't retrieve pinned program '{shown}': {strerror(e.errno or 0)}\n")
        return -1


def _obj_pin_attr(path: str):  # noqa: ANN202 - an attr record
    from pykernel.uapi.attr import ObjPinAttr

    return ObjPinAttr(pathname=path)


# ---------------------------------------------------------------------------- loading
def load(cfg: BpfCfg) -> int:
    """bpf_do_load(): the program fd (pinned: fetched by :func:`parse`; object: loaded
    now). Raises LoadFailed after printing what iproute2 prints."""
    if cfg.mode == EBPF_OBJECT:
        cfg.prog_fd = _load_object(cfg)
    return cfg.prog_fd


def _make_bpffs_dirs() -> None:
    """bpf_get_work_dir()/iproute2_get_root_path(): the tc hierarchy with its globals
    directory (the ip and xdp links of the real hierarchy have no equivalent here)."""
    p = rtnl.proc()
    try:
        p.mkdir(BPF_GLOBALS, parents=True)
    except (SyscallError, OSError, TypeError):
        pass


def _load_object(cfg: BpfCfg) -> int:
    from pylibbpf import BpfObject, LibbpfError, load_object

    def libbpf_print(level: int, msg: str) -> None:
        if not cfg.verbose:
            if level > 0 or "has unrecognized, non-zero options" in msg:
                return
        if msg.startswith("libbpf: loading ") and not msg.startswith("libbpf: loading object"):
            msg = "libbpf: loading object from " + msg[len("libbpf: loading "):]
        err(msg if msg.endswith("\n") else msg + "\n")

    why = elf_ctx_check(cfg.object)
    if why is not None:
        err(why)
        raise LoadFailed
    _make_bpffs_dirs()
    proc = rtnl.proc()
    try:
        obj = BpfObject.open(cfg.object, print_fn=libbpf_print, pin_root_path=BPF_GLOBALS)
    except LibbpfError:
        err("ERROR: opening BPF object file failed\n")
        raise LoadFailed from None
    except Exception as e:  # noqa: BLE001 - a damaged object must not crash the tool
        libbpf_print(0, f"libbpf: elf: failed to open {cfg.object}: {e}")
        err("ERROR: opening BPF object file failed\n")
        raise LoadFailed from None

    chosen = None
    autoload: dict[str, bool] = {}
    for p in obj.programs:
        tail = _legacy_tail_call(p.sec_name)
        if chosen is None and (p.name == cfg.prog_name if cfg.prog_name is not None
                               else p.sec_name == cfg.section):
            chosen = p
            autoload[p.name] = True
        elif not tail:
            autoload[p.name] = False
        else:
            autoload[p.name] = True
    if chosen is None:
        if cfg.prog_name is not None:
            err(f"object file doesn't contain prog {cfg.prog_name}\n")
        else:
            err(f"object file doesn't contain sec {cfg.section}\n")
        _close(obj, proc)
        raise LoadFailed
    try:
        load_object(obj, proc, prog_type=cfg.type, ifindex=cfg.ifindex, print_fn=libbpf_print,
                    autoload=autoload)
    except LibbpfError:
        _close(obj, proc)
        raise LoadFailed from None
    try:
        fd = proc.dup(chosen.fd)
    finally:
        _close(obj, proc)
    return fd


def _close(obj: object, proc: object) -> None:
    try:
        obj.close(proc)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - closing is best effort, as bpf_object__close
        pass


_TAIL_RE = re.compile(r"\s*([+-]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))/\s*[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+)")


def _legacy_tail_call(sec_name: str) -> bool:
    """find_legacy_tail_calls(): sections named ``MAPID/KEY`` were iproute2's tail-call
    programs; their map ids lived in legacy map definitions, which libbpf 1.x refuses,
    so the lookup always fails (with iproute2's message)."""
    m = _TAIL_RE.match(sec_name)
    if not m:
        return False
    map_id = int(m.group(1), 0) & 0xFFFFFFFF
    err(f"unable to find map id {map_id} for tail call\n")
    return False


# ----------------------------------------------------------------------- ELF checks
def elf_ctx_check(path: str) -> str | None:
    """iproute2_bpf_elf_ctx_init() + iproute2_bpf_fetch_ancillary(): None when iproute2
    hands the file on to libbpf, else the text it prints."""
    init_fail = "Cannot initialize ELF context!\n"
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return init_fail
    if len(data) < 16 or data[:4] != b"\x7fELF":
        return init_fail
    cls, enc = data[4], data[5]
    if cls not in (1, 2) or enc not in (1, 2):
        # libelf itself refuses an unknown class or data encoding
        return init_fail
    e = "<" if enc == 1 else ">"
    ehdr_size = 64 if cls == 2 else 52
    if len(data) < ehdr_size:
        return init_fail
    if cls == 2:
        (e_type, e_machine, e_version, _entry, _phoff, e_shoff, _flags, _ehsize, _phentsize,
         _phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(e + "HHIQQQIHHHHHH", data, 16)
    else:
        (e_type, e_machine, e_version, _entry, _phoff, e_shoff, _flags, _ehsize, _phentsize,
         _phnum, e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from(e + "HHIIIIIHHHHHH", data, 16)
    if e_type != 1 or e_machine not in (0, 247) or e_version != 1:
        return "ELF format error, ELF file not for eBPF?\n" + init_fail
    if enc == 2:
        return "We are little endian, eBPF object is big endian!\n" + init_fail
    # libelf reads the section header table when it is asked for a section
    shent = 64 if cls == 2 else 40
    if e_shnum and (e_shoff + e_shnum * shent > len(data) or e_shentsize != shent):
        return "Error fetching ELF ancillary data!\n"

    def shdr(i: int) -> tuple[int, int, int, int]:
        off = e_shoff + i * shent
        if cls == 2:
            name, typ, _fl, _addr, offset, size = struct.unpack_from(e + "IIQQQQ", data, off)
        else:
            name, typ, _fl, _addr, offset, size = struct.unpack_from(e + "IIIIII", data, off)
        return name, typ, offset, size

    if e_shnum and e_shstrndx >= e_shnum:
        return "Error fetching ELF ancillary data!\n"
    str_off = str_size = 0
    if e_shnum:
        _n, _t, str_off, str_size = shdr(e_shstrndx)
    ret = 0
    for i in range(1, e_shnum):
        name_off, typ, offset, size = shdr(i)
        if name_off >= str_size or str_off + str_size > len(data) or not size:
            ret = -1
            continue
        if typ != 8 and offset + size > len(data):  # SHT_NOBITS has no file data
            ret = -1
            continue
        end = data.find(b"\0", str_off + name_off, str_off + str_size)
        sec_name = data[str_off + name_off:end if end >= 0 else str_off + str_size]
        ret = 0
        if typ == 1 and sec_name == b"license" and size > 128:
            return f"Error parsing section {i}! Perhaps check with readelf -a?\n" \
                   "Error fetching ELF ancillary data!\n"
    if ret < 0:
        return "Error fetching ELF ancillary data!\n"
    return None


# ----------------------------------------------------------------- program info
def dump_prog_info(prog_id: int, details: bool) -> bool:
    """bpf_dump_prog_info(): ``id N name X tag T jited `` (and with -d ``load_time ...
    created_by_uid ... btf_id ...``), or the "prog" object in JSON."""
    from pykernel.uapi.attr import GetIdAttr, InfoAttr, ProgInfo

    J.open_json_object("prog")
    J.print_uint(J.ANY, "id", "id %d ", prog_id)
    ok = False
    p = rtnl.proc()
    try:
        fd = p.bpf(Cmd.PROG_GET_FD_BY_ID, GetIdAttr(start_id=prog_id))
    except SyscallError:
        fd = -1
    if fd >= 0:
        info = ProgInfo()
        try:
            p.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=fd, info=info))
            got = True
        except SyscallError:
            got = False
        if got:
            jited = 1 if info.jited_prog_len else 0
            J.print_string(J.ANY, "name", "name %s ", info.name)
            J.print_string(J.ANY, "tag", "tag %s ", bytes(info.tag).hex())
            J.print_uint(J.JSON, "jited", None, jited)
            if jited and not J.is_json_context():
                J._text("jited ", None)
            if details:
                if info.load_time:
                    J.print_uint(J.ANY, "load_time", "load_time %d ", info.load_time)
                    J.print_uint(J.ANY, "created_by_uid", "created_by_uid %d ", info.created_by_uid)
                if info.btf_id:
                    J.print_uint(J.ANY, "btf_id", "btf_id %d ", info.btf_id)
            ok = True
        try:
            p.close(fd)
        except SyscallError:
            pass
    J.close_json_object()
    return ok
