"""gradlang's syntax: source text → IR (`parse`), and IR → text (`unparse`, `show_ir`).

Nothing outside this package sees a lark tree; the IR lives in `gradlang.syntax.ir`.
"""

from __future__ import annotations

from gradlang.syntax.parser import parse

__all__ = ["parse"]
