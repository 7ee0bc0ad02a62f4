"""Neural-net functions (`F.*` and `torch.softmax`...): activations, softmax, losses, linear,
dropout; plus the loss derivatives the rule table calls (written with engine ops)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.cascade_sum import nll_order_sum, torch_order_sum
from gradlang.autograd.creation import resolve_dtype
from gradlang.autograd.dispatch import record, record1, record2, result
from gradlang.autograd.errors import (
    TorchIndexError,
    TorchNotImplementedError,
    TorchRuntimeError,
    TorchTypeError,
    TorchValueError,
)
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import wrap_dim
from gradlang.autograd.size import Size
from gradlang.autograd.tensor import Tensor

_MSE = RULES["mse_loss"]

SOFTMAX_DIM_WARNING = (
    "Implicit dimension choice for {name} has been deprecated. Change the call to include "
    "dim=X as an argument."
)


def _float_input(input: Tensor, kernel: str) -> np.ndarray:
    """The data of a floating tensor; PyTorch's NotImplementedError naming the kernel if not."""
    if input.__class__ is not Tensor:
        raise TorchTypeError(
            f"{kernel}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if not input._dtype.is_floating_point:
        raise TorchNotImplementedError(f"\"{kernel}\" not implemented for '{input._dtype.short}'")
    return input._data


def _unary_rule(input: Tensor, out: np.ndarray, rule: str, attrs: Any = None) -> Tensor:
    r = result(out, input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES[rule], input, attrs)
    return r


# ----------------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    from gradlang.autograd.ops_math import relu as _relu

    if inplace:
        from gradlang.autograd.inplace import apply_inplace

        return apply_inplace(input, _relu)
    return _relu(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    if input.__class__ is Tensor and input._dtype.category == 1:  # integers clamp as they are
        d = input._data
    else:
        d = _float_input(input, "hardtanh_cpu")
    t = d.dtype.type
    out = np.where(np.isnan(d), d, np.minimum(np.maximum(d, t(min_val)), t(max_val)))
    return _unary_rule(input, out, "hardtanh", (min_val, max_val))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    d = _float_input(input, "leaky_relu_cpu")
    out = np.where(d > 0, d, d * d.dtype.type(negative_slope))
    return _unary_rule(input, out, "leaky_relu", negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    d = _float_input(input, "elu_cpu")
    out = np.where(d > 0, d, d.dtype.type(alpha) * np.expm1(d))
    return _unary_rule(input, out, "elu", alpha)


def _scaled_elu(input: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    d = _float_input(input, "elu_cpu")
    t = d.dtype.type
    out = np.where(d > 0, d * t(scale), t(alpha * scale) * np.expm1(d * t(input_scale)))
    return _unary_rule(input, out, "elu", (alpha, scale, input_scale))


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """PyTorch's celu: elu with scale 1 and input_scale 1/alpha (CeluBackward0)."""
    if input.__class__ is not Tensor:
        raise TorchTypeError(
            f"celu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if inplace:  # torch's CeluBackward1 (saving the result) is not in the table
        raise TorchNotImplementedError("gradlang: celu(inplace=True) / celu_ is not supported")
    if alpha == 0:
        raise TorchRuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    d = _float_input(input, "elu_cpu")
    t = d.dtype.type
    inv = 1.0 / float(alpha)
    out = np.where(d > 0, d, t(alpha) * np.expm1(d * t(inv)))
    return _unary_rule(input, out, "celu", (float(alpha), 1.0, inv))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return _scaled_elu(input, SELU_ALPHA, SELU_SCALE, 1.0)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    d = _float_input(input, "GeluKernelImpl")
    x = d.astype(np.float64)
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        out = 0.5 * x * (1 + np.tanh(k * (x + 0.044715 * x**3)))
    elif approximate == "none":
        erf = np.array(
            [math.erf(v / math.sqrt(2.0)) for v in x.reshape(-1).tolist()], np.float64
        ).reshape(x.shape)
        out = 0.5 * x * (1 + erf)
    else:
        raise TorchRuntimeError("approximate argument must be either none or tanh.")
    return _unary_rule(input, out.astype(d.dtype), "gelu", approximate)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    d = input._data
    out = np.where(d <= threshold, d.dtype.type(value), d)
    return _unary_rule(input, out, "threshold", threshold)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    d = _float_input(input, "hardswish_cpu")
    t = d.dtype.type
    out = d * np.minimum(np.maximum(d + t(3), t(0)), t(6)) / t(6)
    return _unary_rule(input, out, "hardswish")


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    d = _float_input(input, "hardsigmoid_cpu")
    t = d.dtype.type
    out = np.minimum(np.maximum(d + t(3), t(0)), t(6)) / t(6)
    return _unary_rule(input, out, "hardsigmoid")


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    d = _float_input(input, "mish_cpu")
    with np.errstate(over="ignore"):
        out = d * np.tanh(np.log1p(np.exp(d)))
    return _unary_rule(input, out, "mish")


def softsign(input: Tensor) -> Tensor:
    from gradlang.autograd import ops_math as m

    return m.div(input, m.add(m.abs(input), 1))


def tanhshrink(input: Tensor) -> Tensor:
    from gradlang.autograd import ops_math as m

    return m.sub(input, m.tanh(input))


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """F.pad in constant mode: pairs of widths from the last dim back (negative ones crop)."""
    widths = [int(p) for p in pad]
    if len(widths) % 2:
        raise TorchRuntimeError("Padding length must be divisible by 2")
    d = input._data
    if len(widths) > 2 * d.ndim:
        raise TorchRuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(widths)} and input of dimension {d.ndim}"
        )
    if mode != "constant":
        raise TorchNotImplementedError(f"gradlang's F.pad has only mode='constant', not {mode!r}")
    crop = [slice(None)] * d.ndim
    grow = [(0, 0)] * d.ndim
    for k in range(len(widths) // 2):
        axis = d.ndim - 1 - k
        before, after = widths[2 * k], widths[2 * k + 1]
        crop[axis] = slice(max(-before, 0), d.shape[axis] - max(-after, 0))
        grow[axis] = (max(before, 0), max(after, 0))
    fill = d.dtype.type(0 if value is None else value)
    out = np.pad(d[tuple(crop)], grow, constant_values=fill)
    r = result(out, input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["constant_pad_nd"], input, tuple(widths))
    return r


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the last dims (biased variance), then scale and shift (one node)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    d = _float_input(input, "LayerNormKernelImpl")
    if d.shape[d.ndim - len(shape) :] != shape or len(shape) > d.ndim:
        raise TorchRuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in shape)}], but got input of size{list(d.shape)}"
        )
    dims = tuple(range(d.ndim - len(shape), d.ndim))
    mean = d.mean(axis=dims, keepdims=True, dtype=np.float64)
    var = ((d - mean) ** 2).mean(axis=dims, keepdims=True)
    out = ((d - mean) / np.sqrt(var + eps)).astype(d.dtype)
    if weight is not None:
        out = out * weight._data
    if bias is not None:
        out = out + bias._data
    r = result(out, input._dtype)
    inputs = (input, weight, bias)
    if _gm.enabled and any(t is not None and t._requires_grad for t in inputs):
        record(r, RULES["native_layer_norm"], inputs, (dims, eps))
    return r


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of `weight` picked by the integer `input` (EmbeddingBackward0)."""
    if input._dtype not in (_dt.int64, _dt.int32):
        raise TorchRuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input._dtype.tensor_type} instead (while checking "
            "arguments for embedding)"
        )
    idx = input._data.astype(np.int64)
    rows = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        raise TorchIndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    r = result(weight._data[idx], weight._dtype)
    if _gm.enabled and weight._requires_grad:
        record1(r, RULES["embedding"], weight, ((idx,), padding_idx))
    return r


KL_DIV_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """As ATen: `xlogy(target, target) - target * input` (or its log-target form), reduced."""
    from gradlang.autograd import ops_math as m
    from gradlang.autograd import ops_reduce as red

    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    if reduction == "mean":
        _warnings.warn(KL_DIV_MEAN_WARNING)
    if log_target:
        out = m.mul(m.exp(target), m.sub(target, input))
    else:
        out = m.sub(m.xlogy(target, target), m.mul(target, input))
    if reduction == "batchmean":
        total = red.sum(out)
        return m.div(total, input._data.shape[0]) if input._data.ndim else total
    if reduction == "mean":
        return red.mean(out)
    if reduction == "sum":
        return red.sum(out)
    return out


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    d = _float_input(input, "silu_cpu")
    out = d / (1 + np.exp(-d))
    return _unary_rule(input, out, "silu")


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    d = _float_input(input, "softplus_cpu")
    z = d * d.dtype.type(beta)
    out = np.where(z > threshold, d, np.log1p(np.exp(z)) / d.dtype.type(beta))
    return _unary_rule(input, out.astype(d.dtype), "softplus", (beta, threshold))


def sigmoid(input: Tensor) -> Tensor:
    from gradlang.autograd.ops_math import sigmoid as _sigmoid

    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    from gradlang.autograd.ops_math import tanh as _tanh

    return _tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    from gradlang.autograd.ops_math import neg

    return neg(softplus(neg(input)))


def _softmax_dim(input: Tensor, dim: Any, name: str) -> int:
    if dim is None:
        _warnings.warn(SOFTMAX_DIM_WARNING.format(name=name))
        nd = input._data.ndim
        dim = 0 if nd in (0, 1, 3) else 1
    return wrap_dim(dim, input._data.ndim)


def _softmax_kernel(name: str, input: Tensor, dim: int) -> str:
    last = dim == input._data.ndim - 1 or input._data.ndim == 0
    return f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl"


def _cast(input: Tensor, dtype: Any) -> Tensor:
    dt = resolve_dtype(dtype)
    if dt is None or dt is input._dtype:
        return input
    from gradlang.autograd.ops_shape import to

    return to(input, dt)


def _aten_softmax() -> Any:
    """gradlang.autograd.aten_softmax, imported on first use (its tables cost ~4 ms)."""
    from gradlang.autograd import aten_softmax

    return aten_softmax


def softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    input = _cast(input, dtype)
    k = _softmax_dim(input, dim, "softmax")
    d = _float_input(input, _softmax_kernel("softmax", input, k))
    if d.ndim == 0:
        out = np.ones_like(d)
    elif d.dtype == np.float32 and d.size and k == d.ndim - 1:
        out = _aten_softmax().softmax_lastdim(d)  # ATen's kernel, bit for bit
    elif d.dtype == np.float32 and d.size and math.prod(d.shape[k + 1 :]) < 8:
        out = _aten_softmax().softmax_small_inner(d, k)  # ATen's scalar loop, bit for bit
    else:
        e = np.exp(d - np.max(d, axis=k, keepdims=True))
        out = e / np.sum(e, axis=k, keepdims=True)
    return _unary_rule(input, out, "softmax", k)


def log_softmax(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    input = _cast(input, dtype)
    k = _softmax_dim(input, dim, "log_softmax")
    d = _float_input(input, _softmax_kernel("log_softmax", input, k))
    if d.ndim == 0:
        out = np.zeros_like(d)
    elif k == d.ndim - 1 and d.dtype == np.float32 and d.size:
        out = _aten_softmax().log_softmax_lastdim(d)  # ATen's kernel, bit for bit
    else:
        shifted = d - np.max(d, axis=k, keepdims=True)
        out = shifted - np.log(np.sum(np.exp(shifted), axis=k, keepdims=True))
    return _unary_rule(input, out, "log_softmax", k)


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    from gradlang.autograd.ops_math import neg

    return softmax(neg(input), dim, dtype=dtype)


# ----------------------------------------------------------------------------- linear, dropout
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    from gradlang.autograd import ops_linalg as la
    from gradlang.autograd.ops_math import add
    from gradlang.autograd.ops_shape import t

    if input._data.ndim == 2 and bias is not None:
        return la.addmm(bias, input, t(weight))
    out = la.matmul(input, t(weight))
    if bias is not None:
        out = add(out, bias)
    return out


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    from gradlang.autograd.ops_linalg import einsum
    from gradlang.autograd.ops_math import add

    out = einsum("bi,oij,bj->bo", input1, weight, input2)
    return out if bias is None else add(out, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0 or p > 1:
        raise TorchValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    from gradlang.autograd import rng
    from gradlang.autograd.ops_math import mul

    u = np.zeros(input._data.shape, np.float64)
    rng.default_generator.uniform_(u, 0.0, 1.0)
    keep = (u >= p).astype(input._data.dtype)
    scale = keep / input._data.dtype.type(1 - p) if p < 1 else keep * 0
    return mul(input, Tensor(scale, input._dtype))


# ----------------------------------------------------------------------------- losses
REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str, size_average: Any = None, reduce: Any = None) -> str:
    if size_average is not None or reduce is not None:
        if reduce is False:
            return "none"
        return "sum" if size_average is False else "mean"
    if reduction not in REDUCTIONS:
        raise TorchValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _target_shape_warning(input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        _warnings.warn(
            f"Using a target size ({Size(target._data.shape)}) that is different to the input "
            f"size ({Size(input._data.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size."
        )


def _reduce_np(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction in ("mean", "sum") and loss.size:
        total = torch_order_sum(loss, None)  # PyTorch's summation order where it replays it
        if total is None:
            total = np.sum(loss)
        if reduction == "mean":
            total = total / loss.dtype.type(loss.size)
        return np.asarray(total, loss.dtype)
    if reduction == "mean":
        return np.asarray(np.nan, loss.dtype)
    if reduction == "sum":
        return np.asarray(0, loss.dtype)
    return loss


def _scale(g: Tensor, n: int, reduction: str) -> Any:
    return g / max(n, 1) if reduction == "mean" else g


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Any = None,
) -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _target_shape_warning(input, target)
    a, b = _broadcast_pair(input, target)
    diff = a - b
    out = _reduce_np(diff * diff, reduction)
    r = result(out, input._dtype)
    if _gm.enabled and (input._requires_grad or target._requires_grad):
        record2(r, _MSE, input, target, (reduction, diff.size))
    return r


def _broadcast_pair(input: Tensor, target: Tensor) -> tuple[np.ndarray, np.ndarray]:
    a, b = input._data, target._data
    if a.shape == b.shape and a.dtype == b.dtype:  # the usual case: nothing to do (only read)
        return a, b
    from gradlang.autograd.shapes import broadcast_shapes

    broadcast_shapes(input._data.shape, target._data.shape)
    a, b = np.broadcast_arrays(input._data, target._data.astype(input._data.dtype))
    return a, b


def mse_backward(g: Tensor, x: Tensor, y: Tensor, attrs: Any) -> Tensor:
    reduction, n = attrs
    return _scale(g, n, reduction) * 2 * (x - y)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    from gradlang.autograd.ops_math import abs as _abs
    from gradlang.autograd.ops_math import sub
    from gradlang.autograd.ops_reduce import mean, sum

    reduction = _reduction(reduction, size_average, reduce)
    _target_shape_warning(input, target)
    loss = _abs(sub(input, target))
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    return loss


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _target_shape_warning(input, target)
    a, b = _broadcast_pair(input, target)
    z = np.abs(a - b)
    loss = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta) if beta > 0 else z
    r = result(_reduce_np(loss.astype(a.dtype), reduction), input._dtype)
    if _gm.enabled and (input._requires_grad or target._requires_grad):
        record(r, RULES["smooth_l1_loss"], (input, target), (reduction, z.size, beta))
    return r


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    reduction = _reduction(reduction)
    a, b = np.broadcast_arrays(input._data, target._data.astype(input._data.dtype))
    z = np.abs(a - b)
    loss = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    r = result(_reduce_np(loss.astype(a.dtype), reduction), input._dtype)
    if _gm.enabled and (input._requires_grad or target._requires_grad):
        record(r, RULES["huber_loss"], (input, target), (reduction, z.size, delta))
    return r


def _class_target(input: Tensor, target: Tensor, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = input._data
    if not isinstance(target, Tensor):
        raise TorchTypeError(
            f"{name}(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}"
        )
    t = target._data
    if target._dtype.category != 1:
        raise TorchRuntimeError(
            f"expected target dtype to be Long or Byte, but got {target._dtype.short}"
        )
    if x.ndim == 1:
        if t.ndim != 0:
            raise TorchRuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return x.reshape(1, -1), t.reshape(1)
    if x.ndim != 2:
        raise TorchRuntimeError(f"Expected 2 or more dimensions (got {x.ndim})")
    if t.ndim != 1:
        raise TorchRuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.shape[0] != x.shape[0]:
        raise TorchValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]})."
        )
    return x, t


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    x, t = _class_target(input, target, "nll_loss")
    n, c = x.shape
    valid = t != ignore_index
    count = np.count_nonzero(valid)
    # the targets out of range (a negative one wraps to a huge unsigned), found in one pass;
    # the loop names the first, as ATen does
    wild = t.view(np.uint64) >= c if t.dtype == np.int64 else (t < 0) | (t >= c)
    if count < n:
        wild &= valid
    if np.count_nonzero(wild):
        for v in t[valid].tolist():
            if v < 0 or v >= c:
                raise TorchIndexError(f"Target {v} is out of bounds.")
    mask = None if count == n else valid  # None: every row counts
    safe = t.copy() if mask is None else np.where(valid, t, 0)  # (the node keeps it)
    rows = np.arange(n)
    if weight is None:
        wt = valid.astype(x.dtype)
        total = x.dtype.type(count)
    else:
        wt = np.where(valid, weight._data.astype(x.dtype)[safe], 0).astype(x.dtype)
        total = nll_order_sum(wt, mask)
    picked = -x[rows, safe] * wt
    if reduction == "mean":
        out = np.asarray(nll_order_sum(picked, mask) / total, x.dtype)
    elif reduction == "sum":
        out = np.asarray(nll_order_sum(picked, mask), x.dtype)
    else:
        if mask is not None:  # ATen writes 0 for an ignored row (-x * 0 could be -0.)
            picked[~mask] = 0
        out = picked if input._data.ndim == 2 else picked.reshape(())
    r = result(out, input._dtype)
    if _gm.enabled and input._requires_grad:
        key = (rows, safe) if input._data.ndim == 2 else (safe,)
        again = (target, weight, ignore_index)  # for the double backward's nll_loss(gg, ...)
        record1(r, RULES["nll_loss"], input, (key, wt, reduction, total, mask, again))
    return r


def nll_backward(g: Tensor, x: Tensor, attrs: Any) -> Tensor:
    """ATen's nll_loss_backward: each target row's value written into zeros (an ignored row
    is skipped, so its zero stays +0.0 where the value would be -0.0). Under create_graph
    it records NllLossBackwardBackward0, as PyTorch does whenever the input requires grad
    (its derivative there is zero)."""
    key, wt, reduction, total, mask, _ = attrs
    gd = g._data
    if reduction == "none":
        values = (-wt).astype(gd.dtype, copy=False) * gd.reshape(-1)
    else:  # ATen's order: weight * -(grad / total_weight) (mean), weight * -grad (sum)
        values = wt * (-(gd / total) if reduction == "mean" else -gd)
    out = np.zeros(x._data.shape, gd.dtype)
    if mask is None:
        out[key] = values.reshape(-1)
    else:
        out[tuple(k[mask] for k in key)] = values.reshape(-1)[mask]
    r = Tensor(out, g._dtype)
    if _gm.enabled and (g._requires_grad or x._requires_grad):
        record(r, RULES["nll_loss_backward"], (g, x), attrs)
    return r


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    from gradlang.autograd import ops_math as m
    from gradlang.autograd import ops_reduce as red

    reduction = _reduction(reduction, size_average, reduce)
    dim = 0 if input._data.ndim == 1 else 1
    logp = log_softmax(input, dim)
    if target._dtype.is_floating_point and target._data.shape == input._data.shape:
        loss = m.neg(red.sum(m.mul(logp, target), dim))
        if reduction == "mean":
            return red.mean(loss)
        return red.sum(loss) if reduction == "sum" else loss
    if label_smoothing > 0:
        c = input._data.shape[dim]
        nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
        smooth = m.neg(red.sum(logp, dim))
        smooth = (
            red.mean(smooth)
            if reduction == "mean"
            else (red.sum(smooth) if reduction == "sum" else smooth)
        )
        return m.add(m.mul(nll, 1 - label_smoothing), m.mul(smooth, label_smoothing / c))
    return nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)


def _bce_check(input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        raise TorchValueError(
            f"Using a target size ({Size(target._data.shape)}) that is different to the input "
            f"size ({Size(input._data.shape)}) is deprecated. Please ensure they have the same "
            "size."
        )


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _bce_check(input, target)
    x = input._data
    y = target._data.astype(x.dtype)
    if ((x < 0) | (x > 1)).any() or np.isnan(x).any():
        raise TorchRuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
    loss = (y - 1) * log_1mx - y * log_x  # ATen's expression, rounding as it does
    w = None if weight is None else np.broadcast_to(weight._data.astype(x.dtype), x.shape)
    if w is not None:
        loss = loss * w
    r = result(_reduce_np(loss.astype(x.dtype), reduction), input._dtype)
    if _gm.enabled and (input._requires_grad or target._requires_grad):
        record(r, RULES["binary_cross_entropy"], (input, target), (reduction, x.size, w))
    return r


def _weighted(v: Tensor, w: Any, dtype: _dt.DType) -> Tensor:
    return v if w is None else v * Tensor(np.ascontiguousarray(w), dtype)


def bce_backward(g: Tensor, x: Tensor, y: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_backward, an op of its own: grad * (x - y) /
    max((1 - x) * x, 1e-12), times the weight, then divided by the count for "mean" (in
    that order, so the same bits); under create_graph a BinaryCrossEntropyBackwardBackward0
    node with ATen's double-backward formulas (rules.py)."""
    from gradlang.autograd.backward_ops import div_scalar
    from gradlang.autograd.ops_math import clamp_min

    reduction, n, w = attrs
    recording = _gm.enabled
    with _gm.no_grad():  # the value, without the nodes of its pieces
        v = _weighted(g * (x - y) / clamp_min((1 - x) * x, 1e-12), w, x._dtype)
        v = div_scalar(v, n) if reduction == "mean" else v
    if recording and (g._requires_grad or x._requires_grad or y._requires_grad):
        record(v, RULES["binary_cross_entropy_backward"], (g, x, y), attrs)
    return v


_BCE_EPS = 1e-12


def bce_double_backward(gg: Tensor, g: Tensor, x: Tensor, y: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_double_backward (FunctionsManual.cpp), in its order:
    (x*x - 2*x*t + t) / ((x + eps)**2 * (1 - x + eps)**2) * (gg * grad_output)."""
    reduction, n, w = attrs
    numerator = x * x - 2 * x * y + y
    gi = numerator / ((x + _BCE_EPS).pow(2) * (1 - x + _BCE_EPS).pow(2)) * (gg * g)
    gi = _weighted(gi, w, x._dtype)
    return gi / n if reduction == "mean" else gi


def bce_double_backward_grad_output(gg: Tensor, x: Tensor, y: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_double_backward_grad_output: (x - t) / ((x + eps) *
    (1 - x + eps)) * gg, times the weight, over the count for "mean"."""
    reduction, n, w = attrs
    ggo = _weighted((x - y) / ((x + _BCE_EPS) * (1 - x + _BCE_EPS)) * gg, w, x._dtype)
    return ggo / n if reduction == "mean" else ggo


def bce_double_backward_target(gg: Tensor, g: Tensor, x: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_double_backward_target: -gg * grad_output, times the
    weight, over max((1 - x) * x, eps) (a constant there), over the count for "mean"."""
    from gradlang.autograd.ops_math import clamp_min

    reduction, n, w = attrs
    res = _weighted(-gg * g, w, x._dtype)
    with _gm.no_grad():  # ATen clamps the denominator under NoGradGuard: a constant
        denom = clamp_min((1 - x) * x, _BCE_EPS)
    res = res / denom
    return res / n if reduction == "mean" else res


def bce_target_backward(g: Tensor, x: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_target_backward: -logit(x) * grad, times the weight, then
    divided by the count for "mean"."""
    from gradlang.autograd.backward_ops import div_scalar
    from gradlang.autograd.ops_math import logit

    reduction, n, w = attrs
    v = _weighted(-logit(x) * g, w, x._dtype)
    return div_scalar(v, n) if reduction == "mean" else v


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    reduction = _reduction(reduction, size_average, reduce)
    _bce_check(input, target)
    x = input._data
    y = target._data.astype(x.dtype)
    pw = None if pos_weight is None else pos_weight._data.astype(x.dtype)
    softplus_neg = np.logaddexp(0, -x).astype(x.dtype)
    if pw is None:
        loss = (1 - y) * x + softplus_neg
    else:
        lw = 1 + (pw - 1) * y
        loss = (1 - y) * x + lw * softplus_neg
    w = None if weight is None else np.broadcast_to(weight._data.astype(x.dtype), x.shape)
    if w is not None:
        loss = loss * w
    r = result(_reduce_np(loss.astype(x.dtype), reduction), input._dtype)
    if _gm.enabled and (input._requires_grad or target._requires_grad):
        record(
            r,
            RULES["binary_cross_entropy_with_logits"],
            (input, target),
            (reduction, x.size, w, pw),
        )
    return r


def bcel_backward(g: Tensor, x: Tensor, y: Tensor, attrs: Any) -> Tensor:
    from gradlang.autograd.backward_ops import div_scalar

    reduction, n, w, pw = attrs
    if pw is None:
        v = (x.sigmoid() - y) * g
    else:
        p = Tensor(np.ascontiguousarray(pw), x._dtype)
        v = (((p - 1) * y + 1) * x.sigmoid() - p * y) * g
    v = _weighted(v, w, x._dtype)
    return div_scalar(v, n) if reduction == "mean" else v


def bcel_target_backward(g: Tensor, x: Tensor, attrs: Any) -> Tensor:
    """ATen's binary_cross_entropy_with_logits_target_backward: -x * grad (with pos_weight:
    (log_sigmoid(-x) - log_sigmoid(x) * pos_weight) * grad), times the weight, then divided
    by the count for "mean"."""
    from gradlang.autograd.backward_ops import div_scalar

    reduction, n, w, pw = attrs
    if pw is None:
        v = -x * g
    else:
        p = Tensor(np.ascontiguousarray(pw), x._dtype)
        v = (logsigmoid(-x) - logsigmoid(x) * p) * g
    v = _weighted(v, w, x._dtype)
    return div_scalar(v, n) if reduction == "mean" else v


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    from gradlang.autograd.ops_math import clamp_min, div
    from gradlang.autograd.ops_reduce import vector_norm

    n = vector_norm(input, p, dim, keepdim=True)
    return div(input, clamp_min(n, eps).expand_as(input))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    from gradlang.autograd import ops_math as m
    from gradlang.autograd import ops_reduce as red
    from gradlang.autograd import ops_shape as s_

    # As ATen: each input over its own norm (cloned, clamped without grad), then the sum.
    try:
        shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
    except ValueError:
        shape = None  # the ops below raise PyTorch's error
    if shape is not None:
        x1 = x1 if x1._data.shape == shape else s_.expand(x1, shape)
        x2 = x2 if x2._data.shape == shape else s_.expand(x2, shape)
    n1 = s_.clone(red.vector_norm(x1, 2, dim, True))
    n2 = s_.clone(red.vector_norm(x2, 2, dim, True))
    np.maximum(n1._data, eps, out=n1._data)
    np.maximum(n2._data, eps, out=n2._data)
    return red.sum(m.mul(m.div(x1, n1), m.div(x2, n2)), dim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    t = tensor._data
    if tensor._dtype is not _dt.int64:
        raise TorchRuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(t.max()) + 1 if t.size else 0
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise TorchRuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(t.shape + (num_classes,), np.int64)
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor(out, _dt.int64)
