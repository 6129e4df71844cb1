"""Faults that stop a program run. All derive from :class:`ExecFault`.

They never escape the kernel model as Python errors: ``pykernel.test_run`` turns them into
a ``SyscallError`` (see its docstring for the errno), and the conformance runner reports
them as a failed run.
"""

from __future__ import annotations

M64 = 0xFFFFFFFFFFFFFFFF


class ExecFault(Exception):
    """A program stopped abnormally. ``pc`` is the instruction slot when known (else -1)."""

    def __init__(self, msg: str, pc: int = -1) -> None:
        self.pc = pc
        super().__init__(msg)


class MemFault(ExecFault):
    """An access outside every valid window, or a store to a read-only region."""

    def __init__(self, addr: int, size: int, access: str, pc: int = -1, why: str = "") -> None:
        self.addr, self.size, self.access, self.why = addr, size, access, why
        where = f" at pc {pc}" if pc >= 0 else ""
        super().__init__(f"invalid {access} of {size} byte(s) at 0x{addr & M64:x}{where}"
                         + (f": {why}" if why else ""), pc)


class BudgetExceeded(ExecFault):
    """The run executed more instructions than its budget allows."""


class CallDepthExceeded(ExecFault):
    """bpf-to-bpf calls nested deeper than the run allows (MAX_CALL_FRAMES)."""


class BadCall(ExecFault):
    """A call the run cannot perform (unknown helper, kfunc, callx to nothing)."""


class HelperFault(ExecFault):
    """A helper implementation hit something it cannot simulate."""
