"""Hints that teach: one short piece of advice per autograd error PyTorch can raise.

`hint_for(type_name, message, error=...)` is called by the runtime when it wraps an engine
error into a `GradlangError`. It matches PyTorch's exact message text (reference section 3)
and, where the engine recorded where things happened, names the lines involved:

- the second-backward error names the line of the backward that freed the graph
  (`error.freed_at`, a `Span` the engine attaches when it knows it);
- the in-place version error names the line that modified the tensor
  (`error.modified_at`) and the line whose operation saved it (`error.saved_at`).

Those attributes are optional: without them the hint is still given, without line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gradlang.tools.places import place

HintRule = Callable[[re.Match[str], BaseException | None], str]


def _where(span: object) -> str | None:
    """`line N` (`input K` in the REPL) for a span-like value."""
    return place(span)


def _freeing_pass_origin() -> object:
    """Where the backward that freed the graph was called, from the tools' history."""
    try:
        from gradlang.tools.history import HISTORY
    except ImportError:  # the engine is missing: no history
        return None
    found = HISTORY.last_freeing(exclude_current=True)
    return found.origin if found is not None else None


def _second_backward(_m: re.Match[str], error: BaseException | None) -> str:
    span = getattr(error, "freed_at", None)
    if span is None and error is not None:
        span = _freeing_pass_origin()
    freed = _where(span)
    first = (
        f"The backward at {freed} freed the graph's saved tensors."
        if freed
        else "An earlier backward freed the graph's saved tensors."
    )
    return (
        f"{first} Pass retain_graph=True to that first backward if you need to go through "
        "the graph again, or recompute the forward pass before the next backward."
    )


def _inplace_version(m: re.Match[str], error: BaseException | None) -> str:
    modified = _where(getattr(error, "modified_at", None))
    saved = _where(getattr(error, "saved_at", None))
    parts = []
    if saved:
        parts.append(f"the operation at {saved} saved this tensor for backward")
    if modified:
        parts.append(f"{modified} then changed it in place")
    where = ("; ".join(parts) + ". ") if parts else ""
    where = where[:1].upper() + where[1:]
    return (
        f"{where}Autograd needs the value as it was when it was saved. Use an out-of-place "
        "operation (y = y + 1 instead of y += 1 or y.add_(1)), or modify a clone()."
    )


def _matmul_shapes(m: re.Match[str], _e: BaseException | None) -> str:
    r1, c1, r2, c2 = m.group(1), m.group(2), m.group(3), m.group(4)
    return (
        f"A @ B needs the columns of A to match the rows of B, here {c1} and {r2} "
        f"(A is {r1}x{c1}, B is {r2}x{c2}). Transpose one of them (B.T) or check the order."
    )


def _broadcast(m: re.Match[str], _e: BaseException | None) -> str:
    return (
        "Two shapes broadcast when, aligned from the right, each pair of sizes is equal or "
        f"one of them is 1; here {m.group(1)} and {m.group(2)} are neither. "
        "Check the shapes (t.shape), or add a dimension with unsqueeze()."
    )


def _unused_input(m: re.Match[str], _e: BaseException | None) -> str:
    return (
        f"Input number {m.group(1)} (counting from 0) has no path to the output, so it has no "
        "gradient. Pass allow_unused=True to get None for it, or check that the output "
        "really uses it (a detach() or no_grad() may cut the path)."
    )


def _fixed(text: str) -> HintRule:
    return lambda _m, _e: text


_RULES: list[tuple[str, HintRule]] = [
    (
        r"^grad can be implicitly created only for scalar outputs",
        _fixed(
            "backward() with no argument needs a one-element output (a loss). Reduce it "
            "first (y.sum().backward()) or pass gradient= with the output's shape: that is "
            "the vector v of the vector-Jacobian product."
        ),
    ),
    (
        r"^element 0 of tensors does not require grad and does not have a grad_fn",
        _fixed(
            "Nothing that made this tensor requires grad, so there is no graph to go back "
            "through. Create the inputs with requires_grad=True, and check the tensor was "
            "not computed under no_grad() or from a detach()ed or integer tensor. "
            "why(t) tells where the graph was lost."
        ),
    ),
    (r"^Trying to backward through the graph a second time", _second_backward),
    (
        r"^Can't detach views in-place",
        _fixed(
            "This tensor is a view (a slice, t(), view()...) sharing its base's storage and "
            "history. Use v = v.detach() for a new tensor without history, or detach_() the "
            "base itself."
        ),
    ),
    (
        r"^Mismatch in shape: grad_output\[0\] has a shape of (torch\.Size\(\[.*?\]\)) "
        r"and output\[0\] has a shape of (torch\.Size\(\[.*?\]\))",
        lambda m, _e: (
            f"gradient= must have the output's shape ({m.group(2)}), not {m.group(1)}: "
            "it holds d(loss)/d(output), one number per element of the output."
        ),
    ),
    (
        r"^can't retain_grad on Tensor that has requires_grad=False",
        _fixed(
            "Only a tensor in the graph can keep its gradient: this one does not require "
            "grad. Make the leaves it comes from requires_grad=True first."
        ),
    ),
    (
        r"^(?:Only|only) Tensors of floating point (?:and complex )?dtype can require gradients",
        _fixed(
            "Gradients only exist for floating-point tensors. Write the data as floats "
            "(tensor([1., 2.])) or pass dtype=torch.float32."
        ),
    ),
    (
        r"^you can only change requires_grad flags of leaf variables",
        _fixed(
            "This tensor was computed from others, so its requires_grad follows from them. "
            "To use its value without history, take y.detach()."
        ),
    ),
    (
        r"^(?:a view of )?a leaf Variable that requires grad is being used in an in-place",
        _fixed(
            "Changing a leaf that requires grad in place would make its gradient wrong. "
            "Update parameters inside `with torch.no_grad():`, or write x = x + 1 to make "
            "a new tensor."
        ),
    ),
    (
        r"^one of the variables needed for gradient computation has been modified by an "
        r"inplace operation",
        _inplace_version,
    ),
    (
        r"^The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)",
        _broadcast,
    ),
    (r"^mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", _matmul_shapes),
    (
        r"^inconsistent tensor size, expected tensor \[(\d+)\] and src \[(\d+)\]",
        lambda m, _e: (
            f"A dot product of two vectors needs the same length; here {m.group(1)} and "
            f"{m.group(2)}."
        ),
    ),
    (
        r"^size mismatch, got input \((\d+)\), mat \((\d+)x(\d+)\), vec \((\d+)\)",
        lambda m, _e: (
            f"Matrix @ vector needs the matrix's columns ({m.group(3)}) to equal the "
            f"vector's length ({m.group(4)})."
        ),
    ),
    (
        r"^Expected size for first two dimensions of batch2 tensor",
        _fixed(
            "Batched matmul needs the same batch size and the inner sizes to match: "
            "(b, n, m) @ (b, m, p)."
        ),
    ),
    (
        r"^both arguments to matmul need to be at least 1D",
        _fixed("@ is for vectors and matrices; multiply by a 0-dim tensor with * instead."),
    ),
    (
        r"^a Tensor with (\d+) elements cannot be converted to Scalar",
        _fixed(
            ".item() needs exactly one element. Index it first (t[0].item()), reduce it "
            "(t.sum().item()), or use t.tolist() for all the values."
        ),
    ),
    (
        r"^only one element tensors can be converted to Python scalars",
        _fixed(
            "float()/int() need exactly one element. Index or reduce the tensor first, or "
            "use t.tolist()."
        ),
    ),
    (
        r"^Boolean value of Tensor with more than one value is ambiguous",
        _fixed("Say which you mean: (t > 0).any() or (t > 0).all()."),
    ),
    (r"^The differentiated Tensor at index (\d+) appears to not have been used", _unused_input),
    (
        r"^One of the differentiated Tensors does not require grad",
        _fixed(
            "autograd.grad can only differentiate with respect to tensors that require "
            "grad: create them with requires_grad=True."
        ),
    ),
    (
        r"^view size is not compatible with input tensor's size and stride",
        _fixed(
            "view() cannot reorder memory (after .t() or .transpose() it is not contiguous). "
            "Use .reshape(...), or .contiguous().view(...)."
        ),
    ),
    (
        r"^shape '\[(.*?)\]' is invalid for input of size (\d+)",
        lambda m, _e: (
            f"The new shape must hold exactly {m.group(2)} elements (one size may be -1 to "
            "be worked out)."
        ),
    ),
    (
        r"^Dimension out of range \(expected to be in range of \[(-?\d+), (-?\d+)\]",
        lambda m, _e: (
            f"This tensor has {int(m.group(2)) + 1} dimension(s): dim must be between "
            f"{m.group(1)} and {m.group(2)}."
        ),
    ),
    (
        r"^index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)",
        lambda m, _e: (
            f"Valid indices of dimension {m.group(2)} are 0 to {int(m.group(3)) - 1} "
            f"(or -{m.group(3)} to -1 from the end)."
        ),
    ),
    (
        r"^Sizes of tensors must match except in dimension (\d+)",
        lambda m, _e: (
            f"cat joins along dimension {m.group(1)}: every other size must be the same. "
            "Check the shapes, or pass dim= to join along another dimension."
        ),
    ),
    (
        r"^stack expects each tensor to be equal size",
        _fixed("stack needs tensors of exactly the same shape; cat joins unequal lengths."),
    ),
    (
        r"^attempting to assign a gradient of size",
        _fixed("A .grad must have its tensor's shape (and dtype); or set it to None."),
    ),
    (
        r"^derivative for aten::(\w+) is not implemented",
        lambda m, _e: (
            f"{m.group(1)} has no derivative; compute the value under no_grad() or use a "
            "differentiable formula (for //, torch.floor(a / b) has a zero gradient)."
        ),
    ),
    (
        r"^Jacobian mismatch for output (\d+) with respect to input (\d+)",
        _fixed(
            "autograd's derivative differs from the central differences. Check the inputs "
            "are float64 (float32 is too coarse for eps=1e-6), that the function is smooth "
            "at these points, and that nothing in it is detach()ed; gradcheck(f, x) prints "
            "where the error is largest."
        ),
    ),
    (
        r"^Can't call numpy\(\) on Tensor that requires grad",
        _fixed("Take t.detach() first: numpy values do not carry gradients."),
    ),
]

_COMPILED = [(re.compile(pattern), rule) for pattern, rule in _RULES]


def hint_for(
    type_name: str, message: str, error: BaseException | None = None, **_context: object
) -> str | None:
    """The hint for an engine error (its user-visible type and PyTorch's message), or None.

    `error` is the engine's exception object when there is one; optional attributes on it
    (`freed_at`, `modified_at`, `saved_at`) let the hint name source lines.
    """
    del type_name  # the messages are distinctive; the type is kept for future rules
    for pattern, rule in _COMPILED:
        match = pattern.search(message)
        if match:
            return rule(match, error)
    return None
