"""Internet checksum arithmetic as the x86-64 kernel does it (byte for byte).

Values are the raw memory words the helpers see: a ``__sum16`` read as a little-endian u16,
``__wsum``/``__be32`` arguments as u32 (the program passes network-order values loaded from
the packet). ``csum_partial`` is x86-64's: a 64-bit end-around-carry sum of little-endian
quadwords (the tail zero-padded), folded to 32 bits with ``(s + ror64(s, 32)) >> 32``.
"""

from __future__ import annotations

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


def csum_add(a: int, b: int) -> int:
    r = (a & M32) + (b & M32)
    return (r & M32) + (r >> 32)


def csum_sub(a: int, b: int) -> int:
    return csum_add(a, ~b & M32)


def csum_fold(s: int) -> int:
    """32-bit partial sum -> 16-bit checksum (complemented)."""
    s &= M32
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def csum_from32to16(s: int) -> int:
    """Fold a 32-bit partial sum to 16 bits with the end-around carry (not complemented)."""
    s &= M32
    s = (s + (((s >> 16) | (s << 16)) & M32)) & M32
    return s >> 16


def csum16_add(c: int, addend: int) -> int:
    res = ((c & 0xFFFF) + (addend & 0xFFFF))
    return (res + (res >> 16)) & 0xFFFF


def csum16_sub(c: int, addend: int) -> int:
    return csum16_add(c, ~addend & 0xFFFF)


def csum_partial(data: bytes, seed: int = 0) -> int:
    n = len(data)
    total = seed & M32
    full = n - n % 8
    for i in range(0, full, 8):
        total += int.from_bytes(data[i:i + 8], "little")
    if n % 8:
        total += int.from_bytes(data[full:], "little")
    while total >> 64:  # end-around carries of the adc chain
        total = (total & M64) + (total >> 64)
    return ((total + (((total >> 32) | (total << 32)) & M64)) & M64) >> 32


def csum_replace4(sum16: int, old: int, new: int) -> int:
    tmp = csum_sub(~(sum16 & 0xFFFF) & M32, old)
    return csum_fold(csum_add(tmp, new))


def csum_replace2(sum16: int, old: int, new: int) -> int:
    return ~csum16_add(csum16_sub(~sum16 & 0xFFFF, old), new) & 0xFFFF


def csum_replace_by_diff(sum16: int, diff: int) -> int:
    return csum_fold(csum_add(diff, ~(sum16 & 0xFFFF) & M32))
