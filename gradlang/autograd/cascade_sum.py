"""Floating-point sums in PyTorch's order, so `loss.item()` prints PyTorch's last digits.

PyTorch's CPU sum kernel (ATen `SumKernel.cpp`, `cascade_sum`) adds float32/float64 in a
fixed order: 8 (float) or 4 (double) vector lanes, four interleaved accumulators, and a
four-level cascade whose block size grows with the length. numpy's pairwise sum rounds
differently, so `x.sum().item()` of 20 random floats already differs in the last bits.
`torch_order_sum` replays that order with numpy (each step vectorised over the independent
sums). It covers the layouts a small program meets: a contiguous (or permuted) tensor
reduced over one run of dimensions, up to PyTorch's parallel grain (32768 elements); for
anything else it returns None and the caller keeps numpy's sum.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

GRAIN = 32768  # at::internal::GRAIN_SIZE: larger reductions are split across threads
_ILP = 4
_LEVELS = 4


def _sequential(x: np.ndarray) -> np.ndarray:
    """x[0] + x[1] + ... left to right (0 for no rows), in x's dtype."""
    if x.shape[0] == 0:
        return np.zeros(x.shape[1:], x.dtype)
    return np.cumsum(x, axis=0, dtype=x.dtype)[-1]


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """ATen's multi_row_sum over axis 0: level-0 blocks summed in order, then a cascade."""
    size = x.shape[0]
    if size < 16:  # no full level-0 block: 0 + x0 + x1 + ... (+ three zero levels)
        return _sequential(x) + x.dtype.type(0)
    power = max(4, (int(size - 1).bit_length() if size > 1 else 0) // _LEVELS)
    step = 1 << power
    mask = step - 1
    acc = [np.zeros(x.shape[1:], x.dtype) for _ in range(_LEVELS)]
    i = 0
    while i + step <= size:
        acc[0] = acc[0] + _sequential(x[i : i + step])
        i += step
        for j in range(1, _LEVELS):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = np.zeros_like(acc[j - 1])
            if i & (mask << (j * power)):
                break
    acc[0] = acc[0] + _sequential(x[i:])
    for j in range(1, _LEVELS):
        acc[0] = acc[0] + acc[j]
    return acc[0]


def _row_sum(x: np.ndarray) -> np.ndarray:
    """ATen's row_sum over axis 0: four interleaved accumulators, then the leftovers."""
    size = x.shape[0]
    n = size // _ILP
    parts = _multi_row_sum(x[: n * _ILP].reshape((n, _ILP) + x.shape[1:]))
    total = parts[0]
    for k in range(n * _ILP, size):
        total = total + x[k]
    for k in range(1, _ILP):
        total = total + parts[k]
    return total


def _inner_sum(x: np.ndarray, lanes: int) -> np.ndarray:
    """Sum each row of a contiguous (rows, n) array (ATen's vectorized/scalar inner sum)."""
    n = x.shape[1]
    if n < lanes:
        return _row_sum(x.T)
    vecs = n // lanes
    body = x[:, : vecs * lanes].reshape(x.shape[0], vecs, lanes).transpose(1, 0, 2)
    vec_acc = _row_sum(body)  # (rows, lanes)
    total = _sequential(x[:, vecs * lanes :].T)
    for k in range(lanes):
        total = total + vec_acc[:, k]
    return total


def _outer_sum(x: np.ndarray, lanes: int) -> np.ndarray:
    """Sum over axis 1 of a contiguous (batch, r, c) array (ATen's outer sums)."""
    c = x.shape[2]
    block = _ILP * lanes if c >= lanes else _ILP
    split = (c // block) * block
    cols = x.transpose(1, 0, 2)  # (r, batch, c): each column an independent sum
    out = np.empty((x.shape[0], c), x.dtype)
    if split:
        out[:, :split] = _multi_row_sum(cols[:, :, :split])
    if split < c:
        out[:, split:] = _row_sum(cols[:, :, split:])
    return out


@lru_cache(maxsize=256)
def _layout(
    shape: tuple[int, ...], strides: tuple[int, ...], dims: tuple[int, ...] | None
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None:
    """How TensorIterator sees a reduction: the dims in memory order, the kinds of the runs
    of dims it coalesces (1 reduced, 0 kept) with their sizes, and the output shape."""
    ndim = len(shape)
    reduced = set(range(ndim)) if dims is None else set(dims)
    kept_shape = tuple(s for i, s in enumerate(shape) if i not in reduced)
    order = sorted(range(ndim), key=lambda i: -abs(strides[i]))
    runs: list[list[int]] = []  # [is_reduced, size]
    for i in order:
        if shape[i] == 1:
            continue
        kind = int(i in reduced)
        if runs and runs[-1][0] == kind:
            runs[-1][1] *= shape[i]
        else:
            runs.append([kind, shape[i]])
    kept_in_memory = [i for i in order if i not in reduced]
    if kept_shape and kept_in_memory != sorted(kept_in_memory):
        return None  # the kept dims are permuted in memory: the output order would differ
    return tuple(order), tuple(k for k, _ in runs), tuple(n for _, n in runs), kept_shape


def torch_order_sum(d: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray | None:
    """The sum of float array `d` over `dims` (None: all) in PyTorch's order, or None when
    the layout is one this module does not replay. The result has the reduced dims removed."""
    if d.dtype not in (np.float32, np.float64) or d.size == 0 or d.size > GRAIN:
        return None
    layout = _layout(d.shape, d.strides, None if dims is None else tuple(dims))
    if layout is None:
        return None
    order, kinds, sizes, kept_shape = layout
    view = d.transpose(order)
    if not view.flags.c_contiguous:
        return None
    lanes = 8 if d.dtype == np.float32 else 4
    flat = view.reshape(-1)
    if kinds == ():
        out = flat.sum()
    elif kinds == (1,):
        out = _inner_sum(flat.reshape(1, -1), lanes)[0]
    elif kinds == (0, 1):
        out = _inner_sum(flat.reshape(sizes), lanes)
    elif kinds == (1, 0):
        out = _outer_sum(flat.reshape((1,) + sizes), lanes)[0]
    elif kinds == (0, 1, 0):
        out = _outer_sum(flat.reshape(sizes), lanes)
    else:
        return None
    return np.asarray(out, d.dtype).reshape(kept_shape)


def nll_order_sum(values: np.ndarray, valid: np.ndarray) -> np.generic:
    """The sum of the rows of `values` where `valid`, in the order of ATen's nll_loss kernel:
    eight levels, each element added at level 0 and carried up every 16 (or more) rows."""
    n = values.shape[0]
    if n > GRAIN:
        return values[valid].sum(dtype=values.dtype)
    levels = 8
    power = max(4, (int(n - 1).bit_length() if n > 2 else 1) // levels)
    mask = (1 << power) - 1
    zero = values.dtype.type(0)
    acc = [zero] * levels
    for b in np.flatnonzero(valid).tolist():
        acc[0] = acc[0] + values[b]
        for j in range(levels - 1):
            if b & (mask << (j * power)):
                break
            acc[j + 1] = acc[j + 1] + acc[j]
            acc[j] = zero
    total = zero
    for a in acc:
        total = total + a
    return total
