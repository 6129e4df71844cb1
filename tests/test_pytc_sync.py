"""pytc's help texts, man pages and bash completion agree (see tests/test_pyip_sync.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pyip import docs
from tests.test_pyip_common import REPO, kernel_has_netlink

MAN = REPO / "man"
COMPLETION = REPO / "completion" / "pytc"
TC_PAGES = [p for p in docs.MAN_PAGES if p.startswith("pytc")]


def _tc(argv: list[str], tmp_path: Path):  # noqa: ANN202 - a Result
    from pyip.testing import invoke

    return invoke(argv, tool="tc", state_dir=tmp_path)


@pytest.mark.parametrize(("argv", "obj"), [(["help"], "main"), (["-h"], "main"), (["qdisc", "help"], "qdisc"),
                                           (["filter", "help"], "filter"), (["class", "help"], "class"),
                                           (["chain", "help"], "chain")])
def test_help_prints_the_usage_text_on_stderr(argv: list[str], obj: str, tmp_path: Path) -> None:
    r = _tc(argv, tmp_path)
    assert (r.exit_code, r.out, r.err) == (0, "", docs.usage_text("tc", obj))


@pytest.mark.skipif(not kernel_has_netlink(), reason="the kernel has no netlink side yet")
def test_bpf_help_is_the_classifier_usage(tmp_path: Path) -> None:
    r = _tc(["filter", "add", "dev", "lo", "ingress", "bpf", "help"], tmp_path)
    assert (r.exit_code, r.out, r.err) == (1, "", docs.usage_text("tc", "bpf"))


@pytest.mark.parametrize("page", TC_PAGES)
def test_man_page_synopsis_is_the_usage(page: str) -> None:
    text = (MAN / page).read_text()
    assert docs.man_block(page) in text, f"{page}: SYNOPSIS out of date; run python -m pyip.docs man man"
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES", "SEE ALSO"):
        assert f"\n.SH {section}\n" in text, f"{page}: no {section} section"


def test_man_pages_cross_references_exist() -> None:
    pages = {p.name for p in MAN.glob("*.8")}
    for page in TC_PAGES:
        for ref in re.findall(r"^\.BR (py(?:ip|tc|bpftool)[\w\\-]*) \(8\)", (MAN / page).read_text(), re.M):
            assert ref.replace("\\-", "-") + ".8" in pages, f"{page} refers to missing {ref}"


def test_man_page_documents_every_option() -> None:
    text = (MAN / "pytc.8").read_text()
    for opt in re.findall(r'_pytc_options="([^"]*)"', docs.completion_script("tc"))[0].split():
        assert opt.replace("-", "\\-") in text, f"{opt} not in pytc.8"


def test_completion_is_generated_and_its_keywords_are_documented() -> None:
    assert COMPLETION.read_text() == docs.completion_script("tc"), \
        "completion/pytc is stale; run python -m pyip.docs completion tc completion/pytc"
    objects = docs.usage_objects("tc")
    for obj, cmds in docs.COMMANDS["tc"].items():
        assert obj in objects
        words = docs.usage_words("tc", obj)
        missing = [c for c in cmds if c not in words]
        assert not missing, f"completion offers tc {obj} {missing}, which its usage lacks"
    for group, obj in ((docs.QDISC_KINDS, "qdisc"), (docs.FILTER_WORDS, "filter"), (docs.BPF_WORDS, "bpf")):
        missing = [w for w in group if w not in docs.usage_words("tc", obj)]
        assert not missing, f"completion keywords not in the {obj} usage: {missing}"


@pytest.mark.skipif(not kernel_has_netlink(), reason="the kernel has no netlink side yet")
@pytest.mark.parametrize(("obj", "cmd"), [(o, c) for o, cs in docs.COMMANDS["tc"].items() for c in cs])
def test_completion_commands_dispatch(obj: str, cmd: str, tmp_path: Path) -> None:
    r = _tc([obj, cmd], tmp_path)
    assert "is unknown" not in r.err and "internal error" not in r.err, r


def test_completion_completes(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash")
    script = f"""
source {COMPLETION}
t() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=(); _pytc; echo "${{COMPREPLY[*]}}"; }}
t pytc f
t pytc qdisc add dev v0 cl
t pytc filter add dev v0 ingress bpf d
t pytc filter add dev v0 e
t pytc -s
"""
    out = subprocess.run([bash, "-c", script], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}).stdout.splitlines()
    assert out == ["filter", "clsact", "direct-action da", "egress", "-statistics"]


def test_click_command_runs_the_same_parser() -> None:
    from click.testing import CliRunner

    from pytc.main import cli

    r = CliRunner().invoke(cli, ["-V"])
    assert (r.exit_code, r.output) == (0, "tc utility, iproute2-6.1.0, libbpf 1.1.2\n")
    r = CliRunner().invoke(cli, ["frob"])
    assert (r.exit_code, r.output) == (255, 'Object "frob" is unknown, try "tc help".\n')
