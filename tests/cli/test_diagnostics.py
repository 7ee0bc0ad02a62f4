"""The one renderer of program errors: location, source line, caret, hint, colour."""

from __future__ import annotations

from gradlang.diagnostics import render, render_internal, warning_line
from gradlang.errors import GradlangError, Span

SOURCE = "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward()\n"


def _error(line: int, col: int, end_col: int, hint: str | None = None) -> GradlangError:
    return GradlangError(
        "RuntimeError",
        "grad can be implicitly created only for scalar outputs",
        Span("prog.grad", line, col, line, end_col),
        hint,
    )


def test_location_line_caret_and_hint() -> None:
    text = render(_error(3, 1, 13, hint="pass gradient="), {"prog.grad": SOURCE})
    assert text == (
        "prog.grad:3:1: RuntimeError: grad can be implicitly created only for scalar outputs\n"
        "  3 | y.backward()\n"
        "    | ^^^^^^^^^^^^\n"
        "hint: pass gradient=\n"
    )


def test_caret_sits_under_the_span() -> None:
    text = render(_error(2, 5, 10), {"prog.grad": SOURCE})
    lines = text.splitlines()
    assert lines[1] == "  2 | y = x * 2"
    assert lines[2] == "    |     ^^^^^"
    assert len(lines) == 3  # no hint line without a hint


def test_without_source_or_span() -> None:
    assert render(_error(2, 5, 10)).splitlines() == [
        "prog.grad:2:5: RuntimeError: grad can be implicitly created only for scalar outputs"
    ]
    bare = GradlangError("LimitError", "too slow", None, "raise --timeout")
    assert (
        render(bare, fallback_file="p.grad")
        == "p.grad: LimitError: too slow\nhint: raise --timeout\n"
    )


def test_multiline_span_carets_to_end_of_line_and_tabs_expand() -> None:
    src = "if True:\n\tz = (1 +\n\t     2)\n"
    error = GradlangError("SyntaxError", "bad", Span("f", 2, 2, 3, 8))
    lines = render(error, {"f": src}).splitlines()
    assert lines[1] == "  2 |     z = (1 +"
    assert lines[2] == "    |     ^^^^^^^^"


def test_colour_only_when_asked() -> None:
    plain = render(_error(3, 1, 13, "h"), {"prog.grad": SOURCE})
    coloured = render(_error(3, 1, 13, "h"), {"prog.grad": SOURCE}, color=True)
    assert "\x1b[" not in plain and "\x1b[" in coloured
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_internal_error_has_no_traceback() -> None:
    text = render_internal(ZeroDivisionError("division by zero"))
    assert text.startswith("gradlang: InternalError: ZeroDivisionError: division by zero\n")
    assert "Traceback" not in text and "--debug" in text


def test_warning_line() -> None:
    assert warning_line("p.grad:3: UserWarning: x") == "p.grad:3: UserWarning: x\n"
