"""The trace buffer ``bpf_trace_printk`` writes to, persisted in the state.

Linux keeps these lines in the ftrace ring buffer and ``bpftool prog tracelog`` reads
them from ``trace_pipe``: reading consumes them, and the buffer keeps only the newest
lines when it is full. Here they live in the state's meta table (``trace_pipe``, a JSON
list), so separate commands share one buffer. ``kernel`` is the syscall's
``pykernel.objects.Kernel`` (only ``kernel.tx.meta_get/meta_set`` are used).
"""

from __future__ import annotations

import json
from typing import Any

KEY = "trace_pipe"
#: lines kept (the oldest are dropped first, as the ring buffer overwrites them)
CAPACITY = 65536


def _load(kernel: Any) -> list[str]:
    raw = kernel.tx.meta_get(KEY)
    if not raw:
        return []
    try:
        lines = json.loads(raw)
    except (TypeError, ValueError):
        return []
    return [str(x) for x in lines] if isinstance(lines, list) else []


def append(kernel: Any, lines: list[str]) -> None:
    """Add lines (a program run's ``env.trace``)."""
    if not lines or kernel is None or getattr(kernel, "tx", None) is None:
        return
    buf = _load(kernel) + list(lines)
    kernel.tx.meta_set(KEY, json.dumps(buf[-CAPACITY:]))


def read(kernel: Any, *, consume: bool = True) -> list[str]:
    """The buffered lines, oldest first; ``consume`` empties the buffer (trace_pipe)."""
    lines = _load(kernel)
    if consume and lines:
        kernel.tx.meta_set(KEY, json.dumps([]))
    return lines
