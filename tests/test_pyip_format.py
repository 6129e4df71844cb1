"""pyip/pytc output and parsing helpers on inputs the reference machine cannot produce
(it has no offload-capable device, so no XDP multi mode, HW mode, in_hw filters or NIC
details) and on iproute2's small parsers. The expected texts follow iproute2 6.1's print
code (ip/iplink_xdp.c xdp_dump, ip/ipaddress.c print_linkinfo and print_stats64,
tc/f_bpf.c bpf_print_opt); everything the real tools could print is compared with
recordings in tests/test_pyip_oracle.py instead.
"""

from __future__ import annotations

import io
import sys

import pytest

from pyip import json_print as J
from pyip import utils as U
from pytc import tc_util as T

R = pytest.importorskip("pykernel.uapi.rtnl")


def capture(fn, *args, json: bool = False, pretty: bool = False) -> str:  # noqa: ANN001
    buf = io.StringIO()
    saved = sys.stdout
    sys.stdout = buf
    try:
        J.configure(json, pretty)
        J.new_json_obj()
        fn(*args)
        J.delete_json_obj()
    finally:
        sys.stdout = saved
        J.configure(False, False)
    return buf.getvalue()


def _in_object(fn):  # noqa: ANN001, ANN202
    """What the listing does around print_linkinfo: one JSON object per device."""
    def run(*args):  # noqa: ANN002, ANN202
        J.open_json_object(None)
        fn(*args)
        J.close_json_object()

    return run


@pytest.fixture
def fake_kernel(monkeypatch):  # noqa: ANN001, ANN201
    """Program info and device names without a kernel: prog N is called pN."""
    from pyip import bpf, link, rtnl

    def dump_prog_info(prog_id: int, details: bool) -> bool:
        J.open_json_object("prog")
        J.print_uint(J.ANY, "id", "id %d ", prog_id)
        J.print_string(J.ANY, "name", "name %s ", f"p{prog_id}")
        J.print_string(J.ANY, "tag", "tag %s ", "0011223344556677")
        J.print_uint(J.JSON, "jited", None, 1)
        if not J.is_json_context():
            J._text("jited ", None)
        J.close_json_object()
        return True

    monkeypatch.setattr(bpf, "dump_prog_info", dump_prog_info)
    monkeypatch.setattr(rtnl, "index_to_name", lambda i: {1: "lo", 2: "nfp0"}.get(i, f"if{i}"))
    monkeypatch.setattr(rtnl, "index_to_flags", lambda i: R.IFF_UP)
    for k in ("details", "stats"):
        monkeypatch.setattr(link.opts, k, 0)
    return link


def nic(**kw) -> object:  # noqa: ANN003
    base = dict(ifindex=2, ifname="nfp0", flags=R.IFF_BROADCAST | R.IFF_MULTICAST | R.IFF_UP
                | R.IFF_RUNNING | R.IFF_LOWER_UP, mtu=1500, min_mtu=68, max_mtu=9216, qdisc="mq",
                operstate=R.IF_OPER_UP, address=bytes.fromhex("000015aabbcc"), num_tx_queues=4,
                num_rx_queues=4, phys_port_name="p0", parent_bus="pci", parent_dev="0000:02:00.0")
    base.update(kw)
    return R.IfInfo(**base)


def test_xdp_multi_mode_prints_one_line_per_mode(fake_kernel) -> None:  # noqa: ANN001
    info = nic(xdp=R.XdpInfo(attached=R.XDP_ATTACHED_MULTI, drv_prog_id=5, hw_prog_id=6))
    text = capture(fake_kernel.print_linkinfo, info, fake_kernel.Filter())
    assert text == (
        "2: nfp0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 xdpmulti qdisc mq state UP mode DEFAULT "
        "group default qlen 1000\n"
        "    link/ether 00:00:15:aa:bb:cc brd ff:ff:ff:ff:ff:ff\n"
        "    prog/xdpdrv id 5 name p5 tag 0011223344556677 jited \n"
        "    prog/xdpoffload id 6 name p6 tag 0011223344556677 jited \n")
    js = capture(_in_object(fake_kernel.print_linkinfo), info, fake_kernel.Filter(), json=True)
    assert '"xdp":{"mode":4,"attached":[{"mode":1,"prog":{"id":5,' in js
    assert '},{"mode":3,"prog":{"id":6,"name":"p6"' in js


def test_xdp_offload_mode_word_and_nic_details(fake_kernel, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(fake_kernel.opts, "details", 1)
    info = nic(xdp=R.XdpInfo(attached=R.XDP_ATTACHED_HW, prog_id=6, hw_prog_id=6))
    text = capture(fake_kernel.print_linkinfo, info, fake_kernel.Filter())
    first, second, third = text.splitlines()
    assert " mtu 1500 xdpoffload qdisc mq " in first
    assert second.endswith("gro_max_size 65536 portname p0 parentbus pci parentdev 0000:02:00.0 ")
    assert third == "    prog/xdp id 6 name p6 tag 0011223344556677 jited "
    js = capture(_in_object(fake_kernel.print_linkinfo), info, fake_kernel.Filter(), json=True)
    assert js.endswith('"gro_max_size":65536,"phys_port_name":"p0","parentbus":"pci",'
                       '"parentdev":"0000:02:00.0"}]\n')


def test_stats_columns_widen_for_big_counters(fake_kernel, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(fake_kernel.opts, "stats", 1)
    info = nic(stats=R.LinkStats(rx_bytes=123456789012, rx_packets=12345678901, tx_bytes=5))
    lines = capture(fake_kernel.print_linkinfo, info, fake_kernel.Filter()).splitlines()
    # the first two columns grow to the widest number (12 and 11 digits)
    assert lines[2] == "    RX:    bytes     packets errors dropped  missed   mcast           "
    assert lines[3] == "    123456789012 12345678901      0       0       0       0 "
    assert lines[5] == "               5           0      0       0       0       0 "


def test_filter_in_hw_and_skip_sw() -> None:
    from pytc import filter as F

    b = R.BpfFilterInfo(name="tc_cls.o:[tc]", flags=R.TCA_BPF_FLAG_ACT_DIRECT,
                        gen_flags=R.TCA_CLS_FLAGS_SKIP_SW | R.TCA_CLS_FLAGS_IN_HW, prog_id=0,
                        prog_tag=bytes.fromhex("ec27583e231bd0d0"), in_hw_count=1)
    text = capture(F.bpf_print_opt, b, 1)
    assert text == ("handle 0x1 tc_cls.o:[tc] direct-action skip_sw in_hw in_hw_count 1 "
                    "tag ec27583e231bd0d0 ")


def test_pretty_json_layout() -> None:
    def body() -> None:
        J.open_json_object(None)
        J.print_string(J.ANY, "a", None, 'q"\\\t')
        J.open_json_array(J.ANY, "e")
        J.close_json_array(J.ANY, None)
        J.open_json_array(J.ANY, "l")
        J.print_uint(J.ANY, None, None, 1)
        J.print_uint(J.ANY, None, None, 2)
        J.close_json_array(J.ANY, None)
        J.open_json_object("o")
        J.close_json_object()
        J.close_json_object()

    assert capture(body, json=True) == '[{"a":"q\\"\\\\\\t","e":[],"l":[1,2],"o":{}}]\n'
    assert capture(body, json=True, pretty=True) == (
        '[ {\n        "a": "q\\"\\\\\\t",\n        "e": [ ],\n        "l": [ 1,2 ],\n'
        '        "o": {}\n    } ]\n')


@pytest.mark.parametrize(("word", "val"), [("10", 10), ("0x10", 16), ("010", 8), (" 7", 7), ("-3", -3),
                                           ("", None), ("1x", None), ("0x", None), ("2147483648", None)])
def test_get_integer(word: str, val: int | None) -> None:
    assert U.get_integer(word) == val


@pytest.mark.parametrize(("word", "val"), [("5", 5), ("-1", None), ("4294967295", 4294967295),
                                           ("4294967296", None), ("0x1f", 31)])
def test_get_u32(word: str, val: int | None) -> None:
    assert U.get_u32(word) == val


def test_ll_addr_a2n_messages(capsys) -> None:  # noqa: ANN001
    assert U.ll_addr_a2n("02:00:0a:0b:0c:0d") == bytes.fromhex("02000a0b0c0d")
    assert U.ll_addr_a2n("2:0:a:b:c:d") == bytes.fromhex("02000a0b0c0d")
    assert U.ll_addr_a2n("02:zz:00") is None
    assert U.ll_addr_a2n("100:00") is None
    assert capsys.readouterr().err == '"zz" is invalid lladdr.\n"100" is invalid lladdr.\n'


@pytest.mark.parametrize(("word", "val"), [("root", 0xFFFFFFFF), ("none", 0), ("ffff:", 0xFFFF0000),
                                           ("1:2", 0x10002), (":5", 5), ("ffff:fff2", 0xFFFFFFF2),
                                           ("10000:1", None), ("1:2:3", None), ("x", None), ("12", 0x12)])
def test_tc_classid(word: str, val: int | None) -> None:
    assert T.get_tc_classid(word) == val
    if val not in (None, 0x12):
        assert T.get_tc_classid(T.print_tc_classid(val)) == val


@pytest.mark.parametrize(("n", "text"), [(0, "0b"), (1000, "1000b"), (2048, "2Kb"), (2050, "2Kb"),
                                         (3 << 20, "3Mb"), (1025 * 1024 + 5, "1025Kb")])
def test_sprint_size(n: int, text: str) -> None:
    assert T.sprint_size(n) == text


def test_ll_proto_names() -> None:
    assert [T.ll_proto_n2a(p) for p in (3, 0x800, 0x86DD, 0x8100, 0x1234)] == [
        "all", "ip", "ipv6", "802.1Q", "[4660]"]
    assert [T.ll_proto_a2n(w) for w in ("all", "IP", "ipv4", "0x88cc", "frob")] == [3, 0x800, 0x800, 0x88CC, None]


def test_batch_line_reader() -> None:
    lines: list[str | None] = []
    count = [0]
    src = io.StringIO('a b # c\n\\\n\n  x "y z" \'w\'\\\nq\n')
    lines = list(U.getcmdlines(src, count))
    assert [U.makeargs(line or "") for line in lines] == [["a", "b"], [], ["x", "y z", "w", "q"]]
    assert count == [5]  # physical lines, continuations included
