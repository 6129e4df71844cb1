"""Property tests of map semantics against simple models (hypothesis).

* LPM trie: lookups are longest-prefix matches; the trie - and so the get_next_key walk -
  does not depend on insertion order (the store rebuilds it from the set of prefixes).
* Hash: any sequence of update/delete with flags behaves like a bounded dict.
"""

from __future__ import annotations

import errno
import struct
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykernel import Process, SyscallError
from pykernel.uapi.attr import MapCreateAttr, MapElemAttr
from pykernel.uapi.consts import Cmd, MapType

prefixes = st.lists(st.tuples(st.integers(0, 16), st.integers(0, 0xFFFF)), min_size=1, max_size=24,
                    unique_by=lambda t: (t[0], t[1] >> (16 - t[0]) if t[0] else 0))


def lk(plen: int, data: int) -> bytes:
    return struct.pack("<I", plen) + data.to_bytes(2, "big")


def walk(p: Process, fd: int, ks: int) -> list[bytes]:
    out: list[bytes] = []
    k = None
    while True:
        nk = bytearray(ks)
        try:
            p.bpf(Cmd.MAP_GET_NEXT_KEY, MapElemAttr(map_fd=fd, key=k, next_key=nk))
        except SyscallError:
            return out
        out.append(bytes(nk))
        k = bytes(nk)


def new_lpm(p: Process) -> int:
    return p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=MapType.LPM_TRIE, key_size=6, value_size=4,
                                               max_entries=64, map_flags=1))


def masked(plen: int, data: int) -> int:
    return data & (((1 << plen) - 1) << (16 - plen)) if plen else 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefixes, st.randoms(use_true_random=False), st.lists(st.integers(0, 0xFFFF), max_size=12))
def test_lpm_matches_model_and_ignores_insertion_order(pfx, rnd, probes) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        p = Process(d)
        try:
            a, b = new_lpm(p), new_lpm(p)
            order = list(pfx)
            for plen, data in order:
                p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=a, key=lk(plen, data), value=struct.pack("<I", plen)))
            rnd.shuffle(order)
            for plen, data in order:
                p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=b, key=lk(plen, data), value=struct.pack("<I", plen)))
            wa = [w[:4] + masked(struct.unpack("<I", w[:4])[0], int.from_bytes(w[4:], "big")).to_bytes(2, "big")
                  for w in walk(p, a, 6)]
            wb = [w[:4] + masked(struct.unpack("<I", w[:4])[0], int.from_bytes(w[4:], "big")).to_bytes(2, "big")
                  for w in walk(p, b, 6)]
            assert wa == wb
            assert sorted(wa) == sorted(lk(pl, masked(pl, dt)) for pl, dt in pfx)
            for q in probes:
                best = max((pl for pl, dt in pfx if masked(pl, dt) == masked(pl, q)), default=None)
                v = bytearray(4)
                try:
                    p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=a, key=lk(16, q), value=v))
                    got = struct.unpack("<I", v)[0]
                except SyscallError as e:
                    assert e.errno == errno.ENOENT
                    got = None
                assert got == best
            # delete half, compare with a trie built from what is left
            gone = pfx[::2]
            for plen, data in gone:
                p.bpf(Cmd.MAP_DELETE_ELEM, MapElemAttr(map_fd=a, key=lk(plen, data)))
            c = new_lpm(p)
            for plen, data in pfx[1::2]:
                p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=c, key=lk(plen, data), value=struct.pack("<I", plen)))
            assert walk(p, a, 6) == walk(p, c, 6)
        finally:
            p.exit()


ops = st.lists(st.tuples(st.sampled_from(["upd", "del"]), st.integers(0, 9), st.sampled_from([0, 1, 2]),
                         st.integers(0, 255)), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, st.sampled_from([MapType.HASH, MapType.PERCPU_HASH]), st.booleans())
def test_hash_behaves_like_a_bounded_dict(seq, map_type, prealloc) -> None:  # type: ignore[no-untyped-def]
    cap = 5
    percpu = map_type == MapType.PERCPU_HASH
    vsize = 16 if percpu else 4
    with tempfile.TemporaryDirectory() as d:
        p = Process(d)
        try:
            fd = p.bpf(Cmd.MAP_CREATE, MapCreateAttr(map_type=map_type, key_size=4, value_size=4, max_entries=cap,
                                                     map_flags=0 if prealloc else 1))
            model: dict[int, bytes] = {}
            for op, key, flags, val in seq:
                k = struct.pack("<I", key)
                want: int | None = None
                if op == "upd":
                    v = bytes([val]) * vsize
                    if key in model and flags == 1:
                        want = errno.EEXIST
                    elif key not in model and flags == 2:
                        want = errno.ENOENT
                    elif key not in model and len(model) >= cap:
                        want = errno.E2BIG
                    try:
                        p.bpf(Cmd.MAP_UPDATE_ELEM, MapElemAttr(map_fd=fd, key=k, value=v, flags=flags))
                        got = None
                    except SyscallError as e:
                        got = e.errno
                    assert got == want
                    if want is None:
                        model[key] = v
                else:
                    want = None if key in model else errno.ENOENT
                    try:
                        p.bpf(Cmd.MAP_DELETE_ELEM, MapElemAttr(map_fd=fd, key=k))
                        got = None
                    except SyscallError as e:
                        got = e.errno
                    assert got == want
                    model.pop(key, None)
            keys = walk(p, fd, 4)
            assert sorted(struct.unpack("<I", k)[0] for k in keys) == sorted(model)
            for key, v in model.items():
                out = bytearray(vsize)
                p.bpf(Cmd.MAP_LOOKUP_ELEM, MapElemAttr(map_fd=fd, key=struct.pack("<I", key), value=out))
                assert bytes(out) == v
        finally:
            p.exit()
