"""Global functions: verified on their own, once, for any arguments their prototype allows.

With func info (BTF), every subprogram has a FUNC type whose linkage says static or global.
A call to a *static* function is walked into, as without BTF. A call to a *global* function
is checked against its BTF prototype (``btfargs``) and then assumed valid: the caller's
r1-r5 are clobbered, r0 becomes an unknown 64-bit scalar and the walk continues after the
call (``Func#N ('name') is global and assumed valid.``). After the main program, each global
function that was called (directly, or from another global function) is verified in a pass
of its own, starting from a frame whose arguments are what the prototype allows: scalars,
the context, or memory of the pointee's size that may be NULL (``Validating name()
func#N...``, then ``Func#N ('name') is safe for any args that match its prototype``).
Instruction counts and state statistics add up over the passes, as in the kernel.
"""

from __future__ import annotations

from ..uapi import btf as UB
from ..uapi import helpers as H
from ..uapi import insn as I
from ..uapi.consts import EACCES, EFAULT, EINVAL, PSEUDO_CALL
from . import btfargs as BA
from . import regs as R
from .cfg import VerifyError
from .regs import Reg

BPF_READ, BPF_WRITE = 1, 2


class GlobalFuncMixin:
    """Methods of the Verifier for func info, prototypes and the global-function passes."""

    # ------------------------------------------------------------------ setup
    def setup_func_info(self) -> None:
        """check_btf_func: one func info record per subprogram, at its first insn."""
        finfo = self.env.func_info or []  # type: ignore[attr-defined]
        subprogs = self.subprogs  # type: ignore[attr-defined]
        self.func_type: list[int] = []
        self.global_sub: list[bool] = [False] * len(subprogs)
        self.sub_args: dict[int, list[BA.Arg]] = {}
        self.unreliable: set[int] = set()
        self.called: set[int] = set()
        self.verified: set[int] = set()
        self.has_func_info = bool(finfo)
        if not finfo:
            return
        if len(finfo) != len(subprogs):
            raise VerifyError(EINVAL, "number of funcs in func_info doesn't match number of subprogs")
        for i, fi in enumerate(finfo):
            if fi.insn_off != subprogs[i]:
                raise VerifyError(EINVAL, "func_info BTF section doesn't match subprog layout in BPF program")
        btf = self.btf  # type: ignore[attr-defined]
        self.func_type = [fi.type_id for fi in finfo]
        self.global_sub = [BA.func_linkage(btf, fi.type_id) == UB.FUNC_GLOBAL for fi in finfo]
        self.sub_changes_pkt = self._changes_pkt_data()

    def _changes_pkt_data(self) -> list[bool]:
        """Per subprogram: it, or a function it calls, calls a helper that changes packet data."""
        starts = self.subprogs + [self.n]  # type: ignore[attr-defined]
        insns = self.insns  # type: ignore[attr-defined]
        n = len(starts) - 1
        direct = [False] * n
        callees: list[list[int]] = [[] for _ in range(n)]
        for s in range(n):
            for i in range(starts[s], starts[s + 1]):
                ins = insns[i]
                if ins.code != (I.JMP | I.CALL):
                    continue
                if ins.src == PSEUDO_CALL:
                    tgt = i + ins.imm + 1
                    if tgt in starts[:n]:
                        callees[s].append(starts.index(tgt))
                elif ins.src == 0:
                    h = H.by_id(ins.imm) if 0 <= ins.imm < H.MAX_ID else None
                    if h is not None and h.changes_pkt_data:
                        direct[s] = True
        out = list(direct)
        changed = True
        while changed:
            changed = False
            for s in range(n):
                if not out[s] and any(out[c] for c in callees[s]):
                    out[s] = changed = True
        return out

    def subprog_is_global(self, sub: int) -> bool:
        return self.has_func_info and self.global_sub[sub]

    def subprog_name(self, sub: int) -> str:
        if not self.func_type:
            return ""
        return BA.func_name(self.btf, self.func_type[sub])  # type: ignore[attr-defined]

    def prepare_func_args(self, sub: int) -> list[BA.Arg]:
        """btf_prepare_func_args, cached per subprogram; VerifyError (with the log line) if unusable."""
        args = self.sub_args.get(sub)
        if args is not None:
            return args
        if not self.has_func_info:
            raise VerifyError(EFAULT, "Verifier bug")
        if sub in self.unreliable:
            raise VerifyError(EFAULT, f"Verifier bug in function {self.subprog_name(sub)}()")
        try:
            args = BA.prepare_func_args(self.btf, self.func_type[sub], self.global_sub[sub],  # type: ignore[attr-defined]
                                        self.prog_type, sub)  # type: ignore[attr-defined]
        except BA.ArgError as e:
            if e.msg:
                self.v(e.msg + "\n")  # type: ignore[attr-defined]
            raise VerifyError(e.errno, None) from None
        self.sub_args[sub] = args
        return args

    # ------------------------------------------------------------------ calls
    def btf_check_subprog_call(self, sub: int, regs: list[Reg]) -> int:
        """0 when the registers match the callee's prototype, else the errno (0 never for
        a callee without usable BTF). A mismatch makes the callee unreliable."""
        if not self.has_func_info:
            return EINVAL
        if not self.func_type[sub]:
            return EFAULT
        if sub in self.unreliable:
            return EINVAL
        try:
            args = self.prepare_func_args(sub)
            self._check_func_arg_match(args, regs)
        except VerifyError as e:
            if e.msg:
                self.v(e.msg + "\n")  # type: ignore[attr-defined]
            self.unreliable.add(sub)
            return e.errno
        return 0

    def _check_func_arg_match(self, args: list[BA.Arg], regs: list[Reg]) -> None:
        for i, arg in enumerate(args):
            regno = i + 1
            reg = regs[regno]
            if arg.kind == BA.SCALAR:
                if reg.type != R.SCALAR:
                    raise VerifyError(EINVAL, f"R{regno} is not a scalar")
            elif arg.kind == BA.CTX:
                self._check_arg_reg_off(reg, regno)
                if reg.type != R.CTX:
                    raise VerifyError(EINVAL, f"arg#{i} expects pointer to ctx")
            elif arg.kind == BA.MEM:
                self._check_arg_reg_off(reg, regno)
                self.check_mem_reg(reg, regno, arg.mem_size)
                if not arg.nullable and reg.type & R.MAYBE_NULL:
                    raise VerifyError(EINVAL, f"arg#{i} is expected to be non-NULL")
            elif arg.kind == BA.ARENA:
                if reg.type != R.SCALAR:
                    raise VerifyError(EINVAL, f"R{regno} is not a pointer to arena or scalar.")

    @staticmethod
    def _check_arg_reg_off(reg: Reg, regno: int) -> None:
        """check_func_arg_reg_off: pointers other than to memory must be unmodified."""
        t = reg.type
        if t in (R.STACK, R.PACKET, R.PACKET_META, R.MAP_KEY, R.MAP_VALUE, R.MEM, R.MEM | R.RDONLY,
                 R.MEM | R.RINGBUF, R.SCALAR):
            return
        if reg.off < 0:
            raise VerifyError(EACCES, f"negative offset {R.type_str(t)} ptr R{regno} off={reg.off} disallowed")
        if reg.off:
            raise VerifyError(EACCES, f"dereference of modified {R.type_str(t)} ptr R{regno} off={reg.off} disallowed")
        if reg.var[1] or reg.var[0]:
            from . import tnum as T
            raise VerifyError(EACCES, f"variable {R.type_str(t)} access var_off={T.tstr(reg.var)} disallowed")

    def check_mem_reg(self, reg: Reg, regno: int, mem_size: int) -> None:
        """check_mem_reg: ``mem_size`` bytes behind ``reg`` may be read and written (NULL passes)."""
        if reg.type == R.SCALAR and reg.var == (0, 0):
            return
        saved = None
        if reg.type & R.MAYBE_NULL:
            saved = reg.copy()
            reg.type &= ~R.MAYBE_NULL
        try:
            for t in (BPF_READ, BPF_WRITE):
                b = reg.type & R.BASE
                if b not in (R.PACKET, R.PACKET_META, R.MAP_KEY, R.MAP_VALUE, R.MEM, R.STACK):
                    self.v(f"R{regno} type={R.type_str(reg.type)} expected={R.type_str(R.STACK)}\n")  # type: ignore[attr-defined]
                    raise VerifyError(EINVAL, None)
                self.check_helper_mem_access(regno, reg, mem_size, t, True, {})  # type: ignore[attr-defined]
        except VerifyError as e:
            if e.msg:
                self.v(e.msg + "\n")  # type: ignore[attr-defined]
            raise VerifyError(EINVAL, None) from None
        finally:
            if saved is not None:
                reg.assign(saved)

    def call_global(self, sub: int, idx: int, err: int) -> None:
        """The caller's side of a call to global function ``sub`` (check_func_call)."""
        name = self.subprog_name(sub)
        if err:
            raise VerifyError(err, f"Caller passes invalid args into func#{sub} ('{name}')")
        self.v(f"Func#{sub} ('{name}') is global and assumed valid.\n")  # type: ignore[attr-defined]
        if self.sub_changes_pkt[sub]:
            self.clear_all_pkt_pointers()  # type: ignore[attr-defined]
        self.called.add(sub)
        regs = self.cur.frames[-1].regs  # type: ignore[attr-defined]
        for i in range(6):
            R.mark_not_init(regs[i])
        self.scratched_regs |= 0x3F  # type: ignore[attr-defined]
        R.mark_unknown(regs[0])
        regs[0].subreg_def = 0
        self.insn_idx = idx + 1  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ the passes
    def init_global_args(self, sub: int, regs: list[Reg]) -> None:
        """Registers on entry to global function ``sub`` verified on its own."""
        self.v(f"Validating {self.subprog_name(sub)}() func#{sub}...\n")  # type: ignore[attr-defined]
        args = self.prepare_func_args(sub)
        for i, arg in enumerate(args, start=1):
            r = regs[i]
            if arg.kind == BA.CTX:
                R.mark_known_zero_ptr(r, R.CTX)
            elif arg.kind == BA.MEM:
                R.mark_known_zero_ptr(r, R.MEM | (R.MAYBE_NULL if arg.nullable else 0))
                r.mem_size = arg.mem_size
                if arg.nullable:
                    r.id = self.new_id()  # type: ignore[attr-defined]
            else:  # scalars, arena pointers
                R.mark_unknown(r)

    def check_main_prototype(self) -> None:
        """The main program's BTF prototype is prepared too (it may log, never fails)."""
        if not self.has_func_info:
            return
        try:
            self.prepare_func_args(0)
        except VerifyError as e:
            if e.errno == EFAULT:
                raise
            self.unreliable.add(0)

    def do_check_subprogs(self) -> None:
        """Verify every global function the verified code calls, until none is left."""
        if not self.has_func_info:
            return
        while True:
            new = 0
            for sub in range(1, len(self.subprogs)):  # type: ignore[attr-defined]
                if not self.global_sub[sub] or sub not in self.called or sub in self.verified:
                    continue
                self.do_check_common(sub)  # type: ignore[attr-defined]
                self.v(f"Func#{sub} ('{self.subprog_name(sub)}') is safe for any args that match its prototype\n")  # type: ignore[attr-defined]
                self.verified.add(sub)
                new += 1
            if not new:
                return
