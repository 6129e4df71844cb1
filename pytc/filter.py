"""``tc filter``: add, change, replace, delete, get and show classifiers, with the ``bpf``
classifier's options (tc 6.1's tc_filter.c and f_bpf.c).

``bpf {obj|object-file} F [section S] [program P] [export UDS] [verbose]`` loads the
object through pyip.bpf (every program as sched_cls, default section ``classifier``);
``bpf {object-pinned|pinned|fd} P`` takes a pinned program. ``da|direct-action``,
``skip_hw``, ``skip_sw`` (the program is then loaded for the device, as an offload) and
``classid|flowid`` follow. Classic BPF (``bytecode``, ``bytecode-file``) parses but the
simulated kernel has no classic BPF: it answers EOPNOTSUPP.

Return values: 0; 1 (missing device, "Unable to load program", an option parser's
failure); 2 (the kernel said no, with tc's "We have an error talking to the kernel");
-1 (255: parse errors).
"""

from __future__ import annotations

from pyip import bpf, rtnl
from pyip import json_print as J
from pyip.utils import Args, Exit, duparg, err, get_u32, invarg, matches, nodev
from pykernel.uapi import rtnl as R
from pykernel.uapi.consts import ProgType

from .options import opts
from .tc_util import get_tc_classid, ll_proto_a2n, ll_proto_n2a, print_tc_classid
from .usage import BPF_USAGE, FILTER_USAGE

#: classifiers iproute2 has a parser for; the simulated kernel implements ``bpf``
KNOWN_KINDS = ("basic", "bpf", "cgroup", "flow", "flower", "fw", "matchall", "route", "rsvp",
               "rsvp6", "tcindex", "u32")




class Show:
    """print_filter()'s filter_* globals: what the listing asked for is not repeated."""

    ifindex = 0
    parent = 0
    prio = 0
    protocol = 0
    chain_set = False
    chain = 0


def usage() -> None:
    err(FILTER_USAGE)


def explain() -> None:
    err(BPF_USAGE)


class BpfOpts:
    """What bpf_parse_opt() put in TCA_OPTIONS."""

    def __init__(self) -> None:
        self.cfg: bpf.BpfCfg | None = None
        self.flags = 0
        self.gen_flags = 0
        self.classid: int | None = None
        self.cbpf = False


def bpf_parse_opt(handle_word: str | None, args: Args, ifindex: int) -> tuple[int, int, BpfOpts | None]:
    """bpf_parse_opt(): (status, handle, options). The program is loaded here."""
    handle = 0
    if handle_word is not None:
        h = get_u32(handle_word, 0)
        if h is None:
            err('Illegal "handle"\n')
            return -1, 0, None
        handle = h
    if args.argc == 0:
        return 0, handle, None
    o = BpfOpts()
    cfg = bpf.BpfCfg(type=ProgType.SCHED_CLS, cbpf=True)
    seen_run = False
    skip_sw = False
    while args.argc > 0:
        a = args.cur
        run = False
        if matches(a, "run"):
            v = args.next_arg()
            if seen_run:
                duparg("run", v)
            run = True
        elif matches(a, "classid") or matches(a, "flowid"):
            v = args.next_arg()
            c = get_tc_classid(v)
            if c is None:
                err('Illegal "classid"\n')
                return -1, handle, None
            o.classid = c
        elif matches(a, "direct-action") or matches(a, "da"):
            o.flags |= R.TCA_BPF_FLAG_ACT_DIRECT
        elif matches(a, "skip_hw"):
            o.gen_flags |= R.TCA_CLS_FLAGS_SKIP_HW
        elif matches(a, "skip_sw"):
            o.gen_flags |= R.TCA_CLS_FLAGS_SKIP_SW
            skip_sw = True
        elif matches(a, "action") or matches(a, "police"):
            what = "action" if matches(a, "action") else "police"
            args.next_arg()
            err(f'Illegal "{what}"\n')
            return -1, handle, None
        elif matches(a, "help"):
            explain()
            return -1, handle, None
        elif not seen_run:
            run = True
        else:
            err(f'What is "{a}"?\n')
            explain()
            return -1, handle, None
        if run:
            seen_run = True
            try:
                bpf.parse(cfg, args)
            except bpf.LoadFailed:
                err("Unable to parse bpf command line\n")
                return -1, handle, None
            o.cfg = cfg
        args.fwd()

    if cfg.mode in (bpf.CBPF_BYTECODE, bpf.CBPF_FILE) or cfg.mode < 0:
        o.cbpf = cfg.mode >= 0
        o.cfg = cfg if cfg.mode >= 0 else None
        return 0, handle, o
    if skip_sw:
        cfg.ifindex = ifindex
    try:
        bpf.load(cfg)
    except bpf.LoadFailed:
        err("Unable to load program\n")
        return -1, handle, None
    return 0, handle, o


def tc_filter_modify(args: Args, msg_type: int, flags: int) -> int:
    dev: str | None = None
    parent = 0
    prio = 0
    protocol = 0
    protocol_set = False
    chain: int | None = None
    fhandle: str | None = None
    kind: str | None = None
    if msg_type == R.RTM_NEWTFILTER and flags & R.NLM_F_CREATE:
        protocol = R.ETH_P_ALL

    while args.argc > 0:
        a = args.cur
        if a == "dev":
            v = args.next_arg()
            if dev:
                duparg("dev", v)
            dev = v
        elif matches(a, "block"):
            v = args.next_arg()
            if dev:
                err('Error: "dev" and "block" are mutually exlusive\n')
                return -1
            if not get_u32(v, 0):
                invarg("invalid block index value", v)
            err("RTNETLINK answers: Operation not supported\nWe have an error talking to the kernel\n")
            return 2
        elif a in ("root", "ingress", "egress"):
            if parent:
                err(f'Error: "{a}" is duplicate parent ID\n')
                return -1
            parent = {"root": R.TC_H_ROOT, "ingress": R.TC_PARENT_INGRESS,
                      "egress": R.TC_PARENT_EGRESS}[a]
        elif a == "parent":
            v = args.next_arg()
            if parent:
                duparg("parent", v)
            p = get_tc_classid(v)
            if p is None:
                invarg("Invalid parent ID", v)
            parent = p  # type: ignore[assignment]
        elif a == "handle":
            v = args.next_arg()
            if fhandle is not None:
                duparg("handle", v)
            fhandle = v
        elif matches(a, "preference") or matches(a, "priority"):
            v = args.next_arg()
            if prio:
                duparg("priority", v)
            p = get_u32(v, 0)
            if p is None or p > 0xFFFF:
                invarg("invalid priority value", v)
            prio = p  # type: ignore[assignment]
        elif matches(a, "protocol"):
            v = args.next_arg()
            if protocol_set:
                duparg("protocol", v)
            pr = ll_proto_a2n(v)
            if pr is None:
                invarg("invalid protocol", v)
            protocol = pr  # type: ignore[assignment]
            protocol_set = True
        elif matches(a, "chain"):
            v = args.next_arg()
            if chain is not None:
                duparg("chain", v)
            c = get_u32(v, 0)
            if c is None:
                invarg("invalid chain index value", v)
            chain = c
        elif matches(a, "estimator"):
            args.next_arg()
            args.next_arg()
        elif matches(a, "help"):
            usage()
        else:
            kind = a
            args.fwd()
            break
        args.fwd()

    ifindex = 0
    if dev:
        ifindex = rtnl.ifindex_of(dev)
        if not ifindex:
            return -nodev(dev)

    handle = 0
    bpf_opts: BpfOpts | None = None
    if kind == "bpf":
        st, handle, bpf_opts = bpf_parse_opt(fhandle, args, ifindex)
        if st:
            return 1
    elif kind is not None:
        if args.argc:
            err(f'Unknown filter "{kind}", hence option "{args.cur}" is unparsable\n')
            return 1
        if fhandle is not None:
            h = get_u32(fhandle, 16)
            if h is None:
                err(f'Unparsable filter ID "{fhandle}"\n')
                return 1
            handle = h
    else:
        if fhandle is not None:
            err('Must specify filter type when using "handle"\n')
            return -1
        if args.argc:
            if matches(args.cur, "help"):
                usage()
            err(f'Garbage instead of arguments "{args.cur} ...". Try "tc filter help".\n')
            return -1

    req = R.FilterRequest(type=msg_type, flags=R.NLM_F_REQUEST | R.NLM_F_ACK | flags,
                          ifindex=ifindex, parent=parent, prio=prio, protocol=protocol,
                          handle=handle, kind=kind, chain=chain)
    if bpf_opts is not None:
        if bpf_opts.cbpf:
            err("RTNETLINK answers: Operation not supported\nWe have an error talking to the kernel\n")
            return 2
        cfg = bpf_opts.cfg
        if cfg is not None:
            # without a program (``bpf da``) tc sends an empty classic-BPF program, which
            # cls_bpf refuses like a missing one: no TCA_BPF_FD, no options
            req.bpf = R.BpfFilterRequest(fd=cfg.prog_fd, name=cfg.annotation,
                                         flags=bpf_opts.flags, gen_flags=bpf_opts.gen_flags,
                                         classid=bpf_opts.classid)
    try:
        rtnl.talk(req)
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        err("We have an error talking to the kernel\n")
        return 2
    return 0


# ------------------------------------------------------------------------------ printing
def print_filter(f: R.FilterInfo, show: Show) -> None:
    J.open_json_object(None)
    J.print_string(J.FP, None, "filter ", None)
    if not show.ifindex or show.ifindex != f.ifindex:
        J.print_string(J.FP, None, "dev ", None)
        J.print_color_string(J.ANY, J.IFNAME, "dev", "%s ", rtnl.index_to_name(f.ifindex))
    if not show.parent or show.parent != f.parent:
        if f.parent == R.TC_H_ROOT:
            J.print_bool(J.ANY, "root", "root ", True)
        elif f.parent == R.TC_PARENT_INGRESS:
            J.print_bool(J.ANY, "ingress", "ingress ", True)
        elif f.parent == R.TC_PARENT_EGRESS:
            J.print_bool(J.ANY, "egress", "egress ", True)
        else:
            J.print_string(J.ANY, "parent", "parent %s ", print_tc_classid(f.parent))
    if f.prio or f.protocol:
        if not show.protocol or show.protocol != f.protocol:
            if f.protocol:
                J.print_string(J.ANY, "protocol", "protocol %s ", ll_proto_n2a(f.protocol, opts.numeric))
        if not show.prio or show.prio != f.prio:
            if f.prio:
                J.print_uint(J.ANY, "pref", "pref %d ", f.prio)
    J.print_string(J.ANY, "kind", "%s ", f.kind)
    if f.chain is not None and (not show.chain_set or show.chain != f.chain):
        J.print_uint(J.ANY, "chain", "chain %d ", f.chain)
    if f.bpf is not None:
        J.open_json_object("options")
        bpf_print_opt(f.bpf, f.handle)
        J.close_json_object()
    J.print_nl()
    J.close_json_object()


def bpf_print_opt(b: R.BpfFilterInfo, handle: int) -> None:
    if handle:
        J.print_string(J.ANY, "handle", "handle %s ", f"{handle:#x}")
    if b.classid is not None:
        J.print_string(J.ANY, "flowid", "flowid %s ", print_tc_classid(b.classid))
    if b.name:
        J.print_string(J.ANY, "bpf_name", "%s ", b.name)
    if b.flags & R.TCA_BPF_FLAG_ACT_DIRECT:
        J.print_bool(J.ANY, "direct-action", "direct-action ", True)
    g = b.gen_flags
    if g & R.TCA_CLS_FLAGS_SKIP_HW:
        J.print_bool(J.ANY, "skip_hw", "skip_hw ", True)
    if g & R.TCA_CLS_FLAGS_SKIP_SW:
        J.print_bool(J.ANY, "skip_sw", "skip_sw ", True)
    if g & R.TCA_CLS_FLAGS_IN_HW:
        J.print_bool(J.ANY, "in_hw", "in_hw ", True)
        J.print_uint(J.ANY, "in_hw_count", "in_hw_count %d ", b.in_hw_count)
    elif g & R.TCA_CLS_FLAGS_NOT_IN_HW:
        J.print_bool(J.ANY, "not_in_hw", "not_in_hw ", True)
    ok = False
    if b.prog_id:
        ok = bpf.dump_prog_info(b.prog_id, bool(opts.details))
    if not ok and b.prog_tag:
        J.print_string(J.ANY, "tag", "tag %s ", bytes(b.prog_tag).hex())


def _parse_show_args(args: Args, show: Show) -> tuple[int, str | None]:
    dev: str | None = None
    while args.argc > 0:
        a = args.cur
        if a == "dev":
            v = args.next_arg()
            if dev:
                duparg("dev", v)
            dev = v
        elif matches(a, "block"):
            v = args.next_arg()
            if not get_u32(v, 0):
                invarg("invalid block index value", v)
            return 0, None  # no shared blocks here: nothing to list
        elif a in ("root", "ingress", "egress"):
            if show.parent:
                err(f'Error: "{a}" is duplicate parent ID\n')
                return -1, None
            show.parent = {"root": R.TC_H_ROOT, "ingress": R.TC_PARENT_INGRESS,
                           "egress": R.TC_PARENT_EGRESS}[a]
        elif a == "parent":
            v = args.next_arg()
            if show.parent:
                duparg("parent", v)
            p = get_tc_classid(v)
            if p is None:
                invarg("invalid parent ID", v)
            show.parent = p  # type: ignore[assignment]
        elif a == "handle":
            args.next_arg()
        elif matches(a, "preference") or matches(a, "priority"):
            v = args.next_arg()
            if show.prio:
                duparg("priority", v)
            p = get_u32(v, 0)
            if p is None or p > 0xFFFF:
                invarg("invalid preference", v)
            show.prio = p  # type: ignore[assignment]
        elif matches(a, "protocol"):
            v = args.next_arg()
            if show.protocol:
                duparg("protocol", v)
            pr = ll_proto_a2n(v)
            if pr is None:
                invarg("invalid protocol", v)
            show.protocol = pr  # type: ignore[assignment]
        elif matches(a, "chain"):
            v = args.next_arg()
            if show.chain_set:
                duparg("chain", v)
            c = get_u32(v, 0)
            if c is None:
                invarg("invalid chain index value", v)
            show.chain_set, show.chain = True, c  # type: ignore[assignment]
        elif matches(a, "help"):
            usage()
        else:
            err(f' What is "{a}"? Try "tc filter help"\n')
            return -1, None
        args.fwd()
    return 1, dev


def tc_filter_list(args: Args) -> int:
    show = Show()
    st, dev = _parse_show_args(args, show)
    if st <= 0:
        if st == 0:
            J.new_json_obj()
            J.delete_json_obj()
        return st
    if dev:
        show.ifindex = rtnl.ifindex_of(dev)
        if not show.ifindex:
            return -nodev(dev)
    req = R.FilterRequest(type=R.RTM_GETTFILTER, flags=R.NLM_F_REQUEST | R.NLM_F_DUMP,
                          ifindex=show.ifindex, parent=show.parent, prio=show.prio,
                          protocol=show.protocol, chain=show.chain if show.chain_set else None)
    try:
        filters = rtnl.dump(req)
    except rtnl.NetlinkError:
        filters = []
    J.new_json_obj()
    for f in filters:
        if show.chain_set and f.chain != show.chain:
            continue
        print_filter(f, show)
    J.delete_json_obj()
    return 0


def tc_filter_get(args: Args) -> int:
    dev: str | None = None
    parent = prio = protocol = 0
    chain: int | None = None
    fhandle: str | None = None
    kind: str | None = None
    while args.argc > 0:
        a = args.cur
        if a == "dev":
            v = args.next_arg()
            if dev:
                duparg("dev", v)
            dev = v
        elif a in ("root", "ingress", "egress"):
            if parent:
                err(f'Error: "{a}" is duplicate parent ID\n')
                return -1
            parent = {"root": R.TC_H_ROOT, "ingress": R.TC_PARENT_INGRESS,
                      "egress": R.TC_PARENT_EGRESS}[a]
        elif a == "parent":
            v = args.next_arg()
            if parent:
                duparg("parent", v)
            p = get_tc_classid(v)
            if p is None:
                invarg("Invalid parent ID", v)
            parent = p  # type: ignore[assignment]
        elif a == "handle":
            v = args.next_arg()
            if fhandle is not None:
                duparg("handle", v)
            fhandle = v
        elif matches(a, "preference") or matches(a, "priority"):
            v = args.next_arg()
            if prio:
                duparg("priority", v)
            p = get_u32(v, 0)
            if p is None or p > 0xFFFF:
                invarg("invalid priority value", v)
            prio = p  # type: ignore[assignment]
        elif matches(a, "protocol"):
            v = args.next_arg()
            if protocol:
                duparg("protocol", v)
            pr = ll_proto_a2n(v)
            if pr is None:
                invarg("invalid protocol", v)
            protocol = pr  # type: ignore[assignment]
        elif matches(a, "chain"):
            v = args.next_arg()
            if chain is not None:
                duparg("chain", v)
            c = get_u32(v, 0)
            if c is None:
                invarg("invalid chain index value", v)
            chain = c
        elif matches(a, "help"):
            usage()
        else:
            kind = a
            args.fwd()
            break
        args.fwd()

    if not protocol:
        err("Must specify filter protocol\n")
        return -1
    if not prio:
        err("Must specify filter priority\n")
        return -1
    if parent == 0:
        err("Must specify filter parent\n")
        return -1
    if kind is None:
        err("Must specify filter type\n")
        return -1
    ifindex = 0
    if dev:
        ifindex = rtnl.ifindex_of(dev)
        if not ifindex:
            return -nodev(dev)
    handle = 0
    if kind == "bpf":
        if fhandle is not None:
            h = get_u32(fhandle, 0)
            if h is None:
                err('Illegal "handle"\n')
                return -1
            handle = h
        if args.argc:
            err(f'What is "{args.cur}"?\n')
            explain()
            return -1
    elif args.argc:
        err(f'Unknown filter "{kind}", hence option "{args.cur}" is unparsable\n')
        return -1
    if fhandle is None:
        err('Must specify filter "handle"\n')
        return -1
    req = R.FilterRequest(type=R.RTM_GETTFILTER, ifindex=ifindex, parent=parent, prio=prio,
                          protocol=protocol, handle=handle, kind=kind, chain=chain)
    try:
        f = rtnl.talk(req)
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        err("We have an error talking to the kernel\n")
        return 2
    show = Show()
    show.ifindex = ifindex
    J.new_json_obj()
    if f is not None:
        print_filter(f, show)
    J.delete_json_obj()
    return 0


def do_filter(args: Args) -> int:
    if args.argc < 1:
        return tc_filter_list(args)
    a = args.cur
    rest = Args(args.vec, args.i + 1)
    if matches(a, "add"):
        return tc_filter_modify(rest, R.RTM_NEWTFILTER, R.NLM_F_EXCL | R.NLM_F_CREATE)
    if matches(a, "change"):
        return tc_filter_modify(rest, R.RTM_NEWTFILTER, 0)
    if matches(a, "replace"):
        return tc_filter_modify(rest, R.RTM_NEWTFILTER, R.NLM_F_CREATE)
    if matches(a, "delete"):
        return tc_filter_modify(rest, R.RTM_DELTFILTER, 0)
    if matches(a, "get"):
        return tc_filter_get(rest)
    if matches(a, "list") or matches(a, "show") or matches(a, "lst"):
        return tc_filter_list(rest)
    if matches(a, "help"):
        usage()
        return 0
    err(f'Command "{a}" is unknown, try "tc filter help".\n')
    return -1


main = do_filter
__all__ = ["do_filter", "Exit"]
