"""gradlang's syntax: source text → IR (`parse`), and IR → text (`unparse`, `show_ir`).

Nothing outside this package sees a lark tree; the IR lives in `gradlang.syntax.ir`.
`parse` is imported on first use (`from gradlang.syntax import parse`), so that importing
one light submodule (`codegen_cache`, which `gradlang.errors` uses) loads no parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradlang.syntax.parser import parse

__all__ = ["parse"]


def __getattr__(name: str) -> Any:
    if name == "parse":
        from gradlang.syntax.parser import parse

        return parse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
