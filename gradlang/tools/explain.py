"""`explain(t, gradient=None)` and `--trace`: the backward pass, step by step, as it really ran.

A `Tracer` is an observer of the engine (`gradlang.autograd.engine.add_observer`): it sees
every node the real backward runs, the gradient that reached it and the gradient it passed
to each input, and every `+=` into a leaf's or a retained tensor's `.grad`. It copies the
numbers as they go by, so what it prints is exactly what the engine computed and stored;
nothing is recomputed. `render` turns one backward's record into aligned text:

    step 2  PowBackward0  y ** 2                               line 3
      upstream   dz/d(y ** 2) = [1., 1., 1.]
      local      d(y ** 2)/dy = 2 * y
      passes     dz/dy        = [ 4.,  8., 12.]  to y (MulBackward0)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradlang.autograd import engine as _engine
from gradlang.autograd.node import AccumulateGrad, Node
from gradlang.autograd.tensor import Tensor
from gradlang.tools.expressions import Labeler
from gradlang.tools.naming import NameIndex
from gradlang.tools.places import place
from gradlang.tools.values import format_value

#: Unnamed intermediate values with a longer expression are called t1, t2, ...
ALIAS_OVER = 24

SourceLine = Callable[[object], "str | None"]


@dataclass
class Accumulation:
    """One `t.grad += g` the engine did, with `.grad` as it was right after."""

    tensor: Tensor
    grad: np.ndarray
    total: np.ndarray | None
    kind: str  # "leaf" or "retained"
    fresh: bool  # .grad was None before


@dataclass
class Step:
    """One node the engine ran: the gradient it received and what it passed to each input."""

    node: Node
    upstream: np.ndarray
    passed: list[np.ndarray | None]
    retained: list[Accumulation] = field(default_factory=list)
    leaves: list[Accumulation] = field(default_factory=list)


@dataclass
class Record:
    """Everything one backward pass did, in the order it happened."""

    roots: list[Tensor] = field(default_factory=list)
    seeds: list[np.ndarray | None] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    pending: list[Accumulation] = field(default_factory=list)  # not yet attached to a step
    extra: list[Accumulation] = field(default_factory=list)  # e.g. backward on a leaf itself
    reach: set[int] = field(default_factory=set)  # ids of the nodes this pass can run
    ran: set[int] = field(default_factory=set)  # ids of the nodes it ran
    explicit: bool = False  # begun by begin() (explain): ended by end()
    engine_started: bool = False  # the engine announced this pass (pass_started)
    grad_call: bool = False  # autograd.grad: nothing is added into .grad
    ops_left: int | None = None  # op nodes still to run (when traced without begin/end)


def _reachable(start: object) -> set[int]:
    """Ids of every node reachable from `start` (itself included), iteratively."""
    seen = {id(start)}
    stack = [start]
    while stack:
        for nxt in getattr(stack.pop(), "next", ()):
            if nxt is not None and id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return seen


def _op_count(start: object) -> int:
    """How many op nodes (not AccumulateGrad) are reachable from `start`."""
    seen = {id(start)}
    stack = [start]
    count = 0
    while stack:
        n = stack.pop()
        if isinstance(n, Node):
            count += 1
        for nxt in getattr(n, "next", ()):
            if nxt is not None and id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)
    return count


def _seed_copy(seed: object) -> np.ndarray | None:
    """A gradient= argument as an array: a tensor's values, or the data it was given as."""
    if seed is None:
        return None
    if isinstance(seed, Tensor):
        return np.array(seed._data, copy=True)
    try:
        return np.asarray(seed, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _copy(t: Tensor | None) -> np.ndarray | None:
    return None if t is None else np.array(t._data, copy=True)


#: How many explain() calls are running: `--trace` stays quiet about their passes.
_explaining = 0


class Tracer:
    """Observes backward passes; `on_done(record)` is called at the end of each one.

    A tracer made with `quiet_during_explain` (the one `--trace` uses) ignores the passes
    that an `explain()` call is already showing.
    """

    def __init__(
        self, on_done: Callable[[Record], None], quiet_during_explain: bool = False
    ) -> None:
        self.on_done = on_done
        self.record: Record | None = None
        self.quiet = quiet_during_explain

    # -- engine observer protocol ------------------------------------------------------
    def begin(
        self, roots: list[Tensor] | None = None, seeds: list[Tensor | None] | None = None
    ) -> None:
        self.finish()
        self.record = Record(list(roots or []), [_seed_copy(s) for s in seeds or []], explicit=True)

    def pass_started(self, roots: object = None, capture: bool = False) -> None:
        """The engine starts a pass (`explain`'s own pass was begun by `begin`)."""
        if self.quiet and _explaining:
            return
        rec = self.record
        if rec is not None and rec.explicit and not rec.engine_started:
            rec.engine_started = True
            return
        self.finish()
        self.record = Record(grad_call=capture, engine_started=True)

    def pass_ended(self) -> None:
        if self.quiet and _explaining:
            return
        rec = self.record
        if rec is not None and not rec.explicit:
            self.finish()

    def node(self, node: Node, grad_output: Tensor, grad_inputs: tuple[Tensor | None, ...]) -> None:
        if self.quiet and _explaining:
            return
        rec = self.record
        if rec is None or (
            not rec.engine_started
            and rec.steps
            and (id(node) not in rec.reach or id(node) in rec.ran)
        ):
            # a new backward pass: what is pending was emitted by this node's own run
            pending = rec.pending if rec is not None else []
            if rec is not None:
                rec.pending = []
                self.finish()
            rec = self.record = Record(pending=pending)
        if not rec.steps:
            rec.reach = _reachable(node)
        rec.ran.add(id(node))
        step = Step(node, np.array(grad_output._data, copy=True), [_copy(g) for g in grad_inputs])
        for acc in rec.pending:
            if acc.kind == "retained" and acc.tensor.grad_fn is node:
                step.retained.append(acc)
            else:
                step.leaves.append(acc)
        rec.pending.clear()
        rec.steps.append(step)
        if rec.explicit or rec.engine_started:
            return
        # a backward pass runs every op node it can reach: when all have run, it is over
        # (autograd.grad may run fewer: that pass is closed by the next one, or by stop())
        if rec.ops_left is None:
            rec.ops_left = _op_count(node)
        rec.ops_left -= 1
        if rec.ops_left <= 0:
            self.finish()

    def accumulate(self, tensor: Tensor, grad: Tensor, kind: str) -> None:
        if self.quiet and _explaining:
            return
        rec = self._current()
        total = tensor._grad
        fresh = total is not None and np.array_equal(total._data, grad._data)
        rec.pending.append(
            Accumulation(tensor, np.array(grad._data, copy=True), _copy(total), kind, fresh)
        )

    def end(self) -> None:
        self.finish()

    # -- bookkeeping -------------------------------------------------------------------
    def _current(self) -> Record:
        if self.record is None:
            self.record = Record()
        return self.record

    def finish(self) -> None:
        """Close the current record (if any) and hand it on."""
        rec = self.record
        self.record = None
        if rec is None:
            return
        if rec.pending:
            if rec.steps:
                last = rec.steps[-1]
                for acc in rec.pending:
                    (last.retained if acc.kind == "retained" else last.leaves).append(acc)
            else:
                rec.extra.extend(rec.pending)
            rec.pending = []
        if rec.steps or rec.extra:
            self.on_done(rec)


# ---------------------------------------------------------------------------------------
# rendering


def _where(node: object, source_line: SourceLine | None) -> str:
    origin = getattr(node, "origin", None)
    where = place(origin)
    if where is None:
        return ""
    text = source_line(origin) if source_line is not None else None
    return f"{where}: {text.strip()}" if text else where


def _count_paths(rec: Record) -> dict[int, int]:
    counts: dict[int, int] = {}
    for step in rec.steps:
        for nxt, g in zip(step.node.next, step.passed):
            if nxt is not None and g is not None:
                counts[id(nxt)] = counts.get(id(nxt), 0) + 1
    return counts


def render(
    rec: Record, names: NameIndex | None = None, source_line: SourceLine | None = None
) -> str:
    """The text of one recorded backward pass."""
    names = names or NameIndex()
    lab = Labeler(names, alias_over=ALIAS_OVER)
    root_label = (
        lab.tensor(rec.roots[0])
        if rec.roots
        else (lab.node(rec.steps[0].node) if rec.steps else "out")
    )
    plain_root = re.fullmatch(r"[\w.\[\]]+", root_label) is not None
    out_sym = root_label if len(root_label) <= 12 and plain_root else "out"

    def d(label: str) -> str:
        inner = label if re.fullmatch(r"[\w.\[\]]+", label) else f"({label})"
        return f"d{out_sym}/d{inner}"

    lines: list[list[str] | str] = []
    header = f"{'autograd.grad' if rec.grad_call else 'backward'} from {root_label}"
    if rec.roots:
        root = rec.roots[0]
        seed = rec.seeds[0] if rec.seeds else None
        header += f" = {format_value(root._data)}"
        if seed is None:
            header += f", seeded with {d(root_label)} = 1 (implicit for a one-element output)"
        else:
            header += f", seeded with gradient {format_value(seed)}"
    if not rec.roots and rec.steps:
        first = rec.steps[0]
        named = names.tensor_of_node(first.node)
        if named is not None:
            header += f" = {format_value(named._data)}"
        seed = first.upstream
        if seed.size == 1 and float(seed.reshape(-1)[0]) == 1.0:
            header += f", seeded with {d(root_label)} = 1"
        else:
            header += f", seeded with gradient {format_value(seed)}"
    lines.append(header)

    totals = _count_paths(rec)
    arrived: dict[int, int] = {}
    arrived_sum: dict[int, np.ndarray] = {}
    last_line = ""

    for number, step in enumerate(rec.steps, 1):
        node = step.node
        label = lab.node(node)
        expr = lab.expression(node)
        shown = label if label == expr else f"{label} = {expr}"
        title = f"step {number}  {node.name()}  {shown}"
        where = _where(node, source_line)
        if where and where.split(":")[0] == last_line:
            where = where.split(":")[0]
        else:
            last_line = where.split(":")[0]
        lines.append("")
        lines.append(title + (f"    ({where})" if where else ""))
        for acc in step.retained:
            lines.append(_accumulation_row(acc, lab, names, 1, 1))
        upstream = d(label)
        incoming = totals.get(id(node), 1)
        note = f"  (sum of {incoming} paths)" if incoming > 1 else ""
        sent = arrived_sum.get(id(node))
        if sent is not None and (
            sent.shape != step.upstream.shape or not np.array_equal(sent, step.upstream)
        ):
            note += "  (a hook changed it)"
        lines.append(["", "upstream", upstream, format_value(step.upstream) + note])
        inputs = node.inputs
        multi = sum(1 for n in node.next if n is not None) > 1
        for k, (nxt, g) in enumerate(zip(node.next, step.passed)):
            if nxt is None:
                continue
            arg = inputs[k] if k < len(inputs) else None
            arg_label = lab.tensor(arg) if arg is not None else lab.node(nxt)
            lhs, rhs = lab.local_parts(node, k)
            word = f"local {k}" if multi else "local"
            lines.append(["", word, lhs, rhs])
            if g is None:
                lines.append(["", "passes", d(arg_label), "nothing (no gradient for this input)"])
                continue
            arrived[id(nxt)] = arrived.get(id(nxt), 0) + 1
            before = arrived_sum.get(id(nxt))
            arrived_sum[id(nxt)] = g if before is None else before + g
            n_paths = totals.get(id(nxt), 1)
            path = f", path {arrived[id(nxt)]} of {n_paths}" if n_paths > 1 else ""
            target = _target(nxt, names)
            lines.append(["", "passes", d(arg_label), f"{format_value(g)}  to {target}{path}"])
        for acc in step.leaves:
            n = totals.get(id(acc.tensor._accumulator()), 1) if acc.tensor.grad_fn is None else 1
            lines.append(_accumulation_row(acc, lab, names, n, n))
    for acc in rec.extra:
        lines.append("")
        lines.append(_accumulation_row(acc, lab, names, 1, 1))
    return _align(lines)


def _target(nxt: object, names: NameIndex) -> str:
    if isinstance(nxt, AccumulateGrad):
        name = names.first(nxt.variable) or "a leaf"
        return f"{name} (AccumulateGrad)"
    node_name = names.first(nxt)
    op = str(nxt.label)  # type: ignore[attr-defined]
    return f"{node_name} ({op})" if node_name else op


def _accumulation_row(acc: Accumulation, lab: Labeler, names: NameIndex, k: int, n: int) -> str:
    who = names.first(acc.tensor) or lab.tensor(acc.tensor)
    what = "retained gradient" if acc.kind == "retained" else "leaf"
    total = format_value(acc.total) if acc.total is not None else "?"
    paths = f"sum of {n} paths, " if n > 1 else ""
    now = "" if acc.fresh else f", {who}.grad is now {total}"
    return f"  {who}.grad += {format_value(acc.grad)}   ({paths}{what}{now})"


def _align(lines: list[list[str] | str]) -> str:
    rows = [r for r in lines if isinstance(r, list)]
    w1 = max((len(r[1]) for r in rows), default=0)
    w2 = max((len(r[2]) for r in rows), default=0)
    text = []
    for r in lines:
        if isinstance(r, str):
            text.append(r)
        elif r[3]:
            text.append(f"  {r[1].ljust(w1)}  {r[2].ljust(w2)} = {r[3]}".rstrip())
        else:
            text.append(f"  {r[1].ljust(w1)}  {r[2]}".rstrip())
    return "\n".join(text) + "\n"


# ---------------------------------------------------------------------------------------
# the explain() tool and --trace


def explain(
    t: Tensor,
    gradient: Any = None,
    names: NameIndex | None = None,
    write: Callable[[str], None] | None = None,
    source_line: SourceLine | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> str:
    """Run `t.backward(gradient)` and return (and `write`) the step-by-step account."""
    texts: list[str] = []
    tracer = Tracer(lambda rec: texts.append(render(rec, names, source_line)))
    global _explaining
    remove = _engine.add_observer(tracer)
    _explaining += 1
    try:
        tracer.begin([t], [gradient])
        t.backward(gradient, retain_graph=retain_graph, create_graph=create_graph)
        tracer.end()
    finally:
        _explaining -= 1
        tracer.record = None
        remove()
    text = "".join(texts)
    if not text:
        text = "backward ran, but no node of the graph had anything to do\n"
    if write is not None:
        write(text)
    return text


def start_trace(
    write: Callable[[str], None],
    names: Callable[[], NameIndex],
    source_line: SourceLine | None = None,
) -> Callable[[], None]:
    """Trace every backward from now on (`gradlang run --trace`); returns `stop()`."""
    tracer = Tracer(lambda rec: write(render(rec, names(), source_line)), True)
    remove = _engine.add_observer(tracer)

    def stop() -> None:
        tracer.finish()
        remove()

    return stop
