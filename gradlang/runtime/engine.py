"""The runtime's one door to the engine: its classes, its tables and its global hooks.

Everything the interpreter needs from `gradlang.autograd` is imported here, so the rest of
the runtime names engine things in one way, and a missing piece of the engine shows up in
one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gradlang.autograd import errors as engine_errors
from gradlang.autograd import grad_mode, origin
from gradlang.autograd import warnings as engine_warnings
from gradlang.autograd.dtypes import DType
from gradlang.autograd.node import AccumulateGrad, Node
from gradlang.autograd.size import Size
from gradlang.autograd.tensor import Tensor

TorchError = engine_errors.TorchError
builtin_name = engine_errors.builtin_name


def _api() -> Any:
    try:
        from gradlang.autograd import api
    except ImportError:  # the engine's table is not there yet: run pure Python programs
        return None
    return api


def torch_table() -> dict[str, Any]:
    """`api.TORCH`: every name reachable as `torch.NAME`."""
    api = _api()
    return dict(api.TORCH) if api is not None else {}


def functional_table() -> dict[str, Any]:
    """`api.FUNCTIONAL`: every name reachable as `F.NAME`."""
    api = _api()
    return dict(api.FUNCTIONAL) if api is not None else {}


def autograd_table() -> dict[str, Any]:
    """What `torch.autograd.NAME` reaches (`grad`, and whatever the engine adds)."""
    api = _api()
    if api is None:
        return {}
    table = getattr(api, "AUTOGRAD", None)
    if table is not None:
        return dict(table)
    out: dict[str, Any] = {}
    torch = api.TORCH
    namespace = torch.get("autograd")
    if namespace is not None and hasattr(namespace, "__dict__"):
        out.update({k: v for k, v in vars(namespace).items() if not k.startswith("_")})
    for name, value in torch.items():
        if name.startswith("autograd."):
            out[name.split(".", 1)[1]] = value
    if "grad" not in out:
        grad = getattr(api, "autograd_grad", None) or getattr(api, "grad", None)
        if grad is None:
            try:
                from gradlang.autograd.engine import grad  # type: ignore[no-redef]
            except ImportError:
                grad = None
        if callable(grad):
            out["grad"] = grad
    return out


def set_warning_handler(fn: Callable[[str, str], None] | None) -> Callable[[str, str], None]:
    return engine_warnings.set_handler(fn)


def set_origin(span: object) -> None:
    origin.current = span


__all__ = [
    "AccumulateGrad",
    "DType",
    "Node",
    "Size",
    "Tensor",
    "TorchError",
    "builtin_name",
    "grad_mode",
    "origin",
]
