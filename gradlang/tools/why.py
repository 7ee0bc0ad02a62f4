"""`why(x)`: why `x.grad` is what it is, in a few plain sentences.

The answer is read from the tensor's state (dtype, requires_grad, grad_fn, retains_grad,
grad), from where the engine says it came from (`node.origin`, detach/no_grad provenance when
the engine records it), and from the history of backward passes (`history.HISTORY`): whether
backward ever ran, whether it went through this tensor, and from which output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gradlang.autograd.node import Node
from gradlang.autograd.tensor import Tensor
from gradlang.tools.history import HISTORY, History, Pass
from gradlang.tools.naming import NameIndex
from gradlang.tools.no_grad_sites import assigned_without_grad
from gradlang.tools.places import place
from gradlang.tools.values import format_value


def _pass_text(p: Pass, names: NameIndex) -> str:
    where = place(p.origin)
    root = p.first() if p.first is not None else None
    start = names.first(root) if root is not None else None
    text = "the backward"
    if where:
        text += f" at {where}"
    if start:
        text += f" (from {start})"
    return text


def _grouped(texts: list[str]) -> str:
    """`a, b` with repeats counted: `the backward at line 20 (from loss), 300 times`."""
    groups: list[list[object]] = []
    for text in texts:
        if groups and groups[-1][0] == text:
            groups[-1][1] = int(groups[-1][1]) + 1  # type: ignore[call-overload]
        else:
            groups.append([text, 1])
    shown = [f"{t}, {n} times" if n != 1 else str(t) for t, n in groups[-3:]]
    more = "earlier ones, then " if len(groups) > 3 else ""
    return more + "; ".join(shown)


def _provenance(t: Tensor) -> tuple[str, object] | None:
    """How a tensor lost requires_grad, when the engine recorded it: (how, origin)."""
    extra = getattr(t, "_extra", None)
    made = getattr(extra, "made_by", None) if extra is not None else None
    if isinstance(made, tuple) and len(made) == 2:
        return made[0], made[1]
    return None


def _shares_storage_with(t: Tensor, names: NameIndex, scope_tensors: list[Tensor]) -> str | None:
    """The name of a tensor that requires grad and shares t's version counter (t = its detach)."""
    counter = getattr(t, "_vc", None)
    if counter is None:
        return None
    for other in scope_tensors:
        if other is not t and getattr(other, "_vc", None) is counter and other.requires_grad:
            return names.first(other)
    return None


def explain_why(
    x: object,
    names: NameIndex | None = None,
    history: History | None = None,
    scope_tensors: list[Tensor] | None = None,
    source_line: Callable[[object], str | None] | None = None,
    sources: Mapping[str, str] | None = None,
) -> str:
    """The sentences `why(x)` prints (`sources`: the program's text by file, when known)."""
    names = names or NameIndex()
    history = history if history is not None else HISTORY
    if not isinstance(x, Tensor):
        return f"{type(x).__name__} values have no gradient: only tensors do.\n"
    who = names.first(x) or "this tensor"
    grad = x._grad
    lines: list[str] = []

    if not x.requires_grad:
        lines.append(f"{who}.grad is None because {who} does not require grad.")
        if not x.dtype.is_floating_point:
            lines.append(
                f"{who} has dtype {x.dtype}: only floating-point tensors can require grad "
                "(integer and bool tensors, like argmax or comparison results, never do)."
            )
        made = _provenance(x)
        floating = x.dtype.is_floating_point
        source = _shares_storage_with(x, names, scope_tensors or []) if floating else None
        if made is not None:
            how, where = made
            at = place(where)
            suffix = f" at {at}" if at else ""
            if how == "detach":
                lines.append(f"It was made by detach(){suffix}, which cuts it out of the graph.")
            elif how == "no_grad":
                lines.append(
                    f"It was computed under no_grad(){suffix} (or set_grad_enabled(False)): "
                    "nothing was recorded, so it is a leaf with no history."
                )
            else:
                lines.append(f"It was made by {how}{suffix}.")
        elif source is not None:
            lines.append(
                f"It shares its storage and version counter with {source}, which requires "
                f"grad: {who} is {source}.detach() (or a view of one), cut out of the graph."
            )
            lines.append(
                f"Fix: compute from {source} itself where you need gradients; detach() is for "
                "values autograd should not follow."
            )
            return "\n".join(lines) + "\n"
        elif x.dtype.is_floating_point:
            sites = assigned_without_grad(who, sources) if sources and who != "this tensor" else []
            if sites:
                where = ", ".join(f"line {line}" for _, line in sites[-3:])
                lines.append(
                    f"{who} is assigned inside a `with no_grad():` block ({where}): nothing "
                    "computed there is recorded, so the result is a leaf with no history."
                )
                lines.append(
                    f"Fix: compute {who} outside the no_grad() block if you need its gradient "
                    "(no_grad() is for updates and evaluation)."
                )
                return "\n".join(lines) + "\n"
            lines.append(
                "It was created without requires_grad=True, or computed from tensors that do "
                "not require grad, or under no_grad(), or by detach()."
            )
        if x.dtype.is_floating_point:
            lines.append(
                f"Fix: create the leaf with requires_grad=True (or call {who}.requires_grad_()), "
                "and compute from it outside no_grad() without detach()."
            )
        if grad is not None:
            lines.append(f"(A .grad was set on it anyway: {format_value(grad._data)}.)")
        return "\n".join(lines) + "\n"

    fn = x.grad_fn
    if fn is not None and not x.retains_grad:
        where = place(getattr(fn, "origin", None))
        made_by = f"made by {fn.name()}" + (f" at {where}" if where else "")
        lines.append(
            f"{who}.grad is None because {who} is not a leaf ({made_by}) and does not retain "
            "its gradient: backward passes gradients through it without storing them."
        )
        through = history.passes_through(fn)
        if through:
            lines.append(
                f"{_pass_text(through[-1], names).capitalize()} did go through {who}; "
                "the gradient was used and dropped."
            )
        lines.append(
            f"Fix: call {who}.retain_grad() before backward, or read the gradient of a leaf "
            f"it comes from (is_leaf is True there)."
        )
        return "\n".join(lines) + "\n"

    kind = "a leaf that requires grad" if fn is None else "a non-leaf that retains its gradient"
    if grad is not None:
        reached = history.passes_since_reset(x)
        lines.append(f"{who} is {kind}, so backward stores d(output)/d{who} in {who}.grad.")
        if reached:
            many = len(reached)
            where = _grouped([_pass_text(p, names) for p in reached])
            if many == 1:
                lines.append(f"One backward pass wrote it: {where}.")
            else:
                lines.append(f"{many} backward passes added into it: {where}.")
                lines.append(
                    "Gradients add up across backward calls: set x.grad = None (or "
                    "x.grad.zero_()) between steps if you want one pass only."
                )
        lines.append(f"{who}.grad = {format_value(grad._data)}")
        return "\n".join(lines) + "\n"

    lines.append(f"{who}.grad is None although {who} is {kind}.")
    node = fn if fn is not None else x._accumulator()
    if not history.ran_any():
        lines.append("backward has not run yet: call .backward() on an output computed from it.")
    elif fn is not None and history.passes_through(fn):
        lines.append(
            f"backward went through {who} before retain_grad() was called: retain_grad() "
            "must come before the backward call."
        )
    else:
        last = history.last()
        assert last is not None
        if last.failed:
            lines.append(
                f"{_pass_text(last, names).capitalize()} stopped with an error before it "
                f"reached {who}."
            )
            return "\n".join(lines) + "\n"
        lines.append(
            f"{_pass_text(last, names).capitalize()} never reached {who}: that output does "
            f"not depend on {who} through operations autograd recorded (check for detach(), "
            "no_grad() or a new tensor made from its values)."
        )
    del node
    return "\n".join(lines) + "\n"


def node_origin(node: object) -> object:
    """The origin span of a node (None for AccumulateGrad)."""
    return node.origin if isinstance(node, Node) else None
