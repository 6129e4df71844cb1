"""The simulated kernel's networking: devices, XDP and tc hooks, cgroups, bpf links, the
receive path. Entry points: ``Process.netlink`` (``rtnetlink.handle``), the bpf commands
registered here (PROG_ATTACH/DETACH/QUERY, LINK_CREATE/UPDATE/DETACH, served by
:mod:`.links`), ``Process.open_cgroup`` and ``Process.cgroup_*``, and the receive path
(:mod:`.datapath`) used by ``nfpsim replay``.

Importing this package is cheap (every bpf() caller pays it): the handlers load
:mod:`.links` and the rest on their first call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _links(name: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        from . import links

        return getattr(links, name)(*args)

    call.__name__ = call.__qualname__ = name
    return call


def _install() -> None:
    from .. import objects
    from ..syscall import register
    from ..uapi import attr as A
    from ..uapi.consts import Cmd, LinkType

    for cmd, attr_type, name in ((Cmd.PROG_ATTACH, A.ProgAttachAttr, "prog_attach"),
                                 (Cmd.PROG_DETACH, A.ProgAttachAttr, "prog_detach"),
                                 (Cmd.PROG_QUERY, A.ProgQueryAttr, "prog_query"),
                                 (Cmd.LINK_CREATE, A.LinkCreateAttr, "link_create"),
                                 (Cmd.LINK_UPDATE, A.LinkUpdateAttr, "link_update"),
                                 (Cmd.LINK_DETACH, A.LinkDetachAttr, "link_detach")):
        register(cmd, attr_type, _links(name))
    objects.LINK_RELEASE[LinkType.XDP] = _links("release")
    objects.LINK_RELEASE[LinkType.CGROUP] = _links("release")


_install()
