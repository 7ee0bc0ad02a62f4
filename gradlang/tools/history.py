"""A light record of the backward passes a program ran, for `why` and for error hints.

One process-wide observer of the engine (installed by `install()`, idempotent) notes, for each
backward pass: where it was called (the statement's origin span the runtime had set), which
nodes ran and which tensors got a gradient. It holds everything through weak references, so
it keeps nothing alive, and it copies no numbers.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from gradlang.autograd import engine as _engine
from gradlang.autograd import origin as _origin
from gradlang.autograd.node import Node
from gradlang.autograd.tensor import Tensor

#: How many backward passes are remembered.
KEEP = 200


@dataclass
class Pass:
    """One backward pass: where it was called, its first node, what it touched."""

    origin: object
    first: weakref.ref[Node] | None = None
    nodes: weakref.WeakSet[Node] = field(default_factory=weakref.WeakSet)
    tensors: weakref.WeakSet[Tensor] = field(default_factory=weakref.WeakSet)


class History:
    """The engine observer that keeps the list of passes."""

    def __init__(self) -> None:
        self.passes: list[Pass] = []
        self._open: Pass | None = None

    # The engine does not say where a pass starts: a new pass begins with the first event
    # of a new statement, or after `begin()` when the engine offers it.
    def begin(self, *_args: object, **_kwargs: object) -> None:
        self._open = None

    def end(self) -> None:
        self._open = None

    def _pass(self) -> Pass:
        where = _origin.current
        current = self._open
        if current is None or current.origin is not where:
            current = Pass(where)
            self.passes.append(current)
            if len(self.passes) > KEEP:
                del self.passes[0]
            self._open = current
        return current

    def node(self, node: Node, grad_output: Tensor, grad_inputs: tuple) -> None:
        p = self._pass()
        if p.first is None:
            p.first = weakref.ref(node)
        p.nodes.add(node)

    def accumulate(self, tensor: Tensor, grad: Tensor, kind: str) -> None:
        self._pass().tensors.add(tensor)

    # -- questions ---------------------------------------------------------------------
    def ran_any(self) -> bool:
        return bool(self.passes)

    def passes_through(self, node: object) -> list[Pass]:
        return [p for p in self.passes if node in p.nodes]

    def passes_reaching(self, tensor: Tensor) -> list[Pass]:
        return [p for p in self.passes if tensor in p.tensors]

    def last_freeing(self) -> Pass | None:
        """The most recent pass that ran a node whose saved tensors are now freed."""
        for p in reversed(self.passes):
            if any(getattr(n, "freed", False) for n in list(p.nodes)):
                return p
        return None

    def clear(self) -> None:
        self.passes.clear()
        self._open = None


HISTORY = History()
_installed = False


def install() -> History:
    """Start recording (once per process); returns the history."""
    global _installed
    if not _installed:
        _engine.add_observer(HISTORY)
        _installed = True
    return HISTORY
