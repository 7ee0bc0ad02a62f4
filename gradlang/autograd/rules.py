"""The derivative table: one `Rule` per differentiable op, one formula per input.

Each formula is `f(g, i, o, a)`: the incoming gradient `g`, the op's inputs `i` (tensors or
Python numbers), its output `o` and its other arguments `a`; it returns the gradient for that
input, written with the engine's own differentiable ops so that `create_graph=True` gives real
higher derivatives. Broadcasting and dtype are undone by the engine (`sum_to_shape`), not here.
`needs` says which inputs (-1: the output) each formula reads: those are the saved tensors
whose versions backward checks, and a rule needing none can run again after its graph was freed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradlang.autograd.errors import TorchNotImplementedError, TorchRuntimeError

Formula = Callable[..., Any]


class _Torch:
    """`T.name` is `torch.name` of the engine, looked up on first use (avoids import cycles)."""

    def __getattr__(self, name: str) -> Any:
        from gradlang.autograd.api import FUNCTIONAL, INTERNAL, TORCH

        value = INTERNAL.get(name) or TORCH.get(name) or FUNCTIONAL[name]
        setattr(self, name, value)
        return value


T: Any = _Torch()


@dataclass(frozen=True, slots=True)
class Rule:
    """One op's entry: PyTorch's node name, a derivative per input, what it saves."""

    op: str
    node: str
    grads: tuple[Formula | None, ...]
    formulas: tuple[str, ...]
    needs: tuple[tuple[int, ...], ...]
    saves_out: bool
    variadic: bool = False
    saves: bool = False  # does any formula read a saved tensor (then a freed graph errors)


RULES: dict[str, Rule] = {}


def rule(
    op: str, node: str, *grads: tuple[str, Formula | None, tuple[int, ...]], variadic: bool = False
) -> Rule:
    """Add a table entry: each grad is (formula text, formula, needs)."""
    if op in RULES:
        raise ValueError(f"duplicate rule {op}")
    for text, fn, needs in grads:
        if not isinstance(text, str) or not isinstance(needs, tuple) or not callable(fn):
            raise TypeError(f"bad rule entry for {op}")
    needs_all = tuple(n for _, _, n in grads)
    entry = Rule(
        op,
        node,
        tuple(f for _, f, _ in grads),
        tuple(t for t, _, _ in grads),
        needs_all,
        any(-1 in n for n in needs_all),
        variadic,
        any(needs_all),
    )
    RULES[op] = entry
    return entry


ALL3 = (0, 1, 2)
LN2 = math.log(2.0)
LN10 = 2.3025850929940456  # ATen's literal (one ulp above math.log(10))
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
NONE: tuple[int, ...] = ()


def _alpha(g: Any, alpha: Any) -> Any:
    return g if alpha is None else g * alpha


# ----------------------------------------------------------------------------- arithmetic
rule(
    "add",
    "AddBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    ("grad * alpha", lambda g, i, o, a: _alpha(g, a), NONE),
)
rule(
    "sub",
    "SubBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    ("-grad * alpha", lambda g, i, o, a: -_alpha(g, a), NONE),
)
rule("rsub", "RsubBackward1", ("-grad * alpha", lambda g, i, o, a: -_alpha(g, a), NONE))
rule(
    "mul",
    "MulBackward0",
    ("grad * other", lambda g, i, o, a: g * i[1], (1,)),
    ("grad * self", lambda g, i, o, a: g * i[0], (0,)),
)
rule(
    "div",
    "DivBackward0",
    ("grad / other", lambda g, i, o, a: g / i[1], (1,)),
    (  # ATen's div_tensor_other_backward, in its order (the same bits)
        "-grad * ((self / other) / other)",
        lambda g, i, o, a: -g * ((i[0] / i[1]) / i[1]),
        (0, 1),
    ),
)
rule("neg", "NegBackward0", ("-grad", lambda g, i, o, a: -g, NONE))
rule(
    "reciprocal",
    "ReciprocalBackward0",
    ("-grad * result * result", lambda g, i, o, a: -g * (o * o), (-1,)),
)
rule(
    "pow",
    "PowBackward0",
    (
        "grad * exponent * self ** (exponent - 1)",
        lambda g, i, o, a: g * 0 if a == 0 else g * T.mul_scalar(i[0] ** (a - 1), a),
        (0,),
    ),
)


def _pow_self(g: Any, x: Any, e: Any) -> Any:
    return g * T.where(e == 0, 0.0, e * x ** (e - 1))


def _pow_exponent(g: Any, x: Any, e: Any, o: Any) -> Any:
    return g * T.where((x == 0) & (e >= 0), 0.0, o * x.log())


rule(
    "pow_tensor",
    "PowBackward1",
    (
        "grad * exponent * self ** (exponent - 1)",
        lambda g, i, o, a: _pow_self(g, i[0], i[1]),
        (0, 1),
    ),
    ("grad * result * log(self)", lambda g, i, o, a: _pow_exponent(g, i[0], i[1], o), (0, 1, -1)),
)
rule(
    "pow_scalar_base",
    "PowBackward2",
    (
        "grad * result * log(base)",
        lambda g, i, o, a: g * 0 if a == 0 else g * (o * math.log(a)),
        (-1,),
    ),
)
rule(
    "maximum",
    "MaximumBackward0",
    (
        "grad where self > other (half on ties)",
        lambda g, i, o, a: T.where(i[0] == i[1], g / 2, g * (i[0] > i[1])),
        (0, 1),
    ),
    (
        "grad where other > self (half on ties)",
        lambda g, i, o, a: T.where(i[0] == i[1], g / 2, g * (i[0] < i[1])),
        (0, 1),
    ),
)
rule(
    "minimum",
    "MinimumBackward0",
    (
        "grad where self < other (half on ties)",
        lambda g, i, o, a: T.where(i[0] == i[1], g / 2, g * (i[0] < i[1])),
        (0, 1),
    ),
    (
        "grad where other < self (half on ties)",
        lambda g, i, o, a: T.where(i[0] == i[1], g / 2, g * (i[0] > i[1])),
        (0, 1),
    ),
)
rule(
    "atan2",
    "Atan2Backward0",
    (  # ATen's atan2_backward: recip = (self * self + other * other).reciprocal()
        "grad * other * recip",
        lambda g, i, o, a: g * i[1] * (i[0] * i[0] + i[1] * i[1]).reciprocal(),
        (0, 1),
    ),
    (
        "grad * -self * recip",
        lambda g, i, o, a: g * -i[0] * (i[0] * i[0] + i[1] * i[1]).reciprocal(),
        (0, 1),
    ),
)
rule("fmod", "FmodBackward0", ("grad", lambda g, i, o, a: g, NONE))
rule(
    "fmod_tensor",
    "FmodBackward1",
    ("grad", lambda g, i, o, a: g, NONE),
    (
        "-grad * trunc(self / other)",
        lambda g, i, o, a: -g * T.trunc(i[0].detach() / i[1].detach()),
        (0, 1),
    ),
)
rule("remainder", "RemainderBackward0", ("grad", lambda g, i, o, a: g, NONE))
rule(
    "remainder_tensor",
    "RemainderBackward1",
    ("grad", lambda g, i, o, a: g, NONE),
    (
        "-grad * floor(self / other)",
        lambda g, i, o, a: -g * T.floor(i[0].detach() / i[1].detach()),
        (0, 1),
    ),
)


def _refused(error: type[Exception], message: str) -> Formula:
    """The formula of a derivative PyTorch does not have: raises PyTorch's error."""

    def refuse(g: Any, i: Any, o: Any, a: Any) -> Any:
        raise error(message)

    return refuse


def _no_derivative(op: str) -> Formula:
    """PyTorch's NotImplementedError for an op whose derivative it does not implement."""
    return _refused(TorchNotImplementedError, f"the derivative for '{op}' is not implemented.")


_not_implemented = _refused(
    TorchRuntimeError, "derivative for aten::floor_divide is not implemented"
)
rule(
    "floor_divide",
    "NotImplemented",
    ("not implemented", _not_implemented, NONE),
    ("not implemented", _not_implemented, NONE),
)
rule(
    "where",
    "WhereBackward0",
    ("where(condition, grad, 0)", lambda g, i, o, a: T.where(a, g, 0.0), NONE),
    ("where(condition, 0, grad)", lambda g, i, o, a: T.where(a, 0.0, g), NONE),
)
rule(
    "lerp",
    "LerpBackward0",
    ("grad * (1 - weight)", lambda g, i, o, a: g * (1 - a), NONE),
    ("grad * weight", lambda g, i, o, a: g * a, NONE),
)
rule(
    "lerp_tensor",
    "LerpBackward1",
    ("grad * (1 - weight)", lambda g, i, o, a: g * (1 - i[2]), (2,)),
    ("grad * weight", lambda g, i, o, a: g * i[2], (2,)),
    ("grad * (end - self)", lambda g, i, o, a: g * (i[1] - i[0]), (0, 1)),
)
rule(
    "div_rounding",
    "DivBackward2",
    ("0", lambda g, i, o, a: g * 0, NONE),
    ("0", lambda g, i, o, a: g * 0, NONE),
)
rule(
    "rsub_tensor",
    "RsubBackward0",
    ("-grad * alpha", lambda g, i, o, a: -_alpha(g, a), NONE),
    ("grad", lambda g, i, o, a: g, NONE),
)
rule(
    "copy_slices",
    "CopySlices",
    ("grad with the written positions zeroed", lambda g, i, o, a: T.zero_at(g, a), NONE),
    ("grad[key] (summed to value)", lambda g, i, o, a: g[a], NONE),
)
rule("zero", "ZeroBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("fill", "FillBackward2", ("0", lambda g, i, o, a: g * 0, NONE))
rule(
    "inplace_copy",
    "CopyBackwards",
    ("0", lambda g, i, o, a: g * 0, NONE),
    ("grad", lambda g, i, o, a: g, NONE),
)

# ----------------------------------------------------------------------------- unary math
rule("exp", "ExpBackward0", ("grad * result", lambda g, i, o, a: g * o, (-1,)))
rule(
    "exp2",
    "Exp2Backward0",
    ("grad * result * ln(2)", lambda g, i, o, a: T.mul_scalar(g * o, LN2), (-1,)),
)
rule("expm1", "Expm1Backward0", ("grad * (result + 1)", lambda g, i, o, a: g * (o + 1), (-1,)))
rule("log", "LogBackward0", ("grad / self", lambda g, i, o, a: g / i[0], (0,)))
rule("log2", "Log2Backward0", ("grad / (self * ln(2))", lambda g, i, o, a: g / (i[0] * LN2), (0,)))
rule(
    "log10",
    "Log10Backward0",
    ("grad / (self * ln(10))", lambda g, i, o, a: g / (i[0] * LN10), (0,)),
)
rule("log1p", "Log1PBackward0", ("grad / (self + 1)", lambda g, i, o, a: g / (i[0] + 1), (0,)))
rule("sin", "SinBackward0", ("grad * cos(self)", lambda g, i, o, a: g * i[0].cos(), (0,)))
rule("cos", "CosBackward0", ("grad * -sin(self)", lambda g, i, o, a: g * -i[0].sin(), (0,)))
rule(
    "tan",
    "TanBackward0",
    ("grad * (1 + result**2)", lambda g, i, o, a: g * T.add_scalar(o**2, 1), (-1,)),
)
rule(
    "asin",
    "AsinBackward0",
    (
        "grad * rsqrt(-self * self + 1)",
        lambda g, i, o, a: g * T.add_scalar(-i[0] * i[0], 1).rsqrt(),
        (0,),
    ),
)
rule(
    "acos",
    "AcosBackward0",
    (
        "grad * -rsqrt(-self * self + 1)",
        lambda g, i, o, a: g * -(T.add_scalar(-i[0] * i[0], 1).rsqrt()),
        (0,),
    ),
)
rule(
    "atan",
    "AtanBackward0",
    ("grad / (1 + self**2)", lambda g, i, o, a: g / T.add_scalar(i[0] * i[0], 1), (0,)),
)
rule("sinh", "SinhBackward0", ("grad * cosh(self)", lambda g, i, o, a: g * i[0].cosh(), (0,)))
rule("cosh", "CoshBackward0", ("grad * sinh(self)", lambda g, i, o, a: g * i[0].sinh(), (0,)))
rule(
    "asinh",
    "AsinhBackward0",
    ("grad / sqrt(self**2 + 1)", lambda g, i, o, a: g / T.add_scalar(i[0] * i[0], 1).sqrt(), (0,)),
)
rule(
    "acosh",
    "AcoshBackward0",
    (
        "grad * rsqrt(self**2 - 1)",
        lambda g, i, o, a: g * T.add_scalar(i[0] * i[0], -1).rsqrt(),
        (0,),
    ),
)
rule(
    "atanh",
    "AtanhBackward0",
    ("grad / (1 - self**2)", lambda g, i, o, a: g / (1 - i[0] * i[0]), (0,)),
)
rule(
    "erfc",
    "ErfcBackward0",
    (
        "-grad * 2/sqrt(pi) * exp(-self**2)",
        lambda g, i, o, a: -g * T.mul_scalar((-(i[0] ** 2)).exp(), TWO_OVER_SQRT_PI),
        (0,),
    ),
)
rule(
    "logit",
    "LogitBackward0",
    (
        "grad / (self * (1 - self)), 0 outside [eps, 1 - eps]",
        lambda g, i, o, a: _logit_grad(g, i[0], a),
        (0,),
    ),
)


def _logit_grad(g: Any, x: Any, eps: Any) -> Any:
    d = g / (x * (1 - x))
    return d if eps is None else T.where((x < eps) | (x > 1 - eps), 0.0, d)


rule(
    "xlogy",
    "XlogyBackward0",
    ("grad * xlogy(self != 0, other)", lambda g, i, o, a: g * T.xlogy(i[0] != 0, i[1]), (0, 1)),
    ("grad * self / other", lambda g, i, o, a: g * i[0] / i[1], (0, 1)),
)
rule(
    "xlogy_scalar_self",
    "XlogyBackward1",
    ("grad * self / other (self a number)", lambda g, i, o, a: g * a / i[0], (0,)),
)
rule(
    "xlogy_scalar_other",
    "XlogyBackward2",
    (
        "grad * xlogy(self != 0, other)",
        lambda g, i, o, a: g * T.xlogy((i[0] != 0).to(i[0].dtype), a),
        (0,),
    ),
)
rule(
    "hypot",
    "HypotBackward0",
    ("grad * self / result", lambda g, i, o, a: g * i[0] / o, (0, -1)),
    ("grad * other / result", lambda g, i, o, a: g * i[1] / o, (1, -1)),
)
rule(
    "logaddexp",
    "LogaddexpBackward0",
    ("grad / (1 + exp(other - self))", lambda g, i, o, a: g / (1 + (i[1] - i[0]).exp()), (0, 1)),
    ("grad / (1 + exp(self - other))", lambda g, i, o, a: g / (1 + (i[0] - i[1]).exp()), (0, 1)),
)
rule(
    "sinc",
    "SincBackward0",
    (
        "grad * (pi x cos(pi x) - sin(pi x)) / (pi x**2), 0 at 0",
        lambda g, i, o, a: g * _sinc_grad(i[0]),
        (0,),
    ),
)


def _sinc_grad(x: Any) -> Any:
    px = T.mul_scalar(x, math.pi)
    d = (px * px.cos() - px.sin()) / (px * x)
    return T.where(x == 0, 0.0, d)


rule("deg2rad", "Deg2RadBackward0", ("grad * pi/180", lambda g, i, o, a: T.mul_scalar(g, a), NONE))
rule("rad2deg", "Rad2DegBackward0", ("grad * 180/pi", lambda g, i, o, a: T.mul_scalar(g, a), NONE))
rule(
    "unique",
    "Unique2Backward0",
    ("not differentiable", _no_derivative("_unique2"), NONE),
)


rule(
    "nan_to_num",
    "NanToNumBackward0",
    ("grad * isfinite(self)", lambda g, i, o, a: T.where(i[0].isfinite(), g, 0.0), (0,)),
)
rule(
    "dist",
    "DistBackward0",
    (
        "norm_backward(grad, self - other, p, result)",
        lambda g, i, o, a: _dist_grad(g, i, o, a),
        (0, 1, -1),
    ),
    (
        "-norm_backward(grad, self - other, p, result)",
        lambda g, i, o, a: -_dist_grad(g, i, o, a),
        (0, 1, -1),
    ),
)


def _dist_grad(g: Any, i: Any, o: Any, p: float) -> Any:
    diff = i[0] - i[1]
    if p == 1:
        return g * diff.sign()
    scaled = diff * diff.abs().pow(p - 2) if p != 2 else diff
    return T.where(o == 0, 0.0, g * scaled / o.pow(p - 1))


rule(
    "addcmul",
    "AddcmulBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    ("grad * tensor2 * value", lambda g, i, o, a: T.mul_scalar(g * i[2], a), (2,)),
    ("grad * tensor1 * value", lambda g, i, o, a: T.mul_scalar(g * i[1], a), (1,)),
)
rule(
    "addcdiv",
    "AddcdivBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    (  # ATen: grad * (value / tensor2), the Scalar / Tensor as a filled tensor divided
        "grad * (value / tensor2)",
        lambda g, i, o, a: g * (T.full_like(i[2], a) / i[2]),
        (2,),
    ),
    (
        "-grad * (value * tensor1 / (tensor2 * tensor2))",
        lambda g, i, o, a: -g * (T.mul_scalar(i[1], a) / (i[2] * i[2])),
        (1, 2),
    ),
)
rule(
    "tanh",
    "TanhBackward0",
    ("grad * (1 - result**2)", lambda g, i, o, a: T.tanh_backward(g, o), (-1,)),
)
rule(
    "sigmoid",
    "SigmoidBackward0",
    ("grad * (1 - result) * result", lambda g, i, o, a: T.sigmoid_backward(g, o), (-1,)),
)
rule(
    "relu",
    "ReluBackward0",
    ("grad * (result > 0)", lambda g, i, o, a: T.threshold_backward(g, o, 0), (-1,)),
)
rule(
    "sqrt",
    "SqrtBackward0",
    ("grad / (2 * result)", lambda g, i, o, a: g / T.mul_scalar(o, 2), (-1,)),
)
rule(
    "rsqrt",
    "RsqrtBackward0",
    ("-0.5 * grad * result**3", lambda g, i, o, a: T.mul_scalar(g, -0.5) * o.pow(3), (-1,)),
)
rule("abs", "AbsBackward0", ("grad * sign(self)", lambda g, i, o, a: g * i[0].sgn(), (0,)))
rule("sign", "SignBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("floor", "FloorBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("ceil", "CeilBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("round", "RoundBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("trunc", "TruncBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
rule("frac", "FracBackward0", ("grad", lambda g, i, o, a: g, NONE))
rule(
    "erf",
    "ErfBackward0",
    (
        "grad * 2/sqrt(pi) * exp(-self**2)",
        lambda g, i, o, a: g * T.mul_scalar((-(i[0] ** 2)).exp(), TWO_OVER_SQRT_PI),
        (0,),
    ),
)
rule(
    "clamp",
    "ClampBackward1",
    ("grad where min <= self <= max", lambda g, i, o, a: T.where(_in_range(i[0], a), g, 0.0), (0,)),
)


rule(
    "hardtanh",
    "HardtanhBackward0",
    (
        "grad where min_val < self < max_val (0 at the bounds, unlike clamp)",
        lambda g, i, o, a: T.hardtanh_backward(g, i[0], a),
        (0,),
    ),
)


rule(
    "clamp_tensor",
    "ClampBackward0",
    ("grad where min <= self <= max", lambda g, i, o, a: T.where(_clamp_mask(i, 0), g, 0.0), ALL3),
    ("grad where self < min < max", lambda g, i, o, a: T.where(_clamp_mask(i, 1), g, 0.0), ALL3),
    (
        "grad where self > max or max < min",
        lambda g, i, o, a: T.where(_clamp_mask(i, 2), g, 0.0),
        ALL3,
    ),
)


def _clamp_mask(i: Any, k: int) -> Any:
    """ATen's clamp_backward_min_max: which elements pass the gradient to input k."""
    x, lo, hi = i
    if lo is not None and hi is not None:
        if k == 0:
            return (x >= lo) & (x <= hi)
        if k == 1:
            return (x < lo) & (lo < hi)
        return (x > hi) | (hi < lo)
    if lo is not None:
        return x >= lo if k == 0 else x < lo
    return x <= hi if k == 0 else x > hi


def _in_range(x: Any, bounds: tuple[Any, Any]) -> Any:
    lo, hi = bounds
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo) & (x <= hi)


# ----------------------------------------------------------------------------- activations
rule(
    "threshold",
    "ThresholdBackward0",
    ("grad where self > threshold", lambda g, i, o, a: T.threshold_backward(g, i[0], a), (0,)),
)
rule(
    "hardswish",
    "HardswishBackward0",
    (
        "0 below -3, grad * (self/3 + 1/2) up to 3, grad above",
        lambda g, i, o, a: T.where(
            i[0] < -3, 0.0, T.where(i[0] <= 3, g * T.add_scalar(i[0] / 3, 0.5), g)
        ),
        (0,),
    ),
)
ONE_SIXTH_F32 = 0.1666666716337204  # ATen's `1.0f / 6.0f`, for doubles too

rule(
    "hardsigmoid",
    "HardsigmoidBackward0",
    (
        "grad * (1/6 in float) inside (-3, 3)",
        lambda g, i, o, a: T.where((i[0] > -3) & (i[0] < 3), T.mul_scalar(g, ONE_SIXTH_F32), 0.0),
        (0,),
    ),
)
rule(
    "mish",
    "MishBackward0",
    (
        "grad * (tanh(softplus(self)) + self * sigmoid(self) * (1 - tanh(softplus(self))**2))",
        lambda g, i, o, a: g * _mish_grad(i[0]),
        (0,),
    ),
)


def _mish_grad(x: Any) -> Any:
    t = T.softplus(x).tanh()
    return t + x * x.sigmoid() * (1 - t * t)


rule(
    "leaky_relu",
    "LeakyReluBackward0",
    (
        "grad * (self > 0 ? 1 : negative_slope)",
        lambda g, i, o, a: T.leaky_relu_backward(g, i[0], a),
        (0,),
    ),
)
rule(
    "elu",
    "EluBackward0",
    (
        "grad * (self > 0 ? 1 : alpha * exp(self))",
        lambda g, i, o, a: T.elu_backward(g, i[0], a),
        (0,),
    ),
)

rule(
    "celu",
    "CeluBackward0",
    (
        "grad * (self > 0 ? 1 : exp(self / alpha))",
        lambda g, i, o, a: T.elu_backward(g, i[0], a),
        (0,),
    ),
)

rule(
    "gelu",
    "GeluBackward0",
    ("grad * (Phi(self) + self * phi(self))", lambda g, i, o, a: T.gelu_backward(g, i[0], a), (0,)),
)


def _silu_grad(g: Any, x: Any) -> Any:
    s = x.sigmoid()
    return g * (s * (1 + x * (1 - s)))


rule(
    "silu",
    "SiluBackward0",
    (
        "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))",
        lambda g, i, o, a: _silu_grad(g, i[0]),
        (0,),
    ),
)
rule(
    "softplus",
    "SoftplusBackward0",
    (
        "grad * sigmoid(beta * self) (identity above threshold)",
        lambda g, i, o, a: T.softplus_backward(g, i[0], a),
        (0,),
    ),
)
rule(
    "softmax",
    "SoftmaxBackward0",
    (
        "result * (grad - (grad * result).sum(dim, keepdim=True))",
        lambda g, i, o, a: T.softmax_backward_data(g, o, a),
        (-1,),
    ),
)
rule(
    "log_softmax",
    "LogSoftmaxBackward0",
    (
        "grad - exp(result) * grad.sum(dim, keepdim=True)",
        lambda g, i, o, a: T.log_softmax_backward_data(g, o, a),
        (-1,),
    ),
)


# ----------------------------------------------------------------------------- reductions
def unreduce(g: Any, shape: tuple[int, ...], dims: tuple[int, ...], keepdim: bool) -> Any:
    """Put back the reduced dims of `g` (size 1) so that it broadcasts against `shape`."""
    if not keepdim and len(shape) > 0:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g


def _expand_back(g: Any, x: Any, a: Any) -> Any:
    return unreduce(g, x.shape, a[0], a[1]).expand(x.shape)


def _count(x: Any, dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= x.shape[d]
    return n


rule(
    "sum",
    "SumBackward0",
    ("grad.expand(self.shape)", lambda g, i, o, a: g.expand(i[0].shape), NONE),
)
rule(
    "sum_dim",
    "SumBackward1",
    ("grad.unsqueeze(dim).expand(self.shape)", lambda g, i, o, a: _expand_back(g, i[0], a), NONE),
)
rule(
    "mean",
    "MeanBackward0",
    (
        "grad.expand(self.shape) / self.numel()",
        lambda g, i, o, a: g.expand(i[0].shape) / max(i[0].numel(), 1),
        NONE,
    ),
)
rule(
    "mean_dim",
    "MeanBackward1",
    (
        "grad.unsqueeze(dim).expand(self.shape) / n",
        lambda g, i, o, a: _expand_back(g, i[0], a) / max(_count(i[0], a[0]), 1),
        NONE,
    ),
)


def _prod_others(x: Any, dims: tuple[int, ...] | None) -> Any:
    """Product of all other elements along dims (works with zeros); a constant here."""
    import numpy as np

    from gradlang.autograd.tensor import Tensor

    data = x._data
    axes = tuple(range(data.ndim)) if dims is None else dims
    flat_axes = [d for d in axes]
    moved = np.moveaxis(data, flat_axes, list(range(data.ndim - len(flat_axes), data.ndim)))
    lead = moved.shape[: data.ndim - len(flat_axes)]
    m = moved.reshape(lead + (-1,))
    n = m.shape[-1]
    left = np.cumprod(np.concatenate([np.ones(lead + (1,), m.dtype), m[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([np.ones(lead + (1,), m.dtype), m[..., :0:-1]], -1), -1)[
        ..., ::-1
    ]
    others = (left * right).reshape(moved.shape) if n else moved
    back = np.moveaxis(others, list(range(data.ndim - len(flat_axes), data.ndim)), flat_axes)
    return Tensor(np.ascontiguousarray(back).astype(data.dtype), x._dtype)


def _prod_grad(g: Any, x: Any, o: Any, a: Any) -> Any:
    if a is None:
        if bool((x._data == 0).any()):
            return g * _prod_others(x, None)
        return g * (o / x)
    dims, keepdim = a
    g = unreduce(g, x.shape, dims, keepdim)
    if bool((x._data == 0).any()):
        return g * _prod_others(x, dims)
    return g * (unreduce(o, x.shape, dims, keepdim) / x)


rule(
    "prod",
    "ProdBackward0",
    ("grad * result / self", lambda g, i, o, a: _prod_grad(g, i[0], o, None), (0, -1)),
)
rule(
    "prod_dim",
    "ProdBackward1",
    ("grad * result / self (along dim)", lambda g, i, o, a: _prod_grad(g, i[0], o, a), (0, -1)),
)


def _distribute(g: Any, x: Any, o: Any) -> Any:
    mask = x == o
    return T.where(mask, g / mask.sum(), 0.0)


def _distribute_dim(g: Any, x: Any, o: Any, a: Any) -> Any:
    dims, keepdim = a
    mask = x == unreduce(o, x.shape, dims, keepdim)
    count = mask.sum(dims, keepdim=True)
    return T.where(mask, unreduce(g, x.shape, dims, keepdim) / count, 0.0)


rule(
    "max",
    "MaxBackward1",
    ("grad / count where self == result", lambda g, i, o, a: _distribute(g, i[0], o), (0, -1)),
)
rule(
    "min",
    "MinBackward1",
    ("grad / count where self == result", lambda g, i, o, a: _distribute(g, i[0], o), (0, -1)),
)
rule(
    "amax",
    "AmaxBackward0",
    (
        "grad / count where self == result",
        lambda g, i, o, a: _distribute_dim(g, i[0], o, a),
        (0, -1),
    ),
)
rule(
    "amin",
    "AminBackward0",
    (
        "grad / count where self == result",
        lambda g, i, o, a: _distribute_dim(g, i[0], o, a),
        (0, -1),
    ),
)


def _scatter_back(g: Any, x: Any, a: Any) -> Any:
    dim, keepdim, indices = a
    if not keepdim and x.dim() > 0:
        g = g.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return T.zeros_like(x).scatter(dim, indices, g)


rule(
    "max_dim",
    "MaxBackward0",
    ("grad scattered to the argmax along dim", lambda g, i, o, a: _scatter_back(g, i[0], a), NONE),
)
rule(
    "min_dim",
    "MinBackward0",
    ("grad scattered to the argmin along dim", lambda g, i, o, a: _scatter_back(g, i[0], a), NONE),
)
rule(
    "sort",
    "SortBackward0",
    (
        "grad scattered back to the sorted positions",
        lambda g, i, o, a: _scatter_back(g, i[0], a),
        NONE,
    ),
)
rule(
    "topk",
    "TopkBackward0",
    (
        "grad scattered back to the top-k positions",
        lambda g, i, o, a: _scatter_back(g, i[0], a),
        NONE,
    ),
)
rule(
    "scatter",
    "ScatterBackward0",
    (
        "grad with the scattered positions zeroed",
        lambda g, i, o, a: g.scatter(a[0], a[1], 0.0),
        NONE,
    ),
    ("grad.gather(dim, index)", lambda g, i, o, a: g.gather(a[0], a[1]), NONE),
)
rule(
    "gather",
    "GatherBackward0",
    (
        "zeros.scatter_add(dim, index, grad)",
        lambda g, i, o, a: T.zeros_like(i[0]).scatter_add(a[0], a[1], g),
        NONE,
    ),
)
rule(
    "scatter_add",
    "ScatterAddBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    ("grad.gather(dim, index)", lambda g, i, o, a: g.gather(a[0], a[1]), NONE),
)


def _var_grad(g: Any, x: Any, a: Any, std: Any = None) -> Any:
    dims, correction, keepdim = a
    n = _count(x, dims)
    g = unreduce(g, x.shape, dims, keepdim)
    centered = x - x.mean(dims, keepdim=True)
    if std is not None:  # as PyTorch: var's formula applied to grad / (2 * std)
        std = unreduce(std, x.shape, dims, keepdim)
        g = (g / T.mul_scalar(std, 2)).masked_fill(std == 0, 0.0)
    return T.mul_scalar(g, float(np.float64(2.0) / max(n - correction, 0))) * centered


rule(
    "var",
    "VarBackward0",
    ("grad * 2 * (self - mean) / (N - correction)", lambda g, i, o, a: _var_grad(g, i[0], a), (0,)),
)
rule(
    "std",
    "StdBackward0",
    (
        "grad * (self - mean) / (result * (N - correction))",
        lambda g, i, o, a: _var_grad(g, i[0], a, o),
        (0, -1),
    ),
)


def _norm_grad(g: Any, x: Any, o: Any, a: Any) -> Any:
    p, dims, keepdim = a
    g = unreduce(g, x.shape, dims, keepdim)
    o = unreduce(o, x.shape, dims, keepdim)
    if p == 2:  # ATen's norm_backward, in its order (the same bits)
        return g * (x / o).masked_fill(o == 0, 0.0)
    if p == 1:
        return g * x.sign()
    if p == float("inf") or p == float("-inf"):
        ax = x.abs()
        mask = ax == o
        return T.where(mask, g * x.sign() / mask.sum(dims, keepdim=True), 0.0)
    if p == 0:
        return g * 0
    return T.where(o == 0, 0.0, g * x * x.abs() ** (p - 2) / o ** (p - 1))


rule(
    "norm",
    "LinalgVectorNormBackward0",
    (
        "grad * self * |self|**(p-2) / result**(p-1)",
        lambda g, i, o, a: _norm_grad(g, i[0], o, a),
        (0, -1),
    ),
)
rule(
    "cumsum",
    "CumsumBackward0",
    ("grad.flip(dim).cumsum(dim).flip(dim)", lambda g, i, o, a: g.flip(a).cumsum(a).flip(a), NONE),
)


def _cumprod_grad(g: Any, x: Any, o: Any, dim: int) -> Any:
    # Valid without zeros in x; sum_{j>=i} g_j * o_j / x_i.
    return (g * o).flip(dim).cumsum(dim).flip(dim) / x


rule(
    "cumprod",
    "CumprodBackward0",
    (
        "reverse cumsum of grad * result / self",
        lambda g, i, o, a: _cumprod_grad(g, i[0], o, a),
        (0, -1),
    ),
)
rule(
    "logsumexp",
    "LogsumexpBackward0",
    (
        "grad * exp(self - result)",
        lambda g, i, o, a: (
            unreduce(g, i[0].shape, a[0], a[1]) * (i[0] - unreduce(o, i[0].shape, a[0], a[1])).exp()
        ),
        (0, -1),
    ),
)

# ----------------------------------------------------------------------------- linear algebra
rule(
    "mm",
    "MmBackward0",
    ("grad @ mat2.T", lambda g, i, o, a: T.mm_grad_self(g, i[1]), (1,)),
    ("self.T @ grad", lambda g, i, o, a: T.mm_grad_mat2(i[0], g), (0,)),
)
rule(
    "bmm",
    "BmmBackward0",
    ("grad @ mat2.transpose(1, 2)", lambda g, i, o, a: g.bmm(i[1].transpose(1, 2)), (1,)),
    ("self.transpose(1, 2) @ grad", lambda g, i, o, a: i[0].transpose(1, 2).bmm(g), (0,)),
)
rule(
    "mv",
    "MvBackward0",
    ("outer(grad, vec)", lambda g, i, o, a: g.unsqueeze(1) * i[1], (1,)),
    ("self.T @ grad", lambda g, i, o, a: i[0].t().mv(g), (0,)),
)
rule(
    "dot",
    "DotBackward0",
    ("grad * other", lambda g, i, o, a: g * i[1], (1,)),
    ("grad * self", lambda g, i, o, a: g * i[0], (0,)),
)
rule(
    "addmm",
    "AddmmBackward0",
    ("grad * beta", lambda g, i, o, a: g if a[0] == 1 else g * a[0], NONE),
    ("grad @ mat2.T * alpha", lambda g, i, o, a: g.mm(i[2].t()) * a[1], (2,)),
    ("mat1.T @ grad * alpha", lambda g, i, o, a: i[1].t().mm(g) * a[1], (1,)),
)
rule(
    "linalg_cross",
    "LinalgCrossBackward0",
    ("linalg_cross(other, grad, dim)", lambda g, i, o, a: T.linalg.cross(i[1], g, dim=a), (1,)),
    ("linalg_cross(grad, self, dim)", lambda g, i, o, a: T.linalg.cross(g, i[0], dim=a), (0,)),
)
rule(
    "cdist",
    "CdistBackward0",
    (
        "_cdist_backward(grad, x1, x2, p, result)",
        lambda g, i, o, a: T.cdist_backward(g.contiguous(), i[0], i[1], a, o),
        (0, 1, -1),
    ),
    (
        "_cdist_backward(grad.mT, x2, x1, p, result.mT)",
        lambda g, i, o, a: T.cdist_backward(
            g.transpose(-1, -2).contiguous(), i[1], i[0], a, o.transpose(-1, -2).contiguous()
        ),
        (0, 1, -1),
    ),
)


_cdist_double = _no_derivative("_cdist_backward")


rule(
    "cdist_backward",
    "CdistBackwardBackward0",
    ("not implemented (as PyTorch)", _cdist_double, NONE),
    ("not implemented (as PyTorch)", _cdist_double, NONE),
    ("not implemented (as PyTorch)", _cdist_double, NONE),
    ("not implemented (as PyTorch)", _cdist_double, NONE),
)
rule(
    "trace",
    "TraceBackward0",
    ("eye * grad", lambda g, i, o, a: T.eye(*i[0].shape, dtype=i[0].dtype) * g, NONE),
)
rule(
    "diag",
    "DiagonalBackward0_copy",
    ("diag_embed(grad)", lambda g, i, o, a: T.diag_backward(g, i[0].shape, a), NONE),
)
rule("tril", "TrilBackward0", ("grad.tril(k)", lambda g, i, o, a: g.tril(a), NONE))
rule("triu", "TriuBackward0", ("grad.triu(k)", lambda g, i, o, a: g.triu(a), NONE))

# ----------------------------------------------------------------------------- shape and views
rule(
    "view",
    "ViewBackward0",
    ("grad.reshape(self.shape)", lambda g, i, o, a: g.reshape(i[0].shape), NONE),
)
rule(
    "unsafe_view",
    "UnsafeViewBackward0",
    ("grad.reshape(self.shape)", lambda g, i, o, a: g.reshape(i[0].shape), NONE),
)
rule("alias", "AliasBackward0", ("grad", lambda g, i, o, a: g, NONE))
rule(
    "unsqueeze", "UnsqueezeBackward0", ("grad.squeeze(dim)", lambda g, i, o, a: g.squeeze(a), NONE)
)
rule(
    "squeeze",
    "SqueezeBackward0",
    ("grad.reshape(self.shape)", lambda g, i, o, a: g.reshape(i[0].shape), NONE),
)
rule(
    "squeeze_dim",
    "SqueezeBackward1",
    ("grad.unsqueeze(dim)", lambda g, i, o, a: g.reshape(i[0].shape), NONE),
)
rule(
    "squeeze_dims",
    "SqueezeBackward4",
    ("grad.unsqueeze(dims)", lambda g, i, o, a: g.reshape(i[0].shape), NONE),
)
rule("expand", "ExpandBackward0", ("grad.sum_to_size(self.shape)", lambda g, i, o, a: g, NONE))
rule(
    "transpose",
    "TransposeBackward0",
    ("grad.transpose(dim0, dim1)", lambda g, i, o, a: g.transpose(a[0], a[1]), NONE),
)
rule("t", "TBackward0", ("grad.t()", lambda g, i, o, a: g.t(), NONE))
rule(
    "permute",
    "PermuteBackward0",
    ("grad.permute(inverse(dims))", lambda g, i, o, a: g.permute(_inverse(a)), NONE),
)


def _inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(perm)
    for k, p in enumerate(perm):
        inv[p] = k
    return tuple(inv)


rule(
    "select",
    "SelectBackward0",
    (
        "zeros with grad at [index] along dim",
        lambda g, i, o, a: T.index_backward(g, i[0].shape, a),
        NONE,
    ),
)
rule(
    "slice",
    "SliceBackward0",
    ("zeros with grad in the slice", lambda g, i, o, a: T.index_backward(g, i[0].shape, a), NONE),
)
rule(
    "index",
    "IndexBackward0",
    (
        "zeros.index_put(indices, grad, accumulate=True)",
        lambda g, i, o, a: T.index_backward(g, i[0].shape, a),
        NONE,
    ),
)
rule(
    "constant_pad_nd",
    "ConstantPadNdBackward0",
    ("constant_pad_nd(grad, -pad)", lambda g, i, o, a: T.pad(g, tuple(-p for p in a)), NONE),
)
rule(
    "native_layer_norm",
    "NativeLayerNormBackward0",
    (
        "rstd * (gw - mean(gw) - xhat * mean(gw * xhat))",
        lambda g, i, o, a: _ln_grads(g, i, a)[0],
        ALL3,
    ),
    ("sum(grad * xhat) over the batch dims", lambda g, i, o, a: _ln_grads(g, i, a)[1], ALL3),
    ("sum(grad) over the batch dims", lambda g, i, o, a: _ln_grads(g, i, a)[2], ALL3),
)


def _ln_grads(g: Any, i: Any, attrs: Any) -> tuple[Any, Any, Any]:
    x, w, b = i
    dims, eps = attrs
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    rstd = T.add_scalar((xc * xc).mean(dims, keepdim=True), eps).rsqrt()
    xhat = xc * rstd
    gw = g if w is None else g * w
    dx = rstd * (gw - gw.mean(dims, keepdim=True) - xhat * (gw * xhat).mean(dims, keepdim=True))
    batch = tuple(range(x.dim() - len(dims)))
    dw = None if w is None else ((g * xhat).sum(batch) if batch else g * xhat)
    db = None if b is None else (g.sum(batch) if batch else g)
    return dx, dw, db


rule(
    "embedding",
    "EmbeddingBackward0",
    (
        "zeros(weight).index_add(0, indices, grad), 0 at padding_idx",
        lambda g, i, o, a: _embedding_grad(g, i[0].shape, a),
        NONE,
    ),
)


def _embedding_grad(g: Any, shape: Any, attrs: Any) -> Any:
    key, padding_idx = attrs
    out = T.index_backward(g, tuple(shape), key)
    if padding_idx is None:
        return out
    rows = T.arange(shape[0]).view(-1, *([1] * (len(shape) - 1)))
    return T.where(rows == padding_idx, 0.0, out)


rule("index_backward", "IndexPutBackward0", ("grad[indices]", lambda g, i, o, a: g[a[1]], NONE))
rule(
    "split",
    "SplitBackward0",
    ("zeros with grad in this piece", lambda g, i, o, a: T.index_backward(g, i[0].shape, a), NONE),
)
rule(
    "split_with_sizes",
    "SplitWithSizesBackward0",
    ("zeros with grad in this piece", lambda g, i, o, a: T.index_backward(g, i[0].shape, a), NONE),
)
rule(
    "unbind",
    "UnbindBackward0",
    (
        "zeros with grad at [index] along dim",
        lambda g, i, o, a: T.index_backward(g, i[0].shape, a),
        NONE,
    ),
)
rule(
    "cat",
    "CatBackward0",
    (
        "grad.narrow(dim, offset_k, size_k)",
        lambda g, i, o, a, k: (
            g.narrow(a[0], a[1][k], i[k].shape[a[0]])
            if i[k].dim() > 1 or i[k].numel() > 0
            else g.sum() * 0
        ),
        NONE,
    ),
    variadic=True,
)
rule(
    "stack",
    "StackBackward0",
    ("grad.select(dim, k)", lambda g, i, o, a, k: g.select(a, k), NONE),
    variadic=True,
)
rule("clone", "CloneBackward0", ("grad", lambda g, i, o, a: g, NONE))
rule("to_copy", "ToCopyBackward0", ("grad.to(self.dtype)", lambda g, i, o, a: g, NONE))
rule(
    "repeat",
    "RepeatBackward0",
    ("grad summed over the repeats", lambda g, i, o, a: T.repeat_backward(g, i[0].shape, a), NONE),
)
rule("flip", "FlipBackward0", ("grad.flip(dims)", lambda g, i, o, a: g.flip(a), NONE))
rule(
    "roll",
    "RollBackward0",
    ("grad.roll(-shifts, dims)", lambda g, i, o, a: g.roll(tuple(-s for s in a[0]), a[1]), NONE),
)
rule(
    "index_select",
    "IndexSelectBackward0",
    (
        "zeros.index_add(dim, index, grad)",
        lambda g, i, o, a: T.zeros_like(i[0]).index_add(a[0], a[1], g),
        NONE,
    ),
)
rule(
    "index_add",
    "IndexAddBackward0",
    ("grad", lambda g, i, o, a: g, NONE),
    ("grad.index_select(dim, index) * alpha", lambda g, i, o, a: g.index_select(a[0], a[1]), NONE),
)
rule(
    "masked_fill",
    "MaskedFillBackward0",
    ("grad.masked_fill(mask, 0)", lambda g, i, o, a: g.masked_fill(a, 0.0), NONE),
)
rule(
    "masked_select",
    "MaskedSelectBackward0",
    (
        "zeros.masked_scatter(mask, grad)",
        lambda g, i, o, a: T.index_backward(g, i[0].shape, a),
        NONE,
    ),
)

# ----------------------------------------------------------------------------- losses
rule(
    "mse_loss",
    "MseLossBackward0",
    (
        "2 * (self - target) * grad / N",
        lambda g, i, o, a: T.mse_loss_backward(g, i[0], i[1], a),
        (0, 1),
    ),
    (
        "-2 * (self - target) * grad / N",
        lambda g, i, o, a: -T.mse_loss_backward(g, i[0], i[1], a),
        (0, 1),
    ),
)
rule(
    "nll_loss",
    "NllLossBackward0",
    (
        "-grad * weight at target / total weight",
        lambda g, i, o, a: T.nll_backward(g, i[0], a),
        NONE,
    ),
)
rule(
    "nll_loss_backward",
    "NllLossBackwardBackward0",
    (
        "nll_loss(gg, target, weight)",
        lambda g, i, o, a: T.nll_loss(g, a[5][0], a[5][1], ignore_index=a[5][2], reduction=a[2]),
        NONE,
    ),
    ("zeros_like(gg)", lambda g, i, o, a: T.zeros_like(g), NONE),
)
rule(
    "binary_cross_entropy",
    "BinaryCrossEntropyBackward0",
    (
        "grad * (self - target) / (self * (1 - self))",
        lambda g, i, o, a: T.bce_backward(g, i[0], i[1], a),
        (0, 1),
    ),
    ("grad * log((1 - self) / self)", lambda g, i, o, a: T.bce_target_backward(g, i[0], a), (0,)),
)
rule(
    "binary_cross_entropy_backward",
    "BinaryCrossEntropyBackwardBackward0",
    (
        "gg * (self - target) / ((self + eps) * (1 - self + eps)) / N",
        lambda g, i, o, a: T.bce_double_backward_grad_output(g, i[1], i[2], a),
        (1, 2),
    ),
    (
        "gg * grad_output * (self**2 - 2*self*target + target) / ((self+eps)**2 (1-self+eps)**2)",
        lambda g, i, o, a: T.bce_double_backward(g, i[0], i[1], i[2], a),
        (0, 1, 2),
    ),
    (
        "-gg * grad_output / max(self * (1 - self), eps) / N",
        lambda g, i, o, a: T.bce_double_backward_target(g, i[0], i[1], a),
        (0, 1),
    ),
)
rule(
    "binary_cross_entropy_with_logits",
    "BinaryCrossEntropyWithLogitsBackward0",
    (
        "grad * (sigmoid(self) - target)",
        lambda g, i, o, a: T.bcel_backward(g, i[0], i[1], a),
        (0, 1),
    ),
    ("-grad * self", lambda g, i, o, a: T.bcel_target_backward(g, i[0], a), (0,)),
)
rule(  # PyTorch's target gradient is the same backward with the two swapped
    "smooth_l1_loss",
    "SmoothL1LossBackward0",
    (
        "grad * clamp((self - target) / beta, -1, 1) / N",
        lambda g, i, o, a: T.smooth_l1_loss_backward(g, i[0], i[1], a),
        (0, 1),
    ),
    (
        "grad * clamp((target - self) / beta, -1, 1) / N",
        lambda g, i, o, a: T.smooth_l1_loss_backward(g, i[1], i[0], a),
        (0, 1),
    ),
)
rule(
    "huber_loss",
    "HuberLossBackward0",
    (
        "grad * clamp(self - target, -delta, delta) / N",
        lambda g, i, o, a: T.huber_loss_backward(g, i[0], i[1], a),
        (0, 1),
    ),
    (
        "grad * clamp(target - self, -delta, delta) / N",
        lambda g, i, o, a: T.huber_loss_backward(g, i[1], i[0], a),
        (0, 1),
    ),
)

# ----------------------------------------------------------------------------- more linear algebra
rule(
    "det",
    "LinalgDetBackward0",
    (
        "grad * result * inverse(self).mT",
        lambda g, i, o, a: (
            g.unsqueeze(-1).unsqueeze(-1)
            * o.unsqueeze(-1).unsqueeze(-1)
            * T.inverse(i[0]).transpose(-2, -1)
        ),
        (0, -1),
    ),
)
rule(
    "linalg_solve",
    "LinalgSolveExBackward0",
    (
        "-gB @ result.mT (gB = solve(A.mT, grad))",
        lambda g, i, o, a: _solve_grads(g, i, o, a)[0],
        (0, -1),
    ),
    ("solve(A.mT, grad)", lambda g, i, o, a: _solve_grads(g, i, o, a)[1], (0, -1)),
)


def _solve_grads(g: Any, i: Any, o: Any, vector: bool) -> tuple[Any, Any]:
    gb = T.linalg.solve(i[0].transpose(-2, -1), g)
    if vector:
        return -gb.unsqueeze(-1) @ o.unsqueeze(-2), gb
    return -gb @ o.transpose(-2, -1), gb


rule(
    "inverse",
    "LinalgInvExBackward0",
    (
        "-result.mT @ grad @ result.mT",
        lambda g, i, o, a: -(o.transpose(-2, -1) @ g @ o.transpose(-2, -1)),
        (-1,),
    ),
)
rule(
    "as_strided",
    "AsStridedBackward0",
    (
        "zeros of the base with grad at the view's positions",
        lambda g, i, o, a: T.index_backward(g, i[0].shape, a),
        NONE,
    ),
)


# ----------------------------------------------------------------------------- backward ops
# (their own derivatives: what create_graph=True differentiates a second time)
rule(
    "tanh_backward",
    "TanhBackwardBackward0",
    ("tanh_backward(gg, output)", lambda g, i, o, a: T.tanh_backward(g, i[1]), (1,)),
    ("gg * grad_output * -2 * output", lambda g, i, o, a: g * (-2 * i[1] * i[0]), (0, 1)),
)
rule(
    "sigmoid_backward",
    "SigmoidBackwardBackward0",
    ("sigmoid_backward(gg, output)", lambda g, i, o, a: T.sigmoid_backward(g, i[1]), (1,)),
    ("gg * grad_output * (1 - 2 * output)", lambda g, i, o, a: g * i[0] * (1 - 2 * i[1]), (0, 1)),
)
rule(
    "threshold_backward",
    "ThresholdBackwardBackward0",
    (
        "threshold_backward(gg, self, threshold)",
        lambda g, i, o, a: T.threshold_backward(g, i[1], a),
        (1,),
    ),
    ("0", lambda g, i, o, a: g * 0, NONE),
)
rule(
    "hardtanh_backward",
    "HardtanhBackwardBackward0",
    (
        "hardtanh_backward(gg, self, min_val, max_val)",
        lambda g, i, o, a: T.hardtanh_backward(g, i[1], a),
        (1,),
    ),
    ("0", lambda g, i, o, a: g * 0, NONE),
)
rule(
    "softmax_backward_data",
    "SoftmaxBackwardDataBackward0",
    (
        "_softmax_backward_data(gg, output, dim)",
        lambda g, i, o, a: T.softmax_backward_data(g, i[1], a),
        (1,),
    ),
    (
        "gg * grad_output - gg * sum(grad_output * output) - grad_output * sum(gg * output)",
        lambda g, i, o, a: (
            g * i[0]
            - g * (i[0] * i[1]).sum(a, keepdim=True)
            - i[0] * (g * i[1]).sum(a, keepdim=True)
        ),
        (0, 1),
    ),
)
rule(
    "log_softmax_backward_data",
    "LogSoftmaxBackwardDataBackward0",
    (
        "gg - sum(gg * exp(output))",
        lambda g, i, o, a: g - (g * i[1].exp()).sum(a, keepdim=True),
        (1,),
    ),
    (
        "-sum(grad_output) * exp(output) * gg",
        lambda g, i, o, a: -(i[0].sum(a, keepdim=True)) * i[1].exp() * g,
        (0, 1),
    ),
)
rule(
    "mse_loss_backward",
    "MseLossBackwardBackward0",
    (
        "gg * 2 * (self - target) / N",
        lambda g, i, o, a: g * (i[1] - i[2]) * (2.0 / max(a[1], 1) if a[0] == "mean" else 2.0),
        (1, 2),
    ),
    (
        "gg * 2 * grad_output / N",
        lambda g, i, o, a: g * i[0] * (2.0 / max(a[1], 1) if a[0] == "mean" else 2.0),
        (0,),
    ),
    (
        "-gg * 2 * grad_output / N",
        lambda g, i, o, a: -(g * i[0]) * (2.0 / max(a[1], 1) if a[0] == "mean" else 2.0),
        (0,),
    ),
)
rule(
    "smooth_l1_loss_backward",
    "SmoothL1LossBackwardBackward0",
    (
        "smooth_l1_loss_backward(gg, self, target)",
        lambda g, i, o, a: T.smooth_l1_loss_backward(g, i[1], i[2], a),
        (1, 2),
    ),
    (
        "gg * grad_output * (|self - target| < beta) / beta / N",
        lambda g, i, o, a: T.smooth_loss_double_backward(g * i[0], i[1], i[2], a, False),
        (0, 1, 2),
    ),
    (
        "-gg * grad_output * (|self - target| < beta) / beta / N",
        lambda g, i, o, a: -T.smooth_loss_double_backward(g * i[0], i[1], i[2], a, False),
        (0, 1, 2),
    ),
)
rule(
    "huber_loss_backward",
    "HuberLossBackwardBackward0",
    (
        "sum(gg * huber_loss_backward(1, self, target))",
        lambda g, i, o, a: T.huber_loss_double_backward_grad_output(g, i[0], i[1], i[2], a),
        (0, 1, 2),
    ),
    (
        "gg * grad_output * (|self - target| < delta) / N",
        lambda g, i, o, a: T.smooth_loss_double_backward(g * i[0], i[1], i[2], a, True),
        (0, 1, 2),
    ),
    (
        "-gg * grad_output * (|self - target| < delta) / N",
        lambda g, i, o, a: -T.smooth_loss_double_backward(g * i[0], i[1], i[2], a, True),
        (0, 1, 2),
    ),
)
rule(
    "leaky_relu_backward",
    "LeakyReluBackwardBackward0",
    (
        "leaky_relu_backward(gg, self, slope)",
        lambda g, i, o, a: T.leaky_relu_backward(g, i[1], a),
        (1,),
    ),
    ("0", lambda g, i, o, a: g * 0, NONE),
)


# The second derivatives of elu, softplus and gelu as PyTorch composes them (FunctionsManual's
# elu_double_backward, softplus_double_backward, gelu_double_backward): the same ops, so the
# same node names (MulBackward0 / MulBackward1 ...) and derivatives of any order after them.
def _elu_double(gg: Any, go: Any, x: Any, attrs: Any) -> Any:
    input_scale = attrs[2] if isinstance(attrs, tuple) else 1.0  # elu: 1; selu/celu: theirs
    inner = T.mul_scalar(gg * go, input_scale)
    return T.elu_backward(inner, x, attrs) * (x < 0).to(gg.dtype)


def _softplus_double(gg: Any, go: Any, x: Any, attrs: Any) -> Any:
    beta, threshold = attrs
    z = T.mul_scalar(x, beta)
    return T.mul_scalar(
        T.sigmoid_backward(gg * go, z.sigmoid()) * (z < threshold).to(gg.dtype), beta
    )


GELU_BETA = 2 / math.sqrt(math.pi) * math.sqrt(0.5) * 0.5  # ATen's M_2_SQRTPI * M_SQRT1_2 * 0.5


def _gelu_double(gg: Any, go: Any, x: Any, approximate: str) -> Any:
    if approximate != "none":  # the tanh form: gelu''(x) as a constant (not differentiable)
        return gg * go * T.gelu_second(x, approximate)
    x_sq = x * x
    pdf = T.mul_scalar(T.mul_scalar(x_sq, -0.5).exp(), GELU_BETA)
    slope = T.mul_scalar(pdf, 2) - x_sq * pdf
    return gg * go * slope


rule(
    "elu_backward",
    "EluBackwardBackward0",
    ("elu_backward(gg, self, alpha)", lambda g, i, o, a: T.elu_backward(g, i[1], a), (1,)),
    (
        "elu_backward(gg * grad_output * input_scale, self) * (self < 0)",
        lambda g, i, o, a: _elu_double(g, i[0], i[1], a),
        (0, 1),
    ),
)
rule(
    "softplus_backward",
    "SoftplusBackwardBackward0",
    (
        "softplus_backward(gg, self, beta, threshold)",
        lambda g, i, o, a: T.softplus_backward(g, i[1], a),
        (1,),
    ),
    (
        "sigmoid_backward(gg * grad_output, sigmoid(beta * self)) * (beta * self < threshold) * beta",
        lambda g, i, o, a: _softplus_double(g, i[0], i[1], a),
        (0, 1),
    ),
)
rule(
    "gelu_backward",
    "GeluBackwardBackward0",
    ("gelu_backward(gg, self)", lambda g, i, o, a: T.gelu_backward(g, i[1], a), (1,)),
    (
        "gg * grad_output * (2 * pdf(self) - self**2 * pdf(self))",
        lambda g, i, o, a: _gelu_double(g, i[0], i[1], a),
        (0, 1),
    ),
)
rule("mul_scalar", "MulBackward1", ("grad * alpha", lambda g, i, o, a: T.mul_scalar(g, a), NONE))
rule("div_scalar", "DivBackward1", ("grad / alpha", lambda g, i, o, a: T.div_scalar(g, a), NONE))
rule("add_scalar", "AddBackward1", ("grad", lambda g, i, o, a: g, NONE))
rule("sgn", "SgnBackward0", ("0", lambda g, i, o, a: g * 0, NONE))
