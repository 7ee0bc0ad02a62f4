"""The interpreter: scopes, closures, the builtins table, attribute allow-list, limits, the
sandbox and load/save. `Interpreter` runs IR modules; `check` compiles one without running.

How it is laid out (one job per module):
- `scope`: which names are local (Python's rule); `expressions`/`statements`: IR -> closures,
  compiled once per module, each catching its errors with its own span;
- `values`: frames, user functions, namespaces, Python reprs without addresses;
- `pyops`: Python's operators with size checks; `attributes`: the allow-list;
- `builtins` (the registry and per-interpreter table), `python_builtins`, `size_checks`
  (refusing oversized tensors before they exist), `sandbox_io` (load/save);
- `limits`: `Limits` and the step/time/memory `Meter`; `failures`: exception -> GradlangError.

Adding a statement: grammar rule -> IR class -> lowering -> an `s_NAME` method in
`statements.Compiler` (an expression: `e_NAME` in `expressions`) -> a program in
tests/programs. Adding a builtin: `builtins.register(name, fn, context=True)`; a context
entry is called as `fn(interp, *args, **kwargs)`.
"""

from __future__ import annotations

from gradlang.runtime.interpreter import Interpreter
from gradlang.runtime.limits import Limits
from gradlang.runtime.values import NO_VALUE
from gradlang.syntax import ir


def check(module: ir.Module) -> None:
    """Compile `module` (scopes, imports, break/return placement, nesting, names that nothing
    binds) without running it; raises GradlangError for the first problem."""
    from gradlang.errors import GradlangError
    from gradlang.runtime.scope import bound_names
    from gradlang.runtime.statements import Compiler, compile_module

    interp = Interpreter(write=lambda text: None, warn=lambda text: None, seed=None)
    compiler = Compiler(interp)
    compiler.module_names = bound_names(module.body, set())
    compile_module(compiler, module)
    if compiler.unresolved:
        name, span = compiler.unresolved[0]
        raise GradlangError("NameError", f"name '{name}' is not defined", span)


__all__ = ["NO_VALUE", "Interpreter", "Limits", "check"]
