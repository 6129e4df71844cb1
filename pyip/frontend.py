"""What ``ip`` and ``tc`` share around their command tables, as iproute2's lib/ does:
``-batch`` files, the ``-color`` option, the last line of defence against tracebacks, the
process set-up of a console script and the click command that embeds it."""

from __future__ import annotations

import sys
from collections.abc import Callable

from . import json_print as J
from .utils import err, getcmdlines, makeargs, matches, strerror

Runner = Callable[[list[str]], int]


def do_batch(name: str, force: bool, do_words: Callable[[list[str]], int]) -> int:
    """do_batch(): one command per line of ``name`` (``-`` is stdin), each handed to
    ``do_words``; stop at the first failure unless -force."""
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
            if do_words(words):
                err(f"Command failed {name}:{counter[0]}\n")
                ret = 1
                if not force:
                    break
    finally:
        if stream is not sys.stdin:
            stream.close()
    return ret


def matches_color(opt: str) -> str | None:
    """matches_color(): -c[olor][=always|auto|never]: the mode, or None."""
    word, _eq, val = opt.partition("=")
    if matches(word, "-color") and val in ("", "always", "auto", "never"):
        return val or "always"
    return None


def run_guarded(run: Runner, argv: list[str]) -> int:
    """``run(argv)``, with any unexpected exception as one ``Error:`` line (status 255)."""
    try:
        return run(argv)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        from .utils import describe

        J.abandon_json_obj()
        sys.stdout.flush()
        err(f"Error: {describe(e)}\n")
        return 255


def setup_streams() -> None:
    """Die quietly on SIGPIPE and SIGINT as a C tool does; pass undecodable bytes through."""
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="surrogateescape")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def make_click_command(name: str, run: Runner):  # noqa: ANN201 - a click.Command
    """The click command of tool ``name``, for embedding and ``click.testing.CliRunner``.
    It hands click's raw arguments to ``run`` untouched: iproute2's parsing (options before
    the object, prefixes, ``--``) is not click's, and the console script skips click's import."""
    import click

    class IprouteCommand(click.Command):
        def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
            ctx.obj = list(args)
            return []

        def invoke(self, ctx: click.Context) -> int:
            code = run_guarded(run, [ctx.info_name or name] + list(ctx.obj or []))
            sys.stdout.flush()
            ctx.exit(code & 0xFF)
            return code

    return IprouteCommand(name, add_help_option=False, context_settings={"help_option_names": []})


def console_main(name: str, run: Runner, argv: list[str] | None = None) -> None:
    """A console script's entry: set up the process, run one command line, exit with its status."""
    setup_streams()
    args = list(sys.argv if argv is None else argv)
    code = run_guarded(run, args if args else [name])
    sys.stdout.flush()
    sys.exit(code & 0xFF)
