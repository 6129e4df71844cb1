"""The verifier of the simulated 6.18 kernel.

``verify(env)`` is what PROG_LOAD calls: the structural pass (opcodes, reserved fields,
jumps, ld_imm64, map fds, subprograms, CFG), the path-sensitive walk with state pruning,
the rewrites that show in ``bpftool prog dump xlated``, and the log (log_level 1/2/4, the
kernel's format and buffer rules). See ``env.py`` for the contract. ``xlated.py`` turns a
result into the kernel's ``bpf_insn_prepare_dump`` view and bpftool's text.
"""

from __future__ import annotations

from ..uapi.consts import EACCES
from ..uapi.errors import SyscallError
from .cfg import VerifyError
from .env import FuncInfo, LineInfo, VerifierEnv, VerifierResult

__all__ = ["verify", "VerifierEnv", "VerifierResult", "LineInfo", "FuncInfo", "VerifyError"]


def verify(env: VerifierEnv) -> VerifierResult:
    """Verify ``env.insns``; return the result or raise ``SyscallError(errno)``."""
    from .check import Verifier
    from .fixups import run_fixups

    v = Verifier(env)
    err: VerifyError | None = None
    try:
        v.run()
    except VerifyError as e:
        err = e
    except RecursionError:  # pragma: no cover - defensive
        err = VerifyError(EACCES, "verifier recursion")
    if err is not None and err.msg is None and err.errno != EACCES and not v.insn_processed and not v.log.parts:
        # early argument errors (E2BIG for no insns) carry no log
        size, _ = v.log.finalize()
        env.log_true_size = size
        if v.trace is not None:
            env.trace_out = v.trace.result(err.errno, err.msg)
        raise SyscallError(err.errno, "verifier")
    if err is not None:
        if err.msg:
            v.v(err.msg + ("\n" if getattr(err, "newline", True) else ""))
        if v.trace is not None:  # before the statistics: the message ends the log
            env.trace_out = v.trace.result(err.errno, err.msg)
        v.stats()
        size, log_err = v.log.finalize()
        env.log_true_size = size
        # as bpf_check(): a truncated log's ENOSPC replaces the verifier's own error
        raise SyscallError(log_err or err.errno, err.msg or "verifier")
    p = run_fixups(v)
    v.stats()
    size, log_err = v.log.finalize()
    env.log_true_size = size
    trace = v.trace.result(log_err, "verifier log truncated" if log_err else None) if v.trace is not None else None
    env.trace_out = trace
    if log_err:
        raise SyscallError(log_err, "verifier log truncated")
    res = VerifierResult(
        xlated=p.insns,
        used_maps=v.used_maps,
        stack_depth=list(v.subprog_depth),
        subprog_starts=list(p.subprogs),
        verified_insns=v.insn_processed,
        line_info=p.linfo or None,
        func_info=p.finfo or None,
        log=v.log.text(),
        trace=trace,
        tail_call_reachable=v.tail_call_reachable,
        orig_idx=p.orig,
    )
    res.map_loads = p.map_loads  # type: ignore[attr-defined]
    return res
