"""``pybpftool feature``: ``probe`` reports what the simulated kernel supports, as bpftool
v7.1 reports a real one; ``list_builtins`` prints the name tables bpftool v7.1 (libbpf
1.1) knows.

``probe [kernel]`` reads the simulated machine's sysctls and build configuration
(``Process.sysctl``/``kernel_config``, see pykernel.procfs for the values and why), then
probes bpf(), every program type, map type and (program type, helper) pair and the misc
features by loading tiny programs and creating tiny maps (:mod:`pybpftool.probes`).
``probe dev IFNAME`` asks the same for offload to a device. ``unprivileged`` drops the
capabilities first; ``full`` adds the helpers bpftool skips because they write to the
kernel log; ``macros [prefix P]`` prints C defines; ``-j`` one JSON object.

Probing every helper is about 5,000 program loads. Their answers depend only on the
simulated kernel's code and configuration, so they are cached per kernel build (see
:func:`_cache_path`); ``PYBPF_FEATURE_CACHE=0`` always probes.
"""

from __future__ import annotations

from pykernel.uapi.consts import (
    ATTACH_TYPE_NAMES,
    LINK_TYPE_NAMES,
    MAP_TYPE_NAMES,
    PROG_TYPE_NAMES,
    MapType,
    ProgType,
)

from . import common, kern
from .common import Args, Cmd, cmd_select, is_prefix, p_err, print_usage, req_args, usage
from .kern import SyscallError

USAGE = """\
Usage: %1$s %2$s probe [COMPONENT] [full] [unprivileged] [macros [prefix PREFIX]]
       %1$s %2$s list_builtins GROUP
       %1$s %2$s help

       COMPONENT := { kernel | dev NAME }
       GROUP := { prog_types | map_types | attach_types | link_types | helpers }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} }
"""

GROUPS = ("prog_types", "map_types", "attach_types", "link_types", "helpers")
HELPER_COUNT = 210  # helper ids libbpf 1.1 names (0 .. BPF_FUNC_user_ringbuf_drain)


def do_help(args: Args) -> int:
    return print_usage(USAGE, args)


def builtin_names(group: str) -> list[str]:
    if group == "helpers":
        from pykernel.uapi import helpers

        names = []
        for i in range(HELPER_COUNT):
            h = helpers.by_id(i)
            names.append(h.bpf_name if h is not None else f"bpf_{i}")
        return names
    table = {"prog_types": PROG_TYPE_NAMES, "map_types": MAP_TYPE_NAMES,
             "attach_types": ATTACH_TYPE_NAMES, "link_types": LINK_TYPE_NAMES}[group]
    return [table[k] for k in sorted(table)]


def do_list_builtins(args: Args) -> int:
    if args.argc != 1:
        usage()
    group = next((g for g in GROUPS if is_prefix(args.cur, g)), None)
    if group is None:
        p_err("expected 'prog_types', 'map_types', 'attach_types', 'link_types' or 'helpers', "
              f"got: {args.cur}")
        return -1
    names = builtin_names(group)
    jw = common.jw
    if jw is not None:
        jw.start_array()
        for n in names:
            jw.string(n)
        jw.end_array()
    else:
        common.out("".join(n + "\n" for n in names))
    return 0


# ----------------------------------------------------------------------- probe output
class _Out:
    """bpftool's print_* helpers for one probe run: plain text, C macros (``define``
    is the prefix, "" without ``prefix``) or JSON."""

    def __init__(self, define: str | None) -> None:
        self.define = define
        self.jw = common.jw
        self.lines: list[str] = []

    def text(self, s: str) -> None:
        self.lines.append(s)

    def flush(self) -> None:
        if self.lines:
            common.out("".join(self.lines))
            self.lines = []

    def start_section(self, json_title: str, plain: str, comment: str) -> None:
        if self.jw is not None:
            self.jw.name(json_title)
            self.jw.start_object()
        elif self.define is not None:
            self.text(comment + "\n")
        else:
            self.text(plain + "\n")

    def end_section(self) -> None:
        if self.jw is not None:
            self.jw.end_object()
        else:
            self.text("\n")
        self.flush()

    def bool_feature(self, feat: str, plain: str, define_name: str, res: bool) -> None:
        if self.jw is not None:
            self.jw.bool_field(feat, res)
        elif self.define is not None:
            self.text(f"#define {self.define}{'' if res else 'NO_'}HAVE_{define_name}\n")
        else:
            self.text(f"{plain} is {'' if res else 'NOT '}available\n")


#: (sysctl, JSON key, {value: text}, text when unreadable, text for another value)
SYSCTL_PROBES = (
    ("kernel.unprivileged_bpf_disabled", "unprivileged_bpf_disabled",
     {0: "bpf() syscall for unprivileged users is enabled",
      1: "bpf() syscall restricted to privileged users (without recovery)",
      2: "bpf() syscall restricted to privileged users (admin can change)"},
     "Unable to retrieve required privileges for bpf() syscall",
     "bpf() syscall restriction has unknown value {}"),
    ("net.core.bpf_jit_enable", "bpf_jit_enable",
     {0: "JIT compiler is disabled", 1: "JIT compiler is enabled",
      2: "JIT compiler is enabled with debugging traces in kernel logs"},
     "Unable to retrieve JIT-compiler status", "JIT-compiler status has unknown value {}"),
    ("net.core.bpf_jit_harden", "bpf_jit_harden",
     {0: "JIT compiler hardening is disabled", 1: "JIT compiler hardening is enabled for unprivileged users",
      2: "JIT compiler hardening is enabled for all users"},
     "Unable to retrieve JIT hardening status", "JIT hardening status has unknown value {}"),
    ("net.core.bpf_jit_kallsyms", "bpf_jit_kallsyms",
     {0: "JIT compiler kallsyms exports are disabled", 1: "JIT compiler kallsyms exports are enabled for root",
      2: "JIT compiler kallsyms exports are enabled for all users"},
     "Unable to retrieve JIT kallsyms export status", "JIT kallsyms exports status has unknown value {}"),
    ("net.core.bpf_jit_limit", "bpf_jit_limit", {},
     "Unable to retrieve global memory limit for JIT compiler for unprivileged users",
     "Global memory limit for JIT compiler for unprivileged users is {} bytes"),
)

#: the kernel options bpftool v7.1 looks for, in its order; only CONFIG_HZ is printed as a
#: macro
KERNEL_OPTIONS = (
    "CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT", "CONFIG_BPF_JIT_ALWAYS_ON",
    "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES", "CONFIG_CGROUPS", "CONFIG_CGROUP_BPF",
    "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA", "CONFIG_BPF_EVENTS", "CONFIG_KPROBE_EVENTS",
    "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING", "CONFIG_FTRACE_SYSCALLS", "CONFIG_FUNCTION_ERROR_INJECTION",
    "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_NET", "CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF",
    "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF", "CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_XFRM",
    "CONFIG_IP_ROUTE_CLASSID", "CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER",
    "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPFILTER", "CONFIG_BPFILTER_UMH", "CONFIG_TEST_BPF", "CONFIG_HZ",
)
MACRO_OPTIONS = ("CONFIG_HZ",)
#: helpers bpftool only probes in ``full`` mode (they write to the kernel log)
NOISY_HELPERS = (6, 36, 177)  # trace_printk, probe_write_user, trace_vprintk
LAST_PROG_TYPE = 31  # BPF_PROG_TYPE_SYSCALL: the last one libbpf 1.1 names
LAST_MAP_TYPE = 31  # BPF_MAP_TYPE_USER_RINGBUF


def section_system_config(o: _Out) -> None:
    o.start_section("system_config", "Scanning system configuration...", "/*** Misc kernel config items ***/")
    p = kern.proc()
    if o.define is None:
        for name, key, texts, unknown_text, other in SYSCTL_PROBES:
            try:
                value = int(p.sysctl(name))
            except (SyscallError, ValueError):
                value = -1
            if o.jw is not None:
                o.jw.int_field(key, value)
            elif value == -1:
                o.text(unknown_text + "\n")
            else:
                o.text(texts.get(value, other.format(value)) + "\n")
    config = p.kernel_config()
    for opt in KERNEL_OPTIONS:
        if o.define is not None and opt not in MACRO_OPTIONS:
            continue
        value = config.get(opt)
        if o.jw is not None:
            if value is None:
                o.jw.null_field(opt)
            else:
                o.jw.string_field(opt, value)
        elif o.define is not None:
            o.text(f"#define {o.define}{opt} {value}\n" if value is not None
                   else f"/* {o.define}{opt} is not set */\n")
        else:
            o.text(f"{opt} is set to {value}\n" if value is not None else f"{opt} is not set\n")
    o.end_section()


def section_syscall_config(o: _Out) -> bool:
    from . import probes

    o.start_section("syscall_config", "Scanning system call availability...", "/*** System call availability ***/")
    res = probes.prog_load(0, []).errno != 38  # anything but ENOSYS: the syscall exists
    o.bool_feature("have_bpf_syscall", "bpf() syscall", "BPF_SYSCALL", res)
    o.end_section()
    return res


def _prog_type_results(unprivileged: bool, ifindex: int) -> dict[int, bool]:
    from . import probes

    out = {}
    for t in range(1, LAST_PROG_TYPE + 1):
        if ifindex:
            if t not in (ProgType.SCHED_CLS, ProgType.XDP):
                continue
            res, errno = probes.prog_type_supported_on_dev(t, ifindex)
        else:
            res, errno = probes.prog_type_supported(t)
        # a load refused for want of privileges says nothing about the type (bpftool's check)
        out[t] = res and not (unprivileged and errno == 1)
    return out


def section_program_types(o: _Out, results: dict[int, bool]) -> None:
    o.start_section("program_types", "Scanning eBPF program types...", "/*** eBPF program types ***/")
    for t, res in results.items():
        name = PROG_TYPE_NAMES[t]
        o.bool_feature(f"have_{name}_prog_type", f"eBPF program_type {name}", f"{name}_prog_type".upper(), res)
    o.end_section()


def _map_type_results(ifindex: int) -> dict[int, bool]:
    from . import probes

    out = {}
    for t in range(1, LAST_MAP_TYPE + 1):
        if ifindex:
            if t in (MapType.HASH, MapType.ARRAY):
                out[t] = probes.map_type_supported_on_dev(t, ifindex)
            continue
        out[t] = probes.map_type_supported(t)
    return out


def section_map_types(o: _Out, results: dict[int, bool]) -> None:
    o.start_section("map_types", "Scanning eBPF map types...", "/*** eBPF map types ***/")
    for t, res in results.items():
        name = MAP_TYPE_NAMES[t]
        o.bool_feature(f"have_{name}_map_type", f"eBPF map_type {name}", f"{name}_map_type".upper(), res)
    o.end_section()


def _helper_results(types: dict[int, bool], full: bool, unprivileged: bool, ifindex: int) -> dict[int, list[int]]:
    """prog type -> the helper ids it may call (probed for the supported types only)."""
    from . import probes

    out: dict[int, list[int]] = {}
    for t, supported in types.items():
        ids: list[int] = []
        if supported:
            for hid in range(1, HELPER_COUNT):
                if hid in NOISY_HELPERS and not full:
                    continue
                if ifindex:
                    ok, errno = probes.helper_supported_on_dev(t, hid, ifindex, kern.dev_vendor(ifindex))
                else:
                    ok, errno = probes.helper_supported(t, hid)
                ok = ok and not (unprivileged and errno == 1)
                if ok:
                    ids.append(hid)
        out[t] = ids
    return out


def section_helpers(o: _Out, types: dict[int, bool], helpers: dict[int, list[int]], full: bool) -> None:
    o.start_section("helpers", "Scanning eBPF helper functions...", "/*** eBPF helper functions ***/")
    d = o.define
    if d is not None:
        o.text("/*\n"
               f" * Use {d}HAVE_PROG_TYPE_HELPER(prog_type_name, helper_name)\n"
               " * to determine if <helper_name> is available for <prog_type_name>,\n"
               " * e.g.\n"
               f" *\t#if {d}HAVE_PROG_TYPE_HELPER(xdp, bpf_redirect)\n"
               " *\t\t// do stuff with this helper\n"
               " *\t#elif\n"
               " *\t\t// use a workaround\n"
               " *\t#endif\n"
               " */\n"
               f"#define {d}HAVE_PROG_TYPE_HELPER(prog_type, helper)\t\\\n"
               f"\t{d}BPF__PROG_TYPE_ ## prog_type ## __HELPER_ ## helper\n")
    names = builtin_names("helpers")
    for t, supported in types.items():
        ptype = PROG_TYPE_NAMES[t]
        available = set(helpers.get(t, ()))
        if o.jw is not None:
            o.jw.name(f"{ptype}_available_helpers")
            o.jw.start_array()
            for hid in sorted(available):
                o.jw.string(names[hid])
            o.jw.end_array()
            continue
        if d is not None:
            for hid in range(1, HELPER_COUNT):
                if hid in NOISY_HELPERS and not full:
                    continue
                o.text(f"#define {d}BPF__PROG_TYPE_{ptype}__HELPER_{names[hid]} {1 if hid in available else 0}\n")
            continue
        o.text(f"eBPF helpers supported for program type {ptype}:")
        o.text("".join(f"\n\t- {names[hid]}" for hid in sorted(available)) + "\n")
        if not available:
            o.text("\tProgram type not supported\n" if not supported
                   else "\tCould not determine which helpers are available\n")
        o.flush()
    o.end_section()


def section_misc(o: _Out, results: dict[str, bool]) -> None:
    o.start_section("misc", "Scanning miscellaneous eBPF features...", "/*** eBPF misc features ***/")
    for feat, plain, define_name in (
            ("have_large_insn_limit", "Large program size limit", "LARGE_INSN_LIMIT"),
            ("have_bounded_loops", "Bounded loop support", "BOUNDED_LOOPS"),
            ("have_v2_isa_extension", "ISA extension v2", "V2_ISA_EXTENSION"),
            ("have_v3_isa_extension", "ISA extension v3", "V3_ISA_EXTENSION")):
        o.bool_feature(feat, plain, define_name, results[feat])
    o.end_section()


def _misc_results(ifindex: int) -> dict[str, bool]:
    from . import probes

    return {"have_large_insn_limit": probes.large_insn_limit(ifindex),
            "have_bounded_loops": probes.bounded_loops(ifindex),
            "have_v2_isa_extension": probes.v2_isa_extension(ifindex),
            "have_v3_isa_extension": probes.v3_isa_extension(ifindex)}


# ---------------------------------------------------------------------------- caching
def _cache_path(key: str):  # noqa: ANN202 - a Path
    """``${XDG_CACHE_HOME:-~/.cache}/pybpf/feature-<key>.json``"""
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pybpf" / f"feature-{key}.json"


def _kernel_build_id() -> str:
    """What identifies the probed kernel: the simulated kernel's code (every pykernel
    module's size and mtime) and its configuration. Any change there is a new kernel."""
    import hashlib
    import os

    import pykernel

    h = hashlib.sha256()
    root = os.path.dirname(pykernel.__file__)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(".py"):
                st = os.stat(os.path.join(dirpath, f))
                h.update(f"{os.path.relpath(os.path.join(dirpath, f), root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    h.update(repr(sorted(kern.proc().kernel_config().items())).encode())
    return h.hexdigest()[:20]


def _kernel_probe_results(full: bool, unprivileged: bool) -> tuple[dict, dict, dict, dict]:
    """(prog types, map types, helpers, misc) of the kernel, probed or from the cache."""
    import json
    import os

    use_cache = os.environ.get("PYBPF_FEATURE_CACHE", "1") != "0"
    path = None
    if use_cache:
        try:
            path = _cache_path(f"{_kernel_build_id()}-{int(full)}{int(unprivileged)}")
            data = json.loads(path.read_text())
            return ({int(k): v for k, v in data["prog_types"].items()},
                    {int(k): v for k, v in data["map_types"].items()},
                    {int(k): v for k, v in data["helpers"].items()}, data["misc"])
        except (OSError, ValueError, KeyError):
            pass
    types = _prog_type_results(unprivileged, 0)
    maps = _map_type_results(0)
    helpers = _helper_results(types, full, unprivileged, 0)
    misc = _misc_results(0)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"prog_types": types, "map_types": maps, "helpers": helpers, "misc": misc}))
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable cache only costs time
    return types, maps, helpers, misc


# ------------------------------------------------------------------------------ probe
def do_probe(args: Args) -> int:
    target = None
    ifname = None
    ifindex = 0
    define: str | None = None
    full = unprivileged = False
    while args.argc:
        word = args.cur or ""
        if is_prefix(word, "kernel"):
            if target is not None:
                p_err("component to probe already specified")
                return -1
            target = "kernel"
            args.next()
        elif is_prefix(word, "dev"):
            args.next()
            if target is not None:
                p_err("component to probe already specified")
                return -1
            if not req_args(args, 1):
                return -1
            target = "dev"
            ifname = args.take() or ""
            ifindex = kern.if_nametoindex(ifname)
            if not ifindex:
                p_err(f"unrecognized netdevice '{ifname}': No such device")
                return -1
        elif is_prefix(word, "full"):
            full = True
            args.next()
        elif is_prefix(word, "unprivileged"):
            unprivileged = True
            args.next()
        elif is_prefix(word, "macros") and define is None:
            define = ""
            args.next()
        elif is_prefix(word, "prefix"):
            if define is None:
                p_err("'prefix' argument can only be use after 'macros'")
                return -1
            if define != "":
                p_err("'prefix' already defined")
                return -1
            args.next()
            if not req_args(args, 1):
                return -1
            define = args.take() or ""
        else:
            p_err("expected no more arguments, 'kernel', 'dev', 'macros' or 'prefix', "
                  f"got: '{word}'?")
            return -1
    if unprivileged:
        kern.proc().drop_privileges()
    jw = common.jw
    if jw is not None:
        define = None
        jw.start_object()
    o = _Out(define)
    try:
        if target != "dev":
            section_system_config(o)
        if not section_syscall_config(o):
            return 0
        if target == "dev":
            types = _prog_type_results(unprivileged, ifindex)
            maps = _map_type_results(ifindex)
            helpers = _helper_results(types, full, unprivileged, ifindex)
            misc = _misc_results(ifindex)
        else:
            types, maps, helpers, misc = _kernel_probe_results(full, unprivileged)
        section_program_types(o, types)
        section_map_types(o, maps)
        section_helpers(o, types, helpers, full)
        section_misc(o, misc)
    finally:
        o.flush()
        if jw is not None:
            jw.end_object()
    return 0


COMMANDS = [
    Cmd("probe", do_probe, ("kernel", "dev", "full", "unprivileged", "macros", "prefix")),
    Cmd("list_builtins", do_list_builtins, GROUPS),
    Cmd("help", do_help),
]


def main(args: Args) -> int:
    return cmd_select(COMMANDS, args, do_help)
