"""Turning any exception that escapes a command into one ``Error:`` line.

Command modules report the errors bpftool reports, with bpftool's words; this is the
last line of defence for what they did not foresee (a corrupted state, a bug): the
user gets a one-line message and exit status 255, never a Python traceback.
"""

from __future__ import annotations

import os


def describe(exc: BaseException) -> str:
    """A one-line, user-facing description of ``exc``."""
    if type(exc).__name__ == "StateError":  # the kernel's state database is unusable
        return str(exc)
    errno = getattr(exc, "errno", None)
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    if isinstance(errno, int) and errno > 0 and isinstance(exc, OSError):
        text = exc.strerror or os.strerror(errno)
        name = getattr(exc, "filename", None)
        return f"{name}: {text}" if name else text
    text = str(exc).strip().splitlines()
    detail = text[0] if text else type(exc).__name__
    return f"internal error ({type(exc).__name__}): {detail}"
