"""0-dim tensors take numpy's scalar paths (ops_math: unary ops on `d[()]`, add/mul through
scalar arithmetic): cheaper, and they must give exactly the bits of the array path."""

from __future__ import annotations

import numpy as np
import pytest

from gradlang.autograd import ops_math

from .harness import G

UNARY = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "sqrt", "rsqrt", "erf", "asinh",
    "acosh", "atanh", "erfc", "sinc",
]  # fmt: skip
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-30, -1e-30, 88.7, 89.0, -104.0, 710.0, np.inf, -np.inf]


def _values(rng: np.random.Generator) -> np.ndarray:
    return np.concatenate(
        [rng.standard_normal(300) * 3, rng.uniform(-1, 1, 100), rng.uniform(1, 50, 100), SPECIAL]
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_on_0dim_is_the_array_path(name: str, dtype: str) -> None:
    fn = getattr(ops_math, name)
    kind = getattr(G, dtype)
    with np.errstate(all="ignore"):
        for v in _values(np.random.default_rng(len(name))):
            scalar = fn(G.tensor(float(v), dtype=kind))
            array = fn(G.tensor([float(v)], dtype=kind))
            assert scalar._data.shape == () and scalar._dtype is kind
            assert scalar._data.tobytes() == array._data.tobytes(), (name, v)


def test_unary_on_0dim_integer_computes_in_float32() -> None:
    out = ops_math.sin(G.tensor(3))
    assert out._dtype is G.float32
    assert out._data.tobytes() == np.sin(np.float32(3)).tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["add", "mul"])
def test_add_mul_on_0dim_are_the_array_path(op: str, dtype: str) -> None:
    fn = getattr(ops_math, op)
    kind = getattr(G, dtype)
    values = _values(np.random.default_rng(7))
    with np.errstate(all="ignore"):
        for a, b in zip(values, values[::-1]):
            for other in (float(b), G.tensor(float(b), dtype=kind)):
                scalar = fn(G.tensor(float(a), dtype=kind), other)
                wide = other if isinstance(other, float) else G.tensor([float(b)], dtype=kind)
                array = fn(G.tensor([float(a)], dtype=kind), wide)
                assert scalar._data.shape == () and scalar._data.flags.writeable
                assert scalar._data.tobytes() == array._data.tobytes(), (op, a, b)
