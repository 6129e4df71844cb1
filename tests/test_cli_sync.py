"""The command tables, the help texts, the man pages and the bash completion agree.

Each object module has one command table (``COMMANDS``) that drives dispatch, and one
usage text (``USAGE``, bpftool's, byte for byte). The man pages' COMMANDS blocks and the
completion are generated from them (``python -m pybpftool.docs``); these tests fail when
someone edits one without the others.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from pybpftool import __version__, docs
from pybpftool.main import LONG_OPTS, OBJECTS, SHORT_OPTS
from tests.test_cli_common import REPO

MAN = REPO / "man"
COMPLETION = REPO / "completion" / "pybpftool"


@pytest.mark.parametrize("obj", OBJECTS)
def test_command_table_matches_usage(obj: str) -> None:
    table = [c.name for c in docs.module(obj).COMMANDS]
    assert len(table) == len(set(table)), f"{obj}: duplicate command in COMMANDS"
    in_usage = docs.usage_commands(obj)
    assert set(in_usage) <= set(table), f"{obj}: usage names commands the table lacks"
    # every dispatchable command is documented in the usage text
    assert set(table) == set(in_usage), f"{obj}: table {table} vs usage {in_usage}"


@pytest.mark.parametrize("obj", OBJECTS)
def test_help_prints_the_usage_on_stderr(obj: str, tmp_path: Path) -> None:
    from pybpftool.testing import invoke

    r = invoke([obj, "help"], state_dir=tmp_path)
    assert (r.exit_code, r.out) == (0, "")
    assert r.err == docs.usage_text(obj)
    # the object word is echoed as typed, like bpftool's argv[-2], except by the objects
    # whose help names itself (checked against bpftool in test_cli_realkernel.py)
    short = invoke([obj[:2], "help"], state_dir=tmp_path)
    word = obj if obj in ("btf", "gen", "iter") else obj[:2]
    assert short.err == docs.module(obj).USAGE.replace("%1$s", "pybpftool").replace("%2$s", word)


def test_main_usage_on_help_and_unknown_object(tmp_path: Path) -> None:
    from pybpftool.testing import invoke

    ok = invoke(["help"], state_dir=tmp_path)
    assert (ok.exit_code, ok.out, ok.err) == (0, "", docs.usage_text("main"))
    bad = invoke(["frob"], state_dir=tmp_path)
    assert (bad.exit_code, bad.out, bad.err) == (255, "", docs.usage_text("main"))


@pytest.mark.parametrize("obj", (*OBJECTS, "main"))
def test_man_page_commands_block_is_the_usage(obj: str) -> None:
    page = MAN / ("pybpftool.8" if obj == "main" else f"pybpftool-{obj}.8")
    assert page.exists(), f"missing man page {page.name}"
    text = page.read_text()
    assert docs.man_block(obj) in text, (
        f"{page.name}: COMMANDS block out of date; run python -m pybpftool.docs man man")
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "SEE ALSO"):
        assert f"\n.SH {section}\n" in text, f"{page.name}: no {section} section"


def test_man_pages_cross_references_exist() -> None:
    pages = {p.name for p in MAN.glob("*.8")}
    assert "nfpsim-bpffs.8" in pages
    for page in MAN.glob("pybpftool*.8"):
        for ref in re.findall(r"^\.BR (pybpftool[\w\\-]*) \(8\)", page.read_text(), re.M):
            name = ref.replace("\\-", "-") + ".8"
            assert name in pages, f"{page.name} refers to missing {name}"


def test_man_pages_document_every_option() -> None:
    text = (MAN / "pybpftool.8").read_text()
    for opt in LONG_OPTS:
        assert "\\-\\-" + opt.name.replace("-", "\\-") in text, f"--{opt.name} not documented"
    for c in SHORT_OPTS.replace(":", ""):
        assert f"\\-{c}\\fR" in text or f"\\-{c}\"" in text or f".BR \\-{c} " in text, f"-{c} not documented"


def test_completion_is_generated_from_the_tables() -> None:
    assert COMPLETION.exists()
    assert COMPLETION.read_text() == docs.completion_script(), (
        "completion/pybpftool is stale; run python -m pybpftool.docs completion completion/pybpftool")
    for obj in OBJECTS:
        names = " ".join(c.name for c in docs.module(obj).COMMANDS)
        assert f'[{obj}]="{names}"' in COMPLETION.read_text()


def test_completion_completes(tmp_path: Path) -> None:
    import shutil
    import subprocess

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    script = f"""
source {COMPLETION}
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=(); _pybpftool; echo "${{COMPREPLY[*]}}"; }}
t pybpftool p
t pybpftool -j prog d
t pybpftool map create /sys/fs/bpf/x type lru_
t pybpftool prog dump xlated ""
t pybpftool --pre
"""
    out = subprocess.run([bash, "-c", script], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "PYBPF_STATE": str(tmp_path)}).stdout.splitlines()
    assert out == ["prog perf", "dump detach", "lru_hash lru_percpu_hash", "id pinned tag name", "--pretty"]


def test_version_matches_the_package() -> None:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert __version__ == meta["project"]["version"]
