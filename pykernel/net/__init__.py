"""The simulated kernel's networking: devices, XDP and tc hooks, cgroups, bpf links, the
receive path. Entry points: ``Process.netlink`` (``rtnetlink.handle``), the bpf commands it
registers (PROG_ATTACH/DETACH/QUERY, LINK_CREATE/UPDATE/DETACH), ``Process.open_cgroup``
and the receive path used by ``nfpsim replay``.
"""
