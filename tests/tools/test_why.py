"""why(x): every reason x.grad can be what it is."""

from __future__ import annotations

from .conftest import run

BASE = "x = torch.tensor([1., 2., 3.], requires_grad=True)\n"


def why_of(program: str, name: str) -> str:
    ran = run(program + f"why({name})\n")
    assert ran.error is None, ran.error
    return ran.output


def test_leaf_with_gradient() -> None:
    out = why_of(BASE + "(x * x).sum().backward()\n", "x")
    assert "x is a leaf that requires grad" in out
    assert "One backward pass wrote it: the backward at line 2" in out
    assert "x.grad = [2., 4., 6.]" in out


def test_accumulated_over_several_passes() -> None:
    out = why_of(BASE + "(x * 2).sum().backward()\n(x * 3).sum().backward()\n", "x")
    assert "2 backward passes added into it" in out and "Gradients add up" in out


def test_non_leaf_not_retained() -> None:
    out = why_of(BASE + "y = x * 2\nz = (y ** 2).sum()\nz.backward()\n", "y")
    assert "y is not a leaf (made by MulBackward0 at line 2)" in out
    assert "did go through y" in out
    assert "call y.retain_grad() before backward" in out


def test_requires_grad_false() -> None:
    out = why_of("c = torch.tensor([1., 2.])\n", "c")
    assert "c does not require grad" in out and "requires_grad=True" in out


def test_integer_dtype() -> None:
    out = why_of(BASE + "i = x.argmax()\n", "i")
    assert "dtype torch.int64" in out and "only floating-point tensors" in out


def test_detached() -> None:
    out = why_of(BASE + "d = x.detach()\n", "d")
    assert "It was made by detach() at line 2" in out


def test_not_connected() -> None:
    out = why_of(
        BASE + "w = torch.tensor([1.], requires_grad=True)\n(x * 2).sum().backward()\n", "w"
    )
    assert "never reached w" in out


def test_backward_never_ran() -> None:
    out = why_of("fresh = torch.tensor([5.], requires_grad=True)\n", "fresh")
    assert "fresh.grad is None although fresh is a leaf that requires grad" in out


def test_retain_grad_after_backward() -> None:
    out = why_of(BASE + "y = x * 2\ns = y.sum()\ns.backward()\ny.retain_grad()\n", "y")
    assert "before retain_grad() was called" in out


def test_not_a_tensor() -> None:
    assert "only tensors do" in why_of("n = 3\n", "n")


def test_computed_under_no_grad() -> None:
    out = why_of(BASE + "with torch.no_grad():\n    n = x * 2\n", "n")
    assert "n is assigned inside a `with no_grad():` block (line 3)" in out
