"""Where a program assigns a name inside `with no_grad():`, read from its source.

The engine records nothing for results made with grad mode off (that would cost every op),
so `why(x)` looks at the program instead: an assignment to `x` inside
`with torch.no_grad():`, `with set_grad_enabled(False):` or `with inference_mode():` is
where `x` lost its history. This is static: it says where the name is bound in such a
block, which is what a reader needs to find.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from gradlang.errors import GradlangError
from gradlang.syntax import ir

_OFF = ("no_grad", "inference_mode")


def _callee(expr: object) -> str | None:
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attribute):
        return expr.attr
    return None


def _turns_grad_off(context: object) -> bool:
    if not isinstance(context, ir.Call):
        return False
    name = _callee(context.func)
    if name in _OFF:
        return True
    if name == "set_grad_enabled" and context.args:
        flag = context.args[0]
        return isinstance(flag, ir.Constant) and flag.value is False
    return False


def _names(target: object) -> Iterator[str]:
    if isinstance(target, ir.Name):
        yield target.id
    elif isinstance(target, (ir.Tuple, ir.List)):
        for elt in target.elts:
            yield from _names(elt)


def _walk(body: Iterable[object], off: bool, name: str) -> Iterator[int]:
    for stmt in body:
        if off and isinstance(stmt, (ir.Assign, ir.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ir.Assign) else (stmt.target,)
            if any(n == name for t in targets for n in _names(t)):
                yield stmt.span.line
        inner_off = off or (isinstance(stmt, ir.With) and _turns_grad_off(stmt.context))
        if isinstance(stmt, ir.FunctionDef):
            continue  # a function body runs where it is called, not here
        for field in ("body", "orelse"):
            yield from _walk(getattr(stmt, field, ()) or (), inner_off, name)


def assigned_without_grad(name: str, sources: Mapping[str, str]) -> list[tuple[str, int]]:
    """(file, line) of every assignment to `name` inside a block that turns grad off."""
    from gradlang.syntax.parser import parse

    found: list[tuple[str, int]] = []
    for file, source in sources.items():
        try:
            module = parse(source, file)
        except GradlangError:
            continue
        found.extend((file, line) for line in _walk(module.body, False, name))
    return found
