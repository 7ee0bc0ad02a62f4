"""The interpreter: scopes, closures, the builtins table, attribute allow-list, limits, the
sandbox and load/save. `Interpreter` runs IR modules; `check` compiles one without running.
"""

from __future__ import annotations

from gradlang.runtime.interpreter import Interpreter
from gradlang.runtime.limits import Limits
from gradlang.runtime.values import NO_VALUE
from gradlang.syntax import ir


def check(module: ir.Module) -> None:
    """Compile `module` (scopes, imports, break/return placement, nesting) without running it;
    raises GradlangError for the first problem."""
    Interpreter(write=lambda text: None, warn=lambda text: None, seed=None).compile(module)


__all__ = ["NO_VALUE", "Interpreter", "Limits", "check"]
