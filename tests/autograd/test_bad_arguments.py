"""Bad arguments never leak a Python or numpy exception: every torch.*, F.* function and Tensor
method called with odd arguments raises the engine's own error classes (or succeeds)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from gradlang.autograd import warnings as engine_warnings
from gradlang.autograd.api import FUNCTIONAL, TORCH
from gradlang.autograd.errors import TorchError
from gradlang.autograd.tensor import Tensor

T = TORCH
BINDING = re.compile(r"positional argument|keyword argument|missing \d+ required")


def _values() -> list[Any]:
    return [
        T["ones"](2, 3, requires_grad=True),
        T["tensor"]([1, 2, 3]),
        T["tensor"](2.5),
        T["zeros"](0),
        T["tensor"]([True, False]),
        T["ones"](2, 3, dtype=T["float64"]),
        T["ones"](3, requires_grad=True) * 2,
        -1,
        0,
        2,
        5,
        1.5,
        -0.5,
        None,
        True,
        "a",
        [0, 1],
        (2, 3),
        [],
        T["float64"],
        T["int64"],
    ]


def _calls() -> list[tuple[str, Any]]:
    out = [
        (k, v)
        for k, v in TORCH.items()
        if callable(v)
        and not isinstance(v, type)
        and "." not in k
        and (getattr(v, "__module__", "") or "").startswith("gradlang.autograd")
    ]
    out += [("F." + k, v) for k, v in FUNCTIONAL.items()]
    return out


@pytest.fixture(autouse=True)
def _quiet():
    previous = engine_warnings.set_handler(lambda message, category: None)
    yield
    engine_warnings.set_handler(previous)


def _call(fn: Any, args: list[Any]) -> None:
    try:
        fn(*args)
    except TorchError:
        pass
    except TypeError as error:  # Python's own binding of the call (raised at the call site)
        if not BINDING.search(str(error)):
            raise


@pytest.mark.parametrize("name", [name for name, _ in _calls()])
def test_functions(name: str) -> None:
    fn = dict(_calls())[name]
    rng = random.Random(name)
    for _ in range(12):
        _call(fn, [rng.choice(_values()) for _ in range(rng.randint(0, 3))])


def test_methods() -> None:
    rng = random.Random(0)
    for name in sorted(Tensor.PUBLIC_ATTRIBUTES):
        for _ in range(8):
            t = rng.choice(_values()[:7])
            try:
                method = getattr(t, name)
            except TorchError:
                continue
            if callable(method):
                _call(method, [rng.choice(_values()) for _ in range(rng.randint(0, 2))])
