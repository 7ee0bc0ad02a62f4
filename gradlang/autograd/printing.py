"""PyTorch's text for tensors: `repr`/`str` (torch/_tensor_str.py with default print options),
`format(t, spec)`, and `torch.Size` reprs.

Works on plain numpy data plus the few facts a repr shows (dtype name, grad_fn name,
requires_grad), so the engine's `Tensor.__repr__`, `__str__` and `__format__` are one call
each. Float values are widened to Python floats (double) before formatting, as torch does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE: bool | None = None  # None: chosen from the values, as torch's default
PREFIX = "tensor("

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """torch.set_printoptions: a profile first (default / short / full), then each option."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    from gradlang.autograd.errors import TorchTypeError

    for name, value in (
        ("precision", precision),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None and (type(value) is not int or value < 0):
            raise TorchTypeError(f"set_printoptions(): '{name}' must be a non-negative int")
    if threshold is not None and not isinstance(threshold, (int, float)):
        raise TorchTypeError("set_printoptions(): 'threshold' must be a number")
    if profile in _PROFILES:  # PyTorch ignores an unknown profile
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = _PROFILES[profile]  # type: ignore[assignment]
    if precision is not None:
        PRECISION = int(precision)
    if threshold is not None:
        THRESHOLD = threshold  # type: ignore[assignment]
    if edgeitems is not None:
        EDGEITEMS = int(edgeitems)
    if linewidth is not None:
        LINEWIDTH = int(linewidth)
    SCI_MODE = sci_mode


# dtypes that never show a `dtype=` suffix on a non-empty tensor (torch's defaults)
_DEFAULT_DTYPES = frozenset({"float32", "int64", "bool"})
_DEFAULT_FLOAT = "float32"


def _is_floating(dtype_name: str) -> bool:
    return dtype_name.startswith(("float", "bfloat"))


class _Formatter:
    """One width and one mode (int / fixed / scientific) shared by every element shown."""

    def __init__(self, data: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)
        if not floating:
            for text in _plain_strings(flat):
                self.max_width = max(self.max_width, len(text))
            return
        with np.errstate(invalid="ignore"):
            nz = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if nz.size == 0:
            return
        magnitudes = np.abs(nz)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        with np.errstate(over="ignore"):
            ratio = float(np.float64(high) / np.float64(low))
        self.sci_mode = ratio > 1000.0 or high > 1.0e8 or low < 1.0e-4
        if SCI_MODE is not None:
            self.sci_mode = SCI_MODE
        values = nz.tolist()
        if self.sci_mode:
            widths = (len(f"{v:.{PRECISION}e}") for v in values)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in values)
        else:
            widths = (len(f"{v:.{PRECISION}f}") for v in values)
        self.max_width = max(self.max_width, max(widths))

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = str(value)
        return " " * (self.max_width - len(text)) + text


def _plain_strings(flat: np.ndarray) -> list[str]:
    return [str(v) for v in flat.tolist()]


def _summarized(data: np.ndarray) -> np.ndarray:
    """Only the elements a summarised repr shows: the edge items of every long dimension."""
    for axis, size in enumerate(data.shape):
        if size > 2 * EDGEITEMS:
            keep = list(range(EDGEITEMS)) + list(range(size - EDGEITEMS, size))
            data = np.take(data, keep, axis=axis)
    return data


def _vector_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((LINEWIDTH - indent) / element_length))
    if summarize and data.shape[0] > 2 * EDGEITEMS:
        items = (
            [fmt.format(v) for v in data[:EDGEITEMS].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in data[-EDGEITEMS:].tolist()]
        )
    else:
        items = [fmt.format(v) for v in data.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _block_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    size = data.shape[0]
    if summarize and size > 2 * EDGEITEMS:
        head = [_block_str(data[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
        tail = [
            _block_str(data[i], indent + 1, summarize, fmt) for i in range(size - EDGEITEMS, size)
        ]
        slices = head + ["..."] + tail
    else:
        slices = [_block_str(data[i], indent + 1, summarize, fmt) for i in range(size)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body(data: np.ndarray, floating: bool, indent: int) -> str:
    summarize = data.size > THRESHOLD
    fmt = _Formatter(_summarized(data) if summarize else data, floating)
    return _block_str(data, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(
    data: np.ndarray, dtype_name: str, grad_fn_name: str | None, requires_grad: bool
) -> str:
    """torch's `repr(t)` (== `str(t)`) for a CPU strided tensor with default print options."""
    data = np.asarray(data)
    indent = len(PREFIX)
    suffixes: list[str] = []
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        if dtype_name != _DEFAULT_FLOAT:
            suffixes.append("dtype=torch." + dtype_name)
        body = "[]"
    else:
        if dtype_name not in _DEFAULT_DTYPES:
            suffixes.append("dtype=torch." + dtype_name)
        body = _body(data, _is_floating(dtype_name), indent)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(PREFIX + body, suffixes, indent)


def format_scalar_item(value: float | int | bool, spec: str) -> str:
    """`format(t.item(), spec)`: what a 0-dim tensor gives in an f-string."""
    if isinstance(value, np.generic):
        value = value.item()
    return format(value, spec)


def tensor_format(
    data: np.ndarray,
    dtype_name: str,
    grad_fn_name: str | None,
    requires_grad: bool,
    spec: str,
) -> str:
    """torch's `Tensor.__format__`: 0-dim formats the item; otherwise only an empty spec."""
    data = np.asarray(data)
    if data.ndim == 0:
        return format_scalar_item(data.item(), spec)
    if spec == "":
        return tensor_repr(data, dtype_name, grad_fn_name, requires_grad)
    raise TypeError("unsupported format string passed to Tensor.__format__")


def size_repr(shape: tuple[int, ...]) -> str:
    """`torch.Size([2, 3])` (repr and str are the same)."""
    return "torch.Size([" + ", ".join(str(int(d)) for d in shape) + "])"
