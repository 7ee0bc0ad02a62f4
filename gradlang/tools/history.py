"""A light record of the backward passes a program ran, for `why` and for error hints.

One process-wide observer of the engine (installed by `install()`, idempotent) notes, for each
backward pass: where it was called (the statement's origin span the runtime had set), which
nodes ran and which tensors got a gradient. It holds everything through weak references, so
it keeps nothing alive, and it copies no numbers.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterator
from typing import Any

from gradlang.autograd import engine as _engine
from gradlang.autograd import origin as _origin
from gradlang.autograd.node import Node
from gradlang.autograd.tensor import Tensor

#: How many backward passes are remembered.
KEEP = 100


class IdentitySet:
    """A set of objects by identity, holding them weakly (tensors compare elementwise)."""

    def __init__(self) -> None:
        self._refs: dict[int, weakref.ref[Any]] = {}

    def add(self, obj: Any) -> None:
        self._refs[id(obj)] = weakref.ref(obj)

    def __contains__(self, obj: object) -> bool:
        ref = self._refs.get(id(obj))
        return ref is not None and ref() is obj

    def __iter__(self) -> Iterator[Any]:
        for ref in list(self._refs.values()):
            obj = ref()
            if obj is not None:
                yield obj


class Pass:
    """One backward pass: where it was called, its first node, what it touched."""

    __slots__ = ("origin", "first", "nodes", "freed", "tensors", "fresh", "failed")

    def __init__(self, origin: object) -> None:  # one per backward call: kept cheap
        self.origin = origin
        self.first: weakref.ref[Node] | None = None
        self.nodes: set[int] = set()  # the `seq` of every node that ran
        self.freed = False  # some node that ran had its saved tensors freed by this pass
        self.tensors = IdentitySet()
        self.fresh = IdentitySet()  # tensors whose .grad was None/zero before this pass
        self.failed = False  # the pass stopped with an error


class History:
    """The engine observer that keeps the list of passes."""

    def __init__(self) -> None:
        self.passes: list[Pass] = []
        self._open: Pass | None = None
        self._started = False
        self._exc_at_start: BaseException | None = None

    # The engine says where a pass starts (`pass_started`); without that, a new pass begins
    # with the first event of a new statement.
    def pass_started(self, roots: object = None, capture: bool = False) -> None:
        self._open = self._new(_origin.current)
        self._started = True
        self._exc_at_start = sys.exc_info()[1]

    def pass_ended(self) -> None:
        # called from the engine's `finally`: an exception that was not there at the start
        # is the one this pass raised
        exc = sys.exc_info()[1]
        if self._open is not None and exc is not None and exc is not self._exc_at_start:
            self._open.failed = True
        self._started = False

    def _new(self, where: object) -> Pass:
        current = Pass(where)
        self.passes.append(current)
        if len(self.passes) > KEEP:
            del self.passes[0]
        return current

    def _pass(self) -> Pass:
        where = _origin.current
        current = self._open
        if current is None or (not self._started and current.origin is not where):
            current = self._open = self._new(where)
        return current

    def node(self, node: Node, grad_output: Tensor, grad_inputs: tuple) -> None:
        self.pass_nodes([node])

    def pass_nodes(self, nodes: list[Node] | None) -> None:
        # the engine calls this once per pass with the nodes that ran, in order (cheaper than
        # a `node` call for each)
        if not nodes:
            return
        p = self._open if self._started else None
        if p is None:
            p = self._pass()
        if p.first is None:
            p.first = weakref.ref(nodes[0])
        p.nodes.update([node.seq for node in nodes])
        if not p.freed:
            p.freed = any(node.freed is not None for node in nodes)

    def accumulate(self, tensor: Tensor, grad: Tensor, kind: str) -> None:
        p = self._pass()
        p.tensors.add(tensor)
        if _engine.grad_was_empty:
            p.fresh.add(tensor)

    # -- questions ---------------------------------------------------------------------
    def of_program(self, where: object = None) -> list[Pass]:
        """The passes of the program running at `where` (default: the current statement).

        One process may run several programs (`gradlang test`): passes count for a program
        when their statement is in the same file; REPL and stdin inputs (`<...>`) count
        together.
        """
        here = _file_of(where if where is not None else _origin.current)
        if here is None:
            return list(self.passes)
        return [p for p in self.passes if _same_program(_file_of(p.origin), here)]

    def ran_any(self) -> bool:
        return bool(self.of_program())

    def passes_through(self, node: object) -> list[Pass]:
        seq = getattr(node, "seq", None)
        return [p for p in self.of_program() if seq in p.nodes]

    def passes_reaching(self, tensor: Tensor) -> list[Pass]:
        return [p for p in self.of_program() if tensor in p.tensors]

    def passes_since_reset(self, tensor: Tensor) -> list[Pass]:
        """The passes that added into tensor.grad since it was last None (or zero)."""
        found = self.passes_reaching(tensor)
        for k in range(len(found) - 1, -1, -1):
            if tensor in found[k].fresh:
                return found[k:]
        return found

    def last(self) -> Pass | None:
        found = self.of_program()
        return found[-1] if found else None

    def last_freeing(self, exclude_current: bool = False) -> Pass | None:
        """The most recent pass that freed the saved tensors of a node it ran.

        With `exclude_current`, a pass still open in the current statement (the one that just
        failed) is only the answer when no earlier pass freed anything (a loop's earlier turn).
        """
        current = self.passes[-1] if exclude_current and self.passes else None
        if current is not None and current.origin is not _origin.current:
            current = None
        fallback = None
        for p in reversed(self.passes):
            if p.freed:
                if p is current:
                    fallback = p
                    continue
                return p
        return fallback

    def clear(self) -> None:
        self.passes.clear()
        self._open = None


def _file_of(span: object) -> str | None:
    file = getattr(span, "file", None)
    return file if isinstance(file, str) else None


def _same_program(a: str | None, b: str) -> bool:
    if a is None:
        return False
    return a == b or (a.startswith("<") and b.startswith("<"))


HISTORY = History()
_installed = False


def install() -> History:
    """Start recording (once per process); returns the history."""
    global _installed
    if not _installed:
        _engine.add_observer(HISTORY)
        _installed = True
    return HISTORY
