"""The `gradlang` command: thin click commands over `Session`, the report and the tools.

Program output goes to stdout, diagnostics and warnings to stderr. Exit codes: 0 success,
1 the program failed (or gradlang did, internally), 2 a bad command line. No input produces
a Python traceback unless `--debug` is given.

The click-free parts (output helpers, reading a program, `run` itself) are in
`gradlang.cli_run`. `gradlang.cli_fast.main` (what `python -m gradlang` and `main` here run)
runs a plain `gradlang run FILE` without the click group (and, from `python -m gradlang`,
without importing click at all) and hands any other command line to `click_main` here.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from gradlang import __version__
from gradlang.cli_fast import parse_size
from gradlang.cli_run import (
    debug_requested,
    err_color,
    fail,
    guarded,
    out_color,
    read_source,
    report_diagnostic,
    run_command,
    set_color_mode,
    warn_err,
    write_err,
    write_out,
)
from gradlang.cli_run import session_options as shared_session_options
from gradlang.diagnostics import render, render_internal
from gradlang.errors import GradlangError
from gradlang.session import Session, SessionOptions

_DEBUG = False

MAIN_HELP = """\
gradlang runs small PyTorch-style tensor programs on its own autograd engine and shows
what autograd did.

\b
Examples:
  gradlang run examples/seed/s04_computing_gradients.grad
                                  run a program, then report every tensor
  gradlang run --json prog.grad   the same as one JSON document
  echo 'print(tensor([1., 2.]) * 2)' | gradlang run -
  gradlang repl                   an interactive session (:help inside)
  gradlang tour                   the ideas of autograd, one example at a time
  gradlang test exercises/        compare each NAME.grad with its NAME.out
  gradlang graph prog.grad --var loss --format dot -o loss.dot
  gradlang to-torch prog.grad > prog.py && python prog.py
"""


# ---------------------------------------------------------------------------------------
# Options shared by the commands that run programs


def _parse_size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def limit_options(fn: Any) -> Any:
    """Attach --seed and the limit flags (spec §10) to a command."""
    decorators = [
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Starting seed for programs that never call manual_seed."),
        click.option("--max-steps", type=click.IntRange(min=1), metavar="N",
                     help="Most statements a program may execute."),
        click.option("--max-elements", type=click.IntRange(min=1), metavar="N",
                     help="Most elements in one tensor."),
        click.option("--max-memory", callback=_parse_size, metavar="SIZE",
                     help="Most total tensor memory (e.g. 256M, 1G)."),
        click.option("--max-depth", type=click.IntRange(min=1), metavar="N",
                     help="Deepest recursion and nesting."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
                     help="Wall-time limit."),
        click.option("--no-io", is_flag=True,
                     help="Turn load()/save() off (no file access at all)."),
    ]  # fmt: skip
    for decorate in reversed(decorators):
        fn = decorate(fn)
    return fn


def session_options(kw: dict[str, Any], **extra: Any) -> SessionOptions:
    """SessionOptions from the values of `limit_options` (popped from `kw`)."""
    return shared_session_options(kw, _DEBUG, **extra)


# ---------------------------------------------------------------------------------------
# The group


class _Group(click.Group):
    """Lists commands in the order they were added (most useful first)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(
    "gradlang",
    cls=_Group,
    invoke_without_command=True,
    help=MAIN_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="gradlang",
                      message="%(prog)s %(version)s")  # fmt: skip
@click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour output (auto: only on a terminal, never with NO_COLOR).")  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, debug: bool, color: str) -> None:
    global _DEBUG
    _DEBUG = _DEBUG or debug
    set_color_mode(color)
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            from gradlang.repl import main as repl_main

            sys.exit(repl_main(color=out_color()))
        click.echo(ctx.get_help())


# ---------------------------------------------------------------------------------------
# run


@cli.command(
    short_help="Run a program, then report every tensor.",
    help="""Run a program (FILE, or - for stdin), then report every global tensor.

\b
Examples:
  gradlang run prog.grad                 output, then the tensor report
  gradlang run --no-report prog.grad     only what the program prints
  gradlang run --json prog.grad          one JSON document (output, tensors, error)
  gradlang run --trace prog.grad         every backward pass, step by step
  gradlang run --timeout 2 --no-io untrusted.grad
""",
)
@click.argument("file", metavar="FILE|-")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
@click.option("--no-report", is_flag=True, help="Leave the tensor report out.")
@click.option("--trace", is_flag=True, help="Trace every backward pass (the chain rule).")
@limit_options
def run(file: str, as_json: bool, no_report: bool, trace: bool, **kw: Any) -> None:
    run_command(file, as_json, no_report, trace, kw, _DEBUG)


# ---------------------------------------------------------------------------------------
# repl


@cli.command(
    short_help="Start an interactive session.",
    help="""Start an interactive session.

\b
On a terminal: line editing, history, tab completion, colour. With piped input it reads
lines as they come, so transcripts work:
  printf 'x = ones(2, requires_grad=True)\\n(x * 3).sum()\\n' | gradlang repl
Inside, :help lists the meta-commands (:vars :graph :why :trace :reset :load :quit).
""",
)
@limit_options
def repl(**kw: Any) -> None:
    from gradlang.repl import main as repl_main

    options = session_options(kw)
    sys.exit(repl_main(options=options, color=out_color()))


# ---------------------------------------------------------------------------------------
# check, ir, to-torch


@cli.command(
    short_help="Parse and check programs without running them.",
    help="""Parse and check programs without running them; every error with its position.

\b
Example:
  gradlang check examples/seed/*.grad
""",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def check(files: tuple[str, ...]) -> None:
    session = Session(SessionOptions(debug=_DEBUG))
    failed = 0
    for file in files:
        source, name = read_source(file)
        try:
            error = session.parse_only(source, name)
        except Exception as exc:
            if _DEBUG:
                raise
            write_err(render_internal(exc, err_color()))
            failed += 1
            continue
        if error is None:
            write_out(f"{name}: ok\n")
        else:
            failed += 1
            write_err(render(error, session.sources, color=err_color()))
    sys.exit(1 if failed else 0)


def _parse_or_exit(file: str) -> tuple[str, str, Any]:
    from gradlang.syntax import parse

    source, name = read_source(file)
    try:
        return source, name, parse(source, name)
    except GradlangError as error:
        write_err(render(error, {name: source}, color=err_color()))
        sys.exit(1)


@cli.command(
    short_help="Show the parsed program (the IR).",
    help="""Show the IR the parser produced for FILE, readably.

\b
Example:
  gradlang ir examples/seed/s02_non_leaf_tensors.grad
""",
)
@click.argument("file", metavar="FILE|-")
def ir(file: str) -> None:
    from gradlang.syntax.show import show_ir

    _, _, module = _parse_or_exit(file)
    text = show_ir(module)
    write_out(text if text.endswith("\n") else text + "\n")


@cli.command(
    "to-torch",
    short_help="Print a program as a Python + PyTorch script.",
    help="""Print FILE as a runnable Python + PyTorch script (prelude + program).

\b
Check any result on real PyTorch:
  gradlang to-torch prog.grad > prog.py && python prog.py
""",
)
@click.argument("file", metavar="FILE|-")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Starting seed (as `run --seed`).")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the script here instead of stdout.")  # fmt: skip
def to_torch(file: str, seed: int, output: str | None) -> None:
    from gradlang.torch_script import to_torch as make_script
    from gradlang.torch_script import unsafe_name

    source, name, module = _parse_or_exit(file)
    refused = unsafe_name(module)
    if refused is not None:
        write_err(render(refused, {name: source}, color=err_color()))
        sys.exit(1)
    script = make_script(source, seed)
    if output:
        Path(output).write_text(script, encoding="utf-8")
    else:
        write_out(script)


# ---------------------------------------------------------------------------------------
# test, tour


@cli.command(
    short_help="Compare each NAME.grad's output with NAME.out.",
    help="""Run each NAME.grad and compare its output with NAME.out beside it.

PATH may be files or directories (searched recursively). NAME.out holds exactly what
`gradlang run --no-report NAME.grad` prints on stdout. Prints a pass/fail table and a
unified diff per failure; exits 1 if any program fails.

\b
Example:
  gradlang test examples/
""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True), metavar="PATH...")
@limit_options
def test(paths: tuple[str, ...], **kw: Any) -> None:
    from gradlang.grading import collect, run_case, summary_table

    programs = collect(Path(p) for p in paths)
    if not programs:
        fail("no .grad files found in " + ", ".join(paths))

    def make_options() -> SessionOptions:
        return session_options(dict(kw))

    results = [run_case(p, make_options) for p in programs]
    write_out(summary_table(results, out_color()))
    sys.exit(0 if all(r.passed for r in results) else 1)


@cli.command(
    short_help="A guided tour of autograd with shipped examples.",
    help="""A guided run through autograd's ideas, with the examples shipped in gradlang.

Each step shows a program, runs it, shows its output and says what to notice.

\b
Examples:
  gradlang tour              the whole tour
  gradlang tour --step 3     only step 3
  gradlang tour --list       the steps
""",
)
@click.option("--step", type=click.IntRange(min=1), help="Show only this step.")
@click.option("--list", "list_steps", is_flag=True, help="List the steps.")
@click.option("--pause", is_flag=True, help="Wait for Enter between steps.")
def tour(step: int | None, list_steps: bool, pause: bool) -> None:
    from gradlang.tour import run_tour

    sys.exit(run_tour(step=step, list_steps=list_steps, pause=pause, color=out_color(),
                      write=write_out, warn=warn_err))  # fmt: skip


# ---------------------------------------------------------------------------------------
# graph


@cli.command(
    short_help="Draw a tensor's backward graph (text, DOT, SVG, PNG).",
    help="""Run FILE, then draw the backward graph of the tensor named by --var.

\b
Examples:
  gradlang graph prog.grad --var loss                      a text tree
  gradlang graph prog.grad --var loss --format dot > g.dot
  gradlang graph prog.grad --var loss --format svg -o g.svg   (needs Graphviz)
  gradlang graph prog.grad --var loss --only w             just the paths to w
""",
)
@click.argument("file", metavar="FILE|-")
@click.option("--var", "var", required=True, metavar="NAME", help="The global tensor to draw.")
@click.option("--format", "fmt", type=click.Choice(["text", "dot", "svg", "png"]),
              default="text", show_default=True)  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--only", "only", metavar="NAME", help="Show only the paths to this tensor.")
@limit_options
def graph(file: str, var: str, fmt: str, output: str | None, only: str | None, **kw: Any
          ) -> None:  # fmt: skip
    source, name = read_source(file)
    session = Session(session_options(kw))
    result = session.run_source(source, name)
    if not result.ok:
        report_diagnostic(session, result)
        sys.exit(1)
    tensors = dict(result.tensors)
    if var not in tensors:
        names = ", ".join(tensors) or "none"
        fail(f"{var!r} is not a global tensor of {name} (global tensors: {names})")
    if only is not None and only not in tensors:
        names = ", ".join(tensors) or "none"
        fail(f"{only!r} is not a global tensor of {name} (global tensors: {names})")
    if fmt == "png" and output is None and sys.stdout.isatty():
        fail("a PNG is not for the terminal: pass -o FILE.png", 2)
    data = _export_graph(tensors[var], fmt, session, output, tensors.get(only or ""))
    if data is None:
        return
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _export_graph(tensor: Any, fmt: str, session: Session, output: str | None,
                  only: Any = None) -> bytes | None:  # fmt: skip
    """The graph of `tensor` in `fmt` (bytes for stdout), or None once written to `output`."""
    from gradlang.tools.graph_dot import MissingGraphviz, render_dot, render_image
    from gradlang.tools.graph_text import render_text

    names = session.names()
    if fmt == "text":
        return render_text(tensor, names, only).encode("utf-8")
    dot = render_dot(tensor, names, only)
    if fmt == "dot":
        return dot.encode("utf-8")
    try:
        if output is not None:
            render_image(dot, fmt, output)
            return None
        with tempfile.TemporaryDirectory() as tmp:
            return render_image(dot, fmt, Path(tmp) / f"graph.{fmt}").read_bytes()
    except MissingGraphviz as exc:
        fail(str(exc))
    except (OSError, RuntimeError) as exc:
        fail(f"Graphviz could not render the graph: {exc}")


# ---------------------------------------------------------------------------------------
# Entry point


def main(argv: list[str] | None = None) -> None:
    """The whole command, as the console script runs it (pyproject's `gradlang.cli_fast:main`,
    which this calls): a plain `run` without the click group, anything else with
    `click_main`. (Importing this module has imported click already; cli_fast does not.)"""
    from gradlang.cli_fast import main as fast_main

    fast_main(argv)


def click_main(argv: list[str] | None = None) -> None:
    """The whole click CLI: run the group; turn any unexpected exception into a diagnostic."""
    global _DEBUG
    _DEBUG = debug_requested(argv)
    guarded(lambda: cli.main(args=argv, prog_name="gradlang", standalone_mode=True),
            lambda: _DEBUG)  # fmt: skip
