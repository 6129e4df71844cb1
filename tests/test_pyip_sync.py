"""pyip's help texts, man pages and bash completion agree.

The usage texts (ip 6.1's, byte for byte) are the single source: ``pyip [OBJ] help``
prints them, the man pages' SYNOPSIS blocks are generated from them and the completion's
keywords must all appear in them (``python -m pyip.docs`` regenerates both).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pyip import docs
from tests.test_pyip_common import REPO, kernel_has_netlink

MAN = REPO / "man"
COMPLETION = REPO / "completion" / "pyip"
IP_PAGES = [p for p in docs.MAN_PAGES if p.startswith("pyip")]


def _ip(argv: list[str], tmp_path: Path):  # noqa: ANN202 - a Result
    from pyip.testing import invoke

    return invoke(argv, tool="ip", state_dir=tmp_path)


@pytest.mark.parametrize(("argv", "obj"), [(["help"], "main"), (["link", "help"], "link"),
                                           (["netns", "help"], "netns"), (["-h"], "main"),
                                           (["link", "set", "help"], "link")])
def test_help_prints_the_usage_text_on_stderr(argv: list[str], obj: str, tmp_path: Path) -> None:
    r = _ip(argv, tmp_path)
    assert (r.exit_code, r.out, r.err) == (255, "", docs.usage_text("ip", obj))


@pytest.mark.parametrize("page", IP_PAGES)
def test_man_page_synopsis_is_the_usage(page: str) -> None:
    text = (MAN / page).read_text()
    assert docs.man_block(page) in text, f"{page}: SYNOPSIS out of date; run python -m pyip.docs man man"
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "SEE ALSO"):
        assert f"\n.SH {section}\n" in text, f"{page}: no {section} section"


def test_man_pages_cross_references_exist() -> None:
    pages = {p.name for p in MAN.glob("*.8")}
    for page in IP_PAGES:
        for ref in re.findall(r"^\.BR (py(?:ip|tc|bpftool)[\w\\-]*) \(8\)", (MAN / page).read_text(), re.M):
            assert ref.replace("\\-", "-") + ".8" in pages, f"{page} refers to missing {ref}"


def test_man_page_documents_every_option() -> None:
    text = (MAN / "pyip.8").read_text()
    for opt in re.findall(r'_pyip_options="([^"]*)"', docs.completion_script("ip"))[0].split():
        assert opt.replace("-", "\\-") in text, f"{opt} not in pyip.8"


def test_completion_is_generated_and_its_keywords_are_documented() -> None:
    assert COMPLETION.read_text() == docs.completion_script("ip"), \
        "completion/pyip is stale; run python -m pyip.docs completion ip completion/pyip"
    objects = docs.usage_objects("ip")
    for obj in docs.COMMANDS["ip"]:
        assert obj in objects
        words = docs.usage_words("ip", obj)
        for cmd in docs.COMMANDS["ip"][obj]:
            assert cmd in words, f"completion offers '{obj} {cmd}', which ip {obj}'s usage lacks"
    link = docs.usage_words("ip", "link")
    for group in (docs.LINK_SET_WORDS, docs.LINK_ADD_WORDS, docs.LINK_TYPES, docs.XDP_MODES,
                  docs.OBJ_OPTIONS):
        missing = [w for w in group if w not in link]
        assert not missing, f"completion keywords not in the link usage: {missing}"


@pytest.mark.skipif(not kernel_has_netlink(), reason="the kernel has no netlink side yet")
@pytest.mark.parametrize(("obj", "cmd"), [(o, c) for o, cs in docs.COMMANDS["ip"].items() for c in cs])
def test_completion_commands_dispatch(obj: str, cmd: str, tmp_path: Path) -> None:
    r = _ip([obj, cmd], tmp_path)
    assert "is unknown" not in r.err and "internal error" not in r.err, r


def test_completion_completes(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    script = f"""
source {COMPLETION}
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=(); _pyip; echo "${{COMPREPLY[*]}}"; }}
t pyip l
t pyip -j link s
t pyip link set dev v0 xdp ""
t pyip link set dev v0 xdp obj x.o s
t pyip link add v0 type v
t pyip -d
"""
    out = subprocess.run([bash, "-c", script], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert out == ["link", "set show", "object pinned off", "section", "veth", "-details"]


def test_click_command_runs_the_same_parser() -> None:
    """pyip.main.cli (for embedding) is the console script's parser behind click."""
    from click.testing import CliRunner

    from pyip.main import cli

    r = CliRunner().invoke(cli, ["-V"])
    assert (r.exit_code, r.output) == (0, "ip utility, iproute2-6.1.0, libbpf 1.1.2\n")
    r = CliRunner().invoke(cli, ["frob"])
    assert (r.exit_code, r.output) == (1, 'Object "frob" is unknown, try "ip help".\n')
