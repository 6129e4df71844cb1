"""Public eBPF conformance suites run through the translating executor.

* ``bpf_conformance/*.data`` (313 tests): every one must pass. r1 = a copy of the ``mem``
  buffer, r2 = its length, r10 = top of a 512-byte stack; the full 64-bit r0 is compared.
* ``bpf_conformance/negative/``: ``incorrect_return_value_high_bits`` must be reported as
  a mismatch; ``error.data`` and ``unused-*.data`` are verifier cases, here only checked
  not to crash the interpreter (they translate and run, or are rejected cleanly).
* ``ubpf/`` (104 tests): run with uBPF's test helpers 0-5; each file passes or is skipped
  for a reason listed in ``UBPF_SKIP``. uBPF's load-time errors ("Failed to load code: ...")
  must be translation errors, its run-time errors ("uBPF error: ...") run-time faults, with
  the same meaning (``UBPF_MEANING``).

See tests/conformance_data/README.md for the formats and the helpers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from pykernel.interp import (
    BudgetExceeded,
    CallTable,
    ExecFault,
    HelperImpl,
    MemFault,
    Region,
    Run,
    TranslateError,
    translate,
)
from pykernel.uapi import insn as I
from pykernel.uapi.asm import AsmError, assemble
from tests.conformance import DATA, Case, parse_data, raw_program

BPF_CONF = DATA / "bpf_conformance"
UBPF = DATA / "ubpf"
MEM_BASE = 0xFFFF_8000_0000_0000  # where the test's input buffer is mapped
M64 = 0xFFFFFFFFFFFFFFFF


# --- uBPF's test helpers (conformance README §3) ------------------------------------------

def _gather_bytes(run: Run, a: int, b: int, c: int, d: int, e: int) -> int:
    return ((a & 0xFF) << 32) | ((b & 0xFF) << 24) | ((c & 0xFF) << 16) | ((d & 0xFF) << 8) | (e & 0xFF)


def _memfrob(run: Run, ptr: int, n: int, *_: int) -> int:
    data = run.mem.read(ptr, n)
    run.mem.write(ptr, bytes(x ^ 42 for x in data))
    return 0


def _no_op(run: Run, *_: int) -> int:
    return 0


def _sqrti(run: Run, a: int, *_: int) -> int:
    return math.isqrt(a)


def _strcmp_ext(run: Run, a: int, b: int, *_: int) -> int:
    sa, sb = run.mem.read_cstr(a), run.mem.read_cstr(b)
    for x, y in zip(sa + b"\0", sb + b"\0", strict=False):
        if x != y:
            return (x - y) & M64
    return 0


def _unwind(run: Run, a: int, *_: int) -> int:
    return a


UBPF_HELPERS = CallTable("ubpf-test-helpers", {
    0: HelperImpl("gather_bytes", _gather_bytes),
    1: HelperImpl("memfrob", _memfrob),
    2: HelperImpl("no_op", _no_op),
    3: HelperImpl("sqrti", _sqrti),
    4: HelperImpl("strcmp_ext", _strcmp_ext),
    5: HelperImpl("unwind", _unwind, kind="unwind"),
})


class Failed(Exception):
    """The runtime reported a failure (what upstream's plugin signals with a non-zero exit)."""


def program_of(case: Case) -> list[I.Insn]:
    raw = raw_program(case)
    if raw is not None:
        return I.decode_all(raw)
    return assemble(case.asm)


def execute(case: Case, *, budget: int = 10_000_000) -> int:
    """Run a conformance case: returns r0, or raises Failed(message)."""
    try:
        insns = program_of(case)
    except (AsmError, ValueError) as e:
        raise Failed(f"Failed to assemble: {e}") from e
    if not insns:
        raise Failed("Test file has no BPF instructions")
    try:
        tr = translate(insns, UBPF_HELPERS, name="conformance", strict_calls=True, isa_only=True)
    except TranslateError as e:
        raise Failed(f"Failed to load code: {e}") from e
    run = Run(calls=UBPF_HELPERS, budget=budget)
    r1 = r2 = 0
    if case.mem:
        buf = bytearray(case.mem)
        run.mem.add(Region("mem", "test", MEM_BASE, buf))
        r1, r2 = MEM_BASE, len(buf)
    try:
        return run.run(tr, r1, r2)
    except ExecFault as e:
        raise Failed(f"Runtime error: {e}") from e


def judge(case: Case) -> tuple[bool, str]:
    """Upstream's pass/fail rule (README §4): (passed, detail)."""
    try:
        r0 = execute(case)
    except Failed as e:
        if case.error is None:
            return False, f"ERROR: {e}"
        return True, str(e)
    if case.result is None:
        return False, f"expected an error, got r0=0x{r0:x}"
    if r0 != case.result:
        return False, f"r0=0x{r0:x}, expected 0x{case.result:x}"
    return True, f"r0=0x{r0:x}"


# --- bpf_conformance ---------------------------------------------------------------------

CONF_FILES = sorted(BPF_CONF.glob("*.data"))


def test_suite_size() -> None:
    assert len(CONF_FILES) == 313


@pytest.mark.parametrize("path", CONF_FILES, ids=lambda p: p.stem)
def test_bpf_conformance(path: Path) -> None:
    case = parse_data(path.read_text(), path.parent)
    assert not case.unknown_directive and case.result is not None
    ok, detail = judge(case)
    assert ok, detail


def test_high_bits_mismatch_is_caught() -> None:
    """A result wrong only in the upper 32 bits must fail: the comparison uses all 64 bits."""
    path = BPF_CONF / "negative" / "incorrect_return_value_high_bits.data"
    case = parse_data(path.read_text(), path.parent)
    r0 = execute(case)
    assert r0 == 0x8877665544332211
    assert case.result == 0x8977665544332211
    ok, detail = judge(case)
    assert not ok and "expected 0x8977665544332211" in detail


NEGATIVE = sorted((BPF_CONF / "negative").glob("*.data"))


@pytest.mark.parametrize("path", [p for p in NEGATIVE if p.name == "error.data" or p.name.startswith("unused-")],
                         ids=lambda p: p.stem)
def test_negative_verifier_cases_never_crash(path: Path) -> None:
    """Verifier cases: the interpreter alone either runs them or rejects them cleanly."""
    case = parse_data(path.read_text(), path.parent)
    try:
        execute(case, budget=100_000)
    except Failed:
        pass


def test_negative_empty_files_are_skipped() -> None:
    for name in ("empty.data", "empty_instructions.data"):
        case = parse_data((BPF_CONF / "negative" / name).read_text())
        assert not case.asm.strip() and raw_program(case) is None
        with pytest.raises(Failed, match="no BPF instructions"):
            execute(case)


# --- uBPF ----------------------------------------------------------------------------------

UBPF_FILES = sorted(UBPF.rglob("*.data"))

UBPF_SKIP: dict[str, str] = {
    "reload": "tests uBPF's VM API (loading twice into one VM), not the ISA",
    "errors/err-unknown-opcode": "opcode 0x06 is gotol (ISA v4), which uBPF predates; the table knows it",
    "errors/err-too-many-instructions": "uBPF's own 65536-instruction loader limit; the program-size "
                                        "limit is the verifier's (BPF_COMPLEXITY_LIMIT_INSNS)",
}
for _p in sorted((UBPF / "elf").glob("*.data")):
    UBPF_SKIP[f"elf/{_p.stem}"] = "`-- pyelf` ELF mutation: needs uBPF's Python ELF framework; belongs to the loader's tests"

# uBPF's error message -> what ours must say (the meaning; uBPF's checks are its own words)
UBPF_MEANING: list[tuple[str, str, type | tuple[type, ...]]] = [
    (r"out of bounds memory store", r"invalid store", MemFault),
    (r"address overflow in store", r"invalid store", MemFault),
    (r"address underflow in load", r"invalid load", MemFault),
    (r"integer overflow in store", r"invalid store", MemFault),
    (r"call to nonexistent function (\d+)", r"call to nonexistent function \1", TranslateError),
    (r"jump out of bounds", r"jump out of bounds", TranslateError),
    (r"does not end with EXIT or unconditional jump", r"last instruction is not an exit or jump", TranslateError),
    (r"invalid endian immediate", r"opcode 0xdc has no form with imm=", TranslateError),
    (r"incomplete lddw", r"incomplete lddw", TranslateError),
    (r"invalid lddw second half", r"invalid lddw second half", TranslateError),
    (r"jump to middle of lddw", r"jump to the middle of lddw", TranslateError),
    (r"invalid destination register", r"(?i)invalid register", (TranslateError, AsmError)),
    (r"invalid source register for LDDW", r"invalid source register for lddw", TranslateError),
    (r"invalid source register", r"(?i)invalid register", (TranslateError, AsmError)),
    (r"infinite loop", r"instruction budget", BudgetExceeded),
]


def _tcpdump_hex(text: str) -> bytes:
    """``0x0000:  0026 622f ...`` (tcpdump -x) into bytes."""
    out = bytearray()
    for line in text.splitlines():
        if ":" not in line:
            continue
        for word in line.split(":", 1)[1].split():
            out += bytes.fromhex(word)
    return bytes(out)


def load_ubpf_case(path: Path) -> Case:
    text = path.read_text()
    case = parse_data(text.replace("-- mem @", "-- hexdump @") if ".hex" in text else text, path.parent)
    m = re.search(r"^-- mem @ (\S+)", text, re.M)
    if m and m.group(1).endswith(".hex"):
        case.mem = _tcpdump_hex((path.parent / m.group(1)).read_text())
    return case


def _ubpf_id(p: Path) -> str:
    return str(p.relative_to(UBPF).with_suffix(""))


@pytest.mark.parametrize("path", UBPF_FILES, ids=_ubpf_id)
def test_ubpf(path: Path) -> None:
    name = _ubpf_id(path)
    if name in UBPF_SKIP:
        pytest.skip(UBPF_SKIP[name])
    case = load_ubpf_case(path)
    expected_error = case.error or case.error_pattern
    if case.result is None and not expected_error:
        # an assembler test: the text and the pre-encoded words must agree
        assert case.raw and case.asm.strip()
        assert I.encode_all(assemble(case.asm)) == raw_program(case)
        return
    if not expected_error:
        ok, detail = judge(case)
        assert ok, detail
        return
    meaning = [(m.expand(ours), kind) for pattern, ours, kind in UBPF_MEANING
               if (m := re.search(pattern, expected_error))]
    assert meaning, f"no meaning mapping for {expected_error!r}"
    want, kind = meaning[0]
    with pytest.raises(Failed) as info:
        execute(case, budget=1_000_000)
    cause = info.value.__cause__
    if isinstance(cause, Failed):
        cause = cause.__cause__
    assert isinstance(cause, kind), f"{type(cause).__name__}: {cause}"
    assert re.search(want, str(cause)), f"{cause!s} !~ {want}"


def test_ubpf_skips_are_listed() -> None:
    names = {_ubpf_id(p) for p in UBPF_FILES}
    assert set(UBPF_SKIP) <= names
    assert len(UBPF_FILES) == 104
