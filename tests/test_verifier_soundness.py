"""Soundness: a program our verifier accepts never trips the interpreter's bounds checks.

Hypothesis builds XDP programs out of snippets that touch memory the way real programs do
(bounds-checked packet reads and writes at constant and variable offsets, stack stores and
loads at any alignment, variable-offset stack access, pointer spills, array and hash map
lookups with and without the null check, variable offsets into map values, atomics,
helper calls that return unknown scalars or move the packet), clamped and unclamped
scalars and data-dependent exits. Each program is loaded with PROG_LOAD (our verifier);
every accepted one runs through the interpreter on random packets and must finish without
a memory fault: a fault means the verifier accepted an unsafe access, and fails the test.

The default run tries a few hundred programs (derandomized, so CI is repeatable); the
``slow`` run tries 20,000 with fresh randomness.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pykernel.interp.progrun import run_xdp
from pykernel.uapi import attr as A
from pykernel.uapi import insn as I
from pykernel.uapi.asm import assemble_kernel
from pykernel.uapi.consts import Cmd, MapType, ProgType
from pykernel.uapi.errors import SyscallError

VALUE_SIZE = 24
SIZES = {1: "u8", 2: "u16", 4: "u32", 8: "u64"}

# invariants between snippets: r6 = ctx, r7 = a scalar accumulator, r9/r8 = data/data_end
PROLOGUE = ["r6 = r1", "r7 = 0", "r9 = *(u32 *)(r6 +0)", "r8 = *(u32 *)(r6 +4)"]

size_st = st.sampled_from([1, 2, 4, 8])


def _sz(n: int) -> str:
    return SIZES[n]


@st.composite
def pkt_const(draw) -> list:  # type: ignore[no-untyped-def]
    k = draw(st.integers(0, 64))
    sz = draw(size_st)
    # mostly inside the checked window, sometimes just past it
    off = draw(st.integers(0, max(k - sz, 0))) if draw(st.integers(0, 4)) else draw(st.integers(0, 66))
    out = ["r2 = r9", f"r2 += {k}", ("if r2 > r8 goto", "out")]
    if draw(st.booleans()):
        out += [f"r0 = *({_sz(sz)} *)(r9 +{off})", "r7 += r0"]
    else:
        out += [f"*({_sz(sz)} *)(r9 +{off}) = r7"]
    return out


@st.composite
def pkt_var(draw) -> list:  # type: ignore[no-untyped-def]
    mask = draw(st.sampled_from([1, 3, 7, 15, 31, 63, 255]))
    k = draw(st.integers(0, 40))
    sz = draw(size_st)
    off = draw(st.integers(0, max(k - sz, 0))) if draw(st.integers(0, 4)) else draw(st.integers(-4, 40))
    check = draw(st.sampled_from(["and", "and", "jgt", "none"]))
    out = ["r2 = r9", "r2 += 1", ("if r2 > r8 goto", "out"), "r3 = *(u8 *)(r9 +0)"]
    if check == "and":
        out.append(f"r3 &= {mask}")
    elif check == "jgt":
        out.append((f"if r3 > {mask} goto", "out"))
    out += ["r4 = r9", "r4 += r3", "r2 = r4", f"r2 += {k}", ("if r2 > r8 goto", "out")]
    if draw(st.booleans()):
        out += [f"r0 = *({_sz(sz)} *)(r4 {off:+d})", "r7 += r0"]
    else:
        out += [f"*({_sz(sz)} *)(r4 {off:+d}) = r7"]
    return out


@st.composite
def stack_op(draw) -> list:  # type: ignore[no-untyped-def]
    off = draw(st.integers(1, 64))
    sz = draw(size_st)
    kind = draw(st.sampled_from(["st", "stx", "ldx", "spill"]))
    if kind == "st":
        return [f"*({_sz(sz)} *)(r10 -{off}) = {draw(st.integers(-5, 300))}"]
    if kind == "stx":
        return [f"*({_sz(sz)} *)(r10 -{off}) = r7"]
    if kind == "ldx":
        return [f"r0 = *({_sz(sz)} *)(r10 -{off})", "r7 ^= r0"]
    slot = draw(st.integers(1, 8)) * 8
    return [f"*(u64 *)(r10 -{slot}) = r9", f"r9 = *(u64 *)(r10 -{slot})"]


@st.composite
def stack_var(draw) -> list:  # type: ignore[no-untyped-def]
    mask = draw(st.sampled_from([1, 3, 7, 15, 31]))
    base = draw(st.integers(1, 64))
    sz = draw(size_st)
    out = ["r3 = r7", f"r3 &= {mask}", "r4 = r10", f"r4 += -{base}", "r4 += r3"]
    if draw(st.booleans()):
        out += [f"r0 = *({_sz(sz)} *)(r4 +0)", "r7 += r0"]
    else:
        out += [f"*({_sz(sz)} *)(r4 +0) = r7"]
    return out


@st.composite
def map_op(draw) -> list:  # type: ignore[no-untyped-def]
    m = draw(st.sampled_from(["array", "hash"]))
    key = draw(st.sampled_from(["const", "const", "var"]))
    out = []
    if key == "const":
        out.append(f"*(u32 *)(r10 -4) = {draw(st.integers(0, 5))}")
    else:
        out += ["r1 = r7", "r1 &= 7", "*(u32 *)(r10 -4) = r1"]
    out += ["r2 = r10", "r2 += -4", f"r1 = map[fd:{m}]", "call 1"]
    if draw(st.integers(0, 9)):
        out.append(("if r0 == 0x0 goto", "out"))
    idx = draw(st.sampled_from(["const", "mask", "jgt", "none"]))
    sz = draw(size_st)
    off = draw(st.integers(0, 8)) if draw(st.integers(0, 3)) else draw(st.integers(-2, VALUE_SIZE + 2))
    if idx == "mask":
        out += ["r3 = r7", f"r3 &= {draw(st.sampled_from([3, 7, 15, 31]))}", "r0 += r3"]
    elif idx == "jgt":
        out += ["r3 = r7", (f"if r3 > {draw(st.integers(0, 24))} goto", "out"), "r0 += r3"]
    elif idx == "none":
        out += ["r3 = r7", "r0 += r3"]
    act = draw(st.sampled_from(["ld", "st", "xadd"]))
    if act == "ld":
        out += [f"r1 = *({_sz(sz)} *)(r0 {off:+d})", "r7 += r1"]
    elif act == "st":
        out += [f"*({_sz(sz)} *)(r0 {off:+d}) = r7"]
    else:
        out += ["r1 = 1", f"lock *({_sz(draw(st.sampled_from([4, 8])))} *)(r0 {off:+d}) += r1"]
    return out


@st.composite
def scalar_op(draw) -> list:  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(["rand", "alu", "clamp", "exit_if", "mov32"]))
    if kind == "rand":
        return ["call 7", draw(st.sampled_from(["r7 = r0", "r7 += r0", "r7 ^= r0"]))]
    if kind == "alu":
        op = draw(st.sampled_from(["+=", "-=", "&=", "|=", "*=", "<<=", ">>=", "s>>="]))
        imm = draw(st.integers(0, 7)) if op in ("<<=", ">>=", "s>>=") else draw(st.integers(-20, 300))
        return [f"r7 {op} {imm}"]
    if kind == "clamp":
        k = draw(st.integers(0, 64))
        return [(f"if r7 <= {k} goto", "+1"), f"r7 = {k}"]
    if kind == "exit_if":
        op = draw(st.sampled_from([">", "<", "==", "!=", "s>", "s<", ">=", "<=", "&"]))
        reg = draw(st.sampled_from(["r7", "r7", "w7"]))
        return [(f"if {reg} {op} {draw(st.integers(-3, 70))} goto", "out")]
    op = draw(st.sampled_from(["=", "+=", "&=", "-=", ">>="]))
    imm = draw(st.integers(0, 31)) if op == ">>=" else draw(st.integers(-5, 100))
    return ["w7 = w7" if op == "=" else f"w7 {op} {imm}"]


@st.composite
def adjust(draw) -> list:  # type: ignore[no-untyped-def]
    out = ["r1 = r6", f"r2 = {draw(st.integers(-16, 16))}", "call 44"]
    if draw(st.integers(0, 4)):
        out += ["r9 = *(u32 *)(r6 +0)", "r8 = *(u32 *)(r6 +4)"]
    return out


snippet = st.one_of(pkt_const(), pkt_var(), stack_op(), stack_var(), map_op(), scalar_op(), adjust())
program_st = st.lists(snippet, min_size=1, max_size=8)


def assemble(snippets: list[list], fds: dict[str, int]) -> list[I.Insn]:
    items: list = list(PROLOGUE)
    for sn in snippets:
        items.extend(sn)
    # slots: every line is one insn but map loads (two); "+1" skips the next line
    sizes = [2 if isinstance(x, str) and "map[fd:" in x else 1 for x in items]
    pos = [0]
    for s in sizes:
        pos.append(pos[-1] + s)
    out_pos = pos[-1]  # the "out" label: r0 = 2; exit
    insns: list[I.Insn] = []
    for k, x in enumerate(items):
        if isinstance(x, tuple):
            text, label = x
            tgt = pos[k + 2] if label == "+1" else out_pos
            insns.extend(assemble_kernel(f"{text} pc{tgt - pos[k] - 1:+d}"))
        else:
            for name, fd in fds.items():
                x = x.replace(f"map[fd:{name}]", f"map[fd:{fd}]")
            insns.extend(assemble_kernel(x))
    insns.extend(assemble_kernel("r0 = 2\nexit"))
    return insns


class Harness:
    def __init__(self, state: Path) -> None:
        from pykernel.process import Process

        self.proc = Process(state)
        self.fds = {
            "array": self.proc.bpf(Cmd.MAP_CREATE, A.MapCreateAttr(MapType.ARRAY, 4, VALUE_SIZE, 4, map_name="arr")),
            "hash": self.proc.bpf(Cmd.MAP_CREATE, A.MapCreateAttr(MapType.HASH, 4, VALUE_SIZE, 8, map_name="h")),
        }
        for k in (0, 3):
            self.proc.bpf(Cmd.MAP_UPDATE_ELEM, A.MapElemAttr(map_fd=self.fds["hash"], key=k.to_bytes(4, "little"),
                                                             value=bytes(range(VALUE_SIZE))))
        self.tried = self.accepted = self.runs = 0

    def check(self, snippets: list[list], packets: list[bytes]) -> None:
        insns = assemble(snippets, self.fds)
        self.tried += 1
        try:
            fd = self.proc.bpf(Cmd.PROG_LOAD, A.ProgLoadAttr(prog_type=ProgType.XDP, insns=I.encode_all(insns),
                                                             license="GPL"))
        except SyscallError:
            return
        self.accepted += 1
        try:
            for frame in packets:
                res = self.proc.kernel_call(lambda k, f=frame: run_xdp(k, k.prog_fd(fd), f))
                self.runs += 1
                if res.fault is not None and res.fault.startswith("invalid "):
                    from pykernel.uapi.disasm import format_insn

                    text = "\n".join(f"{i}: {format_insn(x)}" for i, x in enumerate(insns))
                    pytest.fail(f"verifier accepted a program that faulted ({res.fault}) on a "
                                f"{len(frame)}-byte packet:\n{text}")
        finally:
            self.proc.close(fd)


packets_st = st.lists(st.binary(min_size=0, max_size=96), min_size=1, max_size=3)


def _run(tmp_path: Path, n: int, derandomize: bool) -> Harness:
    h = Harness(tmp_path / "state")

    @settings(max_examples=n, deadline=None, derandomize=derandomize, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(program_st, packets_st)
    def prop(snippets: list[list], packets: list[bytes]) -> None:
        h.check(snippets, packets)

    prop()
    print(f"soundness: {h.tried} programs, {h.accepted} accepted, {h.runs} runs, no faults")
    h.proc.exit()
    return h


def test_accepted_programs_never_fault(tmp_path: Path) -> None:
    h = _run(tmp_path, 300, True)
    assert h.accepted >= h.tried // 5  # the generator must keep producing loadable programs


@pytest.mark.slow
def test_accepted_programs_never_fault_20000(tmp_path: Path) -> None:
    h = _run(tmp_path, 20_000, False)
    assert h.accepted >= h.tried // 5


def test_a_known_unsafe_program_is_caught(tmp_path: Path) -> None:
    """The harness itself can fail: an unchecked packet read, run with the verifier bypassed, faults."""
    from dataclasses import dataclass, field

    from pykernel.process import Process

    @dataclass
    class Raw:
        xlated: list[I.Insn]
        type: int = ProgType.XDP
        name: str = "raw"
        id: int = 1
        extra: dict = field(default_factory=dict)

    insns = assemble([["r0 = *(u64 *)(r9 +60)"]], {})
    proc = Process(tmp_path / "state")
    res = proc.kernel_call(lambda k: run_xdp(k, Raw(insns), b"\0" * 14))
    assert res.fault is not None and res.fault.startswith("invalid ")
    proc.exit()
