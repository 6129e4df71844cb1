"""Helper implementations, registered against THE helper table (``pykernel.uapi.helpers``).

Importing this package registers every implementation (see :mod:`.registry` for the
decorators and the call tables the executor uses):

* :mod:`.maps` - map helpers and the map-op functions the verifier calls directly,
  tail calls, ``for_each_map_elem``, ``loop``;
* :mod:`.misc` - clocks, prandom, CPU/NUMA ids, current task;
* :mod:`.packet` - skb and XDP packet helpers, checksums, redirects, perf output;
* :mod:`.trace` - ``bpf_trace_printk``.
"""

from . import maps, misc, packet, trace  # noqa: F401 - registration side effects
from .registry import helper, helper_ids, kernel_calls, kernel_func, registered

__all__ = ["helper", "kernel_func", "kernel_calls", "helper_ids", "registered"]
