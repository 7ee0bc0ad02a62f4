"""Shared helpers: a torch-like namespace over gradlang's TORCH, input making, graph walking."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from gradlang.autograd.api import TORCH

from .op_samples import Arg, Sample

G = SimpleNamespace(**TORCH)


def values(arg: Arg, rng: np.random.Generator) -> np.ndarray:
    if arg.domain == "pos":
        v = rng.uniform(0.5, 2.0, arg.shape)
    elif arg.domain == "unit":
        v = rng.uniform(-0.8, 0.8, arg.shape)
    elif arg.domain == "prob":
        v = rng.uniform(0.1, 0.9, arg.shape)
    else:
        v = rng.uniform(-2.0, 2.0, arg.shape)
        v = np.where(np.abs(v) < 0.05, 0.3, v)  # keep away from kinks at 0
    return np.asarray(v, np.float64)


def make_inputs(lib: Any, sample: Sample, arrays: list[np.ndarray], dtype: str) -> list[Any]:
    dt = getattr(lib, dtype)
    out = []
    for arg, arr in zip(sample.args, arrays):
        out.append(lib.tensor(arr.copy(), dtype=dt, requires_grad=arg.grad))
    return out


def arrays_for(sample: Sample, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [values(a, rng) for a in sample.args]


def to_numpy(t: Any) -> np.ndarray:
    if hasattr(t, "_data"):
        return np.asarray(t._data, np.float64)
    return t.detach().cpu().numpy().astype(np.float64)


def node_name(node: Any) -> str | None:
    if node is None:
        return None
    return node.name().replace("torch::autograd::", "")


def names(out: Any) -> tuple[str | None, tuple[str | None, ...]]:
    fn = out.grad_fn
    if fn is None:
        return None, ()
    return node_name(fn), tuple(node_name(n) for n, _ in fn.next_functions)


def run(
    lib: Any,
    sample: Sample,
    arrays: list[np.ndarray],
    dtype: str,
    weights: np.ndarray | None = None,
) -> tuple[Any, np.ndarray, list[np.ndarray | None]]:
    """Output, its values, and d(sum(out * weights))/d(inputs) (None where no grad)."""
    inputs = make_inputs(lib, sample, arrays, dtype)
    out = sample.fn(lib, *inputs)
    vals = to_numpy(out)
    grads: list[np.ndarray | None] = [None] * len(inputs)
    wanted = [x for x, a in zip(inputs, sample.args) if a.grad]
    if sample.grads and out.requires_grad and wanted:
        if weights is None:
            weights = np.linspace(0.5, 1.5, vals.size).reshape(vals.shape)
        v = lib.tensor(weights, dtype=out.dtype)
        got = lib.autograd.grad(out, wanted, grad_outputs=v, allow_unused=True)
        k = 0
        for i, a in enumerate(sample.args):
            if a.grad:
                grads[i] = None if got[k] is None else to_numpy(got[k])
                k += 1
    return out, vals, grads


def rules_in_graph(out: Any) -> set[str]:
    """The rule ops of every node reachable from `out` (gradlang only)."""
    seen: set[int] = set()
    found: set[str] = set()
    stack = [out.grad_fn] if out.grad_fn is not None else []
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        rule = getattr(n, "rule", None)
        if rule is not None:
            found.add(rule.op)
        stack.extend(getattr(n, "next", ()))
    return found


def outcome(fn: Callable[[Any], Any], lib: Any) -> tuple[str, str]:
    """(builtin exception type, message) of `fn(lib)`, or ("no error", "")."""
    try:
        fn(lib)
    except Exception as error:  # noqa: BLE001 - comparing any exception
        for klass in type(error).__mro__:
            if klass.__module__ == "builtins":
                return klass.__name__, str(error)
        return type(error).__name__, str(error)
    return "no error", ""
