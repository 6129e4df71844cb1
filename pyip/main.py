"""``pyip``: the entry point, global options, the OBJECT table and ``-batch``.

As in iproute2, global options are words before the object, matched by prefix in a fixed
order (``-d`` is -details, ``-b`` is -batch, ``-br`` is -brief, ``-h`` is
-human-readable); objects and commands are matched by prefix too (``ip l s`` is
``ip link set``). A handler returns 0/-1/-2 and ip exits with the negation (1: a device
that does not exist, 2: the kernel said no); usage texts and parse errors exit with 255.

Objects: ``link`` and ``netns`` (``add``, ``delete``, ``list``), and ``help``. The others
of ip's table belong to parts of the kernel the simulation does not have; they are
refused as ip refuses an object it does not know.

``-n NAME`` enters the simulated network namespace NAME (``pyip netns add NAME`` makes
one); a name that does not exist gets ip's ``Cannot open network namespace`` (255).
"""

from __future__ import annotations

from . import IPROUTE2_VERSION, LIBBPF_VERSION, rtnl
from . import frontend as F
from . import json_print as J
from .options import opts as link_opts
from .usage import IP_USAGE
from .utils import Args, Exit, err, matches, out

#: ip 6.1's object table, in its matching order; None: not available here
OBJECTS: tuple[tuple[str, str | None], ...] = (
    ("address", None), ("addrlabel", None), ("maddress", None), ("route", None),
    ("rule", None), ("neighbor", None), ("neighbour", None), ("ntable", None), ("ntbl", None),
    ("link", "link"), ("l2tp", None), ("fou", None), ("ila", None), ("macsec", None),
    ("tunnel", None), ("tunl", None), ("tuntap", None), ("tap", None), ("token", None),
    ("tcpmetrics", None), ("tcp_metrics", None), ("monitor", None), ("xfrm", None),
    ("mroute", None), ("mrule", None), ("netns", "netns"), ("netconf", None), ("vrf", None),
    ("sr", None), ("nexthop", None), ("mptcp", None), ("ioam", None), ("help", "help"),
    ("stats", None),
)


class State:
    force = False
    batch_file: str | None = None
    json = False
    pretty = False
    do_all = False


state = State()


def usage() -> None:
    err(IP_USAGE)
    raise Exit(-1)


def do_help(args: Args) -> int:
    usage()
    return 0


def _object(name: str):  # noqa: ANN202 - a handler
    def handler(args: Args) -> int:
        import importlib

        return importlib.import_module(f"pyip.{name}").main(args)

    return handler


def do_cmd(word: str, args: Args, final: bool = True) -> int:
    """do_cmd(): the object handler's return value, negated (ip's exit status)."""
    for obj, module in OBJECTS:
        if matches(word, obj):
            if module is None:
                break
            if module == "help":
                return -do_help(args)
            return -_object(module)(args)
    if final:
        err(f'Object "{word}" is unknown, try "ip help".\n')
    return 1


def run(argv: list[str]) -> int:
    """One pyip command line (argv[0] is the program name); returns the exit status."""
    J.configure(False, False)
    J.SL[0] = "\n"
    rtnl.reset()
    link_opts.reset()
    st = State()
    globals()["state"] = st
    color: str | None = None
    args = Args(list(argv), 1)
    try:
        while args.argc > 0:
            opt = args.cur
            if opt == "--":
                args.fwd()
                break
            if not opt.startswith("-"):
                break
            if opt.startswith("--"):
                opt = opt[1:]
            if matches(opt, "-loops"):
                args.fwd()
                if args.argc <= 0:
                    usage()
            elif matches(opt, "-family"):
                args.fwd()
                if args.argc <= 0:
                    usage()
                fam = args.cur
                if fam == "help":
                    usage()
                if fam not in ("inet", "inet6", "bridge", "mpls", "link"):
                    err(f'Error: argument "{fam}" is wrong: invalid protocol family\n')
                    raise Exit(-1)
            elif opt in ("-4", "-6", "-0", "-M", "-B"):
                pass
            elif matches(opt, "-human") or matches(opt, "-human-readable"):
                pass
            elif matches(opt, "-iec"):
                pass
            elif matches(opt, "-stats") or matches(opt, "-statistics"):
                link_opts.stats += 1
            elif matches(opt, "-details"):
                link_opts.details += 1
            elif matches(opt, "-resolve"):
                pass
            elif matches(opt, "-oneline"):
                link_opts.oneline = True
            elif matches(opt, "-timestamp") or matches(opt, "-tshort"):
                pass
            elif matches(opt, "-Version"):
                out(f"ip utility, iproute2-{IPROUTE2_VERSION}, libbpf {LIBBPF_VERSION}\n")
                return 0
            elif matches(opt, "-force"):
                st.force = True
                link_opts.force = True
            elif matches(opt, "-batch"):
                args.fwd()
                if args.argc <= 0:
                    usage()
                st.batch_file = args.cur
            elif matches(opt, "-brief"):
                link_opts.brief = True
            elif matches(opt, "-json"):
                st.json = True
            elif matches(opt, "-pretty"):
                st.pretty = True
            elif matches(opt, "-rcvbuf"):
                args.fwd()
                if args.argc <= 0:
                    usage()
                from .utils import get_unsigned

                if get_unsigned(args.cur, 0) is None:
                    err(f"Invalid rcvbuf size '{args.cur}'\n")
                    raise Exit(-1)
            elif F.matches_color(opt):
                color = F.matches_color(opt)
            elif matches(opt, "-help"):
                usage()
            elif matches(opt, "-netns"):
                args.fwd()
                if not rtnl.netns_switch(args.cur if args.argc > 0 else None):
                    raise Exit(-1)
            elif matches(opt, "-Numeric"):
                link_opts.numeric = True
            elif matches(opt, "-all"):
                st.do_all = True
            else:
                err(f'Option "{opt}" is unknown, try "ip -help".\n')
                raise Exit(-1)
            args.fwd()

        J.SL[0] = "\\" if link_opts.oneline else "\n"
        J.configure(st.json, st.pretty)
        J.enable_color(color, st.json)
        if st.batch_file is not None:
            return do_batch(st.batch_file, st.force)
        if args.argc > 0:
            return do_cmd(args.cur, Args(args.vec, args.i + 1))
        usage()
        return 0
    except Exit as e:
        J.abandon_json_obj()
        return e.code


def do_batch(name: str, force: bool) -> int:
    """do_batch(): one command per line; stop at the first failure unless -force."""
    return F.do_batch(name, force, lambda words: do_cmd(words[0], Args(words, 1)))


def run_guarded(argv: list[str]) -> int:
    """:func:`run`, with any unexpected exception as one ``Error:`` line (status 255)."""
    return F.run_guarded(run, argv)


def make_click_command():  # noqa: ANN201 - a click.Command
    """The click command of pyip, for embedding and ``click.testing.CliRunner``."""
    return F.make_click_command("pyip", run)


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook
    if name == "cli":
        return make_click_command()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    F.console_main("pyip", run, argv)


if __name__ == "__main__":
    main()
