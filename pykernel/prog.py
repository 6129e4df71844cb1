"""Loaded programs: the ``Prog`` object, its row, and what OBJ_GET_INFO_BY_FD derives from it.

A :class:`Prog` keeps what PROG_LOAD accepted and what the verifier produced:

* ``insns`` - the instructions as loaded (list of :class:`~pykernel.uapi.insn.Insn`),
* ``xlated`` - after the verifier's rewrites; ``ld_imm64`` of maps hold simulated kernel
  addresses (``pykernel.interp.memory.map_address``), as in Linux,
* ``used_maps`` - map ids in the kernel's order (first use), each held by a ``refs`` row,
* ``btf_id``, ``func_info``/``line_info`` (raw records, xlated offsets), ``stack_depth``
  per subprogram, ``subprog_starts``,
* ``tag`` (:mod:`pykernel.tag`), ``gpl``, ``name``, ``type``, ``expected_attach_type``,
  ``prog_flags``, ``ifindex`` (offload), ``loaded_at_ns`` (host wall clock),
  ``load_time_ns`` (ns since the simulated boot: what ``bpf_prog_info.load_time`` holds),
  ``uid``, ``verified_insns``, ``jited_len`` (the x86-64 JIT size model's, :func:`jit`).

:func:`xlated_for_dump` is the kernel's ``bpf_insn_prepare_dump``: map addresses turn back
into ``BPF_PSEUDO_MAP_FD``/``BPF_PSEUDO_MAP_VALUE`` + map id (+ value offset), internal
opcodes into their public form.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from . import config
from .store import Tx
from .uapi.consts import ENOTSUPP, F_XDP_DEV_BOUND_ONLY, PSEUDO_MAP_FD, PSEUDO_MAP_VALUE, MapType
from .uapi.errors import SyscallError
from .uapi.insn import Insn, decode_all, encode_all
from .uapi.structs import dataclass, field  # dataclasses without the import cost

GPL_COMPATIBLE = ("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
                  "Dual MPL/GPL")

# internal opcodes the verifier may leave in xlated code (include/linux/filter.h)
_TAIL_CALL = 0x05 | 0xF0  # BPF_JMP | BPF_TAIL_CALL
_CALL_ARGS = 0x05 | 0xE0  # BPF_JMP | BPF_CALL_ARGS
_CALL = 0x85
_FUNC_TAIL_CALL = 12
_PROBE_MEM, _PROBE_MEM32, _MEM = 0x20, 0xA0, 0x60
_LD_IMM64 = 0x18
MAP_SLOT_FIRST = 0xFFFFA000
MAP_SLOT_LAST = 0xFFFFC8FF


def license_is_gpl_compatible(license: str) -> bool:
    return license in GPL_COMPATIBLE


def map_kaddr(map_id: int) -> int:
    """The simulated kernel address of map ``map_id`` (what the verifier puts in ld_imm64)."""
    try:
        from .interp.memory import map_address
    except ImportError:  # pragma: no cover - the interpreter's layout is the reference
        return (MAP_SLOT_FIRST + map_id) << 32
    return map_address(map_id)


def map_of_kaddr(addr: int) -> tuple[int, int] | None:
    """(map id, offset into the map's region) for an address inside a map's slot."""
    addr &= 0xFFFFFFFFFFFFFFFF
    slot = addr >> 32
    if MAP_SLOT_FIRST < slot <= MAP_SLOT_LAST:
        return slot - MAP_SLOT_FIRST, addr & 0xFFFFFFFF
    return None


def array_value_off() -> int:
    try:
        from . import layouts  # type: ignore[attr-defined]

        return int(layouts.ARRAY_VALUE_OFF)
    except (ImportError, AttributeError):
        return config.ARRAY_VALUE_OFF


@dataclass
class Prog:
    id: int
    type: int
    name: str
    tag: bytes
    insns: list[Insn]
    xlated: list[Insn]
    gpl: bool
    expected_attach_type: int = 0
    prog_flags: int = 0
    ifindex: int = 0
    btf_id: int = 0
    func_info: bytes = b""
    func_info_rec_size: int = 0
    line_info: bytes = b""
    line_info_rec_size: int = 0
    loaded_at_ns: int = 0
    load_time_ns: int = 0
    uid: int = 0
    verified_insns: int = 0
    jited_len: int = 0
    run_time_ns: int = 0
    run_cnt: int = 0
    used_maps: list[int] = field(default_factory=list)
    stack_depth: list[int] = field(default_factory=list)
    subprog_starts: list[int] = field(default_factory=lambda: [0])
    extra: dict[str, Any] = field(default_factory=dict)

    _COLS = ("id, type, name, tag, insns, xlated, gpl, expected_attach_type, prog_flags, ifindex, btf_id, "
             "func_info, func_info_rec_size, line_info, line_info_rec_size, loaded_at_ns, load_time_ns, uid, "
             "verified_insns, jited_len, run_time_ns, run_cnt, extra")

    @classmethod
    def load(cls, tx: Tx, prog_id: int) -> Prog | None:
        row = tx.one(f"SELECT {cls._COLS} FROM progs WHERE id = ?", (prog_id,))
        if row is None:
            return None
        (pid, ptype, name, tag, insns, xlated, gpl, eat, flags, ifindex, btf_id, finfo, finfo_rs, linfo,
         linfo_rs, loaded_at, load_time, uid, verified, jited_len, run_time, run_cnt, extra) = row
        ex = json.loads(extra or "{}")
        return cls(pid, ptype, name, bytes(tag), decode_all(bytes(insns)), decode_all(bytes(xlated)),
                   bool(gpl), eat, flags, ifindex, btf_id, bytes(finfo or b""), finfo_rs,
                   bytes(linfo or b""), linfo_rs, loaded_at, load_time, uid, verified, jited_len,
                   run_time, run_cnt, list(ex.pop("used_maps", [])), list(ex.pop("stack_depth", [])),
                   list(ex.pop("subprog_starts", [0])), ex)

    def insert(self, tx: Tx) -> int:
        extra = dict(self.extra, used_maps=self.used_maps, stack_depth=self.stack_depth,
                     subprog_starts=self.subprog_starts)
        cur = tx.x(f"INSERT INTO progs ({self._COLS.split(', ', 1)[1]}) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (self.type, self.name, self.tag, encode_all(self.insns), encode_all(self.xlated),
                    int(self.gpl), self.expected_attach_type, self.prog_flags, self.ifindex, self.btf_id,
                    self.func_info, self.func_info_rec_size, self.line_info, self.line_info_rec_size,
                    self.loaded_at_ns, self.load_time_ns, self.uid, self.verified_insns, self.jited_len,
                    self.run_time_ns, self.run_cnt, json.dumps(extra, sort_keys=True)))
        self.id = int(cur.lastrowid)
        return self.id

    def save_used_maps(self, tx: Tx) -> None:
        row = tx.one("SELECT extra FROM progs WHERE id = ?", (self.id,))
        extra = json.loads((row[0] if row else None) or "{}")
        extra["used_maps"] = self.used_maps
        tx.x("UPDATE progs SET extra = ? WHERE id = ?", (json.dumps(extra, sort_keys=True), self.id))

    def save_stats(self, tx: Tx) -> None:
        tx.x("UPDATE progs SET run_time_ns = ?, run_cnt = ? WHERE id = ?",
             (self.run_time_ns, self.run_cnt, self.id))

    @property
    def memlock(self) -> int:
        """prog->pages * PAGE_SIZE: the xlated image plus the bpf_prog header, in pages."""
        return config.round_up(config.BPF_PROG_HEADER + 8 * len(self.xlated), config.PAGE_SIZE)

    @property
    def func_cnt(self) -> int:
        return len(self.subprog_starts) if len(self.subprog_starts) > 1 else 0


def offloaded(prog: Prog) -> bool:
    """Bound to a device's offload engine (``prog_ifindex`` without
    BPF_F_XDP_DEV_BOUND_ONLY): the device JITs it, not the host's x86-64 JIT."""
    return bool(prog.ifindex) and not prog.prog_flags & F_XDP_DEV_BOUND_ONLY


def jit(prog: Prog, maps: Iterable[Any] = ()) -> None:
    """Size the x86-64 JIT image of a verified program (:mod:`pykernel.jit_x86`):
    ``jited_len`` and, for a program with subprograms, ``extra["jited_func_lens"]``.

    ``maps`` are the maps the program uses (objects with ``id``, ``map_type`` and
    ``max_entries``): a prog array's size decides whether a constant-key tail call is
    patched in directly. Offloaded programs are left to the device (its ``translate``).
    A program the JIT gives up on fails to load with ENOTSUPP, as with
    CONFIG_BPF_JIT_ALWAYS_ON (the simulated build's: ``bpf_jit_enable`` is always 1)."""
    if offloaded(prog):
        return
    from .interp.memory import map_address
    from .jit_x86 import JitError, func_lens

    arrays = {map_address(m.id): m.max_entries for m in maps if m.map_type == MapType.PROG_ARRAY}
    try:
        lens = func_lens(prog.xlated, prog.subprog_starts, prog.stack_depth, map_max_entries=arrays.get)
    except JitError as e:
        raise SyscallError(ENOTSUPP, f"JIT: {e}") from None
    prog.jited_len = sum(lens)
    if len(lens) > 1:
        prog.extra["jited_func_lens"] = lens


def jited_func_lens(prog: Prog) -> list[int]:
    """``jited_func_lens``: one length per function (one function: the image length)."""
    lens = prog.extra.get("jited_func_lens")
    n = prog.func_cnt or 1
    if isinstance(lens, list) and len(lens) == n:
        return [int(x) for x in lens]
    if n == 1:
        return [prog.jited_len]
    # a program without per-function lengths (an offloaded one, or a state written before
    # the JIT model): the image split in proportion to the functions' instructions
    starts = prog.subprog_starts + [len(prog.xlated)]
    sizes = [max(1, starts[i + 1] - starts[i]) for i in range(n)]
    total = sum(sizes)
    out = [prog.jited_len * s // total for s in sizes]
    out[-1] += prog.jited_len - sum(out)
    return out


def xlated_for_dump(prog: Prog, maps_by_id: dict[int, Any] | None = None) -> list[Insn]:
    """bpf_insn_prepare_dump (for a privileged caller)."""
    out = list(prog.xlated)
    used = set(prog.used_maps)
    voff = array_value_off()
    i = 0
    while i < len(out):
        ins = out[i]
        code = ins.code
        if code == _TAIL_CALL:
            out[i] = ins.with_(code=_CALL, imm=_FUNC_TAIL_CALL)
        elif code == _CALL_ARGS:
            out[i] = ins.with_(code=_CALL)
        elif code & 7 == 1 and code & 0xE0 == _PROBE_MEM:
            out[i] = ins.with_(code=(code & 0x1F) | _MEM)
        elif code & 7 in (1, 2, 3) and code & 0xE0 == _PROBE_MEM32:
            out[i] = ins.with_(code=(code & 0x1F) | _MEM)
        elif code == _LD_IMM64 and i + 1 < len(out):
            imm = ((out[i + 1].imm & 0xFFFFFFFF) << 32) | (ins.imm & 0xFFFFFFFF)
            hit = map_of_kaddr(imm)
            if hit is not None and hit[0] in used:
                mid, off = hit
                m = (maps_by_id or {}).get(mid)
                typ = off_out = None
                if off == 0:
                    typ, off_out = PSEUDO_MAP_FD, 0
                elif (m is not None and getattr(m, "map_type", None) == MapType.ARRAY and m.max_entries == 1
                      and voff <= off < voff + config.round_up(m.value_size, 8)):
                    typ, off_out = PSEUDO_MAP_VALUE, off - voff
                if typ is not None:
                    out[i] = ins.with_(src=typ, imm=mid)
                    out[i + 1] = out[i + 1].with_(imm=off_out)
            i += 1
        i += 1
    return out
