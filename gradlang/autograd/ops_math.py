"""Elementwise ops: arithmetic, comparisons, unary math and activations (forward + recording).

Hot paths (add, mul, ...) are written out so that matching dtypes and shapes cost nothing
beyond the numpy call, the result tensor and, when grad is on, its node.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd.dispatch import (
    as_tensor_operand,
    broadcast_error,
    float_operand,
    promote_operands,
    record,
    record1,
    record2,
    result,
)
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError
from gradlang.autograd.rng import fma32, fma64
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import broadcast_shapes
from gradlang.autograd.tensor import Tensor

ndarray = np.ndarray
_ADD = RULES["add"]
_SUB = RULES["sub"]
_RSUB = RULES["rsub"]
_MUL = RULES["mul"]
_DIV = RULES["div"]
_NEG = RULES["neg"]
_POW = RULES["pow"]
_POWT = RULES["pow_tensor"]
_POWS = RULES["pow_scalar_base"]
_RECIP = RULES["reciprocal"]
_float32 = _dt.float32
_float64 = _dt.float64
_bool = _dt.bool_


def _scalar_operand(ad: Any, bd: Any, dt: Any) -> Any:
    """`bd` as a numpy/Python scalar when `ad` and `bd` are 0-dim float32/float64 operands
    (numpy's scalar arithmetic: the ufunc's bits at a fraction of its cost), else None."""
    if ad.ndim == 0 and (dt is _float32 or dt is _float64):
        cls = bd.__class__
        if cls is float:
            return bd
        if cls is ndarray and bd.ndim == 0:
            return bd[()]
    return None


def _tensor_first(input: Any, other: Any, name: str) -> tuple[Tensor, Any, bool]:
    """(tensor, other, swapped) for functions called with a number first (torch.add(2, x))."""
    if input.__class__ is Tensor:
        return input, other, False
    if other.__class__ is Tensor:
        return as_tensor_operand(input), other, False
    raise TorchTypeError(
        f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
    )


def _grad_on(a: Tensor, b: Any) -> bool:
    return _gm.enabled and (a._requires_grad or (b.__class__ is Tensor and b._requires_grad))


def _binary(np_func: Callable, a: Tensor, b: Any) -> tuple[Any, _dt.DType]:
    ad, bd, dt = promote_operands(a, b)
    try:
        return np_func(ad, bd), dt
    except ValueError:
        raise broadcast_error(a._data, getattr(bd, "shape", ())) from None


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, "add")
    ad, bd, dt = promote_operands(input, other)
    if alpha != 1:
        bd = bd * alpha
        scalar = None
    else:
        scalar = _scalar_operand(ad, bd, dt)
    if scalar is not None:
        out = ad[()] + scalar
        r = Tensor(out[...], dt) if out.__class__ is dt.scalar else result(out, dt)  # type: ignore[index]
    else:
        if bd.__class__ is float:
            bd = float_operand(bd, dt)
        try:
            out = np.add(ad, bd)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        r = Tensor(out, dt) if out.__class__ is ndarray and out.dtype is dt.np else result(out, dt)
    if _gm.enabled and (
        input._requires_grad or (other.__class__ is Tensor and other._requires_grad)
    ):
        record2(r, _ADD, input, other, None if alpha == 1 else alpha)
    return r


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, "sub")
    if input._dtype is _bool and (
        other.__class__ is bool or (other.__class__ is Tensor and other._dtype is _bool)
    ):
        raise TorchRuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    ad, bd, dt = promote_operands(input, other)
    if alpha != 1:
        bd = bd * alpha
    if bd.__class__ is float:
        bd = float_operand(bd, dt)
    try:
        out = np.subtract(ad, bd)
    except ValueError:
        raise broadcast_error(ad, bd) from None
    r = Tensor(out, dt) if out.__class__ is ndarray and out.dtype is dt.np else result(out, dt)
    if _gm.enabled and (
        input._requires_grad or (other.__class__ is Tensor and other._requires_grad)
    ):
        record2(r, _SUB, input, other, None if alpha == 1 else alpha)
    return r


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """`other - alpha * input` (what `2 - x` runs)."""
    if other.__class__ is Tensor:
        ad, bd, dt = promote_operands(input, other)
        try:
            out = np.subtract(bd, ad * alpha if alpha != 1 else ad)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        r = result(out, dt)
        if _grad_on(input, other):
            record(r, RULES["rsub_tensor"], (input, other), None if alpha == 1 else alpha)
        return r
    ad, bd, dt = promote_operands(input, other)
    out = np.subtract(bd, ad * alpha if alpha != 1 else ad)
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, _RSUB, input, None if alpha == 1 else alpha)
    return r


def mul(input: Any, other: Any) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, "mul")
    ad, bd, dt = promote_operands(input, other)
    scalar = _scalar_operand(ad, bd, dt)
    if scalar is not None:
        out = ad[()] * scalar
        r = Tensor(out[...], dt) if out.__class__ is dt.scalar else result(out, dt)  # type: ignore[index]
    else:
        if bd.__class__ is float:
            bd = float_operand(bd, dt)
        try:
            out = np.multiply(ad, bd)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        r = Tensor(out, dt) if out.__class__ is ndarray and out.dtype is dt.np else result(out, dt)
    if _gm.enabled and (
        input._requires_grad or (other.__class__ is Tensor and other._requires_grad)
    ):
        record2(r, _MUL, input, other)
    return r


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, "div")
    if rounding_mode is not None:
        if rounding_mode in ("floor", "trunc"):
            ad, bd, dt = promote_operands(input, other)
            if dt.category != 2 and np.any(np.asarray(bd) == 0):
                raise TorchRuntimeError("ZeroDivisionError")
            try:
                if rounding_mode == "floor":
                    out = np.floor_divide(ad, bd)
                elif dt.category == 2:
                    out = np.trunc(np.true_divide(ad, bd))
                else:
                    out = np.trunc(np.true_divide(ad, bd)).astype(dt.np)
            except ValueError:
                raise broadcast_error(ad, bd) from None
            r = result(out, dt)
            if _grad_on(input, other):
                record(r, RULES["div_rounding"], (input, other))
            return r
        raise TorchRuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    ad, bd, dt = promote_operands(input, other)
    if dt.category != 2:
        ad = ad.astype(np.float32)
        bd = bd.astype(np.float32) if bd.__class__ is np.ndarray else bd
        dt = _float32
    try:
        out = np.true_divide(ad, bd)
    except ValueError:
        raise broadcast_error(ad, bd) from None
    r = Tensor(out, dt) if out.__class__ is ndarray and out.dtype is dt.np else result(out, dt)
    if _gm.enabled and (
        input._requires_grad or (other.__class__ is Tensor and other._requires_grad)
    ):
        record2(r, _DIV, input, other)
    return r


true_divide = div


def radd(input: Tensor, other: Any) -> Tensor:
    """`other + input` for a number `other` (the tensor stays first, as in PyTorch)."""
    return add(input, other)


def rmul(input: Tensor, other: Any) -> Tensor:
    """`other * input` for a number `other`."""
    return mul(input, other)


def rdiv(input: Tensor, other: Any) -> Tensor:
    """`other / input` for a number `other`: PyTorch runs `input.reciprocal() * other`."""
    if other.__class__ is Tensor:
        return div(other, input)
    return mul(reciprocal(input), other)


def floor_divide(input: Any, other: Any) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, "floor_divide")
    ad, bd, dt = promote_operands(input, other)
    if dt.category != 2 and np.any(np.asarray(bd) == 0):
        raise TorchRuntimeError("ZeroDivisionError")
    try:
        out = np.floor_divide(ad, bd)
    except ValueError:
        raise broadcast_error(ad, bd) from None
    r = result(out, dt)
    if _grad_on(input, other):
        if other.__class__ is Tensor:
            record(r, RULES["floor_divide"], (input, other))
        else:
            record1(r, RULES["floor_divide"], input, other)
    return r


def rfloordiv(input: Tensor, other: Any) -> Tensor:
    return floor_divide(as_tensor_operand(other), input)


def _mod(name: str, np_func: Callable, input: Any, other: Any) -> Tensor:
    if input.__class__ is not Tensor:
        input, other, _ = _tensor_first(input, other, name)
    ad, bd, dt = promote_operands(input, other)
    if dt.category != 2 and np.any(np.asarray(bd) == 0):
        raise TorchRuntimeError("ZeroDivisionError")
    try:
        out = np_func(ad, bd)
    except ValueError:
        raise broadcast_error(ad, bd) from None
    r = result(out, dt)
    if _grad_on(input, other):
        if other.__class__ is Tensor:
            record(r, RULES[name + "_tensor"], (input, other))
        else:
            record1(r, RULES[name], input, other)
    return r


def remainder(input: Any, other: Any) -> Tensor:
    return _mod("remainder", np.remainder, input, other)


def fmod(input: Any, other: Any) -> Tensor:
    return _mod("fmod", np.fmod, input, other)


def rmod(input: Tensor, other: Any) -> Tensor:
    return remainder(as_tensor_operand(other), input)


def neg(input: Tensor) -> Tensor:
    if input._dtype is _bool:
        raise TorchRuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    r = Tensor(np.negative(input._data), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, _NEG, input)
    return r


negative = neg


def positive(input: Tensor) -> Tensor:
    return input


def _pow_data(d: np.ndarray, e: Any) -> np.ndarray:
    if e == 2:
        return np.square(d)
    if e == 3:
        return d * d * d
    if e == 0.5 and d.dtype.kind == "f":
        return np.sqrt(d)
    if e == -1 and d.dtype.kind == "f":
        return np.reciprocal(d)
    if e == 1:
        return d.copy()
    return np.power(d, e)


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001 - torch's name
    if input.__class__ is not Tensor:
        if exponent.__class__ is Tensor:
            return _pow_scalar_base(input, exponent)
        raise TorchTypeError(
            f"pow() received an invalid combination of arguments - got ({type(input).__name__}"
            f", {type(exponent).__name__})"
        )
    if exponent.__class__ is Tensor:
        ad, bd, dt = promote_operands(input, exponent)
        if dt.category == 1 and np.any(bd < 0):
            raise TorchRuntimeError("Integers to negative integer powers are not allowed.")
        try:
            out = np.power(ad, bd)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        r = result(out, dt)
        if _grad_on(input, exponent):
            record(r, _POWT, (input, exponent))
        return r
    if isinstance(exponent, bool) or not isinstance(exponent, (int, float)):
        if isinstance(exponent, bool):
            exponent = int(exponent)
        else:
            raise TorchTypeError(
                f"unsupported operand type(s) for ** or pow(): 'Tensor' and "
                f"'{type(exponent).__name__}'"
            )
    ad, e, dt = promote_operands(input, exponent)
    if dt.category == 1 and exponent < 0:
        raise TorchRuntimeError("Integers to negative integer powers are not allowed.")
    r = result(_pow_data(ad, exponent), dt)
    if _gm.enabled and input._requires_grad:
        record1(r, _POW, input, exponent)
    return r


def _pow_scalar_base(base: Any, exponent: Tensor) -> Tensor:
    ed, bd, dt = promote_operands(exponent, base)
    if dt.category == 1 and np.any(ed < 0):
        raise TorchRuntimeError("Integers to negative integer powers are not allowed.")
    r = result(np.power(bd, ed), dt)
    if _gm.enabled and exponent._requires_grad:
        record1(r, _POWS, exponent, base)
    return r


def rpow(input: Tensor, other: Any) -> Tensor:
    return pow(other, input)


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


def float_power(input: Any, exponent: Any) -> Tensor:
    from gradlang.autograd.ops_shape import to

    return pow(to(input, _dt.float64), exponent)


def reciprocal(input: Tensor) -> Tensor:
    d = input._data
    dt = input._dtype
    if dt.category != 2:
        d = d.astype(np.float32)
        dt = _float32
    r = result(np.reciprocal(d), dt)
    if _gm.enabled and input._requires_grad:
        record1(r, _RECIP, input)
    return r


# ----------------------------------------------------------------------------- unary
def _unary_float(op: str, np_func: Callable) -> Callable[[Tensor], Tensor]:
    """An op whose integer inputs compute in float32 (exp, sin, ...)."""
    rule = RULES[op]

    def unary(input: Tensor) -> Tensor:
        d = input._data
        dt = input._dtype
        if dt.category != 2:
            d = d.astype(np.float32)
            dt = _float32
        if d.ndim == 0:  # numpy's scalar path: the same bits, cheaper than a 0-dim array's
            out = np_func(d[()])
            r = Tensor(out[...], dt) if out.__class__ is dt.scalar else result(out, dt)  # type: ignore[index]
        else:
            out = np_func(d)
            r = Tensor(out, dt) if out.__class__ is np.ndarray else result(out, dt)
        if _gm.enabled and input._requires_grad:
            record1(r, rule, input)
        return r

    unary.__name__ = unary.__qualname__ = op
    return unary


def _unary_same(op: str, np_func: Callable) -> Callable[[Tensor], Tensor]:
    """An op that keeps integer dtypes (abs, sign, floor, ...)."""
    rule = RULES[op]

    def unary(input: Tensor) -> Tensor:
        out = np_func(input._data)
        dt = input._dtype
        r = Tensor(out, dt) if out.__class__ is np.ndarray else result(out, dt)
        if _gm.enabled and input._requires_grad:
            record1(r, rule, input)
        return r

    unary.__name__ = unary.__qualname__ = op
    return unary


def _np_sigmoid(d: np.ndarray) -> np.ndarray:
    if d.ndim == 0:
        return np.reciprocal(np.exp(-d) + d.dtype.type(1))
    e = np.negative(d)
    np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


def _np_erf(d: np.ndarray) -> np.ndarray:
    flat = [math.erf(v) for v in d.reshape(-1).tolist()]
    return np.array(flat, dtype=d.dtype).reshape(d.shape)


def _np_erfc(d: np.ndarray) -> np.ndarray:
    flat = [math.erfc(v) for v in d.reshape(-1).tolist()]
    return np.array(flat, dtype=d.dtype).reshape(d.shape)


def _np_rsqrt(d: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(d))


_ZEROS = {d.np: d.np.type(0) for d in _dt.ALL}


def _np_relu(d: np.ndarray) -> np.ndarray:
    return np.maximum(d, _ZEROS[d.dtype]) if d.dtype.kind != "b" else d.copy()


def _np_round(d: np.ndarray) -> np.ndarray:
    return np.round(d) if d.dtype.kind == "f" else d.copy()


def _np_frac(d: np.ndarray) -> np.ndarray:
    return d - np.trunc(d)


exp = _unary_float("exp", np.exp)
exp2 = _unary_float("exp2", np.exp2)
expm1 = _unary_float("expm1", np.expm1)
log = _unary_float("log", np.log)
log2 = _unary_float("log2", np.log2)
log10 = _unary_float("log10", np.log10)
log1p = _unary_float("log1p", np.log1p)
sin = _unary_float("sin", np.sin)
cos = _unary_float("cos", np.cos)
tan = _unary_float("tan", np.tan)
asin = _unary_float("asin", np.arcsin)
acos = _unary_float("acos", np.arccos)
atan = _unary_float("atan", np.arctan)
sinh = _unary_float("sinh", np.sinh)
cosh = _unary_float("cosh", np.cosh)
tanh = _unary_float("tanh", np.tanh)
sigmoid = _unary_float("sigmoid", _np_sigmoid)
sqrt = _unary_float("sqrt", np.sqrt)
rsqrt = _unary_float("rsqrt", _np_rsqrt)
erf = _unary_float("erf", _np_erf)
asinh = _unary_float("asinh", np.arcsinh)
acosh = _unary_float("acosh", np.arccosh)
atanh = _unary_float("atanh", np.arctanh)
erfc = _unary_float("erfc", _np_erfc)
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
abs = _unary_same("abs", np.abs)  # noqa: A001 - torch's name
absolute = abs
relu = _unary_same("relu", _np_relu)
floor = _unary_same("floor", lambda d: np.floor(d) if d.dtype.kind == "f" else d.copy())
ceil = _unary_same("ceil", lambda d: np.ceil(d) if d.dtype.kind == "f" else d.copy())
trunc = _unary_same("trunc", lambda d: np.trunc(d) if d.dtype.kind == "f" else d.copy())
fix = trunc
frac = _unary_same("frac", _np_frac)
_sign_raw = _unary_same("sign", lambda d: np.sign(d) if d.dtype.kind != "b" else d.copy())


def sign(input: Tensor) -> Tensor:
    return _sign_raw(input)


_sgn_raw = _unary_same("sgn", lambda d: np.sign(d) if d.dtype.kind != "b" else d.copy())


def sgn(input: Tensor) -> Tensor:
    return _sgn_raw(input)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - torch's name
    if decimals == 0:
        return _round_raw(input)
    scale = 10.0**decimals
    r = result(np.round(input._data * scale) / scale, input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["round"], input)
    return r


_round_raw = _unary_same("round", _np_round)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise TorchRuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min.__class__ is Tensor or max.__class__ is Tensor:
        lo = None if min is None else (min if min.__class__ is Tensor else as_tensor_operand(min))
        hi = None if max is None else (max if max.__class__ is Tensor else as_tensor_operand(max))
        with _gm.no_grad():
            clamped = input
            if lo is not None:
                clamped = maximum(clamped, lo)
            if hi is not None:
                clamped = minimum(clamped, hi)
        if _gm.enabled and any(t is not None and t._requires_grad for t in (input, lo, hi)):
            record(clamped, RULES["clamp_tensor"], (input, lo, hi))
        return clamped
    d = input._data
    dt = input._dtype
    if dt.category != 2 and (isinstance(min, float) or isinstance(max, float)):
        d = d.astype(np.float32)
        dt = _float32
    out = d
    if min is not None:
        out = np.maximum(out, dt.np.type(min))
        out = np.where(np.isnan(d), d, out) if dt.category == 2 else out
    if max is not None:
        out = np.minimum(out, dt.np.type(max))
    if out is d:
        out = d.copy()
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["clamp"], input, (min, max))
    return r


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return clamp(input, max=max)


def _binary_tensor_op(op: str, np_func: Callable, input: Any, other: Any) -> Tensor:
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        if input.__class__ is not Tensor:
            raise TorchTypeError(
                f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
            )
        raise TorchTypeError(
            f"{op}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    out, dt = _binary(np_func, input, other)
    if dt.category != 2 and op == "atan2":
        out = out.astype(np.float32)
        dt = _float32
    r = result(out, dt)
    if _grad_on(input, other):
        record(r, RULES[op], (input, other))
    return r


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _binary_tensor_op("maximum", np.maximum, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _binary_tensor_op("minimum", np.minimum, input, other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    return _binary_tensor_op("maximum", np.fmax, input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    return _binary_tensor_op("minimum", np.fmin, input, other)


def atan2(input: Tensor, other: Tensor) -> Tensor:
    if input._dtype.category != 2 and other._dtype.category != 2:
        input = _to_float(input)
        other = _to_float(other)
    return _binary_tensor_op("atan2", np.arctan2, input, other)


arctan2 = atan2


def _to_float(t: Tensor) -> Tensor:
    from gradlang.autograd.ops_shape import to

    return to(t, _float32)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    if input is None and other is None:
        from gradlang.autograd.ops_shape import nonzero

        return nonzero(condition, as_tuple=True)
    if condition.__class__ is not Tensor:
        raise TorchTypeError(
            "where(): argument 'condition' (position 1) must be Tensor, not "
            f"{type(condition).__name__}"
        )
    if condition._dtype is not _bool:
        raise TorchRuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition._dtype.short}"
        )
    if input.__class__ is Tensor:
        ad, bd, dt = promote_operands(input, other)
    elif other.__class__ is Tensor:
        bd, ad, dt = promote_operands(other, input)
    else:
        a_t = as_tensor_operand(input)
        ad, bd, dt = promote_operands(a_t, other)
    broadcast_shapes(broadcast_shapes(condition._data.shape, np.shape(ad)), np.shape(bd))
    out = np.where(condition._data, ad, bd)
    r = result(out, dt)
    ins = (input, other)
    if _gm.enabled and (
        (input.__class__ is Tensor and input._requires_grad)
        or (other.__class__ is Tensor and other._requires_grad)
    ):
        record(r, RULES["where"], ins, condition)
    return r


def _lerp_data(start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
    """ATen's lerp kernel: fma(w, end - start, start) where |w| < 0.5, else
    fma(w - 1, end - start, end) (one rounding each, emulated exactly: the same bits)."""
    diff = end - start
    w = np.asarray(weight, start.dtype)
    small = np.abs(w) < 0.5
    coeff = np.where(small, w, w - start.dtype.type(1))
    base = np.where(small, start, end)
    fma = fma64 if start.dtype == np.float64 else fma32
    shape = np.broadcast_shapes(start.shape, end.shape, w.shape)
    return np.asarray(fma(coeff, diff, base), start.dtype).reshape(shape)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    if weight.__class__ is Tensor:
        if weight._dtype is not input._dtype:
            raise TorchRuntimeError(
                f"expected dtype {input._dtype.short} for `weight` but got dtype "
                f"{weight._dtype.short}"
            )
        ad, bd, dt = promote_operands(input, end)
        try:
            np.broadcast_shapes(ad.shape, bd.shape, weight._data.shape)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        r = result(_lerp_data(ad, bd, weight._data), dt)
        if _gm.enabled and any(t._requires_grad for t in (input, end, weight)):
            record(r, RULES["lerp_tensor"], (input, end, weight))
        return r
    ad, bd, dt = promote_operands(input, end)
    try:
        np.broadcast_shapes(ad.shape, bd.shape)
    except ValueError:
        raise broadcast_error(ad, bd) from None
    out = _lerp_data(ad, bd, weight) if dt.category == 2 else ad + dt.np.type(weight) * (bd - ad)
    r = result(out, dt)
    if _grad_on(input, end):
        record(r, RULES["lerp"], (input, end), weight)
    return r


def _binary_float(op: str, np_func: Callable) -> Callable[[Tensor, Any], Tensor]:
    """A binary op whose integer inputs compute in float32 (xlogy, hypot, logaddexp)."""

    def binary(input: Any, other: Any) -> Tensor:
        rule = RULES[op]
        inputs: tuple = (input, other)
        attrs = None
        if input.__class__ is not Tensor:  # xlogy(2.0, t): the scalar-self overload
            if other.__class__ is not Tensor:
                raise TorchTypeError(f"{op}() received an invalid combination of arguments")
            rule, inputs, attrs = RULES[f"{op}_scalar_self"], (other,), input
            input = as_tensor_operand(input)
        elif other.__class__ is not Tensor and f"{op}_scalar_other" in RULES:
            rule, inputs, attrs = RULES[f"{op}_scalar_other"], (input,), other
        out, dt = _binary(np_func, input, other)
        if dt.category != 2:
            if op == "hypot":  # no integer kernel in PyTorch
                from gradlang.autograd.errors import TorchNotImplementedError

                raise TorchNotImplementedError(f"\"hypot_cpu\" not implemented for '{dt.short}'")
            out, dt = np.asarray(out, np.float32), _float32
        r = result(out, dt)
        if _gm.enabled and any(t.__class__ is Tensor and t._requires_grad for t in inputs):
            record(r, rule, inputs, attrs)
        return r

    binary.__name__ = binary.__qualname__ = op
    return binary


def _np_xlogy(x: Any, y: Any) -> Any:
    x = np.asarray(x)
    y = np.asarray(y, dtype=x.dtype if x.dtype.kind == "f" else np.float32)
    xf = x.astype(y.dtype)
    with np.errstate(all="ignore"):
        out = np.where(xf == 0, np.zeros_like(xf * y), xf * np.log(y))
    return np.where(np.isnan(y), y, out)


xlogy = _binary_float("xlogy", _np_xlogy)
hypot = _binary_float("hypot", np.hypot)
logaddexp = _binary_float("logaddexp", np.logaddexp)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    d = input._data
    dt = input._dtype
    if dt.category != 2:
        d, dt = d.astype(np.float32), _float32
    x = d if eps is None else np.clip(d, dt.np.type(eps), dt.np.type(1 - eps))
    with np.errstate(all="ignore"):
        out = np.log(x / (1 - x))
    r = result(out, dt)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["logit"], input, eps)
    return r


def _np_sinc(d: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        px = d * d.dtype.type(math.pi)
        return np.where(d == 0, d.dtype.type(1), np.sin(px) / px)


sinc = _unary_float("sinc", _np_sinc)


def _angle(op: str, factor: float) -> Callable[[Tensor], Tensor]:
    def convert(input: Tensor) -> Tensor:
        d = input._data
        dt = input._dtype
        if dt.category != 2:
            d, dt = d.astype(np.float32), _float32
        r = result(d * dt.np.type(factor), dt)
        if _gm.enabled and input._requires_grad:
            record1(r, RULES[op], input, factor)
        return r

    convert.__name__ = convert.__qualname__ = op
    return convert


deg2rad = _angle("deg2rad", math.pi / 180)
rad2deg = _angle("rad2deg", 180 / math.pi)


def diff(input: Tensor, n: int = 1, dim: int = -1) -> Tensor:
    """`input[..., 1:] - input[..., :-1]` along `dim`, n times (SubBackward0 over slices)."""
    from gradlang.autograd.ops_shape import narrow

    out = input
    for _ in range(n):
        size = out._data.shape[dim] if out._data.ndim else 0
        if size == 0:
            break
        out = sub(narrow(out, dim, 1, size - 1), narrow(out, dim, 0, size - 1))
    return out


def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    d = input._data
    if d.dtype.kind != "f":
        return result(d.copy(), input._dtype)
    info = np.finfo(d.dtype)
    out = np.nan_to_num(
        d,
        nan=nan,
        posinf=info.max if posinf is None else posinf,
        neginf=info.min if neginf is None else neginf,
    )
    r = result(out, input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["nan_to_num"], input)
    return r


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of `input - other` (DistBackward0)."""
    with _gm.no_grad():
        diff = sub(input, other)
    d = np.abs(diff._data.astype(np.float64)).reshape(-1)
    if p == float("inf"):
        value = d.max() if d.size else 0.0
    elif p == 0:
        value = float(np.count_nonzero(d))
    else:
        value = (d**p).sum() ** (1.0 / p)
    r = result(np.asarray(value, diff._data.dtype), diff._dtype)
    if _gm.enabled and (input._requires_grad or other._requires_grad):
        record(r, RULES["dist"], (input, other), p)
    return r


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """ATen's trapezoid: `(dx * (y[:-1] + y[1:])).sum(dim) / 2`, or with a constant spacing
    `(y.sum(dim) - (y[0] + y[-1]) * 0.5) * dx`."""
    from gradlang.autograd import backward_ops as bw
    from gradlang.autograd import ops_reduce as red
    from gradlang.autograd import ops_shape as s

    n = y._data.shape[dim]
    if x is None or not isinstance(x, Tensor):
        spacing = dx if dx is not None else (x if x is not None else 1.0)
        ends = add(s.select(y, dim, 0), s.select(y, dim, -1))
        return bw.mul_scalar(sub(red.sum(y, dim), bw.mul_scalar(ends, 0.5)), spacing)
    if x._data.ndim == 1 and y._data.ndim > 1:
        shape = [1] * y._data.ndim
        shape[dim] = x._data.shape[0]
        x = s.view(x, *shape)
    spacing = sub(s.narrow(x, dim, 1, n - 1), s.narrow(x, dim, 0, n - 1))
    pairs = add(s.narrow(y, dim, 0, n - 1), s.narrow(y, dim, 1, n - 1))
    return bw.div_scalar(red.sum(mul(spacing, pairs), dim), 2.0)


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    return trapezoid(y, x, dx=dx, dim=dim)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values in ascending order (PyTorch's CPU unique always sorts)."""
    d = input._data
    if dim is None:
        values, inverse, counts = np.unique(d, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(d.shape)
    else:
        values, inverse, counts = np.unique(d, return_inverse=True, return_counts=True, axis=dim)
        inverse = inverse.reshape(-1)
    r = result(values, input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["unique"], input)
    out: list[Tensor] = [r]
    if return_inverse:
        out.append(Tensor(inverse.astype(np.int64), _dt.int64))
    if return_counts:
        out.append(Tensor(counts.astype(np.int64), _dt.int64))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    d = input._data
    if input._dtype.category == 2:
        from gradlang.autograd.errors import TorchNotImplementedError

        raise TorchNotImplementedError(
            f"\"bincount_cpu\" not implemented for '{input._dtype.short}'"
        )
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise TorchRuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor(np.bincount(d, minlength=minlength).astype(np.int64), _dt.int64)
    w = weights._data
    out = np.bincount(d, weights=w.astype(np.float64), minlength=minlength)
    dt = weights._dtype if weights._dtype.category == 2 else _dt.float64
    return Tensor(out.astype(dt.np), dt)


def _pointwise3(op: str, input: Tensor, tensor1: Tensor, tensor2: Tensor, value: Any) -> Tensor:
    """addcmul/addcdiv: PyTorch's fused `self + value * t1 (*|/) t2`, one node of its own.
    ATen's CPU kernel contracts addcmul into one fused multiply-add, fma(value * t1, t2, self)
    for floats (emulated exactly: the same bits)."""
    with _gm.no_grad():
        scaled = mul(tensor1, value) if value != 1 else tensor1
        if op == "addcmul" and _fused(input, scaled, tensor2):
            a, b, c = scaled._data, tensor2._data, input._data
            shape = broadcast_shapes(c.shape, broadcast_shapes(a.shape, b.shape))  # its errors
            fma = fma64 if input._dtype is _float64 else fma32
            r = Tensor(np.asarray(fma(a, b, c), input._dtype.np).reshape(shape), input._dtype)
        else:
            r = add(input, mul(scaled, tensor2) if op == "addcmul" else div(scaled, tensor2))
    if _gm.enabled and any(t._requires_grad for t in (input, tensor1, tensor2)):
        record(r, RULES[op], (input, tensor1, tensor2), value)
    return r


def _fused(input: Tensor, scaled: Tensor, tensor2: Tensor) -> bool:
    """All three float32 or all float64 (no promotion): the fused kernel's case."""
    dt = input._dtype
    return (
        (dt is _float32 or dt is _float64)
        and scaled.__class__ is Tensor
        and tensor2.__class__ is Tensor
        and scaled._dtype is dt
        and tensor2._dtype is dt
    )


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return _pointwise3("addcmul", input, tensor1, tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return _pointwise3("addcdiv", input, tensor1, tensor2, value)


# ----------------------------------------------------------------------------- comparisons
def _compare(np_func: Callable, name: str) -> Callable[[Tensor, Any], Any]:
    def compare(input: Any, other: Any) -> Any:
        if input.__class__ is not Tensor:
            input, other, _ = _tensor_first(input, other, name)
        if other is None or isinstance(other, (str, list, tuple)) and name in ("eq", "ne"):
            if name == "eq":
                return False
            if name == "ne":
                return True
        ad, bd, _ = promote_operands(input, other)
        try:
            out = np_func(ad, bd)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        return result(out, _bool)

    compare.__name__ = compare.__qualname__ = name
    return compare


eq = _compare(np.equal, "eq")
ne = _compare(np.not_equal, "ne")
lt = _compare(np.less, "lt")
le = _compare(np.less_equal, "le")
gt = _compare(np.greater, "gt")
ge = _compare(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(np_func: Callable, name: str) -> Callable[..., Tensor]:
    def logical(input: Tensor, other: Any) -> Tensor:
        ad, bd, dt = promote_operands(input, other)
        try:
            out = np_func(ad, bd)
        except ValueError:
            raise broadcast_error(ad, bd) from None
        return result(out, dt)

    logical.__name__ = logical.__qualname__ = name
    return logical


def _check_integral(t: Tensor, op: str, other: Any = None) -> None:
    bad = t._dtype if t._dtype.category == 2 else None
    if bad is None and other.__class__ is Tensor and other._dtype.category == 2:
        bad = other._dtype
    if bad is None and other.__class__ is float:
        bad = _float32
    if bad is not None:
        from gradlang.autograd.errors import TorchNotImplementedError

        raise TorchNotImplementedError(f"\"{op}_cpu\" not implemented for '{bad.short}'")


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    _check_integral(input, "bitwise_and", other)
    return _logical(np.bitwise_and, "bitwise_and")(input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    _check_integral(input, "bitwise_or", other)
    return _logical(np.bitwise_or, "bitwise_or")(input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    _check_integral(input, "bitwise_xor", other)
    return _logical(np.bitwise_xor, "bitwise_xor")(input, other)


def _shift(left: bool, name: str) -> Callable[..., Tensor]:
    def shift(input: Tensor, other: Any) -> Tensor:
        _check_integral(input, name, other)
        ad, bd, dt = promote_operands(input, other)
        ad = np.asarray(ad)
        bd = np.asarray(bd, dtype=ad.dtype)
        bits = ad.dtype.itemsize * 8
        try:
            fits = (bd >= 0) & (bd < bits)  # PyTorch: shifts out of range give 0 (or -1)
            safe = np.where(fits, bd, 0).astype(ad.dtype)
            if left:
                out = np.where(fits, np.left_shift(ad, safe), 0)
            else:
                out = np.where(fits, np.right_shift(ad, safe), np.where(ad < 0, -1, 0))
        except ValueError:
            raise broadcast_error(ad, bd) from None
        return result(out, dt)

    shift.__name__ = shift.__qualname__ = f"bitwise_{'left' if left else 'right'}_shift"
    return shift


bitwise_left_shift = _shift(True, "lshift")
bitwise_right_shift = _shift(False, "rshift")


def rlshift(input: Tensor, other: Any) -> Tensor:
    return bitwise_left_shift(as_tensor_operand(other), input)


def rrshift(input: Tensor, other: Any) -> Tensor:
    return bitwise_right_shift(as_tensor_operand(other), input)


def bitwise_not(input: Tensor) -> Tensor:
    if input._dtype.category == 2:
        raise TorchTypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    if input._dtype is _bool:
        return Tensor(np.logical_not(input._data), _bool)
    return Tensor(np.invert(input._data), input._dtype)


def logical_not(input: Tensor) -> Tensor:
    return result(np.logical_not(input._data), _bool)


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    return result(np.logical_and(input._data, as_tensor_operand(other)._data), _bool)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    return result(np.logical_or(input._data, as_tensor_operand(other)._data), _bool)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    return result(np.logical_xor(input._data, as_tensor_operand(other)._data), _bool)


def isnan(input: Tensor) -> Tensor:
    return result(np.isnan(input._data), _bool)


def isinf(input: Tensor) -> Tensor:
    return result(np.isinf(input._data), _bool)


def isfinite(input: Tensor) -> Tensor:
    return result(np.isfinite(input._data), _bool)


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    if input._dtype is not other._dtype:
        raise TorchRuntimeError(f"{input._dtype.short} did not match {other._dtype.short}")
    a, b = input._data, other._data
    try:
        out = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise broadcast_error(a, b) from None
    return result(out, _bool)


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    if input._data.shape != other._data.shape:
        return False
    return bool(np.array_equal(input._data, other._data))
