"""THE eBPF opcode table (RFC 9669 plus the kernel's encodings).

One ``Op`` per instruction form. Everything that needs to know about instructions reads
this table: the decoder (``lookup``), the disassembler, both assemblers, the verifier,
the interpreter's code generator and the NFP JIT. Semantics of ALU operations and jump
conditions are written once, as Python expression templates over ``{a}`` (dst) and ``{b}``
(src or imm), already reduced to the operation's width:

* ALU: ``{a}``, ``{b}`` are unsigned ints of the op's width (imm sign-extended to 64 bits
  first, as the ISA says); the template yields the unsigned result of that width.
  A 32-bit result is zero-extended into the 64-bit register by whoever writes it back.
* JMP: the template yields a truth value; signed comparisons flip the sign bit so an
  unsigned compare gives the signed answer.

``op.fn(a, b)`` is the same template compiled once, for callers that want a function
(constant folding in the verifier, tests); the translating executor pastes ``op.expr``
into the Python it generates. Adding an opcode means adding one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from . import insn as I

M64 = 0xFFFFFFFFFFFFFFFF
M32 = 0xFFFFFFFF


def bswap16(v: int) -> int:
    return ((v & 0xFF) << 8) | ((v >> 8) & 0xFF)


def bswap32(v: int) -> int:
    return int.from_bytes((v & M32).to_bytes(4, "little"), "big")


def bswap64(v: int) -> int:
    return int.from_bytes((v & M64).to_bytes(8, "little"), "big")


def sx(v: int, bits: int) -> int:
    """Sign-extend the low ``bits`` of v to a Python int."""
    sign = 1 << (bits - 1)
    return ((v & ((1 << bits) - 1)) ^ sign) - sign


def sdiv(a: int, b: int, bits: int) -> int:
    """Signed division truncating toward zero; x/0 = 0; INT_MIN/-1 wraps (= INT_MIN)."""
    if b == 0:
        return 0
    sa, sb = sx(a, bits), sx(b, bits)
    q = abs(sa) // abs(sb)
    if (sa < 0) != (sb < 0):
        q = -q
    return q & ((1 << bits) - 1)


def smod(a: int, b: int, bits: int) -> int:
    """Signed remainder with the dividend's sign; x%0 = x; INT_MIN%-1 = 0."""
    mask = (1 << bits) - 1
    if b == 0:
        return a & mask
    sa, sb = sx(a, bits), sx(b, bits)
    r = abs(sa) % abs(sb)
    if sa < 0:
        r = -r
    return r & mask


# Names a generated expression may use (the translating executor exposes the same dict).
EXPR_NAMESPACE: dict[str, object] = {
    "M64": M64, "M32": M32, "bswap16": bswap16, "bswap32": bswap32, "bswap64": bswap64,
    "sdiv": sdiv, "smod": smod,
}


class Kind(Enum):
    ALU = "alu"            # dst = dst OP src|imm (including mov, neg)
    MOVSX = "movsx"        # dst = (sN) src
    END = "end"            # byte swap / endianness conversion
    JMP = "jmp"            # conditional jump
    JA = "ja"              # goto pc+off (JMP) / gotol pc+imm (JMP32)
    CALL = "call"          # helper / bpf-to-bpf / kfunc call (src selects)
    CALLX = "callx"        # call the helper whose number is in a register (uBPF extension)
    EXIT = "exit"
    LD_IMM64 = "ld_imm64"
    LD_ABS = "ld_abs"      # legacy packet loads (socket filters, skb programs)
    LD_IND = "ld_ind"
    LDX = "ldx"
    ST = "st"
    STX = "stx"
    ATOMIC = "atomic"


@dataclass(frozen=True, slots=True)
class Op:
    code: int
    name: str               # unique key, used by per-backend tables (e.g. NFP JIT, cycle costs)
    kind: Kind
    mnemonic: str           # bpf_conformance / uBPF assembler mnemonic
    width: int = 64         # operand width in bits (ALU/JMP) or access width (memory)
    x: bool = False         # register source operand
    off: int | None = None  # required off value that selects this form (sdiv/smod/movsx)
    imm: int | None = None  # required imm value that selects this form (atomics, END)
    signed: bool = False
    sym: str = ""           # operator text in the kernel's disassembly ("+=", "s>=", ...)
    expr: str = ""          # semantics template, see module docstring
    isa: int = 1            # first ISA version (cpu v1..v4) that has it
    fn: Callable[[int, int], int] | None = field(default=None, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Bytes accessed by a memory instruction."""
        return self.width // 8

    @property
    def is_alu32(self) -> bool:
        return self.code & 0x07 == I.ALU

    @property
    def is_jmp32(self) -> bool:
        return self.code & 0x07 == I.JMP32


def _compile(expr: str) -> Callable[[int, int], int]:
    src = "def _f(a, b):\n    return " + expr.format(a="a", b="b") + "\n"
    ns = dict(EXPR_NAMESPACE)
    exec(compile(src, "<opcode-table>", "exec"), ns)  # noqa: S102 - template from this table only
    return ns["_f"]  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# ALU
# (op bits, name, kernel operator, template with {M} = width mask, {S} = shift mask,
#  {B} = width in bits, isa)
_ALU = [
    (I.ADD, "add", "+=", "({a} + {b}) & {M}"),
    (I.SUB, "sub", "-=", "({a} - {b}) & {M}"),
    (I.MUL, "mul", "*=", "({a} * {b}) & {M}"),
    (I.DIV, "div", "/=", "({a} // {b} if {b} else 0)"),
    (I.OR, "or", "|=", "{a} | {b}"),
    (I.AND, "and", "&=", "{a} & {b}"),
    (I.LSH, "lsh", "<<=", "({a} << ({b} & {S})) & {M}"),
    (I.RSH, "rsh", ">>=", "{a} >> ({b} & {S})"),
    (I.MOD, "mod", "%=", "({a} % {b} if {b} else {a})"),
    (I.XOR, "xor", "^=", "{a} ^ {b}"),
    (I.MOV, "mov", "=", "{b}"),
    (I.ARSH, "arsh", "s>>=", "((({a} ^ {SB}) - {SB}) >> ({b} & {S})) & {M}"),
]
_SIGNED_ALU = [
    (I.DIV, "sdiv", "s/=", "sdiv({a}, {b}, {B})"),
    (I.MOD, "smod", "s%=", "smod({a}, {b}, {B})"),
]
_JMP = [
    (I.JEQ, "jeq", "==", "{a} == {b}", 1),
    (I.JGT, "jgt", ">", "{a} > {b}", 1),
    (I.JGE, "jge", ">=", "{a} >= {b}", 1),
    (I.JSET, "jset", "&", "({a} & {b}) != 0", 1),
    (I.JNE, "jne", "!=", "{a} != {b}", 1),
    (I.JSGT, "jsgt", "s>", "({a} ^ {SB}) > ({b} ^ {SB})", 1),
    (I.JSGE, "jsge", "s>=", "({a} ^ {SB}) >= ({b} ^ {SB})", 1),
    (I.JLT, "jlt", "<", "{a} < {b}", 2),
    (I.JLE, "jle", "<=", "{a} <= {b}", 2),
    (I.JSLT, "jslt", "s<", "({a} ^ {SB}) < ({b} ^ {SB})", 2),
    (I.JSLE, "jsle", "s<=", "({a} ^ {SB}) <= ({b} ^ {SB})", 2),
]
_SIZES = [(I.B, 8, "b"), (I.H, 16, "h"), (I.W, 32, "w"), (I.DW, 64, "dw")]
_ATOMIC_ALU = [
    (I.ADD, "add", "+=", "({a} + {b}) & {M}"),
    (I.OR, "or", "|=", "{a} | {b}"),
    (I.AND, "and", "&=", "{a} & {b}"),
    (I.XOR, "xor", "^=", "{a} ^ {b}"),
]


def _fill(expr: str, bits: int) -> str:
    return (expr.replace("{M}", hex((1 << bits) - 1)).replace("{S}", str(bits - 1))
            .replace("{SB}", hex(1 << (bits - 1))).replace("{B}", str(bits)))


def _build() -> list[Op]:
    ops: list[Op] = []

    def add(op: Op) -> None:
        expr = op.expr
        fn = _compile(expr) if expr else None
        ops.append(Op(op.code, op.name, op.kind, op.mnemonic, op.width, op.x, op.off, op.imm,
                      op.signed, op.sym, expr, op.isa, fn))

    for cls, bits, sfx, alu_isa in ((I.ALU64, 64, "", 1), (I.ALU, 32, "32", 1)):
        for src, xname in ((I.K, "k"), (I.X, "x")):
            x = src == I.X
            for opbits, name, sym, tmpl in _ALU:
                add(Op(cls | opbits | src, f"{name}{bits}_{xname}", Kind.ALU, name + sfx, bits, x,
                       sym=sym, expr=_fill(tmpl, bits), isa=alu_isa))
            for opbits, name, sym, tmpl in _SIGNED_ALU:
                add(Op(cls | opbits | src, f"{name}{bits}_{xname}", Kind.ALU, name + sfx, bits, x,
                       off=1, signed=True, sym=sym, expr=_fill(tmpl, bits), isa=4))
        add(Op(cls | I.NEG, f"neg{bits}", Kind.ALU, "neg" + sfx, bits, sym="neg",
               expr=_fill("(-{a}) & {M}", bits)))
        # movsx: register source only; 8/16 for ALU, 8/16/32 for ALU64
        for n in (8, 16) if bits == 32 else (8, 16, 32):
            add(Op(cls | I.MOV | I.X, f"movsx{n}_{bits}", Kind.MOVSX, f"movsx{n}{bits}", bits, True,
                   off=n, signed=True, sym="=",
                   expr=_fill(f"((({{b}} & {hex((1 << n) - 1)}) ^ {hex(1 << (n - 1))}) - {hex(1 << (n - 1))}) & {{M}}", bits),
                   isa=4))
    # endianness (ALU class) and unconditional byte swap (ALU64 class)
    for n in (16, 32, 64):
        mask = hex((1 << n) - 1)
        add(Op(I.ALU | I.END | I.TO_LE, f"le{n}", Kind.END, f"le{n}", n, imm=n, sym="le",
               expr=f"{{a}} & {mask}"))
        add(Op(I.ALU | I.END | I.TO_BE, f"be{n}", Kind.END, f"be{n}", n, imm=n, sym="be",
               expr=f"bswap{n}({{a}})"))
        add(Op(I.ALU64 | I.END | I.TO_LE, f"bswap{n}", Kind.END, f"bswap{n}", n, imm=n, sym="bswap",
               expr=f"bswap{n}({{a}})", isa=4))

    # jumps
    for cls, bits, sfx, jisa in ((I.JMP, 64, "", 0), (I.JMP32, 32, "32", 3)):
        for src, xname in ((I.K, "k"), (I.X, "x")):
            for opbits, name, sym, tmpl, isa in _JMP:
                add(Op(cls | opbits | src, f"{name}{bits}_{xname}", Kind.JMP, name + sfx, bits,
                       src == I.X, sym=sym, expr=_fill(tmpl, bits), isa=max(isa, jisa)))
    add(Op(I.JMP | I.JA, "ja", Kind.JA, "ja", sym="goto"))
    add(Op(I.JMP32 | I.JA, "gotol", Kind.JA, "ja32", 32, sym="gotol", isa=4))
    add(Op(I.JMP | I.CALL, "call", Kind.CALL, "call", sym="call"))
    add(Op(I.JMP | I.CALL | I.X, "callx", Kind.CALLX, "callx", x=True, sym="call"))
    add(Op(I.JMP | I.EXIT, "exit", Kind.EXIT, "exit", sym="exit"))

    # loads and stores
    add(Op(I.LD | I.IMM | I.DW, "lddw", Kind.LD_IMM64, "lddw", 64))
    for size, bits, s in _SIZES:
        if size != I.DW:
            add(Op(I.LD | I.ABS | size, f"ldabs{s}", Kind.LD_ABS, f"ldabs{s}", bits))
            add(Op(I.LD | I.IND | size, f"ldind{s}", Kind.LD_IND, f"ldind{s}", bits))
            add(Op(I.LDX | I.MEMSX | size, f"ldxs{s}", Kind.LDX, f"ldxs{s}", bits, signed=True, isa=4))
        add(Op(I.LDX | I.MEM | size, f"ldx{s}", Kind.LDX, f"ldx{s}", bits))
        add(Op(I.ST | I.MEM | size, f"st{s}", Kind.ST, f"st{s}", bits))
        add(Op(I.STX | I.MEM | size, f"stx{s}", Kind.STX, f"stx{s}", bits))
    # atomics: 32 and 64 bit, selected by imm
    for size, bits, sfx in ((I.W, 32, "32"), (I.DW, 64, "")):
        code = I.STX | I.ATOMIC | size
        for opbits, name, sym, tmpl in _ATOMIC_ALU:
            add(Op(code, f"atomic_{name}{bits}", Kind.ATOMIC, f"lock {name}{sfx}", bits, True,
                   imm=opbits, sym=sym, expr=_fill(tmpl, bits), isa=3))
            add(Op(code, f"atomic_fetch_{name}{bits}", Kind.ATOMIC, f"lock fetch {name}{sfx}", bits,
                   True, imm=opbits | I.FETCH, sym=name, expr=_fill(tmpl, bits), isa=3))
        add(Op(code, f"atomic_xchg{bits}", Kind.ATOMIC, f"lock xchg{sfx}", bits, True, imm=I.XCHG,
               sym="xchg", expr="{b}", isa=3))
        add(Op(code, f"atomic_cmpxchg{bits}", Kind.ATOMIC, f"lock cmpxchg{sfx}", bits, True,
               imm=I.CMPXCHG, sym="cmpxchg", isa=3))
    return ops


OPS: list[Op] = _build()
BY_NAME: dict[str, Op] = {op.name: op for op in OPS}
_BY_CODE: dict[int, list[Op]] = {}
for _op in OPS:
    _BY_CODE.setdefault(_op.code, []).append(_op)
assert len(BY_NAME) == len(OPS), "opcode names must be unique"

#: Every opcode byte the kernel's instruction table knows (callx is a uBPF extension the
#: kernel does not have; the verifier rejects it as an unknown opcode).
KNOWN_CODES: frozenset[int] = frozenset(c for c in _BY_CODE if c != (I.JMP | I.CALL | I.X))
#: conformance mnemonic -> candidate forms (K and X variants share a mnemonic)
BY_MNEMONIC: dict[str, list[Op]] = {}
for _op in OPS:
    BY_MNEMONIC.setdefault(_op.mnemonic, []).append(_op)


def lookup(insn: I.Insn) -> Op | None:
    """The table entry for an instruction, or None if the encoding selects no form.

    The opcode byte selects a family; ``off`` (sdiv/smod, movsx) or ``imm`` (atomics,
    END) selects the form. Reserved-field validation is the verifier's job: this only
    tells which form the instruction claims to be.
    """
    cands = _BY_CODE.get(insn.code)
    if not cands:
        return None
    if len(cands) == 1:
        op = cands[0]
        if op.imm is not None and op.imm != insn.imm:
            return None
        return op
    kind = cands[0].kind
    if kind is Kind.ATOMIC or kind is Kind.END:
        for op in cands:
            if op.imm == insn.imm:
                return op
        return None
    # ALU family with off-selected variants: plain form has off=None
    for op in cands:
        if op.off is not None and op.off == insn.off:
            return op
    for op in cands:
        if op.off is None:
            return op
    return None


def family(code: int) -> list[Op]:
    """All forms sharing one opcode byte."""
    return list(_BY_CODE.get(code, ()))
