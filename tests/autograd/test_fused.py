"""addcmul as ATen's CPU kernel computes it: one fused multiply-add, fma(value * t1, t2, self),
emulated exactly (rng.fma32/fma64): the same bits as PyTorch; addcdiv is not fused."""

from __future__ import annotations

import numpy as np
import pytest

from .harness import G

SHAPES = [((64,), (64,), (64,)), ((2, 3), (3,), (2, 3)), ((), (), ()), ((4, 1), (1, 3), (3,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
def test_pointwise3_bit_for_bit(op: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    for shapes in SHAPES:
        for value in (1, 0.5, 0.3, -2):
            a, b, c = (rng.standard_normal(s) for s in shapes)
            if op == "addcdiv":
                c = np.abs(c) + 0.5
            outs = []
            for lib in (G, torch):
                kind = getattr(lib, dtype)
                t = [lib.tensor(v, dtype=kind) for v in (a, b, c)]
                outs.append(getattr(lib, op)(*t, value=value).numpy())
            assert outs[0].shape == outs[1].shape
            assert outs[0].tobytes() == outs[1].tobytes(), (shapes, value)


def test_addcmul_broadcast_error_is_pytorchs() -> None:
    with pytest.raises(RuntimeError, match="must match the size of tensor"):
        G.addcmul(G.ones(3), G.ones(2), G.ones(3))
