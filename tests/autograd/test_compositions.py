"""Random compositions of ops (expression trees over three leaves, float64): values, the
output's node names and every leaf gradient match PyTorch 2.13, seed by seed."""

from __future__ import annotations

import random
import warnings
from typing import Any

import numpy as np
import pytest

from gradlang.autograd import warnings as engine_warnings

from .harness import G

UN = [
    "exp",
    "tanh",
    "sigmoid",
    "sin",
    "cos",
    "relu",
    "abs",
    "neg",
    "square",
    "softmax0",
    "sumk",
    "mean0",
    "T",
    "flip",
    "cumsum",
    "logsumexp",
    "clampp",
    "pow3",
    "sqrtabs",
    "logabs1",
    "getitem",
    "unsq_sq",
    "reshape",
    "expand",
    "norm",
    "max0",
    "div2",
    "rsub",
]
BI = ["add", "sub", "mul", "div", "maximum", "matmul", "where", "cat", "stack", "pow"]


def un(t: Any, op: str, a: Any) -> Any:
    if op == "exp":
        return (a * 0.3).exp()
    if op == "tanh":
        return a.tanh()
    if op == "sigmoid":
        return t.sigmoid(a)
    if op == "sin":
        return a.sin()
    if op == "cos":
        return t.cos(a)
    if op == "relu":
        return t.nn.functional.relu(a)
    if op == "abs":
        return a.abs()
    if op == "neg":
        return -a
    if op == "square":
        return a.square()
    if op == "softmax0":
        return t.softmax(a, 0) if a.dim() else a
    if op == "sumk":
        return a.sum(-1, keepdim=True) if a.dim() else a.sum()
    if op == "mean0":
        return a.mean(0) if a.dim() else a.mean()
    if op == "T":
        return a.t() if a.dim() <= 2 else a.transpose(0, 1)
    if op == "flip":
        return a.flip(0) if a.dim() else a
    if op == "cumsum":
        return a.cumsum(0) if a.dim() else a
    if op == "logsumexp":
        return a.logsumexp(0) if a.dim() else a
    if op == "clampp":
        return a.clamp(-0.7, 0.9)
    if op == "pow3":
        return a**3
    if op == "sqrtabs":
        return (a.abs() + 0.5).sqrt()
    if op == "logabs1":
        return (a.abs() + 1).log()
    if op == "getitem":
        return a[0] if a.dim() else a
    if op == "unsq_sq":
        return a.unsqueeze(0).squeeze(0)
    if op == "reshape":
        return a.reshape(-1)
    if op == "expand":
        return a.unsqueeze(0).expand(2, *a.shape)
    if op == "norm":
        return a.norm()
    if op == "max0":
        return a.max(0).values if a.dim() else a
    if op == "div2":
        return 2 / (a.abs() + 1)
    if op == "rsub":
        return 1 - a


def bi(t: Any, op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op == "div":
        return a / (b.abs() + 1)
    if op == "maximum":
        return t.maximum(a, b)
    if op == "pow":
        return (a.abs() + 0.5) ** (b * 0.5)
    if op == "where":
        return t.where(a > b, a, b * 2)
    if op == "matmul":
        if a.dim() >= 1 and b.dim() >= 1 and a.shape[-1] == b.shape[0] and b.dim() <= 2:
            return a @ b
        return a * b
    if op == "cat":
        if a.dim() == b.dim() and a.dim() >= 1 and a.shape[1:] == b.shape[1:]:
            return t.cat([a, b])
        return a + b
    if op == "stack":
        if a.shape == b.shape:
            return t.stack([a, b])
        return a - b


def build(rng: random.Random, depth: int) -> tuple:
    if depth == 0 or rng.random() < 0.2:
        return ("leaf", rng.randrange(3))
    if rng.random() < 0.6:
        return ("un", rng.choice(UN), build(rng, depth - 1))
    return ("bi", rng.choice(BI), build(rng, depth - 1), build(rng, depth - 1))


def ev(t: Any, tree: tuple, leaves: list) -> Any:
    if tree[0] == "leaf":
        return leaves[tree[1]]
    if tree[0] == "un":
        return un(t, tree[1], ev(t, tree[2], leaves))
    return bi(t, tree[1], ev(t, tree[2], leaves), ev(t, tree[3], leaves))


def run(t: Any, tree: tuple, arrs: list, dtype: str = "float64") -> tuple:
    leaves = [t.tensor(a.copy(), dtype=getattr(t, dtype), requires_grad=True) for a in arrs]
    try:
        out = ev(t, tree, leaves)
    except Exception as e:  # noqa: BLE001 - both engines must fail alike
        return ("error", str(e)[:60])
    loss = (out * out).sum() if out.dim() else out * out
    names = []
    n = out.grad_fn
    if n is not None:
        names = [n.name()] + [
            m.name().replace("torch::autograd::", "") if m else None for m, _ in n.next_functions
        ]
    loss.backward()
    grads = [None if leaf.grad is None else leaf.grad.numpy() for leaf in leaves]
    return (out.detach().numpy(), names, grads)


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(150))
def test_composition_matches_torch(seed: int) -> None:
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    arrs = [nrng.uniform(-1.5, 1.5, s) for s in [(3,), (2, 3), (3,)]]
    tree = build(rng, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = run(torch, tree, arrs)
    previous = engine_warnings.set_handler(lambda message, category: None)
    try:
        got = run(G, tree, arrs)
    finally:
        engine_warnings.set_handler(previous)
    assert isinstance(want[0], str) == isinstance(got[0], str), (tree, want[:2], got[:2])
    if isinstance(want[0], str):
        return
    np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-10)
    assert got[1] == want[1]
    for g, w in zip(got[2], want[2]):
        assert (g is None) == (w is None)
        if g is not None:
            np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-9)


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(100))
def test_float32_broadcasting_composition(seed: int) -> None:
    """float32, with 0-dim and broadcasting leaves."""
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    shapes = [rng.choice([(3,), (), (1, 3)]), (2, 3), rng.choice([(3,), (2, 1), ()])]
    arrs = [nrng.uniform(-1.5, 1.5, s) for s in shapes]
    tree = build(rng, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = run(torch, tree, arrs, "float32")
    previous = engine_warnings.set_handler(lambda message, category: None)
    try:
        got = run(G, tree, arrs, "float32")
    finally:
        engine_warnings.set_handler(previous)
    assert isinstance(want[0], str) == isinstance(got[0], str), (tree, want[:2], got[:2])
    if isinstance(want[0], str):
        return
    np.testing.assert_allclose(got[0], want[0], rtol=2e-4, atol=2e-5)
    assert got[1] == want[1]
    for g, w in zip(got[2], want[2]):
        assert (g is None) == (w is None)
        if g is not None:
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-5)
