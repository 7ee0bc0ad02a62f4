"""IR → Python source text that parses back to the same IR (spans aside).

Used by the round-trip tests and by `gradlang to-torch`. Parentheses are added from Python's
operator precedence, so `(-x) ** 2` and `-x ** 2` stay different.
"""

from __future__ import annotations

import math

from gradlang.syntax import ir

# Binding strength, loosest first; an operand below the strength its place needs gets parens.
TUPLE, LAMBDA, IFEXP, OR, AND, NOT, CMP, BOR, BXOR, BAND, SHIFT = range(11)
ARITH, TERM, UNARY, POWER, AWAIT, ATOM = range(11, 17)

_BINOP = {
    "|": BOR,
    "^": BXOR,
    "&": BAND,
    "<<": SHIFT,
    ">>": SHIFT,
    "+": ARITH,
    "-": ARITH,
    "*": TERM,
    "/": TERM,
    "//": TERM,
    "%": TERM,
    "@": TERM,
}
_INDENT = "    "


def unparse(module: ir.Module) -> str:
    """A whole module as source text (ends with a newline unless empty)."""
    lines: list[str] = []
    _block(module.body, 0, lines)
    return "".join(line + "\n" for line in lines)


def unparse_expr(expr: ir.Expr) -> str:
    """One expression as source text."""
    return _expr(expr, TUPLE)


def _precedence(expr: ir.Expr) -> int:
    if isinstance(expr, ir.Tuple):
        return ATOM  # always written with its parentheses
    if isinstance(expr, ir.Lambda):
        return LAMBDA
    if isinstance(expr, ir.IfExp):
        return IFEXP
    if isinstance(expr, ir.BoolOp):
        return OR if expr.op == "or" else AND
    if isinstance(expr, ir.UnaryOp):
        return NOT if expr.op == "not" else UNARY
    if isinstance(expr, ir.Compare):
        return CMP
    if isinstance(expr, ir.BinOp):
        return POWER if expr.op == "**" else _BINOP.get(expr.op, TERM)
    if isinstance(expr, ir.Constant) and isinstance(expr.value, (int, float)):
        if not isinstance(expr.value, bool) and (expr.value < 0 or math.isnan(expr.value)):
            return UNARY
    return ATOM


def _expr(expr: ir.Expr, needed: int) -> str:
    text = _render(expr)
    return f"({text})" if _precedence(expr) < needed else text


def _constant(value: object) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "1e999" if value > 0 else "-1e999"
        if math.isnan(value):
            return "(1e999 - 1e999)"
    if value is Ellipsis:
        return "..."
    return repr(value)


def _params(params: tuple[ir.Param, ...]) -> str:
    return ", ".join(
        p.name if p.default is None else f"{p.name}={_expr(p.default, LAMBDA)}" for p in params
    )


def _render(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Constant):
        return _constant(expr.value)
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Tuple):
        items = [_expr(e, LAMBDA) for e in expr.elts]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(expr, ir.List):
        return "[" + ", ".join(_expr(e, LAMBDA) for e in expr.elts) + "]"
    if isinstance(expr, ir.ListComp):
        return "[" + _expr(expr.elt, LAMBDA) + _generators(expr.generators) + "]"
    if isinstance(expr, ir.IfExp):
        return f"{_expr(expr.body, OR)} if {_expr(expr.test, OR)} else {_expr(expr.orelse, LAMBDA)}"
    if isinstance(expr, ir.Lambda):
        params = _params(expr.params)
        head = f"lambda {params}" if params else "lambda"
        return f"{head}: {_expr(expr.body, LAMBDA)}"
    if isinstance(expr, ir.BoolOp):
        inner = NOT if expr.op == "and" else AND
        return f" {expr.op} ".join(_expr(v, inner) for v in expr.values)
    if isinstance(expr, ir.UnaryOp):
        if expr.op == "not":
            return "not " + _expr(expr.operand, NOT)
        return expr.op + _expr(expr.operand, UNARY)
    if isinstance(expr, ir.BinOp):
        if expr.op == "**":
            return f"{_expr(expr.left, AWAIT)} ** {_expr(expr.right, UNARY)}"
        level = _BINOP.get(expr.op, TERM)
        return f"{_expr(expr.left, level)} {expr.op} {_expr(expr.right, level + 1)}"
    if isinstance(expr, ir.Compare):
        pieces = [_expr(expr.left, BOR)]
        for op, right in zip(expr.ops, expr.comparators):
            pieces.append(f"{op} {_expr(right, BOR)}")
        return " ".join(pieces)
    if isinstance(expr, ir.Call):
        args = [_expr(a, LAMBDA) for a in expr.args]
        args += [f"{k.name}={_expr(k.value, LAMBDA)}" for k in expr.keywords]
        return f"{_expr(expr.func, ATOM)}({', '.join(args)})"
    if isinstance(expr, ir.Attribute):
        value = _expr(expr.value, ATOM)
        if isinstance(expr.value, ir.Constant) and isinstance(expr.value.value, int):
            value = f"({value})"
        return f"{value}.{expr.attr}"
    if isinstance(expr, ir.Subscript):
        return f"{_expr(expr.value, ATOM)}[{_index(expr.index)}]"
    if isinstance(expr, ir.Slice):
        return _slice(expr)
    if isinstance(expr, ir.FString):
        return _fstring(expr)
    raise TypeError(f"not an IR expression: {expr!r}")


def _generators(generators: tuple[ir.Comprehension, ...]) -> str:
    out = []
    for gen in generators:
        out.append(f" for {_target(gen.target)} in {_expr(gen.iter, OR)}")
        out.extend(f" if {_expr(cond, OR)}" for cond in gen.ifs)
    return "".join(out)


def _slice(s: ir.Slice) -> str:
    lower = _expr(s.lower, LAMBDA) if s.lower is not None else ""
    upper = _expr(s.upper, LAMBDA) if s.upper is not None else ""
    text = f"{lower}:{upper}"
    return text + f":{_expr(s.step, LAMBDA)}" if s.step is not None else text


def _index(index: ir.Expr) -> str:
    if isinstance(index, ir.Tuple) and index.elts:
        items = [_slice(e) if isinstance(e, ir.Slice) else _expr(e, LAMBDA) for e in index.elts]
        return ", ".join(items) + ("," if len(items) == 1 else "")
    if isinstance(index, ir.Slice):
        return _slice(index)
    return _expr(index, LAMBDA)


def _target(target: ir.Expr) -> str:
    """A for-loop or comprehension target: a bare `a, b` tuple reads best."""
    if isinstance(target, ir.Tuple) and target.elts:
        items = [_expr(e, ARITH) for e in target.elts]
        return ", ".join(items) + ("," if len(items) == 1 else "")
    return _expr(target, ARITH)


# -- f-strings ------------------------------------------------------------------------------


def _fstring(fs: ir.FString) -> str:
    fields = [_field(p) for p in fs.parts if isinstance(p, ir.FormattedValue)]
    joined = "".join(fields)
    quote = next((q for q in ('"', "'", '"""', "'''") if q not in joined), '"')
    out: list[str] = []
    field_iter = iter(fields)
    for part in fs.parts:
        out.append(_fstring_text(part, quote) if isinstance(part, str) else next(field_iter))
    return "f" + quote + "".join(out) + quote


def _fstring_text(text: str, quote: str) -> str:
    """Literal text of an f-string, escaped for the chosen quote; braces doubled."""
    out = []
    for ch in text:
        if ch == "\\" or ch == quote[0]:
            out.append("\\" + ch)
        elif ch in "{}":
            out.append(ch * 2)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def _field(value: ir.FormattedValue) -> str:
    text = _expr(value.value, IFEXP)
    conversion = f"!{value.conversion}" if value.conversion else ""
    spec = ""
    if value.format_spec is not None:
        pieces = []
        for part in value.format_spec.parts:
            pieces.append(_field(part) if isinstance(part, ir.FormattedValue) else part)
        spec = ":" + "".join(pieces)
    return "{" + text + conversion + spec + "}"


# -- statements ------------------------------------------------------------------------------


def _block(body: tuple[ir.Stmt, ...], depth: int, lines: list[str]) -> None:
    if not body and depth:
        lines.append(_INDENT * depth + "pass")
    for stmt in body:
        _stmt(stmt, depth, lines)


def _stmt(stmt: ir.Stmt, depth: int, lines: list[str]) -> None:
    pad = _INDENT * depth
    if isinstance(stmt, ir.If):
        keyword = "if"
        while True:
            lines.append(f"{pad}{keyword} {_expr(stmt.test, LAMBDA)}:")
            _block(stmt.body, depth + 1, lines)
            orelse = stmt.orelse
            if len(orelse) == 1 and isinstance(orelse[0], ir.If):
                stmt, keyword = orelse[0], "elif"
                continue
            if orelse:
                lines.append(f"{pad}else:")
                _block(orelse, depth + 1, lines)
            return
    if isinstance(stmt, ir.While):
        lines.append(f"{pad}while {_expr(stmt.test, LAMBDA)}:")
        _block(stmt.body, depth + 1, lines)
    elif isinstance(stmt, ir.For):
        lines.append(f"{pad}for {_target(stmt.target)} in {_expr(stmt.iter, TUPLE)}:")
        _block(stmt.body, depth + 1, lines)
    elif isinstance(stmt, ir.FunctionDef):
        lines.append(f"{pad}def {stmt.name}({_params(stmt.params)}):")
        _block(stmt.body, depth + 1, lines)
    elif isinstance(stmt, ir.With):
        alias = f" as {stmt.name}" if stmt.name else ""
        lines.append(f"{pad}with {_expr(stmt.context, LAMBDA)}{alias}:")
        _block(stmt.body, depth + 1, lines)
    else:
        lines.append(pad + _simple(stmt))


def _simple(stmt: ir.Stmt) -> str:
    if isinstance(stmt, ir.ExprStmt):
        return _expr(stmt.value, TUPLE)
    if isinstance(stmt, ir.Assign):
        return " = ".join(_expr(e, TUPLE) for e in (*stmt.targets, stmt.value))
    if isinstance(stmt, ir.AugAssign):
        return f"{_expr(stmt.target, TUPLE)} {stmt.op}= {_expr(stmt.value, TUPLE)}"
    if isinstance(stmt, ir.Return):
        return "return" if stmt.value is None else f"return {_expr(stmt.value, TUPLE)}"
    if isinstance(stmt, ir.Assert):
        msg = f", {_expr(stmt.msg, LAMBDA)}" if stmt.msg is not None else ""
        return f"assert {_expr(stmt.test, LAMBDA)}{msg}"
    if isinstance(stmt, ir.Import):
        return f"import {stmt.module}" + (f" as {stmt.alias}" if stmt.alias else "")
    if isinstance(stmt, ir.ImportFrom):
        names = ", ".join(n.name + (f" as {n.alias}" if n.alias else "") for n in stmt.names)
        return f"from {stmt.module} import {names}"
    if isinstance(stmt, ir.Break):
        return "break"
    if isinstance(stmt, ir.Continue):
        return "continue"
    if isinstance(stmt, ir.Pass):
        return "pass"
    raise TypeError(f"not an IR statement: {stmt!r}")
