#!/usr/bin/env python3
"""Traffic for the recorder's two-namespace scenarios (run inside a namespace).

    traffic.py ping DST SRC COUNT [INTERVAL]    ICMP echo requests with a fixed id
                                                (0x4242), seq 1..COUNT, 56-byte payload
                                                0..55, IP id = seq, TTL 64, DF; waits up
                                                to 1 s for each reply
    traffic.py replay IFNAME PCAP [GAP]         send every frame of PCAP out of IFNAME
                                                (AF_PACKET, as tcpreplay would), GAP
                                                seconds apart (default 0.05)

`ping` goes through the kernel's IP stack (a raw IPPROTO_ICMP socket with IP_HDRINCL), so
routing and ARP are real, but unlike ping(8) every byte it sends is fixed: no
timestamps in the payload, no random id. Its output is deterministic too (no times):

    reply from 10.0.0.2: icmp_seq=1 ttl=64 bytes=64 id=0x4242
    no reply: icmp_seq=2
    --- 10.0.0.2: 2 packets transmitted, 1 received

`replay` prints one line per frame: `N LEN sent` or `N LEN error ERRNONAME`.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import sys
import time

IDENT = 0x4242


def csum(b: bytes) -> int:
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo_packet(src: str, dst: str, seq: int) -> bytes:
    payload = bytes(range(56))
    icmp = struct.pack("!BBHHH", 8, 0, 0, IDENT, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0x4000, 64, 1, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + icmp


def ping(dst: str, src: str, count: int, interval: float) -> int:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    got = 0
    for seq in range(1, count + 1):
        s.sendto(echo_packet(src, dst, seq), (dst, 0))
        deadline = time.monotonic() + 1.0
        answered = False
        while not answered:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            data, addr = s.recvfrom(4096)
            ihl = (data[0] & 0xF) * 4
            typ, _code, _c, ident, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if typ == 0 and ident == IDENT and rseq == seq:
                print(f"reply from {addr[0]}: icmp_seq={rseq} ttl={data[8]} "
                      f"bytes={len(data) - ihl} id={ident:#x}")
                answered = True
                got += 1
        if not answered:
            print(f"no reply: icmp_seq={seq}")
        time.sleep(interval)
    print(f"--- {dst}: {count} packets transmitted, {got} received")
    return 0 if got == count else 1


def read_pcap(path: str) -> list[bytes]:
    import dpkt

    with open(path, "rb") as f:
        reader = dpkt.pcapng.Reader(f) if path.endswith(".pcapng") else dpkt.pcap.Reader(f)
        return [bytes(buf) for _ts, buf in reader]


def replay(ifname: str, path: str, gap: float) -> int:
    frames = read_pcap(path)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((ifname, 0))
    rc = 0
    for i, fr in enumerate(frames, 1):
        try:
            s.send(fr)
            print(f"{i} {len(fr)} sent")
        except OSError as e:
            print(f"{i} {len(fr)} error {errno.errorcode.get(e.errno, e.errno)}")
            rc = 1
        time.sleep(gap)
    return rc


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(line_buffering=True)
    if len(argv) >= 4 and argv[0] == "ping":
        return ping(argv[1], argv[2], int(argv[3]), float(argv[4]) if len(argv) > 4 else 0.2)
    if len(argv) >= 3 and argv[0] == "replay":
        return replay(argv[1], argv[2], float(argv[3]) if len(argv) > 3 else 0.05)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    _ = os
    sys.exit(main(sys.argv[1:]))
