"""`Session`: the one entry of the CLI and the REPL (parse → run → result as data)."""

from __future__ import annotations

import pytest

from gradlang.session import Session, SessionOptions


def test_run_source_returns_output_tensors_and_no_error() -> None:
    echoed: list[str] = []
    session = Session(SessionOptions(echo=echoed.append))
    result = session.run_source("a = torch.ones(2)\nn = 3\nb = a * n\nprint(b)\n", "p.grad")
    assert result.ok and result.exit_code == 0
    assert result.output == "tensor([3., 3.])\n" == "".join(echoed)
    assert [name for name, _ in result.tensors] == ["a", "b"]  # tensors only, in order
    assert session.sources["p.grad"].startswith("a = ")


def test_errors_are_data() -> None:
    session = Session()
    result = session.run_source("print('x')\ntorch.ones(3).item()\n", "p.grad")
    assert not result.ok and result.exit_code == 1
    assert result.output == "x\n"
    assert result.error is not None and result.error.type_name == "RuntimeError"
    assert result.error.span is not None and result.error.span.line == 2
    syntax = session.run_source("x = (\n", "q.grad")
    assert syntax.error is not None and syntax.error.type_name == "SyntaxError"


def test_state_lasts_until_reset_and_interactive_values() -> None:
    session = Session()
    session.run_source("x = torch.tensor([1., 2.])\n", "<input-1>", interactive=True)
    result = session.run_source("x * 2\n", "<input-2>", interactive=True)
    assert result.has_value and session.format_value(result.value) == "tensor([2., 4.])"
    assert not session.run_source("y = 1\n", "<input-3>", interactive=True).has_value
    session.reset()
    assert session.global_tensors() == []
    assert session.run_source("x\n", "<input-4>", interactive=True).error is not None


def test_seed_option() -> None:
    a = Session(SessionOptions(seed=3)).run_source("print(torch.rand(2))\n", "p")
    b = Session(SessionOptions(seed=3)).run_source("print(torch.rand(2))\n", "p")
    c = Session().run_source("print(torch.rand(2))\n", "p")
    assert a.output == b.output != c.output


def test_internal_errors_are_caught_unless_debugging(monkeypatch) -> None:
    from gradlang.runtime import Interpreter

    def broken(self, module, source=None):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(Interpreter, "run", broken)
    result = Session().run_source("x = 1\n", "p")
    assert isinstance(result.internal, ZeroDivisionError) and result.exit_code == 1
    with pytest.raises(ZeroDivisionError):
        Session(SessionOptions(debug=True)).run_source("x = 1\n", "p")


def test_trace_can_be_turned_on_and_off() -> None:
    session = Session()
    session.set_trace(True)
    program = "x = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n"
    traced = session.run_source(program, "p")
    assert "backward from" in traced.output and "x.grad += [3., 3.]" in traced.output
    session.set_trace(False)
    assert session.run_source(program, "q").output == ""


def test_source_line_for_the_tools() -> None:
    session = Session()
    session.run_source("a = 1\nb = 2\n", "p.grad")

    class Span:
        file, line = "p.grad", 2

    assert session.source_line(Span()) == "b = 2"
    Span.line = 9
    assert session.source_line(Span()) is None
