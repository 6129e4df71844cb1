"""Placeholder: being written (see DESIGN.md "Netlink")."""

from __future__ import annotations

from typing import Any

from ..uapi.consts import EOPNOTSUPP
from ..uapi.errors import SyscallError


def _todo(*_: Any) -> Any:
    raise SyscallError(EOPNOTSUPP, "not implemented yet")


handle = check = add = delete = names = open_fd = _todo
