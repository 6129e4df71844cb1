"""Stand-in map objects for feeding recorded cases to the verifier without the kernel core."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeMap:
    id: int
    map_type: int
    key_size: int
    value_size: int
    max_entries: int
    map_flags: int = 0
    name: str = ""
    frozen: bool = False
    values: bytearray = field(default_factory=bytearray)
