"""pytc: iproute2's ``tc`` (6.1) rebuilt on the simulated kernel (see pytc.main).

The qdiscs and classifiers it manages are the ones eBPF needs: ``clsact``/``ingress``
qdiscs and ``bpf`` filters. The shared iproute2 library code (argument handling, JSON
writer, netlink door, BPF object loading) lives in :mod:`pyip`.
"""

__version__ = "0.1.0"
