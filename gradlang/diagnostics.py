"""The one renderer of errors a program causes, for the CLI and the REPL alike.

A diagnostic reads as a compiler's does:

    prog.grad:5:1: RuntimeError: grad can be implicitly created only for scalar outputs
      5 | y.backward()
        | ^^^^^^^^^^^^
    hint: y has 3 elements; pass gradient= of its shape (a vector-Jacobian product)

The source line comes from the text the session ran (so it works for stdin and REPL input
too); colour is added only when asked, and never changes the characters otherwise printed.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradlang.errors import GradlangError, Span

# ANSI styles used when colour is on.
_BOLD = "\x1b[1m"
_RED = "\x1b[1;31m"
_MAGENTA = "\x1b[1;35m"
_CYAN = "\x1b[36m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color and text else text


def location(span: Span | None, fallback: str | None = None) -> str:
    """`FILE:LINE:COL` of a span, or the fallback file name (or `gradlang`) without one."""
    if span is not None:
        return f"{span.file}:{span.line}:{span.column}"
    return fallback or "gradlang"


def source_excerpt(span: Span, source: str | None, color: bool = False) -> list[str]:
    """The numbered source line of `span` and a caret line under the span ([] if unknown)."""
    if source is None:
        return []
    lines = source.splitlines()
    if not 1 <= span.line <= len(lines):
        return []
    raw = lines[span.line - 1]
    text = raw.expandtabs(4)
    # Columns count characters of the raw line; map them through tab expansion.
    start = len(raw[: max(span.column - 1, 0)].expandtabs(4))
    if span.end_line == span.line and span.end_column > span.column:
        end = len(raw[: span.end_column - 1].expandtabs(4))
    else:
        end = len(text.rstrip()) if len(text.rstrip()) > start else start + 1
    end = max(end, start + 1)
    number = str(span.line)
    gutter = " " * len(number)
    carets = " " * start + "^" * (end - start)
    return [
        f"  {_paint(number, _DIM, color)} | {text.rstrip()}",
        f"  {gutter} | {_paint(carets, _RED, color)}",
    ]


def render(
    error: GradlangError,
    sources: Mapping[str, str] | None = None,
    *,
    color: bool = False,
    fallback_file: str | None = None,
) -> str:
    """The full diagnostic text of `error` (ends with a newline).

    `sources` maps file names (as in `Span.file`) to their text, for the source line.
    """
    where = location(error.span, fallback_file)
    head = (
        f"{_paint(where, _BOLD, color)}: {_paint(error.type_name, _RED, color)}: "
        f"{_paint(error.message, _BOLD, color)}"
    )
    out = [head]
    if error.span is not None and sources is not None:
        out += source_excerpt(error.span, sources.get(error.span.file), color)
    if error.hint:
        out.append(f"{_paint('hint', _CYAN, color)}: {error.hint}")
    return "\n".join(out) + "\n"


def render_internal(exc: BaseException, color: bool = False) -> str:
    """A diagnostic for a bug in gradlang itself (no traceback; `--debug` shows one)."""
    error = GradlangError(
        "InternalError",
        f"{type(exc).__name__}: {exc}",
        hint="this is a bug in gradlang, not in your program; "
        "run again with --debug for the Python traceback and report it",
    )
    return render(error, color=color)


def warning_line(text: str, color: bool = False) -> str:
    """A warning as received from the runtime (`FILE:LINE: UserWarning: ...`), newline-ended."""
    text = text if text.endswith("\n") else text + "\n"
    return _paint(text[:-1], _MAGENTA, color) + "\n" if color else text
