"""``pybpftool``: the entry point, global options, the OBJECT table, ``version`` and
``batch``.

Argument handling is bpftool's, not a generic CLI library's: global options are parsed by
a GNU getopt_long emulation (they may appear anywhere), OBJECT and COMMAND words are
matched by prefix in table order, and every handler returns bpftool's int whose low 8
bits become the exit status. Object modules are imported only when their word is
selected, so ``pybpftool prog show`` never loads the map, BTF or ELF code.
"""

from __future__ import annotations

import os
import sys

from . import __version__, common
from .common import Args, Cmd, Exit, cmd_select, err_write, is_prefix, opts, p_err
from .getopt import NO_ARGUMENT, REQUIRED_ARGUMENT, Getopt, GetoptError, LongOpt

BPFTOOL_VERSION = "7.1.0"  # the bpftool release whose behaviour we mirror
LIBBPF_VERSION = "1.1"  # ... and the libbpf it was built with

USAGE = """\
Usage: %1$s [OPTIONS] OBJECT { COMMAND | help }
       %1$s batch file FILE
       %1$s version

       OBJECT := { prog | map | link | cgroup | perf | net | feature | btf | gen | struct_ops | iter }
       OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                    {-V|--version} }
"""

SHORT_OPTS = "VhpjfLmndB:l"
LONG_OPTS = [
    LongOpt("json", NO_ARGUMENT, "j"),
    LongOpt("help", NO_ARGUMENT, "h"),
    LongOpt("pretty", NO_ARGUMENT, "p"),
    LongOpt("version", NO_ARGUMENT, "V"),
    LongOpt("bpffs", NO_ARGUMENT, "f"),
    LongOpt("mapcompat", NO_ARGUMENT, "m"),
    LongOpt("nomount", NO_ARGUMENT, "n"),
    LongOpt("debug", NO_ARGUMENT, "d"),
    LongOpt("use-loader", NO_ARGUMENT, "L"),
    LongOpt("base-btf", REQUIRED_ARGUMENT, "B"),
    LongOpt("legacy", NO_ARGUMENT, "l"),
]

OBJECTS = ("prog", "map", "link", "cgroup", "perf", "net", "feature", "btf", "gen",
           "struct_ops", "iter")

BATCH_LINE_LEN_MAX = 65536
BATCH_ARG_NB_MAX = 4096


def do_help(args: Args) -> int:
    if opts.json and common.jw is not None:
        common.jw.null()
        return 0
    err_write(USAGE.replace("%1$s", common.bin_name))
    return 0


def do_version(args: Args) -> int:
    jw = common.jw
    if opts.json and jw is not None:
        jw.start_object()
        jw.name("version")
        jw.raw(f'"{__version__}"')
        jw.name("libbpf_version")
        jw.raw(f'"{LIBBPF_VERSION}"')
        jw.name("features")
        jw.start_object()
        jw.bool_field("libbfd", False)
        jw.bool_field("libbpf_strict", not opts.legacy)
        jw.bool_field("skeletons", False)
        jw.end_object()
        jw.name("bpftool_version")
        jw.raw(f'"{BPFTOOL_VERSION}"')
        jw.end_object()
    else:
        common.out(f"{common.bin_name} v{__version__} (bpftool v{BPFTOOL_VERSION})\n")
        common.out(f"using libbpf v{LIBBPF_VERSION} (pylibbpf)\n")
        common.out("features:" + (" libbpf_strict" if not opts.legacy else "") + "\n")
    return 0


def _object(name: str):
    def handler(args: Args) -> int:
        import importlib

        module = importlib.import_module(f"pybpftool.{name}")
        return module.main(args)

    handler.__name__ = f"do_{name}"
    return handler


def top_commands() -> list[Cmd]:
    return ([Cmd("help", do_help), Cmd("batch", do_batch, ("file",))]
            + [Cmd(o, _object(o)) for o in OBJECTS]
            + [Cmd("version", do_version)])


# --------------------------------------------------------------------------- batch
def _fgets_lines(stream):
    """fgets() with a 64 KiB buffer: yields chunks of at most 65535 characters, each
    ending at a newline unless the line was longer than the buffer."""
    limit = BATCH_LINE_LEN_MAX - 1
    for line in stream:
        while len(line) > limit:
            yield line[:limit]
            line = line[limit:]
        if line:
            yield line


def make_args(line: str, cmd_nb: int) -> list[str] | None:
    """Split one batch line into words: blanks separate, a word that *starts* with a quote
    runs to the next identical quote (no escapes). None after printing an error."""
    ws = " \t\r\n"
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in ws:
            i += 1
        if i >= n:
            break
        if len(words) >= BATCH_ARG_NB_MAX - 1:
            p_err(f"too many arguments to command {cmd_nb}")
            return None
        if line[i] in "'\"":
            quote = line[i]
            end = line.find(quote, i + 1)
            if end < 0:
                p_err(f"unterminated quoted string in command {cmd_nb}")
                return None
            words.append(line[i + 1:end])
            i = end + 1
        else:
            j = i
            while j < n and line[j] not in ws:
                j += 1
            words.append(line[i:j])
            i = j + 1
    return words


def do_batch(args: Args) -> int:
    if args.argc < 2:
        p_err("too few parameters for batch")
        return -1
    if not is_prefix(args.cur, "file"):
        p_err(f"expected 'file', got: {args.cur}")
        return -1
    if args.argc > 2:
        p_err("too many parameters for batch")
        return -1
    args.next()
    path = args.cur or ""
    if path == "-":
        stream = sys.stdin
    else:
        try:
            stream = open(path, encoding="utf-8", errors="surrogateescape", newline="")
        except OSError as e:
            p_err(f"Can't open file ({path}): {os.strerror(e.errno or 0)}")
            return -1

    jw = common.jw
    if jw is not None:
        jw.start_array()
    lines = 0
    err = 0
    too_long = False
    closing_array = True
    try:
        chunks = _fgets_lines(stream)
        for buf in chunks:
            buf = buf.split("#", 1)[0]
            if len(buf) == BATCH_LINE_LEN_MAX - 1:
                too_long = True
                break
            while buf.endswith("\\\n"):
                cont = next(chunks, "")
                if not cont:
                    p_err(f"missing continuation line on command {lines}")
                    return -1
                cont = cont.split("#", 1)[0]
                if len(buf) + len(cont) + 1 > BATCH_LINE_LEN_MAX:
                    p_err(f"command {lines} is too long")
                    return -1
                buf = buf[:-2] + cont
            words = make_args(buf, lines)
            if words is None:
                return -1
            if not words:
                continue
            if jw is not None:
                jw.start_object()
                jw.name("command")
                jw.start_array()
                for w in words:
                    jw.string(w)
                jw.end_array()
                jw.name("output")
            err = cmd_select(top_commands(), Args(words), do_help)
            if jw is not None:
                jw.end_object()
            if err:
                return err
            lines += 1
        if too_long:
            p_err(f"reading batch file failed: {os.strerror(7)}")
            return -1
        if jw is None:
            common.out(f"processed {lines} commands\n")
        return 0
    except BaseException:
        closing_array = False  # leaving through usage()/an error: run() closes the JSON
        raise
    finally:
        if stream is not sys.stdin:
            stream.close()
        if jw is not None and closing_array:
            jw.end_array()


# ---------------------------------------------------------------------------- main
def _display_name(argv0: str) -> str:
    """bpftool prints argv[0] as it was typed. A console script only sees the path the
    kernel resolved, so a script found through $PATH gets its bare name back."""
    base = os.path.basename(argv0)
    if os.sep in argv0 and base:
        # what `command -v base` finds (shutil.which would import the compression modules)
        for d in os.environ.get("PATH", os.defpath).split(os.pathsep):
            cand = os.path.join(d or ".", base)
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return base if os.path.realpath(cand) == os.path.realpath(argv0) else argv0
    return argv0


def _parse_base_btf(path: str) -> object:
    """btf__parse(): raw BTF or an ELF object's .BTF (lazy: only -B needs the parser)."""
    from .btf import _load_file

    btf, err = _load_file(path)
    if btf is None:
        raise OSError(err, os.strerror(err))
    return btf


def run(argv: list[str]) -> int:
    """Run one pybpftool command line (argv[0] is the program name); returns bpftool's
    return value (the caller truncates it to 8 bits)."""
    from .jsonw import JsonWriter

    opts.reset()
    new = opts
    common.jw = None
    common.bin_name = _display_name(argv[0]) if argv else "pybpftool"
    version_requested = False
    try:
        parser = Getopt([common.bin_name, *argv[1:]], SHORT_OPTS, LONG_OPTS)
        try:
            for opt, optarg in parser:
                if opt == "V":
                    version_requested = True
                elif opt == "h":
                    return do_help(Args([]))
                elif opt in ("p", "j"):
                    if opt == "p":
                        new.pretty = True
                    if not new.json:
                        common.jw = JsonWriter(sys.stdout)
                        new.json = True
                    common.jw.pretty = new.pretty
                elif opt == "f":
                    new.show_pinned = True
                elif opt == "m":
                    new.relaxed_maps = True
                elif opt == "n":
                    new.block_mount = True
                elif opt == "d":
                    new.debug = True
                elif opt == "L":
                    new.use_loader = True
                elif opt == "l":
                    new.legacy = True
                elif opt == "B":
                    try:
                        new.base_btf = _parse_base_btf(optarg or "")
                    except Exception as e:  # noqa: BLE001 - any parse failure is reported
                        code = getattr(e, "errno", None) or 22
                        p_err(f"failed to parse base BTF at '{optarg}': {-abs(code)}\n")
                        return -1
        except GetoptError as e:
            p_err(f"unrecognized option '{e.word}'")
            if new.json:
                raise Exit(-1) from None
            do_help(Args([]))
            raise Exit(-1) from None

        rest = Args(parser.argv, parser.optind)
        if version_requested:
            return do_version(rest)
        ret = cmd_select(top_commands(), rest, do_help)
        if common.jw is not None:
            common.jw.finish()
        return ret
    except Exit as e:
        if common.jw is not None:
            common.jw.close_all()  # bpftool aborts here; we leave valid JSON instead
            common.jw.finish()
        return e.code


def _setup_streams() -> None:
    import signal

    # die quietly on SIGPIPE (`pybpftool prog show | head -1`) and SIGINT, as C does
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="surrogateescape")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass


def run_guarded(argv: list[str]) -> int:
    """:func:`run`, with every unexpected exception turned into one ``Error:`` line."""
    try:
        return run(argv)
    except Exception as e:  # noqa: BLE001 - the last line of defence: never a traceback
        from .errors import describe

        p_err(describe(e))
        if common.jw is not None:
            common.jw.close_all()
            common.jw.finish()
        return -1


def make_click_command():
    """The click command of pybpftool, for embedding and for ``click.testing.CliRunner``.

    The arguments are parsed the way bpftool parses them, so the command hands click's raw
    argument vector to :func:`run` untouched (click's own parser would eat ``--`` and
    could not reproduce getopt's permutation and messages). The console script does not
    go through click: importing click costs about half of the 60 ms start-up budget of a
    ``pybpftool prog show``, for no behaviour of its own."""
    import click

    class BpftoolCommand(click.Command):
        def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
            ctx.obj = list(args)
            return []

        def invoke(self, ctx: click.Context) -> int:
            code = run_guarded([ctx.info_name or "pybpftool"] + list(ctx.obj or []))
            sys.stdout.flush()
            ctx.exit(code & 0xFF)
            return code

    return BpftoolCommand("pybpftool", add_help_option=False,
                          context_settings={"help_option_names": []})


def __getattr__(name: str):  # noqa: ANN202 - module attribute hook
    if name == "cli":
        return make_click_command()
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: exit status = bpftool's return value, low 8 bits."""
    _setup_streams()
    args = list(sys.argv if argv is None else argv)
    code = run_guarded(args if args else ["pybpftool"])
    sys.stdout.flush()
    sys.exit(code & 0xFF)


if __name__ == "__main__":
    main()
