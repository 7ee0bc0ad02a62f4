"""Compiling IR statements into closures `fn(frame) -> None | BREAK | CONTINUE | RETURN`.

Every statement closure starts the same way: count one step (the meter checks steps, time
and memory every few dozen), and tell the engine where it is (`origin.current = span`).
A block runs its statements until one returns a control signal.
"""

from __future__ import annotations

from typing import Any

from gradlang.errors import GradlangError
from gradlang.runtime.engine import Tensor, grad_mode, origin
from gradlang.runtime.expressions import Code, ExpressionCompiler, iterate
from gradlang.runtime.failures import convert
from gradlang.runtime.scope import Scope, bound_names
from gradlang.runtime.values import BREAK, CONTINUE, MISSING, RETURN, Frame, Function, str_value
from gradlang.syntax import ir

ALLOWED_MODULES = ("torch", "torch.nn", "torch.nn.functional", "torch.autograd")


def _import_error(module: str, span: Any) -> GradlangError:
    return GradlangError(
        "ImportError",
        f"gradlang cannot import '{module}'",
        span,
        "programs can import only torch: `import torch`, `import torch.nn.functional as F`, "
        "`from torch import NAME`",
    )


class Compiler(ExpressionCompiler):
    """Compiles a module (or a function body) into one closure."""

    loops = 0
    in_function = False

    # -- blocks -------------------------------------------------------------------------
    def block(self, body: tuple[ir.Stmt, ...]) -> Code:
        stmts = [self.stmt(s) for s in body]
        if len(stmts) == 1:
            return stmts[0]
        if len(stmts) == 2:
            s0, s1 = stmts

            def block2(frame: Frame) -> Any:
                r = s0(frame)
                if r is not None:
                    return r
                return s1(frame)

            return block2

        def block(frame: Frame) -> Any:
            for s in stmts:
                r = s(frame)
                if r is not None:
                    return r
            return None

        return block

    def stmt(self, node: ir.Stmt) -> Code:
        return self.compile_node("s_", node)

    # -- simple statements ----------------------------------------------------------------
    def s_ExprStmt(self, node: ir.ExprStmt) -> Code:
        value = self.expr(node.value)
        meter, span = self.meter, node.span

        def expr_stmt(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            value(frame)

        return expr_stmt

    def s_Pass(self, node: ir.Pass) -> Code:
        meter, span = self.meter, node.span

        def pass_(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)

        return pass_

    def s_Break(self, node: ir.Break) -> Code:
        return self._signal(node, BREAK, "'break' outside loop")

    def s_Continue(self, node: ir.Continue) -> Code:
        return self._signal(node, CONTINUE, "'continue' not properly in loop")

    def _signal(self, node: ir.Stmt, signal: Any, outside: str) -> Code:
        if not self.loops:
            raise GradlangError("SyntaxError", outside, node.span)
        meter, span = self.meter, node.span

        def signal_stmt(frame: Frame) -> Any:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            return signal

        return signal_stmt

    def s_Return(self, node: ir.Return) -> Code:
        if not self.in_function:
            raise GradlangError("SyntaxError", "'return' outside function", node.span)
        value = self.expr(node.value) if node.value is not None else (lambda frame: None)
        meter, span = self.meter, node.span

        def return_stmt(frame: Frame) -> Any:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            frame.ret = value(frame)
            return RETURN

        return return_stmt

    def s_Assign(self, node: ir.Assign) -> Code:
        value = self.expr(node.value)
        meter, span = self.meter, node.span
        if len(node.targets) == 1 and isinstance(node.targets[0], ir.Name):
            name = node.targets[0].id

            def assign_name(frame: Frame) -> None:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                frame.vars[name] = value(frame)

            return assign_name
        setters = [self._target(t) for t in node.targets]

        def assign(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            v = value(frame)
            for setter in setters:
                setter(frame, v)

        return assign

    def s_AugAssign(self, node: ir.AugAssign) -> Code:
        op = self.ops[node.op + "="]
        value = self.expr(node.value)
        meter, span = self.meter, node.span
        target = node.target
        if isinstance(target, ir.Name):
            load = self.expr(target)
            name = target.id
            read = self.global_name(target)  # a global's value is read from the dict here
            g = self.globals

            def aug_name(frame: Frame) -> None:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                current: Any = g.get(read, MISSING) if read is not None else MISSING
                if current is MISSING:
                    current = load(frame)
                operand = value(frame)
                try:
                    frame.vars[name] = op(current, operand)
                except Exception as exc:
                    raise convert(exc, span) from None

            return aug_name
        if isinstance(target, ir.Attribute):
            obj_code = self.expr(target.value)
            attr = target.attr
            from gradlang.runtime.attributes import get_attribute, set_attribute

            limits = self.limits

            def aug_attr(frame: Frame) -> None:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                obj = obj_code(frame)
                try:
                    current = get_attribute(obj, attr, limits)
                except Exception as exc:
                    raise convert(exc, target.span) from None
                operand = value(frame)
                try:
                    set_attribute(obj, attr, op(current, operand))
                except Exception as exc:
                    raise convert(exc, span) from None

            return aug_attr
        if isinstance(target, ir.Subscript):
            obj_code = self.expr(target.value)
            index_code = self.expr(target.index)

            def aug_item(frame: Frame) -> None:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                obj = obj_code(frame)
                idx = index_code(frame)
                try:
                    current = obj[idx]
                except Exception as exc:
                    raise convert(exc, target.span) from None
                operand = value(frame)
                try:
                    obj[idx] = op(current, operand)
                except Exception as exc:
                    raise convert(exc, span) from None

            return aug_item
        raise GradlangError("SyntaxError", "illegal expression for augmented assignment", span)

    def s_Assert(self, node: ir.Assert) -> Code:
        test = self.expr(node.test)
        msg = self.expr(node.msg) if node.msg is not None else None
        meter, span = self.meter, node.span

        def assert_stmt(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            try:
                ok = bool(test(frame))
            except Exception as exc:
                raise convert(exc, node.test.span) from None
            if not ok:
                text = str_value(msg(frame)) if msg is not None else ""
                raise GradlangError("AssertionError", text, span)

        return assert_stmt

    # -- compound statements ----------------------------------------------------------------
    def s_If(self, node: ir.If) -> Code:
        test = self.expr(node.test)
        body = self.block(node.body)
        orelse = self.block(node.orelse) if node.orelse else None
        meter, span, test_span = self.meter, node.span, node.test.span

        def if_stmt(frame: Frame) -> Any:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            try:
                cond = True if test(frame) else False
            except Exception as exc:
                raise convert(exc, test_span) from None
            if cond:
                return body(frame)
            if orelse is not None:
                return orelse(frame)
            return None

        return if_stmt

    def s_While(self, node: ir.While) -> Code:
        test = self.expr(node.test)
        self.loops += 1
        try:
            body = self.block(node.body)
        finally:
            self.loops -= 1
        meter, span, test_span = self.meter, node.span, node.test.span

        def while_stmt(frame: Frame) -> Any:
            while True:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                try:
                    cond = True if test(frame) else False
                except Exception as exc:
                    raise convert(exc, test_span) from None
                if not cond:
                    return None
                r = body(frame)
                if r is not None:
                    if r is BREAK:
                        return None
                    if r is not CONTINUE:
                        return r

        return while_stmt

    def s_For(self, node: ir.For) -> Code:
        iterable = self.expr(node.iter)
        assign = self._target(node.target)
        self.loops += 1
        try:
            body = self.block(node.body)
        finally:
            self.loops -= 1
        meter, span, iter_span = self.meter, node.span, node.iter.span
        if isinstance(node.target, ir.Name):
            name = node.target.id

            def for_name(frame: Frame) -> Any:
                meter.steps += 1
                if meter.steps >= meter.next_check:
                    meter.check(span)
                origin.current = span
                it = iterate(iterable(frame), iter_span, meter)
                variables = frame.vars
                while True:
                    try:
                        variables[name] = next(it)
                    except StopIteration:
                        return None
                    except Exception as exc:
                        raise convert(exc, iter_span) from None
                    r = body(frame)
                    if r is not None:
                        if r is BREAK:
                            return None
                        if r is not CONTINUE:
                            return r

            return for_name

        def for_stmt(frame: Frame) -> Any:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            it = iterate(iterable(frame), iter_span, meter)
            while True:
                try:
                    item = next(it)
                except StopIteration:
                    return None
                except Exception as exc:
                    raise convert(exc, iter_span) from None
                assign(frame, item)
                r = body(frame)
                if r is not None:
                    if r is BREAK:
                        return None
                    if r is not CONTINUE:
                        return r

        return for_stmt

    def s_With(self, node: ir.With) -> Code:
        context = self.expr(node.context)
        body = self.block(node.body)
        name = node.name
        meter, span, ctx_span = self.meter, node.span, node.context.span
        GradModeContext = grad_mode.GradModeContext  # noqa: N806 - a class

        def with_stmt(frame: Frame) -> Any:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            ctx = context(frame)
            if not isinstance(ctx, GradModeContext):  # no_grad(), enable_grad(), ...
                raise GradlangError(
                    "TypeError",
                    f"'{type(ctx).__name__}' object does not support the context manager protocol",
                    ctx_span,
                    "gradlang's `with` takes a grad mode: no_grad(), enable_grad(), "
                    "set_grad_enabled(flag)",
                )
            ctx.__enter__()
            if name is not None:
                frame.vars[name] = None  # what every grad-mode manager's __enter__ returns
            try:
                return body(frame)
            finally:
                ctx.__exit__(None, None, None)

        return with_stmt

    def s_FunctionDef(self, node: ir.FunctionDef) -> Code:
        defaults = [self.expr(p.default) for p in node.params if p.default is not None]
        params = tuple(p.name for p in node.params)
        seen: set[str] = set()
        for p in node.params:
            if p.name in seen:
                raise GradlangError(
                    "SyntaxError", f"duplicate argument '{p.name}' in function definition", p.span
                )
            seen.add(p.name)
        names = bound_names(node.body, set(params))
        saved = (self.scope, self.loops, self.in_function)
        self.scope = Scope("function", names, self.scope)
        self.loops, self.in_function = 0, True
        try:
            body = self.block(node.body) if node.body else (lambda frame: None)
        finally:
            self.scope, self.loops, self.in_function = saved
        fname = node.name
        interp = self.interp
        meter, span = self.meter, node.span

        def def_stmt(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            origin.current = span
            values = tuple(d(frame) for d in defaults)
            frame.vars[fname] = Function(fname, params, values, body, frame, interp, False)

        return def_stmt

    def s_Import(self, node: ir.Import) -> Code:
        module = node.module
        if module not in ALLOWED_MODULES:
            raise _import_error(module, node.span)
        namespaces = self.interp.namespaces
        value = namespaces[module] if node.alias else namespaces["torch"]
        bind = node.alias or "torch"
        meter, span = self.meter, node.span

        def import_stmt(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            frame.vars[bind] = value

        return import_stmt

    def s_ImportFrom(self, node: ir.ImportFrom) -> Code:
        if node.module not in ALLOWED_MODULES:
            raise _import_error(node.module, node.span)
        members = self.interp.namespaces[node.module].members
        pairs: list[tuple[str, Any]] = []
        for item in node.names:
            if item.name.startswith("_") or item.name not in members:
                raise GradlangError(
                    "ImportError",
                    f"cannot import name '{item.name}' from '{node.module}'",
                    item.span,
                )
            pairs.append((item.alias or item.name, members[item.name]))
        meter, span = self.meter, node.span

        def import_from(frame: Frame) -> None:
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(span)
            for bind, value in pairs:
                frame.vars[bind] = value

        return import_from


def compile_module(compiler: Compiler, module: ir.Module) -> Code:
    """The closure that runs a whole module in the module frame."""
    if not module.body:
        return lambda frame: None
    return compiler.block(module.body)


__all__ = ["Compiler", "Tensor", "compile_module", "grad_mode"]
