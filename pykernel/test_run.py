"""BPF_PROG_TEST_RUN: run a loaded program on a packet, as ``net/bpf/test_run.c`` does.

Entry point (called by ``pykernel.syscall`` for ``Cmd.PROG_TEST_RUN``)::

    run(kernel: pykernel.objects.Kernel, prog: pykernel.prog.Prog, attr: TestRunAttr) -> int

It returns 0 and fills ``attr.retval``, ``attr.duration``, ``attr.data_size_out``,
``attr.data_out`` (in place) and ``attr.ctx_out``/``attr.ctx_size_out``, or raises
``SyscallError`` with Linux's errno. Map changes the program made stay in the live map
objects of ``kernel``; the kernel core writes them back when the syscall ends.

Program types: ``xdp`` (bpf_prog_test_run_xdp) and the skb family - ``sched_cls``,
``sched_act``, ``cgroup_skb``, ``socket_filter``, ``lwt_*`` (bpf_prog_test_run_skb). Any
other type has no test_run: ENOTSUPP (524), as in Linux.

Rules reproduced (6.18):

* data_in shorter than ETH_HLEN (14) -> EINVAL. XDP frames are 4096 bytes: 256 bytes of
  headroom (less the metadata a ``struct xdp_md`` ctx_in asks for), the linear data, 320
  bytes of shared info; what does not fit (beyond 3520 bytes) becomes fragments (at most
  17 pages, else ENOMEM). skb data longer than the page allows -> EINVAL.
  skb data sits behind NET_SKB_PAD (64) bytes in a slab-sized head.
* ``repeat`` 0 counts as 1; every repetition runs on the same context (what the program
  changed stays changed), ``retval`` is the last run's r0 (low 32 bits).
* ``duration``: the average virtual time per run, in ns; the virtual clock advances one
  ns per executed instruction (``pykernel.interp.vm.NS_PER_INSN``), so it is
  deterministic, and the state's clock moves on by the whole run.
* ``data_out``: the packet after the run (XDP: from ``data_meta``; skb: from ``data``; for
  cgroup_skb/socket_filter an all-zero Ethernet header is pushed back in front, as
  Linux does). ``data_size_out`` is the full size; a ``data_out`` shorter than that gets
  what fits and the call fails with ENOSPC after writing retval/duration/data_size_out. An
  empty ``data_out`` means "no size hint": it is grown to the full size.
* ``ctx_in``/``ctx_out``: ``struct xdp_md`` (data_meta must be 0; data_end <= len(data_in)
  is the size of the linear part - 6.18 puts the rest in fragments, so a zero ctx gives an
  empty linear part; data = metadata length, 4-aligned, at most 216 (the headroom less
  ``struct xdp_frame``); egress_ifindex 0; rx_queue_index only with an ingress_ifindex of
  an existing device (ENODEV otherwise), below its queue count) or ``struct
  __sk_buff`` (only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len,
  gso_segs, gso_size, hwtstamp may be non-zero; wire_len >= len; an ifindex > 1 must
  exist, else ENODEV). A ctx_in longer than the struct must be zero beyond it (else E2BIG).
  ``ctx_out`` shorter than the struct: ENOSPC.
* Flags: XDP accepts only BPF_F_TEST_XDP_LIVE_FRAMES (frames are run, not copied out;
  ``batch_size`` <= 256), skb only BPF_F_TEST_SKB_CHECKSUM_COMPLETE (the checksum is
  checked after the run: EBADMSG if the program broke it); ``cpu``/``batch_size`` on skb
  programs -> EINVAL. xdp programs for devmap/cpumap or bound to a device -> EINVAL.

A program that faults in the simulator (an access outside every valid memory window, an
unknown call, the instruction budget of ``pykernel.interp.vm.DEFAULT_BUDGET``) - which the
verifier should have prevented - fails the call with **EFAULT**; the reason is in the
exception's ``reason``. Trace lines (``bpf_trace_printk``) go to
:mod:`pykernel.interp.tracebuf`.
"""

from __future__ import annotations

import struct
from typing import Any

from .interp import ExecFault, Run, TranslateError, tracebuf, translate
from .interp import helpers as _helpers
from .interp.ctx import LOOPBACK, SkbCtx, XdpCtx, netdev
from .interp.env import KernelEnv
from .interp.helpers.csum import csum_fold, csum_partial
from .interp.vm import NS_PER_INSN
from .uapi.attr import TestRunAttr
from .uapi.consts import (
    E2BIG,
    EFAULT,
    EINVAL,
    ENODEV,
    ENOMEM,
    ENOSPC,
    ENOTSUPP,
    F_TEST_XDP_LIVE_FRAMES,
    AttachType,
    ProgType,
)
from .uapi.errors import SyscallError

PAGE_SIZE = 4096
ETH_HLEN = 14
XDP_PACKET_HEADROOM = 256
SKB_SHINFO = 320  # SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
NET_SKB_PAD = 64
SIZEOF_XDP_MD = 24
SIZEOF_SK_BUFF_UAPI = 192
SIZEOF_XDP_PAGE_HEAD = 2 * 56  # struct xdp_page_head: two xdp_buffs before the frame
SIZEOF_XDP_FRAME = 40
MAX_SKB_FRAGS = 17
TEST_XDP_MAX_BATCH = 256
NAPI_POLL_WEIGHT = 64
BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2
GSO_LEGACY_MAX_SIZE = 65536
GSO_MAX_SEGS = 65535
EBADMSG = 74
CHECKSUM_COMPLETE = 2
M32 = 0xFFFFFFFF

SKB_TYPES = {ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.CGROUP_SKB, ProgType.SOCKET_FILTER,
             ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT}
L2_TYPES = {ProgType.SCHED_CLS, ProgType.SCHED_ACT}
DIRECT_TYPES = L2_TYPES | {ProgType.LWT_IN, ProgType.LWT_OUT, ProgType.LWT_XMIT, ProgType.CGROUP_SKB}

# struct __sk_buff offsets (uapi)
SKB_MARK, SKB_PRIORITY, SKB_INGRESS_IFINDEX, SKB_IFINDEX = 8, 32, 36, 40
SKB_CB, SKB_CB_END = 48, 68
SKB_TSTAMP, SKB_WIRE_LEN, SKB_GSO_SEGS, SKB_GSO_SIZE, SKB_HWTSTAMP = 152, 160, 164, 176, 184


def run(kernel: Any, prog: Any, attr: TestRunAttr) -> int:
    t = int(prog.type)
    if t == ProgType.XDP:
        return _run_xdp(kernel, prog, attr)
    if t in SKB_TYPES:
        return _run_skb(kernel, prog, attr)
    raise SyscallError(ENOTSUPP, f"program type {t} has no test_run")


# ----------------------------------------------------------------------------------------------
# common


def _ctx_init(attr: TestRunAttr, max_size: int) -> bytearray | None:
    """bpf_ctx_init(): the user's ctx (zero-padded to the struct), or None without one."""
    ctx_in = attr.ctx_in
    if ctx_in is None and attr.ctx_out is None:
        return None
    data = bytearray(max_size)
    if ctx_in is not None:
        size = len(ctx_in)
        if size > PAGE_SIZE:
            raise SyscallError(E2BIG, "ctx_in larger than a page")
        if size > max_size and any(ctx_in[max_size:]):
            raise SyscallError(E2BIG, "ctx_in has non-zero bytes beyond the struct")
        n = min(size, max_size)
        data[:n] = ctx_in[:n]
    return data


def _test_init(size: int, headroom: int, tailroom: int) -> None:
    if size < ETH_HLEN or size > PAGE_SIZE - headroom - tailroom:
        raise SyscallError(EINVAL, f"data_in of {size} bytes")


def _finish(attr: TestRunAttr, data: bytes, retval: int, duration: int, frags_size: int = 0) -> None:
    """bpf_test_finish(): data_out with the ENOSPC rule, then the scalar outputs."""
    size = len(data)
    enospc = False
    out = attr.data_out
    if out is not None and len(out) == 0:
        out.extend(bytes(size))  # no size hint: the whole packet is copied
    hint = len(out) if out is not None else 0
    copy = size
    if hint and copy > hint:
        copy = hint
        enospc = True
    if out is not None:
        if copy - frags_size < 0:
            raise SyscallError(ENOSPC, "data_out smaller than the fragments")
        out[:copy] = data[:copy]
    attr.data_size_out = size
    attr.retval = retval & M32
    attr.duration = min(duration, M32)
    if enospc:
        raise SyscallError(ENOSPC, "data_out too small")


def _ctx_finish(attr: TestRunAttr, ctx: bytearray | None) -> None:
    if ctx is None or attr.ctx_out is None:
        return
    out = attr.ctx_out
    n = min(len(out), len(ctx))
    out[:n] = ctx[:n]
    attr.ctx_size_out = len(ctx)
    if len(out) < len(ctx):
        raise SyscallError(ENOSPC, "ctx_out too small")


def _env(kernel: Any, prog: Any) -> tuple[KernelEnv, Run]:
    proc = getattr(kernel, "proc", None)
    env = KernelEnv(kernel, comm=getattr(proc, "comm", None) or "bpftool",
                    pid=int(getattr(proc, "pid", 0) or 1))
    env.prog = prog
    r = Run(calls=_helpers.kernel_calls())
    env.attach(r)
    return env, r


def _execute(kernel: Any, prog: Any, env: KernelEnv, r: Run, ctx_addr: int, repeat: int,
             reset: Any = None) -> tuple[int, int]:
    """Run ``repeat`` times (``reset()`` -> a fresh ctx address before each run, for live
    frames); (last r0, average duration in ns). Faults -> EFAULT."""
    try:
        tr = translate(prog.xlated, _helpers.kernel_calls(), name=prog.name or f"prog{prog.id}")
    except TranslateError as e:
        raise SyscallError(EFAULT, f"program cannot be executed: {e}") from None
    repeat = max(1, repeat)
    r0 = 0
    env.refresh_jiffies()  # jiffies tick every 4 ms of virtual time: once per test run
    try:
        for _ in range(repeat):
            addr = reset() if reset is not None else ctx_addr
            env.prog = prog
            r0 = r.run(tr, addr)
    except ExecFault as e:
        _settle(kernel, env, r.total_ic + r.ic)
        raise SyscallError(EFAULT, f"program fault: {e}") from None
    _settle(kernel, env, r.total_ic)
    return r0, r.total_ic * NS_PER_INSN // repeat


def _settle(kernel: Any, env: KernelEnv, insns: int) -> None:
    """Advance the state's clock by the virtual time the runs took; keep trace lines."""
    clock = getattr(kernel, "clock", None)
    if clock is not None:
        clock.advance(insns * NS_PER_INSN)
    tracebuf.append(kernel, env.trace)
    env.trace = []


# ----------------------------------------------------------------------------------------------
# XDP


def _run_xdp(kernel: Any, prog: Any, attr: TestRunAttr) -> int:
    live = bool(attr.flags & F_TEST_XDP_LIVE_FRAMES)
    if int(getattr(prog, "expected_attach_type", 0) or 0) in (AttachType.XDP_DEVMAP, AttachType.XDP_CPUMAP):
        raise SyscallError(EINVAL, "devmap/cpumap programs cannot be test-run")
    if attr.flags & ~F_TEST_XDP_LIVE_FRAMES:
        raise SyscallError(EINVAL, "unknown flags")
    if getattr(prog, "ifindex", 0):
        raise SyscallError(EINVAL, "device-bound program")
    headroom = XDP_PACKET_HEADROOM
    tailroom = SKB_SHINFO
    batch = attr.batch_size
    if live:
        if not batch:
            batch = NAPI_POLL_WEIGHT
        elif batch > TEST_XDP_MAX_BATCH:
            raise SyscallError(E2BIG, "batch_size")
        headroom += SIZEOF_XDP_PAGE_HEAD
    elif batch:
        raise SyscallError(EINVAL, "batch_size without live frames")
    data_in = bytes(attr.data_in or b"")
    size_in = len(data_in)
    if size_in < ETH_HLEN:
        raise SyscallError(EINVAL, f"data_in of {size_in} bytes")
    ctx = _ctx_init(attr, SIZEOF_XDP_MD)
    meta_len = 0
    linear = size_in
    if ctx is not None:
        c_data, c_end, c_meta, c_ifindex, c_rxq, c_egress = struct.unpack_from("<6I", ctx)
        # 6.18: ctx->data_end is the linear size (the rest of data_in becomes fragments)
        if (c_meta or c_end > size_in or c_data > c_end or c_data & 3
                or c_data > XDP_PACKET_HEADROOM - SIZEOF_XDP_FRAME
                or (live and (attr.data_out is not None or attr.ctx_out is not None))):
            raise SyscallError(EINVAL, "bad struct xdp_md in ctx_in")
        meta_len = c_data
        headroom -= c_data
        linear = c_end
    max_data = PAGE_SIZE - headroom - tailroom
    if linear > max_data:
        if live:
            raise SyscallError(EINVAL, "jumbo frame in live mode")
        linear = max_data
    frags = data_in[linear:]
    if (len(frags) + PAGE_SIZE - 1) // PAGE_SIZE > MAX_SKB_FRAGS:
        raise SyscallError(ENOMEM, "too many fragments")
    size = linear
    dev, queue = LOOPBACK, 0
    if ctx is not None:
        if c_egress:
            raise SyscallError(EINVAL, "egress_ifindex in ctx_in")
        if not c_ifindex and c_rxq:
            raise SyscallError(EINVAL, "rx_queue_index without ingress_ifindex")
        if c_ifindex:
            d = netdev(c_ifindex)
            if d is None:
                raise SyscallError(ENODEV, f"no device {c_ifindex}")
            if c_rxq >= d.num_rx_queues:
                raise SyscallError(EINVAL, "rx_queue_index out of range")
            dev, queue = d, c_rxq
    env, r = _env(kernel, prog)
    frame = data_in[:size]
    meta_len = min(meta_len, size)

    def build() -> XdpCtx:
        # the metadata (if any) is carved from the headroom, in front of the data
        return XdpCtx(r.mem, frame[meta_len:], headroom=headroom + meta_len, frame_sz=PAGE_SIZE,
                      meta_len=meta_len, dev=dev, queue_index=queue, frags=frags)

    x = build()
    if meta_len:  # the user's data_in starts with the metadata
        o = x.data_meta - x.pkt.base
        x.pkt.buf[o:o + size] = frame
    env.ctx = x
    original = x.output()
    if live:
        fresh = _live_reset(env, build, frame, meta_len)
        _, duration = _execute(kernel, prog, env, r, 0, attr.repeat, reset=fresh)
        retval = 0
        out = original
    else:
        retval, duration = _execute(kernel, prog, env, r, x.addr, attr.repeat)
        out = x.output()
    if ctx is not None:
        struct.pack_into("<II", ctx, 0, x.data - x.data_meta if x.meta_valid else 0,
                         x.data_end - (x.data_meta if x.meta_valid else x.data))
    _finish(attr, out, retval, duration, len(frags))
    _ctx_finish(attr, ctx)
    return 0


def _live_reset(env: KernelEnv, build: Any, frame: bytes, meta_len: int) -> Any:
    """Live frames: every run gets a fresh copy of the original frame."""

    def reset() -> int:
        x = build()
        if meta_len:
            o = x.data_meta - x.pkt.base
            x.pkt.buf[o:o + len(frame)] = frame
        env.ctx = x
        return x.addr

    return reset


# ----------------------------------------------------------------------------------------------
# sk_buff


def _check_skb_ctx(ctx: bytearray) -> None:
    """convert___skb_to_skb(): only the fields test_run passes in may be non-zero."""
    allowed = [(SKB_MARK, 4), (SKB_PRIORITY, 4), (SKB_INGRESS_IFINDEX, 4), (SKB_IFINDEX, 4),
               (SKB_CB, SKB_CB_END - SKB_CB), (SKB_TSTAMP, 8), (SKB_WIRE_LEN, 4), (SKB_GSO_SEGS, 4),
               (SKB_GSO_SIZE, 4), (SKB_HWTSTAMP, 8)]
    ok = bytearray(len(ctx))
    for off, n in allowed:
        ok[off:off + n] = b"\1" * n
    for i, b in enumerate(ctx):
        if b and not ok[i]:
            raise SyscallError(EINVAL, f"__sk_buff byte {i} may not be set in ctx_in")


def _run_skb(kernel: Any, prog: Any, attr: TestRunAttr) -> int:
    if attr.flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE or attr.cpu or attr.batch_size:
        raise SyscallError(EINVAL, "flags, cpu or batch_size")
    data_in = bytes(attr.data_in or b"")
    size = len(data_in)
    _test_init(size, NET_SKB_PAD, SKB_SHINFO)
    ctx = _ctx_init(attr, SIZEOF_SK_BUFF_UAPI)
    t = int(prog.type)
    is_l2 = t in L2_TYPES
    dev = LOOPBACK
    if ctx is not None:
        ifindex = struct.unpack_from("<I", ctx, SKB_IFINDEX)[0]
        if ifindex > 1:
            d = netdev(ifindex)
            if d is None:
                raise SyscallError(ENODEV, f"no device {ifindex}")
            dev = d
    env, r = _env(kernel, prog)
    skb = SkbCtx(r.mem, data_in, dev=dev, is_l2=is_l2, direct=t in DIRECT_TYPES)
    env.ctx = skb
    if ctx is not None:
        _check_skb_ctx(ctx)
        mark, = struct.unpack_from("<I", ctx, SKB_MARK)
        prio, iif = struct.unpack_from("<II", ctx, SKB_PRIORITY)
        skb.mark, skb.priority, skb.skb_iif = mark, prio, iif
        skb.tstamp = struct.unpack_from("<Q", ctx, SKB_TSTAMP)[0]
        skb.cb_data = bytes(ctx[SKB_CB:SKB_CB_END])
        wire_len, gso_segs = struct.unpack_from("<II", ctx, SKB_WIRE_LEN)
        if wire_len == 0:
            skb.wire_len = skb.len
        else:
            if wire_len < skb.len or wire_len > GSO_LEGACY_MAX_SIZE:
                raise SyscallError(EINVAL, "wire_len")
            skb.wire_len = wire_len
        if gso_segs > GSO_MAX_SEGS:
            raise SyscallError(EINVAL, "gso_segs")
        skb.set_shinfo(gso_segs=gso_segs, gso_size=struct.unpack_from("<I", ctx, SKB_GSO_SIZE)[0] & 0xFFFF,
                       hwtstamp=struct.unpack_from("<Q", ctx, SKB_HWTSTAMP)[0])
    if attr.flags & BPF_F_TEST_SKB_CHECKSUM_COMPLETE:
        skb.csum = _skb_csum(skb)
        skb.ip_summed = CHECKSUM_COMPLETE
    retval, duration = _execute(kernel, prog, env, r, skb.addr, attr.repeat)
    if not is_l2:
        if skb.headroom() < ETH_HLEN:
            skb.grow(headroom_needed=ETH_HLEN)
        skb.push(ETH_HLEN)
        skb.write(0, bytes(ETH_HLEN))
    if attr.flags & BPF_F_TEST_SKB_CHECKSUM_COMPLETE:
        if csum_fold(skb.csum) != csum_fold(_skb_csum(skb)):
            raise SyscallError(EBADMSG, "checksum no longer complete")
    if ctx is not None:
        struct.pack_into("<I", ctx, SKB_MARK, skb.mark)
        struct.pack_into("<III", ctx, SKB_PRIORITY, skb.priority, skb.skb_iif, skb.dev.ifindex)
        struct.pack_into("<Q", ctx, SKB_TSTAMP, skb.tstamp)
        ctx[SKB_CB:SKB_CB_END] = skb.cb_data
        struct.pack_into("<II", ctx, SKB_WIRE_LEN, skb.wire_len, skb.gso_segs)
        struct.pack_into("<Q", ctx, SKB_HWTSTAMP, skb.hwtstamp)
    _finish(attr, skb.bytes(), retval, duration)
    _ctx_finish(attr, ctx)
    return 0


def _skb_csum(skb: SkbCtx) -> int:
    off = skb.network_header - (skb.data - skb.head)
    return csum_partial(skb.bytes()[off:], 0)
