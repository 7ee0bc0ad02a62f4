"""addcmul as ATen's CPU kernel computes it: one fused multiply-add, fma(value * t1, t2, self),
emulated exactly (rng.fma32/fma64): the same bits as PyTorch; addcdiv is not fused."""

from __future__ import annotations

import numpy as np
import pytest

from .harness import G

SHAPES = [((64,), (64,), (64,)), ((2, 3), (3,), (2, 3)), ((), (), ()), ((4, 1), (1, 3), (3,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
def test_pointwise3_bit_for_bit(op: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    for shapes in SHAPES:
        for value in (1, 0.5, 0.3, -2):
            a, b, c = (rng.standard_normal(s) for s in shapes)
            if op == "addcdiv":
                c = np.abs(c) + 0.5
            outs = []
            for lib in (G, torch):
                kind = getattr(lib, dtype)
                t = [lib.tensor(v, dtype=kind) for v in (a, b, c)]
                outs.append(getattr(lib, op)(*t, value=value).numpy())
            assert outs[0].shape == outs[1].shape
            assert outs[0].tobytes() == outs[1].tobytes(), (shapes, value)


def test_addcmul_broadcast_error_is_pytorchs() -> None:
    with pytest.raises(RuntimeError, match="must match the size of tensor"):
        G.addcmul(G.ones(3), G.ones(2), G.ones(3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight", ["tensor", 0.3, 0.7, -0.2, 1.0])
def test_lerp_bit_for_bit(weight: object, dtype: str) -> None:
    """ATen's lerp: fma(w, end - start, start) for |w| < 0.5, else fma(w - 1, end - start, end)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((2, 500))
    w = rng.uniform(-1.0, 1.5, 500)
    outs = []
    for lib in (G, torch):
        kind = getattr(lib, dtype)
        wt = lib.tensor(w, dtype=kind) if weight == "tensor" else weight
        outs.append(lib.lerp(lib.tensor(a, dtype=kind), lib.tensor(b, dtype=kind), wt).numpy())
    assert outs[0].tobytes() == outs[1].tobytes()


def test_lerp_tensor_weight_graph_like_torch() -> None:
    torch = pytest.importorskip("torch")
    seen = []
    for lib in (G, torch):
        a, b = lib.ones(3, requires_grad=True), lib.zeros(3, requires_grad=True)
        w = lib.full((3,), 0.3, requires_grad=True)
        y = lib.lerp(a, b, w)
        grads = lib.autograd.grad(y.sum(), (a, b, w), create_graph=True)
        name = y.grad_fn.name() if lib is G else type(y.grad_fn).__name__
        seen.append((name, [np.array(g.detach().numpy()).tolist() for g in grads]))
    assert seen[0] == seen[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tanh_backward_fuses_one_minus_square(dtype: str) -> None:
    """ATen's tanh_backward computes grad * fma(-y, y, 1): where the forward tanh agrees,
    the gradient agrees bit for bit (the forward's last bit is numpy's: docs/differences.md)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x, go = rng.standard_normal((2, 5000)) * 2
    got = []
    for lib in (G, torch):
        kind = getattr(lib, dtype)
        t = lib.tensor(x, dtype=kind, requires_grad=True)
        y = lib.tanh(t)
        y.backward(lib.tensor(go, dtype=kind))
        got.append((np.array(y.detach().numpy()), np.array(t.grad.numpy())))
    (ours_y, ours_g), (torch_y, torch_g) = got
    same = ours_y == torch_y
    assert same.mean() > 0.5
    np.testing.assert_array_equal(ours_g[same], torch_g[same])


def test_one_minus_square_is_the_fma() -> None:
    """Equal to the exact fma emulation (a difference needs a float64 rounding onto a float32
    midpoint: about one element in 2**29 with |y| < 1/8, none among these)."""
    from gradlang.autograd.rng import fma32, one_minus_square

    rng = np.random.default_rng(10)
    for low, high in ((-0.2, 0.2), (-1.0, 1.0), (-0.01, 0.01)):
        y = rng.uniform(low, high, 300_000).astype(np.float32)
        np.testing.assert_array_equal(one_minus_square(y), fma32(-y, y, np.float32(1)))
    exact = np.array([0.0, 1.0, -1.0, 0.5, 2**-130, 0.125], np.float32)
    np.testing.assert_array_equal(one_minus_square(exact), fma32(-exact, exact, np.float32(1)))
