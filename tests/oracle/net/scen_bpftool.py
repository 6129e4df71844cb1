"""Scenarios for `bpftool net`, `cgroup`, `link` and `feature`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from netrec import CG_ROOT, NET_PROGS_REL, PIN_ROOT, NetRecorder  # noqa: E402
from scen_ip import pins  # noqa: E402

TC_OBJ = ["obj", "tc_cls.o", "sec", "tc"]


def _veths(r: NetRecorder) -> None:
    r.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
    r.run(["ip", "link", "set", "dev", "v0", "up"])
    r.run(["ip", "link", "set", "dev", "v1", "up"])
    r.run(["ip", "link", "add", "i0", "type", "ifb"])


def scen_net(r: NetRecorder) -> None:
    r.netns("main", 1)
    bt = lambda *a, **kw: r.run(["bpftool", *a], **kw)  # noqa: E731
    bt("net", "show")
    _veths(r)
    P = pins(r, f"{PIN_ROOT}/net", {"xdp_pass": "xdp_pass.o", "xdp_count": "xdp_count.o",
                                     "tc_mark": "tc_cls.o"})
    bt("net", "show")
    bt("net", "list")
    bt("net")
    bt("-j", "net", "show")
    bt("-p", "net", "show")
    bt("net", "show", "dev", "v0")
    bt("-j", "net", "show", "dev", "v0")
    bt("net", "show", "dev", "nosuch")
    bt("-j", "net", "show", "dev", "nosuch")
    bt("net", "show", "frob")
    bt("net", "help")
    bt("net", "frob")
    bt("-j", "net", "frob")
    # attach: driver, conflicts, overwrite, generic, offload
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "dev", "v0")
    bt("net", "show")
    bt("-j", "net", "show")
    r.run(["ip", "link", "show", "dev", "v0"])
    bt("net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0")
    bt("-j", "net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0")
    bt("-p", "net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0")
    bt("net", "attach", "xdpdrv", "pinned", P["xdp_count"], "dev", "v0")
    bt("net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0", "overwrite")
    bt("net", "show", "dev", "v0")
    bt("net", "attach", "xdpgeneric", "pinned", P["xdp_pass"], "dev", "v0")
    bt("net", "attach", "xdpgeneric", "pinned", P["xdp_pass"], "dev", "v0", "overwrite")
    bt("net", "attach", "xdpgeneric", "pinned", P["xdp_pass"], "dev", "v1")
    bt("net", "show")
    bt("net", "attach", "xdpdrv", "pinned", P["xdp_pass"], "dev", "v1", "overwrite")
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "dev", "v1", "overwrite")
    bt("net", "attach", "xdpgeneric", "pinned", P["xdp_count"], "dev", "v1", "overwrite")
    bt("net", "attach", "xdpoffload", "pinned", P["xdp_pass"], "dev", "v0", "overwrite")
    bt("net", "attach", "xdpoffload", "pinned", P["xdp_pass"], "dev", "v1")
    bt("net", "attach", "xdpoffload", "pinned", P["xdp_pass"], "dev", "i0")
    bt("-j", "net", "attach", "xdpoffload", "pinned", P["xdp_pass"], "dev", "i0")
    bt("net", "attach", "xdpoffload", "pinned", P["xdp_pass"], "dev", "lo")
    bt("net", "attach", "xdpdrv", "pinned", P["xdp_pass"], "dev", "i0")
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "dev", "i0")
    bt("net", "show")
    bt("net", "attach", "xdp", "pinned", P["tc_mark"], "dev", "v0", "overwrite")
    # argument errors
    bt("net", "attach", "xdp", "id", "99999999", "dev", "v0")
    bt("net", "attach", "xdp", "pinned", f"{PIN_ROOT}/net/nope", "dev", "v0")
    bt("net", "attach", "frob", "pinned", P["xdp_pass"], "dev", "v0")
    bt("-j", "net", "attach", "frob", "pinned", P["xdp_pass"], "dev", "v0")
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "dev", "nosuch")
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"])
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "v0")
    bt("net", "attach", "xdp", "pinned", P["xdp_pass"], "dev", "v0", "frob")
    bt("net", "attach", "xdp")
    bt("net", "attach")
    bt("net", "attach", "tc", "pinned", P["tc_mark"], "dev", "v0")
    # tc filters next to the XDP programs
    r.run(["tc", "qdisc", "add", "dev", "v0", "clsact"])
    r.run(["tc", "filter", "add", "dev", "v0", "ingress", "bpf", *TC_OBJ, "da"])
    r.run(["tc", "filter", "add", "dev", "v0", "egress", "pref", "7", "bpf", "object-pinned",
           P["tc_mark"], "da"])
    r.run(["tc", "qdisc", "add", "dev", "v1", "clsact"])
    r.run(["tc", "filter", "add", "dev", "v1", "egress", "bpf", "obj", "xdp_count.o", "sec",
           "xdp", "da"])
    bt("net", "show")
    bt("-j", "net", "show")
    bt("-p", "net", "show")
    bt("net", "show", "dev", "v0")
    bt("net", "show", "dev", "v1")
    bt("-j", "net", "show", "dev", "v1")
    bt("net", "show", "dev", "i0")
    # detach
    bt("net", "detach", "xdp", "dev", "v0")
    bt("net", "detach", "xdp", "dev", "v0")
    bt("net", "detach", "xdpdrv", "dev", "v1")
    bt("net", "show", "dev", "v1")
    bt("net", "detach", "xdpoffload", "dev", "v1")
    bt("net", "detach", "xdpgeneric", "dev", "v1")
    bt("net", "detach", "xdpgeneric", "dev", "v1")
    bt("net", "detach", "xdp", "dev", "i0")
    bt("net", "show", "dev", "i0")
    bt("net", "detach", "xdpgeneric", "dev", "i0")
    bt("net", "detach", "xdpoffload", "dev", "i0")
    bt("net", "detach", "xdpdrv", "dev", "i0")
    bt("net", "detach", "xdp", "dev", "nosuch")
    bt("-j", "net", "detach", "xdp", "dev", "nosuch")
    bt("net", "detach", "frob", "dev", "v0")
    bt("net", "detach", "xdp")
    bt("net", "detach", "xdp", "dev", "v0", "frob")
    bt("net", "detach")
    bt("net", "show")
    r.run(["tc", "qdisc", "del", "dev", "v0", "clsact"])
    r.run(["tc", "qdisc", "del", "dev", "v1", "clsact"])
    bt("net", "show")
    bt("-j", "net", "show")


def scen_cgroup(r: NetRecorder) -> dict:
    bt = lambda *a, **kw: r.run(["bpftool", *a], ns=None, **kw)  # noqa: E731
    cg = r.s.add_cgroup("")
    child = r.s.add_cgroup("child")
    grand = r.s.add_cgroup("child/grand")
    empty = r.s.add_cgroup("empty")
    for c in (cg, child, grand, empty):
        r.setup("cgroup", path=c)
    d = f"{PIN_ROOT}/cg"
    r.mkdir_pin(d)
    P = {}
    for name, obj in (("cg_allow", "cg_skb.o"), ("xdp_pass", "xdp_pass.o")):
        P[name] = f"{d}/{name}"
        bt("prog", "load", obj, P[name])
    bt("prog", "loadall", "ctx/ctx_cgskb.o", f"{d}/cgskb")
    bt("prog", "loadall", f"{NET_PROGS_REL}/cg_progs.o", f"{d}/cgp")
    ing, egr = f"{d}/cgskb/ctx_cg_ingress", f"{d}/cgskb/ctx_cg_egress"
    sock, dev = f"{d}/cgp/cg_sock", f"{d}/cgp/cg_dev"
    # empty cgroups
    bt("cgroup", "show", cg)
    bt("-j", "cgroup", "show", cg)
    bt("-p", "cgroup", "show", cg)
    bt("cgroup", "show", cg, "effective")
    bt("cgroup", "tree", cg)
    bt("-j", "cgroup", "tree", cg)
    bt("-p", "cgroup", "tree", cg)
    bt("cgroup", "list", cg)
    # attach with each flag
    bt("cgroup", "attach", cg, "ingress", "pinned", P["cg_allow"], "multi")
    bt("cgroup", "show", cg)
    bt("-j", "cgroup", "show", cg)
    bt("-p", "cgroup", "show", cg)
    bt("cgroup", "attach", cg, "ingress", "pinned", P["cg_allow"], "multi")
    bt("cgroup", "attach", cg, "ingress", "pinned", ing, "multi")
    bt("cgroup", "attach", cg, "ingress", "pinned", ing)
    bt("cgroup", "attach", cg, "ingress", "pinned", ing, "override")
    bt("cgroup", "attach", cg, "egress", "pinned", egr)
    bt("cgroup", "attach", cg, "egress", "pinned", P["cg_allow"])
    bt("cgroup", "show", cg)
    bt("cgroup", "attach", cg, "egress", "pinned", egr, "multi")
    bt("cgroup", "attach", cg, "sock_create", "pinned", sock)
    bt("cgroup", "attach", cg, "device", "pinned", dev, "override")
    bt("cgroup", "show", cg)
    bt("-j", "cgroup", "show", cg)
    bt("cgroup", "attach", child, "egress", "pinned", P["cg_allow"], "override")
    bt("cgroup", "attach", child, "ingress", "pinned", P["cg_allow"], "override")
    bt("cgroup", "attach", grand, "sock_create", "pinned", sock, "multi")
    bt("cgroup", "show", child)
    bt("cgroup", "show", child, "effective")
    bt("-j", "cgroup", "show", child, "effective")
    bt("cgroup", "show", grand, "effective")
    bt("cgroup", "show", empty, "effective")
    bt("cgroup", "tree", cg)
    bt("-j", "cgroup", "tree", cg)
    bt("-p", "cgroup", "tree", cg)
    bt("cgroup", "tree", cg, "effective")
    bt("-j", "cgroup", "tree", cg, "effective")
    bt("cgroup", "tree", child)
    # errors
    bt("cgroup", "attach", cg, "ingress", "pinned", P["xdp_pass"])
    bt("cgroup", "attach", cg, "sock_create", "pinned", P["cg_allow"])
    bt("cgroup", "attach", cg, "ingress", "pinned", P["cg_allow"], "frob")
    bt("cgroup", "attach", cg, "frob", "pinned", P["cg_allow"])
    bt("cgroup", "attach", cg, "ingress", "pinned", f"{d}/nope")
    bt("cgroup", "attach", f"{CG_ROOT}/nosuch", "ingress", "pinned", P["cg_allow"])
    bt("-j", "cgroup", "attach", f"{CG_ROOT}/nosuch", "ingress", "pinned", P["cg_allow"])
    bt("cgroup", "attach", cg, "ingress")
    bt("cgroup", "attach", cg)
    bt("cgroup", "show", f"{CG_ROOT}/nosuch")
    bt("-j", "cgroup", "show", f"{CG_ROOT}/nosuch")
    bt("cgroup", "show")
    bt("cgroup", "show", "/tmp")
    bt("cgroup", "tree", f"{CG_ROOT}/nosuch")
    bt("cgroup", "help")
    bt("cgroup", "frob")
    # detach
    bt("cgroup", "detach", cg, "ingress", "pinned", P["cg_allow"])
    bt("cgroup", "detach", cg, "ingress", "pinned", P["cg_allow"])
    bt("-j", "cgroup", "detach", cg, "ingress", "pinned", P["cg_allow"])
    bt("cgroup", "detach", cg, "egress", "pinned", P["xdp_pass"])
    bt("cgroup", "detach", cg, "egress", "pinned", egr)
    bt("cgroup", "detach", cg, "device", "pinned", dev)
    bt("cgroup", "detach", cg, "sock_create", "pinned", sock)
    bt("cgroup", "show", cg)
    bt("cgroup", "detach", cg, "ingress")
    bt("cgroup", "detach", empty, "ingress", "pinned", P["cg_allow"])
    bt("cgroup", "tree", cg)
    bt("cgroup", "detach", child, "egress", "pinned", P["cg_allow"])
    bt("cgroup", "detach", child, "ingress", "pinned", P["cg_allow"])
    bt("cgroup", "detach", grand, "sock_create", "pinned", sock)
    bt("cgroup", "detach", cg, "ingress", "pinned", ing)
    bt("cgroup", "detach", cg, "egress", "pinned", P["cg_allow"])
    bt("cgroup", "tree", cg)
    bt("-j", "cgroup", "tree", cg)
    return {"cgroups": [cg, child, grand, empty]}


def scen_link(r: NetRecorder) -> dict:
    r.netns("main", 1)
    bt = lambda *a, **kw: r.run(["bpftool", *a], **kw)  # noqa: E731
    r.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
    r.run(["ip", "link", "set", "dev", "v0", "up"])
    r.run(["ip", "link", "set", "dev", "v1", "up"])
    d = f"{PIN_ROOT}/lnk"
    P = pins(r, d, {"xdp_pass": "xdp_pass.o", "xdp_count": "xdp_count.o",
                    "cg_allow": "cg_skb.o", "tc_mark": "tc_cls.o"})
    L = {k: f"{d}/{k}" for k in ("xdp", "xdp2", "gen", "cg", "tcx", "busy")}
    # an XDP link (driver mode)
    r.link_create("xdp", P["xdp_pass"], "v0", L["xdp"])
    bt("link", "show", "pinned", L["xdp"])
    bt("-j", "link", "show", "pinned", L["xdp"])
    bt("-p", "link", "show", "pinned", L["xdp"])
    bt("-f", "link", "show", "pinned", L["xdp"])
    bt("link", "list", "pinned", L["xdp"])
    bt("net", "show")
    bt("-j", "net", "show")
    r.run(["ip", "link", "show", "dev", "v0"])
    r.run(["ip", "-d", "link", "show", "dev", "v0"])
    bt("net", "detach", "xdp", "dev", "v0")
    bt("-j", "net", "detach", "xdp", "dev", "v0")
    bt("net", "detach", "xdpdrv", "dev", "v0")
    bt("net", "detach", "xdpgeneric", "dev", "v0")
    bt("net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0")
    bt("net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0", "overwrite")
    bt("net", "attach", "xdpgeneric", "pinned", P["xdp_count"], "dev", "v0", "overwrite")
    r.run(["ip", "link", "set", "dev", "v0", "xdp", "off"])
    r.run(["ip", "-force", "link", "set", "dev", "v0", "xdp", "pinned", P["xdp_count"]])
    r.link_create("xdp", P["xdp_count"], "v0", L["busy"])
    bt("link", "pin", "pinned", L["xdp"], L["xdp2"])
    bt("link", "pin", "pinned", L["xdp"], L["xdp2"])
    bt("-f", "link", "show", "pinned", L["xdp"])
    bt("-j", "-f", "link", "show", "pinned", L["xdp"])
    bt("link", "detach", "pinned", L["xdp"])
    bt("link", "show", "pinned", L["xdp"])
    bt("-j", "link", "show", "pinned", L["xdp2"])
    bt("net", "show")
    r.run(["ip", "link", "show", "dev", "v0"])
    bt("link", "detach", "pinned", L["xdp"])
    bt("-j", "link", "detach", "pinned", L["xdp"])
    bt("net", "attach", "xdp", "pinned", P["xdp_count"], "dev", "v0")
    r.link_create("xdp", P["xdp_pass"], "v0", L["busy"],
                  )
    bt("net", "detach", "xdp", "dev", "v0")
    # a generic-mode link (XDP_FLAGS_SKB_MODE = 2)
    r.link_create("xdp", P["xdp_pass"], "v1", L["gen"], flags=2)
    bt("link", "show", "pinned", L["gen"])
    bt("net", "show")
    r.run(["ip", "link", "show", "dev", "v1"])
    r.run(["ip", "-j", "link", "show", "dev", "v1"])
    bt("net", "attach", "xdpdrv", "pinned", P["xdp_count"], "dev", "v1")
    # deleting the device leaves the link defunct
    r.run(["ip", "link", "del", "v1"])
    bt("link", "show", "pinned", L["gen"])
    bt("-j", "link", "show", "pinned", L["gen"])
    bt("link", "detach", "pinned", L["gen"])
    # tcx (kernel 6.6+; bpftool v7.1 predates it)
    r.run(["ip", "link", "add", "v2", "type", "veth", "peer", "name", "v3"])
    r.link_create("tcx_ingress", P["tc_mark"], "v2", L["tcx"])
    bt("link", "show", "pinned", L["tcx"])
    bt("-j", "link", "show", "pinned", L["tcx"])
    bt("net", "show")
    r.run(["tc", "filter", "show", "dev", "v2", "ingress"])
    r.run(["tc", "qdisc", "show", "dev", "v2"])
    bt("link", "detach", "pinned", L["tcx"])
    bt("link", "show", "pinned", L["tcx"])
    # a cgroup link
    cg = r.s.add_cgroup("lnk")
    r.setup("cgroup", path=cg)
    r.link_create("cgroup", P["cg_allow"], cg, L["cg"], attach="ingress", ns=None)
    bt("link", "show", "pinned", L["cg"])
    bt("-j", "link", "show", "pinned", L["cg"])
    bt("-p", "link", "show", "pinned", L["cg"])
    bt("cgroup", "show", cg, ns=None)
    bt("-j", "cgroup", "show", cg, ns=None)
    bt("cgroup", "tree", cg, ns=None)
    bt("cgroup", "attach", cg, "ingress", "pinned", P["cg_allow"], ns=None)
    bt("cgroup", "attach", cg, "ingress", "pinned", P["cg_allow"], "multi", ns=None)
    bt("cgroup", "show", cg, ns=None)
    bt("cgroup", "detach", cg, "ingress", "pinned", P["cg_allow"], ns=None)
    bt("cgroup", "detach", cg, "ingress", "pinned", P["cg_allow"], ns=None)
    bt("cgroup", "show", cg, ns=None)
    bt("link", "detach", "pinned", L["cg"])
    bt("link", "show", "pinned", L["cg"])
    bt("-j", "link", "show", "pinned", L["cg"])
    bt("cgroup", "show", cg, ns=None)
    # errors
    bt("link", "show", "pinned", f"{d}/nope")
    bt("-j", "link", "show", "pinned", f"{d}/nope")
    bt("link", "show", "pinned", P["xdp_pass"])
    bt("link", "show", "id", "99999999")
    bt("-j", "link", "show", "id", "99999999")
    bt("link", "detach", "id", "99999999")
    bt("link", "detach", "pinned", P["xdp_pass"])
    bt("link", "pin", "pinned", f"{d}/nope", f"{d}/x")
    bt("link", "show", "frob")
    bt("link", "detach")
    bt("link", "help")
    bt("link", "frob")
    bt("-j", "link", "frob")
    return {}


FEATURE_KERNEL = [
    ["feature", "probe", "kernel"],
    ["feature", "probe"],
    ["-j", "feature", "probe", "kernel"],
    ["-p", "feature", "probe", "kernel"],
    ["feature", "probe", "kernel", "full"],
    ["-j", "feature", "probe", "kernel", "full"],
    ["feature", "probe", "kernel", "unprivileged"],
    ["feature", "probe", "kernel", "macros"],
    ["feature", "probe", "kernel", "macros", "prefix", "FOO_"],
    ["feature", "probe", "kernel", "full", "macros", "prefix", "BPF_"],
    ["feature", "probe", "kernel", "macros", "prefix"],
    ["feature", "probe", "kernel", "frob"],
    ["feature", "list_builtins", "prog_types"],
    ["feature", "list_builtins", "map_types"],
    ["feature", "list_builtins", "attach_types"],
    ["feature", "list_builtins", "link_types"],
    ["feature", "list_builtins", "helpers"],
    ["-j", "feature", "list_builtins", "prog_types"],
    ["-p", "feature", "list_builtins", "link_types"],
    ["feature", "list_builtins", "frob"],
    ["feature", "list_builtins"],
    ["feature", "help"],
    ["feature", "frob"],
    ["feature"],
]


def scen_feature_kernel(r: NetRecorder) -> None:
    for argv in FEATURE_KERNEL:
        r.run(["bpftool", *argv], ns=None)


def scen_feature_dev(r: NetRecorder) -> None:
    r.netns("main", 1)
    bt = lambda *a, **kw: r.run(["bpftool", *a], **kw)  # noqa: E731
    r.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])
    r.run(["ip", "link", "add", "i0", "type", "ifb"])
    bt("feature", "probe", "dev", "v0")
    bt("-j", "feature", "probe", "dev", "v0")
    bt("-p", "feature", "probe", "dev", "v0")
    bt("feature", "probe", "dev", "v0", "full")
    bt("feature", "probe", "dev", "v0", "macros")
    bt("feature", "probe", "dev", "v0", "macros", "prefix", "NFP_")
    bt("feature", "probe", "dev", "i0")
    bt("feature", "probe", "dev", "lo")
    bt("feature", "probe", "dev", "nosuch")
    bt("-j", "feature", "probe", "dev", "nosuch")
    bt("feature", "probe", "dev")
    bt("feature", "probe", "dev", "v0", "unprivileged")
    bt("feature", "probe", "kernel", "dev", "v0")
