"""The machinery of the network recorder (tests/oracle/net/record_net.py).

A `NetRecorder` runs the real `ip`, `tc` and `bpftool` inside network namespaces it
creates (`pybpf-orc-N`), and collects one record per command in the format of
tests/fixtures/README.md (format 1), extended for several tools and namespaces (see
tests/fixtures/net/README.md):

    {"argv": ["ip", "link", "show"], "ns": "main", "via": "nsenter",
     "exit": 0, "stdout": "...", "stderr": "", "norm": {...}}

How a command enters its namespace (`via`):

* `nsenter`: `nsenter --net=/run/netns/NS CMD` — the host mount namespace, so pins under
  /sys/fs/bpf are visible (needed for `pinned`, `object-pinned` and every bpftool command).
* `exec`: `ip netns exec NS CMD` — a private mount namespace with a fresh /sys. Used for
  ip/tc commands that load an object file (`obj`, `object-file`), because iproute2 then
  creates /sys/fs/bpf/tc/globals and the /sys/fs/bpf/ip, /sys/fs/bpf/xdp links in the
  bpffs it sees; in the private namespace that bpffs is its own and vanishes with it.
* `host`: no namespace (cgroup commands, feature probe kernel).

The output does not depend on `via` except where a pinned path is involved (hidden under
`exec`); the field is there so that a live re-recording does exactly the same.

Everything the recorder creates is removed in `Session.cleanup()` (also on failure and
on SIGTERM): the namespaces (with their devices and attachments), the pins under
PIN_ROOT, the cgroups under CG_ROOT, and any capture processes.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PROGS = REPO / "tests" / "progs"           # the cwd of every command
FIX_NET = REPO / "tests" / "fixtures" / "net"
FIX_PCAP = REPO / "tests" / "fixtures" / "pcap"
NET_PROGS_REL = "../fixtures/net/progs"     # tests/fixtures/net/progs as seen from PROGS
BATCH_REL = "../fixtures/net/batch"         # batch files as seen from PROGS
PKT_REL = "../fixtures/packets"
PIN_ROOT = "/sys/fs/bpf/pybpf-oracle-net"
CG_ROOT = "/sys/fs/cgroup/unified/pybpf-oracle"
NS_PREFIX = "pybpf-orc-"
LOCK = "/run/pybpf-orc.lock"
HOST_BPFFS_SIDE_EFFECTS = ["/sys/fs/bpf/ip", "/sys/fs/bpf/xdp", "/sys/fs/bpf/tc/globals",
                           "/sys/fs/bpf/tc"]
FORMAT = 1
GZIP_OVER = 1_000_000


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    import importlib.util

    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name]


nn = _load("pybpf_oracle_normalize_net", HERE / "normalize_net.py")
normalize_net = nn.normalize_net
base_norm = nn.base

LOADERS = ("obj", "object", "object-file", "bytecode-file")


def environment() -> dict:
    def out(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {"kernel": platform.release(),
            "bpftool": out("bpftool", "version").splitlines()[0:2],
            "ip": out("ip", "-V"), "tc": out("tc", "-V"),
            "clang": out("clang", "--version").splitlines()[0:1], "nr_cpus": os.cpu_count()}


class Session:
    """Owns everything one recording creates; `cleanup()` removes all of it."""

    def __init__(self) -> None:
        self.netns: dict[str, str] = {}      # label -> netns name
        self.cgroups: list[str] = []         # created cgroup dirs (parents first)
        self.procs: list[subprocess.Popen] = []
        self._lock_fd: int | None = None
        self._host_bpffs_before: set[str] = set()
        self._old_term = None

    # -- lifetime ------------------------------------------------------------------
    def __enter__(self) -> Session:
        self._lock_fd = os.open(LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._old_term = signal.signal(signal.SIGTERM, self._on_term)
        self.cleanup(stale=True)
        os.makedirs(PIN_ROOT, exist_ok=True)
        # iproute2 object loads outside a private mount namespace create these in the
        # host bpffs; the recorder never should (see pick_via), and checks it
        self._host_bpffs_before = {p for p in HOST_BPFFS_SIDE_EFFECTS if os.path.lexists(p)}
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.cleanup(stale=True)
            leaked = [p for p in HOST_BPFFS_SIDE_EFFECTS
                      if os.path.lexists(p) and p not in self._host_bpffs_before]
            for p in leaked:  # the links first, then the (empty) directories
                print(f"record_net: removing {p} (created in the host bpffs)", file=sys.stderr)
                if os.path.islink(p):
                    os.unlink(p)
                else:
                    try:
                        os.rmdir(p)
                    except OSError:
                        pass
        finally:
            signal.signal(signal.SIGTERM, self._old_term or signal.SIG_DFL)
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None

    def _on_term(self, *_a: object) -> None:
        self.cleanup(stale=True)
        raise SystemExit(143)

    def cleanup(self, stale: bool = False) -> None:
        """Remove our namespaces, pins and cgroups. `stale`: also leftovers of an earlier
        run that died (anything named pybpf-orc-*, PIN_ROOT, CG_ROOT)."""
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
        self.procs.clear()
        names = set(self.netns.values())
        if stale:
            out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
            names |= {ln.split()[0] for ln in out.splitlines() if ln.startswith(NS_PREFIX)}
        for n in sorted(names):
            subprocess.run(["ip", "netns", "del", n], capture_output=True)
        self.netns.clear()
        subprocess.run(["rm", "-rf", PIN_ROOT], capture_output=True)
        cgs = list(self.cgroups)
        if stale and os.path.isdir(CG_ROOT):
            cgs = [str(p) for p in sorted(Path(CG_ROOT).rglob("*")) if p.is_dir()] + [CG_ROOT]
        for cg in sorted(set(cgs), key=lambda c: -c.count("/")):
            try:
                os.rmdir(cg)
            except OSError:
                pass
        self.cgroups.clear()

    # -- resources -----------------------------------------------------------------
    def add_netns(self, label: str, index: int) -> str:
        name = f"{NS_PREFIX}{index}"
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.netns[label] = name
        return name

    def del_netns(self, label: str) -> None:
        name = self.netns.pop(label)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)

    def add_cgroup(self, rel: str) -> str:
        path = f"{CG_ROOT}/{rel}" if rel else CG_ROOT
        parts = Path(path).relative_to("/sys/fs/cgroup/unified").parts
        cur = Path("/sys/fs/cgroup/unified")
        for p in parts:
            cur = cur / p
            if not cur.exists():
                cur.mkdir()
                self.cgroups.append(str(cur))
        return path

    def prefix(self, ns: str | None, via: str) -> list[str]:
        if ns is None or via == "host":
            return []
        name = self.netns[ns]
        if via == "exec":
            return ["ip", "netns", "exec", name]
        return ["nsenter", f"--net=/run/netns/{name}"]


def pick_via(argv: list[str]) -> str:
    """`exec` for ip/tc object loads (see the module docstring), else `nsenter`."""
    if argv[0] in ("ip", "tc") and (any(a in LOADERS for a in argv) or "-batch" in argv):
        return "exec"
    return "nsenter"


class NetRecorder:
    """Runs commands and collects the records of one fixture file (one scenario)."""

    def __init__(self, session: Session, scenario: str, cwd: Path = PROGS) -> None:
        self.s = session
        self.scenario = scenario
        self.cwd = cwd
        self.records: list[dict] = []
        self.ns_default: str | None = None

    def raw(self, argv: list[str], *, ns: str | None, via: str, stdin: bytes | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[bytes]:
        env = dict(os.environ, LC_ALL="C", LANG="C")
        env.pop("PYTHONPATH", None)
        return subprocess.run(self.s.prefix(ns, via) + argv, cwd=self.cwd, env=env,
                              capture_output=True, timeout=timeout,
                              input=stdin if stdin is not None else b"")

    def run(self, argv: list[str], *, ns: str | None = "", via: str | None = None,
            note: str | None = None, stdin: str | None = None, compare: dict | None = None,
            timeout: float = 600) -> dict:
        if ns == "":
            ns = self.ns_default
        if via is None:
            via = pick_via(argv) if ns is not None else "host"
        t0 = time.monotonic()
        p = self.raw(argv, ns=ns, via=via, stdin=stdin.encode() if stdin is not None else None,
                     timeout=timeout)
        elapsed = time.monotonic() - t0
        out = p.stdout.decode("utf-8", "backslashreplace")
        err = p.stderr.decode("utf-8", "backslashreplace")
        rec: dict = {"argv": argv, "ns": ns, "via": via, "exit": p.returncode,
                     "stdout": out, "stderr": err}
        if stdin is not None:
            rec["stdin"] = stdin
        nout, nerr = normalize_net(out, argv[0]), normalize_net(err, argv[0])
        if nout != out or nerr != err:
            rec["norm"] = {"stdout": nout, "stderr": nerr}
        if compare:
            rec["compare"] = compare
        if note:
            rec["note"] = note
        self.records.append(rec)
        if argv[0] == "ip" and "link" in argv and any(
                a in argv for a in ("up", "down", "add", "del", "delete", "-batch")):
            self.settle(ns)
        if os.environ.get("PYBPF_ORC_VERBOSE"):
            print(f"[{self.scenario}] {ns or '-'}$ {' '.join(argv)}  -> {p.returncode} "
                  f"({elapsed:.1f}s)", file=sys.stderr)
        return rec

    def setup(self, what: str, **kw: object) -> dict:
        rec = {"setup": what, **kw}
        self.records.append(rec)
        return rec

    def netns(self, label: str, index: int, *, ipv6: bool = False) -> str:
        """A fresh network namespace. IPv6 is switched off in it (before any device
        exists) unless asked for: a device coming up would otherwise send DAD, router
        solicitations and MLD reports at times of its own, which shows in counters,
        `-s` statistics and captures."""
        name = self.s.add_netns(label, index)
        self.setup("netns", ns=label, name=name)
        if not ipv6:
            for key in ("all", "default"):
                path = f"/proc/sys/net/ipv6/conf/{key}/disable_ipv6"
                self.quiet(["sh", "-c", f"echo 1 > {path}"], ns=label)
            self.setup("sysctl", ns=label, values={"net.ipv6.conf.all.disable_ipv6": 1,
                                                   "net.ipv6.conf.default.disable_ipv6": 1})
        if self.ns_default is None:
            self.ns_default = label
        return name

    def settle(self, ns: str | None, timeout: float = 3.0) -> None:
        """Wait until every device's operstate agrees with its carrier (the kernel
        updates operstate from a work queue, up to a second after `ip link set up`)."""
        if ns is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = self.raw(["ip", "-j", "link", "show"], ns=ns, via="nsenter")
            try:
                links = json.loads(p.stdout or b"[]")
            except ValueError:
                links = []
            ok = True
            for ln in links:
                lower = "LOWER_UP" in ln.get("flags", [])
                state = ln.get("operstate")
                if lower != (state in ("UP", "UNKNOWN")):
                    ok = False
            if ok:
                return
            time.sleep(0.05)

    def link_create(self, kind: str, prog: str, target: str, link_pin: str, *,
                    attach: str | None = None, flags: int = 0, ns: str | None = "") -> dict:
        """A bpf_link made with raw bpf(2) (tests/oracle/net/bpf_link.py), recorded as a
        set-up step with its outcome: a replay makes the same link with its own
        BPF_LINK_CREATE and expects the same result."""
        if ns == "":
            ns = self.ns_default if kind != "cgroup" else None
        argv = [sys.executable, str(HERE / "bpf_link.py"), kind, prog, target]
        if kind == "cgroup":
            argv += [attach or "ingress", link_pin]
        else:
            argv += [link_pin, str(flags)]
        via = "nsenter" if ns is not None else "host"
        p = self.raw(argv, ns=ns, via=via)
        rec = self.setup("link_create", kind=kind, prog=prog, target=target,
                         attach=attach if kind == "cgroup" else kind, flags=flags,
                         link_pin=link_pin, ns=ns, exit=p.returncode,
                         result=p.stdout.decode().strip())
        return rec

    def mkdir_pin(self, path: str) -> None:
        os.makedirs(path, exist_ok=True)
        self.setup("mkdir", path=path)

    def json_of(self, argv: list[str], ns: str | None = "") -> object:
        if ns == "":
            ns = self.ns_default
        via = pick_via(argv) if ns is not None else "host"
        p = self.raw(argv, ns=ns, via=via)
        try:
            return json.loads(p.stdout or b"null")
        except ValueError:
            return None

    def quiet(self, argv: list[str], ns: str | None = "", check: bool = True) -> str:
        """Run a helper command that is not part of the fixture (set-up, clean-up)."""
        if ns == "":
            ns = self.ns_default
        via = pick_via(argv) if ns is not None else "host"
        p = self.raw(argv, ns=ns, via=via)
        if check and p.returncode != 0:
            raise RuntimeError(f"{argv}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
        return p.stdout.decode()

    def write(self, out_dir: Path, group: str, extra: dict | None = None) -> Path:
        """DIR/group/scenario.json, or .json.gz when the text is over GZIP_OVER bytes
        (gzip with mtime 0, so the bytes are the same for the same content)."""
        path = out_dir / group / f"{self.scenario}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "suite": "net", "scenario": self.scenario,
               "cwd": "tests/progs", "pin_root": PIN_ROOT, "cgroup_root": CG_ROOT,
               "environment": environment(), **(extra or {}), "records": self.records}
        text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        gz = path.with_suffix(".json.gz")
        for old in (path, gz):
            if old.exists():
                old.unlink()
        if len(text.encode()) > GZIP_OVER:
            with open(gz, "wb") as f:
                f.write(gzip.compress(text.encode(), mtime=0))
            return gz
        path.write_text(text)
        return path


def load_fixture(path: Path) -> dict:
    """A fixture file (.json or .json.gz)."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return json.loads(data)


def fixture_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.name.endswith((".json", ".json.gz"))
                  and p.parent.name not in ("batch", "progs"))


# ---------------------------------------------------------------------------------------
# comparison of two recordings


def mask_frame(hexframe: str) -> str:
    """An untagged IPv4 frame with its IP id and header checksum masked (hex digits
    36-39 and 48-51: bytes 18-19 and 24-25)."""
    return hexframe[:36] + "xxxx" + hexframe[40:48] + "xxxx" + hexframe[52:]


def comparable(rec: dict) -> dict:
    """What must match between two recordings of one record."""
    if "setup" in rec:
        keep = {k: v for k, v in rec.items() if k not in ("name", "tcpdump_stats")}
        if rec["setup"] == "capture":
            vol = set(rec.get("volatile", {}).get("ipv4_id_csum", []))
            keep["frames"] = [mask_frame(f) if i in vol else f
                              for i, f in enumerate(rec["frames"])]
        return keep
    tool = rec["argv"][0]
    out = normalize_net(rec["stdout"], tool)
    err = normalize_net(rec["stderr"], tool)
    hints = rec.get("compare", {})
    code: int | None = rec["exit"]
    if hints.get("unordered"):
        out = "\n".join(base_norm.unordered_entries(out))
    if "-f" in rec["argv"]:
        out = base_norm.sort_pinned(out)
    if hints.get("volatile"):
        out, err = "<volatile>", "<volatile>"
    return {"argv": rec["argv"], "ns": rec.get("ns"), "exit": code, "stdout": out, "stderr": err}


def compare_files(a: Path, b: Path) -> list[str]:
    da, db = load_fixture(a), load_fixture(b)
    diffs = []
    ra, rb = da["records"], db["records"]
    if len(ra) != len(rb):
        diffs.append(f"{a.parent.name}/{a.name}: {len(ra)} vs {len(rb)} records")
    for i, (x, y) in enumerate(zip(ra, rb, strict=False)):
        cx, cy = comparable(x), comparable(y)
        if cx != cy:
            what = " ".join(x.get("argv", [str(x.get("setup", ""))]))
            diffs.append(f"{a.parent.name}/{a.name}[{i}] {what}")
    return diffs
