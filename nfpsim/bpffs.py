"""``nfpsim bpffs``: the shell's view of the simulated BPF filesystem.

On Linux, pins are files: scripts remove them with ``rm``, create directories with
``mkdir`` and look with ``ls``, and bpftool has no command for that. Pins of the
simulated kernel are not host files, so this small helper provides those four verbs,
with coreutils' messages and exit statuses::

    nfpsim bpffs rm [-f] [-r] PATH...     # unpin (an unreferenced object is freed)
    nfpsim bpffs mkdir [-p] DIR...
    nfpsim bpffs rmdir DIR...
    nfpsim bpffs ls [-l] [DIR]            # -l: kind and object id of each entry

Run it as ``python -m nfpsim.bpffs`` when the console script is not installed.
"""

from __future__ import annotations

import os
import sys

USAGE = """\
Usage: %s rm [-f] [-r] PATH...
       %s mkdir [-p] DIR...
       %s rmdir DIR...
       %s ls [-l] [DIR]
Pins and directories of the simulated BPF filesystem ($PYBPF_STATE).
"""


def _err(prog: str, text: str) -> None:
    sys.stderr.write(f"{prog}: {text}\n")


def _split(argv: list[str], allowed: str) -> tuple[set[str], list[str]] | None:
    flags: set[str] = set()
    operands: list[str] = []
    only_operands = False
    for a in argv:
        if not only_operands and a == "--":
            only_operands = True
        elif not only_operands and a.startswith("-") and len(a) > 1:
            for c in a[1:]:
                if c not in allowed:
                    return None
                flags.add(c)
        else:
            operands.append(a)
    return flags, operands


def _strerror(e: BaseException) -> str:
    err = getattr(e, "errno", None)
    return os.strerror(err) if isinstance(err, int) and err > 0 else str(e)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    name = os.path.basename(argv[0]) if argv else "nfpsim bpffs"
    if name in ("__main__.py", "bpffs.py"):
        name = "nfpsim bpffs"
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        (sys.stdout if len(argv) >= 2 else sys.stderr).write(USAGE % (name, name, name, name))
        return 0 if len(argv) >= 2 else 1
    verb, rest = argv[1], argv[2:]
    allowed = {"rm": "fr", "mkdir": "p", "rmdir": "", "ls": "l"}.get(verb)
    if allowed is None:
        _err(name, f"unknown command '{verb}'")
        sys.stderr.write(USAGE % (name, name, name, name))
        return 1
    parsed = _split(rest, allowed)
    if parsed is None:
        _err(name, f"{verb}: invalid option")
        return 1
    flags, operands = parsed
    if verb != "ls" and not operands:
        _err(f"{name} {verb}", "missing operand")
        return 1

    from pykernel import Process

    proc = Process.current()
    status = 0
    if verb == "rm":
        for path in operands:
            try:
                if "r" in flags:
                    _rm_tree(proc, path)
                else:
                    proc.unlink(path)
            except Exception as e:  # noqa: BLE001 - report and go on, like rm
                if "f" in flags and getattr(e, "errno", None) == 2:
                    continue
                _err(f"{name} rm", f"cannot remove '{path}': {_strerror(e)}")
                status = 1
    elif verb == "mkdir":
        for path in operands:
            try:
                proc.mkdir(path, parents="p" in flags)
            except Exception as e:  # noqa: BLE001
                if "p" in flags and getattr(e, "errno", None) == 17:
                    continue
                _err(f"{name} mkdir", f"cannot create directory '{path}': {_strerror(e)}")
                status = 1
    elif verb == "rmdir":
        for path in operands:
            try:
                proc.rmdir(path)
            except Exception as e:  # noqa: BLE001
                _err(f"{name} rmdir", f"failed to remove '{path}': {_strerror(e)}")
                status = 1
    else:
        targets = operands or ["/sys/fs/bpf"]
        for k, path in enumerate(targets):
            try:
                entries = proc.listdir(path)
            except Exception as e:  # noqa: BLE001
                _err(f"{name} ls", f"cannot access '{path}': {_strerror(e)}")
                status = 2
                continue
            if len(targets) > 1:
                sys.stdout.write(("\n" if k else "") + f"{path}:\n")
            for entry_name, kind, obj in entries:
                if "l" in flags:
                    sys.stdout.write(f"{kind:<5} {obj if kind != 'dir' else '-':>6}  {entry_name}\n")
                else:
                    sys.stdout.write(entry_name + "\n")
    return status


def _rm_tree(proc, path: str) -> None:  # noqa: ANN001
    try:
        proc.unlink(path)
        return
    except Exception as e:  # noqa: BLE001
        if getattr(e, "errno", None) != 21:  # EISDIR: a directory, walk it
            raise
    for entry_name, kind, _obj in proc.listdir(path):
        child = path.rstrip("/") + "/" + entry_name
        if kind == "dir":
            _rm_tree(proc, child)
        else:
            proc.unlink(child)
    proc.rmdir(path)


if __name__ == "__main__":
    sys.exit(main())
