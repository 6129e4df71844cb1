"""Helper plumbing without a kernel: the registry's import-time checks, the call tables,
bpf_trace_printk's formatter (against lines the oracle's trace_pipe printed) and the
checksum arithmetic (against known-good Internet checksums)."""

from __future__ import annotations

import struct

import pytest

from pykernel.interp.helpers import csum as C
from pykernel.interp.helpers import registry as R
from pykernel.interp.helpers.trace import FormatError, bprintf
from pykernel.kallsyms import SYMBOL_IMM
from pykernel.uapi import helpers as H


def test_unknown_helpers_fail_at_registration() -> None:
    with pytest.raises(LookupError, match="no helper"):
        R.helper("no_such_helper")
    with pytest.raises(LookupError, match="no helper"):
        R.helper(9999)
    with pytest.raises(LookupError, match="not a function of helper"):
        R.helper("redirect", func="bpf_skb_store_bytes")
    with pytest.raises(LookupError, match="no call target"):
        R.kernel_func("not_a_kernel_symbol")
    with pytest.raises(LookupError, match="registered twice"):
        R.helper("ktime_get_ns")(lambda run, *a: 0)


def test_kernel_call_table_follows_kallsyms() -> None:
    table = R.kernel_calls()
    for sym in ("bpf_ktime_get_ns", "bpf_map_lookup_elem", "__htab_map_lookup_elem", "array_map_update_elem",
                "bpf_xdp_adjust_head", "bpf_skb_store_bytes", "bpf_trace_printk", "dev_map_redirect"):
        impl = table.resolve(SYMBOL_IMM[sym])
        assert impl is not None, sym
    assert table.resolve(12).kind == "tail_call"
    # per-program-type variants resolve to their own implementations
    assert table.resolve(SYMBOL_IMM["bpf_xdp_redirect"]).name == "bpf_xdp_redirect"
    assert table.resolve(SYMBOL_IMM["bpf_redirect"]).name == "bpf_redirect"
    # the helper-id table picks the variant of the program type
    xdp, tc = R.helper_ids("xdp"), R.helper_ids("sched_cls")
    assert xdp.resolve(23).fn is not tc.resolve(23).fn
    assert xdp.resolve(H.by_name("ktime_get_ns").id) is not None


def _fmt(fmt: bytes, *args: int, strings: dict[int, str] | None = None, vprintk: bool = False) -> str:
    strings = strings or {}
    argv = list(args) if vprintk else list(args) + [0] * (3 - len(args))
    return bprintf(fmt, argv, lambda p: strings.get(p, ""),
                   lambda p, n: bytes(strings.get(p, "").encode().ljust(n, b"\0")[:n]) if p in strings else None,
                   12 if vprintk else 3)


@pytest.mark.parametrize("fmt,args,text", [
    # recorded on the 6.18 oracle (bpf_printk through trace_pipe)
    (b"r=%ld %u %x", (3, -1, 255), "r=3 4294967295 ff"),
    (b"%ld %lx %llu", (-5, -1, 12345), "-5 ffffffffffffffff 12345"),
    (b"%d %d", (1, 2), "1 2"),
    (b"len %d proto 0x%x", (64, 0x800), "len 64 proto 0x800"),
    (b"100%% %i %X", (-7, 0xABC), "100% -7 ABC"),
])
def test_trace_printk_formatting(fmt: bytes, args: tuple[int, ...], text: str) -> None:
    assert _fmt(fmt, *args) == text


def test_trace_vprintk_takes_more_arguments() -> None:
    """bpf_printk with four arguments goes through bpf_trace_vprintk (recorded line)."""
    assert _fmt(b"%c|%5d|%-5d|%05d", ord("A"), 42, 42, 42, vprintk=True) == "A|   42|42   |00042"
    with pytest.raises(FormatError):
        _fmt(b"%c|%5d|%-5d|%05d", ord("A"), 42, 42)


def test_trace_printk_pointers_and_strings() -> None:
    s = {0x1000: "str"}
    assert _fmt(b"%s %pi4 %pI4", 0x1000, 0x1000, 0x1000, strings=s) == "str 115.116.114.000 115.116.114.0"
    assert _fmt(b"%s", 0x2000) == ""  # unreadable string: empty, as the kernel's copy fails
    assert _fmt(b"%pi4", 0x2000) == "000.000.000.000"
    assert len(_fmt(b"%p", 0x1234)) == 16 and _fmt(b"%p", 0x1234) == _fmt(b"%p", 0x1234)
    assert _fmt(b"%px", 0x1234) == "0000000000001234"


@pytest.mark.parametrize("fmt", [b"%d %d %d %d", b"%q", b"%hd", b"\x01", b"%pZ", b"%lu %"])
def test_trace_printk_rejects_what_the_kernel_rejects(fmt: bytes) -> None:
    with pytest.raises(FormatError):
        _fmt(fmt, 1, 2, 3)


def test_csum_partial_and_fold_give_internet_checksums() -> None:
    # an IPv4 header whose checksum is known: 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7
    hdr = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert struct.pack("<H", C.csum_fold(C.csum_partial(hdr))) == bytes.fromhex("b861")
    full = hdr[:10] + bytes.fromhex("b861") + hdr[12:]
    assert C.csum_fold(C.csum_partial(full)) == 0
    # odd lengths are zero-padded; the seed is added
    assert C.csum_partial(b"\x01", 0) == 1 and C.csum_partial(b"", 0x1234) == 0x1234


def test_csum_replace_keeps_the_checksum_valid() -> None:
    hdr = bytearray.fromhex("45000073000040004011b861c0a80001c0a800c7")
    old = struct.unpack_from("<H", hdr, 8)[0]           # ttl + protocol as loaded (le16 of 40 11)
    hdr[8] -= 1                                          # ttl--
    new = struct.unpack_from("<H", hdr, 8)[0]
    cur = struct.unpack_from("<H", hdr, 10)[0]
    for fixed in (C.csum_replace2(cur, old, new), C.csum_replace4(cur, old, new),
                  C.csum_replace_by_diff(cur, C.csum_add(~old & 0xFFFF, new))):
        struct.pack_into("<H", hdr, 10, fixed)
        assert C.csum_fold(C.csum_partial(bytes(hdr))) == 0


def test_csum_from32to16() -> None:
    assert C.csum_from32to16(0x0001FFFF) == 0x0001
    assert C.csum_from32to16(0xFFFF0001) == 0x0001
    assert C.csum_from32to16(0x12345678) == (0x1234 + 0x5678) & 0xFFFF
