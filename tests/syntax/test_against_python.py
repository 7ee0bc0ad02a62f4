"""The parser agrees with Python's own `ast` on expression structure: precedence,
associativity, chained comparisons, string escapes and f-strings."""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlang.syntax import ir, parse

_OPS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.MatMult: "@", ast.Pow: "**", ast.USub: "-", ast.UAdd: "+",
    ast.Not: "not", ast.And: "and", ast.Or: "or", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
    ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not",
    ast.In: "in", ast.NotIn: "not in", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.Invert: "~", ast.LShift: "<<", ast.RShift: ">>",
}  # fmt: skip
_CONVERSIONS = {-1: None, 114: "r", 115: "s", 97: "a"}


def from_python(node: ast.AST) -> object:
    """A Python expression as nested tuples (the same shape as `from_ir`)."""
    if isinstance(node, ast.Constant):
        return ("const", node.value)
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.BinOp):
        return ("bin", _OPS[type(node.op)], from_python(node.left), from_python(node.right))
    if isinstance(node, ast.UnaryOp):
        return ("unary", _OPS[type(node.op)], from_python(node.operand))
    if isinstance(node, ast.BoolOp):
        return ("bool", _OPS[type(node.op)], tuple(from_python(v) for v in node.values))
    if isinstance(node, ast.Compare):
        return (
            "cmp",
            from_python(node.left),
            tuple(_OPS[type(o)] for o in node.ops),
            tuple(from_python(c) for c in node.comparators),
        )
    if isinstance(node, ast.IfExp):
        return ("ifexp", from_python(node.test), from_python(node.body), from_python(node.orelse))
    if isinstance(node, ast.Call):
        return (
            "call",
            from_python(node.func),
            tuple(from_python(a) for a in node.args),
            tuple((k.arg, from_python(k.value)) for k in node.keywords),
        )
    if isinstance(node, ast.Attribute):
        return ("attr", from_python(node.value), node.attr)
    if isinstance(node, ast.Subscript):
        return ("sub", from_python(node.value), from_python(node.slice))
    if isinstance(node, ast.Slice):
        parts = (node.lower, node.upper, node.step)
        return ("slice", *(from_python(p) if p is not None else None for p in parts))
    if isinstance(node, ast.Tuple):
        return ("tuple", tuple(from_python(e) for e in node.elts))
    if isinstance(node, ast.List):
        return ("list", tuple(from_python(e) for e in node.elts))
    if isinstance(node, ast.JoinedStr):
        return ("f", tuple(from_python(v) for v in node.values))
    if isinstance(node, ast.FormattedValue):
        spec = from_python(node.format_spec) if node.format_spec is not None else None
        return ("fv", from_python(node.value), _CONVERSIONS[node.conversion], spec)
    if isinstance(node, ast.ListComp):
        gens = tuple(
            (from_python(g.target), from_python(g.iter), tuple(from_python(i) for i in g.ifs))
            for g in node.generators
        )
        return ("listcomp", from_python(node.elt), gens)
    if isinstance(node, ast.Lambda):
        names = tuple(a.arg for a in node.args.args)
        return ("lambda", names, from_python(node.body))
    raise NotImplementedError(type(node).__name__)


def from_ir(node: object) -> object:
    """An IR expression as nested tuples."""
    if isinstance(node, ir.Constant):
        return ("const", node.value)
    if isinstance(node, ir.Name):
        return ("name", node.id)
    if isinstance(node, ir.BinOp):
        return ("bin", node.op, from_ir(node.left), from_ir(node.right))
    if isinstance(node, ir.UnaryOp):
        return ("unary", node.op, from_ir(node.operand))
    if isinstance(node, ir.BoolOp):
        return ("bool", node.op, tuple(from_ir(v) for v in node.values))
    if isinstance(node, ir.Compare):
        return ("cmp", from_ir(node.left), node.ops, tuple(from_ir(c) for c in node.comparators))
    if isinstance(node, ir.IfExp):
        return ("ifexp", from_ir(node.test), from_ir(node.body), from_ir(node.orelse))
    if isinstance(node, ir.Call):
        return (
            "call",
            from_ir(node.func),
            tuple(from_ir(a) for a in node.args),
            tuple((k.name, from_ir(k.value)) for k in node.keywords),
        )
    if isinstance(node, ir.Attribute):
        return ("attr", from_ir(node.value), node.attr)
    if isinstance(node, ir.Subscript):
        return ("sub", from_ir(node.value), from_ir(node.index))
    if isinstance(node, ir.Slice):
        parts = (node.lower, node.upper, node.step)
        return ("slice", *(from_ir(p) if p is not None else None for p in parts))
    if isinstance(node, ir.Tuple):
        return ("tuple", tuple(from_ir(e) for e in node.elts))
    if isinstance(node, ir.List):
        return ("list", tuple(from_ir(e) for e in node.elts))
    if isinstance(node, ir.FString):
        return ("f", tuple(("const", p) if isinstance(p, str) else from_ir(p) for p in node.parts))
    if isinstance(node, ir.FormattedValue):
        spec = from_ir(node.format_spec) if node.format_spec is not None else None
        return ("fv", from_ir(node.value), node.conversion, spec)
    if isinstance(node, ir.ListComp):
        gens = tuple(
            (from_ir(g.target), from_ir(g.iter), tuple(from_ir(i) for i in g.ifs))
            for g in node.generators
        )
        return ("listcomp", from_ir(node.elt), gens)
    if isinstance(node, ir.Lambda):
        return ("lambda", tuple(p.name for p in node.params), from_ir(node.body))
    raise NotImplementedError(type(node).__name__)


def agree(source: str) -> None:
    (stmt,) = parse(source).body
    assert isinstance(stmt, ir.ExprStmt)
    python = ast.parse(source, mode="eval").body
    assert from_ir(stmt.value) == from_python(python), source


EXPRESSIONS = [
    "-x ** 2", "(-x) ** 2", "a ** b ** c", "2 ** -1", "-2 ** -2", "a * b + c * d",
    "a - b - c", "a / b / c", "a // b * c % d", "a @ b @ c", "a + b @ c", "- - a", "+-a",
    "not a == b", "not a and not b or c", "a or b and c", "a and b or c and d",
    "a < b < c", "a == b != c", "a is not None", "a not in b", "not a in b",
    "a if b else c if d else e", "(a if b else c) if d else e", "lambda: a if b else c",
    "a + b if c < d else -e", "f(a)(b)[c].d", "x[1:2, ::3, ..., None]", "x[a, b]",
    "x[(a, b)]", "x[-1:]", "f(a, b=c, d=e)", "[a, (b, c), []]",
    "(a,)", "()", "x.T @ y.t()", "a < b == c is d", "-a.b ** -c.d",
    "[i * 2 for i in r if i if not i for j in i]", "[a for a, b in c]", "lambda x, y: x + y",
]  # fmt: skip

STRINGS = [
    r"'\x41\101\u00e9\N{BULLET}\0\a\b\f\n\r\t\v\\\'\"'",
    r"'\q \d \8'", r"r'\n\x'", r"'''a" "\n" r"b'''", r'"it\'s"', "'a' 'b'",
    r"'\
continued'",
]  # fmt: skip

FSTRINGS = [
    "f'{x}'", "f'a{x}b{y}c'", "f'{x!r}'", "f'{x!s:>10}'", "f'{x:.4f}'", "f'{x:>{w}.{p}f}'",
    "f'{{}} {{x}} }}'", "f\"{d['k']}\"", "f'{x=}'", "f'{x = }'", "f'{x=:.2f}'", "f'{x=!s}'",
    "f'{a, b}'", "f'{a!=b}'", "f'{[i for i in r]}'", "f'{x.grad}' 'tail'", "'head' f'{x}'",
    r"f'\n{x}\t'", r"rf'\n{x}'", "f'{x:{y}}'", "f'{(lambda: 1)()}'", "f'{a if b else c}'",
    'f"""{x}\n{y}"""', "f'{3.5:e}'", "f''", "f'plain'", "f'{x:}'",
]  # fmt: skip


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_expression_structure(source: str) -> None:
    agree(source)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("source", STRINGS)
def test_string_values(source: str) -> None:
    (stmt,) = parse(source).body
    assert isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Constant)
    assert stmt.value.value == ast.literal_eval(source)


@pytest.mark.parametrize("source", FSTRINGS)
def test_fstring_structure(source: str) -> None:
    (stmt,) = parse(source).body
    python = ast.parse(source, mode="eval").body
    ours = from_ir(stmt.value)
    theirs = from_python(python)
    if isinstance(stmt.value, ir.Constant):  # an f-string without fields
        assert theirs in (("f", (ours,)), ("f", ()), ours)
        return
    if theirs[0] == "const":
        theirs = ("f", (theirs,))
    assert ours == theirs, source


# -- random expressions ---------------------------------------------------------------------

_ATOMS = st.sampled_from(["a", "b", "c", "1", "2.5", "x.y", "f(a)", "t[0]", "None"])
_BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "@", "**", "and", "or", "<", "<=",
                           "==", "!=", "is", "is not", "in", "not in", ">", ">=",
                           "&", "|", "^", "<<", ">>"])  # fmt: skip
_UNARY = st.sampled_from(["-", "+", "not ", "~"])


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, _BINARY, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(_UNARY, inner).map(lambda t: f"{t[0]}{t[1]}"),
            inner.map(lambda e: f"({e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
        ),
        max_leaves=12,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_expressions_match_python(source: str) -> None:
    try:
        ast.parse(source, mode="eval")
    except SyntaxError:
        return  # e.g. `a + not b`; gradlang must reject it too
    agree(source)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_expressions_roundtrip(source: str) -> None:
    from syntax_helpers import roundtrip

    from gradlang.errors import GradlangError

    try:
        first, second, text = roundtrip(source)
    except GradlangError:
        return
    assert first == second, text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_random_python_syntax_errors_are_ours_too(source: str) -> None:
    from gradlang.errors import GradlangError

    try:
        ast.parse(source, mode="eval")
        python_ok = True
    except SyntaxError:
        python_ok = False
    try:
        parse(source)
        ours_ok = True
    except GradlangError:
        ours_ok = False
    assert ours_ok == python_ok, source
