"""nfpsim's man page names every command and option its --help knows, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import click

from nfpsim.cli import cli

MAN = (Path(__file__).resolve().parents[1] / "man" / "nfpsim.1").read_text()


def _walk(cmd: click.Command, path: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, (*path, name))


def _plain(text: str) -> str:
    return re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-")


def test_every_command_and_option_is_documented() -> None:
    man = _plain(MAN)
    for path, cmd in _walk(cli):
        if path:
            assert "nfpsim " + " ".join(path) in man or f"{path[-1]}" in man, path
        for p in cmd.params:
            for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", []):
                if opt.startswith("-") and opt not in ("--help",):
                    assert opt in man, f"{' '.join(path)}: {opt} missing from man/nfpsim.1"


def test_the_man_page_documents_no_option_that_does_not_exist() -> None:
    from nfpsim.bpffs import USAGE as BPFFS_USAGE  # `nfpsim bpffs` passes its words through

    known = {"-h", "--help", *re.findall(r"\[(-[a-z])\]", BPFFS_USAGE)}
    for _path, cmd in _walk(cli):
        for p in cmd.params:
            known.update(getattr(p, "opts", []))
            known.update(getattr(p, "secondary_opts", []))
    documented = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", _plain(MAN.split(".SH EXAMPLES")[0])))
    assert documented <= known, documented - known
