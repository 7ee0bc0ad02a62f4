"""`parse(source, filename) -> ir.Module`: gradlang source text to IR.

The LALR parser is built once per process, lazily, from grammar/gradlang.lark; lark's
`cache=` keeps the built tables in a user cache directory keyed by the grammar's hash, so
later processes load it in a few milliseconds (no cache when nothing is writable). Whatever
the input, parse() raises nothing but `GradlangError`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from gradlang.errors import GradlangError, Span
from gradlang.resources import grammar_text
from gradlang.syntax import ir

_PARSER: Any = None


def _cache_file(text: str) -> str | None:
    """A writable cache path for the built parser, or None."""
    import lark

    key = hashlib.sha256(
        f"{text}\0{lark.__version__}\0{sys.version_info[:2]}".encode()
    ).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(base) / "gradlang", Path(tempfile.gettempdir()) / "gradlang-cache"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return str(folder / f"parser-{key}.lark")
        except OSError:
            continue
    return None


def get_parser() -> Any:
    """The process-wide lark parser (built or loaded from the cache on first use)."""
    global _PARSER
    if _PARSER is None:
        from lark import Lark

        from gradlang.syntax.layout import GradlangIndenter

        text = grammar_text()
        options: dict[str, Any] = dict(
            parser="lalr",
            lexer="basic",
            postlex=GradlangIndenter(),
            propagate_positions=True,
            maybe_placeholders=True,
            start=["file_input", "eval_input"],
        )
        cache = _cache_file(text)
        try:
            _PARSER = Lark(text, cache=cache or False, **options)
        except OSError:
            _PARSER = Lark(text, **options)
    return _PARSER


def _normalise(source: str) -> str:
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    return source if source.endswith("\n") else source + "\n"


def _parse_tree(text: str, start: str, filename: str) -> Any:
    from lark.exceptions import LarkError

    from gradlang.syntax.layout import LayoutError
    from gradlang.syntax.syntax_errors import from_lark, from_layout

    parser = get_parser()
    try:
        return parser.parse(text, start=start)
    except LayoutError as err:
        raise from_layout(err, filename) from None
    except LarkError as err:
        raise from_lark(err, text, filename, parser.options.postlex.state) from None


def _lower(tree: Any, filename: str) -> Any:
    from gradlang.syntax.checks import prescan
    from gradlang.syntax.lower import lower

    prescan(tree, filename)
    return lower(
        tree, filename, lambda text, line, column: _parse_field(text, line, column, filename)
    )


def _parse_field(text: str, line: int, column: int, filename: str) -> ir.Expr:
    """Parse an f-string field's expression as if it stood at `line:column` of the file."""
    if line == 1:
        padded = "(" + " " * max(0, column - 2) + text + ")"
    else:
        padded = "(" + "\n" * (line - 1) + " " * (column - 1) + text + ")"
    try:
        tree = _parse_tree(padded + "\n", "eval_input", filename)
    except GradlangError as err:
        if err.message.startswith("invalid syntax"):
            err.message = "f-string: " + err.message
            err.args = (err.message,)
            err.hint = None
        raise
    expr: ir.Expr = _lower(tree, filename)
    return expr


def parse(source: str, filename: str = "<input>") -> ir.Module:
    """Parse a whole program (or one REPL entry) into an `ir.Module`."""
    from gradlang.syntax.checks import check_context

    try:
        if not isinstance(source, str):
            raise GradlangError("SyntaxError", "source must be text", None)
        if "\0" in source:
            line = source.count("\n", 0, source.index("\0")) + 1
            raise GradlangError(
                "SyntaxError",
                "source code cannot contain null bytes",
                Span(filename, line, 1, line, 1),
            )
        tree = _parse_tree(_normalise(source), "file_input", filename)
        module: ir.Module = _lower(tree, filename)
        check_context(module.body)
        return module
    except GradlangError:
        raise
    except RecursionError:
        raise GradlangError(
            "SyntaxError", "too deeply nested", None, "split it into smaller pieces"
        ) from None
    except Exception as err:  # a bug in gradlang; still never a traceback for the user
        raise GradlangError(
            "SyntaxError", f"internal parser error: {type(err).__name__}: {err}", None
        ) from err
