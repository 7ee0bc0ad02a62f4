"""The names a program reaches: `TORCH` (everything under `torch.`) and `FUNCTIONAL`
(everything under `torch.nn.functional` / `F.`), with PyTorch's parameter names."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from gradlang.autograd import backward_ops as bw
from gradlang.autograd import creation as c
from gradlang.autograd import dtypes as _dt
from gradlang.autograd import engine
from gradlang.autograd import grad_mode as gm
from gradlang.autograd import methods as _methods  # noqa: F401 - installs Tensor methods
from gradlang.autograd import ops_linalg as la
from gradlang.autograd import ops_math as m
from gradlang.autograd import ops_nn as nn
from gradlang.autograd import ops_reduce as red
from gradlang.autograd import ops_shape as s
from gradlang.autograd.errors import TorchTypeError
from gradlang.autograd.size import Size
from gradlang.autograd.tensor import Tensor


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input._dtype.is_floating_point


def numel(input: Tensor) -> int:
    return input.numel()


def get_default_dtype() -> _dt.DType:
    return _dt.DEFAULT_FLOAT


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    from gradlang.autograd.shapes import broadcast_shapes

    shape: tuple[int, ...] = ()
    for t in tensors:
        shape = broadcast_shapes(shape, t._data.shape)
    return tuple(s.expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes: Any) -> Size:
    from gradlang.autograd.shapes import broadcast_shapes as _bs

    out: tuple[int, ...] = ()
    for sh in shapes:
        out = _bs(out, (sh,) if isinstance(sh, int) else tuple(sh))
    return Size(out)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    n = len(tensors)
    sizes = [t._data.shape[0] if t._data.ndim else 1 for t in tensors]
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for k, t in enumerate(tensors):
        pos = k
        if indexing == "xy" and n >= 2 and k < 2:
            pos = 1 - k
        shape = [1] * n
        shape[pos] = -1
        out.append(s.expand(s.reshape(t, tuple(shape)), tuple(sizes)))
    return tuple(out)


def variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """The legacy `torch.autograd.Variable(t, requires_grad=...)`: a new leaf on t's data."""
    out = data.detach()
    return out.requires_grad_(requires_grad) if requires_grad else out


def parameter(data: Tensor | None = None, requires_grad: bool = True) -> Tensor:
    """`torch.nn.Parameter(t)`: a leaf on t's data that prints as `Parameter containing:`."""
    if data is None:
        data = c.empty(0)
    out = data.detach()
    out._get_extra().parameter = True
    return out.requires_grad_(requires_grad) if requires_grad else out


autograd = SimpleNamespace(
    grad=engine.grad,
    backward=engine.backward,
    Variable=variable,
    set_detect_anomaly=gm.set_detect_anomaly,
    detect_anomaly=gm.detect_anomaly,
)

FUNCTIONAL: dict[str, Callable[..., Any]] = {
    "relu": nn.relu,
    "relu6": nn.relu6,
    "hardtanh": nn.hardtanh,
    "sigmoid": nn.sigmoid,
    "tanh": nn.tanh,
    "softmax": nn.softmax,
    "log_softmax": nn.log_softmax,
    "softmin": nn.softmin,
    "logsigmoid": nn.logsigmoid,
    "mse_loss": nn.mse_loss,
    "l1_loss": nn.l1_loss,
    "smooth_l1_loss": nn.smooth_l1_loss,
    "huber_loss": nn.huber_loss,
    "cross_entropy": nn.cross_entropy,
    "nll_loss": nn.nll_loss,
    "binary_cross_entropy": nn.binary_cross_entropy,
    "binary_cross_entropy_with_logits": nn.binary_cross_entropy_with_logits,
    "gelu": nn.gelu,
    "leaky_relu": nn.leaky_relu,
    "elu": nn.elu,
    "selu": nn.selu,
    "celu": nn.celu,
    "silu": nn.silu,
    "softplus": nn.softplus,
    "threshold": nn.threshold,
    "hardswish": nn.hardswish,
    "hardsigmoid": nn.hardsigmoid,
    "mish": nn.mish,
    "softsign": nn.softsign,
    "tanhshrink": nn.tanhshrink,
    "kl_div": nn.kl_div,
    "pad": nn.pad,
    "embedding": nn.embedding,
    "layer_norm": nn.layer_norm,
    "linear": nn.linear,
    "bilinear": nn.bilinear,
    "dropout": nn.dropout,
    "normalize": nn.normalize,
    "cosine_similarity": nn.cosine_similarity,
    "one_hot": nn.one_hot,
}

_DTYPES: dict[str, Any] = {d.name: d for d in _dt.ALL}
_DTYPES.update(_dt.ALIASES)

TORCH: dict[str, Any] = {
    **_DTYPES,
    "Size": Size,
    "Tensor": c.legacy_tensor,
    "FloatTensor": c.legacy_typed(_dt.float32),
    "DoubleTensor": c.legacy_typed(_dt.float64),
    "LongTensor": c.legacy_typed(_dt.int64),
    "IntTensor": c.legacy_typed(_dt.int32),
    "BoolTensor": c.legacy_typed(_dt.bool_),
    "autograd": autograd,
    "nn": SimpleNamespace(functional=SimpleNamespace(**FUNCTIONAL), Parameter=parameter),
    "linalg": SimpleNamespace(
        norm=red.linalg_norm,
        vector_norm=red.vector_norm,
        det=la.det,
        inv=la.inverse,
        solve=la.solve,
        cross=la.linalg_cross,
    ),
    "pi": math.pi,
    "e": math.e,
    "inf": math.inf,
    "nan": math.nan,
    # creation
    "tensor": c.tensor,
    "as_tensor": c.as_tensor,
    "zeros": c.zeros,
    "ones": c.ones,
    "full": c.full,
    "empty": c.empty,
    "arange": c.arange,
    "linspace": c.linspace,
    "logspace": c.logspace,
    "eye": c.eye,
    "zeros_like": c.zeros_like,
    "ones_like": c.ones_like,
    "full_like": c.full_like,
    "empty_like": c.empty_like,
    "rand_like": c.rand_like,
    "randn_like": c.randn_like,
    "randint_like": c.randint_like,
    "manual_seed": c.manual_seed,
    "initial_seed": c.initial_seed,
    "randn": c.randn,
    "rand": c.rand,
    "randint": c.randint,
    "randperm": c.randperm,
    "normal": c.normal,
    # grad modes
    "no_grad": gm.no_grad,
    "enable_grad": gm.enable_grad,
    "set_grad_enabled": gm.set_grad_enabled,
    "is_grad_enabled": gm.is_grad_enabled,
    "inference_mode": gm.no_grad,
    # inspection
    "is_tensor": is_tensor,
    "is_floating_point": is_floating_point,
    "numel": numel,
    "get_default_dtype": get_default_dtype,
    "broadcast_tensors": broadcast_tensors,
    "broadcast_shapes": broadcast_shapes,
    "meshgrid": meshgrid,
    # every op that is also a Tensor method running the same function
    **_methods.SHARED,
    # elementwise
    "rsub": m.rsub,
    "trapezoid": m.trapezoid,
    "trapz": m.trapz,
    "atleast_1d": s.atleast_1d,
    "atleast_2d": s.atleast_2d,
    "atleast_3d": s.atleast_3d,
    "column_stack": s.column_stack,
    "detach": lambda input: input.detach(),
    "selu": nn.selu,
    "celu": nn.celu,
    "where": m.where,
    # reductions
    "var_mean": red.var_mean,
    "std_mean": red.std_mean,
    # linear algebra
    "vdot": la.vdot,
    "einsum": la.einsum,
    "cdist": la.cdist,
    # shape
    "cat": s.cat,
    "concat": s.cat,
    "concatenate": s.cat,
    "stack": s.stack,
    "hstack": s.hstack,
    "vstack": s.vstack,
    "diag_embed": s.diag_embed,
    "repeat_interleave": s.repeat_interleave,
    # neural-net functions reachable from torch.
    "dropout": nn.dropout,
    "cosine_similarity": nn.cosine_similarity,
}


def _inplace_function(name: str) -> Callable[..., Any]:
    """`torch.sin_(x)` and friends: the in-place method under torch's function name."""

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if input.__class__ is not Tensor:
            raise TorchTypeError(
                f"{name}(): argument 'input' (position 1) must be Tensor, not "
                f"{type(input).__name__}"
            )
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    return function


for _name in (
    "abs_ acos_ asin_ atan_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ detach_ erf_ "
    "exp2_ exp_ expm1_ fill_ floor_ frac_ log10_ log1p_ log2_ log_ neg_ reciprocal_ relu_ "
    "round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ zero_"
).split():
    if _name not in TORCH:
        TORCH[_name] = _inplace_function(_name)

TORCH = {
    name: _methods.numpy_aliases(fn, always=True)
    if callable(fn) and not isinstance(fn, type) and not isinstance(fn, SimpleNamespace)
    else fn
    for name, fn in TORCH.items()
}
FUNCTIONAL = {name: _methods.numpy_aliases(fn, always=True) for name, fn in FUNCTIONAL.items()}
TORCH["nn"].functional = SimpleNamespace(**FUNCTIONAL)

# Helpers the derivative table calls (not reachable from programs).
INTERNAL: dict[str, Callable[..., Any]] = {
    **{name: getattr(bw, name) for name in bw.__all__},
    "mm_grad_self": la.mm_grad_self,
    "mm_grad_mat2": la.mm_grad_mat2,
    "index_backward": s.index_backward,
    "repeat_backward": s.repeat_backward,
    "diag_backward": s.diag_backward,
    "zero_at": s.zero_at,
    "mse_backward": nn.mse_backward,
    "nll_backward": nn.nll_backward,
    "bce_backward": nn.bce_backward,
    "bce_target_backward": nn.bce_target_backward,
    "bce_double_backward": nn.bce_double_backward,
    "bce_double_backward_grad_output": nn.bce_double_backward_grad_output,
    "bce_double_backward_target": nn.bce_double_backward_target,
    "bcel_backward": nn.bcel_backward,
    "bcel_target_backward": nn.bcel_target_backward,
}
