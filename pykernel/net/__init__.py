"""The simulated kernel's networking: devices, XDP and tc hooks, cgroups, bpf links, the
receive path. Entry points: ``Process.netlink`` (``rtnetlink.handle``), the bpf commands it
registers (PROG_ATTACH/DETACH/QUERY, LINK_CREATE/UPDATE/DETACH), ``Process.open_cgroup``
and ``Process.cgroup_*``, and the receive path (:mod:`.datapath`) used by ``nfpsim replay``.
"""

from . import devices, links, tc, xdp

devices.UNREGISTER_HOOKS[:] = [xdp.uninstall, tc.unregister]
links.install()
