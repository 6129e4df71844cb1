"""Size model of the Linux 6.18 x86-64 BPF JIT: ``jited_prog_len`` without emitting code.

The simulated kernel does not translate programs to machine code, but ``bpf_prog_info``
reports how big the JIT image is (``bpftool prog show``: ``jited 211B``; ``ip link``:
``jited``), per function for programs with bpf-to-bpf calls (``jited_func_lens``, summed
into ``jited_prog_len``). This module computes those numbers from the verifier's final
(xlated) instructions the way ``arch/x86/net/bpf_jit_comp.c`` lays out its image, for the
oracle machine (:data:`TARGET`: no IBT, retpolines, return thunk, BMI2; JIT hardening off,
a privileged loader). Facts were read from the kernel's JIT and measured on the real
kernel (``tests/jit/``); no code was taken from it.

How the image is laid out, and what this model counts:

* **Functions.** Every subprogram is JITed on its own (``subprog_starts``); the main
  program and each subprogram get a prologue and an epilogue. ``jited_prog_len`` is the sum
  of the functions' lengths.
* **Prologue.** ``nop5`` (the trampoline's patch site), ``nop3`` or ``xor rax, rax`` (the
  tail-call counter of the entry function), ``push rbp; mov rbp, rsp`` (IBT builds add two
  ``endbr64``), ``sub rsp, imm32`` when the function has stack, the tail-call counter
  set-up (14 bytes in the main program, 2 in a subprogram) when a tail call is reachable,
  and ``push`` of each callee-saved register the function mentions (r6 = rbx: 1 byte,
  r7-r9 = r13-r15: 2 bytes).
* **Per instruction** the byte count of what the JIT emits (:func:`insn_size`), from the
  opcode table (``op.kind``/``op.name``) and the operands: REX prefixes for 64-bit
  operations and for r5/r7/r8/r9/r11 (x86 r8..r15), ``imm8`` vs ``imm32`` immediates and
  displacements, the short forms for rax, ``xor`` for zero, ``mov r32, imm32`` vs
  ``mov r64, simm32`` vs ``movabs``, BMI2 shifts (``shlx``/``shrx``/``sarx``) except for a
  count in r4 (rcx), the rax/rdx dance around ``div``/``idiv``, ``cmpxchg`` loops for
  fetching and/or/xor, the per-CPU ``mov`` (off -1: ``add reg, gs:[this_cpu_off]``), tail
  calls (direct, patched through a poke descriptor, or indirect through a retpoline thunk),
  and ``LD_ABS``/``LD_IND`` as the verifier's ``bpf_skb_load_helper_*`` sequence.
* **Jumps and exits** take 2 bytes (``rel8``, offsets -128..123) or 5/6 bytes (``rel32``);
  a ``goto`` whose displacement is 0 vanishes. The first ``exit`` emits the epilogue (pops,
  ``leave``, return thunk); later ones jump to it. Sizes depend on distances that depend
  on sizes, so the model runs the JIT's own fixed point: addresses start at 64 bytes per
  instruction, each pass recomputes every size from the previous pass's addresses (the
  current pass's for backward targets), until the image length repeats (one more pass
  emits it); from pass 15 on, shrinking jumps are padded with nops, as in the kernel.

Only jumps and exits are revisited per pass (everything else is summed once), so a
1,000-instruction program takes well under a millisecond (``bench/bench_jit.py``).

Not modelled (the simulated kernel has none of them): classic BPF programs, arena
(``addr_space_cast``, ``PROBE_MEM32``), ``PROBE_MEM`` loads of tracing programs, private
stacks, exceptions (``bpf_throw``), constant blinding (``bpf_jit_harden`` is 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .uapi import insn as I
from .uapi import opcodes as O

__all__ = ["TARGET", "CpuFeatures", "JitError", "func_lens", "insn_size", "jited_len", "tail_call_reachable"]


@dataclass(frozen=True)
class CpuFeatures:
    """What of the CPU and the kernel build changes the code the JIT emits."""

    bmi2: bool = True          # shlx/shrx/sarx for shifts by register
    ibt: bool = False          # CONFIG_X86_KERNEL_IBT: endbr64 at entry and at the tail-call entry
    rethunk: bool = True       # return through the return thunk (jmp rel32) instead of ret
    retpoline: bool = True     # indirect jumps through __x86_indirect_thunk_* (jmp rel32)
    retpoline_lfence: bool = False  # "lfence; jmp *reg" instead


#: The oracle machine: 6.18.44 x86-64 (AMD EPYC): no IBT, retpolines, SRSO safe-RET return
#: thunk, BMI2; ``net.core.bpf_jit_harden`` = 0.
TARGET = CpuFeatures()


class JitError(Exception):
    """The JIT would give up (no convergence within 20 passes, a padding surprise)."""


MAX_PASSES = 20
PADDING_PASSES = MAX_PASSES - 5
TAIL_CALL_HELPER = 12
_PSEUDO_CALL, _PSEUDO_FUNC = 1, 4
_TAIL_CALL_CODE = I.JMP | 0xF0     # BPF_JMP | BPF_TAIL_CALL (kernel-internal)
_NOSPEC_CODE = I.ST | 0xC0         # BPF_ST | BPF_NOSPEC (kernel-internal: lfence)
_PERCPU_OFF = -1                   # mov64 with off -1: BPF_ADDR_PERCPU
_MOD_AREA_FUNC = 7                 # ld_imm64 of a JITed function: mov r64, simm32 (module area)
_AUX = 12                          # the JIT's scratch register (x86 r11), extended

# BPF registers that live in x86 r8..r15 (need REX.B/R): r5=r8, r7=r13, r8=r14, r9=r15,
# r11 (BPF_REG_AX)=r10; the JIT's own temporaries (r11, r9, r12) are extended too.
_EREG = (False, False, False, False, False, True, False, True, True, True, False, True, True)
# byte registers that need a REX prefix: the extended ones and sil/dil/bpl (r2, r1, r10)
_EREG8L = (False, True, True, False, False, True, False, True, True, True, True, True, True)


def _e(r: int) -> int:
    return 1 if _EREG[r] else 0


def _rex(is64: bool, *regs: int) -> int:
    """A REX prefix: always for 64-bit operand size, else only for an extended register."""
    if is64:
        return 1
    for r in regs:
        if _EREG[r]:
            return 1
    return 0


def _imm8(v: int) -> bool:
    return -128 <= v <= 127


def _disp(off: int) -> int:
    """ModRM plus displacement: disp8 always (even 0: rbp/r13 bases need one), else disp32."""
    return 2 if -128 <= off <= 127 else 5


def _mov_imm32(sign_propagate: bool, d: int, imm: int) -> int:
    if sign_propagate and imm < 0:
        return 7                    # mov r64, simm32
    if imm == 0:
        return 2 + _e(d)            # xor r32, r32
    return 5 + _e(d)                # mov r32, imm32


def _mov_imm64(d: int, value: int) -> int:
    value &= 0xFFFFFFFFFFFFFFFF
    if value <= 0xFFFFFFFF:
        return _mov_imm32(False, d, value)
    if value >= 0xFFFFFFFF80000000:
        return _mov_imm32(True, d, value - (1 << 64))
    return 10                       # movabs


def _mov_reg(is64: bool, d: int, s: int) -> int:
    if is64:
        return 0 if d == s else 3
    return 2 + _rex(False, d, s)


# ---------------------------------------------------------------------------
# per-operation sizes, chosen by the opcode table's kind and name: fn(insn) -> bytes

SizeFn = Callable[[I.Insn], int]


def _alu_size(base: str, is64: bool, x: bool, features: CpuFeatures) -> SizeFn:
    if base in ("add", "sub", "and", "or", "xor"):
        if x:
            return lambda n: _rex(is64, n.dst, n.src) + 2                   # op r, r
        return lambda n: _rex(is64, n.dst) + (3 if -128 <= n.imm <= 127 else (5 if n.dst == 0 else 6))
    if base == "mov":
        if x and is64:                  # mov r64, r64 (none to itself); off -1: + add r, gs:[off]
            return lambda n: (0 if n.dst == n.src else 3) + (9 if n.off == _PERCPU_OFF else 0)
        if x:
            return lambda n: 2 + _rex(False, n.dst, n.src)                 # mov r32, r32 (zero-extends)
        return lambda n: _mov_imm32(is64, n.dst, n.imm)
    if base == "neg":
        return lambda n: _rex(is64, n.dst) + 2
    if base == "mul":
        if x:
            return lambda n: _rex(is64, n.src, n.dst) + 3                   # imul r, r
        return lambda n: _rex(is64, n.dst) + (3 if -128 <= n.imm <= 127 else 6)   # imul r, r, imm
    if base in ("div", "mod", "sdiv", "smod"):
        signed = base[0] == "s"
        keeps = 0 if base.endswith("div") else 3   # the result is in rax (div) or rdx (mod)

        def divmod_size(n: I.Insn) -> int:
            d, s = n.dst, n.src
            size = (d != 0) + (d != 3)              # push rax / push rdx
            if not x:
                size += 7                           # mov r11, imm32
                s = _AUX
            elif s in (0, 3):
                size += 3                           # mov r11, src (rax and rdx get clobbered)
                s = _AUX
            if d != 0:
                size += _mov_reg(is64, 0, d)        # mov rax, dst
            src_rex = 1 if is64 or _EREG[s] else 0
            if signed:
                size += (2 if is64 else 1) + src_rex + 2    # cqo/cdq; idiv src
            else:
                size += 2 + src_rex + 2             # xor edx, edx; div src
            if d != keeps:
                size += _mov_reg(is64, d, keeps)    # mov dst, rax/rdx
            return size + (d != 3) + (d != 0)       # pop rdx / pop rax
        return divmod_size
    if base in ("lsh", "rsh", "arsh"):
        if not x:
            return lambda n: _rex(is64, n.dst) + (2 if n.imm == 1 else 3)  # shl r, 1 / shl r, imm8

        def shift_size(n: I.Insn) -> int:
            d = n.dst
            if n.src == 4:                          # the count is in cl already: shl r, cl
                return _rex(is64, d) + 2
            if features.bmi2:
                return 5                            # VEX shlx/shrx/sarx r, r, r
            if d == 4:                              # mov r11, rcx; mov rcx, src; shl r11, cl; mov rcx, r11
                return 3 + 3 + _rex(is64, _AUX) + 2 + 3
            return 1 + 3 + _rex(is64, d) + 2 + 1    # push rcx; mov rcx, src; shl r, cl; pop rcx
        return shift_size
    raise ValueError(f"no JIT size for ALU operation {base}")


def _movsx_size(bits: int, is64: bool) -> SizeFn:
    if is64:
        size = 3 if bits == 32 else 4           # movsxd / movsx r64, r8|r16
        return lambda n: size
    if bits == 8:
        return lambda n: 4                      # movsx r32, r8 (always with REX)
    return lambda n: 3 + _rex(False, n.dst, n.src)


def _end_size(op: O.Op) -> SizeFn:
    bits = op.width
    if op.name.startswith("le"):                # to little endian: only zero-extension
        if bits == 16:
            return lambda n: 3 + _e(n.dst)      # movzx r32, r16
        if bits == 32:
            return lambda n: 2 + _e(n.dst)      # mov r32, r32
        return lambda n: 0
    if bits == 16:
        return lambda n: 7 + 2 * _e(n.dst)      # ror r16, 8; movzx r32, r16
    if bits == 32:
        return lambda n: 2 + _e(n.dst)          # bswap r32
    return lambda n: 3                          # bswap r64


def _ldx_size(op: O.Op) -> SizeFn:
    nbytes = op.width // 8
    if nbytes in (1, 2):
        return lambda n: 3 + _disp(n.off)       # movzx/movsx r64, m8|m16 (REX.W)
    if nbytes == 8 or op.signed:
        return lambda n: 2 + _disp(n.off)       # mov r64, m64 / movsxd r64, m32
    return lambda n: 1 + _rex(False, n.src, n.dst) + _disp(n.off)


def _st_size(op: O.Op) -> SizeFn:
    nbytes = op.width // 8
    immb = 4 if nbytes == 8 else nbytes         # a 64-bit store takes a sign-extended imm32
    if nbytes == 8:
        return lambda n: 2 + _disp(n.off) + immb
    head = 2 if nbytes == 2 else 1              # 0x66 prefix for 16 bits
    return lambda n: head + _e(n.dst) + _disp(n.off) + immb


def _stx_size(op: O.Op) -> SizeFn:
    nbytes = op.width // 8
    if nbytes == 8:
        return lambda n: 2 + _disp(n.off)
    if nbytes == 1:                             # sil/dil/bpl need a REX prefix too
        return lambda n: 1 + (1 if _EREG[n.dst] or _EREG8L[n.src] else 0) + _disp(n.off)
    head = 2 if nbytes == 2 else 1
    return lambda n: head + _rex(False, n.dst, n.src) + _disp(n.off)


def _atomic_size(op: O.Op) -> SizeFn:
    is64 = op.width == 64
    what = op.name[len("atomic_"):].rstrip("0123456789")
    if what in ("fetch_and", "fetch_or", "fetch_xor"):     # no x86 instruction: a cmpxchg loop
        def cmpxchg_loop(n: I.Insn) -> int:
            rd = 11 if n.dst == 0 else n.dst                # r0 lives in r11 (BPF_REG_AX) meanwhile
            rs = 11 if n.src == 0 else n.src
            size = 3                                        # mov r10, rax
            size += (2 if is64 else 1 + _e(rd)) + _disp(n.off)  # mov rax, [dst + off]
            size += 3 + 3                                   # mov r11, rax; op r11, src
            size += 1 + 1 + 2 + _disp(n.off)                # lock cmpxchg [dst + off], r11
            size += 2                                       # jne back
            size += _mov_reg(is64, rs, 0)                   # mov src, rax
            return size + 3                                 # mov rax, r10
        return cmpxchg_loop
    opcode = 2 if what in ("fetch_add", "cmpxchg") else 1  # xadd / cmpxchg are 0f xx
    return lambda n: 1 + _rex(is64, n.dst, n.src) + opcode + _disp(n.off)


def _op_size(op: O.Op, features: CpuFeatures) -> SizeFn | None:
    """Bytes the JIT emits for one instruction of this straight-line form (None for jumps,
    calls, exit, ld_imm64 and LD_ABS/LD_IND, which the layout sizes)."""
    k = op.kind
    if k is O.Kind.ALU:
        base = op.name.split("_")[0].rstrip("0123456789")
        return _alu_size(base, op.width == 64, op.x, features)
    if k is O.Kind.MOVSX:
        return _movsx_size(op.off or 0, op.width == 64)
    if k is O.Kind.END:
        return _end_size(op)
    if k is O.Kind.LDX:
        return _ldx_size(op)
    if k is O.Kind.ST:
        return _st_size(op)
    if k is O.Kind.STX:
        return _stx_size(op)
    if k is O.Kind.ATOMIC:
        return _atomic_size(op)
    return None


def _by_field(field: str, forms: dict[int, SizeFn], default: SizeFn | None) -> SizeFn:
    """One opcode byte, several forms told apart by ``off`` (sdiv, movsx) or ``imm``
    (atomics, byte swaps)."""
    def pick(n: I.Insn) -> int:
        fn = forms.get(getattr(n, field), default)
        if fn is None:
            raise JitError(f"no form of opcode {n.code:#04x} with {field} {getattr(n, field)}")
        return fn(n)
    return pick


def _build_table(features: CpuFeatures) -> tuple[dict[int, SizeFn], dict[int, O.Kind]]:
    """Per opcode byte: the size function of straight-line code, and the kind of the rest."""
    sizes: dict[int, SizeFn] = {}
    kinds: dict[int, O.Kind] = {}
    for code in sorted({op.code for op in O.OPS}):
        ops = O.family(code)
        plain = next((op for op in ops if op.off is None and op.imm is None), ops[0])
        fns = {op: _op_size(op, features) for op in ops}
        if fns[plain] is None:
            kinds[code] = plain.kind
            continue
        if len(ops) == 1 and plain.imm is None:
            sizes[code] = fns[plain]
        elif plain.kind in (O.Kind.ATOMIC, O.Kind.END):
            sizes[code] = _by_field("imm", {op.imm: fns[op] for op in ops}, None)   # type: ignore[misc]
        else:
            forms = {op.off: fns[op] for op in ops if op.off is not None}
            default = fns[plain]
            sizes[code] = _by_field("off", forms, default) if forms else default  # type: ignore[arg-type]
    sizes[_NOSPEC_CODE] = lambda n: 3                      # lfence
    return sizes, kinds


_TABLES: dict[CpuFeatures, tuple[dict[int, SizeFn], dict[int, O.Kind]]] = {}


def _table(features: CpuFeatures) -> tuple[dict[int, SizeFn], dict[int, O.Kind]]:
    t = _TABLES.get(features)
    if t is None:
        t = _TABLES[features] = _build_table(features)
    return t


def insn_size(ins: I.Insn, features: CpuFeatures = TARGET) -> int:
    """Bytes the JIT emits for one straight-line instruction (not a jump, call, exit,
    ld_imm64 or LD_ABS/LD_IND: those are sized by the layout)."""
    fn = _table(features)[0].get(ins.code)
    if fn is None:
        raise JitError(f"opcode {ins.code:#04x} is not straight-line code")
    return fn(ins)


# ---------------------------------------------------------------------------
# program structure: functions, calls, tail calls

def _is_tail_call(ins: I.Insn) -> bool:
    return ins.code == _TAIL_CALL_CODE or (ins.code == _CALL and ins.src == 0 and ins.imm == TAIL_CALL_HELPER)


def _callee_start(i: int, ins: I.Insn, starts: Sequence[int]) -> int:
    """Start of the function a bpf-to-bpf call or a PSEUDO_FUNC ld_imm64 refers to: xlated
    calls carry the callee's index in ``imm`` (the pc-relative offset in ``off``), PSEUDO_FUNC
    loads the pc-relative offset in ``imm``."""
    if ins.code == _CALL and 0 <= ins.imm < len(starts):
        return starts[ins.imm]
    return i + ins.imm + 1


def tail_call_reachable(insns: Sequence[I.Insn], starts: Sequence[int]) -> list[bool]:
    """Per function: whether the JIT keeps a tail-call counter in it.

    As the 6.18 verifier decides: a function that tail-calls, and every function on the
    call stack below a function whose end the stack-depth walk reaches after it has entered
    a callee with a tail call (the walk starts at the main program and follows calls and
    callback references in instruction order; the flag, once set, stays set)."""
    n = len(starts)
    bounds = list(starts) + [len(insns)]
    index = {s: k for k, s in enumerate(starts)}
    has_tc = [any(_is_tail_call(insns[i]) for i in range(bounds[k], bounds[k + 1])) for k in range(n)]
    marked = list(has_tc)
    if not any(has_tc) or n == 1:
        return marked
    seen_tc = False
    frames: list[int] = []

    def walk(f: int) -> None:
        nonlocal seen_tc
        if len(frames) >= 8:                            # MAX_CALL_FRAMES: the verifier refused deeper
            return
        i = bounds[f]
        while i < bounds[f + 1]:
            ins = insns[i]
            if (ins.code == _CALL and ins.src == _PSEUDO_CALL) or (ins.code == _LD_IMM64 and ins.src == _PSEUDO_FUNC):
                callee = index.get(_callee_start(i, ins, starts))
                if callee is not None:
                    if has_tc[callee]:
                        seen_tc = True
                    frames.append(f)
                    walk(callee)
                    frames.pop()
            i += 2 if ins.code == _LD_IMM64 else 1
        if seen_tc:
            for g in frames:
                marked[g] = True

    walk(0)
    return marked


MapMaxEntries = Callable[[int], "int | None"]


def _direct_tail_calls(insns: Sequence[I.Insn], lo: int, hi: int, sites: list[int],
                       max_entries: MapMaxEntries | None) -> set[int]:
    """Tail calls (``call 12`` form) at ``sites`` the verifier turns into direct ones.

    The kernel patches a tail call in place (a poke descriptor) when every verified path
    reaches it with the same prog array in r2 and the same constant key in r3, below the
    map's max_entries. This is a forward constant propagation over the function (branches
    decided by constants are followed one way, ``==``/``!=`` against a constant refine the
    register): the path-sensitive verifier's view for the programs compilers produce."""
    kinds = _table(TARGET)[1]
    states: dict[int, tuple] = {lo: (None,) * 12}
    work = [lo]

    def merge(at: int, st: tuple) -> None:
        old = states.get(at)
        if old is None:
            states[at] = st
            work.append(at)
            return
        new = tuple(a if a == b else None for a, b in zip(old, st, strict=True))
        if new != old:
            states[at] = new
            work.append(at)

    while work:
        i = work.pop()
        if not lo <= i < hi:
            continue
        st = states[i]
        ins = insns[i]
        kind = kinds.get(ins.code)
        regs = list(st)
        if kind is O.Kind.LD_IMM64:
            hi32 = insns[i + 1].imm if i + 1 < hi else 0
            regs[ins.dst] = None if ins.src == _PSEUDO_FUNC else (ins.imm & _M32) | ((hi32 & _M32) << 32)
            merge(i + 2, tuple(regs))
        elif kind is O.Kind.EXIT:
            pass
        elif kind is O.Kind.JA:
            merge(i + 1 + (ins.imm if ins.code == I.JMP32 | I.JA else ins.off), st)
        elif kind is O.Kind.JMP:
            op = O.lookup(ins)
            if op is None:
                continue
            a = st[ins.dst]
            b = st[ins.src] if op.x else ins.imm & _M64
            taken, fall = i + 1 + ins.off, i + 1
            if a is not None and b is not None and op.fn is not None:
                m = (1 << op.width) - 1
                merge(taken if op.fn(a & m, b & m) else fall, st)
                continue
            t_regs, f_regs = list(st), list(st)
            if not op.x and op.width == 64 and op.name.startswith(("jeq", "jne")):
                (t_regs if op.name.startswith("jeq") else f_regs)[ins.dst] = ins.imm & _M64
            merge(taken, tuple(t_regs))
            merge(fall, tuple(f_regs))
        elif kind is not None or ins.code == _TAIL_CALL_CODE:     # calls, LD_ABS/LD_IND
            for r in range(6):
                regs[r] = None
            merge(i + 1, tuple(regs))
        else:                                                       # straight-line code
            op = O.lookup(ins)
            if op is None:
                pass
            elif op.kind in (O.Kind.ALU, O.Kind.MOVSX, O.Kind.END):
                regs[ins.dst] = _fold(op, ins, regs)
            elif op.kind is O.Kind.LDX:
                regs[ins.dst] = None
            elif op.kind is O.Kind.ATOMIC and ins.imm & I.FETCH:
                regs[0 if ins.imm == I.CMPXCHG else ins.src] = None
            merge(i + 1, tuple(regs))
    direct = set()
    for i in sites:
        st = states.get(i)
        if st is None or st[2] is None or st[3] is None:
            continue
        limit = max_entries(st[2]) if max_entries is not None else None
        if limit is None or st[3] < limit:
            direct.add(i)
    return direct


def _fold(op: O.Op, ins: I.Insn, regs: list) -> int | None:
    """The constant an ALU instruction leaves in dst, or None."""
    if op.fn is None or (ins.code == I.ALU64 | I.MOV | I.X and ins.off == _PERCPU_OFF):
        return None
    moves = op.name.startswith("mov")
    a = regs[ins.dst]
    b = regs[ins.src] if op.x else ins.imm & _M64
    if b is None or (a is None and not moves):
        return None
    mask = _M64 if op.kind is O.Kind.END else (1 << op.width) - 1
    try:
        return op.fn((a or 0) & mask, b & mask) & mask
    except (ArithmeticError, ValueError):
        return None


# ---------------------------------------------------------------------------
# the image layout

_JCC, _JMP, _EXIT = 0, 1, 2
_CALL = I.JMP | I.CALL
_LD_IMM64 = I.LD | I.IMM | I.DW
_M32, _M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF


def _jcc_pre(ins: I.Insn, op: O.Op) -> int:
    """Bytes of the compare (cmp/test) in front of a conditional jump."""
    is64 = op.width == 64
    if op.x:
        return _rex(is64, ins.dst, ins.src) + 2         # cmp/test r, r
    if op.name.startswith("jset"):
        return _rex(is64, ins.dst) + 6                  # test r, imm32
    if ins.imm == 0:
        return _rex(is64, ins.dst) + 2                  # test r, r
    return _rex(is64, ins.dst) + (3 if -128 <= ins.imm <= 127 else 6)   # cmp r, imm8|imm32


class _Function:
    """One function as the JIT walks it, folded for the passes.

    Only jumps and the exits after the first one change size between passes (``var``:
    kind, compare bytes, target instruction, kernel instruction index, ``goto -1``); all
    other code - the first exit included, which is where the epilogue goes - is summed into
    the ``gap`` before the next variable item or into ``tail``. For every instruction start
    ``vb``/``dl`` say which variable item precedes it and how many fixed bytes lie between,
    and ``kx`` is its index in the kernel's instruction array (an ld_imm64 takes two, an
    LD_ABS/LD_IND is the verifier's six-instruction call sequence)."""

    __slots__ = ("var", "gap", "tail", "vb", "dl", "kx", "n_kernel", "cleanup")

    def __init__(self) -> None:
        self.var: list[tuple] = []
        self.gap: list[int] = []
        self.tail = 0
        self.vb: dict[int, int] = {}
        self.dl: dict[int, int] = {}
        self.kx: dict[int, int] = {}
        self.n_kernel = 0
        self.cleanup: tuple[int, int] | None = None


def _fold_function(insns: Sequence[I.Insn], lo: int, hi: int, features: CpuFeatures, *, stack: bool,
                   tcr: bool, pops: int, direct: set[int]) -> _Function:
    sizes, kinds = _table(features)
    fn = _Function()
    var, gap = fn.var, fn.gap
    vb, dl, kx = fn.vb, fn.dl, fn.kx
    epilogue = pops + 1 + (5 if features.rethunk else 1)        # pops, leave, ret | jmp thunk
    ijump = 5 if features.retpoline or features.retpoline_lfence else 3
    tc_out = pops + 2 + (7 if stack else 0)                     # pops, pop rax x2, add rsp
    tc_direct = 7 + 4 + 2 + 5 + 4 + tc_out + 5
    tc_indirect = 2 + 3 + 2 + 7 + 4 + 2 + 8 + 3 + 2 + 4 + tc_out + 4 + 4 + ijump
    call = 5 + (7 if tcr else 0)                                # mov rax, [rbp - tcc_ptr]; call
    acc = 0
    k = 0
    i = lo
    while i < hi:
        ins = insns[i]
        vb[i] = len(var) - 1
        dl[i] = acc
        kx[i] = k
        size_of = sizes.get(ins.code)
        if size_of is not None:
            acc += size_of(ins)
            i += 1
            k += 1
            continue
        kind = kinds.get(ins.code)
        if kind is O.Kind.JMP:
            op = O.lookup(ins)
            if op is None:
                raise JitError(f"unknown jump at insn {i}")
            var.append((_JCC, _jcc_pre(ins, op), i + 1 + ins.off, k, False))
        elif kind is O.Kind.JA:
            rel = ins.imm if ins.code == I.JMP32 | I.JA else ins.off
            var.append((_JMP, 0, i + 1 + rel, k, rel == -1))
        elif kind is O.Kind.EXIT:
            if fn.cleanup is None:
                fn.cleanup = (len(var) - 1, acc)
                acc += epilogue
                i += 1
                k += 1
                continue
            var.append((_EXIT, 0, 0, k, False))
        elif kind is O.Kind.LD_IMM64:
            if ins.src == _PSEUDO_FUNC:
                acc += _MOD_AREA_FUNC
            else:
                hi32 = insns[i + 1].imm if i + 1 < hi else 0
                acc += _mov_imm64(ins.dst, (ins.imm & _M32) | ((hi32 & _M32) << 32))
            i += 2
            k += 2
            continue
        elif kind is O.Kind.CALL or ins.code == _TAIL_CALL_CODE:
            if _is_tail_call(ins):
                is_direct = (ins.code == _TAIL_CALL_CODE and ins.imm != 0) or i in direct
                acc += tc_direct if is_direct else tc_indirect
            else:
                acc += call if ins.src == _PSEUDO_CALL else 5
            i += 1
            k += 1
            continue
        elif kind is O.Kind.LD_ABS or kind is O.Kind.LD_IND:
            # bpf_gen_ld_abs: r2 = imm | r2 = src [; r2 += imm]; r1 = r6;
            # call bpf_skb_load_helper_N_no_cache; if r0 s>= 0 goto +2; w0 ^= w0; exit
            if kind is O.Kind.LD_ABS:
                acc += _mov_imm32(True, 2, ins.imm)
            else:
                acc += _mov_reg(True, 2, ins.src)
                if ins.imm:
                    acc += 1 + (3 if -128 <= ins.imm <= 127 else 6)
                    k += 1
            acc += 3 + 5
            k += 3
            gap.append(acc)
            var.append((_JCC, 3, i + 1, k, False))              # if r0 s>= 0: on to the next insn
            acc = 2                                             # xor eax, eax
            k += 2
            if fn.cleanup is None:
                fn.cleanup = (len(var) - 1, acc)
                acc += epilogue
            else:
                gap.append(acc)
                var.append((_EXIT, 0, 0, k, False))
                acc = 0
            i += 1
            k += 1
            continue
        else:
            raise JitError(f"unknown opcode {ins.code:#04x} at insn {i}")
        gap.append(acc)
        acc = 0
        i += 1
        k += 1
    vb[hi] = len(var) - 1
    dl[hi] = acc
    kx[hi] = k
    fn.tail = acc
    fn.n_kernel = k
    return fn


def _layout(fn: _Function, prologue: int) -> int:
    """Run the JIT's passes over one function; returns its image length.

    As ``do_jit``: the first pass assumes 64 bytes per instruction; each pass sizes every
    jump from the previous pass's addresses (this pass's for targets at or before the
    jump, and for the epilogue); the image is done when a pass yields the length of the
    one before (one more pass emits it); from pass 15 on, jumps that would shrink are
    padded with nops to their previous size."""
    var, gap, vb, dl = fn.var, fn.gap, fn.vb, fn.dl
    nv = len(var)
    kinds = [v[0] for v in var]
    pres = [v[1] for v in var]
    minus_one = [v[4] for v in var]
    est_own = [64 * (v[3] + 2) for v in var]            # first pass: addrs[k + 1] = 64 (k + 2)
    tv = [vb[v[2]] if v[0] != _EXIT else -1 for v in var]
    td = [dl[v[2]] if v[0] != _EXIT else 0 for v in var]
    back = [v[0] != _EXIT and vb[v[2]] < j for j, v in enumerate(var)]
    est_tgt = [64 * (fn.kx[v[2]] + 1) if v[0] != _EXIT else 0 for v in var]
    c_var, c_delta = fn.cleanup if fn.cleanup is not None else (-1, 0)
    if any(kinds[j] != _EXIT and v[2] not in vb for j, v in enumerate(var)):
        raise JitError("a jump leaves its function or lands inside an instruction")

    prev = est_own
    oldlen = 0
    image = False
    padding = False
    pass_no = 0
    while pass_no < MAX_PASSES or image:
        if not padding and pass_no >= PADDING_PASSES:
            padding = True
        first = pass_no == 0
        cur = [0] * nv
        pos = prologue
        for j in range(nv):
            start = pos + gap[j]
            own = prev[j]
            kind = kinds[j]
            if kind == _EXIT:                           # jmp to this pass's epilogue
                off = (prologue if c_var < 0 else cur[c_var]) + c_delta - own
            elif minus_one[j] and kind == _JMP:
                off = -2
            elif back[j]:
                t = tv[j]
                off = (prologue if t < 0 else cur[t]) + td[j] - own
            elif first:
                off = est_tgt[j] - own
            else:
                off = prev[tv[j]] + td[j] - own
            if kind == _JCC:
                if -128 <= off <= 123:
                    size = pres[j] + (_pad(own - start - pres[j], 2, (0, 4)) if padding else 2)
                else:
                    size = pres[j] + 6
            elif off == 0 and kind == _JMP:             # a goto to the next instruction vanishes
                size = _pad(own - start, 0, (0, 2, 5)) if padding else 0
            elif -128 <= off <= 123:
                size = _pad(own - start, 2, (0, 3)) if padding else 2
            else:
                size = 5
            pos = start + size
            cur[j] = pos
        length = pos + fn.tail
        if image:
            if length != oldlen:
                raise JitError(f"image length {length} != {oldlen} in the final pass")
            return length
        if length == oldlen:
            image = True
        oldlen = length
        prev = cur
        pass_no += 1
    raise JitError(f"the JIT did not converge in {MAX_PASSES} passes")


def _pad(room: int, emitted: int, allowed: tuple[int, ...]) -> int:
    """A short jump in a padding pass keeps the previous pass's size (``room``)."""
    nops = room - emitted
    if nops not in allowed:
        raise JitError(f"unexpected jump padding: {nops} bytes")
    return emitted + nops


# ---------------------------------------------------------------------------
# entry points

def func_lens(insns: Sequence[I.Insn], subprog_starts: Sequence[int] = (0,),
              stack_depth: Sequence[int] = (), *, map_max_entries: MapMaxEntries | None = None,
              features: CpuFeatures = TARGET) -> list[int]:
    """``jited_func_lens``: the image length of each function of an xlated program.

    ``subprog_starts`` are the functions' first instructions, ``stack_depth`` their stack
    sizes as the verifier found them (only zero/non-zero matters), ``map_max_entries``
    resolves a prog array's address (as ld_imm64 holds it) to its size, for telling direct
    tail calls from indirect ones (without it any constant key counts as in range)."""
    starts = list(subprog_starts) or [0]
    bounds = starts + [len(insns)]
    tcr = tail_call_reachable(insns, starts)
    out = []
    for f in range(len(starts)):
        lo, hi = bounds[f], bounds[f + 1]
        seg = insns[lo:hi]
        regs = {x.dst for x in seg} | {x.src for x in seg}
        pops = (1 if 6 in regs else 0) + 2 * ((7 in regs) + (8 in regs) + (9 in regs))  # rbx; r13-r15
        stack = bool(stack_depth[f]) if f < len(stack_depth) else False
        sites = [lo + j for j, x in enumerate(seg) if x.code == _CALL and x.src == 0 and x.imm == TAIL_CALL_HELPER]
        direct = _direct_tail_calls(insns, lo, hi, sites, map_max_entries) if sites else set()
        prologue = (8 if features.ibt else 0) + 5 + 3 + 1 + 3 + (7 if stack else 0) + pops
        if tcr[f]:
            prologue += 2 if f else 14
        fn = _fold_function(insns, lo, hi, features, stack=stack, tcr=tcr[f], pops=pops, direct=direct)
        out.append(_layout(fn, prologue))
    return out


def jited_len(insns: Sequence[I.Insn], subprog_starts: Sequence[int] = (0,), stack_depth: Sequence[int] = (),
              **kw: object) -> int:
    """``jited_prog_len``: the sum of the functions' image lengths."""
    return sum(func_lens(insns, subprog_starts, stack_depth, **kw))  # type: ignore[arg-type]
