"""What the `gradlang` commands share that needs no click, and `gradlang run` itself.

The click commands of `gradlang.cli` and the click-free entry point `gradlang.cli_fast` both
use these: the output helpers (colour, stdout/stderr, a closed pipe), reading a program,
the limit options' `SessionOptions`, the run command, and the guard around a whole command
(what `main` does with an exception that escapes it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from gradlang.diagnostics import render, render_internal, warning_line
from gradlang.errors import GradlangError
from gradlang.session import RunResult, Session, SessionOptions
from gradlang.tools import report

# ---------------------------------------------------------------------------------------
# Output helpers

#: `--color` of the command being run (`auto`, `always`, `never`); set by whichever parses it.
_color_mode = "auto"


def set_color_mode(mode: str) -> None:
    global _color_mode
    _color_mode = mode


def use_color(stream: Any, mode: str) -> bool:
    """Colour only on a terminal, never with NO_COLOR (unless `--color always`)."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def out_color() -> bool:
    return use_color(sys.stdout, _color_mode)


def err_color() -> bool:
    return use_color(sys.stderr, _color_mode)


class OutputClosed(BaseException):
    """stdout was closed under us (`gradlang run prog.grad | head`): stop quietly.

    A BaseException, so that it passes through the interpreter's handling of a program's
    errors and ends the run instead of becoming one.
    """


def write_out(text: str) -> None:
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        raise OutputClosed from None


def write_err(text: str) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputClosed from None
    sys.stderr.write(text)
    sys.stderr.flush()


def warn_err(text: str) -> None:
    write_err(warning_line(text, err_color()))


def report_diagnostic(session: Session, result: RunResult) -> None:
    """Print the error of a run (program or internal) on stderr."""
    if result.error is not None:
        write_err(render(result.error, session.sources, color=err_color()))
    elif result.internal is not None:
        write_err(render_internal(result.internal, color=err_color()))


def fail(message: str, code: int = 1) -> NoReturn:
    write_err(f"gradlang: {message}\n")
    sys.exit(code)


def read_source(file: str) -> tuple[str, str]:
    """(source text, display name); `-` is stdin. Unreadable files exit 2 or 1."""
    if file == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        data = stdin.read() if stdin is not None else sys.stdin.read().encode("utf-8")
        file = "<stdin>"
    else:
        try:
            data = Path(file).read_bytes()
        except IsADirectoryError:
            fail(f"{file}: is a directory", 2)
        except OSError as exc:
            fail(f"{file}: {exc.strerror or exc}", 2)
    try:
        return data.decode("utf-8-sig"), file
    except UnicodeDecodeError as exc:
        error = GradlangError(
            "SyntaxError",
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)",
            hint="save the program as UTF-8",
        )
        write_err(render(error, fallback_file=file, color=err_color()))
        sys.exit(1)


# ---------------------------------------------------------------------------------------
# The limit options (`--seed`, `--max-steps` ..., spec §10) as SessionOptions


def session_options(kw: dict[str, Any], debug: bool, **extra: Any) -> SessionOptions:
    """SessionOptions from the values of the limit options (popped from `kw`)."""
    limits: dict[str, Any] = {}
    for flag, field_name in (
        ("max_steps", "max_steps"),
        ("max_elements", "max_elements"),
        ("max_memory", "max_memory_bytes"),
        ("max_depth", "max_depth"),
        ("timeout", "timeout"),
    ):
        value = kw.pop(flag, None)
        if value is not None:
            limits[field_name] = value
    return SessionOptions(
        limits=limits,
        seed=kw.pop("seed", 0),
        io=not kw.pop("no_io", False),
        warn=warn_err,
        debug=debug,
        **extra,
    )


# ---------------------------------------------------------------------------------------
# run


def run_command(
    file: str, as_json: bool, no_report: bool, trace: bool, kw: dict[str, Any], debug: bool
) -> NoReturn:
    """`gradlang run`: the program's output, then the report (or one JSON document)."""
    source, name = read_source(file)
    options = session_options(kw, debug, trace=trace, echo=None if as_json else write_out)
    session = Session(options)
    result = session.run_source(source, name)
    if as_json:
        import json

        error = result.error
        if error is None and result.internal is not None:
            error = GradlangError("InternalError", f"{type(result.internal).__name__}: "
                                  f"{result.internal}")  # fmt: skip
        doc = report.json_document(result.output, result.tensors, error)
        write_out(json.dumps(doc, allow_nan=False, ensure_ascii=False) + "\n")
        report_diagnostic(session, result)
        sys.exit(result.exit_code)
    if not no_report and (result.tensors or result.ok):
        if result.output and not result.output.endswith("\n"):
            write_out("\n")
        write_out(report_text(result.tensors, out_color()))
    report_diagnostic(session, result)  # last, where the eye lands
    sys.exit(result.exit_code)


def report_text(tensors: list[tuple[str, Any]], color: bool) -> str:
    title = f"── report: {len(tensors)} global tensor{'s' if len(tensors) != 1 else ''} "
    rule = title + "─" * max(0, 60 - len(title))
    if color:
        rule = f"\x1b[2m{rule}\x1b[0m"
    return f"\n{rule}\n" + (report.table(tensors, color) if tensors else "")


# ---------------------------------------------------------------------------------------
# The guard around a whole command


def _stdout_gone() -> None:
    """Whoever read our output has gone: send the rest to /dev/null, so that Python does not
    complain about the closed pipe at exit either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def debug_requested(argv: list[str] | None) -> bool:
    """`--debug` anywhere on the command line, or GRADLANG_DEBUG set."""
    return bool(os.environ.get("GRADLANG_DEBUG")) or "--debug" in (argv or sys.argv[1:])


def guarded(command: Callable[[], object], debug: Callable[[], bool]) -> None:
    """Run a whole command: any unexpected exception becomes a diagnostic (a traceback only
    when `debug()`), a closed stdout ends it quietly, Ctrl-C exits 130."""
    # Undecodable input and unencodable output are shown, never a crash.
    for stream, errors in ((sys.stdin, "replace"), (sys.stdout, "backslashreplace"),
                           (sys.stderr, "backslashreplace")):  # fmt: skip
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(errors=errors)
    try:
        command()
    except SystemExit:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _stdout_gone()
        raise
    except (OutputClosed, BrokenPipeError):
        _stdout_gone()
        sys.exit(0)
    except KeyboardInterrupt:
        write_err("\ninterrupted\n")
        sys.exit(130)
    except Exception as exc:
        if debug():
            raise
        # The command has ended: its --color no longer applies (as with click's context).
        write_err(render_internal(exc, use_color(sys.stderr, "auto")))
        sys.exit(1)
