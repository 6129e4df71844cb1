"""The rewrites after a successful walk, as they show in ``bpftool prog dump xlated``.

bpf_loop inlining, dead-code hard-wiring and removal, context field conversion, the tc
direct-write prologue, LD_ABS/LD_IND as helper calls, division guards (zero and, signed,
-1 divisors), map pointers into ld_imm64, inlined map lookups and helpers, helper call
targets (``call <symbol>#<imm>``), the internal tail call, and bpf-to-bpf call and
callback bookkeeping. Every patch
keeps jump offsets, subprogram starts and line info consistent, as the kernel's
``bpf_patch_insn_data`` does.
"""

from __future__ import annotations

import copy

from .. import kallsyms as K
from ..uapi import helpers as H
from ..uapi import insn as I
from ..uapi.consts import PSEUDO_CALL, PSEUDO_FUNC, PSEUDO_MAP_FD, PSEUDO_MAP_IDX, ProgType
from . import ctx as CTX
from . import regs as R
from .check import Aux, Verifier, _map_addr, _map_type_name, _prog_type_name, array_value_off

TAIL_CALL_CODE = I.JMP | 0xF0  # BPF_JMP | BPF_TAIL_CALL, kernel-internal
LOOP_HELPER = 181
# sk_buff "cloned" bit for the tc direct-write prologue (6.18 x86-64)
SKB_CLONED_OFF = 126
SKB_CLONED_MASK = 1


def _t(x: tuple[int, int, int, int, int]) -> I.Insn:
    return I.Insn(*x)


def _rel_off(ins: I.Insn) -> int | None:
    """The pc-relative offset of a jump, a bpf-to-bpf call or a callback's address load."""
    code = ins.code
    if (code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL) or (code == (I.LD | I.IMM | I.DW) and ins.src == PSEUDO_FUNC):
        return ins.imm
    if code & 7 in (I.JMP, I.JMP32) and code & 0xF0 not in (I.CALL, I.EXIT):
        return ins.imm if code == (I.JMP32 | I.JA) else ins.off
    return None


def _with_rel_off(ins: I.Insn, off: int) -> I.Insn:
    if ins.code in (I.JMP | I.CALL, I.LD | I.IMM | I.DW, I.JMP32 | I.JA):
        return ins.with_(imm=off)
    return ins.with_(off=off)


class Patcher:
    def __init__(self, v: Verifier) -> None:
        self.insns = list(v.insns)
        self.aux: list[Aux] = list(v.aux)
        self.orig = list(range(len(self.insns)))
        self.subprogs = list(v.subprogs)
        # copies: the offsets move with the patches, the caller's records stay as given
        self.linfo = [copy.copy(li) for li in (v.env.line_info or [])]
        self.finfo = [copy.copy(fi) for fi in (v.env.func_info or [])]

    # jumps (and pseudo calls / pseudo func loads) whose span crosses a patched slot
    def _adj_branches(self, pos: int, delta: int, end_new: int) -> None:
        end_old = pos + 1
        insns = self.insns
        for i, ins in enumerate(insns):
            if pos <= i < end_new:
                continue
            off = _rel_off(ins)
            if off is None:
                continue
            cur = i if i < pos else i  # indices already shifted for i >= end_new
            if cur < pos and cur + off + 1 >= end_old:
                off += delta
            elif cur >= end_new and cur + off + 1 < end_new:
                off -= delta
            else:
                continue
            insns[i] = _with_rel_off(ins, off)

    def patch(self, pos: int, new: list[I.Insn]) -> None:
        """Replace insns[pos] by ``new`` (len >= 1)."""
        delta = len(new) - 1
        self.insns[pos:pos + 1] = new
        a = self.aux[pos]
        self.aux[pos:pos + 1] = [a] + [Aux() for _ in range(delta)]
        for k in range(1, delta + 1):
            self.aux[pos + k].seen = True
        o = self.orig[pos]
        self.orig[pos:pos + 1] = [o] + [-1] * delta
        if delta == 0:
            return
        self._adj_branches(pos, delta, pos + len(new))
        self.subprogs = [s + delta if s > pos else s for s in self.subprogs]
        for li in self.linfo:
            if li.insn_off > pos:
                li.insn_off += delta
        for fi in self.finfo:
            if fi.insn_off > pos:
                fi.insn_off += delta

    def remove(self, pos: int, cnt: int) -> None:
        end = pos + cnt
        insns = self.insns
        # branches across the removed range shrink
        for i, ins in enumerate(insns):
            if pos <= i < end:
                continue
            off = _rel_off(ins)
            if off is None:
                continue
            tgt = i + off + 1
            if i < pos and tgt >= end:
                off -= cnt
            elif i >= end and tgt <= pos:
                off += cnt
            elif i < pos and pos < tgt < end:
                off = pos - i - 1
            elif i >= end and pos <= tgt < end:
                off = pos - i - 1
            else:
                continue
            insns[i] = _with_rel_off(ins, off)
        del self.insns[pos:end]
        del self.aux[pos:end]
        del self.orig[pos:end]
        self.subprogs = [s - cnt if s >= end else s for s in self.subprogs]
        keep = []
        for li in self.linfo:
            if pos <= li.insn_off < end:
                # the record moves to the first surviving insn unless one already starts there
                li.insn_off = pos
            elif li.insn_off >= end:
                li.insn_off -= cnt
            keep.append(li)
        dedup: dict[int, object] = {}
        for li in keep:
            if li.insn_off < len(self.insns):
                dedup.setdefault(li.insn_off, li) if False else dedup.__setitem__(li.insn_off, li)
        self.linfo = [dedup[k] for k in sorted(dedup)]  # type: ignore[misc]
        for fi in self.finfo:
            if fi.insn_off >= end:
                fi.insn_off -= cnt


def hard_wire_dead_branches(p: Patcher) -> None:
    for i, ins in enumerate(p.insns):
        cls = ins.code & 7
        if cls not in (I.JMP, I.JMP32) or ins.code & 0xF0 in (I.JA, I.CALL, I.EXIT):
            continue
        if not p.aux[i].seen:
            continue
        if not p.aux[i + 1].seen:
            p.insns[i] = I.Insn(I.JMP | I.JA, 0, 0, ins.off, 0)
        elif not p.aux[i + 1 + ins.off].seen:
            p.insns[i] = I.Insn(I.JMP | I.JA, 0, 0, 0, 0)


def remove_dead_code(p: Patcher) -> None:
    i = 0
    while i < len(p.insns):
        if p.aux[i].seen:
            i += 1
            continue
        j = i
        while j < len(p.insns) and not p.aux[j].seen:
            j += 1
        p.remove(i, j - i)


def remove_nops(p: Patcher) -> None:
    i = 0
    while i < len(p.insns):
        ins = p.insns[i]
        if ins.code == (I.JMP | I.JA) and ins.off == 0 and ins.imm == 0:
            p.remove(i, 1)
            continue
        i += 1


def convert_ctx_accesses(v: Verifier, p: Patcher) -> None:
    pt = v.prog_type
    if v.seen_direct_write and pt in (ProgType.SCHED_CLS, ProgType.SCHED_ACT):
        first = p.insns[0]
        pro = [
            I.Insn(I.LDX | I.MEM | I.B, 6, 1, SKB_CLONED_OFF, 0),
            I.Insn(I.ALU | I.AND | I.K, 6, 0, 0, SKB_CLONED_MASK),
            I.Insn(I.JMP | I.JEQ | I.K, 6, 0, 7, 0),
            I.Insn(I.ALU64 | I.MOV | I.X, 6, 1, 0, 0),
            I.Insn(I.ALU64 | I.XOR | I.X, 2, 2, 0, 0),
            I.Insn(I.JMP | I.CALL, 0, 0, 0, 39),
            I.Insn(I.JMP | I.JEQ | I.K, 0, 0, 2, 0),
            I.Insn(I.ALU | I.MOV | I.K, 0, 0, 0, 2),
            I.Insn(I.JMP | I.EXIT),
            I.Insn(I.ALU64 | I.MOV | I.X, 1, 6, 0, 0),
            first,
        ]
        a0 = p.aux[0]
        p.patch(0, pro)
        # the original first insn now sits at the end of the prologue
        n = len(pro) - 1
        p.aux[0], p.aux[n] = Aux(), a0
        p.aux[0].seen = True
        p.orig[0], p.orig[n] = -1, 0
    i = 0
    while i < len(p.insns):
        ins = p.insns[i]
        a = p.aux[i]
        cls = ins.code & 7
        if cls in (I.LDX, I.STX, I.ST) and a.ptr_type == R.CTX and (ins.code & 0xE0) in (I.MEM, I.MEMSX):
            new = CTX.convert(pt, ins, a.ctx_field_size)
            p.patch(i, new)
            i += len(new)
            continue
        i += 1


AX = 11  # BPF_REG_AX: the rewrites' scratch register


def _div_guard(ins: I.Insn) -> list[I.Insn]:
    """do_misc_fixups for a division or modulo by a register: no exception on a zero
    divisor (x / 0 = 0, x % 0 = x) nor, signed (off 1), on -1 (x s/ -1 = -x, x s% -1 = 0)."""
    is64 = (ins.code & 7) == I.ALU64
    alu = I.ALU64 if is64 else I.ALU
    jcls = I.JMP if is64 else I.JMP32
    d, sreg = ins.dst, ins.src
    isdiv = ins.code & 0xF0 == I.DIV
    zext = [I.Insn(I.JMP | I.JA, 0, 0, 1, 0), I.Insn(I.ALU | I.MOV | I.X, d, d, 0, 0)]
    if ins.off == 1:
        # AX = src + 1: above 1 the operation is safe; 0 means src was -1, 1 that it was 0
        head = [I.Insn(I.ALU64 | I.MOV | I.X, AX, sreg, 0, 0), I.Insn(alu | I.ADD | I.K, AX, 0, 0, 1)]
        if isdiv:
            return head + [I.Insn(jcls | I.JGT | I.K, AX, 0, 4, 1), I.Insn(jcls | I.JEQ | I.K, AX, 0, 1, 0),
                           I.Insn(alu | I.MOV | I.K, d, 0, 0, 0), I.Insn(alu | I.NEG, d, 0, 0, 0),
                           I.Insn(I.JMP | I.JA, 0, 0, 1, 0), ins]
        return head + [I.Insn(jcls | I.JGT | I.K, AX, 0, 3, 1), I.Insn(jcls | I.JEQ | I.K, AX, 0, 3 if is64 else 4, 1),
                       I.Insn(I.ALU | I.MOV | I.K, d, 0, 0, 0), I.Insn(I.JMP | I.JA, 0, 0, 1, 0), ins] \
            + ([] if is64 else zext)
    if isdiv:
        return [I.Insn(jcls | I.JNE | I.K, sreg, 0, 2, 0), I.Insn(I.ALU | I.XOR | I.X, d, d, 0, 0),
                I.Insn(I.JMP | I.JA, 0, 0, 1, 0), ins]
    return [I.Insn(jcls | I.JEQ | I.K, sreg, 0, 1 + (0 if is64 else 1), 0), ins] + ([] if is64 else zext)


# program types whose LD_ABS/LD_IND the verifier turns into calls (the others' JITs or
# interpreter run them natively)
_GEN_LD_ABS_TYPES = {ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT}
_LD_ABS_HELPER = {I.B: "bpf_skb_load_helper_8_no_cache", I.H: "bpf_skb_load_helper_16_no_cache",
                  I.W: "bpf_skb_load_helper_32_no_cache"}


def _gen_ld_abs(ins: I.Insn) -> list[I.Insn]:
    """The skb programs' legacy packet load as a call: r2 = the offset, r1 = the skb (r6),
    the program returns 0 when the load fails."""
    if ins.code & 0xE0 == I.ABS:
        out = [I.Insn(I.ALU64 | I.MOV | I.K, 2, 0, 0, ins.imm)]
    else:
        out = [I.Insn(I.ALU64 | I.MOV | I.X, 2, ins.src, 0, 0)]
        if ins.imm:
            out.append(I.Insn(I.ALU64 | I.ADD | I.K, 2, 0, 0, ins.imm))
    return out + [I.Insn(I.ALU64 | I.MOV | I.X, 1, 6, 0, 0),
                  I.Insn(I.JMP | I.CALL, 0, 0, 0, K.SYMBOL_IMM[_LD_ABS_HELPER[ins.code & 0x18]]),
                  I.Insn(I.JMP | I.JSGE | I.K, 0, 0, 2, 0),
                  I.Insn(I.ALU | I.XOR | I.X, 0, 0, 0, 0),
                  I.Insn(I.JMP | I.EXIT)]


def _div_by_minus_one(ins: I.Insn) -> list[I.Insn]:
    """A signed division by the immediate -1 is a negation, a signed modulo by it 0."""
    if ins.code & 0xF0 == I.DIV:
        return [I.Insn((ins.code & 7) | I.NEG, ins.dst, 0, 0, 0)]
    return [I.Insn(I.ALU | I.MOV | I.K, ins.dst, 0, 0, 0)]


def misc_fixups(v: Verifier, p: Patcher) -> None:
    pname = _prog_type_name(v.prog_type)
    i = 0
    while i < len(p.insns):
        ins = p.insns[i]
        cls = ins.code & 7
        if cls == I.LD and ins.code & 0xE0 in (I.ABS, I.IND) and v.prog_type in _GEN_LD_ABS_TYPES:
            new = _gen_ld_abs(ins)
            p.patch(i, new)
            i += len(new)
            continue
        if cls in (I.ALU, I.ALU64) and ins.code & 0xF0 in (I.DIV, I.MOD) and \
                (ins.code & I.X or (ins.off == 1 and ins.imm == -1)):
            new = _div_guard(ins) if ins.code & I.X else _div_by_minus_one(ins)
            p.patch(i, new)
            i += len(new)
            continue
        if ins.code == (I.JMP | I.CALL) and ins.src == 0:
            new = helper_fixup(v, p.aux[i], ins, pname)
            if new is not None:
                p.patch(i, new)
                i += len(new)
                continue
        i += 1


def helper_fixup(v: Verifier, a: Aux, ins: I.Insn, pname: str) -> list[I.Insn] | None:
    h = H.by_id(ins.imm)
    if h is None:
        return None
    if h.name == "tail_call":
        # the kernel-internal BPF_JMP | BPF_TAIL_CALL; a constant slot gets a direct-jump
        # (poke) descriptor, numbered from 1 in the imm
        imm = 0
        if v.bpf_capable and a.tail_key is not None and a.tail_key >= 0 and not a.call_map_poison:
            v.tail_pokes += 1
            imm = v.tail_pokes
        return [I.Insn(TAIL_CALL_CODE, 0, 0, 0, imm)]
    if h.name == "get_smp_processor_id":
        return [_t(x) for x in K.smp_processor_id_inline()]
    if h.name == "jiffies64":
        return [_t(x) for x in K.jiffies64_inline()]
    if h.name == "loop":  # not inlined (flags not a known 0, or callbacks differ): the call stays
        return [ins.with_(imm=K.SYMBOL_IMM["bpf_loop"])]
    m = a.call_map if not a.call_map_poison else None
    if m is not None and h.name in K.MAP_HELPERS:
        mtn = _map_type_name(int(m.map_type))
        if mtn is not None:
            try:
                fx = K.map_helper_fixup(h.name, mtn)
            except KeyError:
                fx = None
            if fx is not None and h.name == "map_lookup_elem" and fx.kind in ("inline", "call+inline"):
                if fx.kind == "inline":
                    variant = mtn if mtn in ("percpu_array", "array_of_maps", "xskmap") else "array"
                    seq = K.array_lookup_inline(m.max_entries, m.value_size, variant=variant)
                    return [_t(x) for x in seq]
                variant = mtn if mtn in ("lru_hash", "percpu_hash", "hash_of_maps") else "hash"
                return [_t(x) for x in K.htab_lookup_inline(m.key_size, variant=variant)]
            if fx is not None and fx.symbol:
                return [ins.with_(imm=K.SYMBOL_IMM[fx.symbol])]
    tgt = K.helper_call_target(ins.imm, pname, None)
    if tgt is None:
        return None
    return [ins.with_(imm=tgt[1])]


def resolve_map_loads(v: Verifier, p: Patcher) -> list[tuple[int, object, int]]:
    """ld_imm64 of maps carry the map's address now; returns (index, map, value offset|-1)."""
    out = []
    val_off = array_value_off()
    for i, ins in enumerate(p.insns):
        if ins.code != (I.LD | I.IMM | I.DW) or ins.src in (0, PSEUDO_FUNC):
            continue
        a = p.aux[i]
        m = a.map
        if m is None:
            continue
        if ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_IDX):
            addr = _map_addr(m)
            off = -1
        else:
            addr = _map_addr(m) + val_off + a.map_off
            off = a.map_off
        lo, hi = I.ld_imm64(ins.dst, addr)
        p.insns[i] = lo
        p.insns[i + 1] = hi
        out.append((i, m, off))
    return out


def subprog_calls(p: Patcher) -> None:
    """bpf-to-bpf calls in xlated: off = pc-relative offset, imm = callee subprogram index;
    a callback's address (ld_imm64 PSEUDO_FUNC) keeps the relative imm, its second slot the
    subprogram index."""
    for i, ins in enumerate(p.insns):
        if ins.code == (I.JMP | I.CALL) and ins.src == PSEUDO_CALL:
            tgt = i + ins.imm + 1
            idx = p.subprogs.index(tgt) if tgt in p.subprogs else 0
            p.insns[i] = ins.with_(off=ins.imm, imm=idx)
        elif ins.code == (I.LD | I.IMM | I.DW) and ins.src == PSEUDO_FUNC:
            tgt = i + ins.imm + 1
            p.insns[i + 1] = p.insns[i + 1].with_(imm=p.subprogs.index(tgt) if tgt in p.subprogs else 0)


def inline_bpf_loops(v: Verifier, p: Patcher) -> None:
    """bpf_loop calls whose flags were a known 0 and whose callback was one constant become
    a loop calling the callback directly; r6-r8 are kept in three slots below the caller's
    stack (its depth grows by 24 plus the rounding to 8)."""
    cur = 0
    depth = v.subprog_depth[0] if v.subprog_depth else 0
    extra = 0
    i = 0
    while i < len(p.insns):
        st = p.aux[i].loop_inline
        ins = p.insns[i]
        if ins.code == (I.JMP | I.CALL) and ins.src == 0 and ins.imm == LOOP_HELPER and st and st[0]:
            extra = 24 + (-depth % 8)
            base = -(depth + extra)
            cb_start = p.subprogs[st[1]]
            seq = _loop_inline_seq(base)
            call_at = i + 12
            new_cb = cb_start + len(seq) - 1 if cb_start > i else cb_start
            seq[12] = seq[12].with_(imm=new_cb - call_at - 1)
            p.patch(i, seq)
            i += len(seq)
        else:
            i += 1
        if cur + 1 < len(p.subprogs) and p.subprogs[cur + 1] == i:
            v.subprog_depth[cur] += extra
            cur += 1
            depth = v.subprog_depth[cur]
            extra = 0
    if extra and cur < len(v.subprog_depth):
        v.subprog_depth[cur] += extra


def _loop_inline_seq(base: int) -> list[I.Insn]:
    r6, r7, r8 = base, base + 8, base + 16
    stx, ldx = I.STX | I.MEM | I.DW, I.LDX | I.MEM | I.DW
    mov = I.ALU64 | I.MOV | I.X
    return [
        I.Insn(I.JMP | I.JLE | I.K, 1, 0, 2, K.BPF_MAX_LOOPS),
        I.Insn(I.ALU | I.MOV | I.K, 0, 0, 0, -7),  # -E2BIG
        I.Insn(I.JMP | I.JA, 0, 0, 16, 0),
        I.Insn(stx, 10, 6, r6, 0),
        I.Insn(stx, 10, 7, r7, 0),
        I.Insn(stx, 10, 8, r8, 0),
        I.Insn(mov, 6, 1, 0, 0),
        I.Insn(I.ALU | I.MOV | I.K, 7, 0, 0, 0),
        I.Insn(mov, 8, 3, 0, 0),
        I.Insn(I.JMP | I.JGE | I.X, 7, 6, 5, 0),
        I.Insn(mov, 1, 7, 0, 0),
        I.Insn(mov, 2, 8, 0, 0),
        I.Insn(I.JMP | I.CALL, 0, PSEUDO_CALL, 0, 0),
        I.Insn(I.ALU64 | I.ADD | I.K, 7, 0, 0, 1),
        I.Insn(I.JMP | I.JEQ | I.K, 0, 0, -6, 0),
        I.Insn(mov, 0, 7, 0, 0),
        I.Insn(ldx, 6, 10, r6, 0),
        I.Insn(ldx, 7, 10, r7, 0),
        I.Insn(ldx, 8, 10, r8, 0),
    ]


def run_fixups(v: Verifier) -> Patcher:
    p = Patcher(v)
    inline_bpf_loops(v, p)
    if v.bpf_capable:
        hard_wire_dead_branches(p)
        remove_dead_code(p)
        remove_nops(p)
    convert_ctx_accesses(v, p)
    misc_fixups(v, p)
    p.map_loads = resolve_map_loads(v, p)  # type: ignore[attr-defined]
    subprog_calls(p)
    _ = PSEUDO_MAP_IDX
    return p
