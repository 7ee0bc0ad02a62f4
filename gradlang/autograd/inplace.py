"""In-place ops (`add_`, `x += 1`, `zero_`, ...): the leaf check, writing into the tensor's own
storage, bumping the version counter, and giving the tensor its new grad_fn."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from gradlang.autograd import grad_mode as _gm
from gradlang.autograd.dispatch import record, record1
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import shape_list
from gradlang.autograd.tensor import Tensor

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_ERROR = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
OVERLAP_ERROR = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def check_inplace(t: Tensor, view: bool = False) -> None:
    """PyTorch's errors for writing into a leaf (or a view of one) that requires grad."""
    if not _gm.enabled:
        return
    if t._requires_grad and t._grad_fn is None:
        raise TorchRuntimeError(VIEW_LEAF_ERROR if view or t._base is not None else LEAF_ERROR)
    base = t._base
    if base is not None and base._requires_grad and base._grad_fn is None and t._requires_grad:
        raise TorchRuntimeError(VIEW_LEAF_ERROR)


def adopt(t: Tensor, r: Tensor) -> None:
    """`t` (just written in place) takes over the autograd identity of the result `r`."""
    old = t._grad_fn
    node = r._grad_fn
    t._requires_grad = r._requires_grad
    t._grad_fn = node
    if node is not None:
        if node.out is r:
            node.out = t
            node.out_version = t._vc.value if t._vc is not None else 0
        if t._extra is not None and t._extra.retains_grad:
            if old is not None and old.retained is t:
                old.retained = None
            node.retained = t


def _positions(view: Tensor, base: Tensor) -> tuple[np.ndarray, ...] | None:
    """Where the view's elements sit in its base, as an index tuple (None if unmappable)."""
    b = base._data
    v = view._data
    if not b.flags.c_contiguous or b.size == 0:
        return None
    item = b.itemsize
    offset = v.__array_interface__["data"][0] - b.__array_interface__["data"][0]
    if offset % item or any(st % item for st in v.strides):
        return None
    pos: Any = np.int64(offset // item)
    for k, (n, st) in enumerate(zip(v.shape, v.strides)):
        shape = [1] * v.ndim
        shape[k] = n
        pos = pos + (np.arange(n, dtype=np.int64) * (st // item)).reshape(shape)
    pos = np.broadcast_to(np.asarray(pos), v.shape)
    if pos.size and (pos.min() < 0 or pos.max() >= b.size):
        return None
    return tuple(np.unravel_index(pos, b.shape))


def register_view(base: Tensor, view: Tensor) -> None:
    """Note `view` among `base`'s views (weakly, in creation order), for `rebase_view`."""
    extra = base._get_extra()
    views = extra.views
    if views is None:
        extra.views = [weakref.ref(view)]
        return
    if len(views) >= 64 and len(views) & (len(views) - 1) == 0:  # at 64, 128, 256...
        views[:] = [ref for ref in views if ref() is not None]
    views.append(weakref.ref(view))


def _as_view_of(view: Tensor, base: Tensor) -> None:
    """Give `view` the history `AsStridedBackward0(base)`: its elements taken from base."""
    key = _positions(view, base)
    if key is None:
        return
    new_view = Tensor(view._data, view._dtype)
    record1(new_view, RULES["as_strided"], base, key)
    adopt(view, new_view)


def rebase_view(t: Tensor) -> None:
    """After an in-place op recorded on `t`, the histories of what shares its storage.

    On a view: the base's history becomes CopySlices (the view's new value written into the
    old base), and the view a view of that new base. Then (on a base too) every other live
    view of the base becomes a view of the base's new history, as PyTorch regenerates a
    view's grad_fn (AsStridedBackward0) once its base was changed in place."""
    if not _gm.enabled or not t._requires_grad:
        return
    base = t._base
    if base is not None:
        key = _positions(t, base)
        if key is None:
            return
        new_base = Tensor(base._data, base._dtype)
        record(new_base, RULES["copy_slices"], (base, t), key)
        adopt(base, new_base)
        _as_view_of(t, base)
    else:
        base = t
    extra = base._extra
    if extra is None or not extra.views:
        return
    for ref in list(extra.views):
        view = ref()
        if view is None or view is t or view._vc is not base._vc or view._base is not base:
            continue
        _as_view_of(view, base)


def _write(t: Tensor, r: Tensor) -> None:
    d = t._data
    src = r._data
    if src.shape != d.shape:
        raise TorchRuntimeError(
            f"output with shape {shape_list(d.shape)} doesn't match the broadcast shape "
            f"{shape_list(src.shape)}"
        )
    if r._dtype.category > t._dtype.category:
        raise TorchRuntimeError(
            f"result type {r._dtype.short} can't be cast to the desired output type "
            f"{t._dtype.short}"
        )
    if not d.flags.writeable:
        raise TorchRuntimeError(OVERLAP_ERROR)
    np.copyto(d, src, casting="unsafe")


def _keep_original_self(node: Any, t: Tensor) -> None:
    """The op's derivative reads `self` (mul_, div_, pow_...): keep its value from before the
    write, with its autograd identity, as PyTorch saves `original_self`."""
    if not any(0 in needs for needs in node.rule.needs):
        return
    snap = Tensor(t._data.copy(), t._dtype)
    snap._requires_grad = t._requires_grad
    snap._grad_fn = t._grad_fn
    node.inputs = (snap,) + node.inputs[1:]
    if node.versions is not None:
        node.versions = (0,) + node.versions[1:]


_DIRECT: dict[Callable[..., Tensor], np.ufunc] = {}  # filled on first use (import order)


def _write_direct(t: Tensor, fn: Callable[..., Tensor], other: Any) -> bool:
    """`t OP= other` straight into t's storage when nothing is recorded and the out-of-place
    result would have t's dtype and shape (SGD's `w -= lr * w.grad`): the same ufunc on the
    same operands, so the same bits, without the temporary. False: take the general path."""
    ufunc = _DIRECT.get(fn)
    if ufunc is None:
        if _DIRECT:
            return False
        from gradlang.autograd import ops_math as m

        _DIRECT.update({m.add: np.add, m.sub: np.subtract, m.mul: np.multiply})
        return _write_direct(t, fn, other)
    d = t._data
    dtype = t._dtype
    if dtype.category != 2 or not d.flags.writeable:
        return False
    if other.__class__ is Tensor:
        if other._dtype is not dtype or (
            _gm.enabled and (t._requires_grad or other._requires_grad)
        ):
            return False
        od: Any = other._data
        if od.shape != d.shape:
            if od.ndim > d.ndim or any(
                o != 1 and o != n for o, n in zip(od.shape[::-1], d.shape[::-1])
            ):
                return False
    elif other.__class__ is float or other.__class__ is int:
        if _gm.enabled and t._requires_grad:
            return False
        od = other
    else:
        return False
    ufunc(d, od, out=d)
    return True


def apply_inplace(t: Tensor, fn: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """Run the out-of-place `fn(t, ...)`, write the result into `t`, and adopt its node."""
    if t.__class__ is not Tensor:
        raise TorchTypeError("in-place operation on a non-tensor")
    if _gm.enabled:
        check_inplace(t)
    if not kwargs and len(args) == 1 and _write_direct(t, fn, args[0]):
        t._bump_version()
        return t
    r = fn(t, *args, **kwargs)
    node = r._grad_fn
    if node is not None and node.inputs and node.inputs[0] is t:
        _keep_original_self(node, t)
    _write(t, r)
    t._bump_version()
    if r._grad_fn is not None:
        if r._dtype is not t._dtype:
            from gradlang.autograd.ops_shape import to

            r = to(r, t._dtype)
        adopt(t, r)
        rebase_view(t)
    return t


def _make(name: str, fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def inplace(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return apply_inplace(self, fn, *args, **kwargs)

    inplace.__name__ = inplace.__qualname__ = name
    return inplace


def zero_(self: Tensor) -> Tensor:
    return _fill(self, 0, "zero")


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise TorchRuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        value = value._data.item()
    return _fill(self, value, "fill")


def _fill(self: Tensor, value: Any, rule: str) -> Tensor:
    if _gm.enabled:
        check_inplace(self)
    d = self._data
    if not d.flags.writeable:
        raise TorchRuntimeError(OVERLAP_ERROR)
    d.fill(value)
    self._bump_version()
    if _gm.enabled and self._requires_grad:
        r = Tensor(d, self._dtype)
        record1(r, RULES[rule], self)
        adopt(self, r)
        rebase_view(self)
    return self


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    check_inplace(self)
    if not isinstance(src, Tensor):
        raise TorchTypeError(
            f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
        )
    d = self._data
    try:
        b = np.broadcast_to(src._data, d.shape)
    except ValueError:
        raise TorchRuntimeError(
            f"The size of tensor a ({d.shape[-1] if d.ndim else 1}) must match the size of "
            f"tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at non-singleton "
            "dimension 0"
        ) from None
    if not d.flags.writeable:
        raise TorchRuntimeError(OVERLAP_ERROR)
    grad = _gm.enabled and (self._requires_grad or src._requires_grad)
    if grad:
        r = Tensor(d, self._dtype)
        record(r, RULES["inplace_copy"], (self, src))
    np.copyto(d, b, casting="unsafe")
    self._bump_version()
    if grad:
        adopt(self, r)
        rebase_view(self)
    return self


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    from gradlang.autograd import rng

    check_inplace(self)
    gen = generator if generator is not None else rng.default_generator
    try:
        gen.uniform_(self._data, float(a), float(b))
    except RuntimeError as error:
        if isinstance(error, TorchRuntimeError):
            raise
        raise TorchRuntimeError(str(error)) from None
    self._bump_version()
    return self


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    from gradlang.autograd import rng

    check_inplace(self)
    gen = generator if generator is not None else rng.default_generator
    gen.normal_(self._data, float(mean), float(std))
    self._bump_version()
    return self


def build_inplace_methods() -> dict[str, Callable[..., Tensor]]:
    """`name_` for every op that has an in-place form, from the out-of-place ops."""
    from gradlang.autograd import ops_math as m
    from gradlang.autograd import ops_nn as nn
    from gradlang.autograd import ops_shape as s

    table: dict[str, Callable[..., Tensor]] = {
        "add_": m.add,
        "sub_": m.sub,
        "mul_": m.mul,
        "div_": m.div,
        "pow_": m.pow,
        "clamp_": m.clamp,
        "clip_": m.clamp,
        "clamp_min_": m.clamp_min,
        "clamp_max_": m.clamp_max,
        "neg_": m.neg,
        "exp_": m.exp,
        "log_": m.log,
        "sin_": m.sin,
        "cos_": m.cos,
        "tanh_": m.tanh,
        "sigmoid_": m.sigmoid,
        "addcmul_": m.addcmul,
        "addcdiv_": m.addcdiv,
        "asinh_": m.asinh,
        "acosh_": m.acosh,
        "atanh_": m.atanh,
        "erfc_": m.erfc,
        "relu_": m.relu,
        "sqrt_": m.sqrt,
        "abs_": m.abs,
        "floor_": m.floor,
        "ceil_": m.ceil,
        "round_": m.round,
        "trunc_": m.trunc,
        "sign_": m.sign,
        "reciprocal_": m.reciprocal,
        "square_": m.square,
        "log1p_": m.log1p,
        "expm1_": m.expm1,
        "rsqrt_": m.rsqrt,
        "remainder_": m.remainder,
        "fmod_": m.fmod,
        "floor_divide_": m.floor_divide,
        "true_divide_": m.div,
        "masked_fill_": s.masked_fill,
        "index_add_": s.index_add,
        "scatter_": s.scatter,
        "scatter_add_": s.scatter_add,
        "tril_": s.tril,
        "triu_": s.triu,
        "lerp_": m.lerp,
        "erf_": m.erf,
        "atan_": m.atan,
        "asin_": m.asin,
        "acos_": m.acos,
        "tan_": m.tan,
        "sinh_": m.sinh,
        "cosh_": m.cosh,
        "exp2_": m.exp2,
        "log2_": m.log2,
        "log10_": m.log10,
        "frac_": m.frac,
        "maximum_": m.maximum,
        "minimum_": m.minimum,
        "leaky_relu_": nn.leaky_relu,
        "elu_": nn.elu,
    }
    out = {name: _make(name, fn) for name, fn in table.items()}
    out.update(zero_=zero_, fill_=fill_, copy_=copy_, uniform_=uniform_, normal_=normal_)
    return out
