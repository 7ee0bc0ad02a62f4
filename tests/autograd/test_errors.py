"""Every error and warning of reference §3: same builtin type and the same text as PyTorch."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from gradlang.autograd import warnings as engine_warnings
from gradlang.autograd.errors import TorchError

from .harness import G, outcome
from .test_new_ops import NEW_OP_ERRORS


def _leaf(t: Any, *shape: int) -> Any:
    return t.ones(*shape, requires_grad=True)


def _second_backward(t: Any, make: Callable[[Any], Any]) -> None:
    x = _leaf(t, 3)
    y = make(x)
    y.backward()
    y.backward()


def _grad_twice(t: Any) -> None:
    x = _leaf(t, 3)
    y = (x * x).sum()
    t.autograd.grad(y, x)
    t.autograd.grad(y, x)


def _saved_nonleaf(t: Any) -> None:
    x = _leaf(t, 3)
    y = x * 1
    z = y * y
    y.add_(1)
    z.sum().backward()


def _saved_output(t: Any) -> None:
    x = _leaf(t, 3)
    y = x.exp()
    y.mul_(2)
    y.sum().backward()


def _saved_output_detach(t: Any) -> None:
    x = _leaf(t, 3)
    y = x.exp()
    y.detach().zero_()
    y.sum().backward()


def _saved_f64(t: Any) -> None:
    x = t.ones(2, 3, dtype=t.float64, requires_grad=True)
    y = x.exp()
    y.mul_(2)
    y.sum().backward()


def _saved_leaf(t: Any, times: int) -> None:
    x = _leaf(t, 2, 3)
    w = t.ones(2, 3)
    z = x * w
    for _ in range(times):
        w.add_(1)
    z.sum().backward()


def _set(obj: Any, name: str, value: Any) -> None:
    setattr(obj, name, value)


def _iadd(t: Any) -> None:
    x = _leaf(t, 3)
    x += 1


def _setitem(t: Any) -> None:
    x = _leaf(t, 3)
    x[0] = 5


def _unused(t: Any) -> None:
    x = _leaf(t, 3)
    y = _leaf(t, 3)
    t.autograd.grad((x * 2).sum(), [x, y])


def _no_grad_backward(t: Any) -> None:
    x = _leaf(t, 3)
    with t.no_grad():
        y = (x * 2).sum()
    y.backward()


ERRORS: dict[str, Callable[[Any], Any]] = {
    "nonscalar backward": lambda t: (_leaf(t, 3) * 2).backward(),
    "nonscalar grad": lambda t: (lambda x: t.autograd.grad(x * 2, x))(_leaf(t, 3)),
    "no grad plain": lambda t: t.ones(3).sum().backward(),
    "no grad 0-dim": lambda t: t.tensor(1.0).backward(),
    "no grad under no_grad": _no_grad_backward,
    "second backward x*x": lambda t: _second_backward(t, lambda x: (x * x).sum()),
    "second backward x*2": lambda t: _second_backward(t, lambda x: (x * 2).sum()),
    "second backward exp": lambda t: _second_backward(t, lambda x: x.exp().sum()),
    "grad twice": _grad_twice,
    "gradient shape": lambda t: (_leaf(t, 3) * 2).backward(t.ones(2)),
    "scalar gradient shape": lambda t: (_leaf(t, 3) * 2).sum().backward(t.ones(3)),
    "retain_grad no grad": lambda t: t.ones(3).retain_grad(),
    "int requires_grad": lambda t: t.tensor([1, 2], requires_grad=True),
    "int64 factory requires_grad": lambda t: t.ones(2, dtype=t.int64, requires_grad=True),
    "bool requires_grad": lambda t: t.tensor([True], requires_grad=True),
    "int requires_grad_": lambda t: t.tensor([1, 2]).requires_grad_(),
    "int requires_grad =": lambda t: _set(t.tensor([1, 2]), "requires_grad", True),
    "nonleaf requires_grad_(False)": lambda t: (_leaf(t, 3) * 2).requires_grad_(False),
    "nonleaf requires_grad = False": lambda t: _set(_leaf(t, 3) * 2, "requires_grad", False),
    "leaf +=": _iadd,
    "leaf add_": lambda t: _leaf(t, 3).add_(1),
    "leaf zero_": lambda t: _leaf(t, 3).zero_(),
    "leaf setitem": _setitem,
    "leaf view mul_": lambda t: _leaf(t, 3)[:2].mul_(2),
    "version saved nonleaf": _saved_nonleaf,
    "version saved output": _saved_output,
    "version through detach": _saved_output_detach,
    "version float64 2-D": _saved_f64,
    "version saved leaf": lambda t: _saved_leaf(t, 1),
    "version twice": lambda t: _saved_leaf(t, 2),
    "broadcast 3 vs 4": lambda t: t.ones(3) + t.ones(4),
    "broadcast 2x3 vs 3x2": lambda t: t.ones(2, 3) + t.ones(3, 2),
    "broadcast 3-D": lambda t: t.ones(2, 3) * t.ones(4, 1, 2),
    "mm shapes": lambda t: t.ones(2, 3) @ t.ones(2, 3),
    "vec @ mat": lambda t: t.ones(4) @ t.ones(2, 3),
    "vec @ vec": lambda t: t.ones(3) @ t.ones(4),
    "mat @ vec": lambda t: t.ones(2, 3) @ t.ones(4),
    "bmm shapes": lambda t: t.ones(2, 2, 3) @ t.ones(2, 4, 5),
    "0-d matmul": lambda t: t.ones(()) @ t.ones(3),
    "grad unused": _unused,
    "grad wrt no-grad": lambda t: t.autograd.grad((_leaf(t, 3) * 2).sum(), t.ones(3)),
    "item many": lambda t: t.ones(3).item(),
    "item empty": lambda t: t.ones(0).item(),
    "float many": lambda t: float(t.ones(3)),
    "bool many": lambda t: bool(t.ones(3)),
    "numpy requires grad": lambda t: _leaf(t, 3).numpy(),
    "view bad": lambda t: t.ones(2, 3).view(4),
    "reshape bad": lambda t: t.ones(2, 3).reshape(4, -1),
    "view non-contiguous": lambda t: t.ones(2, 3).t().view(-1),
    "sum dim": lambda t: t.ones(2, 3).sum(2),
    "index out of range": lambda t: t.ones(3)[5],
    "too many indices": lambda t: t.ones(3)[0, 0],
    "cat sizes": lambda t: t.cat([t.ones(2, 3), t.ones(2, 4)]),
    "stack sizes": lambda t: t.stack([t.ones(3), t.ones(4)]),
    "grad assign size": lambda t: _set(_leaf(t, 3), "grad", t.ones(2)),
    "mean of int": lambda t: t.tensor([1, 2]).mean(),
    "expand bad": lambda t: t.ones(3).expand(4),
    "t of 3-D": lambda t: t.ones(2, 2, 2).t(),
    "len 0-d": lambda t: len(t.tensor(1.0)),
    "iter 0-d": lambda t: iter(t.tensor(1.0)),
    "neg bool": lambda t: -t.tensor([True]),
    "sub bool": lambda t: t.tensor([True]) - t.tensor([False]),
    "format spec 1-d": lambda t: f"{t.ones(2):.2f}",
    "int pow negative": lambda t: t.tensor([2]) ** -1,
    "floor_divide backward": lambda t: (_leaf(t, 3) // 2).sum().backward(),
    "dot dtypes": lambda t: t.dot(t.ones(2), t.ones(2, dtype=t.float64)),
    "mm dtypes": lambda t: t.mm(t.ones(2, 2), t.ones(2, 2, dtype=t.float64)),
    "select 0-d": lambda t: t.tensor(1.0)[0],
    "permute duplicate": lambda t: t.ones(2, 3).permute(0, 0),
    "index with str": lambda t: t.ones(3)["a"],
    "cat empty": lambda t: t.cat([]),
    "zeros negative": lambda t: t.zeros(2, -3),
    "randn negative": lambda t: t.randn(-2),
    "arange sign": lambda t: t.arange(10, 0, 1),
    "tensor + None": lambda t: t.ones(2) + None,
    "None - tensor": lambda t: None - t.ones(2),
    "None ** tensor": lambda t: None ** t.ones(2),
    "softmax int": lambda t: t.softmax(t.tensor([1, 2]), 0),
    "log_softmax int dim 0": lambda t: t.log_softmax(t.ones(2, 2, dtype=t.int64), 0),
    "gelu int": lambda t: t.nn.functional.gelu(t.tensor([1, 2])),
    "var int": lambda t: t.tensor([1, 2]).var(),
    "masked_fill long mask": lambda t: t.ones(2).masked_fill(t.tensor([1, 0]), 0.0),
    "where shapes": lambda t: t.where(t.tensor([True]), t.ones(2), t.zeros(3)),
    "nll float target": lambda t: t.nn.functional.nll_loss(t.ones(2, 3), t.tensor([1.5, 0.0])),
    "mse shapes": lambda t: t.nn.functional.mse_loss(t.ones(2), t.ones(3)),
    "bitwise float": lambda t: t.tensor([1, 2]) & t.tensor([1.0, 2.0]),
    "invert float": lambda t: ~t.tensor([1.0]),
    "backward plain non-scalar": lambda t: t.ones(3).backward(),
    "mm int and float": lambda t: t.ones(2, 2) @ t.ones(2, 2, dtype=t.int64),
    "exp_ on int": lambda t: t.tensor([1, 2]).exp_(),
    "data = int": lambda t: _set(t.tensor([1.0]), "data", 5),
    "hook returns str": lambda t: _hooked(t, lambda g: "a"),
    "hook changes size": lambda t: _hooked(t, lambda g: g.expand(3, 3)),
    "hook changes type": lambda t: _hooked(t, lambda g: g.double()),
}


def _hooked(t: Any, hook: Callable[[Any], Any]) -> None:
    x = _leaf(t, 1)
    h = x * 2
    h.register_hook(hook)
    h.sum().backward()


pytestmark = pytest.mark.usefixtures("quiet_warnings")


ALL_ERRORS = {**ERRORS, **NEW_OP_ERRORS}


@pytest.mark.parametrize("name", list(ALL_ERRORS))
def test_engine_errors_are_engine_classes(name: str) -> None:
    with pytest.raises(TorchError):
        ALL_ERRORS[name](G)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ALL_ERRORS))
def test_error_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = outcome(ALL_ERRORS[name], torch)
    assert expected[0] != "no error", "torch raised nothing: the case is wrong"
    assert outcome(ALL_ERRORS[name], G) == expected


def _nonleaf_grad(t: Any) -> Any:
    return (_leaf(t, 3) * 2).grad


def _float_needs_grad(t: Any) -> Any:
    return float(_leaf(t, 1))


def _create_graph(t: Any) -> Any:
    (_leaf(t, 3) ** 3).sum().backward(create_graph=True)


def _x_T_1d(t: Any) -> Any:
    return _leaf(t, 3).T


def _mse_shapes(t: Any) -> Any:
    return t.nn.functional.mse_loss(_leaf(t, 3), t.ones(3, 1))


def _copy_construct(t: Any) -> Any:
    return t.tensor(t.ones(2))


WARNINGS = {
    "nonleaf grad": _nonleaf_grad,
    "float of requires_grad": _float_needs_grad,
    "create_graph": _create_graph,
    "x.T on 1-D": _x_T_1d,
    "mse_loss shapes": _mse_shapes,
    "tensor(tensor)": _copy_construct,
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(WARNINGS))
def test_warning_matches_torch(name: str) -> None:
    pytest.importorskip("torch")
    import torch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        WARNINGS[name](torch)
    expected = [(w.category.__name__, str(w.message)) for w in caught]
    got: list[tuple[str, str]] = []
    engine_warnings.set_handler(lambda message, category: got.append((category, message)))
    engine_warnings.reset_once()
    WARNINGS[name](G)
    if name == "create_graph" and not expected:
        expected = got[:1]  # torch warns once per process: it already did in this session
    assert got == expected
