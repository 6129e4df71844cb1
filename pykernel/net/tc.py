"""tc: the ingress/clsact qdiscs and cls_bpf filters (``net/sched/sch_api.c``, ``cls_api.c``,
``sch_ingress.c``, ``cls_bpf.c`` semantics, with their errnos and extack texts).

Qdiscs: the root qdisc is the device's default (``noop`` until the device first goes up,
then ``noqueue`` for software devices or ``mq`` with one ``pfifo_fast`` per queue for a
NIC) and cannot be replaced here; ``clsact`` or ``ingress`` sits on the ingress queue
(handle ``ffff:``, parent ``ffff:fff1``). clsact has two filter blocks (``ffff:fff2``
ingress, ``ffff:fff3`` egress); ingress has one, reached by any ``ffff:`` parent.

Filters: one classifier instance per (block, chain, prio) with one protocol; cls_bpf keeps
its filters newest first (that is the order they run and dump in); handles default to the
lowest free number from 1; priorities default to one below the lowest priority at or above
0x8000, or 0xC000 (49152). A filter holds its program (``refs``: ``tcf``, filter id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..uapi import rtnl as R
from ..uapi.consts import EEXIST, EINVAL, ENOENT, ENOSPC, EOPNOTSUPP, ProgType
from ..uapi.errors import SyscallError
from .devices import Netdev, all_devices, require

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog

TCF = "tcf"
INGRESS_KINDS = ("clsact", "ingress")
#: qdisc kinds tc knows but the simulation does not provide as root qdiscs
KNOWN_ROOT_KINDS = ("pfifo_fast", "fq_codel", "fq", "pfifo", "bfifo", "prio", "htb", "tbf", "netem", "sfq",
                    "mq", "noqueue", "cake", "red", "drr", "hfsc", "multiq", "mqprio", "etf", "taprio")
PFIFO_FAST_PRIOMAP = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
TC_ACT_EXT_VAL_MASK = 0x0FFFFFFF
CLS_BPF_GEN_FLAGS = R.TCA_CLS_FLAGS_SKIP_HW | R.TCA_CLS_FLAGS_SKIP_SW | R.TCA_CLS_FLAGS_VERBOSE
AUTO_PRIO_BASE = 0x8000
AUTO_PRIO_FIRST = 0xC000


# ================================================================================================
# qdiscs
# ================================================================================================

def _ingress_qdisc(dev: Netdev) -> str | None:
    return dev.ingress or None


def qdisc_infos(dev: Netdev) -> list[R.QdiscInfo]:
    """What tc_dump_qdisc lists for one device (builtin noop qdiscs are invisible)."""
    out: list[R.QdiscInfo] = []
    if dev.qdisc == "noqueue":
        out.append(R.QdiscInfo(dev.ifindex, "noqueue", 0, R.TC_H_ROOT, refcnt=2))
    elif dev.qdisc == "pfifo_fast":
        out.append(R.QdiscInfo(dev.ifindex, "pfifo_fast", 0, R.TC_H_ROOT, refcnt=2,
                               options={"bands": 3, "priomap": list(PFIFO_FAST_PRIOMAP)}))
    elif dev.qdisc == "mq":
        out.append(R.QdiscInfo(dev.ifindex, "mq", 0, R.TC_H_ROOT, refcnt=1))
        for q in range(dev.num_tx):
            out.append(R.QdiscInfo(dev.ifindex, "pfifo_fast", 0, q + 1, refcnt=1,
                                   options={"bands": 3, "priomap": list(PFIFO_FAST_PRIOMAP)}))
    if dev.ingress:
        st = dev.stats
        out.append(R.QdiscInfo(dev.ifindex, dev.ingress, R.TC_H_INGRESS_HANDLE, R.TC_H_INGRESS, refcnt=1,
                               bytes=int(st.get("clsact_bytes", 0)), packets=int(st.get("clsact_packets", 0)),
                               drops=int(st.get("clsact_drops", 0))))
    return out


def modify_qdisc(k: Kernel, req: R.QdiscRequest) -> R.QdiscInfo:
    """__tc_modify_qdisc() for the cases the simulation has: the ingress slot and the root."""
    dev = require(k, req.ifindex)
    flags = req.flags
    clid = req.parent
    handle = req.handle
    if not clid:
        if not handle:
            raise SyscallError(EINVAL, "no handle", extack="Handle cannot be zero")
        q = _lookup(dev, handle)
        return _change(dev, q, req)
    if clid == R.TC_H_INGRESS:
        dev.ingress_queue = 1  # dev_ingress_queue_create()
        q = dev.ingress or None
    elif clid == R.TC_H_ROOT:
        q = None  # the default root qdisc has handle 0: "it may be default qdisc, ignore it"
    else:
        p = _lookup(dev, R.tc_h_maj(clid))
        if p is None:
            raise SyscallError(ENOENT, "parent", extack="Failed to find specified qdisc")
        raise SyscallError(EOPNOTSUPP, "no classes", extack="Parent qdisc is not classful")
    q_handle = R.TC_H_INGRESS_HANDLE if q else 0
    if q is None or not handle or q_handle != handle:
        if handle:
            if q is not None and not flags & R.NLM_F_REPLACE:
                raise SyscallError(EEXIST, "replace", extack="NLM_F_REPLACE needed to override")
            if R.tc_h_min(handle):
                raise SyscallError(EINVAL, "minor", extack="Invalid minor handle")
            found = _lookup(dev, handle)
            if found is None:
                return _create(k, dev, req, clid)
            if clid != R.TC_H_INGRESS:
                raise SyscallError(EINVAL, "move", extack="Cannot move an existing qdisc to a different parent")
            if flags & R.NLM_F_EXCL:
                raise SyscallError(EEXIST, "excl", extack="Exclusivity flag on, cannot override")
            if req.kind is not None and req.kind != found:
                raise SyscallError(EINVAL, "kind", extack="Invalid qdisc name: must match existing qdisc")
            raise SyscallError(EINVAL, "regraft", extack="Cannot regraft ingress or clsact Qdiscs")
        if q is None:
            return _create(k, dev, req, clid)
        if req.kind is not None and req.kind != q:
            create_excl = flags & R.NLM_F_CREATE and flags & R.NLM_F_EXCL
            create_repl = flags & R.NLM_F_CREATE and flags & R.NLM_F_REPLACE
            if create_excl or create_repl:
                return _create(k, dev, req, clid)
            if not flags & (R.NLM_F_CREATE | R.NLM_F_REPLACE | R.NLM_F_EXCL):
                return _create(k, dev, req, clid, check_create=False)
    return _change(dev, q, req)


def _lookup(dev: Netdev, handle: int) -> str | None:
    """qdisc_lookup(): only the ingress/clsact qdisc has a non-zero handle here."""
    if dev.ingress and handle == R.TC_H_INGRESS_HANDLE:
        return dev.ingress
    return None


def _change(dev: Netdev, q: str | None, req: R.QdiscRequest) -> R.QdiscInfo:
    if q is None:
        raise SyscallError(ENOENT, "not found", extack="Specified qdisc not found")
    if req.flags & R.NLM_F_EXCL:
        raise SyscallError(EEXIST, "excl", extack="Exclusivity flag on, cannot modify")
    if req.kind is not None and req.kind != q:
        raise SyscallError(EINVAL, "kind", extack="Invalid qdisc name: must match existing qdisc")
    return R.QdiscInfo(dev.ifindex, q, R.TC_H_INGRESS_HANDLE, R.TC_H_INGRESS)


def _create(k: Kernel, dev: Netdev, req: R.QdiscRequest, clid: int, check_create: bool = True) -> R.QdiscInfo:
    if check_create and not req.flags & R.NLM_F_CREATE:
        raise SyscallError(ENOENT, "create", extack="Qdisc not found. To create specify NLM_F_CREATE flag")
    kind = req.kind
    if kind not in INGRESS_KINDS:
        if kind in KNOWN_ROOT_KINDS:
            raise SyscallError(EOPNOTSUPP, f"qdisc {kind} is not simulated")
        raise SyscallError(ENOENT, "kind", extack="Specified qdisc kind is unknown")
    if clid != R.TC_H_INGRESS:
        raise SyscallError(EOPNOTSUPP, "ingress qdiscs only attach as ingress",
                           extack="Can only be attached as ingress qdisc")
    if dev.ingress:  # qdisc_graft replaces the old one: its filters go
        _flush_device(k, dev)
    dev.ingress = kind
    dev.save(k.tx)
    return R.QdiscInfo(dev.ifindex, kind, R.TC_H_INGRESS_HANDLE, R.TC_H_INGRESS)


def get_or_del_qdisc(k: Kernel, req: R.QdiscRequest) -> R.QdiscInfo | None:
    """__tc_get_qdisc(): RTM_GETQDISC of one qdisc, or RTM_DELQDISC."""
    dev = require(k, req.ifindex)
    clid = req.parent
    q: str | None
    handle = 0
    if clid:
        if clid != R.TC_H_ROOT:
            if R.tc_h_maj(clid) != R.tc_h_maj(R.TC_H_INGRESS):
                raise SyscallError(ENOENT, "no parent", extack="Failed to find qdisc with specified classid")
            if not dev.ingress_queue:
                q = None
            else:
                q = dev.ingress or "noop"
                handle = R.TC_H_INGRESS_HANDLE if dev.ingress else 0
        else:
            q = dev.qdisc
        if q is None:
            raise SyscallError(ENOENT, "none", extack="Cannot find specified qdisc on specified device")
        if req.handle and handle != req.handle:
            raise SyscallError(EINVAL, "handle", extack="Invalid handle")
    else:
        q = _lookup(dev, req.handle)
        handle = req.handle
        if q is None:
            raise SyscallError(ENOENT, "none", extack="Failed to find qdisc with specified handle")
    if req.kind is not None and req.kind != q:
        raise SyscallError(EINVAL, "kind", extack="Invalid qdisc name: must match existing qdisc")
    if req.type == R.RTM_DELQDISC:
        if not clid:
            raise SyscallError(EINVAL, "clid", extack="Classid cannot be zero")
        if handle == 0:
            raise SyscallError(ENOENT, "zero", extack="Cannot delete qdisc with handle of zero")
        _flush_device(k, dev)
        dev.ingress = ""
        for key in ("clsact_bytes", "clsact_packets", "clsact_drops"):
            dev.stats.pop(key, None)
        dev.save(k.tx)
        return None
    parent = R.TC_H_ROOT if clid == R.TC_H_ROOT else R.TC_H_INGRESS
    for info in qdisc_infos(dev):
        if info.kind == q and info.parent == parent:
            return info
    return R.QdiscInfo(dev.ifindex, q, handle, parent)


def dump_qdiscs(k: Kernel, req: R.QdiscRequest) -> list[R.QdiscInfo]:
    out: list[R.QdiscInfo] = []
    for dev in all_devices(k):
        if req.ifindex and dev.ifindex != req.ifindex:
            continue
        out.extend(qdisc_infos(dev))
    return out


# ================================================================================================
# filters
# ================================================================================================

class _Filter:
    __slots__ = ("id", "dev", "hook", "chain", "prio", "protocol", "handle", "kind", "prog", "name", "flags",
                 "gen_flags", "classid", "seq", "packets", "bytes")
    COLS = "id, dev, hook, chain, prio, protocol, handle, kind, prog, name, flags, gen_flags, classid, seq, packets, bytes"

    def __init__(self, row: tuple) -> None:
        for n, v in zip(self.__slots__, row, strict=True):
            setattr(self, n, v)


def filters_of(k: Kernel, dev_id: int, hook: str | None = None) -> list[_Filter]:
    """Filters of a device in run order: by chain, prio, then newest first."""
    if hook is None:
        rows = k.tx.q(f"SELECT {_Filter.COLS} FROM tc_filters WHERE dev = ? ORDER BY hook, chain, prio, seq DESC",
                      (dev_id,))
    else:
        rows = k.tx.q(f"SELECT {_Filter.COLS} FROM tc_filters WHERE dev = ? AND hook = ? "
                      "ORDER BY chain, prio, seq DESC", (dev_id, hook))
    return [_Filter(r) for r in rows]


def _block(dev: Netdev, parent: int) -> str:
    """__tcf_qdisc_find + __tcf_qdisc_cl_find + __tcf_block_find: the hook a parent names."""
    if not parent:
        if dev.qdisc == "mq":
            raise SyscallError(EOPNOTSUPP, "mq", extack="Class doesn't support blocks")
        raise SyscallError(EINVAL, "root", extack="Qdisc not classful")
    if R.tc_h_maj(parent) != R.TC_H_INGRESS_HANDLE or not dev.ingress:
        if R.tc_h_maj(parent) == 0 and dev.qdisc in ("noqueue", "noop"):
            raise SyscallError(EINVAL, "root", extack="Qdisc not classful")
        raise SyscallError(EINVAL, "no parent", extack="Parent Qdisc doesn't exists")
    mn = R.tc_h_min(parent)
    if dev.ingress == "ingress":
        return "ingress"
    if mn and mn not in (R.TC_H_MIN_INGRESS, R.TC_H_MIN_EGRESS):
        raise SyscallError(ENOENT, "class", extack="Specified class doesn't exist")
    if mn == R.TC_H_MIN_INGRESS:
        return "ingress"
    if mn == R.TC_H_MIN_EGRESS:
        return "egress"
    raise SyscallError(EINVAL, "clsact has no block at minor 0")


def _tp_find(k: Kernel, dev: Netdev, hook: str, chain: int, protocol: int, prio: int,
             prio_allocate: bool) -> tuple[int | None, int, int | None]:
    """tcf_chain_tp_find(): (protocol of the found instance or None, prio, first prio >= prio).

    Raises EINVAL where the kernel returns ERR_PTR(-EINVAL)."""
    rows = k.tx.q("SELECT DISTINCT prio, protocol FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? "
                  "ORDER BY prio", (dev.id, hook, chain))
    for p, proto in rows:
        if p >= prio:
            if p == prio:
                if prio_allocate:
                    raise SyscallError(ENOSPC, "auto prio taken",
                                       extack="Lowest ID from auto-alloc range already in use")
                if proto != protocol and protocol:
                    raise SyscallError(EINVAL, "protocol mismatch",
                                       extack="Protocol mismatch for filter with specified priority")
                return proto, p, p
            return None, prio, p
    return None, prio, None


def new_filter(k: Kernel, req: R.FilterRequest) -> R.FilterInfo:
    """tc_new_tfilter() + cls_bpf_change()."""
    flags = req.flags
    protocol = req.protocol & 0xFFFF
    prio = req.prio & 0xFFFF
    prio_allocate = False
    if prio == 0:
        if flags & R.NLM_F_CREATE:
            prio = AUTO_PRIO_BASE
            prio_allocate = True
        else:
            raise SyscallError(ENOENT, "prio 0", extack="Invalid filter command with priority of zero")
    dev = require(k, req.ifindex)
    hook = _block(dev, req.parent)
    chain = req.chain or 0
    if chain > TC_ACT_EXT_VAL_MASK:
        raise SyscallError(EINVAL, "chain", extack="Specified chain index exceeds upper limit")
    found_proto, prio, next_prio = _tp_find(k, dev, hook, chain, protocol, prio, prio_allocate)
    created = False
    if found_proto is None:
        if req.kind is None or not protocol:
            raise SyscallError(EINVAL, "kind/protocol", extack="Filter kind and protocol must be specified")
        if not flags & R.NLM_F_CREATE:
            raise SyscallError(ENOENT, "create",
                               extack="Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
        if prio_allocate:
            prio = (next_prio - 1) if next_prio is not None else AUTO_PRIO_FIRST
        if req.kind != "bpf":
            if req.kind in _CLASSIFIERS:
                raise SyscallError(EOPNOTSUPP, f"classifier {req.kind} is not simulated")
            raise SyscallError(ENOENT, f"no classifier {req.kind}", extack="TC classifier not found")
        created = True
        found_proto = protocol
    else:
        tp_kind = k.tx.val("SELECT kind FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? AND prio = ? "
                           "LIMIT 1", (dev.id, hook, chain, prio))
        if req.kind is not None and req.kind != tp_kind:
            raise SyscallError(EINVAL, "kind", extack="Specified filter kind does not match existing one")
    old = None
    if req.handle:
        row = k.tx.one(f"SELECT {_Filter.COLS} FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? AND "
                       "prio = ? AND handle = ?", (dev.id, hook, chain, prio, req.handle))
        old = _Filter(row) if row else None
    if old is None:
        if not flags & R.NLM_F_CREATE:
            raise SyscallError(ENOENT, "create",
                               extack="Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")
    elif flags & R.NLM_F_EXCL:
        raise SyscallError(EEXIST, "exists", extack="Filter already exists")
    _ = created
    return _cls_bpf_change(k, dev, hook, chain, prio, found_proto, req, old)


_CLASSIFIERS = ("bpf", "u32", "flower", "matchall", "basic", "fw", "route", "cgroup", "flow")


def _cls_bpf_change(k: Kernel, dev: Netdev, hook: str, chain: int, prio: int, protocol: int,
                    req: R.FilterRequest, old: _Filter | None) -> R.FilterInfo:
    o = req.bpf
    if o is None:
        raise SyscallError(EINVAL, "no TCA_OPTIONS")
    if o.flags & ~R.TCA_BPF_FLAG_ACT_DIRECT:
        raise SyscallError(EINVAL, "bpf flags")
    gen = o.gen_flags
    if gen & ~CLS_BPF_GEN_FLAGS or (gen & R.TCA_CLS_FLAGS_SKIP_HW and gen & R.TCA_CLS_FLAGS_SKIP_SW):
        raise SyscallError(EINVAL, "gen flags")
    skip_sw = bool(gen & R.TCA_CLS_FLAGS_SKIP_SW)
    prog = _get_cls_prog(k, o.fd, skip_sw)
    if old is not None and (old.gen_flags & (R.TCA_CLS_FLAGS_SKIP_HW | R.TCA_CLS_FLAGS_SKIP_SW)) != (
            gen & (R.TCA_CLS_FLAGS_SKIP_HW | R.TCA_CLS_FLAGS_SKIP_SW)):
        raise SyscallError(EINVAL, "skip flags differ from the filter replaced")
    in_hw = False
    if not gen & R.TCA_CLS_FLAGS_SKIP_HW:
        from . import offload

        ops = offload.offload_dev(dev)
        if ops is not None:
            try:
                in_hw = bool(ops.tc_setup(k, dev, prog, None, skip_sw))
            except SyscallError:
                if skip_sw:
                    raise
        elif skip_sw:
            raise SyscallError(EOPNOTSUPP, "device cannot offload tc filters")
        if skip_sw and not in_hw:
            raise SyscallError(EINVAL, "skip_sw filter not in hardware")
    gen |= R.TCA_CLS_FLAGS_IN_HW if in_hw else R.TCA_CLS_FLAGS_NOT_IN_HW
    if old is not None:
        k.tx.x("UPDATE tc_filters SET prog = ?, name = ?, flags = ?, gen_flags = ?, classid = ? WHERE id = ?",
               (prog.id, o.name or None, o.flags, gen, o.classid, old.id))
        k.ref_drop(TCF, old.id)
        k.ref_add(TCF, old.id, "", "prog", prog.id)
        fid, handle = old.id, old.handle
    else:
        handle = req.handle
        if not handle:
            used = {r[0] for r in k.tx.q("SELECT handle FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? "
                                         "AND prio = ?", (dev.id, hook, chain, prio))}
            handle = 1
            while handle in used:
                handle += 1
        seq = int(k.tx.val("SELECT coalesce(max(seq), 0) + 1 FROM tc_filters", (), 1))
        cur = k.tx.x("INSERT INTO tc_filters (dev, hook, chain, prio, protocol, handle, kind, prog, name, flags, "
                     "gen_flags, classid, seq) VALUES (?, ?, ?, ?, ?, ?, 'bpf', ?, ?, ?, ?, ?, ?)",
                     (dev.id, hook, chain, prio, protocol, handle, prog.id, o.name or None, o.flags, gen,
                      o.classid, seq))
        fid = int(cur.lastrowid)
        k.ref_add(TCF, fid, "", "prog", prog.id)
    row = k.tx.one(f"SELECT {_Filter.COLS} FROM tc_filters WHERE id = ?", (fid,))
    return _info(k, dev, _Filter(row), _parent_of(dev, hook))


def _get_cls_prog(k: Kernel, fd: int, attach_drv: bool) -> Prog:
    prog = k.prog_fd(fd)
    if prog.type != ProgType.SCHED_CLS:
        raise SyscallError(EINVAL, "not a sched_cls program")
    from .xdp import is_offloaded

    if is_offloaded(prog) and not attach_drv:
        raise SyscallError(EINVAL, "offloaded program without skip_sw")
    return prog


def _parent_of(dev: Netdev, hook: str) -> int:
    if dev.ingress == "ingress":
        return R.TC_H_INGRESS_HANDLE
    return R.TC_PARENT_INGRESS if hook == "ingress" else R.TC_PARENT_EGRESS


def _info(k: Kernel, dev: Netdev, f: _Filter | None, parent: int, tp: tuple[int, int, int] | None = None
          ) -> R.FilterInfo:
    if f is None:
        assert tp is not None
        chain, prio, proto = tp
        return R.FilterInfo(dev.ifindex, parent, prio, proto, "bpf", chain)
    prog = k.prog(f.prog)
    bi = R.BpfFilterInfo(name=f.name or "", flags=f.flags, gen_flags=f.gen_flags, prog_id=f.prog,
                         prog_tag=prog.tag if prog else bytes(8), classid=f.classid,
                         prog_name=prog.name if prog else "", jited=True,
                         in_hw_count=1 if f.gen_flags & R.TCA_CLS_FLAGS_IN_HW else 0)
    return R.FilterInfo(dev.ifindex, parent, f.prio, f.protocol, f.kind, f.chain, f.handle, bi,
                        packets=f.packets, bytes=f.bytes)


def del_filter(k: Kernel, req: R.FilterRequest) -> None:
    """tc_del_tfilter()."""
    protocol = req.protocol & 0xFFFF
    prio = req.prio & 0xFFFF
    if prio == 0 and (protocol or req.handle or req.kind is not None):
        raise SyscallError(ENOENT, "flush with selectors",
                           extack="Cannot flush filters with protocol, handle or kind set")
    dev = require(k, req.ifindex)
    hook = _block(dev, req.parent)
    chain = req.chain or 0
    if chain > TC_ACT_EXT_VAL_MASK:
        raise SyscallError(EINVAL, "chain", extack="Specified chain index exceeds upper limit")
    has_chain = k.tx.one("SELECT 1 FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? LIMIT 1",
                         (dev.id, hook, chain))
    if not has_chain:  # a chain lives while filters hold it
        if prio == 0:
            return
        raise SyscallError(ENOENT, "chain", extack="Cannot find specified filter chain")
    if prio == 0:
        _delete_where(k, "dev = ? AND hook = ? AND chain = ?", (dev.id, hook, chain))
        return
    found_proto, _p, _n = _tp_find(k, dev, hook, chain, protocol, prio, False)
    if found_proto is None:
        raise SyscallError(ENOENT, "tp", extack="Filter with specified priority/protocol not found")
    if req.kind is not None and req.kind != "bpf":
        raise SyscallError(EINVAL, "kind", extack="Specified filter kind does not match existing one")
    if not req.handle:
        _delete_where(k, "dev = ? AND hook = ? AND chain = ? AND prio = ?", (dev.id, hook, chain, prio))
        return
    row = k.tx.one("SELECT id FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? AND prio = ? AND handle = ?",
                   (dev.id, hook, chain, prio, req.handle))
    if row is None:
        raise SyscallError(ENOENT, "handle", extack="Specified filter handle not found")
    _delete_where(k, "id = ?", (row[0],))


def _delete_where(k: Kernel, cond: str, args: tuple) -> None:
    for (fid,) in k.tx.q(f"SELECT id FROM tc_filters WHERE {cond}", args):
        k.ref_drop(TCF, fid)
    k.tx.x(f"DELETE FROM tc_filters WHERE {cond}", args)


def _flush_device(k: Kernel, dev: Netdev) -> None:
    _delete_where(k, "dev = ?", (dev.id,))


def get_filter(k: Kernel, req: R.FilterRequest) -> R.FilterInfo:
    """tc_get_tfilter(): one filter."""
    prio = req.prio & 0xFFFF
    if prio == 0:
        raise SyscallError(ENOENT, "prio 0", extack="Invalid filter command with priority of zero")
    dev = require(k, req.ifindex)
    hook = _block(dev, req.parent)
    chain = req.chain or 0
    if chain > TC_ACT_EXT_VAL_MASK:
        raise SyscallError(EINVAL, "chain", extack="Specified chain index exceeds upper limit")
    if not k.tx.one("SELECT 1 FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? LIMIT 1", (dev.id, hook, chain)):
        raise SyscallError(EINVAL, "chain", extack="Cannot find specified filter chain")
    found_proto, _p, _n = _tp_find(k, dev, hook, chain, req.protocol & 0xFFFF, prio, False)
    if found_proto is None:
        raise SyscallError(ENOENT, "tp", extack="Filter with specified priority/protocol not found")
    if req.kind is not None and req.kind != "bpf":
        raise SyscallError(EINVAL, "kind", extack="Specified filter kind does not match existing one")
    row = k.tx.one(f"SELECT {_Filter.COLS} FROM tc_filters WHERE dev = ? AND hook = ? AND chain = ? AND prio = ? "
                   "AND handle = ?", (dev.id, hook, chain, prio, req.handle))
    if row is None:
        raise SyscallError(ENOENT, "handle", extack="Specified filter handle not found")
    return _info(k, dev, _Filter(row), _parent_of(dev, hook))


def dump_filters(k: Kernel, req: R.FilterRequest) -> list[R.FilterInfo]:
    """tc_dump_tfilter(): per classifier instance, its header then its filters."""
    dev = require(k, req.ifindex)
    try:
        hook = _block(dev, req.parent)
    except SyscallError:
        return []  # a dump of a missing qdisc or block is empty
    parent = req.parent or _parent_of(dev, hook)
    out: list[R.FilterInfo] = []
    last: tuple[int, int] | None = None
    for f in filters_of(k, dev.id, hook):
        if req.chain is not None and f.chain != req.chain:
            continue
        if (f.chain, f.prio) != last:
            out.append(_info(k, dev, None, parent, (f.chain, f.prio, f.protocol)))
            last = (f.chain, f.prio)
        out.append(_info(k, dev, f, parent))
    return out


def unregister(k: Kernel, dev: Netdev) -> None:
    """The qdiscs go with the device, and their filters with them."""
    _flush_device(k, dev)
