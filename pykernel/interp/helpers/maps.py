"""Map helpers and the map-op functions the verifier's fixups call directly.

All go through the maps' program-side API (``pykernel.maps.base``): ``value_buf``,
``prog_update``, ``prog_delete``, ``prog_push/pop/peek``, ``for_each``, ``prog_at``.
Return values follow the kernel: a value pointer or 0, 0 or ``-errno``.
"""

from __future__ import annotations

import struct
from typing import Any

from ...uapi.consts import MapType
from ..env import HASH_TYPES
from ..errors import HelperFault
from ..vm import MAX_TAIL_CALL_CNT
from .registry import helper, kernel_func

EINVAL, ENOENT, E2BIG, ENOTSUPP = 22, 2, 7, 524


def _map_key(run: Any, map_addr: int, key_ptr: int) -> tuple[Any, bytes]:
    m = run.env.map_at(map_addr)
    return m, run.mem.read(key_ptr, m.key_size) if m.key_size else b""


# -- lookup ----------------------------------------------------------------------------------------

@helper("map_lookup_elem")
def map_lookup_elem(run: Any, map_addr: int, key_ptr: int, *_: int) -> int:
    m, key = _map_key(run, map_addr, key_ptr)
    return run.env.lookup_value(m, key)


for _sym in ("htab_lru_percpu_map_lookup_elem", "trie_lookup_elem", "dev_map_lookup_elem",
             "dev_map_hash_lookup_elem"):
    kernel_func(_sym)(map_lookup_elem)


@kernel_func("__htab_map_lookup_elem")
def htab_map_lookup_elem(run: Any, map_addr: int, key_ptr: int, *_: int) -> int:
    """Returns the ``struct htab_elem``; the inlined code adds the value offset."""
    m, key = _map_key(run, map_addr, key_ptr)
    if int(m.map_type) not in HASH_TYPES:
        raise HelperFault(f"__htab_map_lookup_elem on map type {m.map_type}")
    return run.env.elem_address(m, key)


@helper("map_lookup_percpu_elem")
def map_lookup_percpu_elem(run: Any, map_addr: int, key_ptr: int, cpu: int, *_: int) -> int:
    m, key = _map_key(run, map_addr, key_ptr)
    if cpu >= run.env.nr_cpus:
        return 0
    return run.env.lookup_value(m, key, cpu=cpu)


for _sym in ("percpu_array_map_lookup_percpu_elem", "htab_percpu_map_lookup_percpu_elem",
             "htab_lru_percpu_map_lookup_percpu_elem"):
    kernel_func(_sym)(map_lookup_percpu_elem)


# -- update / delete ----------------------------------------------------------------------------------

@helper("map_update_elem")
def map_update_elem(run: Any, map_addr: int, key_ptr: int, value_ptr: int, flags: int, *_: int) -> int:
    m, key = _map_key(run, map_addr, key_ptr)
    value = run.mem.read(value_ptr, m.value_size)
    return m.prog_update(key, value, flags)


for _sym in ("array_map_update_elem", "htab_map_update_elem", "htab_percpu_map_update_elem",
             "htab_lru_map_update_elem", "htab_lru_percpu_map_update_elem", "trie_update_elem"):
    kernel_func(_sym)(map_update_elem)


@helper("map_delete_elem")
def map_delete_elem(run: Any, map_addr: int, key_ptr: int, *_: int) -> int:
    m, key = _map_key(run, map_addr, key_ptr)
    return m.prog_delete(key)


for _sym in ("array_map_delete_elem", "htab_map_delete_elem", "htab_lru_map_delete_elem", "trie_delete_elem"):
    kernel_func(_sym)(map_delete_elem)


# -- queue / stack --------------------------------------------------------------------------------------

@helper("map_push_elem")
def map_push_elem(run: Any, map_addr: int, value_ptr: int, flags: int, *_: int) -> int:
    m = run.env.map_at(map_addr)
    return m.prog_push(run.mem.read(value_ptr, m.value_size), flags)


kernel_func("queue_stack_map_push_elem")(map_push_elem)


def _get(run: Any, map_addr: int, value_ptr: int, pop: bool) -> int:
    m = run.env.map_at(map_addr)
    out = bytearray(m.value_size)
    rc = m.prog_pop(out) if pop else m.prog_peek(out)
    run.mem.write(value_ptr, out)
    return rc


@helper("map_pop_elem")
def map_pop_elem(run: Any, map_addr: int, value_ptr: int, *_: int) -> int:
    return _get(run, map_addr, value_ptr, True)


@helper("map_peek_elem")
def map_peek_elem(run: Any, map_addr: int, value_ptr: int, *_: int) -> int:
    return _get(run, map_addr, value_ptr, False)


kernel_func("queue_map_pop_elem")(map_pop_elem)
kernel_func("stack_map_pop_elem")(map_pop_elem)
kernel_func("queue_map_peek_elem")(map_peek_elem)
kernel_func("stack_map_peek_elem")(map_peek_elem)


# -- iteration with a callback ------------------------------------------------------------------------------

@helper("for_each_map_elem")
def for_each_map_elem(run: Any, map_addr: int, callback: int, cb_ctx: int, flags: int, *_: int) -> int:
    """bpf_for_each_map_elem: callback(map, &key, &value, ctx) until it returns 1."""
    if flags:
        return -EINVAL
    env = run.env
    m = env.map_at(map_addr)
    keybuf = bytearray(m.key_size)
    keyreg = run.mem.map_buffer("for_each key", "stack", keybuf, writable=False)
    n = 0
    try:
        for key, _vb in m.for_each():
            n += 1
            keybuf[:] = bytes(key[: m.key_size])
            value = env.lookup_value(m, bytes(key))
            if run.call_func(callback, map_addr, keyreg.base, value, cb_ctx):
                break
    finally:
        run.mem.remove(keyreg)
    return n


kernel_func("bpf_for_each_array_elem")(for_each_map_elem)
kernel_func("bpf_for_each_hash_elem")(for_each_map_elem)


@helper("loop")
def bpf_loop(run: Any, nr: int, callback: int, cb_ctx: int, flags: int, *_: int) -> int:
    """bpf_loop when the verifier did not inline it: callback(i, ctx) until it returns 1."""
    if flags:
        return -EINVAL
    if nr > 1 << 23:
        return -E2BIG
    for i in range(nr):
        if run.call_func(callback, i, cb_ctx):
            return i + 1
    return nr


# -- tail calls -----------------------------------------------------------------------------------------------

@helper("tail_call", kind="tail_call")
def tail_call(run: Any, ctx: int, map_addr: int, index: int, *_: int) -> Any:
    """The target program's entry bound to this run, or None (the call falls through)."""
    env = run.env
    m = env.map_at(map_addr)
    if int(m.map_type) != MapType.PROG_ARRAY:
        return None
    index &= 0xFFFFFFFF
    if index >= m.max_entries or run.tail_calls >= MAX_TAIL_CALL_CNT:
        return None
    prog_id = m.prog_at(index)
    if not prog_id:
        return None
    prog = env.prog_by_id(prog_id)
    if prog is None:
        return None
    run.tail_calls += 1
    from ..translate import translate  # late: translate imports nothing from here
    from .registry import kernel_calls

    tr = translate(prog.xlated, kernel_calls(), name=getattr(prog, "name", "") or f"prog{prog_id}")
    env.prog = prog
    return run.entry(tr)


def _u32(b: bytes) -> int:
    return struct.unpack_from("<I", b)[0]
