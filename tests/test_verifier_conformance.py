"""bpf_conformance negative cases and shift-by-immediate tests through our verifier.

error.data must fail with ``R0 !read_ok``; each unused-*.data encoding (a field that must be
zero is not) and each of the 12 ``{lsh,rsh,arsh}{32,64}-imm-{high,neg}`` programs must be
rejected with exactly the message the real 6.18 kernel gave when loading it as XDP
(recorded in tests/verifier_corpus/conformance_recorded.json by record.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "verifier_corpus"))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from verifier_corpus.record import conformance_programs  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402
from pykernel.uapi.consts import ProgType  # noqa: E402
from pykernel.uapi.errors import SyscallError  # noqa: E402
from pykernel.verifier import VerifierEnv, verify  # noqa: E402

RECORDED = json.loads((HERE / "verifier_corpus" / "conformance_recorded.json").read_text())
PROGRAMS = conformance_programs()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_conformance_negative(name: str) -> None:
    want = RECORDED[name]
    buf = bytearray(1 << 16)
    env = VerifierEnv(insns=I.decode_all(PROGRAMS[name]), prog_type=ProgType.XDP, log_level=1,
                      log_size=len(buf), log_buf=buf)
    try:
        verify(env)
        ok, errno = True, 0
    except SyscallError as e:
        ok, errno = False, e.errno
    assert ok == want["accepted"]
    assert errno == want["errno"]
    assert corpus.error_line(buf.split(b"\0", 1)[0].decode()) == want["error"]


def test_error_data_is_r0_not_read() -> None:
    assert RECORDED["negative/error"]["error"] == "R0 !read_ok"
    assert sum(1 for n in PROGRAMS if "-imm-" in n) == 12
