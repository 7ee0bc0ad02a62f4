"""`show(t, ...)`: a card per tensor with its source name and every autograd fact about it.

The facts are read as PyTorch would answer them, except that `.grad` of a non-leaf that does
not retain it is shown as None without the engine's warning (the card is gradlang talking).
"""

from __future__ import annotations

from gradlang.autograd.tensor import Tensor
from gradlang.tools.naming import NameIndex
from gradlang.tools.values import format_shape, format_value

FIELDS = ("value", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "retains_grad", "grad")


def card_fields(t: Tensor) -> list[tuple[str, str]]:
    """(field, text) pairs of one card."""
    fn = t.grad_fn
    grad = t._grad if (t.is_leaf or t.retains_grad) else None
    if grad is not None:
        grad_text = format_value(grad._data)
    elif fn is not None and not t.retains_grad:
        grad_text = "None (not a leaf and not retained)"
    else:
        grad_text = "None"
    return [
        ("value", format_value(t._data)),
        ("shape", format_shape(t.shape)),
        ("dtype", str(t.dtype)),
        ("requires_grad", str(t.requires_grad)),
        ("is_leaf", str(t.is_leaf)),
        ("grad_fn", "None" if fn is None else f"<{fn.name()}>"),
        ("retains_grad", str(t.retains_grad)),
        ("grad", grad_text),
    ]


def render_card(t: object, title: str) -> str:
    """The card of one value (tensors only; anything else says what it is)."""
    if not isinstance(t, Tensor):
        return f"{title}: {type(t).__name__} {t!r} (not a tensor)\n"
    rows = card_fields(t)
    width = max(len(k) for k, _ in rows)
    head = f"── {title} "
    lines = [head + "─" * max(3, 40 - len(head))]
    lines.extend(f"  {k.ljust(width)}  {v}" for k, v in rows)
    return "\n".join(lines) + "\n"


def show(*values: object, names: NameIndex | None = None) -> str:
    """The cards of several values, each titled with its variable name(s)."""
    names = names or NameIndex()
    parts = []
    for k, value in enumerate(values):
        found = names.of_tensor(value) if isinstance(value, Tensor) else []
        title = " = ".join(found) if found else f"value {k + 1}"
        parts.append(render_card(value, title))
    return "".join(parts)
