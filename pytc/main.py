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

from pyip import IPROUTE2_VERSION, LIBBPF_VERSION, rtnl
from pyip import frontend as F
from pyip import json_print as J
from pyip.utils import Args, Exit, err, matches, out

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
            elif F.matches_color(a):
                color = F.matches_color(a)
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


def do_batch(name: str, force: bool) -> int:
    """do_batch(): one command per line; stop at the first failure unless -force."""
    return F.do_batch(name, force, lambda words: do_cmd(Args(words)))


def run_guarded(argv: list[str]) -> int:
    """:func:`run`, with any unexpected exception as one ``Error:`` line (status 255)."""
    return F.run_guarded(run, argv)


def make_click_command():  # noqa: ANN201 - a click.Command
    """The click command of pytc, for embedding and ``click.testing.CliRunner``."""
    return F.make_click_command("pytc", run)


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook
    if name == "cli":
        return make_click_command()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    F.console_main("pytc", run, argv)


if __name__ == "__main__":
    main()
