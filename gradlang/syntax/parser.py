"""`parse(source, filename) -> ir.Module`: gradlang source text to IR.

The parser is the small LALR runtime of lalr.py running tables that lark computed from
grammar/gradlang.lark at build time (`tables.json`, see tables_build.py), so a process pays
neither `import lark` nor building a parser. When the grammar file no longer matches the
tables (someone edited it and did not regenerate), the tables are rebuilt in memory with
lark. Whatever the input, parse() raises nothing but `GradlangError`.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gradlang.errors import GradlangError, Span
from gradlang.resources import grammar_path
from gradlang.syntax import ir, tables_cache
from gradlang.syntax.lalr import Parser, UnexpectedCharacters, UnexpectedToken
from gradlang.syntax.layout import GradlangIndenter, LayoutError

_PARSER: Parser | None = None


TABLES = Path(__file__).with_name("tables.json")


def _read_tables(use_cache: bool = True) -> tuple[Any, list[Any] | None]:
    """tables.json's contents (None when unreadable) and, when they come from the marshal
    cache beside it (tables_cache.py), its lexer patterns compiled (None: compile them)."""
    key = tables_cache.key(TABLES)
    cached = tables_cache.load(TABLES, key) if use_cache else None
    if cached is not None:
        data, regexes = cached
        return SimpleNamespace(**data), regexes
    import json  # only when there is no usable cache (≈ 1 ms to import)

    try:
        data = json.loads(TABLES.read_text(encoding="utf-8"))
        tables = SimpleNamespace(**data)
    except (OSError, ValueError, TypeError):
        return None, None
    tables_cache.save(TABLES, data, key)
    return tables, None


def _load_tables() -> tuple[Any, list[Any] | None]:
    tables, regexes = _read_tables()
    try:
        text = grammar_path().read_text(encoding="utf-8").replace("\r\n", "\n")
    except OSError:
        text = None
    if regexes is not None and text is not None and text != tables.GRAMMAR:
        # a cache of older tables that the key did not tell apart: read the JSON itself
        tables, regexes = _read_tables(use_cache=False)
    if tables is not None and (text is None or text == tables.GRAMMAR):
        return tables, regexes
    if text is None:
        raise RuntimeError("gradlang's grammar and parser tables are both missing")
    from gradlang.syntax.tables_build import build_tables

    return SimpleNamespace(**build_tables(text)), None


def get_parser() -> Parser:
    """The process-wide parser (built on first use)."""
    global _PARSER
    if _PARSER is None:
        tables, regexes = _load_tables()
        _PARSER = Parser(tables, regexes)
    return _PARSER


def _normalise(source: str) -> str:
    if source.startswith("\ufeff"):  # a UTF-8 byte order mark, as Python ignores it
        source = source[1:]
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    return source if source.endswith("\n") else source + "\n"


def _parse_tree(text: str, start: str, filename: str) -> Any:
    layout = GradlangIndenter()  # one per parse: parse() may run in several threads
    try:
        return get_parser().parse(text, start, layout)
    except LayoutError as err:
        from gradlang.syntax.syntax_errors import from_layout

        raise from_layout(err, filename) from None
    except (UnexpectedCharacters, UnexpectedToken) as err:
        from gradlang.syntax.syntax_errors import from_parser

        raise from_parser(err, text, filename, layout.state) from None


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
        span = err.span
        if span is None or (span.line, span.column) < (line, column):
            # about the "(" this function added: the field's own brackets or quotes are off
            err.message = "invalid syntax"
            err.span = Span(filename, line, column, line, column + 1)
        if err.message.startswith("invalid syntax"):
            err.message = "f-string: " + err.message
            err.hint = None
        err.args = (err.message,)
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
