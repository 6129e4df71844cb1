"""The receive and transmit paths: frames through XDP, tc and the devices, inside one kernel call.

::

    def run(k):
        dp = Datapath(k, on_wire=lambda dev, frame, kind: ...)
        dp.receive(ifindex, frame)          # a frame arrives on a device (wire / peer)
        dp.transmit(ifindex, frame)         # the host stack sends a frame (AF_PACKET)
        dp.finish()                         # device counters into the state
        return dp.counters
    proc.kernel_call(run)                   # one transaction; maps are written back at its end

Receive (``netif_receive`` of a driver, then the core), in the kernel's order:

1. XDP offload (HW mode): the offload device's ``run_xdp`` (the NFP issue provides it);
2. XDP native (driver mode) on an ``xdp_buff`` of the device's rx queue;
3. XDP generic (SKB mode) on the skb;
4. tc ingress: the clsact/ingress filters in priority order (cls_bpf direct-action and
   classic semantics, protocol match, reclassify);
5. the host stack: counted per protocol; a protocol without handler (not IPv4, ARP, IPv6 or
   VLAN) is an ``rx_dropped`` as ``__netif_receive_skb_core`` counts it. The simulated stack
   does not answer (no ARP, ICMP or TCP replies).

XDP_TX and XDP_REDIRECT send the frame straight out of a device (no tc egress);
``transmit`` (the stack) and ``bpf_redirect`` from tc egress go through tc egress first.
What a veth sends its peer receives; a veth delivers XDP frames (XDP_TX, redirects) only to
a peer in NAPI mode (an XDP program attached), otherwise they are dropped and counted in the
sender's ``tx_dropped`` and the peer's ``rx_dropped``, as the reference kernel does. Frames
leaving other devices go to ``on_wire(dev, frame, kind)``. A frame may cross at most
:data:`HOP_BUDGET` devices (loops between XDP_TX programs end there).

Byte counters follow the reference kernel's veth: skbs count without their Ethernet header,
XDP frames with it.

Programs run with real contexts: ``xdp_md`` with the device's ``ingress_ifindex`` and
``rx_queue_index``, ``__sk_buff`` with ``ifindex``, ``ingress_ifindex``, ``pkt_type``,
``protocol``. Counters: ``counters[(device, hook, verdict)]`` (hooks ``xdp_hw``,
``xdp_drv``, ``xdp_generic``, ``tc_ingress``, ``tc_egress``, ``stack``, ``rx``, ``tx``).
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import layouts as L
from ..interp import ExecFault, Run, TranslateError, translate
from ..interp import helpers as _helpers
from ..interp.ctx import Netdev as CtxNetdev
from ..interp.ctx import SkbCtx, XdpCtx
from ..interp.env import INT_MAX, KernelEnv, RedirectInfo
from ..interp.memory import DYN_SLOT_FIRST
from ..interp.vm import NS_PER_INSN
from ..uapi import rtnl as R
from ..uapi.consts import MapType
from . import devices as D
from . import offload, schema
from .tc import filters_of

if TYPE_CHECKING:
    from ..objects import Kernel
    from ..prog import Prog

HOP_BUDGET = 8
ETH_HLEN = 14
XDP_HEADROOM = 256
XDP_MAX_LINEAR = 4096 - XDP_HEADROOM - 320
#: renew the run's address space when this many dynamic slots are in use
SLOT_RENEW = 4000
MAX_RECLASSIFY = 16
BPF_F_INGRESS = 1
BPF_F_BROADCAST = 1 << 3
BPF_F_EXCLUDE_INGRESS = 1 << 4

XDP_VERDICTS = {0: "aborted", 1: "drop", 2: "pass", 3: "tx", 4: "redirect"}
TC_VERDICTS = {-1: "unspec", 0: "ok", 1: "reclassify", 2: "shot", 3: "pipe", 4: "stolen", 5: "queued", 6: "repeat",
               7: "redirect", 8: "trap"}
STACK_PROTOS = {0x0800: "ipv4", 0x0806: "arp", 0x86DD: "ipv6", 0x8100: "vlan", 0x88A8: "vlan"}
OnWire = Callable[[D.Netdev, bytes, str], None]
_STACK_KEYS = {proto: ("stack", name) for proto, name in STACK_PROTOS.items()}
STACK_UNKNOWN = ("stack", "unknown_protocol")
RX_FRAME = ("rx", "frame")
DRV_PASS = ("xdp_drv", "pass")
RX_PACKETS, RX_BYTES = "rx_packets", "rx_bytes"
_DATA_END = struct.Struct("<QQ")
_PTRS = struct.Struct("<QQQ")  # xdp_buff data, data_end, data_meta
XDP_BUFF_DATA = L.XDP_BUFF_DATA


def s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


@dataclass
class _Filter:
    prio: int
    protocol: int
    prog: Prog
    tr: Any
    da: bool
    skip_sw: bool
    classid: int
    fid: int


@dataclass
class _Dev:
    """A device as the datapath caches it for one kernel call."""

    row: D.Netdev
    ctx_dev: CtxNetdev
    xdp: dict[str, tuple[Prog, Any]] = field(default_factory=dict)
    tc: dict[str, list[list[_Filter]]] = field(default_factory=dict)  # hook -> classifier instances
    stats: Counter = field(default_factory=Counter)
    filter_hits: Counter = field(default_factory=Counter)
    counts: Counter = field(default_factory=Counter)  # (hook, verdict) -> n
    after_drv: bool = False  # a generic program or tc ingress follows native XDP
    fast: bool = False  # up, native XDP only, nothing after it: receive() takes the short path

    @property
    def name(self) -> str:
        return self.row.name


class Datapath:
    def __init__(self, k: Kernel, *, on_wire: OnWire | None = None, hop_budget: int = HOP_BUDGET,
                 comm: str = "nfpsim") -> None:
        schema.ensure(k.tx)
        self.k = k
        self.on_wire = on_wire
        self.hop_budget = hop_budget
        self.comm = comm
        self.calls = _helpers.kernel_calls()
        self.ns = D.ns_of(k)
        self._devs: dict[int, _Dev | None] = {}  # device id -> cache
        self._by_index: dict[tuple[str, int], int] = {}
        self._trs: dict[int, Any] = {}
        self._runs: Counter = Counter()  # prog id -> runs
        self._insns = 0
        self._new_run()

    # -- the run (address space) shared by the programs --------------------------------------------
    def _new_run(self) -> None:
        proc = self.k.proc
        self.env = KernelEnv(self.k, comm=self.comm, pid=int(getattr(proc, "pid", 0) or 1))
        self.run = Run(calls=self.calls)
        self.env.attach(self.run)
        self._xctx: dict[tuple[int, int], XdpCtx] = {}
        self._skb_idle: SkbCtx | None = None  # one sk_buff reused frame after frame

    def _settle_run(self) -> None:
        from ..interp import tracebuf

        self._insns += self.run.total_ic
        self.k.clock.advance(self.run.total_ic * NS_PER_INSN)
        tracebuf.append(self.k, self.env.trace)
        self.env.trace = []

    def _maybe_renew(self) -> None:
        mem = self.run.mem
        if (mem._next_slot - DYN_SLOT_FIRST) > SLOT_RENEW:
            self._settle_run()
            self._new_run()

    def _tr(self, prog: Prog) -> Any:
        tr = self._trs.get(prog.id)
        if tr is None:
            tr = translate(prog.xlated, self.calls, name=prog.name or f"prog{prog.id}")
            self._trs[prog.id] = tr
        return tr

    # -- devices ------------------------------------------------------------------------------------
    def dev(self, dev_id: int) -> _Dev | None:
        if dev_id in self._devs:
            return self._devs[dev_id]
        row = D.get_by_id(self.k, dev_id)
        if row is None:
            self._devs[dev_id] = None
            return None
        cd = CtxNetdev(row.ifindex, row.name, row.mtu, row.address, row.broadcast, row.num_rx)
        d = _Dev(row, cd)
        for mode in ("hw", "drv", "skb"):
            pid = row.xdp_prog(mode)
            if pid and mode != "hw":
                prog = self.k.prog(pid)
                if prog is not None:
                    d.xdp[mode] = (prog, self._tr(prog))
            elif pid:
                d.xdp["hw"] = (None, None)  # type: ignore[assignment]
        if row.ingress:
            for hook in ("ingress", "egress"):
                tps: list[list[_Filter]] = []
                last = None
                for f in filters_of(self.k, row.id, hook):
                    prog = self.k.prog(f.prog)
                    if prog is None:
                        continue
                    item = _Filter(f.prio, f.protocol, prog, self._tr(prog), bool(f.flags & R.TCA_BPF_FLAG_ACT_DIRECT),
                                   bool(f.gen_flags & R.TCA_CLS_FLAGS_SKIP_SW), f.classid or 0, f.id)
                    if (f.chain, f.prio) != last:
                        tps.append([])
                        last = (f.chain, f.prio)
                    tps[-1].append(item)
                d.tc[hook] = tps
        d.after_drv = "skb" in d.xdp or bool(d.tc.get("ingress"))
        d.fast = row.up and "drv" in d.xdp and "hw" not in d.xdp and not d.after_drv
        self._devs[dev_id] = d
        self._by_index[(row.ns, row.ifindex)] = dev_id
        return d

    def dev_by_index(self, ifindex: int, ns: str | None = None) -> _Dev | None:
        key = (self.ns if ns is None else ns, ifindex)
        did = self._by_index.get(key)
        if did is None:
            row = D.get_by_index(self.k, ifindex, key[0])
            did = self._by_index[key] = row.id if row else 0
        return self._devs.get(did) or self.dev(did) if did else None

    def _count(self, d: _Dev, hook: str, verdict: str) -> None:
        d.counts[(hook, verdict)] += 1

    @property
    def counters(self) -> Counter:
        """(device, hook, verdict) -> count, over this datapath's life."""
        out: Counter = Counter()
        for d in self._devs.values():
            if d is not None:
                for (hook, verdict), n in d.counts.items():
                    if n:
                        out[(d.row.name, hook, verdict)] += n
        return out

    # -- entry points ---------------------------------------------------------------------------------
    def receive(self, ifindex: int, frame: bytes, rx_queue: int = 0, ns: str | None = None) -> None:
        """A frame arrives on device ``ifindex`` (from the wire, or a veth peer)."""
        d = self.dev_by_index(ifindex, ns)
        if d is None:
            raise KeyError(ifindex)
        n = len(frame)
        if d.fast and ETH_HLEN <= n <= XDP_MAX_LINEAR:
            st, c = d.stats, d.counts
            st[RX_PACKETS] += 1
            st[RX_BYTES] += n - ETH_HLEN
            c[RX_FRAME] += 1
            x = self._xctx.get((d.row.id, rx_queue))
            if x is None:
                x = self._xdp_ctx(d, frame, rx_queue)
            else:  # reset the queue's xdp_buff in place: the frame at the headroom, pointers, window
                r = x.pkt
                r.buf[XDP_HEADROOM:XDP_HEADROOM + n] = frame
                start = r.base + XDP_HEADROOM
                _PTRS.pack_into(x.buff.buf, XDP_BUFF_DATA, start, start + n, start)
                r.lo, r.hi = start, start + n
                t = (r.buf, r.base, start, start + n)
                slot = r.base >> 32
                mem = self.run.mem
                mem.rd[slot] = t
                mem.wr[slot] = t
            prog, tr = d.xdp["drv"]
            env = self.env
            env.ctx = x
            env.prog = prog
            ri = env.redirect
            if ri.map_id or ri.tgt_index or ri.tgt_value is not None:
                ri.tgt_index = ri.flags = ri.map_id = ri.map_type = 0
                ri.tgt_value = None
            self._runs[prog.id] += 1
            try:
                act = self.run.run(tr, x.addr) & 0xFFFFFFFF
            except ExecFault:
                act = 0
            if act == 2:
                c[DRV_PASS] += 1
                data, end = _DATA_END.unpack_from(x.buff.buf, XDP_BUFF_DATA)
                buf = x.pkt.buf
                o = data - x.pkt.base
                self._deliver_proto(d, (buf[o + 12] << 8) | buf[o + 13] if end - data >= ETH_HLEN else 0)
            else:
                self._xdp_verdict(d, "xdp_drv", act, x.packet() + x.frags if act in (3, 4) else frame,
                                  rx_queue, 0, x)
        else:
            if d.row.up:
                d.stats[RX_PACKETS] += 1
                d.stats[RX_BYTES] += max(0, n - ETH_HLEN)
            self._rx(d, bytes(frame), rx_queue, 0, xdp_frame=False)
        if self.run.mem._next_slot - DYN_SLOT_FIRST > SLOT_RENEW:
            self._settle_run()
            self._new_run()

    def transmit(self, ifindex: int, frame: bytes, ns: str | None = None) -> bool:
        """The host stack sends ``frame`` on device ``ifindex`` (an AF_PACKET send): tc egress,
        then the device. False if the send fails as it would with EINVAL (shorter than the
        Ethernet header)."""
        d = self.dev_by_index(ifindex, ns)
        if d is None:
            raise KeyError(ifindex)
        if len(frame) < ETH_HLEN:
            self._count(d, "tx", "einval")
            return False
        self._egress(d, bytes(frame), 0)
        self._maybe_renew()
        return True

    # -- receive --------------------------------------------------------------------------------------
    def _rx(self, d: _Dev, frame: bytes, queue: int, hops: int, xdp_frame: bool) -> None:
        if hops > self.hop_budget:
            self._count(d, "rx", "hop_limit")
            d.stats["rx_dropped"] += 1
            return
        if not d.row.up:
            self._count(d, "rx", "down")
            d.stats["rx_dropped"] += 1
            return
        if len(frame) < ETH_HLEN:
            self._count(d, "rx", "runt")
            d.stats["rx_dropped"] += 1
            return
        self._count(d, "rx", "frame")
        if "hw" in d.xdp:
            ops = offload.offload_dev(d.row)
            if ops is not None:
                act, frame = ops.run_xdp(self.k, d.row, d.row.xdp_hw, frame, queue)
                if not self._xdp_verdict(d, "xdp_hw", act, frame, queue, hops, None):
                    return
        drv = d.xdp.get("drv")
        if drv is not None:
            act, x = self._exec_xdp(d, drv, frame, queue)
            if act == 2 and not d.after_drv:
                # nothing but the stack follows: no need to copy the frame out of the buffer
                self._count(d, "xdp_drv", "pass")
                buf = x.pkt.buf
                o = x.data - x.pkt.base
                self._deliver_proto(d, (buf[o + 12] << 8) | buf[o + 13] if x.data_end - x.data >= ETH_HLEN else 0)
                return
            frame = x.packet() + x.frags if act in (2, 3, 4) else frame
            if not self._xdp_verdict(d, "xdp_drv", act, frame, queue, hops, x):
                return
        gen = d.xdp.get("skb")
        if gen is not None:
            act, x = self._exec_xdp(d, gen, frame, queue)
            frame = x.packet() + x.frags if act in (2, 3, 4) else frame
            if not self._xdp_verdict(d, "xdp_generic", act, frame, queue, hops, x, generic=True):
                return
        if d.tc.get("ingress"):
            verdict, frame, ri = self._run_tc(d, "ingress", frame)
            if not self._tc_verdict(d, "tc_ingress", verdict, frame, hops, ri):
                return
        self._deliver(d, frame)

    def _deliver(self, d: _Dev, frame: bytes) -> None:
        self._deliver_proto(d, int.from_bytes(frame[12:14], "big"))

    def _deliver_proto(self, d: _Dev, proto: int) -> None:
        key = _STACK_KEYS.get(proto)
        if key is None:
            d.stats["rx_dropped"] += 1
            d.counts[STACK_UNKNOWN] += 1
        else:
            d.counts[key] += 1

    # -- XDP ------------------------------------------------------------------------------------------
    def _xdp_ctx(self, d: _Dev, frame: bytes, queue: int) -> XdpCtx:
        n = len(frame)
        if n > XDP_MAX_LINEAR:
            return XdpCtx(self.run.mem, frame[:XDP_MAX_LINEAR], dev=d.ctx_dev, queue_index=queue,
                          frags=frame[XDP_MAX_LINEAR:])
        key = (d.row.id, queue)
        x = self._xctx.get(key)
        if x is None:
            x = XdpCtx(self.run.mem, frame, dev=d.ctx_dev, queue_index=queue)
            self._xctx[key] = x
            return x
        buf = x.pkt.buf
        buf[XDP_HEADROOM:XDP_HEADROOM + n] = frame
        start = x.pkt.base + XDP_HEADROOM
        x.set_pointers(start, start, start + n)
        return x

    def _exec_xdp(self, d: _Dev, pt: tuple[Prog, Any], frame: bytes, queue: int) -> tuple[int, XdpCtx]:
        prog, tr = pt
        x = self._xdp_ctx(d, frame, queue)
        env = self.env
        env.ctx = x
        env.prog = prog
        ri = env.redirect
        if ri.map_id or ri.tgt_index or ri.tgt_value is not None:
            ri.tgt_index = ri.flags = ri.map_id = ri.map_type = 0
            ri.tgt_value = None
        self._runs[prog.id] += 1
        try:
            act = self.run.run(tr, x.addr) & 0xFFFFFFFF
        except ExecFault:
            act = 0
        return act, x

    def _xdp_verdict(self, d: _Dev, hook: str, act: int, frame: bytes, queue: int, hops: int, x: XdpCtx | None,
                     generic: bool = False) -> bool:
        """True: the frame goes on up the stack."""
        name = XDP_VERDICTS.get(act, "invalid")
        self._count(d, hook, name)
        if act == 2:
            return True
        if act == 3:
            if generic:
                self._xmit(d, frame, hops, kind="skb")
            else:
                self._xmit(d, frame, hops, kind="xdp")
            return False
        if act == 4:
            self._xdp_redirect(d, frame, hops, generic)
            return False
        return False  # XDP_DROP, XDP_ABORTED (trace_xdp_exception) and unknown actions drop the frame

    def _xdp_redirect(self, d: _Dev, frame: bytes, hops: int, generic: bool) -> None:
        ri: RedirectInfo = self.env.redirect
        kind = "skb" if generic else "xdp"
        targets: list[_Dev] = []
        if ri.map_id == INT_MAX or (not ri.map_id and ri.tgt_index):
            t = self.dev_by_index(ri.tgt_index, d.row.ns)
            if t is not None:
                targets.append(t)
        elif ri.map_type in (MapType.DEVMAP, MapType.DEVMAP_HASH):
            m = self.k.map(ri.map_id)
            if ri.flags & BPF_F_BROADCAST and m is not None:
                key = None
                while True:
                    try:
                        key = m.sys_get_next_key(key)
                    except OSError:
                        break
                    tv = m.redirect_target(struct.unpack("<I", key)[0])
                    if tv:
                        t = self.dev_by_index(tv[0], d.row.ns)
                        if t is not None and not (ri.flags & BPF_F_EXCLUDE_INGRESS and t.row.id == d.row.id):
                            targets.append(t)
            elif ri.tgt_value:
                t = self.dev_by_index(int(ri.tgt_value[0]), d.row.ns)
                if t is not None:
                    targets.append(t)
        elif ri.map_type == MapType.CPUMAP:
            # the frame goes up the stack of this device from another CPU's kthread
            self._count(d, "redirect", "cpumap")
            if d.tc.get("ingress"):
                verdict, frame, tri = self._run_tc(d, "ingress", frame)
                if not self._tc_verdict(d, "tc_ingress", verdict, frame, hops, tri):
                    return
            self._deliver(d, frame)
            return
        if not targets:
            self._count(d, "redirect", "error")  # trace_xdp_redirect_err: the frame is dropped
            return
        for t in targets:
            self._xmit(t, frame, hops, kind=kind)

    # -- tc ---------------------------------------------------------------------------------------------
    def _run_tc(self, d: _Dev, hook: str, frame: bytes) -> tuple[int, bytes, RedirectInfo]:
        tps = d.tc.get(hook, [])
        proto = int.from_bytes(frame[12:14], "big") if len(frame) >= ETH_HLEN else 0
        mem = self.run.mem
        skb = self._skb_idle
        if skb is not None:  # reset() makes it a fresh skb for this frame: its regions stay mapped
            self._skb_idle = None
            skb.reset(frame, dev=d.ctx_dev, is_l2=True, direct=True)
        else:
            skb = SkbCtx(mem, frame, dev=d.ctx_dev, is_l2=True, direct=True)
        if hook == "ingress":
            skb.skb_iif = d.row.ifindex
        env = self.env
        env.ctx = skb
        ri = env.redirect
        ri.tgt_index = ri.flags = ri.map_id = ri.map_type = 0
        ri.tgt_value = None
        if hook == "ingress":
            d.stats["clsact_packets"] += 1
            d.stats["clsact_bytes"] += len(frame) - ETH_HLEN
        else:
            d.stats["clsact_packets"] += 1
            d.stats["clsact_bytes"] += len(frame)
        verdict = -1
        loops = 0
        i = 0
        while i < len(tps):
            tp = tps[i]
            i += 1
            if tp[0].protocol != R.ETH_P_ALL and tp[0].protocol != proto:
                continue
            ret = self._cls_bpf(d, tp, skb)
            if ret == 1:  # TC_ACT_RECLASSIFY: start over
                loops += 1
                if loops >= MAX_RECLASSIFY:
                    verdict = 2
                    break
                i = 0
                continue
            if ret >= 0:
                verdict = ret
                break
        out = skb.bytes()
        if skb.mem is self.run.mem:
            self._skb_idle = skb
        return verdict, out, ri

    def _cls_bpf(self, d: _Dev, tp: list[_Filter], skb: SkbCtx) -> int:
        """cls_bpf_classify() over one classifier instance (newest filter first)."""
        ret = -1
        for f in tp:
            if f.skip_sw:
                res = -1 if f.da else 0
            else:
                self.env.prog = f.prog
                self._runs[f.prog.id] += 1
                d.filter_hits[f.fid] += 1
                try:
                    res = s32(self.run.run(f.tr, skb.addr))
                except ExecFault:
                    res = 2 if f.da else 0
            if f.da:
                code = res if res in (0, 2, 4, 7, 8, -1) else -1
                if code == -1:
                    continue
                return code
            if res == 0:
                continue
            skb.tc_index = (res if res != -1 else f.classid) & 0xFFFF
            return 0  # tcf_exts_exec() without actions: TC_ACT_OK
        return ret

    def _tc_verdict(self, d: _Dev, hook: str, verdict: int, frame: bytes, hops: int, ri: RedirectInfo) -> bool:
        """True: the frame continues (to the stack at ingress, to the device at egress)."""
        self._count(d, hook, TC_VERDICTS.get(verdict, "unspec"))
        if verdict == 2:
            d.stats["clsact_drops"] += 1
            return False
        if verdict in (4, 5, 8):
            return False
        if verdict == 7:
            t = self.dev_by_index(ri.tgt_index, d.row.ns) if ri.tgt_index else None
            if t is None or not t.row.up:
                self._count(d, hook, "redirect_error")
                return False
            if ri.flags & BPF_F_INGRESS:
                self._rx(t, frame, 0, hops + 1, xdp_frame=False)
            else:
                self._egress(t, frame, hops + 1)
            return False
        return True

    # -- transmit ---------------------------------------------------------------------------------------
    def _egress(self, d: _Dev, frame: bytes, hops: int) -> None:
        """dev_queue_xmit(): tc egress, then the device."""
        if d.tc.get("egress"):
            verdict, frame, ri = self._run_tc(d, "egress", frame)
            if not self._tc_verdict(d, "tc_egress", verdict, frame, hops, ri):
                return
        self._xmit(d, frame, hops, kind="skb")

    def _xmit(self, d: _Dev, frame: bytes, hops: int, kind: str) -> None:
        """The device sends ``frame`` (``kind`` ``skb`` or ``xdp``)."""
        n = len(frame)
        blen = n if kind == "xdp" else n - ETH_HLEN
        if not d.row.up:
            d.stats["tx_dropped"] += 1
            self._count(d, "tx", "down")
            return
        if d.row.kind == "veth":
            p = self.dev(d.row.peer) if d.row.peer else None
            if p is None or not p.row.up:
                d.stats["tx_dropped"] += 1
                self._count(d, "tx", "no_carrier")
                return
            napi = "drv" in p.xdp
            if kind == "xdp" and not napi:
                d.stats["tx_dropped"] += 1
                p.stats["rx_dropped"] += 1
                self._count(d, "tx", "xdp_no_napi")
                return
            if not napi:
                blen = n  # veth_xmit counts the skb as sent, header included
            d.stats["tx_packets"] += 1
            d.stats["tx_bytes"] += blen
            p.stats["rx_packets"] += 1
            p.stats["rx_bytes"] += blen
            self._count(d, "tx", kind)
            if self.on_wire is not None:
                self.on_wire(d.row, frame, kind)
            self._rx(p, frame, 0, hops + 1, xdp_frame=kind == "xdp")
            return
        if kind == "xdp" and d.row.kind != "nfp":
            self._count(d, "tx", "xdp_unsupported")  # no ndo_xdp_xmit: dev_xdp_enqueue fails, the frame drops
            return
        if d.row.kind == "lo":
            d.stats["tx_packets"] += 1
            d.stats["tx_bytes"] += blen
            d.stats["rx_packets"] += 1
            d.stats["rx_bytes"] += blen
            self._count(d, "tx", kind)
            self._rx(d, frame, 0, hops + 1, xdp_frame=False)
            return
        d.stats["tx_packets"] += 1
        d.stats["tx_bytes"] += blen
        self._count(d, "tx", kind)
        if d.row.kind == "nfp" and self.on_wire is not None:
            self.on_wire(d.row, frame, kind)
        elif self.on_wire is not None:
            self.on_wire(d.row, frame, kind)

    # -- the end of the call ---------------------------------------------------------------------------
    def finish(self) -> None:
        """Write device statistics and filter hit counts into the state; advance the clock."""
        self._settle_run()
        for did, d in self._devs.items():
            if d is None or not (d.stats or d.filter_hits):
                continue
            row = D.get_by_id(self.k, did)
            if row is None:
                continue
            for key, v in d.stats.items():
                if v:
                    row.stats[key] = int(row.stats.get(key, 0)) + v
            row.save(self.k.tx)
            for fid, n in d.filter_hits.items():
                self.k.tx.x("UPDATE tc_filters SET packets = packets + ? WHERE id = ?", (n, fid))
            d.stats.clear()
            d.filter_hits.clear()
        if self._runs and self.k.stats_enabled():
            for pid, n in self._runs.items():
                prog = self.k.prog(pid)
                if prog is not None:
                    self.k.account_run(prog, 0, n)
        self._runs.clear()
        self._new_run()


def prog_cannot_run(prog: Prog) -> str | None:
    """Why a program cannot be executed by the datapath (it failed translation), or None."""
    try:
        translate(prog.xlated, _helpers.kernel_calls(), name=prog.name or "prog")
    except TranslateError as e:
        return str(e)
    return None
