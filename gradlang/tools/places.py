"""Where a span is, in the words the tools use: `line N` in a program file, `input K` for the
REPL's K-th input (its diagnostics say `<input-K>:N:C`), `input K, line N` inside a block."""

from __future__ import annotations

import re

#: The file name the REPL gives its K-th input (`repl_input(K)`), and its pattern.
REPL_INPUT = "<input-{}>"
_REPL_INPUT = re.compile(r"<input-(\d+)>")


def repl_input(count: int) -> str:
    return REPL_INPUT.format(count)


def place(span: object) -> str | None:
    """`line N`, `input K` or `input K, line N` for a span-like value; None without a line."""
    line = getattr(span, "line", None)
    if not isinstance(line, int):
        return None
    file = getattr(span, "file", None)
    found = _REPL_INPUT.fullmatch(file) if isinstance(file, str) else None
    if found is None:
        return f"line {line}"
    return f"input {found[1]}" if line == 1 else f"input {found[1]}, line {line}"
