"""An in-place op on a base (or on one of its views) gives the base's other views a new
history, as PyTorch regenerates their grad_fn (AsStridedBackward0): their gradients then
flow through the in-place op. The same program text runs on gradlang and on torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .harness import G

SCENARIOS = {
    "base_mul_then_view": """
x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
v = y[0:2]
y.mul_(3)
v.sum().backward()
out = [v]
""",
    "inplace_on_one_view_other_view": """
x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = x * 1
a = y[0:2]
b = y[1:3]
a.mul_(5)
(b * lib.tensor([1.0, 10.0])).sum().backward()
out = [a, b, y]
""",
    "view_of_view": """
x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x.exp()
v = y[1]
w = v[0:1]
y.add_(1)
(w * 3).sum().backward()
out = [v, w]
""",
    "transposed_view": """
x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = x * x
t = y.t()
y.sub_(x)
(t * lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
out = [t]
""",
    "copy_into_plain_base": """
x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = lib.zeros(3)
v = y[1:]
y.copy_(x * 2)
(v * v).sum().backward()
out = [v, y]
""",
    "zero_on_base": """
x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 3
v = y[::2]
y.zero_()
(v + x[::2]).sum().backward()
out = [v]
""",
    "detach_in_place_on_a_view": """
x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
v = y[0:2]
v.detach_()
""",
    "view_saved_before_inplace": """
x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
v = y[0:2]
z = (v * v).sum()
y.mul_(3)
z.backward()
out = [v]
""",
}


def _run(lib: Any, code: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"lib": lib}
    try:
        exec(code, scope)  # noqa: S102 - fixed test programs
    except RuntimeError as error:  # torch's and gradlang's errors are RuntimeErrors
        return {"error": str(error)}
    got: dict[str, Any] = {"x.grad": np.array(scope["x"].grad.detach().numpy())}
    for k, t in enumerate(scope["out"]):
        fn = t.grad_fn
        got[f"out{k}"] = (
            np.array(t.detach().numpy()),
            t.requires_grad,
            None if fn is None else type(fn).__name__ if lib is not G else fn.name(),
        )
    return got


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_views_follow_their_base_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours = _run(G, SCENARIOS[name])
    theirs = _run(torch, SCENARIOS[name])
    assert ours.keys() == theirs.keys(), (ours, theirs)
    if "error" in theirs:
        assert ours["error"] == theirs["error"]
        return
    np.testing.assert_array_equal(ours["x.grad"], theirs["x.grad"])
    for key in theirs:
        if key == "x.grad":
            continue
        (ov, orq, ofn), (tv, trq, tfn) = ours[key], theirs[key]
        np.testing.assert_array_equal(ov, tv)
        assert (orq, ofn) == (trq, tfn), key
