"""The structured verifier trace (beyond Linux): the path-sensitive walk as JSON-able data.

PROG_LOAD with ``verifier_trace`` set asks for it; the kernel returns it in
``verifier_trace_out`` on success and on rejection, the way it fills ``log_buf``. The
walk is the one the text log describes at log_level 2 (the same instructions in the same
order, rendered by the same disassembler), but every event is recorded whatever the
log level, and register and stack states come as fields instead of text. The schema is
documented in DESIGN.md ("Verifier trace"); ``TRACE_VERSION`` changes when it does.

A :class:`Tracer` exists only while a trace was asked for: the walk's hooks are
``if self.trace is not None`` tests, so a load without a trace does no trace work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import regs as R
from .state import SLOT_SPILL

if TYPE_CHECKING:
    from .check import Verifier
    from .env import LineInfo
    from .regs import Reg
    from .state import Slot, VState

TRACE_VERSION = 1


def reg_json(r: Reg, cur_frame: int) -> dict[str, Any]:
    """One initialised register: its type and what the verifier knows about its value.

    ``text`` is the register exactly as the text log prints it (``R1=pkt(r=0)`` without the
    ``R1=``); the other fields are the same facts as numbers."""
    t = r.type
    b = t & R.BASE
    out: dict[str, Any] = {"type": R.type_str(t), "text": R.reg_str(r, cur_frame)}
    if t != R.SCALAR:
        out["off"] = r.off  # the fixed offset of a pointer
    if r.var[1] == 0:
        if t == R.SCALAR:
            out["value"] = R.s64(r.var[0])  # a known constant
        elif r.var[0]:
            out["imm"] = R.s64(r.var[0])  # a known variable offset of a pointer (the log's imm=)
    else:
        out["var_off"] = {"value": r.var[0], "mask": r.var[1]}
        out["smin"], out["smax"], out["umin"], out["umax"] = r.smin, r.smax, r.umin, r.umax
        out["s32_min"], out["s32_max"] = r.s32min, r.s32max
        out["u32_min"], out["u32_max"] = r.u32min, r.u32max
    if r.id:
        out["id"] = r.id
    if r.ref_obj_id:
        out["ref_obj_id"] = r.ref_obj_id
    if b in (R.PACKET, R.PACKET_META):
        out["range"] = r.range
    if b == R.MEM:
        out["mem_size"] = r.mem_size
    if b == R.STACK:
        out["frameno"] = r.frameno
    if b in (R.MAP_PTR, R.MAP_KEY, R.MAP_VALUE) and r.map is not None:
        out["map"] = {"name": getattr(r.map, "name", ""), "key_size": r.map.key_size,
                      "value_size": r.map.value_size}
    if t == R.SCALAR:
        out["precise"] = bool(r.precise)
    return out


def slot_json(spi: int, slot: Slot, cur_frame: int) -> dict[str, Any]:
    """One stack slot with at least one initialised byte, keyed ``fp-8``, ``fp-16``...

    ``types`` has one letter per byte as the log prints them, the highest address first
    (letter k is the byte at fp``off+7-k``): ``r`` spilled register, ``m`` misc data,
    ``0`` zero, ``?`` invalid."""
    types = "".join(slot.types)
    out: dict[str, Any] = {"off": (-spi - 1) * 8, "types": types}
    if slot.types[7] == SLOT_SPILL and slot.spilled is not None:
        j = slot.types.index(SLOT_SPILL)
        out["text"] = types[:j] + R.reg_str(slot.spilled, cur_frame)
        out["spilled"] = reg_json(slot.spilled, cur_frame)
    else:
        out["text"] = types
    return out


def _line_table(v: Verifier) -> list[LineInfo | None]:
    """Per instruction: the line info record that covers it (the last one at or before it)."""
    table: list[LineInfo | None] = [None] * v.n
    linfo = v.linfo
    k = -1
    for idx in range(v.n):
        while k + 1 < len(linfo) and linfo[k + 1].insn_off <= idx:
            k += 1
        if k >= 0:
            table[idx] = linfo[k]
    return table


class Tracer:
    """Records the walk of one verification (all subprogram passes) as a list of events."""

    __slots__ = ("v", "events", "seen_stack", "lines", "log_pos", "frame")

    def __init__(self, v: Verifier) -> None:
        self.v = v
        self.events: list[dict[str, Any]] = []
        self.seen_stack = 0  # how much of v.stack (pending branches) the events have reported
        self.lines: list[LineInfo | None] | None = None
        self.log_pos = -1  # where the text log stood after the last instruction's line
        self.frame = -1  # the call frame of the last insn event (-1: none since a start or pop)

    # -------------------------------------------------------------- hooks from the walk
    def start(self, st: VState, sub: int) -> None:
        """A walk begins: the main program (sub 0) or a global function on its own."""
        st.path = []
        self.seen_stack = len(self.v.stack)
        self.frame = -1
        self.events.append({"event": "start", "insn": self.v.subprogs[sub], "subprog": sub})

    def insn(self, st: VState, idx: int) -> None:
        """The walk reaches ``idx`` with state ``st`` (before the instruction executes)."""
        self._pushes()
        self._returned(st, idx)
        self.frame = st.curframe
        if st.path is not None:
            st.path.append(idx)
        f = st.cur
        fno = f.frameno
        regs = {f"r{i}": reg_json(r, fno) for i, r in enumerate(f.regs) if r.type != R.NOT_INIT}
        stack = {f"fp{(-spi - 1) * 8}": slot_json(spi, f.stack[spi], fno)
                 for spi in sorted(f.stack) if f.stack[spi].valid()}
        ev: dict[str, Any] = {"event": "insn", "insn": idx, "frame": st.curframe, "text": self.v.insn_text(idx)}
        li = self._line(idx)
        if li is not None:
            ev["line"] = li
        ev["regs"] = regs
        ev["stack"] = stack
        if st.refs:
            ev["refs"] = [int(r[0]) for r in st.refs]
        self.events.append(ev)
        self.log_pos = self.v.log.end_pos

    def prune(self, idx: int, prev: int) -> None:
        """The state at ``idx`` is covered by one already explored: this path ends ("safe")."""
        self._pushes()
        if self.v.cur is not None:
            self._returned(self.v.cur, idx)
        self.events.append({"event": "prune", "insn": idx, "from": prev})
        self.log_pos = -1

    def pop(self, insn: int, prev: int) -> None:
        """The walk resumes a pending branch: ``prev`` jumped (or fell through) to ``insn``."""
        self.seen_stack = len(self.v.stack)
        self.events.append({"event": "pop", "insn": insn, "from": prev})
        self.log_pos = -1
        self.frame = -1

    # -------------------------------------------------------------- helpers
    def _returned(self, st: VState, idx: int) -> None:
        """A callee's exit brought the walk back to its caller (the log's ``from J to T:``
        after a subprogram's exit): report it before the caller goes on."""
        if 0 <= st.curframe < self.frame:
            self.events.append({"event": "return", "insn": idx, "from": self.v.prev_insn_idx})
    def _pushes(self) -> None:
        """Report the branches queued since the last event (conditional jumps, callbacks)."""
        stack = self.v.stack
        n = len(stack)
        if n < self.seen_stack:  # a pass ended and dropped its pending branches
            self.seen_stack = n
        while self.seen_stack < n:
            _st, insn, prev, _pos = stack[self.seen_stack]
            self.events.append({"event": "push", "insn": insn, "from": prev})
            self.seen_stack += 1

    def _line(self, idx: int) -> dict[str, Any] | None:
        if not self.v.linfo:
            return None
        if self.lines is None:
            self.lines = _line_table(self.v)
        li = self.lines[idx] if idx < len(self.lines) else None
        if li is None:
            return None
        return {"file": li.file_name, "line": li.line_num, "col": li.line_col, "src": li.line.strip()}

    def _message(self, last: str | None) -> str:
        """What the verifier said about the failing instruction: the log written after its
        line (several lines, as the text log shows them), or the final line alone when
        there is no log or the log has moved on (a rejection between instructions)."""
        log = self.v.log
        if log.level and 0 <= self.log_pos <= log.end_pos:
            said = log.text()[self.log_pos:].strip("\n")
            if said:
                return said
        return (last or "").rstrip("\n")

    # -------------------------------------------------------------- the result
    def result(self, errno: int = 0, message: str | None = None) -> dict[str, Any]:
        """The trace as PROG_LOAD returns it; with ``errno`` the rejection and its path."""
        self._pushes()
        v = self.v
        out: dict[str, Any] = {"version": TRACE_VERSION, "insn_cnt": v.n,
                               "insns_processed": v.insn_processed, "events": self.events}
        if errno:
            path: list[int] = []
            insn: int | None = None
            cur = v.cur
            if cur is not None and cur.path is not None:
                path = list(cur.path)
                insn = cur.insn_idx
                if not path or path[-1] != insn:  # refused before the insn was walked (a loop)
                    path.append(insn)
            out["rejection"] = {"errno": errno, "message": self._message(message),
                                "insn": insn, "path": path}
        return out


__all__ = ["TRACE_VERSION", "Tracer", "reg_json", "slot_json"]
