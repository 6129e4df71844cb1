"""GNU ``getopt_long`` as bpftool calls it: permutation, clusters, long-option prefixes.

bpftool parses its global options with glibc's getopt_long (``opterr = 0``), so options
may appear anywhere on the command line (``bpftool prog show -j``), short options cluster
(``-jp``), long options are accepted by unambiguous prefix (``--pre``), ``--`` ends the
options, and a failure reports ``argv[optind - 1]`` — which, because of how glibc
advances ``optind`` inside a cluster, is sometimes not the offending word at all
(``bpftool -xj`` complains about ``'bpftool'``). This module reproduces that state
machine, argument permutation included, so every message matches.
"""

from __future__ import annotations

NO_ARGUMENT = 0
REQUIRED_ARGUMENT = 1


class LongOpt:
    __slots__ = ("name", "has_arg", "val")

    def __init__(self, name: str, has_arg: int, val: str) -> None:
        self.name = name
        self.has_arg = has_arg
        self.val = val


class GetoptError(Exception):
    """An unknown/ambiguous option or a missing argument: ``word`` is argv[optind - 1]."""

    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def _nonoption(arg: str) -> bool:
    return not arg.startswith("-") or arg == "-"


class Getopt:
    """One getopt_long scan over ``argv`` (argv[0] is the program name).

    Iterate to get ``(opt, optarg)`` pairs; an error raises :class:`GetoptError` at the
    point where glibc would return '?'. Afterwards ``argv[optind:]`` are the operands in
    their original order, as after glibc's permutation.
    """

    def __init__(self, argv: list[str], shortopts: str, longopts: list[LongOpt]) -> None:
        self.argv = list(argv)
        self.shortopts = shortopts
        self.longopts = longopts
        self.optind = 1
        self._first_nonopt = 1
        self._last_nonopt = 1
        self._nextchar = ""  # rest of the current short-option cluster

    def _exchange(self) -> None:
        a, b, c = self._first_nonopt, self._last_nonopt, self.optind
        self.argv[a:c] = self.argv[b:c] + self.argv[a:b]
        self._first_nonopt += c - b
        self._last_nonopt = c

    def __iter__(self) -> Getopt:
        return self

    def __next__(self) -> tuple[str, str | None]:
        argv, argc = self.argv, len(self.argv)
        if not self._nextchar:
            self._last_nonopt = min(self._last_nonopt, self.optind)
            self._first_nonopt = min(self._first_nonopt, self.optind)
            if self._first_nonopt != self._last_nonopt and self._last_nonopt != self.optind:
                self._exchange()
            elif self._last_nonopt != self.optind:
                self._first_nonopt = self.optind
            while self.optind < argc and _nonoption(argv[self.optind]):
                self.optind += 1
            self._last_nonopt = self.optind

            if self.optind != argc and argv[self.optind] == "--":
                self.optind += 1
                if self._first_nonopt != self._last_nonopt and self._last_nonopt != self.optind:
                    self._exchange()
                elif self._first_nonopt == self._last_nonopt:
                    self._first_nonopt = self.optind
                self._last_nonopt = argc
                self.optind = argc

            if self.optind == argc:
                if self._first_nonopt != self._last_nonopt:
                    self.optind = self._first_nonopt
                raise StopIteration

            word = argv[self.optind]
            if word.startswith("--"):
                return self._long(word[2:])
            self._nextchar = word[1:]

        c, self._nextchar = self._nextchar[0], self._nextchar[1:]
        if not self._nextchar:
            self.optind += 1
        pos = self.shortopts.find(c)
        if pos < 0 or c == ":":
            raise GetoptError(argv[self.optind - 1])
        if self.shortopts[pos + 1:pos + 2] == ":":
            if self._nextchar:
                optarg = self._nextchar
                self.optind += 1
            elif self.optind == argc:
                raise GetoptError(argv[self.optind - 1])
            else:
                optarg = argv[self.optind]
                self.optind += 1
            self._nextchar = ""
            return c, optarg
        return c, None

    def _long(self, body: str) -> tuple[str, str | None]:
        argv, argc = self.argv, len(self.argv)
        name, eq, value = body.partition("=")
        found = next((o for o in self.longopts if o.name == name), None)
        if found is None:
            matches = [o for o in self.longopts if o.name.startswith(name)]
            if matches:
                first = matches[0]
                if any(o.has_arg != first.has_arg or o.val != first.val for o in matches[1:]):
                    self.optind += 1
                    raise GetoptError(argv[self.optind - 1])
                found = first
        self.optind += 1
        if found is None:
            raise GetoptError(argv[self.optind - 1])
        if eq:
            if found.has_arg == NO_ARGUMENT:
                raise GetoptError(argv[self.optind - 1])
            return found.val, value
        if found.has_arg == REQUIRED_ARGUMENT:
            if self.optind < argc:
                self.optind += 1
                return found.val, argv[self.optind - 1]
            raise GetoptError(argv[self.optind - 1])
        return found.val, None
