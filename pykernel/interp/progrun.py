"""Running a loaded program on one frame outside BPF_PROG_TEST_RUN: the hooks' view.

The receive path (``pykernel.net.datapath``) and the NFP host fallback call these inside a
kernel call (``proc.kernel_call``), one frame at a time::

    res = run_xdp(kernel, prog, frame, dev=netdev_or_ifindex, rx_queue=0)
    res.action, res.frame, res.meta, res.redirect   # verdict, packet after the program

    res = run_skb(kernel, prog, frame, dev=..., ingress=True, mark=0)
    res.verdict, res.frame, res.mark, res.priority, res.tc_classid, res.vlan, res.redirect

* ``prog`` is a ``pykernel.prog.Prog`` (its verified ``xlated`` code); ``kernel`` the call's
  ``pykernel.objects.Kernel``: maps change in place and are written back when the call
  ends; the virtual clock advances by the executed instructions; trace lines go to
  :mod:`pykernel.interp.tracebuf`.
* XDP: the frame sits behind ``headroom`` (XDP_PACKET_HEADROOM) in a ``frame_sz`` buffer,
  as a driver hands it over; ``res.frame`` is ``data .. data_end`` afterwards (adjusted head
  and tail included), ``res.meta`` the metadata in front of it.
* skb (tc, cgroup_skb, socket filters, lwt): ``frame`` is the whole Ethernet frame; tc
  programs see it from the MAC header, the others from the network header (the MAC header
  stays in front, untouched by the program); ``res.frame`` is the frame from the MAC header
  afterwards, with a VLAN tag the program left in the skb's accelerated tag in ``res.vlan``
  (``(proto, tci)``), not in the bytes, as the kernel keeps it.
* A program that faults in the simulator (which the verifier should prevent) does not
  raise: the result carries ``fault`` (the message) and the verdict a kernel would drop the
  packet with (``XDP_ABORTED`` / ``TC_ACT_SHOT``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..uapi.consts import ProgType
from . import helpers as _helpers
from . import tracebuf
from .ctx import LOOPBACK, Netdev, SkbCtx, XdpCtx, netdev
from .env import KernelEnv, RedirectInfo
from .errors import ExecFault
from .translate import TranslateError, translate
from .vm import NS_PER_INSN, Run

XDP_ABORTED = 0
TC_ACT_SHOT = 2
M32 = 0xFFFFFFFF
L2_TYPES = {ProgType.SCHED_CLS, ProgType.SCHED_ACT}


@dataclass
class XdpResult:
    action: int
    frame: bytes
    meta: bytes = b""
    redirect: RedirectInfo = field(default_factory=RedirectInfo)
    insns: int = 0
    fault: str | None = None


@dataclass
class SkbResult:
    verdict: int
    frame: bytes
    mark: int = 0
    priority: int = 0
    tc_index: int = 0
    tc_classid: int = 0
    queue_mapping: int = 0
    protocol: int = 0
    vlan: tuple[int, int] | None = None
    cb: bytes = bytes(20)
    redirect: RedirectInfo = field(default_factory=RedirectInfo)
    insns: int = 0
    fault: str | None = None


def _dev(dev: Netdev | int | None) -> Netdev:
    if dev is None:
        return LOOPBACK
    if isinstance(dev, Netdev):
        return dev
    d = netdev(int(dev))
    return d if d is not None else Netdev(int(dev), f"if{int(dev)}")


def _prepare(kernel: Any, prog: Any, cpu: int | None) -> tuple[KernelEnv, Run]:
    proc = getattr(kernel, "proc", None)
    env = KernelEnv(kernel, cpu=cpu, comm=getattr(proc, "comm", None) or "ksoftirqd/0",
                    pid=int(getattr(proc, "pid", 0) or 1))
    env.prog = prog
    r = Run(calls=_helpers.kernel_calls())
    env.attach(r)
    env.refresh_jiffies()
    return env, r


def _execute(kernel: Any, prog: Any, env: KernelEnv, r: Run, ctx_addr: int) -> tuple[int, str | None]:
    fault = None
    r0 = 0
    try:
        tr = translate(prog.xlated, _helpers.kernel_calls(), name=getattr(prog, "name", "") or "prog")
        r0 = r.run(tr, ctx_addr)
    except (ExecFault, TranslateError) as e:
        fault = str(e)
    insns = r.total_ic + (r.ic if fault else 0)
    clock = getattr(kernel, "clock", None)
    if clock is not None:
        clock.advance(insns * NS_PER_INSN)
    tracebuf.append(kernel, env.trace)
    env.trace = []
    return r0 & M32, fault


def run_xdp(kernel: Any, prog: Any, frame: bytes, *, dev: Netdev | int | None = None, rx_queue: int = 0,
            headroom: int = 256, frame_sz: int = 4096, cpu: int | None = None) -> XdpResult:
    env, r = _prepare(kernel, prog, cpu)
    x = XdpCtx(r.mem, bytes(frame), headroom=headroom, frame_sz=frame_sz, dev=_dev(dev), queue_index=rx_queue)
    env.ctx = x
    action, fault = _execute(kernel, prog, env, r, x.addr)
    meta = b""
    if x.meta_valid and x.data_meta < x.data:
        o = x.data_meta - x.pkt.base
        meta = bytes(x.pkt.buf[o:o + x.metalen])
    return XdpResult(XDP_ABORTED if fault else action, x.packet(), meta, env.redirect,
                     r.total_ic + (r.ic if fault else 0), fault)


def run_skb(kernel: Any, prog: Any, frame: bytes, *, dev: Netdev | int | None = None, ingress: bool = True,
            mark: int = 0, priority: int = 0, cpu: int | None = None) -> SkbResult:
    env, r = _prepare(kernel, prog, cpu)
    t = int(prog.type)
    is_l2 = t in L2_TYPES
    d = _dev(dev)
    skb = SkbCtx(r.mem, bytes(frame), dev=d, is_l2=is_l2)
    env.ctx = skb
    skb.mark, skb.priority = mark & M32, priority & M32
    skb.skb_iif = d.ifindex if ingress else 0
    skb.wire_len = skb.len + (0 if is_l2 else 14)
    if ingress:
        from .. import layouts as L

        b = skb.skb.buf
        b[L.SK_BUFF_TC_AT_INGRESS_BYTE] |= L.SK_BUFF_TC_AT_INGRESS_MASK
    verdict, fault = _execute(kernel, prog, env, r, skb.addr)
    mac = skb.head + skb.mac_header if skb.mac_header != 0xFFFF else skb.data
    start = min(mac, skb.data)
    o = start - skb.head_region.base
    end = skb.data - skb.head_region.base + skb.len
    out = bytes(skb.head_region.buf[o:end])
    vlan = (skb.vlan_proto, skb.vlan_tci) if skb.vlan_present else None
    return SkbResult(TC_ACT_SHOT if fault else verdict, out, skb.mark, skb.priority, skb.tc_index,
                     skb.tc_classid, skb.queue_mapping, skb.protocol, vlan, skb.cb_data, env.redirect,
                     r.total_ic + (r.ic if fault else 0), fault)


__all__ = ["XdpResult", "SkbResult", "run_xdp", "run_skb"]
