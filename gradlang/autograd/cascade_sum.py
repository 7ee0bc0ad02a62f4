"""Floating-point sums in PyTorch's order, so `loss.item()` prints PyTorch's last digits.

PyTorch's CPU sum kernel (ATen `SumKernel.cpp`, `cascade_sum`) adds float32/float64 in a
fixed order: 8 (float) or 4 (double) vector lanes, four interleaved accumulators, and a
four-level cascade whose block size grows with the length. numpy's pairwise sum rounds
differently, so `x.sum().item()` of 20 random floats already differs in the last bits.
`torch_order_sum` replays that order with numpy (each step vectorised over the independent
sums). It covers the layouts a small program meets: a contiguous (or permuted) tensor
reduced over one run of dimensions, up to PyTorch's parallel grain (32768 elements); for
anything else it returns None and the caller keeps numpy's sum.

The order depends only on the layout, so each (dtype, shape, strides, dims) is analysed once
into a plan: a few closures holding the reshapes and slices, which then cost a handful of
numpy calls per sum. Two facts keep the plans short without changing a bit:

- ATen starts every accumulator at +0.0. Adding +0.0 changes nothing but the sign of a zero,
  and a sum comes out -0.0 only when every addend is -0.0; so a plan adds the values alone
  and then +0.0 once at the end (PyTorch's sums are never -0.0).
- `np.add.reduce(a, axis=k)` adds the rows of axis k strictly left to right when a smaller
  (inner) axis of size > 1 exists: numpy's loop then adds whole rows elementwise. Reduced
  along its innermost axis (a column, or rows of one element) numpy sums pairwise instead,
  so such sums go through `np.add.accumulate`, which is sequential everywhere.
  (`tests/fidelity/test_cascade_sum.py` checks all of this against torch on random layouts.)

The reference form of the algorithm, a direct transcription of ATen's loops, is kept in that
test file (`reference_sum`, `reference_nll_sum`).
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod

import numpy as np

GRAIN = 32768  # at::internal::GRAIN_SIZE: larger reductions are split across threads
_ILP = 4  # ATen's row_sum: four interleaved accumulators
_BLOCK = 16  # level-0 block rows (1 << 4: the level power below GRAIN), also each level's fan-in

Plan = Callable[[np.ndarray], np.ndarray]

_reduce = np.add.reduce
_accumulate = np.add.accumulate
_PLANS: dict[tuple[object, ...], Plan | None] = {}
_MAX_PLANS = 1024


def _seq(k: int, axis: int, wide: bool) -> Plan:
    """The k rows along `axis` added left to right (that axis removed). `wide`: a smaller axis
    of size > 1 follows `axis`, so numpy's reduce is sequential (module docstring)."""
    lead = (slice(None),) * axis
    first, second, last = lead + (0,), lead + (1,), lead + (-1,)
    if k == 1:
        return lambda a: a[first]
    if k == 2:
        return lambda a: a[first] + a[second]
    if wide:
        return lambda a: _reduce(a, axis)
    return lambda a: _accumulate(a, axis)[last]


# The plans below take any array whose elements in C order form the shape they are built
# for (a view, or the input itself: the first step reshapes).


def _cascade(batch: int, rows: int, w: tuple[int, ...]) -> Plan:
    """ATen's multi_row_sum along axis 1 of a (batch, rows, *w) array: blocks of 16 rows added
    in order (level 0); each block sum added into level 1, which carries into level 2 every
    16 blocks, which carries into level 3 every 16 of those; then leftover rows + level 1 +
    level 2 + level 3. Returns (batch, *w)."""
    wide = prod(w) > 1
    shape = (batch, rows) + w
    nb, tail = divmod(rows, _BLOCK)
    if nb == 0:
        seq = _seq(rows, 1, wide)
        return lambda a: seq(a.reshape(shape))
    ng, nb_left = divmod(nb, _BLOCK)
    nh, ng_left = divmod(ng, _BLOCK)
    cut = nb * _BLOCK
    blocks = _seq(_BLOCK, 2, wide)
    to_blocks = (batch, nb, _BLOCK) + w
    to_groups = (batch, ng, _BLOCK) + w
    to_supers = (batch, nh, _BLOCK) + w
    tail_sum = _seq(tail, 1, wide) if tail else None
    left1 = _seq(nb_left, 1, wide) if nb_left else None
    left2 = _seq(ng_left, 1, wide) if ng_left else None
    top = _seq(nh, 1, wide) if nh else None
    if tail_sum is None and left1 and not ng:  # whole blocks, fewer than 16 (16-240 rows)
        return lambda a: left1(blocks(a.reshape(to_blocks)))

    def run(a: np.ndarray) -> np.ndarray:
        a = a.reshape(shape)
        b = blocks(a[:, :cut].reshape(to_blocks))
        terms = [tail_sum(a[:, cut:])] if tail_sum else []
        if left1:
            terms.append(left1(b[:, ng * _BLOCK :]))
        if ng:
            c = blocks(b[:, : ng * _BLOCK].reshape(to_groups))
            if left2:
                terms.append(left2(c[:, nh * _BLOCK :]))
            if top:
                terms.append(top(blocks(c[:, : nh * _BLOCK].reshape(to_supers))))
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    return run


def _row_sum(batch: int, rows: int, w: tuple[int, ...]) -> Plan:
    """ATen's row_sum along axis 1 of a (batch, rows, *w) array: row 4i+k goes to accumulator
    k (a cascade each), then acc0 + the 0-3 leftover rows + acc1 + acc2 + acc3."""
    wide = prod(w) > 1
    shape = (batch, rows) + w
    n4, left = divmod(rows, _ILP)
    if n4 == 0:
        seq = _seq(rows, 1, wide)
        return lambda a: seq(a.reshape(shape))
    cascade = _cascade(batch, n4, (_ILP,) + w)
    lanes = _seq(_ILP, 1, wide)
    if not left:
        return lambda a: lanes(cascade(a))
    body = n4 * _ILP

    def run(a: np.ndarray) -> np.ndarray:
        a = a.reshape(shape)
        p = cascade(a[:, :body])
        total = p[:, 0]
        for k in range(body, rows):
            total = total + a[:, k]
        return total + p[:, 1] + p[:, 2] + p[:, 3]

    return run


def _inner_sum(r: int, n: int, lanes: int) -> Plan:
    """Each row of a contiguous (r, n) array summed (ATen's vectorized inner sum): the
    vectors of `lanes` floats through row_sum, then per row the leftover elements and the
    lanes added in order. Returns (r,), or a numpy scalar when r == 1."""
    shape = (r, n)
    if n < lanes:  # the scalar loop: row_sum over the elements (x0 + x4 + x5 + x6 + x1 + x2 + x3)
        order = np.array([0, *range(_ILP, n), 1, 2, 3] if n >= _ILP else range(n), np.intp)
        if r == 1:
            if n < _ILP:
                return lambda x: _accumulate(x.ravel())[-1]
            return lambda x: _accumulate(x.ravel()[order])[-1]
        return lambda x: _reduce(np.ascontiguousarray(x.reshape(shape).T[order]), 0)
    vecs, left = divmod(n, lanes)
    rowsum = _row_sum(r, vecs, (lanes,))
    body = vecs * lanes
    if r == 1:
        if left:
            return lambda x: _accumulate(
                np.concatenate((x.ravel()[body:], rowsum(x.ravel()[:body])[0]))
            )[-1]
        return lambda x: _accumulate(rowsum(x)[0])[-1]
    if left:
        stack = (left + lanes, r)

        def run(x: np.ndarray) -> np.ndarray:
            x = x.reshape(shape)
            z = np.empty(stack, x.dtype)  # C order, so that the reduce is sequential
            z[:left] = x[:, body:].T
            z[left:] = rowsum(x[:, :body]).T
            return _reduce(z, 0)

        return run
    return lambda x: _reduce(np.ascontiguousarray(rowsum(x).T), 0)


def _outer_sum(batch: int, r: int, c: int, lanes: int) -> Plan:
    """Sum over axis 1 of a contiguous (batch, r, c) array (ATen's outer sums): the columns
    in whole blocks of 4 vectors through multi_row_sum, the rest through row_sum."""
    block = _ILP * lanes if c >= lanes else _ILP
    split = (c // block) * block
    if split == c:
        return _cascade(batch, r, (c,))
    rest = _row_sum(batch, r, (c - split,))
    if split == 0:
        return rest
    head = _cascade(batch, r, (split,))
    shape = (batch, r, c)

    def run(x: np.ndarray) -> np.ndarray:
        x = x.reshape(shape)
        return np.concatenate((head(x[:, :, :split]), rest(x[:, :, split:])), axis=1)

    return run


def _plan(
    dtype: np.dtype, shape: tuple[int, ...], strides: tuple[int, ...], dims: tuple[int, ...] | None
) -> Plan | None:
    """How TensorIterator sees the reduction, as a plan: the dims in memory order, the runs of
    dims it coalesces (reduced or kept), and the kernel for that run pattern."""
    if dtype not in (np.float32, np.float64):
        return None
    size = prod(shape)
    if size == 0 or size > GRAIN:
        return None
    ndim = len(shape)
    zero = dtype.type(0)
    if dims is None:
        reduced = set(range(ndim))
    else:
        reduced = {i % ndim for i in dims} if ndim else set()
    kept_shape = tuple(s for i, s in enumerate(shape) if i not in reduced)
    if all(shape[i] == 1 for i in reduced):  # nothing to add: each value + PyTorch's 0
        if kept_shape:
            return lambda d: d.reshape(kept_shape) + zero
        return lambda d: np.asarray(d.reshape(()) + zero)
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
    kept_in_memory = [i for i in order if i not in reduced and shape[i] != 1]
    if kept_in_memory != sorted(kept_in_memory):
        return None  # the kept dims are permuted in memory: the output order would differ
    # the array seen in memory order must be contiguous (no gaps, no broadcast dims)
    expect = dtype.itemsize
    for i in reversed(order):
        if shape[i] != 1:
            if strides[i] != expect:
                return None
            expect *= shape[i]
    kinds = tuple(k for k, _ in runs)
    sizes = tuple(n for _, n in runs)
    lanes = 8 if dtype == np.float32 else 4
    if kinds == (1,):
        kernel = _inner_sum(1, sizes[0], lanes)
    elif kinds == (0, 1):
        kernel = _inner_sum(sizes[0], sizes[1], lanes)
    elif kinds == (1, 0):
        kernel = _outer_sum(1, sizes[0], sizes[1], lanes)
    elif kinds == (0, 1, 0):
        kernel = _outer_sum(sizes[0], sizes[1], sizes[2], lanes)
    else:
        return None
    if order != sorted(order):  # the array in memory order (contiguous, checked above)
        perm = tuple(order)
        if kept_shape:
            return lambda d: (kernel(d.transpose(perm)) + zero).reshape(kept_shape)
        return lambda d: np.asarray(kernel(d.transpose(perm)) + zero)
    if kept_shape:
        return lambda d: (kernel(d) + zero).reshape(kept_shape)
    return lambda d: np.asarray(kernel(d) + zero)


def torch_order_sum(d: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray | None:
    """The sum of float array `d` over `dims` (None: all) in PyTorch's order, or None when
    the layout is one this module does not replay. The result has the reduced dims removed."""
    key = (d.dtype, d.shape, d.strides, dims)
    try:
        plan = _PLANS[key]
    except KeyError:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        if dims is not None:
            dims = tuple(dims)
        plan = _PLANS[key] = _plan(d.dtype, d.shape, d.strides, dims)
    except TypeError:  # dims given as a list
        return torch_order_sum(d, tuple(dims)) if dims is not None else None
    return None if plan is None else plan(d)


_NLL_PLANS: dict[int, Plan] = {}


def _nll_plan(n: int) -> Plan:
    """ATen's nll_loss sum of n values when every index that is a multiple of 16 counts: the
    values from index 1 on through a multi_row_sum cascade (the carries come after each 16th
    row, as there), then value 0, which index 0 carried to the top level."""
    rest = n - 1
    if rest == 0:
        return lambda v: v[0]
    # a 1-element-wide cascade: rows of one value must be added by accumulate (not wide)
    cascade = _cascade(1, rest, ())
    return lambda v: cascade(v[1:].reshape(1, rest))[0] + v[0]


def nll_order_sum(values: np.ndarray, valid: np.ndarray) -> np.generic:
    """The sum of the rows of `values` where `valid`, in the order of ATen's nll_loss kernel:
    eight levels, each element added at level 0 and carried up every 16 (or more) rows."""
    n = values.shape[0]
    if n > GRAIN:
        return values[valid].sum(dtype=values.dtype)
    zero = values.dtype.type(0)
    if n == 0:
        return zero
    if not valid.all():
        if not valid[_BLOCK::_BLOCK].all():
            return _nll_loop(values, valid)
        # The carries after rows 16, 32, ... all happen, as with every row valid; a skipped
        # row elsewhere adds nothing, just like a 0 in its place (up to the sign of a zero,
        # which the final + 0 settles as ATen's zero start does).
        values = np.where(valid, values, zero)
    plan = _NLL_PLANS.get(n)
    if plan is None:
        if len(_NLL_PLANS) >= _MAX_PLANS:
            _NLL_PLANS.clear()
        plan = _NLL_PLANS[n] = _nll_plan(n)
    return plan(values) + zero  # type: ignore[no-any-return]


def _nll_loop(values: np.ndarray, valid: np.ndarray) -> np.generic:
    """nll_order_sum element by element (some multiple of 16 is skipped: its carry is too)."""
    n = values.shape[0]
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
