"""Reductions: sum, mean, prod, max/min (full, along a dim, elementwise), arg*, var/std,
norms, logsumexp, cumulative sums and products, sort/topk."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd.cascade_sum import torch_order_sum
from gradlang.autograd.creation import resolve_dtype
from gradlang.autograd.dispatch import record1, result
from gradlang.autograd.errors import TorchIndexError, TorchRuntimeError, TorchTypeError
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import wrap_dim, wrap_dims
from gradlang.autograd.tensor import Tensor

_SUM = RULES["sum"]
_SUM_DIM = RULES["sum_dim"]
_MEAN = RULES["mean"]
_MEAN_DIM = RULES["mean_dim"]
_add_reduce = np.add.reduce


def float_sum(d: np.ndarray, dims: tuple[int, ...] | None, keepdims: bool = False) -> Any:
    """Sum in PyTorch's order where cascade_sum replays it, numpy's sum elsewhere."""
    out = torch_order_sum(d, dims)
    if out is None:
        # numpy's stubs overload keepdims only as Literal[True]/Literal[False], not bool
        return _add_reduce(d, axis=dims, keepdims=keepdims)  # type: ignore[call-overload]
    if keepdims:
        out = np.expand_dims(out, tuple(range(d.ndim)) if dims is None else dims)
    return out


class ReturnTuple(tuple):
    """torch.return_types.max / min / sort / topk: a (values, indices) pair with names."""

    _name = "max"

    def __new__(cls, name: str, values: Tensor, indices: Tensor) -> ReturnTuple:
        obj = super().__new__(cls, (values, indices))
        obj._name = name
        return obj

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

    __str__ = __repr__


def _dims_arg(dim: Any) -> Any:
    if isinstance(dim, list):
        return tuple(dim)
    return dim


def _sum_dtype(t: Tensor, dtype: Any) -> _dt.DType:
    dt = resolve_dtype(dtype)
    if dt is not None:
        return dt
    return t._dtype if t._dtype.category == 2 else _dt.int64


def sum(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,  # noqa: A001
    dtype: Any = None,
) -> Tensor:
    if input.__class__ is not Tensor:
        raise TorchTypeError(
            f"sum(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    d = input._data
    dt = _sum_dtype(input, dtype)
    if dt.np != d.dtype:
        d = d.astype(dt.np)
    dim = _dims_arg(dim)
    if dim is None or dim == ():
        out = float_sum(d, None)
        r = Tensor(np.asarray(out, dt.np), dt)
        if keepdim and d.ndim:
            r._data = r._data.reshape((1,) * d.ndim)
            if _gm.enabled and input._requires_grad:
                return record1(r, _SUM_DIM, input, (tuple(range(d.ndim)), True))
            return r
        if _gm.enabled and input._requires_grad:
            record1(r, _SUM, input)
        return r
    dims = wrap_dims(dim, d.ndim)
    out = float_sum(d, dims, keepdim) if dims else d.copy()
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, _SUM_DIM, input, (dims, keepdim))
    return r


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    from gradlang.autograd.ops_math import isnan, where

    return sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    dt = resolve_dtype(dtype) or input._dtype
    if not dt.is_floating_point:
        raise TorchRuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {input._dtype.short}"
        )
    d = input._data if dt is input._dtype else input._data.astype(dt.np)
    dim = _dims_arg(dim)
    if dim is None or dim == ():
        out = float_sum(d, None) / dt.np.type(d.size) if d.size else np.array(np.nan, dt.np)
        r = result(out, dt)
        if keepdim and d.ndim:
            r._data = r._data.reshape((1,) * d.ndim)
            if _gm.enabled and input._requires_grad:
                return record1(r, _MEAN_DIM, input, (tuple(range(d.ndim)), True))
            return r
        if _gm.enabled and input._requires_grad:
            record1(r, _MEAN, input)
        return r
    dims = wrap_dims(dim, d.ndim)
    if dims and d.size:
        count = int(np.prod([d.shape[i] for i in dims]))
        out = float_sum(d, dims, keepdim) / dt.np.type(count)
    else:
        out = np.mean(d, axis=dims, keepdims=keepdim, dtype=dt.np) if dims else d.copy()
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, _MEAN_DIM, input, (dims, keepdim))
    return r


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    from gradlang.autograd.ops_math import isnan, logical_not

    count = sum(logical_not(isnan(input)), dim, keepdim)
    return nansum(input, dim, keepdim) / count


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    dt = _sum_dtype(input, dtype)
    d = input._data if dt.np == input._data.dtype else input._data.astype(dt.np)
    if dim is None:
        r = result(np.prod(d), dt)
        if _gm.enabled and input._requires_grad:
            record1(r, RULES["prod"], input)
        return r
    dims = wrap_dims(dim, d.ndim)
    r = result(np.prod(d, axis=dims, keepdims=keepdim), dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["prod_dim"], input, (dims, keepdim))
    return r


def _extreme(name: str, input: Tensor, dim: Any, keepdim: bool, other: Any) -> Any:
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:
        from gradlang.autograd.ops_math import maximum, minimum

        return maximum(input, other) if name == "max" else minimum(input, other)
    d = input._data
    np_red = np.max if name == "max" else np.min
    if dim is None:
        if d.size == 0:
            raise TorchRuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        r = result(np_red(d), input._dtype)
        if _gm.enabled and input._requires_grad:
            record1(r, RULES[name], input)
        return r
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        values = Tensor(d.copy(), input._dtype)
        indices = Tensor(np.asarray(0, np.int64), _dt.int64)
    else:
        if d.shape[axis] == 0:
            raise TorchIndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        idx = (np.argmax if name == "max" else np.argmin)(d, axis=axis)
        if d.dtype.kind == "f":
            nan_any = np.isnan(d).any(axis=axis)
            if nan_any.any():
                idx = np.where(nan_any, np.argmax(np.isnan(d), axis=axis), idx)
        idx = np.expand_dims(idx, axis)
        vals = np.take_along_axis(d, idx, axis)
        if not keepdim:
            vals = np.squeeze(vals, axis)
            idx = np.squeeze(idx, axis)
        values = result(vals, input._dtype)
        indices = result(idx.astype(np.int64), _dt.int64)
    if _gm.enabled and input._requires_grad:
        record1(values, RULES[name + "_dim"], input, (axis, keepdim, indices))
    return ReturnTuple(name, values, indices)


def max(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,  # noqa: A001
    other: Any = None,
) -> Any:
    return _extreme("max", input, dim, keepdim, other)


def min(
    input: Tensor,
    dim: Any = None,
    keepdim: bool = False,
    *,  # noqa: A001
    other: Any = None,
) -> Any:
    return _extreme("min", input, dim, keepdim, other)


def _amax(name: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    d = input._data
    dims = wrap_dims(_dims_arg(dim) if dim not in (None, ()) else None, d.ndim)
    np_red = np.max if name == "amax" else np.min
    r = result(np_red(d, axis=dims, keepdims=keepdim), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES[name], input, (dims, keepdim))
    return r


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax("amax", input, dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax("amin", input, dim, keepdim)


def _arg(name: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    d = input._data
    fn = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        if d.size == 0:
            raise TorchRuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        flat = d.reshape(-1)
        if flat.dtype.kind == "f" and np.isnan(flat).any():
            i = int(np.argmax(np.isnan(flat)))
        else:
            i = int(fn(flat))
        out = np.asarray(i, np.int64)
        if keepdim:
            out = out.reshape((1,) * d.ndim)
        return Tensor(out, _dt.int64)
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return Tensor(np.asarray(0, np.int64), _dt.int64)
    idx = fn(d, axis=axis)
    if keepdim:
        idx = np.expand_dims(idx, axis)
    return result(np.asarray(idx, np.int64), _dt.int64)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg("argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg("argmin", input, dim, keepdim)


def _var_args(dim: Any, unbiased: Any, correction: Any) -> tuple[Any, float]:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _var(
    name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any
) -> Tensor:
    if not input._dtype.is_floating_point:
        raise TorchRuntimeError("std and var only support floating point and complex dtypes")
    dim, correction = _var_args(dim, unbiased, correction)
    d = input._data
    dims = wrap_dims(_dims_arg(dim), d.ndim) if dim is not None else tuple(range(d.ndim))
    n = 1
    for k in dims:
        n *= d.shape[k]
    ddof = correction
    if n - ddof <= 0:
        out = np.full(np.sum(d, axis=dims, keepdims=keepdim).shape, np.nan, d.dtype)
    else:
        out = np.var(d, axis=dims, keepdims=keepdim, ddof=ddof, dtype=np.float64)
        if name == "std":
            out = np.sqrt(out)
    r = result(np.asarray(out).astype(d.dtype), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES[name], input, (dims, correction, keepdim))
    return r


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    return _var("var", input, dim, unbiased, keepdim, correction)


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    return _var("std", input, dim, unbiased, keepdim, correction)


def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    return (
        var(input, dim, unbiased, keepdim, correction=correction),
        mean(input, dim if dim is not None else None, keepdim),
    )


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    return (
        std(input, dim, unbiased, keepdim, correction=correction),
        mean(input, dim if dim is not None else None, keepdim),
    )


def vector_norm(
    input: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    if not input._dtype.is_floating_point:
        raise TorchRuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{input._dtype.short}"
        )
    d = input._data
    dims = wrap_dims(_dims_arg(dim), d.ndim) if dim is not None else tuple(range(d.ndim))
    p = float(ord)
    a = np.abs(d)
    if p == 2:
        out = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    elif p == float("inf"):
        out = np.max(a, axis=dims, keepdims=keepdim)
    elif p == float("-inf"):
        out = np.min(a, axis=dims, keepdims=keepdim)
    elif p == 0:
        out = np.sum(a != 0, axis=dims, keepdims=keepdim).astype(d.dtype)
    elif p == 1:
        out = np.sum(a, axis=dims, keepdims=keepdim)
    else:
        out = np.power(np.sum(np.power(a, p), axis=dims, keepdims=keepdim), 1.0 / p)
    r = result(np.asarray(out).astype(d.dtype), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["norm"], input, (p, dims, keepdim))
    return r


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    if p in ("fro", None):
        p = 2
    if p == "nuc":
        raise TorchRuntimeError("nuclear norm is not supported")
    return vector_norm(input, p, dim, keepdim)


def linalg_norm(
    input: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    if ord is None or ord == "fro":
        return vector_norm(input, 2, dim, keepdim)
    return vector_norm(input, ord, dim, keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    d = input._data
    if not input._dtype.is_floating_point:
        d = d.astype(np.float32)
    dims = wrap_dims(_dims_arg(dim), d.ndim)
    if not dims and d.ndim:
        dims = ()
    m = np.max(d, axis=dims, keepdims=True) if d.size else np.zeros((1,) * d.ndim, d.dtype)
    m = np.where(np.isinf(m), np.zeros_like(m), m)
    out = np.log(np.sum(np.exp(d - m), axis=dims, keepdims=True)) + m
    if not keepdim:
        out = np.squeeze(out, axis=dims) if dims else out
    dt = input._dtype if input._dtype.is_floating_point else _dt.float32
    r = result(np.asarray(out).astype(dt.np), dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["logsumexp"], input, (dims, keepdim))
    return r


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = _sum_dtype(input, dtype)
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    out = np.cumsum(d, axis=axis if d.ndim else None, dtype=dt.np).reshape(d.shape)
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["cumsum"], input, axis)
    return r


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = _sum_dtype(input, dtype)
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    out = np.cumprod(d, axis=axis if d.ndim else None, dtype=dt.np).reshape(d.shape)
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["cumprod"], input, axis)
    return r


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    d = input._data
    if dim is None:
        return result(np.all(d), _dt.bool_)
    return result(np.all(d, axis=wrap_dims(dim, d.ndim), keepdims=keepdim), _dt.bool_)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    d = input._data
    if dim is None:
        return result(np.any(d), _dt.bool_)
    return result(np.any(d, axis=wrap_dims(dim, d.ndim), keepdims=keepdim), _dt.bool_)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    d = input._data
    axis = None if dim is None else wrap_dims(dim, d.ndim)
    return result(np.asarray(np.count_nonzero(d, axis=axis), np.int64), _dt.int64)


def _sorted(name: str, input: Tensor, dim: int, descending: bool, k: int | None) -> ReturnTuple:
    d = input._data
    axis = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        values = Tensor(d.copy(), input._dtype)
        idx = np.asarray(0, np.int64)
    else:
        key = -d if descending and d.dtype.kind != "b" else d
        if descending and d.dtype.kind == "b":
            key = ~d
        order = np.argsort(key, axis=axis, kind="stable")
        if k is not None:
            if k > d.shape[axis] or k < 0:
                raise TorchRuntimeError("selected index k out of range")
            order = np.take(order, np.arange(k), axis=axis)
        idx = order.astype(np.int64)
        values = result(np.take_along_axis(d, order, axis), input._dtype)
    indices = result(idx, _dt.int64)
    if _gm.enabled and input._requires_grad:
        record1(values, RULES[name], input, (axis, True, indices))
    return ReturnTuple(name, values, indices)


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
) -> ReturnTuple:
    return _sorted("sort", input, dim, descending, None)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return sort(input, dim, descending).indices


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ReturnTuple:
    return _sorted("topk", input, dim, largest, k)


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    d = input._data
    if dim is None:
        flat = np.sort(d.reshape(-1))
        from gradlang.autograd.ops_shape import index

        pos = int(np.argsort(d.reshape(-1), kind="stable")[(flat.size - 1) // 2])
        return index(input.reshape(-1), pos)
    s = sort(input, dim)
    axis = wrap_dim(dim, d.ndim)
    m = (d.shape[axis] - 1) // 2
    vals = s.values.select(axis, m)
    idx = s.indices.select(axis, m)
    if keepdim:
        vals, idx = vals.unsqueeze(axis), idx.unsqueeze(axis)
    return ReturnTuple("median", vals, idx)
