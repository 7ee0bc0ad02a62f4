"""Float sums replay PyTorch's order (gradlang/autograd/cascade_sum.py) bit for bit.

Three kinds of check: fixed shapes and random layouts (permuted memory, every kind of dims,
sizes across the block boundaries, float32 and float64) against torch itself; the same random
layouts against `reference_sum`, a direct transcription of ATen's loops (so the replay stays
checked where torch is missing); and the numpy facts the fast plans rely on.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from gradlang.autograd import cascade_sum
from gradlang.autograd.cascade_sum import GRAIN, nll_order_sum, torch_order_sum

SHAPES = [(n,) for n in (1, 5, 7, 8, 9, 20, 33, 64, 100, 257, 2000, 32768)] + [
    (3, 5),
    (5, 3),
    (2, 9),
    (9, 2),
    (7, 40),
    (40, 7),
    (4, 33, 3),
    (3, 100, 10),
    (2, 3, 4, 5),
    (1, 50),
    (64, 130),
]

# Sizes on both sides of the cascade's boundaries: a level-0 block is 16 rows, and the
# rows are vectors of 8 (float32) or 4 (float64) lanes dealt to 4 accumulators.
BOUNDARY = [15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513]
BOUNDARY += [1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192, 8193, 16383, 16384, 16385]
BOUNDARY += [32767, 32768]


# --- the reference: ATen's loops transcribed one to one (slow) ---------------------------


def _sequential(x: np.ndarray) -> np.ndarray:
    """x[0] + x[1] + ... left to right (0 for no rows), in x's dtype."""
    if x.shape[0] == 0:
        return np.zeros(x.shape[1:], x.dtype)
    return np.cumsum(x, axis=0, dtype=x.dtype)[-1]


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """ATen's multi_row_sum over axis 0: level-0 blocks summed in order, then a cascade."""
    size = x.shape[0]
    levels = 4
    power = max(4, (int(size - 1).bit_length() if size > 1 else 0) // levels)
    step = 1 << power
    mask = step - 1
    acc = [np.zeros(x.shape[1:], x.dtype) for _ in range(levels)]
    i = 0
    while i + step <= size:
        acc[0] = acc[0] + _sequential(x[i : i + step])
        i += step
        for j in range(1, levels):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = np.zeros_like(acc[j - 1])
            if i & (mask << (j * power)):
                break
    acc[0] = acc[0] + _sequential(x[i:])
    for j in range(1, levels):
        acc[0] = acc[0] + acc[j]
    return acc[0]


def _row_sum(x: np.ndarray) -> np.ndarray:
    """ATen's row_sum over axis 0: four interleaved accumulators, then the leftovers."""
    size = x.shape[0]
    n = size // 4
    parts = _multi_row_sum(x[: n * 4].reshape((n, 4) + x.shape[1:]))
    total = parts[0]
    for k in range(n * 4, size):
        total = total + x[k]
    for k in range(1, 4):
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
    block = 4 * lanes if c >= lanes else 4
    split = (c // block) * block
    cols = x.transpose(1, 0, 2)  # (r, batch, c): each column an independent sum
    out = np.empty((x.shape[0], c), x.dtype)
    if split:
        out[:, :split] = _multi_row_sum(cols[:, :, :split])
    if split < c:
        out[:, split:] = _row_sum(cols[:, :, split:])
    return out


def reference_sum(d: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray | None:
    """torch_order_sum the slow way (None where it does not replay the layout)."""
    if d.dtype not in (np.float32, np.float64) or d.size == 0 or d.size > GRAIN:
        return None
    ndim = d.ndim
    reduced = set(range(ndim)) if dims is None else set(dims)
    kept_shape = tuple(s for i, s in enumerate(d.shape) if i not in reduced)
    if all(d.shape[i] == 1 for i in reduced):
        return d.reshape(kept_shape) + d.dtype.type(0)
    order = sorted(range(ndim), key=lambda i: -abs(d.strides[i]))
    runs: list[list[int]] = []
    for i in order:
        if d.shape[i] == 1:
            continue
        kind = int(i in reduced)
        if runs and runs[-1][0] == kind:
            runs[-1][1] *= d.shape[i]
        else:
            runs.append([kind, d.shape[i]])
    kept_in_memory = [i for i in order if i not in reduced and d.shape[i] != 1]
    if kept_in_memory != sorted(kept_in_memory):
        return None
    view = d.transpose(order)
    if not view.flags.c_contiguous:
        return None
    lanes = 8 if d.dtype == np.float32 else 4
    flat = view.reshape(-1)
    kinds = tuple(k for k, _ in runs)
    sizes = tuple(n for _, n in runs)
    if kinds == (1,):
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


def reference_nll_sum(values: np.ndarray, valid: np.ndarray) -> Any:
    """ATen's nll_loss sum, element by element: eight levels, carried after each 16th row."""
    levels = 8
    zero = values.dtype.type(0)
    acc = [zero] * levels
    for b in np.flatnonzero(valid).tolist():
        acc[0] = acc[0] + values[b]
        for j in range(levels - 1):
            if b & (15 << (j * 4)):
                break
            acc[j + 1] = acc[j + 1] + acc[j]
            acc[j] = zero
    total = zero
    for a in acc:
        total = total + a
    return total


# --- random layouts -----------------------------------------------------------------------


def _values(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """Normal values over many magnitudes: almost every change of order changes the bits."""
    return (rng.standard_normal(shape) * np.exp(3 * rng.standard_normal(shape))).astype(dtype)


def _random_dim(rng: np.random.Generator) -> int:
    r = rng.random()
    if r < 0.3:
        return int(rng.integers(1, 10))
    if r < 0.6:
        return int(rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65]))
    if r < 0.7:
        return int(rng.choice([255, 256, 257, 4095, 4096, 4097]))
    return int(rng.integers(1, 300))


def random_layouts(
    seed: int, count: int
) -> list[tuple[np.ndarray, tuple[int, ...] | None, tuple[int, ...]]]:
    """(array, dims, memory order) triples: up to 4-d, memory permuted at random (the array
    is a transposed view of a contiguous one), all dims / some dims, float32 / float64."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        ndim = int(rng.integers(1, 5))
        shape = tuple(_random_dim(rng) for _ in range(ndim))
        if int(np.prod(shape)) > GRAIN:
            continue
        dtype = np.float32 if rng.random() < 0.5 else np.float64
        perm = tuple(int(i) for i in rng.permutation(ndim))
        base = _values(rng, tuple(shape[p] for p in perm), dtype)
        d = base.transpose(np.argsort(perm))
        assert d.shape == shape
        dims: tuple[int, ...] | None = None
        if rng.random() >= 0.2:
            k = int(rng.integers(1, ndim + 1))
            dims = tuple(sorted(int(i) for i in rng.choice(ndim, k, replace=False)))
        out.append((d, dims, perm))
    return out


def _same(got: np.ndarray | None, want: np.ndarray) -> bool:
    return (
        isinstance(got, np.ndarray)
        and got.shape == want.shape
        and got.dtype == want.dtype
        and np.array_equal(got, want, equal_nan=True)
        and np.array_equal(np.signbit(got), np.signbit(want))
    )


# --- tests ---------------------------------------------------------------------------------


def test_falls_back_where_it_does_not_replay() -> None:
    assert torch_order_sum(np.ones(40000, np.float32), None) is None
    assert torch_order_sum(np.ones(10, np.int64), None) is None
    assert torch_order_sum(np.ones((2, 3, 4), np.float32)[:, ::2], None) is None
    assert torch_order_sum(np.broadcast_to(np.ones(3, np.float32), (4, 3)), (0,)) is None
    assert torch_order_sum(np.ones((0, 3), np.float32), (0,)) is None


def test_short_rows_use_four_interleaved_accumulators() -> None:
    # ATen's row_sum for 6 floats: (x0 + x4 + x5) + x1 + x2 + x3, so the 1e8s cancel first
    x = np.array([1e8, 1.0, 1.0, 1.0, -1e8, 1.0], np.float32)
    assert torch_order_sum(x, None) == 4.0
    assert np.sum(x) != 4.0


def test_results_are_fresh_arrays_of_the_kept_shape() -> None:
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    for dims, shape in [(None, ()), ((0,), (4,)), ((1,), (3,)), ((0, 1), ())]:
        got = torch_order_sum(x, dims)
        assert isinstance(got, np.ndarray) and got.shape == shape and got.dtype == x.dtype
    one = np.full((1, 1), -0.0, np.float32)
    got = torch_order_sum(one, (0,))
    assert got is not None and got.shape == (1,) and not np.signbit(got[0])
    got[0] = 5.0
    assert one[0, 0] == 0.0  # not a view of the input
    assert torch_order_sum(x, [0]) is not None  # dims as a list
    for d, dims in [(np.array(-0.0), None), (np.array(2.0), (0,)), (np.ones((1, 1)), None)]:
        got = torch_order_sum(d, dims)
        assert isinstance(got, np.ndarray) and got.shape == () and not np.signbit(got)


def test_numpy_reduce_adds_rows_in_order_when_an_inner_axis_is_wide() -> None:
    """The plans reduce with np.add.reduce only along an axis followed by a smaller axis of
    size > 1, where numpy adds whole rows left to right; cumsum is sequential everywhere."""
    rng = np.random.default_rng(5)
    sensitive = 0
    for dtype in (np.float32, np.float64):
        for k in (3, 4, 7, 8, 9, 15, 16, 17, 33, 100):
            for shape, axis in [((k, 2), 0), ((k, 4), 0), ((k, 8, 3), 0), ((3, k, 4), 1)]:
                for _ in range(20):
                    a = _values(rng, shape, dtype)
                    want = np.moveaxis(np.cumsum(a, axis=axis, dtype=dtype), axis, 0)[-1]
                    assert np.array_equal(np.add.reduce(a, axis), want), (shape, axis)
                    backwards = np.moveaxis(np.cumsum(np.flip(a, axis), axis=axis), axis, 0)[-1]
                    sensitive += not np.array_equal(backwards, want)
    assert sensitive > 1000  # the data does tell one order from another


def test_random_layouts_match_the_reference() -> None:
    replayed = 0
    for d, dims, _ in random_layouts(1, 600):
        want = reference_sum(d, dims)
        got = torch_order_sum(d, dims)
        if want is None:
            assert got is None, (d.shape, d.strides, dims)
            continue
        replayed += 1
        assert _same(got, want), (d.shape, d.strides, dims)
    assert replayed > 400


def test_nll_sum_matches_the_reference() -> None:
    rng = np.random.default_rng(3)
    for n in [1, 2, 3, 15, 16, 17, 33, 255, 256, 257, 4096, 4097, 5000]:
        for dtype in (np.float32, np.float64):
            for p in (0.0, 0.05, 0.5):
                values = _values(rng, (n,), dtype)
                valid = rng.random(n) >= p
                keep16 = valid.copy()
                keep16[16::16] = True  # every carry happens: the vectorised path
                for v in (valid, keep16):
                    got = nll_order_sum(values, v)
                    want = reference_nll_sum(values, v)
                    assert got.dtype == dtype and got == want, (n, dtype, p)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
def test_matches_torch(shape: tuple[int, ...], dtype: str) -> None:
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(len(shape) * 1000 + shape[-1])
    t = torch.randn(*shape, generator=gen, dtype=getattr(torch, dtype))
    views = [t, t.t()] if t.dim() == 2 else [t]
    for v in views:
        dims_list: list[tuple[int, ...] | None] = [None]
        dims_list += [(i,) for i in range(v.dim())]
        dims_list += list(itertools.combinations(range(v.dim()), 2))
        for dims in dims_list:
            got = torch_order_sum(v.numpy(), dims)
            if got is None:
                continue
            want = (v.sum() if dims is None else v.sum(dim=dims)).numpy()
            assert got.shape == want.shape and np.array_equal(got, want), (dims, v.shape)


def _torch_sum(torch: Any, d: np.ndarray, dims: tuple[int, ...] | None) -> np.ndarray:
    t = torch.from_numpy(d)
    return (t.sum() if dims is None else t.sum(dim=dims)).numpy()


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(4))
def test_random_layouts_match_torch(seed: int) -> None:
    torch = pytest.importorskip("torch")
    replayed = 0
    for d, dims, perm in random_layouts(100 + seed, 500):
        got = torch_order_sum(d, dims)
        if got is None:
            continue
        replayed += 1
        assert _same(got, _torch_sum(torch, d, dims)), (d.shape, perm, dims, d.dtype)
    assert replayed > 350


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_block_boundaries_match_torch(dtype: Any) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    checked = 0
    for n in BOUNDARY:
        layouts: list[tuple[int, ...]] = [(n,), (n, 1), (1, n)]
        layouts += [(n, k) for k in (2, 3, 4, 5, 8, 9, 16, 33)]
        layouts += [(k, n) for k in (2, 3, 5, 8)]
        layouts += [(n, 8, 3), (2, n, 3), (3, 2, n)]
        for shape in layouts:
            if int(np.prod(shape)) > GRAIN:
                continue
            for order in {tuple(range(len(shape))), tuple(reversed(range(len(shape))))}:
                base = _values(rng, tuple(shape[i] for i in order), dtype)
                d = base.transpose(np.argsort(order))
                for dims in [None, *[(i,) for i in range(len(shape))]]:
                    got = torch_order_sum(d, dims)
                    if got is None:
                        continue
                    checked += 1
                    assert _same(got, _torch_sum(torch, d, dims)), (shape, order, dims)
    assert checked > 400


@pytest.mark.torch
def test_zeros_and_special_values_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e38, -1e38, 1e-45, 1.0])
    for dtype in (np.float32, np.float64):
        shapes = [(1,), (3,), (17,), (64, 1), (64, 16), (5, 40), (40, 5), (2, 3, 4), (1, 1)]
        for shape in shapes + [
            (64, 40),
            (64, 43),
            (300, 3),
            (3, 300),
            (2, 40, 9),
            (43, 3),
            (43, 12),
        ]:
            for fill in ("negzero", "special"):
                if fill == "negzero":
                    d = np.full(shape, -0.0, dtype)
                else:
                    d = rng.choice(specials, shape).astype(dtype)
                for dims in [None, *[(i,) for i in range(len(shape))]]:
                    got = torch_order_sum(d, dims)
                    assert got is not None
                    want = _torch_sum(torch, d, dims)
                    if fill == "negzero":
                        assert _same(got, want), (shape, dims)
                    else:  # NaN's sign is not PyTorch's to promise
                        assert np.array_equal(got, want, equal_nan=True), (shape, dims)


@pytest.mark.torch
def test_nll_sum_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(13)
    sizes = [1, 2, 3, 15, 16, 17, 31, 32, 33, 255, 256, 257, 4095, 4096, 4097, 20000, 32768]
    for n in sizes:
        for dtype in (np.float32, np.float64):
            for p, weighted in itertools.product((0.0, 0.1), (False, True)):
                x = _values(rng, (n, 3), dtype)
                t = rng.integers(0, 3, n)
                t[rng.random(n) < p] = -100
                if p and n % 2:
                    t[16::16] = np.maximum(t[16::16], 0)  # the vectorised path
                w = rng.random(3).astype(dtype) if weighted else None
                valid = t != -100
                safe = np.where(valid, t, 0)
                wt = np.ones(n, dtype) if w is None else np.where(valid, w[safe], 0).astype(dtype)
                picked = -x[np.arange(n), safe] * wt
                want = functional.nll_loss(
                    torch.from_numpy(x),
                    torch.from_numpy(t),
                    weight=None if w is None else torch.from_numpy(w),
                    reduction="sum",
                ).numpy()
                got = nll_order_sum(picked, valid)
                assert got.dtype == want.dtype and got == want, (n, dtype, p, weighted)


def test_plans_are_cached_per_layout() -> None:
    cascade_sum._PLANS.clear()
    x = np.ones((64, 16), np.float32)
    torch_order_sum(x, (0,))
    torch_order_sum(x + 1, (0,))
    torch_order_sum(x.T, (1,))
    assert len(cascade_sum._PLANS) == 2
