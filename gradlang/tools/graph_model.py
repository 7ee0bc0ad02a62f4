"""The backward graph of a tensor as plain data, for the text tree and the DOT picture.

`build(t, names)` walks `t.grad_fn` and its `next_functions` (iteratively, each node once)
and returns a `Graph`: one `GraphNode` per grad_fn or AccumulateGrad with the tensor it
made (found through the names, or through the consumer node's inputs), its labels and
flags, and one `Edge` per input slot, including the slots with no gradient (a Python
number, a tensor that does not require grad). `only=` keeps just the paths that reach one
given tensor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradlang.autograd.node import AccumulateGrad, Node
from gradlang.autograd.tensor import Tensor
from gradlang.tools.expressions import Labeler, number_text
from gradlang.tools.naming import NameIndex
from gradlang.tools.values import format_shape


@dataclass
class GraphNode:
    """One node of the backward graph, with what the tools show about it."""

    key: str
    obj: object
    op: str  # grad_fn name: MulBackward0, AccumulateGrad
    names: list[str]
    label: str  # the user's name, or the expression that made the tensor
    tensor: Tensor | None
    origin: object = None
    edges: list[Edge] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return isinstance(self.obj, AccumulateGrad)

    @property
    def shape(self) -> str:
        return format_shape(self.tensor.shape) if self.tensor is not None else "?"

    @property
    def dtype(self) -> str:
        return self.tensor.dtype.name if self.tensor is not None else "?"

    def flags(self) -> list[str]:
        """requires_grad, leaf, retains_grad (as the tensor answers them)."""
        t = self.tensor
        out: list[str] = []
        if self.is_leaf:
            out.append("leaf")
        if t is None:
            out.append("requires_grad")
            return out
        if t.requires_grad:
            out.append("requires_grad")
        if t.retains_grad:
            out.append("retains_grad")
        return out


@dataclass
class Edge:
    """An input slot of a node: to another node, or a dead end (no gradient flows)."""

    target: GraphNode | None
    label: str  # what feeds this slot: a name, an expression, a number
    reason: str = ""  # for dead ends: "a number", "requires_grad=False"


@dataclass
class Graph:
    """The nodes in walk order (root first) and the tensor the walk started from."""

    root: GraphNode | None
    nodes: list[GraphNode]
    start: Tensor


def _origin_line(node: object) -> object:
    return getattr(node, "origin", None)


def build(t: Tensor, names: NameIndex | None = None, only: Tensor | None = None) -> Graph:
    """The graph behind `t`; with `only`, just the paths from `t` that reach `only`."""
    names = names or NameIndex()
    labeler = Labeler(names)
    start: Node | AccumulateGrad | None = t.grad_fn
    if start is None and t.requires_grad:
        start = t._accumulator()
    if start is None:
        return Graph(None, [], t)
    by_id: dict[int, GraphNode] = {}
    order: list[GraphNode] = []

    def visit(obj: object, tensor: Tensor | None) -> GraphNode:
        got = by_id.get(id(obj))
        if got is not None:
            if got.tensor is None and tensor is not None:
                got.tensor = tensor
            return got
        if isinstance(obj, AccumulateGrad):
            tensor = obj.variable
        named = names.tensor_of_node(obj)
        if named is not None:
            tensor = named
        node = GraphNode(
            key=f"n{len(order)}",
            obj=obj,
            op=obj.label,  # type: ignore[attr-defined]
            names=names.of_node(obj),
            label=labeler.node(obj),
            tensor=tensor,
            origin=_origin_line(obj),
        )
        by_id[id(obj)] = node
        order.append(node)
        return node

    root = visit(start, t)
    stack = [root]
    while stack:
        gnode = stack.pop()
        obj = gnode.obj
        if not isinstance(obj, Node):
            continue
        inputs = obj.inputs
        for k, nxt in enumerate(obj.next):
            arg = inputs[k] if k < len(inputs) else None
            label = labeler.tensor(arg) if arg is not None else "?"
            if nxt is None:
                if isinstance(arg, Tensor):
                    reason = "requires_grad=False"
                else:
                    reason = "a number"
                    label = number_text(arg)
                gnode.edges.append(Edge(None, label, reason))
                continue
            fresh = id(nxt) not in by_id
            child = visit(nxt, arg if isinstance(arg, Tensor) else None)
            gnode.edges.append(Edge(child, label))
            if fresh:
                stack.append(child)
    graph = Graph(root, order, t)
    if only is not None:
        graph = _only_paths_to(graph, only)
    return graph


def _only_paths_to(graph: Graph, target: Tensor) -> Graph:
    """Keep the nodes on a path from the root to the node of `target`."""
    goal = (
        target.grad_fn
        if target.grad_fn is not None
        else (target._accumulator() if target.requires_grad else None)
    )
    keep: set[str] = set()
    if goal is not None:
        # reverse reachability: parents of each node
        parents: dict[str, list[GraphNode]] = {}
        for node in graph.nodes:
            for e in node.edges:
                if e.target is not None:
                    parents.setdefault(e.target.key, []).append(node)
        seeds = [n for n in graph.nodes if n.obj is goal]
        stack = list(seeds)
        while stack:
            n = stack.pop()
            if n.key in keep:
                continue
            keep.add(n.key)
            stack.extend(parents.get(n.key, []))
    nodes = [n for n in graph.nodes if n.key in keep]
    for n in nodes:
        n.edges = [e for e in n.edges if e.target is not None and e.target.key in keep]
    root = graph.root if graph.root is not None and graph.root.key in keep else None
    return Graph(root, nodes if root is not None else [], graph.start)
