"""What a ``call`` instruction reaches: helper implementations and the tables of them.

The executor does not know any helper. A :class:`CallTable` maps the ``imm`` of a helper
call (``src_reg == 0``; in the kernel's xlated code, whatever the verifier's fixup put
there) to a :class:`HelperImpl`. The translator asks the table once per call site, so the
generated code calls the implementation directly.

``HelperImpl.fn(run, r1, r2, r3, r4, r5) -> int`` gets the :class:`~pykernel.interp.vm.Run`
(memory, maps, clock, ...) and the five argument registers as unsigned 64-bit ints and
returns the new r0 (any int; it is reduced to 64 bits). ``kind`` selects code the
translator emits around the call:

* ``"plain"``  - ``r0 = fn(...)``;
* ``"tail_call"`` - ``fn`` returns the entry function of the target program (bound to the
  run) or ``None``; on success the current frame is replaced by the target;
* ``"unwind"`` - uBPF's unwind extension: when ``fn`` returns 0 the whole program stops
  with r0 = 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

HelperFn = Callable[..., int]

KINDS = ("plain", "tail_call", "unwind")


@dataclass(frozen=True)
class HelperImpl:
    name: str
    fn: HelperFn
    kind: str = "plain"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown helper kind {self.kind!r}")


class CallTable:
    """A fixed mapping from call ``imm`` to implementations.

    ``key`` names the table in the translation cache: two tables with the same key must
    resolve every imm identically.
    """

    def __init__(self, key: str, impls: Mapping[int, HelperImpl]) -> None:
        self.key = key
        self._impls = dict(impls)

    def resolve(self, imm: int) -> HelperImpl | None:
        return self._impls.get(imm)

    def __contains__(self, imm: int) -> bool:
        return imm in self._impls

    def ids(self) -> list[int]:
        return sorted(self._impls)


EMPTY = CallTable("empty", {})
