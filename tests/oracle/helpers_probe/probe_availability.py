"""Measure which helpers each program type may call on the running kernel.

Run as root on the oracle machine:

    .venv/bin/python tests/oracle/helpers_probe/probe_availability.py [OUT.json]

For every program type (and, where the kernel's choice of helpers depends on it, every
expected_attach_type / attach target of that type) and every helper id 0..__BPF_FUNC_MAX_ID,
load ``r1..r5 = 0; call ID; r0 = RET; exit`` with log_level 1 and license "GPL", and read
the verifier's message right after the call instruction:

* ``invalid func unknown#N``                              -> unknown id
* ``program of this type cannot use helper bpf_x#N``      -> unavailable to this type
* anything else (argument-type errors, ``helper call might sleep in a non-sleepable prog``,
  or the program loaded)                                  -> available
  (the proto exists; its arguments or context are what failed)

Every available helper is loaded again with license "Proprietary"; the message
``cannot call GPL-restricted function from non-GPL compatible program`` marks it gpl_only.

Variants whose trivial program cannot load at all (no attach target, lirc_mode2 without
the driver, ext without a target program) are recorded as not probeable with the reason.

Output (compact JSON): the kernel release, helper names from the kernel's BTF
(enum bpf_func_id), a table of distinct messages, and per variant: ``available`` (ids),
``gpl`` (ids), ``loaded`` (ids whose trivial program was accepted), ``msg`` (id ->
message index, for available ids), and ``probeable``/``reason``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bpfsys as b  # noqa: E402

DEFAULT_OUT = HERE.parents[1] / "fixtures" / "helpers" / "availability.json"

BPF_F_SLEEPABLE = 1 << 4

# (prog type name as bpftool prints it, variant label, expected_attach_type name or None,
#  attach BTF (kind, name) or None, prog_flags).  The first variant of a type is its default.
VARIANTS: list[tuple[str, str, str | None, tuple[str, str] | None, int]] = [
    ("socket_filter", "default", None, None, 0),
    ("kprobe", "default", None, None, 0),
    ("kprobe", "kprobe_multi", "BPF_TRACE_KPROBE_MULTI", None, 0),
    ("kprobe", "kprobe_session", "BPF_TRACE_KPROBE_SESSION", None, 0),
    ("kprobe", "uprobe_multi", "BPF_TRACE_UPROBE_MULTI", None, 0),
    ("sched_cls", "default", None, None, 0),
    ("sched_act", "default", None, None, 0),
    ("tracepoint", "default", None, None, 0),
    ("xdp", "default", None, None, 0),
    ("xdp", "devmap", "BPF_XDP_DEVMAP", None, 0),
    ("xdp", "cpumap", "BPF_XDP_CPUMAP", None, 0),
    ("perf_event", "default", None, None, 0),
    ("cgroup_skb", "ingress", "BPF_CGROUP_INET_INGRESS", None, 0),
    ("cgroup_skb", "egress", "BPF_CGROUP_INET_EGRESS", None, 0),
    ("cgroup_sock", "sock_create", "BPF_CGROUP_INET_SOCK_CREATE", None, 0),
    ("cgroup_sock", "sock_release", "BPF_CGROUP_INET_SOCK_RELEASE", None, 0),
    ("cgroup_sock", "post_bind4", "BPF_CGROUP_INET4_POST_BIND", None, 0),
    ("cgroup_sock", "post_bind6", "BPF_CGROUP_INET6_POST_BIND", None, 0),
    ("lwt_in", "default", None, None, 0),
    ("lwt_out", "default", None, None, 0),
    ("lwt_xmit", "default", None, None, 0),
    ("sock_ops", "default", None, None, 0),
    ("sk_skb", "stream_parser", "BPF_SK_SKB_STREAM_PARSER", None, 0),
    ("sk_skb", "stream_verdict", "BPF_SK_SKB_STREAM_VERDICT", None, 0),
    ("sk_skb", "skb_verdict", "BPF_SK_SKB_VERDICT", None, 0),
    ("cgroup_device", "default", None, None, 0),
    ("sk_msg", "default", None, None, 0),
    ("raw_tracepoint", "default", None, None, 0),
    ("cgroup_sock_addr", "bind4", "BPF_CGROUP_INET4_BIND", None, 0),
    ("cgroup_sock_addr", "bind6", "BPF_CGROUP_INET6_BIND", None, 0),
    ("cgroup_sock_addr", "connect4", "BPF_CGROUP_INET4_CONNECT", None, 0),
    ("cgroup_sock_addr", "connect6", "BPF_CGROUP_INET6_CONNECT", None, 0),
    ("cgroup_sock_addr", "connect_unix", "BPF_CGROUP_UNIX_CONNECT", None, 0),
    ("cgroup_sock_addr", "sendmsg4", "BPF_CGROUP_UDP4_SENDMSG", None, 0),
    ("cgroup_sock_addr", "sendmsg6", "BPF_CGROUP_UDP6_SENDMSG", None, 0),
    ("cgroup_sock_addr", "sendmsg_unix", "BPF_CGROUP_UNIX_SENDMSG", None, 0),
    ("cgroup_sock_addr", "recvmsg4", "BPF_CGROUP_UDP4_RECVMSG", None, 0),
    ("cgroup_sock_addr", "recvmsg6", "BPF_CGROUP_UDP6_RECVMSG", None, 0),
    ("cgroup_sock_addr", "recvmsg_unix", "BPF_CGROUP_UNIX_RECVMSG", None, 0),
    ("cgroup_sock_addr", "getpeername4", "BPF_CGROUP_INET4_GETPEERNAME", None, 0),
    ("cgroup_sock_addr", "getpeername6", "BPF_CGROUP_INET6_GETPEERNAME", None, 0),
    ("cgroup_sock_addr", "getpeername_unix", "BPF_CGROUP_UNIX_GETPEERNAME", None, 0),
    ("cgroup_sock_addr", "getsockname4", "BPF_CGROUP_INET4_GETSOCKNAME", None, 0),
    ("cgroup_sock_addr", "getsockname6", "BPF_CGROUP_INET6_GETSOCKNAME", None, 0),
    ("cgroup_sock_addr", "getsockname_unix", "BPF_CGROUP_UNIX_GETSOCKNAME", None, 0),
    ("lwt_seg6local", "default", None, None, 0),
    ("lirc_mode2", "default", "BPF_LIRC_MODE2", None, 0),
    ("sk_reuseport", "select", "BPF_SK_REUSEPORT_SELECT", None, 0),
    ("sk_reuseport", "select_or_migrate", "BPF_SK_REUSEPORT_SELECT_OR_MIGRATE", None, 0),
    ("flow_dissector", "default", "BPF_FLOW_DISSECTOR", None, 0),
    ("cgroup_sysctl", "default", "BPF_CGROUP_SYSCTL", None, 0),
    ("raw_tracepoint_writable", "default", None, None, 0),
    ("cgroup_sockopt", "getsockopt", "BPF_CGROUP_GETSOCKOPT", None, 0),
    ("cgroup_sockopt", "setsockopt", "BPF_CGROUP_SETSOCKOPT", None, 0),
    ("tracing", "default", None, None, 0),  # no btf_id: shows why tracing needs a target
    ("tracing", "fentry", "BPF_TRACE_FENTRY", ("FUNC", "bpf_fentry_test1"), 0),
    ("tracing", "fexit", "BPF_TRACE_FEXIT", ("FUNC", "bpf_fentry_test1"), 0),
    ("tracing", "fmod_ret", "BPF_MODIFY_RETURN", ("FUNC", "bpf_modify_return_test"), 0),
    ("tracing", "tp_btf", "BPF_TRACE_RAW_TP", ("TYPEDEF", "btf_trace_kfree_skb"), 0),
    ("tracing", "iter", "BPF_TRACE_ITER", ("FUNC", "bpf_iter_task"), 0),
    ("tracing", "fmod_ret.s", "BPF_MODIFY_RETURN", ("FUNC", "bpf_modify_return_test"), BPF_F_SLEEPABLE),
    ("struct_ops", "tcp_ca.ssthresh", None, ("STRUCT", "tcp_congestion_ops"), 0),
    ("ext", "default", None, None, 0),  # needs attach_prog_fd of a BTF-carrying program
    ("lsm", "default", None, None, 0),
    ("lsm", "lsm.file_open", "BPF_LSM_MAC", ("FUNC", "bpf_lsm_file_open"), 0),
    ("lsm", "lsm.s.file_open", "BPF_LSM_MAC", ("FUNC", "bpf_lsm_file_open"), BPF_F_SLEEPABLE),
    ("lsm", "lsm_cgroup.socket_bind", "BPF_LSM_CGROUP", ("FUNC", "bpf_lsm_socket_bind"), 0),
    ("sk_lookup", "default", "BPF_SK_LOOKUP", None, 0),
    ("syscall", "default", None, None, 0),
    ("syscall", "sleepable", None, None, BPF_F_SLEEPABLE),
    ("netfilter", "default", "BPF_NETFILTER", None, 0),
]

MARK_UNKNOWN = "invalid func unknown#"
MARK_UNAVAILABLE = "program of this type cannot use helper "
MARK_GPL = "cannot call GPL-restricted function from non-GPL compatible program"


def program(helper_id: int | None, ret: int) -> bytes:
    code = b"".join(b.mov64_imm(r, 0) for r in range(1, 6))
    if helper_id is not None:
        code += b.call(helper_id)
    return code + b.mov64_imm(0, ret) + b.exit_()


def message_after_call(log: str) -> str:
    """The verifier's line right after the call instruction (or the last line)."""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    for i, ln in enumerate(lines):
        if ": (85) call " in ln and i + 1 < len(lines):
            return lines[i + 1].strip()
    body = [ln for ln in lines if not ln.startswith("processed ")]
    return body[-1].strip() if body else ""


def main(out_path: Path) -> None:
    prog_types = b.vmlinux_enum("bpf_prog_type")
    attach_types = b.vmlinux_enum("bpf_attach_type")
    func_ids = b.vmlinux_enum("bpf_func_id")
    max_id = func_ids.pop("__BPF_FUNC_MAX_ID")
    names = {v: k.removeprefix("BPF_FUNC_") for k, v in func_ids.items()}
    assert sorted(names) == list(range(max_id))
    btf_ids = b.vmlinux_btf_ids({v[3][1] for v in VARIANTS if v[3]})

    messages: list[str] = []
    msg_index: dict[str, int] = {}

    def intern(m: str) -> int:
        if m not in msg_index:
            msg_index[m] = len(messages)
            messages.append(m)
        return msg_index[m]

    variants = []
    for tname, label, attach, btf, flags in VARIANTS:
        ptype = prog_types["BPF_PROG_TYPE_" + tname.upper()]
        kw = {
            "expected_attach_type": attach_types[attach] if attach else 0,
            "attach_btf_id": btf_ids[btf] if btf else 0,
            "prog_flags": flags,
        }
        if tname == "struct_ops":
            kw["expected_attach_type"] = 0  # member index 0 of the struct (ssthresh)
        entry: dict = {"type": tname, "variant": label, "prog_type": ptype}
        if attach:
            entry["expected_attach_type"] = attach
        if btf:
            entry["attach_btf"] = list(btf)
        if flags:
            entry["prog_flags"] = flags
        # Baseline: can a program of this variant load at all?
        ret = None
        base_msg = ""
        for r0 in (0, 1):
            res = b.prog_load(ptype, program(None, r0), **kw)
            ok = res.ok
            res.close()
            if ok:
                ret = r0
                break
            base_msg = message_after_call(res.log) or f"errno {-res.fd} with an empty verifier log"
        if ret is None:
            entry["probeable"] = False
            entry["reason"] = base_msg
            variants.append(entry)
            print(f"{tname}/{label}: not probeable: {base_msg}", file=sys.stderr)
            continue
        entry["probeable"] = True
        # Can the variant load at all without a GPL license?  (struct_ops cannot.)
        res = b.prog_load(ptype, program(None, ret), license="Proprietary", **kw)
        gpl_probeable = res.ok
        res.close()
        if not gpl_probeable:
            entry["gpl_probeable"] = False
            entry["gpl_reason"] = message_after_call(res.log)
        available, gpl, loaded, msgs = [], [], [], {}
        for hid in range(max_id + 1):
            res = b.prog_load(ptype, program(hid, ret), **kw)
            ok = res.ok
            res.close()
            m = "loaded" if ok else message_after_call(res.log)
            if hid == max_id:
                assert m.startswith(MARK_UNKNOWN), m  # first id past the end is unknown
                continue
            if m.startswith(MARK_UNKNOWN):
                raise AssertionError(f"helper {hid} unknown to the kernel")
            if m.startswith(MARK_UNAVAILABLE):
                continue
            available.append(hid)
            msgs[str(hid)] = intern(m)
            if ok:
                loaded.append(hid)
            if not gpl_probeable:
                continue
            res2 = b.prog_load(ptype, program(hid, ret), license="Proprietary", **kw)
            res2.close()
            if message_after_call(res2.log) == MARK_GPL:
                gpl.append(hid)
        entry.update(available=available, gpl=gpl, loaded=loaded, msg=msgs)
        variants.append(entry)
        print(f"{tname}/{label}: {len(available)} available, {len(gpl)} gpl", file=sys.stderr)

    data = {
        "kernel": b.kernel_release(),
        "method": "r1..r5=0; call ID; r0=RET; exit; log_level 1; license GPL, then Proprietary; as root",
        "max_id": max_id,
        "names": [names[i] for i in range(max_id)],
        "messages": messages,
        "variants": variants,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, separators=(",", ":"))
    # one variant per line keeps diffs readable
    text = text.replace(',{"type":', ',\n{"type":')
    out_path.write_text(text + "\n")
    print(f"wrote {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
