"""Perf event ring buffers behind BPF_MAP_TYPE_PERF_EVENT_ARRAY slots, as ``bpftool map
event_pipe`` uses them.

Linux: a reader opens one ``PERF_COUNT_SW_BPF_OUTPUT`` perf event per CPU, stores its fd
in the perf event array (slot = CPU, or the slot it was asked for), mmaps its ring and
polls; ``bpf_perf_event_output`` from a program on CPU *c* writes a ``PERF_RECORD_SAMPLE``
into the ring of the slot it names (``BPF_F_CURRENT_CPU``: slot *c*), or fails with
ENOENT when the slot is empty; a full ring counts the sample as lost.

Simulated: commands are short-lived processes, so a reader's rings outlive the command
that opened them (as if ``bpftool map event_pipe`` kept running in the background): the
first ``Process.perf_buffer_read`` on a map installs the listeners, every read drains what
programs wrote since. State lives in the meta table (``perf_rings``, JSON), like the trace
buffer. The program side calls :func:`listener` (is there a ring in this slot?) and
:func:`append` (write a sample) - see ``pykernel.interp.helpers.packet._event_output``.
"""

from __future__ import annotations

import json
from typing import Any

KEY = "perf_rings"
#: samples a ring keeps; further ones are counted as lost (PERF_RECORD_LOST)
RING_CAPACITY = 4096
PERF_RECORD_LOST = 2
PERF_RECORD_SAMPLE = 9


class PerfEvent:
    """One record read from a ring: ``type`` (PERF_RECORD_SAMPLE or _LOST), ``cpu``, the
    slot ``index``, ``time`` (ns, virtual clock), ``data`` (sample bytes), ``id`` and
    ``lost`` (for a lost record)."""

    __slots__ = ("type", "cpu", "index", "time", "data", "id", "lost")

    def __init__(self, type: int, cpu: int, index: int, time: int = 0, data: bytes = b"",
                 id: int = 0, lost: int = 0) -> None:
        self.type, self.cpu, self.index, self.time = type, cpu, index, time
        self.data, self.id, self.lost = data, id, lost

    def __repr__(self) -> str:
        return (f"PerfEvent(type={self.type}, cpu={self.cpu}, index={self.index}, time={self.time}, "
                f"data={self.data!r}, lost={self.lost})")


def _load(kernel: Any) -> dict:
    raw = kernel.tx.meta_get(KEY)
    try:
        data = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {}


def _save(kernel: Any, data: dict) -> None:
    kernel.tx.meta_set(KEY, json.dumps(data, sort_keys=True))


def open_rings(kernel: Any, map_id: int, max_entries: int, nr_cpus: int,
               cpu_index: tuple[int, int] | None) -> None:
    """Install readers: one ring per CPU in slot = CPU (``cpu_index`` None), or one ring
    for ``cpu`` in slot ``index``. Rings already there stay (a second reader shares them)."""
    data = _load(kernel)
    rings = data.setdefault(str(map_id), {})
    wanted = [(c, c) for c in range(min(nr_cpus, max_entries))] if cpu_index is None else [cpu_index]
    changed = False
    for cpu, index in wanted:
        if str(index) not in rings:
            rings[str(index)] = {"cpu": cpu, "samples": [], "lost": 0}
            changed = True
    if changed:
        _save(kernel, data)


def listener(kernel: Any, map_id: int, index: int) -> int | None:
    """The CPU of the ring in slot ``index`` of perf event array ``map_id``, or None when
    the slot holds no perf event (bpf_perf_event_output then fails with ENOENT)."""
    ring = _load(kernel).get(str(map_id), {}).get(str(index))
    return None if ring is None else int(ring["cpu"])


def append(kernel: Any, map_id: int, index: int, cpu: int, time_ns: int, sample: bytes) -> bool:
    """Write a sample into slot ``index``'s ring: False when the slot has no ring."""
    data = _load(kernel)
    ring = data.get(str(map_id), {}).get(str(index))
    if ring is None:
        return False
    if len(ring["samples"]) >= RING_CAPACITY:
        ring["lost"] += 1
    else:
        ring["samples"].append([cpu, time_ns, sample.hex()])
    _save(kernel, data)
    return True


def read(kernel: Any, map_id: int, cpu_index: tuple[int, int] | None) -> list[PerfEvent]:
    """Drain the rings of a map (all, or the one in slot ``index``): samples in the order
    they were written, a lost record first where samples were dropped."""
    data = _load(kernel)
    rings = data.get(str(map_id), {})
    out: list[PerfEvent] = []
    changed = False
    for key in sorted(rings, key=int):
        index = int(key)
        if cpu_index is not None and index != cpu_index[1]:
            continue
        ring = rings[key]
        if ring["lost"]:
            out.append(PerfEvent(PERF_RECORD_LOST, ring["cpu"], index, id=0, lost=ring["lost"]))
        for cpu, time_ns, hexdata in ring["samples"]:
            out.append(PerfEvent(PERF_RECORD_SAMPLE, cpu, index, time_ns, bytes.fromhex(hexdata)))
        if ring["lost"] or ring["samples"]:
            ring["lost"], ring["samples"] = 0, []
            changed = True
    if changed:
        _save(kernel, data)
    return out
