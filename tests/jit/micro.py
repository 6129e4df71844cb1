"""Micro-programs for the x86-64 JIT size model (recorded by record_jit.py).

Each program exercises one instruction form over every register combination (and the
immediates and displacements where the encoding changes size), or one layout feature:
jumps at the rel8/rel32 boundary in both directions, a chain of jumps that needs more
than 15 passes (so the JIT pads), exits near and far from the epilogue, prologues with
every set of callee-saved registers, subprograms, tail calls, inlined helpers and LD_ABS.
The instructions are built here directly (``struct bpf_insn``), so the recorder loads
exactly these into the real kernel and into our verifier.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

_T = Path(__file__).resolve().parents[1]     # tests/
for _p in (_T.parent, _T / "verifier_corpus"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import corpus  # noqa: E402

from pykernel.uapi import insn as I  # noqa: E402

XDP, SOCKET_FILTER, SCHED_CLS = 6, 1, 3
ARRAY, HASH, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, PROG_ARRAY = 2, 1, 5, 6, 9, 3

ALU_OPS = {"add": I.ADD, "sub": I.SUB, "mul": I.MUL, "div": I.DIV, "or": I.OR, "and": I.AND,
           "lsh": I.LSH, "rsh": I.RSH, "mod": I.MOD, "xor": I.XOR, "mov": I.MOV, "arsh": I.ARSH}
JMP_OPS = {"jeq": I.JEQ, "jgt": I.JGT, "jge": I.JGE, "jset": I.JSET, "jne": I.JNE, "jsgt": I.JSGT,
           "jsge": I.JSGE, "jlt": I.JLT, "jle": I.JLE, "jslt": I.JSLT, "jsle": I.JSLE}
IMMS = [0, 1, 2, -1, 127, 128, -128, -129, 0x7FFFFFFF, -0x80000000, 0x12345678]
SIZES = {"b": I.B, "h": I.H, "w": I.W, "dw": I.DW}
REGS = range(10)
ATOMIC_OFFS = (-8, -136)


def alu(cls: int, op: int, d: int, s: int = 0, imm: int = 0, *, x: bool = False, off: int = 0) -> I.Insn:
    return I.Insn(cls | op | (I.X if x else I.K), d, s, off, imm)


def mov(d: int, imm: int) -> I.Insn:
    return alu(I.ALU64, I.MOV, d, imm=imm)


def movr(d: int, s: int) -> I.Insn:
    return alu(I.ALU64, I.MOV, d, s, x=True)


def w32(d: int, s: int) -> I.Insn:
    """``wD = wS``: 2 bytes for low registers."""
    return alu(I.ALU, I.MOV, d, s, x=True)


def jmp(op: int, d: int, off: int, *, s: int | None = None, imm: int = 0, cls: int = I.JMP) -> I.Insn:
    return I.Insn(cls | op | (I.X if s is not None else I.K), d, s or 0, off, imm)


def ja(off: int) -> I.Insn:
    return I.Insn(I.JMP | I.JA, 0, 0, off, 0)


def call(fid: int) -> I.Insn:
    return I.Insn(I.JMP | I.CALL, 0, 0, 0, fid)


def pcall(rel: int) -> I.Insn:
    return I.Insn(I.JMP | I.CALL, 0, 1, 0, rel)


EXIT = I.Insn(I.JMP | I.EXIT)


def ldx(size: str, d: int, s: int, off: int, *, signed: bool = False) -> I.Insn:
    return I.Insn(I.LDX | (I.MEMSX if signed else I.MEM) | SIZES[size], d, s, off, 0)


def stx(size: str, d: int, s: int, off: int) -> I.Insn:
    return I.Insn(I.STX | I.MEM | SIZES[size], d, s, off, 0)


def st(size: str, d: int, off: int, imm: int) -> I.Insn:
    return I.Insn(I.ST | I.MEM | SIZES[size], d, 0, off, imm)


def atomic(size: str, d: int, s: int, off: int, imm: int) -> I.Insn:
    return I.Insn(I.STX | I.ATOMIC | SIZES[size], d, s, off, imm)


def ld64(d: int, value: int, src: int = 0) -> list[I.Insn]:
    return list(I.ld_imm64(d, value, src))


def scalars() -> list[I.Insn]:
    """r0-r9 unknown 32-bit scalars (from the XDP context), so no branch is decided by
    the verifier and no register is a pointer."""
    out = [ldx("w", 6, 1, 12), ldx("w", 7, 1, 16)]
    for r in (0, 1, 2, 3, 4, 5, 8, 9):
        out += [movr(r, 6 if r % 2 else 7), alu(I.ALU64, I.XOR, r, imm=r + 1)]  # xor: no shared ids
    return out


def finish(r0: int = 2) -> list[I.Insn]:
    return [mov(0, r0), EXIT]


def case(name: str, insns: list[I.Insn], *, prog_type: int = XDP, maps: dict | None = None,
         refs: dict[int, int] | None = None) -> tuple[str, corpus.Case]:
    return name, corpus.Case(name, prog_type, insns, maps or {}, 0, "GPL", 0, refs or {})


def filler(nbytes: int) -> list[I.Insn]:
    """Straight-line code of exactly ``nbytes`` JITed bytes (``w0 = w1`` is 2, ``r0 = r1`` 3)."""
    out = []
    if nbytes % 2:
        out.append(movr(0, 1))
        nbytes -= 3
    out += [w32(0, 1)] * (nbytes // 2)
    return out


# ---------------------------------------------------------------------------

def alu_programs() -> Iterator[tuple[str, corpus.Case]]:
    for cls, bits in ((I.ALU64, 64), (I.ALU, 32)):
        for name, op in ALU_OPS.items():
            body = [alu(cls, op, d, s, x=True) for d in REGS for s in REGS]
            yield case(f"alu_{name}{bits}_x", scalars() + body + finish())
            if name in ("div", "mod"):
                body = [alu(cls, op, d, s, x=True, off=1) for d in REGS for s in REGS]
                yield case(f"alu_s{name}{bits}_x", scalars() + body + finish())
            imms = IMMS
            if name in ("lsh", "rsh", "arsh"):
                imms = [0, 1, 2, 7, bits - 1]
            elif name in ("div", "mod"):
                imms = [i for i in IMMS if i]
            body = [alu(cls, op, d, imm=imm) for d in REGS for imm in imms]
            if name in ("div", "mod"):
                body += [alu(cls, op, d, imm=imm, off=1) for d in REGS for imm in imms]
            yield case(f"alu_{name}{bits}_k", scalars() + body + finish())
        yield case(f"alu_neg{bits}", scalars() + [alu(cls, I.NEG, d) for d in REGS] + finish())
        widths = (8, 16, 32) if bits == 64 else (8, 16)
        body = [alu(cls, I.MOV, d, s, x=True, off=n) for n in widths for d in REGS for s in REGS]
        yield case(f"alu_movsx{bits}", scalars() + body + finish())
    body = []
    for n in (16, 32, 64):
        for d in REGS:
            body += [I.Insn(I.ALU | I.END | I.TO_LE, d, 0, 0, n), I.Insn(I.ALU | I.END | I.TO_BE, d, 0, 0, n),
                     I.Insn(I.ALU64 | I.END | I.TO_LE, d, 0, 0, n)]
    yield case("alu_end", scalars() + body + finish())
    values = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, -1, -0x80000000, -0x80000001,
              0x123456789ABCDEF0]
    body = [x for d in REGS for v in values for x in ld64(d, v)]
    yield case("ld_imm64", scalars() + body + finish())


def memory_programs() -> Iterator[tuple[str, corpus.Case]]:
    init = [st("dw", 10, -8 * k, 0) for k in range(1, 65)]
    offs = (-8, -128, -136, -504)

    def groups(make) -> list[I.Insn]:  # noqa: ANN001
        out = []
        for b in list(REGS) + [10]:
            out += [mov(r, 3 + r) for r in REGS if r != b]
            if b != 10:
                out.append(movr(b, 10))
            for s in REGS:
                if s != b:
                    for off in offs:
                        out += make(b, s, off)
        return out

    for size in SIZES:
        yield case(f"mem_stx_{size}", init + groups(lambda b, s, off, z=size: [stx(z, b, s, off)]) + finish())
        yield case(f"mem_ldx_{size}", init + groups(lambda b, s, off, z=size: [ldx(z, s, b, off)]) + finish())
        if size != "dw":
            yield case(f"mem_ldxs_{size}",
                       init + groups(lambda b, s, off, z=size: [ldx(z, s, b, off, signed=True)]) + finish())
        imms = {"b": [0, 1, -1], "h": [0, 0x1234], "w": [0, -1, 0x12345678], "dw": [0, -1, 0x7FFFFFFF]}[size]
        body = []
        for b in list(REGS) + [10]:
            if b != 10:
                body.append(movr(b, 10))
            body += [st(size, b, off, imm) for off in offs for imm in imms]
        yield case(f"mem_st_{size}", init + body + finish())
    for size in ("w", "dw"):
        for name, imm in (("add", I.ADD), ("or", I.OR), ("and", I.AND), ("xor", I.XOR),
                          ("fetch_add", I.ADD | I.FETCH), ("fetch_or", I.OR | I.FETCH),
                          ("fetch_and", I.AND | I.FETCH), ("fetch_xor", I.XOR | I.FETCH),
                          ("xchg", I.XCHG), ("cmpxchg", I.CMPXCHG)):
            body = groups(lambda b, s, off, z=size, a=imm: [atomic(z, b, s, off, a)]
                          if off in ATOMIC_OFFS and not (a == I.CMPXCHG and b == 0) else [])
            yield case(f"atomic_{name}_{size}", init + body + finish())


def jump_programs() -> Iterator[tuple[str, corpus.Case]]:
    for cls, bits in ((I.JMP, 64), (I.JMP32, 32)):
        for name, op in JMP_OPS.items():
            # each taken branch ends at once ("r0 = 1; exit"): no path explosion
            body = []
            for d in REGS:
                for s in REGS:
                    body += [jmp(op, d, 1, s=s, cls=cls), ja(2), mov(0, 1), EXIT]
            yield case(f"jmp_{name}{bits}_x", scalars() + body + finish())
            # against an immediate, each test on a fresh value (the context pointer kept on
            # the stack, rx_queue_index sign-extended: any s32), so what earlier tests taught
            # the verifier decides no later one; "if rD op imm goto +1; r0 = 1" joins both
            # ways at once. Only comparisons no s32 value can fail or pass (jge 0, jle -1,
            # jsge -0x80000000 ...) are decided: the kernel removes them, as it does in
            # real programs.
            body = [stx("dw", 10, 1, -8)]
            for d in REGS:
                for imm in IMMS:
                    body += [ldx("dw", d, 10, -8), ldx("w", d, d, 16), alu(I.ALU64, I.MOV, d, d, x=True, off=32),
                             jmp(op, d, 1, imm=imm, cls=cls), mov(0, 1)]
            yield case(f"jmp_{name}{bits}_k", body + finish())


def distance_programs() -> Iterator[tuple[str, corpus.Case]]:
    # forward conditional jumps over 118..130 bytes
    for n in range(118, 131):
        f = filler(n)
        yield case(f"dist_jcc_fwd_{n}", scalars() + [jmp(I.JGT, 1, len(f), s=2)] + f + finish())
        # goto over live code: if r1 > r2 goto L; goto M; L: filler; M: ...
        yield case(f"dist_ja_fwd_{n}", scalars() + [jmp(I.JGT, 1, 1, s=2), ja(len(f))] + f + finish())
    # backward: a bounded loop whose closing jump spans n bytes
    for n in range(124, 134):
        # L: r9 += 1 (4 bytes); filler; if r9 < 3 goto L (4 + 2 bytes)
        f = filler(n - 10)
        yield case(f"dist_jcc_back_{n}",
                   scalars() + [mov(9, 0), alu(I.ALU64, I.ADD, 9, imm=1)] + f
                   + [jmp(I.JLT, 9, -(len(f) + 2), imm=3)] + finish())
        # L: r9 += 1; if r9 > 3 goto out (4 + 2); filler; goto L (2)
        f = filler(n - 12)
        yield case(f"dist_ja_back_{n}",
                   scalars() + [mov(9, 0), alu(I.ALU64, I.ADD, 9, imm=1), jmp(I.JGT, 9, len(f) + 1, imm=3)] + f
                   + [ja(-(len(f) + 3))] + finish())
    # exits jumping back to the epilogue of the first exit
    for n in range(116, 134, 2):
        f = filler(n)
        yield case(f"dist_exit_{n}", scalars() + [jmp(I.JGT, 1, 2, s=2), mov(0, 1), EXIT] + f + finish())
    # gotol (JMP32 | JA, imm offset)
    for n in (100, 130):
        f = filler(n)
        yield case(f"dist_gotol_{n}",
                   scalars() + [jmp(I.JGT, 1, 1, s=2), I.Insn(I.JMP32 | I.JA, 0, 0, 0, len(f))] + f + finish())
    # jumps across code that vanishes (mov r1 = r1, le64) and gotos that become 0 bytes
    yield case("dist_zero_bytes", scalars() + [jmp(I.JGT, 1, 1, s=2), ja(2), movr(1, 1),
                                               I.Insn(I.ALU | I.END | I.TO_LE, 1, 0, 0, 64)] + finish())
    # chains where each jump shrinks only after the next one did: one pass per link; with
    # more than 15 links the JIT pads the ones that shrink late
    for links in (5, 14, 20, 30):
        body = []
        f = filler(59)
        for k in range(links):
            last = k == links - 1
            body += [jmp(I.JGT, 1, len(f) * 2 if last else len(f) * 2 + 1, s=2)] + f
        body += f
        yield case(f"chain_jcc_{links}", scalars() + body + finish())
        # goto chain: "if r1 > r2 goto +1; goto L; filler" links (filler reachable)
        g = filler(58)
        body = []
        for k in range(links):
            last = k == links - 1
            body += [jmp(I.JGT, 1, 1, s=2), ja(len(g) * 2 if last else len(g) * 2 + 2)] + g
        body += g
        yield case(f"chain_ja_{links}", scalars() + body + finish())
    # forward jumps whose span holds jumps that shrink (nested, all to one label)
    for n in (8, 20):
        body = []
        for k in range(n):
            body += [jmp(I.JGT, 1, (n - k - 1) * 2 + 31, s=2), mov(0, k)]
        body += filler(60)
        yield case(f"nest_jcc_{n}", scalars() + body + finish())


def prologue_programs() -> Iterator[tuple[str, corpus.Case]]:
    for mask in range(16):
        for stack in (False, True):
            body = [mov(6 + r, r) for r in range(4) if mask & (1 << r)]
            if stack:
                body.append(st("dw", 10, -8, 1))
            yield case(f"prologue_{mask:x}{'_stack' if stack else ''}", body + finish())
    yield case("prologue_stack_big", [st("dw", 10, -512, 1)] + finish())
    # a helper call and several exits with callee-saved registers
    yield case("helper_calls", [movr(6, 1), call(5), movr(7, 0), call(7), jmp(I.JGT, 0, 2, s=7), mov(0, 1),
                                EXIT, movr(8, 0), movr(9, 6)] + finish())


def subprog_programs() -> Iterator[tuple[str, corpus.Case]]:
    # main: call sub; exit. sub: various bodies
    yield case("sub_simple", [pcall(2), mov(0, 2), EXIT, mov(0, 1), EXIT])
    yield case("sub_stack", [st("dw", 10, -8, 1), pcall(2), mov(0, 2), EXIT, st("dw", 10, -16, 1), mov(0, 1), EXIT])
    yield case("sub_regs", [movr(6, 1), pcall(3), movr(0, 6), mov(0, 2), EXIT,
                            movr(7, 1), movr(8, 7), movr(9, 8), mov(0, 1), EXIT])
    yield case("sub_nested", [pcall(2), mov(0, 2), EXIT, pcall(2), mov(0, 1), EXIT,
                              st("dw", 10, -8, 1), call(5), EXIT])
    yield case("sub_two", [movr(6, 1), pcall(4), movr(1, 6), pcall(4), mov(0, 2), EXIT,
                           mov(0, 1), EXIT, movr(9, 1), mov(0, 3), EXIT])
    body = [ldx("w", 2, 1, 16)]
    for k in range(40):
        body += [jmp(I.JGT, 2, 1, imm=5), mov(0, k)]
    yield case("sub_long", [pcall(2), mov(0, 2), EXIT] + body + [mov(0, 1), EXIT])


def tail_call_programs() -> Iterator[tuple[str, corpus.Case]]:
    pa = {0: corpus.MapSpec(PROG_ARRAY, 4, 4, 4, name="jt")}

    def tc(key: list[I.Insn], pre: list[I.Insn] | None = None) -> tuple[list[I.Insn], int]:
        body = list(pre or []) + [movr(6, 1)]
        ref = len(body)
        body += ld64(2, 0, 1) + [movr(1, 6)] + key + [call(12)]
        return body, ref

    b, r = tc([mov(3, 0)])
    yield case("tail_direct", b + finish(), maps=pa, refs={r: 0})
    b, r = tc([mov(3, 1)], [st("dw", 10, -8, 1)])
    yield case("tail_direct_stack", b + [movr(7, 6), movr(8, 6), movr(9, 6)] + finish(), maps=pa, refs={r: 0})
    b, r = tc([ldx("w", 3, 1, 16)])
    yield case("tail_indirect", b + finish(), maps=pa, refs={r: 0})
    b, r = tc([ldx("w", 3, 1, 16)], [st("dw", 10, -8, 1)])
    yield case("tail_indirect_stack", b + [movr(9, 6)] + finish(), maps=pa, refs={r: 0})
    b, r = tc([mov(3, 7)])
    yield case("tail_key_out_of_range", b + finish(), maps=pa, refs={r: 0})
    # one call site reached with two different constants: poisoned, indirect
    body = [movr(6, 1), ldx("w", 7, 1, 16), mov(3, 0), jmp(I.JEQ, 7, 1, imm=0), mov(3, 1)]
    ref = len(body)
    body += ld64(2, 0, 1) + [movr(1, 6), call(12)] + finish()
    yield case("tail_key_merged", body, maps=pa, refs={ref: 0})
    # the same constant on both paths: still direct
    body = [movr(6, 1), ldx("w", 7, 1, 16), mov(3, 1), jmp(I.JEQ, 7, 1, imm=0), mov(3, 1)]
    ref = len(body)
    body += ld64(2, 0, 1) + [movr(1, 6), call(12)] + finish()
    yield case("tail_key_same", body, maps=pa, refs={ref: 0})
    # (tail calls from subprograms and callbacks need BTF: progs/jit_calls.c)


def helper_programs() -> Iterator[tuple[str, corpus.Case]]:
    yield case("inline_smp_processor_id", [call(8), movr(6, 0), call(8)] + finish())
    yield case("inline_jiffies64", [call(118), movr(7, 0)] + finish())
    for mname, mtype, ks, vs in (("array", ARRAY, 4, 8), ("array_odd", ARRAY, 4, 12),
                                 ("percpu_array", PERCPU_ARRAY, 4, 8), ("hash", HASH, 4, 8),
                                 ("lru_hash", LRU_HASH, 4, 8), ("percpu_hash", PERCPU_HASH, 8, 16)):
        maps = {0: corpus.MapSpec(mtype, ks, vs, 16, name="m")}
        body = [st("dw", 10, -8, 1), movr(2, 10), alu(I.ALU64, I.ADD, 2, imm=-8)]
        ref = len(body)
        body += ld64(1, 0, 1) + [call(1), jmp(I.JEQ, 0, 1, imm=0), ldx("w", 0, 0, 0)] + finish()
        yield case(f"inline_lookup_{mname}", body, maps=maps, refs={ref: 0})
        body = [st("dw", 10, -8, 1), st("dw", 10, -16, 2), st("dw", 10, -24, 3), movr(2, 10),
                alu(I.ALU64, I.ADD, 2, imm=-8), movr(3, 10), alu(I.ALU64, I.ADD, 3, imm=-24)]
        ref = len(body)
        body += ld64(1, 0, 1) + [mov(4, 0), call(2)] + finish()
        yield case(f"update_{mname}", body, maps=maps, refs={ref: 0})
    # map value address (PSEUDO_MAP_VALUE) and a bpf_loop callback (PSEUDO_FUNC)
    maps = {0: corpus.MapSpec(ARRAY, 4, 64, 1, name="g")}
    yield case("map_value_addr", ld64(1, 0, 2) + [ldx("dw", 0, 1, 8)] + finish(), maps=maps, refs={0: 0})


def ld_abs_programs() -> Iterator[tuple[str, corpus.Case]]:
    body = [movr(6, 1)]
    for imm in (0, 12, 127, 128, 1000):
        for size in (I.B, I.H, I.W):
            body.append(I.Insn(I.LD | I.ABS | size, 0, 0, 0, imm))
    yield case("ld_abs", body + finish(0), prog_type=SOCKET_FILTER)
    body = [movr(6, 1)] + [mov(r, 2 + r) for r in (1, 2, 3, 4, 5, 7, 8, 9)] + [mov(0, 0)]
    for size in (I.B, I.H, I.W):
        for s in (0, 1, 2, 3, 4, 5, 7, 8, 9):
            for imm in (0, 4, 127, 128):
                body += [mov(s, 1), I.Insn(I.LD | I.IND | size, 0, s, 0, imm)]
    yield case("ld_ind", body + finish(0), prog_type=SOCKET_FILTER)


def micro_programs() -> list[tuple[str, corpus.Case]]:
    out: list[tuple[str, corpus.Case]] = []
    for gen in (alu_programs, memory_programs, jump_programs, distance_programs, prologue_programs,
                subprog_programs, tail_call_programs, helper_programs, ld_abs_programs):
        out.extend(gen())
    return out
