"""Build-time constants of the simulated 6.18 kernel.

The numbers that depend on the kernel build (struct sizes behind ``memlock``, NR_CPUS of
the config, the page size) were measured on the reference machine (Linux 6.18.44, x86-64,
2 possible CPUs) by creating maps of every type at several sizes and reading their fdinfo;
tests/test_kernel_memlock.py keeps the recorded values and checks the formulas.
"""

from __future__ import annotations

#: possible CPUs of the simulated machine: per-CPU maps hold this many values
NR_CPUS = 2
#: CONFIG_NR_CPUS of the build (cpumap max_entries limit); not the number of CPUs
CONFIG_NR_CPUS = 256
PAGE_SIZE = 4096
#: NUMA nodes online (node ids 0 .. NR_NODES-1)
NR_NODES = 1

# --- struct sizes of the measured kernel (bytes) ---
SIZEOF_BPF_ARRAY = 312  # struct bpf_array up to its flexible value[]; also offsetof(value)
ARRAY_VALUE_OFF = SIZEOF_BPF_ARRAY
SIZEOF_BPF_HTAB = 832
SIZEOF_HTAB_BUCKET = 16
SIZEOF_HTAB_ELEM = 48  # struct htab_elem up to key[]
HASHTAB_MAP_LOCK_COUNT = 8
LLIST_NODE_SZ = 8
SIZEOF_LPM_TRIE_NODE = 24
SIZEOF_BPF_QUEUE_STACK = 312
SIZEOF_BPF_DTAB = 344
SIZEOF_BPF_DTAB_NETDEV = 64
SIZEOF_BPF_CPU_MAP = 304
SIZEOF_XSK_MAP = 304
#: offsetof(struct bpf_prog, insns): prog memlock is round_up(this + 8 * len, PAGE_SIZE)
BPF_PROG_HEADER = 96

# --- limits ---
KMALLOC_MAX_SIZE = 4 * 1024 * 1024
PCPU_MIN_UNIT_SIZE = 32 * 1024
INT_MAX = 0x7FFFFFFF
U32_MAX = 0xFFFFFFFF
BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000
BTF_MAX_SIZE = 16 * 1024 * 1024
NAME_MAX = 255  # longest bpffs path component
#: a map whose memory (its memlock) would exceed this cannot be allocated: ENOMEM. The real
#: limit depends on the machine's RAM; this keeps the simulator's own memory bounded.
MAP_MEMORY_LIMIT = 1 << 32

#: BPF_F_* create flags some map types add on their own (devmap: BPF_F_RDONLY_PROG)
BPF_F_RDONLY_PROG = 1 << 7


def round_up(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def roundup_pow_of_two(x: int) -> int:
    return 1 if x <= 1 else 1 << (x - 1).bit_length()


def netdev_exists(ifindex: int) -> bool:
    """Is there a network device with this ifindex in the caller's namespace?

    devmap/devmap_hash updates and offload requests ask this. It asks the netdev table
    (pykernel.net) of the kernel call running now; outside a call only the loopback
    device (ifindex 1, present in every namespace) exists.
    """
    return netdev_info(ifindex) is not None


def netdev_info(ifindex: int) -> dict | None:
    """What a program sees of device ``ifindex`` in the caller's namespace (name, MTU,
    addresses, rx queues), or None. Read by ``pykernel.interp.ctx.netdev``."""
    from .objects import current_kernel

    k = current_kernel.get()
    if k is None:
        if ifindex == 1:
            return {"ifindex": 1, "name": "lo", "mtu": 65536, "addr": bytes(6), "broadcast": bytes(6),
                    "num_rx_queues": 1}
        return None
    from .net.devices import get_by_index

    d = get_by_index(k, ifindex)
    if d is None:
        return None
    return {"ifindex": d.ifindex, "name": d.name, "mtu": d.mtu, "addr": d.address, "broadcast": d.broadcast,
            "num_rx_queues": d.num_rx}
