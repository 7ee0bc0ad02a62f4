"""Graph nodes (`grad_fn`s), `AccumulateGrad`, and the version counter shared by views.

A `Node` is one recorded op: its rule (name, derivative formulas), the op's tensor arguments
(`inputs`, which also give the tools their shapes), the edges to the nodes that made them
(`next`), the saved output when the rule needs it, and the op's other arguments (`attrs`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gradlang.autograd.rules import Rule
    from gradlang.autograd.tensor import Tensor

_sequence = count()


class VersionCounter:
    """How many times a storage was changed in place; shared by a tensor, its views, detach()."""

    __slots__ = ("value", "last_modified_at")

    def __init__(self) -> None:
        self.value = 0
        self.last_modified_at: object = None


class Node:
    """One recorded operation: prints as `<MulBackward0>`.

    The fields backward reads are slots (a class-level default read through an instance
    costs a slow generic lookup each time); the saved output's version, rarely set, is a
    class-level default an instance overrides in its own `__dict__`.
    """

    __slots__ = (
        "rule",
        "inputs",
        "next",
        "attrs",
        "origin",
        "seq",
        "freed",
        "out",
        "versions",
        "pre_hooks",
        "retained",
        "__dict__",
        "__weakref__",
    )

    out_version = 0  # the saved output's version (set only when an in-place op moved it)

    def __init__(self, rule: Rule, inputs: tuple, next_: tuple, attrs: Any, origin: object) -> None:
        self.rule = rule
        self.inputs = inputs
        self.next = next_
        self.attrs = attrs
        self.origin = origin
        self.seq = next(_sequence)
        #: None while the saved tensors live; once a backward freed them, a 1-tuple holding
        #: that backward's origin
        self.freed: tuple[object] | None = None
        # slots, not class defaults: backward reads them for every node it runs
        self.out: Tensor | None = None  # the saved output, when the rule needs it
        self.versions: tuple[int, ...] | None = None  # input versions when saved (None: all 0)
        self.pre_hooks: list[Callable] | None = None
        self.retained: Tensor | None = None  # the tensor whose retain_grad() stores our grad

    @property
    def freed_at(self) -> object:
        """The origin of the backward that freed the saved tensors (None: not freed)."""
        return self.freed[0] if self.freed is not None else None

    def name(self) -> str:
        return self.rule.node

    @property
    def label(self) -> str:
        """The short name the tools print (`MulBackward0`)."""
        return self.rule.node

    @property
    def next_functions(self) -> tuple[tuple[Node | AccumulateGrad | None, int], ...]:
        return tuple((n, 0) for n in self.next)

    @property
    def formulas(self) -> tuple[str, ...]:
        """The derivative formula per input, as text (for the explain tool)."""
        return self.rule.formulas

    @property
    def input_shapes(self) -> tuple[tuple[int, ...] | None, ...]:
        """The shape of each tensor input (None for a Python number)."""
        return tuple(getattr(t, "shape", None) for t in self.inputs)

    def register_hook(self, fn: Callable) -> None:
        """A hook on the node's output gradient, run before the node executes."""
        if self.pre_hooks is None:
            self.pre_hooks = []
        self.pre_hooks.append(fn)

    register_prehook = register_hook

    def __repr__(self) -> str:
        return f"<{self.rule.node}>"

    __str__ = __repr__


class AccumulateGrad:
    """The sink node of a leaf that requires grad: `.variable` is the leaf."""

    __slots__ = ("variable", "seq", "origin", "__weakref__")

    next: tuple = ()
    inputs: tuple = ()
    formulas: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.seq = -1
        self.origin: object = None

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ name, as `.name()` gives it

    label = "AccumulateGrad"  # the short name the tools print

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    __str__ = __repr__
