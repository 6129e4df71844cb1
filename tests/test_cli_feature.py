"""``pybpftool feature``: what the simulated kernel supports, in bpftool v7.1's formats.

The recorded real outputs (tests/fixtures/net/feature/) are the reference for every byte
the simulated kernel should print the same, and differ where the simulation differs on
purpose (pykernel.procfs documents the choices):

* ``CONFIG_DEBUG_INFO_BTF`` is not set: the simulation has no vmlinux BTF;
* ``map_type struct_ops`` is NOT available: the simulated kernel cannot create one;
* the helper lists: the real bpftool, built with libbpf 1.1, lists every helper for every
  program type on 6.18 (cli-surface 5). Ours probe correctly, and are checked against the
  real kernel's own answers per (program type, helper) in
  tests/fixtures/helpers/availability.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_cli_common import FIXTURES, net_differences, net_scenario, run

INTENDED = {
    "CONFIG_DEBUG_INFO_BTF is set to y": "CONFIG_DEBUG_INFO_BTF is not set",
    '"CONFIG_DEBUG_INFO_BTF":"y"': '"CONFIG_DEBUG_INFO_BTF":null',
    '"CONFIG_DEBUG_INFO_BTF": "y"': '"CONFIG_DEBUG_INFO_BTF": null',
    "eBPF map_type struct_ops is available": "eBPF map_type struct_ops is NOT available",
    '"have_struct_ops_map_type":true': '"have_struct_ops_map_type":false',
    '"have_struct_ops_map_type": true': '"have_struct_ops_map_type": false',
    "#define HAVE_STRUCT_OPS_MAP_TYPE": "#define NO_HAVE_STRUCT_OPS_MAP_TYPE",
    "#define FOO_HAVE_STRUCT_OPS_MAP_TYPE": "#define FOO_NO_HAVE_STRUCT_OPS_MAP_TYPE",
    "#define BPF_HAVE_STRUCT_OPS_MAP_TYPE": "#define BPF_NO_HAVE_STRUCT_OPS_MAP_TYPE",
}
#: (program type, helper) pairs where the simulated verifier still differs from the real
#: kernel: cgroup_sockopt programs loaded for getsockopt may not call bpf_getsockopt or
#: bpf_setsockopt (cg_sockopt_func_proto hands them out for BPF_CGROUP_SETSOCKOPT only);
#: the helper table has per-type variants but not per expected attach type.
KNOWN_GAPS = {("cgroup_sockopt", "bpf_getsockopt"), ("cgroup_sockopt", "bpf_setsockopt")}


def _without_helpers(text: str) -> str:
    """The output with the helper lists (and helper macros) taken out."""
    text = re.sub(r"^\t- .*\n", "", text, flags=re.M)
    text = re.sub(r"^#define (\w+_)?BPF__PROG_TYPE_.*\n", "", text, flags=re.M)
    text = re.sub(r'("\w+_available_helpers": ?\[)[^\]]*(\])', r"\1\2", text)
    text = re.sub(r"\n\tCould not determine which helpers are available", "", text)
    return text


def _intended(text: str) -> str:
    for real, ours in INTENDED.items():
        text = text.replace(real, ours)
    return text


def _kernel_records() -> list[dict]:
    return [r for r in net_scenario("feature/feature_kernel.json.gz")["records"] if "argv" in r]


@pytest.fixture(autouse=True, scope="module")
def _probe_cache(tmp_path_factory):  # noqa: ANN001, ANN202
    """The module's own probe cache (never the user's)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:  # noqa: ANN001
    return tmp_path_factory.mktemp("feature") / "s"


@pytest.mark.parametrize("index", range(len(_kernel_records())))
def test_feature_kernel_records(index: int, state: Path) -> None:
    rec = _kernel_records()[index]
    r = run(rec["argv"][1:], state)
    want_out = _intended(rec["stdout"]).replace("Usage: bpftool", "Usage: pybpftool")
    want_err = rec["stderr"].replace("bpftool ", "pybpftool ")
    assert (r.exit_code, _without_helpers(r.out), r.err) == (rec["exit"], _without_helpers(want_out), want_err)


def _reference_helpers() -> dict[str, set[str]]:
    """The real 6.18 kernel's helpers per program type, for the expected attach type libbpf
    probes with (tests/fixtures/helpers/availability.json)."""
    from pybpftool.feature import builtin_names

    names = builtin_names("helpers")
    av = json.loads((FIXTURES / "helpers" / "availability.json").read_text())
    variant = {"cgroup_skb": "ingress", "cgroup_sock": "sock_create", "sk_skb": "stream_parser",
               "sk_reuseport": "select", "cgroup_sock_addr": "connect4", "cgroup_sockopt": "getsockopt"}
    out = {}
    for v in av["variants"]:
        if v["variant"] == variant.get(v["type"], "default") and "available" in v:
            out[v["type"]] = {names[i] for i in v["available"] if i < len(names)}
    return out


def test_helpers_are_the_real_kernels(state: Path) -> None:
    """Every supported program type lists exactly the helpers the real kernel lets it call."""
    got = json.loads(run(["-j", "feature", "probe", "full"], state).out)["helpers"]
    ref = _reference_helpers()
    mismatches = set()
    checked = 0
    for key, helpers in got.items():
        ptype = key[: -len("_available_helpers")]
        if ptype not in ref:
            continue  # not loadable on the reference kernel without a BTF target, or not measured
        checked += 1
        mismatches |= {(ptype, h) for h in set(helpers) ^ ref[ptype]}
    assert checked >= 24
    assert mismatches == KNOWN_GAPS


def test_helper_section_layout(state: Path) -> None:
    """Text: ``\\t- name`` lines under each type; types that cannot load say so; struct_ops
    loads but libbpf cannot probe its helpers. Without ``full`` the three helpers that
    write to the kernel log are not probed."""
    out = run(["feature", "probe"], state).out
    assert "eBPF helpers supported for program type xdp:\n\t- bpf_map_lookup_elem\n" in out
    assert "eBPF helpers supported for program type lirc_mode2:\n\tProgram type not supported\n" in out
    assert "program type struct_ops:\n\tCould not determine which helpers are available\n" in out
    assert "\t- bpf_trace_printk\n" not in out
    assert "\t- bpf_trace_printk\n" in run(["feature", "probe", "full"], state).out


def test_unprivileged_probes_find_nothing(state: Path) -> None:
    """unprivileged_bpf_disabled=2: without CAP_BPF every load fails with EPERM, and the
    JIT sysctls that need CAP_SYS_ADMIN cannot be read (the recorded output, byte for byte
    up to the deliberate config difference)."""
    rec = next(r for r in _kernel_records() if r["argv"][1:] == ["feature", "probe", "kernel", "unprivileged"])
    r = run(["feature", "probe", "kernel", "unprivileged"], state)
    assert r.out == _intended(rec["stdout"])


def test_feature_probe_dev(tmp_path: Path) -> None:
    """feature_dev.json: a veth, an ifb and lo offload nothing; errors and argument checks."""
    diffs = net_differences("feature/feature_dev.json", tmp_path / "s", setup=True)
    assert not diffs, f"{len(diffs)} differences\n" + "\n".join(diffs[:10])


def test_probe_results_are_cached_per_kernel_build(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The second probe reads the cache and prints the same; PYBPF_FEATURE_CACHE=0 probes."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = run(["-j", "feature", "probe"], tmp_path / "s").out
    files = list((tmp_path / "cache" / "pybpf").glob("feature-*.json"))
    assert len(files) == 1
    assert run(["-j", "feature", "probe"], tmp_path / "s2").out == first
    monkeypatch.setenv("PYBPF_FEATURE_CACHE", "0")
    files[0].write_text("{}")
    assert run(["-j", "feature", "probe"], tmp_path / "s3").out == first
