"""celu, repeat_interleave, cross / linalg.cross, kron and cdist beyond the rule table's
samples: PyTorch's errors (type and text), its warning, forward bits and integer dtypes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from gradlang.autograd import warnings as engine_warnings
from gradlang.autograd.errors import TorchError

from .harness import G


def _f(t: Any) -> Any:
    return t.nn.functional


def _cdist_twice(t: Any) -> None:
    x = t.tensor([[0.0, 1.0], [2.0, -1.0]], requires_grad=True)
    y = t.tensor([[1.0, 1.0], [0.5, 0.0], [-1.0, 2.0]], requires_grad=True)
    (g,) = t.autograd.grad(t.cdist(x, y).sum(), x, create_graph=True)
    g.sum().backward()


#: PyTorch's errors for misuse of the new ops: checked by test_errors.py with the others
NEW_OP_ERRORS: dict[str, Callable[[Any], Any]] = {
    "celu int": lambda t: _f(t).celu(t.tensor([1, 2])),
    "celu alpha 0": lambda t: _f(t).celu(t.tensor([1.0, -2.0]), alpha=0),
    "celu list": lambda t: _f(t).celu([1.0, 2.0]),
    "torch.celu list": lambda t: t.celu([1.0, 2.0]),
    "ri negative": lambda t: t.ones(2, 3).repeat_interleave(-1),
    "ri float method": lambda t: t.ones(2, 3).repeat_interleave(2.0),
    "ri float function": lambda t: t.repeat_interleave(t.ones(2, 3), 2.0),
    "ri list dim": lambda t: t.ones(2, 3).repeat_interleave([1, 2], dim=0),
    "ri dim out of range": lambda t: t.ones(2, 3).repeat_interleave(2, dim=2),
    "ri 0-d with dim": lambda t: t.tensor(3.0).repeat_interleave(2, dim=0),
    "ri repeats size": lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1, 2, 3]), dim=0),
    "ri repeats size neg dim": lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1, 2, 3]), -2),
    "ri float repeats": lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1.0, 2.0]), dim=0),
    "ri 2-d repeats": lambda t: t.ones(2, 3).repeat_interleave(t.tensor([[1, 2]]), dim=0),
    "ri negative repeats": lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1, -2]), dim=0),
    "ri repeats only float": lambda t: t.repeat_interleave(t.tensor([1.0, 2.0])),
    "ri repeats only int": lambda t: t.repeat_interleave(2),
    "ri output_size": lambda t: t.ones(2, 3).repeat_interleave(2, dim=0, output_size=5),
    "ri output_size tensor": lambda t: t.ones(2, 3).repeat_interleave(
        t.tensor([1, 2]), dim=0, output_size=4
    ),
    "cross no size 3": lambda t: t.cross(t.ones(2, 2), t.ones(2, 2)),
    "cross dim not 3": lambda t: t.cross(t.ones(2, 3), t.ones(2, 3), dim=0),
    "linalg.cross last not 3": lambda t: t.linalg.cross(t.ones(3, 2), t.ones(3, 2)),
    "linalg.cross ndim": lambda t: t.linalg.cross(t.ones(2, 3), t.ones(3)),
    "linalg.cross broadcast": lambda t: t.linalg.cross(t.ones(2, 3), t.ones(4, 3)),
    "linalg.cross dtypes": lambda t: t.linalg.cross(t.ones(3), t.ones(3, dtype=t.float64)),
    "linalg.cross long float": lambda t: t.linalg.cross(t.tensor([1, 2, 3]), t.ones(3)),
    "linalg.cross dim range": lambda t: t.linalg.cross(t.ones(2, 3), t.ones(2, 3), dim=2),
    "linalg.cross 0-d": lambda t: t.linalg.cross(t.tensor(1.0), t.tensor(1.0)),
    "cdist 1-D": lambda t: t.cdist(t.ones(3), t.ones(3)),
    "cdist columns": lambda t: t.cdist(t.ones(3, 2), t.ones(3, 3)),
    "cdist int": lambda t: t.cdist(t.tensor([[1, 2]]), t.tensor([[1, 2]])),
    "cdist negative p": lambda t: t.cdist(t.ones(3, 2), t.ones(3, 2), p=-1),
    "cdist dtypes": lambda t: t.cdist(t.ones(3, 2), t.ones(3, 2, dtype=t.float64)),
    "cdist compute_mode": lambda t: t.cdist(t.ones(3, 2), t.ones(3, 2), compute_mode="bad"),
    "cdist batch": lambda t: t.cdist(t.ones(2, 3, 2), t.ones(3, 4, 2)),
    "cdist double backward": _cdist_twice,
    "kron int": lambda t: t.kron(t.ones(2), 2),
    "kron non-contiguous": lambda t: t.kron(t.ones(3, 2).t(), t.ones(2, 2)),
}


pytestmark = pytest.mark.usefixtures("quiet_warnings")


def test_cross_without_dim_warns_once() -> None:
    got: list[tuple[str, str]] = []
    engine_warnings.set_handler(lambda message, category: got.append((category, message)))
    engine_warnings.reset_once()
    G.cross(G.ones(2, 3), G.ones(2, 3))
    G.ones(3).cross(G.ones(3))
    G.cross(G.ones(3), G.ones(3), dim=0)
    assert len(got) == 1
    category, message = got[0]
    assert category == "UserWarning"
    assert message.startswith("Using torch.cross without specifying the dim arg is deprecated.\n")
    assert message.endswith(
        "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)"
    )


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_cross_forward_bits(dtype: str) -> None:
    """ATen computes each component as one fused multiply-add: the same bits here."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    for trial in range(60):
        shape = [(3,), (4, 3), (3, 5), (2, 3, 2)][trial % 4]
        dim = [0, -1, 0, 1][trial % 4]
        if dtype == "int64":
            a = rng.integers(-1000, 1000, shape)
            b = rng.integers(-1000, 1000, shape)
        else:
            scale = 10.0 ** rng.integers(-3, 4)
            a = (rng.standard_normal(shape) * scale).astype(dtype)
            b = (rng.standard_normal(shape) * scale).astype(dtype)
        want = torch.linalg.cross(torch.from_numpy(a), torch.from_numpy(b), dim=dim).numpy()
        got = G.linalg.cross(G.tensor(a), G.tensor(b), dim=dim)
        assert got.dtype.name == dtype
        assert np.array_equal(np.asarray(got._data), want)
        assert str(got) == str(
            torch.linalg.cross(torch.from_numpy(a), torch.from_numpy(b), dim=dim)
        )


@pytest.mark.torch
def test_integer_and_index_forms() -> None:
    torch = pytest.importorskip("torch")
    cases: list[Callable[[Any], Any]] = [
        lambda t: t.repeat_interleave(t.tensor([1, 2, 0, 3])),
        lambda t: t.repeat_interleave(t.tensor([1, 2], dtype=t.int32)),
        lambda t: t.tensor([True, False]).repeat_interleave(2),
        lambda t: t.tensor([[1, 2], [3, 4]]).repeat_interleave(t.tensor([2, 1]), dim=1),
        lambda t: t.ones(2, 3).repeat_interleave(0, dim=1),
        lambda t: t.ones(2, 3).repeat_interleave(t.tensor([1, 2]), dim=0, output_size=3),
        lambda t: t.kron(t.tensor([1, 2]), t.tensor([1.0, 2.0])),
        lambda t: t.kron(t.tensor([[1, 2], [3, 4]]), t.tensor([[0, 1], [1, 0]])),
        lambda t: t.linalg.cross(t.tensor([1, 2, 3]), t.tensor([4, 5, 6])),
        lambda t: _f(t).celu(t.tensor([-1.0, 0.0, 2.0], dtype=t.float64), 0.3),
    ]
    for make in cases:
        assert str(make(G)) == str(make(torch))


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [2.0, 1.0, float("inf"), 0.0])
def test_cdist_bits(dtype: str, p: float) -> None:
    """The kernel's order of additions (and, for p=2, its fused tail): values and both
    gradients bit for bit, batches broadcast, some distances exactly 0."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for trial in range(24):
        m = int(rng.integers(1, 40))
        batch = [(), (2,), (3, 1)][trial % 3]
        a = rng.standard_normal((*batch, int(rng.integers(1, 6)), m))
        b = rng.standard_normal((*batch[:-1], 1, int(rng.integers(1, 6)), m) if batch else (4, m))
        if trial % 4 == 0 and not batch:
            b[0] = a[0]
        got = []
        for lib in (G, torch):
            x1 = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
            x2 = lib.tensor(b, dtype=getattr(lib, dtype), requires_grad=True)
            y = lib.cdist(x1, x2, p=p)
            w = lib.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)), dtype=y.dtype)
            g1, g2 = lib.autograd.grad(y, [x1, x2], w)
            got.append(
                [np.asarray(v._data) if lib is G else v.detach().numpy() for v in (y, g1, g2)]
            )
        for mine, theirs in zip(*got):
            assert mine.shape == theirs.shape
            assert np.array_equal(mine, theirs)


def test_cdist_mm_path_refused() -> None:
    with pytest.raises(TorchError, match="compute_mode='donot_use_mm_for_euclid_dist'"):
        G.cdist(G.ones(30, 2), G.ones(3, 2))
    assert tuple(G.cdist(G.ones(30, 2), G.ones(3, 2), p=1).shape) == (30, 3)
    out = G.cdist(G.ones(30, 2), G.ones(3, 2), compute_mode="donot_use_mm_for_euclid_dist")
    assert tuple(out.shape) == (30, 3)
