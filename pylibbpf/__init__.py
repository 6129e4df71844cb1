"""pylibbpf — the object loader of pybpf (libbpf 1.1's behaviour, in Python).

``BpfObject.open(path)`` parses a clang-compiled BPF object; ``obj.load(proc)`` creates its
maps and loads its programs through ``proc.bpf()``. :mod:`pylibbpf.btf` models BTF and
renders it as bpftool does; :mod:`pylibbpf.bpf` mirrors libbpf's low-level API.
"""

from .btf import Btf, RawJson
from .errors import LibbpfError, libbpf_strerror
from .loader import close_object, load_object, pin_maps, pin_program, pin_programs
from .object import BpfMap, BpfObject, BpfProgram, set_print
from .sections import (
    LIBBPF_DEBUG,
    LIBBPF_INFO,
    LIBBPF_WARN,
    find_sec_def,
    libbpf_attach_type_by_name,
    libbpf_prog_type_by_name,
)

__all__ = [
    "LIBBPF_DEBUG", "LIBBPF_INFO", "LIBBPF_WARN", "BpfMap", "BpfObject", "BpfProgram", "Btf",
    "LibbpfError", "RawJson", "close_object", "find_sec_def", "libbpf_attach_type_by_name",
    "libbpf_prog_type_by_name", "libbpf_strerror", "load_object", "pin_maps", "pin_program",
    "pin_programs", "set_print",
]
