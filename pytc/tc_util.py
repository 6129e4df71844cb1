"""tc's handle, class id and protocol helpers (``tc/tc_util.c``, ``lib/ll_proto.c``)."""

from __future__ import annotations

from pyip.utils import c_strtol

TC_H_ROOT = 0xFFFFFFFF
TC_H_UNSPEC = 0

#: lib/ll_proto.c's table, in its order (the first name of a number is the one printed)
LL_PROTO_NAMES: tuple[tuple[int, str], ...] = (
    (0x0060, "loop"), (0x0200, "pup"), (0x0201, "pupat"), (0x0800, "ip"), (0x0805, "x25"),
    (0x0806, "arp"), (0x08FF, "bpq"), (0x0A00, "ieeepup"), (0x0A01, "ieeepupat"),
    (0x6000, "dec"), (0x6001, "dna_dl"), (0x6002, "dna_rc"), (0x6003, "dna_rt"),
    (0x6004, "lat"), (0x6005, "diag"), (0x6006, "cust"), (0x6007, "sca"), (0x8035, "rarp"),
    (0x809B, "atalk"), (0x80F3, "aarp"), (0x8137, "ipx"), (0x86DD, "ipv6"),
    (0x8863, "ppp_disc"), (0x8864, "ppp_ses"), (0x884C, "atmmpoa"), (0x8884, "atmfate"),
    (0x0001, "802_3"), (0x0002, "ax25"), (0x0003, "all"), (0x0004, "802_2"),
    (0x0005, "snap"), (0x0006, "ddcmp"), (0x0007, "wan_ppp"), (0x0008, "ppp_mp"),
    (0x0009, "localtalk"), (0x000C, "can"), (0x0010, "ppptalk"), (0x0011, "tr_802_2"),
    (0x0015, "mobitex"), (0x0016, "control"), (0x0017, "irda"), (0x0018, "econet"),
    (0x88CA, "tipc"), (0x88A2, "aoe"), (0x8100, "802.1Q"), (0x88A8, "802.1ad"),
    (0x8847, "mpls_uc"), (0x8848, "mpls_mc"), (0x6558, "teb"), (0x88CC, "LLDP"),
    (0x0800, "ipv4"),
)


def ll_proto_n2a(proto: int, numeric: bool = False) -> str:
    """ll_proto_n2a(): a protocol number (host order) as tc prints it."""
    if not numeric:
        for num, name in LL_PROTO_NAMES:
            if num == proto:
                return name
    return f"[{proto}]"


def ll_proto_a2n(word: str) -> int | None:
    """ll_proto_a2n(): a protocol name (case-insensitive) or a 16-bit number."""
    low = word.lower()
    for num, name in LL_PROTO_NAMES:
        if name.lower() == low:
            return num
    val, used = c_strtol(word, 0)
    if not word or used != len(word) or not 0 <= val <= 0xFFFF:
        return None
    return val


def _strtoul16(s: str) -> tuple[int, int]:
    val, used = c_strtol(s, 16)
    if val < 0:
        val += 1 << 64
    return val, used


def get_tc_classid(word: str) -> int | None:
    """get_tc_classid(): ``root``, ``none``, ``MAJ:``, ``MAJ:MIN``, ``:MIN`` or a hex number."""
    if word == "root":
        return TC_H_ROOT
    if word == "none":
        return TC_H_UNSPEC
    maj, used = _strtoul16(word)
    rest = word[used:]
    if used == 0:
        maj = 0
        if not rest.startswith(":"):
            return None
    if rest.startswith(":"):
        if maj >= 1 << 16:
            return None
        tail = rest[1:]
        mn, used2 = _strtoul16(tail)
        if used2 != len(tail) or mn >= 1 << 16:
            return None
        return (maj << 16) | mn
    if rest:
        return None
    return maj & 0xFFFFFFFF if maj <= 0xFFFFFFFF else None


def get_qdisc_handle(word: str) -> int | None:
    """get_qdisc_handle(): ``none`` or ``MAJ[:]``."""
    if word == "none":
        return TC_H_UNSPEC
    maj, used = _strtoul16(word)
    if used == 0 or maj >= 1 << 16:
        return None
    rest = word[used:]
    if rest and not rest.startswith(":"):
        return None
    return maj << 16


def print_tc_classid(h: int) -> str:
    """print_tc_classid()/sprint_tc_classid()."""
    if h == TC_H_ROOT:
        return "root"
    if h == TC_H_UNSPEC:
        return "none"
    maj, mn = h >> 16, h & 0xFFFF
    if maj == 0:
        return f":{mn:x}"
    if mn == 0:
        return f"{maj:x}:"
    return f"{maj:x}:{mn:x}"


def sprint_size(sz: int) -> str:
    """sprint_size(): tc's byte counts (``0b``, ``12Kb``, ``3Mb``)."""
    kilo, mega = 1024, 1024 * 1024
    if sz >= mega and abs(mega * round(sz / mega) - sz) < 1024:
        return f"{_g(round(sz / mega))}Mb"
    if sz >= kilo and abs(kilo * round(sz / kilo) - sz) < 16:
        return f"{_g(round(sz / kilo))}Kb"
    return f"{sz}b"


def _g(v: float) -> str:
    return f"{v:g}"
