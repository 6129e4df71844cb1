"""The error a syscall returns: an errno, plus what the kernel said alongside it.

Kernel code raises ``SyscallError``; it crosses the syscall boundary unchanged, as a
negative return value plus errno would. ``extack`` is the netlink extended-ack message
(ip/tc print it as ``Error: <msg>.``); the verifier's log travels in the caller's
``log_buf``, never in the exception. Only the command-line layer prints.
"""

from __future__ import annotations

import os

from .consts import ENOTSUPP


class SyscallError(OSError):
    def __init__(self, err: int, reason: str = "", *, extack: str | None = None) -> None:
        super().__init__(err, strerror(err))
        self.reason = reason  # developer-facing detail; never printed by the tools
        self.extack = extack

    def __repr__(self) -> str:
        extra = f", extack={self.extack!r}" if self.extack else ""
        return f"SyscallError({self.errno}, {self.reason!r}{extra})"


def strerror(err: int) -> str:
    """strerror() as glibc spells it."""
    if err == ENOTSUPP:
        return "Unknown error 524"
    return os.strerror(err)
