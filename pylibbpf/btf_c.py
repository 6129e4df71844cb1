"""BTF to compilable C, as ``bpftool btf dump ... format c`` prints it (libbpf's btf_dump).

Types are emitted in dependency order: a struct that another struct embeds comes first,
types reached only through pointers get forward declarations, anonymous types are
written inline, typedefs and enumerators share one namespace and clashing names get a
``___N`` suffix, and gaps in a struct's layout become ``<type>: <bits>;`` padding fields.
"""

from __future__ import annotations

import errno as _errno

from pykernel.uapi.btf import BtfType, Kind

from .btf import Btf
from .errors import LibbpfError

_PROLOGUE = ("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
             "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
             "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
             "#endif\n\n")
_EPILOGUE = ("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
             "#endif /* __VMLINUX_H__ */\n")

# GCC's ARM SIMD typedef targets, aliased to base types when they appear as ints
_MISSING_BASE_TYPES = {
    "__Poly8_t": "unsigned char",
    "__Poly16_t": "unsigned short",
    "__Poly64_t": "unsigned long long",
    "__Poly128_t": "unsigned __int128",
}

NOT_ORDERED, ORDERING, ORDERED = 0, 1, 2
NOT_EMITTED, EMITTING, EMITTED = 0, 1, 2
_MODS = (Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG)


class BtfCDumpError(LibbpfError):
    """The C writer stopped (a type loop C cannot express, an unknown kind);
    ``partial`` is what had been written until then."""

    def __init__(self, err: int, message: str, partial: str) -> None:
        super().__init__(err, message)
        self.partial = partial


def dump_c(btf: Btf, type_ids: list[int] | None = None) -> str:
    """The whole ``format c`` output: prologue, every type (or ``type_ids`` and what
    they need), epilogue."""
    w = CWriter(btf)
    w.out.append(_PROLOGUE)
    ids = type_ids if type_ids is not None else range(1, btf.nr_types)
    for tid in ids:
        try:
            w.dump_type(tid)
        except LibbpfError as e:
            raise BtfCDumpError(e.errno, e.message, "".join(w.out)) from None
    w.out.append(_EPILOGUE)
    return "".join(w.out)


class CWriter:
    """One btf_dump session: remembers what it already emitted across dump_type calls."""

    def __init__(self, btf: Btf) -> None:
        self.btf = btf
        self.types = btf.types
        n = len(self.types)
        self.order_state = [NOT_ORDERED] * n
        self.emit_state = [NOT_EMITTED] * n
        self.fwd_emitted = [False] * n
        self.name_resolved = [False] * n
        self.referenced = [False] * n
        self.cached_names: dict[int, str] = {}
        self.type_names: dict[str, int] = {}
        self.ident_names: dict[str, int] = {}
        self.out: list[str] = []
        self.warnings: list[str] = []
        self.order_state[0] = ORDERED
        self.emit_state[0] = EMITTED
        for tid in range(1, n):
            self._mark_referenced(self.types[tid])

    # ------------------------------------------------------------------ helpers
    def p(self, s: str) -> None:
        self.out.append(s)

    def t(self, tid: int) -> BtfType:
        if not 0 <= tid < len(self.types):
            raise LibbpfError(_errno.EINVAL, f"invalid type id [{tid}]")
        return self.types[tid]

    def sname(self, off: int) -> str:
        return self.btf._plain_name(off)

    def _ref(self, tid: int) -> None:
        if 0 <= tid < len(self.referenced):
            self.referenced[tid] = True

    def _mark_referenced(self, t: BtfType) -> None:
        k = t.kind
        if k in (Kind.INT, Kind.ENUM, Kind.ENUM64, Kind.FWD, Kind.FLOAT):
            return
        if k in _MODS or k in (Kind.PTR, Kind.TYPEDEF, Kind.FUNC, Kind.VAR, Kind.DECL_TAG):
            self._ref(t.type)
        elif k == Kind.ARRAY and t.array:
            self._ref(t.array[1])
            self._ref(t.array[0])
        elif k in (Kind.STRUCT, Kind.UNION):
            for m in t.members:
                self._ref(m.type)
        elif k == Kind.FUNC_PROTO:
            for q in t.params:
                self._ref(q.type)
        elif k == Kind.DATASEC:
            for s in t.secinfos:
                self._ref(s.type)

    @staticmethod
    def pfx(lvl: int) -> str:
        return "\t" * min(lvl, 13)

    # ------------------------------------------------------------------ names
    def _name_dups(self, names: dict[str, int], name: str) -> int:
        names[name] = names.get(name, 0) + 1
        return names[name]

    def _resolve_name(self, tid: int, names: dict[str, int]) -> str:
        t = self.t(tid)
        orig = self.sname(t.name_off)
        if t.name_off == 0:
            return ""
        if self.name_resolved[tid]:
            return self.cached_names.get(tid, orig)
        if t.kind == Kind.FWD or (t.kind == Kind.ENUM and not t.values):
            self.name_resolved[tid] = True
            return orig
        dup = self._name_dups(names, orig)
        if dup > 1:
            self.cached_names[tid] = f"{orig}___{dup}"
        self.name_resolved[tid] = True
        return self.cached_names.get(tid, orig)

    def type_name(self, tid: int) -> str:
        return self._resolve_name(tid, self.type_names)

    def ident_name(self, tid: int) -> str:
        return self._resolve_name(tid, self.ident_names)

    # ------------------------------------------------------------------ ordering
    def dump_type(self, tid: int) -> None:
        if not 0 <= tid < len(self.types):
            raise LibbpfError(_errno.EINVAL, f"invalid type id [{tid}]")
        self.queue: list[int] = []
        self._order(tid, False)
        for q in self.queue:
            self._emit(q, 0)

    def _order(self, tid: int, through_ptr: bool) -> int:
        if self.order_state[tid] == ORDERED:
            return 1
        t = self.t(tid)
        k = t.kind
        if self.order_state[tid] == ORDERING:
            if t.is_composite() and through_ptr and t.name_off:
                return 0
            self.warnings.append(f"unsatisfiable type cycle, id:[{tid}]")
            raise LibbpfError(_errno.ELOOP, f"unsatisfiable type cycle, id:[{tid}]")
        if k in (Kind.INT, Kind.FLOAT):
            self.order_state[tid] = ORDERED
            return 0
        if k == Kind.PTR:
            r = self._order(t.type, True)
            self.order_state[tid] = ORDERED
            return r
        if k == Kind.ARRAY:
            return self._order((t.array or (0, 0, 0))[0], False)
        if k in (Kind.STRUCT, Kind.UNION):
            if through_ptr and t.name_off:
                return 0
            self.order_state[tid] = ORDERING
            for m in t.members:
                self._order(m.type, False)
            if t.name_off:
                self.queue.append(tid)
            self.order_state[tid] = ORDERED
            return 1
        if k in (Kind.ENUM, Kind.ENUM64, Kind.FWD):
            if t.name_off or not self.referenced[tid]:
                self.queue.append(tid)
            self.order_state[tid] = ORDERED
            return 1
        if k == Kind.TYPEDEF:
            strong = self._order(t.type, through_ptr)
            if through_ptr and not strong:
                return 0
            self.queue.append(tid)
            self.order_state[tid] = ORDERED
            return 1
        if k in _MODS:
            return self._order(t.type, through_ptr)
        if k == Kind.FUNC_PROTO:
            strong = self._order(t.type, through_ptr) > 0
            for q in t.params:
                if self._order(q.type, through_ptr) > 0:
                    strong = True
            return int(strong)
        if k in (Kind.FUNC, Kind.VAR, Kind.DATASEC, Kind.DECL_TAG):
            self.order_state[tid] = ORDERED
            return 0
        raise LibbpfError(_errno.EINVAL, f"unsupported BTF kind {k} at [{tid}]")

    # ------------------------------------------------------------------ emitting
    def _blacklisted(self, tid: int) -> bool:
        t = self.t(tid)
        return bool(t.name_off) and self.sname(t.name_off) == "__builtin_va_list"

    def _emit(self, tid: int, cont_id: int) -> None:
        if self.emit_state[tid] == EMITTED:
            return
        t = self.t(tid)
        k = t.kind
        top = cont_id == 0
        if self.emit_state[tid] == EMITTING:
            if self.fwd_emitted[tid]:
                return
            if k in (Kind.STRUCT, Kind.UNION):
                if tid == cont_id:
                    return
                if not t.name_off:
                    self.warnings.append(f"anonymous struct/union loop, id:[{tid}]")
                    return
                self._struct_fwd(tid, t)
                self.p(";\n\n")
                self.fwd_emitted[tid] = True
            elif k == Kind.TYPEDEF:
                if not self._blacklisted(tid):
                    self._typedef_def(tid, t, 0)
                    self.p(";\n\n")
                self.fwd_emitted[tid] = True
            return
        if k == Kind.INT:
            name = self.type_name(tid)
            alias = _MISSING_BASE_TYPES.get(name)
            if alias:
                self.p(f"typedef {alias} {name};\n\n")
            self.emit_state[tid] = EMITTED
        elif k in (Kind.ENUM, Kind.ENUM64):
            if top:
                self._enum_def(tid, t, 0)
                self.p(";\n\n")
            self.emit_state[tid] = EMITTED
        elif k in _MODS or k == Kind.PTR:
            self._emit(t.type, cont_id)
        elif k == Kind.ARRAY:
            self._emit((t.array or (0, 0, 0))[0], cont_id)
        elif k == Kind.FWD:
            self._fwd_def(tid, t)
            self.p(";\n\n")
            self.emit_state[tid] = EMITTED
        elif k == Kind.TYPEDEF:
            self.emit_state[tid] = EMITTING
            self._emit(t.type, tid)
            if not self.fwd_emitted[tid] and not self._blacklisted(tid):
                self._typedef_def(tid, t, 0)
                self.p(";\n\n")
            self.emit_state[tid] = EMITTED
        elif k in (Kind.STRUCT, Kind.UNION):
            self.emit_state[tid] = EMITTING
            if top or not t.name_off:
                new_cont = cont_id if not t.name_off else tid
                for m in t.members:
                    self._emit(m.type, new_cont)
            elif not self.fwd_emitted[tid] and tid != cont_id:
                self._struct_fwd(tid, t)
                self.p(";\n\n")
                self.fwd_emitted[tid] = True
            if top:
                self._struct_def(tid, t, 0)
                self.p(";\n\n")
                self.emit_state[tid] = EMITTED
            else:
                self.emit_state[tid] = NOT_EMITTED
        elif k == Kind.FUNC_PROTO:
            self._emit(t.type, cont_id)
            for q in t.params:
                self._emit(q.type, cont_id)

    # --- structs ---
    def _is_packed(self, t: BtfType) -> bool:
        max_align = 1
        for m in t.members:
            align = self._align(m.type)
            bits = m.bitfield_size(t.kflag)
            if align and bits == 0 and m.bit_offset(t.kflag) % (8 * align):
                return True
            max_align = max(align, max_align)
        return bool(t.size % max_align)

    def _align(self, tid: int) -> int:
        try:
            return self.btf.align_of(tid)
        except LibbpfError:
            return 0

    def _size(self, tid: int) -> int:
        try:
            return max(0, self.btf.resolve_size(tid))
        except LibbpfError:
            return 0

    def _bit_padding(self, cur: int, nxt: int, next_align: int, in_bitfield: bool, lvl: int) -> None:
        pads = (("long", 64), ("int", 32), ("short", 16), ("char", 8))
        if cur >= nxt:
            return
        new_off = 0
        pad_type, pad_bits = pads[-1]
        for cand in pads:
            pad_type, pad_bits = cand
            new_off = _roundup(cur, pad_bits)
            if new_off <= nxt:
                break
        if cur < new_off <= nxt:
            if (in_bitfield
                    or (new_off == nxt and _roundup(cur, next_align * 8) != new_off)
                    or (new_off != nxt and nxt - new_off <= new_off - cur)):
                self.p(f"\n{self.pfx(lvl)}{pad_type}: {new_off - cur if in_bitfield else 0};")
            cur = new_off
        while cur != nxt:
            bits = min(nxt - cur, pad_bits)
            if bits == pad_bits:
                self.p(f"\n{self.pfx(lvl)}{pad_type}: {pad_bits};")
                cur += bits
                continue
            for name, pbits in reversed(pads):
                pad_type, pad_bits = name, pbits
                if pbits < bits:
                    continue
                self.p(f"\n{self.pfx(lvl)}{name}: {bits};")
                cur += bits
                break

    def _struct_fwd(self, tid: int, t: BtfType) -> None:
        kw = "struct" if t.kind == Kind.STRUCT else "union"
        self.p(f"{kw}{' ' if t.name_off else ''}{self.type_name(tid)}")

    def _struct_def(self, tid: int, t: BtfType, lvl: int) -> None:
        is_struct = t.kind == Kind.STRUCT
        align = self._align(tid)
        packed = self._is_packed(t) if is_struct else False
        self.p(f"{'struct' if is_struct else 'union'}{' ' if t.name_off else ''}{self.type_name(tid)} {{")
        off = 0
        prev_bitfield = False
        for m in t.members:
            fname = self.sname(m.name_off)
            m_sz = m.bitfield_size(t.kflag)
            m_off = m.bit_offset(t.kflag)
            m_align = 1 if packed else self._align(m.type)
            in_bitfield = prev_bitfield and m_sz != 0
            self._bit_padding(off, m_off, m_align, in_bitfield, lvl + 1)
            self.p(f"\n{self.pfx(lvl + 1)}")
            self._type_decl(m.type, fname, lvl + 1)
            if m_sz:
                self.p(f": {m_sz}")
                off = m_off + m_sz
                prev_bitfield = True
            else:
                off = m_off + self._size(m.type) * 8
                prev_bitfield = False
            self.p(";")
        if is_struct:
            self._bit_padding(off, t.size * 8, align, False, lvl + 1)
        if t.members or t.size:
            self.p(f"\n{self.pfx(lvl)}}}")
        else:
            self.p("}")
        if packed:
            self.p(" __attribute__((packed))")

    # --- enums, fwds, typedefs ---
    def _enum_fwd(self, tid: int) -> None:
        self.p(f"enum {self.type_name(tid)}")

    def _enum_def(self, tid: int, t: BtfType, lvl: int) -> None:
        self.p(f"enum{' ' if t.name_off else ''}{self.type_name(tid)}")
        if not t.values:
            return
        self.p(" {")
        signed = t.kflag
        for v in t.values:
            name = self.sname(v.name_off)
            dup = self._name_dups(self.ident_names, name)
            if t.kind == Kind.ENUM:
                raw = v.val & 0xFFFFFFFF
                val = str(raw - (1 << 32) if signed and raw >> 31 else raw)
            else:
                raw = v.val & 0xFFFFFFFFFFFFFFFF
                val = f"{raw - (1 << 64) if signed and raw >> 63 else raw}{'LL' if signed else 'ULL'}"
            if dup > 1:
                self.p(f"\n{self.pfx(lvl + 1)}{name}___{dup} = {val},")
            else:
                self.p(f"\n{self.pfx(lvl + 1)}{name} = {val},")
        self.p(f"\n{self.pfx(lvl)}}}")
        # libbpf 1.1 writes no mode(byte)/mode(word) attribute for odd-sized enums

    def _fwd_def(self, tid: int, t: BtfType) -> None:
        self.p(f"{'union' if t.kflag else 'struct'} {self.type_name(tid)}")

    def _typedef_def(self, tid: int, t: BtfType, lvl: int) -> None:
        name = self.ident_name(tid)
        if t.type == 0 and name == "__gnuc_va_list":
            self.p("typedef __builtin_va_list __gnuc_va_list")
            return
        self.p("typedef ")
        self._type_decl(t.type, name, lvl)

    # --- declarations ---
    def _type_decl(self, tid: int, fname: str, lvl: int) -> None:
        stack: list[int] = []
        for _ in range(len(self.types) + 1):
            stack.append(tid)
            if tid == 0:
                break
            t = self.t(tid)
            k = t.kind
            if k in (Kind.PTR, Kind.FUNC_PROTO) or k in _MODS:
                tid = t.type
            elif k == Kind.ARRAY:
                tid = (t.array or (0, 0, 0))[0]
            elif k in (Kind.INT, Kind.ENUM, Kind.ENUM64, Kind.FWD, Kind.STRUCT, Kind.UNION,
                       Kind.TYPEDEF, Kind.FLOAT):
                break
            else:
                self.warnings.append(f"unexpected type in decl chain, kind:{k}, id:[{tid}]")
                break
        self._type_chain(stack, fname, lvl)

    def _emit_mods(self, decls: list[int]) -> None:
        while decls:
            k = self.types[decls[-1]].kind if decls[-1] else Kind.UNKN
            if k == Kind.VOLATILE:
                self.p("volatile ")
            elif k == Kind.CONST:
                self.p("const ")
            elif k == Kind.RESTRICT:
                self.p("restrict ")
            else:
                return
            decls.pop()

    def _drop_mods(self, decls: list[int]) -> None:
        while decls and decls[-1] and self.types[decls[-1]].kind in _MODS:
            decls.pop()

    def _emit_name(self, name: str, last_was_ptr: bool) -> None:
        sep = bool(name) and not last_was_ptr
        self.p(f"{' ' if sep else ''}{name}")

    def _type_chain(self, decls: list[int], fname: str, lvl: int) -> None:
        last_was_ptr = True
        while decls:
            tid = decls.pop()
            if tid == 0:
                self._emit_mods(decls)
                self.p("void")
                last_was_ptr = False
                continue
            t = self.types[tid]
            k = t.kind
            if k in (Kind.INT, Kind.FLOAT):
                self._emit_mods(decls)
                self.p(self.sname(t.name_off))
            elif k in (Kind.STRUCT, Kind.UNION):
                self._emit_mods(decls)
                if not t.name_off:
                    self._struct_def(tid, t, lvl)
                else:
                    self._struct_fwd(tid, t)
            elif k in (Kind.ENUM, Kind.ENUM64):
                self._emit_mods(decls)
                if not t.name_off:
                    self._enum_def(tid, t, lvl)
                else:
                    self._enum_fwd(tid)
            elif k == Kind.FWD:
                self._emit_mods(decls)
                self._fwd_def(tid, t)
            elif k == Kind.TYPEDEF:
                self._emit_mods(decls)
                self.p(self.ident_name(tid))
            elif k == Kind.PTR:
                self.p("*" if last_was_ptr else " *")
            elif k == Kind.VOLATILE:
                self.p(" volatile")
            elif k == Kind.CONST:
                self.p(" const")
            elif k == Kind.RESTRICT:
                self.p(" restrict")
            elif k == Kind.TYPE_TAG:
                self._emit_mods(decls)
                self.p(f' __attribute__((btf_type_tag("{self.sname(t.name_off)}")))')
            elif k == Kind.ARRAY:
                nelems = (t.array or (0, 0, 0))[2]
                self._drop_mods(decls)
                if not decls:
                    self._emit_name(fname, last_was_ptr)
                    self.p(f"[{nelems}]")
                    return
                nxt = decls[-1]
                multidim = bool(nxt) and self.types[nxt].kind == Kind.ARRAY
                if fname and not last_was_ptr:
                    self.p(" ")
                if not multidim:
                    self.p("(")
                self._type_chain(decls, fname, lvl)
                if not multidim:
                    self.p(")")
                self.p(f"[{nelems}]")
                return
            elif k == Kind.FUNC_PROTO:
                self._drop_mods(decls)
                if decls:
                    self.p(" (")
                    self._type_chain(decls, fname, lvl)
                    self.p(")")
                else:
                    self._emit_name(fname, last_was_ptr)
                self.p("(")
                ps = t.params
                if not ps or (len(ps) == 1 and ps[0].type == 0):
                    self.p("void)")
                    return
                for i, q in enumerate(ps):
                    if i:
                        self.p(", ")
                    if i == len(ps) - 1 and q.type == 0:
                        self.p("...")
                        break
                    self._type_decl(q.type, self.sname(q.name_off), lvl)
                self.p(")")
                return
            else:
                self.warnings.append(f"unexpected type in decl chain, kind:{k}, id:[{tid}]")
                return
            last_was_ptr = k == Kind.PTR
        self._emit_name(fname, last_was_ptr)


def _roundup(x: int, y: int) -> int:
    return (x + y - 1) // y * y
