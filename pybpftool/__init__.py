"""pybpftool: bpftool v7.1 rebuilt on the simulated kernel (see pybpftool.main)."""

__version__ = "0.1.0"
