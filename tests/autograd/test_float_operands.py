"""A Python float operand of add/sub/mul on a float tensor goes to numpy as a cached 0-dim
array of the tensor's dtype (dispatch.float_operand): numpy's ufuncs take that faster than
the float itself. It must give exactly the bits numpy gives for the float, including its
sign of zero, NaN, infinities, and floats beyond float32's range (which stay floats)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradlang.autograd.dispatch import float_operand
from gradlang.autograd.tensor import Tensor

from .harness import G

SCALARS = [0.05, -0.05, 0.0, -0.0, 1.0, -1.0, 1 / 3, 1e-45, 1e-300, 3.4e38, 3.5e38, 1e300,
           float("inf"), float("-inf"), float("nan"), 2.0**-149, 123456789.123]  # fmt: skip
OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_float_operand_gives_numpys_bits(dtype: str, op: str) -> None:
    kind = getattr(G, dtype)
    rng = np.random.default_rng(3)
    data = rng.standard_normal((5, 7)).astype(kind.np)
    data[0, :3] = [0.0, -0.0, np.inf]
    for x in SCALARS:
        for _ in range(2):  # the second time from the cache
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                expected = OPS[op](data, x)
                ours = getattr(G, op)(Tensor(data.copy(), kind), x)._data
            assert ours.dtype == expected.dtype
            assert ours.tobytes() == expected.tobytes(), (op, dtype, x)


def test_float_operand_cache_is_read_only_and_keeps_what_it_cannot_hold() -> None:
    a = float_operand(0.25, G.float32)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.ndim == 0
    assert float_operand(0.25, G.float32) is a
    with pytest.raises(ValueError):
        a[...] = 1.0
    for kept in (0.0, -0.0, float("nan"), 1e300):
        value = float_operand(kept, G.float32)
        assert value is kept
    assert float_operand(0.25, G.int64) == 0.25  # only float32/float64 tensors
