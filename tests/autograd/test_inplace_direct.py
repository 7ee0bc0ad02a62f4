"""`t += / -= / *= other` under no_grad writes straight into t's storage (inplace._write_direct):
the same bits as PyTorch's in-place op, the version bump, and the general path's errors."""

from __future__ import annotations

import numpy as np
import pytest

from gradlang.autograd import inplace
from gradlang.autograd.errors import TorchRuntimeError

from .harness import G

OPS = ["add_", "sub_", "mul_"]
SHAPES = [  # (target, other): other broadcasts into the target's shape
    ((8, 16), (8, 16)),
    ((8, 16), (16,)),
    ((8, 16), (1, 16)),
    ((8, 16), (8, 1)),
    ((64, 1), ()),
    ((5,), (1,)),
    ((), ()),
    ((3, 4, 5), (4, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize(("shape", "other_shape"), SHAPES)
def test_same_bits_as_torch(op: str, dtype: str, shape: tuple, other_shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(shape) * 31 + len(other_shape))
    a = rng.standard_normal(shape)
    b = rng.standard_normal(other_shape) * 1e-3
    for other in ("tensor", 0.37, 3):
        ours = G.tensor(a, dtype=getattr(G, dtype))
        theirs = torch.tensor(a, dtype=getattr(torch, dtype))
        if other == "tensor":
            ours_other: object = G.tensor(b, dtype=getattr(G, dtype))
            theirs_other: object = torch.tensor(b, dtype=getattr(torch, dtype))
        else:
            ours_other = theirs_other = other
        storage = ours._data
        with G.no_grad():
            getattr(ours, op)(ours_other)
        with torch.no_grad():
            getattr(theirs, op)(theirs_other)
        assert ours._data is storage  # written in place
        assert ours._version == theirs._version == 1
        np.testing.assert_array_equal(ours._data, theirs.numpy())
        assert ours._data.tobytes() == theirs.numpy().tobytes()


def test_direct_path_is_taken_only_when_nothing_is_recorded() -> None:
    from gradlang.autograd import ops_math as m

    w = G.randn(4, 3, requires_grad=True)
    g = G.randn(4, 3)
    with G.no_grad():
        assert inplace._write_direct(w, m.sub, g)
    assert not inplace._write_direct(w.detach(), m.sub, g.requires_grad_())  # grad mode on
    x = G.randn(4, 3)
    assert not inplace._write_direct(x, m.sub, G.randn(4, 3, dtype=G.float64))  # promotes
    assert not inplace._write_direct(x, m.div, G.randn(4, 3))  # not in the table
    assert not inplace._write_direct(x, m.sub, G.randn(2, 4, 3))  # would grow
    assert not inplace._write_direct(G.ones(3, dtype=G.int64), m.sub, 1)  # integer tensor


def test_general_path_errors_stay() -> None:
    x = G.randn(3)
    with G.no_grad(), pytest.raises(TorchRuntimeError, match="doesn't match the broadcast"):
        x += G.randn(2, 3)
    y = G.randn(1).expand(3)
    with G.no_grad(), pytest.raises(TorchRuntimeError, match="more than one element"):
        y -= 1.0
