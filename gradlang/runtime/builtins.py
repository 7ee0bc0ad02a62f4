"""The one table of names a program starts with: Python's builtins, torch, F, the tools.

`REGISTRY` maps a name to an `Entry`; `register(name, fn, context=True)` adds one (the tools
engineer registers `show`, `graph`, `explain`, ... this way). An entry with `context=True`
is called as `fn(interp, *args, **kwargs)`, so it can reach `interp.names_of(tensor)`,
`interp.write`, the limits and the I/O root. `make_table(interp)` builds one interpreter's
table: the registry, then every `api.TORCH` name that Python has no builtin of.
"""

from __future__ import annotations

import builtins as _py
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from gradlang.runtime import engine
from gradlang.runtime.size_checks import (
    CREATION,
    DATA_CREATION,
    GROWING,
    MULTI_TENSOR,
    SPLITTING,
    checked_growth,
    checked_pieces,
    multi,
    sized,
)
from gradlang.runtime.values import Builtin, Namespace

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter


@dataclass(frozen=True)
class Entry:
    """One builtin: the callable, and whether it takes the interpreter first."""

    fn: Callable[..., Any]
    context: bool = False
    #: called when a program that names this builtin is compiled (before it runs): a tool
    #: that needs a record kept while the program runs (`why`) turns it on only then
    on_use: Callable[[], object] | None = None


REGISTRY: dict[str, Entry] = {}
PYTHON_BUILTIN_NAMES = frozenset(dir(_py))


def register(
    name: str,
    fn: Callable[..., Any],
    context: bool = False,
    on_use: Callable[[], object] | None = None,
) -> Callable[..., Any]:
    """Add a builtin available to every new interpreter; returns `fn` (usable as decorator)."""
    REGISTRY[name] = Entry(fn, context, on_use)
    return fn


def note_use(name: str) -> None:
    """The compiler met `name` as a global: run its builtin's `on_use`, if it has one."""
    entry = REGISTRY.get(name)
    if entry is not None and entry.on_use is not None:
        entry.on_use()


def builtin(name: str, context: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator form of `register`: `@builtin("show")` on `def show(interp, *tensors)`."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        return register(name, fn, context)

    return decorate


def make_table(interp: Interpreter) -> dict[str, Any]:
    """The builtins of one interpreter: Python's, torch's (bare), the namespaces, the tools."""
    from gradlang.runtime import python_builtins, sandbox_io  # noqa: F401  (they register)

    try:  # the tools register show, graph, explain, ... when imported
        import gradlang.tools  # noqa: F401
    except ImportError:
        pass

    torch_members = engine.torch_table()
    # Global print state: reachable from programs (reset by each new interpreter), not from
    # the engine's own table, whose tests call every function with odd arguments.
    from gradlang.autograd.printing import set_printoptions

    torch_members.setdefault("set_printoptions", set_printoptions)
    for name in list(torch_members):
        if name in CREATION or name in DATA_CREATION:
            torch_members[name] = sized(name, torch_members[name], interp)
        elif name in MULTI_TENSOR:
            torch_members[name] = multi(name, torch_members[name], interp)
        if name in GROWING:
            torch_members[name] = checked_growth(name, torch_members[name], interp)
        elif name in SPLITTING:
            torch_members[name] = checked_pieces(name, torch_members[name], interp)
    functional = Namespace("torch.nn.functional", engine.functional_table())
    nn_members: dict[str, Any] = {"functional": functional}
    for k, v in vars(torch_members.get("nn", object)).items():  # torch.nn.Parameter
        if callable(v) and k != "functional" and not k.startswith("_"):
            nn_members[k] = _namespaced(f"torch.nn.{k}", v)
    nn = Namespace("torch.nn", nn_members)
    autograd = Namespace(
        "torch.autograd",
        {k: _namespaced(f"torch.autograd.{k}", v) for k, v in engine.autograd_table().items()},
    )
    torch_members = {
        k: _namespaced(f"torch.{k}", v) for k, v in torch_members.items() if "." not in k
    }
    torch_members["nn"] = nn
    torch_members["autograd"] = autograd
    torch = Namespace("torch", torch_members)
    interp.namespaces = {
        "torch": torch,
        "torch.nn": nn,
        "torch.nn.functional": functional,
        "torch.autograd": autograd,
    }

    table: dict[str, Any] = {"torch": torch, "F": functional}  # the prelude's imports
    for name, value in torch_members.items():
        if name not in PYTHON_BUILTIN_NAMES and name not in ("nn", "autograd"):
            table[name] = value
    for name, entry in REGISTRY.items():
        table[name] = Builtin(name, entry.fn, interp) if entry.context else entry.fn
    return table


def _namespaced(name: str, value: Any) -> Any:
    """The engine's SimpleNamespace groups (`torch.linalg`) as program-safe Namespaces."""
    if isinstance(value, SimpleNamespace):
        members = {
            k: _namespaced(f"{name}.{k}", v)
            for k, v in vars(value).items()
            if not k.startswith("_")
        }
        return Namespace(name, members)
    return value
