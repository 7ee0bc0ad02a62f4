"""mm runs np.dot on C/F-contiguous float operands (cheaper on small matrices) and np.matmul
otherwise (ops_linalg.mm). The fast path must not change a bit: on every layout mm gives
exactly np.matmul's result, which the corpus and fidelity suites compare with PyTorch.
(PyTorch's MKL gemm itself rounds differently from numpy's OpenBLAS on many shapes: a known
gap, docs/differences.md.)"""

from __future__ import annotations

import numpy as np
import pytest

from gradlang.autograd.tensor import Tensor

from .harness import G


def _layout(x: np.ndarray, mode: int) -> np.ndarray:
    if mode == 1:  # a transposed view, as `.t()` and mm's backward make
        return np.ascontiguousarray(x.T).T
    if mode == 2:  # every other column of a wider matrix (no BLAS layout)
        return np.repeat(x, 2, axis=1)[:, ::2]
    return x


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mm_is_bit_identical_to_matmul(dtype: str) -> None:
    rng = np.random.default_rng(2026)
    kind = getattr(G, dtype)
    for trial in range(1500):
        m, k, p = (int(v) for v in rng.integers(1, 64, 3))
        if trial % 4 == 0:
            k = int(rng.integers(1, 300))
        if trial % 5 == 0:
            p = 1
        if trial % 7 == 0:
            m = 1
        a = _layout(rng.standard_normal((m, k)).astype(kind.np), trial % 3)
        b = _layout(rng.standard_normal((k, p)).astype(kind.np), (trial // 3) % 3)
        ours = G.mm(Tensor(a, kind), Tensor(b, kind))._data
        assert ours.tobytes() == np.matmul(a, b).tobytes(), (trial, a.shape, b.shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mm_backward_arrays_match_the_differentiable_formulas(dtype: str) -> None:
    """Without create_graph, MmBackward0 multiplies the arrays directly (mm_grad_self /
    mm_grad_mat2); with it, through mm and t(). Both must give the same bits."""
    rng = np.random.default_rng(7)
    kind = getattr(G, dtype)
    for trial in range(200):
        m, k, p = (int(v) for v in rng.integers(1, 40, 3))
        a = _layout(rng.standard_normal((m, k)).astype(kind.np), trial % 3)
        b = _layout(rng.standard_normal((k, p)).astype(kind.np), (trial // 3) % 3)
        grads = []
        for create_graph in (False, True):
            x = G.tensor(a, requires_grad=True)
            w = G.tensor(b, requires_grad=True)
            out = G.mm(x, w)
            gx, gw = G.autograd.grad(out, (x, w), G.ones_like(out), create_graph=create_graph)
            grads.append((gx._data.tobytes(), gw._data.tobytes()))
            assert gx.requires_grad is create_graph
        assert grads[0] == grads[1], (trial, a.shape, b.shape)
