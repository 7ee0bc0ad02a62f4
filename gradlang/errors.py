"""The one exception type a program can cause, and source spans.

Everything that goes wrong because of a program (its syntax, a runtime error inside it,
a limit it hit) reaches the CLI and the REPL as a `GradlangError`. Anything else is a bug
in gradlang itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlang.syntax.codegen_cache import CodegenCache

# the methods dataclasses writes for Span, compiled once (see gradlang/syntax/ir.py)
_CODEGEN = CodegenCache(__file__, "errors")
_CODEGEN.begin()


@dataclass(frozen=True, slots=True)
class Span:
    """A region of source text: 1-based lines and columns; `end_column` is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


_CODEGEN.end()


class GradlangError(Exception):
    """An error caused by a program.

    `type_name` is what the user sees (`SyntaxError`, `RuntimeError`, `LimitError`, ...): for
    errors raised by the engine it is PyTorch's exception type, and `message` PyTorch's text.
    """

    def __init__(
        self,
        type_name: str,
        message: str,
        span: Span | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.span = span
        self.hint = hint

    def with_span(self, span: Span | None) -> GradlangError:
        """Attach a span if this error does not have one yet; returns self."""
        if self.span is None:
            self.span = span
        return self

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.type_name}: {self.message}"
