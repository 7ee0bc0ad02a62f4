"""jacobian, hessian, vjp, jvp and gradcheck against torch.autograd (2.13)."""

from __future__ import annotations

import numpy as np
import pytest

from gradlang.autograd.creation import tensor
from gradlang.autograd.dtypes import float64
from gradlang.autograd.errors import TorchRuntimeError
from gradlang.tools import functional as G
from gradlang.tools.gradcheck import report, torch_gradcheck

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

pytestmark = pytest.mark.torch

X = [0.3, -1.2, 2.0]
Y = [1.5, 0.25, -0.5]

# The same function on both engines: `lib` is the torch module or the engine's api table.
FUNCS = {
    "square": lambda x: x**2,
    "sin_exp": lambda x: x.sin() * x.exp(),
    "tanh_sum": lambda x: (x.tanh() * x).sum(),
    "outerish": lambda x: (x.unsqueeze(1) * x.unsqueeze(0)).sum(1),
    "matvec": lambda x: (x.unsqueeze(0) * x.unsqueeze(1) + 1.0).sum(0) / (x * x + 1.0),
}


def ours(values: list[float], dtype=None):
    return tensor(values, dtype=dtype)


def theirs(values: list[float], dtype=None):
    return torch.tensor(values, dtype=dtype)


def close(a, b, tol: float = 1e-5) -> None:
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for p, q in zip(a, b):
            close(p, q, tol)
        return
    assert tuple(a.shape) == tuple(b.shape)
    assert a.dtype.name == str(b.dtype).removeprefix("torch.")
    assert a.requires_grad == b.requires_grad
    np.testing.assert_allclose(np.asarray(a._data), b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_jacobian(name: str) -> None:
    f = FUNCS[name]
    close(G.jacobian(f, ours(X)), TF.jacobian(f, theirs(X)))


@pytest.mark.parametrize("name", ["tanh_sum"])
def test_hessian(name: str) -> None:
    f = FUNCS[name]
    close(G.hessian(f, ours(X)), TF.hessian(f, theirs(X)), 1e-4)


def test_hessian_of_a_product_of_two_inputs() -> None:
    def f(a, b):
        return (a * b * a).sum()

    close(G.hessian(f, (ours(X), ours(Y))), TF.hessian(f, (theirs(X), theirs(Y))), 1e-4)


def test_jacobian_tuples() -> None:
    def f(a, b):
        return a * b, (a + b).exp()

    close(G.jacobian(f, (ours(X), ours(Y))), TF.jacobian(f, (theirs(X), theirs(Y))))


def test_jacobian_of_a_constant_is_zero() -> None:
    close(
        G.jacobian(lambda x: ours([1.0, 2.0]), ours(X)),
        TF.jacobian(lambda x: theirs([1.0, 2.0]), theirs(X)),
    )


def test_vjp() -> None:
    f = FUNCS["sin_exp"]
    close(G.vjp(f, ours(X), ours(Y)), TF.vjp(f, theirs(X), theirs(Y)))
    g = FUNCS["tanh_sum"]
    close(G.vjp(g, ours(X)), TF.vjp(g, theirs(X)))


def test_jvp() -> None:
    f = FUNCS["outerish"]
    close(G.jvp(f, ours(X), ours(Y)), TF.jvp(f, theirs(X), theirs(Y)))


def test_float64_keeps_dtype() -> None:
    f = FUNCS["sin_exp"]
    close(G.jacobian(f, ours(X, float64)), TF.jacobian(f, theirs(X, torch.float64)), 1e-12)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("vjp", (lambda x: x * 2, X)),
        ("jvp", (lambda x: x * 2, X)),
        ("hessian", (lambda x: x * 2, X)),
    ],
)
def test_errors_match(call: str, args) -> None:
    fn, values = args
    with pytest.raises(RuntimeError) as theirs_err:
        getattr(TF, call)(fn, theirs(values))
    with pytest.raises(TorchRuntimeError) as ours_err:
        getattr(G, call)(fn, ours(values))
    assert str(ours_err.value) == str(theirs_err.value)


def test_v_of_the_wrong_size() -> None:
    with pytest.raises(RuntimeError) as theirs_err:
        TF.vjp(lambda x: x * 2, theirs(X), theirs([1.0, 2.0]))
    with pytest.raises(TorchRuntimeError) as ours_err:
        G.vjp(lambda x: x * 2, ours(X), ours([1.0, 2.0]))
    assert str(ours_err.value) == str(theirs_err.value)


def test_gradcheck_agrees() -> None:
    f = FUNCS["sin_exp"]
    a = tensor(X, dtype=float64, requires_grad=True)
    b = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    assert torch_gradcheck(f, (a,)) is True
    assert torch.autograd.gradcheck(f, (b,)) is True


def test_gradcheck_float32_fails_as_torch_does() -> None:
    f = FUNCS["square"]
    a = tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch.autograd.gradcheck(f, (b,), raise_exception=False)
    assert torch_gradcheck(f, (a,), raise_exception=False) is expected


def test_gradcheck_reports_a_wrong_derivative() -> None:
    """A function whose backward is wrong: x.detach() * x has gradient x, not 2x."""

    def wrong(x):
        return x.detach() * x

    a = tensor(X, dtype=float64, requires_grad=True)
    with pytest.raises(
        TorchRuntimeError,
        match="Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor",
    ):
        torch_gradcheck(wrong, (a,))
    passed, text = report(wrong, (a,), ["x"])
    assert passed is False and "FAIL" in text and "FAILED: worst error" in text


def test_gradlang_gradcheck_uses_float64() -> None:
    passed, text = report(FUNCS["tanh_sum"], (tensor(X, requires_grad=True),), ["x"])
    assert passed is True and "in float64" in text and "passed" in text
