"""The ``nfpsim`` command line (click): ``replay``, ``nic``, ``cgroup``, ``bpffs``.

Errors print ``Error: <message>`` on stderr and exit 1; usage errors exit 2 (click's
convention). ``-j`` prints JSON on stdout. ``-n NETNS`` runs in a simulated network
namespace, as ``ip -n`` does.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from . import VERSION


def _proc(ctx: click.Context) -> Any:
    from pykernel import Process, StateError

    obj = ctx.find_root().obj
    if obj.get("proc") is None:
        p = Process.current()
        ns = obj.get("netns")
        if ns:
            try:
                p.setns(ns)
            except OSError:
                _fail(f'Cannot open network namespace "{ns}": No such file or directory')
            except StateError as e:
                _fail(str(e))
        obj["proc"] = p
    return obj["proc"]


def _fail(msg: str, code: int = 1) -> None:
    click.echo(f"Error: {msg}", err=True)
    sys.exit(code)


def _json(ctx: click.Context) -> bool:
    return bool(ctx.find_root().obj.get("json"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-j", "--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("-n", "--netns", metavar="NETNS", help="Run in simulated network namespace NETNS.")
@click.version_option(VERSION, "-V", "--version", prog_name="nfpsim", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, as_json: bool, netns: str | None) -> None:
    """The hardware side of pybpf's simulated machine: NICs, the wire and traffic."""
    ctx.ensure_object(dict)
    ctx.obj.update(json=as_json, netns=netns)


# -- replay ------------------------------------------------------------------------------------------

@cli.command()
@click.argument("dev")
@click.argument("capture", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write the frames DEV transmits (pcap).")
@click.option("--capture-in", "capture_in", type=click.Path(dir_okay=False),
              help="Write the frames DEV receives (pcap).")
@click.option("--repeat", type=int, default=1, show_default=True, help="Replay the capture N times.")
@click.option("--tx", is_flag=True, help="Send the frames from DEV's stack (tc egress first) instead of "
              "receiving them on DEV.")
@click.option("--queue", type=int, default=0, show_default=True, help="Receive queue (rx_queue_index).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: on a terminal, "
              "for long captures).")
@click.pass_context
def replay(ctx: click.Context, dev: str, capture: str, out: str | None, capture_in: str | None, repeat: int,
           tx: bool, queue: int, progress: bool | None) -> None:
    """Receive every frame of CAPTURE (pcap or pcapng) on DEV and print what happened.

    Counters are per device, hook (rx, xdp_hw, xdp_drv, xdp_generic, tc_ingress, tc_egress,
    stack, tx, redirect) and verdict; map changes the programs make stay in the kernel state.
    """
    from pykernel import StateError

    from .replay import ReplayError, report_json, report_text
    from .replay import replay as do_replay

    proc = _proc(ctx)
    try:
        res = do_replay(proc, dev, capture, out=out, capture_in=capture_in, repeat=repeat, tx=tx, queue=queue,
                        progress=progress)
    except ReplayError as e:
        _fail(str(e))
    except StateError as e:
        _fail(str(e))
    if _json(ctx):
        click.echo(json.dumps(report_json(res)))
    else:
        click.echo(report_text(res), nl=False)


# -- nic ---------------------------------------------------------------------------------------------

@cli.group()
def nic() -> None:
    """NFP NIC ports: make them appear (a PCI probe) and go (a removal)."""


@nic.command("add")
@click.argument("name", required=False)
@click.option("--queues", type=click.IntRange(1, 64), default=4, show_default=True, help="Queues per direction.")
@click.option("--max-mtu", type=click.IntRange(68, 65535), default=9216, show_default=True)
@click.pass_context
def nic_add(ctx: click.Context, name: str | None, queues: int, max_mtu: int) -> None:
    """Plug in an NFP port named NAME (default eth%d) in the current namespace."""
    from pykernel import SyscallError
    from pykernel.net import devices as D

    proc = _proc(ctx)
    ns = proc.netns
    try:
        d = proc.kernel_call(lambda k: D.create_nic(k, name, ns=ns, queues=queues, max_mtu=max_mtu, extra={
            "offload": "nfp", "parent_bus": "pci", "phys_port_name": "p0"}))
    except SyscallError as e:
        _fail(f"cannot add {name or 'eth%d'}: {e.strerror}")
    if _json(ctx):
        click.echo(json.dumps({"ifname": d.name, "ifindex": d.ifindex}))
    else:
        click.echo(f"{d.ifindex}: {d.name}")


@nic.command("del")
@click.argument("name")
@click.pass_context
def nic_del(ctx: click.Context, name: str) -> None:
    """Remove port NAME (hot-unplug: its programs are uninstalled, its links go defunct)."""
    from pykernel import SyscallError
    from pykernel.net import devices as D

    proc = _proc(ctx)

    def run(k: Any) -> None:
        d = D.get_by_name(k, name)
        if d is None or d.kind != "nfp":
            raise SyscallError(19, "no such NIC")
        D.unregister(k, d)

    try:
        proc.kernel_call(run)
    except SyscallError:
        _fail(f'Cannot find NIC "{name}"')


@nic.command("list")
@click.pass_context
def nic_list(ctx: click.Context) -> None:
    """List the NFP ports of the current namespace."""
    from pykernel.net import devices as D

    proc = _proc(ctx)
    devs = [d for d in proc.kernel_call(lambda k: D.all_devices(k)) if d.kind == "nfp"]
    if _json(ctx):
        click.echo(json.dumps([{"ifname": d.name, "ifindex": d.ifindex, "queues": d.num_rx} for d in devs]))
    else:
        for d in devs:
            click.echo(f"{d.ifindex}: {d.name} queues {d.num_rx}")


# -- cgroup ------------------------------------------------------------------------------------------

@cli.group()
def cgroup() -> None:
    """The simulated cgroup v2 hierarchy (/sys/fs/cgroup, also /sys/fs/cgroup/unified).

    The stand-in for mkdir, rmdir and ls in cgroupfs: the simulated kernel's cgroups are not
    directories on the host.
    """


def _cg(ctx: click.Context, fn: str, path: str) -> Any:
    from pykernel import SyscallError

    try:
        return getattr(_proc(ctx), fn)(path)
    except SyscallError as e:
        verb = {"cgroup_mkdir": "cannot create directory", "cgroup_rmdir": "failed to remove",
                "cgroup_list": "cannot access"}[fn]
        _fail(f"{verb} '{path}': {e.strerror}")


@cgroup.command("mkdir")
@click.argument("paths", nargs=-1, required=True)
@click.pass_context
def cg_mkdir(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Create cgroups (their parents must exist)."""
    for p in paths:
        _cg(ctx, "cgroup_mkdir", p)


@cgroup.command("rmdir")
@click.argument("paths", nargs=-1, required=True)
@click.pass_context
def cg_rmdir(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Remove cgroups without children (their programs are released)."""
    for p in paths:
        _cg(ctx, "cgroup_rmdir", p)


@cgroup.command("ls")
@click.argument("path", default="/sys/fs/cgroup")
@click.pass_context
def cg_ls(ctx: click.Context, path: str) -> None:
    """List the child cgroups of PATH."""
    names = _cg(ctx, "cgroup_list", path)
    if _json(ctx):
        click.echo(json.dumps(names))
    else:
        for n in names:
            click.echo(n)


# -- bpffs -------------------------------------------------------------------------------------------

@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                               "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bpffs(args: tuple[str, ...]) -> None:
    """The simulated BPF file system: rm, mkdir, rmdir, ls of pins (see nfpsim-bpffs(8)).

    The stand-in for rm/mkdir/ls on /sys/fs/bpf: pins of the simulated kernel are not host
    files. Removing the last pin of an object nothing else holds frees it.
    """
    from .bpffs import main as bpffs_main

    sys.exit(bpffs_main(["nfpsim bpffs", *args]))


def main() -> None:
    cli(prog_name="nfpsim")


if __name__ == "__main__":
    main()
