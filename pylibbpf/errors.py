"""libbpf's error model: a negative errno, or one of libbpf's own codes (4000+).

Every failure of ``pylibbpf`` raises :class:`LibbpfError`. ``err.errno`` is positive (the
value libbpf would return negated), ``str(err)`` is the message libbpf printed for it.
"""

from __future__ import annotations

import errno as _errno
import os

LIBBPF_ERRNO__START = 4000
LIBBPF_ERRNO__LIBELF = 4000  # Something wrong in libelf
LIBBPF_ERRNO__FORMAT = 4001  # BPF object format invalid
LIBBPF_ERRNO__KVERSION = 4002  # Incorrect or no 'version' section
LIBBPF_ERRNO__ENDIAN = 4003  # Endian mismatch
LIBBPF_ERRNO__INTERNAL = 4004  # Internal error in libbpf
LIBBPF_ERRNO__RELOC = 4005  # Relocation failed
LIBBPF_ERRNO__LOAD = 4006  # Load program failure for unknown reason
LIBBPF_ERRNO__VERIFY = 4007  # Kernel verifier blocks program loading
LIBBPF_ERRNO__PROG2BIG = 4008  # Program too big
LIBBPF_ERRNO__KVER = 4009  # Incorrect kernel version
LIBBPF_ERRNO__PROGTYPE = 4010  # Kernel doesn't support this program type
LIBBPF_ERRNO__WRNGPID = 4011  # Wrong pid in netlink message
LIBBPF_ERRNO__INVSEQ = 4012  # Invalid netlink sequence
LIBBPF_ERRNO__NLPARSE = 4013  # netlink parsing error
LIBBPF_ERRNO__END = 4014

ENOTSUPP = 524

_LIBBPF_STRERROR = {
    LIBBPF_ERRNO__LIBELF: "Something wrong in libelf",
    LIBBPF_ERRNO__FORMAT: "BPF object format invalid",
    LIBBPF_ERRNO__KVERSION: "'version' section incorrect or lost",
    LIBBPF_ERRNO__ENDIAN: "Endian mismatch",
    LIBBPF_ERRNO__INTERNAL: "Internal error in libbpf",
    LIBBPF_ERRNO__RELOC: "Relocation failed",
    LIBBPF_ERRNO__LOAD: "Load program failure for unknown reason",
    LIBBPF_ERRNO__VERIFY: "Kernel verifier blocks program loading",
    LIBBPF_ERRNO__PROG2BIG: "Program too big",
    LIBBPF_ERRNO__KVER: "Incorrect kernel version",
    LIBBPF_ERRNO__PROGTYPE: "Kernel doesn't support this program type",
    LIBBPF_ERRNO__WRNGPID: "Wrong pid in netlink message",
    LIBBPF_ERRNO__INVSEQ: "Invalid netlink sequence",
    LIBBPF_ERRNO__NLPARSE: "Incorrect netlink message parsing",
}


def libbpf_strerror(err: int) -> str:
    """libbpf_strerror(): glibc's strerror for errnos, libbpf's table for its own codes."""
    err = abs(err)
    if err < LIBBPF_ERRNO__START:
        if err == ENOTSUPP:
            return "Unknown error 524"
        return os.strerror(err)
    if err < LIBBPF_ERRNO__END:
        return _LIBBPF_STRERROR[err]
    return f"Unknown libbpf error {err}"


class LibbpfError(Exception):
    """A libbpf failure: ``errno`` (positive; libbpf returns it negated) and a message.

    ``log`` holds the verifier or BTF log when the kernel produced one.
    """

    def __init__(self, err: int, message: str = "", *, log: str = "", quiet: bool = False) -> None:
        self.errno = abs(err) if err else _errno.EINVAL
        self.message = message or libbpf_strerror(self.errno)
        self.log = log
        self.quiet = quiet  # libbpf fails here without printing anything
        super().__init__(self.message)

    @property
    def strerror(self) -> str:
        return libbpf_strerror(self.errno)

    def __repr__(self) -> str:
        return f"LibbpfError({self.errno}, {self.message!r})"


def format_error(message: str) -> LibbpfError:
    """-LIBBPF_ERRNO__FORMAT: the object file is not what libbpf expects."""
    return LibbpfError(LIBBPF_ERRNO__FORMAT, message)
