"""Run pybpftool command lines inside the current Python process, as separate simulated
processes: each call gets its own ``Process`` (its fds close when the "process" exits),
its own stdin/stdout/stderr, and returns exit status and output bytes — the way a shell
script sees a command. Used by the test suite; handy for embedding.

``netns`` runs the command inside that simulated network namespace, as ``ip netns exec
NAME`` / ``nsenter --net=/run/netns/NAME`` run the real bpftool.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence


class Result:
    __slots__ = ("exit_code", "stdout", "stderr")

    def __init__(self, exit_code: int, stdout: bytes, stderr: bytes) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "surrogateescape")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "surrogateescape")

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.out!r}, stderr={self.err!r})"


def _text(buf: io.BytesIO) -> io.TextIOWrapper:
    return io.TextIOWrapper(buf, encoding="utf-8", errors="surrogateescape", newline="\n",
                            write_through=True)


def invoke(argv: Sequence[str], *, state_dir: str | os.PathLike[str] | None = None,
           stdin: bytes = b"", cwd: str | os.PathLike[str] | None = None,
           prog_name: str = "pybpftool", netns: str | None = None) -> Result:
    """Run ``pybpftool argv...`` (argv without the program name)."""
    from pykernel import Process

    from . import kern
    from .main import run_guarded

    out_b, err_b = io.BytesIO(), io.BytesIO()
    in_b = io.BytesIO(stdin)
    saved = sys.stdin, sys.stdout, sys.stderr, os.getcwd()
    sys.stdin = io.TextIOWrapper(in_b, encoding="utf-8", errors="surrogateescape")
    sys.stdout, sys.stderr = _text(out_b), _text(err_b)
    proc = None
    code = -1
    outputs = (b"", b"")
    try:
        if cwd is not None:
            os.chdir(cwd)
        proc = Process(state_dir) if state_dir is not None else Process.current()
        if netns is not None:
            proc.setns(netns)
        kern._proc = proc
        kern._boot_wall = None
        code = run_guarded([prog_name, *argv])
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        if proc is not None and state_dir is not None:
            try:
                proc.exit()
            except Exception:  # noqa: BLE001 - a broken state must not hide the result
                pass
        kern._proc = None
        from . import common

        common.jw = None  # the command's JSON writer is bound to streams that go away now
        common.opts.reset()
        for stream in (sys.stdout, sys.stderr, sys.stdin):
            try:
                stream.flush()
            except ValueError:
                pass
        outputs = (out_b.getvalue(), err_b.getvalue())
        for stream in (sys.stdout, sys.stderr, sys.stdin):
            stream.detach()
        sys.stdin, sys.stdout, sys.stderr = saved[0], saved[1], saved[2]
        os.chdir(saved[3])
    return Result(int(code) & 0xFF, outputs[0], outputs[1])
