"""Scenarios for `tc` (clsact/ingress qdiscs, bpf filters, batch mode, usage texts)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from netrec import BATCH_REL, PIN_ROOT, NetRecorder  # noqa: E402
from scen_ip import pins  # noqa: E402

OBJ = ["obj", "tc_cls.o", "sec", "tc"]


def _veth(r: NetRecorder) -> None:
    r.run(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"])


def scen_tc_qdisc(r: NetRecorder) -> None:
    r.netns("main", 1)
    tc = lambda *a, **kw: r.run(["tc", *a], **kw)  # noqa: E731
    tc("qdisc", "show")
    _veth(r)
    r.run(["ip", "link", "add", "i0", "type", "ifb"])
    tc("qdisc", "show")
    tc("qdisc", "show", "dev", "v0")
    r.run(["ip", "link", "set", "dev", "v0", "up"])
    r.run(["ip", "link", "set", "dev", "v1", "up"])
    tc("qdisc", "show")
    tc("qdisc", "show", "dev", "v0")
    tc("-j", "qdisc", "show", "dev", "v0")
    tc("qdisc", "add", "dev", "v0", "clsact")
    tc("qdisc", "add", "dev", "v0", "clsact")
    tc("qdisc", "add", "dev", "v0", "ingress")
    tc("qdisc", "replace", "dev", "v0", "clsact")
    tc("qdisc", "show")
    tc("qdisc", "show", "dev", "v0")
    tc("qdisc", "list", "dev", "v0")
    tc("-j", "qdisc", "show", "dev", "v0")
    tc("-p", "-j", "qdisc", "show", "dev", "v0")
    tc("-s", "qdisc", "show", "dev", "v0")
    tc("-s", "-j", "qdisc", "show", "dev", "v0")
    tc("-d", "qdisc", "show", "dev", "v0")
    tc("qdisc", "show", "dev", "v0", "ingress")
    tc("qdisc", "show", "dev", "v0", "clsact")
    tc("qdisc", "show", "dev", "nosuch")
    tc("qdisc", "add", "dev", "v1", "ingress")
    tc("qdisc", "add", "dev", "v1", "clsact")
    tc("qdisc", "add", "dev", "v1", "ingress")
    tc("qdisc", "show")
    tc("qdisc", "show", "dev", "v1")
    tc("-j", "qdisc", "show", "dev", "v1")
    tc("-s", "qdisc", "show", "dev", "v1")
    tc("qdisc", "add", "dev", "i0", "clsact")
    tc("qdisc", "show", "dev", "i0")
    tc("qdisc", "show", "dev", "lo")
    r.run(["ip", "link", "set", "dev", "lo", "up"])
    tc("qdisc", "show", "dev", "lo")
    # deletion and its errors
    tc("qdisc", "del", "dev", "v0", "clsact")
    tc("qdisc", "del", "dev", "v0", "clsact")
    tc("qdisc", "del", "dev", "v0", "ingress")
    tc("qdisc", "del", "dev", "v1", "clsact")
    tc("qdisc", "del", "dev", "v1", "ingress")
    tc("qdisc", "del", "dev", "v1", "ingress")
    tc("qdisc", "del", "dev", "v0", "root")
    tc("qdisc", "show", "dev", "v0")
    tc("qdisc", "add", "dev", "v0", "ingress")
    tc("qdisc", "del", "dev", "v0", "clsact")
    tc("qdisc", "del", "dev", "v0", "ingress")
    tc("qdisc", "add", "dev", "nosuch", "clsact")
    tc("qdisc", "del", "dev", "nosuch", "clsact")
    tc("qdisc", "add", "dev", "v0")
    tc("qdisc", "add", "clsact")
    tc("qdisc", "add", "dev", "v0", "frob")
    tc("qdisc", "frob")
    tc("frob")
    tc("-j", "frob")
    tc("help")
    tc("qdisc", "help")
    tc("filter", "help")
    tc("-V")
    tc("qdisc", "add", "dev", "v0", "clsact", "help")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "help")
    tc("qdisc", "add", "dev", "v0", "clsact")
    r.run(["ip", "link", "del", "v0"])
    tc("qdisc", "show")


def scen_tc_filter(r: NetRecorder) -> None:
    r.netns("main", 1)
    tc = lambda *a, **kw: r.run(["tc", *a], **kw)  # noqa: E731
    _veth(r)
    r.run(["ip", "link", "set", "dev", "v0", "up"])
    r.run(["ip", "link", "set", "dev", "v1", "up"])
    P = pins(r, f"{PIN_ROOT}/tcf", {"tc_mark": "tc_cls.o", "xdp_pass": "xdp_pass.o"})
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", *OBJ, "da")
    tc("qdisc", "add", "dev", "v0", "clsact")
    tc("filter", "show", "dev", "v0", "ingress")
    tc("-j", "filter", "show", "dev", "v0", "ingress")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", *OBJ, "da")
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "da", *OBJ)
    tc("filter", "add", "dev", "v0", "ingress", "pref", "5", "handle", "7", "bpf", "da", *OBJ)
    tc("filter", "add", "dev", "v0", "ingress", "pref", "5", "handle", "7", "bpf", "da", *OBJ)
    tc("filter", "add", "dev", "v0", "ingress", "pref", "5", "handle", "8", "bpf",
       "direct-action", "object-file", "tc_cls.o", "section", "tc")
    tc("filter", "add", "dev", "v0", "ingress", "pref", "5", "bpf", "da", *OBJ)
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "show", "dev", "v0", "ingress", "pref", "5")
    tc("filter", "show", "dev", "v0", "ingress", "pref", "5", "handle", "8", "bpf")
    tc("filter", "get", "dev", "v0", "ingress", "pref", "5", "handle", "8", "protocol", "all",
       "bpf")
    tc("-j", "filter", "show", "dev", "v0", "ingress")
    tc("-p", "-j", "filter", "show", "dev", "v0", "ingress")
    tc("-s", "filter", "show", "dev", "v0", "ingress")
    tc("-d", "filter", "show", "dev", "v0", "ingress")
    tc("-s", "-d", "-j", "filter", "show", "dev", "v0", "ingress")
    tc("filter", "show", "dev", "v0")
    tc("filter", "show", "dev", "v0", "egress")
    tc("filter", "show", "dev", "v0", "parent", "ffff:fff2")
    tc("filter", "show", "dev", "v0", "parent", "ffff:fff1")
    # variants: classic (no da), skip flags, protocol, pinned, tc forcing sched_cls
    tc("filter", "add", "dev", "v0", "egress", "pref", "10", "bpf", *OBJ, "direct-action",
       "skip_hw")
    tc("filter", "add", "dev", "v0", "egress", "pref", "11", "bpf", *OBJ, "da", "skip_sw")
    tc("filter", "add", "dev", "v0", "egress", "pref", "12", "bpf", *OBJ, "da", "skip_sw",
       "skip_hw")
    tc("filter", "add", "dev", "v0", "egress", "pref", "13", "bpf", *OBJ)
    tc("filter", "add", "dev", "v0", "egress", "pref", "14", "bpf", *OBJ, "classid", "1:1")
    tc("filter", "add", "dev", "v0", "egress", "pref", "15", "protocol", "ip", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v0", "egress", "pref", "16", "bpf", "obj", "xdp_count.o",
       "sec", "xdp", "da")
    tc("filter", "add", "dev", "v0", "egress", "pref", "17", "bpf", "object-pinned",
       P["tc_mark"], "da")
    tc("filter", "add", "dev", "v0", "egress", "pref", "18", "bpf", "object-pinned",
       P["tc_mark"])
    tc("filter", "add", "dev", "v0", "egress", "pref", "19", "bpf", "object-pinned",
       P["xdp_pass"], "da")
    tc("filter", "add", "dev", "v0", "egress", "pref", "20", "bpf", "object-pinned",
       f"{PIN_ROOT}/tcf/nope", "da")
    tc("filter", "add", "dev", "v0", "egress", "pref", "21", "bpf", "object-pinned",
       P["tc_mark"], "da", via="exec", note="ip netns exec hides the host bpffs")
    tc("filter", "add", "dev", "v0", "egress", "pref", "22", "bpf", "bytecode",
       "1,6 0 0 4294967295,", "classid", "1:2")
    tc("filter", "add", "dev", "v0", "egress", "pref", "23", "bpf", *OBJ, "da", "verbose")
    tc("filter", "add", "dev", "v0", "egress", "pref", "23", "bpf", *OBJ, "verbose", "da")
    tc("filter", "show", "dev", "v0", "egress")
    tc("-j", "filter", "show", "dev", "v0", "egress")
    tc("-d", "filter", "show", "dev", "v0", "egress")
    r.run(["bpftool", "net", "show"])
    r.run(["bpftool", "-j", "net", "show"])
    r.run(["bpftool", "-p", "net", "show", "dev", "v0"])
    # object errors
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "tc_cls.o", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "tc_cls.o", "sec", "nosuch", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "nosuch.o", "sec", "tc", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "Makefile", "sec", "tc", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "bad.o", "sec", "xdp", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "obj", "tc_skb_fields.o", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", "da")
    tc("filter", "add", "dev", "v0", "ingress", "bpf", *OBJ, "frob")
    tc("filter", "add", "dev", "v0", "ingress", "pref", "0x10000", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v0", "ingress", "handle", "frob", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v0", "frob", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v1", "ingress", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "nosuch", "ingress", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v0", "ingress", "frob", *OBJ, "da")
    tc("filter", "show", "dev", "v1", "ingress")
    tc("filter", "show", "dev", "nosuch", "ingress")
    # replace
    tc("filter", "replace", "dev", "v0", "ingress", "pref", "5", "handle", "7", "bpf", "da",
       "obj", "xdp_count.o", "sec", "xdp")
    tc("filter", "replace", "dev", "v0", "ingress", "pref", "6", "handle", "1", "bpf", "da", *OBJ)
    tc("filter", "show", "dev", "v0", "ingress")
    # deletion
    tc("filter", "del", "dev", "v0", "ingress", "pref", "5", "handle", "7", "bpf")
    tc("filter", "del", "dev", "v0", "ingress", "pref", "5", "handle", "7", "bpf")
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "del", "dev", "v0", "ingress", "pref", "5")
    tc("filter", "del", "dev", "v0", "ingress", "pref", "5")
    tc("filter", "del", "dev", "v0", "ingress", "handle", "1", "bpf")
    tc("filter", "del", "dev", "v0", "ingress", "pref", "49152", "handle", "9", "bpf")
    tc("filter", "del", "dev", "v0", "ingress", "pref", "49152", "handle", "1")
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "del", "dev", "v0", "ingress")
    tc("filter", "show", "dev", "v0", "ingress")
    tc("filter", "del", "dev", "v0", "ingress")
    tc("filter", "del", "dev", "v1", "ingress")
    tc("filter", "del", "dev", "nosuch", "ingress")
    r.run(["bpftool", "net", "show"])
    tc("filter", "del", "dev", "v0", "egress", "pref", "22")
    tc("qdisc", "del", "dev", "v0", "clsact")
    tc("filter", "show", "dev", "v0", "egress")
    r.run(["bpftool", "net", "show"])
    # the ingress qdisc: filters hang off ffff:, there is no egress
    tc("qdisc", "add", "dev", "v1", "ingress")
    tc("filter", "add", "dev", "v1", "ingress", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v1", "parent", "ffff:", "pref", "3", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v1", "egress", "bpf", *OBJ, "da")
    tc("filter", "show", "dev", "v1", "ingress")
    tc("filter", "show", "dev", "v1", "parent", "ffff:")
    tc("filter", "show", "dev", "v1")
    tc("-j", "filter", "show", "dev", "v1", "ingress")
    tc("filter", "show", "dev", "v1", "egress")
    r.run(["bpftool", "net", "show"])
    r.run(["bpftool", "-j", "net", "show"])
    tc("qdisc", "del", "dev", "v1", "ingress")
    r.run(["bpftool", "net", "show"])
    # many filters: automatic prefs count down from 49152
    tc("qdisc", "add", "dev", "v1", "clsact")
    for _ in range(4):
        tc("filter", "add", "dev", "v1", "egress", "bpf", *OBJ, "da")
    tc("filter", "add", "dev", "v1", "egress", "pref", "49151", "bpf", *OBJ, "da")
    tc("filter", "show", "dev", "v1", "egress")
    tc("filter", "del", "dev", "v1", "egress", "pref", "49150")
    tc("filter", "add", "dev", "v1", "egress", "bpf", *OBJ, "da")
    tc("filter", "show", "dev", "v1", "egress")
    r.run(["ip", "link", "del", "v1"])
    r.run(["bpftool", "net", "show"])


def scen_tc_batch(r: NetRecorder) -> None:
    r.netns("main", 1)
    tc = lambda *a, **kw: r.run(["tc", *a], **kw)  # noqa: E731
    _veth(r)
    b = BATCH_REL
    tc("-batch", f"{b}/tcb.txt")
    tc("qdisc", "show", "dev", "v0")
    tc("qdisc", "del", "dev", "v0", "clsact")
    tc("-force", "-batch", f"{b}/tcb.txt")
    tc("qdisc", "show", "dev", "v0")
    tc("-j", "-batch", f"{b}/tcb_show.txt")
    tc("-batch", f"{b}/tcb_show.txt")
    tc("-batch", f"{b}/tcb_errors.txt")
    tc("-force", "-batch", f"{b}/tcb_errors.txt")
    tc("-batch", f"{b}/nosuch.txt")
    tc("-batch", "-", stdin="qdisc show dev v0\nfilter show dev v0 ingress\n")
    tc("-batch")
