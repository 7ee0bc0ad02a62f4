"""Compiling IR expressions into Python closures `fn(frame) -> value`.

Each IR node becomes one closure, built once; running a program calls closures and never
looks at the IR again. A closure that can fail catches the exception and re-raises it as a
`GradlangError` carrying its own span (an inner error keeps the inner, more precise span).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from types import MethodType
from typing import TYPE_CHECKING, Any

from gradlang.errors import GradlangError, Span
from gradlang.runtime.attributes import CHECKED_TENSOR_METHODS, get_attribute
from gradlang.runtime.builtins import note_use
from gradlang.runtime.engine import Tensor
from gradlang.runtime.failures import convert
from gradlang.runtime.limits import Meter, limit_error
from gradlang.runtime.pyops import check_tensors, matmul_cost, size_error
from gradlang.runtime.scope import Scope, target_names
from gradlang.runtime.size_checks import check_index_list
from gradlang.runtime.values import MISSING, Frame, Function, Namespace, repr_value, str_value
from gradlang.syntax import ir

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter

Code = Callable[[Frame], Any]
Setter = Callable[[Frame, Any], None]

COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "is": operator.is_,
    "is not": operator.is_not,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}
_SPEC_NUMBERS = re.compile(r"\d+")
# Operators that cannot make anything big when one operand is a float (str % float can:
# "%999999999f" % 0.5, so % is not here).
FLOAT_SAFE: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "**": operator.pow,
}


class ExpressionCompiler:
    """Turns expressions into closures; the statement compiler extends it."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        self.limits = interp.limits
        self.meter = interp.meter
        self.ops = interp.operators
        self.globals = interp.globals
        self.builtins = interp.builtins
        self.nesting = 0
        self.scope = Scope("module")
        self.unresolved: list[tuple[str, Span]] = []  # global names no statement binds
        self.module_names: set[str] | None = None  # set by `check`: the module's bindings

    # -- plumbing -------------------------------------------------------------------
    def expr(self, node: ir.Expr) -> Code:
        return self.compile_node("e_", node)

    def compile_node(self, prefix: str, node: ir.Expr | ir.Stmt) -> Code:
        """Compile `node` with the method `prefix + its class name`, counting nesting depth."""
        self.nesting += 1
        try:
            if self.nesting > self.limits.max_nesting:
                raise limit_error(
                    f"the program nests more than {self.limits.max_nesting} levels deep",
                    node.span,
                    "Limits.max_nesting",
                )
            method = getattr(self, prefix + type(node).__name__, None)
            if method is None:
                raise GradlangError(
                    "SyntaxError", f"{type(node).__name__} is not supported", node.span
                )
            return method(node)
        finally:
            self.nesting -= 1

    # -- leaves -----------------------------------------------------------------------
    def e_Constant(self, node: ir.Constant) -> Code:
        value = node.value
        return lambda frame: value

    def e_Name(self, node: ir.Name) -> Code:
        name = node.id
        span = node.span
        kind, hops = self.scope.resolve(name)
        if kind == "local":

            def load_local(frame: Frame) -> Any:
                try:
                    return frame.vars[name]
                except KeyError:
                    raise GradlangError(
                        "UnboundLocalError",
                        f"cannot access local variable '{name}' where "
                        "it is not associated with a value",
                        span,
                    ) from None

            return load_local
        if kind == "free":

            def load_free(frame: Frame) -> Any:
                f = frame
                for _ in range(hops):
                    f = f.parent  # type: ignore[assignment]
                try:
                    return f.vars[name]
                except KeyError:
                    raise GradlangError(
                        "NameError",
                        f"cannot access free variable '{name}' where it is not "
                        "associated with a value in enclosing scope",
                        span,
                    ) from None

            return load_free
        g = self.globals
        b = self.builtins
        if self.module_names is not None and name not in self.module_names and name not in b:
            self.unresolved.append((name, span))
        note_use(name)

        def load_global(frame: Frame) -> Any:
            try:
                return g[name]
            except KeyError:
                pass
            if name in b:
                return b[name]
            raise GradlangError("NameError", f"name '{name}' is not defined", span)

        return load_global

    def global_name(self, node: ir.Expr) -> str | None:
        """The name `node` reads when it is a global variable, else None. The hot closures
        (binary operators, attributes, augmented assignment) read such an operand from the
        globals dict themselves, one closure call fewer, and run its compiled load (so
        builtins, and the NameError) only when the name is not there."""
        if isinstance(node, ir.Name) and self.scope.resolve(node.id)[0] == "global":
            return node.id
        return None

    # -- containers ---------------------------------------------------------------------
    def e_List(self, node: ir.List) -> Code:
        elts = [self.expr(e) for e in node.elts]
        return lambda frame: [e(frame) for e in elts]

    def e_Tuple(self, node: ir.Tuple) -> Code:
        elts = [self.expr(e) for e in node.elts]
        if len(elts) == 2:
            a, b = elts
            return lambda frame: (a(frame), b(frame))
        return lambda frame: tuple([e(frame) for e in elts])

    def e_Slice(self, node: ir.Slice) -> Code:
        none: Code = lambda frame: None  # noqa: E731
        lo = self.expr(node.lower) if node.lower is not None else none
        hi = self.expr(node.upper) if node.upper is not None else none
        st = self.expr(node.step) if node.step is not None else none
        return lambda frame: slice(lo(frame), hi(frame), st(frame))

    # -- operators ----------------------------------------------------------------------
    def e_BinOp(self, node: ir.BinOp) -> Code:
        op = self.ops[node.op]
        span = node.span
        left = self.expr(node.left)
        plain = FLOAT_SAFE.get(node.op)
        if plain is not None and isinstance(node.right, ir.Constant):
            if type(node.right.value) is float:  # nothing grows by a float: no size check
                number = node.right.value

                def binop_float(frame: Frame) -> Any:
                    try:
                        return plain(left(frame), number)
                    except Exception as exc:
                        raise convert(exc, span) from None

                return binop_float
        if plain is not None and isinstance(node.left, ir.Constant):
            if type(node.left.value) is float:
                number = node.left.value
                right_code = self.expr(node.right)

                def float_binop(frame: Frame) -> Any:
                    try:
                        return plain(number, right_code(frame))
                    except Exception as exc:
                        raise convert(exc, span) from None

                return float_binop
        if isinstance(node.right, ir.Constant):
            const = node.right.value

            def binop_const(frame: Frame) -> Any:
                try:
                    return op(left(frame), const)
                except Exception as exc:
                    raise convert(exc, span) from None

            return binop_const
        right = self.expr(node.right)
        left_name, right_name = self.global_name(node.left), self.global_name(node.right)
        if left_name is not None or right_name is not None:
            g = self.globals

            def binop_globals(frame: Frame) -> Any:  # `X @ W1`, `lr * w.grad`
                a = g.get(left_name, MISSING) if left_name is not None else MISSING
                if a is MISSING:
                    a = left(frame)
                b = g.get(right_name, MISSING) if right_name is not None else MISSING
                if b is MISSING:
                    b = right(frame)
                try:
                    return op(a, b)
                except Exception as exc:
                    raise convert(exc, span) from None

            return binop_globals

        def binop(frame: Frame) -> Any:
            try:
                return op(left(frame), right(frame))
            except Exception as exc:
                raise convert(exc, span) from None

        return binop

    def e_UnaryOp(self, node: ir.UnaryOp) -> Code:
        operand = self.expr(node.operand)
        span = node.span
        fn: Any = {
            "-": operator.neg,
            "+": operator.pos,
            "not": operator.not_,
            "~": operator.invert,
        }[node.op]

        def unary(frame: Frame) -> Any:
            try:
                return fn(operand(frame))
            except Exception as exc:
                raise convert(exc, span) from None

        return unary

    def e_BoolOp(self, node: ir.BoolOp) -> Code:
        values = [self.expr(v) for v in node.values]
        span = node.span
        is_and = node.op == "and"

        def boolop(frame: Frame) -> Any:
            try:
                value = None
                for v in values:
                    value = v(frame)
                    if bool(value) != is_and:
                        return value
                return value
            except Exception as exc:
                raise convert(exc, span) from None

        return boolop

    def e_Compare(self, node: ir.Compare) -> Code:
        span = node.span
        left = self.expr(node.left)
        ops = [COMPARE[o] for o in node.ops]
        rights = [self.expr(c) for c in node.comparators]
        if len(ops) == 1:
            op, right = ops[0], rights[0]

            def compare_one(frame: Frame) -> Any:
                try:
                    return op(left(frame), right(frame))
                except Exception as exc:
                    raise convert(exc, span) from None

            return compare_one
        pairs = list(zip(ops, rights))

        def compare_chain(frame: Frame) -> Any:
            try:
                a = left(frame)
                result: Any = True
                for op, right in pairs:
                    b = right(frame)
                    result = op(a, b)
                    if not result:
                        return result
                    a = b
                return result
            except Exception as exc:
                raise convert(exc, span) from None

        return compare_chain

    def e_IfExp(self, node: ir.IfExp) -> Code:
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        span = node.test.span

        def ifexp(frame: Frame) -> Any:
            try:
                cond = test(frame)
                choice = body if cond else orelse
            except Exception as exc:
                raise convert(exc, span) from None
            return choice(frame)

        return ifexp

    # -- attribute, subscript, call -------------------------------------------------------
    def e_Attribute(self, node: ir.Attribute) -> Code:
        value = self.expr(node.value)
        return self._attribute_getter(value, node.attr, node.span, self.global_name(node.value))

    def _attribute_getter(
        self, value: Code, name: str, span: Span, value_name: str | None = None
    ) -> Code:
        limits = self.limits
        fast_tensor = name in Tensor.PUBLIC_ATTRIBUTES and name not in CHECKED_TENSOR_METHODS
        g = self.globals

        cache: list[Any] = [MISSING, None]  # the last Namespace seen here, and its member

        def attribute(frame: Frame) -> Any:
            obj: Any = g.get(value_name, MISSING) if value_name is not None else MISSING
            if obj is MISSING:
                obj = value(frame)
            if obj is cache[0]:  # namespaces never change: `torch.sin` in a loop
                return cache[1]
            try:
                t = type(obj)
                if t is Tensor and fast_tensor:
                    return getattr(obj, name)
                if t is Namespace and name in obj.members:
                    member = obj.members[name]
                    cache[0], cache[1] = obj, member
                    return member
                return get_attribute(obj, name, limits)
            except Exception as exc:
                raise convert(exc, span) from None

        return attribute

    def e_Subscript(self, node: ir.Subscript) -> Code:
        value = self.expr(node.value)
        index = self.expr(node.index)
        span = node.span

        def subscript(frame: Frame) -> Any:
            obj = value(frame)
            idx = index(frame)
            try:
                if type(obj) is Tensor and type(idx) is list:
                    check_index_list(idx, self.limits)
                return obj[idx]
            except Exception as exc:
                raise convert(exc, span) from None

        return subscript

    def e_Call(self, node: ir.Call) -> Code:
        span = node.span
        func = self.expr(node.func)
        args = [self.expr(a) for a in node.args]
        kwargs = [(k.name, self.expr(k.value)) for k in node.keywords]
        guard = self._size_guard(node)
        if not kwargs and len(args) == 0:

            def call0(frame: Frame) -> Any:
                f = func(frame)
                try:
                    if type(f) is Function:
                        return f.invoke()
                    return f()
                except Exception as exc:
                    raise convert(exc, span) from None

            return call0
        if not kwargs and len(args) == 1:
            a0 = args[0]

            def call1(frame: Frame) -> Any:
                f = func(frame)
                x = a0(frame)
                try:
                    if type(f) is Function:
                        return f.invoke(x)
                    if type(x) is Tensor and type(f) is MethodType:
                        guard(f, x, None)
                    return f(x)
                except Exception as exc:
                    raise convert(exc, span) from None

            return call1
        if not kwargs and len(args) == 2:
            a0, a1 = args

            def call2(frame: Frame) -> Any:
                f = func(frame)
                x = a0(frame)
                y = a1(frame)
                try:
                    if type(f) is Function:
                        return f.invoke(x, y)
                    if type(x) is Tensor:
                        guard(f, x, y)
                    return f(x, y)
                except Exception as exc:
                    raise convert(exc, span) from None

            return call2

        def call(frame: Frame) -> Any:
            f = func(frame)
            positional = [a(frame) for a in args]
            named = {k: v(frame) for k, v in kwargs}
            try:
                if type(f) is Function:
                    return f.invoke(*positional, **named)
                if positional and type(positional[0]) is Tensor:
                    guard(f, positional[0], positional[1] if len(positional) > 1 else None)
                return f(*positional, **named)
            except Exception as exc:
                raise convert(exc, span) from None

        return call

    def _size_guard(self, node: ir.Call) -> Callable[[Any, Any, Any], None]:
        """A check, before a tensor op with two tensor operands (`a.add(b)`,
        `torch.maximum(a, b)`), that their broadcast stays under max_elements."""
        limits = self.limits
        max_elements = limits.max_elements
        meter = self.meter
        name = node.func.attr if isinstance(node.func, ir.Attribute) else ""
        matmul = name in ("matmul", "mm", "bmm", "mv")

        def guard(f: Any, x: Any, y: Any) -> None:
            owner = f.__self__ if type(f) is MethodType else None
            if type(owner) is Tensor:
                a, b = owner, x
            elif type(y) is Tensor:
                a, b = x, y
            else:
                return
            if a._data.size * b._data.size > max_elements:
                check_tensors([a, b], limits, matmul=matmul)
            if matmul and meter.deadline is not None:
                meter.check_cost(matmul_cost(a._data.shape, b._data.shape), None)

        return guard

    # -- strings -------------------------------------------------------------------------
    def e_FString(self, node: ir.FString) -> Code:
        pieces: list[Code] = []
        for part in node.parts:
            if isinstance(part, str):
                text = part
                pieces.append(lambda frame, text=text: text)  # type: ignore[misc]
            else:
                pieces.append(self._formatted(part))
        max_string = self.limits.max_string
        span = node.span

        def fstring(frame: Frame) -> str:
            out = "".join([p(frame) for p in pieces])
            if len(out) > max_string:
                raise size_error("string", max_string).with_span(span)
            return out

        return fstring

    def _formatted(self, node: ir.FormattedValue) -> Code:
        value = self.expr(node.value)
        spec = self.e_FString(node.format_spec) if node.format_spec is not None else None
        conversion = node.conversion
        span = node.span
        max_string = self.limits.max_string

        def formatted(frame: Frame) -> str:
            v = value(frame)
            s = spec(frame) if spec is not None else ""
            try:
                if conversion == "r":
                    v = repr_value(v)
                elif conversion == "s":
                    v = str_value(v)
                elif conversion == "a":
                    v = ascii(repr_value(v))
                return format_value(v, s, max_string)
            except Exception as exc:
                raise convert(exc, span) from None

        return formatted

    # -- functions and comprehensions ------------------------------------------------------
    def e_Lambda(self, node: ir.Lambda) -> Code:
        defaults = [self.expr(p.default) for p in node.params if p.default is not None]
        params = tuple(p.name for p in node.params)
        saved = self.scope
        self.scope = Scope("function", set(params), saved)
        try:
            body = self.expr(node.body)
        finally:
            self.scope = saved
        interp = self.interp

        def make_lambda(frame: Frame) -> Function:
            return Function(
                "<lambda>", params, tuple(d(frame) for d in defaults), body, frame, interp, True
            )

        return make_lambda

    def e_ListComp(self, node: ir.ListComp) -> Code:
        first_iter = self.expr(node.generators[0].iter)
        names: set[str] = set()
        for gen in node.generators:
            target_names(gen.target, names)
        saved = self.scope
        self.scope = Scope("comprehension", names, saved)
        try:
            levels = [
                (
                    self._target(g.target),
                    self.expr(g.iter) if i else None,
                    [self.expr(c) for c in g.ifs],
                )
                for i, g in enumerate(node.generators)
            ]
            elt = self.expr(node.elt)
        finally:
            self.scope = saved
        meter = self.meter
        max_list = self.limits.max_list
        span = node.span

        def run_level(depth: int, cframe: Frame, items: Any, out: list[Any]) -> None:
            assign, _, ifs = levels[depth]
            last = depth == len(levels) - 1
            for item in items:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                assign(cframe, item)
                try:
                    if ifs and not all(c(cframe) for c in ifs):
                        continue
                except Exception as exc:
                    raise convert(exc, span) from None
                if last:
                    out.append(elt(cframe))
                    if len(out) > max_list:
                        raise size_error("list", max_list).with_span(span)
                else:
                    nxt = levels[depth + 1][1]
                    run_level(depth + 1, cframe, iterate(nxt(cframe), span, meter), out)  # type: ignore[misc]

        def listcomp(frame: Frame) -> list[Any]:
            items = iterate(first_iter(frame), span, meter)
            out: list[Any] = []
            run_level(0, Frame({}, frame), items, out)
            return out

        return listcomp

    # -- assignment targets -------------------------------------------------------------
    def _target(self, node: ir.Expr) -> Setter:
        span = node.span
        if isinstance(node, ir.Name):
            name = node.id

            def set_name(frame: Frame, value: Any) -> None:
                frame.vars[name] = value

            return set_name
        if isinstance(node, (ir.Tuple, ir.List)):
            setters = [self._target(e) for e in node.elts]
            n = len(setters)
            meter = self.meter

            def set_unpack(frame: Frame, value: Any) -> None:
                items = unpack(value, n, span, meter)
                for setter, item in zip(setters, items):
                    setter(frame, item)

            return set_unpack
        if isinstance(node, ir.Attribute):
            obj_code = self.expr(node.value)
            name = node.attr
            from gradlang.runtime.attributes import set_attribute

            def set_attr(frame: Frame, value: Any) -> None:
                obj = obj_code(frame)
                try:
                    set_attribute(obj, name, value)
                except Exception as exc:
                    raise convert(exc, span) from None

            return set_attr
        if isinstance(node, ir.Subscript):
            obj_code = self.expr(node.value)
            index_code = self.expr(node.index)
            limits = self.limits

            def set_item(frame: Frame, value: Any) -> None:
                obj = obj_code(frame)
                idx = index_code(frame)
                try:
                    store_item(obj, idx, value, limits)
                except Exception as exc:
                    raise convert(exc, span) from None

            return set_item
        raise GradlangError("SyntaxError", "cannot assign to this expression", span)


def unpack(value: Any, n: int, span: Span, meter: Meter) -> Any:
    """`a, b = value`: Python's unpacking, with Python's messages."""
    t = type(value)
    if t is tuple or t is list:
        items = value
    else:
        if t is Tensor and value._data.ndim:
            meter.before_rows(value._data.shape[0], span)
        try:
            it = iter(value)
        except TypeError:
            raise GradlangError(
                "TypeError", f"cannot unpack non-iterable {t.__name__} object", span
            ) from None
        except Exception as exc:
            raise convert(exc, span) from None
        items = []
        try:
            for item in it:
                items.append(item)
                if len(items) > n:
                    break
        except Exception as exc:
            raise convert(exc, span) from None
    if len(items) > n:
        raise GradlangError("ValueError", f"too many values to unpack (expected {n})", span)
    if len(items) < n:
        raise GradlangError(
            "ValueError", f"not enough values to unpack (expected {n}, got {len(items)})", span
        )
    return items


def store_item(obj: Any, idx: Any, value: Any, limits: Any) -> None:
    """`obj[idx] = value`, refusing list slice assignments over the size limit."""
    if type(obj) is list and type(idx) is slice:
        if type(value) is range and len(value) > limits.max_list:
            raise size_error("list", limits.max_list)
        if hasattr(value, "__len__") and len(obj) + len(value) > limits.max_list:
            raise size_error("list", limits.max_list)
    obj[idx] = value


def iterate(value: Any, span: Span, meter: Meter) -> Any:
    """`iter(value)` with Python's error for a value that is not iterable; a tensor's rows
    are checked against the limits first (iterating makes them all at once)."""
    if type(value) is Tensor and value._data.ndim:
        meter.before_rows(value._data.shape[0], span)
    try:
        return iter(value)
    except Exception as exc:
        raise convert(exc, span) from None


def format_value(value: Any, spec: str, max_string: int) -> str:
    """`format(value, spec)` for an f-string field, refusing huge widths and precisions."""
    if spec:
        for digits in _SPEC_NUMBERS.findall(spec):
            if len(digits) > 8 or int(digits) > max_string:
                raise size_error("string", max_string)
    t = type(value)
    if t is str:
        return format(value, spec) if spec else value
    if t is int or t is float or t is bool or value is None:
        return format(value, spec)
    if t.__module__ == "builtins" or isinstance(value, (Function, Namespace)):
        if spec:
            raise TypeError(f"unsupported format string passed to {t.__name__}.__format__")
        return str_value(value)
    return format(value, spec)


__all__ = ["MISSING", "ExpressionCompiler", "format_value"]
