"""The runtime's own values: frames, user functions, module namespaces, and their texts.

`Function` is a gradlang `def` or `lambda` (a Python callable, so the engine and the tools can
call it back: hooks, gradcheck); `Namespace` is `torch`, `torch.nn.functional`, ...;
`repr_value`/`str_value` give Python's text for every value without ever printing an address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradlang.autograd import origin as _origin
from gradlang.errors import GradlangError

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NO_VALUE = _Marker("NO_VALUE")
"""What `run_interactive` returns when the last statement is not an expression."""

BREAK = _Marker("BREAK")
CONTINUE = _Marker("CONTINUE")
RETURN = _Marker("RETURN")
MISSING = _Marker("MISSING")


class Frame:
    """The variables of one scope (module, call, comprehension) and the enclosing frame."""

    __slots__ = ("vars", "parent", "ret")

    def __init__(self, vars: dict[str, Any], parent: Frame | None) -> None:
        self.vars = vars
        self.parent = parent
        self.ret: Any = None


class Function:
    """A user function: `def` or `lambda`. Calling it runs its body in a new frame."""

    __slots__ = (
        "name",
        "params",
        "defaults",
        "body",
        "closure",
        "interp",
        "is_lambda",
        "nreq",
        "__weakref__",
    )

    def __init__(
        self,
        name: str,
        params: tuple[str, ...],
        defaults: tuple[Any, ...],
        body: Callable[[Frame], Any],
        closure: Frame,
        interp: Interpreter,
        is_lambda: bool,
    ) -> None:
        self.name = name
        self.params = params
        self.defaults = defaults  # values for the last len(defaults) params
        self.body = body
        self.closure = closure
        self.interp = interp
        self.is_lambda = is_lambda
        self.nreq = len(params) - len(defaults)

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        """Run the function (the interpreter calls this directly: no C-level call slot)."""
        params = self.params
        if not kwargs and len(args) == len(params):
            local = dict(zip(params, args))
        else:
            local = self._bind(args, kwargs)
        interp = self.interp
        meter = interp.meter  # a call is a step: lambdas called from C loops (sort keys) count
        meter.steps += 1
        if meter.steps >= meter.next_check:
            meter.check(_origin.current)  # type: ignore[arg-type]
        if interp.depth >= interp.limits.max_depth:
            from gradlang.runtime.limits import limit_error

            raise limit_error(
                f"maximum recursion depth exceeded ({interp.limits.max_depth} nested calls)",
                None,
                "--max-depth N",
            )
        frame = Frame(local, self.closure)
        interp.depth += 1
        interp.frames.append(frame)
        caller = _origin.current
        try:
            result = self.body(frame)
        finally:
            interp.depth -= 1
            interp.frames.pop()
            _origin.current = caller  # the rest of the caller's statement is the caller's
        if self.is_lambda:
            return result
        return frame.ret if result is RETURN else None

    __call__ = invoke  # the engine and the tools call functions back (hooks, gradcheck)

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Python's argument binding, with Python's error messages."""
        params = self.params
        label = f"{self.name}()"
        if len(args) > len(params):
            if self.defaults:
                takes = f"from {self.nreq} to {len(params)} positional arguments"
            else:
                takes = f"{len(params)} positional argument{'s' if len(params) != 1 else ''}"
            was = "was" if len(args) == 1 else "were"
            raise TypeError(f"{label} takes {takes} but {len(args)} {was} given")
        local = dict(zip(params, args))
        for key, value in kwargs.items():
            if key not in params:
                raise TypeError(f"{label} got an unexpected keyword argument '{key}'")
            if key in local:
                raise TypeError(f"{label} got multiple values for argument '{key}'")
            local[key] = value
        missing = [p for p in params[: self.nreq] if p not in local]
        if missing:
            names = [f"'{m}'" for m in missing]
            if len(names) == 1:
                listed = names[0]
            elif len(names) == 2:
                listed = f"{names[0]} and {names[1]}"
            else:
                listed = ", ".join(names[:-1]) + f", and {names[-1]}"
            plural = "argument" if len(names) == 1 else "arguments"
            raise TypeError(f"{label} missing {len(names)} required positional {plural}: {listed}")
        for i, name in enumerate(params[self.nreq :]):
            if name not in local:
                local[name] = self.defaults[i]
        return {p: local[p] for p in params}

    def __repr__(self) -> str:
        return f"<function {self.name}>"


Function.__name__ = "function"  # Python's messages say 'function' object ...
Function.__qualname__ = "function"


class Namespace:
    """`torch`, `torch.nn`, `torch.nn.functional`, `torch.autograd`: names to values."""

    __slots__ = ("name", "members")

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        self.name = name
        self.members = members

    def __repr__(self) -> str:
        return f"<module '{self.name}'>"


Namespace.__name__ = "module"
Namespace.__qualname__ = "module"


class Builtin:
    """A builtin that receives the interpreter (the tools' entries, load/save)."""

    __slots__ = ("name", "fn", "interp")

    def __init__(self, name: str, fn: Callable[..., Any], interp: Interpreter) -> None:
        self.name = name
        self.fn = fn
        self.interp = interp

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.fn(self.interp, *args, **kwargs)
        except TypeError as exc:
            tb = exc.__traceback__
            if tb is not None and tb.tb_next is None:  # the call itself did not bind
                raise TypeError(_signature_message(str(exc), self.fn, self.name)) from None
            raise

    def __repr__(self) -> str:
        return f"<built-in function {self.name}>"


_COUNTS = re.compile(r"takes (from )?(\d+)( to (\d+))? positional arguments? but (\d+)")


def _signature_message(message: str, fn: Callable[..., Any], name: str) -> str:
    """Python's binding error for `fn(interp, ...)`, told about `name(...)` without the
    interpreter argument the program never passes."""
    message = message.replace(f"{getattr(fn, '__name__', name)}()", f"{name}()", 1)

    def fewer(m: re.Match[str]) -> str:
        low = int(m.group(2)) - 1
        high = int(m.group(4)) - 1 if m.group(4) else None
        given = int(m.group(5)) - 1
        takes = f"from {low} to {high}" if high is not None else f"{low}"
        plural = "s" if (high if high is not None else low) != 1 else ""
        return f"takes {takes} positional argument{plural} but {given}"

    return _COUNTS.sub(fewer, message).replace("1 were given", "1 was given")


Builtin.__name__ = "builtin_function_or_method"
Builtin.__qualname__ = "builtin_function_or_method"

MAX_REPR_DEPTH = 500
MAX_REPR_CHARS = 10_000_000  # a repr longer than this is refused (Limits.max_string's default)


def repr_value(
    value: Any, depth: int = 0, seen: tuple[int, ...] = (), budget: list[int] | None = None
) -> str:
    """Python's repr of a gradlang value (no addresses; nesting checked, not C-recursive;
    at most MAX_REPR_CHARS characters, so shared sub-lists cannot make it explode)."""
    t = type(value)
    if t is str or t is int or t is float or t is bool or value is None or t is range:
        text = repr(value)
        if budget is not None:
            budget[0] -= len(text)
        return text
    if t is list or t is tuple:
        if id(value) in seen:
            return "[...]" if t is list else "(...)"
        if depth >= MAX_REPR_DEPTH:
            raise GradlangError(
                "RecursionError",
                "maximum recursion depth exceeded while getting the repr of an object",
            )
        if budget is None:
            budget = [MAX_REPR_CHARS]
        inner_seen = (*seen, id(value))
        items = []
        for v in value:
            budget[0] -= 2
            if budget[0] < 0:
                raise GradlangError(
                    "LimitError",
                    f"string would have more than {MAX_REPR_CHARS:,} items",
                    None,
                    "Limits.max_string",
                )
            items.append(repr_value(v, depth + 1, inner_seen, budget))
        if t is list:
            return "[" + ", ".join(items) + "]"
        if len(items) == 1:
            return "(" + items[0] + ",)"
        return "(" + ", ".join(items) + ")"
    if t is Function or t is Namespace or t is Builtin:
        return repr(value)
    if t.__module__ == "builtins":
        return _builtin_object_repr(value)
    if t.__module__.startswith("gradlang.") or t.__module__.split(".")[0] == "numpy":
        return repr(value)
    return f"<{t.__name__} object>"


def _builtin_object_repr(value: Any) -> str:
    """Reprs of Python objects that would print an address: functions, iterators, methods."""
    t = type(value)
    name = getattr(value, "__name__", None)
    if t.__name__ in ("builtin_function_or_method", "function"):
        owner = getattr(value, "__self__", None)
        if (
            owner is not None
            and not isinstance(owner, type)
            and type(owner).__module__ != "builtins"
        ):
            return f"<built-in method {name} of {type(owner).__name__} object>"
        return f"<built-in function {name}>"
    if t.__name__ == "method":
        owner = value.__self__
        return f"<built-in method {name} of {type(owner).__name__} object>"
    if t is type:
        return f"<class 'torch.{value.__name__}'>"
    if t is complex or t is bytes or t is slice or value is Ellipsis:
        return repr(value)
    return f"<{t.__name__} object>"


def str_value(value: Any) -> str:
    """Python's str of a gradlang value."""
    t = type(value)
    if t is str:
        return value
    if t is float or t is int or t is bool:
        return str(value)
    module = t.__module__
    if module.startswith("gradlang.") or module.split(".")[0] == "numpy":
        return str(value)
    return repr_value(value)
