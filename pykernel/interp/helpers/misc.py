"""Time, randomness, CPU and process helpers.

Time is the virtual clock: ``bpf_ktime_get_ns`` = the state's clock at the start of the
syscall plus the instructions executed so far (one virtual ns each, see
``pykernel.interp.vm``); boot and coarse clocks read the same timeline (the simulated
machine never suspends), jiffies advance at CONFIG_HZ = 250 from INITIAL_JIFFIES.
``bpf_get_prandom_u32`` draws from the state's persisted PRNG.
"""

from __future__ import annotations

from typing import Any

from .registry import helper

NUMA_NODE = 0


@helper("ktime_get_ns")
def ktime_get_ns(run: Any, *_: int) -> int:
    return run.env.now_ns()


@helper("ktime_get_boot_ns")
def ktime_get_boot_ns(run: Any, *_: int) -> int:
    return run.env.now_ns()


@helper("ktime_get_coarse_ns")
def ktime_get_coarse_ns(run: Any, *_: int) -> int:
    tick = 1_000_000_000 // 250
    return run.env.now_ns() // tick * tick


@helper("ktime_get_tai_ns")
def ktime_get_tai_ns(run: Any, *_: int) -> int:
    return run.env.now_ns()


@helper("jiffies64")
def jiffies64(run: Any, *_: int) -> int:
    return run.env.jiffies()


@helper("get_prandom_u32")
def get_prandom_u32(run: Any, *_: int) -> int:
    return run.env.prandom_u32()


@helper("get_smp_processor_id")
def get_smp_processor_id(run: Any, *_: int) -> int:
    return run.env.cpu


@helper("get_numa_node_id")
def get_numa_node_id(run: Any, *_: int) -> int:
    return NUMA_NODE


@helper("get_current_pid_tgid")
def get_current_pid_tgid(run: Any, *_: int) -> int:
    pid = run.env.pid
    return (pid << 32) | pid


@helper("get_current_uid_gid")
def get_current_uid_gid(run: Any, *_: int) -> int:
    return 0  # root, as bpftool runs


@helper("get_current_comm")
def get_current_comm(run: Any, buf: int, size: int, *_: int) -> int:
    if not size:
        return -22
    comm = run.env.comm.encode()[:15]
    out = (comm + b"\0" * size)[:size]
    out = out[:-1] + b"\0"
    run.mem.write(buf, out)
    return 0


@helper("get_cgroup_classid")
def get_cgroup_classid(run: Any, *_: int) -> int:
    return 0  # no net_cls cgroup configured
