"""Which of the program's variable names hold which tensor, and which graph node made it.

The tools label graph nodes and backward steps with the user's names. `NameIndex` is built
from a mapping name -> value (a scope: the interpreter's globals, locals first when inside a
function) and answers, for a tensor or a node, the names that hold it. Tensors inside a list
or tuple are found one level deep, as `params[0]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gradlang.autograd.node import AccumulateGrad
from gradlang.autograd.tensor import Tensor

Scope = Mapping[str, object]


class NameIndex:
    """Names of tensors (by identity) and of the nodes that made them."""

    def __init__(self, scopes: Scope | Iterable[Scope] | None = None) -> None:
        self._by_tensor: dict[int, list[str]] = {}
        self._by_node: dict[int, list[str]] = {}
        self._node_tensor: dict[int, Tensor] = {}
        if scopes is None:
            return
        if isinstance(scopes, Mapping):
            scopes = [scopes]
        for scope in scopes:
            for name, value in scope.items():
                if isinstance(value, Tensor):
                    self.add(name, value)
                elif isinstance(value, (list, tuple)) and len(value) <= 64:
                    for k, item in enumerate(value):
                        if isinstance(item, Tensor):
                            self.add(f"{name}[{k}]", item)

    def add(self, name: str, tensor: Tensor) -> None:
        """Record that `name` holds `tensor` (the first name added comes first)."""
        names = self._by_tensor.setdefault(id(tensor), [])
        if name in names:
            return
        names.append(name)
        fn = tensor.grad_fn
        if fn is not None:
            self._by_node.setdefault(id(fn), []).append(name)
            self._node_tensor.setdefault(id(fn), tensor)

    def of_tensor(self, tensor: object) -> list[str]:
        """The names holding this very tensor."""
        return list(self._by_tensor.get(id(tensor), ()))

    def of_node(self, node: object) -> list[str]:
        """The names of the tensor a node made (for AccumulateGrad: of its leaf)."""
        if isinstance(node, AccumulateGrad):
            return self.of_tensor(node.variable)
        return list(self._by_node.get(id(node), ()))

    def tensor_of_node(self, node: object) -> Tensor | None:
        """A named tensor that this node made, when the program holds one."""
        if isinstance(node, AccumulateGrad):
            return node.variable
        return self._node_tensor.get(id(node))

    def first(self, obj: object) -> str | None:
        """The first name of a tensor or node, or None."""
        names = self.of_node(obj) if not isinstance(obj, Tensor) else self.of_tensor(obj)
        return names[0] if names else None


def scopes_of(interp: Any) -> list[Scope]:
    """The scopes of a running interpreter: live locals (innermost first), then globals."""
    scopes: list[Scope] = []
    for frame in reversed(getattr(interp, "frames", []) or []):
        local = getattr(frame, "vars", None)
        if isinstance(local, Mapping):
            scopes.append(local)
    scopes.append(getattr(interp, "globals", {}) or {})
    return scopes
