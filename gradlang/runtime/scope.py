"""Which names each scope binds: Python's rule that an assigned name is local to its function.

Module code binds globals; a function's locals are its parameters and every name it assigns
(assignment and `for` targets, `def`, imports, `with ... as`), not looking into nested
functions, lambdas or comprehensions; a comprehension's locals are its `for` targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradlang.syntax import ir


@dataclass
class Scope:
    """One scope during compilation: its kind, its local names, the enclosing scope."""

    kind: str  # "module", "function" or "comprehension"
    names: set[str] = field(default_factory=set)
    parent: Scope | None = None

    def resolve(self, name: str) -> tuple[str, int]:
        """("local", 0), ("free", hops to the frame that binds it) or ("global", 0)."""
        if self.kind == "module":
            return ("global", 0)
        if name in self.names:
            return ("local", 0)
        hops = 0
        scope: Scope | None = self
        while scope is not None and scope.kind != "module":
            if name in scope.names:
                return ("free", hops)
            scope = scope.parent
            hops += 1
        return ("global", 0)


def target_names(target: ir.Expr, out: set[str]) -> None:
    """Add the names an assignment target binds."""
    if isinstance(target, ir.Name):
        out.add(target.id)
    elif isinstance(target, (ir.Tuple, ir.List)):
        for elt in target.elts:
            target_names(elt, out)


def bound_names(body: tuple[ir.Stmt, ...], out: set[str]) -> set[str]:
    """Every name the statements bind in their own scope."""
    for stmt in body:
        if isinstance(stmt, ir.Assign):
            for target in stmt.targets:
                target_names(target, out)
        elif isinstance(stmt, ir.AugAssign):
            target_names(stmt.target, out)
        elif isinstance(stmt, ir.For):
            target_names(stmt.target, out)
            bound_names(stmt.body, out)
        elif isinstance(stmt, ir.While):
            bound_names(stmt.body, out)
        elif isinstance(stmt, ir.If):
            bound_names(stmt.body, out)
            bound_names(stmt.orelse, out)
        elif isinstance(stmt, ir.With):
            if stmt.name:
                out.add(stmt.name)
            bound_names(stmt.body, out)
        elif isinstance(stmt, ir.FunctionDef):
            out.add(stmt.name)
        elif isinstance(stmt, ir.Import):
            out.add(stmt.alias or stmt.module.split(".")[0])
        elif isinstance(stmt, ir.ImportFrom):
            for item in stmt.names:
                out.add(item.alias or item.name)
    return out
