"""Engine warnings: one replaceable handler (the runtime installs one that adds FILE:LINE)."""

from __future__ import annotations

import sys
from collections.abc import Callable

TRIGGERED = " (Triggered internally at /__w/pytorch/pytorch/{}.)"
TENSOR_BODY = "build/aten/src/ATen/core/TensorBody.h:493"


def _default_handler(message: str, category: str) -> None:
    sys.stderr.write(f"{category}: {message}\n")


_handler: Callable[[str, str], None] = _default_handler


def set_handler(fn: Callable[[str, str], None] | None) -> Callable[[str, str], None]:
    """Install `fn(message, category)` (None restores the default); returns the previous one."""
    global _handler
    previous = _handler
    _handler = fn if fn is not None else _default_handler
    return previous


def warn(message: str, category: str = "UserWarning") -> None:
    """Emit a warning through the installed handler."""
    _handler(message, category)


def triggered(where: str = TENSOR_BODY) -> str:
    """PyTorch's ' (Triggered internally at ...)' suffix for C++-raised warnings."""
    return TRIGGERED.format(where)


_seen: set[str] = set()


def once(key: str) -> bool:
    """True the first time `key` is asked (PyTorch's TORCH_WARN_ONCE), False afterwards."""
    if key in _seen:
        return False
    _seen.add(key)
    return True


def reset_once() -> None:
    """Forget which once-only warnings were given (a new program starts: call this)."""
    _seen.clear()
