#!/usr/bin/env python3
"""Create and pin a bpf_link with raw bpf(2) calls (ctypes, no libbpf, no bpftool).

    bpf_link.py xdp    PROG_PIN IFNAME LINK_PIN [FLAGS]   # BPF_XDP (FLAGS: XDP_FLAGS_*)
    bpf_link.py tcx_ingress|tcx_egress PROG_PIN IFNAME LINK_PIN
    bpf_link.py cgroup PROG_PIN CGROUP_DIR ATTACH LINK_PIN    # ATTACH: ingress | egress

The program is taken from its pin (BPF_OBJ_GET), the link made with BPF_LINK_CREATE and
pinned with BPF_OBJ_PIN, so it outlives this process. Run it inside the network
namespace of IFNAME (nsenter --net=...). Prints `link pinned at LINK_PIN` (exit 0), or
`BPF_LINK_CREATE: ERRNONAME (strerror)` (exit 1) and the same for the other calls.
x86-64 only (syscall number 321).
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys

NR_BPF = 321
BPF_OBJ_PIN, BPF_OBJ_GET, BPF_LINK_CREATE = 6, 7, 28
ATTACH = {"ingress": 0, "egress": 1, "xdp": 37, "tcx_ingress": 46, "tcx_egress": 47}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class Fail(Exception):
    pass


def bpf(cmd: int, attr: bytes, name: str) -> int:
    buf = ctypes.create_string_buffer(attr, 128)
    ret = _libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_int(cmd), buf, ctypes.c_uint(128))
    if ret < 0:
        e = ctypes.get_errno()
        raise Fail(f"{name}: {errno.errorcode.get(e, e)} ({os.strerror(e)})")
    return ret


def _path_attr(path: bytes, fd: int = 0) -> tuple[bytes, ctypes.Array]:
    p = ctypes.create_string_buffer(path)
    return ctypes.addressof(p).to_bytes(8, "little") + fd.to_bytes(4, "little") + bytes(4), p


def obj_get(path: str) -> int:
    attr, _keep = _path_attr(path.encode())
    return bpf(BPF_OBJ_GET, attr, "BPF_OBJ_GET")


def obj_pin(fd: int, path: str) -> None:
    attr, _keep = _path_attr(path.encode(), fd)
    bpf(BPF_OBJ_PIN, attr, "BPF_OBJ_PIN")


def link_create(prog_fd: int, target: int, attach_type: int, flags: int = 0) -> int:
    attr = b"".join(v.to_bytes(4, "little") for v in (prog_fd, target, attach_type, flags))
    return bpf(BPF_LINK_CREATE, attr, "BPF_LINK_CREATE")


def main(argv: list[str]) -> int:
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    kind = argv[0]
    try:
        prog = obj_get(argv[1])
        if kind in ("xdp", "tcx_ingress", "tcx_egress"):
            ifindex = socket.if_nametoindex(argv[2])
            flags = int(argv[4], 0) if len(argv) > 4 else 0
            link = link_create(prog, ifindex, ATTACH[kind], flags)
            pin = argv[3]
        elif kind == "cgroup":
            cg = os.open(argv[2], os.O_RDONLY | os.O_DIRECTORY)
            link = link_create(prog, cg, ATTACH[argv[3]])
            pin = argv[4]
        else:
            print(f"unknown link kind {kind}", file=sys.stderr)
            return 2
        obj_pin(link, pin)
    except Fail as e:
        print(e)
        return 1
    except OSError as e:
        print(f"{type(e).__name__}: {e}")
        return 1
    print(f"link pinned at {pin}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
