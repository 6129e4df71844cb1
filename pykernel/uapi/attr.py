"""`union bpf_attr` and the `bpf_*_info` structs, as Python dataclasses.

User space fills one of the ``*Attr`` classes and calls ``Process.bpf(cmd, attr)``.
Fields keep the kernel's names. Where the kernel copies data out to a user buffer
(``value``, ``next_key``, ``log_buf``, ``data_out``, ``info`` ...), the caller passes a
``bytearray`` (or the info object) and the kernel fills it in place, and scalar outputs
(``retval``, ``duration``, ``log_true_size``, ``count`` ...) are written back into the attr
object — exactly where the real kernel writes them. Pointers to user memory that the
kernel only reads are ``bytes``.
"""

from __future__ import annotations

from .structs import dataclass, field  # dataclasses without the import cost (see structs)


@dataclass
class MapCreateAttr:
    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    map_flags: int = 0
    inner_map_fd: int = 0
    numa_node: int = 0
    map_name: str = ""
    map_ifindex: int = 0
    btf_fd: int = 0
    btf_key_type_id: int = 0
    btf_value_type_id: int = 0
    btf_vmlinux_value_type_id: int = 0
    map_extra: int = 0


@dataclass
class MapElemAttr:
    """BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM, GET_NEXT_KEY, LOOKUP_AND_DELETE_ELEM."""

    map_fd: int
    key: bytes | None = None
    value: bytearray | bytes | None = None  # in for update, out (bytearray) for lookup
    next_key: bytearray | None = None  # out for GET_NEXT_KEY
    flags: int = 0


@dataclass
class MapBatchAttr:
    map_fd: int
    in_batch: bytes | None = None
    out_batch: bytearray | None = None
    keys: bytearray | bytes | None = None
    values: bytearray | bytes | None = None
    count: int = 0  # in: capacity in elements; out: elements done
    elem_flags: int = 0
    flags: int = 0


@dataclass
class MapFreezeAttr:
    map_fd: int


@dataclass
class ProgLoadAttr:
    prog_type: int
    insns: bytes
    license: str = ""
    log_level: int = 0
    log_size: int = 0
    log_buf: bytearray | None = None
    kern_version: int = 0
    prog_flags: int = 0
    prog_name: str = ""
    prog_ifindex: int = 0
    expected_attach_type: int = 0
    prog_btf_fd: int = 0
    func_info_rec_size: int = 0
    func_info: bytes | None = None
    func_info_cnt: int = 0
    line_info_rec_size: int = 0
    line_info: bytes | None = None
    line_info_cnt: int = 0
    attach_btf_id: int = 0
    attach_prog_fd: int = 0
    fd_array: list[int] | None = None
    log_true_size: int = 0  # out
    # beyond Linux: True asks the verifier for the structured trace of its walk, which the
    # kernel returns in verifier_trace_out (a JSON-able dict, schema in DESIGN.md "Verifier
    # trace") on success and on rejection, as it fills log_buf; None if the program never
    # reached the verifier
    verifier_trace: bool = False
    verifier_trace_out: dict | None = None  # out

    @property
    def insn_cnt(self) -> int:
        return len(self.insns) // 8


@dataclass
class ObjPinAttr:
    """BPF_OBJ_PIN and BPF_OBJ_GET."""

    pathname: str
    bpf_fd: int = 0
    file_flags: int = 0


@dataclass
class GetIdAttr:
    """BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID."""

    start_id: int = 0  # GET_NEXT_ID input; alias of prog_id/map_id/btf_id/link_id for GET_FD_BY_ID
    next_id: int = 0  # out
    open_flags: int = 0


@dataclass
class InfoAttr:
    """BPF_OBJ_GET_INFO_BY_FD: ``info`` is one of the *Info classes below, filled in place."""

    bpf_fd: int
    info: object = None


@dataclass
class TestRunAttr:
    prog_fd: int
    retval: int = 0  # out
    data_in: bytes | None = None
    data_out: bytearray | None = None  # out; its length is data_size_out
    data_size_out: int = 0  # out: bytes the program produced (even when ENOSPC)
    repeat: int = 0
    duration: int = 0  # out, ns
    ctx_in: bytes | None = None
    ctx_out: bytearray | None = None
    ctx_size_out: int = 0
    flags: int = 0
    cpu: int = 0
    batch_size: int = 0


@dataclass
class BtfLoadAttr:
    btf: bytes
    btf_log_buf: bytearray | None = None
    btf_log_size: int = 0
    btf_log_level: int = 0
    btf_log_true_size: int = 0  # out


@dataclass
class ProgAttachAttr:
    """BPF_PROG_ATTACH / BPF_PROG_DETACH (cgroups and friends)."""

    target_fd: int  # cgroup fd
    attach_bpf_fd: int = 0
    attach_type: int = 0
    attach_flags: int = 0
    replace_bpf_fd: int = 0


@dataclass
class ProgQueryAttr:
    target_fd: int
    attach_type: int
    query_flags: int = 0
    attach_flags: int = 0  # out
    prog_ids: list[int] = field(default_factory=list)  # out
    prog_attach_flags: list[int] = field(default_factory=list)  # out (BPF_F_QUERY_EFFECTIVE aside)
    prog_cnt: int = 0  # in: capacity; out: count


@dataclass
class LinkCreateAttr:
    prog_fd: int
    target_fd: int = 0  # cgroup fd, or
    target_ifindex: int = 0  # XDP ifindex
    attach_type: int = 0
    flags: int = 0


@dataclass
class LinkUpdateAttr:
    link_fd: int
    new_prog_fd: int
    flags: int = 0
    old_prog_fd: int = 0


@dataclass
class LinkDetachAttr:
    link_fd: int


@dataclass
class ProgBindMapAttr:
    """BPF_PROG_BIND_MAP: make a program hold (and list) a map it does not reference."""

    prog_fd: int
    map_fd: int
    flags: int = 0


@dataclass
class EnableStatsAttr:
    """BPF_ENABLE_STATS: the returned fd keeps run-time statistics on until it is closed."""

    type: int = 0  # BPF_STATS_RUN_TIME


@dataclass
class ProgInfo:
    type: int = 0
    id: int = 0
    tag: bytes = b"\0" * 8
    jited_prog_len: int = 0
    xlated_prog_len: int = 0
    jited_prog_insns: bytes = b""
    xlated_prog_insns: bytes = b""  # as bpf_insn_prepare_dump() returns them
    load_time: int = 0  # ns since boot
    created_by_uid: int = 0
    nr_map_ids: int = 0
    map_ids: list[int] = field(default_factory=list)
    name: str = ""
    ifindex: int = 0
    gpl_compatible: bool = False
    netns_dev: int = 0
    netns_ino: int = 0
    nr_jited_ksyms: int = 0
    nr_jited_func_lens: int = 0
    jited_ksyms: list[int] = field(default_factory=list)
    jited_func_lens: list[int] = field(default_factory=list)
    btf_id: int = 0
    func_info_rec_size: int = 0
    func_info: bytes = b""
    nr_func_info: int = 0
    nr_line_info: int = 0
    line_info: bytes = b""
    jited_line_info: list[int] = field(default_factory=list)
    nr_jited_line_info: int = 0
    line_info_rec_size: int = 0
    jited_line_info_rec_size: int = 0
    nr_prog_tags: int = 0
    prog_tags: list[bytes] = field(default_factory=list)
    run_time_ns: int = 0
    run_cnt: int = 0
    recursion_misses: int = 0
    verified_insns: int = 0
    attach_btf_obj_id: int = 0
    attach_btf_id: int = 0
    expected_attach_type: int = 0  # not in the real struct; convenience for tools
    memlock: int = 0  # not in the struct: the fdinfo "memlock" bpftool prints (prog pages)


@dataclass
class MapInfo:
    type: int = 0
    id: int = 0
    key_size: int = 0
    value_size: int = 0
    max_entries: int = 0
    map_flags: int = 0
    name: str = ""
    ifindex: int = 0
    btf_vmlinux_value_type_id: int = 0
    netns_dev: int = 0
    netns_ino: int = 0
    btf_id: int = 0
    btf_key_type_id: int = 0
    btf_value_type_id: int = 0
    map_extra: int = 0
    # Fields bpftool reads from /proc/self/fdinfo rather than from the info struct:
    frozen: bool = False
    memlock: int = 0
    owner_prog_type: int = 0
    owner_jited: bool = False


@dataclass
class BtfInfo:
    btf: bytes = b""
    btf_size: int = 0
    id: int = 0
    name: str = ""
    kernel_btf: bool = False


@dataclass
class LinkInfo:
    type: int = 0
    id: int = 0
    prog_id: int = 0
    # per-type details
    cgroup_id: int = 0
    attach_type: int = 0
    ifindex: int = 0
