"""pyip: iproute2's ``ip`` (6.1) rebuilt on the simulated kernel (see pyip.main).

The package also holds what iproute2 keeps in its ``lib/`` and ``tc`` shares with ``ip``:
argument handling and messages (:mod:`pyip.utils`), the JSON writer and print helpers
(:mod:`pyip.json_print`), the netlink door (:mod:`pyip.rtnl`) and the BPF object loader
front end (:mod:`pyip.bpf`). ``pytc`` imports them from here.
"""

__version__ = "0.1.0"
IPROUTE2_VERSION = "6.1.0"  # the iproute2 release whose behaviour we mirror
LIBBPF_VERSION = "1.1.2"  # ... and the libbpf it reports
