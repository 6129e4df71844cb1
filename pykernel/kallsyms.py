"""How helper calls look after the 6.18 verifier's fixups, for ``bpftool prog dump xlated``.

After verification the kernel rewrites every helper call's imm to the implementing
function's address minus ``__bpf_call_base``; bpftool resolves ``__bpf_call_base + imm``
through /proc/kallsyms and prints ``(85) call <symbol>#<imm>``.  This module holds those
facts for the oracle kernel build (6.18.44, x86-64, JIT always on, privileged loader), all
measured on it by ``tests/oracle/helpers_probe/probe_xlated.py`` (fixtures under
``tests/fixtures/helpers/``):

* :data:`SYMBOL_IMM` - symbol -> imm (address - ``__bpf_call_base``) for every function the
  helper table names (``Proto.func`` of all per-type variants) and every map-ops function
  a dump showed.  Generated block at the end; ``tests/test_helper_table.py`` checks it.
* :func:`helper_call_target` - what a call to helper ``id`` in a program of ``prog_type``
  (and, for map helpers, on a map of ``map_type``) becomes: ``(symbol, imm)``, or ``None``
  when nothing is called (fully inlined lookups, ``get_smp_processor_id``, ``jiffies64``,
  ``loop``) - see :func:`map_helper_fixup` and the ``*_INLINE`` notes for those.
* :func:`map_helper_fixup` - per (helper, map type): a direct call of the map type's own
  op, an inline sequence (with :func:`array_lookup_inline` / :func:`htab_lookup_inline`
  producing the exact instructions), or the verifier's rejection.

Instruction tuples are ``(code, dst, src, off, imm)`` as in ``struct bpf_insn``.

Inline sequences seen (map pointer in r1, key pointer in r2; "ARRAY" = ``r1 += 312``):

array / array_of_maps / percpu_array lookup (no call)::

    r1 += 312                      ; offsetof(struct bpf_array, value)
    r0 = *(u32 *)(r2 +0)
    if r0 >= <max_entries> goto pc+N
    r0 <<= log2(elem_size)         ; or "r0 *= elem_size" when elem_size is no power of 2
    r0 += r1
    [percpu_array: r0 = *(u64 *)(r0 +0); r0 = r0 (mov64 with off=-1: per-CPU address)]
    [array_of_maps: r0 = *(u64 *)(r0 +0); if r0 == 0x0 goto pc+1]
    goto pc+1
    r0 = 0

  elem_size = round_up(value_size, 8) (8 for percpu_array and array_of_maps, which hold
  pointers); N = 3 (array), 5 (percpu_array, array_of_maps).  A privileged loader gets no
  index masking.

xskmap lookup (no call)::

    r0 = *(u32 *)(r2 +0); if r0 >= <max_entries> goto pc+5; r0 <<= 3; r1 += 304;
    r0 += r1; r0 = *(u64 *)(r0 +0); goto pc+1; r0 = 0

hash-family lookups call ``__htab_map_lookup_elem`` and then (value offset
V = 48 + round_up(key_size, 8), i.e. offsetof(struct htab_elem, key) = 48)::

    hash:          if r0 == 0x0 goto pc+1; r0 += V
    lru_hash:      if r0 == 0x0 goto pc+4; r1 = *(u8 *)(r0 +35); if r1 != 0x0 goto pc+1;
                   *(u8 *)(r0 +35) = 1; r0 += V            ; 35 = the LRU node's ref byte
    percpu_hash:   if r0 == 0x0 goto pc+3; r0 += V; r0 = *(u64 *)(r0 +0); r0 = r0 (percpu)
    hash_of_maps:  if r0 == 0x0 goto pc+2; r0 += V; r0 = *(u64 *)(r0 +0)

Other helpers on x86-64 (see :data:`INLINED_HELPERS`):

* ``get_smp_processor_id`` -> ``r0 = <imm32 CPU_NUMBER_IMM>; r0 = r0 (off=-1, per-CPU);
  r0 = *(u32 *)(r0 +0)`` in every program type measured.
* ``jiffies64`` -> ``r0 = <JIFFIES_ADDR> ll; r0 = *(u64 *)(r0 +0)``.
* ``loop`` with a constant callback and flags 0 -> the sequence in :data:`LOOP_INLINE`.
* ``tail_call`` prints unchanged: ``(85) call bpf_tail_call#12`` (imm stays 12; there is no
  bpf_tail_call symbol) for constant and variable indexes alike.
* bpf-to-bpf calls print ``(85) call pc+<off>#bpf_prog_<tag>_<name>``: in xlated the insn
  has src_reg 1, ``off`` = the original pc-relative offset and ``imm`` = the subprogram's
  index; ``<tag>`` is the subprogram's own tag and ``<name>`` its BTF func name, or ``F``
  without BTF.  bpftool prints a ``int <name>():`` line before a subprogram when the
  program has BTF func info.
* ``get_current_task``/``get_current_task_btf``, ``ktime_get_*``, ``get_prandom_u32``
  (``bpf_user_rnd_u32``), ``perf_event_output``, ``redirect`` ... stay calls; the symbol is
  the proto's ``func`` for the program type.  A negative imm is normal
  (``call bpf_get_current_task#-76912``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pykernel.uapi import helpers as _helpers

Insn = tuple[int, int, int, int, int]  # code, dst, src, off, imm

# bpf_array.value, xsk_map.xsk_map, htab_elem.key and the LRU ref byte on this build
ARRAY_VALUE_OFF = 312
XSKMAP_ARRAY_OFF = 304
HTAB_ELEM_KEY_OFF = 48
HTAB_LRU_REF_OFF = 35
# imm of "r0 = <cpu_number>" in the inlined get_smp_processor_id (per-CPU offset, imm32)
CPU_NUMBER_IMM = -2085560268
# address of jiffies loaded by the inlined jiffies64 (ld_imm64)
JIFFIES_ADDR = 0xFFFFFFFF83009980
BPF_MAX_LOOPS = 0x800000
PERCPU_MOV_OFF = -1  # BPF_ADDR_PERCPU: "mov64 r0, r0" with off -1 turns a per-CPU pointer into this CPU's

INLINED_HELPERS = frozenset({"get_smp_processor_id", "jiffies64", "loop"})

# bpf_loop(nr, cb, ctx, 0) with a known callback, for a caller of stack depth D (bytes,
# rounded up to 8): r6..r8 are spilled to fp-(D+24), fp-(D+16), fp-(D+8).  Lines after the
# callee setup, as bpftool prints them (S = -(D+24)):
LOOP_INLINE = (
    "if r1 <= 0x800000 goto pc+2",
    "w0 = -7",
    "goto pc+16",
    "*(u64 *)(r10 S) = r6",
    "*(u64 *)(r10 S+8) = r7",
    "*(u64 *)(r10 S+16) = r8",
    "r6 = r1",
    "w7 = 0",
    "r8 = r3",
    "if r7 >= r6 goto pc+5",
    "r1 = r7",
    "r2 = r8",
    "call pc+<cb>#bpf_prog_<tag>_<name>",
    "r7 += 1",
    "if r0 == 0x0 goto pc-6",
    "r0 = r7",
    "r6 = *(u64 *)(r10 S)",
    "r7 = *(u64 *)(r10 S+8)",
    "r8 = *(u64 *)(r10 S+16)",
)


def symbol_imm(symbol: str) -> int | None:
    return SYMBOL_IMM.get(symbol)


# --------------------------------------------------------------------------- map helpers


@dataclass(frozen=True, slots=True)
class MapFixup:
    """What one (map helper, map type) pair becomes after the verifier's fixups."""

    kind: str  # "call" (direct call of the map op), "inline", "call+inline", "reject"
    symbol: str | None = None  # the called function, if any
    errno: int = 0  # for "reject"
    log: str = ""  # the verifier's last log line for "reject"

    @property
    def imm(self) -> int | None:
        return SYMBOL_IMM.get(self.symbol) if self.symbol else None


def _call(sym: str) -> MapFixup:
    return MapFixup("call", sym)


def _wrong_map(map_type: int, helper: str) -> MapFixup:
    hid = _helpers.by_name(helper).id
    return MapFixup("reject", errno=22, log=f"cannot pass map_type {map_type} into func bpf_{helper}#{hid}")


_MAP_TYPE_IDS = {
    "hash": 1,
    "array": 2,
    "prog_array": 3,
    "perf_event_array": 4,
    "percpu_hash": 5,
    "percpu_array": 6,
    "lru_hash": 9,
    "lru_percpu_hash": 10,
    "lpm_trie": 11,
    "array_of_maps": 12,
    "hash_of_maps": 13,
    "devmap": 14,
    "cpumap": 16,
    "xskmap": 17,
    "queue": 22,
    "stack": 23,
    "devmap_hash": 25,
    "ringbuf": 27,
}
_WRITE_FORBIDDEN = MapFixup("reject", errno=13, log="write into map forbidden")
_ZERO_SIZED = MapFixup("reject", errno=13, log="invalid zero-sized read")
_NO_CALLBACK = MapFixup("reject", errno=524, log="callback function not allowed for map")
_INLINE = MapFixup("inline")
_HTAB_INLINE = MapFixup("call+inline", "__htab_map_lookup_elem")

# Measured (tests/fixtures/helpers/xlated/cases.json): helper -> map type -> fixup.  Pairs
# not listed are rejected with "cannot pass map_type N into func bpf_<helper>#<id>" (EINVAL).
_MAP_FIXUPS: dict[str, dict[str, MapFixup]] = {
    "map_lookup_elem": {
        "array": _INLINE,
        "percpu_array": _INLINE,
        "array_of_maps": _INLINE,
        "xskmap": _INLINE,
        "hash": _HTAB_INLINE,
        "lru_hash": _HTAB_INLINE,
        "percpu_hash": _HTAB_INLINE,
        "hash_of_maps": _HTAB_INLINE,
        "lru_percpu_hash": _call("htab_lru_percpu_map_lookup_elem"),
        "lpm_trie": _call("trie_lookup_elem"),
        "devmap": _call("dev_map_lookup_elem"),
        "devmap_hash": _call("dev_map_hash_lookup_elem"),
        "queue": _ZERO_SIZED,
        "stack": _ZERO_SIZED,
        "ringbuf": _ZERO_SIZED,
    },
    "map_update_elem": {
        "array": _call("array_map_update_elem"),
        "percpu_array": _call("array_map_update_elem"),
        "hash": _call("htab_map_update_elem"),
        "percpu_hash": _call("htab_percpu_map_update_elem"),
        "lru_hash": _call("htab_lru_map_update_elem"),
        "lru_percpu_hash": _call("htab_lru_percpu_map_update_elem"),
        "lpm_trie": _call("trie_update_elem"),
        "devmap": _WRITE_FORBIDDEN,
        "devmap_hash": _WRITE_FORBIDDEN,
        "queue": _ZERO_SIZED,
        "stack": _ZERO_SIZED,
        "ringbuf": _ZERO_SIZED,
    },
    "map_delete_elem": {
        "array": _call("array_map_delete_elem"),
        "percpu_array": _call("array_map_delete_elem"),
        "hash": _call("htab_map_delete_elem"),
        "percpu_hash": _call("htab_map_delete_elem"),
        "lru_hash": _call("htab_lru_map_delete_elem"),
        "lru_percpu_hash": _call("htab_lru_map_delete_elem"),
        "lpm_trie": _call("trie_delete_elem"),
        "devmap": _WRITE_FORBIDDEN,
        "devmap_hash": _WRITE_FORBIDDEN,
        "queue": _ZERO_SIZED,
        "stack": _ZERO_SIZED,
        "ringbuf": _ZERO_SIZED,
    },
    "map_push_elem": {
        "queue": _call("queue_stack_map_push_elem"),
        "stack": _call("queue_stack_map_push_elem"),
        "devmap": _WRITE_FORBIDDEN,
        "devmap_hash": _WRITE_FORBIDDEN,
        "ringbuf": _ZERO_SIZED,
    },
    "map_pop_elem": {
        "queue": _call("queue_map_pop_elem"),
        "stack": _call("stack_map_pop_elem"),
        "devmap": _WRITE_FORBIDDEN,
        "devmap_hash": _WRITE_FORBIDDEN,
        "ringbuf": _ZERO_SIZED,
    },
    "map_peek_elem": {
        "queue": _call("queue_map_peek_elem"),
        "stack": _call("stack_map_peek_elem"),
        "ringbuf": _ZERO_SIZED,
    },
    "redirect_map": {
        "devmap": _call("dev_map_redirect"),
        "devmap_hash": _call("dev_hash_map_redirect"),
        "cpumap": _call("cpu_map_redirect"),
        "xskmap": _call("xsk_map_redirect"),
    },
    "for_each_map_elem": {
        "array": _call("bpf_for_each_array_elem"),
        "percpu_array": _call("bpf_for_each_array_elem"),
        "hash": _call("bpf_for_each_hash_elem"),
        "percpu_hash": _call("bpf_for_each_hash_elem"),
        "lru_hash": _call("bpf_for_each_hash_elem"),
        "lru_percpu_hash": _call("bpf_for_each_hash_elem"),
    },
    "map_lookup_percpu_elem": {
        "percpu_array": _call("percpu_array_map_lookup_percpu_elem"),
        "percpu_hash": _call("htab_percpu_map_lookup_percpu_elem"),
        "lru_percpu_hash": _call("htab_lru_percpu_map_lookup_percpu_elem"),
        "queue": _ZERO_SIZED,
        "stack": _ZERO_SIZED,
        "ringbuf": _ZERO_SIZED,
    },
}
# for_each on any other map type fails with ENOTSUPP (524) before the map-type check
_CALLBACK_FIRST = {"for_each_map_elem"}

MAP_HELPERS = tuple(_MAP_FIXUPS)
MAP_TYPES = tuple(_MAP_TYPE_IDS)


def _map_type_name(map_type: object) -> str:
    if isinstance(map_type, str):
        return map_type
    if isinstance(map_type, int) and not hasattr(map_type, "name"):
        for k, v in _MAP_TYPE_IDS.items():
            if v == map_type:
                return k
        raise KeyError(map_type)
    return map_type.name.lower()  # MapType enum


def map_helper_fixup(helper: str | int, map_type: object) -> MapFixup:
    """The fixup of a map helper on a map type (names as bpftool prints them, or enums)."""
    name = helper if isinstance(helper, str) else _helpers.by_id(helper).name
    name = name.removeprefix("bpf_")
    mt = _map_type_name(map_type)
    row = _MAP_FIXUPS.get(name)
    if row is None:
        raise KeyError(f"not a map helper: {helper}")
    if mt in row:
        return row[mt]
    if name in _CALLBACK_FIRST:
        return _NO_CALLBACK
    return _wrong_map(_MAP_TYPE_IDS[mt], name)


# --------------------------------------------------------------------------- inline builders


def _log2(n: int) -> int | None:
    return n.bit_length() - 1 if n > 0 and n & (n - 1) == 0 else None


def array_lookup_inline(max_entries: int, value_size: int, *, variant: str = "array") -> list[Insn]:
    """The xlated instructions replacing ``call map_lookup_elem`` for array-like maps.

    variant: "array", "percpu_array", "array_of_maps" or "xskmap".
    """
    ld = (0x61, 0, 2, 0, 0)  # r0 = *(u32 *)(r2 +0)
    if variant == "xskmap":
        return [
            ld,
            (0x35, 0, 0, 5, max_entries),
            (0x67, 0, 0, 0, 3),
            (0x07, 1, 0, 0, XSKMAP_ARRAY_OFF),
            (0x0F, 0, 1, 0, 0),
            (0x79, 0, 0, 0, 0),
            (0x05, 0, 0, 1, 0),
            (0xB7, 0, 0, 0, 0),
        ]
    elem = 8 if variant in ("percpu_array", "array_of_maps") else (value_size + 7) & ~7
    shift = _log2(elem)
    scale = (0x67, 0, 0, 0, shift) if shift is not None else (0x27, 0, 0, 0, elem)
    extra: list[Insn] = []
    if variant == "percpu_array":
        extra = [(0x79, 0, 0, 0, 0), (0xBF, 0, 0, PERCPU_MOV_OFF, 0)]
    elif variant == "array_of_maps":
        extra = [(0x79, 0, 0, 0, 0), (0x15, 0, 0, 1, 0)]
    body = [scale, (0x0F, 0, 1, 0, 0), *extra, (0x05, 0, 0, 1, 0)]
    return [
        (0x07, 1, 0, 0, ARRAY_VALUE_OFF),
        ld,
        (0x35, 0, 0, len(body), max_entries),
        *body,
        (0xB7, 0, 0, 0, 0),
    ]


def htab_value_off(key_size: int) -> int:
    return HTAB_ELEM_KEY_OFF + ((key_size + 7) & ~7)


def htab_lookup_inline(key_size: int, *, variant: str = "hash") -> list[Insn]:
    """``call __htab_map_lookup_elem`` and what follows it, for hash-family lookups.

    variant: "hash", "lru_hash", "percpu_hash" or "hash_of_maps".
    """
    call = (0x85, 0, 0, 0, SYMBOL_IMM["__htab_map_lookup_elem"])
    add = (0x07, 0, 0, 0, htab_value_off(key_size))
    tail: list[Insn] = [add]
    if variant == "lru_hash":
        tail = [
            (0x71, 1, 0, HTAB_LRU_REF_OFF, 0),
            (0x55, 1, 0, 1, 0),
            (0x72, 0, 0, HTAB_LRU_REF_OFF, 1),
            add,
        ]
    elif variant == "percpu_hash":
        tail = [add, (0x79, 0, 0, 0, 0), (0xBF, 0, 0, PERCPU_MOV_OFF, 0)]
    elif variant == "hash_of_maps":
        tail = [add, (0x79, 0, 0, 0, 0)]
    return [call, (0x15, 0, 0, len(tail), 0), *tail]


def smp_processor_id_inline() -> list[Insn]:
    return [(0xB7, 0, 0, 0, CPU_NUMBER_IMM), (0xBF, 0, 0, PERCPU_MOV_OFF, 0), (0x61, 0, 0, 0, 0)]


def jiffies64_inline() -> list[Insn]:
    lo = JIFFIES_ADDR & 0xFFFFFFFF
    hi = JIFFIES_ADDR >> 32
    s32 = lambda v: v - (1 << 32) if v & 0x80000000 else v  # noqa: E731
    return [(0x18, 0, 0, 0, s32(lo)), (0x00, 0, 0, 0, s32(hi)), (0x79, 0, 0, 0, 0)]


# --------------------------------------------------------------------------- the API


def helper_call_target(helper_id: int, prog_type: object, map_type: object = None) -> tuple[str, int] | None:
    """(symbol, imm) a call to ``helper_id`` becomes in ``prog_type``, or None.

    None when no function is called: inlined helpers, fully inlined map lookups, rejected
    (helper, map type) pairs, and ``tail_call`` (which prints as ``call bpf_tail_call#12``:
    see :data:`TAIL_CALL_TEXT`).  For map helpers pass the map type; without it the
    generic ``bpf_map_*`` function is returned (what a call with an unknown map would use).
    """
    h = _helpers.by_id(helper_id)
    if h is None or h.proto is None:
        return None
    if h.name in INLINED_HELPERS:
        return None
    if map_type is not None and h.name in _MAP_FIXUPS:
        fx = map_helper_fixup(h.name, map_type)
        if fx.symbol is None:
            return None
        return fx.symbol, SYMBOL_IMM[fx.symbol]
    proto = h.proto_for(prog_type)
    if proto is None or proto.func is None or proto.func not in SYMBOL_IMM:
        return None
    return proto.func, SYMBOL_IMM[proto.func]


TAIL_CALL_TEXT = "call bpf_tail_call#12"


def xlated_call_text(symbol: str) -> str:
    """``call <symbol>#<imm>`` as bpftool prints a fixed-up helper call."""
    return f"call {symbol}#{SYMBOL_IMM[symbol]}"


# BEGIN GENERATED SYMBOLS
# symbol address minus __bpf_call_base, from /proc/kallsyms of the oracle kernel (6.18.44-fc-v669)
SYMBOL_IMM: dict[str, int] = {
    "__htab_map_lookup_elem": 330864,
    "array_map_delete_elem": 349536,
    "array_map_update_elem": 353184,
    "bpf_bind": 10247264,
    "bpf_bprm_opts_set": 597232,
    "bpf_btf_find_by_name_kind": 450368,
    "bpf_cgrp_storage_delete": 558192,
    "bpf_cgrp_storage_get": 557328,
    "bpf_clone_redirect": 10279264,
    "bpf_copy_from_user": 276848,
    "bpf_copy_from_user_task": 277296,
    "bpf_csum_diff": 10242400,
    "bpf_csum_level": 10211552,
    "bpf_csum_update": 10211456,
    "bpf_current_task_under_cgroup": 269136,
    "bpf_d_path": -67952,
    "bpf_dynptr_data": 270032,
    "bpf_dynptr_from_mem": 281328,
    "bpf_dynptr_read": 272048,
    "bpf_dynptr_write": 281856,
    "bpf_event_output_data": 271424,
    "bpf_find_vma": 319472,
    "bpf_flow_dissector_load_bytes": 10238768,
    "bpf_for_each_array_elem": 349856,
    "bpf_for_each_hash_elem": 330384,
    "bpf_for_each_map_elem": 312032,
    "bpf_get_attach_cookie": 597344,
    "bpf_get_attach_cookie_kprobe_multi": -64608,
    "bpf_get_attach_cookie_pe": -76608,
    "bpf_get_attach_cookie_trace": -76656,
    "bpf_get_attach_cookie_tracing": -62624,
    "bpf_get_attach_cookie_uprobe_multi": -76704,
    "bpf_get_branch_snapshot": -67488,
    "bpf_get_cgroup_classid": 10243168,
    "bpf_get_cgroup_classid_curr": 10243120,
    "bpf_get_current_ancestor_cgroup_id": 270288,
    "bpf_get_current_cgroup_id": 270208,
    "bpf_get_current_comm": 269840,
    "bpf_get_current_pid_tgid": 269056,
    "bpf_get_current_task": -76912,
    "bpf_get_current_task_btf": -64576,
    "bpf_get_current_uid_gid": 269712,
    "bpf_get_func_ip_kprobe": -76848,
    "bpf_get_func_ip_kprobe_multi": -76784,
    "bpf_get_func_ip_tracing": -76880,
    "bpf_get_func_ip_uprobe_multi": -76752,
    "bpf_get_hash_recalc": 10243328,
    "bpf_get_listener_sock": 10269120,
    "bpf_get_local_storage": 559424,
    "bpf_get_netns_cookie": 10212144,
    "bpf_get_netns_cookie_sk_msg": 10212400,
    "bpf_get_netns_cookie_sock": 10212208,
    "bpf_get_netns_cookie_sock_addr": 10212272,
    "bpf_get_netns_cookie_sock_ops": 10212336,
    "bpf_get_netns_cookie_sockopt": 560240,
    "bpf_get_ns_current_pid_tgid": 271168,
    "bpf_get_numa_node_id": 268576,
    "bpf_get_raw_cpu_id": 22672,
    "bpf_get_retval": 559520,
    "bpf_get_route_realm": 10211936,
    "bpf_get_smp_processor_id": 268528,
    "bpf_get_socket_cookie": 10244496,
    "bpf_get_socket_cookie_sock": 10244576,
    "bpf_get_socket_cookie_sock_addr": 10244544,
    "bpf_get_socket_cookie_sock_ops": 10244688,
    "bpf_get_socket_ptr_cookie": 10244608,
    "bpf_get_socket_uid": 10267872,
    "bpf_get_stack": 553232,
    "bpf_get_stack_pe": 553360,
    "bpf_get_stack_raw_tp": -66224,
    "bpf_get_stack_sleepable": 553296,
    "bpf_get_stack_tp": -66256,
    "bpf_get_stackid": 554416,
    "bpf_get_stackid_pe": 554944,
    "bpf_get_stackid_raw_tp": -66464,
    "bpf_get_stackid_tp": -66496,
    "bpf_get_task_stack": 554352,
    "bpf_get_task_stack_sleepable": 554384,
    "bpf_ima_file_hash": 597392,
    "bpf_ima_inode_hash": 597296,
    "bpf_inode_storage_delete": 393600,
    "bpf_inode_storage_get": 393376,
    "bpf_jiffies64": 268624,
    "bpf_kallsyms_lookup_name": 31392,
    "bpf_kptr_xchg": 269008,
    "bpf_ktime_get_boot_ns": 269520,
    "bpf_ktime_get_coarse_ns": 269552,
    "bpf_ktime_get_ns": 269488,
    "bpf_ktime_get_tai_ns": 269680,
    "bpf_l3_csum_replace": 10277376,
    "bpf_l4_csum_replace": 10277808,
    "bpf_loop": 312080,
    "bpf_lwt_in_push_encap": 10276096,
    "bpf_lwt_seg6_action": 10276224,
    "bpf_lwt_seg6_adjust_srh": 10279584,
    "bpf_lwt_seg6_store_bytes": 10284064,
    "bpf_lwt_xmit_push_encap": 10247840,
    "bpf_map_delete_elem": 268288,
    "bpf_map_lookup_elem": 268192,
    "bpf_map_lookup_percpu_elem": 268480,
    "bpf_map_peek_elem": 268432,
    "bpf_map_pop_elem": 268384,
    "bpf_map_push_elem": 268336,
    "bpf_map_update_elem": 268240,
    "bpf_msg_apply_bytes": 10211840,
    "bpf_msg_cork_bytes": 10211888,
    "bpf_msg_pop_data": 10289120,
    "bpf_msg_pull_data": 10285440,
    "bpf_msg_push_data": 10298512,
    "bpf_msg_redirect_hash": 10511312,
    "bpf_msg_redirect_map": 10511536,
    "bpf_per_cpu_ptr": 268672,
    "bpf_perf_event_output": -60288,
    "bpf_perf_event_output_raw_tp": -63584,
    "bpf_perf_event_output_tp": -59760,
    "bpf_perf_event_read": -68496,
    "bpf_perf_event_read_value": -68304,
    "bpf_perf_prog_read_value": -68096,
    "bpf_probe_read_compat": -57504,
    "bpf_probe_read_compat_str": -57040,
    "bpf_probe_read_kernel": -69024,
    "bpf_probe_read_kernel_str": -68912,
    "bpf_probe_read_user": -58208,
    "bpf_probe_read_user_str": -57856,
    "bpf_probe_write_user": -55760,
    "bpf_read_branch_records": -75328,
    "bpf_redirect": 10291712,
    "bpf_redirect_neigh": 10293200,
    "bpf_redirect_peer": 10291856,
    "bpf_ringbuf_discard": 383232,
    "bpf_ringbuf_discard_dynptr": 383584,
    "bpf_ringbuf_output": 381376,
    "bpf_ringbuf_query": 380176,
    "bpf_ringbuf_reserve": 381328,
    "bpf_ringbuf_reserve_dynptr": 381600,
    "bpf_ringbuf_submit": 383104,
    "bpf_ringbuf_submit_dynptr": 383376,
    "bpf_send_signal": -63680,
    "bpf_send_signal_thread": -63632,
    "bpf_seq_printf": -68800,
    "bpf_seq_printf_btf": -60944,
    "bpf_seq_write": -68544,
    "bpf_set_hash": 10212048,
    "bpf_set_hash_invalid": 10212000,
    "bpf_set_retval": 559568,
    "bpf_sk_ancestor_cgroup_id": 10268112,
    "bpf_sk_assign": 10269248,
    "bpf_sk_cgroup_id": 10266096,
    "bpf_sk_fullsock": 10211392,
    "bpf_sk_getsockopt": 10247104,
    "bpf_sk_lookup_assign": 10263312,
    "bpf_sk_lookup_tcp": 10274720,
    "bpf_sk_lookup_udp": 10274768,
    "bpf_sk_redirect_hash": 10510672,
    "bpf_sk_redirect_map": 10511136,
    "bpf_sk_release": 10268032,
    "bpf_sk_setsockopt": 10246512,
    "bpf_sk_storage_delete": 10524848,
    "bpf_sk_storage_delete_tracing": 10525168,
    "bpf_sk_storage_get": 10526976,
    "bpf_sk_storage_get_tracing": 10523744,
    "bpf_skb_adjust_room": 10293424,
    "bpf_skb_ancestor_cgroup_id": 10268288,
    "bpf_skb_cgroup_classid": 10265968,
    "bpf_skb_cgroup_id": 10267104,
    "bpf_skb_change_head": 10276944,
    "bpf_skb_change_proto": 10292144,
    "bpf_skb_change_tail": 10269760,
    "bpf_skb_change_type": 10237440,
    "bpf_skb_check_mtu": 10247472,
    "bpf_skb_ecn_set_ce": 10266240,
    "bpf_skb_event_output": 10244112,
    "bpf_skb_fib_lookup": 10281984,
    "bpf_skb_get_tunnel_key": 10260336,
    "bpf_skb_get_tunnel_opt": 10270640,
    "bpf_skb_get_xfrm_state": 10238128,
    "bpf_skb_load_bytes": 10264704,
    "bpf_skb_load_bytes_relative": 10237776,
    "bpf_skb_load_helper_16_no_cache": 10283808,
    "bpf_skb_load_helper_32_no_cache": 10255408,
    "bpf_skb_load_helper_8_no_cache": 10283568,
    "bpf_skb_pull_data": 10270528,
    "bpf_skb_set_tstamp": 10212960,
    "bpf_skb_set_tunnel_key": 10265088,
    "bpf_skb_set_tunnel_opt": 10270896,
    "bpf_skb_store_bytes": 10283056,
    "bpf_skb_under_cgroup": 10268464,
    "bpf_skb_vlan_pop": 10274816,
    "bpf_skb_vlan_push": 10275152,
    "bpf_skc_lookup_tcp": 10264480,
    "bpf_skc_to_mptcp_sock": 10254048,
    "bpf_skc_to_tcp6_sock": 10236864,
    "bpf_skc_to_tcp_request_sock": 10237152,
    "bpf_skc_to_tcp_sock": 10236960,
    "bpf_skc_to_tcp_timewait_sock": 10237040,
    "bpf_skc_to_udp6_sock": 10237264,
    "bpf_skc_to_unix_sock": 10237360,
    "bpf_snprintf": 280320,
    "bpf_snprintf_btf": -67760,
    "bpf_sock_addr_getsockopt": 10247152,
    "bpf_sock_addr_setsockopt": 10246560,
    "bpf_sock_addr_sk_lookup_tcp": 10274272,
    "bpf_sock_addr_sk_lookup_udp": 10274352,
    "bpf_sock_addr_skc_lookup_tcp": 10264400,
    "bpf_sock_from_file": 10254080,
    "bpf_sock_hash_update": 10519232,
    "bpf_sock_map_update": 10518288,
    "bpf_sock_ops_cb_flags_set": 10212672,
    "bpf_sock_ops_getsockopt": 10259920,
    "bpf_sock_ops_load_hdr_opt": 10259424,
    "bpf_sock_ops_reserve_hdr_opt": 10212848,
    "bpf_sock_ops_setsockopt": 10246624,
    "bpf_sock_ops_store_hdr_opt": 10249184,
    "bpf_spin_lock": 269456,
    "bpf_spin_unlock": 272336,
    "bpf_strncmp": 271120,
    "bpf_strtol": 270816,
    "bpf_strtoul": 270976,
    "bpf_sys_bpf": 78800,
    "bpf_sys_close": 31344,
    "bpf_sysctl_get_current_value": 562112,
    "bpf_sysctl_get_name": 562784,
    "bpf_sysctl_get_new_value": 562176,
    "bpf_sysctl_set_new_value": 562288,
    "bpf_task_pt_regs": -58512,
    "bpf_task_storage_delete": 390928,
    "bpf_task_storage_delete_recur": 391120,
    "bpf_task_storage_get": 392064,
    "bpf_task_storage_get_recur": 390352,
    "bpf_tc_sk_lookup_tcp": 10273824,
    "bpf_tc_sk_lookup_udp": 10273936,
    "bpf_tc_skc_lookup_tcp": 10264176,
    "bpf_tcp_check_syncookie": 10248176,
    "bpf_tcp_gen_syncookie": 10248544,
    "bpf_tcp_raw_check_syncookie_ipv4": 10248112,
    "bpf_tcp_raw_check_syncookie_ipv6": 10248480,
    "bpf_tcp_raw_gen_syncookie_ipv4": 10249552,
    "bpf_tcp_raw_gen_syncookie_ipv6": 10249728,
    "bpf_tcp_send_ack": 12418480,
    "bpf_tcp_sock": 10212768,
    "bpf_this_cpu_ptr": 268736,
    "bpf_timer_cancel": 272912,
    "bpf_timer_init": 272832,
    "bpf_timer_set_callback": 273632,
    "bpf_timer_start": 273216,
    "bpf_trace_printk": -61360,
    "bpf_trace_vprintk": -62928,
    "bpf_unlocked_sk_getsockopt": 10247216,
    "bpf_unlocked_sk_setsockopt": 10246688,
    "bpf_user_ringbuf_drain": 381808,
    "bpf_user_rnd_u32": 22592,
    "bpf_xdp_adjust_head": 10243424,
    "bpf_xdp_adjust_meta": 10237616,
    "bpf_xdp_adjust_tail": 10261952,
    "bpf_xdp_check_mtu": 10242592,
    "bpf_xdp_event_output": 10244288,
    "bpf_xdp_fib_lookup": 10281792,
    "bpf_xdp_get_buff_len": 10237536,
    "bpf_xdp_load_bytes": 10307184,
    "bpf_xdp_redirect": 10292000,
    "bpf_xdp_redirect_map": 10212096,
    "bpf_xdp_sk_lookup_tcp": 10274160,
    "bpf_xdp_sk_lookup_udp": 10274048,
    "bpf_xdp_skc_lookup_tcp": 10264288,
    "bpf_xdp_store_bytes": 10307344,
    "cpu_map_redirect": 529184,
    "dev_hash_map_redirect": 522560,
    "dev_map_hash_lookup_elem": 521936,
    "dev_map_lookup_elem": 516848,
    "dev_map_redirect": 517200,
    "get_func_arg": -76560,
    "get_func_arg_cnt": -76448,
    "get_func_ret": -76496,
    "htab_lru_map_delete_elem": 340256,
    "htab_lru_map_update_elem": 341984,
    "htab_lru_percpu_map_lookup_elem": 337936,
    "htab_lru_percpu_map_lookup_percpu_elem": 338544,
    "htab_lru_percpu_map_update_elem": 341952,
    "htab_map_delete_elem": 339904,
    "htab_map_update_elem": 343552,
    "htab_percpu_map_lookup_percpu_elem": 338096,
    "htab_percpu_map_update_elem": 341248,
    "percpu_array_map_lookup_percpu_elem": 350416,
    "queue_map_peek_elem": 378592,
    "queue_map_pop_elem": 378624,
    "queue_stack_map_push_elem": 378656,
    "sk_reuseport_load_bytes": 10264896,
    "sk_reuseport_load_bytes_relative": 10237952,
    "sk_select_reuseport": 10270192,
    "sk_skb_adjust_room": 10267248,
    "sk_skb_change_head": 10268752,
    "sk_skb_change_tail": 10261488,
    "sk_skb_pull_data": 10242352,
    "stack_map_peek_elem": 379568,
    "stack_map_pop_elem": 379600,
    "trie_delete_elem": 369040,
    "trie_lookup_elem": 367264,
    "trie_update_elem": 369760,
    "xsk_map_redirect": 13423952,
}
NOT_IN_KALLSYMS: tuple[str, ...] = (
    "bpf_override_return",
    "bpf_rc_keydown",
    "bpf_rc_pointer_rel",
    "bpf_rc_repeat",
    "bpf_tail_call",
)
# END GENERATED SYMBOLS
