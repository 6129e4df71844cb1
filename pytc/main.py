"""``pytc``: the entry point, global options, the OBJECT table and ``-batch``.

tc 6.1's rules: options are words before the object, matched by prefix in tc's order
(``-c`` is -cf, ``-b`` is -batch, ``-br`` is -brief, ``-h`` is -help); objects and
commands by prefix (``tc f s`` is ``tc filter show``). The exit status is the handler's
return value (2 when the kernel said no, 1 for a missing device or a failed load, 255 for
parse errors); ``tc help`` and the per-object ``help`` print on stderr and exit 0.

Objects: ``qdisc`` and ``filter``; ``class``/``chain`` list nothing (no classful
qdiscs, one chain) and refuse changes; ``actions``, ``monitor`` and ``exec`` are not
available. ``-n NAME`` works in the simulated network namespace NAME.
"""

from __future__ import annotations

import sys

from pyip import IPROUTE2_VERSION, LIBBPF_VERSION, rtnl
from pyip import json_print as J
from pyip.utils import Args, Exit, err, getcmdlines, makeargs, matches, out, strerror

from .options import opts
from .usage import CHAIN_USAGE, CLASS_USAGE, TC_USAGE


def usage() -> None:
    err(TC_USAGE)


def _simple_object(name: str, text: str, args: Args) -> int:
    """``tc class``/``tc chain``: nothing to list, changes refused by the kernel."""
    if args.argc < 1 or matches(args.cur, "show") or matches(args.cur, "list") or matches(args.cur, "lst"):
        J.new_json_obj()
        J.delete_json_obj()
        return 0
    a = args.cur
    if matches(a, "help"):
        err(text)
        return 0
    if name == "class" and (matches(a, "add") or matches(a, "change") or matches(a, "replace")
                            or matches(a, "delete")):
        err("RTNETLINK answers: Operation not supported\n")
        return 2
    if name == "chain" and (matches(a, "add") or matches(a, "delete") or matches(a, "get")):
        err("Error: Cannot find specified filter chain.\nWe have an error talking to the kernel\n")
        return 2
    err(f'Command "{a}" is unknown, try "tc {name} help".\n')
    return -1


def do_cmd(args: Args) -> int:
    a = args.cur
    rest = Args(args.vec, args.i + 1)
    if matches(a, "qdisc"):
        from .qdisc import do_qdisc

        return do_qdisc(rest)
    if matches(a, "class"):
        return _simple_object("class", CLASS_USAGE, rest)
    if matches(a, "filter"):
        from .filter import do_filter

        return do_filter(rest)
    if matches(a, "chain"):
        return _simple_object("chain", CHAIN_USAGE, rest)
    if matches(a, "help"):
        usage()
        return 0
    err(f'Object "{a}" is unknown, try "tc help".\n')
    return -1


def do_batch(name: str, force: bool) -> int:
    if name != "-":
        try:
            stream = open(name, encoding="utf-8", errors="surrogateescape")
        except OSError as e:
            err(f'Cannot open file "{name}" for reading: {strerror(e.errno or 0)}\n')
            return 1
    else:
        stream = sys.stdin
    ret = 0
    counter = [0]
    try:
        for line in getcmdlines(stream, counter):
            if line is None:
                break
            words = makeargs(line)
            if not words:
                continue
            if do_cmd(Args(words)):
                err(f"Command failed {name}:{counter[0]}\n")
                ret = 1
                if not force:
                    break
    finally:
        if stream is not sys.stdin:
            stream.close()
    return ret


def _matches_color(opt: str) -> str | None:
    word, _eq, val = opt.partition("=")
    if matches(word, "-color") and val in ("", "always", "auto", "never"):
        return val or "always"
    return None


def run(argv: list[str]) -> int:
    """One pytc command line (argv[0] is the program name); returns the exit status."""
    J.configure(False, False)
    J.SL[0] = "\n"
    rtnl.reset()
    opts.reset()
    json = pretty = force = oneline = False
    batch_file: str | None = None
    color: str | None = None
    args = Args(list(argv), 1)
    try:
        while args.argc > 0:
            a = args.cur
            if not a.startswith("-"):
                break
            if matches(a, "-stats") or matches(a, "-statistics"):
                opts.stats += 1
            elif matches(a, "-details"):
                opts.details += 1
            elif matches(a, "-raw"):
                opts.raw = True
            elif matches(a, "-pretty"):
                pretty = True
            elif matches(a, "-graph"):
                pass
            elif matches(a, "-Version"):
                out(f"tc utility, iproute2-{IPROUTE2_VERSION}, libbpf {LIBBPF_VERSION}\n")
                return 0
            elif matches(a, "-iec"):
                pass
            elif matches(a, "-help"):
                usage()
                return 0
            elif matches(a, "-force"):
                force = True
            elif matches(a, "-batch"):
                args.fwd()
                if args.argc <= 0:
                    usage()
                batch_file = args.cur if args.argc > 0 else None
            elif matches(a, "-netns"):
                args.fwd()
                if not rtnl.netns_switch(args.cur if args.argc > 0 else None):
                    return 255
            elif matches(a, "-Numeric"):
                opts.numeric = True
            elif matches(a, "-names") or matches(a, "-nm"):
                pass
            elif matches(a, "-cf") or matches(a, "-conf"):
                args.fwd()
                if args.argc <= 0:
                    from pyip.utils import incomplete_command

                    incomplete_command()
            elif _matches_color(a):
                color = _matches_color(a)
            elif matches(a, "-timestamp") or matches(a, "-tshort"):
                pass
            elif matches(a, "-json"):
                json = True
            elif matches(a, "-oneline"):
                oneline = True
            elif matches(a, "-brief"):
                pass
            else:
                err(f'Option "{a}" is unknown, try "tc -help".\n')
                return 255
            args.fwd()

        J.SL[0] = "\\" if oneline else "\n"
        J.configure(json, pretty)
        J.enable_color(color, json)
        if batch_file is not None:
            return do_batch(batch_file, force)
        if args.argc <= 0:
            usage()
            return 0
        return do_cmd(args) & 0xFF
    except Exit as e:
        J.abandon_json_obj()
        return e.code & 0xFF


def run_guarded(argv: list[str]) -> int:
    try:
        return run(argv)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        from pyip.utils import describe

        J.abandon_json_obj()
        sys.stdout.flush()
        err(f"Error: {describe(e)}\n")
        return 255


def make_click_command():  # noqa: ANN201 - a click.Command
    """The click command of pytc, for embedding and ``click.testing.CliRunner``. It hands
    click's raw arguments to :func:`run` untouched: iproute2's parsing (options before the
    object, prefixes, ``--``) is not click's, and the console script skips click's import."""
    import click

    class IprouteCommand(click.Command):
        def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
            ctx.obj = list(args)
            return []

        def invoke(self, ctx: click.Context) -> int:
            code = run_guarded([ctx.info_name or "pytc"] + list(ctx.obj or []))
            sys.stdout.flush()
            ctx.exit(code & 0xFF)
            return code

    return IprouteCommand("pytc", add_help_option=False, context_settings={"help_option_names": []})


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook
    if name == "cli":
        return make_click_command()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from pyip.main import _setup_streams

    _setup_streams()
    args = list(sys.argv if argv is None else argv)
    code = run_guarded(args if args else ["pytc"])
    sys.stdout.flush()
    sys.exit(code & 0xFF)


if __name__ == "__main__":
    main()
