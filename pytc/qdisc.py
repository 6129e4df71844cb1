"""``tc qdisc``: add, change, replace, delete and show qdiscs (tc 6.1's tc_qdisc.c).

The simulated kernel has the qdiscs eBPF needs: the ``clsact`` and ``ingress`` hooks a
device gets on demand, and the root qdisc it gets when it comes up (``noqueue`` for
virtual devices). Other kinds are passed to the kernel, which refuses what it does not
have, as a kernel without that scheduler module would.

Return values are tc's: 0, 1 (a missing device, an option parser's failure), 2 (the
kernel said no: ``Error: <extack>.`` or ``RTNETLINK answers: ...``), -1 (255: parse
errors).
"""

from __future__ import annotations

from pyip import json_print as J
from pyip import rtnl
from pyip.utils import Args, duparg, err, get_u32, invarg, matches, nodev
from pykernel.uapi import rtnl as R

from .options import opts
from .tc_util import get_qdisc_handle, get_tc_classid, print_tc_classid, sprint_size
from .usage import CLSACT_USAGE, INGRESS_USAGE, QDISC_USAGE


def usage() -> None:
    """tc's qdisc usage(): on stderr, and the caller carries on."""
    err(QDISC_USAGE)


def _parse_kind_opts(kind: str, args: Args) -> int:
    """The qdisc kind's own option parser (parse_qopt); non-zero after printing."""
    if kind == "clsact":
        if args.argc > 0:
            err(f'What is "{args.cur}"?\n{CLSACT_USAGE}')
            return -1
        return 0
    if kind == "ingress":
        while args.argc > 0:
            if args.cur == "handle":
                args.next_arg()
                args.fwd()
            else:
                err(f'What is "{args.cur}"?\n{INGRESS_USAGE}')
                return -1
        return 0
    if args.argc > 0:
        err(f'Unknown qdisc "{kind}", hence option "{args.cur}" is unparsable\n')
        return -1
    return 0


def tc_qdisc_modify(args: Args, msg_type: int, flags: int) -> int:
    dev: str | None = None
    kind: str | None = None
    handle = 0
    parent = 0
    while args.argc > 0:
        a = args.cur
        if a == "dev":
            v = args.next_arg()
            if dev:
                duparg("dev", v)
            dev = v
        elif a == "handle":
            if handle:
                duparg("handle", a)
            v = args.next_arg()
            h = get_qdisc_handle(v)
            if h is None:
                invarg("invalid qdisc ID", v)
            handle = h  # type: ignore[assignment]
        elif a == "root":
            if parent:
                err('Error: "root" is duplicate parent ID\n')
                return -1
            parent = R.TC_H_ROOT
        elif a in ("clsact", "ingress"):
            if parent:
                err(f'Error: "{a}" is a duplicate parent ID\n')
                return -1
            parent = R.TC_H_INGRESS
            kind = a
            handle = R.TC_H_INGRESS_HANDLE
            args.fwd()
            break
        elif a == "parent":
            v = args.next_arg()
            if parent:
                duparg("parent", v)
            p = get_tc_classid(v)
            if p is None:
                invarg("invalid parent ID", v)
            parent = p  # type: ignore[assignment]
        elif matches(a, "estimator"):
            args.next_arg()
            args.next_arg()
        elif matches(a, "stab"):
            err("RTNETLINK answers: Operation not supported\n")
            return 2
        elif matches(a, "ingress_block") or matches(a, "egress_block"):
            v = args.next_arg()
            n = get_u32(v, 0)
            what = "ingress" if matches(a, "ingress_block") else "egress"
            if not n:
                invarg(f"invalid {what} block index value", v)
            err("RTNETLINK answers: Operation not supported\n")
            return 2
        elif matches(a, "help"):
            usage()
        else:
            kind = a
            args.fwd()
            break
        args.fwd()

    if kind is not None:
        if _parse_kind_opts(kind, args):
            return 1
    elif args.argc:
        if matches(args.cur, "help"):
            usage()
        err(f'Garbage instead of arguments "{args.cur} ...". Try "tc qdisc help".\n')
        return -1

    ifindex = 0
    if dev:
        ifindex = rtnl.ifindex_of(dev)
        if not ifindex:
            return -nodev(dev)
    req = R.QdiscRequest(type=msg_type, flags=R.NLM_F_REQUEST | R.NLM_F_ACK | flags,
                         ifindex=ifindex, handle=handle, parent=parent, kind=kind)
    try:
        rtnl.talk(req)
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        return 2
    return 0


def print_qdisc(q: R.QdiscInfo, filter_ifindex: int) -> None:
    J.open_json_object(None)
    J.print_string(J.ANY, "kind", "qdisc %s", q.kind)
    J.print_string(J.ANY, "handle", " %s", f"{q.handle >> 16:x}:")
    if opts.raw:
        J.print_string(J.FP, None, "%s", f"[{q.handle:08x}]")
    J.print_string(J.FP, None, " ", None)
    if filter_ifindex == 0:
        J.print_string(J.FP, None, "dev ", None)
        J.print_color_string(J.ANY, J.IFNAME, "dev", "%s ", rtnl.index_to_name(q.ifindex))
    if q.parent == R.TC_H_ROOT:
        J.print_bool(J.ANY, "root", "root ", True)
    elif q.parent:
        J.print_string(J.ANY, "parent", "parent %s ", print_tc_classid(q.parent))
    if q.refcnt != 1:
        J.print_uint(J.ANY, "refcnt", "refcnt %d ", q.refcnt)
    if q.ingress_block:
        J.print_uint(J.ANY, "ingress_block", "ingress_block %d ", q.ingress_block)
    if q.egress_block:
        J.print_uint(J.ANY, "egress_block", "egress_block %d ", q.egress_block)
    J.open_json_object("options")
    if q.kind == "ingress":
        J.print_string(J.FP, None, "---------------- ", None)
    elif q.kind in ("pfifo_fast", "prio"):
        _print_prio_opt(getattr(q, "options", None) or {})
    J.close_json_object()
    J.print_nl()
    if opts.stats:
        print_stats(q.bytes, q.packets, q.drops, q.overlimits, q.requeues, q.backlog, q.qlen)
        J.print_nl()
    J.close_json_object()


def _print_prio_opt(o: dict) -> None:
    """prio_print_opt() (pfifo_fast uses prio's): ``bands N priomap P0 P1 ...``."""
    if "bands" not in o:
        return
    J.print_uint(J.ANY, "bands", "bands %d ", int(o["bands"]))  # type: ignore[arg-type]
    J.open_json_array(J.ANY, "priomap")
    for p in o.get("priomap", []):  # type: ignore[union-attr]
        J.print_uint(J.ANY, None, " %d", int(p))
    J.close_json_array(J.ANY, "")
    mq = o.get("multiqueue")
    if mq is not None:
        J.print_string(J.FP, None, " multiqueue: %s ", "on" if mq else "off")
    J.print_bool(J.JSON, "multiqueue", None, bool(mq))


def print_stats(nbytes: int, packets: int, drops: int, overlimits: int, requeues: int,
                backlog: int, qlen: int) -> None:
    """print_tcstats2_attr() with the basic and queue counters, prefix " "."""
    J.print_string(J.FP, None, "%s", " ")
    J.print_uint(J.ANY, "bytes", "Sent %d bytes", nbytes)
    J.print_uint(J.ANY, "packets", " %d pkt", packets)
    J.print_uint(J.ANY, "drops", " (dropped %d", drops)
    J.print_uint(J.ANY, "overlimits", ", overlimits %d", overlimits)
    J.print_uint(J.ANY, "requeues", " requeues %d) ", requeues)
    J.print_nl()
    J.print_string(J.FP, None, "%s", " ")
    if J.is_json_context():
        J.print_uint(J.JSON, "backlog", None, backlog)
    else:
        J.print_string(J.FP, None, "backlog %s", sprint_size(backlog))
    J.print_uint(J.ANY, "qlen", " %dp", qlen)
    J.print_uint(J.FP, None, " requeues %d", requeues)


def tc_qdisc_list(args: Args) -> int:
    dev: str | None = None
    parent = 0
    handle = 0
    while args.argc > 0:
        a = args.cur
        if a == "dev":
            dev = args.next_arg()
        elif a in ("ingress", "clsact", "root"):
            if parent:
                invarg("parent is already specified", a)
            parent = R.TC_H_ROOT if a == "root" else R.TC_H_INGRESS
        elif a == "parent":
            if parent:
                invarg("parent is already specified", a)
            v = args.next_arg()
            p = get_tc_classid(v)
            if p is None:
                invarg("invalid parent ID", v)
            parent = p  # type: ignore[assignment]
        elif a == "handle":
            if handle:
                invarg("handle is already specified", a)
            v = args.next_arg()
            h = get_qdisc_handle(v)
            if h is None:
                invarg("invalid qdisc ID", v)
            handle = h  # type: ignore[assignment]
        elif matches(a, "help"):
            usage()
        elif a == "invisible":
            pass
        else:
            err(f'What is "{a}"? Try "tc qdisc help".\n')
            return -1
        args.fwd()

    ifindex = 0
    if dev:
        ifindex = rtnl.ifindex_of(dev)
        if not ifindex:
            return -nodev(dev)
    try:
        qdiscs = rtnl.dump(R.QdiscRequest(type=R.RTM_GETQDISC, flags=R.NLM_F_REQUEST | R.NLM_F_DUMP,
                                          ifindex=ifindex))
        if ifindex == 0 and qdiscs:
            rtnl.links()
    except rtnl.NetlinkError:
        err("Dump terminated\n")
        return 1
    J.new_json_obj()
    for q in qdiscs:
        if ifindex and q.ifindex != ifindex:
            continue
        if parent and q.parent != parent:
            continue
        if handle and q.handle != handle:
            continue
        print_qdisc(q, ifindex)
    J.delete_json_obj()
    return 0


def do_qdisc(args: Args) -> int:
    if args.argc < 1:
        return tc_qdisc_list(args)
    a = args.cur
    rest = Args(args.vec, args.i + 1)
    if matches(a, "add"):
        return tc_qdisc_modify(rest, R.RTM_NEWQDISC, R.NLM_F_EXCL | R.NLM_F_CREATE)
    if matches(a, "change"):
        return tc_qdisc_modify(rest, R.RTM_NEWQDISC, 0)
    if matches(a, "replace"):
        return tc_qdisc_modify(rest, R.RTM_NEWQDISC, R.NLM_F_CREATE | R.NLM_F_REPLACE)
    if matches(a, "link"):
        return tc_qdisc_modify(rest, R.RTM_NEWQDISC, R.NLM_F_REPLACE)
    if matches(a, "delete"):
        return tc_qdisc_modify(rest, R.RTM_DELQDISC, 0)
    if matches(a, "list") or matches(a, "show") or matches(a, "lst"):
        return tc_qdisc_list(rest)
    if matches(a, "help"):
        usage()
        return 0
    err(f'Command "{a}" is unknown, try "tc qdisc help".\n')
    return -1


main = do_qdisc
