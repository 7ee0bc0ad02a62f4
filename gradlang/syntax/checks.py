"""Checks around the lowering: what Python accepts but gradlang leaves out, nesting depth,
and where `break`, `continue` and `return` may stand.

`prescan` walks the parse tree iteratively before the (recursive) lowering runs, so a deep
tree gives "too deeply nested" instead of a RecursionError, and the first unsupported
construct in the source is the one named. `check_context` walks the finished IR.
"""

from __future__ import annotations

from gradlang.errors import GradlangError, Span
from gradlang.syntax import ir
from gradlang.syntax.lalr import Token, Tree

MAX_DEPTH = 200

_STAR = "starred expressions and *args/**kwargs are not part of gradlang"

# tree data -> (message, hint)
UNSUPPORTED: dict[str, tuple[str, str | None]] = {
    "classdef": ("classes are not part of gradlang", "use functions, lists and tuples"),
    "try_stmt": ("try/except is not part of gradlang", None),
    "global_stmt": ("'global' is not part of gradlang", "return the new value instead"),
    "nonlocal_stmt": ("'nonlocal' is not part of gradlang", "return the new value instead"),
    "decorator": ("decorators are not part of gradlang", None),
    "yield_expr": ("generators ('yield') are not part of gradlang", "build and return a list"),
    "yield_stmt": ("generators ('yield') are not part of gradlang", "build and return a list"),
    "async_stmt": ("async/await is not part of gradlang", None),
    "await_op": ("async/await is not part of gradlang", None),
    "walrus": ("the walrus operator ':=' is not part of gradlang", "assign on its own line"),
    "star_expr": (_STAR, None),
    "star_arg": (_STAR, "pass the arguments one by one"),
    "kwstar_arg": (_STAR, "pass keyword arguments one by one"),
    "star_param": (_STAR, "name every parameter"),
    "kwstar_param": (_STAR, "name every parameter"),
    "lambda_star": (_STAR, "name every parameter"),
    "kwstar_lambda": (_STAR, "name every parameter"),
    "slash_param": ("positional-only parameters ('/') are not part of gradlang", None),
    "braces": ("dict and set literals ({...}) are not part of gradlang", "use a list or tuple"),
    "del_stmt": ("'del' is not part of gradlang", "assign None instead"),
    "raise_stmt": ("'raise' is not part of gradlang", "use assert"),
    "loop_else": ("'else' after a loop is not part of gradlang", None),
    "genexp": (
        "generator expressions are not part of gradlang",
        "use a list comprehension: [x for x in ...]",
    ),
    "genexp_arg": (
        "generator expressions are not part of gradlang",
        "use a list comprehension: f([x for x in ...])",
    ),
    "annassign_stmt": ("type annotations are not part of gradlang", "write `x = value`"),
    "annotation": ("type annotations are not part of gradlang", None),
    "return_annotation": ("type annotations are not part of gradlang", None),
    "import_star": ("'from ... import *' is not part of gradlang", "import names one by one"),
    "relative_dots": ("relative imports are not part of gradlang", None),
}

# Nodes that fold a flat list of operands into a left-leaning chain in the IR.
_CHAINS = {"arith_expr", "term", "shift_expr"}
# The same, where the grammar keeps no operator tokens (`a | b | c`).
_SAME_OP_CHAINS = {"bitor", "bitxor", "bitand"}


def _meta_span(tree: Tree, filename: str) -> Span | None:
    meta = tree.meta
    if getattr(meta, "empty", True):
        return None
    return Span(filename, meta.line, meta.column, meta.end_line, meta.end_column)


def prescan(root: Tree, filename: str) -> None:
    """Raise on the earliest unsupported construct, or when the tree nests too deeply."""
    first: tuple[tuple[int, int], str, Span | None] | None = None
    stack: list[tuple[Tree, int]] = [(root, 1)]
    while stack:
        tree, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise GradlangError(
                "SyntaxError",
                f"too deeply nested: more than {MAX_DEPTH} levels",
                _meta_span(tree, filename),
                "split the expression into several statements",
            )
        if tree.data in UNSUPPORTED:
            span = _meta_span(tree, filename)
            key = (span.line, span.column) if span else (0, 0)
            if first is None or key < first[0]:
                first = (key, tree.data, span)
        step = 1
        if tree.data in _CHAINS:
            step = max(1, (len(tree.children) - 1) // 2)
        elif tree.data in _SAME_OP_CHAINS:
            step = max(1, len(tree.children) - 1)
        if depth + step - 1 > MAX_DEPTH:
            raise GradlangError(
                "SyntaxError",
                f"too deeply nested: more than {MAX_DEPTH} levels",
                _meta_span(tree, filename),
                "split the expression into several statements",
            )
        for child in tree.children:
            if isinstance(child, Tree):
                stack.append((child, depth + step))
    if first is not None:
        message, hint = UNSUPPORTED[first[1]]
        raise GradlangError("SyntaxError", message, first[2], hint)


class _Where:
    """Whether a statement stands inside a loop, inside a function."""

    __slots__ = ("in_loop", "in_function")

    def __init__(self, in_loop: bool, in_function: bool) -> None:
        self.in_loop = in_loop
        self.in_function = in_function


def check_context(body: tuple[ir.Stmt, ...]) -> None:
    """`break`/`continue` only inside loops, `return` only inside functions."""
    stack: list[tuple[ir.Stmt, _Where]] = [(s, _Where(False, False)) for s in reversed(body)]
    while stack:
        stmt, where = stack.pop()
        inner: tuple[ir.Stmt, ...] = ()
        inner_where = where
        if isinstance(stmt, ir.Break) and not where.in_loop:
            raise GradlangError("SyntaxError", "'break' outside loop", stmt.span)
        if isinstance(stmt, ir.Continue) and not where.in_loop:
            raise GradlangError("SyntaxError", "'continue' not properly in loop", stmt.span)
        if isinstance(stmt, ir.Return) and not where.in_function:
            raise GradlangError("SyntaxError", "'return' outside function", stmt.span)
        if isinstance(stmt, ir.If):
            inner = stmt.body + stmt.orelse
        elif isinstance(stmt, (ir.While, ir.For)):
            inner, inner_where = stmt.body, _Where(True, where.in_function)
        elif isinstance(stmt, ir.FunctionDef):
            inner, inner_where = stmt.body, _Where(False, True)
        elif isinstance(stmt, ir.With):
            inner = stmt.body
        stack.extend((s, inner_where) for s in reversed(inner))


def token_span(tok: Token, filename: str) -> Span:
    """The span of one token."""
    line = tok.line or 1
    column = tok.column or 1
    return Span(filename, line, column, tok.end_line or line, tok.end_column or column + 1)
