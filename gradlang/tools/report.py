"""The report of a run: every global tensor as an aligned table, or as spec §8's JSON document.

The facts are read exactly as PyTorch would answer them, with one difference: `.grad` of a
non-leaf that does not retain its gradient is taken as None without the engine's warning
(the report is gradlang talking, not the program).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from gradlang.autograd.tensor import Tensor
from gradlang.errors import GradlangError
from gradlang.tools.values import format_shape, format_value, number_strings

#: How many numbers of a tensor the table shows before it summarises.
TABLE_ITEMS = 6


def is_tensor(value: object) -> bool:
    """True for the engine's tensors (and nothing else a program can bind)."""
    return isinstance(value, Tensor)


def quiet_grad(t: Any) -> Any:
    """`t.grad` as PyTorch would give it, without the non-leaf warning."""
    if t.is_leaf or t.retains_grad:
        return t.grad
    return None


def _grad_fn_name(t: Any) -> str | None:
    node = t.grad_fn
    if node is None:
        return None
    name = getattr(node, "name", None)
    return str(name()) if callable(name) else type(node).__name__


def _dtype_name(t: Any) -> str:
    return str(t.dtype).removeprefix("torch.")


def _finite(x: Any) -> Any:
    """JSON-safe number: non-finite floats become "nan", "inf", "-inf"."""
    if isinstance(x, list):
        return [_finite(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def tensor_facts(t: Any) -> dict[str, Any]:
    """One tensor's entry of the JSON report (spec §8), values in full."""
    grad = quiet_grad(t)
    return {
        "shape": [int(n) for n in t.shape],
        "dtype": _dtype_name(t),
        "requires_grad": bool(t.requires_grad),
        "is_leaf": bool(t.is_leaf),
        "grad_fn": _grad_fn_name(t),
        "retains_grad": bool(t.retains_grad),
        "value": _finite(t.tolist()),
        "grad": None if grad is None else _finite(grad.tolist()),
    }


def error_facts(error: GradlangError | None) -> dict[str, Any] | None:
    """The `error` member of the JSON report."""
    if error is None:
        return None
    span = error.span
    return {
        "type": error.type_name,
        "message": error.message,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "hint": error.hint,
    }


def json_document(
    output: str, tensors: Iterable[tuple[str, Any]], error: GradlangError | None
) -> dict[str, Any]:
    """The whole JSON report: `output`, `tensors` in first-binding order, `error`."""
    return {
        "output": output,
        "tensors": {name: tensor_facts(t) for name, t in tensors},
        "error": error_facts(error),
    }


# ---------------------------------------------------------------------------------------
# The table


def summarise(values: Any, items: int = TABLE_ITEMS) -> str:
    """A tensor's values on one line, with PyTorch's number format (the tools' `values`):
    in full up to `items` numbers, else the first two and the last two, flattened."""
    arr = np.asarray(values)
    if arr.size <= items:
        return format_value(arr, limit=items)
    flat = arr.reshape(-1)
    texts = number_strings(np.concatenate([flat[:2], flat[-2:]]))
    return "[" + ", ".join([*texts[:2], "…", *texts[2:]]) + "]"


def _values(t: Any) -> Any:
    """The tensor's numbers as an array (the engine's own, else through `tolist`)."""
    data = getattr(t, "_data", None)
    return data if isinstance(data, np.ndarray) else np.asarray(t.tolist())


def _row(name: str, t: Any) -> list[str]:
    grad = quiet_grad(t)
    node = _grad_fn_name(t)
    return [
        name,
        format_shape(t.shape),
        _dtype_name(t),
        "yes" if t.requires_grad else "no",
        "yes" if t.is_leaf else "no",
        node or "-",
        "yes" if t.retains_grad else "-",
        summarise(_values(t)),
        "None" if grad is None else summarise(_values(grad)),
    ]


def table(tensors: Iterable[tuple[str, Any]], color: bool = False) -> str:
    """The report as an aligned text table (ends with a newline)."""
    rows = [_row(name, t) for name, t in tensors]
    if not rows:
        return "(no global tensors)\n"
    header = ["name", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "retains_grad"]
    header += ["value", "grad"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    head = line(header)
    if color:
        head = f"\x1b[1m{head}\x1b[0m"
    return "\n".join([head, *(line(r) for r in rows)]) + "\n"


__all__ = [
    "TABLE_ITEMS",
    "error_facts",
    "is_tensor",
    "json_document",
    "quiet_grad",
    "summarise",
    "table",
    "tensor_facts",
]
