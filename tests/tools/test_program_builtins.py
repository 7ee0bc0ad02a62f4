"""The tools as program builtins, and their torch.autograd spellings."""

from __future__ import annotations

from .conftest import run


def test_functional_reachable_under_torch_autograd() -> None:
    ran = run(
        "x = torch.tensor([1., 2.])\n"
        "print(torch.autograd.functional.jacobian(lambda t: t * 3, x))\n"
        "print(torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x))\n"
        "print(torch.autograd.functional.vjp(lambda t: t * 3, x, torch.ones(2)))\n"
        "print(torch.autograd.functional.jvp(lambda t: t * 3, x, torch.ones(2)))\n"
        "print(torch.autograd.gradcheck(lambda t: t.sin(), x.double().requires_grad_()))\n",
        "<functional>",
    )
    assert ran.error is None, ran.error
    assert ran.output == (
        "tensor([[3., 0.],\n        [0., 3.]])\n"
        "tensor([[ 6.,  0.],\n        [ 0., 12.]])\n"
        "(tensor([3., 6.]), tensor([3., 3.]))\n"
        "(tensor([3., 6.]), tensor([3., 3.]))\n"
        "True\n"
    )


def test_gradcheck_builtin_prints_and_returns() -> None:
    ran = run(
        "def f(t):\n    return (t ** 2).sum()\n"
        "x = torch.tensor([1., 2.])\nok = gradcheck(f, x)\nprint(ok)\n",
        "<gradcheck>",
    )
    assert ran.error is None
    assert ran.output.startswith("gradcheck f: autograd vs central differences in float64")
    assert "ok    output 0 wrt x [2]" in ran.output
    assert ran.output.endswith("True\n")


def test_wrong_arguments_are_program_errors() -> None:
    for source, message in [
        ("graph(3)\n", "graph() expects a tensor, not int"),
        ("explain('a')\n", "explain() expects a tensor, not str"),
        ("jacobian(3, torch.ones(2))\n", "'int' object is not callable"),
        ("jacobian(lambda t: 1.5, torch.ones(2))\n", "must be either a Tensor or a tuple"),
    ]:
        err = run(source, "<bad>").error
        assert err is not None and err.type_name == "TypeError" and message in err.message


def test_explain_of_a_non_scalar_needs_a_gradient() -> None:
    err = run("x = torch.ones(2, requires_grad=True)\nexplain(x * 2)\n", "<vjp>").error
    assert err is not None
    assert err.message == "grad can be implicitly created only for scalar outputs"
    assert "gradient=" in err.hint
