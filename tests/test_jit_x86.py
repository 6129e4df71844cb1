"""The x86-64 JIT size model (pykernel/jit_x86.py) against the real 6.18 JIT.

tests/jit/*.json hold, per program, our verifier's xlated code and the real
kernel's ``jited_prog_len``/``jited_func_lens`` for the same program (record_jit.py):
every program of the test objects, the accepted asm cases of the verifier corpus, and
micro-programs covering each instruction form over every register combination, the
immediate/displacement edges, jump distances at the rel8 boundary, long convergence
chains (padding passes), prologue variants, subprograms, tail calls, inlined helpers and
LD_ABS. The model must give the kernel's numbers for all of them:

* from our xlated code, wherever our verifier leaves the kernel's xlated code (a record
  where it does not - signed division, for now - is a verifier gap, listed by
  :func:`test_verifier_gaps`);
* from the kernel's own xlated code, for every record.

A ``realkernel`` test loads a sample again on this machine's kernel and checks the
recordings still describe it.
"""

from __future__ import annotations

import base64
import json
import sys
import time
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from pykernel import jit_x86 as J
from pykernel.uapi import insn as I
from pykernel.uapi import opcodes as O
from pykernel.uapi.asm import assemble_kernel

JIT = Path(__file__).resolve().parent / "jit"
GROUPS = ("objects", "corpus", "micro")


def unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def load_records() -> list[dict]:
    out = []
    for g in GROUPS:
        out += json.loads((JIT / f"{g}.json").read_text())["records"]
    return out


RECORDS = load_records()
BY_NAME = {r["name"]: r for r in RECORDS}


def want(rec: dict) -> list[int]:
    return rec["jited_func_lens"] or [rec["jited_prog_len"]]


def model(rec: dict) -> list[int]:
    """The model on the record's (our) xlated code."""
    arrays = {int(a): n for a, n in rec["prog_arrays"].items()}
    return J.func_lens(I.decode_all(unpack(rec["xlated"])), rec["subprog_starts"], rec["stack_depth"],
                       map_max_entries=arrays.get)


def kernel_form(rec: dict) -> tuple[list[I.Insn], list[int]]:
    """The kernel's own xlated code as the JIT saw it: map ids back to (simulated) map
    addresses; functions where its calls say."""
    if "kernel_xlated" not in rec:
        return I.decode_all(unpack(rec["xlated"])), rec["subprog_starts"]
    from pykernel.interp.memory import map_address

    insns = I.decode_all(unpack(rec["kernel_xlated"]))
    ids = sorted({x.imm for x in insns if x.is_ld_imm64() and x.src in (1, 2)})
    for i, x in enumerate(insns):
        if x.is_ld_imm64() and x.src in (1, 2):
            value = map_address(ids.index(x.imm) + 1) + (0 if x.src == 1 else 312 + insns[i + 1].imm)
            insns[i], insns[i + 1] = I.ld_imm64(x.dst, value, x.src)
    starts = sorted({0} | {i + x.off + 1 for i, x in enumerate(insns) if x.code == 0x85 and x.src == 1}
                    | {i + x.imm + 1 for i, x in enumerate(insns) if x.is_ld_imm64() and x.src == 4})
    return insns, starts


def name_id(rec: dict) -> str:
    return rec["name"]


@pytest.mark.parametrize("rec", [r for r in RECORDS if r["xlated_same"]], ids=name_id)
def test_model_on_our_xlated(rec: dict) -> None:
    assert model(rec) == want(rec)


@pytest.mark.parametrize("rec", RECORDS, ids=name_id)
def test_model_on_kernel_xlated(rec: dict) -> None:
    insns, starts = kernel_form(rec)
    arrays = {int(a): n for a, n in rec["prog_arrays"].items()}
    if "kernel_xlated" in rec:
        arrays = {}     # map addresses were renumbered: any constant key is in range
    assert J.func_lens(insns, starts, rec["kernel_stack"], map_max_entries=arrays.get or None) == want(rec)


#: Records where our verifier's xlated code is not the kernel's, and the kernel's rewrite
#: behind it (do_misc_fixups, in pykernel/verifier/). The model is not involved: it gives
#: the kernel's size from the kernel's code for every one of them
#: (test_model_on_kernel_xlated).
KNOWN_GAPS: dict[str, str] = {}  # none left: the verifier rewrites division and LD_ABS/LD_IND as 6.18 does


def _recorder() -> tuple[ModuleType, ModuleType]:
    """tests/jit/record_jit.py and micro.py (importing them puts tests/ and
    tests/verifier_corpus on the path; nothing there needs the real kernel until called)."""
    sys.path.insert(0, str(JIT))
    try:
        import micro
        import record_jit
    finally:
        sys.path.remove(str(JIT))
    return record_jit, micro


def test_verifier_gaps() -> None:
    """Only the known verifier gaps differ from the kernel's xlated code: any other record
    whose xlated code is not the kernel's fails. Each gap is checked against today's
    verifier: once it rewrites the program as the kernel does (the gap is closed), the
    model must give the kernel's size from our xlated code, strictly."""
    from pykernel.verifier.xlated import prepare_dump

    record_jit, micro = _recorder()
    cases = dict(micro.micro_programs())
    gaps = [r["name"] for r in RECORDS if not r["xlated_same"]]
    assert set(gaps) <= set(KNOWN_GAPS), sorted(set(gaps) - set(KNOWN_GAPS))
    for name in gaps:
        rec = BY_NAME[name]
        case = cases[name.split(":", 1)[1]]
        maps, insns = record_jit.fake_maps_of_case(case)
        res = record_jit.verify_ours(case.prog_type, insns, maps, attach=case.attach, flags=case.flags)
        kernel = record_jit.dump_form(I.decode_all(unpack(rec["kernel_xlated"])))
        if record_jit.dump_form(prepare_dump(res)) != kernel:
            print(f"{name}: {KNOWN_GAPS[name]} (model on our code {model(rec)}, kernel {want(rec)})")
            continue
        arrays = {int(a): n for a, n in record_jit.prog_arrays(maps).items()}
        assert J.func_lens(res.xlated, list(res.subprog_starts) or [0], list(res.stack_depth),
                           map_max_entries=arrays.get) == want(rec), f"{name}: the gap is closed"


def test_stack_depths_agree() -> None:
    """Our verifier's stack depths are zero exactly where the kernel's JIT allocates none."""
    for r in RECORDS:
        assert [bool(x) for x in r["stack_depth"]] == [bool(x) for x in r["kernel_stack"]], r["name"]


def test_coverage() -> None:
    """The recordings exercise what the brief lists: every straight-line opcode of the
    table, multi-function programs, tail calls of both kinds, callbacks, LD_ABS, padding."""
    assert len(RECORDS) >= 340
    seen_codes = set()
    for r in RECORDS:
        seen_codes |= {x.code for x in I.decode_all(unpack(r["xlated"]))}
    # LD_ABS/LD_IND never reach the JIT: the verifier turns them into helper calls (the
    # micro:ld_abs/ld_ind records are those programs)
    ld_pkt = {c for c in range(0x100) if c & 0x07 == 0 and c & 0xE0 in (0x20, 0x40)}
    table_codes = {op.code for op in O.OPS if op.kind is not O.Kind.CALLX} - ld_pkt
    assert table_codes <= seen_codes, sorted(hex(c) for c in table_codes - seen_codes)
    assert sum(1 for r in RECORDS if len(want(r)) > 1) >= 10
    assert {"micro:tail_direct", "micro:tail_indirect", "micro:chain_jcc_30", "micro:ld_ind", "micro:ld_abs",
            "jit/progs/jit_calls.o:loop_inlined"} <= set(BY_NAME)


def prog(text: str) -> list[I.Insn]:
    out: list[I.Insn] = []
    for line in text.strip().splitlines():
        out += assemble_kernel(line.strip())
    return out


@pytest.mark.parametrize(("text", "size"), [
    ("r0 = 2", 5),              # mov eax, 2
    ("r0 = 0", 2),              # xor eax, eax
    ("r7 = 0", 3),              # xor r13d, r13d
    ("r0 = -1", 7),             # mov rax, -1 (sign-extended imm32)
    ("w0 = -1", 5),             # mov eax, 0xffffffff
    ("r1 = r1", 0),             # nothing
    ("w1 = w1", 2),             # mov edi, edi
    ("r1 += r2", 3),            # add rdi, rsi
    ("w1 += w2", 2),            # add edi, esi
    ("w1 += w7", 3),            # add edi, r13d
    ("r0 += 1000", 6),          # add rax, imm32 (short form for rax)
    ("r1 += 1000", 7),          # add rdi, imm32
    ("r1 += 127", 4),           # add rdi, imm8
    ("r1 <<= 1", 3),            # shl rdi, 1
    ("r1 <<= r2", 5),           # shlx rdi, rdi, rsi (BMI2)
    ("r1 <<= r4", 3),           # shl rdi, cl
    ("r1 = be16 r1", 7),        # ror di, 8; movzx edi, di
    ("r1 = le64 r1", 0),
    ("r1 = *(u32 *)(r2 +8)", 3),        # mov edi, [rsi + 8]
    ("r1 = *(u32 *)(r2 +128)", 6),      # disp32
    ("*(u8 *)(r10 -8) = r1", 4),        # mov [rbp - 8], dil (REX for dil)
    ("*(u8 *)(r10 -8) = r3", 3),        # mov [rbp - 8], dl
    ("*(u64 *)(r10 -8) = 1", 8),        # mov qword [rbp - 8], imm32
    ("r1 /= r2", 15),           # push rax; push rdx; mov rax, rdi; xor edx, edx; div rsi;
                                #   mov rdi, rax; pop rdx; pop rax (the image of micro:alu_div64_x)
    ("w1 /= w2", 12),           # the same with 32-bit movs and div esi
])
def test_insn_sizes(text: str, size: int) -> None:
    (ins,) = prog(text)
    assert J.insn_size(ins) == size


def test_smallest_program() -> None:
    """nop5, nop3, push rbp, mov rbp, rsp; mov eax, 2; leave; jmp to the return thunk."""
    assert J.func_lens(prog("r0 = 2\nexit")) == [23]
    assert J.jited_len(prog("r0 = 2\nexit")) == 23


def test_every_form_has_a_size() -> None:
    """Every straight-line form of the opcode table sizes; the rest are laid out."""
    sizes, kinds = J._table(J.TARGET)
    for op in O.OPS:
        if op.kind is O.Kind.CALLX:
            continue
        assert op.code in sizes or op.code in kinds, op.name


def test_features_change_what_they_should() -> None:
    """What this machine cannot show, from the kernel's JIT: without BMI2 a shift by r2 is
    push rcx; mov rcx, rsi; shl rdi, cl; pop rcx (8 bytes, shlx is 5); without a return
    thunk the epilogue ends in ret (1 byte, not jmp rel32); IBT adds endbr64 at the entry
    and at the tail-call entry."""
    p = prog("r1 <<= r2\nr0 = 0\nexit")
    base = J.func_lens(p)[0]
    assert J.func_lens(p, features=J.CpuFeatures(bmi2=False)) == [base + 3]
    assert J.func_lens(p, features=J.CpuFeatures(rethunk=False)) == [base - 4]
    assert J.func_lens(p, features=J.CpuFeatures(ibt=True)) == [base + 8]
    q = prog("r4 <<= r2\nr0 = 0\nexit")          # mov r11, rcx; mov rcx, rsi; shl r11, cl; mov rcx, r11
    assert J.func_lens(q, features=J.CpuFeatures(bmi2=False)) == [J.func_lens(q)[0] + 7]
    r = prog("r1 <<= r4\nr0 = 0\nexit")          # the count is in cl already: shl rdi, cl either way
    assert J.func_lens(r, features=J.CpuFeatures(bmi2=False)) == J.func_lens(r)


def test_unknown_opcode_is_an_error() -> None:
    with pytest.raises(J.JitError):
        J.func_lens([I.Insn(0xFF), I.Insn(0x95)])


def test_speed_sanity() -> None:
    """Fast enough to run at every PROG_LOAD (bench/bench_jit.py measures it properly)."""
    r = BY_NAME["micro:chain_ja_30"]       # ~1,000 insns, 20 passes
    insns = I.decode_all(unpack(r["xlated"]))
    t = time.perf_counter()
    J.func_lens(insns, r["subprog_starts"], r["stack_depth"])
    assert time.perf_counter() - t < 0.5


def test_loaded_program_reports_the_model(tmp_path: Path) -> None:
    """The simulated kernel reports the model's numbers: jited_prog_len and, for a program
    with subprograms, jited_func_lens and the ksyms laid out by them - the real kernel's
    numbers for tests/progs/xdp_subprog.o."""
    from pykernel import Process
    from pykernel.uapi.attr import InfoAttr, ProgInfo
    from pykernel.uapi.consts import Cmd
    from pylibbpf import BpfObject, load_object

    proc = Process(tmp_path / "state")
    try:
        obj = load_object(BpfObject.open(str(Path(__file__).parent / "progs" / "xdp_subprog.o"),
                                         print_fn=lambda lvl, msg: None), proc)
        p = next(p for p in obj.programs if p.name == "xdp_subprog")
        info = ProgInfo()
        proc.bpf(Cmd.OBJ_GET_INFO_BY_FD, InfoAttr(bpf_fd=p.fd, info=info))
        rec = BY_NAME["progs/xdp_subprog.o:xdp_subprog"]
        assert len(rec["jited_func_lens"]) > 1
        assert info.jited_prog_len == rec["jited_prog_len"]
        assert info.jited_func_lens == rec["jited_func_lens"]
        assert [b - a for a, b in zip(info.jited_ksyms, info.jited_ksyms[1:], strict=False)] == \
            rec["jited_func_lens"][:-1]
    finally:
        proc.exit()


# ---------------------------------------------------------------------------

SAMPLE = ["micro:alu_add64_x", "micro:mem_stx_b", "micro:jmp_jeq64_k", "micro:dist_jcc_back_128",
          "micro:chain_jcc_20", "micro:prologue_f_stack", "micro:tail_direct", "micro:tail_key_merged",
          "micro:sub_two", "micro:ld_ind", "micro:inline_lookup_percpu_array"]


@pytest.mark.realkernel
def test_recordings_still_describe_this_kernel() -> None:
    """Re-record a sample on the real kernel: same lengths as recorded, and as modelled."""
    record_jit, micro = _recorder()
    import realbpf  # tests/verifier_corpus/realbpf.py

    if not realbpf.available():
        pytest.skip("needs root and the real kernel's bpf() on x86-64")
    cases = dict(micro.micro_programs())
    for name in SAMPLE:
        got = record_jit.record_case(name, cases[name.split(":", 1)[1]])
        assert isinstance(got, dict), got
        rec = BY_NAME[name]
        assert got["jited_func_lens"] == rec["jited_func_lens"], name
        assert got["jited_prog_len"] == rec["jited_prog_len"], name
        assert model(got) == want(got), name
