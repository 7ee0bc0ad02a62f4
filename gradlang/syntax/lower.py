"""The lowering: parse tree → the IR of gradlang/syntax/ir.py (a Transformer, bottom-up:
one method `on_<rule or alias>` per tree kind, given its meta and its lowered children).

Every node gets the `Span` the parser propagated. Constructs the grammar accepts only to
name them (classes, `*args`, ...) are rejected before this runs (`checks.prescan`); what is
left to reject here needs the lowered pieces: assignment targets, keyword arguments,
parameters, attribute names, literals. f-string fields are parsed through `parse_field`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from gradlang.errors import GradlangError, Span
from gradlang.syntax import ir
from gradlang.syntax.checks import token_span
from gradlang.syntax.lalr import Meta, Token, Tree
from gradlang.syntax.strings import (
    Field,
    StringError,
    decode_escapes,
    split_fstring,
    split_literal,
)

ParseField = Callable[[str, int, int], ir.Expr]

_ASSIGN_HINT = "Maybe you meant '==' instead of '='?"


def _syntax_error(message: str, span: Span | None, hint: str | None = None) -> NoReturn:
    raise GradlangError("SyntaxError", message, span, hint)


def _flatten(items: list[Any]) -> tuple[ir.Stmt, ...]:
    out: list[ir.Stmt] = []
    for item in items:
        if isinstance(item, list):
            out.extend(item)
        elif item is not None:
            out.append(item)
    return tuple(out)


def _join(start: Span, end: Span) -> Span:
    return Span(start.file, start.line, start.column, end.end_line, end.end_column)


def _target_problem(node: ir.Expr) -> tuple[str, Span] | None:
    """Why `node` cannot be assigned to (and where), or None when it can."""
    if isinstance(node, (ir.Name, ir.Attribute, ir.Subscript)):
        return None
    if isinstance(node, (ir.Tuple, ir.List)):
        for elt in node.elts:
            problem = _target_problem(elt)
            if problem:
                return problem
        return None
    if isinstance(node, ir.Constant):
        if node.value is None or isinstance(node.value, bool):
            return f"cannot assign to {node.value}", node.span
        if node.value is Ellipsis:
            return "cannot assign to ellipsis here. " + _ASSIGN_HINT, node.span
        return "cannot assign to literal here. " + _ASSIGN_HINT, node.span
    kinds: dict[type, str] = {
        ir.Call: "function call here. " + _ASSIGN_HINT,
        ir.Compare: "comparison",
        ir.IfExp: "conditional expression",
        ir.Lambda: "lambda",
        ir.ListComp: "list comprehension",
        ir.FString: "f-string expression",
        ir.Slice: "slice",
    }
    what = kinds.get(type(node), "expression here. " + _ASSIGN_HINT)
    return "cannot assign to " + what, node.span


class Lowering:
    """Tree → IR for one source file (or one f-string field)."""

    def __init__(self, filename: str, parse_field: ParseField) -> None:
        self.filename = filename
        self.parse_field = parse_field

    def transform(self, tree: Tree) -> Any:
        """Lower `tree` bottom-up (its depth is bounded by checks.prescan)."""
        children = [self.transform(c) if isinstance(c, Tree) else c for c in tree.children]
        method = getattr(self, "on_" + tree.data, None)
        if method is None:
            return self._unknown(tree.data, tree.meta)
        return method(tree.meta, children)

    # -- spans ------------------------------------------------------------------------

    def _span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.filename, 1, 1, 1, 1)
        return Span(self.filename, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, tok: Token) -> Span:
        return token_span(tok, self.filename)

    def _name(self, tok: Token) -> str:
        """An identifier as Python reads it: NFKC-normalised, every character allowed."""
        name = str(tok)
        if name.isascii():
            return name
        if not name.isidentifier():
            bad = next((ch for ch in name if not ("a" + ch).isidentifier()), name[0])
            column = tok.column + name.find(bad)
            span = Span(self.filename, tok.line, column, tok.line, column + 1)
            _syntax_error(f"invalid character '{bad}' (U+{ord(bad):04X})", span)
        import unicodedata  # a non-ASCII name: rare, and the module is large to load

        return unicodedata.normalize("NFKC", name)

    def _block_span(self, meta: Meta, last: tuple[ir.Stmt, ...]) -> Span:
        """A compound statement: from its keyword to the end of its last statement."""
        start = self._span(meta)
        return _join(start, last[-1].span) if last else start

    def _unknown(self, data: str, meta: Meta) -> NoReturn:
        _syntax_error(f"unsupported syntax ({data})", self._span(meta))

    # -- module and blocks -------------------------------------------------------------

    def on_file_input(self, meta: Meta, children: list[Any]) -> ir.Module:
        return ir.Module(self._span(meta), _flatten(children))

    def on_eval_input(self, meta: Meta, children: list[Any]) -> ir.Expr:
        return children[0]

    def on_simple_stmt(self, meta: Meta, children: list[Any]) -> list[ir.Stmt]:
        return list(_flatten(children))

    def on_suite(self, meta: Meta, children: list[Any]) -> tuple[ir.Stmt, ...]:
        return _flatten(children)

    # -- simple statements --------------------------------------------------------------

    def on_expr_stmt(self, meta: Meta, children: list[Any]) -> ir.ExprStmt:
        return ir.ExprStmt(self._span(meta), children[0])

    def on_assign_stmt(self, meta: Meta, children: list[Any]) -> ir.Assign:
        *targets, value = children
        for target in targets:
            self._check_target(target)
        return ir.Assign(self._span(meta), tuple(targets), value)

    def _check_target(self, target: ir.Expr) -> None:
        problem = _target_problem(target)
        if problem:
            _syntax_error(*problem)

    def on_augassign_stmt(self, meta: Meta, children: list[Any]) -> ir.AugAssign:
        target, op, value = children
        if not isinstance(target, (ir.Name, ir.Attribute, ir.Subscript)):
            kind = {ir.Tuple: "tuple", ir.List: "list"}.get(type(target), "expression")
            _syntax_error(
                f"'{kind}' is an illegal expression for augmented assignment", target.span
            )
        return ir.AugAssign(self._span(meta), target, op, value)

    def on_aug_op(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])[:-1]

    def on_pass_stmt(self, meta: Meta, children: list[Any]) -> ir.Pass:
        return ir.Pass(self._span(meta))

    def on_break_stmt(self, meta: Meta, children: list[Any]) -> ir.Break:
        return ir.Break(self._span(meta))

    def on_continue_stmt(self, meta: Meta, children: list[Any]) -> ir.Continue:
        return ir.Continue(self._span(meta))

    def on_return_stmt(self, meta: Meta, children: list[Any]) -> ir.Return:
        return ir.Return(self._span(meta), children[0])

    def on_assert_stmt(self, meta: Meta, children: list[Any]) -> ir.Assert:
        return ir.Assert(self._span(meta), children[0], children[1])

    def on_import_stmt(self, meta: Meta, children: list[Any]) -> list[ir.Stmt]:
        return [ir.Import(self._span(meta), module, alias) for _, module, alias in children]

    def on_dotted_as_name(self, meta: Meta, children: list[Any]) -> tuple[Span, str, str | None]:
        alias = children[1]
        return (self._span(meta), children[0], self._name(alias) if alias is not None else None)

    def on_dotted_name(self, meta: Meta, children: list[Token]) -> str:
        return ".".join(self._name(c) for c in children)

    def on_import_from(self, meta: Meta, children: list[Any]) -> ir.ImportFrom:
        module, *names = children
        return ir.ImportFrom(self._span(meta), module, tuple(names))

    def on_import_as_name(self, meta: Meta, children: list[Any]) -> ir.ImportName:
        name, alias = children
        alias_name = self._name(alias) if alias else None
        return ir.ImportName(self._span(meta), self._name(name), alias_name)

    # -- compound statements -------------------------------------------------------------

    def on_if_stmt(self, meta: Meta, children: list[Any]) -> ir.If:
        test, body, *elifs, orelse = children
        rest: tuple[ir.Stmt, ...] = orelse or ()
        for elif_meta, elif_test, elif_body in reversed(elifs):
            span = self._block_span(elif_meta, rest or elif_body)
            rest = (ir.If(span, elif_test, elif_body, rest),)
        return ir.If(self._block_span(meta, rest or body), test, body, rest)

    def on_elif_clause(self, meta: Meta, children: list[Any]) -> tuple[Meta, ir.Expr, Any]:
        return (meta, children[0], children[1])

    def on_while_stmt(self, meta: Meta, children: list[Any]) -> ir.While:
        test, body, _ = children
        return ir.While(self._block_span(meta, body), test, body)

    def on_for_stmt(self, meta: Meta, children: list[Any]) -> ir.For:
        target, iterable, body, _ = children
        self._check_target(target)
        return ir.For(self._block_span(meta, body), target, iterable, body)

    def on_funcdef(self, meta: Meta, children: list[Any]) -> ir.FunctionDef:
        name, params, _, body = children
        params = tuple(params or ())
        return ir.FunctionDef(self._block_span(meta, body), self._name(name), params, body)

    def on_parameters(self, meta: Meta, children: list[ir.Param]) -> tuple[ir.Param, ...]:
        return self._check_params(children)

    def on_lambda_params(self, meta: Meta, children: list[ir.Param]) -> tuple[ir.Param, ...]:
        return self._check_params(children)

    def _check_params(self, params: list[ir.Param]) -> tuple[ir.Param, ...]:
        seen: set[str] = set()
        has_default = False
        for param in params:
            if param.name in seen:
                _syntax_error(
                    f"duplicate argument '{param.name}' in function definition", param.span
                )
            seen.add(param.name)
            if param.default is not None:
                has_default = True
            elif has_default:
                _syntax_error("non-default argument follows default argument", param.span)
        return tuple(params)

    def on_param(self, meta: Meta, children: list[Any]) -> ir.Param:
        name, _, default = children
        return ir.Param(self._span(meta), self._name(name), default)

    def on_lambda_param(self, meta: Meta, children: list[Any]) -> ir.Param:
        name, default = children
        return ir.Param(self._span(meta), self._name(name), default)

    def on_with_stmt(self, meta: Meta, children: list[Any]) -> ir.With:
        *items, body = children
        for item_span, context, name in reversed(items[1:]):
            body = (ir.With(_join(item_span, body[-1].span), context, name, body),)
        _, context, name = items[0]
        return ir.With(self._block_span(meta, body), context, name, body)

    def on_with_item(self, meta: Meta, children: list[Any]) -> tuple[Span, ir.Expr, str | None]:
        context, target = children
        if target is not None and not isinstance(target, ir.Name):
            _syntax_error("only a name can follow 'as' in a gradlang 'with' statement", target.span)
        return (self._span(meta), context, target.id if target is not None else None)

    # -- expressions ------------------------------------------------------------------------

    def on_tuple(self, meta: Meta, children: list[ir.Expr]) -> ir.Tuple:
        return ir.Tuple(self._span(meta), tuple(children))

    def on_list(self, meta: Meta, children: list[ir.Expr]) -> ir.List:
        return ir.List(self._span(meta), tuple(children))

    def on_listcomp(self, meta: Meta, children: list[Any]) -> ir.ListComp:
        elt, *generators = children
        return ir.ListComp(self._span(meta), elt, tuple(generators))

    def on_comp_for(self, meta: Meta, children: list[Any]) -> ir.Comprehension:
        target, iterable, *ifs = children
        self._check_target(target)
        return ir.Comprehension(self._span(meta), target, iterable, tuple(ifs))

    def on_comp_if(self, meta: Meta, children: list[Any]) -> ir.Expr:
        return children[0]

    def on_ifexp(self, meta: Meta, children: list[Any]) -> ir.IfExp:
        body, test, orelse = children
        return ir.IfExp(self._span(meta), test, body, orelse)

    def on_lambdef(self, meta: Meta, children: list[Any]) -> ir.Lambda:
        params, body = children
        return ir.Lambda(self._span(meta), tuple(params or ()), body)

    def on_or_test(self, meta: Meta, children: list[ir.Expr]) -> ir.BoolOp:
        return ir.BoolOp(self._span(meta), "or", tuple(children))

    def on_and_test(self, meta: Meta, children: list[ir.Expr]) -> ir.BoolOp:
        return ir.BoolOp(self._span(meta), "and", tuple(children))

    def on_not_op(self, meta: Meta, children: list[ir.Expr]) -> ir.UnaryOp:
        return ir.UnaryOp(self._span(meta), "not", children[0])

    def on_comparison(self, meta: Meta, children: list[Any]) -> ir.Compare:
        return ir.Compare(
            self._span(meta), children[0], tuple(children[1::2]), tuple(children[2::2])
        )

    def on_comp_op(self, meta: Meta, children: list[Token]) -> str:
        return " ".join(str(c) for c in children)

    def _fold(self, meta: Meta, children: list[Any]) -> ir.Expr:
        result: ir.Expr = children[0]
        last = len(children) - 2
        for i in range(1, len(children), 2):
            right = children[i + 1]
            span = self._span(meta) if i == last else _join(result.span, right.span)
            result = ir.BinOp(span, str(children[i]), result, right)
        return result

    on_arith_expr = _fold
    on_term = _fold
    on_shift_expr = _fold

    def _fold_same(self, op: str, meta: Meta, children: list[Any]) -> ir.Expr:
        """`a | b | c`: the grammar drops the operator tokens, all the same."""
        result: ir.Expr = children[0]
        for i, right in enumerate(children[1:], 2):
            span = self._span(meta) if i == len(children) else _join(result.span, right.span)
            result = ir.BinOp(span, op, result, right)
        return result

    def on_bitor(self, meta: Meta, children: list[Any]) -> ir.Expr:
        return self._fold_same("|", meta, children)

    def on_bitxor(self, meta: Meta, children: list[Any]) -> ir.Expr:
        return self._fold_same("^", meta, children)

    def on_bitand(self, meta: Meta, children: list[Any]) -> ir.Expr:
        return self._fold_same("&", meta, children)

    def on_factor(self, meta: Meta, children: list[Any]) -> ir.UnaryOp:
        op, operand = children
        return ir.UnaryOp(self._span(meta), str(op), operand)

    def on_power(self, meta: Meta, children: list[Any]) -> ir.BinOp:
        return ir.BinOp(self._span(meta), "**", children[0], children[1])

    def on_call(self, meta: Meta, children: list[Any]) -> ir.Call:
        func, arguments = children
        args: list[ir.Expr] = []
        keywords: list[ir.Keyword] = []
        for item in arguments or ():
            if isinstance(item, ir.Keyword):
                if any(k.name == item.name for k in keywords):
                    _syntax_error(f"keyword argument repeated: {item.name}", item.span)
                keywords.append(item)
            elif keywords:
                _syntax_error("positional argument follows keyword argument", item.span)
            else:
                args.append(item)
        return ir.Call(self._span(meta), func, tuple(args), tuple(keywords))

    def on_arguments(self, meta: Meta, children: list[Any]) -> list[Any]:
        return children

    def on_kwarg(self, meta: Meta, children: list[Any]) -> ir.Keyword:
        name, value = children
        if not isinstance(name, ir.Name):
            _syntax_error(
                'expression cannot contain assignment, perhaps you meant "=="?', name.span
            )
        return ir.Keyword(self._span(meta), name.id, value)

    def on_getitem(self, meta: Meta, children: list[Any]) -> ir.Subscript:
        return ir.Subscript(self._span(meta), children[0], children[1])

    def on_subscript_tuple(self, meta: Meta, children: list[ir.Expr]) -> ir.Tuple:
        return ir.Tuple(self._span(meta), tuple(children))

    def on_slice(self, meta: Meta, children: list[Any]) -> ir.Slice:
        lower, upper, step = children
        return ir.Slice(self._span(meta), lower, upper, step)

    def on_getattr(self, meta: Meta, children: list[Any]) -> ir.Attribute:
        value, name = children
        if name.startswith("_"):
            _syntax_error(
                "attribute names that start with '_' are not allowed in gradlang",
                self._tspan(name),
            )
        return ir.Attribute(self._span(meta), value, self._name(name))

    def on_var(self, meta: Meta, children: list[Token]) -> ir.Name:
        return ir.Name(self._span(meta), self._name(children[0]))

    def on_ellipsis(self, meta: Meta, children: list[Any]) -> ir.Constant:
        return ir.Constant(self._span(meta), Ellipsis)

    def on_const_none(self, meta: Meta, children: list[Any]) -> ir.Constant:
        return ir.Constant(self._span(meta), None)

    def on_const_true(self, meta: Meta, children: list[Any]) -> ir.Constant:
        return ir.Constant(self._span(meta), True)

    def on_const_false(self, meta: Meta, children: list[Any]) -> ir.Constant:
        return ir.Constant(self._span(meta), False)

    def on_number(self, meta: Meta, children: list[Token]) -> ir.Constant:
        tok = children[0]
        text = str(tok).replace("_", "")
        span = self._tspan(tok)
        if tok.type == "IMAG_NUMBER":
            _syntax_error("complex numbers are not part of gradlang", span)
        try:
            value: object = float(text) if tok.type == "FLOAT_NUMBER" else int(text, 0)
        except ValueError:
            _syntax_error("integer literal too large", span)
        return ir.Constant(span, value)

    # -- strings ------------------------------------------------------------------------------

    def on_strings(self, meta: Meta, children: list[Token]) -> ir.Expr:
        parts: list[str | ir.FormattedValue] = []
        is_f = False
        for tok in children:
            lit = split_literal(str(tok))
            if lit.is_bytes:
                _syntax_error("bytes literals are not part of gradlang", self._tspan(tok))
            body_start = len(str(tok)) - len(lit.quote) - len(lit.body)
            try:
                if lit.is_fstring:
                    is_f = True
                    pieces, _ = split_fstring(lit.body, lit.raw)
                    parts.extend(self._fstring_parts(tok, body_start, pieces))
                else:
                    parts.append(lit.body if lit.raw else decode_escapes(lit.body))
            except StringError as err:
                line, column = self._position_in(tok, body_start + err.offset)
                _syntax_error(err.message, Span(self.filename, line, column, line, column + 1))
        span = self._span(meta)
        if not is_f:
            return ir.Constant(span, "".join(p for p in parts if isinstance(p, str)))
        return ir.FString(span, _merge_text(parts))

    def _position_in(self, tok: Token, offset: int) -> tuple[int, int]:
        """The line and column of character `offset` of a token's text."""
        text = str(tok)[:offset]
        newlines = text.count("\n")
        if not newlines:
            return (tok.line or 1, (tok.column or 1) + offset)
        return ((tok.line or 1) + newlines, offset - text.rfind("\n"))

    def _fstring_parts(
        self, tok: Token, body_start: int, pieces: tuple[str | Field, ...]
    ) -> list[str | ir.FormattedValue]:
        out: list[str | ir.FormattedValue] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            if piece.debug_text is not None:
                out.append(piece.debug_text)
            line, column = self._position_in(tok, body_start + piece.expr_offset)
            value = self.parse_field(piece.expr, line, column)
            spec: ir.FString | None = None
            if piece.spec is not None:
                spec_parts = self._fstring_parts(tok, body_start, piece.spec)
                spec = ir.FString(self._piece_span(tok, body_start, piece), _merge_text(spec_parts))
            out.append(
                ir.FormattedValue(
                    self._piece_span(tok, body_start, piece), value, piece.conversion, spec
                )
            )
        return out

    def _piece_span(self, tok: Token, body_start: int, piece: Field) -> Span:
        line, column = self._position_in(tok, body_start + piece.start)
        end_line, end_column = self._position_in(tok, body_start + piece.end)
        return Span(self.filename, line, column, end_line, end_column)


def _merge_text(parts: list[str | ir.FormattedValue]) -> tuple[str | ir.FormattedValue, ...]:
    """Join adjacent literal pieces and drop empty ones."""
    out: list[str | ir.FormattedValue] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + part
                continue
        out.append(part)
    return tuple(out)


def lower(tree: Tree, filename: str, parse_field: ParseField) -> Any:
    """Lower a checked parse tree (see checks.prescan) to IR."""
    return Lowering(filename, parse_field).transform(tree)
