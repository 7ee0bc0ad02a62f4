"""explain() and --trace: the real backward, step by step, with the engine's own numbers."""

from __future__ import annotations

import re

import numpy as np

from gradlang.autograd import engine
from gradlang.autograd.creation import tensor
from gradlang.tools.explain import Tracer, explain
from gradlang.tools.naming import NameIndex

from .conftest import run

SEED_RETAIN_GRAD = """\
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = 2 * x
y.retain_grad()
z = (y ** 2).sum()
explain(z)
"""


def test_seed_retain_grad_mathematical_verification() -> None:
    ran = run(SEED_RETAIN_GRAD)
    out = ran.output
    # dz/dy = 2y = [4, 8, 12] and dz/dx = 4y = [8, 16, 24], as the seed's verification says
    assert "local     d(y ** 2)/dy" in out and "= 2 * y" in out
    assert re.search(r"passes\s+dz/dy\s+= \[ 4\.,  8\., 12\.\]", out)
    assert re.search(r"passes\s+dz/dx\s+= \[ 8\., 16\., 24\.\]", out)
    assert "y.grad += [ 4.,  8., 12.]   (retained gradient)" in out
    assert "x.grad += [ 8., 16., 24.]   (leaf)" in out
    assert "(line 2: y = 2 * x)" in out
    g = ran.globals
    assert g["x"]._grad.tolist() == [8.0, 16.0, 24.0]
    assert g["y"]._grad.tolist() == [4.0, 8.0, 12.0]


def test_explain_runs_backward_exactly_once() -> None:
    ran = run(SEED_RETAIN_GRAD + "print(x.grad)\n")
    assert ran.output.rstrip().endswith("tensor([ 8., 16., 24.])")


def test_numbers_are_the_engines_own() -> None:
    """Every accumulated gradient the tracer saw equals, bit for bit, what .grad holds."""
    x = tensor([0.1, 0.7, -1.3], requires_grad=True)
    w = tensor([0.3, -0.2, 0.9], requires_grad=True)
    h = (x * w).tanh()
    h.retain_grad()
    loss = (h.exp() * x).sum() + (w * w).mean()
    records = []
    tracer = Tracer(records.append)
    remove = engine.add_observer(tracer)
    try:
        tracer.begin([loss], [None])
        loss.backward()
        tracer.end()
    finally:
        remove()
    (rec,) = records
    totals: dict[int, np.ndarray] = {}
    for step in rec.steps:
        for acc in step.retained + step.leaves:
            totals[id(acc.tensor)] = acc.total
    assert np.array_equal(totals[id(x)], x._grad._data)
    assert np.array_equal(totals[id(w)], w._grad._data)
    assert np.array_equal(totals[id(h)], h._grad._data)
    # what each step passed on is what the next step received (one path each here)
    assert len(rec.steps) >= 6


def test_two_paths_are_counted() -> None:
    ran = run(
        "a = torch.tensor([1., 2., 3.], requires_grad=True)\nw = (a * a + a).sum()\nexplain(w)\n"
    )
    out = ran.output
    assert "path 1 of 3" in out and "path 3 of 3" in out
    assert "a.grad += [3., 5., 7.]   (sum of 3 paths, leaf)" in out


def test_explicit_gradient_is_the_seed() -> None:
    x = tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    text = explain(y, tensor([0.5, 2.0]), names=NameIndex({"x": x, "y": y}))
    assert "seeded with gradient [0.5000, 2.0000]" in text
    assert x._grad.tolist() == [1.5, 6.0]


def test_large_values_are_summarised() -> None:
    x = tensor(list(range(100)), requires_grad=False).float().requires_grad_()
    text = explain((x * 2).sum(), names=NameIndex({"x": x}))
    assert "..." in text and "(shape [100], 100 elements)" in text


def test_trace_explains_every_backward_in_place() -> None:
    src = (
        "x = torch.tensor([1., 2.], requires_grad=True)\n"
        "for i in range(2):\n"
        "    (x * x).sum().backward()\n"
        "    print(f'after {i}: {x.grad}')\n"
    )
    ran = run(src, trace=True)
    out = ran.output
    assert out.count("backward from") == 2
    first = out.index("backward from")
    assert (
        first < out.index("after 0") < out.index("backward from", first + 1) < out.index("after 1")
    )
    assert "x.grad is now [4., 8.]" in out


def test_trace_does_not_repeat_what_explain_shows() -> None:
    ran = run(SEED_RETAIN_GRAD, trace=True)
    assert ran.output.count("backward from") == 1


def test_deep_chain_is_fine() -> None:
    ran = run(
        "x = torch.tensor([1.], requires_grad=True)\ny = x\n"
        "for i in range(3000):\n    y = y * 1.0\nexplain(y.sum())\ngraph(y)\n"
    )
    assert ran.error is None
    assert ran.output.count("MulBackward0") > 6000
    assert "x.grad += [1.]   (leaf)" in ran.output
