"""Attaches the ops to `Tensor` as methods and Python operators, and fills
`Tensor.PUBLIC_ATTRIBUTES` (what a program may touch; the runtime's allow-list starts here)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import cache
from types import FunctionType as _FunctionType
from typing import Any

from gradlang.autograd import creation as c
from gradlang.autograd import ops_linalg as la
from gradlang.autograd import ops_math as m
from gradlang.autograd import ops_nn as nn
from gradlang.autograd import ops_reduce as red
from gradlang.autograd import ops_shape as s
from gradlang.autograd.errors import (
    TorchError,
    TorchIndexError,
    TorchRuntimeError,
    TorchTypeError,
)
from gradlang.autograd.inplace import apply_inplace, build_inplace_methods
from gradlang.autograd.shapes import broadcast_shapes
from gradlang.autograd.tensor import Tensor

# The ops that are both `torch.NAME` and `Tensor.NAME`, on the same function (api.TORCH
# includes this table).
SHARED: dict[str, Callable[..., Any]] = {
    # arithmetic
    "add": m.add,
    "sub": m.sub,
    "subtract": m.sub,
    "mul": m.mul,
    "multiply": m.mul,
    "div": m.div,
    "divide": m.div,
    "true_divide": m.div,
    "floor_divide": m.floor_divide,
    "remainder": m.remainder,
    "fmod": m.fmod,
    "neg": m.neg,
    "negative": m.neg,
    "pow": m.pow,
    "square": m.square,
    "reciprocal": m.reciprocal,
    "float_power": m.float_power,
    "maximum": m.maximum,
    "minimum": m.minimum,
    "fmax": m.fmax,
    "fmin": m.fmin,
    "atan2": m.atan2,
    "xlogy": m.xlogy,
    "hypot": m.hypot,
    "nan_to_num": m.nan_to_num,
    "unique": m.unique,
    "bincount": m.bincount,
    "dist": m.dist,
    "logaddexp": m.logaddexp,
    "logit": m.logit,
    "sinc": m.sinc,
    "deg2rad": m.deg2rad,
    "rad2deg": m.rad2deg,
    "diff": m.diff,
    "tile": s.tile,
    "arctan2": m.atan2,
    "lerp": m.lerp,
    # unary
    "exp": m.exp,
    "exp2": m.exp2,
    "expm1": m.expm1,
    "log": m.log,
    "log2": m.log2,
    "log10": m.log10,
    "log1p": m.log1p,
    "sin": m.sin,
    "cos": m.cos,
    "tan": m.tan,
    "asin": m.asin,
    "acos": m.acos,
    "atan": m.atan,
    "arcsin": m.asin,
    "arccos": m.acos,
    "arctan": m.atan,
    "sinh": m.sinh,
    "asinh": m.asinh,
    "acosh": m.acosh,
    "atanh": m.atanh,
    "arcsinh": m.asinh,
    "arccosh": m.acosh,
    "arctanh": m.atanh,
    "erfc": m.erfc,
    "addcmul": m.addcmul,
    "addcdiv": m.addcdiv,
    "cosh": m.cosh,
    "tanh": m.tanh,
    "sigmoid": m.sigmoid,
    "relu": m.relu,
    "sqrt": m.sqrt,
    "rsqrt": m.rsqrt,
    "abs": m.abs,
    "absolute": m.abs,
    "sign": m.sign,
    "sgn": m.sgn,
    "floor": m.floor,
    "ceil": m.ceil,
    "round": m.round,
    "trunc": m.trunc,
    "fix": m.trunc,
    "frac": m.frac,
    "erf": m.erf,
    "clamp": m.clamp,
    "clip": m.clamp,
    "clamp_min": m.clamp_min,
    "clamp_max": m.clamp_max,
    "softmax": nn.softmax,
    "log_softmax": nn.log_softmax,
    # comparisons and logic
    "eq": m.eq,
    "ne": m.ne,
    "lt": m.lt,
    "le": m.le,
    "gt": m.gt,
    "ge": m.ge,
    "greater": m.gt,
    "greater_equal": m.ge,
    "less": m.lt,
    "less_equal": m.le,
    "not_equal": m.ne,
    "logical_not": m.logical_not,
    "logical_and": m.logical_and,
    "logical_or": m.logical_or,
    "logical_xor": m.logical_xor,
    "isnan": m.isnan,
    "isinf": m.isinf,
    "isfinite": m.isfinite,
    "isclose": m.isclose,
    "allclose": m.allclose,
    "equal": m.equal,
    "bitwise_not": m.bitwise_not,
    "bitwise_and": m.bitwise_and,
    "bitwise_or": m.bitwise_or,
    "bitwise_xor": m.bitwise_xor,
    "bitwise_left_shift": m.bitwise_left_shift,
    "bitwise_right_shift": m.bitwise_right_shift,
    # reductions
    "sum": red.sum,
    "nansum": red.nansum,
    "mean": red.mean,
    "nanmean": red.nanmean,
    "prod": red.prod,
    "max": red.max,
    "min": red.min,
    "amax": red.amax,
    "amin": red.amin,
    "argmax": red.argmax,
    "argmin": red.argmin,
    "var": red.var,
    "std": red.std,
    "norm": red.norm,
    "logsumexp": red.logsumexp,
    "cumsum": red.cumsum,
    "cumprod": red.cumprod,
    "all": red.all,
    "any": red.any,
    "count_nonzero": red.count_nonzero,
    "sort": red.sort,
    "argsort": red.argsort,
    "topk": red.topk,
    "median": red.median,
    # linear algebra
    "matmul": la.matmul,
    "mm": la.mm,
    "mv": la.mv,
    "dot": la.dot,
    "bmm": la.bmm,
    "outer": la.outer,
    "ger": la.outer,
    "inner": la.inner,
    "addmm": la.addmm,
    "trace": la.trace,
    "det": la.det,
    "inverse": la.inverse,
    # shape
    "reshape": s.reshape,
    "flatten": s.flatten,
    "unflatten": s.unflatten,
    "squeeze": s.squeeze,
    "unsqueeze": s.unsqueeze,
    "broadcast_to": s.broadcast_to,
    "transpose": s.transpose,
    "swapaxes": s.transpose,
    "swapdims": s.transpose,
    "t": s.t,
    "permute": s.permute,
    "movedim": s.movedim,
    "moveaxis": s.movedim,
    "clone": s.clone,
    "select": s.select,
    "narrow": s.narrow,
    "split": s.split,
    "chunk": s.chunk,
    "unbind": s.unbind,
    "flip": s.flip,
    "fliplr": s.fliplr,
    "flipud": s.flipud,
    "roll": s.roll,
    "index_select": s.index_select,
    "gather": s.gather,
    "scatter": s.scatter,
    "scatter_add": s.scatter_add,
    "index_add": s.index_add,
    "masked_fill": s.masked_fill,
    "masked_select": s.masked_select,
    "tril": s.tril,
    "triu": s.triu,
    "diag": s.diag,
    "diagonal": s.diagonal,
    "nonzero": s.nonzero,
    "argwhere": s.argwhere,
    "cross": la.cross,
    "kron": la.kron,
}

METHODS: dict[str, Callable[..., Any]] = {
    **SHARED,
    # methods only (or, like where, with the tensor in another place than torch.NAME's)
    "where": lambda self, c, o: m.where(c, self, o),
    "view": s.view,
    "view_as": s.view_as,
    "reshape_as": s.reshape_as,
    "expand": s.expand,
    "expand_as": s.expand_as,
    "contiguous": s.contiguous,
    "repeat": s.repeat,
    "repeat_interleave": s.repeat_interleave_method,
    "new_zeros": c.new_zeros,
    "new_ones": c.new_ones,
    "new_full": c.new_full,
    "new_empty": c.new_zeros,
    "new_tensor": c.new_tensor,
    # dtype
    "to": s.to,
    "type_as": s.type_as,
    "float": s.float,
    "double": s.double,
    "half": s.half,
    "long": s.long,
    "int": s.int,
    "bool": s.bool,
    "type": s.type,
    "cpu": s.cpu,
}

OPERATORS: dict[str, Callable[..., Any]] = {
    "__add__": m.add,
    "__radd__": m.radd,
    "__sub__": m.sub,
    "__rsub__": m.rsub,
    "__mul__": m.mul,
    "__rmul__": m.rmul,
    "__truediv__": m.div,
    "__rtruediv__": m.rdiv,
    "__floordiv__": m.floor_divide,
    "__rfloordiv__": m.rfloordiv,
    "__mod__": m.remainder,
    "__rmod__": m.rmod,
    "__pow__": m.pow,
    "__rpow__": m.rpow,
    "__matmul__": la.matmul,
    "__rmatmul__": la.rmatmul,
    "__neg__": m.neg,
    "__pos__": m.positive,
    "__abs__": m.abs,
    "__eq__": m.eq,
    "__ne__": m.ne,
    "__lt__": m.lt,
    "__le__": m.le,
    "__gt__": m.gt,
    "__ge__": m.ge,
    "__invert__": m.bitwise_not,
    "__and__": m.bitwise_and,
    "__or__": m.bitwise_or,
    "__xor__": m.bitwise_xor,
    "__rand__": m.bitwise_and,
    "__ror__": m.bitwise_or,
    "__rxor__": m.bitwise_xor,
    "__lshift__": m.bitwise_left_shift,
    "__rshift__": m.bitwise_right_shift,
    "__rlshift__": m.rlshift,
    "__rrshift__": m.rrshift,
    "__getitem__": s.index,
    "__setitem__": s.setitem,
}

INPLACE_OPERATORS: dict[str, Callable[..., Any]] = {
    "__iadd__": m.add,
    "__isub__": m.sub,
    "__imul__": m.mul,
    "__itruediv__": m.div,
    "__ifloordiv__": m.floor_divide,
    "__imod__": m.remainder,
    "__ipow__": m.pow,
    "__iand__": m.bitwise_and,
    "__ior__": m.bitwise_or,
    "__ixor__": m.bitwise_xor,
    "__ilshift__": m.bitwise_left_shift,
    "__irshift__": m.bitwise_right_shift,
}

PROPERTIES = {"T": s.T_property, "mT": s.mT_property}

CORE_PUBLIC = {
    "shape",
    "size",
    "dtype",
    "ndim",
    "dim",
    "ndimension",
    "numel",
    "nelement",
    "element_size",
    "device",
    "is_cuda",
    "is_floating_point",
    "is_complex",
    "is_contiguous",
    "stride",
    "requires_grad",
    "requires_grad_",
    "grad_fn",
    "is_leaf",
    "retains_grad",
    "retain_grad",
    "grad",
    "data",
    "register_hook",
    "backward",
    "detach",
    "detach_",
    "item",
    "tolist",
    "numpy",
}


def _inplace_operator(fn: Callable[..., Any]) -> Callable[..., Any]:
    def op(self: Tensor, other: Any) -> Tensor:
        return apply_inplace(self, fn, other)

    return op


def _bad_argument(fn: Callable[..., Any], args: tuple, kwargs: dict) -> TorchTypeError | None:
    """PyTorch's TypeError for a non-tensor given where a Tensor parameter is (or None)."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    except TypeError:
        return None
    position = 0
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            position += 1
        if name in bound.arguments and "Tensor" in str(param.annotation):
            value = bound.arguments[name]
            if isinstance(value, Tensor) or (value is None and "None" in str(param.annotation)):
                continue
            if "list" in str(param.annotation) or "Sequence" in str(param.annotation):
                continue
            return TorchTypeError(
                f"{fn.__name__}(): argument '{name}' (position {position}) must be Tensor, not "
                f"{type(value).__name__}"
            )
    return None


_BROADCAST = re.compile(r"shapes? \(([\d,\s]*)\)\s*\(([\d,\s]*)\)")


def _translate(fn: Callable[..., Any], args: tuple, kwargs: dict, error: Exception) -> Exception:
    """An engine error for a Python/numpy exception that escaped an op (bad arguments)."""
    if isinstance(error, AttributeError):
        better = _bad_argument(fn, args, kwargs)
        return better or TorchTypeError(f"{fn.__name__}(): {error}")
    if isinstance(error, TypeError):
        return _bad_argument(fn, args, kwargs) or TorchTypeError(str(error))
    if isinstance(error, IndexError):
        return TorchIndexError(str(error))
    if isinstance(error, ValueError):
        match = _BROADCAST.search(str(error))
        if match and "broadcast" in str(error):
            shapes = [tuple(int(x) for x in g.split(",") if x.strip()) for g in match.groups()]
            try:
                broadcast_shapes(shapes[0], shapes[1])
            except TorchRuntimeError as better:
                return better
        return TorchRuntimeError(str(error))
    if isinstance(error, ZeroDivisionError):
        return TorchRuntimeError("ZeroDivisionError")
    return TorchRuntimeError(str(error))


def _fixed_arity(fn: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """The guard for an op with only required parameters, with its exact signature (no
    *args/**kwargs packing on the hot path)."""
    public = _guard_factory(tuple(names))(fn, TorchError, _STRAY, _translate)
    public.__name__ = public.__qualname__ = fn.__name__
    public.__doc__ = fn.__doc__
    public.__module__ = fn.__module__
    public.__wrapped__ = fn  # type: ignore[attr-defined]
    return public


@cache
def _guard_factory(names: tuple[str, ...]) -> Callable[..., Callable[..., Any]]:
    """A function making `_fixed_arity`'s guard for these parameter names (compiled once per
    distinct list of names, not once per op: import time)."""
    arglist = ", ".join(names)
    source = (
        f"def make(fn, TorchError, STRAY, translate):\n"
        f"    def public({arglist}):\n"
        f"        try:\n"
        f"            return fn({arglist})\n"
        f"        except TorchError:\n"
        f"            raise\n"
        f"        except STRAY as error:\n"
        f"            if isinstance(error, ValueError) and 'maximum supported dimension' in str(\n"
        f"                error\n"
        f"            ):\n"
        f"                raise\n"
        f"            raise translate(fn, ({arglist},), {{}}, error) from None\n"
        f"    return public\n"
    )
    scope: dict[str, Any] = {}
    exec(source, scope)  # noqa: S102 - a fixed template over the op's own parameter names
    return scope["make"]  # type: ignore[no-any-return]


_PLAIN_FLAGS = inspect.CO_VARARGS | inspect.CO_VARKEYWORDS


def _plain_parameters(fn: Callable[..., Any]) -> tuple[list[str], bool] | None:
    """(parameter names, all positional-or-keyword without defaults) of a plain Python
    function, read off its code object; None when only inspect.signature can tell."""
    code = getattr(fn, "__code__", None)
    if (
        code is None
        or fn.__class__ is not _FunctionType
        or hasattr(fn, "__wrapped__")
        or hasattr(fn, "__signature__")
    ):
        return None
    count = code.co_argcount + code.co_kwonlyargcount
    flags = code.co_flags
    has_var = bool(flags & _PLAIN_FLAGS)
    count += bool(flags & inspect.CO_VARARGS) + bool(flags & inspect.CO_VARKEYWORDS)
    names = list(code.co_varnames[:count])
    plain = (
        not has_var
        and code.co_kwonlyargcount == 0
        and code.co_posonlyargcount == 0
        and not fn.__defaults__
    )
    return names, plain


_STRAY = (
    AttributeError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    ZeroDivisionError,
    OverflowError,
)


def numpy_aliases(fn: Callable[..., Any], always: bool = True) -> Callable[..., Any]:
    """The public face of an op: accepts numpy's `axis=`/`keepdims=` for `dim=`/`keepdim=` (as
    PyTorch does) and turns any Python or numpy exception that escapes it into the engine's
    error classes with PyTorch-like text (free unless something is raised)."""
    quick = _plain_parameters(fn)
    if quick is not None:
        names, plain = quick
        has_dim = "dim" in names or "keepdim" in names
        if not has_dim and plain and 1 <= len(names) <= 3:
            return _fixed_arity(fn, names)
    else:
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            return fn
        has_dim = "dim" in params or "keepdim" in params
        simple = [
            p.name
            for p in params.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
        ]
        if not has_dim and len(simple) == len(params) and 1 <= len(simple) <= 3:
            return _fixed_arity(fn, simple)

    def public(*args: Any, **kwargs: Any) -> Any:
        if kwargs and has_dim:
            if "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        try:
            return fn(*args, **kwargs)
        except TorchError:
            raise
        except _STRAY as error:
            if isinstance(error, ValueError) and "maximum supported dimension" in str(error):
                raise  # numpy's dimension limit: the runtime reports it as a LimitError
            raise _translate(fn, args, kwargs, error) from None

    public.__name__ = public.__qualname__ = fn.__name__
    public.__doc__ = fn.__doc__
    public.__wrapped__ = fn  # type: ignore[attr-defined]
    return public


def install() -> None:
    for name, fn in METHODS.items():
        setattr(Tensor, name, numpy_aliases(fn))
    for name, fn in OPERATORS.items():
        setattr(Tensor, name, fn)
    for name, fn in INPLACE_OPERATORS.items():
        setattr(Tensor, name, _inplace_operator(fn))
    inplace = build_inplace_methods()
    for name, fn in inplace.items():
        setattr(Tensor, name, numpy_aliases(fn))
    for name in CORE_PUBLIC:
        attr = Tensor.__dict__.get(name)
        if inspect.isfunction(attr) and not hasattr(attr, "__wrapped__"):
            setattr(Tensor, name, numpy_aliases(attr))
    for name, fn in PROPERTIES.items():
        setattr(Tensor, name, property(fn))
    Tensor.__hash__ = lambda self: id(self)  # type: ignore[method-assign]
    names = set(METHODS) | set(inplace) | set(PROPERTIES) | CORE_PUBLIC
    Tensor.PUBLIC_ATTRIBUTES = frozenset(n for n in names if not n.startswith("_"))


install()
