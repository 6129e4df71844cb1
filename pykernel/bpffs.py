"""The simulated BPF filesystem: pinned objects and directories, rows of the ``pins`` table.

A pin path (``/sys/fs/bpf/...`` or any other absolute path; a relative path is taken from
the host's current directory) names an entry of this one filesystem, never a host file.
Rules, as measured on the 6.18 bpffs:

* ``pin``: the path exists (object or directory) -> EEXIST; a component that is an object
  -> ENOTDIR; a new name containing ``.`` -> EPERM (bpffs refuses dots); a component
  longer than 255 bytes -> ENAMETOOLONG; missing parent directories are created (a
  simulated filesystem has no mkdir of its own; created directories obey the same rules).
* ``get``: missing -> ENOENT; a directory -> EACCES; a component that is an object ->
  ENOTDIR; ``path/`` naming an object -> ENOTDIR.
* ``unlink`` (what ``rm`` does to a pin): missing -> ENOENT; a directory -> EISDIR.
  ``rmdir``: not empty -> ENOTEMPTY; an object -> ENOTDIR.

Paths are normalised lexically (``//``, ``.`` and ``..`` components) before use.
"""

from __future__ import annotations

import os
import posixpath

from .store import Tx
from .uapi.consts import EACCES, EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM
from .uapi.errors import SyscallError

ENAMETOOLONG = 36
PATH_MAX = 4096
NAME_MAX = 255
DIR = "dir"


def normalize(path: str) -> tuple[str, bool]:
    """(absolute normalised path, had a trailing slash). Empty -> ENOENT."""
    if not isinstance(path, str):
        path = os.fsdecode(path)
    path = path.split("\0", 1)[0]
    if not path:
        raise SyscallError(ENOENT, "empty path")
    if len(path.encode()) >= PATH_MAX:
        raise SyscallError(ENAMETOOLONG, "path too long")
    trailing = path.endswith("/") and path.strip("/") != ""
    if not path.startswith("/"):
        path = posixpath.join(os.getcwd(), path)
    norm = posixpath.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    for comp in norm.split("/"):
        if len(comp.encode()) > NAME_MAX:
            raise SyscallError(ENAMETOOLONG, f"path component too long: {comp[:20]}...")
    return norm, trailing


def _parents(path: str) -> list[str]:
    """Ancestors of ``path`` from the top, root excluded."""
    out = []
    p = posixpath.dirname(path)
    while p not in ("/", ""):
        out.append(p)
        p = posixpath.dirname(p)
    return out[::-1]


def _entry(tx: Tx, path: str) -> tuple[str, int] | None:
    if path == "/":
        return (DIR, 0)
    row = tx.one("SELECT kind, obj FROM pins WHERE path = ?", (path,))
    return (row[0], row[1]) if row else None


def _check_name(name: str) -> None:
    if "." in name:
        raise SyscallError(EPERM, f"bpffs names cannot contain '.': {name}")


def _walk_parents(tx: Tx, path: str, create: bool) -> None:
    for p in _parents(path):
        e = _entry(tx, p)
        if e is None:
            if not create:
                raise SyscallError(ENOENT, f"{p}: no such directory")
            _check_name(posixpath.basename(p))
            tx.x("INSERT INTO pins (path, kind, obj) VALUES (?, ?, 0)", (p, DIR))
        elif e[0] != DIR:
            raise SyscallError(ENOTDIR, f"{p} is not a directory")


def pin(tx: Tx, path: str, kind: str, obj: int) -> str:
    """Pin object ``(kind, obj)`` at ``path``; returns the normalised path."""
    norm, trailing = normalize(path)
    # look the parents up first: an object in the way is ENOTDIR even when the name is bad
    for p in _parents(norm):
        e = _entry(tx, p)
        if e is not None and e[0] != DIR:
            raise SyscallError(ENOTDIR, f"{p} is not a directory")
        if e is None:
            break
    e = _entry(tx, norm)
    if e is not None:
        if trailing and e[0] != DIR:
            raise SyscallError(ENOTDIR, f"{norm} is not a directory")
        raise SyscallError(EEXIST, f"{norm} exists")
    if trailing:
        raise SyscallError(ENOENT, f"{norm}/: no such directory")
    _check_name(posixpath.basename(norm))
    _walk_parents(tx, norm, create=True)
    tx.x("INSERT INTO pins (path, kind, obj) VALUES (?, ?, ?)", (norm, kind, obj))
    return norm


def get(tx: Tx, path: str) -> tuple[str, int]:
    """The object pinned at ``path`` as ``(kind, obj)``."""
    norm, trailing = normalize(path)
    _walk_parents(tx, norm, create=False)
    e = _entry(tx, norm)
    if e is None:
        raise SyscallError(ENOENT, f"{norm}: no such file")
    if e[0] == DIR:
        raise SyscallError(EACCES, f"{norm} is a directory")
    if trailing:
        raise SyscallError(ENOTDIR, f"{norm} is not a directory")
    return e


def unlink(tx: Tx, path: str) -> tuple[str, int]:
    """Remove the pin at ``path``; returns the ``(kind, obj)`` it held."""
    norm, trailing = normalize(path)
    _walk_parents(tx, norm, create=False)
    e = _entry(tx, norm)
    if e is None:
        raise SyscallError(ENOENT, f"{norm}: no such file")
    if e[0] == DIR:
        raise SyscallError(EISDIR, f"{norm} is a directory")
    if trailing:
        raise SyscallError(ENOTDIR, f"{norm} is not a directory")
    tx.x("DELETE FROM pins WHERE path = ?", (norm,))
    return e


def mkdir(tx: Tx, path: str, parents: bool = False) -> str:
    norm, _ = normalize(path)
    if _entry(tx, norm) is not None:
        raise SyscallError(EEXIST, f"{norm} exists")
    _check_name(posixpath.basename(norm))
    _walk_parents(tx, norm, create=parents)
    tx.x("INSERT INTO pins (path, kind, obj) VALUES (?, ?, 0)", (norm, DIR))
    return norm


def rmdir(tx: Tx, path: str) -> None:
    norm, _ = normalize(path)
    _walk_parents(tx, norm, create=False)
    e = _entry(tx, norm)
    if e is None:
        raise SyscallError(ENOENT, f"{norm}: no such directory")
    if e[0] != DIR:
        raise SyscallError(ENOTDIR, f"{norm} is not a directory")
    if norm == "/" or tx.one("SELECT 1 FROM pins WHERE path > ? AND path < ? LIMIT 1",
                             (norm + "/", norm + "0")):
        raise SyscallError(ENOTEMPTY, f"{norm} is not empty")
    tx.x("DELETE FROM pins WHERE path = ?", (norm,))


def listdir(tx: Tx, path: str) -> list[tuple[str, str, int]]:
    """Entries directly inside directory ``path``: ``(name, kind, obj)``, sorted by name."""
    norm, _ = normalize(path)
    _walk_parents(tx, norm, create=False)
    e = _entry(tx, norm)
    if e is None:
        raise SyscallError(ENOENT, f"{norm}: no such directory")
    if e[0] != DIR:
        raise SyscallError(ENOTDIR, f"{norm} is not a directory")
    prefix = "/" if norm == "/" else norm + "/"
    rows = tx.q("SELECT path, kind, obj FROM pins WHERE path > ? AND path < ? ORDER BY path",
                (prefix, prefix[:-1] + "0"))
    return [(p[len(prefix):], k, o) for p, k, o in rows if "/" not in p[len(prefix):]]


def entries(tx: Tx, under: str | None = None) -> list[tuple[str, str, int]]:
    """Every pinned object ``(path, kind, obj)`` (directories left out), sorted by path."""
    if under is None:
        return [tuple(r) for r in tx.q("SELECT path, kind, obj FROM pins WHERE kind != ? ORDER BY path",
                                       (DIR,))]
    norm, _ = normalize(under)
    prefix = "/" if norm == "/" else norm + "/"
    return [tuple(r) for r in tx.q("SELECT path, kind, obj FROM pins WHERE kind != ? AND path > ? "
                                   "AND path < ? ORDER BY path", (DIR, prefix, prefix[:-1] + "0"))]


def paths_of(tx: Tx, kind: str, obj: int) -> list[str]:
    """Where object ``(kind, obj)`` is pinned, sorted."""
    return [r[0] for r in tx.q("SELECT path FROM pins WHERE kind = ? AND obj = ? ORDER BY path",
                               (kind, obj))]
