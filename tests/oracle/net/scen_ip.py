"""Scenarios for `ip link` (devices, XDP attachment, batch mode, usage texts)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from netrec import BATCH_REL, PIN_ROOT, NetRecorder  # noqa: E402


def _veth_up(r: NetRecorder, a: str = "v0", b: str = "v1", *, record: bool = True) -> None:
    run = r.run if record else r.quiet
    run(["ip", "link", "add", a, "type", "veth", "peer", "name", b])
    run(["ip", "link", "set", "dev", a, "up"])
    run(["ip", "link", "set", "dev", b, "up"])


def pins(r: NetRecorder, d: str, objs: dict[str, str]) -> dict[str, str]:
    """Load and pin objects with bpftool (recorded: the replay needs them)."""
    r.mkdir_pin(d)
    out = {}
    for name, obj in objs.items():
        p = f"{d}/{name}"
        rec = r.run(["bpftool", "prog", "load", obj, p])
        if rec["exit"]:
            raise RuntimeError(rec["stderr"])
        out[name] = p
    return out


def scen_ip_link(r: NetRecorder) -> None:
    """Devices: add/del/set/show in every output format, errors, usage texts."""
    r.netns("main", 1)
    ip = lambda *a, **kw: r.run(["ip", *a], **kw)  # noqa: E731
    ip("link", "show")
    ip("-j", "link", "show")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "add", "v2", "type", "veth", "peer", "name", "v1")
    ip("link", "add", "d0", "type", "dummy")
    ip("link", "add", "x", "type", "nfp")
    ip("link", "add", "i0", "type", "ifb")
    ip("link", "add", "br0", "type", "bridge")
    ip("link", "add", "name", "v3", "type", "veth", "peer", "v4")
    ip("link", "add", "a-name-longer-than-15", "type", "veth", "peer", "name", "v5")
    ip("link", "add", "type", "veth")
    ip("link", "add", "v6", "type", "veth", "peer", "name", "v6")
    ip("link")
    ip("link", "show")
    ip("link", "list")
    ip("-j", "link", "show")
    ip("-p", "-j", "link", "show")
    ip("-d", "link", "show")
    ip("-d", "-j", "link", "show")
    ip("-br", "link", "show")
    ip("-o", "link", "show")
    ip("link", "show", "dev", "v0")
    ip("link", "show", "v0")
    ip("link", "show", "dev", "lo")
    ip("-j", "link", "show", "dev", "v0")
    ip("-p", "-j", "link", "show", "dev", "v0")
    ip("-d", "link", "show", "dev", "v0")
    ip("-d", "-j", "link", "show", "dev", "v0")
    ip("-p", "-j", "-d", "link", "show", "dev", "i0")
    ip("-d", "link", "show", "dev", "i0")
    ip("-d", "link", "show", "dev", "br0")
    ip("link", "show", "dev", "nosuch")
    ip("-j", "link", "show", "dev", "nosuch")
    ip("link", "show", "type", "veth")
    ip("link", "show", "up")
    # state and mtu
    ip("link", "set", "dev", "v0", "up")
    ip("link", "show", "dev", "v0")
    ip("link", "show", "dev", "v1")
    ip("link", "set", "v1", "up")
    ip("link", "show", "dev", "v0")
    ip("-j", "link", "show", "dev", "v0")
    ip("link", "set", "dev", "nosuch", "up")
    ip("link", "set", "dev", "v0", "mtu", "9000")
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "mtu", "70000")
    ip("link", "set", "dev", "v0", "mtu", "10")
    ip("link", "set", "dev", "v0", "mtu", "frob")
    ip("link", "set", "dev", "v0", "mtu", "1500")
    ip("link", "set", "dev", "i0", "up")
    ip("link", "show", "dev", "i0")
    ip("link", "set", "dev", "v0", "down")
    ip("link", "show", "dev", "v0")
    ip("link", "show", "dev", "v1")
    ip("link", "set", "dev", "v0", "up")
    ip("-s", "link", "show", "dev", "lo")
    ip("-j", "-s", "link", "show", "dev", "lo")
    # errors and usage
    ip("link", "set")
    ip("link", "set", "dev")
    ip("link", "set", "dev", "v0")
    ip("link", "set", "dev", "v0", "frob")
    ip("link", "add")
    ip("link", "del")
    ip("link", "del", "nosuch")
    ip("link", "del", "dev", "nosuch")
    ip("link", "frob")
    ip("frob")
    ip("-j", "frob")
    ip("-frob", "link", "show")
    ip("help")
    ip("link", "help")
    ip("-h")
    ip("-V")
    ip("link", "set", "dev", "v0", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "frob")
    ip("link", "set", "dev", "v0", "xdp", "help")
    ip("link", "set", "dev", "v0", "xdp", "obj")
    # -n NETNS from outside the namespace (the way cli-surface.md recorded); a missing one
    ip("-n", r.s.netns["main"], "link", "show", "dev", "v0", ns=None)
    ip("-n", r.s.netns["main"], "-j", "link", "show", "dev", "v1", ns=None)
    ip("-n", "pybpf-orc-nosuch", "link", "show", ns=None)
    r.run(["tc", "-n", "pybpf-orc-nosuch", "qdisc", "show"], ns=None)
    # deletion: one end of a pair takes the other with it
    ip("link", "del", "v3")
    ip("link", "show", "dev", "v4")
    ip("link", "del", "dev", "i0")
    ip("link", "del", "br0")
    ip("link", "show")
    ip("link", "del", "v0")
    ip("link", "show")
    ip("-j", "link", "show")
    # ifindexes are not reused
    ip("link", "add", "v0", "type", "veth", "peer", "name", "v1")
    ip("link", "show")


def scen_ip_xdp(r: NetRecorder) -> None:
    """XDP via ip: every mode, show formats, conflicts, -force, detach, errors."""
    r.netns("main", 1)
    ip = lambda *a, **kw: r.run(["ip", *a], **kw)  # noqa: E731
    _veth_up(r)
    ip("link", "add", "i0", "type", "ifb")
    P = pins(r, f"{PIN_ROOT}/ipx", {"xdp_pass": "xdp_pass.o", "xdp_count": "xdp_count.o",
                                     "tc_mark": "tc_cls.o"})
    # driver mode
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "show", "dev", "v0")
    ip("link", "show")
    ip("-j", "link", "show", "dev", "v0")
    ip("-p", "-j", "link", "show", "dev", "v0")
    ip("-d", "link", "show", "dev", "v0")
    ip("-d", "-j", "link", "show", "dev", "v0")
    ip("-p", "-j", "-d", "link", "show", "dev", "v0")
    ip("-br", "link", "show", "dev", "v0")
    ip("-o", "link", "show", "dev", "v0")
    r.run(["bpftool", "net", "show"])
    # conflicts
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdpdrv", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdpgeneric", "obj", "xdp_count.o", "sec", "xdp")
    ip("-force", "link", "set", "dev", "v0", "xdpgeneric", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "pinned", P["xdp_pass"])
    ip("-force", "link", "set", "dev", "v0", "xdp", "pinned", P["xdp_pass"])
    ip("link", "show", "dev", "v0")
    ip("-force", "link", "set", "dev", "v0", "xdpdrv", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "show", "dev", "v0")
    ip("-j", "link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "none")
    ip("link", "set", "dev", "v0", "xdpdrv", "off")
    # generic mode
    ip("link", "set", "dev", "v0", "xdpgeneric", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "show", "dev", "v0")
    ip("-j", "link", "show", "dev", "v0")
    ip("-d", "link", "show", "dev", "v0")
    ip("-d", "-j", "link", "show", "dev", "v0")
    r.run(["bpftool", "net", "show"])
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdpdrv", "pinned", P["xdp_pass"])
    ip("-force", "link", "set", "dev", "v0", "xdpdrv", "pinned", P["xdp_pass"])
    ip("link", "set", "dev", "v0", "xdpgeneric", "pinned", P["xdp_pass"])
    ip("-force", "link", "set", "dev", "v0", "xdpgeneric", "pinned", P["xdp_pass"])
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "xdp", "off",
       note="plain `xdp off` asks for driver mode: the generic program stays")
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "xdpgeneric", "off")
    ip("link", "show", "dev", "v0")
    # both ends, different modes
    ip("link", "set", "dev", "v1", "xdpgeneric", "pinned", P["xdp_count"])
    ip("link", "set", "dev", "v0", "xdpdrv", "pinned", P["xdp_count"])
    ip("link", "show")
    ip("-j", "link", "show")
    r.run(["bpftool", "net", "show"])
    r.run(["bpftool", "-j", "net", "show"])
    ip("link", "set", "dev", "v1", "xdpgeneric", "none")
    ip("link", "set", "dev", "v0", "xdpdrv", "none")
    # offload: no device here can offload
    ip("link", "set", "dev", "v0", "xdpoffload", "obj", "xdp_count.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdpoffload", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdpoffload", "pinned", P["xdp_pass"])
    ip("link", "set", "dev", "v0", "xdpoffload", "off")
    ip("link", "set", "dev", "i0", "xdpoffload", "pinned", P["xdp_pass"])
    # a device without native XDP (ifb): xdpdrv fails, plain xdp falls back to generic
    ip("link", "set", "dev", "i0", "xdpdrv", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "i0", "xdpdrv", "pinned", P["xdp_pass"])
    ip("link", "set", "dev", "i0", "xdp", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "show", "dev", "i0")
    ip("-j", "link", "show", "dev", "i0")
    ip("link", "set", "dev", "i0", "xdp", "off")
    ip("link", "show", "dev", "i0")
    # object and section errors
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_pass.o")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_pass.o", "sec", "nosuch")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_pass.o", "section", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "object", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "obj", "nosuch.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "obj", "Makefile", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "obj", "tc_cls.o", "sec", "tc")
    ip("link", "set", "dev", "v0", "xdp", "obj", "bad.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_legacy_map.o", "sec", "xdp")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_tail_call.o", "sec", "xdp")
    ip("link", "show", "dev", "v0")
    ip("-force", "link", "set", "dev", "v0", "xdp", "obj", "xdp_tail_call.o", "program",
       "xdp_stage_ip")
    ip("link", "show", "dev", "v0")
    ip("-force", "link", "set", "dev", "v0", "xdp", "obj", "xdp_tail_call.o", "program",
       "nosuch")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_count.o", "sec", "xdp", "verbose")
    ip("link", "set", "dev", "v0", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "pinned", P["tc_mark"])
    ip("link", "set", "dev", "v0", "xdp", "pinned", f"{PIN_ROOT}/ipx/nope")
    ip("link", "set", "dev", "v0", "xdp", "pinned", f"{PIN_ROOT}/ipx")
    ip("link", "set", "dev", "v0", "xdp", "pinned", P["xdp_pass"], via="exec",
       note="ip netns exec hides the host bpffs")
    ip("link", "set", "dev", "nosuch", "xdp", "obj", "xdp_pass.o", "sec", "xdp")
    ip("link", "set", "dev", "nosuch", "xdp", "pinned", P["xdp_pass"])
    ip("link", "set", "dev", "nosuch", "xdp", "off")
    ip("link", "set", "dev", "v0", "xdp", "obj", "xdp_pass.o", "sec", "xdp", "frob")
    # attach, then bring the device down/up and change the mtu with a program attached
    ip("link", "set", "dev", "v0", "xdp", "pinned", P["xdp_pass"])
    ip("link", "set", "dev", "v0", "mtu", "9000")
    ip("link", "set", "dev", "v0", "mtu", "3000")
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "down")
    ip("link", "show", "dev", "v0")
    ip("link", "set", "dev", "v0", "mtu", "1500", "up")
    ip("link", "show", "dev", "v0")
    # deleting a device releases its program (the pinned one survives)
    ip("link", "del", "v0")
    r.run(["bpftool", "prog", "show", "pinned", P["xdp_pass"]])
    r.run(["bpftool", "net", "show"])


def scen_ip_batch(r: NetRecorder) -> None:
    """`ip -batch FILE` / `-force -batch`, stdin, -j per line."""
    r.netns("main", 1)
    ip = lambda *a, **kw: r.run(["ip", *a], **kw)  # noqa: E731
    _veth_up(r)
    b = BATCH_REL
    ip("-batch", f"{b}/ipb.txt")
    ip("link", "show", "dev", "v1")
    ip("link", "set", "dev", "v1", "xdp", "off")
    ip("-force", "-batch", f"{b}/ipb.txt")
    ip("link", "show", "dev", "v1")
    ip("-j", "-batch", f"{b}/ipb_show.txt")
    ip("-batch", f"{b}/ipb_show.txt")
    ip("-batch", f"{b}/ipb_errors.txt")
    ip("-force", "-batch", f"{b}/ipb_errors.txt")
    ip("-batch", f"{b}/nosuch.txt")
    ip("-batch", "-", stdin="link show dev v0\nlink show dev nosuch\nlink show dev v1\n")
    ip("-force", "-batch", "-", stdin="link frob\nlink show dev v1\n")
    ip("-batch")
