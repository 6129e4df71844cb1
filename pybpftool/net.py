"""``pybpftool net``: XDP and tc attachments of the network devices - bpftool v7.1's net.c
and netlink_dumper.c, over the simulated kernel's netlink socket.

``show`` dumps the devices (RTM_GETLINK) and prints each XDP program from IFLA_XDP
(``v0(3) driver id 154``), then for every device the cls_bpf filters found under its
qdiscs (by qdisc kind), under ``root`` and under the clsact ``ingress``/``egress`` hooks,
in that order and with bpftool's repetitions (an ``ingress`` qdisc answers all four
queries), then the flow_dissector section. ``attach``/``detach`` are libbpf's
``bpf_xdp_attach``: RTM_SETLINK with IFLA_XDP, the kernel's extack printed as libbpf
prints it.
"""

from __future__ import annotations

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, req_args, usage
from .handles import prog_parse_fd

USAGE = """\
Usage: %1$s %2$s { show | list } [dev <devname>]
       %1$s %2$s attach ATTACH_TYPE PROG dev <devname> [ overwrite ]
       %1$s %2$s detach ATTACH_TYPE dev <devname>
       %1$s %2$s help

       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
       ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }

Note: Only xdp and tc attachments are supported now.
      For progs attached to cgroups, use "bpftool cgroup"
      to dump program attachments. For program types
      sk_{filter,skb,msg,reuseport} and lwt/seg6, please
      consult iproute2.
"""

ATTACH_TYPES = ("xdp", "xdpgeneric", "xdpdrv", "xdpoffload")
EINVAL = 22


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def net_parse_dev(args: Args) -> int:
    if is_prefix(args.cur, "dev"):
        args.next()
        name = args.cur or ""
        ifindex = kern.if_nametoindex(name)
        if not ifindex:
            p_err(f"invalid devname {name}")
        args.next()
        return ifindex
    p_err(f"expected 'dev', got: '{args.cur}'?")
    return -1


XDP_MODES = {1: "driver", 2: "generic", 3: "offload"}  # XDP_ATTACHED_DRV/SKB/HW


def _xdp_entries(dev) -> list[dict]:
    """netlink_dumper's XDP record of one device: nothing when no program is attached;
    the attached mode's program, or in MULTI mode one object per attached mode."""
    from pykernel.uapi import rtnl as R

    x = dev.xdp
    if x is None or x.attached == R.XDP_ATTACHED_NONE:
        return []
    entry: dict = {"devname": dev.ifname, "ifindex": dev.ifindex}
    if x.attached == R.XDP_ATTACHED_MULTI:
        entry["multi_attachments"] = [{"mode": mode, "id": pid} for mode, pid in (
            ("generic", x.skb_prog_id), ("driver", x.drv_prog_id), ("offload", x.hw_prog_id)) if pid]
    elif x.attached in XDP_MODES:
        entry["mode"] = XDP_MODES[x.attached]
        entry["id"] = x.prog_id
    return [entry]


def _tc_entries(dev) -> list[dict]:
    """show_dev_tc_bpf: cls_bpf filters under each qdisc (clsact and handle 0 skipped,
    the qdisc's kind as label), then under ``root``, ``clsact/ingress``, ``clsact/egress``."""
    from pykernel.uapi import rtnl as R

    parents: list[tuple[int, str]] = []
    for q in kern.qdisc_dump(dev.ifindex):
        if q.kind == "clsact" or q.handle == 0:
            continue
        parents.append((q.handle, q.kind))
    parents += [(R.TC_H_ROOT, "root"), (R.TC_PARENT_INGRESS, "clsact/ingress"),
                (R.TC_PARENT_EGRESS, "clsact/egress")]
    out = []
    for parent, label in parents:
        for f in kern.filter_dump(dev.ifindex, parent):
            if f.kind != "bpf" or f.bpf is None:
                continue  # classifier instances carry no options
            entry: dict = {"devname": dev.ifname, "ifindex": dev.ifindex, "kind": label}
            if f.bpf.name:
                entry["name"] = f.bpf.name
            if f.bpf.prog_id:
                entry["id"] = f.bpf.prog_id
            out.append(entry)
    return out


def _plain(entry: dict) -> str:
    """NET_DUMP_* in text mode: ``v0(3)``, then `` mode id N`` or `` kind name id N``."""
    parts = [entry["devname"], f"({entry['ifindex']})"]
    for sub in entry.get("multi_attachments", [entry]):
        for key, fmt in (("kind", " {}"), ("mode", " {}"), ("name", " {}"), ("id", " id {}")):
            if key in sub:
                parts.append(fmt.format(sub[key]))
    return "".join(parts)


def _json(entry: dict) -> None:
    jw = common.jw
    jw.start_object()
    for key, value in entry.items():
        if key == "multi_attachments":
            jw.name(key)
            jw.start_array()
            for sub in value:
                jw.start_object()
                jw.string_field("mode", sub["mode"])
                jw.uint_field("id", sub["id"])
                jw.end_object()
            jw.end_array()
        elif isinstance(value, int):
            jw.uint_field(key, value)
        else:
            jw.string_field(key, value)
    jw.end_object()


def do_show(args: Args) -> int:
    filter_idx = 0
    if args.argc == 2:
        filter_idx = net_parse_dev(args)
        if filter_idx < 1:
            return -1
    elif args.argc != 0:
        usage()
    from .kern import SyscallError

    try:
        devs = kern.link_dump()
    except SyscallError as e:
        p_err(f"can't dump network devices: {kern.strerror(e.errno)}")
        return -1
    if filter_idx:
        devs = [d for d in devs if d.ifindex == filter_idx]
    sections = {
        "xdp": [e for d in devs for e in _xdp_entries(d)],
        "tc": [e for d in devs for e in _tc_entries(d)],
        # the simulated kernel has no flow dissector hook: PROG_QUERY of BPF_FLOW_DISSECTOR
        # gives EINVAL, which bpftool reads as "nothing to show"
        "flow_dissector": [],
    }
    jw = common.jw
    if jw is not None:
        jw.start_array()
        jw.start_object()
        for name, entries in sections.items():
            jw.name(name)
            jw.start_array()
            for entry in entries:
                _json(entry)
            jw.end_array()
        jw.end_object()
        jw.end_array()
        return 0
    out = []
    for name, entries in sections.items():
        out.append(f"{name}:\n")
        out.extend(_plain(e) + "\n" for e in entries)
        out.append("\n")
    common.out("".join(out))
    return 0


def _attach_type(word: str | None) -> str | None:
    return word if word in ATTACH_TYPES else None


def _xdp_flags(kind: str, overwrite: bool) -> int:
    """bpftool's do_attach_detach_xdp: UPDATE_IF_NOEXIST unless ``overwrite``, plus the
    mode of the attach type (plain ``xdp`` lets the kernel choose)."""
    from pykernel.uapi import rtnl as R

    flags = 0 if overwrite else R.XDP_FLAGS_UPDATE_IF_NOEXIST
    flags |= {"xdpgeneric": R.XDP_FLAGS_SKB_MODE, "xdpdrv": R.XDP_FLAGS_DRV_MODE,
              "xdpoffload": R.XDP_FLAGS_HW_MODE}.get(kind, 0)
    return flags


def do_attach(args: Args) -> int:
    if not req_args(args, 5):
        return -EINVAL
    kind = _attach_type(args.cur)
    if kind is None:
        p_err(f"invalid net attach/detach type: {args.cur}")
        return -EINVAL
    args.next()
    progfd = prog_parse_fd(args)
    if progfd < 0:
        return -EINVAL
    try:
        ifindex = net_parse_dev(args)
        if ifindex < 1:
            return -EINVAL
        overwrite = False
        if args.argc:
            if is_prefix(args.cur, "overwrite"):
                overwrite = True
            else:
                p_err(f"expected 'overwrite', got: '{args.cur}'?")
                return -EINVAL
        err = kern.xdp_attach(ifindex, progfd, _xdp_flags(kind, overwrite))
        if err:
            p_err(f"interface {kind} attach failed: {kern.strerror(-err)}")
            return err
        if common.jw is not None:
            common.jw.null()
        return 0
    finally:
        kern.close(progfd)


def do_detach(args: Args) -> int:
    if not req_args(args, 3):
        return -EINVAL
    kind = _attach_type(args.cur)
    if kind is None:
        p_err(f"invalid net attach/detach type: {args.cur}")
        return -EINVAL
    args.next()
    ifindex = net_parse_dev(args)
    if ifindex < 1:
        return -EINVAL
    err = kern.xdp_attach(ifindex, -1, _xdp_flags(kind, False))
    if err < 0:
        p_err(f"interface {kind} detach failed: {kern.strerror(-err)}")
        return err
    if common.jw is not None:
        common.jw.null()
    return 0


COMMANDS = [
    Cmd("show", do_show),
    Cmd("list", do_show),
    Cmd("attach", do_attach, ATTACH_TYPES),
    Cmd("detach", do_detach, ATTACH_TYPES),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
