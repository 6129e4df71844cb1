"""The helper table (pykernel/uapi/helpers.py) against what the 6.18 oracle kernel measured.

Fixtures come from tests/oracle/helpers_probe/probe_availability.py (see its docstring):
for every program type/attach variant and helper id, the verifier's message after
``r1..r5 = 0; call ID``.  The fast tests check names, availability, GPL-only flags and the
first argument type the verifier rejected against the table; the ``realkernel`` test probes
the networking program types again on the live kernel.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest

from pykernel.uapi import helpers as H
from pykernel.uapi.helpers import ArgBase

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "helpers" / "availability.json"
PROBE_DIR = ROOT / "tests" / "oracle" / "helpers_probe"
BPF_F_SLEEPABLE = 1 << 4


@cache
def fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def probed_variants() -> list[dict]:
    return [v for v in fixture()["variants"] if v["probeable"]]


def variant_id(v: dict) -> str:
    return f"{v['type']}:{v['variant']}"


def _probe_module(name: str):
    sys.path.insert(0, str(PROBE_DIR))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(PROBE_DIR))


# ------------------------------------------------------------------ ids and names


def test_every_id_present_in_order_with_kernel_names():
    names = fixture()["names"]
    assert H.MAX_ID == fixture()["max_id"] == len(names)
    assert [h.id for h in H.HELPERS] == list(range(len(names)))
    assert [h.name for h in H.HELPERS] == names
    for h in H.HELPERS:
        assert H.by_id(h.id) is h
        assert H.by_name(h.name) is h
        assert H.by_name(h.bpf_name) is h
        assert h.bpf_name == "bpf_" + h.name
        assert (h.proto is None) == (h.id == 0)
    assert H.by_id(H.MAX_ID) is None
    assert H.by_name("no_such_helper") is None


def test_newest_helper_is_cgrp_storage_delete():
    assert H.by_id(H.MAX_ID - 1).name == "cgrp_storage_delete"


# ------------------------------------------------------------------ availability


def test_generated_block_is_up_to_date():
    gen = _probe_module("gen_availability")
    text = (ROOT / "pykernel" / "uapi" / "helpers.py").read_text()
    assert gen.render(text, fixture()) == text, "run tests/oracle/helpers_probe/gen_availability.py"


@pytest.mark.parametrize("v", probed_variants(), ids=variant_id)
def test_availability_matches_probe(v):
    got = H.available_ids(v["type"], v["variant"])
    assert got == frozenset(v["available"])
    for hid in range(H.MAX_ID):
        assert H.allowed(hid, v["type"], v["variant"]) == (hid in got)


def test_allowed_without_variant_is_union_over_variants():
    connect = H.available_ids("cgroup_sock_addr", "connect4")
    recv = H.available_ids("cgroup_sock_addr", "recvmsg4")
    assert H.by_name("bind").id in connect - recv
    assert H.allowed("bind", "cgroup_sock_addr")
    assert not H.allowed("bind", "cgroup_sock_addr", "recvmsg4")


def test_networking_types_spot_checks():
    xdp, tc = "xdp", "sched_cls"
    assert H.allowed("xdp_adjust_head", xdp) and not H.allowed("xdp_adjust_head", tc)
    assert H.allowed("skb_store_bytes", tc) and not H.allowed("skb_store_bytes", xdp)
    assert H.allowed("redirect_map", xdp)
    assert H.allowed("map_lookup_elem", "socket_filter")
    assert not H.allowed("skb_store_bytes", "socket_filter")
    assert H.allowed("sk_fullsock", "cgroup_skb")
    assert not H.allowed(0, xdp)  # unspec is never callable


def test_unprobeable_types_are_recorded_with_reason():
    assert "lirc_mode2:default" in H.NOT_PROBED
    assert "ext:default" in H.NOT_PROBED
    assert H.NOT_PROBED["tracing:default"] == "Tracing programs must provide btf_id"
    assert H.available_ids("ext") == frozenset()
    for key in H.NOT_PROBED:
        t, _, var = key.partition(":")
        assert var not in H.variants_of(t)


def test_prog_type_enum_accepted():
    from pykernel.uapi.consts import ProgType

    assert H.allowed(1, ProgType.XDP) == H.allowed(1, "xdp")
    assert H.available_ids(ProgType.SCHED_CLS) == H.available_ids("sched_cls")


# ------------------------------------------------------------------ prototypes vs the verifier


@pytest.mark.parametrize("v", [v for v in probed_variants() if v.get("gpl_probeable", True)], ids=variant_id)
def test_gpl_only_matches_probe(v):
    sleepable = bool(v.get("prog_flags", 0) & BPF_F_SLEEPABLE)
    gpl = set(v["gpl"])
    wrong = []
    for hid in v["available"]:
        proto = H.by_id(hid).proto_for(v["type"], v["variant"], sleepable=sleepable)
        if proto.gpl_only != (hid in gpl):
            wrong.append((hid, H.by_id(hid).name, proto.gpl_only))
    assert not wrong


# What the 6.18 verifier prints as the expected register types when an argument of this
# base type gets a scalar (compatible_reg_types of check_reg_type).
MEM = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"
EXPECTED_FOR = {
    ArgBase.CONST_MAP_PTR: "map_ptr",
    ArgBase.PTR_TO_MAP_KEY: MEM,
    ArgBase.PTR_TO_MAP_VALUE: MEM,
    ArgBase.PTR_TO_MEM: MEM,
    ArgBase.PTR_TO_CTX: "ctx",
    ArgBase.PTR_TO_SOCK_COMMON: "sock_common, sock, tcp_sock, xdp_sock",
    ArgBase.PTR_TO_BTF_ID_SOCK_COMMON: "sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_",
    ArgBase.PTR_TO_BTF_ID: "ptr_, trusted_ptr_, rcu_ptr_",
    ArgBase.PTR_TO_SPIN_LOCK: "map_value, ptr_",
    ArgBase.KPTR_XCHG_DEST: "map_value, ptr_",
    ArgBase.PTR_TO_TIMER: "map_value",
    ArgBase.PTR_TO_CONST_STR: "map_value",
    ArgBase.PTR_TO_RINGBUF_MEM: "ringbuf_mem",
    ArgBase.PTR_TO_PERCPU_BTF_ID: "percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_",
    ArgBase.PTR_TO_FUNC: "func",
    ArgBase.PTR_TO_STACK: "fp",
    ArgBase.PTR_TO_DYNPTR: "fp, dynptr_ptr",
}
PASSES_WITH_ZERO = {
    ArgBase.DONTCARE,
    ArgBase.ANYTHING,
    ArgBase.CONST_SIZE_OR_ZERO,
    ArgBase.CONST_ALLOC_SIZE_OR_ZERO,
}


def predicted_message(proto: H.Proto, sleepable: bool) -> str | None:
    """What the verifier should say after ``r1..r5 = 0; call`` with this proto."""
    if proto.might_sleep and not sleepable:
        return "helper call might sleep in a non-sleepable prog"
    if proto.allowed_cb:
        return None  # depends on the attach point
    for i, a in enumerate(proto.args, 1):
        if a.base in PASSES_WITH_ZERO or a.may_be_null:
            continue
        if a.base is ArgBase.CONST_SIZE:
            return None  # zero-size rules; not reached by any probe
        return f"R{i} type=scalar expected={EXPECTED_FOR[a.base]}"
    return "loaded"


@pytest.mark.parametrize("v", probed_variants(), ids=variant_id)
def test_first_rejected_argument_matches_verifier(v):
    sleepable = bool(v.get("prog_flags", 0) & BPF_F_SLEEPABLE)
    messages = fixture()["messages"]
    wrong = []
    for hid in v["available"]:
        got = messages[v["msg"][str(hid)]]
        proto = H.by_id(hid).proto_for(v["type"], v["variant"], sleepable=sleepable)
        want = predicted_message(proto, sleepable)
        if got == "helper call is not allowed in probe":
            if proto.allowed_cb is None:
                wrong.append((hid, H.by_id(hid).name, want, got))
            continue
        if want is not None and want != got:
            wrong.append((hid, H.by_id(hid).name, want, got))
    assert not wrong


# ------------------------------------------------------------------ offload and misc facts


def test_nfp_offload_set():
    offloaded = {h.name for h in H.HELPERS if h.offload}
    assert offloaded == {
        "map_lookup_elem",
        "map_update_elem",
        "map_delete_elem",
        "get_prandom_u32",
        "perf_event_output",
        "xdp_adjust_head",
        "xdp_adjust_tail",
    }
    assert not H.by_name("tail_call").offload


def test_packet_changing_helpers_take_ctx_first():
    for h in H.HELPERS:
        if h.changes_pkt_data:
            assert h.proto.arg(1) == H.ARG_PTR_TO_CTX, h.name


def test_arg_type_values_and_names_follow_the_kernel():
    # numeric values as in the 6.18 kernel's BTF (enum bpf_arg_type / bpf_return_type)
    assert H.ARG_PTR_TO_UNINIT_MEM == 67141636
    assert H.ARG_PTR_TO_FIXED_SIZE_MEM == 262148
    assert H.ARG_PTR_TO_MAP_VALUE_OR_NULL == 259
    assert H.RET_PTR_TO_RINGBUF_MEM_OR_NULL == 1286
    assert H.RET_PTR_TO_BTF_ID_TRUSTED == 1048584
    assert repr(H.by_name("map_lookup_elem").proto.ret) == "RET_PTR_TO_MAP_VALUE_OR_NULL"
    assert repr(H.by_name("trace_printk").proto.arg(1)) == "ARG_PTR_TO_MEM | MEM_RDONLY"
    assert H.by_name("trace_printk").proto.arg(1).has(H.MEM_RDONLY)


def test_proto_variants_per_program_type():
    peo = H.by_name("perf_event_output")
    assert peo.proto_for("sched_cls").func == "bpf_skb_event_output"
    assert peo.proto_for("xdp").func == "bpf_xdp_event_output"
    assert peo.proto_for("xdp").args == peo.proto.args
    assert H.by_name("redirect").proto_for("xdp").func == "bpf_xdp_redirect"
    assert H.by_name("get_stack").proto_for("kprobe", sleepable=True).might_sleep


# ------------------------------------------------------------------ live re-probe


def _kernel_available() -> bool:
    try:
        return _probe_module("bpfsys").can_probe()
    except Exception:
        return False


@pytest.mark.realkernel
@pytest.mark.skipif(not _kernel_available(), reason="needs root and a working bpf() syscall")
@pytest.mark.parametrize("prog_type", ["socket_filter", "sched_cls", "xdp", "cgroup_skb"])
def test_live_probe_matches_table(prog_type):
    b = _probe_module("bpfsys")
    pa = _probe_module("probe_availability")
    ptype = {"socket_filter": 1, "sched_cls": 3, "xdp": 6, "cgroup_skb": 8}[prog_type]
    avail, gpl = set(), set()
    for hid in range(H.MAX_ID):
        res = b.prog_load(ptype, pa.program(hid, 0))
        res.close()
        msg = pa.message_after_call(res.log) if res.fd < 0 else "loaded"
        if msg.startswith(pa.MARK_UNAVAILABLE):
            continue
        avail.add(hid)
        res = b.prog_load(ptype, pa.program(hid, 0), license="Proprietary")
        res.close()
        if res.fd < 0 and pa.message_after_call(res.log) == pa.MARK_GPL:
            gpl.add(hid)
    assert avail == H.available_ids(prog_type)
    assert gpl == {hid for hid in avail if H.by_id(hid).proto_for(prog_type).gpl_only}


# ------------------------------------------------------------------ kallsyms / dump xlated facts

XLATED = ROOT / "tests" / "fixtures" / "helpers" / "xlated"


@cache
def xlated_cases() -> dict:
    return json.loads((XLATED / "cases.json").read_text())


def insns_of(hexstr: str) -> list[tuple[int, int, int, int, int]]:
    raw = bytes.fromhex(hexstr)
    out = []
    for i in range(0, len(raw), 8):
        c = raw[i : i + 8]
        out.append(
            (
                c[0],
                c[1] & 15,
                c[1] >> 4,
                int.from_bytes(c[2:4], "little", signed=True),
                int.from_bytes(c[4:8], "little", signed=True),
            )
        )
    return out


def test_kallsyms_block_is_up_to_date():
    gen = _probe_module("gen_kallsyms")
    text = (ROOT / "pykernel" / "kallsyms.py").read_text()
    assert gen.render(text, json.loads(gen.FIXTURE.read_text())) == text


def test_every_helper_func_has_an_imm_unless_configured_out():
    from pykernel import kallsyms as K

    for h in H.HELPERS:
        for proto in [h.proto] + [p for _, p in h.variants]:
            if proto is None or proto.func is None:
                continue
            assert proto.func in K.SYMBOL_IMM or proto.func in K.NOT_IN_KALLSYMS, proto.func
    # configured out on the oracle kernel, and so unavailable to every probed type
    for name in ("override_return", "rc_repeat", "rc_keydown", "rc_pointer_rel"):
        assert not any(H.allowed(name, t) for t in H.probed_types())


def map_cases():
    return sorted(
        n
        for n in xlated_cases()
        if n.split(".")[0] in ("map_lookup_elem",)
        or n.startswith("map_")
        or n.startswith(("redirect_map.", "for_each_map_elem."))
    )


@pytest.mark.parametrize("name", map_cases())
def test_map_helper_fixups_match_recorded_dumps(name):
    from pykernel import kallsyms as K

    helper, map_name = name.split(".", 1)
    entry = xlated_cases()[name]
    base_map = entry["maps"][0]
    mtype = next(k for k, v in K._MAP_TYPE_IDS.items() if v == base_map["type"])
    fx = K.map_helper_fixup(helper, mtype)
    if "rejected" in entry:
        assert fx.kind == "reject"
        assert (fx.errno, fx.log) == (entry["rejected"]["errno"], entry["rejected"]["log"])
        assert K.helper_call_target(H.by_name(helper).id, "sched_cls", mtype) is None
        return
    text = (XLATED / entry["xlated"]).read_text()
    insns = insns_of(entry["xlated_insns"])
    if fx.symbol:
        assert f"call {fx.symbol}#{fx.imm}" in text
        sym, imm = K.helper_call_target(H.by_name(helper).id, "sched_cls", mtype)
        assert (sym, imm) == (fx.symbol, fx.imm)
    else:
        assert "call " not in text
    if fx.kind in ("inline", "call+inline"):
        assert helper == "map_lookup_elem"
        key, value, max_entries = base_map["key"], base_map["value"], base_map["max"]
        if fx.kind == "inline":
            seq = K.array_lookup_inline(max_entries, value, variant=mtype)
        else:
            seq = K.htab_lookup_inline(key, variant=mtype)
        # the sequence sits right after "r2 = r10; r2 += -32"
        start = next(i for i, ins in enumerate(insns) if ins[:2] == (0x07, 2)) + 1
        assert insns[start : start + len(seq)] == seq
        assert insns[start + len(seq)] == (0xB7, 0, 0, 0, 2)  # then the program's own r0 = 2


@pytest.mark.parametrize(
    "name,prog_type",
    [
        (n, "xdp" if n.endswith(".xdp") else "sched_cls")
        for n in sorted(xlated_cases())
        if n.rsplit(".", 1)[-1] in ("xdp", "sched_cls") and not n.startswith("map_")
    ],
)
def test_plain_helper_calls_match_recorded_dumps(name, prog_type):
    from pykernel import kallsyms as K

    entry = xlated_cases()[name]
    text = (XLATED / entry["xlated"]).read_text()
    helper = H.by_name(name.rsplit(".", 1)[0])
    target = K.helper_call_target(helper.id, prog_type)
    if helper.name in K.INLINED_HELPERS:
        assert target is None
        insns = insns_of(entry["xlated_insns"])
        if helper.name == "get_smp_processor_id":
            seq = K.smp_processor_id_inline()
        elif helper.name == "jiffies64":
            seq = K.jiffies64_inline()
        else:
            assert "call pc+" in text and "if r1 <= 0x800000 goto pc+2" in text
            return
        assert any(insns[i : i + len(seq)] == seq for i in range(len(insns)))
        assert "call " not in text
        return
    sym, imm = target
    assert f"call {sym}#{imm}" in text
    assert K.xlated_call_text(sym) in text


def test_tail_call_and_bpf2bpf_text():
    from pykernel import kallsyms as K

    for n in ("tail_call.const_index", "tail_call.var_index"):
        assert K.TAIL_CALL_TEXT in (XLATED / xlated_cases()[n]["xlated"]).read_text()
    assert "call pc+2#bpf_prog_614b434cd8324ecc_F" in (XLATED / "bpf2bpf_call.txt").read_text()
    assert "call pc+2#bpf_prog_614b434cd8324ecc_cb" in (XLATED / "bpf2bpf_call.btf.txt").read_text()
    assert K.helper_call_target(12, "xdp") is None
