"""The global options the object modules read (ip's show_details, show_stats, force ...),
kept apart so that parsing them imports nothing heavy."""

from __future__ import annotations


class Options:
    """ip's global flags, as the ``link`` commands read them."""

    __slots__ = ("force", "details", "stats", "brief", "oneline", "numeric")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.force = False
        self.details = 0
        self.stats = 0
        self.brief = False
        self.oneline = False
        self.numeric = False


opts = Options()
