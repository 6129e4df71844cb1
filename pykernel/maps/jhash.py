"""Bob Jenkins' lookup3 hash, in the two forms the kernel's hash maps use.

``jhash2`` hashes whole 32-bit words (keys whose size is a multiple of 4), ``jhash`` hashes
bytes (any other key size); both start from ``0xdeadbeef + length + initval``. With the
map's ``hashrnd`` as ``initval`` these give the bucket of a key, so with
``BPF_F_ZERO_SEED`` (hashrnd 0) a simulated hash map iterates in exactly the real
kernel's order.
"""

from __future__ import annotations

import struct

M32 = 0xFFFFFFFF
JHASH_INITVAL = 0xDEADBEEF


def _rol(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & M32


# (x, y, z, r): x -= z; x ^= rol(z, r); z += y  - the six steps of __jhash_mix on (a, b, c)
_MIX = ((0, 1, 2, 4), (1, 2, 0, 6), (2, 0, 1, 8), (0, 1, 2, 16), (1, 2, 0, 19), (2, 0, 1, 4))
# (x, y, r): x ^= y; x -= rol(y, r)  - the seven steps of __jhash_final
_FINAL = ((2, 1, 14), (0, 2, 11), (1, 0, 25), (2, 1, 16), (0, 2, 4), (1, 0, 14), (2, 1, 24))


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    v = [a, b, c]
    for x, y, z, r in _MIX:
        v[x] = ((v[x] - v[z]) & M32) ^ _rol(v[z], r)
        v[z] = (v[z] + v[y]) & M32
    return v[0], v[1], v[2]


def _final(a: int, b: int, c: int) -> int:
    v = [a, b, c]
    for x, y, r in _FINAL:
        v[x] = ((v[x] ^ v[y]) - _rol(v[y], r)) & M32
    return v[2]


def jhash2(words: list[int] | tuple[int, ...], initval: int) -> int:
    n = len(words)
    a = b = c = (JHASH_INITVAL + (n << 2) + initval) & M32
    i = 0
    while n > 3:
        a = (a + words[i]) & M32
        b = (b + words[i + 1]) & M32
        c = (c + words[i + 2]) & M32
        a, b, c = _mix(a, b, c)
        i += 3
        n -= 3
    if n == 0:
        return c
    if n >= 3:
        c = (c + words[i + 2]) & M32
    if n >= 2:
        b = (b + words[i + 1]) & M32
    a = (a + words[i]) & M32
    return _final(a, b, c)


def jhash(key: bytes, initval: int) -> int:
    n = len(key)
    a = b = c = (JHASH_INITVAL + n + initval) & M32
    i = 0
    while n > 12:
        w0, w1, w2 = struct.unpack_from("<III", key, i)
        a = (a + w0) & M32
        b = (b + w1) & M32
        c = (c + w2) & M32
        a, b, c = _mix(a, b, c)
        i += 12
        n -= 12
    if n == 0:
        return c
    tail = key[i:] + b"\0" * (12 - n)
    w0, w1, w2 = struct.unpack("<III", tail)
    a = (a + w0) & M32
    b = (b + w1) & M32
    c = (c + w2) & M32
    return _final(a, b, c)


def htab_hash(key: bytes, initval: int) -> int:
    """The hash map's key hash: word-wise when the key is a multiple of 4 bytes."""
    if len(key) % 4 == 0:
        return jhash2(struct.unpack(f"<{len(key) // 4}I", key), initval)
    return jhash(key, initval)
