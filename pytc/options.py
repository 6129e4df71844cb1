"""tc's global flags (show_stats, show_details, show_raw, numeric), kept apart so that
parsing them imports nothing heavy."""

from __future__ import annotations


class Options:
    __slots__ = ("stats", "details", "raw", "numeric")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.stats = 0
        self.details = 0
        self.raw = False
        self.numeric = False


opts = Options()
