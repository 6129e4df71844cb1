"""Network devices: the netdev table, device kinds, names, flags, MTU, carrier, deletion.

A :class:`Netdev` is one row of ``netdevs`` (see :mod:`.schema`). Device kinds follow the
real drivers (numbers as ``ip -d link show`` reports them on the 6.18 reference):

* ``lo`` - ifindex 1 of every namespace, LOOPBACK, MTU 65536 (no range), no ``ndo_bpf``
  (XDP only in generic mode); up in the initial namespace, down in a new one.
* ``veth`` - pairs: what one side transmits the other receives; carrier when both sides
  are up; MTU 68..65535, one queue per CPU, ``ndo_bpf`` (native XDP; HW mode -> EINVAL).
  The peer is registered first (it gets the lower ifindex); deleting either deletes both.
* ``dummy`` - BROADCAST,NOARP, no MTU limits, carrier always on, no ``ndo_bpf``.
* ``ifb`` - BROADCAST,NOARP, txqlen 32, a real queue (pfifo_fast once up), no ``ndo_bpf``.
* ``bridge`` - without ports: no carrier once up (NO-CARRIER, state DOWN), no ``ndo_bpf``.
* ``nfp`` - a NIC port of a (simulated) Netronome card: ``ndo_bpf`` with native XDP, and an
  offload device (:mod:`.offload`) for HW mode and device-bound programs once the NFP
  driver registers one; the wire is the outside world (nfpsim).

MAC addresses are random-looking but deterministic: a counter in the state feeds a hash
(locally administered, unicast), so a script run twice on a fresh state sees the same
addresses.

Flags: user-set flags (IFF_UP, NOARP, PROMISC ...) are stored; IFF_RUNNING, IFF_LOWER_UP and
the operstate are computed from carrier as ``dev_get_flags`` does. Reported flags include
IFF_RUNNING (ip hides it and prints NO-CARRIER when UP without RUNNING).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import config
from ..uapi import rtnl as R
from ..uapi.consts import EEXIST, EINVAL, ENODEV, ENOSPC, EOPNOTSUPP, ERANGE
from ..uapi.errors import SyscallError
from . import schema

if TYPE_CHECKING:
    from ..objects import Kernel

NETDEV = "netdev"  # src_kind of the refs an attachment holds
ETH_MIN_MTU = 68
ETH_MAX_MTU = 0xFFFF
GSO_MAX_SIZE = 524280
GSO_LEGACY_MAX_SIZE = 65536


@dataclass(frozen=True)
class KindSpec:
    kind: str  # IFLA_INFO_KIND ("" when the driver has no rtnl_link_ops)
    flags: int
    mtu: int
    min_mtu: int
    max_mtu: int
    link_type: int = R.ARPHRD_ETHER
    txqlen: int = 1000
    queues: int = 1
    ndo_bpf: bool = False
    no_queue: bool = True  # IFF_NO_QUEUE: noqueue root qdisc once up (else mq + default qdisc)
    carrier: str = "always"  # "always", "peer" (veth), "wire" (nfp: on when up), "ports" (bridge: none)
    tso_max_size: int = GSO_LEGACY_MAX_SIZE
    creatable: bool = True  # RTM_NEWLINK can create it


KINDS: dict[str, KindSpec] = {
    "lo": KindSpec("", R.IFF_LOOPBACK, 65536, 0, 0, link_type=R.ARPHRD_LOOPBACK, tso_max_size=GSO_MAX_SIZE,
                   creatable=False),
    "veth": KindSpec("veth", R.IFF_BROADCAST | R.IFF_MULTICAST, 1500, ETH_MIN_MTU, ETH_MAX_MTU,
                     queues=config.NR_CPUS, ndo_bpf=True, carrier="peer", tso_max_size=GSO_MAX_SIZE),
    "dummy": KindSpec("dummy", R.IFF_BROADCAST | R.IFF_NOARP, 1500, 0, 0, tso_max_size=GSO_MAX_SIZE),
    "ifb": KindSpec("ifb", R.IFF_BROADCAST | R.IFF_NOARP, 1500, 0, 0, txqlen=32, no_queue=False,
                    tso_max_size=GSO_MAX_SIZE),
    "bridge": KindSpec("bridge", R.IFF_BROADCAST | R.IFF_MULTICAST, 1500, ETH_MIN_MTU, ETH_MAX_MTU,
                       carrier="ports"),
    "nfp": KindSpec("", R.IFF_BROADCAST | R.IFF_MULTICAST, 1500, ETH_MIN_MTU, 9216, queues=4, ndo_bpf=True,
                    no_queue=False, carrier="wire", tso_max_size=GSO_LEGACY_MAX_SIZE, creatable=False),
}


#: IFLA_INFO_DATA of a new bridge (what ip -d -j link show printed on the reference machine)
BRIDGE_INFO: dict[str, Any] = {
    "forward_delay": 1500, "hello_time": 200, "max_age": 2000, "ageing_time": 30000, "stp_state": 0,
    "priority": 32768, "vlan_filtering": 0, "bridge_id": "8000.0:0:0:0:0:0", "root_id": "8000.0:0:0:0:0:0",
    "root_port": 0, "root_path_cost": 0, "topology_change": 0, "topology_change_detected": 0,
    "hello_timer": 0.0, "tcn_timer": 0.0, "topology_change_timer": 0.0, "gc_timer": 0.0, "group_fwd_mask": "0",
    "group_addr": "01:80:c2:00:00:00", "mcast_snooping": 1, "no_linklocal_learn": 0, "mcast_vlan_snooping": 0,
    "mcast_router": 1, "mcast_query_use_ifaddr": 0, "mcast_querier": 0, "mcast_hash_elasticity": 16,
    "mcast_hash_max": 4096, "mcast_last_member_cnt": 2, "mcast_startup_query_cnt": 2,
    "mcast_last_member_intvl": 100, "mcast_membership_intvl": 26000, "mcast_querier_intvl": 25500,
    "mcast_query_intvl": 12500, "mcast_query_response_intvl": 1000, "mcast_startup_query_intvl": 3124,
    "mcast_stats_enabled": 0, "mcast_igmp_version": 2, "mcast_mld_version": 1, "nf_call_iptables": 0,
    "nf_call_ip6tables": 0, "nf_call_arptables": 0,
}


@dataclass
class Netdev:
    id: int
    ns: str
    ifindex: int
    name: str
    kind: str
    flags: int  # user-set flags (without RUNNING / LOWER_UP)
    mtu: int
    min_mtu: int
    max_mtu: int
    address: bytes
    broadcast: bytes
    txqlen: int
    num_tx: int
    num_rx: int
    peer: int = 0  # device id of a veth peer
    qdisc: str = "noop"
    ingress: str = ""
    ingress_queue: int = 0
    xdp_skb: int = 0
    xdp_drv: int = 0
    xdp_hw: int = 0
    xdp_skb_link: int = 0
    xdp_drv_link: int = 0
    xdp_hw_link: int = 0
    carrier_changes: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    COLS = ("id, ns, ifindex, name, kind, flags, mtu, min_mtu, max_mtu, address, broadcast, txqlen, num_tx, "
            "num_rx, peer, qdisc, ingress, ingress_queue, xdp_skb, xdp_drv, xdp_hw, xdp_skb_link, "
            "xdp_drv_link, xdp_hw_link, carrier_changes, stats, extra")

    @classmethod
    def from_row(cls, row: tuple) -> Netdev:
        vals = list(row)
        vals[9], vals[10] = bytes(vals[9]), bytes(vals[10])
        vals[25] = json.loads(vals[25] or "{}")
        vals[26] = json.loads(vals[26] or "{}")
        return cls(*vals)

    @property
    def spec(self) -> KindSpec:
        return KINDS[self.kind]

    @property
    def up(self) -> bool:
        return bool(self.flags & R.IFF_UP)

    def save(self, tx: Any) -> None:
        tx.x("UPDATE netdevs SET name=?, flags=?, mtu=?, min_mtu=?, max_mtu=?, address=?, broadcast=?, "
             "txqlen=?, peer=?, qdisc=?, ingress=?, ingress_queue=?, xdp_skb=?, xdp_drv=?, xdp_hw=?, "
             "xdp_skb_link=?, xdp_drv_link=?, xdp_hw_link=?, carrier_changes=?, stats=?, extra=?, ns=?, "
             "ifindex=? WHERE id=?",
             (self.name, self.flags, self.mtu, self.min_mtu, self.max_mtu, self.address, self.broadcast,
              self.txqlen, self.peer, self.qdisc, self.ingress, self.ingress_queue, self.xdp_skb,
              self.xdp_drv, self.xdp_hw, self.xdp_skb_link, self.xdp_drv_link, self.xdp_hw_link,
              self.carrier_changes, json.dumps(self.stats, sort_keys=True),
              json.dumps(self.extra, sort_keys=True), self.ns, self.ifindex, self.id))

    # -- XDP state per mode ("skb", "drv", "hw") ---------------------------------------------------
    def xdp_prog(self, mode: str) -> int:
        return int(getattr(self, f"xdp_{mode}"))

    def xdp_link(self, mode: str) -> int:
        return int(getattr(self, f"xdp_{mode}_link"))

    def set_xdp(self, mode: str, prog: int, link: int = 0) -> None:
        setattr(self, f"xdp_{mode}", prog)
        setattr(self, f"xdp_{mode}_link", link)

    def xdp_count(self) -> int:
        return sum(1 for m in ("skb", "drv", "hw") if self.xdp_prog(m))


# -- lookups ----------------------------------------------------------------------------------------

def ns_of(k: Kernel) -> str:
    return getattr(k.proc, "netns", "") or "" if k.proc is not None else ""


def get_by_index(k: Kernel, ifindex: int, ns: str | None = None) -> Netdev | None:
    schema.ensure(k.tx)
    ensure_ns(k, ns_of(k) if ns is None else ns)
    row = k.tx.one(f"SELECT {Netdev.COLS} FROM netdevs WHERE ns = ? AND ifindex = ?",
                   (ns_of(k) if ns is None else ns, ifindex))
    return Netdev.from_row(row) if row else None


def get_by_name(k: Kernel, name: str, ns: str | None = None) -> Netdev | None:
    schema.ensure(k.tx)
    ensure_ns(k, ns_of(k) if ns is None else ns)
    row = k.tx.one(f"SELECT {Netdev.COLS} FROM netdevs WHERE ns = ? AND name = ?",
                   (ns_of(k) if ns is None else ns, name))
    return Netdev.from_row(row) if row else None


def get_by_id(k: Kernel, dev_id: int) -> Netdev | None:
    schema.ensure(k.tx)
    row = k.tx.one(f"SELECT {Netdev.COLS} FROM netdevs WHERE id = ?", (dev_id,))
    return Netdev.from_row(row) if row else None


def all_devices(k: Kernel, ns: str | None = None) -> list[Netdev]:
    schema.ensure(k.tx)
    n = ns_of(k) if ns is None else ns
    ensure_ns(k, n)
    return [Netdev.from_row(r) for r in k.tx.q(f"SELECT {Netdev.COLS} FROM netdevs WHERE ns = ? ORDER BY ifindex",
                                               (n,))]


def require(k: Kernel, ifindex: int = 0, name: str | None = None) -> Netdev:
    """The device a request names (ifindex first, then name), ENODEV if none."""
    d = None
    if ifindex:
        d = get_by_index(k, ifindex)
    elif name is not None:
        d = get_by_name(k, name)
    if d is None:
        raise SyscallError(ENODEV, f"no device {ifindex or name!r}")
    return d


# -- namespaces -----------------------------------------------------------------------------------

def ensure_ns(k: Kernel, ns: str) -> bool:
    """Make sure namespace ``ns`` exists if it is the initial one (created lazily with its
    ``lo``); other namespaces must have been added. Returns whether it exists."""
    row = k.tx.one("SELECT 1 FROM net_ns WHERE name = ?", (ns,))
    if row is not None:
        return True
    if ns != "":
        return False
    _create_ns(k, "", lo_up=True)
    return True


def _create_ns(k: Kernel, ns: str, lo_up: bool) -> None:
    nsid = int(k.tx.val("SELECT coalesce(max(nsid) + 1, 0) FROM net_ns", (), 0))
    k.tx.x("INSERT INTO net_ns (name, nsid, next_ifindex, created) VALUES (?, ?, 1, ?)", (ns, nsid, 1))
    lo = _insert(k, ns, "lo", "lo", address=bytes(6), broadcast=bytes(6))
    if lo_up:
        lo.flags |= R.IFF_UP
        lo.qdisc = "noqueue"
        lo.save(k.tx)


def create_ns(k: Kernel, ns: str) -> None:
    schema.ensure(k.tx)
    ensure_ns(k, "")
    _create_ns(k, ns, lo_up=False)


# -- creation ----------------------------------------------------------------------------------------

def _next_mac(k: Kernel) -> bytes:
    seq = int(k.tx.meta_get("net_mac_seq") or 0) + 1
    k.tx.meta_set("net_mac_seq", seq)
    b = bytearray(hashlib.sha256(b"pybpf-netdev-mac:" + seq.to_bytes(8, "little")).digest()[:6])
    b[0] = (b[0] & 0xFE) | 0x02  # unicast, locally administered (eth_random_addr)
    return bytes(b)


def valid_name(name: str) -> bool:
    """dev_valid_name(): 1..15 bytes, not . or .., no '/', ':' or whitespace."""
    raw = name.encode()
    if not raw or len(raw) >= R.IFNAMSIZ or name in (".", ".."):
        return False
    return not any(c in "/:" or c.isspace() for c in name)


def _alloc_name(k: Kernel, ns: str, pattern: str, taken: set[str]) -> str:
    """dev_alloc_name(): the lowest free number for a ``name%d`` pattern."""
    if pattern.count("%") != 1 or "%d" not in pattern:
        raise SyscallError(EINVAL, "bad name pattern")
    used = {r[0] for r in k.tx.q("SELECT name FROM netdevs WHERE ns = ?", (ns,))} | taken
    for i in range(32768):
        cand = pattern.replace("%d", str(i))
        if cand not in used:
            return cand
    raise SyscallError(ENOSPC, "no free name")  # pragma: no cover


def check_new_name(k: Kernel, ns: str, name: str | None, kind: str, taken: set[str]) -> str:
    if name is None or name == "":
        name = f"{kind}%d"
    if len(name.encode()) >= R.IFNAMSIZ:
        raise SyscallError(ERANGE, "IFLA_IFNAME too long", extack="Attribute failed policy validation")
    if "%" in name:
        if not valid_name(name.replace("%d", "0")):
            raise SyscallError(EINVAL, f"invalid device name {name!r}")
        return _alloc_name(k, ns, name, taken)
    if not valid_name(name):
        raise SyscallError(EINVAL, f"invalid device name {name!r}")
    if name in taken or k.tx.one("SELECT 1 FROM netdevs WHERE ns = ? AND name = ?", (ns, name)):
        raise SyscallError(EEXIST, f"device {name} exists")
    return name


def _insert(k: Kernel, ns: str, name: str, kind: str, *, address: bytes | None = None,
            broadcast: bytes = b"\xff" * 6, queues: tuple[int, int] | None = None,
            extra: dict[str, Any] | None = None) -> Netdev:
    spec = KINDS[kind]
    ifindex = int(k.tx.val("SELECT next_ifindex FROM net_ns WHERE name = ?", (ns,), 1))
    while k.tx.one("SELECT 1 FROM netdevs WHERE ns = ? AND ifindex = ?", (ns, ifindex)):
        ifindex += 1
    k.tx.x("UPDATE net_ns SET next_ifindex = ? WHERE name = ?", (ifindex + 1, ns))
    ntx, nrx = queues or (spec.queues, spec.queues)
    addr = address if address is not None else _next_mac(k)
    cur = k.tx.x("INSERT INTO netdevs (ns, ifindex, name, kind, flags, mtu, min_mtu, max_mtu, address, broadcast, "
                 "txqlen, num_tx, num_rx, qdisc, stats, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (ns, ifindex, name, kind, spec.flags, spec.mtu, spec.min_mtu, spec.max_mtu, addr, broadcast,
                  spec.txqlen, ntx, nrx, "noop", "{}", json.dumps(extra or {}, sort_keys=True)))
    d = get_by_id(k, int(cur.lastrowid))
    assert d is not None
    return d


def create(k: Kernel, req: R.LinkRequest) -> Netdev:
    """rtnl_newlink for a new device of ``req.kind``."""
    ns = ns_of(k)
    kind = req.kind or ""
    spec = KINDS.get(kind)
    if spec is None or not spec.creatable:
        raise SyscallError(EOPNOTSUPP, f"unknown device kind {kind!r}", extack="Unknown device type")
    if req.mtu is not None:
        _check_mtu(spec.min_mtu, spec.max_mtu, req.mtu)
    queues = None
    if req.num_tx_queues is not None or req.num_rx_queues is not None:
        ntx = req.num_tx_queues if req.num_tx_queues is not None else spec.queues
        nrx = req.num_rx_queues if req.num_rx_queues is not None else spec.queues
        if not 1 <= ntx <= 4096 or not 1 <= nrx <= 4096:
            raise SyscallError(EINVAL, "queue count", extack="Invalid number of transmit queues"
                               if not 1 <= ntx <= 4096 else "Invalid number of receive queues")
        queues = (ntx, nrx)
    if kind == "veth":
        peer_ns = req.peer_netns if req.peer_netns is not None else ns
        if peer_ns != ns and not k.tx.one("SELECT 1 FROM net_ns WHERE name = ?", (peer_ns,)):
            raise SyscallError(EINVAL, f"no namespace {peer_ns!r}")
        taken: set[str] = set()
        peer_name = check_new_name(k, peer_ns, req.peer_name, "veth", taken)
        if peer_ns == ns:
            taken.add(peer_name)
        try:
            name = check_new_name(k, ns, req.ifname, "veth", taken)
        except SyscallError:
            # the peer was registered (and numbered) before the device failed: its ifindex is used up
            k.tx.x("UPDATE net_ns SET next_ifindex = next_ifindex + 1 WHERE name = ?", (peer_ns,))
            raise
        peer = _insert(k, peer_ns, peer_name, "veth", address=req.peer_address, queues=queues)
        dev = _insert(k, ns, name, "veth", address=req.address, queues=queues)
        dev.peer, peer.peer = peer.id, dev.id
        if req.mtu is not None:
            dev.mtu = req.mtu
        peer.save(k.tx)
        dev.save(k.tx)
        return dev
    name = check_new_name(k, ns, req.ifname, kind, set())
    dev = _insert(k, ns, name, kind, address=req.address, queues=queues)
    if req.mtu is not None:
        dev.mtu = req.mtu
        dev.save(k.tx)
    return dev


def create_nic(k: Kernel, name: str | None, *, ns: str = "", queues: int = 4, max_mtu: int = 9216,
               extra: dict[str, Any] | None = None) -> Netdev:
    """A NIC port (kind ``nfp``) appears, as a PCI driver's probe registers it (nfpsim)."""
    schema.ensure(k.tx)
    ensure_ns(k, "")
    if ns and not ensure_ns(k, ns):
        raise SyscallError(EINVAL, f"no namespace {ns!r}")
    name = check_new_name(k, ns, name, "eth", set())
    dev = _insert(k, ns, name, "nfp", queues=(queues, queues), extra=extra)
    dev.max_mtu = max_mtu
    dev.save(k.tx)
    return dev


# -- changes --------------------------------------------------------------------------------------

def _check_mtu(min_mtu: int, max_mtu: int, mtu: int) -> None:
    if mtu < 0:
        raise SyscallError(EINVAL, "negative mtu", extack="mtu less than device minimum")
    if min_mtu and mtu < min_mtu:
        raise SyscallError(EINVAL, "mtu below minimum", extack="mtu less than device minimum")
    if max_mtu and mtu > max_mtu:
        raise SyscallError(EINVAL, "mtu above maximum", extack="mtu greater than device maximum")


def set_mtu(k: Kernel, d: Netdev, mtu: int) -> None:
    _check_mtu(d.min_mtu, d.max_mtu, mtu)
    hook = _MTU_HOOKS.get(d.kind)
    if hook is not None:
        hook(k, d, mtu)
    d.mtu = mtu


#: per-kind checks an MTU change must pass (the NFP driver adds its offload rule)
_MTU_HOOKS: dict[str, Any] = {}


def peer_of(k: Kernel, d: Netdev) -> Netdev | None:
    return get_by_id(k, d.peer) if d.peer else None


def carrier(k: Kernel, d: Netdev, peer: Netdev | None = None) -> bool:
    """netif_carrier_ok()"""
    if not d.up:
        return False
    mode = d.spec.carrier
    if mode == "peer":
        p = peer if peer is not None else peer_of(k, d)
        return p is not None and p.up
    return mode != "ports"


def change_flags(k: Kernel, d: Netdev, flags: int, change: int) -> None:
    """dev_change_flags() for the user-changeable bits in ``change``."""
    change &= R.IFF_USER_CHANGEABLE
    new = (d.flags & ~change) | (flags & change)
    if (new ^ d.flags) & R.IFF_UP:
        if new & R.IFF_UP and d.qdisc == "noop":  # dev_activate(): attach the default qdisc
            d.qdisc = "noqueue" if d.spec.no_queue else "mq" if d.num_tx > 1 else "pfifo_fast"
        d.carrier_changes += 1
        p = peer_of(k, d)
        if p is not None:
            p.carrier_changes += 1
            p.save(k.tx)
    d.flags = new


def oper_flags(k: Kernel, d: Netdev, peer: Netdev | None = None) -> tuple[int, int]:
    """(ifi_flags as reported, IF_OPER_*)."""
    flags = d.flags
    if not d.up:
        return flags, R.IF_OPER_DOWN
    car = carrier(k, d, peer)
    if d.kind in ("lo", "dummy", "ifb"):
        oper = R.IF_OPER_UNKNOWN
    elif car:
        oper = R.IF_OPER_UP
    else:
        oper = R.IF_OPER_LOWERLAYERDOWN if d.kind == "veth" else R.IF_OPER_DOWN
    if oper in (R.IF_OPER_UP, R.IF_OPER_UNKNOWN):
        flags |= R.IFF_RUNNING
    if car:
        flags |= R.IFF_LOWER_UP
    return flags, oper


# -- deletion ------------------------------------------------------------------------------------------

#: more (kernel, device) callbacks to run before a device goes away (a driver's own clean-up)
UNREGISTER_HOOKS: list[Any] = []


def _unregister_hooks(k: Kernel, d: Netdev) -> None:
    from . import tc, xdp

    xdp.uninstall(k, d)  # XDP programs uninstalled, XDP links defunct
    tc.unregister(k, d)  # the qdiscs and their filters
    for hook in UNREGISTER_HOOKS:
        hook(k, d)


def unregister(k: Kernel, d: Netdev) -> None:
    """unregister_netdevice(): hooks run, references drop, the row goes."""
    _unregister_hooks(k, d)
    k.ref_drop(NETDEV, d.id)
    k.tx.x("DELETE FROM netdevs WHERE id = ?", (d.id,))


def delete(k: Kernel, d: Netdev) -> None:
    """rtnl_dellink: veth takes its peer along; lo and NICs cannot be deleted."""
    if d.kind in ("lo", "nfp"):
        raise SyscallError(EOPNOTSUPP, f"{d.name} cannot be deleted")
    p = peer_of(k, d)
    unregister(k, d)
    if p is not None:
        unregister(k, p)


def move_ns(k: Kernel, d: Netdev, ns: str, new_name: str | None = None) -> None:
    """dev_change_net_namespace(): the device keeps its ifindex if it is free there."""
    if d.kind == "lo":
        raise SyscallError(EINVAL, "lo is namespace-local")
    name = new_name or d.name
    if k.tx.one("SELECT 1 FROM netdevs WHERE ns = ? AND name = ?", (ns, name)):
        raise SyscallError(EEXIST, f"{name} exists in the target namespace")
    ifindex = d.ifindex
    if k.tx.one("SELECT 1 FROM netdevs WHERE ns = ? AND ifindex = ?", (ns, ifindex)):
        ifindex = int(k.tx.val("SELECT next_ifindex FROM net_ns WHERE name = ?", (ns,), 1))
        while k.tx.one("SELECT 1 FROM netdevs WHERE ns = ? AND ifindex = ?", (ns, ifindex)):
            ifindex += 1
        k.tx.x("UPDATE net_ns SET next_ifindex = ? WHERE name = ?", (ifindex + 1, ns))
    _unregister_hooks(k, d)
    d = get_by_id(k, d.id) or d
    d.ns, d.name, d.ifindex = ns, name, ifindex
    d.flags &= ~R.IFF_UP
    d.save(k.tx)


def netdev_exists_in(k: Kernel, ifindex: int) -> bool:
    return get_by_index(k, ifindex) is not None


# -- replies ------------------------------------------------------------------------------------------

def ifinfo(k: Kernel, d: Netdev) -> R.IfInfo:
    peer = peer_of(k, d)
    flags, oper = oper_flags(k, d, peer)
    link = link_netnsid = None
    if peer is not None:
        link = peer.ifindex
        if peer.ns != d.ns:
            link_netnsid = int(k.tx.val("SELECT nsid FROM net_ns WHERE name = ?", (peer.ns,), 0))
    xi = R.XdpInfo(drv_prog_id=d.xdp_drv, skb_prog_id=d.xdp_skb, hw_prog_id=d.xdp_hw)
    modes = [(m, p) for m, p in ((R.XDP_ATTACHED_DRV, d.xdp_drv), (R.XDP_ATTACHED_SKB, d.xdp_skb),
                                 (R.XDP_ATTACHED_HW, d.xdp_hw)) if p]
    if len(modes) == 1:
        xi.attached, xi.prog_id = modes[0]
    elif len(modes) > 1:
        xi.attached = R.XDP_ATTACHED_MULTI
    spec = d.spec
    st = R.LinkStats(**{f: int(d.stats.get(f, 0)) for f in R.LinkStats.__dataclass_fields__})
    return R.IfInfo(
        ifindex=d.ifindex, ifname=d.name, flags=flags, mtu=d.mtu, min_mtu=d.min_mtu, max_mtu=d.max_mtu,
        qdisc=d.qdisc, operstate=oper, txqlen=d.txqlen, link_type=spec.link_type, address=d.address,
        broadcast=d.broadcast, kind=spec.kind or None, link=link, link_netnsid=link_netnsid,
        num_tx_queues=d.num_tx, num_rx_queues=d.num_rx, tso_max_size=spec.tso_max_size,
        carrier_changes=d.carrier_changes,
        info_data=dict(BRIDGE_INFO) if d.kind == "bridge" else None,
        parent_bus=d.extra.get("parent_bus"), parent_dev=d.extra.get("parent_dev"),
        phys_port_name=d.extra.get("phys_port_name"), xdp=xi, stats=st)


__all__ = ["Netdev", "KINDS", "KindSpec", "NETDEV", "create", "create_nic", "delete", "get_by_index",
           "get_by_name", "get_by_id", "all_devices", "require", "ifinfo"]
