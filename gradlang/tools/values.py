"""Short, one-line text for the numbers the tools show (values, gradients, local derivatives).

The numbers follow PyTorch's print rules (`4.`, `0.5000`, `1.0000e-05`, one shared width per
value), on one line: `[ 4.,  8., 12.]`, `[[1., 2.], [3., 4.]]`. Large values are
summarised: the first and last few elements of the flattened value, and the shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

#: Values with more elements than this are summarised.
FULL_LIMIT = 12
#: How many elements a summary shows at each end.
EDGE = 3


def _float_strings(values: list[float]) -> list[str]:
    """PyTorch's formatting of floats (precision 4), with one shared width."""
    nz = [abs(v) for v in values if math.isfinite(v) and v != 0.0]
    if not nz:
        texts = [_special(v) if not math.isfinite(v) else f"{v:.0f}." for v in values]
        return _pad(texts)
    int_mode = all(float(v).is_integer() for v in nz)
    hi, lo = max(nz), min(nz)
    if int_mode:
        sci = hi / lo > 1000.0 or hi > 1e8
    else:
        sci = hi / lo > 1000.0 or hi > 1e8 or lo < 1e-4
    texts = []
    for v in values:
        if not math.isfinite(v):
            texts.append(_special(v))
        elif sci:
            texts.append(f"{v:.4e}")
        elif int_mode:
            texts.append(f"{v:.0f}.")
        else:
            texts.append(f"{v:.4f}")
    return _pad(texts)


def _special(v: float) -> str:
    if math.isnan(v):
        return "nan"
    return "inf" if v > 0 else "-inf"


def _pad(texts: list[str]) -> list[str]:
    width = max((len(t) for t in texts), default=0)
    return [t.rjust(width) for t in texts]


def number_strings(array: np.ndarray) -> list[str]:
    """Each element of `array` (flattened) as PyTorch would print it, all of one width."""
    flat = np.asarray(array).reshape(-1)
    if flat.dtype == np.bool_:
        return _pad(["True" if b else "False" for b in flat.tolist()])
    if np.issubdtype(flat.dtype, np.integer):
        return _pad([str(int(v)) for v in flat.tolist()])
    return _float_strings([float(v) for v in flat.tolist()])


def _nest(items: list[str], shape: tuple[int, ...]) -> str:
    if not shape:
        return items[0]
    if len(shape) == 1:
        return "[" + ", ".join(items) + "]"
    step = len(items) // shape[0] if shape[0] else 0
    parts = [_nest(items[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]
    return "[" + ", ".join(parts) + "]"


def format_value(array: object, limit: int = FULL_LIMIT) -> str:
    """One line for a value: nested brackets when small, a summary with its shape when large."""
    arr = np.asarray(array)
    if arr.size <= limit:
        if arr.size == 0:
            return f"[] (shape {list(arr.shape)})"
        return _nest(number_strings(arr), tuple(arr.shape))
    flat = arr.reshape(-1)
    shown = np.concatenate([flat[:EDGE], flat[-EDGE:]])
    items = number_strings(shown)
    head, tail = ", ".join(items[:EDGE]), ", ".join(items[EDGE:])
    return f"[{head}, ..., {tail}] (shape {list(arr.shape)}, {arr.size} elements)"


def format_shape(shape: Iterable[int]) -> str:
    """`[2, 3]` for a shape; `[]` for a 0-dim tensor."""
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"
