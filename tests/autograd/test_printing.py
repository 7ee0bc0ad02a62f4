"""Tests of gradlang.autograd.printing against PyTorch 2.13's own text for tensors.

The 130 recorded cases of the shared reference are replayed with torch building the tensors
and gradlang printing them (torch's Tensor.__repr__/__str__/__format__ are swapped for
gradlang's functions while each expression runs); thousands of seeded random tensors are
then compared with torch's live repr.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradlang.autograd.printing import format_scalar_item, size_repr, tensor_format, tensor_repr

# a copy of the shared reference's repr_cases.json: 130 {expr, repr} pairs recorded from torch
REPR_CASES = Path(__file__).parent / "data_rng_print" / "repr_cases.json"


# --------------------------------------------------------------------------- no torch needed


def test_examples_without_torch() -> None:
    f32 = np.float32
    assert tensor_repr(np.array(3.5, f32), "float32", None, False) == "tensor(3.5000)"
    assert tensor_repr(np.array([1, 2], np.int32), "int32", None, False) == (
        "tensor([1, 2], dtype=torch.int32)"
    )
    assert tensor_repr(np.array([12345.678], f32), "float32", None, False) == (
        "tensor([12345.6777])"
    )
    assert tensor_repr(np.zeros((0, 3), bool), "bool", None, False) == (
        "tensor([], size=(0, 3), dtype=torch.bool)"
    )
    assert tensor_repr(np.array([1.0, 2.0], f32), "float32", "MulBackward0", True) == (
        "tensor([1., 2.], grad_fn=<MulBackward0>)"
    )
    assert tensor_repr(np.array([-np.inf, 1.5], f32), "float32", None, False) == (
        "tensor([  -inf, 1.5000])"
    )


def test_format_rules() -> None:
    f32 = np.float32
    assert tensor_format(np.array(0.1, f32), "float32", None, False, "") == "0.10000000149011612"
    assert tensor_format(np.array(2.5, f32), "float32", None, True, ".2f") == "2.50"
    assert tensor_format(np.array(3, np.int64), "int64", None, False, "") == "3"
    assert tensor_format(np.array(True), "bool", None, False, "") == "True"
    assert tensor_format(np.array([2.5], f32), "float32", None, False, "") == "tensor([2.5000])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        tensor_format(np.array([2.5], f32), "float32", None, False, ".2f")
    assert format_scalar_item(np.float32(0.5), "") == "0.5"
    assert format_scalar_item(7, ">3") == "  7"


def test_size_repr() -> None:
    assert size_repr((2, 3)) == "torch.Size([2, 3])"
    assert size_repr(()) == "torch.Size([])"
    assert size_repr((5,)) == "torch.Size([5])"


# --------------------------------------------------------------------------- against torch


def _facts(t: Any) -> tuple[np.ndarray, str, str | None, bool]:
    grad_fn = None if t.grad_fn is None else type(t.grad_fn).__name__
    dtype_name = str(t.dtype).removeprefix("torch.")
    data = t.detach()
    if dtype_name in ("bfloat16",):
        data = data.float()
    return data.numpy(), dtype_name, grad_fn, t.requires_grad


@contextlib.contextmanager
def _gradlang_printing(torch: Any) -> Iterator[None]:
    """Make torch tensors print through gradlang while the block runs."""
    # torch.Tensor has no __str__ of its own: str() reaches __repr__ through object.__str__
    saved = {name: torch.Tensor.__dict__[name] for name in ("__repr__", "__format__")}

    def _repr(self: Any, *args: Any, **kwargs: Any) -> str:
        return tensor_repr(*_facts(self))

    def _format(self: Any, spec: str) -> str:
        return tensor_format(*_facts(self), spec)

    torch.Tensor.__repr__ = _repr
    torch.Tensor.__format__ = _format
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(torch.Tensor, name, fn)


def _load_cases() -> list[dict[str, Any]]:
    return json.loads(REPR_CASES.read_text())


@pytest.mark.torch
def test_reference_repr_cases() -> None:
    torch = pytest.importorskip("torch")
    cases = _load_cases()
    assert len(cases) == 130
    failures = []
    for case in cases:
        with _gradlang_printing(torch):
            try:
                value = eval(case["expr"], {"torch": torch})
            except TypeError as exc:
                got = f"{type(exc).__name__}: {exc}"
            else:
                if isinstance(value, torch.Size):
                    got = size_repr(tuple(value))
                elif isinstance(value, torch.dtype):
                    got = str(value)  # dtype objects are not this module's
                elif isinstance(value, torch.Tensor):
                    got = repr(value)
                else:
                    got = value
        if got != case["repr"]:
            failures.append((case["expr"], got, case["repr"]))
    assert not failures, failures[:3]


def _random_values(rng: np.random.Generator, n: int, dtype: str) -> np.ndarray:
    if dtype == "bool":
        return rng.random(n) < rng.random()
    if dtype in ("int64", "int32"):
        bits = int(rng.choice([3, 8, 20, 31 if dtype == "int32" else 60]))
        return rng.integers(-(2**bits), 2**bits, n).astype(dtype)
    kind = rng.integers(6)
    if kind == 0:  # integral floats
        values = np.round(rng.standard_normal(n) * 10.0 ** rng.integers(0, 10))
    elif kind == 1:  # one wide scale
        values = rng.standard_normal(n) * 10.0 ** rng.integers(
            -45 if dtype == "float64" else -38, 39
        )
    elif kind == 2:  # scales mixed inside one tensor
        values = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12, n).astype(float)
    elif kind == 3:  # near the sci-mode borders
        values = rng.choice([1e-4, 9.9999e-5, 1e8, 1e8 + 8, 1000.0, 1.0, 0.5, 500.5], n)
        values = values * rng.choice([1, -1], n)
    else:
        values = rng.standard_normal(n) * rng.choice([1.0, 3.0, 100.0, 0.01])
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -3e-42, 5e-324, 1e300])
    if rng.random() < 0.5:
        where = rng.random(n) < rng.random() * 0.5
        values = np.where(where, rng.choice(specials, n), values)
    with np.errstate(over="ignore"):
        return values.astype(dtype)


def _random_shape(rng: np.random.Generator) -> tuple[int, ...]:
    if rng.random() < 0.1:  # summarised
        return tuple(
            [(1001,), (2000,), (40, 30), (3, 20, 20), (2, 3, 13, 13), (7, 200), (500, 3)][
                rng.integers(7)
            ]
        )
    ndim = int(rng.integers(0, 5))
    high = [1, 40, 12, 6, 4][ndim]
    return tuple(int(rng.integers(0, high + 1)) for _ in range(ndim))


@pytest.mark.torch
def test_random_tensors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2026)
    checked = 0
    for _ in range(3000):
        shape = _random_shape(rng)
        dtype = str(rng.choice(["float32", "float32", "float64", "int64", "bool", "int32"]))
        values = _random_values(rng, int(np.prod(shape)), dtype).reshape(shape)
        t = torch.from_numpy(values.copy())
        if dtype.startswith("float"):
            grad = rng.integers(3)
            if grad == 1:
                t.requires_grad_(True)
            elif grad == 2:
                t = t.requires_grad_(True).clone() if rng.random() < 0.5 else t.requires_grad_() * 1
        expected = repr(t)
        got = tensor_repr(*_facts(t))
        assert got == expected, (shape, dtype, values)
        checked += 1
    assert checked == 3000


@pytest.mark.torch
def test_the_comparison_can_fail() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.5])
    assert tensor_repr(*_facts(t)) == repr(t)
    assert tensor_repr(np.array([1.0, 2.5], np.float64), "float32", None, False) == repr(t)
    assert tensor_repr(np.array([1.0, 2.5]), "float64", None, False) != repr(t)
