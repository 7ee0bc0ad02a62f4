"""The oracle itself can fail: it rejects what it must reject."""

from __future__ import annotations

import pytest

from fuzz.oracle import Hang, check_error, check_source, watchdog
from gradlang.errors import GradlangError, Span


def test_accepts_a_good_program() -> None:
    assert check_source("x = tensor([1.0], requires_grad=True)\n(x * 2).sum().backward()\n") == "ok"


def test_accepts_positioned_errors() -> None:
    assert check_source("x = (\n") == "syntax"
    assert check_source("y = undefined_name + 1\n") == "error"


def test_rejects_an_error_without_position() -> None:
    with pytest.raises(AssertionError, match="without a position"):
        check_error(GradlangError("TypeError", "x"), "x\n", "run")


def test_rejects_internal_errors_and_unknown_types() -> None:
    span = Span("<fuzz>", 1, 1, 1, 2)
    with pytest.raises(AssertionError):
        check_error(GradlangError("InternalError", "boom", span), "x\n", "run")
    with pytest.raises(AssertionError, match="unexpected error type"):
        check_error(GradlangError("SystemExit", "0", span), "x\n", "run")


def test_watchdog_fires() -> None:
    with pytest.raises(Hang):
        with watchdog(1):
            while True:
                pass
