"""Second and third derivatives through elu, selu, celu, softplus and gelu: PyTorch composes
their double backward from ordinary ops (FunctionsManual's *_double_backward), so the graph
of a second derivative has its node names and can be differentiated again."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .harness import G

CASES = {
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, alpha=0.7),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, alpha=1.5),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=3.0),
    "gelu": lambda F, x: F.gelu(x),
}
VALUES = [-2.5, -1.5, -0.3, -0.01, 0.4, 1.0, 2.0, 4.0]


def _names(fn: Any) -> list[str]:
    """The node and its inputs' nodes, by name."""
    if fn is None:
        return []
    return [fn.name()] + sorted(n.name() for n, _ in fn.next_functions if n is not None)


def _derivatives(lib: Any, functional: Any, case: str, dtype: str) -> list[Any]:
    x = lib.tensor(VALUES, dtype=getattr(lib, dtype), requires_grad=True)
    y = CASES[case](functional, x).sum()
    out = []
    for _ in range(3):
        (y,) = lib.autograd.grad(y, x, create_graph=True)
        out.append((np.array(y.detach().numpy()), _names(y.grad_fn)))
        y = y.sum()
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_three_derivatives_like_torch(case: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    from types import SimpleNamespace

    from gradlang.autograd.api import FUNCTIONAL

    ours = _derivatives(G, SimpleNamespace(**FUNCTIONAL), case, dtype)
    theirs = _derivatives(torch, torch.nn.functional, case, dtype)
    for order, ((ov, on), (tv, tn)) in enumerate(zip(ours, theirs), start=1):
        assert on == tn, (order, on, tn)
        np.testing.assert_allclose(ov, tv, rtol=2e-6 if dtype == "float32" else 1e-13, atol=1e-7)


FIRST_ORDER = {  # gradients written in ATen's order: the same bits as PyTorch's
    "div": lambda lib, a, b: (a / b).sum(),
    "rsqrt": lambda lib, a, b: b.rsqrt().sum(),
    "log": lambda lib, a, b: b.log().sum(),
    "log10": lambda lib, a, b: b.log10().sum(),
    "atan2": lambda lib, a, b: lib.atan2(a, b).sum(),
    "asin": lambda lib, a, b: (a * 0.1).asin().sum(),
    "acos": lambda lib, a, b: (a * 0.1).acos().sum(),
    "addcdiv": lambda lib, a, b: lib.addcdiv(a, a, b, value=0.3).sum(),
    "bce": lambda lib, a, b: lib.nn.functional.binary_cross_entropy(a, b),
    "bce_sum": lambda lib, a, b: lib.nn.functional.binary_cross_entropy(a, b, reduction="sum"),
}
# inputs mapped into (0, 1) first; their target gradient is -logit(x), whose log rounds its
# last bit as numpy's does, not as PyTorch's vectorised kernel (docs/differences.md): only
# the input's gradient is compared bit for bit
PROBABILITIES = {"bce", "bce_sum"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(FIRST_ORDER))
def test_gradients_bit_for_bit(case: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    for _ in range(40):
        a = rng.standard_normal(9)
        b = rng.standard_normal(9) + 3.0
        if case in PROBABILITIES:
            a, b = 1 / (1 + np.exp(-a)), 1 / (1 + np.exp(-b + 3.0))
        grads = []
        for lib in (G, torch):
            ta = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
            tb = lib.tensor(b, dtype=getattr(lib, dtype), requires_grad=True)
            FIRST_ORDER[case](lib, ta, tb).backward()
            leaves = (ta,) if case in PROBABILITIES else (ta, tb)
            grads.append([None if t.grad is None else t.grad.numpy().tobytes() for t in leaves])
        assert grads[0] == grads[1]


@pytest.mark.parametrize(
    "case",
    ["div", "rsqrt", "log", "norm"],
)
def test_second_derivative_graphs_like_torch(case: str) -> None:
    torch = pytest.importorskip("torch")
    graphs = []
    for lib in (G, torch):
        x = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
        y = lib.tensor([2.0, 3.0, 4.0], requires_grad=True)
        if case == "div":
            out = (x / y).sum()
        elif case == "norm":
            out = x.norm()
        else:
            out = getattr(x, case)().sum()
        g1 = lib.autograd.grad(out, (x, y) if case == "div" else x, create_graph=True)
        g2 = lib.autograd.grad(g1[-1].sum(), x, create_graph=True)[0]
        graphs.append([_names(g.grad_fn) for g in (*g1, g2)])
    assert graphs[0] == graphs[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"reduction": "sum"}])
def test_nll_loss_gradient_bit_for_bit(options: dict, dtype: str) -> None:
    """ATen's order: weight * -(grad / total_weight) (not grad * (-weight / total))."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    for _ in range(30):
        x = rng.standard_normal((5, 4))
        t = rng.integers(0, 4, 5)
        w = rng.uniform(0.5, 2.0, 4)
        grads = []
        for lib in (G, torch):
            a = lib.tensor(x, dtype=getattr(lib, dtype), requires_grad=True)
            kwargs: dict[str, Any] = {"reduction": options.get("reduction", "mean")}
            if options.get("weight"):
                kwargs["weight"] = lib.tensor(w, dtype=getattr(lib, dtype))
            loss = lib.nn.functional.nll_loss(a, lib.tensor(t), **kwargs)
            (loss * 1.7).backward()
            grads.append(a.grad.numpy().tobytes())
        assert grads[0] == grads[1]
