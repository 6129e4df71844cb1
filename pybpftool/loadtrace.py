"""``prog load|loadall ... trace FILE`` (beyond bpftool): the verifier's walk as one JSON
document, for people and tools that want to read why a program was accepted or refused.

The document gathers what the load produced: libbpf's messages (every level, whatever
``-d`` says), and per program the verdict, the verifier log libbpf received and the
kernel's structured trace (``verifier_trace_out`` of PROG_LOAD, pykernel/verifier/trace.py).
The schema is documented in DESIGN.md ("Verifier trace") and pybpftool-prog(8).

Nothing here changes what bpftool prints: stdout and stderr stay bpftool's, byte for
byte, unless FILE is ``-`` (then the document *is* stdout's one JSON value).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

TRACE_DOC_VERSION = 1
_LEVELS = ("warn", "info", "debug")


@dataclass
class TraceRequest:
    """The ``trace FILE`` argument: where the document goes, and what it collects."""

    target: str  # a host file name, or "-" for standard output
    fd: int = -1  # the opened file (opened before loading, so a bad path fails early)
    libbpf: list[dict[str, str]] = field(default_factory=list)

    @property
    def to_stdout(self) -> bool:
        return self.target == "-"

    def open(self) -> str | None:
        """Open (create, truncate) the target; an error message or None."""
        if self.to_stdout:
            return None
        try:
            self.fd = os.open(self.target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as e:
            return f"can't open file {self.target}: {os.strerror(e.errno or 0)}"
        return None

    def record(self, level: int, msg: str) -> None:
        """What libbpf printed (or would print with -d), one entry per message."""
        name = _LEVELS[level] if 0 <= level < len(_LEVELS) else str(level)
        self.libbpf.append({"level": name, "msg": msg.rstrip("\n")})

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def program_entry(prog: Any, prog_id: int | None) -> dict[str, Any]:
    """One program of the object: its verdict, the verifier log and the trace."""
    from pykernel.uapi.consts import PROG_TYPE_NAMES

    from .kern import strerror

    ent: dict[str, Any] = {"name": prog.name, "section": prog.sec_name,
                           "type": PROG_TYPE_NAMES.get(prog.type, str(prog.type))}
    if prog.load_errno is None:
        ent["status"] = "not_loaded"  # no PROG_LOAD: an earlier program or step failed
    elif prog.load_errno == 0:
        ent["status"] = "accepted"
        if prog_id is not None:
            ent["id"] = prog_id
    else:
        ent["status"] = "rejected"
        ent["errno"] = prog.load_errno
        ent["error"] = strerror(prog.load_errno)
    ent["log"] = prog.verifier_log.splitlines()
    ent["verifier"] = prog.verifier_trace_out
    return ent


def document(req: TraceRequest, file: str, programs: list[Any], ids: dict[str, int],
             error: str | None) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": TRACE_DOC_VERSION, "file": file,
                           "programs": [program_entry(p, ids.get(p.name)) for p in programs],
                           "libbpf": req.libbpf}
    if error is not None:
        doc["error"] = error
    return doc


def dumps(doc: dict[str, Any], pretty: bool) -> str:
    if pretty:
        return json.dumps(doc, indent=4, ensure_ascii=False)
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def write_file(req: TraceRequest, text: str) -> str | None:
    """Write the document to the opened file; an error message or None."""
    data = (text + "\n").encode()
    try:
        while data:
            n = os.write(req.fd, data)
            data = data[n:]
    except OSError as e:
        return f"can't write file {req.target}: {os.strerror(e.errno or 0)}"
    finally:
        req.close()
    return None


__all__ = ["TRACE_DOC_VERSION", "TraceRequest", "document", "dumps", "program_entry", "write_file"]
