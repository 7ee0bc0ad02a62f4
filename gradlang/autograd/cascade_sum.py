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
  and +0.0 once per result, first or last (PyTorch's sums are never -0.0).
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
_WIDE_ROWS = 32  # inner sums of many short rows run with the rows as numpy's inner axis


def _seq(k: int, axis: int, wide: bool, zero: np.generic | None = None) -> Plan:
    """The k rows along `axis` added left to right (that axis removed), after `zero` if given.
    `wide`: a smaller axis of size > 1 follows `axis`, so numpy's reduce is sequential."""
    pre = (slice(None),) * axis
    first, second, last = pre + (0,), pre + (1,), pre + (-1,)
    if wide and k > 2:
        if zero is None:
            return lambda a: _reduce(a, axis)
        return lambda a: _reduce(a, axis, initial=zero)
    if k == 1:
        if zero is None:
            return lambda a: a[first]
        return lambda a: a[first] + zero
    if k == 2:
        if zero is None:
            return lambda a: a[first] + a[second]
        return lambda a: a[first] + a[second] + zero
    if zero is None:
        return lambda a: _accumulate(a, axis)[last]
    return lambda a: _accumulate(a, axis)[last] + zero


# The plans below work along the axis after `lead` (the independent sums before it: () or
# (batch,)) and take any array whose elements in C order form the shape they are built for
# (a view, or the input itself: the first step reshapes). With `zero`, they end by adding
# it (as ATen's accumulators start at +0.0, module docstring); without, they leave it out.


def _cascade(lead: tuple[int, ...], rows: int, w: tuple[int, ...], zero: np.generic | None) -> Plan:
    """ATen's multi_row_sum along the rows of a (*lead, rows, *w) array: blocks of 16 rows
    added in order (level 0); each block sum added into level 1, which carries into level 2
    every 16 blocks, which carries into level 3 every 16 of those; then leftover rows +
    level 1 + level 2 + level 3. Returns (*lead, *w)."""
    wide = prod(w) > 1
    ax = len(lead)
    shape = lead + (rows,) + w
    nb, tail = divmod(rows, _BLOCK)
    if nb == 0 or rows == _BLOCK:  # one sequential sum (fewer than 16 rows, or one block)
        seq = _seq(rows, ax, wide, zero)
        return lambda a: seq(a.reshape(shape))
    ng, nb_left = divmod(nb, _BLOCK)
    nh, ng_left = divmod(ng, _BLOCK)
    pre = (slice(None),) * ax
    blocks = _seq(_BLOCK, ax + 1, wide)
    if not tail and not ng:  # whole blocks, fewer than 16 (16-240 rows)
        left1_only = _seq(nb_left, ax, wide, zero)
        to_blocks = lead + (nb, _BLOCK) + w
        return lambda a: left1_only(blocks(a.reshape(to_blocks)))
    body, rest = pre + (slice(None, nb * _BLOCK),), pre + (slice(nb * _BLOCK, None),)
    to_blocks = lead + (nb, _BLOCK) + w
    groups, ungrouped = pre + (slice(None, ng * _BLOCK),), pre + (slice(ng * _BLOCK, None),)
    to_groups = lead + (ng, _BLOCK) + w
    supers, unsuper = pre + (slice(None, nh * _BLOCK),), pre + (slice(nh * _BLOCK, None),)
    to_supers = lead + (nh, _BLOCK) + w
    tail_sum = _seq(tail, ax, wide) if tail else None
    left1 = _seq(nb_left, ax, wide) if nb_left else None
    left2 = _seq(ng_left, ax, wide) if ng_left else None
    top = _seq(nh, ax, wide) if nh else None

    def run(a: np.ndarray) -> np.ndarray:
        a = a.reshape(shape)
        b = blocks(a[body].reshape(to_blocks))
        terms = [tail_sum(a[rest])] if tail_sum else []
        if left1:
            terms.append(left1(b[ungrouped]))
        if ng:
            c = blocks(b[groups].reshape(to_groups))
            if left2:
                terms.append(left2(c[unsuper]))
            if top:
                terms.append(top(blocks(c[supers].reshape(to_supers))))
        total = terms[0] if zero is None else zero + terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    return run


def _row_sum(lead: tuple[int, ...], rows: int, w: tuple[int, ...], zero: np.generic | None) -> Plan:
    """ATen's row_sum along the rows of a (*lead, rows, *w) array: row 4i+k goes to
    accumulator k (a cascade each), then acc0 + the 0-3 leftover rows + acc1 + acc2 + acc3."""
    wide = prod(w) > 1
    ax = len(lead)
    shape = lead + (rows,) + w
    n4, left = divmod(rows, _ILP)
    if n4 == 0:
        seq = _seq(rows, ax, wide, zero)
        return lambda a: seq(a.reshape(shape))
    cascade = _cascade(lead, n4, (_ILP,) + w, None)
    if not left:
        lanes = _seq(_ILP, ax, wide, zero)
        return lambda a: lanes(cascade(a))
    # acc0, the leftover rows, acc1, acc2, acc3 added in that order: one sequential sum of
    # those rows stacked (a concatenate and a reduce instead of a numpy call per term)
    pre = (slice(None),) * ax
    body = pre + (slice(None, n4 * _ILP),)
    first, others = pre + (slice(None, 1),), pre + (slice(1, None),)
    leftover = pre + (slice(n4 * _ILP, None),)
    in_order = _seq(1 + left + _ILP - 1, ax, wide, zero)

    def run(a: np.ndarray) -> np.ndarray:
        a = a.reshape(shape)
        p = cascade(a[body])
        return in_order(np.concatenate((p[first], a[leftover], p[others]), axis=ax))

    return run


def _inner_sum(r: int, n: int, lanes: int, zero: np.generic) -> Plan:
    """Each row of a contiguous (r, n) array summed (ATen's vectorized inner sum): the
    vectors of `lanes` floats through row_sum, then per row the leftover elements and the
    lanes added in order. Returns (r,), or a numpy scalar when r == 1."""
    shape = (r, n)
    if n < lanes:  # the scalar loop: row_sum over the elements (x0 + x4 + x5 + x6 + x1 + x2 + x3)
        order = np.array([0, *range(_ILP, n), 1, 2, 3] if n >= _ILP else range(n), np.intp)
        if r == 1:
            if n < _ILP:
                return lambda x: _accumulate(x.ravel())[-1] + zero
            return lambda x: _accumulate(x.ravel()[order])[-1] + zero
        return lambda x: _reduce(np.ascontiguousarray(x.reshape(shape).T[order]), 0, initial=zero)
    vecs, left = divmod(n, lanes)
    body = vecs * lanes
    if r == 1:
        rowsum = _row_sum((), vecs, (lanes,), None)
        if left:

            def run1(x: np.ndarray) -> np.ndarray:
                flat = x.ravel()
                return _accumulate(np.concatenate((flat[body:], rowsum(flat[:body]))))[-1] + zero

            return run1
        return lambda x: _accumulate(rowsum(x))[-1] + zero
    if r < _WIDE_ROWS or not _ILP <= vecs <= r // 4:  # rows first: inner loops along lanes
        rowsum = _row_sum((r,), vecs, (lanes,), None)
        if not left:
            return lambda x: _reduce(np.ascontiguousarray(rowsum(x).T), 0, initial=zero)

        def lanes_by_row(x: np.ndarray) -> np.ndarray:
            return rowsum(x[:, :body]).T

    else:  # the rows last (one copy): numpy's inner loops run across all r rows at once
        rowsum_t = _row_sum((), vecs, (lanes, r), None)
        to_vecs = (r, vecs, lanes)

        def lanes_by_row(x: np.ndarray) -> np.ndarray:
            return rowsum_t(np.ascontiguousarray(x[:, :body].reshape(to_vecs).transpose(1, 2, 0)))

        if not left:
            return lambda x: _reduce(lanes_by_row(x.reshape(shape)), 0, initial=zero)
    stack = (left + lanes, r)

    def run(x: np.ndarray) -> np.ndarray:
        x = x.reshape(shape)
        z = np.empty(stack, x.dtype)  # C order, so that the reduce is sequential
        z[:left] = x[:, body:].T
        z[left:] = lanes_by_row(x)
        return _reduce(z, 0, initial=zero)

    return run


def _outer_sum(batch: int, r: int, c: int, lanes: int, zero: np.generic) -> Plan:
    """Sum over axis 1 of a contiguous (batch, r, c) array (ATen's outer sums): the columns
    in whole blocks of 4 vectors through multi_row_sum, the rest through row_sum."""
    block = _ILP * lanes if c >= lanes else _ILP
    split = (c // block) * block
    lead = () if batch == 1 else (batch,)
    if split == c:
        return _cascade(lead, r, (c,), zero)
    rest = _row_sum(lead, r, (c - split,), zero)
    if split == 0:
        return rest
    head = _cascade(lead, r, (split,), zero)
    shape = lead + (r, c)
    pre = (slice(None),) * (len(lead) + 1)
    left_cols, right_cols = pre + (slice(None, split),), pre + (slice(split, None),)
    axis = len(lead)

    def run(x: np.ndarray) -> np.ndarray:
        x = x.reshape(shape)
        return np.concatenate((head(x[left_cols]), rest(x[right_cols])), axis=axis)

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
        kernel = _inner_sum(1, sizes[0], lanes, zero)
    elif kinds == (0, 1):
        kernel = _inner_sum(sizes[0], sizes[1], lanes, zero)
    elif kinds == (1, 0):
        kernel = _outer_sum(1, sizes[0], sizes[1], lanes, zero)
    elif kinds == (0, 1, 0):
        kernel = _outer_sum(sizes[0], sizes[1], sizes[2], lanes, zero)
    else:
        return None
    if order != sorted(order):  # the array in memory order (contiguous, checked above)
        perm = tuple(order)
        if kept_shape:
            return lambda d: kernel(d.transpose(perm)).reshape(kept_shape)
        return lambda d: np.asarray(kernel(d.transpose(perm)))
    if kept_shape:
        return lambda d: kernel(d).reshape(kept_shape)
    return lambda d: np.asarray(kernel(d))


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
    cascade = _cascade((), rest, (), None)
    return lambda v: cascade(v[1:]) + v[0]


def nll_order_sum(values: np.ndarray, valid: np.ndarray | None) -> np.generic:
    """The sum of the rows of `values` where `valid` (None: every row), in the order of
    ATen's nll_loss kernel: eight levels, each element added at level 0 and carried up every
    16 (or more) rows."""
    n = values.shape[0]
    if n > GRAIN:
        return values[valid].sum(dtype=values.dtype) if valid is not None else values.sum()
    zero = values.dtype.type(0)
    if n == 0:
        return zero
    if valid is not None and not valid.all():
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
    index = np.flatnonzero(valid)
    picked = values[index]
    # float64 as Python floats (the same IEEE double additions, faster); float32 as numpy's
    zero: object = 0.0 if values.dtype == np.float64 else values.dtype.type(0)
    items = picked.tolist() if values.dtype == np.float64 else list(picked)
    acc: list = [zero] * levels
    for b, v in zip(index.tolist(), items):
        acc[0] = acc[0] + v
        if b & mask:
            continue
        for j in range(levels - 1):
            if b & (mask << (j * power)):
                break
            acc[j + 1] = acc[j + 1] + acc[j]
            acc[j] = zero
    total = zero
    for a in acc:
        total = total + a
    return values.dtype.type(total)  # type: ignore[no-any-return]
