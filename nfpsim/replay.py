"""``nfpsim replay``: frames of a capture through one device of the simulated kernel.

Each frame is received on DEV as if it came off the wire (or from DEV's veth peer) - or, with
``--tx``, sent by DEV's host stack as an AF_PACKET socket would send it (tc egress first).
Everything the kernel does with it happens: XDP, tc, veth peers and their hooks, redirects.
Frames DEV transmits (XDP_TX, redirects to it, what its stack sends) go to ``--out``; frames
DEV receives go to ``--capture-in``. Both files are pcap, with the timestamp of the input
frame that caused them.

The capture is streamed: frames are processed in chunks of :data:`CHUNK`, each chunk one
kernel call (one state transaction: program maps are written back at its end), and the
output written as each chunk ends, so memory stays constant whatever the capture's size.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pykernel.uapi.errors import SyscallError

from .pcapio import CaptureError, PcapOut, open_capture

CHUNK = 4096
#: captures at least this large (bytes read in total) get a progress bar on a terminal
PROGRESS_MIN_BYTES = 4 << 20


class ReplayError(Exception):
    pass


@dataclass
class ReplayResult:
    frames: int = 0
    refused: int = 0  # --tx frames the socket refused (shorter than an Ethernet header)
    seconds: float = 0.0
    out_frames: int = 0
    in_frames: int = 0
    counters: Counter = field(default_factory=Counter)

    @property
    def pps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def replay(proc: Any, dev: str, path: str, *, out: str | None = None, capture_in: str | None = None,
           repeat: int = 1, tx: bool = False, queue: int = 0, progress: bool | None = None) -> ReplayResult:
    from pykernel.net import devices as D
    from pykernel.net.datapath import Datapath

    def find(k: Any) -> tuple[int, int]:
        d = D.get_by_name(k, dev)
        if d is None:
            raise SyscallError(19, f"no device {dev}")
        return d.id, d.ifindex

    try:
        dev_id, ifindex = proc.kernel_call(find)
    except SyscallError:
        raise ReplayError(f'Cannot find device "{dev}"') from None
    if repeat < 1:
        raise ReplayError("--repeat must be at least 1")
    try:
        with open(path, "rb"):
            size = os.path.getsize(path)
    except OSError as e:
        raise ReplayError(f"cannot open {path}: {e.strerror}") from None
    outw = _open_out(out)
    inw = _open_out(capture_in)
    res = ReplayResult()
    bar = _progress(size * repeat, progress)
    pending_out: list[tuple[float, bytes]] = []
    pending_in: list[tuple[float, bytes]] = []
    ts_now = [0.0]

    def on_wire(d: Any, frame: bytes, kind: str) -> None:
        if d.id == dev_id and outw is not None:
            pending_out.append((ts_now[0], frame))
        elif d.peer == dev_id and inw is not None:
            pending_in.append((ts_now[0], frame))

    def run_chunk(chunk: list[tuple[float, bytes]]) -> None:
        def body(k: Any) -> None:
            dp = Datapath(k, on_wire=on_wire)
            for ts, frame in chunk:
                ts_now[0] = ts
                if tx:
                    if not dp.transmit(ifindex, frame):
                        res.refused += 1
                else:
                    if inw is not None:
                        pending_in.append((ts, frame))
                    dp.receive(ifindex, frame, queue)
            dp.finish()
            res.counters.update(dp.counters)

        proc.kernel_call(body)
        res.frames += len(chunk)
        for w, pend, attr in ((outw, pending_out, "out_frames"), (inw, pending_in, "in_frames")):
            if w is not None:
                for ts, fr in pend:
                    w.write(ts, fr)
                setattr(res, attr, getattr(res, attr) + len(pend))
            pend.clear()

    start = time.perf_counter()
    done_bytes = 0
    try:
        for _ in range(repeat):
            with open(path, "rb") as f:
                chunk: list[tuple[float, bytes]] = []
                for ts, frame in open_capture(f, path):
                    chunk.append((ts, frame))
                    if len(chunk) >= CHUNK:
                        run_chunk(chunk)
                        chunk = []
                        if bar is not None:
                            bar[0].update(bar[1], completed=done_bytes + f.tell())
                if chunk:
                    run_chunk(chunk)
                done_bytes += size
                if bar is not None:
                    bar[0].update(bar[1], completed=done_bytes)
    except CaptureError as e:
        raise ReplayError(str(e)) from None
    finally:
        res.seconds = time.perf_counter() - start
        if bar is not None:
            bar[0].stop()
        for w in (outw, inw):
            if w is not None:
                w.close()
                w.f.close()
    return res


def _open_out(path: str | None) -> PcapOut | None:
    if path is None:
        return None
    try:
        return PcapOut(open(path, "wb"))
    except OSError as e:
        raise ReplayError(f"cannot write {path}: {e.strerror}") from None


def _progress(total: int, want: bool | None) -> Any:
    if want is False:
        return None
    if want is None and (not sys.stderr.isatty() or total < PROGRESS_MIN_BYTES):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    p = Progress("replay", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                 console=Console(file=sys.stderr), transient=True)
    task = p.add_task("replay", total=total)
    p.start()
    return p, task


def report_text(res: ReplayResult) -> str:
    lines = []
    rows = sorted(res.counters.items())
    w_dev = max([6] + [len(k[0]) for k, _ in rows])
    w_hook = max([4] + [len(k[1]) for k, _ in rows])
    w_ver = max([7] + [len(k[2]) for k, _ in rows])
    lines.append(f"{'DEVICE':<{w_dev}}  {'HOOK':<{w_hook}}  {'VERDICT':<{w_ver}}  {'COUNT':>9}")
    for (dev, hook, verdict), n in rows:
        lines.append(f"{dev:<{w_dev}}  {hook:<{w_hook}}  {verdict:<{w_ver}}  {n:>9}")
    tail = f"{res.frames} frames"
    if res.refused:
        tail += f" ({res.refused} refused: shorter than an Ethernet header)"
    tail += f" in {res.seconds:.3f} s: {res.pps:.0f} packets/s"
    lines.append(tail)
    return "\n".join(lines) + "\n"


def report_json(res: ReplayResult) -> dict[str, Any]:
    return {
        "frames": res.frames, "refused": res.refused, "out_frames": res.out_frames, "in_frames": res.in_frames,
        "seconds": round(res.seconds, 6), "packets_per_second": round(res.pps, 1),
        "counters": [{"device": d, "hook": h, "verdict": v, "count": n} for (d, h, v), n in sorted(res.counters.items())],
    }
