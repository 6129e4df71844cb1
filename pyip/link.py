"""``ip link``: add, delete, set (flags, mtu, address, name, XDP), show, help.

The parser is iproute2 6.1's ``iplink_parse()`` keyword for keyword, so the same command
lines succeed and the same mistakes get the same message at the same point (a program
loaded by ``xdp obj`` before a later word turns out to be garbage, as in ip). The
request goes to the kernel as one RTM_NEWLINK/RTM_DELLINK (pykernel.uapi.rtnl).

Return values follow ip: 0, -1 (exit status 1: "Cannot find device"), -2 (exit status 2:
the kernel said no); iproute2's ``exit(-1)`` paths raise utils.Exit (status 255).

Keywords ip accepts but the simulated kernel has no attribute for (vf, master, vrf,
alias, group, mode, state, addrgenmode, link-netns, protodown, gso/gro sizes, carrier,
broadcast, index, link) are parsed as ip parses them and then refused by the kernel
with EOPNOTSUPP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pykernel.uapi import rtnl as R

from . import bpf, rtnl
from . import json_print as J
from .options import opts
from .usage import LINK_USAGE, VETH_USAGE
from .utils import (
    Args,
    Exit,
    check_altifname,
    check_ifname,
    duparg,
    duparg2,
    err,
    get_integer,
    get_unsigned,
    incomplete_command,
    invarg,
    ll_addr_a2n,
    ll_addr_n2a,
    matches,
    missarg,
    nodev,
    on_off,
    out,
)

#: link kinds ip has a link_util for (help text, option parser) among the kinds the
#: simulated kernel creates
LINK_HELP = {"veth": VETH_USAGE, "dummy": "Usage: ... dummy\n", "ifb": "Usage: ... ifb\n"}

#: `ip link` commands, in the order do_iplink() tries them (prefix matching)
COMMANDS = ("add", "set", "change", "replace", "delete", "show", "lst", "list", "xstats",
            "afstats", "property", "help")




def usage() -> None:
    """iplink_usage(): the long usage on stderr, exit status 255."""
    err(LINK_USAGE)
    raise Exit(-1)


# ============================================================================== parsing
@dataclass
class LinkReq:
    """The request as iplink_parse() builds it (struct iplink_req + the extras)."""

    flags: int = 0  # NLM_F_CREATE etc.
    ifi_flags: int = 0
    ifi_change: int = 0
    ifindex: int = 0
    ifname: str | None = None
    mtu: int | None = None
    address: bytes | None = None
    txqlen: int | None = None
    num_tx_queues: int | None = None
    num_rx_queues: int | None = None
    netns: str | None = None
    netns_pid: int | None = None
    xdp: R.XdpRequest | None = None
    unsupported: list[str] = field(default_factory=list)


_ADDR_FILTER_WORDS = ("secondary", "temporary", "primary", "tentative", "-tentative",
                      "deprecated", "-deprecated", "dadfailed", "-dadfailed", "home", "-home",
                      "nodad", "-nodad", "mngtmpaddr", "-mngtmpaddr", "noprefixroute",
                      "-noprefixroute", "autojoin", "-autojoin", "dynamic", "-dynamic",
                      "permanent", "-permanent")


def _netns_arg(req: LinkReq, arg: str) -> None:
    names = _netns_names()
    if arg in names:
        req.netns = arg
        return
    pid = get_integer(arg, 0)
    if pid is None:
        invarg('Invalid "netns" value\n', arg)
    req.netns_pid = pid


def _netns_names() -> list[str]:
    try:
        return list(rtnl.proc().netns_list())
    except Exception:  # noqa: BLE001 - no namespaces known
        return []


def iplink_parse(args: Args, req: LinkReq, create: bool) -> tuple[int, str | None, str | None]:
    """iplink_parse(): consume ``args``; returns (words consumed or -1, type, dev name).

    ``req`` receives the attributes; the device is looked up (``Cannot find device``)
    unless ``create``."""
    name: str | None = None
    dev: str | None = None
    type_: str | None = None
    qlen = mtu = netns = -1
    numtx = numrx = -1
    link_netnsid = -1
    index = 0
    group = -1
    addr_len = 0
    link: str | None = None
    start = args.argc

    while args.argc > 0:
        a = args.cur
        if a == "up":
            req.ifi_change |= R.IFF_UP
            req.ifi_flags |= R.IFF_UP
        elif a == "down":
            req.ifi_change |= R.IFF_UP
            req.ifi_flags &= ~R.IFF_UP
        elif a == "name":
            v = args.next_arg()
            if name is not None:
                duparg("name", v)
            if not check_ifname(v):
                invarg('"name" not a valid ifname', v)
            name = v
            if dev is None:
                dev = name
        elif a == "index":
            v = args.next_arg()
            if index:
                duparg("index", v)
            index = _atoi(v)
            if index <= 0:
                invarg('Invalid "index" value', v)
            req.unsupported.append("index")
        elif matches(a, "link"):
            link = args.next_arg()
        elif matches(a, "address"):
            v = args.next_arg()
            addr = ll_addr_a2n(v)
            if addr is None:
                return -1, None, None
            addr_len = len(addr)
            req.address = addr
        elif matches(a, "broadcast") or a == "brd":
            v = args.next_arg()
            if ll_addr_a2n(v) is None:
                return -1, None, None
            req.unsupported.append("broadcast")
        elif matches(a, "txqueuelen") or a == "qlen" or matches(a, "txqlen"):
            v = args.next_arg()
            if qlen != -1:
                duparg("txqueuelen", v)
            q = get_integer(v, 0)
            if q is None:
                invarg('Invalid "txqueuelen" value\n', v)
            qlen = q  # type: ignore[assignment]
            req.txqlen = q
        elif a == "mtu":
            v = args.next_arg()
            if mtu != -1:
                duparg("mtu", v)
            m = get_integer(v, 0)
            if m is None:
                invarg('Invalid "mtu" value\n', v)
            mtu = m  # type: ignore[assignment]
            req.mtu = m & 0xFFFFFFFF  # type: ignore[operator]
        elif a in ("xdpgeneric", "xdpdrv", "xdpoffload", "xdp"):
            args.next_arg()
            if _xdp_parse(args, req, dev, a):
                raise Exit(-1)
            if a == "xdpoffload" and name == dev:
                dev = None
        elif a == "netns":
            v = args.next_arg()
            if netns != -1:
                duparg("netns", v)
            netns = 1
            _netns_arg(req, v)
        elif a in ("multicast", "allmulticast", "promisc", "arp"):
            if _flag_word(args, req, a):
                return -1, None, None
        elif a == "trailers":
            v = args.next_arg()
            req.ifi_change |= R.IFF_NOTRAILERS
            if v == "off":
                req.ifi_flags |= R.IFF_NOTRAILERS
            elif v == "on":
                req.ifi_flags &= ~R.IFF_NOTRAILERS
            else:
                return on_off("trailers", v), None, None
        elif a == "carrier":
            v = args.next_arg()
            if v not in ("on", "off"):
                return on_off("carrier", v), None, None
            req.unsupported.append("carrier")
        elif a == "vf":
            v = args.next_arg()
            if get_integer(v, 0) is None:
                invarg('Invalid "vf" value\n', v)
            if dev is None:
                missarg("dev")
            req.unsupported.append("vf")
            # the VF options run to the first word that is not one of them
            while args.next_arg_ok():
                w = args.at(1) or ""
                if w in ("mac", "vlan", "rate", "max_tx_rate", "min_tx_rate", "spoofchk",
                         "query_rss", "trust", "state", "node_guid", "port_guid", "qos", "proto"):
                    args.fwd()
                    args.next_arg()
                else:
                    break
        elif matches(a, "master"):
            v = args.next_arg()
            if not rtnl.ifindex_of(v):
                invarg("Device does not exist\n", v)
            req.unsupported.append("master")
        elif a == "vrf":
            v = args.next_arg()
            invarg("Not a valid VRF name\n", v)
        elif matches(a, "nomaster"):
            pass  # no device has a master here: nothing to change
        elif matches(a, "dynamic"):
            if _flag_word(args, req, "dynamic"):
                return -1, None, None
        elif matches(a, "type"):
            type_ = args.next_arg()
            args.fwd()
            break
        elif matches(a, "alias"):
            v = args.next_arg()
            if len(v.encode()) >= 256:
                invarg("alias too long\n", v)
            req.unsupported.append("alias")
        elif a == "group":
            v = args.next_arg()
            if group != -1:
                duparg("group", v)
            g = 0 if v == "default" else get_integer(v, 0)
            if g is None:
                invarg('Invalid "group" value\n', v)
            group = g  # type: ignore[assignment]
            if g != 0:
                req.unsupported.append("group")
        elif a == "mode":
            v = args.next_arg()
            if v.lower() not in ("default", "dormant"):
                invarg("Invalid link mode\n", v)
            if v.lower() != "default":
                req.unsupported.append("mode")
        elif a == "state":
            v = args.next_arg()
            if v.upper() not in R.OPERSTATE_NAMES:
                invarg("Invalid operstate\n", v)
            req.unsupported.append("state")
        elif matches(a, "numtxqueues"):
            v = args.next_arg()
            if numtx != -1:
                duparg("numtxqueues", v)
            n = get_integer(v, 0)
            if n is None:
                invarg('Invalid "numtxqueues" value\n', v)
            numtx = n  # type: ignore[assignment]
            req.num_tx_queues = n
        elif matches(a, "numrxqueues"):
            v = args.next_arg()
            if numrx != -1:
                duparg("numrxqueues", v)
            n = get_integer(v, 0)
            if n is None:
                invarg('Invalid "numrxqueues" value\n', v)
            numrx = n  # type: ignore[assignment]
            req.num_rx_queues = n
        elif matches(a, "addrgenmode"):
            v = args.next_arg()
            if v.lower() not in ("eui64", "none", "stable_secret", "random"):
                invarg("Invalid address generation mode\n", v)
            if v.lower() != "eui64":
                req.unsupported.append("addrgenmode")
        elif matches(a, "link-netns") or matches(a, "link-netnsid"):
            is_id = not matches(a, "link-netns")
            v = args.next_arg()
            if link_netnsid != -1:
                duparg("link-netns/link-netnsid", v)
            if is_id:
                if get_integer(v, 0) is None:
                    invarg('Invalid "link-netnsid" value\n', v)
            elif v not in _netns_names():
                invarg('Invalid "link-netns" value\n', v)
            link_netnsid = 1
            req.unsupported.append("link-netns")
        elif a == "protodown":
            v = args.next_arg()
            if v not in ("on", "off"):
                return on_off("protodown", v), None, None
            req.unsupported.append("protodown")
        elif a == "protodown_reason":
            v = args.next_arg()
            invarg("invalid protodown reason\n", v)
        elif a in ("gso_max_size", "gso_max_segs", "gro_max_size"):
            v = args.next_arg()
            limit = 65535 if a == "gso_max_segs" else 524280 if a == "gso_max_size" else 524280
            n = get_unsigned(v, 0)
            if n is None or n > limit:
                invarg(f'Invalid "{a}" value\n', v)
            req.unsupported.append(a)
        else:
            if matches(a, "help"):
                usage()
            if a == "dev":
                a = args.next_arg()
            if dev != name:
                duparg2("dev", a)
            if not check_altifname(a):
                invarg('"dev" not a valid ifname', a)
            dev = a
        args.fwd()

    consumed = start - args.argc

    # allow "ip link add dev" and "ip link add name"
    if name is None:
        name = dev
    elif dev is None:
        dev = name
    elif name == dev:
        name = dev

    if dev and addr_len and not create:
        halen = _addr_len(dev)
        if halen >= 0 and halen != addr_len:
            err(f"Invalid address length {addr_len} - must be {halen} bytes\n")
            return -1, None, None

    if not create and index and netns == -1:
        err("index can be used only when creating devices or when moving device to another netns.\n")
        raise Exit(-1)

    if group != -1 and dev is None:
        if args.argc:
            err(f'Garbage instead of arguments "{args.cur} ...". Try "ip link help".\n')
            raise Exit(-1)
        if create:
            err("group cannot be used when creating devices.\n")
            raise Exit(-1)
        return consumed, None, None

    if not create:
        if dev is None:
            err('Not enough information: "dev" argument is required.\n')
            raise Exit(-1)
        req.ifindex = rtnl.ifindex_of(dev)
        if not req.ifindex:
            return nodev(dev), None, None
        if name == dev:
            name = None
    else:
        if name != dev:
            err('both "name" and "dev" cannot be used when creating devices.\n')
            raise Exit(-1)
        if link is not None and not rtnl.ifindex_of(link):
            return nodev(link), None, None
    if name is not None:
        req.ifname = name
    return consumed, type_, dev


def _flag_word(args: Args, req: LinkReq, word: str) -> int:
    """``multicast|allmulticast|promisc|arp|dynamic on|off``: an ifi_flags bit."""
    v = args.next_arg()
    bit = {"multicast": R.IFF_MULTICAST, "allmulticast": R.IFF_ALLMULTI,
           "promisc": R.IFF_PROMISC, "arp": R.IFF_NOARP, "dynamic": R.IFF_DYNAMIC}[word]
    req.ifi_change |= bit
    on = {"on": True, "off": False}.get(v)
    if on is None:
        return on_off(word, v)
    if word == "arp":
        on = not on
    if on:
        req.ifi_flags |= bit
    else:
        req.ifi_flags &= ~bit
    return 0


def _atoi(s: str) -> int:
    from .utils import c_strtol

    v, _ = c_strtol(s, 10)
    return v


def _addr_len(dev: str) -> int:
    """nl_get_ll_addr_len(): the device's hardware address length, -1 if unknown."""
    try:
        info = rtnl.talk(R.LinkRequest(type=R.RTM_GETLINK, ifname=dev))
    except rtnl.NetlinkError:
        return -1
    return len(info.address) if info is not None and info.address is not None else -1


def _xdp_parse(args: Args, req: LinkReq, dev: str | None, word: str) -> int:
    """xdp_parse(): ``off``/``none`` as the very last word detaches; otherwise a program
    from an object file or a pin. Returns non-zero after printing (the caller exits)."""
    from pykernel.uapi.consts import ProgType

    flags = 0
    cfg = bpf.BpfCfg(type=ProgType.XDP)
    if word == "xdpoffload":
        ifindex = rtnl.ifindex_of(dev or "")
        if not ifindex:
            incomplete_command()
        cfg.ifindex = ifindex
    if not opts.force:
        flags |= R.XDP_FLAGS_UPDATE_IF_NOEXIST
    if word == "xdpgeneric":
        flags |= R.XDP_FLAGS_SKB_MODE
    elif word == "xdpdrv":
        flags |= R.XDP_FLAGS_DRV_MODE
    elif word == "xdpoffload":
        flags |= R.XDP_FLAGS_HW_MODE
    if args.argc == 1 and args.cur in ("none", "off"):
        req.xdp = R.XdpRequest(fd=-1, flags=flags)
        return 0
    try:
        bpf.parse(cfg, args)
        fd = bpf.load(cfg)
    except bpf.LoadFailed:
        return -1
    req.xdp = R.XdpRequest(fd=fd, flags=flags)
    return 0


# ============================================================================== modify
def _send(req: LinkReq, msg_type: int, nl_flags: int, kind: str | None,
          peer: LinkReq | None = None, peer_given: bool = False) -> int:
    if req.unsupported or req.netns_pid is not None or (peer and (
            peer.unsupported or peer.netns_pid or peer.num_tx_queues is not None
            or peer.num_rx_queues is not None)):
        err("RTNETLINK answers: Operation not supported\n")
        return -2
    if peer is not None and peer.ifi_change & peer.ifi_flags & R.IFF_UP:
        # veth opens the peer before the pair is linked: veth_open() finds no peer
        err("RTNETLINK answers: Transport endpoint is not connected\n")
        return -2
    lr = R.LinkRequest(type=msg_type, flags=R.NLM_F_REQUEST | R.NLM_F_ACK | nl_flags,
                       ifindex=req.ifindex, kind=kind, ifi_flags=req.ifi_flags,
                       ifi_change=req.ifi_change, mtu=req.mtu, address=req.address,
                       txqlen=req.txqlen, num_tx_queues=req.num_tx_queues,
                       num_rx_queues=req.num_rx_queues, netns=req.netns, xdp=req.xdp)
    if nl_flags & R.NLM_F_CREATE or msg_type == R.RTM_DELLINK and not req.ifindex:
        lr.ifname = req.ifname
    elif req.ifname is not None:
        lr.new_name = req.ifname
    if peer is not None:
        lr.peer_name = peer.ifname
        lr.peer_netns = peer.netns
        lr.peer_address = peer.address
    try:
        reply = rtnl.talk(lr)
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        return -2
    rtnl.forget_names()
    if peer is not None and (peer.mtu is not None or peer.txqlen is not None or peer.ifi_change):
        return _set_peer(reply, peer)
    return 0


def _set_peer(created: R.IfInfo | None, peer: LinkReq) -> int:
    """The peer's own ``mtu``, ``txqueuelen`` and ``up``/``down`` of ``type veth peer ...``.
    The request record carries only the peer's name, address and namespace, so they are
    applied to the new peer right after it exists (in its namespace), which leaves the
    same devices as the kernel's VETH_INFO_PEER attributes do."""
    if created is None or not created.link:
        return 0
    p = rtnl.proc()
    here = getattr(p, "netns", "")
    where = peer.netns if peer.netns is not None else here
    req = R.LinkRequest(type=R.RTM_NEWLINK, mtu=peer.mtu, txqlen=peer.txqlen,
                        ifi_flags=peer.ifi_flags, ifi_change=peer.ifi_change)
    if where == here:
        req.ifindex = created.link
    else:
        req.ifname = peer.ifname
    try:
        if where != here:
            p.setns(where)
        rtnl.talk(req)
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        return -2
    finally:
        if where != here:
            p.setns(here)
    return 0


def iplink_modify(args: Args, msg_type: int, nl_flags: int) -> int:
    create = bool(nl_flags & R.NLM_F_CREATE)
    req = LinkReq(flags=nl_flags)
    consumed, type_, _dev = iplink_parse(args, req, create)
    if consumed < 0:
        return consumed
    peer: LinkReq | None = None
    if type_ is not None:
        rest = args.copy()
        if type_ == "veth" and rest.argc:
            peer = LinkReq(flags=nl_flags)
            r = _veth_parse_opt(rest, peer, nl_flags)
            if r < 0:
                return r
        elif type_ in LINK_HELP and rest.argc:
            pass  # a link_util without an option parser ignores the rest
        elif rest.argc:
            if matches(rest.cur, "help"):
                usage()
            err(f'Garbage instead of arguments "{rest.cur} ...". Try "ip link help".\n')
            return -1
    elif create:
        err('Not enough information: "type" argument is required\n')
        return -1
    return _send(req, msg_type, nl_flags, type_ if msg_type != R.RTM_DELLINK else None, peer)


def _veth_parse_opt(args: Args, peer: LinkReq, nl_flags: int) -> int:
    """veth_parse_opt(): ``peer <link options>`` (any other word prints veth's usage on
    stdout and fails)."""
    if args.cur != "peer":
        out(VETH_USAGE)
        return -1
    sub = Args(args.vec, args.i + 1)
    consumed, type_, _dev = iplink_parse(sub, peer, True)
    if consumed < 0:
        return consumed
    if type_ is not None:
        duparg("type", args.vec[args.i + consumed])
    return 0


# ================================================================================ show
@dataclass
class Filter:
    ifindex: int = 0
    up: bool = False
    group: int = -1
    master: int = 0
    kind: str | None = None
    slave_kind: str | None = None


def ipaddr_list_link(args: Args) -> int:
    """ipaddr_list_flush_or_save(IPADD_LIST) with do_link: ``ip link show``."""
    f = Filter()
    filter_dev: str | None = None
    while args.argc > 0:
        a = args.cur
        if a in ("to", "scope", "label"):
            args.next_arg()
        elif a == "up":
            f.up = True
        elif a in _ADDR_FILTER_WORDS:
            pass
        elif a == "group":
            v = args.next_arg()
            g = 0 if v == "default" else get_integer(v, 0)
            if g is None:
                invarg('Invalid "group" value\n', v)
            f.group = g  # type: ignore[assignment]
        elif a == "master":
            v = args.next_arg()
            ifindex = rtnl.ifindex_of(v)
            if not ifindex:
                invarg("Device does not exist\n", v)
            f.master = ifindex
        elif a == "vrf":
            v = args.next_arg()
            invarg("Not a valid VRF name\n", v)
        elif a == "nomaster":
            f.master = -1
        elif a == "type":
            v = args.next_arg()
            if v.endswith("_slave") and len(v) >= len("_slave"):
                f.slave_kind = v[:-len("_slave")]
            else:
                f.kind = v
        else:
            if a == "dev":
                a = args.next_arg()
            elif matches(a, "help"):
                usage()
            if filter_dev is not None:
                duparg2("dev", a)
            filter_dev = a
        args.fwd()

    if filter_dev is not None:
        f.ifindex = rtnl.ifindex_of(filter_dev)
        if f.ifindex <= 0:
            err(f'Device "{filter_dev}" does not exist.\n')
            return -1

    J.new_json_obj()
    if filter_dev is not None and f.group == -1:
        try:
            info = rtnl.talk(R.LinkRequest(type=R.RTM_GETLINK, ifindex=f.ifindex))
        except rtnl.NetlinkError as e:
            rtnl.report(e)
            J.delete_json_obj()
            return -2
        J.open_json_object(None)
        _print_one(info, f)
        J.close_json_object()
        J.delete_json_obj()
        return 0
    try:
        infos = rtnl.links()
    except rtnl.NetlinkError as e:
        rtnl.report(e)
        J.delete_json_obj()
        return -2
    for info in infos:
        if _kernel_filtered(info, f):
            continue
        J.open_json_object(None)
        _print_one(info, f)
        J.close_json_object()
    J.delete_json_obj()
    return 0


def _kernel_filtered(info: R.IfInfo, f: Filter) -> bool:
    """What ip asks the kernel to leave out of the dump (IFLA_LINKINFO kind, IFLA_MASTER):
    those devices get no JSON object at all, unlike the ones print_linkinfo() skips."""
    if f.kind is not None and info.kind != f.kind:
        return True
    return f.master > 0


def _print_one(info: R.IfInfo, f: Filter) -> int:
    if opts.brief:
        return print_linkinfo_brief(info, f)
    return print_linkinfo(info, f)


def _filtered(info: R.IfInfo, f: Filter) -> bool:
    if f.ifindex and info.ifindex != f.ifindex:
        return True
    if f.up and not info.flags & R.IFF_UP:
        return True
    if f.group != -1 and info.group != f.group:
        return True
    if f.master > 0:
        return True  # nothing has a master in the simulated kernel
    if f.kind is not None and info.kind != f.kind:
        return True
    return f.slave_kind is not None


def print_link_flags(flags: int, mdown: bool) -> None:
    J.open_json_array(J.ANY, "flags" if J.is_json_context() else "<")
    if flags & R.IFF_UP and not flags & R.IFF_RUNNING:
        J.print_string(J.ANY, None, "%s," if flags else "%s", "NO-CARRIER")
    flags &= ~R.IFF_RUNNING
    for bit, name in R.IFF_NAMES:
        if flags & bit:
            flags &= ~bit
            J.print_string(J.ANY, None, "%s," if flags else "%s", name)
    if flags:
        J.print_hex(J.ANY, None, "%x", flags)
    if mdown:
        J.print_string(J.ANY, None, ",%s", "M-DOWN")
    J.close_json_array(J.ANY, "> ")


def print_name_and_link(fmt: str, info: R.IfInfo) -> bool:
    """print_name_and_link(): ``name@peer`` (``@ifN`` for a peer in another namespace),
    and whether the peer is down (M-DOWN)."""
    name = info.ifname
    mdown = False
    if info.link is not None:
        if info.link == 0:
            shown = f"{name}@NONE"
            J.print_null(J.JSON, "link", None, "")
        elif info.link_netnsid is not None:
            shown = f"{name}@if{info.link}"
            J.print_int(J.JSON, "link_index", None, info.link)
        else:
            peer = rtnl.index_to_name(info.link)
            shown = f"{name}@{peer}"
            J.print_string(J.JSON, "link", None, peer)
            mdown = not rtnl.index_to_flags(info.link) & R.IFF_UP
    else:
        shown = name
    J.print_string(J.JSON, "ifname", None, name)
    J.print_color_string(J.FP, J.IFNAME, None, fmt, shown)
    return mdown


def _oper_state(state: int, brief: bool = False) -> None:
    if 0 <= state < len(R.OPERSTATE_NAMES):
        color = J.OPER_UP if state == R.IF_OPER_UP else J.OPER_DOWN if state == R.IF_OPER_DOWN else None
        if not brief:
            J.print_string(J.FP, None, "%s ", "state")
        J.print_color_string(J.ANY, color, "operstate", "%-14s " if brief else "%s ",
                             R.OPERSTATE_NAMES[state])
    elif J.is_json_context():
        J.print_uint(J.JSON, "operstate_index", None, state)
    else:
        J.print_string(J.FP, None, "state %s ", f"{state:#x}")


def _ll_type(t: int) -> str:
    """ll_type_n2a(): the name of an ARPHRD type, ``[N]`` with -Numeric or unknown."""
    if opts.numeric:
        return f"[{t}]"
    return {R.ARPHRD_ETHER: "ether", R.ARPHRD_LOOPBACK: "loopback", R.ARPHRD_NONE: "none"}.get(t, f"[{t}]")


def _group_name(g: int) -> str:
    return "default" if g == 0 and not opts.numeric else str(g)


def print_linkinfo(info: R.IfInfo, f: Filter) -> int:
    if _filtered(info, f):
        return -1
    SL = J.SL[0]
    J.print_int(J.ANY, "ifindex", "%d: ", info.ifindex)
    mdown = print_name_and_link("%s: ", info)
    print_link_flags(info.flags, mdown)
    J.print_int(J.ANY, "mtu", "mtu %d ", info.mtu)
    xdp_dump(info.xdp, link=True, details=False)
    J.print_string(J.ANY, "qdisc", "qdisc %s ", info.qdisc)
    _oper_state(info.operstate)
    if info.linkmode in (0, 1):
        J.print_string(J.ANY, "linkmode", "mode %s ", ("DEFAULT", "DORMANT")[info.linkmode])
    else:
        J.print_int(J.ANY, "linkmode_index", "mode %d ", info.linkmode)
    J.print_string(J.ANY, "group", "group %s ", _group_name(info.group))
    if info.txqlen:
        J.print_int(J.ANY, "txqlen", "qlen %d", info.txqlen)

    J.print_nl()
    J.print_string(J.ANY, "link_type", "    link/%s ", _ll_type(info.link_type))
    if info.address is not None:
        J.print_color_string(J.ANY, J.MAC, "address", "%s", ll_addr_n2a(info.address))
    if info.broadcast is not None:
        if info.flags & R.IFF_POINTOPOINT:
            J.print_string(J.FP, None, " peer ", None)
            J.print_bool(J.JSON, "link_pointtopoint", None, True)
        else:
            J.print_string(J.FP, None, " brd ", None)
        J.print_color_string(J.ANY, J.MAC, "broadcast", "%s", ll_addr_n2a(info.broadcast))

    if info.link_netnsid is not None:
        nsid = info.link_netnsid
        name = rtnl.peer_netns_name(info.ifindex, info.link, nsid) \
            if nsid >= 0 and info.link and not J.is_json_context() else None
        if J.is_json_context():
            J.print_int(J.JSON, "link_netnsid", None, nsid)
        elif name is not None:
            J.print_string(J.FP, None, " link-netns %s", name)
        elif nsid >= 0:
            J.print_int(J.FP, None, " link-netnsid %d", nsid)
        else:
            J.print_string(J.FP, None, " link-netnsid %s", "unknown")

    if opts.details:
        J.print_uint(J.ANY, "promiscuity", " promiscuity %d ", info.promiscuity)
        J.print_uint(J.ANY, "allmulti", " allmulti %d ", info.allmulti)
        J.print_uint(J.ANY, "min_mtu", "minmtu %d ", info.min_mtu)
        J.print_uint(J.ANY, "max_mtu", "maxmtu %d ", info.max_mtu)
        if info.kind:
            J.open_json_object("linkinfo")
            J.print_string(J.FP, None, "%s", SL)
            J.print_string(J.ANY, "info_kind", "    %s ", info.kind)
            info_data = getattr(info, "info_data", None)
            if info_data:
                J.open_json_object("info_data")
                print_info_data(info_data)
                J.close_json_object()
            J.close_json_object()
        J.print_string(J.ANY, "inet6_addr_gen_mode", "addrgenmode %s ", "eui64")
        J.print_uint(J.ANY, "num_tx_queues", "numtxqueues %d ", info.num_tx_queues)
        J.print_uint(J.ANY, "num_rx_queues", "numrxqueues %d ", info.num_rx_queues)
        J.print_uint(J.ANY, "gso_max_size", "gso_max_size %d ", info.gso_max_size)
        J.print_uint(J.ANY, "gso_max_segs", "gso_max_segs %d ", info.gso_max_segs)
        J.print_uint(J.ANY, "tso_max_size", "tso_max_size %d ", info.tso_max_size)
        J.print_uint(J.ANY, "tso_max_segs", "tso_max_segs %d ", info.tso_max_segs)
        J.print_uint(J.ANY, "gro_max_size", "gro_max_size %d ", info.gro_max_size)
        if info.phys_port_name is not None:
            J.print_string(J.ANY, "phys_port_name", "portname %s ", info.phys_port_name)
        if info.parent_bus is not None:
            J.print_string(J.ANY, "parentbus", "parentbus %s ", info.parent_bus)
        if info.parent_dev is not None:
            J.print_string(J.ANY, "parentdev", "parentdev %s ", info.parent_dev)

    xdp_dump(info.xdp, link=True, details=True)

    if opts.stats:
        J.print_nl()
        print_link_stats(info)

    J.print_string(J.FP, None, "%s", "\n")
    return 1


#: the text labels of IFLA_INFO_DATA keys where ip's text and JSON names differ (bridge)
_INFO_DATA_LABELS = {
    "root_id": "designated_root", "group_addr": "group_address",
    "mcast_last_member_cnt": "mcast_last_member_count",
    "mcast_startup_query_cnt": "mcast_startup_query_count",
    "mcast_last_member_intvl": "mcast_last_member_interval",
    "mcast_membership_intvl": "mcast_membership_interval",
    "mcast_querier_intvl": "mcast_querier_interval",
    "mcast_query_intvl": "mcast_query_interval",
    "mcast_query_response_intvl": "mcast_query_response_interval",
    "mcast_startup_query_intvl": "mcast_startup_query_interval",
}


def print_info_data(data: dict) -> None:
    """A kind's print_opt (bridge): ``name value `` per setting; timers as ``%4i.%.2i``."""
    for key, val in data.items():
        label = _INFO_DATA_LABELS.get(key, key)
        if isinstance(val, bool):
            J.print_bool(J.ANY, key, f"{label} %s ", val)
        elif isinstance(val, float):
            whole = int(val)
            hundredths = int(round((val - whole) * 100))
            if J.is_json_context():
                _json_raw(key, f"{whole}.{hundredths:02d}")
            else:
                J._text(f"{label} {whole:4d}.{hundredths:02d} ", None)
        elif isinstance(val, int):
            J.print_uint(J.ANY, key, f"{label} %d ", val)
        else:
            J.print_string(J.ANY, key, f"{label} %s ", str(val))


def _json_raw(key: str, text: str) -> None:
    jw = J._jw
    if jw is not None:
        jw.name(key)
        jw.raw(text)


def print_linkinfo_brief(info: R.IfInfo, f: Filter) -> int:
    if _filtered(info, f):
        return -1
    mdown = print_name_and_link("%-16s ", info)
    _oper_state(info.operstate, brief=True)
    if info.address is not None:
        J.print_color_string(J.ANY, J.MAC, "address", "%s ", ll_addr_n2a(info.address))
    print_link_flags(info.flags, mdown)
    J.print_string(J.FP, None, "%s", "\n")
    return 1


def xdp_dump(x: R.XdpInfo, link: bool, details: bool) -> None:
    """xdp_dump(): the mode word after mtu (details False), the ``prog/xdp`` lines
    (details True), or the "xdp" JSON object."""
    mode = x.attached
    if mode == R.XDP_ATTACHED_NONE:
        return
    if J.is_json_context():
        if not details:
            _xdp_dump_json(x)
        return
    if not (details and link):
        J._text({R.XDP_ATTACHED_DRV: "xdp", R.XDP_ATTACHED_SKB: "xdpgeneric",
                 R.XDP_ATTACHED_HW: "xdpoffload", R.XDP_ATTACHED_MULTI: "xdpmulti"}.get(
                     mode, f"xdp[{mode}]"), None)
    if mode != R.XDP_ATTACHED_MULTI:
        _xdp_prog_one(x.prog_id, link, details, "", top=True)
    if mode == R.XDP_ATTACHED_MULTI:
        _xdp_prog_one(x.skb_prog_id, link, details, "generic")
        _xdp_prog_one(x.drv_prog_id, link, details, "drv")
        _xdp_prog_one(x.hw_prog_id, link, details, "offload")
    if not details or not link:
        J._text(" ", None)


def _xdp_prog_one(prog_id: int, link: bool, details: bool, pfx: str, top: bool = False) -> None:
    if not prog_id:
        return
    if not details:
        if not link and top:
            J._text(f"/id:{prog_id}", None)
        return
    J._text(f"{J.SL[0]}    prog/xdp{pfx} ", None)
    bpf.dump_prog_info(prog_id, bool(opts.details))


def _xdp_dump_json(x: R.XdpInfo) -> None:
    J.open_json_object("xdp")
    J.print_uint(J.JSON, "mode", None, x.attached)
    if x.prog_id and x.attached != R.XDP_ATTACHED_MULTI:
        bpf.dump_prog_info(x.prog_id, bool(opts.details))
    J.open_json_array(J.JSON, "attached")
    per_mode = [(x.skb_prog_id, R.XDP_ATTACHED_SKB), (x.drv_prog_id, R.XDP_ATTACHED_DRV),
                (x.hw_prog_id, R.XDP_ATTACHED_HW)]
    if any(pid for pid, _m in per_mode):
        for pid, m in per_mode:
            if pid:
                J.open_json_object(None)
                J.print_uint(J.JSON, "mode", None, m)
                bpf.dump_prog_info(pid, bool(opts.details))
                J.close_json_object()
    elif x.prog_id:
        J.open_json_object(None)
        J.print_uint(J.JSON, "mode", None, x.attached)
        bpf.dump_prog_info(x.prog_id, bool(opts.details))
        J.close_json_object()
    J.close_json_array(J.JSON, None)
    J.close_json_object()


# --------------------------------------------------------------------------- statistics
def _size_columns(cols: list[int], *vals: int) -> None:
    for i, v in enumerate(vals):
        if i < len(cols):
            cols[i] = max(cols[i], len(str(v)))


def _num(width: int, v: int) -> str:
    return f"{v:>{width}} "


def print_link_stats(info: R.IfInfo) -> None:
    """print_stats64(): the RX/TX tables (``-s``; error rows with ``-s -s``), or the
    "stats64" JSON object."""
    s = info.stats
    more = opts.stats > 1
    if J.is_json_context():
        J.open_json_object("stats64")
        J.open_json_object("rx")
        for k, v in (("bytes", s.rx_bytes), ("packets", s.rx_packets), ("errors", s.rx_errors),
                     ("dropped", s.rx_dropped), ("over_errors", 0), ("multicast", s.rx_multicast)):
            J.print_uint(J.JSON, k, None, v)
        if more:
            for k, v in (("length_errors", 0), ("crc_errors", 0), ("frame_errors", 0),
                         ("fifo_errors", 0), ("missed_errors", s.rx_missed)):
                J.print_uint(J.JSON, k, None, v)
        J.close_json_object()
        J.open_json_object("tx")
        for k, v in (("bytes", s.tx_bytes), ("packets", s.tx_packets), ("errors", s.tx_errors),
                     ("dropped", s.tx_dropped), ("carrier_errors", s.tx_carrier),
                     ("collisions", s.tx_collisions)):
            J.print_uint(J.JSON, k, None, v)
        if more:
            for k, v in (("aborted_errors", 0), ("fifo_errors", 0), ("window_errors", 0),
                         ("heartbeat_errors", 0), ("carrier_changes", info.carrier_changes)):
                J.print_uint(J.JSON, k, None, v)
        J.close_json_object()
        J.close_json_object()
        return
    SL = J.SL[0]
    cols = [len("*X errors:"), len("packets"), len("errors"), len("dropped"), len("heartbt"),
            len("overrun"), len("compressed"), len("otherhost")]
    _size_columns(cols, s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed,
                  s.rx_multicast, 0, 0)
    if more:
        _size_columns(cols, 0, 0, 0, 0, 0, 0, 0, 0)
    _size_columns(cols, s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier,
                  s.tx_collisions, 0)
    if more:
        _size_columns(cols, 0, 0, 0, 0, 0, info.carrier_changes)
    w: list[str] = []
    w.append(f"    RX: {'bytes':>{cols[0] - 4}} {'packets':>{cols[1]}} {'errors':>{cols[2]}} "
             f"{'dropped':>{cols[3]}} {'missed':>{cols[4]}} {'mcast':>{cols[5]}} {'':>{cols[6]}}{SL}")
    w.append("    " + _num(cols[0], s.rx_bytes) + _num(cols[1], s.rx_packets) + _num(cols[2], s.rx_errors)
             + _num(cols[3], s.rx_dropped) + _num(cols[4], s.rx_missed) + _num(cols[5], s.rx_multicast))
    if more:
        w.append(SL)
        w.append(f"    RX errors:{'':>{cols[0] - 10}} {'length':>{cols[1]}} {'crc':>{cols[2]}} "
                 f"{'frame':>{cols[3]}} {'fifo':>{cols[4]}} {'overrun':>{cols[5]}}{SL}")
        w.append(" " * (cols[0] + 5) + "".join(_num(cols[i], 0) for i in range(1, 6)))
    w.append(SL)
    w.append(f"    TX: {'bytes':>{cols[0] - 4}} {'packets':>{cols[1]}} {'errors':>{cols[2]}} "
             f"{'dropped':>{cols[3]}} {'carrier':>{cols[4]}} {'collsns':>{cols[5]}} {'':>{cols[6]}}{SL}")
    w.append("    " + _num(cols[0], s.tx_bytes) + _num(cols[1], s.tx_packets) + _num(cols[2], s.tx_errors)
             + _num(cols[3], s.tx_dropped) + _num(cols[4], s.tx_carrier) + _num(cols[5], s.tx_collisions))
    if more:
        w.append(SL)
        w.append(f"    TX errors:{'':>{cols[0] - 10}} {'aborted':>{cols[1]}} {'fifo':>{cols[2]}} "
                 f"{'window':>{cols[3]}} {'heartbt':>{cols[4]}} {'transns':>{cols[5]}}{SL}")
        w.append(" " * (cols[0] + 5) + "".join(_num(cols[i], 0) for i in range(1, 5))
                 + _num(cols[5], info.carrier_changes))
    J._text("".join(w), None)


# ============================================================================ dispatch
def do_help(args: Args) -> int:
    """``ip link help [TYPE]``: a kind's own help on stdout, else the link usage."""
    if args.argc == 0:
        usage()
    text = LINK_HELP.get(args.cur)
    if text is None:
        usage()
    out(text)  # type: ignore[arg-type]
    return 0


def do_iplink(args: Args) -> int:
    if args.argc < 1:
        return ipaddr_list_link(args)
    a = args.cur
    rest = Args(args.vec, args.i + 1)
    if matches(a, "add"):
        return iplink_modify(rest, R.RTM_NEWLINK, R.NLM_F_CREATE | R.NLM_F_EXCL)
    if matches(a, "set") or matches(a, "change"):
        return iplink_modify(rest, R.RTM_NEWLINK, 0)
    if matches(a, "replace"):
        return iplink_modify(rest, R.RTM_NEWLINK, R.NLM_F_CREATE | R.NLM_F_REPLACE)
    if matches(a, "delete"):
        return iplink_modify(rest, R.RTM_DELLINK, 0)
    if matches(a, "show") or matches(a, "lst") or matches(a, "list"):
        return ipaddr_list_link(rest)
    if matches(a, "xstats"):
        if rest.argc == 0:
            err("xstats: missing argument\n")
            return -1
        err("RTNETLINK answers: Operation not supported\n")
        return -2
    if matches(a, "afstats") or matches(a, "property"):
        err("RTNETLINK answers: Operation not supported\n")
        return -2
    if matches(a, "help"):
        return do_help(rest)
    err(f'Command "{a}" is unknown, try "ip link help".\n')
    raise Exit(-1)


main = do_iplink
