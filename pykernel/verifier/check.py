"""The path walk (do_check): abstract interpretation of every path with state pruning."""

from __future__ import annotations

import time

from .. import kallsyms as K
from ..uapi import helpers as H
from ..uapi import insn as I
from ..uapi.consts import (
    E2BIG,
    EACCES,
    EBADF,
    EFAULT,
    EINVAL,
    EPROTO,
    PSEUDO_CALL,
    PSEUDO_FUNC,
    PSEUDO_KFUNC_CALL,
    PSEUDO_MAP_FD,
    PSEUDO_MAP_IDX,
    PSEUDO_MAP_IDX_VALUE,
    PSEUDO_MAP_VALUE,
    MapType,
    ProgType,
)
from ..uapi.disasm import format_insn
from ..uapi.opcodes import KNOWN_CODES
from . import alu as A
from . import cfg as C
from . import ctx as CTX
from . import regs as R
from . import tnum as T
from .cfg import VerifyError
from .globalfn import GlobalFuncMixin
from .log import LOG_LEVEL2, LOG_STATS, VerifierLog
from .precision import Backtrack, PrecisionMixin
from .regs import M32, M64, S64_MIN, Reg
from .stackliveness import StackLiveness
from .state import (
    EXACT,
    HIST_STACK,
    NOT_EXACT,
    RANGE_WITHIN,
    SLOT_INVALID,
    SLOT_MISC,
    SLOT_SPILL,
    SLOT_ZERO,
    Checkpoint,
    Frame,
    IdMap,
    Slot,
    VState,
    maybe_looping,
    regs_exact,
    states_equal,
)
from .trace import Tracer

LOG_LEVEL = 3  # BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2
NESTED_EXIT = 2  # do_check_insn: an exit from a called function (the walk goes on in the caller)
COMPLEXITY_LIMIT = 1_000_000
MAX_BPF_STACK = 512
MAX_CALL_FRAMES = 8
MAX_VAR_SIZ = 1 << 29
BPF_ALU_STR = {I.ADD: "+=", I.SUB: "-=", I.MUL: "*=", I.DIV: "/=", I.OR: "|=", I.AND: "&=", I.LSH: "<<=",
               I.RSH: ">>=", I.NEG: "neg", I.MOD: "%=", I.XOR: "^=", I.MOV: "=", I.ARSH: "s>>=", I.END: "endian"}
BPF_READ, BPF_WRITE = 1, 2
MEM_TYPES_STR = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"
ACCESS_DIRECT, ACCESS_HELPER = 1, 2

_PKT_WRITE = {ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_XMIT, ProgType.SK_SKB,
              ProgType.SK_MSG}
_PKT_READ_ONLY = {ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_SEG6LOCAL, ProgType.SK_REUSEPORT,
                  ProgType.FLOW_DISSECTOR, ProgType.CGROUP_SKB}
# the program types that may use LD_ABS/LD_IND
_SKB_TYPES = {ProgType.SOCKET_FILTER, ProgType.SCHED_CLS, ProgType.SCHED_ACT}


def _map_addr(m: object) -> int:
    try:
        from ..interp.memory import map_address
        return map_address(int(m.id))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - fall back to a stable fake kernel address
        return 0xFFFF888100000000 + int(getattr(m, "id", 0)) * 0x1000


def array_value_off() -> int:
    try:
        from .. import layouts
        return int(layouts.ARRAY_VALUE_OFF)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        return 312


class Aux:
    """Per-instruction facts gathered during the walk, used by the rewrites."""

    __slots__ = ("seen", "ptr_type", "ctx_field_size", "map", "map_off", "call_map", "call_map_poison",
                 "map_key_const", "ctx_conflict", "loop_inline", "tail_key")

    def __init__(self) -> None:
        self.seen = False
        self.ptr_type = -1
        self.ctx_field_size = 0
        self.map = None
        self.map_off = -1
        self.call_map = None
        self.call_map_poison = False
        self.map_key_const = None
        self.ctx_conflict = False
        # a bpf_loop call: [fits for inlining (flags a known 0, one callback), callback subprog]
        self.loop_inline: list | None = None
        # a tail call: its constant slot on every path (None: not seen, -1: not one constant)
        self.tail_key: int | None = None


class Verifier(PrecisionMixin, GlobalFuncMixin):
    def __init__(self, env) -> None:  # type: ignore[no-untyped-def]
        self.env = env
        self.insns: list[I.Insn] = list(env.insns)
        self.n = len(self.insns)
        self.prog_type = env.prog_type
        self.log = VerifierLog.from_attr(env.log_level, env.log_buf, env.log_size)
        self.aux = [Aux() for _ in range(self.n)]
        self.used_maps: list[object] = []
        self.subprogs: list[int] = [0]
        self.subprog_depth: list[int] = []
        self.id_gen = 0
        self.insn_processed = 0
        self.prev_insn_processed = 0
        self.jmps_processed = 0
        self.prev_jmps_processed = 0
        self.total_states = 0
        self.peak_states = 0
        self.cur_states = 0
        self.max_states_per_insn = 0
        self.explored: dict[int, list[Checkpoint]] = {}
        self.explored_size = 0
        self.free_list_size = 0
        self.prune_points: set[int] = set()
        self.jmp_points: set[int] = set()
        self.bt = Backtrack()
        self.cur_hist_ent: list | None = None
        self.stack_live: StackLiveness | None = None
        self.live: list[int] = []
        self.stack: list[tuple[VState, int, int, int]] = []  # (state, insn, prev_insn, log_pos)
        self.scratched_regs = 0
        self.scratched_stack = 0
        self.prev_log_pos = 0
        self.prev_insn_print_pos = 0
        self.prev_linfo = None
        self.allow_ptr_leaks = bool(getattr(env, "bpf_capable", True))
        self.bpf_capable = self.allow_ptr_leaks
        self.strict_align = bool(env.prog_flags & 1)
        self.seen_direct_write = False
        self.changes_pkt_data = False
        self.tail_call_reachable = False
        self.tail_pokes = 0  # tail calls with a constant slot (numbered by the rewrites)
        self.trace: Tracer | None = Tracer(self) if getattr(env, "trace", False) else None
        self.linfo = sorted(env.line_info or [], key=lambda li: li.insn_off)
        self.start_time = time.perf_counter_ns()
        self.cur: VState | None = None
        self.insn_idx = 0
        self.prev_insn_idx = -1
        self.has_ld_abs = False
        self.helper_protos: dict[int, object] = {}
        self.btf = getattr(env, "btf", None)  # the program's BTF (uapi.btf.BtfData) with func info
        R._SYNC_MEMO.clear()  # each verification starts cold: the bench measures one load

    # ------------------------------------------------------------------ log helpers
    def v(self, s: str) -> None:
        if self.log.level:
            self.log.write(s)

    def err(self, errno: int, msg: str) -> VerifyError:
        return VerifyError(errno, msg)

    def mark_reg_scratched(self, regno: int) -> None:
        self.scratched_regs |= 1 << regno

    def mark_stack_scratched(self, spi: int) -> None:
        self.scratched_stack |= 1 << spi

    def state_str(self, st: VState, frameno: int, print_all: bool) -> str:
        f = st.frames[frameno]
        out = []
        if f.frameno:
            out.append(f" frame{f.frameno}:")
        for i, r in enumerate(f.regs):
            if r.type == R.NOT_INIT:
                continue
            if not print_all and not (self.scratched_regs >> i) & 1:
                continue
            out.append(f" R{i}={R.reg_str(r, f.frameno)}")
        for spi in sorted(f.stack):
            slot = f.stack[spi]
            if not print_all and not (self.scratched_stack >> spi) & 1:
                continue
            if not slot.valid():
                continue
            types = "".join(slot.types)
            if slot.types[7] == SLOT_SPILL and slot.spilled is not None:
                j = slot.types.index(SLOT_SPILL)
                out.append(f" fp{(-spi - 1) * 8}={types[:j]}{R.reg_str(slot.spilled, f.frameno)}")
            else:
                out.append(f" fp{(-spi - 1) * 8}={types}")
        if st.refs:
            out.append(" refs=" + ",".join(str(r[0]) for r in st.refs))
        if f.cb_range is not None:
            out.append(" cb")
        if not print_all:
            self.scratched_regs = 0
            self.scratched_stack = 0
        return "".join(out) + "\n"

    def print_insn_state(self, st: VState) -> None:
        if self.prev_log_pos and self.prev_log_pos == self.log.end_pos:
            self.log.reset(self.prev_log_pos - 1)
            pos = self.prev_insn_print_pos
            width = ((max(pos + 4, 40) + 7) // 8) * 8 - pos - 1
            self.v(" " * width + ";")
        else:
            self.v(f"{self.insn_idx}:")
        self.v(self.state_str(st, st.curframe, False))

    def verbose_linfo(self, idx: int, prefix: str) -> None:
        if not self.linfo or not self.log.level:
            return
        li = None
        lo, hi = 0, len(self.linfo) - 1
        if self.linfo[0].insn_off > idx:
            return
        while lo < hi:
            m = lo + (hi - lo + 1) // 2
            if self.linfo[m].insn_off <= idx:
                lo = m
            else:
                hi = m - 1
        li = self.linfo[lo]
        prev = self.prev_linfo
        if li is prev:
            return
        if prev is not None and li.file_name == prev.file_name and li.line_num == prev.line_num:
            return
        fname = li.file_name.rsplit("/", 1)[-1]
        self.v(f"{prefix}{li.line.lstrip()} @ {fname}:{li.line_num}\n")
        self.prev_linfo = li

    def call_name(self, ins: I.Insn) -> str | None:
        return None

    def imm64_text(self, ins: I.Insn, value: int) -> str:
        return f"{value:#x}"

    def insn_text(self, idx: int) -> str:
        ins = self.insns[idx]
        nxt = self.insns[idx + 1] if idx + 1 < self.n else None
        return format_insn(ins, nxt, call_name=self.call_name, imm64=self.imm64_text,
                           allow_ptr_leaks=self.allow_ptr_leaks)

    # ------------------------------------------------------------------ entry
    def run(self) -> None:
        env = self.env
        if self.n == 0 or self.n > COMPLEXITY_LIMIT:
            raise VerifyError(E2BIG, None)
        self.subprogs = C.find_subprogs(self.insns)
        if self.log.level & LOG_LEVEL2:
            for i, s in enumerate(self.subprogs):
                self.v(f"func#{i} @{s}\n")
        C.check_subprogs(self.insns, self.subprogs)
        self.setup_func_info()
        self.resolve_ld_imm64()
        self.prune_points, self.jmp_points = C.check_cfg(self.insns, self.bpf_capable)
        self.cb_calls = {i for i, x in enumerate(self.insns)
                         if x.code == (I.JMP | I.CALL) and x.src == 0 and x.imm in C.SYNC_CALLBACK_HELPERS}
        nargs = {}
        for ins in self.insns:
            if ins.code == (I.JMP | I.CALL) and ins.src == 0:
                h = H.by_id(ins.imm)
                if h is not None and h.proto is not None:
                    nargs[ins.imm] = h.proto.nargs
        self.live = C.live_regs(self.insns, nargs)
        if self.log.level & LOG_LEVEL2:
            self.v("Live regs before insn:\n")
            i = 0
            while i < self.n:
                mask = self.live[i]
                regs_s = "".join(str(r) if (mask >> r) & 1 else "." for r in range(10))
                self.v(f"{i:7d}: {regs_s} {self.insn_text(i)}\n")
                i += 2 if self.insns[i].is_ld_imm64() else 1
        self.subprog_depth = [0] * len(self.subprogs)
        self.stack_live = StackLiveness(self.insns, self.subprogs)
        self.dec = [(x.code, x.dst, x.src, x.imm) for x in self.insns]
        self.bt_kind = [_bt_kind(x) for x in self.insns]
        self.do_check_common(0)
        self.do_check_subprogs()
        self.check_max_stack_depth()
        _ = env

    def stats(self) -> None:
        if not self.log.level:
            return
        if self.log.level & LOG_STATS:
            usec = (time.perf_counter_ns() - self.start_time) // 1000
            self.v(f"verification time {usec} usec\n")
            self.v("stack depth " + "+".join(str(d) for d in self.subprog_depth) + "\n")
        self.v(f"processed {self.insn_processed} insns (limit {COMPLEXITY_LIMIT}) max_states_per_insn "
               f"{self.max_states_per_insn} total_states {self.total_states} peak_states {self.peak_states} "
               f"mark_read 0\n")

    # ------------------------------------------------------------------ ld_imm64 / opcodes
    def map_from_fd(self, fd: int) -> object:
        m = None
        try:
            m = self.env.map_by_fd(fd)
        except Exception:  # noqa: BLE001 - a bad fd is simply not a map
            m = None
        if m is None:
            raise VerifyError(EBADF, f"fd {fd} is not pointing to valid bpf_map")
        return m

    def resolve_ld_imm64(self) -> None:
        insns = self.insns
        i = 0
        n = self.n
        while i < n:
            ins = insns[i]
            if ins.cls == I.LDX and ((ins.code & 0xE0) not in (I.MEM, I.MEMSX) or ins.imm != 0):
                raise VerifyError(EINVAL, "BPF_LDX uses reserved fields")
            if ins.code == (I.LD | I.IMM | I.DW):
                if i == n - 1 or insns[i + 1].code or insns[i + 1].dst or insns[i + 1].src or insns[i + 1].off:
                    raise VerifyError(EINVAL, "invalid bpf_ld_imm64 insn")
                src = ins.src
                if src == 0 or src == PSEUDO_FUNC:
                    i += 2
                    continue
                if src in (PSEUDO_MAP_FD, PSEUDO_MAP_IDX) and insns[i + 1].imm != 0 or \
                        src not in (PSEUDO_MAP_FD, PSEUDO_MAP_IDX, PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE):
                    raise VerifyError(EINVAL, "unrecognized bpf_ld_imm64 insn")
                if src in (PSEUDO_MAP_IDX, PSEUDO_MAP_IDX_VALUE):
                    fa = self.env.fd_array
                    if fa is None:
                        raise VerifyError(EPROTO, "fd_idx without fd_array is invalid")
                    if not 0 <= ins.imm < len(fa):
                        raise VerifyError(EFAULT, None)
                    fd = fa[ins.imm]
                else:
                    fd = ins.imm
                m = self.map_from_fd(fd)
                if m not in self.used_maps:
                    if len(self.used_maps) >= 64:
                        raise VerifyError(E2BIG, "too many maps")
                    self.used_maps.append(m)
                aux = self.aux[i]
                aux.map = m
                if src in (PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE):
                    off = insns[i + 1].imm & M32
                    if off >= (1 << 29):
                        raise VerifyError(EINVAL, f"direct value offset of {off} is not allowed")
                    if m.map_type not in (MapType.ARRAY,) and m.map_type not in _direct_value_types():
                        raise VerifyError(EINVAL, "no direct value access support for this map type")
                    if m.max_entries != 1:
                        raise VerifyError(524, None)
                    if off >= m.value_size:
                        raise VerifyError(EINVAL, f"invalid access to map value pointer, value_size={m.value_size} off={off}")
                    aux.map_off = off
                i += 2
                continue
            if ins.code not in KNOWN_CODES:
                raise VerifyError(EINVAL, f"unknown opcode {ins.code:02x}")
            i += 1

    # ------------------------------------------------------------------ main loop
    def init_state(self, sub: int = 0) -> VState:
        st = VState()
        f = st.frames[0]
        f.subprog = sub
        R.mark_known_zero_ptr(f.regs[10], R.STACK)
        f.regs[10].frameno = 0
        st.first_idx = self.subprogs[sub]
        if sub:
            self.init_global_args(sub, f.regs)
        else:
            self.check_main_prototype()
            R.mark_known_zero_ptr(f.regs[1], R.CTX)
        if self.trace is not None:
            self.trace.start(st, sub)
        return st

    def do_check_common(self, sub: int) -> None:
        """Walk every path of subprogram ``sub`` (0: the main program) from a fresh state."""
        self.prev_linfo = None
        self.cur = None
        st = self.init_state(sub)
        self.cur = st
        self.scratched_regs = (1 << 11) - 1
        self.scratched_stack = -1 & ((1 << 64) - 1)
        self.insn_idx = self.subprogs[sub]
        self.prev_insn_idx = -1
        self.do_check()
        if not self.log.level & LOG_LEVEL2 and self.log.level:
            self.log.reset(0)
        # free_states: the explored states of this pass go
        self.explored = {}
        self.stack = []
        self.cur = None

    def new_id(self) -> int:
        self.id_gen += 1
        return self.id_gen

    def push_stack(self, st: VState, insn: int, prev: int) -> None:
        ns = st.copy()
        ns.dfs_depth += 1
        if ns.last_ckpt is not None:
            ns.last_ckpt.branches += 1
        self.stack.append((ns, insn, prev, self.log.end_pos))
        if len(self.stack) > 8192:
            raise VerifyError(E2BIG, "The sequence of 8193 jumps is too complex.")

    def path_done(self, st: VState) -> None:
        """update_branch_counts: a path ended; stored states whose paths all ended are complete."""
        c = st.last_ckpt
        while c is not None:
            c.branches -= 1
            if c.branches > 0:
                break
            if c.fp is True:  # evicted while in progress: it leaves the free list now
                c.fp = None
                self.free_list_size -= 1
            c = c.parent

    def bucket(self, idx: int) -> int:
        cs = self.cur.frames[-1].callsite  # type: ignore[union-attr]
        return ((idx ^ cs) & 0xFFFFFFFF) % self.n

    def frame_live(self, fi: int, st: VState) -> int:
        ip = st.insn_idx if fi == len(st.frames) - 1 else st.frames[fi + 1].callsite
        return self.live[ip] if ip < len(self.live) else 0x3FF

    def clean_state(self, st: VState) -> None:
        sl = self.stack_live
        for fi, f in enumerate(st.frames):
            live = self.frame_live(fi, st)
            for i in range(10):
                if not (live >> i) & 1 and f.regs[i].type != R.NOT_INIT:
                    R.mark_not_init(f.regs[i])
            if sl is None or not f.stack:
                continue
            alive = sl.alive_mask(st.frames, st.insn_idx, fi)
            for spi in list(f.stack):
                if not (alive >> spi) & 1:
                    del f.stack[spi]

    def is_state_visited(self, idx: int) -> bool:
        cur = self.cur
        cs = cur.frames[-1].callsite  # type: ignore[union-attr]
        key = ((idx ^ cs) & 0xFFFFFFFF) % self.n  # bucket()
        lst = self.explored.get(key)
        if lst is None:
            lst = self.explored[key] = []
        # a callback's call always stores a checkpoint: the walk comes back to it after each
        # pass through the callback and stops when a state it reaches is one seen before
        calls_cb = idx in self.cb_calls
        force = calls_cb or len(cur.hist) > 40  # type: ignore[union-attr]
        add_new = force or (self.jmps_processed - self.prev_jmps_processed >= 2
                            and self.insn_processed - self.prev_insn_processed >= 8)
        cur_sites = None
        states_cnt = 0
        i = 0
        while i < len(lst):
            c = lst[i]
            states_cnt += 1
            if c.insn != idx:
                i += 1
                continue
            if c.branches > 0:
                if calls_cb:
                    if states_equal(c.state, cur, self.frame_live, RANGE_WITHIN, self.id_gen):
                        c.hits += 1
                        self.push_hist(cur)
                        self.propagate_precision(c.state, cur)
                        return True
                elif maybe_looping(c.state, cur) and c.state.unroll == cur.unroll and \
                        states_equal(c.state, cur, self.frame_live, EXACT, self.id_gen):
                    self.verbose_linfo(idx, "; ")
                    raise VerifyError(EINVAL, f"infinite loop detected at insn {idx}")
                if not force and self.jmps_processed - self.prev_jmps_processed < 20 and \
                        self.insn_processed - self.prev_insn_processed < 100:
                    add_new = False
            else:
                if not c.cleaned and c.callsite == cs:
                    # clean_live_states: a complete stored state forgets dead registers and slots
                    if cur_sites is None:
                        cur_sites = [f.callsite for f in cur.frames]
                    if [f.callsite for f in c.state.frames] == cur_sites:
                        self.clean_state(c.state)
                        c.cleaned = True
                if states_equal(c.state, cur, self.frame_live, NOT_EXACT, self.id_gen):
                    c.hits += 1
                    if idx in self.jmp_points:
                        self.push_hist(cur)
                    self.propagate_precision(c.state, cur)
                    return True
            if add_new:
                c.miss += 1
            # (a callback call's checkpoints on the current path are kept longer, to 64: the
            # passes through the callback converge on them)
            if c.miss > c.hits * 3 + 3 and not (calls_cb and c.branches > 0 and c.miss <= c.hits * 64 + 64):
                # unlikely to be useful: drop it from the list
                del lst[i]
                c.in_list = False
                self.explored_size -= 1
                if c.branches:
                    self.free_list_size += 1
                    c.fp = True  # type: ignore[assignment]
                continue
            i += 1
        if self.max_states_per_insn < states_cnt:
            self.max_states_per_insn = states_cnt
        if not self.bpf_capable and states_cnt > 64:
            return False
        if not add_new:
            return False
        self.total_states += 1
        self.explored_size += 1
        self.peak_states = max(self.peak_states, self.explored_size + self.free_list_size)
        self.prev_insn_processed = self.insn_processed
        self.prev_jmps_processed = self.jmps_processed
        if self.bpf_capable:
            self.mark_all_scalars_imprecise(cur)
        snap = cur.copy()
        snap.insn_idx = idx
        ck = Checkpoint(snap, idx, cur.last_ckpt)
        snap.last_ckpt = cur.last_ckpt
        lst.insert(0, ck)
        cur.last_ckpt = ck
        cur.first_idx = idx
        cur.hist = []
        return False

    explored_first: set[int]

    def do_check(self) -> None:
        self.explored_first = set()
        do_print_state = False
        lvl = self.log.level
        insns = self.insns
        while True:
            idx = self.insn_idx
            st = self.cur
            assert st is not None
            self.insn_processed += 1
            if self.insn_processed > COMPLEXITY_LIMIT:
                raise VerifyError(E2BIG, f"BPF program is too large. Processed {self.insn_processed} insn")
            if idx >= self.n:
                raise VerifyError(EFAULT, f"invalid insn idx {idx} insn_cnt {self.n}")
            ins = insns[idx]
            self.cur_hist_ent = None
            st.last_idx = self.prev_insn_idx
            st.insn_idx = idx
            if idx in self.prune_points:
                if self.is_state_visited(idx):
                    if self.trace is not None:
                        self.trace.prune(idx, self.prev_insn_idx)
                    if lvl & LOG_LEVEL:
                        if do_print_state:
                            self.v(f"\nfrom {self.prev_insn_idx} to {idx}: safe\n")
                        else:
                            self.v(f"{idx}: safe\n")
                    if not self.pop_path():
                        return
                    do_print_state = True
                    continue
            if idx in self.jmp_points:
                self.push_hist(st)
            if lvl & LOG_LEVEL2 and do_print_state:
                self.v(f"\nfrom {self.prev_insn_idx} to {idx}:")
                self.v(self.state_str(st, st.curframe, True))
                do_print_state = False
            if lvl & LOG_LEVEL:
                if self.scratched_regs or self.scratched_stack:
                    self.print_insn_state(st)
                self.verbose_linfo(idx, "; ")
                self.prev_log_pos = self.log.end_pos
                self.v(f"{idx}: {self.insn_text(idx)}\n")
                self.prev_insn_print_pos = self.log.end_pos - self.prev_log_pos
                self.prev_log_pos = self.log.end_pos
            if self.trace is not None:
                self.trace.insn(st, idx)
            self.aux[idx].seen = True
            self.prev_insn_idx = idx
            cls = ins.code & 7
            if cls in (I.JMP, I.JMP32):
                self.jmps_processed += 1
            ended = self.do_check_insn(ins, idx)
            if ended:
                if ended is NESTED_EXIT:  # back in the caller: its state is printed in full
                    do_print_state = True
                    continue
                if not self.pop_path():
                    return
                do_print_state = True
                continue

    def pop_path(self) -> bool:
        """Finish the current path; continue with the next pending branch (False when none)."""
        cur = self.cur
        if cur is not None:
            self.path_done(cur)
        if not self.stack:
            return False
        st, insn, prev, log_pos = self.stack.pop()
        if self.log.level and not self.log.level & LOG_LEVEL2:
            self.log.reset(log_pos)
        self.cur = st
        self.insn_idx = insn
        self.prev_insn_idx = prev
        if self.trace is not None:
            self.trace.pop(insn, prev)
        self.scratched_regs = (1 << 11) - 1
        self.scratched_stack = (1 << 64) - 1
        return True

    # ------------------------------------------------------------------ registers
    def check_reg_arg(self, regno: int, src: bool, mark: bool = True) -> Reg:
        if regno >= 11:
            raise VerifyError(EINVAL, f"R{regno} is invalid")
        self.scratched_regs |= 1 << regno
        r = self.cur.frames[-1].regs[regno]  # type: ignore[union-attr]
        if src:
            if r.type == R.NOT_INIT:
                raise VerifyError(EACCES, f"R{regno} !read_ok")
        else:
            if regno == 10:
                raise VerifyError(EACCES, "frame pointer is read only")
            if mark:
                R.mark_unknown(r)
        return r

    def do_check_insn(self, ins: I.Insn, idx: int) -> bool:
        cls = ins.code & 7
        if cls in (I.ALU, I.ALU64):
            self.check_alu(ins, idx)
            self.insn_idx = idx + 1
            return False
        if cls == I.LDX:
            self.check_ldx(ins, idx)
            self.insn_idx = idx + 1
            return False
        if cls == I.STX:
            if ins.code & 0xE0 == I.ATOMIC:
                self.check_atomic(ins, idx)
                self.insn_idx = idx + 1
                return False
            if ins.code & 0xE0 != I.MEM or ins.imm != 0:
                raise VerifyError(EINVAL, "BPF_STX uses reserved fields")
            self.check_reg_arg(ins.src, True)
            dst = self.check_reg_arg(ins.dst, True)
            self.record_ptr_type(idx, dst)
            self.check_mem_access(idx, ins.dst, ins.off, I.SIZE_BYTES[ins.code & 0x18], BPF_WRITE, ins.src)
            self.insn_idx = idx + 1
            return False
        if cls == I.ST:
            if ins.code & 0xE0 != I.MEM or ins.src != 0:
                raise VerifyError(EINVAL, "BPF_ST uses reserved fields")
            dst = self.check_reg_arg(ins.dst, True)
            self.record_ptr_type(idx, dst)
            self.check_mem_access(idx, ins.dst, ins.off, I.SIZE_BYTES[ins.code & 0x18], BPF_WRITE, -1, st_imm=ins.imm)
            self.insn_idx = idx + 1
            return False
        if cls in (I.JMP, I.JMP32):
            op = ins.code & 0xF0
            if op == I.CALL:
                if (ins.code & I.X) or (ins.src != PSEUDO_KFUNC_CALL and ins.off != 0) or \
                        ins.src not in (0, PSEUDO_CALL, PSEUDO_KFUNC_CALL) or ins.dst != 0 or cls == I.JMP32:
                    raise VerifyError(EINVAL, "BPF_CALL uses reserved fields")
                if ins.src == PSEUDO_CALL:
                    self.check_func_call(ins, idx)
                    return False
                if ins.src == PSEUDO_KFUNC_CALL:
                    raise VerifyError(EINVAL, "calling kernel function is not supported without CONFIG_DEBUG_INFO_BTF")
                if not self.check_helper_call(ins, idx):
                    self.insn_idx = idx + 1
                return False
            if op == I.JA:
                if (ins.code & I.X) or ins.src or ins.dst or (cls == I.JMP and ins.imm) or (cls == I.JMP32 and ins.off):
                    raise VerifyError(EINVAL, "BPF_JA uses reserved fields")
                self.insn_idx = idx + (ins.imm if cls == I.JMP32 else ins.off) + 1
                return False
            if op == I.EXIT:
                if (ins.code & I.X) or ins.imm or ins.src or ins.dst or cls == I.JMP32:
                    raise VerifyError(EINVAL, "BPF_EXIT uses reserved fields")
                return self.check_exit(idx)
            self.check_cond_jmp(ins, idx)
            return False
        if cls == I.LD:
            mode = ins.code & 0xE0
            if mode in (I.ABS, I.IND):
                self.check_ld_abs(ins, idx)
                self.insn_idx = idx + 1
                return False
            if mode == I.IMM:
                self.check_ld_imm(ins, idx)
                if idx + 1 < self.n:
                    self.aux[idx + 1].seen = True
                self.insn_idx = idx + 2
                return False
            raise VerifyError(EINVAL, "invalid BPF_LD mode")
        raise VerifyError(EINVAL, f"unknown insn class {cls}")

    # ------------------------------------------------------------------ ALU
    def check_alu(self, ins: I.Insn, idx: int) -> None:
        op = ins.code & 0xF0
        cls = ins.code & 7
        x = ins.code & I.X
        regs = self.cur.cur.regs  # type: ignore[union-attr]
        if op in (I.END, I.NEG):
            if op == I.NEG:
                if x or ins.src or ins.off or ins.imm:
                    raise VerifyError(EINVAL, "BPF_NEG uses reserved fields")
            else:
                if ins.src or ins.off or ins.imm not in (16, 32, 64) or (cls == I.ALU64 and x):
                    raise VerifyError(EINVAL, "BPF_END uses reserved fields")
            d = self.check_reg_arg(ins.dst, True)
            if d.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{ins.dst} pointer arithmetic prohibited")
            self.check_reg_arg(ins.dst, False, mark=False)
            if op == I.NEG and d.type == R.SCALAR and d.is_const():
                bits = 32 if cls == I.ALU else 64
                v = (-d.var[0]) & ((1 << bits) - 1)
                R.mark_known(d, v)
                return
            if op == I.END and d.type == R.SCALAR and d.is_const():
                from ..uapi.opcodes import lookup
                form = lookup(ins)
                if form is not None and form.fn is not None:
                    R.mark_known(d, form.fn(d.var[0], 0))
                    return
            R.mark_unknown(d)
            if op == I.END and ins.imm < 64 or (op == I.NEG and cls == I.ALU):
                bits = ins.imm if op == I.END else 32
                d.var = (0, (1 << bits) - 1)
                d.umax = (1 << bits) - 1
                d.smin, d.smax = 0, (1 << bits) - 1
                R.sync(d)
            return
        if op == I.MOV:
            if x:
                if cls == I.ALU:
                    if ins.off not in (0, 8, 16) or ins.imm:
                        raise VerifyError(EINVAL, "BPF_MOV uses reserved fields")
                elif ins.off == 1:
                    if ins.imm not in (1, 1 << 16):
                        raise VerifyError(EINVAL, "addr_space_cast insn can only convert between address space 1 and 0")
                    raise VerifyError(EINVAL, "addr_space_cast insn can only be used in a program that has an associated arena")
                elif ins.off not in (0, 8, 16, 32) or ins.imm:
                    raise VerifyError(EINVAL, "BPF_MOV uses reserved fields")
                src = self.check_reg_arg(ins.src, True)
            else:
                if ins.src or ins.off:
                    raise VerifyError(EINVAL, "BPF_MOV uses reserved fields")
                src = None
            d = self.check_reg_arg(ins.dst, False, mark=False)
            if src is not None:
                if cls == I.ALU64:
                    if ins.off == 0:
                        if src.type == R.SCALAR and not src.id and src.var[1]:
                            src.id = self.new_id()
                        d.assign(src)
                        d.subreg_def = 0
                    else:
                        if src.is_ptr():
                            if not self.allow_ptr_leaks:
                                raise VerifyError(EACCES, f"R{ins.src} sign-extension part of pointer")
                            R.mark_unknown(d)
                        else:
                            fits = src.umax < (1 << (ins.off - 1)) if src.smin >= 0 else False
                            if fits and not src.id and src.var[1]:
                                src.id = self.new_id()
                            tmp = src.copy()
                            A.coerce_sx(tmp, ins.off // 8)
                            if not fits:
                                tmp.id = 0
                            d.assign(tmp)
                else:
                    if src.type == R.SCALAR:
                        if ins.off == 0:
                            u32 = src.umax <= M32
                            if u32 and not src.id and src.var[1]:
                                src.id = self.new_id()
                            d.assign(src)
                            if not u32:
                                d.id = 0
                        else:
                            fits = src.smin >= 0 and src.umax < (1 << (ins.off - 1))
                            if fits and not src.id and src.var[1]:
                                src.id = self.new_id()
                            tmp = src.copy()
                            A.coerce_sx(tmp, ins.off // 8)
                            if not fits:
                                tmp.id = 0
                            d.assign(tmp)
                    else:
                        if not self.allow_ptr_leaks:
                            raise VerifyError(EACCES, f"R{ins.src} partial copy of pointer")
                        R.mark_unknown(d)
                    d.subreg_def = idx + 1
                    R.zext_32_to_64(d)
                    R.sync(d)
            else:
                R.mark_unknown(d)
                if cls == I.ALU64:
                    R.set_known(d, ins.imm)
                else:
                    R.set_known(d, ins.imm & M32)
            return
        if op > I.END:
            raise VerifyError(EINVAL, f"invalid BPF_ALU opcode {op:x}")
        if x:
            if ins.imm or ins.off not in (0, 1) or (ins.off == 1 and op not in (I.MOD, I.DIV)):
                raise VerifyError(EINVAL, "BPF_ALU uses reserved fields")
            src = self.check_reg_arg(ins.src, True)
        else:
            if ins.src or ins.off not in (0, 1) or (ins.off == 1 and op not in (I.MOD, I.DIV)):
                raise VerifyError(EINVAL, "BPF_ALU uses reserved fields")
            src = None
        d = self.check_reg_arg(ins.dst, True)
        if op in (I.MOD, I.DIV) and not x and ins.imm == 0:
            raise VerifyError(EINVAL, "div by zero")
        if op in (I.LSH, I.RSH, I.ARSH) and not x:
            size = 64 if cls == I.ALU64 else 32
            if ins.imm < 0 or ins.imm >= size:
                raise VerifyError(EINVAL, f"invalid shift {ins.imm}")
        self.check_reg_arg(ins.dst, False, mark=False)
        self.adjust_reg_min_max_vals(ins, d, src, regs)

    def adjust_reg_min_max_vals(self, ins: I.Insn, d: Reg, src: Reg | None, regs: list[Reg]) -> None:
        op = ins.code & 0xF0
        alu32 = (ins.code & 7) == I.ALU
        if src is None and d.type == R.SCALAR and not d.var[1] and op in A.CONST_OPS:
            # a known scalar OP an immediate: the result is the constant (what scalar_alu
            # computes for two known operands), without building the immediate's register
            res = A.const_result(d.var[0], ins.imm, op, 32 if alu32 else 64)
            if res is not None:
                R.set_known(d, res)
                d.id = 0
                return
        if src is None:
            src = Reg()
            src.type = R.SCALAR
            R.set_known(src, ins.imm if not alu32 else ins.imm & M32)
            if alu32:
                R.set_known(src, ins.imm)  # imm sign-extended; the 32-bit view is what matters
        signed_divmod = ins.off == 1
        is_x = bool(ins.code & I.X)
        if d.type != R.SCALAR:
            if src.type != R.SCALAR:
                if op == I.SUB and self.allow_ptr_leaks:
                    R.mark_unknown(d)
                    return
                raise VerifyError(EACCES, f"R{ins.dst} pointer {BPF_ALU_STR[op]} pointer prohibited")
            if is_x:
                self.mark_chain_precision(ins.src)  # pointer += scalar
            self.adjust_ptr_min_max_vals(ins, d, d, src)
            return
        if src.type != R.SCALAR:
            # scalar OP pointer
            self.mark_chain_precision(ins.dst)
            self.adjust_ptr_min_max_vals(ins, d, src, d)
            return
        if is_x and d.precise:
            self.mark_chain_precision(ins.src)
        if op in (I.DIV, I.MOD) and src.is_const() and d.is_const():
            pass
        A.scalar_alu(d, src, op, alu32)
        _ = signed_divmod
        if d.type == R.SCALAR and op not in (I.MOV,):
            d.id = 0

    def adjust_ptr_min_max_vals(self, ins: I.Insn, dst: Reg, ptr: Reg, off_reg: Reg) -> None:
        op = ins.code & 0xF0
        dno = ins.dst
        known = off_reg.is_const()
        smin, smax, umin, umax = off_reg.smin, off_reg.smax, off_reg.umin, off_reg.umax
        if (known and (smin != smax or umin != umax)) or smin > smax or umin > umax:
            R.mark_unknown(dst)
            return
        if ins.code & 7 != I.ALU64:
            if op == I.SUB and self.allow_ptr_leaks:
                R.mark_unknown(dst)
                return
            raise VerifyError(EACCES, f"R{dno} 32-bit pointer arithmetic prohibited")
        pt = ptr.type
        if pt & R.MAYBE_NULL:
            raise VerifyError(EACCES, f"R{dno} pointer arithmetic on {R.type_str(pt)} prohibited, null-check it first")
        b = pt & R.BASE
        if b in (R.CTX, R.MAP_VALUE, R.MAP_KEY, R.STACK, R.PACKET_META, R.PACKET, R.MEM, R.BTF_ID, R.FUNC):
            pass
        elif b == R.FLOW_KEYS and known:
            pass
        elif b == R.MAP_PTR and known and smin == 0 and op == I.ADD:
            pass
        else:
            raise VerifyError(EACCES, f"R{dno} pointer arithmetic on {R.type_str(pt)} prohibited")
        if op not in (I.ADD, I.SUB):
            if op in (I.AND, I.OR, I.XOR):
                raise VerifyError(EACCES, f"R{dno} bitwise operator {BPF_ALU_STR[op]} on pointer prohibited")
            raise VerifyError(EACCES, f"R{dno} pointer arithmetic with {BPF_ALU_STR[op]} operator prohibited")
        if op == I.SUB and dst is off_reg:
            raise VerifyError(EACCES, f"R{dno} tried to subtract pointer from scalar")
        for rr in (off_reg, ptr):
            self.check_reg_sane_offset(rr, pt)
        res = ptr.copy()
        res.type = pt
        res.id = ptr.id
        R.mark_32_unbounded(res)
        if op == I.ADD:
            if known and -(1 << 31) <= ptr.off + smin < (1 << 31):
                res.off = ptr.off + smin
            else:
                _add_ptr_bounds(res, ptr, off_reg)
                res.var = T.add(ptr.var, off_reg.var)
                res.off = ptr.off
                if res.is_pkt():
                    res.id = self.new_id()
                    res.range = 0
        else:
            if b == R.STACK and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{dno} subtraction from stack pointer prohibited")
            if known and -(1 << 31) <= ptr.off - smin < (1 << 31):
                res.off = ptr.off - smin
            else:
                _sub_ptr_bounds(res, ptr, off_reg)
                res.var = T.sub(ptr.var, off_reg.var)
                res.off = ptr.off
                if res.is_pkt():
                    res.id = self.new_id()
                    if smin < 0:
                        res.range = 0
        R.sync(res)
        self.check_reg_sane_offset(res, pt)
        dst.assign(res)

    def check_reg_sane_offset(self, reg: Reg, typ: int) -> None:
        known = reg.var[1] == 0
        val = R.s64(reg.var[0])
        lim = R.MAX_VAR_OFF
        if known and (val >= lim or val <= -lim):
            raise VerifyError(EINVAL, f"math between {R.type_str(typ)} pointer and {val} is not allowed")
        if reg.off >= lim or reg.off <= -lim:
            raise VerifyError(EINVAL, f"{R.type_str(typ)} pointer offset {reg.off} is not allowed")
        if reg.smin == S64_MIN:
            raise VerifyError(EINVAL, f"math between {R.type_str(typ)} pointer and register with unbounded min "
                                      "value is not allowed")
        if reg.smin >= lim or reg.smin <= -lim:
            raise VerifyError(EINVAL, f"value {reg.smin} makes {R.type_str(typ)} pointer be out of bounds")

    # ------------------------------------------------------------------ memory
    def record_ptr_type(self, idx: int, reg: Reg) -> None:
        aux = self.aux[idx]
        t = reg.type & R.BASE
        if aux.ptr_type == -1:
            aux.ptr_type = t
        elif (aux.ptr_type == R.CTX) != (t == R.CTX):
            raise VerifyError(EINVAL, "same insn cannot be used with different pointers")

    def check_ldx(self, ins: I.Insn, idx: int) -> None:
        src = self.check_reg_arg(ins.src, True)
        self.check_reg_arg(ins.dst, False, mark=False)
        size = I.SIZE_BYTES[ins.code & 0x18]
        sx = (ins.code & 0xE0) == I.MEMSX
        self.record_ptr_type(idx, src)
        self.check_mem_access(idx, ins.src, ins.off, size, BPF_READ, ins.dst, sign_ext=sx)

    def check_ptr_alignment(self, reg: Reg, regno: int, off: int, size: int) -> None:
        b = reg.type & R.BASE
        strict = self.strict_align
        if b in (R.PACKET, R.PACKET_META):
            if not strict:
                return
            ip_align = 2
            reg_off = T.add(reg.var, T.const(ip_align + reg.off + off))
            if not T.is_aligned(reg_off, size):
                raise VerifyError(EACCES, f"misaligned packet access off {ip_align}+{T.tstr(reg.var)}+{reg.off}+{off} size {size}")
            return
        desc = {R.MAP_VALUE: "value ", R.MAP_KEY: "key ", R.CTX: "context ", R.STACK: "stack ",
                R.SOCKET: "sock ", R.SOCK_COMMON: "sock_common "}.get(b, "")
        if b == R.STACK:
            strict = True
        if not strict or size == 1:
            return
        reg_off = T.add(reg.var, T.const(reg.off + off))
        if not T.is_aligned(reg_off, size):
            raise VerifyError(EACCES, f"misaligned {desc}access off {T.tstr(reg.var)}+{reg.off}+{off} size {size}")

    def check_mem_access(self, idx: int, regno: int, off: int, size: int, t: int, value_regno: int,
                         st_imm: int | None = None, sign_ext: bool = False) -> None:
        f = self.cur.cur  # type: ignore[union-attr]
        reg = f.regs[regno]
        self.check_ptr_alignment(reg, regno, off, size)
        off += reg.off
        b = reg.type & R.BASE
        if reg.type & R.MAYBE_NULL:
            raise VerifyError(EACCES, f"R{regno} invalid mem access '{R.type_str(reg.type)}'")
        val = f.regs[value_regno] if value_regno >= 0 else None
        if b == R.MAP_VALUE:
            if t == BPF_WRITE and value_regno >= 0 and val is not None and val.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{value_regno} leaks addr into map")
            self.check_map_access_type(reg, off, size, t)
            self.check_map_access(regno, reg, off, size, False)
            if t == BPF_READ and value_regno >= 0:
                dst = f.regs[value_regno]
                folded = self.map_direct_read(reg, off, size)
                R.mark_unknown(dst)
                if folded is not None:
                    R.set_known(dst, folded)
        elif b == R.MAP_KEY:
            if t == BPF_WRITE:
                raise VerifyError(EACCES, f"write to change key R{regno} not allowed")
            self.check_mem_region_access(regno, reg, off, size, reg.map.key_size, False)
            if value_regno >= 0:
                R.mark_unknown(f.regs[value_regno])
        elif b == R.MEM:
            if reg.type & R.RDONLY and t == BPF_WRITE:
                raise VerifyError(EACCES, f"R{regno} cannot write into {R.type_str(reg.type)}")
            self.check_mem_region_access(regno, reg, off, size, reg.mem_size, False)
            if t == BPF_READ and value_regno >= 0:
                R.mark_unknown(f.regs[value_regno])
        elif b == R.CTX:
            if t == BPF_WRITE and val is not None and val.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{value_regno} leaks addr into ctx")
            self.check_ptr_off_reg(reg, regno)
            acc = CTX.check(self.prog_type, self.env.expected_attach_type, off, size, t == BPF_WRITE, sign_ext)
            if acc is None:
                raise VerifyError(EACCES, f"invalid bpf_context access off={off} size={size}")
            self.aux[idx].ctx_field_size = acc.field_size
            if t == BPF_READ and value_regno >= 0:
                dst = f.regs[value_regno]
                R.mark_unknown(dst)
                if acc.reg_type != R.SCALAR:
                    R.mark_known_zero_ptr(dst, acc.reg_type)
                    if acc.reg_type & R.MAYBE_NULL:
                        dst.id = self.new_id()
        elif b == R.STACK:
            self.check_stack_access_within_bounds(regno, reg, off, size, t, ACCESS_DIRECT)
            frame = self.cur.frames[reg.frameno]  # type: ignore[union-attr]
            if t == BPF_READ:
                self.check_stack_read(frame, reg, off, size, value_regno)
            else:
                self.check_stack_write(frame, reg, off, size, value_regno, st_imm)
        elif b in (R.PACKET, R.PACKET_META):
            if t == BPF_WRITE and not self.may_access_direct_pkt_data(t):
                raise VerifyError(EACCES, "cannot write into packet")
            if t == BPF_WRITE and val is not None and val.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{value_regno} leaks addr into packet")
            self.check_packet_access(regno, reg, off, size, False)
            if t == BPF_READ and value_regno >= 0:
                R.mark_unknown(f.regs[value_regno])
        elif b == R.MAP_PTR and not reg.type & R.MAYBE_NULL:
            if t == BPF_WRITE:
                raise VerifyError(EACCES, "only read from bpf_map is supported")
            if off < 0:
                raise VerifyError(EACCES, f"R{regno} is ptr_bpf_map invalid negative access: off={off}")
            if value_regno >= 0:
                R.mark_unknown(f.regs[value_regno])
        elif b == R.SOCK_COMMON and not reg.type & R.MAYBE_NULL:
            if t == BPF_WRITE or off < 0 or off + size > 80:
                raise VerifyError(EACCES, f"R{regno} invalid sock_common access off={off} size={size}")
            if value_regno >= 0:
                R.mark_unknown(f.regs[value_regno])
        else:
            raise VerifyError(EACCES, f"R{regno} invalid mem access '{R.type_str(reg.type)}'")
        if t == BPF_READ and value_regno >= 0 and size < 8:
            dst = f.regs[value_regno]
            if dst.type == R.SCALAR:
                if sign_ext:
                    A.coerce_sx(dst, size)
                else:
                    A.coerce_to_size(dst, size)

    def check_ptr_off_reg(self, reg: Reg, regno: int) -> None:
        if reg.off:
            raise VerifyError(EACCES, f"dereference of modified {R.type_str(reg.type)} ptr R{regno} off={reg.off} disallowed")
        if reg.var[1] or reg.var[0]:
            raise VerifyError(EACCES, f"variable {R.type_str(reg.type)} access var_off={T.tstr(reg.var)} disallowed")

    def may_access_direct_pkt_data(self, t: int) -> bool:
        pt = self.prog_type
        if pt in _PKT_READ_ONLY:
            return t != BPF_WRITE
        if pt in _PKT_WRITE:
            if t == BPF_WRITE:
                self.seen_direct_write = True
            return True
        return pt == ProgType.CGROUP_SOCKOPT

    def mem_access_error(self, regno: int, reg: Reg, off: int, size: int, mem_size: int) -> str:
        b = reg.type & R.BASE
        if b == R.MAP_KEY:
            return f"invalid access to map key, key_size={mem_size} off={off} size={size}"
        if b == R.MAP_VALUE:
            return f"invalid access to map value, value_size={mem_size} off={off} size={size}"
        if b in (R.PACKET, R.PACKET_META, R.PACKET_END):
            return f"invalid access to packet, off={off} size={size}, R{regno}(id={reg.id},off={off},r={mem_size})"
        return f"invalid access to memory, mem_size={mem_size} off={off} size={size}"

    def _mem_ok(self, off: int, size: int, mem_size: int, zero_ok: bool) -> bool:
        size_ok = size > 0 or (size == 0 and zero_ok)
        return off >= 0 and size_ok and off + size <= mem_size

    def check_mem_region_access(self, regno: int, reg: Reg, off: int, size: int, mem_size: int, zero_ok: bool) -> None:
        if reg.smin < 0 and (reg.smin == S64_MIN or not -(1 << 31) <= off + reg.smin < (1 << 31)
                             or reg.smin + off < 0):
            raise VerifyError(EACCES, f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.")
        if not self._mem_ok(reg.smin + off, size, mem_size, zero_ok):
            self.v(self.mem_access_error(regno, reg, reg.smin + off, size, mem_size) + "\n")
            raise VerifyError(EACCES, f"R{regno} min value is outside of the allowed memory range")
        if reg.umax >= R.MAX_VAR_OFF:
            raise VerifyError(EACCES, f"R{regno} unbounded memory access, make sure to bounds check any such access")
        if not self._mem_ok(reg.umax + off, size, mem_size, zero_ok):
            self.v(self.mem_access_error(regno, reg, reg.umax + off, size, mem_size) + "\n")
            raise VerifyError(EACCES, f"R{regno} max value is outside of the allowed memory range")

    def check_map_access(self, regno: int, reg: Reg, off: int, size: int, zero_ok: bool) -> None:
        self.check_mem_region_access(regno, reg, off, size, reg.map.value_size, zero_ok)

    def check_map_access_type(self, reg: Reg, off: int, size: int, t: int) -> None:
        m = reg.map
        flags = getattr(m, "map_flags", 0)
        if t == BPF_WRITE and flags & (1 << 7):  # BPF_F_RDONLY_PROG
            raise VerifyError(EACCES, f"write into map forbidden, value_size={m.value_size} off={off} size={size}")
        if t == BPF_READ and flags & (1 << 8):  # BPF_F_WRONLY_PROG
            raise VerifyError(EACCES, f"read from map forbidden, value_size={m.value_size} off={off} size={size}")

    def map_direct_read(self, reg: Reg, off: int, size: int) -> int | None:
        m = reg.map
        if not (getattr(m, "map_flags", 0) & (1 << 7)) or not getattr(m, "frozen", False):
            return None
        if reg.var[1] or m.map_type != MapType.ARRAY or m.max_entries != 1:
            return None
        vals = getattr(m, "values", None)
        if vals is None:
            return None
        o = off + reg.var[0]
        if o < 0 or o + size > m.value_size:
            return None
        return int.from_bytes(bytes(vals[o:o + size]), "little")

    def check_packet_access(self, regno: int, reg: Reg, off: int, size: int, zero_ok: bool) -> None:
        if reg.smin < 0:
            raise VerifyError(EACCES, f"R{regno} min value is negative, either use unsigned index or do a if (index >=0) check.")
        if reg.range < 0 or not self._mem_ok(off, size, reg.range, zero_ok):
            if reg.range >= 0:
                self.v(self.mem_access_error(regno, reg, off, size, reg.range) + "\n")
            raise VerifyError(EACCES, f"R{regno} offset is outside of the packet")

    def check_stack_access_within_bounds(self, regno: int, reg: Reg, off: int, size: int, t: int, src: int) -> None:
        if t == BPF_READ:
            extra = " read from"
        else:
            extra = " write to"
        if reg.var[1] == 0:
            min_off = R.s64(reg.var[0]) + off
            max_off = min_off + size
        else:
            if reg.smax >= R.MAX_VAR_OFF or reg.smin <= -R.MAX_VAR_OFF:
                raise VerifyError(EACCES, f"invalid unbounded variable-offset{extra} stack R{regno}")
            min_off = reg.smin + off
            max_off = reg.smax + off + size
        errno = EACCES if (min_off < -MAX_BPF_STACK or min_off >= 0) else 0
        if not errno and (max_off > 0 or size < 0):
            errno = EINVAL
        if errno:
            if reg.var[1] == 0:
                raise VerifyError(errno, f"invalid{extra} stack R{regno} off={off} size={size}")
            raise VerifyError(errno, f"invalid variable-offset{extra} stack R{regno} var_off={T.tstr(reg.var)} off={off} size={size}")
        fr = self.cur.frames[reg.frameno]  # type: ignore[union-attr]
        fr.depth = max(fr.depth, -min_off)
        sp = fr.subprog
        if sp < len(self.subprog_depth):
            self.subprog_depth[sp] = max(self.subprog_depth[sp], -min_off)

    def _slot(self, frame: Frame, spi: int) -> Slot:
        s = frame.stack.get(spi)
        if s is None:
            s = Slot()
            frame.stack[spi] = s
        return s

    def check_stack_write(self, frame: Frame, reg: Reg, off: int, size: int, value_regno: int,
                          st_imm: int | None) -> None:
        cur_frame = self.cur.cur  # type: ignore[union-attr]
        val = cur_frame.regs[value_regno] if value_regno >= 0 else None
        if reg.var[1]:
            lo = reg.smin + off
            hi = reg.smax + off + size
            zero = (val is not None and val.is_const() and val.var[0] == 0) or (val is None and st_imm == 0)
            self.stack_live.note_write(self.cur.frames, self.insn_idx, frame.frameno, 0)  # type: ignore[union-attr]
            for a in range(lo, hi):
                spi = (-a - 1) // 8
                k = (-a - 1) % 8
                s = self._slot(frame, spi)
                if s.is_spill():
                    s.spilled = None
                    s.types = [SLOT_MISC if x == SLOT_SPILL else x for x in s.types]
                if not zero or s.types[k] != SLOT_ZERO:
                    s.types[k] = SLOT_MISC if not zero else s.types[k] if s.types[k] == SLOT_ZERO else SLOT_MISC
                self.mark_stack_scratched(spi)
            return
        off += R.s64(reg.var[0])
        spi = (-off - 1) // 8
        slot = (-off - 1)
        s = self._slot(frame, spi)
        self.mark_stack_scratched(spi)
        self.stack_live.note_write(self.cur.frames, self.insn_idx, frame.frameno,  # type: ignore[union-attr]
                                   (1 << spi) if size == 8 else 0)
        hist_flags = HIST_STACK | (frame.frameno << 6) | spi
        if not self.allow_ptr_leaks and s.is_spill() and s.spilled is not None and s.spilled.type != R.SCALAR and size != 8:
            raise VerifyError(EACCES, "attempt to corrupt spilled pointer on stack")
        aligned = off % 8 == 0
        if val is not None and aligned and val.type == R.SCALAR and self.bpf_capable:
            width = val.umax.bit_length() if val.umax else 0
            fits = width <= 8 * size
            if fits and not val.id and val.var[1]:
                val.id = self.new_id()
            self.save_register_state(s, val, size)
            if not fits:
                s.spilled.id = 0  # type: ignore[union-attr]
        elif val is None and aligned and st_imm is not None and self.bpf_capable:
            tmp = Reg()
            tmp.type = R.SCALAR
            R.set_known(tmp, st_imm)
            self.save_register_state(s, tmp, size)
        elif val is not None and val.type != R.SCALAR:
            if size != 8:
                self.verbose_linfo(self.insn_idx, "; ")
                raise VerifyError(EACCES, "invalid size of register spill")
            if frame is not cur_frame and val.type == R.STACK:
                raise VerifyError(EINVAL, "cannot spill pointers to stack into stack frame of the caller")
            self.save_register_state(s, val, size)
        else:
            typ = SLOT_MISC
            had_special = s.is_spill()
            s.spilled = None
            if had_special:
                s.types = [SLOT_MISC if x == SLOT_SPILL else x for x in s.types]
            if (val is not None and val.type == R.SCALAR and val.is_const() and val.var[0] == 0) or \
                    (val is None and st_imm == 0):
                if value_regno >= 0:
                    self.mark_chain_precision(value_regno)
                typ = SLOT_ZERO
            for i in range(size):
                s.types[(slot - i) % 8] = typ
            hist_flags = 0
        if hist_flags:
            self.push_hist(self.cur, hist_flags)  # type: ignore[arg-type]

    def save_register_state(self, s: Slot, reg: Reg, size: int) -> None:
        s.spilled = reg.copy()
        for i in range(8, 8 - size, -1):
            s.types[i - 1] = SLOT_SPILL
        for i in range(8 - size, 0, -1):
            t = s.types[i - 1]
            if t == SLOT_ZERO:
                continue
            if t == SLOT_INVALID and self.bpf_capable:
                continue
            s.types[i - 1] = SLOT_MISC

    def check_stack_read(self, frame: Frame, reg: Reg, off: int, size: int, dst_regno: int) -> None:
        regs = self.cur.cur.regs  # type: ignore[union-attr]
        if reg.var[1]:
            lo0 = reg.smin + off
            hi0 = reg.smax + off + size
            m = 0
            for a in range(lo0, hi0):
                m |= 1 << ((-a - 1) // 8)
            self.stack_live.note_read(self.cur.frames, self.insn_idx, frame.frameno, m)  # type: ignore[union-attr]
            if dst_regno >= 0:
                lo = reg.smin + off
                hi = reg.smax + off + size
                zero = True
                for a in range(lo, hi):
                    spi = (-a - 1) // 8
                    s = frame.stack.get(spi)
                    t = s.types[(-a - 1) % 8] if s is not None else SLOT_INVALID
                    if t == SLOT_INVALID and not self.bpf_capable:
                        raise VerifyError(EACCES, f"invalid variable-offset read from stack R{reg}")
                    if t != SLOT_ZERO:
                        zero = False
                    self.mark_stack_scratched(spi)
                R.mark_unknown(regs[dst_regno])
                if zero:
                    R.set_known(regs[dst_regno], 0)
            return
        off += R.s64(reg.var[0])
        spi = (-off - 1) // 8
        slot = -off - 1
        s = frame.stack.get(spi) or Slot()
        self.mark_stack_scratched(spi)
        self.stack_live.note_read(self.cur.frames, self.insn_idx, frame.frameno, 1 << spi)  # type: ignore[union-attr]
        hist_flags = HIST_STACK | (frame.frameno << 6) | spi
        types = s.types
        if s.is_spill() and s.spilled is not None:
            sp = s.spilled
            spill_size = 1
            i = 7
            while i > 0 and types[i - 1] == SLOT_SPILL:
                spill_size += 1
                i -= 1
            if size != 8 or spill_size != 8:
                if sp.type != R.SCALAR:
                    self.verbose_linfo(self.insn_idx, "; ")
                    raise VerifyError(EACCES, "invalid size of register fill")
                if dst_regno < 0:
                    return
                if size <= spill_size and off % 8 == 0:
                    d = regs[dst_regno]
                    subreg_def = d.subreg_def
                    if self.bpf_capable and size == 4 and spill_size == 4 and sp.umax.bit_length() <= 32 \
                            and not sp.id and sp.var[1]:
                        sp.id = self.new_id()
                    d.assign(sp)
                    d.subreg_def = subreg_def
                    if sp.umax.bit_length() > size * 8:
                        d.id = 0
                    self.push_hist(self.cur, hist_flags)  # type: ignore[arg-type]
                else:
                    spill_cnt = zero_cnt = 0
                    for i in range(size):
                        t = types[(slot - i) % 8]
                        if t == SLOT_SPILL:
                            spill_cnt += 1
                        elif t == SLOT_ZERO:
                            zero_cnt += 1
                        elif t == SLOT_INVALID and not self.bpf_capable:
                            raise VerifyError(EACCES, f"invalid read from stack off {off}+{i} size {size}")
                    d = regs[dst_regno]
                    if spill_cnt == size and sp.is_const() and sp.var[0] == 0:
                        R.mark_known(d, 0)
                        self.push_hist(self.cur, hist_flags)  # type: ignore[arg-type]
                    elif zero_cnt == size:
                        R.mark_known(d, 0)
                    else:
                        R.mark_unknown(d)
            elif dst_regno >= 0:
                # (an 8-byte spill already gave an unknown scalar its id; a fill of one a
                # callback's loop widened stays without, as in the kernel)
                regs[dst_regno].assign(sp)
                self.push_hist(self.cur, hist_flags)  # type: ignore[arg-type]
            elif sp.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"leaking pointer from stack off {off}")
            return
        zeros = 0
        for i in range(size):
            t = types[(slot - i) % 8]
            if t == SLOT_ZERO:
                zeros += 1
            elif t == SLOT_INVALID and not self.bpf_capable:
                raise VerifyError(EACCES, f"invalid read from stack off {off}+{i} size {size}")
        if dst_regno >= 0:
            R.mark_unknown(regs[dst_regno])
            if zeros == size:
                R.set_known(regs[dst_regno], 0)

    # ------------------------------------------------------------------ atomics, ld_imm64, ld_abs
    def check_atomic(self, ins: I.Insn, idx: int) -> None:
        imm = ins.imm
        if imm not in (I.ADD, I.ADD | I.FETCH, I.AND, I.AND | I.FETCH, I.OR, I.OR | I.FETCH, I.XOR,
                       I.XOR | I.FETCH, I.XCHG, I.CMPXCHG):
            raise VerifyError(EINVAL, f"BPF_ATOMIC uses invalid atomic opcode {imm:02x}")
        size = I.SIZE_BYTES[ins.code & 0x18]
        if size not in (4, 8):
            raise VerifyError(EINVAL, "invalid atomic operand size")
        self.check_reg_arg(ins.src, True)
        dst = self.check_reg_arg(ins.dst, True)
        if imm == I.CMPXCHG:
            self.check_reg_arg(0, True)
        src = self.cur.cur.regs[ins.src]  # type: ignore[union-attr]
        if src.is_ptr() and not self.allow_ptr_leaks:
            raise VerifyError(EACCES, f"R{ins.src} leaks addr into mem")
        b = dst.type & R.BASE
        if b in (R.CTX, R.PACKET, R.PACKET_META, R.FLOW_KEYS, R.SOCKET, R.SOCK_COMMON, R.TCP_SOCK) or dst.type == R.SCALAR:
            if dst.type == R.SCALAR:
                raise VerifyError(EACCES, f"R{ins.dst} invalid mem access 'scalar'")
            raise VerifyError(EACCES, f"BPF_ATOMIC stores into R{ins.dst} {R.type_str(dst.type)} is not allowed")
        load_reg = -1
        if imm & I.FETCH:
            load_reg = 0 if imm == I.CMPXCHG else ins.src
        # read then write
        self.check_mem_access(idx, ins.dst, ins.off, size, BPF_READ, load_reg)
        if load_reg >= 0:
            pass
        self.check_mem_access(idx, ins.dst, ins.off, size, BPF_WRITE, -1)
        if load_reg >= 0:
            r = self.cur.cur.regs[load_reg]  # type: ignore[union-attr]
            R.mark_unknown(r)
            if size == 4:
                R.zext_32_to_64(r)
                r.var = (0, M32)
                R.sync(r)

    def check_ld_imm(self, ins: I.Insn, idx: int) -> None:
        if (ins.code & 0x18) != I.DW:
            raise VerifyError(EINVAL, "invalid BPF_LD_IMM insn")
        if ins.off != 0:
            raise VerifyError(EINVAL, "BPF_LD_IMM64 uses reserved fields")
        d = self.check_reg_arg(ins.dst, False)
        nxt = self.insns[idx + 1]
        if ins.src == 0:
            R.mark_known(d, (ins.imm & M32) | ((nxt.imm & M32) << 32))
            return
        if ins.src == PSEUDO_FUNC:
            sub = self.subprogs.index(idx + ins.imm + 1)
            if not self.env.func_info:
                raise VerifyError(EINVAL, "missing btf func_info")
            if self.subprog_is_global(sub):
                raise VerifyError(EINVAL, "callback function not static")
            R.mark_known_zero_ptr(d, R.FUNC)
            d.mem_size = sub  # a function pointer's subprogram
            return
        aux = self.aux[idx]
        m = aux.map
        R.mark_known_zero_ptr(d, R.MAP_PTR if ins.src in (PSEUDO_MAP_FD, PSEUDO_MAP_IDX) else R.MAP_VALUE)
        d.map = m
        if ins.src in (PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE):
            d.off = aux.map_off
            if getattr(m, "map_flags", 0) & (1 << 7):
                pass

    def check_ld_abs(self, ins: I.Insn, idx: int) -> None:
        if self.prog_type not in _SKB_TYPES:
            raise VerifyError(EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type")
        mode = ins.code & 0xE0
        if ins.dst != 0 or ins.off != 0 or (ins.code & 0x18) == I.DW or (mode == I.ABS and ins.src != 0):
            raise VerifyError(EINVAL, "BPF_LD_[ABS|IND] uses reserved fields")
        self.check_reg_arg(6, True)
        if mode == I.IND:
            self.check_reg_arg(ins.src, True)
        r6 = self.cur.cur.regs[6]  # type: ignore[union-attr]
        if r6.type != R.CTX:
            raise VerifyError(EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")
        regs = self.cur.cur.regs  # type: ignore[union-attr]
        for i in range(6):
            R.mark_not_init(regs[i])
            self.mark_reg_scratched(i)
        R.mark_unknown(regs[0])
        size = I.SIZE_BYTES[ins.code & 0x18]
        A.coerce_to_size(regs[0], size)
        self.has_ld_abs = True

    # ------------------------------------------------------------------ jumps
    def check_cond_jmp(self, ins: I.Insn, idx: int) -> None:
        op = ins.code & 0xF0
        is32 = (ins.code & 7) == I.JMP32
        if op == 0xE0:
            raise VerifyError(EINVAL, "may_goto is not supported")
        if op > I.JSLE:
            raise VerifyError(EINVAL, f"invalid BPF_JMP/JMP32 opcode {op:x}")
        dst = self.check_reg_arg(ins.dst, True)
        if ins.code & I.X:
            if ins.imm != 0:
                raise VerifyError(EINVAL, "BPF_JMP/JMP32 uses reserved fields")
            src = self.check_reg_arg(ins.src, True)
            if not (dst.is_pkt() or dst.base == R.PACKET_END) or not (src.is_pkt() or src.base == R.PACKET_END):
                if src.is_ptr() and not self.allow_ptr_leaks:
                    raise VerifyError(EACCES, f"R{ins.src} pointer comparison prohibited")
        else:
            if ins.src != 0:
                raise VerifyError(EINVAL, "BPF_JMP/JMP32 uses reserved fields")
            src = Reg()
            src.type = R.SCALAR
            R.set_known(src, ins.imm)
        if dst.is_ptr() and not self.allow_ptr_leaks and src.type == R.SCALAR:
            raise VerifyError(EACCES, f"R{ins.dst} pointer comparison prohibited")
        taken = is_branch_taken(dst, src, op, is32)
        tgt = idx + ins.off + 1
        if taken >= 0:
            # the verdict relies on the values compared: they must be precise
            if dst.type == R.SCALAR:
                self.mark_chain_precision(ins.dst)
            if ins.code & I.X and src.type == R.SCALAR:
                self.mark_chain_precision(ins.src)
        # the state line after the jump carries the jump's own index, as in the kernel
        if taken == 1:
            self.mark_reg_scratched(ins.dst)
            if self.log.level & LOG_LEVEL:
                self.print_insn_state(self.cur)  # type: ignore[arg-type]
            self.insn_idx = tgt
            return
        if taken == 0:
            if self.log.level & LOG_LEVEL:
                self.print_insn_state(self.cur)  # type: ignore[arg-type]
            self.insn_idx = idx + 1
            return
        cur = self.cur
        assert cur is not None
        linked: list[tuple[int, int]] = []
        if ins.code & I.X and src.type == R.SCALAR and src.id:
            self.collect_linked(cur, src.id, linked)
        if dst.type == R.SCALAR and dst.id:
            self.collect_linked(cur, dst.id, linked)
        if len(linked) > 1:
            self.push_hist(cur, 0, tuple(linked))
        other = cur.copy()
        other.dfs_depth += 1
        if other.last_ckpt is not None:
            other.last_ckpt.branches += 1
        oregs = other.cur.regs
        osrc = oregs[ins.src] if ins.code & I.X else src.copy()
        odst = oregs[ins.dst]
        # refine: other branch = condition true, this branch = condition false
        if dst.type == R.SCALAR and src.type == R.SCALAR:
            if ins.code & I.X:
                refine(odst, osrc, op, is32, True)
                refine(dst, src, op, is32, False)
                if ins.code & I.X and odst.id:
                    self.sync_linked(other, odst)
                if ins.code & I.X and osrc.id:
                    self.sync_linked(other, osrc)
                if src.id:
                    self.sync_linked(cur, src)
            else:
                src2 = src.copy()
                refine(odst, osrc, op, is32, True)
                refine(dst, src2, op, is32, False)
            if odst.id:
                self.sync_linked(other, odst)
            if dst.id:
                self.sync_linked(cur, dst)
        # null checks on or_null pointers
        if not (ins.code & I.X) and ins.imm == 0 and op in (I.JEQ, I.JNE) and dst.type & R.MAYBE_NULL and not is32:
            rid = dst.id
            self.mark_ptr_or_null_regs(other, rid, op == I.JEQ)
            self.mark_ptr_or_null_regs(cur, rid, op != I.JEQ)
        elif ins.code & I.X and not is32:
            self.try_match_pkt_pointers(ins, dst, src, cur, other, op)
        self.stack.append((other, tgt, idx, self.log.end_pos))
        if len(self.stack) > 8192:
            raise VerifyError(E2BIG, "The sequence of 8193 jumps is too complex.")
        if self.log.level & LOG_LEVEL:
            self.print_insn_state(cur)
        self.insn_idx = idx + 1

    @staticmethod
    def collect_linked(st: VState, rid: int, out: list[tuple[int, int]]) -> None:
        """Registers and spilled scalars sharing scalar id ``rid`` (at most 6), for backtracking."""
        for fi, f in enumerate(st.frames):
            for i, r in enumerate(f.regs):
                if r.type == R.SCALAR and r.id == rid and (fi, i) not in out:
                    if len(out) >= 6:
                        return
                    out.append((fi, i))
            for spi in sorted(f.stack):
                sl = f.stack[spi]
                if sl.types[7] == SLOT_SPILL and sl.spilled is not None and sl.spilled.type == R.SCALAR \
                        and sl.spilled.id == rid and (fi, -1 - spi) not in out:
                    if len(out) >= 6:
                        return
                    out.append((fi, -1 - spi))

    def sync_linked(self, st: VState, known: Reg) -> None:
        rid = known.id
        for f in st.frames:
            for r in f.regs:
                if r is not known and r.type == R.SCALAR and r.id == rid:
                    r.assign(known)
            for s in f.stack.values():
                if s.is_spill() and s.spilled is not None and s.spilled is not known and \
                        s.spilled.type == R.SCALAR and s.spilled.id == rid:
                    s.spilled.assign(known)

    def mark_ptr_or_null_regs(self, st: VState, rid: int, is_null: bool) -> None:
        def fix(r: Reg) -> None:
            if r.type & R.MAYBE_NULL and r.id == rid:
                if is_null:
                    R.mark_known(r, 0)
                else:
                    r.type &= ~R.MAYBE_NULL
                    if (r.type & R.BASE) in (R.MAP_VALUE,):
                        r.id = 0
                    elif (r.type & R.BASE) == R.SOCK_COMMON and not r.ref_obj_id:
                        pass
                    if not r.ref_obj_id and (r.type & R.BASE) != R.MAP_VALUE:
                        r.id = 0 if (r.type & R.BASE) in (R.SOCK_COMMON,) else r.id
        for f in st.frames:
            for r in f.regs:
                fix(r)
            for s in f.stack.values():
                if s.is_spill() and s.spilled is not None:
                    fix(s.spilled)
        if is_null:
            st.refs = [x for x in st.refs if x[0] != rid]

    def try_match_pkt_pointers(self, ins: I.Insn, dst: Reg, src: Reg, this: VState, other: VState, op: int) -> None:
        db, sb = dst.base, src.base
        d_pkt = db == R.PACKET and sb == R.PACKET_END or db == R.PACKET_META and sb == R.PACKET
        s_pkt = sb == R.PACKET and db == R.PACKET_END or sb == R.PACKET_META and db == R.PACKET
        if not d_pkt and not s_pkt:
            return
        if d_pkt:
            # dst is the packet pointer, src the end
            if op == I.JGT:      # pkt > end: fall-through pkt <= end
                self.find_good_pkt_pointers(this, dst, False)
                self.mark_pkt_end(other, ins.dst, True)
            elif op == I.JLT:    # pkt < end: taken pkt < end
                self.find_good_pkt_pointers(other, dst, True)
                self.mark_pkt_end(this, ins.dst, False)
            elif op == I.JGE:    # pkt >= end: fall-through pkt < end
                self.find_good_pkt_pointers(this, dst, True)
                self.mark_pkt_end(other, ins.dst, False)
            elif op == I.JLE:    # pkt <= end: taken
                self.find_good_pkt_pointers(other, dst, False)
                self.mark_pkt_end(this, ins.dst, True)
        else:
            if op == I.JGT:      # end > pkt: taken pkt < end
                self.find_good_pkt_pointers(other, src, True)
                self.mark_pkt_end(this, ins.src, False)
            elif op == I.JLT:    # end < pkt: fall-through pkt <= end
                self.find_good_pkt_pointers(this, src, False)
                self.mark_pkt_end(other, ins.src, True)
            elif op == I.JGE:    # end >= pkt: taken pkt <= end
                self.find_good_pkt_pointers(other, src, False)
                self.mark_pkt_end(this, ins.src, True)
            elif op == I.JLE:    # end <= pkt: fall-through pkt < end
                self.find_good_pkt_pointers(this, src, True)
                self.mark_pkt_end(other, ins.src, False)

    def mark_pkt_end(self, st: VState, regno: int, above: bool) -> None:
        r = st.cur.regs[regno]
        if r.base not in (R.PACKET,):
            return
        r.range = R.BEYOND_PKT_END if above else R.AT_PKT_END

    def find_good_pkt_pointers(self, st: VState, dst: Reg, right_open: bool) -> None:
        if dst.off < 0 or (dst.off == 0 and right_open):
            return
        if dst.umax > R.MAX_PACKET_OFF or dst.umax + dst.off > R.MAX_PACKET_OFF:
            return
        new_range = dst.off + (1 if right_open else 0)
        typ, rid = dst.type, dst.id
        for f in st.frames:
            for r in f.regs:
                if r.type == typ and r.id == rid:
                    r.range = max(r.range, new_range)
            for s in f.stack.values():
                if s.is_spill() and s.spilled is not None and s.spilled.type == typ and s.spilled.id == rid:
                    s.spilled.range = max(s.spilled.range, new_range)

    # ------------------------------------------------------------------ calls
    def check_helper_call(self, ins: I.Insn, idx: int) -> bool:
        """Check a helper call; True when it moved ``insn_idx`` itself (a tail call in a
        called function also exits that function)."""
        fid = ins.imm
        h = H.by_id(fid) if 0 <= fid < H.MAX_ID else None
        if fid < 0 or fid >= H.MAX_ID:
            raise VerifyError(EINVAL, f"invalid func unknown#{fid}")
        name = h.bpf_name if h is not None else "unknown"
        pname = _prog_type_name(self.prog_type)
        proto = h.proto_for(pname) if h is not None else None
        if h is None or proto is None or not _helper_allowed(h, pname, self.env.expected_attach_type):
            raise VerifyError(EINVAL, f"program of this type cannot use helper {name}#{fid}")
        if not self.env.gpl and proto.gpl_only:
            raise VerifyError(EINVAL, "cannot call GPL-restricted function from non-GPL compatible program")
        regs = self.cur.cur.regs  # type: ignore[union-attr]
        meta: dict = {"map": None, "mem_regno": -1, "raw": False, "size": 0, "ref": 0, "pkt_access": proto.pkt_access}
        for i in range(1, 6):
            self.check_func_arg(i, proto, meta, fid, name, idx)
        if fid == 12 and meta["map"] is not None:  # tail_call: a constant in-range index is relied on
            r3 = regs[3]
            aux = self.aux[idx]
            if r3.type == R.SCALAR and r3.is_const() and r3.var[0] < meta["map"].max_entries:
                self.mark_chain_precision(3)
                if aux.tail_key is None:
                    aux.tail_key = r3.var[0]
                elif aux.tail_key != r3.var[0]:
                    aux.tail_key = -1
            else:
                aux.tail_key = -1
        if fid == 12:  # tail_call
            self.tail_call_reachable = True
        if meta["map"] is not None:
            aux = self.aux[idx]
            if aux.call_map is None and not aux.call_map_poison:
                aux.call_map = meta["map"]
            elif aux.call_map is not meta["map"]:
                aux.call_map_poison = True
            kr = meta.get("key_reg")
            if kr is not None:
                aux.map_key_const = kr
        # release references
        if fid in (86,):  # sk_release
            rid = regs[1].ref_obj_id
            self.release_reference(rid)
        if fid == 164:  # for_each_map_elem
            m = meta["map"]
            mtn = _map_type_name(int(m.map_type))
            fx = None
            if mtn is not None:
                try:
                    fx = K.map_helper_fixup("for_each_map_elem", mtn)
                except KeyError:
                    fx = None
            if fx is None or fx.kind == "reject":
                raise VerifyError(524, "callback function not allowed for map")
            self.push_callback_call(idx, meta["subprog"], _map_elem_cb_args)
        elif fid in (180, 209):  # find_vma(task, addr, cb, ctx), user_ringbuf_drain(map, cb, ctx)
            self.push_callback_call(idx, meta["subprog"], _find_vma_cb_args if fid == 180 else _drain_cb_args)
        elif fid == 181:  # loop
            self.update_loop_inline_state(idx, meta["subprog"])
            # the walk ends the loop by the count: it must be precise
            self.mark_chain_precision(1)
            f = self.cur.cur  # type: ignore[union-attr]
            if f.cb_depth < regs[1].umax:
                self.push_callback_call(idx, meta["subprog"], _loop_cb_args)
            else:
                f.cb_depth = 0
                if self.log.level & LOG_LEVEL2:
                    self.v(f"frame{self.cur.curframe} bpf_loop iteration limit reached\n")  # type: ignore[union-attr]
        # clobber caller-saved registers
        for i in range(6):
            R.mark_not_init(regs[i])
            self.mark_reg_scratched(i)
        rt = int(proto.ret)
        base = rt & 0xFF
        r0 = regs[0]
        if base == H.RetBase.INTEGER:
            R.mark_unknown(r0)
            if fid == 8:  # get_smp_processor_id: [0, nr_cpus - 1]
                try:
                    from ..config import NR_CPUS  # type: ignore[attr-defined]
                except Exception:  # noqa: BLE001
                    NR_CPUS = 2  # noqa: N806
                r0.umax = r0.smax = r0.u32max = r0.s32max = NR_CPUS - 1
                r0.umin = r0.smin = r0.u32min = r0.s32min = 0
                R.sync(r0)
        elif base == H.RetBase.VOID:
            R.mark_not_init(r0)
        elif base == H.RetBase.PTR_TO_MAP_VALUE:
            maybe_null = bool(rt & H.PTR_MAYBE_NULL)
            m = meta["map"]
            if maybe_null and fid == 1 and m is not None and int(m.map_type) in (MapType.ARRAY, MapType.PERCPU_ARRAY) \
                    and 0 <= meta.get("const_key", -1) < m.max_entries:
                maybe_null = False  # a constant in-range key: the lookup cannot fail
            R.mark_known_zero_ptr(r0, R.MAP_VALUE | (R.MAYBE_NULL if maybe_null else 0))
            r0.map = m
            if maybe_null:
                r0.id = self.new_id()
        elif base in (H.RetBase.PTR_TO_SOCKET, H.RetBase.PTR_TO_TCP_SOCK, H.RetBase.PTR_TO_SOCK_COMMON):
            t = {H.RetBase.PTR_TO_SOCKET: R.SOCKET, H.RetBase.PTR_TO_TCP_SOCK: R.TCP_SOCK,
                 H.RetBase.PTR_TO_SOCK_COMMON: R.SOCK_COMMON}[H.RetBase(base)]
            R.mark_known_zero_ptr(r0, t | (R.MAYBE_NULL if rt & H.PTR_MAYBE_NULL else 0))
            r0.id = self.new_id()
            if fid in (84, 85, 99):  # sk_lookup_tcp/udp, skc_lookup_tcp acquire a reference
                r0.id = r0.ref_obj_id = self.new_id()
                self.cur.refs.append((r0.id, idx))  # type: ignore[union-attr]
        elif base == H.RetBase.PTR_TO_MEM:
            R.mark_known_zero_ptr(r0, R.MEM | (R.MAYBE_NULL if rt & H.PTR_MAYBE_NULL else 0)
                                  | (R.RINGBUF if rt & H.MEM_RINGBUF else 0))
            r0.mem_size = meta["size"]
            r0.id = self.new_id()
            if rt & H.MEM_RINGBUF:
                r0.id = r0.ref_obj_id = self.new_id()
                self.cur.refs.append((r0.id, idx))  # type: ignore[union-attr]
        else:
            R.mark_unknown(r0)
        if h.changes_pkt_data:
            self.clear_all_pkt_pointers()
        if fid == 12 and self.cur.curframe:  # type: ignore[union-attr]
            # a tail call in a called function: the slot may be empty (the walk goes on after
            # the call) or the program may end there, which the caller sees as this function
            # returning an unknown value
            self.mark_reg_scratched(0)
            self.push_stack(self.cur, idx + 1, idx)  # type: ignore[arg-type]
            self.clear_all_pkt_pointers()
            R.mark_unknown(r0)
            self.prepare_func_exit()
            return True
        return False

    def update_loop_inline_state(self, idx: int, sub: int) -> None:
        """bpf_loop is inlined when every walk of the call saw flags 0 and the same callback."""
        aux = self.aux[idx]
        if aux.loop_inline is None:
            aux.loop_inline = [self.loop_flag_is_zero(), sub]
        elif aux.loop_inline[0]:
            aux.loop_inline[0] = self.loop_flag_is_zero() and aux.loop_inline[1] == sub

    def loop_flag_is_zero(self) -> bool:
        r4 = self.cur.cur.regs[4]  # type: ignore[union-attr]
        if r4.type == R.SCALAR and r4.is_const() and r4.var[0] == 0:
            self.mark_chain_precision(4)
            return True
        return False

    def push_callback_call(self, idx: int, sub: int, set_args) -> None:  # type: ignore[no-untyped-def]
        """Queue a walk of callback ``sub`` from the call at ``idx`` (in a copy of the state with
        a new frame whose arguments ``set_args(caller, callee)`` fills); the current path goes on
        after the call. The callback's exit returns to the call itself."""
        st = self.cur
        assert st is not None
        if self.btf_check_subprog_call(sub, st.cur.regs) == EFAULT:
            raise VerifyError(EFAULT, None)
        if st.curframe + 1 >= MAX_CALL_FRAMES:
            raise VerifyError(E2BIG, f"the call stack of {st.curframe + 2} frames is too deep")
        self.push_stack(st, self.subprogs[sub], idx)
        cb = self.stack[-1][0]
        caller = cb.cur
        callee = Frame(cb.curframe + 1, idx, sub)
        R.mark_known_zero_ptr(callee.regs[10], R.STACK)
        callee.regs[10].frameno = callee.frameno
        set_args(caller, callee)
        callee.cb_range = (0, 1)
        cb.frames.append(callee)
        cb.unroll += 1
        caller.cb_depth += 1
        st.cur.cb_depth = 0
        self.scratched_regs = (1 << 11) - 1
        self.scratched_stack = (1 << 64) - 1

    def prepare_func_exit(self) -> None:
        """Leave the current (called) function: back to the call's next insn with r0 as the
        result, or for a callback back to the call itself, the caller's registers untouched."""
        st = self.cur
        assert st is not None
        callee = st.cur
        r0 = callee.regs[0]
        if r0.base == R.STACK and r0.frameno == callee.frameno:
            raise VerifyError(EINVAL, "cannot return stack pointer to the caller")
        caller = st.frames[-2]
        if callee.cb_range is not None:
            if r0.type != R.SCALAR:
                raise VerifyError(EACCES, "R0 not a scalar value")
            self.mark_chain_precision(0)
            lo, hi = callee.cb_range
            if not (lo <= r0.smin and r0.smax <= hi):
                raise VerifyError(EINVAL, invalid_scalar_msg("At callback return", r0, callee.cb_range))
            self.insn_idx = callee.callsite
        else:
            caller.regs[0].assign(r0)
            self.insn_idx = callee.callsite + 1
        st.frames.pop()
        if self.log.level & LOG_LEVEL2:
            self.v("returning from callee:\n")
            self.v(self.state_str_frame(callee))
            self.v(f"to caller at {self.insn_idx}:\n")
            self.v(self.state_str(st, st.curframe, True))
        if callee.cb_range is not None:
            prev = self.find_prev_entry(st, self.insn_idx)
            if prev is not None:
                widen_imprecise_scalars(prev, st, self.id_gen)

    def find_prev_entry(self, st: VState, idx: int) -> VState | None:
        """A stored state at ``idx`` on the current path (an earlier pass through the loop)."""
        key = ((idx ^ st.frames[-1].callsite) & 0xFFFFFFFF) % self.n
        sites = [f.callsite for f in st.frames]
        for c in self.explored.get(key, ()):
            s = c.state
            if c.insn == idx and c.branches and s.dfs_depth < st.dfs_depth and \
                    [f.callsite for f in s.frames] == sites:
                return s
        return None

    def release_reference(self, rid: int) -> None:
        st = self.cur
        assert st is not None
        st.refs = [x for x in st.refs if x[0] != rid]
        for f in st.frames:
            for r in f.regs:
                if r.ref_obj_id == rid and rid:
                    R.mark_unknown(r) if self.allow_ptr_leaks else R.mark_not_init(r)
            for s in f.stack.values():
                if s.spilled is not None and s.spilled.ref_obj_id == rid and rid:
                    R.mark_unknown(s.spilled)

    def clear_all_pkt_pointers(self) -> None:
        st = self.cur
        assert st is not None
        for f in st.frames:
            for r in f.regs:
                if r.base in (R.PACKET, R.PACKET_META, R.PACKET_END):
                    R.mark_unknown(r) if self.allow_ptr_leaks else R.mark_not_init(r)
            for s in f.stack.values():
                if s.spilled is not None and s.spilled.base in (R.PACKET, R.PACKET_META, R.PACKET_END):
                    R.mark_unknown(s.spilled)

    def check_reg_type(self, regno: int, reg: Reg, types: list[int]) -> None:
        if reg.type in types:
            return
        exp = ", ".join(R.type_str(t) for t in types)
        raise VerifyError(EACCES, f"R{regno} type={R.type_str(reg.type)} expected={exp}")

    def check_func_arg(self, i: int, proto, meta: dict, fid: int, fname: str, idx: int) -> None:  # type: ignore[no-untyped-def]
        at = int(proto.arg(i))
        base = at & 0xFF
        if base == H.ArgBase.DONTCARE:
            return
        reg = self.check_reg_arg(i, True)
        regno = i
        if base == H.ArgBase.ANYTHING:
            if reg.is_ptr() and not self.allow_ptr_leaks:
                raise VerifyError(EACCES, f"R{regno} leaks addr into helper function")
            return
        if base == H.ArgBase.CONST_MAP_PTR:
            self.check_reg_type(regno, reg, [R.MAP_PTR])
            m = reg.map
            meta["map"] = m
            self.check_map_func_compat(m, fid, fname)
            return
        if base in (H.ArgBase.PTR_TO_MAP_KEY, H.ArgBase.PTR_TO_MAP_VALUE):
            ok = [R.STACK, R.PACKET, R.PACKET_META, R.MAP_KEY, R.MAP_VALUE, R.MEM, R.MEM | R.RINGBUF]
            if at & H.PTR_MAYBE_NULL and reg.type == R.SCALAR and reg.is_const() and reg.var[0] == 0:
                return
            if reg.type not in ok:
                raise VerifyError(EACCES, f"R{regno} type={R.type_str(reg.type)} expected={MEM_TYPES_STR}")
            m = meta["map"]
            if m is None:
                raise VerifyError(EACCES, "invalid map_ptr to access map->key" if base == H.ArgBase.PTR_TO_MAP_KEY
                                  else "invalid map_ptr to access map->value")
            size = m.key_size if base == H.ArgBase.PTR_TO_MAP_KEY else m.value_size
            if base == H.ArgBase.PTR_TO_MAP_KEY and reg.base == R.STACK and reg.var[1] == 0:
                meta["key_reg"] = (reg.frameno, reg.off + R.s64(reg.var[0]))
            self.check_helper_mem_access(regno, reg, size, BPF_WRITE if at & (H.MEM_UNINIT | H.MEM_WRITE) else BPF_READ,
                                         False, meta)
            if base == H.ArgBase.PTR_TO_MAP_KEY and int(m.map_type) in (MapType.ARRAY, MapType.PERCPU_ARRAY):
                meta["const_key"] = self.constant_map_key(reg, size)
            return
        if base == H.ArgBase.PTR_TO_CTX:
            if at & H.PTR_MAYBE_NULL and reg.type == R.SCALAR and reg.is_const() and reg.var[0] == 0:
                return
            self.check_reg_type(regno, reg, [R.CTX])
            if reg.off:
                raise VerifyError(EACCES, f"dereference of modified ctx ptr R{regno} off={reg.off} disallowed")
            return
        if base == H.ArgBase.PTR_TO_MEM:
            if at & H.PTR_MAYBE_NULL and reg.type == R.SCALAR and reg.is_const() and reg.var[0] == 0:
                meta["mem_regno"] = regno
                return
            ok = [R.STACK, R.PACKET, R.PACKET_META, R.MAP_KEY, R.MAP_VALUE, R.MEM, R.MEM | R.RINGBUF]
            if reg.type not in ok and not (reg.base == R.MEM and not reg.type & R.MAYBE_NULL):
                raise VerifyError(EACCES, f"R{regno} type={R.type_str(reg.type)} expected={MEM_TYPES_STR}")
            if at & H.MEM_FIXED_SIZE:
                self.check_helper_mem_access(regno, reg, proto.size_of(i), BPF_WRITE if at & (H.MEM_UNINIT | H.MEM_WRITE) else BPF_READ,
                                             False, meta)
                return
            meta["mem_regno"] = regno
            meta["raw"] = bool(at & (H.MEM_UNINIT | H.MEM_WRITE))
            return
        if base in (H.ArgBase.CONST_SIZE, H.ArgBase.CONST_SIZE_OR_ZERO):
            self.check_reg_type(regno, reg, [R.SCALAR])
            zero_ok = base == H.ArgBase.CONST_SIZE_OR_ZERO
            mem_regno = meta["mem_regno"]
            if reg.smin < 0:
                raise VerifyError(EACCES, f"R{regno} min value is negative, either use unsigned or 'var &= const'")
            if reg.umin == 0 and not zero_ok:
                raise VerifyError(EACCES, f"R{regno} invalid zero-sized read: u64=[{reg.umin},{reg.umax}]")
            if reg.umax >= MAX_VAR_SIZ:
                raise VerifyError(EACCES, f"R{regno} unbounded memory access, use 'var &= const' or 'if (var < const)'")
            if mem_regno >= 0:
                mreg = self.cur.cur.regs[mem_regno]  # type: ignore[union-attr]
                if mreg.type == R.SCALAR:
                    return
                self.check_helper_mem_access(mem_regno, mreg, reg.umax, BPF_WRITE if meta["raw"] else BPF_READ,
                                             zero_ok, meta)
            meta["size"] = reg.umax
            self.mark_chain_precision(regno)
            return
        if base == H.ArgBase.CONST_ALLOC_SIZE_OR_ZERO:
            if not reg.is_const():
                raise VerifyError(EACCES, f"R{regno} is not a known constant'")
            meta["size"] = reg.var[0]
            self.mark_chain_precision(regno)
            return
        if base in (H.ArgBase.PTR_TO_SOCK_COMMON, H.ArgBase.PTR_TO_SOCKET, H.ArgBase.PTR_TO_BTF_ID_SOCK_COMMON):
            ok = [R.SOCK_COMMON, R.SOCKET, R.TCP_SOCK, R.XDP_SOCK] if base != H.ArgBase.PTR_TO_SOCKET else [R.SOCKET]
            self.check_reg_type(regno, reg, ok)
            if at & H.OBJ_RELEASE and not reg.ref_obj_id:
                raise VerifyError(EINVAL, f"R{regno} must be referenced when passed to release function")
            return
        if base == H.ArgBase.PTR_TO_RINGBUF_MEM:
            self.check_reg_type(regno, reg, [R.MEM | R.RINGBUF])
            if at & H.OBJ_RELEASE:
                if reg.off:
                    raise VerifyError(EINVAL, f"R{regno} must have zero offset when passed to release func")
                self.release_reference(reg.ref_obj_id)
            return
        if base == H.ArgBase.PTR_TO_STACK:
            if at & H.PTR_MAYBE_NULL and reg.type == R.SCALAR and reg.is_const() and reg.var[0] == 0:
                return
            self.check_reg_type(regno, reg, [R.STACK])
            return
        if base == H.ArgBase.PTR_TO_FUNC:
            self.check_reg_type(regno, reg, [R.FUNC])
            meta["subprog"] = reg.mem_size
            return
        raise VerifyError(EINVAL, f"unsupported arg type {at:#x} for {fname}#{fid}")

    def check_helper_mem_access(self, regno: int, reg: Reg, size: int, t: int, zero_ok: bool, meta: dict) -> None:
        b = reg.base
        if b in (R.PACKET, R.PACKET_META):
            if t == BPF_WRITE and not self.may_access_direct_pkt_data(t):
                raise VerifyError(EACCES, "cannot write into packet")
            self.check_packet_access(regno, reg, reg.off, size, zero_ok)
        elif b == R.MAP_VALUE:
            self.check_map_access_type(reg, reg.off, size, t)
            self.check_map_access(regno, reg, reg.off, size, zero_ok)
        elif b == R.MAP_KEY:
            if t == BPF_WRITE:
                raise VerifyError(EACCES, f"R{regno} cannot write into {R.type_str(reg.type)}")
            self.check_mem_region_access(regno, reg, reg.off, size, reg.map.key_size, zero_ok)
        elif b == R.MEM:
            if reg.type & R.RDONLY and t == BPF_WRITE:
                raise VerifyError(EACCES, f"R{regno} cannot write into {R.type_str(reg.type)}")
            self.check_mem_region_access(regno, reg, reg.off, size, reg.mem_size, zero_ok)
        elif b == R.STACK:
            if size == 0 and zero_ok:
                return
            self.check_stack_access_within_bounds(regno, reg, reg.off, size, t, ACCESS_HELPER)
            frame = self.cur.frames[reg.frameno]  # type: ignore[union-attr]
            if reg.var[1] == 0:
                lo = reg.off + R.s64(reg.var[0])
                hi = lo + size
            else:
                lo = reg.off + reg.smin
                hi = reg.off + reg.smax + size
            mask = 0
            for a in range(lo, hi):
                mask |= 1 << ((-a - 1) // 8)
            st = self.cur
            if t == BPF_WRITE:
                # the helper stores unknown bytes there: whatever was spilled is gone
                self.stack_live.note_write(st.frames, self.insn_idx, frame.frameno, 0)  # type: ignore[union-attr]
                for a in range(lo, hi):
                    spi = (-a - 1) // 8
                    s = self._slot(frame, spi)
                    self.mark_stack_scratched(spi)
                    if s.is_spill():
                        s.spilled = None
                        s.types = [SLOT_MISC if x == SLOT_SPILL else x for x in s.types]
                    s.types[(-a - 1) % 8] = SLOT_MISC
                return
            self.stack_live.note_read(st.frames, self.insn_idx, frame.frameno, mask)  # type: ignore[union-attr]
            for a in range(lo, hi):
                spi = (-a - 1) // 8
                s = frame.stack.get(spi)
                tt = s.types[(-a - 1) % 8] if s is not None else SLOT_INVALID
                if tt == SLOT_INVALID and not self.bpf_capable:
                    if reg.var[1] == 0:
                        raise VerifyError(EACCES, f"invalid read from stack R{regno} off {lo}+{a - lo} size {size}")
                    raise VerifyError(EACCES, f"invalid variable-offset read from stack R{regno} "
                                              f"var_off={T.tstr(reg.var)} off={reg.off} size={size}")
        else:
            self.check_reg_type(regno, reg, [R.STACK, R.PACKET, R.PACKET_META, R.MAP_KEY, R.MAP_VALUE])

    def constant_map_key(self, key: Reg, key_size: int) -> int:
        """The value of a constant key spilled on the stack (marked precise), or -1."""
        if not self.bpf_capable or key.type != R.STACK or key.var[1]:
            return -1
        stack_off = key.off + R.s64(key.var[0])
        slot = -stack_off - 1
        spi, off = slot // 8, slot % 8
        frame = self.cur.frames[key.frameno]  # type: ignore[union-attr]
        s = frame.stack.get(spi)
        if s is None:
            return -1
        zero = 0
        i = off
        while i >= 0 and s.types[i] == SLOT_ZERO:
            zero += 1
            i -= 1
        if zero >= key_size:
            return 0
        if not (s.types[7] == SLOT_SPILL and s.spilled is not None and s.spilled.type == R.SCALAR):
            return -1
        spill = 0
        i = off
        while i >= 0 and s.types[i] == SLOT_SPILL:
            spill += 1
            i -= 1
        if spill != key_size or s.spilled.var[1]:
            return -1
        self.mark_stack_slot_precision(key.frameno, spi)
        return s.spilled.var[0]

    def check_map_func_compat(self, m, fid: int, fname: str) -> None:  # type: ignore[no-untyped-def]
        mt = int(m.map_type)
        if fid == 164:  # for_each_map_elem: a map without callbacks is refused first (ENOTSUPP)
            return
        if fid == 12 and mt != MapType.PROG_ARRAY:
            e = VerifyError(EINVAL, "expected prog array map for tail call")
            e.newline = False  # the kernel prints this one without a line end
            raise e
        bad = False
        if fid == 12 and mt != MapType.PROG_ARRAY:
            bad = True
        elif mt == MapType.PROG_ARRAY and fid != 12:
            bad = True
        elif fid == 51 and mt not in (14, 17, 15, 28):  # redirect_map: devmap, devmap_hash, cpumap, xskmap
            bad = True
        elif fid in (87, 88, 89) and mt not in (22, 23):  # push/pop/peek: queue, stack
            bad = True
        elif fid in (130, 131, 132, 133, 134) and mt != 27 and fid in (130, 131, 134):  # ringbuf
            bad = True
        elif mt in (22, 23) and fid in (1, 2, 3):
            bad = fid != 2 and True
        elif mt == 27 and fid not in (130, 131, 134):
            bad = True
        elif fid == 25 and mt != MapType.PERF_EVENT_ARRAY:
            bad = True
        elif mt == MapType.PERF_EVENT_ARRAY and fid not in (25, 22, 41, 55, 121):
            bad = True
        if bad:
            raise VerifyError(EINVAL, f"cannot pass map_type {mt} into func {fname}#{fid}")

    def check_func_call(self, ins: I.Insn, idx: int) -> None:
        st = self.cur
        assert st is not None
        target = idx + ins.imm + 1
        sub = self.subprogs.index(target)
        caller = st.cur
        err = self.btf_check_subprog_call(sub, caller.regs)
        if err == EFAULT:
            raise VerifyError(EFAULT, None)
        if self.subprog_is_global(sub):
            self.call_global(sub, idx, err)
            return
        if st.curframe + 1 >= MAX_CALL_FRAMES:
            raise VerifyError(E2BIG, f"the call stack of {st.curframe + 2} frames is too deep")
        callee = Frame(st.curframe + 1, idx, sub)
        for i in range(1, 6):
            callee.regs[i].assign(caller.regs[i])
        R.mark_known_zero_ptr(callee.regs[10], R.STACK)
        callee.regs[10].frameno = callee.frameno
        for r in callee.regs:
            if r.type == R.NOT_INIT:
                r.frameno = callee.frameno
        for i in range(6):
            R.mark_not_init(caller.regs[i])
            self.mark_reg_scratched(i)
        st.frames.append(callee)
        if self.log.level & LOG_LEVEL2:
            self.v("caller:\n")
            self.v(self.state_str(st, st.curframe - 1, True))
            self.v("callee:\n")
            self.v(self.state_str(st, st.curframe, True))
        self.scratched_regs = (1 << 11) - 1
        self.insn_idx = target

    def check_exit(self, idx: int) -> bool:
        st = self.cur
        assert st is not None
        if st.curframe > 0:
            # no read check of r0: a function whose result is unused may leave it unset
            self.prepare_func_exit()
            self.scratched_regs = self.scratched_stack = 0  # the caller's state is printed in full
            return NESTED_EXIT
        if st.refs:
            for rid, ai in st.refs:
                self.v(f"Unreleased reference id={rid} alloc_insn={ai}\n")
            raise VerifyError(EINVAL, "BPF_EXIT instruction in main prog would lead to reference leak")
        r0 = self.check_reg_arg(0, True)
        if st.frames[0].subprog:
            # a global function verified on its own returns a scalar, whatever the program type
            if r0.type != R.SCALAR:
                raise VerifyError(EINVAL, f"At subprogram exit the register R0 is not a scalar value "
                                          f"({R.type_str(r0.type)})")
            return True
        self.check_return_code(r0)
        return True

    def state_str_frame(self, f: Frame) -> str:
        tmp = VState()
        tmp.frames = [f]
        s = self.state_str(tmp, 0, True)
        return s

    def check_return_code(self, r0: Reg) -> None:
        pt = self.prog_type
        rng = None
        if pt == ProgType.CGROUP_SKB:
            rng = (0, 3) if self.env.expected_attach_type == 1 else (0, 1)
        elif pt in (ProgType.CGROUP_SOCK, ProgType.SOCK_OPS, ProgType.CGROUP_DEVICE, ProgType.CGROUP_SYSCTL,
                    ProgType.CGROUP_SOCKOPT, ProgType.SK_LOOKUP, ProgType.NETFILTER, ProgType.CGROUP_SOCK_ADDR):
            rng = (0, 1)
        if rng is None:
            return
        if r0.type != R.SCALAR:
            raise VerifyError(EINVAL, f"At program exit the register R0 is not a known value ({R.type_str(r0.type)})")
        self.mark_chain_precision(0)
        if not (rng[0] <= r0.smin and r0.smax <= rng[1]):
            raise VerifyError(EINVAL, invalid_scalar_msg("At program exit", r0, rng))

    def check_max_stack_depth(self) -> None:
        # walk the static call graph from each subprog, summing rounded depths
        starts = self.subprogs
        n = len(starts)
        depth = [((d + 15) // 16) * 16 for d in self.subprog_depth]  # JIT: round_up(depth, 16)
        bounds = starts + [self.n]
        callees: list[list[int]] = [[] for _ in range(n)]
        for s in range(n):
            for i in range(bounds[s], bounds[s + 1]):
                ins = self.insns[i]
                if C.is_pseudo_call(ins) or (ins.code == (I.LD | I.IMM | I.DW) and ins.src == PSEUDO_FUNC):
                    callees[s].append(starts.index(i + ins.imm + 1))

        def walk(s: int, total: int, frames: int) -> None:
            total += depth[s]
            if total > MAX_BPF_STACK:
                raise VerifyError(EACCES, f"combined stack size of {frames} calls is {total}. Too large")
            for c in callees[s]:
                walk(c, total, frames + 1)

        walk(0, 0, 1)


# ---------------------------------------------------------------------------- helpers


def _bt_kind(ins: I.Insn) -> int:
    """What backtracking needs to know of an insn without looking at it: the registers that
    make it matter (a step is a no-op while none of them is tracked and the path's history
    entry carries no stack slot or linked registers), or -1 when it always needs the step.
    ALU/ALU64/LDX: the destination; STX/ST to memory: the pointer register; jumps: the
    compared registers (none for a comparison with an immediate)."""
    code = ins.code
    cls = code & 7
    if cls in (I.ALU, I.ALU64, I.LDX):
        return 1 << ins.dst
    if cls in (I.STX, I.ST) and (code & 0xE0) == I.MEM:
        return 1 << ins.dst
    if cls in (I.JMP, I.JMP32) and (code & 0xF0) not in (I.CALL, I.EXIT):
        if not code & I.X:
            return 0
        if (code & 0xF0) != I.JA:
            return (1 << ins.dst) | (1 << ins.src)
    return -1


def invalid_scalar_msg(where: str, r: Reg, rng: tuple[int, int]) -> str:
    s = f"{where} the register R0 has"
    unknown = True
    if r.smin > S64_MIN:
        s += f" smin={r.smin}"
        unknown = False
    if r.smax < R.S64_MAX:
        s += f" smax={r.smax}"
        unknown = False
    if unknown:
        s += " unknown scalar value"
    return s + f" should have been in [{rng[0]}, {rng[1]}]"


def _loop_cb_args(caller: Frame, callee: Frame) -> None:
    """bpf_loop's callback(index, ctx): an unknown index and the caller's r3."""
    R.mark_unknown(callee.regs[1])
    callee.regs[2].assign(caller.regs[3])


def _find_vma_cb_args(caller: Frame, callee: Frame) -> None:
    """bpf_find_vma's callback(task, vma, ctx); the vma is a kernel object (opaque here)."""
    callee.regs[1].assign(caller.regs[1])
    R.mark_known_zero_ptr(callee.regs[2], R.BTF_ID)
    callee.regs[3].assign(caller.regs[4])


def _drain_cb_args(caller: Frame, callee: Frame) -> None:
    """bpf_user_ringbuf_drain's callback(dynptr, ctx); the dynptr is opaque here (no dynptr
    helpers), so the body is verified with it unusable."""
    R.mark_known_zero_ptr(callee.regs[1], R.BTF_ID)
    callee.regs[2].assign(caller.regs[3])


def _map_elem_cb_args(caller: Frame, callee: Frame) -> None:
    """bpf_for_each_map_elem's callback(map, key, value, ctx)."""
    m = caller.regs[1].map
    callee.regs[1].assign(caller.regs[1])
    for regno, t in ((2, R.MAP_KEY), (3, R.MAP_VALUE)):
        R.mark_known_zero_ptr(callee.regs[regno], t)
        callee.regs[regno].map = m
    callee.regs[4].assign(caller.regs[3])


def widen_imprecise_scalars(old: VState, cur: VState, id_gen: int) -> None:
    """Back at a callback's call: scalars that changed since the earlier pass and nothing
    relied on become unknown, so the passes converge."""
    idmap = IdMap(id_gen)

    def widen(o: Reg, c: Reg) -> None:
        if o.type != R.SCALAR or c.type != R.SCALAR or o.precise or c.precise or regs_exact(o, c, idmap):
            return
        R.mark_unknown(c)

    for fr in range(len(old.frames) - 1, -1, -1):
        fo, fc = old.frames[fr], cur.frames[fr]
        for i in range(11):
            widen(fo.regs[i], fc.regs[i])
        for spi, so in fo.stack.items():
            sc = fc.stack.get(spi)
            if sc is not None and so.is_spill() and sc.is_spill() and so.spilled is not None \
                    and sc.spilled is not None:
                widen(so.spilled, sc.spilled)


def _map_type_name(mt: int) -> str | None:
    try:
        return MapType(mt).name.lower()
    except ValueError:
        return None


def _direct_value_types() -> set[int]:
    return {MapType.ARRAY}


_PT_NAMES: dict[int, str] = {}


def _prog_type_name(pt: int) -> str:
    try:
        return ProgType(pt).name.lower()
    except ValueError:
        return "unspec"


def _helper_allowed(h, pname: str, attach: int) -> bool:  # type: ignore[no-untyped-def]
    ids = H.available_ids(pname)
    if not ids:
        return True
    return h.id in ids


def _add_ptr_bounds(res: Reg, ptr: Reg, off: Reg) -> None:
    smin, smax = ptr.smin + off.smin, ptr.smax + off.smax
    if smin < S64_MIN or smax > R.S64_MAX:
        res.smin, res.smax = S64_MIN, R.S64_MAX
    else:
        res.smin, res.smax = smin, smax
    umin, umax = ptr.umin + off.umin, ptr.umax + off.umax
    if umax > M64:
        res.umin, res.umax = 0, M64
    else:
        res.umin, res.umax = umin, umax


def _sub_ptr_bounds(res: Reg, ptr: Reg, off: Reg) -> None:
    smin, smax = ptr.smin - off.smax, ptr.smax - off.smin
    if smin < S64_MIN or smax > R.S64_MAX:
        res.smin, res.smax = S64_MIN, R.S64_MAX
    else:
        res.smin, res.smax = smin, smax
    if ptr.umin < off.umax:
        res.umin, res.umax = 0, M64
    else:
        res.umin, res.umax = ptr.umin - off.umax, ptr.umax - off.umin


def is_branch_taken(d: Reg, s: Reg, op: int, is32: bool) -> int:
    """1 taken, 0 not taken, -1 unknown."""
    if d.type != R.SCALAR or s.type != R.SCALAR:
        # pointer vs 0: a non-null pointer is never 0
        other = s if d.type != R.SCALAR else d
        ptr = d if d.type != R.SCALAR else s
        if other.type == R.SCALAR and other.is_const() and other.var[0] == 0 and not (ptr.type & R.MAYBE_NULL) \
                and ptr.base not in (R.PACKET, R.PACKET_META, R.PACKET_END) and not is32:
            if op == I.JEQ:
                return 0
            if op == I.JNE:
                return 1
        return -1
    if is32:
        dmin, dmax, smin_, smax_ = d.u32min, d.u32max, s.u32min, s.u32max
        dsmin, dsmax, ssmin, ssmax = d.s32min, d.s32max, s.s32min, s.s32max
        dv = T.subreg(d.var)
        sv = T.subreg(s.var)
    else:
        dmin, dmax, smin_, smax_ = d.umin, d.umax, s.umin, s.umax
        dsmin, dsmax, ssmin, ssmax = d.smin, d.smax, s.smin, s.smax
        dv, sv = d.var, s.var
    if op == I.JEQ:
        if dv[1] == 0 and sv[1] == 0:
            return 1 if dv[0] == sv[0] else 0
        if dmin > smax_ or dmax < smin_ or dsmin > ssmax or dsmax < ssmin:
            return 0
        if not T.is_const(T.xor(dv, sv)) and (dv[0] & ~dv[1] & ~sv[1]) != (sv[0] & ~dv[1] & ~sv[1]):
            return 0
        if (dv[0] ^ sv[0]) & ~(dv[1] | sv[1]):
            return 0
        return -1
    if op == I.JNE:
        r = is_branch_taken(d, s, I.JEQ, is32)
        return -1 if r == -1 else 1 - r
    if op == I.JSET:
        if dv[0] & sv[0]:
            if sv[1] == 0 or True:
                if (dv[0] & sv[0]) and sv[1] == 0:
                    return 1
        if not ((dv[0] | dv[1]) & (sv[0] | sv[1])):
            return 0
        return -1
    if op in _SIGNED_TWIN:  # the same four verdicts on the signed bounds
        op = _SIGNED_TWIN[op]
        dmin, dmax, smin_, smax_ = dsmin, dsmax, ssmin, ssmax
    if op == I.JGT:
        return 1 if dmin > smax_ else 0 if dmax <= smin_ else -1
    if op == I.JGE:
        return 1 if dmin >= smax_ else 0 if dmax < smin_ else -1
    if op == I.JLT:
        return 1 if dmax < smin_ else 0 if dmin >= smax_ else -1
    if op == I.JLE:
        return 1 if dmax <= smin_ else 0 if dmin > smax_ else -1
    return -1


_SIGNED_TWIN = {I.JSGT: I.JGT, I.JSGE: I.JGE, I.JSLT: I.JLT, I.JSLE: I.JLE}
_FLIP = {I.JGT: I.JLE, I.JGE: I.JLT, I.JLT: I.JGE, I.JLE: I.JGT, I.JSGT: I.JSLE, I.JSGE: I.JSLT,
         I.JSLT: I.JSGE, I.JSLE: I.JSGT, I.JEQ: I.JNE, I.JNE: I.JEQ}


def refine(d: Reg, s: Reg, op: int, is32: bool, taken: bool) -> None:
    """Narrow d and s (scalars) given that ``d op s`` is ``taken``."""
    if op == I.JSET:
        if not taken and s.is_const():
            v = s.var[0] & (M32 if is32 else M64)
            d.var = T.and_(d.var, (~v & M64, 0)) if not is32 else T.with_subreg(d.var, T.and_(T.subreg(d.var), (~v & M32, 0)))
            R.sync(d)
        return
    if not taken:
        op = _FLIP[op]
    if is32:
        _refine32(d, s, op)
    else:
        _refine64(d, s, op)
    R.sync(d)
    R.sync(s)


def _refine64(d: Reg, s: Reg, op: int) -> None:
    if op == I.JEQ:
        umin, umax = max(d.umin, s.umin), min(d.umax, s.umax)
        smin, smax = max(d.smin, s.smin), min(d.smax, s.smax)
        var = T.intersect(d.var, s.var)
        for r in (d, s):
            r.umin, r.umax, r.smin, r.smax, r.var = umin, umax, smin, smax, var
    elif op == I.JNE:
        if s.is_const():
            _exclude64(d, s.var[0])
        if d.is_const():
            _exclude64(s, d.var[0])
    elif op == I.JGT:
        d.umin = max(d.umin, s.umin + 1)
        s.umax = min(s.umax, d.umax - 1)
    elif op == I.JGE:
        d.umin = max(d.umin, s.umin)
        s.umax = min(s.umax, d.umax)
    elif op == I.JLT:
        d.umax = min(d.umax, s.umax - 1)
        s.umin = max(s.umin, d.umin + 1)
    elif op == I.JLE:
        d.umax = min(d.umax, s.umax)
        s.umin = max(s.umin, d.umin)
    elif op == I.JSGT:
        d.smin = max(d.smin, s.smin + 1)
        s.smax = min(s.smax, d.smax - 1)
    elif op == I.JSGE:
        d.smin = max(d.smin, s.smin)
        s.smax = min(s.smax, d.smax)
    elif op == I.JSLT:
        d.smax = min(d.smax, s.smax - 1)
        s.smin = max(s.smin, d.smin + 1)
    elif op == I.JSLE:
        d.smax = min(d.smax, s.smax)
        s.smin = max(s.smin, d.smin)


def _exclude64(r: Reg, v: int) -> None:
    """``r != v``: a bound that equals v moves past it."""
    if r.umin == v:
        r.umin += 1
    if r.umax == v:
        r.umax -= 1
    sv = R.s64(v)
    if r.smin == sv:
        r.smin += 1
    if r.smax == sv:
        r.smax -= 1


def _refine32(d: Reg, s: Reg, op: int) -> None:
    if op == I.JEQ:
        umin, umax = max(d.u32min, s.u32min), min(d.u32max, s.u32max)
        smin, smax = max(d.s32min, s.s32min), min(d.s32max, s.s32max)
        var = T.intersect(T.subreg(d.var), T.subreg(s.var))
        for r in (d, s):
            r.u32min, r.u32max, r.s32min, r.s32max = umin, umax, smin, smax
            r.var = T.with_subreg(r.var, var)
    elif op == I.JNE:
        if s.var[1] & M32 == 0:
            v = s.var[0] & M32
            if d.u32min == v:
                d.u32min += 1
            if d.u32max == v:
                d.u32max -= 1
            if d.s32min == R.s32(v):
                d.s32min += 1
            if d.s32max == R.s32(v):
                d.s32max -= 1
    elif op == I.JGT:
        d.u32min = max(d.u32min, s.u32min + 1)
        s.u32max = min(s.u32max, d.u32max - 1)
    elif op == I.JGE:
        d.u32min = max(d.u32min, s.u32min)
        s.u32max = min(s.u32max, d.u32max)
    elif op == I.JLT:
        d.u32max = min(d.u32max, s.u32max - 1)
        s.u32min = max(s.u32min, d.u32min + 1)
    elif op == I.JLE:
        d.u32max = min(d.u32max, s.u32max)
        s.u32min = max(s.u32min, d.u32min)
    elif op == I.JSGT:
        d.s32min = max(d.s32min, s.s32min + 1)
        s.s32max = min(s.s32max, d.s32max - 1)
    elif op == I.JSGE:
        d.s32min = max(d.s32min, s.s32min)
        s.s32max = min(s.s32max, d.s32max)
    elif op == I.JSLT:
        d.s32max = min(d.s32max, s.s32max - 1)
        s.s32min = max(s.s32min, d.s32min + 1)
    elif op == I.JSLE:
        d.s32max = min(d.s32max, s.s32max)
        s.s32min = max(s.s32min, d.s32min)
