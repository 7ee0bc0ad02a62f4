"""The interpreter with the engine: warnings in Python's format, in-place augmented
assignment, attribute allow-list and assignment on tensors, the tensor rule of the Python
builtins, grad mode kept per interpreter, origins set per statement."""

from __future__ import annotations

import pytest

from gradlang.autograd import grad_mode
from gradlang.errors import GradlangError, Span
from gradlang.runtime import Interpreter, Limits
from gradlang.runtime.engine import Tensor
from gradlang.syntax.parser import parse

from .helpers import fails, run


def test_nonleaf_grad_warning_in_pythons_format() -> None:
    src = "x = torch.ones(2, requires_grad=True)\ny = x * 2\nprint(y.grad)\nprint(y.grad)\n"
    out: list[str] = []
    warnings: list[str] = []
    interp = Interpreter(Limits(), None, out.append, warnings.append)
    interp.run(parse(src, "w.grad"), src)
    assert out == ["None\n", "None\n"]
    assert len(warnings) == 2  # one per line, as Python's default filter does
    first = warnings[0]
    assert first.startswith("w.grad:3: UserWarning: The .grad attribute of a Tensor that is not")
    assert first.endswith("\n  print(y.grad)\n")


def test_warning_shown_once_per_line_in_a_loop() -> None:
    src = "x = torch.ones(2, requires_grad=True)\nfor i in range(3):\n    g = (x * 2).grad\n"
    warnings: list[str] = []
    Interpreter(Limits(), None, lambda t: None, warnings.append).run(parse(src, "w"), src)
    assert len(warnings) == 1


def test_augmented_assignment_is_in_place_on_tensors() -> None:
    out = run(
        "t = torch.zeros(2)\nalias = t\nt += 1\nt *= 3\nprint(alias, alias is t)\n"
        "u = t\nt = t + 1\nprint(u is t)"
    )
    assert out == "tensor([3., 3.]) True\nFalse\n"
    err = fails("x = torch.ones(2, requires_grad=True)\nx -= 1")
    assert err.type_name == "RuntimeError"
    assert err.message.startswith("a leaf Variable that requires grad")
    assert (err.span.line, err.span.column) == (2, 1)


def test_tensor_attribute_assignment() -> None:
    out = run(
        "x = torch.ones(2)\nx.requires_grad = True\n(x * 3).sum().backward()\nprint(x.grad)\n"
        "x.grad = None\nprint(x.grad)\nx.data = torch.zeros(2)\nprint(x)"
    )
    assert out == "tensor([3., 3.])\nNone\ntensor([0., 0.], requires_grad=True)\n"
    assert fails("x = torch.ones(2)\nx.foo = 1").type_name == "AttributeError"
    assert fails("x = torch.ones(2)\nx.shape = (1,)").type_name == "AttributeError"
    assert fails("x = torch.ones(2)\nprint(x.nope)").message == (
        "'Tensor' object has no attribute 'nope'"
    )


def test_tensor_rule_of_python_builtins() -> None:
    out = run("t = torch.tensor([-2.0, 1.0])\nprint(abs(t), max(t), min(t), sum(t), round(t))")
    assert out == "tensor([2., 1.]) tensor(1.) tensor(-2.) tensor(-1.) tensor([-2.,  1.])\n"


def test_grad_mode_belongs_to_the_interpreter() -> None:
    interp = Interpreter(Limits(), None, lambda t: None, lambda t: None)
    interp.run(parse("torch.set_grad_enabled(False)", "p"))
    assert grad_mode.enabled is True  # the process's mode is restored after the run
    value = interp.run_interactive(parse("torch.is_grad_enabled()", "p"))
    assert value is False  # ... and the program's mode lasts to its next entry
    with pytest.raises(GradlangError):
        run("with torch.no_grad():\n    x = 1 / 0")
    assert grad_mode.enabled is True


def test_origin_is_the_statement_span() -> None:
    interp = Interpreter(Limits(), None, lambda t: None, lambda t: None)
    interp.run(
        parse(
            "def f(x):\n    return x * 2\nx = torch.ones(1, requires_grad=True)\ny = f(x) + 1",
            "o.grad",
        )
    )
    y = interp.globals["y"]
    origin = y.grad_fn.origin
    assert isinstance(origin, Span) and origin.line == 4  # the caller's line, after the call
    mul = y.grad_fn.next_functions[0][0]
    assert mul.origin.line == 2


def test_names_of_tensors() -> None:
    interp = Interpreter(Limits(), None, lambda t: None, lambda t: None)
    interp.run(parse("a = torch.ones(1)\nb = a\nc = torch.ones(1)", "p"))
    assert interp.names_of(interp.globals["a"]) == ["a", "b"]
    assert isinstance(interp.globals["c"], Tensor)


def test_with_needs_a_grad_mode() -> None:
    err = fails("with 5:\n    pass")
    assert err.type_name == "TypeError"
    assert "context manager" in err.message
    assert run("with torch.no_grad() as g:\n    print(torch.is_grad_enabled())") == "False\n"
    for context in ("torch.enable_grad()", "torch.set_grad_enabled(True)",
                    "torch.autograd.set_detect_anomaly(True)"):  # fmt: skip
        assert run(f"with {context}:\n    print(torch.is_grad_enabled())") == "True\n"
    assert fails("class_ = torch.no_grad\nwith class_:\n    pass").type_name == "TypeError"


def test_grad_fn_nodes_allow_list() -> None:
    src = "x = torch.ones(2, requires_grad=True)\nn = (x * 2).grad_fn\n"
    assert run(src + "print(n.name(), n.next_functions[0][0].variable is x)") == (
        "MulBackward0 True\n"
    )
    assert fails(src + "print(n.rule)").type_name == "AttributeError"
    assert fails(src + "print(n.inputs)").type_name == "AttributeError"


def test_max_dim_pair_attributes() -> None:
    out = run("m = torch.tensor([[1.0, 3.0], [4.0, 2.0]]).max(dim=1)\nprint(m.values, m.indices)")
    assert out == "tensor([3., 4.]) tensor([1, 0])\n"
