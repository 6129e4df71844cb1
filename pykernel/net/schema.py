"""The networking tables of the kernel state (created on first use in each state file).

* ``net_ns(name, nsid, next_ifindex, lo_up)`` - network namespaces; ``""`` is the initial one.
* ``netdevs`` - one row per device: ``id`` is a global device number (what ``refs`` rows
  of attachments name as ``src_id``), ``(ns, ifindex)`` and ``(ns, name)`` are unique.
  ``xdp_{skb,drv,hw}`` hold the attached program ids, ``xdp_*_link`` the owning bpf_link.
  ``ingress`` is the kind of the ingress/clsact qdisc (``""`` none), ``ingress_queue``
  whether the device's ingress queue exists (created by the first clsact/ingress add).
* ``tc_filters`` - one row per cls_bpf filter: (device, hook, chain, prio, protocol,
  handle) and the program; ``seq`` orders filters of one classifier instance (the newest
  runs and dumps first, as cls_bpf keeps them).
* ``cgroups(id, path, parent)`` and ``cgroup_progs`` (one row per attached program or
  link, per cgroup and attach type; ``seq`` is the attach order).

Attachments hold their programs with ``refs`` rows (src_kind ``netdev``/``tcf``/``cgroup``).
"""

from __future__ import annotations

from ..store import Tx

NET_SCHEMA_VERSION = 1

_DDL = [
    """CREATE TABLE IF NOT EXISTS net_ns (
        name TEXT PRIMARY KEY, nsid INTEGER NOT NULL, next_ifindex INTEGER NOT NULL,
        created INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS netdevs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, ifindex INTEGER NOT NULL,
        name TEXT NOT NULL, kind TEXT NOT NULL, flags INTEGER NOT NULL, mtu INTEGER NOT NULL,
        min_mtu INTEGER NOT NULL, max_mtu INTEGER NOT NULL, address BLOB NOT NULL,
        broadcast BLOB NOT NULL, txqlen INTEGER NOT NULL, num_tx INTEGER NOT NULL,
        num_rx INTEGER NOT NULL, peer INTEGER NOT NULL DEFAULT 0, qdisc TEXT NOT NULL,
        ingress TEXT NOT NULL DEFAULT '', ingress_queue INTEGER NOT NULL DEFAULT 0,
        xdp_skb INTEGER NOT NULL DEFAULT 0, xdp_drv INTEGER NOT NULL DEFAULT 0,
        xdp_hw INTEGER NOT NULL DEFAULT 0, xdp_skb_link INTEGER NOT NULL DEFAULT 0,
        xdp_drv_link INTEGER NOT NULL DEFAULT 0, xdp_hw_link INTEGER NOT NULL DEFAULT 0,
        carrier_changes INTEGER NOT NULL DEFAULT 0, stats TEXT, extra TEXT,
        UNIQUE (ns, ifindex), UNIQUE (ns, name))""",
    """CREATE TABLE IF NOT EXISTS tc_filters (
        id INTEGER PRIMARY KEY AUTOINCREMENT, dev INTEGER NOT NULL, hook TEXT NOT NULL,
        chain INTEGER NOT NULL, prio INTEGER NOT NULL, protocol INTEGER NOT NULL,
        handle INTEGER NOT NULL, kind TEXT NOT NULL, prog INTEGER NOT NULL, name TEXT,
        flags INTEGER NOT NULL, gen_flags INTEGER NOT NULL, classid INTEGER,
        seq INTEGER NOT NULL, packets INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS tc_filters_dev ON tc_filters (dev, hook, chain, prio)",
    """CREATE TABLE IF NOT EXISTS cgroups (
        id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL UNIQUE, parent INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS cgroup_progs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, cg INTEGER NOT NULL, attach_type INTEGER NOT NULL,
        prog INTEGER NOT NULL, link INTEGER NOT NULL DEFAULT 0, flags INTEGER NOT NULL,
        seq INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS cgroup_progs_cg ON cgroup_progs (cg, attach_type)",
]


def ensure(tx: Tx) -> None:
    """Create the networking tables in this state file if they are not there yet."""
    if tx.meta_get("net_schema") != NET_SCHEMA_VERSION:
        for stmt in _DDL:
            tx.x(stmt)
        tx.meta_set("net_schema", NET_SCHEMA_VERSION)
