"""The offload-device interface (``struct bpf_offload_dev`` + its ops), as the NFP driver will fill it.

A device with an offload device behind it (kind ``nfp``) names its driver in
``netdev.extra["offload"]``; the driver registers an :class:`OffloadDev` under that name
with :func:`register`. Until a driver is registered - the NFP issue provides it - such a
device behaves like a NIC whose firmware has no BPF support:

* BPF_PROG_LOAD / BPF_MAP_CREATE with its ifindex: EINVAL (the netdev is not registered with
  an offload device, ``bpf_prog_dev_bound_init`` / ``bpf_map_offload_map_alloc``);
* XDP in HW mode: EOPNOTSUPP without a message (``nfp_app_xdp_offload`` of an app without
  BPF offload);
* tc ``skip_sw``: EOPNOTSUPP (the block has a device that does not offload).

The ops (names from ``bpf_prog_offload_ops`` and the driver's ndo_bpf/ndo_setup_tc):

* ``prepare(kernel, prog_attr, dev) -> state``: before verification (NFP copies the insns);
* ``insn_hook(state, env, insn_idx, prev_idx) -> int``, ``finalize(state, env)``,
  ``replace_insn``, ``remove_insns``: called by the verifier (its engineers wire them);
* ``translate(state, prog) -> (jited image, jited_len)``; ``destroy(state)``;
* ``map_alloc(kernel, attr, dev) -> map-ops object`` (lookup/update/delete/get_next_key);
* ``xdp_setup_hw(kernel, dev, prog | None)``: install (or clear with None) the HW program;
* ``tc_setup(kernel, dev, prog | None, old_prog | None, skip_sw) -> bool in_hw``;
* ``run_xdp(kernel, dev, prog_id, frame, rx_queue) -> (action, frame)``: the card's datapath
  (the datapath calls it before the host's driver mode), returning an XDP action code.

``same_device(dev_a, dev_b)``: two netdevs of one offload device (multi-port ASIC) accept
each other's device-bound programs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ..uapi.consts import EINVAL, EOPNOTSUPP, ProgType
from ..uapi.errors import SyscallError

if TYPE_CHECKING:
    from ..objects import Kernel
    from .devices import Netdev

BPF_F_XDP_HAS_FRAGS = 1 << 5
BPF_F_XDP_DEV_BOUND_ONLY = 1 << 6


class OffloadDev(Protocol):
    def prepare(self, kernel: Kernel, prog_attr: Any, dev: Netdev) -> Any: ...

    def translate(self, state: Any, prog: Any) -> tuple[bytes, int]: ...

    def destroy(self, state: Any) -> None: ...

    def map_alloc(self, kernel: Kernel, attr: Any, dev: Netdev) -> Any: ...

    def xdp_setup_hw(self, kernel: Kernel, dev: Netdev, prog: Any) -> None: ...

    def tc_setup(self, kernel: Kernel, dev: Netdev, prog: Any, old_prog: Any, skip_sw: bool) -> bool: ...

    def run_xdp(self, kernel: Kernel, dev: Netdev, prog_id: int, frame: bytes, rx_queue: int) -> tuple[int, bytes]: ...


DRIVERS: dict[str, OffloadDev] = {}


def register(name: str, ops: OffloadDev) -> None:
    """A driver's ``bpf_offload_dev_create``: devices naming ``name`` now offload."""
    DRIVERS[name] = ops


def offload_dev(dev: Netdev) -> OffloadDev | None:
    name = dev.extra.get("offload")
    return DRIVERS.get(name) if name else None


def same_device(a: Netdev, b: Netdev) -> bool:
    if a.id == b.id:
        return True
    ga, gb = a.extra.get("offload_group"), b.extra.get("offload_group")
    return ga is not None and ga == gb and offload_dev(a) is not None


def prog_dev_bound_init(k: Kernel, a: Any) -> None:
    """bpf_prog_dev_bound_init() for BPF_PROG_LOAD with ``prog_ifindex``."""
    from .devices import get_by_index

    if a.prog_type not in (ProgType.SCHED_CLS, ProgType.XDP):
        raise SyscallError(EINVAL, "only XDP and tc programs can be device-bound")
    if a.prog_flags & ~(BPF_F_XDP_DEV_BOUND_ONLY | BPF_F_XDP_HAS_FRAGS):
        raise SyscallError(EINVAL, "bad flags for a device-bound program")
    if a.prog_flags & BPF_F_XDP_HAS_FRAGS and not a.prog_flags & BPF_F_XDP_DEV_BOUND_ONLY:
        raise SyscallError(EINVAL, "frags need BPF_F_XDP_DEV_BOUND_ONLY")
    if a.prog_type == ProgType.SCHED_CLS and a.prog_flags & BPF_F_XDP_DEV_BOUND_ONLY:
        raise SyscallError(EINVAL, "BPF_F_XDP_DEV_BOUND_ONLY is for XDP")
    dev = get_by_index(k, a.prog_ifindex)
    if dev is None:
        raise SyscallError(EINVAL, f"no device with ifindex {a.prog_ifindex}")
    if not dev.spec.ndo_bpf:
        raise SyscallError(EOPNOTSUPP, f"{dev.name} has no ndo_bpf")
    if a.prog_flags & BPF_F_XDP_DEV_BOUND_ONLY:
        return  # a host program bound to the device (XDP metadata kfuncs)
    ops = offload_dev(dev)
    if ops is None:
        raise SyscallError(EINVAL, f"{dev.name} is not registered with an offload device")
    # An offload driver is registered: the NFP issue wires prepare/verify/translate here.
    raise SyscallError(EOPNOTSUPP, "offloaded program loading is not wired to the verifier yet")


def map_offload_alloc(k: Kernel, a: Any) -> None:
    """bpf_map_offload_map_alloc() for BPF_MAP_CREATE with ``map_ifindex``."""
    from ..uapi.consts import MapType
    from .devices import get_by_index

    if a.map_type not in (MapType.ARRAY, MapType.HASH):
        raise SyscallError(EINVAL, "only array and hash maps can be offloaded")
    dev = get_by_index(k, a.map_ifindex)
    if dev is None:
        raise SyscallError(EINVAL, f"no device with ifindex {a.map_ifindex}")
    if not dev.spec.ndo_bpf:
        raise SyscallError(EOPNOTSUPP, f"{dev.name} has no ndo_bpf")
    ops = offload_dev(dev)
    if ops is None:
        raise SyscallError(EINVAL, f"{dev.name} is not registered with an offload device")
    raise SyscallError(EOPNOTSUPP, "offloaded maps are not wired yet")


def xdp_setup_hw(k: Kernel, dev: Netdev, prog: Any) -> None:
    """ndo_bpf(XDP_SETUP_PROG_HW): veth refuses with a bare EINVAL; a NIC without an
    offload driver with EOPNOTSUPP; otherwise the driver installs the program."""
    if dev.kind == "veth":
        raise SyscallError(EINVAL, "veth has no HW mode")
    ops = offload_dev(dev)
    if ops is None:
        raise SyscallError(EOPNOTSUPP, f"{dev.name}: firmware without BPF offload")
    ops.xdp_setup_hw(k, dev, prog)
