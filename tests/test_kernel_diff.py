"""The same syscall sequences against the real 6.18 kernel and against pykernel.

Each scenario drives a ``Sys`` (``RealSys`` = ctypes bpf(2), ``SimSys`` = a pykernel
``Process``) and records a trace: one ``(label, result)`` per call, where a result is the
returned bytes (hex), a count, ``"ok"``, ``"fd"`` or ``"E<ERRNO>"``. Traces avoid what
legitimately differs (fd numbers, ids, random hash seeds: hash maps use BPF_F_ZERO_SEED so
their order is the kernel's exactly).

* ``test_sim_matches_recorded``: pykernel against the traces recorded from the real kernel
  (tests/test_kernel_diff_expected.py) - runs everywhere.
* ``test_sim_matches_real`` (``realkernel``): both, live, side by side.

Re-record with ``python -m tests.test_kernel_diff --record`` (root, real bpf()).
"""

from __future__ import annotations

import contextlib
import errno
import os
import pprint
import struct
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.test_kernel_realsys import REAL_PIN_ROOT, RealSys, SimSys, cleanup_real_pins, have_real, need_real

K = lambda i: struct.pack("<I", i)  # noqa: E731
V8 = lambda i: struct.pack("<Q", i)  # noqa: E731
XDP_OK = bytes.fromhex("b700000002000000" "9500000000000000")
RET1 = bytes.fromhex("b700000001000000" "9500000000000000")
ZS = 0x40  # BPF_F_ZERO_SEED


def ename(e: int) -> str:
    return "E" + errno.errorcode.get(e, str(e)) if e != 524 else "ENOTSUPP"


class Trace:
    def __init__(self, s: Any) -> None:
        self.s = s
        self.out: list[tuple[str, Any]] = []
        self.fds: list[int] = []

    def __call__(self, label: str, fn: Callable[..., Any], *a: Any, **kw: Any) -> Any:
        try:
            r = fn(*a, **kw)
        except OSError as e:
            self.out.append((label, ename(e.errno or 0)))
            return None
        if isinstance(r, (bytes, bytearray)):
            self.out.append((label, bytes(r).hex()))
        elif r is None:
            self.out.append((label, "ok"))
        else:
            self.out.append((label, r))
        return r

    def fd(self, label: str, fn: Callable[..., Any], *a: Any, **kw: Any) -> int | None:
        try:
            r = fn(*a, **kw)
        except OSError as e:
            self.out.append((label, ename(e.errno or 0)))
            return None
        if isinstance(r, tuple):
            r = r[0]
        self.fds.append(r)
        self.out.append((label, "fd"))
        return r

    def note(self, label: str, value: Any) -> None:
        self.out.append((label, value))

    def close_all(self) -> None:
        for fd in self.fds:
            with contextlib.suppress(OSError):
                self.s.close(fd)
        self.fds.clear()


def walk(s: Any, fd: int, ks: int) -> list[str]:
    out, k = [], None
    while True:
        try:
            k = s.next_key(fd, k, ks)
        except OSError as e:
            out.append(ename(e.errno or 0))
            return out
        out.append(k.hex())
        if len(out) > 10000:
            return out


# -- scenarios --------------------------------------------------------------------------------

def sc_map_create_errors(t: Trace) -> None:
    s = t.s
    mc = s.map_create
    for ty in (0, 99, 34):
        t.fd(f"type {ty}", mc, ty, 4, 4, 1)
    for ty in (1, 2, 5, 6, 9, 10, 3, 14, 16, 17, 25, 4):
        t.fd(f"type {ty} max_entries 0", mc, ty, 4, 4, 0)
    t.fd("queue max_entries 0", mc, 22, 0, 4, 0)
    t.fd("lpm max_entries 0", mc, 11, 8, 4, 0, 1)
    cases = [
        ("hash key 0", (1, 0, 4, 1)), ("hash value 0", (1, 4, 0, 1)), ("array key 8", (2, 8, 4, 1)),
        ("array value 0", (2, 4, 0, 1)), ("hash key huge", (1, 1 << 25, 4, 1)),
        ("hash value 4MB", (1, 4, 4 << 20, 1)), ("percpu_hash value 32769", (5, 4, 32769, 1)),
        ("percpu_hash value 32768", (5, 4, 32768, 1)), ("percpu_array value 32769", (6, 4, 32769, 1)),
        ("array value 2^31", (2, 4, 1 << 31, 1)), ("hash max 2^31+1", (1, 4, 4, (1 << 31) + 1)),
        ("hash max 2^30 nopre", (1, 4, 4, 1 << 30, 1)), ("hash flags 0x8000", (1, 4, 4, 1, 0x8000)),
        ("hash zero seed", (1, 4, 4, 1, ZS)), ("hash rdonly|wronly", (1, 4, 4, 1, 0x18)),
        ("hash rdonly_prog|wronly_prog", (1, 4, 4, 1, 0x180)), ("hash rdonly_prog", (1, 4, 4, 1, 0x80)),
        ("hash no_common_lru", (1, 4, 4, 1, 2)), ("lru no_prealloc", (9, 4, 4, 1, 1)),
        ("array mmapable", (2, 4, 4, 1, 0x400)), ("array inner_map", (2, 4, 4, 1, 0x1000)),
        ("array preserve", (2, 4, 4, 1, 0x800)), ("percpu_array mmap", (6, 4, 4, 1, 0x400)),
        ("array no_prealloc", (2, 4, 4, 1, 1)), ("perf preserve", (4, 4, 4, 1, 0x800)),
        ("perf value 8", (4, 4, 8, 1)), ("prog_array rdonly_prog", (3, 4, 4, 1, 0x80)),
        ("prog_array rdonly", (3, 4, 4, 1, 8)), ("lpm no noprealloc", (11, 8, 4, 1)),
        ("lpm key 4", (11, 4, 4, 1, 1)), ("lpm key 5", (11, 5, 4, 1, 1)), ("lpm key 260", (11, 260, 4, 1, 1)),
        ("lpm key 261", (11, 261, 4, 1, 1)), ("lpm value 0", (11, 8, 0, 1, 1)),
        ("lpm rdonly", (11, 8, 4, 1, 9)), ("lpm zero_seed", (11, 8, 4, 1, 0x41)),
        ("queue key 4", (22, 4, 4, 1)), ("queue value 0", (22, 0, 0, 1)), ("queue noprealloc", (22, 0, 4, 1, 1)),
        ("queue value 4MB+1", (22, 0, (4 << 20) + 1, 1)), ("cpumap max 256", (16, 4, 4, 256)),
        ("cpumap max 257", (16, 4, 4, 257)), ("cpumap value 12", (16, 4, 12, 1)), ("cpumap key 8", (16, 8, 4, 1)),
        ("devmap value 12", (14, 4, 12, 1)), ("devmap_hash max 2^31+1", (25, 4, 4, (1 << 31) + 1)),
        ("devmap rdonly_prog", (14, 4, 4, 1, 0x80)), ("xskmap value 8", (17, 4, 8, 1)),
        ("xskmap key 8", (17, 8, 4, 1)), ("xskmap rdonly", (17, 4, 4, 1, 8)),
        ("aom without inner", (12, 4, 4, 1)), ("hom without inner", (13, 4, 4, 1)),
    ]
    for label, args in cases:
        t.fd(label, mc, *args)
    t.fd("numa node 0", mc, 1, 4, 4, 1, 4, numa_node=0)
    t.fd("numa node 5", mc, 1, 4, 4, 1, 4, numa_node=5)
    t.fd("numa 5 without flag", mc, 1, 4, 4, 1, 0, numa_node=5)
    t.fd("percpu numa node 0", mc, 5, 4, 4, 1, 4, numa_node=0)
    t.fd("map_extra", mc, 1, 4, 4, 1, map_extra=1)
    t.fd("btf key without value", mc, 1, 4, 4, 1, btf_key=1)
    t.fd("btf value fd 0", mc, 1, 4, 4, 1, btf_value=1)
    t.fd("btf value fd 99", mc, 1, 4, 4, 1, btf_fd=99, btf_value=1)
    for name in ("a.b_C9", "a-b", "a b", "a" * 15, "a" * 16, "é"):
        t.fd(f"name {name!r}", mc, 1, 4, 4, 1, name=name)
    t.fd("bad name and bad value (order)", mc, 2, 4, 0, 1, name="a-b")
    t.fd("bad name and huge key (order)", mc, 1, 1 << 25, 4, 1, name="a-b")
    inner = t.fd("inner array", mc, 2, 4, 4, 1)
    t.fd("aom inner ok", mc, 12, 4, 4, 1, inner_map_fd=inner)
    t.fd("aom value 8", mc, 12, 4, 8, 1, inner_map_fd=inner)
    t.fd("hom key 8", mc, 13, 8, 4, 1, inner_map_fd=inner)
    t.fd("aom inner bad fd", mc, 12, 4, 4, 1, inner_map_fd=999)
    t.fd("aom inner fd 0", mc, 12, 4, 4, 1, inner_map_fd=0)
    for label, args in [("prog_array", (3, 4, 4, 1)), ("queue", (22, 0, 4, 1)), ("lpm", (11, 8, 4, 1, 1)),
                        ("devmap", (14, 4, 4, 1)), ("perf", (4, 4, 4, 1)), ("hash", (1, 4, 4, 1)),
                        ("cpumap", (16, 4, 4, 1)), ("xskmap", (17, 4, 4, 1))]:
        ifd = t.fd(f"inner candidate {label}", mc, *args)
        t.fd(f"aom with inner {label}", mc, 12, 4, 4, 1, inner_map_fd=ifd)
    aom = t.fd("aom", mc, 12, 4, 4, 1, inner_map_fd=inner)
    t.fd("aom with inner aom", mc, 12, 4, 4, 1, inner_map_fd=aom)
    t.fd("aom flags inner_map", mc, 12, 4, 4, 1, 0x1000, inner_map_fd=inner)
    t.fd("hom no_prealloc", mc, 13, 4, 4, 1, 1, inner_map_fd=inner)
    t.fd("map_ifindex 999", mc, 1, 4, 4, 1, map_ifindex=999)
    t.fd("map_ifindex lo", mc, 1, 4, 4, 1, map_ifindex=1)


def sc_array(t: Trace) -> None:
    s = t.s
    a = t.fd("create", s.map_create, 2, 4, 8, 4)
    t("lookup 0", s.lookup, a, K(0), 8)
    t("lookup oob", s.lookup, a, K(4), 8)
    t("lookup flags 1", s.lookup, a, K(0), 8, 1)
    t("lookup F_LOCK", s.lookup, a, K(0), 8, 4)
    t("lookup NULL key", s.lookup, a, None, 8)
    t("update noexist", s.update, a, K(0), V8(1), 1)
    t("update exist", s.update, a, K(0), V8(1), 2)
    t("update any", s.update, a, K(2), V8(0x2A))
    t("update flags 3", s.update, a, K(0), V8(1), 3)
    t("update flags 8", s.update, a, K(0), V8(1), 8)
    t("update F_LOCK", s.update, a, K(0), V8(1), 4)
    t("update oob", s.update, a, K(4), V8(1))
    t("update oob noexist", s.update, a, K(4), V8(1), 1)
    t("update NULL key", s.update, a, None, V8(1))
    t("lookup 2", s.lookup, a, K(2), 8)
    t("delete", s.delete, a, K(0))
    t("delete oob", s.delete, a, K(9))
    t("delete flags", s.delete, a, K(0), 1)
    t("next NULL", s.next_key, a, None, 4)
    t("next 0", s.next_key, a, K(0), 4)
    t("next 3", s.next_key, a, K(3), 4)
    t("next 9", s.next_key, a, K(9), 4)
    t("walk", walk, s, a, 4)
    t("lookup_and_delete", s.lookup_and_delete, a, K(0), 8)
    t("freeze", s.freeze, a)
    t("freeze again", s.freeze, a)
    t("update frozen", s.update, a, K(0), V8(1))
    t("lookup frozen", s.lookup, a, K(0), 8)
    t("delete frozen", s.delete, a, K(0))
    t("next frozen", s.next_key, a, None, 4)
    p = t.fd("percpu array", s.map_create, 6, 4, 4, 4)
    t("percpu update", s.update, p, K(1), bytes(range(16)))
    t("percpu lookup", s.lookup, p, K(1), 16)
    t("percpu lookup 0", s.lookup, p, K(0), 16)
    t("percpu update F_LOCK", s.update, p, K(1), bytes(16), 4)
    t("percpu update noexist", s.update, p, K(1), bytes(16), 1)
    t("percpu update exist", s.update, p, K(1), bytes(16), 2)
    t("percpu update flags 3", s.update, p, K(1), bytes(16), 3)
    t("percpu update oob", s.update, p, K(8), bytes(16))
    big = t.fd("big array", s.map_create, 2, 4, 3, 1000)
    t("big update 999", s.update, big, K(999), b"abc")
    t("big lookup 999", s.lookup, big, K(999), 3)
    t("big lookup 998", s.lookup, big, K(998), 3)


def sc_hash(t: Trace) -> None:
    s = t.s
    h = t.fd("create", s.map_create, 1, 4, 8, 2, ZS)
    t("lookup miss", s.lookup, h, K(0), 8)
    t("update exist miss", s.update, h, K(0), V8(1), 2)
    t("update noexist", s.update, h, K(0), V8(1), 1)
    t("update noexist again", s.update, h, K(0), V8(1), 1)
    t("update any", s.update, h, K(1), V8(2))
    t("update full new", s.update, h, K(2), V8(3))
    t("update full new exist", s.update, h, K(2), V8(3), 2)
    t("update full new noexist", s.update, h, K(2), V8(3), 1)
    t("update full old", s.update, h, K(1), V8(4))
    t("update flags 3", s.update, h, K(1), V8(4), 3)
    t("update flags 4", s.update, h, K(1), V8(4), 4)
    t("update NULL key", s.update, h, None, V8(4))
    t("walk", walk, s, h, 4)
    t("next missing", s.next_key, h, K(77), 4)
    t("delete miss", s.delete, h, K(5))
    t("lookup_and_delete 0", s.lookup_and_delete, h, K(0), 8)
    t("lookup_and_delete 0 again", s.lookup_and_delete, h, K(0), 8)
    t("lookup_and_delete flags 1", s.lookup_and_delete, h, K(1), 8, 1)
    t("lookup_and_delete flags 4", s.lookup_and_delete, h, K(1), 8, 4)
    t("freeze", s.freeze, h)
    t("delete frozen", s.delete, h, K(1))
    t("lookup_and_delete frozen", s.lookup_and_delete, h, K(1), 8)
    t("lookup frozen", s.lookup, h, K(1), 8)
    e = t.fd("empty", s.map_create, 1, 4, 8, 2)
    t("empty next NULL", s.next_key, e, None, 4)
    t("empty next key", s.next_key, e, K(1), 4)
    p = t.fd("percpu", s.map_create, 5, 4, 4, 4, ZS)
    t("percpu update", s.update, p, K(1), bytes(range(16)))
    t("percpu lookup", s.lookup, p, K(1), 16)
    t("percpu update exist", s.update, p, K(1), bytes(range(16, 32)), 2)
    t("percpu lookup 2", s.lookup, p, K(1), 16)
    t("percpu update F_LOCK", s.update, p, K(1), bytes(16), 4)
    t("percpu update flags 3", s.update, p, K(1), bytes(16), 3)
    t("percpu lookup_and_delete", s.lookup_and_delete, p, K(1), 16)
    t("percpu lookup after", s.lookup, p, K(1), 16)
    np = t.fd("no_prealloc", s.map_create, 1, 4, 4, 2, 1 | ZS)
    t("np update 1", s.update, np, K(1), K(1))
    t("np update 2", s.update, np, K(2), K(2))
    t("np update 3 full", s.update, np, K(3), K(3))
    t("np update 2 replace", s.update, np, K(2), K(5))
    t("np walk", walk, s, np, 4)


def sc_hash_order(t: Trace) -> None:
    """Iteration order of ZERO_SEED maps: jhash buckets, newest first."""
    s = t.s
    import random

    rnd = random.Random(7)
    for ks in (1, 3, 4, 5, 8, 13, 16):
        for me in (1, 7, 64):
            h = t.fd(f"ks {ks} me {me}", s.map_create, 1, ks, 4, me, ZS)
            keys: list[bytes] = []
            for _ in range(min(me, 30)):
                kk = bytes(rnd.randrange(256) for _ in range(ks))
                if kk not in keys:
                    keys.append(kk)
                    s.update(h, kk, b"\1\0\0\0")
            if len(keys) > 2:
                s.update(h, keys[1], b"\2\0\0\0")  # a replaced key moves to its bucket's head
            t(f"walk ks {ks} me {me}", walk, s, h, ks)
            t.close_all()


def sc_perms_and_fds(t: Trace) -> None:
    s = t.s
    r = t.fd("rdonly map", s.map_create, 1, 4, 8, 2, 8)
    t("rdonly update", s.update, r, K(1), V8(1))
    t("rdonly lookup", s.lookup, r, K(1), 8)
    t("rdonly next", s.next_key, r, None, 4)
    t("rdonly delete", s.delete, r, K(1))
    t("rdonly freeze", s.freeze, r)
    t("rdonly info flags", lambda: s.map_info(r)["map_flags"])
    w = t.fd("wronly map", s.map_create, 1, 4, 8, 2, 16)
    t("wronly update", s.update, w, K(1), V8(1))
    t("wronly lookup", s.lookup, w, K(1), 8)
    t("wronly next", s.next_key, w, None, 4)
    t("wronly delete", s.delete, w, K(1))
    t("wronly lookup_and_delete", s.lookup_and_delete, w, K(1), 8)
    t("wronly info flags", lambda: s.map_info(w)["map_flags"])
    t("wronly freeze", s.freeze, w)
    t("lookup bad fd", s.lookup, 999, K(1), 8)
    t("lookup fd 0", s.lookup, 0, K(1), 8)
    t("freeze fd 0", s.freeze, 0)
    t("info bad fd", s.map_info, 999)
    t("info fd 0", s.map_info, 0)
    pfd = t.fd("xdp prog", s.prog_load, 6, XDP_OK, "GPL", "p")
    t("lookup on prog fd", s.lookup, pfd, K(1), 8)
    t("update on prog fd", s.update, pfd, K(1), V8(1))
    t("freeze prog fd", s.freeze, pfd)


def sc_lru(t: Trace) -> None:
    s = t.s
    for flags in (0, 2):
        for me in (4, 8, 16, 30):
            lr = t.fd(f"lru flags {flags} me {me}", s.map_create, 9, 4, 8, me, flags | ZS)
            for i in range(me * 2):
                s.update(lr, K(i), V8(i))
            t(f"keys after {me * 2} inserts", lambda fd=lr: sorted(walk(s, fd, 4)[:-1]))
            for i in (me * 2 - 1, me * 2 - 3):
                with contextlib.suppress(OSError):
                    s.update(lr, K(i), V8(100 + i))  # replace (sets the new node's ref bit)
            with contextlib.suppress(OSError):
                s.delete(lr, K(me * 2 - 2))
            for i in range(me * 2, me * 3):
                s.update(lr, K(i), V8(i))
            t("keys after replace/delete/insert", lambda fd=lr: sorted(walk(s, fd, 4)[:-1]))
            t("memlock", lambda fd=lr: s.map_info(fd)["memlock"])
            t.close_all()
    lr = t.fd("lru 8", s.map_create, 9, 4, 8, 8, ZS)
    for i in range(8):
        s.update(lr, K(i), V8(i))
    for i in range(8, 12):
        t(f"insert {i}", s.update, lr, K(i), V8(i))
        t(f"keys after {i}", lambda fd=lr: sorted(walk(s, fd, 4)[:-1]))
    t("update exist miss", s.update, lr, K(100), V8(1), 2)
    t("update flags 4", s.update, lr, K(1), V8(1), 4)
    t("update flags 3", s.update, lr, K(1), V8(1), 3)
    t("noexist on present", s.update, lr, K(11), V8(1), 1)
    t("keys", lambda: sorted(walk(s, lr, 4)[:-1]))
    lp = t.fd("lru percpu", s.map_create, 10, 4, 4, 6, ZS)
    for i in range(14):
        s.update(lp, K(i), bytes([i]) * 16)
    t("lru percpu keys", lambda: sorted(walk(s, lp, 4)[:-1]))
    t("lru percpu update exist", s.update, lp, K(13), bytes(16), 2)
    t("lru percpu lookup", s.lookup, lp, K(13), 16)
    t("lru percpu keys 2", lambda: sorted(walk(s, lp, 4)[:-1]))
    lpc = t.fd("lru percpu no_common", s.map_create, 10, 4, 4, 7, 2 | ZS)
    t("info max_entries", lambda: s.map_info(lpc)["max_entries"])
    for i in range(12):
        s.update(lpc, K(i), bytes([i]) * 16)
    t("no_common keys", lambda: sorted(walk(s, lpc, 4)[:-1]))


def LK(plen: int, *b: int) -> bytes:
    return struct.pack("<I", plen) + bytes(b)


def sc_lpm(t: Trace) -> None:
    s = t.s
    lm = t.fd("lpm", s.map_create, 11, 8, 4, 4, 1)
    t("lookup empty", s.lookup, lm, LK(32, 10, 0, 0, 1), 4)
    t("next empty", s.next_key, lm, None, 8)
    for k, v in [(LK(16, 192, 168, 0, 0), 1), (LK(24, 192, 168, 0, 0), 2), (LK(24, 192, 168, 128, 0), 3),
                 (LK(24, 192, 168, 1, 0), 5)]:
        t(f"update {k.hex()}", s.update, lm, k, K(v))
    t("update full", s.update, lm, LK(8, 10, 0, 0, 0), K(1))
    t("update full existing", s.update, lm, LK(24, 192, 168, 1, 0), K(7))
    t("memlock", lambda: s.map_info(lm)["memlock"])
    for q in [(32, 192, 168, 1, 5), (32, 192, 168, 2, 5), (32, 10, 0, 0, 1), (33, 192, 168, 1, 5),
              (16, 192, 168, 0, 0), (8, 192, 168, 0, 0)]:
        t(f"lookup {q}", s.lookup, lm, LK(*q), 4)
    t("walk", walk, s, lm, 8)
    t("next missing", s.next_key, lm, LK(24, 10, 0, 0, 0), 8)
    t("next plen 33", s.next_key, lm, LK(33, 10, 0, 0, 0), 8)
    t("next of last", s.next_key, lm, LK(16, 192, 168, 0, 0), 8)
    t("next of IM", s.next_key, lm, LK(23, 192, 168, 0, 0), 8)
    t("update plen 33", s.update, lm, LK(33, 1, 1, 1, 1), K(1))
    t("update flags 3", s.update, lm, LK(24, 192, 168, 0, 0), K(1), 3)
    t("update flags 4", s.update, lm, LK(24, 192, 168, 0, 0), K(1), 4)
    t("update exist on existing", s.update, lm, LK(24, 192, 168, 0, 0), K(9), 2)
    t("update noexist on existing", s.update, lm, LK(24, 192, 168, 0, 0), K(9), 1)
    t("delete IM", s.delete, lm, LK(23, 192, 168, 0, 0))
    t("delete missing", s.delete, lm, LK(24, 10, 0, 0, 0))
    t("delete plen 33", s.delete, lm, LK(33, 10, 0, 0, 0))
    t("update exist on IM", s.update, lm, LK(23, 192, 168, 0, 0), K(9), 2)
    t("delete /24 .1", s.delete, lm, LK(24, 192, 168, 1, 0))
    t("update exist missing", s.update, lm, LK(8, 10, 0, 0, 0), K(1), 2)
    t("update noexist new", s.update, lm, LK(8, 10, 0, 0, 0), K(1), 1)
    t("walk 2", walk, s, lm, 8)
    t("lookup_and_delete", s.lookup_and_delete, lm, LK(8, 10, 0, 0, 0), 4)
    t("lookup flags 4", s.lookup, lm, LK(8, 10, 0, 0, 0), 4, 4)
    t("lookup NULL", s.lookup, lm, None, 4)
    l2 = t.fd("lpm2", s.map_create, 11, 8, 4, 10, 1)
    t("l2 update with bits past the prefix", s.update, l2, LK(16, 192, 168, 5, 5), K(1))
    t("l2 next", s.next_key, l2, None, 8)
    t("l2 noexist same prefix", s.update, l2, LK(16, 192, 168, 0, 0), K(2), 1)
    t("l2 replace same prefix", s.update, l2, LK(16, 192, 168, 7, 7), K(3))
    t("l2 next after replace", s.next_key, l2, None, 8)
    t("l2 delete other low bits", s.delete, l2, LK(16, 192, 168, 1, 2))
    t("l2 next after delete", s.next_key, l2, None, 8)
    l3 = t.fd("lpm3", s.map_create, 11, 8, 4, 20, 1)
    for p in [(32, 10, 0, 0, 1), (32, 10, 0, 0, 2), (24, 10, 0, 0, 0), (8, 10, 0, 0, 0), (0, 0, 0, 0, 0),
              (16, 11, 1, 0, 0), (32, 10, 0, 0, 129), (31, 10, 0, 0, 2), (12, 10, 16, 0, 0)]:
        s.update(l3, LK(*p), K(p[0]))
    t("l3 walk", walk, s, l3, 8)
    t("l3 memlock", lambda: s.map_info(l3)["memlock"])
    for q in [(32, 10, 0, 0, 3), (32, 10, 0, 0, 2), (32, 10, 16, 1, 1), (32, 99, 0, 0, 0), (0, 10, 0, 0, 2)]:
        t(f"l3 lookup {q}", s.lookup, l3, LK(*q), 4)
    for p in [(24, 10, 0, 0, 0), (32, 10, 0, 0, 2), (0, 0, 0, 0, 0)]:
        t(f"l3 delete {p}", s.delete, l3, LK(*p))
        t(f"l3 walk after delete {p}", walk, s, l3, 8)


def sc_queue_stack(t: Trace) -> None:
    s = t.s
    for ty, name in ((22, "queue"), (23, "stack")):
        q = t.fd(name, s.map_create, ty, 0, 4, 3)
        t("peek empty", s.lookup, q, None, 4)
        t("pop empty", s.lookup_and_delete, q, None, 4)
        for i in range(3):
            t(f"push {i + 1}", s.update, q, None, K(i + 1))
        t("push full", s.update, q, None, K(9))
        t("push full EXIST", s.update, q, None, K(9), 2)
        t("push NOEXIST", s.update, q, None, K(9), 1)
        t("push flags 4", s.update, q, None, K(9), 4)
        t("push with key", s.update, q, K(0), K(9))
        t("peek", s.lookup, q, None, 4)
        t("peek with key", s.lookup, q, K(0), 4)
        t("peek flags 4", s.lookup, q, None, 4, 4)
        t("pop flags 4", s.lookup_and_delete, q, None, 4, 4)
        t("pop", s.lookup_and_delete, q, None, 4)
        t("pop", s.lookup_and_delete, q, None, 4)
        t("delete", s.delete, q, None)
        t("next", s.next_key, q, None, 4)
        t("memlock", lambda fd=q: s.map_info(fd)["memlock"])
        t("batch lookup", lambda fd=q: s.batch(24, fd, None, 4, None, None, 2, 0, 4)[:2])
        t("freeze", s.freeze, q)
        t("pop frozen", s.lookup_and_delete, q, None, 4)
        t("peek frozen", s.lookup, q, None, 4)


def sc_prog_array(t: Trace) -> None:
    s = t.s
    xdp = t.fd("xdp", s.prog_load, 6, XDP_OK, "GPL", "xp")
    xdp_dm = t.fd("xdp devmap", s.prog_load, 6, XDP_OK, "GPL", "xd", expected_attach_type=33)
    xdp_fr = t.fd("xdp frags", s.prog_load, 6, XDP_OK, "GPL", "xf", prog_flags=32)
    tc = t.fd("tc", s.prog_load, 3, XDP_OK, "GPL", "tp")
    sk = t.fd("sk", s.prog_load, 1, XDP_OK, "GPL", "sp")
    pa = t.fd("prog_array", s.map_create, 3, 4, 4, 4)
    t("lookup empty", s.lookup, pa, K(0), 4)
    t("lookup oob", s.lookup, pa, K(9), 4)
    t("update xdp", s.update, pa, K(0), K(xdp))
    t("lookup -> id is 4 bytes", lambda: len(s.lookup(pa, K(0), 4)))
    t("update tc (owner mismatch)", s.update, pa, K(1), K(tc))
    t("update xdp devmap eat", s.update, pa, K(1), K(xdp_dm))
    t("update xdp frags", s.update, pa, K(1), K(xdp_fr))
    t("update noexist", s.update, pa, K(1), K(xdp), 1)
    t("update exist", s.update, pa, K(1), K(xdp), 2)
    t("update oob", s.update, pa, K(9), K(xdp))
    t("update bad fd", s.update, pa, K(1), K(999))
    t("update map fd", s.update, pa, K(1), K(pa))
    t("update fd 0", s.update, pa, K(1), K(0))
    t("delete empty", s.delete, pa, K(2))
    t("delete oob", s.delete, pa, K(9))
    t("delete 0", s.delete, pa, K(0))
    t("next NULL", s.next_key, pa, None, 4)
    t("lookup_and_delete", s.lookup_and_delete, pa, K(0), 4)
    t("batch lookup", lambda: s.batch(24, pa, None, 4, None, None, 2, 4, 4)[:2])
    t("batch update", lambda: s.batch(26, pa, None, 0, K(0) + K(1), K(xdp) + K(xdp), 2, 4, 4)[:2])
    t("batch delete", lambda: s.batch(27, pa, None, 0, K(0) + K(1), None, 2, 4, 4)[:2])
    t("freeze", s.freeze, pa)
    pa2 = t.fd("prog_array 2", s.map_create, 3, 4, 4, 4)
    t("pa2 update tc", s.update, pa2, K(1), K(tc))
    t("pa2 update sk", s.update, pa2, K(1), K(sk))
    pa3 = t.fd("prog_array 3", s.map_create, 3, 4, 4, 4)
    tail = (struct.pack("<BBhi", 0x18, 0x12, 0, pa3) + struct.pack("<BBhi", 0, 0, 0, 0)
            + struct.pack("<BBhi", 0xB7, 3, 0, 0) + struct.pack("<BBhi", 0x85, 0, 0, 12) + XDP_OK)
    t.fd("tc using pa3", s.prog_load, 3, tail, "GPL", "tcall")
    t("pa3 insert xdp", s.update, pa3, K(0), K(xdp))
    t.fd("xdp using pa3", s.prog_load, 6, tail, "GPL", "xcall")
    t.fd("tc using pa3 again", s.prog_load, 3, tail, "GPL", "tcall2")


def sc_map_in_map(t: Trace) -> None:
    s = t.s
    mc = s.map_create
    inner = t.fd("inner", mc, 2, 4, 4, 2)
    inner_b = t.fd("inner other max", mc, 2, 4, 4, 3)
    inner_h = t.fd("inner hash", mc, 1, 4, 4, 2)
    xdp = t.fd("xdp", s.prog_load, 6, XDP_OK, "GPL", "xp")
    aom = t.fd("aom", mc, 12, 4, 4, 2, inner_map_fd=inner)
    t("lookup empty", s.lookup, aom, K(0), 4)
    t("update inner", s.update, aom, K(0), K(inner))
    t("lookup is 4 bytes", lambda: len(s.lookup(aom, K(0), 4)))
    t("update other max_entries", s.update, aom, K(1), K(inner_b))
    t("update hash", s.update, aom, K(1), K(inner_h))
    t("update prog fd", s.update, aom, K(1), K(xdp))
    t("update bad fd", s.update, aom, K(1), K(999))
    t("update noexist", s.update, aom, K(1), K(inner), 1)
    t("update oob", s.update, aom, K(5), K(inner))
    t("batch lookup", lambda: s.batch(24, aom, None, 4, None, None, 4, 4, 4)[:2])
    t("delete", s.delete, aom, K(0))
    t("delete again", s.delete, aom, K(0))
    t("delete oob", s.delete, aom, K(7))
    t("lookup_and_delete", s.lookup_and_delete, aom, K(0), 4)
    t("update self", s.update, aom, K(1), K(aom))
    t("batch lookup empty", lambda: s.batch(24, aom, None, 4, None, None, 4, 4, 4)[:2])
    tmpl = t.fd("template with BPF_F_INNER_MAP", mc, 2, 4, 4, 2, 0x1000)
    aomi = t.fd("aom over inner_map template", mc, 12, 4, 4, 2, inner_map_fd=tmpl)
    other = t.fd("inner_map 7", mc, 2, 4, 4, 7, 0x1000)
    plain = t.fd("plain 7", mc, 2, 4, 4, 7)
    t("update inner_map flagged other size", s.update, aomi, K(1), K(other))
    t("update unflagged", s.update, aomi, K(1), K(plain))
    hom = t.fd("hom", mc, 13, 4, 4, 2, ZS, inner_map_fd=inner)
    t("hom update", s.update, hom, K(5), K(inner))
    t("hom lookup is 4 bytes", lambda: len(s.lookup(hom, K(5), 4)))
    t("hom update exist miss", s.update, hom, K(6), K(inner), 2)
    t("hom update 2", s.update, hom, K(6), K(inner))
    t("hom update full", s.update, hom, K(7), K(inner))
    t("hom update replace", s.update, hom, K(6), K(inner))
    t("hom walk", walk, s, hom, 4)
    t("hom lookup_and_delete", s.lookup_and_delete, hom, K(5), 4)
    t("hom update flags 4", s.update, hom, K(6), K(inner), 4)
    t("hom batch lookup", lambda: s.batch(24, hom, None, 4, None, None, 4, 4, 4)[:2])
    t("hom delete", s.delete, hom, K(6))
    t("hom delete again", s.delete, hom, K(6))


def sc_dev_cpu_xsk_perf(t: Trace) -> None:
    s = t.s
    mc = s.map_create
    d = t.fd("devmap", mc, 14, 4, 4, 4)
    t("flags", lambda: s.map_info(d)["map_flags"])
    t("lookup empty", s.lookup, d, K(0), 4)
    t("update lo", s.update, d, K(0), K(1))
    t("lookup", s.lookup, d, K(0), 4)
    t("memlock", lambda: s.map_info(d)["memlock"])
    t("update ifindex 999", s.update, d, K(1), K(999))
    t("update ifindex 0", s.update, d, K(1), K(0))
    t("lookup after ifindex 0", s.lookup, d, K(1), 4)
    t("update noexist", s.update, d, K(1), K(1), 1)
    t("update exist", s.update, d, K(2), K(1), 2)
    t("update flags 3", s.update, d, K(2), K(1), 3)
    t("update oob", s.update, d, K(9), K(1))
    t("memlock 2", lambda: s.map_info(d)["memlock"])
    t("delete", s.delete, d, K(0))
    t("delete empty", s.delete, d, K(0))
    t("delete oob", s.delete, d, K(9))
    t("next NULL", s.next_key, d, None, 4)
    t("next 3", s.next_key, d, K(3), 4)
    t("lookup_and_delete", s.lookup_and_delete, d, K(0), 4)
    t("batch lookup", lambda: s.batch(24, d, None, 4, None, None, 4, 4, 4)[:2])
    d8 = t.fd("devmap 8", mc, 14, 4, 8, 4)
    xdp = t.fd("xdp", s.prog_load, 6, XDP_OK, "GPL", "xp")
    xdm = t.fd("xdp devmap", s.prog_load, 6, XDP_OK, "GPL", "xd", expected_attach_type=33)
    xcm = t.fd("xdp cpumap", s.prog_load, 6, XDP_OK, "GPL", "xc", expected_attach_type=35)
    t("d8 update plain xdp", s.update, d8, K(0), struct.pack("<Ii", 1, xdp))
    t("d8 update devmap xdp", s.update, d8, K(0), struct.pack("<Ii", 1, xdm))
    t("d8 lookup (prog id nonzero)", lambda: s.lookup(d8, K(0), 8)[4:] != bytes(4))
    t("d8 update fd -1", s.update, d8, K(1), struct.pack("<Ii", 1, -1))
    t("d8 lookup 1", s.lookup, d8, K(1), 8)
    t("d8 update 0 + fd", s.update, d8, K(2), struct.pack("<Ii", 0, xdm))
    t("d8 update bad fd", s.update, d8, K(2), struct.pack("<Ii", 1, 999))
    t("d8 memlock", lambda: s.map_info(d8)["memlock"])
    dh = t.fd("devmap_hash", mc, 25, 4, 4, 2)
    t("dh update 5", s.update, dh, K(5), K(1))
    t("dh update 6", s.update, dh, K(6), K(1))
    t("dh update 7 full", s.update, dh, K(7), K(1))
    t("dh update ifindex 0", s.update, dh, K(5), K(0))
    t("dh update noexist", s.update, dh, K(5), K(1), 1)
    t("dh update exist missing", s.update, dh, K(9), K(1), 2)
    t("dh lookup 5", s.lookup, dh, K(5), 4)
    t("dh lookup 9", s.lookup, dh, K(9), 4)
    t("dh walk", walk, s, dh, 4)
    t("dh next missing", s.next_key, dh, K(9), 4)
    t("dh memlock", lambda: s.map_info(dh)["memlock"])
    t("dh delete missing", s.delete, dh, K(9))
    t("dh delete 5", s.delete, dh, K(5))
    t("dh update exist missing (room)", s.update, dh, K(9), K(1), 2)
    c = t.fd("cpumap", mc, 16, 4, 4, 4)
    t("c lookup empty", s.lookup, c, K(0), 4)
    t("c update q=192", s.update, c, K(0), K(192))
    t("c lookup", s.lookup, c, K(0), 4)
    t("c update cpu 3", s.update, c, K(3), K(192))
    t("c update oob", s.update, c, K(9), K(192))
    t("c update q=16385", s.update, c, K(1), K(16385))
    t("c update q=0", s.update, c, K(0), K(0))
    t("c lookup after q=0", s.lookup, c, K(0), 4)
    t("c update noexist", s.update, c, K(1), K(10), 1)
    t("c update exist", s.update, c, K(1), K(10), 2)
    t("c delete", s.delete, c, K(1))
    t("c delete again", s.delete, c, K(1))
    t("c delete oob", s.delete, c, K(9))
    t("c memlock", lambda: s.map_info(c)["memlock"])
    c8 = t.fd("cpumap 8", mc, 16, 4, 8, 4)
    t("c8 update plain xdp", s.update, c8, K(0), struct.pack("<Ii", 64, xdp))
    t("c8 update cpumap xdp", s.update, c8, K(0), struct.pack("<Ii", 64, xcm))
    t("c8 update fd -1", s.update, c8, K(1), struct.pack("<Ii", 64, -1))
    t("c8 lookup 1", s.lookup, c8, K(1), 8)
    x = t.fd("xskmap", mc, 17, 4, 4, 4)
    t("x lookup", s.lookup, x, K(0), 4)
    t("x update fd 0", s.update, x, K(0), K(0))
    t("x update map fd", s.update, x, K(0), K(x))
    t("x update bad fd", s.update, x, K(0), K(999))
    t("x update oob", s.update, x, K(9), K(x))
    t("x update flags 3", s.update, x, K(0), K(x), 3)
    t("x delete", s.delete, x, K(0))
    t("x delete oob", s.delete, x, K(9))
    t("x next", s.next_key, x, None, 4)
    t("x memlock", lambda: s.map_info(x)["memlock"])
    pe = t.fd("perf_event_array", mc, 4, 4, 4, 4)
    t("pe lookup", s.lookup, pe, K(0), 4)
    t("pe lookup oob", s.lookup, pe, K(9), 4)
    t("pe update map fd", s.update, pe, K(0), K(pe))
    t("pe update bad fd", s.update, pe, K(0), K(999))
    t("pe update fd 0", s.update, pe, K(0), K(0))
    t("pe update flags 1", s.update, pe, K(0), K(pe), 1)
    t("pe delete", s.delete, pe, K(0))
    t("pe delete oob", s.delete, pe, K(9))
    t("pe next", s.next_key, pe, None, 4)
    t("pe batch lookup", lambda: s.batch(24, pe, None, 4, None, None, 4, 4, 4)[:2])
    t("pe freeze", s.freeze, pe)


def _b(r: tuple[int, int, bytes, bytes, bytes]) -> list[Any]:
    err, cnt, ob, ks, vs = r
    return [ename(err) if err else 0, cnt, ob.hex(), ks.hex(), vs.hex()]


def sc_batch(t: Trace) -> None:
    s = t.s
    a = t.fd("array", s.map_create, 2, 4, 4, 5)
    for i in range(5):
        s.update(a, K(i), K(i + 10))
    for label, args in [("cnt 2 in None", (None, 2)), ("cnt 2 in 1", (K(1), 2)), ("cnt 3 in 2", (K(2), 3)),
                        ("cnt 2 in 3", (K(3), 2)), ("cnt 2 in 4", (K(4), 2)), ("cnt 10", (None, 10)),
                        ("in 9", (K(9), 2))]:
        t(f"arr lookup {label}", lambda a1=args: _b(s.batch(24, a, a1[0], 4, None, None, a1[1], 4, 4)))
    t("arr lookup cnt 0", lambda: _b(s.batch(24, a, None, 4, None, None, 0, 4, 4))[:2])
    t("arr lookup batch.flags 1", lambda: _b(s.batch(24, a, None, 4, None, None, 2, 4, 4, 0, 1)))
    t("arr lookup elem_flags 1", lambda: _b(s.batch(24, a, None, 4, None, None, 2, 4, 4, 1, 0))[:2])
    t("arr lookup elem_flags 4", lambda: _b(s.batch(24, a, None, 4, None, None, 2, 4, 4, 4, 0))[:2])
    t("arr lookup_and_delete", lambda: _b(s.batch(25, a, None, 4, None, None, 2, 4, 4))[:2])
    t("arr delete", lambda: _b(s.batch(27, a, None, 0, K(1) + K(2), None, 2, 4, 4))[:2])
    t("arr update", lambda: _b(s.batch(26, a, None, 0, K(1) + K(2) + K(7), K(5) + K(6) + K(8), 3, 4, 4))[:2])
    t("arr after update", s.lookup, a, K(2), 4)
    t("arr update elem_flags 1", lambda: _b(s.batch(26, a, None, 0, K(1), K(5), 1, 4, 4, 1, 0))[:2])
    t("arr update elem_flags 2", lambda: _b(s.batch(26, a, None, 0, K(1), K(5), 1, 4, 4, 2, 0))[:2])
    t("arr update cnt 0", lambda: _b(s.batch(26, a, None, 0, K(1), K(5), 0, 4, 4))[:2])
    h = t.fd("hash", s.map_create, 1, 4, 4, 8, ZS)
    for i in range(5):
        s.update(h, K(i), K(i + 10))
    for label, args in [("cnt 2", (None, 2)), ("cnt 1", (None, 1)), ("cnt 10", (None, 10)), ("cnt 5", (None, 5)),
                        ("in 7", (K(7), 5)), ("in 8", (K(8), 5)), ("in 100", (K(100), 5)),
                        ("in 3 cnt 3", (K(3), 3))]:
        t(f"hash lookup {label}", lambda a1=args: _b(s.batch(24, h, a1[0], 4, None, None, a1[1], 4, 4)))
    t("hash lookup flags 1", lambda: _b(s.batch(24, h, None, 4, None, None, 5, 4, 4, 0, 1))[:2])
    t("hash lookup elem 1", lambda: _b(s.batch(24, h, None, 4, None, None, 5, 4, 4, 1, 0))[:2])
    t("hash delete", lambda: _b(s.batch(27, h, None, 0, K(1) + K(9) + K(2), None, 3, 4, 4))[:2])
    t("hash update", lambda: _b(s.batch(26, h, None, 0, K(1) + K(2), K(7) + K(8), 2, 4, 4))[:2])
    t("hash update noexist", lambda: _b(s.batch(26, h, None, 0, K(20) + K(2), K(7) + K(8), 2, 4, 4, 1))[:2])
    t("hash lookup_and_delete 10", lambda: _b(s.batch(25, h, None, 4, None, None, 10, 4, 4)))
    t("hash lookup empty", lambda: _b(s.batch(24, h, None, 4, None, None, 10, 4, 4))[:3])
    lm = t.fd("lpm", s.map_create, 11, 8, 4, 8, 1)
    for p in [(8, 10, 0, 0, 0), (16, 10, 1, 0, 0), (24, 10, 1, 2, 0)]:
        s.update(lm, LK(*p), K(p[0]))
    t("lpm lookup batch", lambda: _b(s.batch(24, lm, None, 8, None, None, 8, 8, 4)))
    t("lpm delete batch", lambda: _b(s.batch(27, lm, None, 0, LK(8, 10, 0, 0, 0) + LK(9, 1, 1, 1, 1), None,
                                             2, 8, 4))[:2])
    t("lpm lookup_and_delete batch", lambda: _b(s.batch(25, lm, None, 8, None, None, 8, 8, 4))[:2])
    pc = t.fd("percpu hash", s.map_create, 5, 4, 4, 4, ZS)
    s.update(pc, K(3), bytes(range(16)))
    t("percpu batch", lambda: _b(s.batch(24, pc, None, 4, None, None, 4, 4, 16)))


def sc_pins_ids(t: Trace) -> None:
    s = t.s
    B = REAL_PIN_ROOT
    t("mkdir base", s.mkdir, B)
    m = t.fd("map", s.map_create, 1, 4, 4, 1)
    t("pin", s.pin, m, B + "/a")
    t("pin again", s.pin, m, B + "/a")
    t("pin second path", s.pin, m, B + "/b")
    t("pin dot", s.pin, m, B + "/a.b")
    t("pin leading dot", s.pin, m, B + "/.hidden")
    t("mkdir dot", s.mkdir, B + "/d.x")
    t("mkdir dir", s.mkdir, B + "/dir")
    t("pin onto dir", s.pin, m, B + "/dir")
    t("pin onto dir/", s.pin, m, B + "/dir/")
    t("pin under a file", s.pin, m, B + "/a/x")
    t("pin empty path", s.pin, m, "")
    t("pin bad fd", s.pin, 999, B + "/c")
    t("pin fd 0", s.pin, 0, B + "/c")
    t("pin 255-char name", s.pin, m, B + "/" + "x" * 255)
    t("pin 256-char name", s.pin, m, B + "/" + "x" * 256)
    t.fd("get", s.get, B + "/a")
    t.fd("get missing", s.get, B + "/zz")
    t.fd("get dir", s.get, B + "/dir")
    t.fd("get under a file", s.get, B + "/a/x")
    t.fd("get empty", s.get, "")
    t.fd("get rdonly", s.get, B + "/a", 8)
    t.fd("get rdonly|wronly", s.get, B + "/a", 24)
    t.fd("get flags 1", s.get, B + "/a", 1)
    t.fd("get trailing slash", s.get, B + "/a/")
    t.fd("get double slash", s.get, B + "//a")
    t.fd("get with ..", s.get, B + "/dir/../a")
    r = t.fd("rdonly fd", s.get, B + "/a", 8)
    t("rdonly update", s.update, r, K(0), K(0))
    t("rdonly lookup", s.lookup, r, K(0), 4)
    t("rdonly freeze", s.freeze, r)
    t("rdonly pin", s.pin, r, B + "/ro")
    w = t.fd("wronly fd", s.get, B + "/a", 16)
    t("wronly lookup", s.lookup, w, K(0), 4)
    t("wronly update", s.update, w, K(0), K(0))
    t("unlink b", s.unlink, B + "/b")
    t("unlink b again", s.unlink, B + "/b")
    t("unlink dir", s.unlink, B + "/dir")
    p = t.fd("prog", s.prog_load, 6, XDP_OK, "GPL", "xp")
    t("pin prog", s.pin, p, B + "/p")
    t.fd("get prog rdonly", s.get, B + "/p", 8)
    t.fd("get prog wronly", s.get, B + "/p", 16)
    mid = s.map_info(m)["id"]
    t.fd("map fd_by_id", s.fd_by_id, 14, mid)
    t.fd("map fd_by_id rdonly", s.fd_by_id, 14, mid, 8)
    t.fd("map fd_by_id rdonly|wronly", s.fd_by_id, 14, mid, 24)
    t.fd("map fd_by_id flags 1", s.fd_by_id, 14, mid, 1)
    t.fd("map fd_by_id 0", s.fd_by_id, 14, 0)
    t.fd("map fd_by_id huge", s.fd_by_id, 14, 2**31)
    t.fd("prog fd_by_id 0", s.fd_by_id, 13, 0)
    t.fd("prog fd_by_id flags", s.fd_by_id, 13, 1, 8)
    t.fd("btf fd_by_id 0", s.fd_by_id, 19, 0)
    t.fd("btf fd_by_id flags", s.fd_by_id, 19, 1, 8)
    t.fd("link fd_by_id 0", s.fd_by_id, 30, 0)
    t.fd("link fd_by_id missing", s.fd_by_id, 30, 2**31 - 2)
    t.fd("link fd_by_id flags", s.fd_by_id, 30, 2**31 - 2, 8)
    t("next map id of INT_MAX", s.next_id, 12, 2**31 - 1)
    t("next map id of INT_MAX-1", s.next_id, 12, 2**31 - 2)
    t("next map id after mine is > mine", lambda: s.next_id(12, mid - 1) >= mid)


def sc_prog_load(t: Trace) -> None:
    s = t.s
    L = s.prog_load
    for ty in (0, 99, 33, 20, 26, 28, 29, 27):
        t.fd(f"type {ty}", L, ty, XDP_OK)
    t.fd("netfilter eat 45", L, 32, RET1, expected_attach_type=45)
    t.fd("netfilter eat 0", L, 32, RET1)
    t.fd("insn_cnt 0", L, 6, b"")
    t.fd("license NULL", L, 6, XDP_OK, None)
    t.fd("license empty", L, 6, XDP_OK, "")
    t.fd("license MIT", L, 6, XDP_OK, "MIT")
    t.fd("name a-b", L, 6, XDP_OK, "GPL", "a-b")
    t.fd("name 16 chars", L, 6, XDP_OK, "GPL", "a" * 16)
    t.fd("bad name and bad type", L, 99, XDP_OK, "GPL", "a-b")
    t.fd("log_level 1 without buffer", L, 6, XDP_OK, "GPL", log_level=1)
    t.fd("log buffer without level", L, 6, XDP_OK, "GPL", log_level=0, log_size=256, log_buf=True)
    t.fd("log_level 16", L, 6, XDP_OK, "GPL", log_level=16, log_size=256, log_buf=True)
    t.fd("log size 1", L, 6, XDP_OK, "GPL", log_level=1, log_size=1, log_buf=True)
    t.fd("log size too big", L, 6, XDP_OK, "GPL", log_level=1, log_size=(1 << 30) + 1, log_buf=True)
    t.fd("log size without buffer", L, 6, XDP_OK, "GPL", log_level=0, log_size=64)
    t.fd("prog_flags 1<<20", L, 6, XDP_OK, "GPL", prog_flags=1 << 20)
    t.fd("prog_flags strict alignment", L, 6, XDP_OK, "GPL", prog_flags=1)
    t.fd("prog_flags xdp frags", L, 6, XDP_OK, "GPL", prog_flags=32)
    for eat in (0, 1, 2, 99):
        t.fd(f"cgroup_skb eat {eat}", L, 8, RET1, expected_attach_type=eat)
    for eat in (0, 1, 2, 12, 13, 34, 5):
        t.fd(f"cgroup_sock eat {eat}", L, 9, RET1, expected_attach_type=eat)
    t.fd("cgroup_sock_addr eat 0", L, 18, RET1, expected_attach_type=0)
    t.fd("cgroup_sock_addr eat 8", L, 18, RET1, expected_attach_type=8)
    t.fd("sk_lookup eat 0", L, 30, RET1, expected_attach_type=0)
    t.fd("sk_lookup eat 36", L, 30, RET1, expected_attach_type=36)
    t.fd("syscall eat 1", L, 31, RET1, expected_attach_type=1)
    t.fd("sk_reuseport eat 0", L, 21, RET1, expected_attach_type=0)
    t.fd("flow_dissector", L, 22, RET1)
    t.fd("xdp eat 99", L, 6, XDP_OK, expected_attach_type=99)
    t.fd("socket_filter", L, 1, XDP_OK)
    t.fd("kprobe", L, 2, XDP_OK)


def _ops(t: Trace, label: str, fd: int | None, ks: int, vs: int) -> None:
    s = t.s
    if fd is None:
        return
    key = bytes(ks) if ks else None
    t(f"{label} info", lambda: [s.map_info(fd)[x] for x in ("memlock", "max_entries", "map_flags")])
    t(f"{label} lookup", s.lookup, fd, key, max(vs, 8))
    t(f"{label} update", s.update, fd, key, bytes(max(vs, 8)))
    t(f"{label} delete", s.delete, fd, key)
    t(f"{label} next", s.next_key, fd, key, max(ks, 4))
    t(f"{label} next NULL", s.next_key, fd, None, max(ks, 4))
    t(f"{label} lookup_and_delete", s.lookup_and_delete, fd, key, max(vs, 8))
    t(f"{label} batch", lambda: s.batch(24, fd, None, 8, None, None, 2, max(ks, 1), max(vs, 8))[:2])
    t(f"{label} freeze", s.freeze, fd)


def _btf_int_struct() -> bytes:
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", (1 << 24) | 32)
    types += struct.pack("<III", 5, (4 << 24) | 2, 8) + struct.pack("<III", 7, 1, 0) + struct.pack("<III", 9, 1, 32)
    strs = b"\0int\0s\0a\0b\0"
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def sc_other_maps(t: Trace) -> None:
    s = t.s
    mc = s.map_create
    PAGE = 4096
    for args in [(7, 4, 8, 1), (7, 4, 8, 100), (7, 4, 16, 4), (7, 4, 1016, 4), (7, 4, 4064, 4, 0x20),
                 (8, 4, 4, 5), (15, 4, 4, 5), (15, 4, 8, 100), (18, 4, 4, 5), (18, 8, 8, 100), (18, 512, 4, 1),
                 (20, 4, 4, 5), (20, 4, 8, 100), (19, 8, 8, 0), (19, 16, 64, 0), (21, 8, 32768, 0),
                 (27, 0, 0, PAGE), (27, 0, 0, 16 * PAGE), (31, 0, 0, 2 * PAGE), (30, 0, 4, 100), (30, 0, 8, 1000)]:
        fd = t.fd(f"create {args}", mc, *args)
        _ops(t, f"{args}", fd, args[1], args[2])
        t.close_all()
    for args in [(7, 4, 12, 4), (7, 4, 4, 4), (7, 4, 1024, 4), (7, 8, 8, 4), (7, 4, 40, 4, 0x20), (7, 4, 8, 4, 1),
                 (7, 4, 8, 0), (7, 4, 8, 2**31 + 1), (8, 4, 8, 1), (15, 4, 12, 1), (15, 8, 4, 1), (15, 4, 4, 1, 1),
                 (18, 0, 4, 1), (18, 513, 4, 1), (20, 4, 12, 1), (20, 8, 4, 1), (20, 4, 4, 1, 0x400),
                 (19, 12, 8, 0), (19, 4, 8, 0), (19, 8, 8, 1), (19, 8, 8, 0, 1), (21, 8, 32769, 0),
                 (27, 0, 0, 1000), (27, 0, 0, 3 * PAGE), (27, 4, 0, PAGE), (27, 0, 4, PAGE), (27, 0, 0, PAGE, 8),
                 (27, 0, 0, 0), (30, 4, 4, 100), (30, 0, 0, 100), (30, 0, 4, 0), (30, 0, 4, 10, 1),
                 (26, 4, 8, 1), (33, 0, 0, 1, 0x400), (24, 4, 8, 0, 1)]:
        t.fd(f"create {args}", mc, *args)
    t.fd("bloom extra 16", mc, 30, 0, 4, 100, map_extra=16)
    b = t.fd("bloom extra 3 zero seed", mc, 30, 0, 8, 100, 0x40, map_extra=3)
    t("bloom info", lambda: [s.map_info(b)[x] for x in ("memlock", "map_flags")])
    for v in range(0, 40, 3):
        t(f"bloom push {v}", s.update, b, None, V8(v))
    t("bloom push flags 1", s.update, b, None, V8(1), 1)
    for v in range(0, 200):
        with contextlib.suppress(OSError):
            s.lookup(b, None, 8, value_in=V8(v))
            t(f"bloom has {v}", lambda: True)
    t("bloom lookup with key", s.lookup, b, K(0), 8)
    bf = t.fd("btf", s.btf_load, _btf_int_struct())
    for ty in (24, 28, 29, 32):
        fd = t.fd(f"local storage {ty}", mc, ty, 4, 8, 0, 1, btf_fd=bf, btf_key=1, btf_value=2)
        if fd is not None:
            t(f"{ty} info", lambda fd=fd: [s.map_info(fd)[x] for x in ("memlock", "map_flags")])
            t(f"{ty} lookup fd 999", s.lookup, fd, K(999), 8)
            t(f"{ty} lookup map fd", s.lookup, fd, K(fd), 8)
            t(f"{ty} next", s.next_key, fd, None, 4)
        t.fd(f"local storage {ty} no noprealloc", mc, ty, 4, 8, 0, 0, btf_fd=bf, btf_key=1, btf_value=2)
        t.fd(f"local storage {ty} me 1", mc, ty, 4, 8, 1, 1, btf_fd=bf, btf_key=1, btf_value=2)
        t.fd(f"local storage {ty} key 8", mc, ty, 8, 8, 0, 1, btf_fd=bf, btf_key=1, btf_value=2)
        t.fd(f"local storage {ty} no key id", mc, ty, 4, 8, 0, 1, btf_fd=bf, btf_key=0, btf_value=2)
    ino = t.fd("inode storage", mc, 28, 4, 8, 0, 1, btf_fd=bf, btf_key=1, btf_value=2)
    t("inode storage update on a map fd", s.update, ino, K(ino), V8(5))
    t("inode storage lookup", s.lookup, ino, K(ino), 8)
    t("inode storage noexist", s.update, ino, K(ino), V8(6), 1)
    t("inode storage delete", s.delete, ino, K(ino))
    t("inode storage delete again", s.delete, ino, K(ino))


SCENARIOS: dict[str, Callable[[Trace], None]] = {
    "map_create_errors": sc_map_create_errors, "array": sc_array, "hash": sc_hash,
    "hash_order": sc_hash_order, "perms_and_fds": sc_perms_and_fds, "lru": sc_lru, "lpm": sc_lpm,
    "queue_stack": sc_queue_stack, "prog_array": sc_prog_array, "map_in_map": sc_map_in_map,
    "dev_cpu_xsk_perf": sc_dev_cpu_xsk_perf, "batch": sc_batch, "pins_ids": sc_pins_ids,
    "prog_load": sc_prog_load, "other_maps": sc_other_maps,
}


@contextlib.contextmanager
def on_cpu0() -> Iterator[None]:
    """Run the real side on CPU 0, as the simulated syscalls are (per-CPU LRU lists)."""
    old = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {0})
        yield
    finally:
        os.sched_setaffinity(0, old)


def run_real(name: str) -> list[tuple[str, Any]]:
    cleanup_real_pins()
    t = Trace(RealSys())
    try:
        with on_cpu0():
            SCENARIOS[name](t)
    finally:
        t.close_all()
        cleanup_real_pins()
    return t.out


def run_sim(name: str, state_dir: str) -> list[tuple[str, Any]]:
    from pykernel import Process

    p = Process(state_dir)
    t = Trace(SimSys(p))
    try:
        SCENARIOS[name](t)
    finally:
        t.close_all()
        p.exit()
    return t.out


def _diff(a: list[tuple[str, Any]], b: list[tuple[str, Any]]) -> str:
    lines = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x != y:
            lines.append(f"  #{i}: expected {x!r}\n       got      {y!r}")
    return "\n".join(lines[:40])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_sim_matches_recorded(name: str, tmp_path: Any) -> None:
    from tests.test_kernel_diff_expected import EXPECTED

    if name not in EXPECTED:
        pytest.skip(f"no recorded trace for {name}")
    got = run_sim(name, str(tmp_path))
    want = [tuple(x) for x in EXPECTED[name]]
    assert got == want, f"{name} differs from the real kernel:\n{_diff(want, got)}"


@pytest.mark.realkernel
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_sim_matches_real(name: str, tmp_path: Any) -> None:
    need_real()
    real = run_real(name)
    sim = run_sim(name, str(tmp_path))
    assert sim == real, f"{name} differs from the real kernel:\n{_diff(real, sim)}"


def record(path: str) -> None:
    if not have_real():
        sys.exit("recording needs root and the real kernel's bpf()")
    data = {name: run_real(name) for name in sorted(SCENARIOS)}
    with open(path, "w") as f:
        f.write('"""Traces of tests/test_kernel_diff.py scenarios recorded on the real 6.18 kernel.\n\n'
                "Generated by ``python -m tests.test_kernel_diff --record``; do not edit.\n\"\"\"\n\n")
        f.write("EXPECTED = " + pprint.pformat(data, width=110, sort_dicts=True) + "\n")


if __name__ == "__main__":
    if "--record" in sys.argv:
        record(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_kernel_diff_expected.py"))
