"""nfpsim: the hardware side of the simulation - NICs, the wire and traffic.

Commands (``nfpsim --help``): ``replay`` (frames from a pcap/pcapng through a device's
receive or transmit path), ``nic`` (NFP ports appear and go, as a PCI probe/removal would
make them), ``cgroup`` (mkdir/rmdir/ls in the simulated cgroupfs). The NFP driver and
firmware simulator (offload) join this package later.
"""

VERSION = "0.1.0"
