"""The backward functions PyTorch runs as ops of their own (`tanh_backward`,
`_softmax_backward_data`, ...). The rule table's formulas call them so that, with
`create_graph=True`, gradients carry PyTorch's node names (`TanhBackwardBackward0`) and are
themselves differentiable through their own table entries."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradlang.autograd import grad_mode as _gm
from gradlang.autograd.dispatch import float_operand, needs_grad, record, result
from gradlang.autograd.rng import one_minus_square
from gradlang.autograd.rules import RULES
from gradlang.autograd.tensor import Tensor

__all__ = [
    "tanh_backward",
    "sigmoid_backward",
    "threshold_backward",
    "hardtanh_backward",
    "softmax_backward_data",
    "log_softmax_backward_data",
    "mse_loss_backward",
    "smooth_l1_loss_backward",
    "huber_loss_backward",
    "smooth_loss_double_backward",
    "huber_loss_double_backward_grad_output",
    "leaky_relu_backward",
    "elu_backward",
    "softplus_backward",
    "gelu_backward",
    "gelu_second",
    "cdist_backward",
]


def _out(data: Any, like: Tensor, rule: str, inputs: tuple, attrs: Any = None) -> Tensor:
    if data.__class__ is np.ndarray and data.dtype is like._data.dtype:
        r = Tensor(data, like._dtype)
    else:
        r = result(np.asarray(data).astype(like._data.dtype, copy=False), like._dtype)
    if _gm.enabled and needs_grad(inputs):
        record(r, RULES[rule], inputs, attrs)
    return r


def tanh_backward(grad: Tensor, output: Tensor) -> Tensor:
    """grad * (1 - y*y) with ATen's fused `1 - y*y` (one rounding: the same bits)."""
    y = output._data
    if y.dtype.kind != "f":
        return _out(grad._data * (1 - y * y), grad, "tanh_backward", (grad, output))
    return _out(grad._data * one_minus_square(y), grad, "tanh_backward", (grad, output))


def sigmoid_backward(grad: Tensor, output: Tensor) -> Tensor:
    y = output._data
    return _out(grad._data * (1 - y) * y, grad, "sigmoid_backward", (grad, output))


def threshold_backward(grad: Tensor, self: Tensor, threshold: float) -> Tensor:
    data = np.where(self._data <= threshold, grad._data.dtype.type(0), grad._data)
    return _out(data, grad, "threshold_backward", (grad, self), threshold)


def hardtanh_backward(grad: Tensor, self: Tensor, bounds: tuple[float, float]) -> Tensor:
    x = self._data
    inside = (x > bounds[0]) & (x < bounds[1])
    data = np.where(inside, grad._data, grad._data.dtype.type(0))
    return _out(data, grad, "hardtanh_backward", (grad, self), bounds)


def softmax_backward_data(grad: Tensor, output: Tensor, dim: int) -> Tensor:
    g, y = grad._data, output._data
    data = y * (g - np.sum(g * y, axis=dim, keepdims=True))
    return _out(data, grad, "softmax_backward_data", (grad, output), dim)


def log_softmax_backward_data(grad: Tensor, output: Tensor, dim: int) -> Tensor:
    g, y = grad._data, output._data
    data = g - np.exp(y) * np.sum(g, axis=dim, keepdims=True)
    return _out(data, grad, "log_softmax_backward_data", (grad, output), dim)


def _loss_pair(self: Tensor, target: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """A loss's input and target arrays, in the input's dtype, broadcast together."""
    x, t = self._data, target._data
    if t.dtype != x.dtype:
        t = t.astype(x.dtype)
    if t.shape != x.shape:
        x, t = np.broadcast_arrays(x, t)
    return x, t


def mse_loss_backward(grad: Tensor, self: Tensor, target: Tensor, attrs: Any) -> Tensor:
    reduction, n = attrs
    scale = 2.0 / max(n, 1) if reduction == "mean" else 2.0
    x, t = _loss_pair(self, target)
    factor = float_operand(scale, self._dtype) if x.dtype.kind == "f" else x.dtype.type(scale)
    data = (x - t) * factor * grad._data
    return _out(data, self, "mse_loss_backward", (grad, self, target), attrs)


def _sign_or(d: np.ndarray, inside: np.ndarray, limit: Any) -> np.ndarray:
    """ATen's blend for the smooth losses' slope: `inside` where |d| < limit, else +-1
    (-1 for d <= 0, as its `x > 0` blend gives)."""
    one = d.dtype.type(1)
    return np.where(np.abs(d) >= limit, np.where(d > 0, one, -one), inside)


def smooth_l1_loss_backward(grad: Tensor, self: Tensor, target: Tensor, attrs: Any) -> Tensor:
    """ATen's vectorised kernel: `norm * slope * grad`, slope d/beta inside |d| < beta, +-1
    outside (norm: 1/N for a mean); for target's gradient it runs with the two swapped."""
    reduction, n, beta = attrs
    x, t = _loss_pair(self, target)
    d = x - t
    kind = d.dtype.type
    if beta > 0:
        b = kind(beta)
        slope = _sign_or(d, d / b, b)
    else:  # beta == 0 is an l1 loss: sign(d)
        slope = np.sign(d)
    norm = kind(1.0 / max(n, 1) if reduction == "mean" else 1.0)
    return _out(norm * slope * grad._data, self, "smooth_l1_loss_backward",
                (grad, self, target), attrs)  # fmt: skip


def huber_loss_backward(grad: Tensor, self: Tensor, target: Tensor, attrs: Any) -> Tensor:
    """ATen's vectorised kernel: `norm * slope * grad`, slope d inside |d| < delta,
    +-delta outside; for target's gradient it runs with the two swapped."""
    reduction, n, delta = attrs
    x, t = _loss_pair(self, target)
    d = x - t
    kind = d.dtype.type
    limit = kind(delta)
    slope = np.where(np.abs(d) >= limit, np.where(d > 0, limit, -limit), d)
    norm = kind(1.0 / max(n, 1) if reduction == "mean" else 1.0)
    return _out(norm * slope * grad._data, self, "huber_loss_backward",
                (grad, self, target), attrs)  # fmt: skip


def smooth_loss_double_backward(grad: Tensor, self: Tensor, target: Tensor, attrs: Any,
                                huber: bool) -> Tensor:  # fmt: skip
    """ATen's smooth_l1_loss_double_backward (`grad * (|d| < beta) / beta`) and
    huber_loss_double_backward (`grad * (|d| < delta)`), over N for a mean: written with
    differentiable ops (the mask is a constant)."""
    reduction, n, limit = attrs
    if limit <= 0:  # ATen's guard against dividing by zero: zeros, not a node
        return Tensor(np.zeros_like(grad._data), grad._dtype)
    x, t = _loss_pair(self, target)
    d = x - t
    mask = Tensor((np.abs(d) < d.dtype.type(limit)).astype(grad._data.dtype), grad._dtype)
    out = grad * mask if huber else grad * mask / float(limit)
    return out / max(n, 1) if reduction == "mean" else out


def huber_loss_double_backward_grad_output(
    gg: Tensor, grad_output: Tensor, self: Tensor, target: Tensor, attrs: Any
) -> Tensor:
    """ATen's: the backward itself for reduction='none'; else its ones-seeded value times
    gg, summed (grad_output is then a scalar)."""
    if attrs[0] == "none":
        return huber_loss_backward(gg, self, target, attrs)
    ones = Tensor(np.ones_like(grad_output._data), grad_output._dtype)
    return (huber_loss_backward(ones, self, target, attrs) * gg).sum()


def leaky_relu_backward(grad: Tensor, self: Tensor, slope: float) -> Tensor:
    g = grad._data
    data = np.where(self._data > 0, g, g * g.dtype.type(slope))
    return _out(data, grad, "leaky_relu_backward", (grad, self), slope)


def elu_coefs(attrs: Any) -> tuple[float, float, float]:
    """elu's (alpha, scale, input_scale): a bare alpha for elu, all three for selu."""
    if isinstance(attrs, tuple):
        return attrs
    return (attrs, 1.0, 1.0)


def elu_backward(grad: Tensor, self: Tensor, alpha: Any) -> Tensor:
    a, scale, inscale = elu_coefs(alpha)
    x, g = self._data, grad._data
    t = x.dtype.type
    neg = g * t(inscale) * t(a * scale) * np.exp(x * t(inscale))
    data = np.where(x > 0, g * t(scale), neg)
    return _out(data, grad, "elu_backward", (grad, self), alpha)


def softplus_backward(grad: Tensor, self: Tensor, attrs: Any) -> Tensor:
    beta, threshold = attrs
    x, g = self._data, grad._data
    z = x * x.dtype.type(beta)
    s = 1 / (1 + np.exp(-z))
    data = np.where(z > threshold, g, g * s)
    return _out(data, grad, "softplus_backward", (grad, self), attrs)


def _gelu_parts(x: np.ndarray, approximate: str) -> tuple[np.ndarray, np.ndarray]:
    """(first, second) derivative of gelu at x, in float64."""
    x = x.astype(np.float64)
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        c = 0.044715
        u = k * (x + c * x**3)
        t = np.tanh(u)
        du = k * (1 + 3 * c * x * x)
        ddu = 6 * k * c * x
        first = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
        second = (1 - t * t) * (du - x * t * du * du + 0.5 * x * ddu)
        return first, second
    cdf = 0.5 * (1 + np.array([math.erf(v / math.sqrt(2.0)) for v in x.reshape(-1).tolist()]))
    cdf = cdf.reshape(x.shape)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return cdf + x * pdf, pdf * (2 - x * x)


def gelu_backward(grad: Tensor, self: Tensor, approximate: str) -> Tensor:
    first, _ = _gelu_parts(self._data, approximate)
    return _out(grad._data * first, grad, "gelu_backward", (grad, self), approximate)


def gelu_second(self: Tensor, approximate: str) -> Tensor:
    """gelu''(self) as a constant tensor (what the double backward multiplies by)."""
    _, second = _gelu_parts(self._data, approximate)
    return Tensor(np.asarray(second).astype(self._data.dtype), self._dtype)


def _scalar_op(rule: str, data: np.ndarray, x: Tensor, value: Any) -> Tensor:
    r = result(data, x._dtype)
    if _gm.enabled and x._requires_grad:
        record(r, RULES[rule], (x,), value)
    return r


def mul_scalar(x: Tensor, value: float) -> Tensor:
    """`x * value` as ATen's mul.Scalar (what derivative formulas use): MulBackward1."""
    return _scalar_op("mul_scalar", x._data * x._data.dtype.type(value), x, value)


def div_scalar(x: Tensor, value: float) -> Tensor:
    """`x / value` as ATen's div.Scalar: DivBackward1."""
    return _scalar_op("div_scalar", x._data / x._data.dtype.type(value), x, value)


def add_scalar(x: Tensor, value: float) -> Tensor:
    """`x + value` as ATen's add.Scalar: AddBackward1."""
    return _scalar_op("add_scalar", x._data + x._data.dtype.type(value), x, value)


__all__ += ["mul_scalar", "div_scalar", "add_scalar"]


def cdist_backward(grad: Tensor, x1: Tensor, x2: Tensor, p: float, dist: Tensor) -> Tensor:
    """ATen's _cdist_backward: for each row of x1, the terms of every row of x2 added in
    order (j = 0, 1, ...), each term computed as its CPU kernel does."""
    g, d = grad._data, dist._data
    batch = d.shape[:-2]
    a = np.broadcast_to(x1._data, batch + x1._data.shape[-2:])
    b = np.broadcast_to(x2._data, batch + x2._data.shape[-2:])
    t = a.dtype.type
    res = np.zeros(a.shape, a.dtype)
    if p != 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            for j in range(b.shape[-2]):
                diff = a - b[..., j : j + 1, :]
                gj = g[..., :, j, None].astype(a.dtype, copy=False)
                dj = d[..., :, j, None]
                sign = np.sign(diff)
                if p == 1:
                    term = gj * sign
                elif math.isinf(p):
                    term = gj * sign * (np.abs(diff) == dj)
                elif p == 2:
                    term = np.where(dj == 0, t(0), gj * diff / dj)
                elif p < 2:
                    term = sign * np.abs(diff) ** t(p - 1) * gj / dj ** t(p - 1)
                    term = np.where(dj == 0, t(0), term)
                    if p < 1:
                        term = np.where(diff == 0, t(0), term)
                else:
                    term = diff * np.abs(diff) ** t(p - 2) * gj / dj ** t(p - 1)
                    term = np.where(dj == 0, t(0), term)
                res = res + term.astype(a.dtype, copy=False)
    return _out(res, x1, "cdist_backward", (grad, x1, x2, dist), p)
