"""Checks of the network oracle fixtures themselves (tests/fixtures/net/, tests/fixtures/pcap/).

These fixtures are what the real ip / tc / bpftool printed (tests/oracle/net/record_net.py);
pyip, pytc and pybpftool are compared with them elsewhere. Here: every record is well formed
and its stored normalised copy is what the normaliser makes of the raw output; the
scenarios are replayable (every pin, cgroup, batch file, object and capture they name
exists); the traffic ground truth agrees with itself (counters vs captures vs sender
output); the input captures are what their generator makes. The realkernel test
re-records live and compares after normalisation.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import struct
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ORACLE_NET = HERE / "oracle" / "net"
FIX = HERE / "fixtures"
NET = FIX / "net"
PCAP = FIX / "pcap"
PROGS = HERE / "progs"


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


netrec = _load("pybpf_oracle_netrec", ORACLE_NET / "netrec.py")
nn = _load("pybpf_oracle_normalize_net", ORACLE_NET / "normalize_net.py")
sys.path.insert(0, str(ORACLE_NET))
record_net = _load("pybpf_oracle_record_net", ORACLE_NET / "record_net.py")

FILES = netrec.fixture_files(NET)
SETUP_KINDS = {"netns", "sysctl", "mkdir", "cgroup", "link_create", "capture", "ping", "replay"}
TOOLS = {"ip", "tc", "bpftool"}
MAC_PEER, MAC_DUT = "020000000001", "020000000002"


def load(p: Path) -> dict:
    return netrec.load_fixture(p)


def _by_name() -> dict[str, Path]:
    return {p.name.split(".")[0]: p for p in FILES}


def _records(name: str) -> list[dict]:
    return load(_by_name()[name])["records"]


# ---------------------------------------------------------------------------------------
# format


def test_every_scenario_has_its_fixture() -> None:
    have = _by_name()
    for name, (group, _fn) in record_net.SCENARIOS.items():
        assert name in have, name
        assert have[name].parent.name == group


def test_no_json_directly_under_net_or_pcap() -> None:
    """tests/test_cli_fixtures.py globs tests/fixtures/*/*.json for bpftool replays."""
    assert not list(NET.glob("*.json")) and not list(PCAP.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_records_well_formed_and_normalised(path: Path) -> None:
    doc = load(path)
    assert doc["format"] == 1 and doc["suite"] == "net" and doc["cwd"] == "tests/progs"
    assert doc["pin_root"] == netrec.PIN_ROOT and doc["cgroup_root"] == netrec.CG_ROOT
    labels: set[str | None] = {None}
    for rec in doc["records"]:
        if "setup" in rec:
            assert rec["setup"] in SETUP_KINDS, rec
            if rec["setup"] == "netns":
                assert rec["name"].startswith(netrec.NS_PREFIX)
                labels.add(rec["ns"])
            continue
        assert rec["argv"][0] in TOOLS, rec["argv"]
        assert rec["ns"] in labels, (rec["ns"], rec["argv"])
        assert rec["via"] in ("nsenter", "exec", "host")
        assert (rec["via"] == "host") == (rec["ns"] is None)
        assert isinstance(rec["exit"], int) and 0 <= rec["exit"] <= 255
        tool = rec["argv"][0]
        for stream in ("stdout", "stderr"):
            expected = nn.normalize_net(rec[stream], tool)
            stored = rec.get("norm", {}).get(stream, rec[stream])
            assert stored == expected, (rec["argv"], stream)
        if "norm" in rec:
            assert rec["norm"] != {"stdout": rec["stdout"], "stderr": rec["stderr"]}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenarios_are_replayable(path: Path) -> None:
    """Everything a record names exists or was made earlier in the same file: objects,
    batch files and input captures on disk; pins under the pin root after a load, a
    mkdir or a link_create; cgroups under the cgroup root after a `cgroup` step."""
    doc = load(path)
    cwd = HERE.parent / doc["cwd"]
    made_cgroups: set[str] = set()
    for rec in doc["records"]:
        if rec.get("setup") == "cgroup":
            assert rec["path"].startswith(netrec.CG_ROOT)
            made_cgroups.add(rec["path"])
        if rec.get("setup") == "link_create":
            assert rec["link_pin"].startswith(netrec.PIN_ROOT + "/")
            assert rec["prog"].startswith(netrec.PIN_ROOT + "/")
            if rec["kind"] == "cgroup":
                assert rec["target"] in made_cgroups
        if rec.get("setup") == "mkdir":
            assert rec["path"].startswith(netrec.PIN_ROOT + "/")
        argv = rec.get("argv", [])
        for i, a in enumerate(argv):
            prev = argv[i - 1] if i else ""
            if a.endswith((".o", ".pcap", ".pcapng")) and prev in ("obj", "object", "object-file",
                                                                  "load", "loadall"):
                if "nosuch" not in a:
                    assert (cwd / a).exists(), a
            if prev == "-batch" and a != "-" and "nosuch" not in a:
                assert (cwd / a).exists(), a
            if a.startswith("/sys/fs/bpf/"):
                assert a.startswith(netrec.PIN_ROOT + "/"), a
            if a.startswith("/sys/fs/cgroup/"):
                assert a.startswith(netrec.CG_ROOT), a
        if rec.get("setup") == "replay":
            assert (cwd / rec["args"][1]).exists()


def test_setup_netns_first_and_ipv6_off() -> None:
    for path in FILES:
        recs = load(path)["records"]
        seen: set[str] = set()
        for i, rec in enumerate(recs):
            if rec.get("setup") == "netns":
                assert recs[i + 1] == {"setup": "sysctl", "ns": rec["ns"], "values": {
                    "net.ipv6.conf.all.disable_ipv6": 1,
                    "net.ipv6.conf.default.disable_ipv6": 1}}
                seen.add(rec["ns"])
            elif "argv" in rec and rec["ns"] is not None:
                assert rec["ns"] in seen


# ---------------------------------------------------------------------------------------
# the normaliser


def test_normaliser_rules() -> None:
    ip = ("3: v0@v1: <BROADCAST> mtu 1500 xdp qdisc noqueue state UP\n"
          "    link/ether 5a:77:d3:39:3e:2d brd ff:ff:ff:ff:ff:ff\n"
          "    prog/xdp id 154 name xdp_count tag d93332723d4a5f70 jited load_time 406752798366 "
          "created_by_uid 0 btf_id 94 \n")
    assert nn.normalize_net(ip, "ip") == (
        "3: v0@v1: <BROADCAST> mtu 1500 xdp qdisc noqueue state UP\n"
        "    link/ether <MAC> brd ff:ff:ff:ff:ff:ff\n"
        "    prog/xdp id <ID> name xdp_count tag d93332723d4a5f70 jited load_time <TIME> "
        "created_by_uid 0 btf_id <ID> \n")
    # the fixed addresses of the traffic scenarios and the all-zero one are kept
    assert nn.normalize_net("link/ether 02:00:00:00:00:01 brd 00:00:00:00:00:00", "ip") == \
        "link/ether 02:00:00:00:00:01 brd 00:00:00:00:00:00"
    assert nn.normalize_net("mtu 1500 xdpgeneric/id:41259 qdisc", "ip") == \
        "mtu 1500 xdpgeneric/id:<ID> qdisc"
    # cgroup rows keep their column width whatever the id's digit count
    row = "1805     cgroup_inet_ingress multi           cg_allow                       \n"
    row2 = "35299    cgroup_inet_ingress multi           cg_allow                       \n"
    assert nn.normalize_net(row, "bpftool") == nn.normalize_net(row2, "bpftool")
    assert nn.normalize_net("    " + row, "bpftool").startswith("    <ID>     cgroup_inet")
    assert nn.normalize_net("89: xdp  prog 122  \n", "bpftool") == "<ID>: xdp  prog <ID>  \n"
    assert nn.normalize_net("\tcgroup_id 234  attach_type x\n\tcgroup_id 0", "bpftool") == \
        "\tcgroup_id <CGID>  attach_type x\n\tcgroup_id 0"
    # an ifindex is not an id
    assert nn.normalize_net("v0(3) driver id 154\n", "bpftool") == "v0(3) driver id <ID>\n"
    assert nn.normalize_net("2: v1@v0: <UP>\n", "ip") == "2: v1@v0: <UP>\n"
    assert "xdp_addr_id" in nn.rules_fired("xdp/id:7", "ip")


# ---------------------------------------------------------------------------------------
# captures and traffic ground truth


def _pcap_frames(path: Path) -> list[bytes]:
    dpkt = pytest.importorskip("dpkt")
    with open(path, "rb") as f:
        reader = dpkt.pcapng.Reader(f) if path.suffix == ".pcapng" else dpkt.pcap.Reader(f)
        return [bytes(b) for _ts, b in reader]


def _captures() -> list[dict]:
    return [r for p in FILES for r in load(p)["records"] if r.get("setup") == "capture"]


def test_captures_match_their_pcaps() -> None:
    caps = _captures()
    assert len(caps) == 9
    for c in caps:
        frames = _pcap_frames(FIX / c["file"])
        assert [f.hex() for f in frames] == c["frames"], c["file"]
        assert c["count"] == len(frames)
        assert len(c["tcpdump"].splitlines()) == len(frames)
        assert f"{len(frames)} packet" in c["tcpdump_stats"]
        for i in c.get("volatile", {}).get("ipv4_id_csum", []):
            f = bytes.fromhex(c["frames"][i])
            assert f[6:12].hex() == MAC_DUT and f[12:14] == b"\x08\x00"


def _u64s(rec: dict) -> dict[int, int]:
    """key -> value of a `bpftool -j map dump` of a u32 -> u64 array."""
    return {int.from_bytes(bytes(int(b, 16) for b in e["key"]), "little"):
            int.from_bytes(bytes(int(b, 16) for b in e["value"]), "little")
            for e in json.loads(rec["stdout"])}


def _dumps(recs: list[dict], suffix: str) -> list[dict[int, int]]:
    return [_u64s(r) for r in recs if r.get("argv", [])[1:4] == ["-j", "map", "dump"]
            and r["argv"][-1].endswith(suffix)]


def _is_echo(f: bytes, typ: int) -> bool:
    return len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and \
        (f[14] & 0xF) == 5 and f[34] == typ


def _tc_count_expect(frames: list[bytes]) -> dict[int, int]:
    """What tests/fixtures/net/progs/tc_count.c counts for these frames."""
    c = dict.fromkeys(range(10), 0)
    for f in frames:
        c[0] += 1
        c[1] += len(f)
        et = f[12:14]
        if et == b"\x08\x06":
            c[3] += 1
        elif et == b"\x86\xdd":
            c[4] += 1
        elif et == b"\x08\x00" and len(f) >= 34:
            c[2] += 1
            proto = f[23]
            if proto == 6:
                c[7] += 1
            elif proto == 17:
                c[8] += 1
            elif proto == 1 and (f[14] & 0xF) == 5 and len(f) >= 35:
                c[{8: 5, 0: 6}.get(f[34], 9)] += 1
    return c


def _phase_frames(caps: list[dict], dev: str, direction: str) -> list[bytes]:
    return [bytes.fromhex(x) for c in caps if c["dev"] == dev and c["direction"] == direction
            for x in c["frames"]]


def test_traffic_icmp_ground_truth() -> None:
    recs = _records("traffic_icmp")
    pings = [r for r in recs if r.get("setup") == "ping"]
    assert [p["stdout"].splitlines()[-1] for p in pings] == [
        "--- 10.0.0.2: 3 packets transmitted, 0 received",
        "--- 10.0.0.2: 5 packets transmitted, 5 received"]
    caps = [r for r in recs if r.get("setup") == "capture"]
    nonapi, napi = caps[:3], caps[3:]
    # without NAPI on the peer veth, XDP_TX replies are dropped: only the ARP reply returns
    assert [len(c["frames"]) for c in nonapi] == [4, 1, 2]
    assert [len(c["frames"]) for c in napi] == [5, 5, 0]
    # the XDP responder counted every echo request, answered or not
    replies = _dumps(recs, "echo_maps/replies")
    assert replies == [{0: 3}, {0: 8}]
    # the tc counters saw exactly what the captures saw
    tc_in, tc_out = _dumps(recs, "tc_in_maps/tc_counts"), _dumps(recs, "tc_out_maps/tc_counts")
    assert tc_in[0] == _tc_count_expect(_phase_frames(nonapi, "peer0", "in"))
    assert tc_out[0] == _tc_count_expect(_phase_frames(nonapi, "peer0", "out"))
    assert tc_in[1] == _tc_count_expect(_phase_frames(caps, "peer0", "in"))
    assert tc_out[1] == _tc_count_expect(_phase_frames(caps, "peer0", "out"))
    # each reply is its request with MACs and addresses swapped and type 0
    for req, rep in zip(_phase_frames(napi, "peer0", "out"), _phase_frames(napi, "peer0", "in"),
                        strict=True):
        assert rep[:6] == req[6:12] and rep[6:12] == req[:6]
        assert rep[26:30] == req[30:34] and rep[30:34] == req[26:30]
        assert rep[34] == 0 and req[34] == 8 and rep[38:] == req[38:]


def test_traffic_replay_ground_truth() -> None:
    recs = _records("traffic_replay")
    sent = next(r for r in recs if r.get("setup") == "replay")
    inp = _pcap_frames(PCAP / "replay_in.pcap")
    lines = sent["stdout"].splitlines()
    assert len(lines) == len(inp)
    ok = [f for f, ln in zip(inp, lines, strict=True) if ln.endswith(" sent")]
    assert [ln for ln in lines if not ln.endswith(" sent")] == ["13 10 error EINVAL"]
    caps = [r for r in recs if r.get("setup") == "capture"]
    out, back = _phase_frames(caps, "peer0", "out"), _phase_frames(caps, "peer0", "in")
    assert out == ok  # what went on the wire is what the replay sent
    echo_reqs = [f for f in out if _is_echo(f, 8)]
    assert _dumps(recs, "echo_maps/replies") == [{0: len(echo_reqs)}]
    assert _dumps(recs, "tc_in_maps/tc_counts") == [_tc_count_expect(back)]
    assert _dumps(recs, "tc_out_maps/tc_counts") == [_tc_count_expect(out)]
    # XDP_TX replies never show in the DUT's capture; its stack's frames do
    dut = _phase_frames(caps, "dut0", "inout")
    xdp_replies = [f for f in back if _is_echo(f, 0) and f not in dut]
    assert len(xdp_replies) == len(echo_reqs)


def test_input_pcaps_are_what_the_generator_makes(tmp_path: Path) -> None:
    pytest.importorskip("dpkt")
    gen = _load("pybpf_gen_pcaps", PCAP / "gen_pcaps.py")
    frames = [f for _n, _d, f in gen.replay_frames()]
    gen.write_pcap(tmp_path / "r.pcap", frames, step_us=50_000)
    assert (tmp_path / "r.pcap").read_bytes() == (PCAP / "replay_in.pcap").read_bytes()
    gen.write_pcap(tmp_path / "m.pcap", gen.mixed_frames())
    assert (tmp_path / "m.pcap").read_bytes() == (PCAP / "mixed.pcap").read_bytes()
    gen.write_pcapng(tmp_path / "m.pcapng", gen.mixed_frames())
    assert (tmp_path / "m.pcapng").read_bytes() == (PCAP / "mixed.pcapng").read_bytes()
    assert _pcap_frames(PCAP / "mixed.pcapng") == gen.mixed_frames()
    gen.write_pcap(tmp_path / "b.pcap", gen.burst_frames())
    assert (tmp_path / "b.pcap").read_bytes() == (PCAP / "icmp_burst.pcap").read_bytes()
    big = gen.big_frames(2000)
    assert big == gen.big_frames(2000) and len(big) == 2000
    # pcap header: magic, v2.4, snaplen 262144, Ethernet
    assert struct.unpack("<IHHiIII", (PCAP / "mixed.pcap").read_bytes()[:24]) == (
        0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def test_net_progs_have_objects() -> None:
    for c in (NET / "progs").glob("*.c"):
        o = c.with_suffix(".o")
        assert o.exists() and o.read_bytes()[:4] == b"\x7fELF", o


def test_batch_files_are_used() -> None:
    used = {a for p in FILES for r in load(p)["records"] for a in r.get("argv", [])}
    for b in (NET / "batch").glob("*.txt"):
        assert f"{netrec.BATCH_REL}/{b.name}" in used, b.name


# ---------------------------------------------------------------------------------------
# live re-recording


def _real_kernel() -> bool:
    tools = ("ip", "tc", "bpftool", "nsenter", "tcpdump")
    if os.geteuid() != 0 or not all(shutil.which(t) for t in tools):
        return False
    if not (os.path.ismount("/sys/fs/bpf") and os.path.isdir("/sys/fs/cgroup/unified")):
        return False
    env = load(_by_name()["ip_xdp"])["environment"]
    live = netrec.environment()
    return all(live[k] == env[k] for k in ("kernel", "bpftool", "ip", "tc"))


@pytest.mark.realkernel
@pytest.mark.skipif(not _real_kernel(),
                    reason="needs root, ip/tc/bpftool/tcpdump, bpffs, cgroup2 and the recording "
                           "kernel and tools")
def test_rerecord_matches_committed_fixtures(tmp_path: Path) -> None:
    pytest.importorskip("dpkt")
    names = [n for n in record_net.SCENARIOS if n not in record_net.SLOW]
    record_net.record(names, tmp_path / "net", tmp_path / "pcap")
    diffs = record_net.compare_dirs(tmp_path / "net", NET, names)
    assert diffs == []
