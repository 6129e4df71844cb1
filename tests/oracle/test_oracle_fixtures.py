"""Checks of the oracle fixtures themselves (tests/fixtures/), and of pykernel/layouts.py
against the real kernel's xlated rewrites recorded there.

The realkernel test re-records a few objects on the real kernel and compares them with
the committed fixtures (after normalisation), so a drift of the machine shows up.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from pykernel import layouts as L

HERE = Path(__file__).resolve().parent


def _load(name: str, file: str):  # noqa: ANN202 - a module
    """Import a tests/oracle script under a unique name (see record._load_sibling)."""
    import importlib.util

    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / file)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


record = _load("pybpf_oracle_record", "record.py")
norm = _load("pybpf_oracle_normalize", "normalize.py")

REPO = HERE.parents[1]
FIX = REPO / "tests" / "fixtures"
PROGS = REPO / "tests" / "progs"

# the directories record.py writes (other fixture directories belong to other tests)
GROUPS = {s.name for s in record.OBJECTS} | {"bad", "xdp_legacy_map", "misc", "ctx_access",
                                             "map_xlated"}
RECORD_FILES = sorted(p for g in GROUPS for p in (FIX / g).glob("*.json")
                      if not p.name.startswith("matrix_"))


def load(p: Path) -> dict:
    return json.loads(p.read_text())


def test_there_are_fixtures() -> None:
    groups = {p.parent.name for p in RECORD_FILES}
    assert {"xdp_count", "tc_cls", "bad", "misc", "ctx_access", "map_xlated"} <= groups
    assert len(groups) >= 30


@pytest.mark.parametrize("path", RECORD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_records_well_formed_and_normalised(path: Path) -> None:
    doc = load(path)
    assert doc["format"] == 1
    assert doc["records"], path
    for rec in doc["records"]:
        if "setup" in rec:
            assert rec["setup"] == "mkdir"
            continue
        assert rec["argv"][0] == "bpftool"
        assert isinstance(rec["exit"], int)
        for stream in ("stdout", "stderr"):
            expected = norm.normalize(rec[stream])
            stored = rec.get("norm", {}).get(stream, rec[stream])
            assert stored == expected, (rec["argv"], stream)


def _matrix(name: str) -> dict[tuple[str, int, int], dict]:
    doc = load(FIX / "ctx_access" / f"matrix_{name}.json")
    return {(e["op"], e["off"], e["size"]): e for e in doc["entries"]}


def _insns(entry: dict) -> list[str]:
    """The instructions of a matrix entry's xlated dump, without index and opcode."""
    return [ln.split(") ", 1)[1] for ln in entry["xlated"] if ") " in ln]


def test_xdp_md_rewrites_match_layouts() -> None:
    m = _matrix("xdp")
    assert _insns(m["read", 0, 4])[0] == f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_DATA})"
    assert _insns(m["read", 4, 4])[0] == f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_DATA_END})"
    assert _insns(m["read", 8, 4])[0] == f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_DATA_META})"
    assert _insns(m["read", 12, 4])[:3] == [
        f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_RXQ})",
        f"r2 = *(u64 *)(r2 +{L.XDP_RXQ_INFO_DEV})",
        f"r2 = *(u32 *)(r2 +{L.NET_DEVICE_IFINDEX})"]
    assert _insns(m["read", 16, 4])[:2] == [
        f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_RXQ})",
        f"r2 = *(u32 *)(r2 +{L.XDP_RXQ_INFO_QUEUE_INDEX})"]
    assert not m["read", 20, 4]["accepted"]  # egress_ifindex: devmap programs only
    d = _matrix("xdp_devmap")
    assert _insns(d["read", 20, 4])[:3] == [
        f"r2 = *(u64 *)(r1 +{L.XDP_BUFF_TXQ})",
        f"r2 = *(u64 *)(r2 +{L.XDP_TXQ_INFO_DEV})",
        f"r2 = *(u32 *)(r2 +{L.NET_DEVICE_IFINDEX})"]
    assert not any(e["accepted"] for k, e in m.items() if k[0] == "write")


def test_sk_buff_rewrites_match_layouts() -> None:
    m = _matrix("sched_cls")
    first = {off: _insns(m["read", off, 4]) for off in (0, 4, 8, 12, 16, 32, 36, 44, 68, 72,
                                                          76, 80, 140, 160)}
    assert first[0][0] == f"r2 = *(u32 *)(r1 +{L.SK_BUFF_LEN})"
    assert first[4][:2] == [f"r2 = *(u8 *)(r1 +{L.SK_BUFF_PKT_TYPE_BYTE})",
                        f"w2 &= {L.SK_BUFF_PKT_TYPE_MASK}"]
    assert first[8][0] == f"r2 = *(u32 *)(r1 +{L.SK_BUFF_MARK})"
    assert first[12][0] == f"r2 = *(u16 *)(r1 +{L.SK_BUFF_QUEUE_MAPPING})"
    assert first[16][0] == f"r2 = *(u16 *)(r1 +{L.SK_BUFF_PROTOCOL})"
    assert first[32][0] == f"r2 = *(u32 *)(r1 +{L.SK_BUFF_PRIORITY})"
    assert first[36][0] == f"r2 = *(u32 *)(r1 +{L.SK_BUFF_SKB_IIF})"
    assert first[44][0] == f"r2 = *(u16 *)(r1 +{L.SK_BUFF_TC_INDEX})"
    assert first[68][0] == f"r2 = *(u32 *)(r1 +{L.SK_BUFF_HASH})"
    assert first[72][0] == f"r2 = *(u16 *)(r1 +{L.SKB_TC_CLASSID})"
    assert first[76][0] == f"r2 = *(u64 *)(r1 +{L.SK_BUFF_DATA})"
    assert first[80][0] == f"r2 = *(u64 *)(r1 +{L.SKB_DATA_END})"
    assert first[140][0] == f"r2 = *(u64 *)(r1 +{L.SKB_DATA_META})"
    assert first[160][0] == f"r2 = *(u32 *)(r1 +{L.SKB_WIRE_LEN})"
    assert _insns(m["read", 40, 4])[:2] == [f"r2 = *(u64 *)(r1 +{L.SK_BUFF_DEV})",
                                            f"r2 = *(u32 *)(r2 +{L.NET_DEVICE_IFINDEX})"]
    assert _insns(m["read", 164, 4])[:4] == [
        f"r11 = *(u32 *)(r1 +{L.SK_BUFF_END})", f"r2 = *(u64 *)(r1 +{L.SK_BUFF_HEAD})",
        "r2 += r11", f"r2 = *(u16 *)(r2 +{L.SKB_SHARED_INFO_GSO_SEGS})"]
    assert _insns(m["read", 48, 4])[0] == f"r2 = *(u32 *)(r1 +{L.SKB_CB_DATA})"
    assert m["write", 8, 4]["accepted"] and not m["write", 0, 4]["accepted"]
    assert f"r1 +{L.SK_BUFF_MARK}) = r2" in _insns(m["write", 8, 4])[1]
    assert f"{L.MIN_NAPI_ID:#x}" in " ".join(_insns(m["read", 84, 4]))


def _xlated_text(group: str, name: str) -> str:
    doc = load(FIX / group / f"{name}.json")
    return "".join(r["stdout"] for r in doc["records"]
                   if "argv" in r and r["argv"][1:4] == ["prog", "dump", "xlated"]
                   and len(r["argv"]) == 6)


def test_map_lookup_inlining_matches_layouts() -> None:
    array = _xlated_text("map_xlated", "m_array")
    assert f"r1 += {L.ARRAY_VALUE_OFF}" in array
    hashx = _xlated_text("map_xlated", "m_hash")
    assert f"r0 += {L.htab_value_off(4)}" in hashx
    assert f"call __htab_map_lookup_elem#{L.KERNEL_CALL_IMM['__htab_map_lookup_elem']}" in hashx
    nopre = _xlated_text("map_xlated", "m_hash_nopre")
    assert f"r0 += {L.htab_value_off(8)}" in nopre


def test_every_source_has_its_object() -> None:
    srcs = list(PROGS.glob("*.c")) + list(PROGS.glob("ctx/*.c")) + list(PROGS.glob("maps/*.c"))
    assert len(srcs) >= 40
    for c in srcs:
        o = c.with_suffix(".o")
        assert o.exists(), o
        assert o.read_bytes()[:4] == b"\x7fELF"


def test_packets_are_what_the_generator_makes() -> None:
    pytest.importorskip("dpkt")
    import importlib.util

    spec = importlib.util.spec_from_file_location("pybpf_gen_packets", FIX / "packets" / "gen_packets.py")
    assert spec and spec.loader
    gen_packets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_packets)

    frames = {**gen_packets.frames(), **gen_packets.contexts()}
    manifest = load(FIX / "packets" / "packets.json")
    assert set(frames) == set(manifest)
    for name, (_desc, data) in frames.items():
        assert (FIX / "packets" / f"{name}.bin").read_bytes() == data, name
    pkt64 = (FIX / "packets" / "pkt64.bin").read_bytes()
    assert len(pkt64) == 64 and pkt64[:6] == b"\xff" * 6 and pkt64[26:34] == bytes(
        [192, 168, 0, 1, 192, 168, 0, 2])


def _real_kernel() -> bool:
    """Root, bpftool and bpffs, on the kernel and bpftool the fixtures were recorded with
    (elsewhere the outputs legitimately differ)."""
    if not (os.geteuid() == 0 and shutil.which("bpftool") is not None
            and os.path.ismount("/sys/fs/bpf") and os.path.exists("/sys/kernel/btf/vmlinux")):
        return False
    env = load(FIX / "xdp_count" / "load.json")["environment"]
    return record.environment()["kernel"] == env["kernel"] and \
        record.environment()["bpftool"] == env["bpftool"]


@pytest.mark.realkernel
@pytest.mark.skipif(not _real_kernel(), reason="needs root, bpftool, bpffs and the recording kernel")
def test_rerecord_matches_committed_fixtures(tmp_path: Path) -> None:
    for spec in record.OBJECTS:
        if spec.name in ("xdp_count", "tc_cls", "xdp_tail_call"):
            record.record_object(spec, tmp_path)
    diffs = record.compare_dirs(tmp_path, FIX)
    assert diffs == []
