"""The verifier corpus: our verdict and final log line against the real 6.18 kernel's.

Every case in tests/verifier_corpus/recorded.json (asm cases and clang-compiled C
programs) is verified by pykernel.verifier with the same instructions and maps the real
kernel was given. Verdicts must agree on 100% of the corpus, the final error line on at
least 90% of the rejects (the ones that differ are printed), and for every accepted
program ``dump xlated`` must equal real bpftool's output, map ids aside: C programs are
verified with the func/line info libbpf gives the kernel, so the ``int f(...)`` headers,
the ``; source`` lines and the ``call pc+N#bpf_prog_<tag>_<func>`` subprogram tags are
compared too.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "verifier_corpus"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from simmaps import FakeMap  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402
from pykernel.uapi.errors import SyscallError  # noqa: E402
from pykernel.verifier import VerifierEnv, verify  # noqa: E402
from pykernel.verifier.xlated import prepare_dump  # noqa: E402

RECORDED = corpus.load_recorded()
ASM = {c.name: c for c in corpus.load_asm_cases()}


def build_env(name: str) -> tuple[VerifierEnv, bytearray]:
    rec = RECORDED[name]
    buf = bytearray(1 << 22)
    if rec["kind"] == "asm":
        case = ASM[name]
        maps = {}
        fds = {}
        for num, ms in case.maps.items():
            vals = bytearray(((ms.value_size + 7) & ~7) * ms.max_entries) if ms.map_type == 2 else bytearray()
            if ms.init:
                vals[: len(ms.init)] = ms.init
            m = FakeMap(num + 1, ms.map_type, ms.key_size, ms.value_size, ms.max_entries, ms.flags, ms.name,
                        ms.frozen, vals)
            maps[100 + num] = m
            fds[num] = 100 + num
        insns = corpus.with_fds(case.insns, case.map_refs, fds)
        env = VerifierEnv(insns=insns, prog_type=case.prog_type, expected_attach_type=case.attach,
                          gpl=case.license == "GPL", log_level=1, log_size=len(buf), log_buf=buf,
                          prog_flags=case.flags, map_by_fd=maps.get)
        return env, buf
    insns = I.decode_all(bytes.fromhex(rec["insns"]))
    maps = {}
    for k, mm in enumerate(rec["maps"]):
        vals = bytearray(bytes.fromhex(mm.get("values", ""))) if mm.get("values") else bytearray()
        maps[100 + k] = FakeMap(k + 1, mm["type"], mm["key_size"], mm["value_size"], mm["max_entries"],
                                mm["flags"], mm["name"], mm.get("frozen", False), vals)
    for i, k in rec["map_refs"]:
        insns[i] = insns[i].with_(imm=100 + k)
    env = VerifierEnv(insns=insns, prog_type=rec["prog_type"], expected_attach_type=rec["attach"], gpl=True,
                      log_level=1, log_size=len(buf), log_buf=buf, map_by_fd=maps.get)
    info = ext_info(name)
    if info is not None:  # as libbpf loads it: with the object's BTF, func info and line info
        env.btf, env.func_info, env.line_info = info[0].data, info[1], info[2]
    return env, buf


def run_case(name: str) -> tuple[bool, int, str, object]:
    env, buf = build_env(name)
    try:
        res = verify(env)
        return True, 0, buf.split(b"\0", 1)[0].decode(), res
    except SyscallError as e:
        return False, e.errno, buf.split(b"\0", 1)[0].decode(), None


NAMES = sorted(RECORDED)
# cases that walk the full 1,000,000-instruction budget: only in the slow run
SLOW = {"rej_too_large", "rej_infinite_loop_cond"}
FAST = [n for n in NAMES if n not in SLOW]


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES])
def test_verdict(name: str) -> None:
    rec = RECORDED[name]
    ok, errno, log, _ = run_case(name)
    assert ok == rec["accepted"], f"{name}: ours {'accept' if ok else 'reject'} ({log.splitlines()[-2:] if log else ''}), kernel {rec['error']!r}"
    if not ok:
        assert errno == rec["errno"], f"{name}: errno {errno} != {rec['errno']}"


def test_error_lines() -> None:
    rejects = [n for n in FAST if not RECORDED[n]["accepted"]]
    diff = []
    for n in rejects:
        ok, _, log, _ = run_case(n)
        mine = corpus.error_line(log) if not ok else "<accepted>"
        if mine != RECORDED[n]["error"]:
            diff.append((n, RECORDED[n]["error"], mine))
    for n, want, got in diff:
        print(f"{n}:\n  kernel: {want}\n  ours:   {got}")
    rate = 1 - len(diff) / max(len(rejects), 1)
    print(f"final error line match: {len(rejects) - len(diff)}/{len(rejects)} = {rate:.1%}")
    assert rate >= 0.9


@functools.cache
def ext_info(name: str):  # noqa: ANN201
    """(BTF, func info, line info) of a C case as libbpf hands them to the kernel (pylibbpf's
    relocation of the object's .BTF.ext), strings resolved; None for asm cases."""
    rec = RECORDED[name]
    if rec["kind"] != "c":
        return None
    from pylibbpf import BpfObject
    from pylibbpf.relo import relocate_program

    obj = BpfObject.open(str(HERE.parent / rec["object"]), print_fn=lambda lvl, msg: None)
    prog = next(p for p in obj.programs if p.name == rec["program"])
    relocate_program(obj, prog, lambda i: i)
    btf = obj.btf
    finfo, linfo = corpus.func_line_info(btf, prog)
    return btf, finfo, linfo


def subprog_symbols(res, finfo) -> list[str]:  # noqa: ANN001
    """bpf_prog_<tag>_<name> of each function: the tag as jit_subprogs computes it (calls
    holding the callee index in ``off`` and 1 in ``imm``, callback addresses at the module
    area, tail calls in their internal form, map immediates ignored)."""
    from pykernel.tag import jit_func_insns, prog_tag

    insns = prepare_dump(res, keep_tail_calls=True)
    starts = list(res.subprog_starts) + [len(insns)]
    names = {fi.insn_off: fi.name for fi in (finfo or [])}
    out = []
    for k in range(len(starts) - 1):
        body = jit_func_insns(insns[starts[k]:starts[k + 1]])
        out.append(f"bpf_prog_{prog_tag(I.encode_all(body)).hex()}_{names.get(starts[k], 'F')}")
    return out


def render_xlated(name: str, res, info) -> str:  # noqa: ANN001
    """What bpftool prints for our result: pybpftool's renderer over our xlated code, our
    adjusted func/line info and the simulated kernel's symbols."""
    import contextlib
    import io

    from pybpftool import xlated as X
    from pykernel import kallsyms as K

    insns = prepare_dump(res)
    syms = X.Symbols(call_base=0)
    for sym, imm in K.SYMBOL_IMM.items():
        syms.by_addr.setdefault(imm & (2**64 - 1), sym)
    btf, finfo, _ = info if info is not None else (None, None, None)
    fsyms = subprog_symbols(res, res.func_info)
    ksyms = [0xFFFFFFFFC0000000 + (k << 12) for k in range(len(fsyms))]
    for a, sname in zip(ksyms, fsyms, strict=True):
        syms.by_addr[a] = sname
    dd = X.DumpData(insns=insns, raw=I.encode_all(insns), syms=syms, jited_ksyms=ksyms, btf=btf,
                    func_info=[(fi.insn_off, fi.type_id) for fi in (res.func_info or [])],
                    line_info=[X.LineInfo(li.insn_off, li.file_name_off, li.line_off, li.line_col)
                               for li in (res.line_info or [])])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        X.dump_plain(dd, False, False)
    _ = finfo
    return buf.getvalue()


def norm_ids(text: str) -> list[str]:
    return [re.sub(r"map\[id:\d+\]", "map[id:N]", ln).rstrip() for ln in text.splitlines() if ln.strip()]


@pytest.mark.parametrize("name", [n for n in NAMES if RECORDED[n]["accepted"]])
def test_xlated(name: str) -> None:
    """Our ``dump xlated`` equals real bpftool's, map ids aside: instructions, call targets,
    subprogram tags, and for C programs the ``int f(...)`` headers and ``; source`` lines."""
    info = ext_info(name)
    env, _ = build_env(name)
    if info is not None:
        env.func_info, env.line_info = info[1], info[2]
    res = verify(env)
    assert norm_ids(render_xlated(name, res, info)) == norm_ids(RECORDED[name]["xlated"])


def test_corpus_size() -> None:
    acc = [n for n in NAMES if RECORDED[n]["accepted"]]
    rej = [n for n in NAMES if not RECORDED[n]["accepted"]]
    assert len(acc) >= 50 and len(rej) >= 50


STATS = re.compile(r"processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) "
                   r"peak_states (\d+)")


def test_statistics_match_the_kernel() -> None:
    """``processed N insns ... max_states_per_insn/total_states/peak_states`` of every accepted
    program against the kernel's line (users compare these): the differing ones are printed;
    at least 95% must be identical."""
    acc = [n for n in FAST if RECORDED[n]["accepted"]]
    diff = []
    for n in acc:
        _, _, log, _ = run_case(n)
        want = STATS.search(RECORDED[n]["log"])
        got = STATS.search(log)
        if not want or not got or want.groups() != got.groups():
            diff.append((n, want.groups() if want else None, got.groups() if got else None))
    for n, want, got in diff:
        print(f"{n}: kernel {want} ours {got}")
    same = len(acc) - len(diff)
    print(f"statistics identical: {same}/{len(acc)}")
    assert same >= 0.95 * len(acc)


C_ACCEPTED = [n for n in NAMES if RECORDED[n]["accepted"] and RECORDED[n]["kind"] == "c" and "line_info" in RECORDED[n]]


@pytest.mark.parametrize("name", C_ACCEPTED)
def test_btf_info_matches_the_kernel(name: str) -> None:
    """Func info and line info after our rewrites sit at the xlated offsets the kernel put
    them at, and every function's tag is the kernel's (bpf_prog_info.prog_tags)."""
    info = ext_info(name)
    env, _ = build_env(name)
    env.func_info, env.line_info = info[1], info[2]  # type: ignore[index]
    res = verify(env)
    rec = RECORDED[name]
    assert [[f.insn_off, f.type_id] for f in res.func_info or []] == rec["func_info"]
    assert [[li.insn_off, li.file_name_off, li.line_off, (li.line_num << 10) | li.line_col]
            for li in res.line_info or []] == \
        rec["line_info"]
    if len(rec["prog_tags"]) > 1:
        tags = [s.split("_")[2] for s in subprog_symbols(res, res.func_info)]
        assert tags == rec["prog_tags"]


@pytest.mark.parametrize(("size", "errno", "log"), [
    # recorded on the real 6.18 kernel: a rejected program (R0 !read_ok) with a log buffer
    # too short for its log fails with ENOSPC, not with the verifier's EACCES
    (16, 28, " 0 mark_read 0\n"),
    (64, 28, "max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"),
    (4096, 13, "0: R1=ctx() R10=fp0\n0: (b7) r1 = 1                        ; R1=1\n"
               "1: (07) r1 += 2                       ; R1=3\n2: (95) exit\nR0 !read_ok\n"
               "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"),
])
def test_short_log_on_a_rejection(size: int, errno: int, log: str) -> None:
    from pykernel.uapi.asm import assemble_kernel

    insns = [i for line in ("r1 = 1", "r1 += 2", "exit") for i in assemble_kernel(line)]
    buf = bytearray(size)
    env = VerifierEnv(insns=insns, prog_type=6, gpl=True, log_level=1, log_size=size, log_buf=buf)
    with pytest.raises(SyscallError) as e:
        verify(env)
    assert e.value.errno == errno
    assert buf.split(b"\0", 1)[0].decode() == log
