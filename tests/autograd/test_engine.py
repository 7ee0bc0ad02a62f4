"""Backward-engine and autograd-state semantics (reference §2 and §5), checked directly."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from gradlang.autograd import engine
from gradlang.autograd import warnings as engine_warnings

from .harness import G as t


@pytest.fixture()
def caught() -> Any:
    got: list[tuple[str, str]] = []
    previous = engine_warnings.set_handler(lambda m, c: got.append((c, m)))
    yield got
    engine_warnings.set_handler(previous)


def leaf(*values: float) -> Any:
    return t.tensor([float(v) for v in values], requires_grad=True)


def test_deep_chain_needs_no_recursion() -> None:
    x = t.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y + 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == 1.0


def test_next_functions_and_accumulate_grad() -> None:
    x = leaf(1, 2, 3)
    z = ((2 * x) ** 2).sum()
    assert repr(z.grad_fn) == "<SumBackward0>"
    ((pow_fn, nr),) = z.grad_fn.next_functions
    assert pow_fn.name() == "PowBackward0" and nr == 0
    mul_fn = pow_fn.next_functions[0][0]
    acc, none = mul_fn.next_functions
    assert (
        acc[0].name() == "torch::autograd::AccumulateGrad"
        and acc[0].variable is x
        and none == (None, 0)
    )
    assert acc[0].next_functions == ()
    assert (x * 2).grad_fn.next_functions[0][0] is (x * 3).grad_fn.next_functions[0][0]


def test_gradients_accumulate_and_retain_graph() -> None:
    x = leaf(1, 2, 3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0, 12.0]
    for _ in range(3):
        (x * 2).sum().backward()
    assert x.grad.tolist() == [10.0, 14.0, 18.0]
    x.grad = None
    z = (x + 1).sum()
    z.backward()
    z.backward()  # nothing saved: a second pass is fine
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_retain_grad_and_nonleaf_grad_warning(caught: list) -> None:
    x = leaf(1, 2, 3)
    y = 2 * x
    y.retain_grad()
    h = x * 2
    (y**2).sum().backward()
    assert y.retains_grad and y.grad.tolist() == [4.0, 8.0, 12.0]
    assert x.grad.tolist() == [8.0, 16.0, 24.0]
    assert h.grad is None and caught and caught[0][0] == "UserWarning"
    x.retain_grad()
    assert not x.retains_grad


def test_gradient_argument_and_dtype_conversion() -> None:
    x = leaf(1, 2, 3)
    (x * 3).backward(t.tensor([1.0, 0.5, 0.0], dtype=t.float64))
    assert x.grad.dtype is t.float32 and x.grad.tolist() == [3.0, 1.5, 0.0]
    loss = (x * x).sum()
    x.grad = None
    loss.backward(t.tensor(3.0))
    assert x.grad.tolist() == [6.0, 12.0, 18.0]
    one = leaf(2.0)
    (one * one).backward()
    assert one.grad.tolist() == [4.0]


def test_autograd_grad_create_graph() -> None:
    x = t.tensor(3.0, requires_grad=True)
    y = x**3
    (g,) = t.autograd.grad(y, x, create_graph=True)
    assert repr(g).endswith("grad_fn=<MulBackward0>)") and g.item() == 27.0
    (h,) = t.autograd.grad(g, x)
    assert h.item() == 18.0 and not h.requires_grad
    assert x.grad is None
    (g2,) = t.autograd.grad(x**3, x)
    assert not g2.requires_grad and g2.item() == 27.0
    x2 = t.tensor(1.0, requires_grad=True)
    y2 = t.tensor(2.0, requires_grad=True)
    assert t.autograd.grad(x2 * 2, [x2, y2], allow_unused=True)[1] is None


def test_backward_create_graph_copy_backwards(caught: list) -> None:
    engine_warnings.reset_once()
    x = t.tensor(3.0, requires_grad=True)
    (x**3).backward(create_graph=True)
    assert x.grad.grad_fn.name() == "CopyBackwards" and x.grad.item() == 27.0
    (h,) = t.autograd.grad(x.grad, x, retain_graph=True)
    assert h.item() == 18.0
    x.grad.backward()
    assert x.grad.item() == 45.0 and x.grad.grad_fn.name() == "CopyBackwards"
    assert caught[0][1].startswith("Using backward() with create_graph=True")


def test_grad_modes() -> None:
    x = leaf(1, 2)
    with t.no_grad():
        y = x * 2
        made = t.ones(2, requires_grad=True)
        with t.enable_grad():
            z = x * 2
            with t.no_grad():
                w = x * 2
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert made.requires_grad and z.requires_grad and not w.requires_grad
    assert t.is_grad_enabled()
    t.set_grad_enabled(False)
    assert not t.is_grad_enabled()
    t.set_grad_enabled(True)
    with t.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert t.is_grad_enabled()
    with t.no_grad():
        x += 1  # allowed: x stays a leaf that requires grad
    assert x.is_leaf and x.requires_grad and x.tolist() == [2.0, 3.0]


def test_detach_and_data_share_storage() -> None:
    x = leaf(1, 2, 3)
    d = x.detach()
    d[0] = 5
    assert x.tolist()[0] == 5.0 and x._version == 1 and d._version == 1
    assert d.is_leaf and not d.requires_grad
    n = (x * 2).detach()
    assert n.is_leaf
    x.data[1] = 7
    assert x.tolist()[1] == 7.0 and x._version == 1


def test_inplace_on_nonleaf_swaps_grad_fn() -> None:
    x = leaf(1, 2)
    y = x * 2
    y += 1
    assert y.grad_fn.name() == "AddBackward0" and y._version == 1
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    assert repr(y.grad_fn) == "<AddBackward0>"


def test_setitem_on_nonleaf_records_copy_slices() -> None:
    x = leaf(1, 2, 3)
    y = x * 2
    y[0] = 5.0
    assert y.grad_fn.name() == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_hooks() -> None:
    x = leaf(1, 2)
    x.register_hook(lambda g: g * 10)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [30.0, 30.0]


def test_integer_results_and_noop_conversions() -> None:
    x = leaf(1, 3, 2)
    assert not x.argmax().requires_grad and not (x > 1).requires_grad
    assert not x.long().requires_grad
    assert x.float() is x and x.contiguous() is x
    m = x.max(0)
    assert m.values.grad_fn is None or m.values.requires_grad
    assert not m.indices.requires_grad and m.indices.item() == 1


def test_max_dim_repr_and_unpacking() -> None:
    a = t.tensor([[1.0, 5.0], [3.0, 2.0]])
    values, indices = a.max(1)
    assert indices.tolist() == [1, 0]
    assert repr(a.max(0)).startswith("torch.return_types.max(\nvalues=tensor(")


def test_observer_sees_every_step() -> None:
    events: list[Any] = []

    class Recorder:
        def node(self, node: Any, grad_output: Any, grad_inputs: Any) -> None:
            events.append(("node", node.name(), len(grad_inputs)))

        def accumulate(self, tensor: Any, grad: Any, kind: str) -> None:
            events.append(("acc", kind, grad.tolist()))

    recorder = Recorder()
    remove = engine.add_observer(recorder)
    try:
        x = leaf(1, 2)
        h = x * 2
        h.retain_grad()
        (h * h).sum().backward()
    finally:
        remove()
    names = [e[1] for e in events if e[0] == "node"]
    assert names == ["SumBackward0", "MulBackward0", "MulBackward0"]
    assert ("acc", "retained", [4.0, 8.0]) in events
    assert ("acc", "leaf", [8.0, 16.0]) in events
    assert recorder not in engine.observers


def test_nodes_carry_origin_and_formulas() -> None:
    from gradlang.autograd import origin

    origin.current = "line 7"
    try:
        x = leaf(1, 2)
        y = x.exp()
        y2 = y * 1
        y2.add_(1)
    finally:
        origin.current = None
    assert y.grad_fn.origin == "line 7" and y2._counter().last_modified_at == "line 7"
    assert y.grad_fn.formulas == ("grad * result",)
    assert y.grad_fn.input_shapes == ((2,),)


def test_type_promotion() -> None:
    i = t.tensor([1, 2])
    f64 = t.tensor([1.0], dtype=t.float64)
    assert (i / 2).dtype is t.float32
    assert (i * 2.5).dtype is t.float32
    assert (i + 1).dtype is t.int64
    assert (t.ones(2) + f64).dtype is t.float64
    assert (t.ones(2) + t.tensor(1.0, dtype=t.float64)).dtype is t.float32
    assert (i + t.tensor(1.5)).dtype is t.float32
    assert (t.tensor([True]) + 1).dtype is t.int64
    assert (i > 1).dtype is t.bool
    assert t.tensor(2.5).dtype is t.float32 and t.tensor(2).dtype is t.int64


def test_views_share_version_counter() -> None:
    x = t.ones(2, 3)
    v = x.view(-1)
    v[0] = 3.0
    assert x[0, 0].item() == 3.0 and x._version == 1
    e = x.t()
    e.mul_(2)
    assert x._version == 2 and np.allclose(x.numpy(), 2 * np.array([[3, 1, 1], [1, 1, 1]]))


def test_size_and_dtype_printing() -> None:
    x = t.ones(2, 3)
    assert repr(x.shape) == "torch.Size([2, 3])" and str(x.size()) == "torch.Size([2, 3])"
    assert x.size(1) == 3 and repr(t.float32) == "torch.float32" and t.float is t.float32
    assert repr(t.Size([])) == "torch.Size([])"
    assert f"{t.tensor(2.5)}" == "2.5" and f"{t.tensor(2.5):.2f}" == "2.50"
    assert t.Tensor([1, 2]).dtype is t.float32


def test_public_attributes() -> None:
    names = t.Tensor([1.0]).PUBLIC_ATTRIBUTES
    for name in ("sum", "backward", "grad", "retain_grad", "T", "add_", "register_hook", "item"):
        assert name in names
    assert not any(n.startswith("_") for n in names)


def _views_case(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 2
    v = y[1:3]
    v.mul_(3)
    y.t()[0].add_(x[3])
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    buf = lib.zeros(3)
    buf[1:].add_(w * 2)
    ((y * y).sum() + (buf * lib.tensor([1.0, 2.0, 3.0])).sum()).backward()
    return x.grad.tolist(), w.grad.tolist(), y.grad_fn.name(), v.grad_fn.name(), buf.is_leaf


@pytest.mark.torch
def test_inplace_on_views_rebases_the_base() -> None:
    torch = pytest.importorskip("torch")
    got = _views_case(t)
    want = _views_case(torch)
    assert got[:2] == want[:2] and got[4] == want[4]
    assert (got[2], got[3]) == ("CopySlices", "AsStridedBackward0")


def test_freed_graph_goes_by_refcounting() -> None:
    """A backward that frees the graph drops the saved output too, as PyTorch does, so no
    output -> node -> output cycle is left for the garbage collector (a training loop's
    graphs are freed at once, step by step)."""
    import gc
    import weakref

    x = t.randn(4, 3, requires_grad=True)
    enabled = gc.isenabled()
    gc.disable()
    try:
        h = x.tanh()  # TanhBackward0 saves its output
        loss = (h * 2).sigmoid().sum()  # and so does SigmoidBackward0
        nodes = [weakref.ref(h.grad_fn), weakref.ref(loss.grad_fn.next_functions[0][0])]
        outputs = [weakref.ref(h)]
        loss.backward()
        del h, loss
        assert [r() for r in nodes + outputs] == [None, None, None]
    finally:
        if enabled:
            gc.enable()
    assert x.grad is not None


def test_retained_graph_keeps_saved_output() -> None:
    x = t.randn(3, requires_grad=True)
    y = x.tanh()
    y.sum().backward(retain_graph=True)
    first = x.grad.clone()
    y.sum().backward()
    assert np.array_equal(x.grad._data, 2 * first._data)
    with pytest.raises(Exception, match="backward through the graph a second time"):
        y.sum().backward()
