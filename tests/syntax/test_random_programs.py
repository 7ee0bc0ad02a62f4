"""Random whole programs (blocks, nesting, every statement kind): gradlang's IR has the
structure Python's `ast` gives the same text, and parse → unparse → parse is the identity."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syntax_helpers import roundtrip
from test_against_python import _expressions, from_ir, from_python

from gradlang.syntax import ir, parse

_NAMES = st.sampled_from(["a", "b", "x", "y"])
_OPS = st.sampled_from(["+", "-", "*", "/", "**", "@"])


def _simple(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(_NAMES, expr).map(lambda t: f"{t[0]} = {t[1]}"),
        st.tuples(_NAMES, _NAMES, expr).map(lambda t: f"{t[0]}, {t[1]} = {t[2]}, {t[2]}"),
        st.tuples(_NAMES, _OPS, expr).map(lambda t: f"{t[0]} {t[1]}= {t[2]}"),
        st.tuples(_NAMES, expr).map(lambda t: f"{t[0]}[0] = {t[1]}"),
        expr.map(lambda e: f"print({e}, sep='')"),
        expr.map(lambda e: f"assert {e}, 'message'"),
        st.just("pass"),
        st.just("import torch"),
        st.just("from torch import tensor as t"),
    )


def _block(depth: int, in_loop: bool, in_def: bool) -> st.SearchStrategy[list[str]]:
    expr = _expressions()
    simple = _simple(expr)
    if in_loop:
        simple = st.one_of(simple, st.sampled_from(["break", "continue"]))
    if in_def:
        simple = st.one_of(simple, expr.map(lambda e: f"return {e}"))
    if depth == 0:
        return st.lists(simple, min_size=1, max_size=3)

    def indent(lines: list[str]) -> list[str]:
        return ["    " + line for line in lines]

    inner = _block(depth - 1, in_loop, in_def)
    loop_inner = _block(depth - 1, True, in_def)
    def_inner = _block(depth - 1, False, True)
    compound = st.one_of(
        st.tuples(expr, inner, inner).map(
            lambda t: [f"if {t[0]}:", *indent(t[1]), "else:", *indent(t[2])]
        ),
        st.tuples(expr, inner, expr, inner).map(
            lambda t: [f"if {t[0]}:", *indent(t[1]), f"elif {t[2]}:", *indent(t[3])]
        ),
        st.tuples(expr, loop_inner).map(lambda t: [f"while {t[0]}:", *indent(t[1])]),
        st.tuples(_NAMES, expr, loop_inner).map(
            lambda t: [f"for {t[0]}, _i in zip({t[1]}, r):", *indent(t[2])]
        ),
        st.tuples(_NAMES, def_inner).map(lambda t: [f"def {t[0]}(p, q=1):", *indent(t[1])]),
        inner.map(lambda body: ["with torch.no_grad():", *indent(body)]),
    )
    return st.lists(st.one_of(simple.map(lambda s: [s]), compound), min_size=1, max_size=3).map(
        lambda blocks: [line for block in blocks for line in block]
    )


def _stmt_python(node: ast.stmt) -> object:
    if isinstance(node, ast.Expr):
        return ("expr", from_python(node.value))
    if isinstance(node, ast.Assign):
        return ("assign", tuple(from_python(t) for t in node.targets), from_python(node.value))
    if isinstance(node, ast.AugAssign):
        op = from_python(ast.BinOp(ast.Name("l"), node.op, ast.Name("r")))[1]  # type: ignore[index]
        return ("aug", from_python(node.target), op, from_python(node.value))
    if isinstance(node, ast.If):
        return (
            "if",
            from_python(node.test),
            tuple(map(_stmt_python, node.body)),
            tuple(map(_stmt_python, node.orelse)),
        )
    if isinstance(node, ast.While):
        return ("while", from_python(node.test), tuple(map(_stmt_python, node.body)))
    if isinstance(node, ast.For):
        body = tuple(map(_stmt_python, node.body))
        return ("for", from_python(node.target), from_python(node.iter), body)
    if isinstance(node, ast.FunctionDef):
        args = tuple(a.arg for a in node.args.args)
        return ("def", node.name, args, tuple(map(_stmt_python, node.body)))
    if isinstance(node, ast.With):
        (item,) = node.items
        return ("with", from_python(item.context_expr), tuple(map(_stmt_python, node.body)))
    if isinstance(node, ast.Return):
        return ("return", from_python(node.value) if node.value else None)
    if isinstance(node, ast.Assert):
        return ("assert", from_python(node.test), from_python(node.msg) if node.msg else None)
    return (type(node).__name__.lower(),)


def _stmt_ir(node: ir.Stmt) -> object:
    if isinstance(node, ir.ExprStmt):
        return ("expr", from_ir(node.value))
    if isinstance(node, ir.Assign):
        return ("assign", tuple(from_ir(t) for t in node.targets), from_ir(node.value))
    if isinstance(node, ir.AugAssign):
        return ("aug", from_ir(node.target), node.op, from_ir(node.value))
    if isinstance(node, ir.If):
        body, orelse = tuple(map(_stmt_ir, node.body)), tuple(map(_stmt_ir, node.orelse))
        return ("if", from_ir(node.test), body, orelse)
    if isinstance(node, ir.While):
        return ("while", from_ir(node.test), tuple(map(_stmt_ir, node.body)))
    if isinstance(node, ir.For):
        body = tuple(map(_stmt_ir, node.body))
        return ("for", from_ir(node.target), from_ir(node.iter), body)
    if isinstance(node, ir.FunctionDef):
        args = tuple(p.name for p in node.params)
        return ("def", node.name, args, tuple(map(_stmt_ir, node.body)))
    if isinstance(node, ir.With):
        return ("with", from_ir(node.context), tuple(map(_stmt_ir, node.body)))
    if isinstance(node, ir.Return):
        return ("return", from_ir(node.value) if node.value else None)
    if isinstance(node, ir.Assert):
        return ("assert", from_ir(node.test), from_ir(node.msg) if node.msg else None)
    return ({"ImportFrom": "importfrom"}.get(type(node).__name__, type(node).__name__.lower()),)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_block(2, False, False))
def test_random_programs(lines: list[str]) -> None:
    source = "\n".join(lines) + "\n"
    try:
        python = ast.parse(source)
    except SyntaxError:
        return
    module = parse(source)
    assert tuple(map(_stmt_ir, module.body)) == tuple(map(_stmt_python, python.body)), source
    first, second, text = roundtrip(source)
    assert first == second, text
