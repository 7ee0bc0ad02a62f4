"""The tools as builtins of gradlang programs (spec section 7), and torch.autograd's extras.

`register_all()` (run once on import) adds `show`, `graph`, `explain`, `why`, `gradcheck`,
`jacobian`, `hessian`, `vjp`, `jvp` to the runtime's builtins registry, and puts
`torch.autograd.gradcheck` and `torch.autograd.functional.{jacobian,hessian,vjp,jvp}` into
the engine's API table, so the PyTorch spellings work too. It also starts the backward
history that `why` and the error hints read, and offers `set_trace` for `--trace`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from gradlang.autograd.errors import TorchTypeError
from gradlang.autograd.tensor import Tensor
from gradlang.tools import functional, history
from gradlang.tools.gradcheck import report, torch_gradcheck

# show, graph, explain and why import their modules on first use (startup time)

_TRACES: weakref.WeakKeyDictionary[Any, Callable[[], None]] = weakref.WeakKeyDictionary()

FUNCTIONAL: dict[str, Callable[..., Any]] = {
    "jacobian": functional.jacobian,
    "hessian": functional.hessian,
    "vjp": functional.vjp,
    "jvp": functional.jvp,
}


def names_in(interp: Any) -> Any:
    """The names a running program sees now: its live locals, then its globals."""
    from gradlang.tools.naming import NameIndex, scopes_of

    return NameIndex(scopes_of(interp))


def source_line_of(interp: Any) -> Callable[[object], str | None]:
    """A function from an origin span to the text of its source line."""

    def line(span: object) -> str | None:
        file = getattr(span, "file", None)
        number = getattr(span, "line", None)
        reader = getattr(interp, "_source_line", None)
        if file is None or not isinstance(number, int) or reader is None:
            return None
        try:
            return reader(file, number)
        except Exception:  # a missing source never breaks a tool
            return None

    return line


def _write(interp: Any, text: str) -> None:
    interp.write(text)


def b_show(interp: Any, *values: Any) -> None:
    from gradlang.tools.show import show as _show

    _write(interp, _show(*values, names=names_in(interp)))


def b_graph(interp: Any, t: Any, only: Any = None) -> None:
    if not isinstance(t, Tensor):
        raise TorchTypeError(f"graph() expects a tensor, not {type(t).__name__}")
    from gradlang.tools.graph_text import render_text

    _write(interp, render_text(t, names_in(interp), only if isinstance(only, Tensor) else None))


def b_explain(
    interp: Any, t: Any, gradient: Any = None, retain_graph: Any = None, create_graph: bool = False
) -> None:
    if not isinstance(t, Tensor):
        raise TorchTypeError(f"explain() expects a tensor, not {type(t).__name__}")
    from gradlang.tools.explain import explain as _explain

    _explain(
        t,
        gradient,
        names_in(interp),
        lambda s: _write(interp, s),
        source_line_of(interp),
        retain_graph,
        create_graph,
    )


def b_why(interp: Any, x: Any) -> None:
    from gradlang.tools.naming import scopes_of
    from gradlang.tools.why import explain_why

    names = names_in(interp)
    tensors = [v for scope in scopes_of(interp) for v in scope.values() if isinstance(v, Tensor)]
    sources = getattr(interp, "sources", None)
    _write(
        interp,
        explain_why(x, names, history.HISTORY, tensors, source_line_of(interp), sources),
    )


def b_gradcheck(
    interp: Any, func: Any, *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    names = names_in(interp)
    flat = inputs[0] if len(inputs) == 1 and isinstance(inputs[0], (tuple, list)) else inputs
    labels = [names.first(t) if isinstance(t, Tensor) else None for t in flat]
    passed, text = report(func, tuple(flat), labels, eps, atol, rtol)
    _write(interp, text)
    return passed


def set_trace(interp: Any, on: bool) -> None:
    """Turn `--trace` on or off for an interpreter: every backward is explained as it runs."""
    stop = _TRACES.pop(interp, None)
    if stop is not None:
        stop()
    if on:
        from gradlang.tools.explain import start_trace

        _TRACES[interp] = start_trace(
            lambda s: _write(interp, s), lambda: names_in(interp), source_line_of(interp)
        )


def _add_to_engine_api() -> None:
    try:
        from gradlang.autograd import api
    except ImportError:  # the engine's table is not there yet
        return
    table = getattr(api, "AUTOGRAD", None)
    namespace = _functional_namespace()
    if isinstance(table, dict):
        table.setdefault("gradcheck", torch_gradcheck)
        table.setdefault("functional", namespace)
    torch = getattr(api, "TORCH", None)
    if isinstance(torch, dict):
        torch.setdefault("autograd.gradcheck", torch_gradcheck)
        torch.setdefault("autograd.functional", namespace)


def _functional_namespace() -> Any:
    try:
        from gradlang.runtime.values import Namespace
    except ImportError:
        return dict(FUNCTIONAL)
    return Namespace("torch.autograd.functional", dict(FUNCTIONAL))


_registered = False


def register_all() -> None:
    """Add the tools to the runtime's builtins (once)."""
    global _registered
    if _registered:
        return
    from gradlang.runtime.builtins import register

    register("show", b_show, context=True)
    register("graph", b_graph, context=True)
    register("explain", b_explain, context=True)
    # backward passes are recorded (for `why`) only in programs that name `why`
    register("why", b_why, context=True, on_use=history.install)
    register("gradcheck", b_gradcheck, context=True)
    for name, fn in FUNCTIONAL.items():
        register(name, fn)
    _add_to_engine_api()
    _registered = True


register_all()
