"""Every Python code block of the seed document runs verbatim on gradlang and gives what
PyTorch 2.13 gave (`shared/conformance/seed/expected/*.json`, beside the checkout); blocks that draw random
numbers without a seed are compared on structure only (names, shapes, flags, node names)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from gradlang.autograd import warnings as engine_warnings
from gradlang.errors import GradlangError
from gradlang.runtime import Interpreter, Limits
from gradlang.syntax.parser import parse

SHARED = Path(__file__).resolve().parents[3] / "shared"  # beside the checkout
SEED_DOC = SHARED / "seed" / "autograd-fundamentals.md"
CONFORMANCE = SHARED / "conformance" / "seed"

pytestmark = pytest.mark.skipif(not SEED_DOC.exists(), reason="the shared seed is not here")


def seed_blocks() -> list[str]:
    text = SEED_DOC.read_text() if SEED_DOC.exists() else ""
    return re.findall(r"```python\n(.*?)```", text, re.S)


BLOCKS = seed_blocks()
IDS = [f"s{i + 1:02d}" for i in range(len(BLOCKS))]


def test_conformance_files_are_the_seed_blocks() -> None:
    for name, block in zip(IDS, BLOCKS):
        path = CONFORMANCE / f"{name}.grad"
        if path.exists():
            assert path.read_text().strip() == block.strip()


def tensor_record(t: Any) -> dict[str, Any]:
    previous = engine_warnings.set_handler(lambda message, category: None)
    try:
        grad = t.grad
    finally:
        engine_warnings.set_handler(previous)
    fn = t.grad_fn
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": fn.name() if fn is not None else None,
        "retains_grad": t.retains_grad,
        "value": t.detach().tolist(),
        "grad": grad.tolist() if grad is not None else None,
    }


def close(a: Any, b: Any) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(close(x, y) for x, y in zip(a, b))
        )
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-4, abs_tol=1e-5)


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=IDS)
def test_seed_block(index: int) -> None:
    from gradlang.runtime.engine import Tensor

    want = json.loads((CONFORMANCE / "expected" / f"{IDS[index]}.json").read_text())
    out: list[str] = []
    interp = Interpreter(Limits(timeout=20), None, out.append, lambda text: None)
    error = None
    try:
        interp.run(parse(BLOCKS[index], f"{IDS[index]}.grad"), BLOCKS[index])
    except GradlangError as exc:
        error = exc
    assert (error is None) == (want["error"] is None), str(error)
    if error is not None:
        assert error.type_name == want["error"]["type"]
    free = want.get("unseeded")
    if not free:
        assert "".join(out) == want["output"]
    tensors = {k: tensor_record(v) for k, v in interp.globals.items() if isinstance(v, Tensor)}
    assert list(tensors) == list(want["tensors"])
    for name, w in want["tensors"].items():
        g = tensors[name]
        for key in ("shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "retains_grad"):
            assert g[key] == w[key], f"{name}.{key}"
        for key in ("value", "grad"):
            if free:
                assert (g[key] is None) == (w[key] is None), f"{name}.{key}"
            else:
                assert close(g[key], w[key]), f"{name}.{key}"
