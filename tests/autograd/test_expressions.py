"""Expressions from PyTorch tutorials and forums (expressions.txt), run on PyTorch 2.13 and on
gradlang: the same repr text, or the same error type and message. `;` separates statements;
the last one is the value compared."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import pytest

from gradlang.autograd import warnings as engine_warnings

from .harness import G

LINES = [
    line
    for line in (Path(__file__).parent / "expressions.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def evaluate(lib: Any, code: str) -> str:
    env = {"torch": lib, "F": lib.nn.functional, "math": math}
    *statements, last = code.split(";")
    try:
        for statement in statements:
            exec(statement.strip(), env)
        return repr(eval(last.strip(), env))
    except Exception as error:  # noqa: BLE001 - any error is compared
        for klass in type(error).__mro__:
            if klass.__module__ == "builtins":
                return f"{klass.__name__}: {error}"
        return f"{type(error).__name__}: {error}"


@pytest.mark.torch
@pytest.mark.parametrize("code", LINES)
def test_same_as_torch(code: str) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = evaluate(torch, code)
    previous = engine_warnings.set_handler(lambda message, category: None)
    try:
        got = evaluate(G, code)
    finally:
        engine_warnings.set_handler(previous)
    assert got == expected
