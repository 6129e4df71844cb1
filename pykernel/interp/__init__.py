"""The eBPF interpreter: simulated memory, the translating executor, helper implementations.

* :mod:`.memory` - the flat 64-bit address space of bounds-checked regions;
* :mod:`.translate` - eBPF -> Python source, compiled once per program and cached;
* :mod:`.vm` - :class:`Run`, one program run (memory, frames, counters, helpers);
* :mod:`.calls` - :class:`CallTable` / :class:`HelperImpl`, what ``call`` reaches;
* :mod:`.errors` - the faults that stop a run;
* :mod:`.env` / :mod:`.ctx` - the kernel as a running program sees it (maps in memory,
  per-CPU data, xdp_buff / sk_buff models); :mod:`.helpers` - helper implementations;
* :mod:`.progrun` - running a loaded program on one frame for the hooks;
  ``pykernel.test_run`` - BPF_PROG_TEST_RUN; :mod:`.tracebuf` - the trace_pipe buffer.
"""

from .calls import EMPTY, CallTable, HelperImpl
from .errors import BadCall, BudgetExceeded, CallDepthExceeded, ExecFault, HelperFault, MemFault
from .memory import Memory, Region, map_address, stack_top
from .translate import Translated, TranslateError, translate
from .vm import DEFAULT_BUDGET, Run

__all__ = [
    "EMPTY", "CallTable", "HelperImpl", "BadCall", "BudgetExceeded", "CallDepthExceeded",
    "ExecFault", "HelperFault", "MemFault", "Memory", "Region", "map_address", "stack_top",
    "TranslateError", "Translated", "translate", "DEFAULT_BUDGET", "Run",
]
