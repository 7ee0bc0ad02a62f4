"""Shape ops: views (sharing storage and version counter), indexing, joins and splits,
dtype conversion, and gather/scatter-style ops."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.creation import resolve_dtype
from gradlang.autograd.dispatch import needs_grad, record, record1
from gradlang.autograd.errors import (
    C10_NAMES,
    TorchIndexError,
    TorchNotImplementedError,
    TorchRuntimeError,
    TorchTypeError,
    TorchValueError,
)
from gradlang.autograd.inplace import register_view
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import (
    infer_view_shape,
    parse_shape,
    shape_list,
    wrap_dim,
    wrap_dims,
)
from gradlang.autograd.tensor import Tensor

_VIEW = RULES["view"]
_SELECT = RULES["select"]
_SLICE = RULES["slice"]
_UNSQUEEZE = RULES["unsqueeze"]
_INDEX = RULES["index"]
_VIEW_SIZE_ERROR = (
    "view size is not compatible with input tensor's size and stride (at least one dimension "
    "spans across two contiguous subspaces). Use .reshape(...) instead."
)
ZERO_DIM_INDEX = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
    "C++ to convert a 0-dim tensor to a number"
)
T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor."
)


def _view(x: Tensor, data: np.ndarray, rule: Any, attrs: Any = None) -> Tensor:
    """A view of `x`: shares its storage and version counter."""
    r = Tensor(data, x._dtype)
    r._vc = x._counter()
    base = r._base = x if x._base is None else x._base
    if _gm.enabled:
        register_view(base, r)
        if x._requires_grad:
            record1(r, rule, x, attrs)
    return r


def _copy_op(x: Tensor, data: np.ndarray, rule: Any, attrs: Any = None) -> Tensor:
    r = Tensor(data, x._dtype)
    if _gm.enabled and x._requires_grad:
        record1(r, rule, x, attrs)
    return r


# ----------------------------------------------------------------------------- view / reshape
def _try_view(d: np.ndarray, shape: tuple[builtins.int, ...]) -> np.ndarray | None:
    v = d.view()
    try:
        v.shape = shape
    except AttributeError:
        return None
    return v


def view(input: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], _dt.DType):
        raise TorchRuntimeError("view(dtype) is not supported")
    d = input._data
    new = infer_view_shape(parse_shape(shape), d.size)
    if d.flags.c_contiguous:
        return _view(input, d.reshape(new), _VIEW)
    v = _try_view(d, new)
    if v is None:
        raise TorchRuntimeError(_VIEW_SIZE_ERROR)
    return _view(input, v, _VIEW)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other._data.shape)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    d = input._data
    new = infer_view_shape(parse_shape(shape), d.size)
    if d.flags.c_contiguous:
        return _view(input, d.reshape(new), _VIEW)
    v = _try_view(d, new)
    if v is not None:
        return _view(input, v, _VIEW)
    c = clone(input)
    r = Tensor(c._data.reshape(new), input._dtype)
    if _gm.enabled and c._requires_grad:
        record1(r, RULES["unsafe_view"], c)
    return r


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
    d = input._data
    if d.ndim == 0:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, d.ndim)
    e = wrap_dim(end_dim, d.ndim)
    if s > e:
        raise TorchRuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in range(s, e + 1):
        n *= d.shape[k]
    return reshape(input, d.shape[:s] + (n,) + d.shape[e + 1 :])


def unflatten(input: Tensor, dim: builtins.int, sizes: Any) -> Tensor:
    d = input._data
    k = wrap_dim(dim, d.ndim)
    sizes = infer_view_shape(tuple(sizes), d.shape[k])
    return view(input, d.shape[:k] + tuple(sizes) + d.shape[k + 1 :])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    d = input._data
    if dim is None:
        new = tuple(s for s in d.shape if s != 1)
        return _view(input, d.reshape(new), RULES["squeeze"])
    if isinstance(dim, (tuple, list)):
        dims = wrap_dims(tuple(dim), d.ndim)
        new = tuple(s for k, s in enumerate(d.shape) if not (k in dims and s == 1))
        return _view(input, d.reshape(new), RULES["squeeze_dims"], dims)
    k = wrap_dim(dim, d.ndim)
    if d.ndim and d.shape[k] == 1:
        new = d.shape[:k] + d.shape[k + 1 :]
    else:
        new = d.shape
    return _view(input, d.reshape(new), RULES["squeeze_dim"], k)


def unsqueeze(input: Tensor, dim: builtins.int) -> Tensor:
    d = input._data
    k = wrap_dim(dim, d.ndim + 1)
    return _view(input, np.expand_dims(d, k), _UNSQUEEZE, k)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    d = input._data
    target = parse_shape(sizes)
    if len(target) < d.ndim:
        raise TorchRuntimeError(
            f"expand({input._dtype.tensor_type}{{{shape_list(d.shape)}}}, "
            f"size={shape_list(target)}): "
            "the number of sizes provided "
            f"({len(target)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({d.ndim})"
        )
    lead = len(target) - d.ndim
    out = []
    for k, s in enumerate(target):
        if k < lead:
            if s < 0:
                raise TorchRuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            out.append(s)
            continue
        have = d.shape[k - lead]
        if s == -1:
            out.append(have)
        elif have == 1 or have == s:
            out.append(s)
        else:
            raise TorchRuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) "
                f"at non-singleton dimension {k}.  Target sizes: {shape_list(target)}.  "
                f"Tensor sizes: {shape_list(d.shape)}"
            )
    return _view(input, np.broadcast_to(d, tuple(out)), RULES["expand"])


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return expand(input, size)


def transpose(input: Tensor, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    d = input._data
    a = wrap_dim(dim0, d.ndim)
    b = wrap_dim(dim1, d.ndim)
    return _view(input, np.swapaxes(d, a, b) if d.ndim else d.view(), RULES["transpose"], (a, b))


swapaxes = transpose
swapdims = transpose


def t(input: Tensor) -> Tensor:
    d = input._data
    if d.ndim > 2:
        raise TorchRuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {d.ndim}D")
    return _view(input, d.T, RULES["t"])


def permute(input: Tensor, *dims: Any) -> Tensor:
    d = input._data
    dims = parse_shape(dims)
    if len(dims) != d.ndim:
        raise TorchRuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {d.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    perm = tuple(wrap_dim(k, d.ndim) for k in dims)
    if len(set(perm)) != len(perm):
        raise TorchRuntimeError("permute(): duplicate dims are not allowed.")
    return _view(input, np.transpose(d, perm), RULES["permute"], perm)


def T_property(input: Tensor) -> Tensor:
    d = input._data
    if d.ndim != 2:
        _warnings.warn(T_WARNING + _warnings.triggered("aten/src/ATen/native/TensorShape.cpp:4314"))
    return permute(input, tuple(range(d.ndim - 1, -1, -1)))


def mT_property(input: Tensor) -> Tensor:
    d = input._data
    if d.ndim < 2:
        raise TorchRuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {d.ndim}-D tensor."
        )
    return transpose(input, -2, -1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    d = input._data
    src = wrap_dims(source, d.ndim)
    dst = wrap_dims(destination, d.ndim)
    if len(src) != len(dst):
        raise TorchRuntimeError(
            f"movedim: Invalid source or destination dims: source ({shape_list(src)} dims) "
            f"should contain the same number of dims as destination ({shape_list(dst)} dims)"
        )
    order = [k for k in range(d.ndim) if k not in src]
    final = [-1] * d.ndim
    for s_, t_ in zip(src, dst):
        final[t_] = s_
    rest = iter(order)
    for k in range(d.ndim):
        if final[k] == -1:
            final[k] = next(rest)
    return permute(input, tuple(final))


moveaxis = movedim


def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return _copy_op(input, np.array(input._data, copy=True, order="C"), RULES["clone"])


def alias(input: Tensor) -> Tensor:
    return _view(input, input._data.view(), RULES["alias"])


# ----------------------------------------------------------------------------- dtype
def to(
    input: Tensor,
    *args: Any,
    dtype: Any = None,
    device: Any = None,
    copy: builtins.bool = False,
    non_blocking: builtins.bool = False,
) -> Tensor:
    target = resolve_dtype(dtype) if dtype is not None else None
    for a in args:
        if isinstance(a, _dt.DType):
            target = a
        elif isinstance(a, Tensor):
            target = a._dtype
        elif isinstance(a, str) and a.startswith(("cpu",)):
            continue
        elif hasattr(a, "type") and str(a) == "cpu":
            continue
        elif isinstance(a, str):
            if a.startswith("cuda"):
                from gradlang.autograd.errors import TorchAssertionError

                raise TorchAssertionError("Torch not compiled with CUDA enabled")
            raise TorchRuntimeError(
                f"Expected one of cpu, cuda, ... device type at start of device string: {a}"
            )
    if target is None or (target is input._dtype and not copy):
        return input
    data = input._data.astype(target.np)
    r = Tensor(data, target)
    if _gm.enabled and input._requires_grad and target.is_floating_point:
        record1(r, RULES["to_copy"], input)
    return r


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return to(input, other._dtype)


def float(input: Tensor) -> Tensor:  # noqa: A001
    return to(input, _dt.float32)


def double(input: Tensor) -> Tensor:
    return to(input, _dt.float64)


def half(input: Tensor) -> Tensor:
    return to(input, _dt.float16)


def long(input: Tensor) -> Tensor:
    return to(input, _dt.int64)


def int(input: Tensor) -> Tensor:  # noqa: A001
    return to(input, _dt.int32)


def bool(input: Tensor) -> Tensor:  # noqa: A001
    return to(input, _dt.bool_)


def type(input: Tensor, dtype: Any = None) -> Any:  # noqa: A001
    if dtype is None:
        return input._dtype.tensor_type
    if isinstance(dtype, str):
        for d in _dt.ALL:
            if d.tensor_type == dtype:
                return to(input, d)
    return to(input, resolve_dtype(dtype))


def cpu(input: Tensor) -> Tensor:
    return input


# ----------------------------------------------------------------------------- indexing
def _check_index(i: builtins.int, size: builtins.int, dim: builtins.int) -> builtins.int:
    if i < -size or i >= size:
        raise TorchIndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
    return i + size if i < 0 else i


def select(input: Tensor, dim: builtins.int, index: Any) -> Tensor:
    d = input._data
    if d.ndim == 0:
        raise TorchIndexError("select() cannot be applied to a 0-dim tensor.")
    k = wrap_dim(dim, d.ndim)
    index = builtins.int(index)
    i = _check_index(index, d.shape[k], k)
    key: tuple[Any, ...] = (slice(None),) * k + (i, Ellipsis)
    return _view(input, d[key], _SELECT, key)


def _slice(input: Tensor, dim: builtins.int, start: Any, stop: Any, step: Any) -> Tensor:
    d = input._data
    if step is not None and step <= 0:
        raise TorchValueError("step must be greater than zero")
    key = (slice(None),) * dim + (slice(start, stop, step),)
    return _view(input, d[key], _SLICE, key)


def narrow(input: Tensor, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
    d = input._data
    k = wrap_dim(dim, d.ndim)
    start = builtins.int(start)
    size = d.shape[k]
    if start < -size or start > size:
        raise TorchIndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise TorchRuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    return _slice(input, k, start, start + length, 1)


def _normalize_key(key: Any) -> tuple:
    if not isinstance(key, tuple):
        key = (key,)
    out: list[Any] = []
    for k in key:
        if isinstance(k, Tensor):
            if k._dtype is _dt.bool_ or k._dtype is _dt.uint8:
                out.append(k._data.astype(np.bool_))
            elif k._dtype.is_floating_point:
                raise TorchIndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            elif k._data.ndim == 0:
                out.append(builtins.int(k._data.item()))
            else:
                out.append(k._data.astype(np.int64))
        elif isinstance(k, (list, np.ndarray)):
            arr = np.asarray(k)
            if arr.dtype.kind == "f":
                raise TorchIndexError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            if arr.dtype == object:
                raise TorchIndexError("too many indices for tensor")
            if arr.size == 0:
                arr = arr.astype(np.int64)
            out.append(arr)
        elif k is None or k is Ellipsis or isinstance(k, slice):
            out.append(k)
        elif isinstance(k, builtins.bool):
            out.append(np.asarray(k))
        elif isinstance(k, (builtins.int, np.integer)):
            out.append(builtins.int(k))
        elif isinstance(k, str):
            raise TorchTypeError("new(): invalid data type 'str'")
        else:
            raise TorchIndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                "are valid indices (got " + builtins.type(k).__name__ + ")"
            )
    return tuple(out)


def _consumed(k: Any) -> builtins.int:
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, np.ndarray) and k.dtype == np.bool_:
        return k.ndim
    return 1


def index(input: Tensor, key: Any) -> Tensor:
    """`input[key]`: basic items become view ops one by one (as PyTorch), tensors one index."""
    cls = key.__class__
    d = input._data
    if cls is builtins.int and d.ndim:
        size = d.shape[0]
        if key < -size or key >= size:
            raise TorchIndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        if key < 0:
            key += size
        return _view(input, d[key, ...], _SELECT, (key,))
    if cls is slice and d.ndim and (key.step is None or key.step > 0):
        return _view(input, d[key], _SLICE, (key,))
    bare_slice = isinstance(key, slice)
    items = _normalize_key(key)
    d = input._data
    used = builtins.sum(_consumed(k) for k in items)
    if used > d.ndim:
        if d.ndim == 0:
            raise TorchIndexError(ZERO_DIM_INDEX)
        raise TorchIndexError(f"too many indices for tensor of dimension {d.ndim}")
    if builtins.sum(1 for k in items if k is Ellipsis) > 1:
        raise TorchIndexError("an index can only have a single ellipsis ('...')")
    result_t = input
    dim = 0
    advanced: list[tuple[builtins.int, np.ndarray]] = []
    did_op = False
    for k in items:
        if k is Ellipsis:
            dim += d.ndim - used
        elif k is None:
            result_t = unsqueeze(result_t, dim)
            dim += 1
            did_op = True
        elif isinstance(k, builtins.int):
            result_t = select(result_t, dim, k)
            did_op = True
        elif isinstance(k, slice):
            size = result_t._data.shape[dim]
            if k.step is not None and k.step <= 0:
                raise TorchValueError("step must be greater than zero")
            start, stop, step = k.indices(size)
            full = start == 0 and stop >= size and step == 1
            if bare_slice or not full:
                result_t = _slice(result_t, dim, k.start, k.stop, k.step)
                did_op = True
            dim += 1
        else:
            if k.ndim == 0 and k.dtype == np.bool_:
                result_t = unsqueeze(result_t, dim)
                advanced.append((dim, k.reshape(1)))
                dim += 1
                continue
            advanced.append((dim, k))
            dim += _consumed(k)
    if advanced:
        return _advanced(result_t, advanced)
    if not did_op:
        return alias(input)
    return result_t


def _advanced(x: Tensor, advanced: list[tuple[builtins.int, np.ndarray]]) -> Tensor:
    d = x._data
    key: list[Any] = []
    pos = 0
    for dim, arr in advanced:
        while pos < dim:
            key.append(slice(None))
            pos += 1
        if arr.dtype == np.bool_:
            want = d.shape[dim : dim + arr.ndim]
            if arr.shape != want:
                for j, (m, s) in enumerate(zip(arr.shape, want)):
                    if m != s:
                        raise TorchIndexError(
                            f"The shape of the mask {shape_list(arr.shape)} at index {j} does "
                            f"not match the shape of the indexed tensor {shape_list(d.shape)} at "
                            f"index {dim + j}"
                        )
            pos += arr.ndim
        else:
            size = d.shape[dim]
            bad = arr[(arr >= size) | (arr < -size)]
            if bad.size:
                raise TorchIndexError(
                    f"index {builtins.int(bad.reshape(-1)[0])} is out of bounds for dimension "
                    f"{dim} with size {size}"
                )
            pos += 1
        key.append(arr)
    tkey = tuple(key)
    try:
        out = d[tkey]
    except IndexError as error:
        raise TorchIndexError(
            "shape mismatch: indexing tensors could not be broadcast together"
        ) from error
    r = Tensor(np.ascontiguousarray(out), x._dtype)
    if _gm.enabled and x._requires_grad:
        record1(r, _INDEX, x, tkey)
    return r


def index_backward(g: Tensor, shape: tuple[builtins.int, ...], key: Any) -> Tensor:
    """Zeros of `shape` with `g` added at `key` (duplicates accumulate); differentiable."""
    out = np.zeros(shape, g._data.dtype)
    if isinstance(key, tuple) and builtins.any(isinstance(k, np.ndarray) for k in key):
        np.add.at(out, key, g._data)
    else:
        out[key] = g._data
    r = Tensor(out, g._dtype)
    if _gm.enabled and g._requires_grad:
        record1(r, RULES["index_backward"], g, (shape, key))
    return r


def zero_at(g: Tensor, key: Any) -> Tensor:
    mask = np.ones(g._data.shape, g._data.dtype)
    mask[key] = 0
    from gradlang.autograd.ops_math import mul

    return mul(g, Tensor(mask, g._dtype))


def setitem(input: Tensor, key: Any, value: Any) -> None:
    """`input[key] = value`, in place: bumps the version; records CopySlices when needed."""
    from gradlang.autograd.inplace import check_inplace

    check_inplace(input, view=True)
    items = _normalize_key(key)
    d = input._data
    used = builtins.sum(_consumed(k) for k in items)
    if used > d.ndim:
        raise TorchIndexError(f"too many indices for tensor of dimension {d.ndim}")
    dim = 0
    for k in items:
        if k is Ellipsis:
            dim += d.ndim - used
        elif isinstance(k, builtins.int) and not isinstance(k, builtins.bool):
            _check_index(k, d.shape[dim], dim)
            dim += 1
        elif isinstance(k, np.ndarray) and k.dtype != np.bool_:
            size = d.shape[dim]
            bad = k[(k >= size) | (k < -size)]
            if bad.size:
                raise TorchIndexError(
                    f"index {builtins.int(bad.reshape(-1)[0])} is out of bounds for dimension "
                    f"{dim} with size {size}"
                )
            dim += 1
        elif k is not None:
            dim += _consumed(k)
    vdata: np.ndarray | builtins.int | builtins.float
    if isinstance(value, Tensor):
        vdata = value._data
    elif isinstance(value, (builtins.int, builtins.float, builtins.bool)):
        vdata = value
    else:
        raise TorchTypeError(
            f"can't assign a {builtins.type(value).__name__} to a {input._dtype.tensor_type}"
        )
    target_shape = d[items].shape
    advanced = builtins.any(isinstance(k, np.ndarray) for k in items)
    if isinstance(vdata, np.ndarray) and not advanced and vdata.shape != target_shape:
        expand(Tensor(vdata, value._dtype), target_shape)  # PyTorch's expand error, if any
    if isinstance(vdata, np.ndarray):
        try:
            np.broadcast_shapes(vdata.shape, target_shape)
            if len(vdata.shape) > len(target_shape):
                np.broadcast_to(vdata, target_shape)
        except ValueError:
            raise TorchRuntimeError(
                f"shape mismatch: value tensor of shape {shape_list(vdata.shape)} cannot be "
                f"broadcast to indexing result of shape {shape_list(target_shape)}"
            ) from None
    if not d.flags.writeable:
        raise TorchRuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    grad = _gm.enabled and (
        input._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    )
    if grad:
        r = Tensor(d, input._dtype)
        record(r, RULES["copy_slices"], (input, value), items)
    with np.errstate(all="ignore"):
        d[items] = vdata
    input._bump_version()
    if grad:
        from gradlang.autograd.inplace import adopt, rebase_view

        adopt(input, r)
        rebase_view(input)


def nonzero(input: Tensor, *, as_tuple: builtins.bool = False) -> Any:
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(Tensor(i.astype(np.int64), _dt.int64) for i in idx)
    return Tensor(np.stack(idx, axis=-1).astype(np.int64).reshape(-1, input._data.ndim), _dt.int64)


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


# ----------------------------------------------------------------------------- join / split
def _tensor_list(tensors: Any, name: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TorchTypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{builtins.type(tensors).__name__}"
        )
    for k, t_ in enumerate(tensors):
        if not isinstance(t_, Tensor):
            raise TorchTypeError(
                f"expected Tensor as element {k} in argument 0, but got "
                f"{builtins.type(t_).__name__}"
            )
    return list(tensors)


def _common_dtype(tensors: list[Tensor]) -> _dt.DType:
    dt = tensors[0]._dtype
    for t_ in tensors[1:]:
        dt = _dt.promote(dt, t_._dtype)
    return dt


def cat(tensors: Any, dim: builtins.int = 0, *, out: Any = None) -> Tensor:
    ts = _tensor_list(tensors, "cat")
    if not ts:
        raise TorchValueError("torch.cat(): expected a non-empty list of Tensors")
    live = [t_ for t_ in ts if not (t_._data.ndim == 1 and t_._data.size == 0)]
    live_ids = {id(t_) for t_ in live}
    ref = live[0] if live else ts[0]
    if ref._data.ndim == 0:
        raise TorchRuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    k = wrap_dim(dim, ref._data.ndim)
    for n, t_ in enumerate(ts):
        if t_._data.ndim == 0:
            raise TorchRuntimeError(
                f"zero-dimensional tensor (at position {n}) cannot be concatenated"
            )
        if id(t_) in live_ids and t_._data.ndim != ref._data.ndim:
            raise TorchRuntimeError(
                f"Tensors must have same number of dimensions: got {ref._data.ndim} and "
                f"{t_._data.ndim}"
            )
        if id(t_) in live_ids:
            for j, (a, b) in enumerate(zip(ref._data.shape, t_._data.shape)):
                if j != k and a != b:
                    raise TorchRuntimeError(
                        f"Sizes of tensors must match except in dimension {k}. Expected size "
                        f"{a} but got size {b} for tensor number {n} in the list."
                    )
    dt = _common_dtype(ts)
    datas = [t_._data.astype(dt.np, copy=False) for t_ in live] or [ts[0]._data.astype(dt.np)]
    r = Tensor(np.concatenate(datas, axis=k), dt)
    if _gm.enabled and needs_grad(tuple(ts)):
        offsets = []
        off = 0
        for t_ in ts:
            offsets.append(off)
            if id(t_) in live_ids:
                off += t_._data.shape[k]
        record(r, RULES["cat"], tuple(ts), (k, offsets))
    return r


concat = cat
concatenate = cat


def stack(tensors: Any, dim: builtins.int = 0, *, out: Any = None) -> Tensor:
    ts = _tensor_list(tensors, "stack")
    if not ts:
        raise TorchRuntimeError("stack expects a non-empty TensorList")
    shape0 = ts[0]._data.shape
    for n, t_ in enumerate(ts):
        if t_._data.shape != shape0:
            raise TorchRuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_list(shape0)} at "
                f"entry 0 and {shape_list(t_._data.shape)} at entry {n}"
            )
    k = wrap_dim(dim, len(shape0) + 1)
    dt = _common_dtype(ts)
    r = Tensor(np.stack([t_._data.astype(dt.np, copy=False) for t_ in ts], axis=k), dt)
    if _gm.enabled and needs_grad(tuple(ts)):
        record(r, RULES["stack"], tuple(ts), k)
    return r


def hstack(tensors: Any) -> Tensor:
    ts = _tensor_list(tensors, "hstack")
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    ts = [
        t_ if t_._data.ndim >= 2 else reshape(t_, (1, -1)) for t_ in _tensor_list(tensors, "vstack")
    ]
    return cat(ts, 0)


def _piece(
    x: Tensor, k: builtins.int, start: builtins.int, stop: builtins.int, rule_name: str
) -> Tensor:
    key = (slice(None),) * k + (slice(start, stop),)
    return _view(x, x._data[key], RULES[rule_name], key)


def split(tensor: Tensor, split_size_or_sections: Any, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    d = tensor._data
    k = wrap_dim(dim, d.ndim)
    size = d.shape[k]
    if isinstance(split_size_or_sections, (list, tuple)):
        sections = list(split_size_or_sections)
        if builtins.sum(sections) != size:
            raise TorchRuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {k}), but got split_sizes={shape_list(sections)}"
            )
        out = []
        start = 0
        for s in sections:
            out.append(_piece(tensor, k, start, start + s, "split_with_sizes"))
            start += s
        return tuple(out)
    step = builtins.int(split_size_or_sections)
    if step <= 0 and size > 0:
        raise TorchRuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    out = []
    for start in range(0, builtins.max(size, 1), builtins.max(step, 1)):
        out.append(_piece(tensor, k, start, builtins.min(start + step, size), "split"))
        if size == 0:
            break
    return tuple(out)


def chunk(input: Tensor, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise TorchRuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = input._data
    k = wrap_dim(dim, d.ndim)
    size = d.shape[k]
    step = -(-size // chunks) if size else 1
    return split(input, step, k)


def unbind(input: Tensor, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    d = input._data
    if d.ndim == 0:
        raise TorchIndexError("Dimension specified as 0 but tensor has no dimensions")
    k = wrap_dim(dim, d.ndim)
    out = []
    for i in range(d.shape[k]):
        key: tuple[Any, ...] = (slice(None),) * k + (i, Ellipsis)
        out.append(_view(input, d[key], RULES["unbind"], key))
    return tuple(out)


def tile(input: Tensor, *dims: Any) -> Tensor:
    """`repeat` with `dims` padded with leading 1s to the input's rank (RepeatBackward0)."""
    reps = list(dims[0]) if len(dims) == 1 and isinstance(dims[0], (list, tuple)) else list(dims)
    reps = [1] * (input._data.ndim - len(reps)) + reps
    return repeat(input, *reps)


def _atleast(input: Any, n: builtins.int) -> Any:
    if isinstance(input, (list, tuple)):
        return tuple(_atleast(t, n) for t in input)
    d = input._data.ndim
    if d >= n:
        return input
    if d == 0:
        return reshape(input, (1,) * n)
    if n == 2 or d == 2:
        return unsqueeze(input, 0) if n == 2 else unsqueeze(input, -1)
    return unsqueeze(unsqueeze(input, 0), -1)


def atleast_1d(*tensors: Any) -> Any:
    return _atleast(tensors[0] if len(tensors) == 1 else tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    return _atleast(tensors[0] if len(tensors) == 1 else tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    return _atleast(tensors[0] if len(tensors) == 1 else tensors, 3)


def column_stack(tensors: Any) -> Tensor:
    """Columns side by side: 0-d and 1-d tensors become (n, 1) columns (ViewBackward0)."""
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    d = input._data
    reps = parse_shape(sizes)
    if len(reps) < d.ndim:
        raise TorchRuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    r = Tensor(np.tile(d, reps), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["repeat"], input, reps)
    return r


def _repeat_indices(repeats: Tensor, output_size: Any = None) -> Tensor:
    """`torch.repeat_interleave(repeats)`: each index k repeated repeats[k] times."""
    if repeats._data.ndim != 1:
        raise TorchRuntimeError("repeat_interleave only accept 1D vector as repeat")
    if repeats._dtype.category != 1 or repeats._dtype is _dt.bool_:
        raise TorchNotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{repeats._dtype.short}'"
        )
    counts = repeats._data.astype(np.int64)
    if counts.size and counts.min() < 0:
        raise TorchRuntimeError("repeats can not be negative")
    total = builtins.int(counts.sum())
    if output_size is not None and output_size != total:
        raise TorchRuntimeError("allocated size does not match required size")
    out = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return Tensor(out.astype(repeats._data.dtype), repeats._dtype)


_RI_FUNCTION = (
    " * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n"
    " * (Tensor repeats, *, int output_size = None)\n"
    " * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n"
)
_RI_METHOD = (
    " * (Tensor repeats, int dim = None, *, int output_size = None)\n"
    " * (int repeats, int dim = None, *, int output_size = None)\n"
)


def repeat_interleave(
    input: Tensor,
    repeats: Any = None,
    dim: builtins.int | None = None,
    *,
    output_size: builtins.int | None = None,
) -> Tensor:
    """PyTorch's composite: an int repeat is unsqueeze, expand, clone and a flattening view;
    a tensor of repeats is an index_select (after flattening when dim is None)."""
    return _repeat_interleave(input, repeats, dim, output_size, False)


def repeat_interleave_method(
    self: Tensor,
    repeats: Any,
    dim: builtins.int | None = None,
    *,
    output_size: builtins.int | None = None,
) -> Tensor:
    """`Tensor.repeat_interleave` (torch's method overloads name no input)."""
    return _repeat_interleave(self, repeats, dim, output_size, True)


def _repeat_interleave(
    input: Tensor, repeats: Any, dim: Any, output_size: Any, method: builtins.bool
) -> Tensor:
    if repeats is None:  # torch.repeat_interleave(repeats)
        if input.__class__ is not Tensor:
            raise TorchTypeError(
                "repeat_interleave(): argument 'repeats' (position 1) must be Tensor, not "
                f"{builtins.type(input).__name__}"
            )
        return _repeat_indices(input, output_size)
    if repeats.__class__ is Tensor:
        x = input if dim is not None else flatten(input)
        k = dim if dim is not None else 0
        rd = repeats._data
        size = x._data.shape[wrap_dim(k, x._data.ndim)]
        if rd.ndim == 0 or (rd.ndim == 1 and rd.shape[0] == 1):
            reps = expand(reshape(repeats, (1,)), (size,))
        elif rd.ndim == 1:
            if rd.shape[0] != size:
                raise TorchRuntimeError(
                    "repeats must have the same size as input along dim, but got "
                    f"repeats.size(0) = {rd.shape[0]} and input.size({k}) = {size}"
                )
            reps = repeats
        else:
            raise TorchRuntimeError("repeats must be 0-dim or 1-dim tensor")
        return index_select(x, k, _repeat_indices(reps, output_size))
    if repeats.__class__ is not builtins.int:
        name = builtins.type(repeats).__name__
        got = name if method else f"Tensor, {name}"
        if dim is not None:
            got += ", dim=int"
        raise TorchTypeError(
            "repeat_interleave() received an invalid combination of arguments - got "
            f"({got}), but expected one of:\n" + (_RI_METHOD if method else _RI_FUNCTION)
        )
    x = input if dim is not None else flatten(input)
    k = wrap_dim(dim if dim is not None else 0, input._data.ndim)
    if repeats < 0:
        raise TorchRuntimeError("Repeats must be non-negative")
    x = unsqueeze(x, k + 1)
    shape = list(x._data.shape)
    shape[k + 1] = repeats
    x = expand(x, tuple(shape))
    if output_size is not None and output_size != repeats * shape[k]:
        raise TorchRuntimeError(
            f"repeat_interleave: Invalid output_size, expected {repeats * shape[k]} but got "
            f"{output_size}"
        )
    return flatten(clone(x), k, k + 1)


def repeat_backward(
    g: Tensor, shape: tuple[builtins.int, ...], reps: tuple[builtins.int, ...]
) -> Tensor:
    lead = len(reps) - len(shape)
    full = (1,) * lead + tuple(shape)
    inter: list[builtins.int] = []
    for r_, s in zip(reps, full):
        inter.extend((r_, s))
    summed = reshape(g, tuple(inter)).sum(tuple(range(0, 2 * len(full), 2)))
    return reshape(summed, shape)


def flip(input: Tensor, *dims: Any) -> Tensor:
    d = input._data
    ds = wrap_dims(parse_shape(dims), d.ndim)
    r = Tensor(np.flip(d, ds).copy() if ds else d.copy(), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["flip"], input, ds)
    return r


def fliplr(input: Tensor) -> Tensor:
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    return flip(input, 0)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    d = input._data
    if isinstance(shifts, builtins.int):
        shifts = (shifts,)
    if dims is None:
        r = Tensor(np.roll(d.reshape(-1), shifts).reshape(d.shape), input._dtype)
        ds: tuple[builtins.int, ...] | None = None
    else:
        ds = wrap_dims(dims, d.ndim)
        r = Tensor(np.roll(d, tuple(shifts), ds), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["roll"], input, (tuple(shifts), ds))
    return r


def _index_arg(index: Any, name: str) -> np.ndarray:
    if isinstance(index, Tensor):
        if index._dtype.category != 1:
            raise TorchRuntimeError(f"{name}(): Expected dtype int64 for index")
        return index._data.astype(np.int64)
    return np.asarray(index, np.int64)


def index_select(input: Tensor, dim: builtins.int, index: Any) -> Tensor:
    d = input._data
    k = wrap_dim(dim, d.ndim)
    idx = _index_arg(index, "index_select").reshape(-1)
    size = d.shape[k] if d.ndim else 1
    bad = idx[(idx >= size) | (idx < -size)]
    if bad.size:
        raise TorchIndexError("index out of range in self")
    r = Tensor(np.take(d, idx, axis=k) if d.ndim else d.copy(), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["index_select"], input, (k, Tensor(idx, _dt.int64)))
    return r


def index_add(
    input: Tensor, dim: builtins.int, index: Tensor, source: Tensor, *, alpha: Any = 1
) -> Tensor:
    d = input._data.copy()
    k = wrap_dim(dim, d.ndim)
    idx = _index_arg(index, "index_add").reshape(-1)
    src = source._data if alpha == 1 else source._data * alpha
    moved = np.moveaxis(d, k, 0)
    np.add.at(moved, idx, np.moveaxis(src.astype(d.dtype), k, 0))
    r = Tensor(d, input._dtype)
    if _gm.enabled and needs_grad((input, source)):
        record(r, RULES["index_add"], (input, source), (k, index))
    return r


def gather(input: Tensor, dim: builtins.int, index: Tensor, *, sparse_grad: Any = False) -> Tensor:
    d = input._data
    k = wrap_dim(dim, d.ndim)
    idx = _index_arg(index, "gather")
    if idx.ndim != d.ndim:
        raise TorchRuntimeError(
            "Index tensor must have the same number of dimensions as input tensor"
        )
    size = d.shape[k] if d.ndim else 1
    if ((idx >= size) | (idx < -size)).any():
        bad = builtins.int(idx[(idx >= size) | (idx < -size)].reshape(-1)[0])
        raise TorchRuntimeError(f"index {bad} is out of bounds for dimension {k} with size {size}")
    r = Tensor(np.take_along_axis(d, idx, k) if d.ndim else d.copy(), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["gather"], input, (k, Tensor(idx, _dt.int64)))
    return r


def scatter(
    input: Tensor,
    dim: builtins.int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: Any = None,
) -> Tensor:
    if src is None:
        src = value
    d = input._data.copy()
    k = wrap_dim(dim, d.ndim)
    idx = _index_arg(index, "scatter")
    if isinstance(src, Tensor):
        s = src._data[tuple(slice(0, n) for n in idx.shape)]
        np.put_along_axis(d, idx, s.astype(d.dtype), k)
    else:
        np.put_along_axis(d, idx, src, k)
    r = Tensor(d, input._dtype)
    ins = (input, src) if isinstance(src, Tensor) else (input,)
    if _gm.enabled and needs_grad(ins):
        record(r, RULES["scatter"], ins, (k, Tensor(idx, _dt.int64)))
    return r


def scatter_add(input: Tensor, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
    d = input._data.copy()
    k = wrap_dim(dim, d.ndim)
    idx = _index_arg(index, "scatter_add")
    s = src._data[tuple(slice(0, n) for n in idx.shape)].astype(d.dtype)
    grids = np.indices(idx.shape)
    full = tuple(idx if j == k else grids[j] for j in range(d.ndim))
    np.add.at(d, full, s)
    r = Tensor(d, input._dtype)
    if _gm.enabled and needs_grad((input, src)):
        record(r, RULES["scatter_add"], (input, src), (k, Tensor(idx, _dt.int64)))
    return r


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    if not isinstance(mask, Tensor) or mask._dtype is not _dt.bool_:
        raise TorchRuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{C10_NAMES.get(getattr(getattr(mask, '_dtype', None), 'name', ''), '?')}"
        )
    if isinstance(value, Tensor):
        value = value._data.item()
    try:
        m = np.broadcast_to(mask._data, input._data.shape)
    except ValueError:
        from gradlang.autograd.dispatch import broadcast_error

        raise broadcast_error(input._data, mask._data) from None
    r = Tensor(np.where(m, input._dtype.np.type(value), input._data), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["masked_fill"], input, mask)
    return r


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    m = np.broadcast_to(mask._data, input._data.shape)
    r = Tensor(input._data[m], input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["masked_select"], input, m)
    return r


def tril(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    r = Tensor(np.tril(input._data, diagonal), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["tril"], input, diagonal)
    return r


def triu(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    r = Tensor(np.triu(input._data, diagonal), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["triu"], input, diagonal)
    return r


def diag(input: Tensor, diagonal: builtins.int = 0) -> Tensor:
    d = input._data
    if d.ndim not in (1, 2):
        raise TorchRuntimeError(f"diag(): Supports 1D or 2D tensors. Got {d.ndim}D")
    r = Tensor(np.array(np.diag(d, diagonal)), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["diag"], input, diagonal)
    return r


def diag_backward(g: Tensor, shape: tuple[builtins.int, ...], diagonal: builtins.int) -> Tensor:
    if len(shape) == 1:
        return diag(g, diagonal)
    rows, cols = np.nonzero(np.eye(shape[0], shape[1], diagonal, dtype=np.bool_))
    return index_backward(g, shape, (rows, cols))


def diagonal(
    input: Tensor, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
) -> Tensor:
    if input._data.ndim == 2 and (dim1, dim2) in ((0, 1), (-2, -1)):
        return diag(input, offset)
    raise TorchRuntimeError("diagonal() is supported for matrices only")


def diag_embed(input: Tensor) -> Tensor:
    return diag(input)
