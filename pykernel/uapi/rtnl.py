"""rtnetlink as user space sees it: message types, flags and the request/reply records.

``Process.netlink(request)`` is the simulated kernel's netlink socket (``NETLINK_ROUTE``).
It takes one request record below and returns

* ``GET`` without ``NLM_F_DUMP``: one reply record (:class:`IfInfo`, :class:`QdiscInfo`,
  :class:`FilterInfo`);
* ``GET`` with ``NLM_F_DUMP``: a ``list`` of reply records, in the kernel's dump order;
* ``NEW``/``SET``: the reply record of the object as it is after the change (what
  ``NLM_F_ECHO`` would return; tools that do not need it ignore it);
* ``DEL``: ``None`` (the ACK with error 0).

Where the kernel answers with an error ``nlmsgerr``, ``netlink()`` raises
``SyscallError(errno, reason, extack=...)``: ``extack`` is the ``NLMSGERR_ATTR_MSG`` text
(without the period ip/tc append) or ``None`` when the kernel sends none - ip prints
``Error: <extack>.``, else ``RTNETLINK answers: <strerror>``.

Records mirror ``struct ifinfomsg``/``struct tcmsg`` plus the attributes the tools send
and read (``IFLA_*``, ``TCA_*``); fields keep the attribute's meaning and use host byte
order (``protocol`` is ``ETH_P_ALL`` = 3, not ``htons(3)``). ``None`` means "attribute
absent". Field names follow iproute2's JSON keys where one exists.

Network namespaces: a netlink socket works in the netns of its process.
``Process.netns`` names it (``""`` is the initial namespace); ``Process.setns(name)`` is
``ip -n NAME`` / ``ip netns exec``; ``Process.netns_add/netns_del/netns_list`` stand in
for the files under ``/run/netns`` that ``ip netns add|del|list`` manage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# -- message types (linux/rtnetlink.h) ---------------------------------------------------------
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWQDISC, RTM_DELQDISC, RTM_GETQDISC = 36, 37, 38
RTM_NEWTFILTER, RTM_DELTFILTER, RTM_GETTFILTER = 44, 45, 46

# -- nlmsghdr flags (linux/netlink.h) ------------------------------------------------------------
NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_ECHO = 0x08
# GET requests
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
# NEW requests
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
# DEL requests
NLM_F_NONREC = 0x100

# -- device flags (linux/if.h) -------------------------------------------------------------------
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_NOTRAILERS = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MASTER = 0x400
IFF_SLAVE = 0x800
IFF_MULTICAST = 0x1000
IFF_PORTSEL = 0x2000
IFF_AUTOMEDIA = 0x4000
IFF_DYNAMIC = 0x8000
IFF_LOWER_UP = 0x10000
IFF_DORMANT = 0x20000
IFF_ECHO = 0x40000
#: flags user space may change (dev_change_flags); the rest are the kernel's to report
IFF_USER_CHANGEABLE = (IFF_UP | IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC | IFF_MULTICAST
                       | IFF_PORTSEL | IFF_AUTOMEDIA | IFF_PROMISC | IFF_ALLMULTI)
#: the order ip prints flag names in, with their names
IFF_NAMES = (
    (IFF_LOOPBACK, "LOOPBACK"), (IFF_BROADCAST, "BROADCAST"), (IFF_POINTOPOINT, "POINTOPOINT"),
    (IFF_MULTICAST, "MULTICAST"), (IFF_NOARP, "NOARP"), (IFF_ALLMULTI, "ALLMULTI"),
    (IFF_PROMISC, "PROMISC"), (IFF_MASTER, "MASTER"), (IFF_SLAVE, "SLAVE"), (IFF_DEBUG, "DEBUG"),
    (IFF_DYNAMIC, "DYNAMIC"), (IFF_AUTOMEDIA, "AUTOMEDIA"), (IFF_PORTSEL, "PORTSEL"),
    (IFF_NOTRAILERS, "NOTRAILERS"), (IFF_UP, "UP"), (IFF_LOWER_UP, "LOWER_UP"), (IFF_DORMANT, "DORMANT"),
    (IFF_ECHO, "ECHO"),
)

# -- operstate (IFLA_OPERSTATE, RFC 2863) --------------------------------------------------------
IF_OPER_UNKNOWN, IF_OPER_NOTPRESENT, IF_OPER_DOWN, IF_OPER_LOWERLAYERDOWN = 0, 1, 2, 3
IF_OPER_TESTING, IF_OPER_DORMANT, IF_OPER_UP = 4, 5, 6
OPERSTATE_NAMES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")

# -- ARPHRD (IFLA link type) -----------------------------------------------------------------------
ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772
ARPHRD_NONE = 0xFFFE

IFNAMSIZ = 16  # names are at most 15 bytes

# -- XDP (linux/if_link.h) -------------------------------------------------------------------------
XDP_FLAGS_UPDATE_IF_NOEXIST = 1 << 0
XDP_FLAGS_SKB_MODE = 1 << 1
XDP_FLAGS_DRV_MODE = 1 << 2
XDP_FLAGS_HW_MODE = 1 << 3
XDP_FLAGS_REPLACE = 1 << 4
XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE
XDP_FLAGS_MASK = XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_MODES | XDP_FLAGS_REPLACE

XDP_ATTACHED_NONE, XDP_ATTACHED_DRV, XDP_ATTACHED_SKB, XDP_ATTACHED_HW, XDP_ATTACHED_MULTI = 0, 1, 2, 3, 4

# -- tc (linux/pkt_sched.h, linux/pkt_cls.h) ---------------------------------------------------------
TC_H_UNSPEC = 0
TC_H_ROOT = 0xFFFFFFFF
TC_H_INGRESS = 0xFFFFFFF1
TC_H_CLSACT = TC_H_INGRESS
TC_H_MIN_INGRESS = 0xFFF2
TC_H_MIN_EGRESS = 0xFFF3
TC_H_MAJ_MASK = 0xFFFF0000
TC_H_MIN_MASK = 0x0000FFFF
#: parent of a filter on the ingress / egress hook (``tc filter ... ingress|egress``)
TC_PARENT_INGRESS = (TC_H_CLSACT & TC_H_MAJ_MASK) | TC_H_MIN_INGRESS  # ffff:fff2
TC_PARENT_EGRESS = (TC_H_CLSACT & TC_H_MAJ_MASK) | TC_H_MIN_EGRESS  # ffff:fff3
#: handle of the ingress/clsact qdisc (``ffff:``)
TC_H_INGRESS_HANDLE = 0xFFFF0000


def tc_h_maj(h: int) -> int:
    return h & TC_H_MAJ_MASK


def tc_h_min(h: int) -> int:
    return h & TC_H_MIN_MASK


def tc_h_make(maj: int, mn: int) -> int:
    return (maj & TC_H_MAJ_MASK) | (mn & TC_H_MIN_MASK)


ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD

TCA_BPF_FLAG_ACT_DIRECT = 1 << 0
TCA_CLS_FLAGS_SKIP_HW = 1 << 0
TCA_CLS_FLAGS_SKIP_SW = 1 << 1
TCA_CLS_FLAGS_IN_HW = 1 << 2
TCA_CLS_FLAGS_NOT_IN_HW = 1 << 3
TCA_CLS_FLAGS_VERBOSE = 1 << 4

# tc actions (return values of direct-action programs, linux/pkt_cls.h)
TC_ACT_UNSPEC = -1
TC_ACT_OK = 0
TC_ACT_RECLASSIFY = 1
TC_ACT_SHOT = 2
TC_ACT_PIPE = 3
TC_ACT_STOLEN = 4
TC_ACT_QUEUED = 5
TC_ACT_REPEAT = 6
TC_ACT_REDIRECT = 7
TC_ACT_TRAP = 8

# XDP actions
XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT = 0, 1, 2, 3, 4


# ================================================================================================
# requests
# ================================================================================================


@dataclass
class XdpRequest:
    """``IFLA_XDP`` nested in RTM_NEWLINK/RTM_SETLINK: attach (``fd`` >= 0) or detach (``fd`` = -1).

    ``flags`` are ``XDP_FLAGS_*`` (``IFLA_XDP_FLAGS``); ``expected_fd`` is
    ``IFLA_XDP_EXPECTED_FD`` (only with ``XDP_FLAGS_REPLACE``; -1 = "expect nothing attached").
    """

    fd: int
    flags: int = 0
    expected_fd: int | None = None


@dataclass
class LinkRequest:
    """RTM_NEWLINK / RTM_SETLINK / RTM_DELLINK / RTM_GETLINK (``struct ifinfomsg`` + IFLA_*).

    The device is named by ``ifindex`` (``ifi_index``, preferred when non-zero) or ``ifname``
    (``IFLA_IFNAME``). RTM_NEWLINK with ``NLM_F_CREATE`` and ``kind`` creates a device
    (``IFLA_LINKINFO``/``IFLA_INFO_KIND``: ``"veth"``, ``"dummy"``, ``"nfp"``); on an existing
    device RTM_NEWLINK (without ``NLM_F_EXCL``) changes it, as RTM_SETLINK does.
    ``ifi_flags``/``ifi_change`` set flags (``ip link set dev X up`` sends IFF_UP/IFF_UP).
    """

    type: int
    flags: int = NLM_F_REQUEST | NLM_F_ACK
    ifindex: int = 0
    ifname: str | None = None
    kind: str | None = None  # IFLA_INFO_KIND
    # veth: VETH_INFO_PEER (a nested ifinfomsg + IFLA_IFNAME ...)
    peer_name: str | None = None
    peer_netns: str | None = None  # IFLA_NET_NS_FD of the peer (``peer name P netns NS``)
    peer_address: bytes | None = None
    ifi_flags: int = 0
    ifi_change: int = 0
    mtu: int | None = None  # IFLA_MTU
    address: bytes | None = None  # IFLA_ADDRESS (6 bytes)
    txqlen: int | None = None  # IFLA_TXQLEN
    num_tx_queues: int | None = None  # IFLA_NUM_TX_QUEUES (creation only)
    num_rx_queues: int | None = None  # IFLA_NUM_RX_QUEUES (creation only)
    new_name: str | None = None  # IFLA_IFNAME on a device named by ifindex: rename
    netns: str | None = None  # IFLA_NET_NS_FD: move the device to that namespace
    xdp: XdpRequest | None = None  # IFLA_XDP


@dataclass
class QdiscRequest:
    """RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC (``struct tcmsg`` + ``TCA_KIND``).

    ``tc qdisc add dev X clsact`` sends RTM_NEWQDISC with ``NLM_F_EXCL | NLM_F_CREATE``,
    ``parent`` = TC_H_CLSACT, ``handle`` = TC_H_INGRESS_HANDLE (ffff:), ``kind`` = "clsact";
    ``tc qdisc del dev X clsact`` sends RTM_DELQDISC with the same parent and handle 0.
    A dump (``tc qdisc show [dev X]``) is RTM_GETQDISC with NLM_F_DUMP and ``ifindex`` (0 =
    all devices).
    """

    type: int
    flags: int = NLM_F_REQUEST | NLM_F_ACK
    ifindex: int = 0
    handle: int = 0
    parent: int = 0
    kind: str | None = None


@dataclass
class BpfFilterRequest:
    """``TCA_OPTIONS`` of a cls_bpf filter (``TCA_BPF_*``)."""

    fd: int  # TCA_BPF_FD
    name: str = ""  # TCA_BPF_NAME ("tc_cls.o:[tc]", "tc_mark:[*fsobj]")
    flags: int = 0  # TCA_BPF_FLAGS: TCA_BPF_FLAG_ACT_DIRECT
    gen_flags: int = 0  # TCA_BPF_FLAGS_GEN: TCA_CLS_FLAGS_SKIP_HW / SKIP_SW / VERBOSE
    classid: int | None = None  # TCA_BPF_CLASSID


@dataclass
class FilterRequest:
    """RTM_NEWTFILTER / RTM_DELTFILTER / RTM_GETTFILTER (``struct tcmsg`` + ``TCA_*``).

    ``tcm_info`` is split into ``prio`` (tc's ``pref``; 0 = pick one) and ``protocol``
    (host order; tc sends ETH_P_ALL unless told otherwise). ``parent`` is TC_PARENT_INGRESS or
    TC_PARENT_EGRESS for clsact, or the ingress qdisc's ``ffff:``. ``handle`` 0 = pick one
    (cls_bpf picks 1, 2, ...). ``tc filter add`` sends ``NLM_F_EXCL | NLM_F_CREATE``,
    ``tc filter replace`` ``NLM_F_CREATE``, ``tc filter change`` neither. RTM_DELTFILTER
    with ``prio`` 0 flushes the hook; with a prio and no handle it deletes that priority's
    filters; with prio, handle and kind it deletes one filter. A dump is RTM_GETTFILTER
    with NLM_F_DUMP for (ifindex, parent).
    """

    type: int
    flags: int = NLM_F_REQUEST | NLM_F_ACK
    ifindex: int = 0
    parent: int = 0
    prio: int = 0
    protocol: int = 0
    handle: int = 0
    kind: str | None = None  # TCA_KIND: "bpf"
    chain: int | None = None  # TCA_CHAIN
    bpf: BpfFilterRequest | None = None


# ================================================================================================
# replies
# ================================================================================================


@dataclass
class XdpInfo:
    """``IFLA_XDP`` in a reply: ``attached`` is XDP_ATTACHED_*; ``prog_id`` is the program of
    the single attached mode (0 in MULTI), ``drv_prog_id``/``skb_prog_id``/``hw_prog_id``
    the program per mode (0 = none)."""

    attached: int = XDP_ATTACHED_NONE
    prog_id: int = 0
    drv_prog_id: int = 0
    skb_prog_id: int = 0
    hw_prog_id: int = 0


@dataclass
class LinkStats:
    """``IFLA_STATS64`` (the counters ``ip -s link`` prints)."""

    rx_packets: int = 0
    rx_bytes: int = 0
    rx_errors: int = 0
    rx_dropped: int = 0
    rx_missed: int = 0
    rx_multicast: int = 0
    tx_packets: int = 0
    tx_bytes: int = 0
    tx_errors: int = 0
    tx_dropped: int = 0
    tx_carrier: int = 0
    tx_collisions: int = 0


@dataclass
class IfInfo:
    """A device as RTM_NEWLINK replies/dumps describe it."""

    ifindex: int
    ifname: str
    flags: int  # ifi_flags (IFF_*)
    mtu: int
    min_mtu: int
    max_mtu: int
    qdisc: str  # IFLA_QDISC: kind of the root qdisc ("noqueue", "noop", "mq" ...)
    operstate: int  # IF_OPER_*
    linkmode: int = 0  # 0 DEFAULT, 1 DORMANT
    group: int = 0
    txqlen: int = 1000
    link_type: int = ARPHRD_ETHER  # ifi_type (ARPHRD_*)
    address: bytes = bytes(6)
    broadcast: bytes = b"\xff" * 6
    kind: str | None = None  # IFLA_INFO_KIND (None for lo and plain NICs)
    info_data: dict[str, object] | None = None  # IFLA_INFO_DATA (bridge: its settings, as ip -j -d names them)
    link: int | None = None  # IFLA_LINK: the veth peer's ifindex
    link_netnsid: int | None = None  # IFLA_LINK_NETNSID: the peer lives in another netns
    promiscuity: int = 0
    allmulti: int = 0
    num_tx_queues: int = 1
    num_rx_queues: int = 1
    gso_max_size: int = 65536
    gso_max_segs: int = 65535
    tso_max_size: int = 65536
    tso_max_segs: int = 65535
    gro_max_size: int = 65536
    carrier_changes: int = 0
    parent_bus: str | None = None  # IFLA_PARENT_DEV_BUS_NAME ("pci" for nfp)
    parent_dev: str | None = None  # IFLA_PARENT_DEV_NAME (PCI address for nfp)
    phys_port_name: str | None = None  # IFLA_PHYS_PORT_NAME ("p0" for nfp)
    xdp: XdpInfo = field(default_factory=XdpInfo)
    stats: LinkStats = field(default_factory=LinkStats)


@dataclass
class QdiscInfo:
    """A qdisc as RTM_NEWQDISC replies/dumps describe it (``tc qdisc show``)."""

    ifindex: int
    kind: str
    handle: int
    parent: int  # TC_H_ROOT for a root qdisc, TC_H_INGRESS for ingress/clsact
    refcnt: int = 1  # TCA... shown as "refcnt N" for root qdiscs
    ingress_block: int = 0
    egress_block: int = 0
    bytes: int = 0
    packets: int = 0
    drops: int = 0
    overlimits: int = 0
    requeues: int = 0
    backlog: int = 0
    qlen: int = 0
    options: dict[str, object] = field(default_factory=dict)  # TCA_OPTIONS (pfifo_fast: bands, priomap)


@dataclass
class BpfFilterInfo:
    """``TCA_OPTIONS`` of a cls_bpf filter in a reply."""

    name: str  # TCA_BPF_NAME
    flags: int  # TCA_BPF_FLAGS (TCA_BPF_FLAG_ACT_DIRECT)
    gen_flags: int  # TCA_BPF_FLAGS_GEN: requested SKIP_* plus IN_HW / NOT_IN_HW
    prog_id: int  # TCA_BPF_ID
    prog_tag: bytes  # TCA_BPF_TAG
    in_hw_count: int = 0
    classid: int | None = None  # TCA_BPF_CLASSID
    # conveniences (tc reads them from bpf_prog_info through the id)
    prog_name: str = ""
    jited: bool = True

    @property
    def direct_action(self) -> bool:
        return bool(self.flags & TCA_BPF_FLAG_ACT_DIRECT)


@dataclass
class FilterInfo:
    """A filter as RTM_NEWTFILTER replies/dumps describe it.

    A dump lists, per (chain, prio, protocol), first the classifier instance itself
    (``handle`` 0, ``bpf`` None: tc prints ``filter protocol all pref 5 bpf chain 0``) and
    then each of its filters.
    """

    ifindex: int
    parent: int
    prio: int
    protocol: int
    kind: str
    chain: int = 0
    handle: int = 0
    bpf: BpfFilterInfo | None = None
    # software hit counters of this filter (tc -s), when the bpf options are present
    packets: int = 0
    bytes: int = 0


Request = LinkRequest | QdiscRequest | FilterRequest
Reply = IfInfo | QdiscInfo | FilterInfo


__all__ = [n for n in dir() if n.isupper() or n[:1].isupper() and not n.startswith("_")] + [
    "tc_h_maj", "tc_h_min", "tc_h_make"]
