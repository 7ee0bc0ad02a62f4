"""Attribute access by allow-list: the only way a program reaches into a value.

A program may read an attribute only if it is listed here for the value's type (tensors:
`Tensor.PUBLIC_ATTRIBUTES`; grad_fn nodes; list and str methods; namespaces) and never one
that starts with `_`. Methods that could grow a value without bound (`append`, `join`,
`replace`, `expand`, `repeat`, ...) come back wrapped with a size check.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from gradlang.errors import GradlangError
from gradlang.runtime.engine import AccumulateGrad, DType, Node, Size, Tensor
from gradlang.runtime.limits import Limits
from gradlang.runtime.pyops import check_length, elements_error, size_error
from gradlang.runtime.size_checks import GROWING, SPLITTING, check_pieces, result_numel
from gradlang.runtime.values import Function, Namespace

NODE_ATTRIBUTES = frozenset({"name", "next_functions", "register_hook", "register_prehook"})
ACCUMULATE_ATTRIBUTES = frozenset({"name", "next_functions", "variable"})
LIST_METHODS = frozenset(
    {
        "append",
        "pop",
        "extend",
        "index",
        "count",
        "insert",
        "remove",
        "reverse",
        "copy",
        "clear",
        "sort",
    }
)
STR_METHODS = frozenset(
    {
        "join",
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "split",
        "startswith",
        "endswith",
        "replace",
        "count",
        "find",
        "isdigit",
        "isalpha",
        "title",
        "capitalize",
    }
)
TUPLE_METHODS = frozenset({"index", "count"})
SIZE_METHODS = frozenset({"index", "count", "numel"})
NUMBER_ATTRIBUTES = frozenset({"real", "imag", "is_integer", "conjugate"})
RANGE_ATTRIBUTES = frozenset({"start", "stop", "step", "index", "count"})
DTYPE_ATTRIBUTES = frozenset({"is_floating_point", "is_complex", "is_signed", "itemsize"})
SETTABLE_TENSOR_ATTRIBUTES = frozenset({"grad", "requires_grad", "data"})
GROWING_TENSOR_METHODS = (
    frozenset(
        {
            "expand",
            "repeat",
            "new_zeros",
            "new_ones",
            "new_full",
            "new_empty",
            "repeat_interleave",
            "tile",
        }
    )
    | GROWING
)  # outer, kron, diag...: checked by the size of their result (size_checks.GROWING)
#: Every tensor method a program gets wrapped in a check (the compiled fast path skips them):
#: the growing ones, split/chunk/unbind (their number of pieces), tolist (a list's length).
CHECKED_TENSOR_METHODS = GROWING_TENSOR_METHODS | SPLITTING | {"tolist"}


def type_label(value: Any) -> str:
    """The type name Python's messages would use."""
    return type(value).__name__


def allowed_names(value: Any) -> frozenset[str]:
    """The attribute names a program may read on `value`."""
    t = type(value)
    if t is Tensor or isinstance(value, Tensor):
        return Tensor.PUBLIC_ATTRIBUTES
    if t is list:
        return LIST_METHODS
    if t is str:
        return STR_METHODS
    if t is tuple:
        return TUPLE_METHODS
    if t is Size:
        return SIZE_METHODS
    if t is int or t is float or t is bool:
        return NUMBER_ATTRIBUTES
    if t is range:
        return RANGE_ATTRIBUTES
    if t is Node:
        return NODE_ATTRIBUTES
    if t is AccumulateGrad:
        return ACCUMULATE_ATTRIBUTES
    if t is DType:
        return frozenset(n for n in DTYPE_ATTRIBUTES if hasattr(value, n))
    declared = getattr(t, "PUBLIC_ATTRIBUTES", None)
    if isinstance(declared, frozenset) and t.__module__.startswith("gradlang.autograd"):
        return declared
    if isinstance(value, tuple) and t.__module__.startswith("gradlang.autograd"):
        # torch.return_types.max and friends: (values, indices)
        return frozenset(n for n in ("values", "indices") if hasattr(value, n)) | TUPLE_METHODS
    if t.__module__.startswith("gradlang.autograd") and t.__name__ == "RemovableHandle":
        return frozenset({"remove"})
    return frozenset()


def no_attribute(value: Any, name: str) -> GradlangError:
    if isinstance(value, Namespace):
        return GradlangError("AttributeError", f"module '{value.name}' has no attribute '{name}'")
    hint = None
    if name.startswith("_"):
        hint = "gradlang programs cannot use attributes whose names start with '_'"
    elif name == "format" and isinstance(value, str):
        hint = 'gradlang has no str.format: use an f-string, f"{x:.3f}"'
    return GradlangError(
        "AttributeError", f"'{type_label(value)}' object has no attribute '{name}'", None, hint
    )


def get_attribute(value: Any, name: str, limits: Limits) -> Any:
    """`value.name` for a program, or an AttributeError."""
    if name.startswith("_"):
        raise no_attribute(value, name)
    if type(value) is Namespace:
        try:
            return value.members[name]
        except KeyError:
            raise no_attribute(value, name) from None
    if name not in allowed_names(value):
        raise no_attribute(value, name)
    attr = getattr(value, name)
    t = type(value)
    if t is list:
        return _list_method(value, name, attr, limits)
    if t is str and name in ("join", "replace"):
        return _str_method(value, name, limits)
    if name in GROWING and isinstance(value, Tensor):
        return _growing_method(value, name, attr, limits)
    if name in SPLITTING and isinstance(value, Tensor):
        return _pieces_method(value, name, attr, limits)
    if name == "tolist" and isinstance(value, Tensor):
        return _tolist_method(value, attr, limits)
    if name in GROWING_TENSOR_METHODS and isinstance(value, Tensor):
        return _tensor_method(attr, limits)
    return attr


def set_attribute(target: Any, name: str, value: Any) -> None:
    """`target.name = value`: only the settable tensor attributes."""
    if isinstance(target, Tensor) and name in SETTABLE_TENSOR_ATTRIBUTES:
        setattr(target, name, value)
        return
    if isinstance(target, Function):
        raise GradlangError("AttributeError", "gradlang functions have no settable attributes")
    if isinstance(target, Tensor) and name in Tensor.PUBLIC_ATTRIBUTES:
        raise GradlangError(
            "AttributeError", f"attribute '{name}' of 'torch._C.TensorBase' objects is not writable"
        )
    raise GradlangError(
        "AttributeError",
        f"'{type_label(target)}' object has no attribute '{name}'"
        if not isinstance(target, Namespace)
        else f"cannot set attributes of module '{target.name}'",
    )


def _list_method(
    lst: list[Any], name: str, method: Callable[..., Any], limits: Limits
) -> Callable[..., Any]:
    if name == "append" or name == "insert":

        def grow(*args: Any) -> Any:
            if len(lst) >= limits.max_list:
                raise size_error("list", limits.max_list)
            return method(*args)

        grow.__name__ = name
        return grow
    if name == "extend":

        def extend(items: Any) -> None:
            if hasattr(items, "__len__"):
                if len(lst) + len(items) > limits.max_list:
                    raise size_error("list", limits.max_list)
            else:  # an iterator (zip, reversed, ...): take at most what still fits
                items = bounded_list(items, limits.max_list - len(lst), limits)
            method(items)
            check_length(lst, limits)

        return extend
    return method


def bounded_list(items: Any, room: int, limits: Limits) -> list[Any]:
    """`list(items)` for an iterable without a length, refused past `room` items."""
    if type(items) is range or type(items) is str:
        if len(items) > room:
            raise size_error("list", limits.max_list)
        return list(items)
    out = list(islice(items, max(room, 0) + 1))
    if len(out) > room:
        raise size_error("list", limits.max_list)
    return out


def _str_method(s: str, name: str, limits: Limits) -> Callable[..., Any]:
    if name == "join":

        def join(items: Any) -> str:
            if not isinstance(items, (list, tuple)):
                items = bounded_list(items, limits.max_list, limits)
            total = len(s) * max(len(items) - 1, 0)
            for item in items:
                total += len(item) if type(item) is str else 0
            if total > limits.max_string:
                raise size_error("string", limits.max_string)
            return s.join(items)

        return join

    def replace(old: str, new: str, count: int = -1) -> str:
        if type(old) is str and type(new) is str and len(new) > len(old):
            hits = s.count(old) if old else len(s) + 1
            if count >= 0:
                hits = min(hits, count)
            if len(s) + hits * (len(new) - len(old)) > limits.max_string:
                raise size_error("string", limits.max_string)
        return s.replace(old, new, count)

    return replace


def _growing_method(
    tensor: Any, name: str, method: Callable[..., Any], limits: Limits
) -> Callable[..., Any]:
    """`tensor.outer(v)`, `.kron`, `.diag()`...: the result's size checked before it is made."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        n = result_numel(name, (tensor, *args), kwargs)
        if n is not None and n > limits.max_elements:
            raise elements_error(n, limits)
        return method(*args, **kwargs)

    checked.__name__ = getattr(method, "__name__", name)
    return checked


def _pieces_method(
    tensor: Any, name: str, method: Callable[..., Any], limits: Limits
) -> Callable[..., Any]:
    """`x.split(1)`, `.chunk(n)`, `.unbind()`: the number of pieces checked first."""

    def checked(*args: Any, **kwargs: Any) -> Any:
        check_pieces(name, (tensor, *args), kwargs, limits)
        return method(*args, **kwargs)

    checked.__name__ = getattr(method, "__name__", name)
    return checked


def _tolist_method(tensor: Any, method: Callable[..., Any], limits: Limits) -> Callable[..., Any]:
    """`x.tolist()`: a Python number per element, bounded as a list's length is."""

    def checked() -> Any:
        if tensor._data.size > limits.max_list:
            raise size_error("list", limits.max_list)
        return method()

    checked.__name__ = "tolist"
    return checked


def _tensor_method(method: Callable[..., Any], limits: Limits) -> Callable[..., Any]:
    def checked(*args: Any, **kwargs: Any) -> Any:
        sizes = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        n = 1
        for s in sizes:
            if type(s) is int and s > 0:
                n *= s
        base = method.__self__._data.size  # type: ignore[attr-defined]
        if method.__name__ in ("repeat", "tile", "repeat_interleave"):
            n *= base
        if n > limits.max_elements:
            raise elements_error(n, limits)
        return method(*args, **kwargs)

    checked.__name__ = method.__name__
    return checked
