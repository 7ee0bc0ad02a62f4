"""`render_text(t, names)`: the backward graph of a tensor as an aligned terminal tree.

One row per node, root first: the tree drawing and the user's name (or the expression that
made an unnamed tensor), the grad_fn name, shape, dtype, the flags (leaf, requires_grad,
retains_grad) and the source line that made it. Slots where no gradient flows (a Python
number, a tensor with requires_grad=False) are shown as dead ends; a node reached a second
time is shown once and referred to after that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gradlang.autograd.tensor import Tensor
from gradlang.tools.graph_model import Edge, GraphNode, build
from gradlang.tools.naming import NameIndex
from gradlang.tools.places import place

NamesArg = NameIndex | Mapping[str, object] | Iterable[Mapping[str, object]] | None
MAX_ROWS = 1000  # rows of one tree; the rest are counted, not drawn
MAX_DEPTH = 100  # levels drawn below the root (a row's prefix grows by 4 per level)


def as_index(names: NamesArg) -> NameIndex:
    """A NameIndex from whatever the caller has: an index, a scope, a list of scopes, None."""
    if isinstance(names, NameIndex):
        return names
    return NameIndex(names)


def line_of(origin: object) -> str:
    """`line N` (`input K` in the REPL) for a node's origin span, or ''."""
    return place(origin) or ""


def _row(node: GraphNode) -> list[str]:
    return [node.op, node.shape, node.dtype, " ".join(node.flags()), line_of(node.origin)]


def render_text(t: Tensor, names: NamesArg = None, only: Tensor | None = None) -> str:
    """The tree of `t.grad_fn` and everything behind it; `only`: just the paths to that tensor."""
    index = as_index(names)
    graph = build(t, index, only)
    title = index.first(t) or "tensor"
    if graph.root is None:
        if only is not None:
            return f"{title}: no path in its graph reaches {index.first(only) or 'that tensor'}\n"
        return f"{title}: requires_grad=False, so it has no backward graph\n"
    rows: list[tuple[str, list[str]]] = []
    shown: set[str] = set()
    hidden = 0
    # iterative pre-order walk: (node or dead-end edge, prefix for the row, prefix for children)
    stack: list[tuple[GraphNode | Edge, str, str]] = [(graph.root, "", "")]
    while stack:
        item, head, tail = stack.pop()
        if len(rows) >= MAX_ROWS or len(tail) > 4 * MAX_DEPTH:
            hidden += 1  # a tree row costs its depth in characters: deep chains are cut
            continue
        if isinstance(item, Edge):
            why = f"({item.reason}: no gradient)"
            rows.append((head + item.label, [why, "", "", "", ""]))
            continue
        node = item
        label = node.label
        if node.key in shown and not node.is_leaf:
            rows.append((head + label, [node.op, "(shown above)", "", "", ""]))
            continue
        shown.add(node.key)
        rows.append((head + label, _row(node)))
        edges = node.edges
        children: list[tuple[GraphNode | Edge, str, str]] = []
        for k, edge in enumerate(edges):
            last = k == len(edges) - 1
            child_head = tail + ("└── " if last else "├── ")
            child_tail = tail + ("    " if last else "│   ")
            children.append(
                (edge.target if edge.target is not None else edge, child_head, child_tail)
            )
        stack.extend(reversed(children))
    if hidden:
        cut = f"... not shown: nodes deeper than {MAX_DEPTH} levels or past {MAX_ROWS} rows"
        rows.append((cut, ["", "", "", "", ""]))
    return _align(rows)


def _align(rows: list[tuple[str, list[str]]]) -> str:
    first = max(len(r[0]) for r in rows)
    ncols = len(rows[0][1])
    widths = [max(len(r[1][c]) for r in rows) for c in range(ncols)]
    lines = []
    for left, cols in rows:
        parts = [left.ljust(first)]
        for c, text in enumerate(cols):
            if widths[c]:
                parts.append(text.ljust(widths[c]))
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"
