"""Captures in and out: pcap and pcapng through dpkt, streamed (one frame at a time).

:func:`open_capture` yields ``(timestamp, frame)`` from a pcap (any of its magics: micro- or
nanosecond, either byte order) or a pcapng file; only Ethernet captures are accepted.
:class:`PcapOut` writes classic pcap (microsecond, Ethernet) that tcpdump/tshark read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

import dpkt

DLT_EN10MB = 1
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"}


class CaptureError(Exception):
    """The file is not a capture this tool can read."""


def open_capture(f: BinaryIO, name: str) -> Iterator[tuple[float, bytes]]:
    head = f.read(4)
    f.seek(0)
    try:
        if head == PCAPNG_MAGIC:
            reader = dpkt.pcapng.Reader(f)
        elif head in PCAP_MAGICS:
            reader = dpkt.pcap.Reader(f)
            yield from _pcap_records(f, reader, name)
            return
        else:
            raise CaptureError(f"{name} is not a pcap or pcapng capture")
    except (ValueError, struct.error, dpkt.dpkt.NeedData, dpkt.dpkt.UnpackError) as e:
        raise CaptureError(f"{name}: damaged capture header ({e})") from None
    if reader.datalink() != DLT_EN10MB:
        raise CaptureError(f"{name}: link type {reader.datalink()} is not Ethernet")
    try:
        for ts, buf in reader:
            yield float(ts), bytes(buf)
    except (ValueError, struct.error, dpkt.dpkt.NeedData, dpkt.dpkt.UnpackError) as e:
        raise CaptureError(f"{name}: damaged record ({e})") from None


def _pcap_records(f: BinaryIO, reader: dpkt.pcap.Reader, name: str) -> Iterator[tuple[float, bytes]]:
    """The records of a classic pcap whose header dpkt parsed, read with one struct unpack
    each (dpkt's per-record objects cost more than the rest of a replay's receive path)."""
    if reader.datalink() != DLT_EN10MB:
        raise CaptureError(f"{name}: link type {reader.datalink()} is not Ethernet")
    f.seek(0)
    magic = f.read(4)
    little = magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    rec = struct.Struct("<IIII" if little else ">IIII")
    div = 1e9 if nano else 1e6
    f.seek(dpkt.pcap.FileHdr.__hdr_len__)
    read, unpack, size = f.read, rec.unpack, rec.size
    while True:
        h = read(size)
        if len(h) < size:
            if h:
                raise CaptureError(f"{name}: truncated record header")
            return
        sec, frac, caplen, _wirelen = unpack(h)
        data = read(caplen)
        if len(data) < caplen:
            raise CaptureError(f"{name}: truncated record")
        yield sec + frac / div, data


class PcapOut:
    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.w = dpkt.pcap.Writer(f, snaplen=262144, linktype=DLT_EN10MB)
        self.count = 0

    def write(self, ts: float, frame: bytes) -> None:
        self.w.writepkt(frame, ts=ts)
        self.count += 1

    def close(self) -> None:
        self.f.flush()
