"""The verifier log buffer with Linux 6.x semantics.

Text is produced as a stream; ``reset(pos)`` truncates it (the kernel drops the trace of a
finished path at log_level 1). The user's buffer is filled at the end (``finalize``):
rotating mode (the default) keeps the *tail* of the log, ``BPF_LOG_FIXED`` keeps the head;
either way the string is NUL-terminated, ``log_true_size`` is the largest size the log ever
needed (terminating NUL included) and a log that did not fit gives ENOSPC.
"""

from __future__ import annotations

from ..uapi.consts import EINVAL, ENOSPC
from ..uapi.errors import SyscallError

LOG_LEVEL1 = 1
LOG_LEVEL2 = 2
LOG_STATS = 4
LOG_FIXED = 8
LOG_MASK = LOG_LEVEL1 | LOG_LEVEL2 | LOG_STATS | LOG_FIXED
UINT_MAX = 0xFFFFFFFF


class VerifierLog:
    __slots__ = ("level", "buf", "len_total", "parts", "end_pos", "start_pos", "len_max")

    def __init__(self, level: int = 0, buf: bytearray | None = None, size: int = 0) -> None:
        self.level = level
        self.buf = buf
        self.len_total = size
        self.parts: list[str] = []  # the logical text is "".join(parts)[:end_pos]
        self.end_pos = 0
        self.start_pos = 0
        self.len_max = 0

    @classmethod
    def from_attr(cls, level: int, buf: bytearray | None, size: int) -> VerifierLog:
        if (buf is not None and len(buf) > 0) != (size > 0) and not (buf is None and size == 0):
            raise SyscallError(EINVAL, "log_buf and log_size must come together")
        if buf is not None and size and level == 0:
            raise SyscallError(EINVAL, "log buffer without log_level")
        if level & ~LOG_MASK:
            raise SyscallError(EINVAL, "bad log_level")
        if size > UINT_MAX >> 2:
            raise SyscallError(EINVAL, "log_size too big")
        if buf is None or size == 0:
            return cls(level, None, 0)
        return cls(level, buf, min(size, len(buf)) if len(buf) else size)

    @property
    def enabled(self) -> bool:
        return bool(self.level)

    def write(self, s: str) -> None:
        if not self.level or not s:
            return
        n = len(s.encode()) if not s.isascii() else len(s)
        if n + 1 + self.end_pos > self.len_max:
            self.len_max = min(self.end_pos + n + 1, UINT_MAX)
        self.parts.append(s)
        new_end = self.end_pos + n
        if not self.level & LOG_FIXED and self.len_total:
            if new_end + 1 - self.start_pos >= self.len_total:
                self.start_pos = new_end + 1 - self.len_total
        self.end_pos = new_end

    def text(self) -> str:
        t = "".join(self.parts)  # write() and reset() keep it exactly end_pos bytes long
        self.parts = [t]
        return t

    def reset(self, new_pos: int) -> None:
        if not self.level or new_pos > self.end_pos:
            return
        # drop the tail only: a walk resets near the end millions of times, and joining
        # the whole text each time made a long log quadratic
        cut = self.end_pos - new_pos
        parts = self.parts
        while cut > 0 and parts:
            last = parts[-1]
            ascii_ = last.isascii()
            n = len(last) if ascii_ else len(last.encode())
            if n <= cut:
                parts.pop()
                cut -= n
            else:
                parts[-1] = last[: n - cut] if ascii_ else last.encode()[: n - cut].decode(errors="ignore")
                cut = 0
        self.end_pos = new_pos
        if self.end_pos < self.start_pos:
            self.start_pos = self.end_pos

    def finalize(self) -> tuple[int, int]:
        """Copy the log out; return (log_true_size, errno): ENOSPC if it was truncated."""
        if not self.level:
            return 0, 0
        if self.buf is not None and self.len_total:
            data = self.text().encode()
            if self.level & LOG_FIXED:
                out = data[: self.len_total - 1]
            else:
                out = data[self.start_pos: self.end_pos]
                out = out[-(self.len_total - 1):] if self.len_total > 1 else b""
            self.buf[: len(out)] = out
            if len(out) < len(self.buf):
                self.buf[len(out)] = 0
        if self.buf is not None and self.len_max > self.len_total:
            return self.len_max, ENOSPC
        return self.len_max, 0
