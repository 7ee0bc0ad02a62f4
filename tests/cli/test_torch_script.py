"""`gradlang to-torch`: the prelude gives a program gradlang's meaning on real PyTorch."""

from __future__ import annotations

import pytest

from gradlang.session import Session
from gradlang.torch_script import BARE_NAMES, prelude, to_torch, used_gradlang_names

from .conftest import EXTRA_PROGRAMS

DISPATCH = """\
t = tensor([-1.5, 2.25, 3.0])
print(abs(t), abs(-2))
print(max(t), max(1, 5), max([3, 4]))
print(min(t), min(2, -1))
print(sum(t), sum([1, 2, 3]), sum([t, t]))
print(round(t), round(2.567, 2), round(3.5))
print(torch.randn(2))
x = zeros(2, requires_grad=True)
y = (exp(x) + sigmoid(x)).sum()
y.backward()
print(x.grad, is_grad_enabled())
with no_grad():
    print((x * 2).requires_grad)
"""


def test_gradlang_only_names_are_found() -> None:
    assert used_gradlang_names("explain(loss)\nx = why (y)\nshow_all = 1\nt.graph()\n") == [
        "explain",
        "why",
    ]
    assert "def explain" in to_torch("explain(z)\n") and "def show" not in to_torch("x = 1\n")


EXTRA_PROGRAMS["dispatch.grad"] = DISPATCH


@pytest.mark.torch
def test_the_prelude_runs_on_pytorch_and_agrees_with_gradlang(pytorch_outputs) -> None:
    torch = pytest.importorskip("torch")
    missing = [name for name in BARE_NAMES if not hasattr(torch, name)]
    assert missing == []
    ((out, error),) = [v for p, v in pytorch_outputs.items() if p.name == "dispatch.grad"]
    assert error is None
    assert Session().run_source(DISPATCH, "dispatch.grad").output == out
    assert prelude(5).count("torch.manual_seed(5)") == 1
