"""The simulated Linux kernel behind pybpf: ``Process().bpf(cmd, attr)`` and friends.

See DESIGN.md for the contracts; ``pykernel.uapi`` is what user space may import.
"""

from .process import Process
from .store import StateError
from .uapi.errors import SyscallError

__all__ = ["Process", "StateError", "SyscallError"]
