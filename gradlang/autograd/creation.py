"""Tensor creation: `tensor`, the legacy `Tensor(data)`, factories, `*_like`, random tensors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError, TorchValueError
from gradlang.autograd.shapes import parse_shape
from gradlang.autograd.tensor import Tensor

REQUIRES_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"
COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor("
    "sourceTensor)."
)


def resolve_dtype(dtype: Any) -> _dt.DType | None:
    """A dtype argument: a DType, None, or (leniently) a name such as 'float32'."""
    if dtype is None or isinstance(dtype, _dt.DType):
        return dtype
    if isinstance(dtype, str):
        name = dtype.removeprefix("torch.")
        found = _dt.BY_NAME.get(name) or _dt.ALIASES.get(name)
        if found is not None:
            return found
    if dtype is float:
        return _dt.float64
    if dtype is int:
        return _dt.int64
    if dtype is bool:
        return _dt.bool_
    raise TorchTypeError(f"dtype must be torch.dtype, not {type(dtype).__name__}")


def finish(t: Tensor, requires_grad: bool) -> Tensor:
    """Apply a factory's `requires_grad=` (allowed even under no_grad)."""
    if requires_grad:
        if not t._dtype.is_floating_point:
            raise TorchRuntimeError(REQUIRES_GRAD_DTYPE)
        t._requires_grad = True
    return t


def _infer(data: Any, depth: int, shape: list[int], kinds: set[str]) -> None:
    if isinstance(data, Tensor):
        if data._data.ndim == 0 or depth == len(shape):
            kinds.add(
                "f" if data._dtype.is_floating_point else ("b" if data._dtype is _dt.bool_ else "i")
            )
            if data._data.ndim:
                sub = list(data._data.shape)
                if len(shape) == depth:
                    shape.extend(sub)
            return
    if isinstance(data, (list, tuple)) or (isinstance(data, Tensor) and data._data.ndim):
        n = len(data)
        if depth == len(shape):
            shape.append(n)
        elif shape[depth] != n:
            raise TorchValueError(
                f"expected sequence of length {shape[depth]} at dim {depth} (got {n})"
            )
        for item in data:
            _infer(item, depth + 1, shape, kinds)
        return
    if depth < len(shape):
        raise TorchTypeError("not a sequence")
    if isinstance(data, bool) or isinstance(data, np.bool_):
        kinds.add("b")
    elif isinstance(data, (int, np.integer)):
        kinds.add("i")
    elif isinstance(data, (float, np.floating)):
        kinds.add("f")
    else:
        raise TorchTypeError(f"new(): invalid data type '{type(data).__name__}'")


def _flatten(data: Any, out: list[Any]) -> None:
    if isinstance(data, Tensor):
        out.extend(data._data.reshape(-1).tolist())
    elif isinstance(data, (list, tuple)):
        for item in data:
            _flatten(item, out)
    else:
        out.append(data)


_PLAIN = (float, int, bool)


def _simple_rows(data: Any) -> tuple[set[type], Any] | None:
    """(element kinds, data) when data is a non-empty flat list of Python numbers, or a list of
    equally long such lists; None otherwise (the general path infers and checks)."""
    if data.__class__ is not list or not data:
        return None
    first = data[0]
    if first.__class__ is list:
        n = len(first)
        if n == 0:
            return None
        kinds: set[type] = set()
        for row in data:
            if row.__class__ is not list or len(row) != n:
                return None
            for v in row:
                kinds.add(v.__class__)
    else:
        kinds = {v.__class__ for v in data}
    if not kinds <= set(_PLAIN) or (bool in kinds and len(kinds) > 1):
        return None
    return kinds, data


def to_array(data: Any, dtype: _dt.DType | None) -> tuple[np.ndarray, _dt.DType]:
    """Nested Python data as an array of the inferred (or given) dtype."""
    simple = _simple_rows(data)
    if simple is not None:
        plain_kinds, rows = simple
        inferred = (
            _dt.DEFAULT_FLOAT
            if float in plain_kinds
            else _dt.int64
            if int in plain_kinds
            else _dt.bool_
        )
        dt = dtype or inferred
        if dt.category == 1 and float in plain_kinds:
            pass  # the general path checks nan/inf for integer targets
        else:
            return np.array(rows, dtype=dt.np), dt
    if isinstance(data, np.ndarray):
        dt = dtype or _dt.from_numpy(data.dtype)
        return np.array(data, dtype=dt.np), dt
    shape: list[int] = []
    kinds: set[str] = set()
    _infer(data, 0, shape, kinds)
    if dtype is None:
        dtype = (
            _dt.DEFAULT_FLOAT
            if "f" in kinds
            else _dt.int64
            if "i" in kinds
            else _dt.bool_
            if "b" in kinds
            else _dt.DEFAULT_FLOAT
        )
    flat: list[Any] = []
    _flatten(data, flat)
    if dtype.category == 1:
        info = np.iinfo(dtype.np)
        for v in flat:
            if isinstance(v, float) and not (info.min <= v <= info.max):  # nan fails too
                raise TorchRuntimeError(
                    f"value cannot be converted to type {dtype.name} without overflow"
                )
    try:
        arr = np.array(flat, dtype=np.float64 if dtype.category == 2 else None)
        arr = arr.astype(dtype.np) if arr.size else np.zeros(0, dtype.np)
    except OverflowError:
        raise TorchRuntimeError("Overflow when unpacking long") from None
    return arr.reshape(shape), dtype


def tensor(
    data: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """`torch.tensor(data)`: a new leaf holding a copy of `data`."""
    if isinstance(data, Tensor):
        _warnings.warn(COPY_WARNING)
        dt = resolve_dtype(dtype) or data._dtype
        return finish(Tensor(data._data.astype(dt.np, copy=True), dt), requires_grad)
    if isinstance(data, str):
        raise TorchTypeError("new(): invalid data type 'str'")
    arr, dt = to_array(data, resolve_dtype(dtype))
    return finish(Tensor(arr, dt), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor):
        dt = resolve_dtype(dtype)
        if dt is None or dt is data._dtype:
            return data
        from gradlang.autograd.ops_shape import to

        return to(data, dt)
    return tensor(data, dtype=dtype)


def legacy_tensor(*args: Any) -> Tensor:
    """The legacy constructor `torch.Tensor(data)` / `torch.Tensor(2, 3)`: always float32."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, Tensor)):
        data = args[0]
        if isinstance(data, Tensor):
            return data  # `torch.Tensor(t)` is `t` itself, whatever its dtype
        arr, dt = to_array(data, _dt.float32)
        return Tensor(arr, dt)
    shape = parse_shape(args)
    return Tensor(np.zeros(shape, np.float32), _dt.float32)


_OPTIONS_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}


def _options(dtype: _dt.DType) -> str:
    name = _OPTIONS_NAMES.get(dtype.name, dtype.name)
    return (
        f"TensorOptions(dtype={name}, device=cpu, layout=Strided, requires_grad=false "
        "(default), pinned_memory=false (default), memory_format=(nullopt))"
    )


def legacy_typed(dtype: _dt.DType) -> Callable[..., Tensor]:
    """`torch.FloatTensor`, `torch.LongTensor`, ...: the legacy constructor of one dtype."""

    def make(*args: Any) -> Tensor:
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0]._dtype is not dtype:
                raise TorchTypeError(f"expected {_options(dtype)} (got {_options(args[0]._dtype)})")
            return args[0]
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            return tensor(args[0], dtype=dtype)
        return Tensor(np.zeros(parse_shape(args), dtype.np), dtype)

    return make


def check_sizes(shape: tuple[int, ...], name: str = "") -> None:
    """PyTorch's error for a negative size (zeros words it its own way)."""
    for s in shape:
        if s < 0:
            if name == "zeros":
                raise TorchRuntimeError("zeros: Dimension size must be non-negative.")
            raise TorchRuntimeError(
                f"Trying to create tensor with negative dimension {s}: "
                f"[{', '.join(str(x) for x in shape)}]"
            )


def _factory(
    shape_args: tuple,
    dtype: Any,
    fill: Any,
    requires_grad: bool,
    default: _dt.DType = _dt.DEFAULT_FLOAT,
    name: str = "",
) -> Tensor:
    shape = parse_shape(shape_args)
    check_sizes(shape, name)
    dt = resolve_dtype(dtype) or default
    if fill == 0:
        data = np.zeros(shape, dt.np)
    elif fill == 1:
        data = np.ones(shape, dt.np)
    else:
        data = np.full(shape, fill, dt.np)
    return finish(Tensor(data, dt), requires_grad)


def zeros(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, out: Any = None
) -> Tensor:
    return _factory(size, dtype, 0, requires_grad, name="zeros")


def ones(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, out: Any = None
) -> Tensor:
    return _factory(size, dtype, 1, requires_grad)


def empty(
    *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None, out: Any = None
) -> Tensor:
    return _factory(size, dtype, 0, requires_grad)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    default = _dt.scalar_dtype(fill_value)
    return _factory(
        (size,) if not isinstance(size, (tuple, list)) else (tuple(size),),
        dtype,
        fill_value,
        requires_grad,
        default,
    )


def _like(input: Tensor, dtype: Any) -> _dt.DType:
    if not isinstance(input, Tensor):
        raise TorchTypeError(
            f"zeros_like(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return resolve_dtype(dtype) or input._dtype


def zeros_like(
    input: Tensor,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    dt = _like(input, dtype)
    return finish(Tensor(np.zeros(input._data.shape, dt.np), dt), requires_grad)


def ones_like(
    input: Tensor,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    dt = _like(input, dtype)
    return finish(Tensor(np.ones(input._data.shape, dt.np), dt), requires_grad)


def empty_like(
    input: Tensor,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    dt = _like(input, dtype)
    return finish(Tensor(np.full(input._data.shape, fill_value, dt.np), dt), requires_grad)


def new_zeros(
    self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return zeros(*size, dtype=dtype or self._dtype, requires_grad=requires_grad)


def new_ones(
    self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return ones(*size, dtype=dtype or self._dtype, requires_grad=requires_grad)


def new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    return full(size, fill_value, dtype=dtype or self._dtype, requires_grad=requires_grad)


def new_tensor(
    self: Tensor, data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return tensor(data, dtype=dtype or self._dtype, requires_grad=requires_grad)


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    for v in (start, end):
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            raise TorchRuntimeError(f"unsupported range: {_num(start)} -> {_num(end)}")
    if step == 0:
        raise TorchRuntimeError("step must be nonzero")
    is_float = any(isinstance(v, float) for v in values)
    dt = resolve_dtype(dtype) or (_dt.DEFAULT_FLOAT if is_float else _dt.int64)
    n = math.ceil((end - start) / step)
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise TorchRuntimeError("upper bound and lower bound inconsistent with step sign")
    n = max(n, 0)
    if dt.category == 2:
        data = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        data = (np.arange(n, dtype=np.int64) * int(step) + int(start)).astype(dt.np)
    return finish(Tensor(data, dt), requires_grad)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    if steps < 0:
        raise TorchRuntimeError("number of steps must be non-negative")
    dt = resolve_dtype(dtype) or _dt.DEFAULT_FLOAT
    start = float(start.item() if isinstance(start, Tensor) else start)
    end = float(end.item() if isinstance(end, Tensor) else end)
    if steps == 1:
        data = np.array([start], dt.np)
    else:
        data = _linspace_values(start, end, steps, dt)
    return finish(Tensor(data, dt), requires_grad)


def _linspace_values(start: float, end: float, steps: int, dt: _dt.DType) -> np.ndarray:
    """PyTorch's CPU kernel: start + step*i for the first half, end - step*(n-1-i) after,
    each a fused multiply-add (one rounding) in the output's precision."""
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    if dt is _dt.float64 or dt.category != 2:
        from gradlang.autograd.rng import fma64

        step = (end - start) / (steps - 1)
        lo = fma64(np.full(half, step), idx[:half], np.full(half, start))
        hi = fma64(np.full(steps - half, -step), steps - 1 - idx[half:], np.full(steps - half, end))
        out = np.concatenate([lo, hi])
        return out.astype(dt.np) if dt.category == 2 else np.trunc(out).astype(dt.np)
    s32, e32 = np.float32(start), np.float32(end)
    step32 = np.float32((e32 - s32) / np.float32(steps - 1))
    # a float32 product is exact in float64, so one float64 add then rounding = a float32 fma
    lo = np.float64(s32) + np.float64(step32) * idx[:half]
    hi = np.float64(e32) - np.float64(step32) * (steps - 1 - idx[half:])
    return np.concatenate([lo, hi]).astype(dt.np)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    lin = linspace(start, end, steps, dtype=_dt.float64)
    dt = resolve_dtype(dtype) or _dt.DEFAULT_FLOAT
    return finish(Tensor(np.power(base, lin._data).astype(dt.np), dt), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    dt = resolve_dtype(dtype) or _dt.DEFAULT_FLOAT
    if n < 0:
        raise TorchRuntimeError(f"n must be greater or equal to 0, got {n}")
    return finish(Tensor(np.eye(n, n if m is None else m, dtype=dt.np), dt), requires_grad)


# ----------------------------------------------------------------------------- random
def _gen(generator: Any = None) -> Any:
    from gradlang.autograd import rng

    return generator if generator is not None else rng.default_generator


def manual_seed(seed: int) -> Any:
    """Seed the default generator (PyTorch-exact streams); returns the generator."""
    if isinstance(seed, Tensor):
        seed = int(seed.item())
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TorchTypeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    gen = _gen()
    try:
        gen.manual_seed(seed)
    except ValueError as error:
        raise TorchValueError(str(error)) from None
    return gen


def seed() -> int:
    return 0


def initial_seed() -> int:
    return int(getattr(_gen(), "initial_seed", lambda: 0)())


def _float_dtype(dtype: Any) -> _dt.DType:
    dt = resolve_dtype(dtype) or _dt.DEFAULT_FLOAT
    if not dt.is_floating_point:
        raise TorchRuntimeError(f"\"check_uniform_bounds\" not implemented for '{dt.short}'")
    return dt


def rand(
    *size: Any,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    shape = parse_shape(size)
    check_sizes(shape)
    dt = _float_dtype(dtype)
    return finish(Tensor(np.asarray(_gen(generator).rand(shape, dt.np), dt.np), dt), requires_grad)


def randn(
    *size: Any,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    shape = parse_shape(size)
    check_sizes(shape)
    dt = resolve_dtype(dtype) or _dt.DEFAULT_FLOAT
    if not dt.is_floating_point:
        raise TorchRuntimeError(f"\"normal_kernel_cpu\" not implemented for '{dt.short}'")
    return finish(Tensor(np.asarray(_gen(generator).randn(shape, dt.np), dt.np), dt), requires_grad)


def randint(
    *args: Any,
    size: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    rest = list(args)
    if size is None:
        if not rest or not isinstance(rest[-1], (tuple, list)):
            raise TorchTypeError(
                f"randint(): argument 'size' (position {max(len(rest), 1)}) must be tuple of "
                f"ints, not {type(rest[-1]).__name__ if rest else 'NoneType'}"
            )
        size = rest.pop()
    if len(rest) == 1:
        low, high = 0, rest[0]
    elif len(rest) == 2:
        low, high = rest
    else:
        raise TorchTypeError("randint() received an invalid combination of arguments")
    if high <= low:
        raise TorchRuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    shape = parse_shape((size,))
    dt = resolve_dtype(dtype) or _dt.int64
    try:
        data = np.asarray(_gen(generator).randint(int(low), int(high), shape)).astype(dt.np)
    except ValueError as error:
        raise TorchValueError(str(error)) from None
    return finish(Tensor(data.reshape(shape), dt), requires_grad)


def randperm(
    n: int,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
    device: Any = None,
) -> Tensor:
    dt = resolve_dtype(dtype) or _dt.int64
    data = np.asarray(_gen(generator).randperm(int(n))).astype(dt.np)
    return finish(Tensor(data, dt), requires_grad)


def rand_like(
    input: Tensor, *, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return rand(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randn_like(
    input: Tensor, *, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    return randn(input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad)


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(
        low, high, input._data.shape, dtype=dtype or input._dtype, requires_grad=requires_grad
    )


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean if isinstance(mean, Tensor) else None
        s = std if isinstance(std, Tensor) else None
        like = m if m is not None else s
        assert like is not None
        out = randn(like._data.shape, dtype=like._dtype, generator=generator)
        from gradlang.autograd.ops_math import add, mul

        return add(mul(out, std if s is None else s.detach()), mean if m is None else m.detach())
    if size is None:
        raise TorchTypeError("normal() missing required argument 'size'")
    shape = parse_shape((size,))
    dt = _float_dtype(dtype)
    data = np.zeros(shape, dt.np)
    _gen(generator).normal_(data, float(mean), float(std))
    return finish(Tensor(data, dt), requires_grad)
