"""The contract between PROG_LOAD and the verifier: what goes in, what comes out.

``VerifierEnv`` is filled by the kernel core from ``ProgLoadAttr`` and the calling process;
``verify(env)`` returns a ``VerifierResult`` or raises ``SyscallError(errno)``. Either way
the log has been written into ``env.log_buf`` (Linux's rules: ENOSPC when it did not fit)
and ``env.log_true_size`` holds the size the whole log needed.

Maps are reached only through ``env.map_by_fd`` (the process fd table) and ``env.fd_array``;
the verifier reads these attributes of a map object (duck-typed, see ``MapLike``):
``id, map_type, key_size, value_size, max_entries, map_flags, name, frozen`` and, for
array maps, ``values`` (one bytearray, ``round_up(value_size, 8)`` per element) so loads
from frozen read-only maps fold to constants as in Linux.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..uapi.insn import Insn


class MapLike(Protocol):
    id: int
    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    map_flags: int
    name: str


@dataclass
class LineInfo:
    """One bpf_line_info record with its strings already resolved from the program's BTF."""

    insn_off: int  # in instructions
    file_name: str = ""
    line: str = ""
    line_num: int = 0
    line_col: int = 0
    file_name_off: int = 0
    line_off: int = 0


@dataclass
class FuncInfo:
    insn_off: int
    type_id: int = 0
    name: str = ""


@dataclass
class VerifierEnv:
    insns: list[Insn]
    prog_type: int
    expected_attach_type: int = 0
    gpl: bool = True
    log_level: int = 0
    log_size: int = 0
    log_buf: bytearray | None = None
    prog_flags: int = 0
    prog_name: str = ""
    map_by_fd: Callable[[int], Any] = field(default=lambda fd: None)
    fd_array: list[int] | None = None
    line_info: list[LineInfo] | None = None
    func_info: list[FuncInfo] | None = None
    btf: Any = None  # the program's BTF (pykernel.uapi.btf.BtfData): the func info's prototypes
    offload_ifindex: int = 0
    bpf_capable: bool = True  # root in the simulated kernel; False gives the unprivileged rules
    trace: bool = False  # also build the structured trace of the walk (trace.py; beyond Linux)
    # outputs
    log_true_size: int = 0
    trace_out: dict[str, Any] | None = None  # the trace (trace.py), on rejection too, when trace=True


@dataclass
class VerifierResult:
    xlated: list[Insn]
    used_maps: list[Any]
    stack_depth: list[int]  # per subprogram
    subprog_starts: list[int]  # in xlated offsets
    verified_insns: int
    line_info: list[LineInfo] | None = None  # insn_off adjusted to xlated
    func_info: list[FuncInfo] | None = None
    log: str = ""
    trace: dict[str, Any] | None = None  # = env.trace_out on success
    tail_call_reachable: bool = False
    # per xlated insn: original index (-1 for inserted insns); used by dump/linum mapping
    orig_idx: list[int] = field(default_factory=list)
