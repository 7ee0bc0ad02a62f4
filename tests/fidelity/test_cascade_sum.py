"""Float sums replay PyTorch's order (gradlang/autograd/cascade_sum.py) bit for bit."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradlang.autograd.cascade_sum import torch_order_sum

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


def test_falls_back_where_it_does_not_replay() -> None:
    assert torch_order_sum(np.ones(40000, np.float32), None) is None
    assert torch_order_sum(np.ones(10, np.int64), None) is None
    assert torch_order_sum(np.ones((2, 3, 4), np.float32)[:, ::2], None) is None


def test_short_rows_use_four_interleaved_accumulators() -> None:
    # ATen's row_sum for 6 floats: (x0 + x4 + x5) + x1 + x2 + x3, so the 1e8s cancel first
    x = np.array([1e8, 1.0, 1.0, 1.0, -1e8, 1.0], np.float32)
    assert torch_order_sum(x, None) == 4.0
    assert np.sum(x) != 4.0


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
