"""Linear algebra: matmul (dispatching as PyTorch does to dot/mv/mm/bmm), outer, addmm, trace."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradlang.autograd import grad_mode as _gm
from gradlang.autograd.dispatch import record, record1, record2, result
from gradlang.autograd.errors import C10_NAMES, TorchRuntimeError, TorchTypeError
from gradlang.autograd.rules import RULES
from gradlang.autograd.shapes import broadcast_shapes, shape_list
from gradlang.autograd.tensor import Tensor

_MM = RULES["mm"]
_NAMES = C10_NAMES


def _check(x: Any, name: str, pos: int, arg: str) -> Tensor:
    if x.__class__ is not Tensor:
        raise TorchTypeError(
            f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )
    return x


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a._dtype is not b._dtype:
        raise TorchRuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_NAMES[a._dtype.name]} != "
            f"{_NAMES[b._dtype.name]}"
        )


def _grad(a: Tensor, b: Tensor) -> bool:
    return _gm.enabled and (a._requires_grad or b._requires_grad)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.__class__ is not Tensor or mat2.__class__ is not Tensor:  # (hot: checks inline)
        _check(input, "mm", 1, "input")
        _check(mat2, "mm", 2, "mat2")
    a, b = input._data, mat2._data
    sa, sb = a.shape, b.shape
    if len(sa) != 2:
        raise TorchRuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise TorchRuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise TorchRuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )
    if input._dtype is not mat2._dtype:
        _same_dtype(input, mat2)
    # np.dot is 0.3-1.3 us cheaper than np.matmul on small matrices; on C- or F-contiguous
    # float operands both run the same BLAS gemm (the same bits; tests/autograd/test_mm_bits)
    if a.flags.forc and b.flags.forc and input._dtype.category == 2:
        r = Tensor(np.dot(a, b), input._dtype)
    else:
        r = Tensor(np.matmul(a, b), input._dtype)
    if _gm.enabled and (input._requires_grad or mat2._requires_grad):
        record2(r, _MM, input, mat2)
    return r


def mm_grad_self(grad: Tensor, mat2: Tensor) -> Tensor:
    """MmBackward0's `grad @ mat2.T`. Outside grad mode (a backward without create_graph)
    the product is taken on the arrays: the same np.dot on the same operands as
    `grad.mm(mat2.t())` (so the same bits), without the view and the op's checks."""
    g, b = grad._data, mat2._data
    if not _gm.enabled and grad._dtype is mat2._dtype and grad._dtype.category == 2:
        if g.flags.forc and b.flags.forc:
            return Tensor(np.dot(g, b.T), grad._dtype)
    return mm(grad, mat2.t())


def mm_grad_mat2(input: Tensor, grad: Tensor) -> Tensor:
    """MmBackward0's `self.T @ grad` (as `mm_grad_self`)."""
    a, g = input._data, grad._data
    if not _gm.enabled and grad._dtype is input._dtype and grad._dtype.category == 2:
        if g.flags.forc and a.flags.forc:
            return Tensor(np.dot(a.T, g), grad._dtype)
    return mm(input.t(), grad)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise TorchRuntimeError(
            f"vector + matrix @ vector expected, got {v.ndim}, {a.ndim}, {v.ndim}"
        )
    if a.shape[1] != v.shape[0]:
        raise TorchRuntimeError(
            f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), vec "
            f"({v.shape[0]})"
        )
    _same_dtype(input, vec)
    r = result(np.matmul(a, v), input._dtype)
    if _grad(input, vec):
        record(r, RULES["mv"], (input, vec))
    return r


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    a, b = input._data, tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise TorchRuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise TorchRuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively"
        )
    if input._dtype is not tensor._dtype:
        raise TorchRuntimeError(
            f"dot : expected both vectors to have same dtype, but found {input._dtype.short} "
            f"and {tensor._dtype.short}"
        )
    r = result(np.dot(a, b), input._dtype)
    if _grad(input, tensor):
        record(r, RULES["dot"], (input, tensor))
    return r


inner = dot
vdot = dot


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise TorchRuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise TorchRuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise TorchRuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    _same_dtype(input, mat2)
    r = Tensor(np.matmul(a, b), input._dtype)
    if _grad(input, mat2):
        record(r, RULES["bmm"], (input, mat2))
    return r


def matmul(input: Tensor, other: Tensor) -> Tensor:
    if input.__class__ is not Tensor or other.__class__ is not Tensor:  # (hot: checks inline)
        _check(input, "matmul", 1, "input")
        _check(other, "matmul", 2, "other")
    da, db = input._data.ndim, other._data.ndim
    if da == 2 and db == 2:  # the common case first
        return mm(input, other)
    if da == 0 or db == 0:
        raise TorchRuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    from gradlang.autograd import ops_shape as s

    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        out = mm(s.unsqueeze(input, 0), other)
        return s._view(out, out._data.reshape(out._data.shape[1:]), RULES["squeeze_dims"], (0,))
    if da >= 3 and db <= 2:
        # fold the batch into the rows: (..., n, k) @ (k, m)
        shape = input._data.shape
        folded = s.reshape(input, (-1, shape[-1]))
        if db == 1:
            out = mv(folded, other)
            final = shape[:-1]
        else:
            out = mm(folded, other)
            final = shape[:-1] + (other._data.shape[1],)
        r = Tensor(out._data.reshape(final), out._dtype)
        if _gm.enabled and out._requires_grad:
            record1(r, RULES["unsafe_view"], out)
        return r
    # batched: broadcast the batch dims, then bmm
    a = s.unsqueeze(input, 0) if da == 1 else input
    b = s.unsqueeze(other, -1) if db == 1 else other
    sa, sb = a._data.shape, b._data.shape
    if sa[-1] != sb[-2]:
        raise TorchRuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(sa[:-2]))}, {sa[-1]}] but got: [{int(np.prod(sb[:-2]))}, {sb[-2]}]."
        )
    batch = broadcast_shapes(tuple(sa[:-2]), tuple(sb[:-2]))
    n = int(np.prod(batch)) if batch else 1
    a3 = a
    if tuple(sa[:-2]) != batch:
        a3 = s.expand(a3, batch + tuple(sa[-2:]))
    if len(batch) != 1 or a3 is not a:
        a3 = s.reshape(a3, (n,) + tuple(sa[-2:]))
    b3 = b
    if tuple(sb[:-2]) != batch:
        b3 = s.expand(b3, batch + tuple(sb[-2:]))
    if len(batch) != 1 or b3 is not b:
        b3 = s.reshape(b3, (n,) + tuple(sb[-2:]))
    out = bmm(a3, b3)
    final = batch + (sa[-2], sb[-1])
    if da == 1:
        final = batch + (sb[-1],)
    elif db == 1:
        final = batch + (sa[-2],)
    r = Tensor(out._data.reshape(final), out._dtype)
    if _gm.enabled and out._requires_grad:
        record1(r, RULES["unsafe_view"], out)
    return r


def rmatmul(input: Tensor, other: Any) -> Tensor:
    return matmul(other, input)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    from gradlang.autograd.ops_math import mul
    from gradlang.autograd.ops_shape import reshape

    a, b = input._data, vec2._data
    if a.ndim != 1 or b.ndim != 1:
        raise TorchRuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    return mul(reshape(input, (a.shape[0], 1)), vec2)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise TorchRuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[-1]} and "
            f"{b.shape[0]}x{b.shape[-1]})"
        )
    _same_dtype(mat1, mat2)
    prod = np.matmul(a, b)
    if alpha != 1:
        prod = prod * alpha
    bias = input._data if beta == 1 else input._data * beta
    try:
        out = prod + bias
    except ValueError:
        raise TorchRuntimeError(
            f"The size of tensor a ({prod.shape[-1]}) must match the size of tensor b "
            f"({bias.shape[-1]}) at non-singleton dimension 1"
        ) from None
    if out.shape != prod.shape:
        raise TorchRuntimeError(
            f"The expanded size of the tensor ({prod.shape[-1]}) must match the existing size "
            f"({bias.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
            f"{shape_list(prod.shape)}.  Tensor sizes: {shape_list(bias.shape)}"
        )
    r = Tensor(out.astype(mat1._data.dtype), mat1._dtype)
    if _gm.enabled and (input._requires_grad or mat1._requires_grad or mat2._requires_grad):
        record(r, RULES["addmm"], (input, mat1, mat2), (beta, alpha))
    return r


def trace(input: Tensor) -> Tensor:
    d = input._data
    if d.ndim != 2:
        raise TorchRuntimeError(f"trace: expected a matrix, but got tensor with dim {d.ndim}")
    dt = input._dtype if input._dtype.is_floating_point else None
    r = result(np.trace(d), dt or __import__("gradlang.autograd.dtypes", fromlist=["x"]).int64)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["trace"], input)
    return r


def einsum(equation: str, *operands: Any) -> Tensor:
    """einsum for the common two-operand and one-operand forms, built from engine ops."""
    from gradlang.autograd import ops_math as m
    from gradlang.autograd import ops_reduce as red
    from gradlang.autograd import ops_shape as s

    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        letters = [c for c in lhs.replace(",", "")]
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise TorchRuntimeError(
            "einsum(): more operands were provided than specified in the equation"
        )
    letters = sorted(set("".join(terms)), key=lambda c: ("".join(terms) + out).index(c))
    full = [c for c in letters if c not in out]
    order = list(out) + full
    expanded = []
    for term, op in zip(terms, operands):
        if len(term) != op._data.ndim:
            raise TorchRuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(term)}) does not "
                f"match the number of dimensions ({op._data.ndim}) for operand 0 and no "
                "ellipsis was given"
            )
        t_ = op
        while len(set(term)) < len(term):  # a repeated subscript takes the diagonal (ii->i)
            c = next(c for c in term if term.count(c) > 1)
            i = term.index(c)
            j = term.index(c, i + 1)
            t_ = s.diagonal(t_, 0, i, j)
            term = term[:i] + term[i + 1 : j] + term[j + 1 :] + c
        # As ATen: labels an operand lacks become size-1 dims, then one permute into `order`.
        missing = "".join(c for c in order if c not in term)
        if missing:
            t_ = s.reshape(t_, t_._data.shape + (1,) * len(missing))
        have = term + missing
        expanded.append(s.permute(t_, tuple(have.index(c) for c in order)))
    summed = tuple(range(len(out), len(order)))
    if len(expanded) == 1:
        return red.sum(expanded[0], summed) if full else expanded[0]
    prod = expanded[0]
    for t_ in expanded[1:]:
        prod = m.mul(prod, t_)
    if not full:
        return prod
    # ATen's sumproduct_pair keeps the summed dims, permutes back, and views them away.
    kept = red.sum(prod, summed, keepdim=True)
    kept = s.permute(kept, tuple(range(kept._data.ndim)))
    return s.view(kept, tuple(kept._data.shape[: len(out)]))


def _square(input: Tensor, name: str) -> np.ndarray:
    d = input._data
    if d.ndim < 2:
        raise TorchRuntimeError(
            f"linalg.{name}: The input tensor A must have at least 2 dimensions."
        )
    if d.shape[-1] != d.shape[-2]:
        raise TorchRuntimeError(
            f"linalg.{name}: A must be batches of square matrices, but they are "
            f"{d.shape[-2]} by {d.shape[-1]} matrices"
        )
    if not input._dtype.is_floating_point:
        raise TorchRuntimeError(
            f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
            f"{input._dtype.short}"
        )
    return d


def det(input: Tensor) -> Tensor:
    d = _square(input, "det")
    r = result(np.linalg.det(d).astype(d.dtype), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["det"], input)
    return r


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """torch.linalg.solve: X with A @ X = B (B a vector or a matrix of columns)."""
    a = _square(A, "solve")
    b = B._data
    vector = b.ndim == a.ndim - 1
    if b.ndim == 0 or b.shape[-1 if vector else -2] != a.shape[-1]:
        raise TorchRuntimeError(
            "linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({'x'.join(map(str, a.shape))} and "
            f"{'x'.join(map(str, b.shape + ((1,) if vector else ())))})"
        )
    try:
        x = np.linalg.solve(
            a.astype(np.float64), (b[..., None] if vector else b).astype(np.float64)
        )
    except np.linalg.LinAlgError:
        raise TorchRuntimeError(
            "torch.linalg.solve: The solver failed because the input matrix is singular."
        ) from None
    out = x[..., 0] if vector else x
    r = Tensor(out.astype(a.dtype), A._dtype)
    if _gm.enabled and (A._requires_grad or B._requires_grad):
        record(r, RULES["linalg_solve"], (A, B), vector)
    return r


def inverse(input: Tensor) -> Tensor:
    d = _square(input, "inv")
    try:
        out = np.linalg.inv(d)
    except np.linalg.LinAlgError:
        raise TorchRuntimeError(
            "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed "
            "because the input matrix is singular."
        ) from None
    r = Tensor(out.astype(d.dtype), input._dtype)
    if _gm.enabled and input._requires_grad:
        record1(r, RULES["inverse"], input)
    return r


# ----------------------------------------------------------------------------- cross, kron
CROSS_DIM_WARNING = (
    "Using torch.cross without specifying the dim arg is deprecated.\n"
    "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
    "The default value of dim will change to agree with that of linalg.cross in a future release."
)


def _cross_part(x1: np.ndarray, y2: np.ndarray, x2: np.ndarray, y1: np.ndarray) -> np.ndarray:
    """x1*y2 - x2*y1 as ATen's CPU kernel computes it: one fused multiply-add
    fma(x1, y2, -(x2*y1)) for floats, plain products for integers."""
    if x1.dtype.kind != "f":
        return x1 * y2 - x2 * y1
    from gradlang.autograd.rng import fma64

    if x1.dtype == np.float64:
        return fma64(x1, y2, -(x2 * y1))
    # a float32 product is exact in float64: one float64 add, then float32 (as linspace does)
    wide = x1.astype(np.float64) * y2.astype(np.float64) - (x2 * y1).astype(np.float64)
    return wide.astype(x1.dtype)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    from gradlang.autograd.shapes import wrap_dim

    _check(input, "linalg_cross", 1, "input")
    _check(other, "linalg_cross", 2, "other")
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise TorchRuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if input._dtype is not other._dtype:
        raise TorchRuntimeError(
            f"expected scalar type {input._dtype.short} but found {other._dtype.short}"
        )
    if a.ndim == 0:
        from gradlang.autograd.errors import TorchIndexError

        raise TorchIndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    k = wrap_dim(dim, a.ndim)
    if a.shape[k] != 3 or b.shape[k] != 3:
        raise TorchRuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[k]} and "
            f"{b.shape[k]}"
        )
    shape = broadcast_shapes(a.shape, b.shape)
    x = np.moveaxis(np.broadcast_to(a, shape), k, 0)
    y = np.moveaxis(np.broadcast_to(b, shape), k, 0)
    x0, x1, x2 = x[0:1], x[1:2], x[2:3]
    y0, y1, y2 = y[0:1], y[1:2], y[2:3]
    parts = [
        _cross_part(x1, y2, x2, y1),
        _cross_part(x2, y0, x0, y2),
        _cross_part(x0, y1, x1, y0),
    ]
    out = np.ascontiguousarray(np.moveaxis(np.concatenate(parts, 0), 0, k))
    r = result(out, input._dtype)
    if _grad(input, other):
        record2(r, RULES["linalg_cross"], input, other, k)
    return r


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: linalg.cross; without dim (deprecated, warned once) the first dim of
    size 3 of `input`."""
    from gradlang.autograd import warnings as _warnings

    _check(input, "cross", 1, "input")
    _check(other, "cross", 2, "other")
    if dim is None:
        if _warnings.once("cross_dim"):
            _warnings.warn(
                CROSS_DIM_WARNING + _warnings.triggered("aten/src/ATen/native/Cross.cpp:63")
            )
        sizes = input._data.shape
        if 3 not in sizes:
            raise TorchRuntimeError("no dimension of size 3 in input")
        dim = sizes.index(3)
    return linalg_cross(input, other, dim=dim)


def _unsafe_view(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """at::_unsafe_view: view's shape rules, a fresh node (UnsafeViewBackward0), not a view."""
    from gradlang.autograd.ops_shape import _VIEW_SIZE_ERROR, _try_view

    d = x._data
    v = _try_view(d, shape)
    if v is None:
        raise TorchRuntimeError(_VIEW_SIZE_ERROR)
    r = Tensor(v, x._dtype)
    if _gm.enabled and x._requires_grad:
        record1(r, RULES["unsafe_view"], x)
    return r


def kron(input: Tensor, other: Tensor) -> Tensor:
    """PyTorch's composite: each input viewed with a 1 interleaved per dim, multiplied
    (broadcasting), and the product viewed back (UnsafeViewBackward0 of MulBackward0)."""
    from gradlang.autograd.ops_math import mul

    _check(input, "kron", 1, "input")
    _check(other, "kron", 2, "other")
    sa, sb = input._data.shape, other._data.shape
    n = max(len(sa), len(sb))
    fa = (1,) * (n - len(sa)) + tuple(sa)
    fb = (1,) * (n - len(sb)) + tuple(sb)
    a_shape: list[int] = []
    b_shape: list[int] = []
    for p, q in zip(fa, fb):
        a_shape += [p, 1]
        b_shape += [1, q]
    prod = mul(_unsafe_view(input, tuple(a_shape)), _unsafe_view(other, tuple(b_shape)))
    return _unsafe_view(prod, tuple(p * q for p, q in zip(fa, fb)))


# ----------------------------------------------------------------------------- cdist
_CDIST_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


def _fma_to(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a*b + c with one rounding in a's dtype (float32 through float64, as linspace does)."""
    from gradlang.autograd.rng import fma64

    return np.asarray(fma64(a, b, c)).astype(a.dtype)


_CDIST_CHUNK = 1 << 22  # elements of differences held at once


def _in_order_sum(agg: np.ndarray, terms: Any, m: int) -> np.ndarray:
    """agg + t_0 + t_1 + ... + t_{m-1} added one by one, in order (numpy's accumulate is
    sequential), `terms(lo, hi)` giving columns lo..hi-1 stacked last; chunked by memory."""
    step = max(1, _CDIST_CHUNK // max(1, agg.size))
    for lo in range(0, m, step):
        block = np.concatenate([agg[..., None], terms(lo, min(m, lo + step))], -1)
        agg = np.add.accumulate(block, axis=-1)[..., -1]
    return agg


def cdist_values(x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
    """ATen's CPU cdist kernel: per pair, agg = agg (+) map(|a - b|) over the columns in order,
    then finish. For p=2 the compiled loop squares 128 bits of columns at a time (4 float /
    2 double, each square rounded, added in order) and fuses the leftover columns'
    multiply-add (one rounding each)."""
    m = x1.shape[-1]
    t = x1.dtype.type
    agg = np.zeros(x1.shape[:-1] + (x2.shape[-2],), x1.dtype)

    def diffs(lo: int, hi: int) -> np.ndarray:
        return np.abs(x1[..., :, None, lo:hi] - x2[..., None, :, lo:hi])

    if math.isinf(p):
        step = max(1, _CDIST_CHUNK // max(1, agg.size))
        for lo in range(0, m, step):
            agg = np.maximum(agg, diffs(lo, min(m, lo + step)).max(-1, initial=t(0)))
        return agg
    if p == 2:
        main = m - m % (4 if x1.dtype == np.float32 else 2)
        agg = _in_order_sum(agg, lambda lo, hi: diffs(lo, hi) ** 2, main)
        for k in range(main, m):
            d = diffs(k, k + 1)[..., 0]
            agg = _fma_to(d, d, agg)
        return np.sqrt(agg)
    if p == 0:
        return _in_order_sum(agg, lambda lo, hi: np.minimum(np.ceil(diffs(lo, hi)), t(1)), m)
    if p == 1:
        return _in_order_sum(agg, diffs, m)
    agg = _in_order_sum(agg, lambda lo, hi: np.power(diffs(lo, hi), t(p)), m)
    return np.power(agg, t(1.0 / p))


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """torch.cdist through ATen's direct kernel (CdistBackward0). PyTorch's matrix-multiply
    path (p=2 with more than 25 rows, or compute_mode='use_mm_for_euclid_dist') is refused."""
    from gradlang.autograd.errors import TorchNotImplementedError, TorchValueError

    _check(x1, "cdist", 1, "x1")
    _check(x2, "cdist", 2, "x2")
    a, b = x1._data, x2._data
    if compute_mode not in _CDIST_MODES:
        raise TorchValueError(f"{compute_mode} is not a valid value for compute_mode")
    if a.ndim < 2:
        raise TorchRuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise TorchRuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise TorchRuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    for name, t in (("X1", x1), ("X2", x2)):
        if t._dtype.category != 2:
            raise TorchRuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {t._dtype.short}"
            )
    p = float(p)
    if not p >= 0:
        raise TorchRuntimeError("cdist only supports non-negative p values")
    mode = _CDIST_MODES[compute_mode]
    r1, r2 = a.shape[-2], b.shape[-2]
    if a.size and b.size and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        raise TorchNotImplementedError(
            "gradlang: torch.cdist with p=2 and more than 25 rows runs PyTorch's matrix-multiply "
            "path, which gradlang does not have; pass compute_mode='donot_use_mm_for_euclid_dist'"
        )
    if x1._dtype is not x2._dtype:
        raise TorchRuntimeError(
            f"expected scalar type {x1._dtype.short} but found {x2._dtype.short}"
        )
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    r = result(np.ascontiguousarray(cdist_values(a, b, p)), x1._dtype)
    if _grad(x1, x2):
        record2(r, RULES["cdist"], x1, x2, p)
    return r
