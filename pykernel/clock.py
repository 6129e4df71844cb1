"""Time and randomness as programs see them: a virtual clock and a seeded PRNG, persisted.

Everything a *program* observes must be deterministic, so ``bpf_ktime_get_ns`` and test-run
durations come from :class:`Clock`, never from the host: the clock only moves when the
interpreter advances it (``advance(ns)``, e.g. per executed instruction), and its value is
stored in the state so separate commands continue the same timeline. ``prandom_u32`` is a
Tausworthe LFSR113 generator (the kind the kernel's ``prandom_u32_state`` uses) whose four
words are persisted too, so ``bpf_get_prandom_u32`` sequences are reproducible per state.

Wall-clock time appears only where Linux shows wall-clock time to user space: a program's
``load_time`` is ``CLOCK_BOOTTIME`` at load, i.e. host wall time minus the simulated boot
time recorded when the state was created (see :func:`boottime_ns`).

Usage (inside a syscall, ``kctx`` being the syscall's kernel context)::

    clk = kctx.clock            # loaded lazily, written back when the syscall commits
    t0 = clk.ktime_ns()
    clk.advance(35)
    r = clk.prandom_u32()
"""

from __future__ import annotations

import time
from collections.abc import Callable

M32 = 0xFFFFFFFF
DEFAULT_SEED = 0x5EED_B9F0
#: where the virtual clock starts in a fresh state (ns); like a machine up for one second
CLOCK_START_NS = 1_000_000_000


def _seed_words(seed: int) -> list[int]:
    """Four LFSR113 words from one seed; each respects the generator's minimum."""
    words = []
    x = seed & M32 or 1
    for minimum in (2, 8, 16, 128):
        x = (x * 69069 + 1) & M32  # the classic LCG spreads one seed over four words
        words.append(x if x >= minimum else x + minimum)
    return words


def _step(s: list[int]) -> int:
    s1, s2, s3, s4 = s
    s1 = (((s1 & 0xFFFFFFFE) << 18) & M32) ^ ((((s1 << 6) & M32) ^ s1) >> 13)
    s2 = (((s2 & 0xFFFFFFF8) << 2) & M32) ^ ((((s2 << 2) & M32) ^ s2) >> 27)
    s3 = (((s3 & 0xFFFFFFF0) << 7) & M32) ^ ((((s3 << 13) & M32) ^ s3) >> 21)
    s4 = (((s4 & 0xFFFFFF80) << 13) & M32) ^ ((((s4 << 3) & M32) ^ s4) >> 12)
    s[:] = [s1, s2, s3, s4]
    return s1 ^ s2 ^ s3 ^ s4


def prandom_state(seed: int) -> list[int]:
    s = _seed_words(seed)
    for _ in range(10):  # warm up, as the kernel does after seeding
        _step(s)
    return s


class Clock:
    """The virtual clock and PRNG of one state, loaded from and saved to its meta table."""

    def __init__(self, get: Callable[[str], object], put: Callable[[str, object], None]) -> None:
        self._put = put
        now = get("vclock_ns")
        self._ns = int(now) if now is not None else CLOCK_START_NS
        raw = get("prandom")
        self._rnd = [int(x) for x in str(raw).split(",")] if raw else prandom_state(DEFAULT_SEED)
        self.dirty = False

    def ktime_ns(self) -> int:
        return self._ns

    def advance(self, ns: int) -> None:
        if ns < 0:
            raise ValueError("the clock never goes back")
        if ns:
            self._ns += ns
            self.dirty = True

    def prandom_u32(self) -> int:
        self.dirty = True
        return _step(self._rnd)

    def seed(self, seed: int) -> None:
        self._rnd = prandom_state(seed)
        self.dirty = True

    def flush(self) -> None:
        if self.dirty:
            self._put("vclock_ns", self._ns)
            self._put("prandom", ",".join(str(x) for x in self._rnd))
            self.dirty = False


def boottime_ns(boot_wall_ns: int) -> int:
    """CLOCK_BOOTTIME of the simulated machine: host wall clock minus its boot time."""
    return max(0, time.time_ns() - boot_wall_ns)
