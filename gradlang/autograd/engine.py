"""The backward engine: `backward` and `grad` over the recorded graph.

Iterative throughout (a 200,000-node chain works): one DFS counts dependencies, then nodes
run from a heap ordered as PyTorch orders them (most recently created first), each once all
its consumers have sent their gradient. Gradients for an input are reduced to its shape
(`sum_to_shape`) and cast to its dtype in one place, here. Observers (the explain tool) are
read once per call.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import origin as _origin
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.dispatch import result
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError
from gradlang.autograd.node import AccumulateGrad, Node, VersionCounter
from gradlang.autograd.ops_reduce import float_sum
from gradlang.autograd.rules import Rule
from gradlang.autograd.size import Size
from gradlang.autograd.tensor import Tensor

FREED_ERROR = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak."
)
VERSION_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


class Observer(Protocol):
    """What the explain tool implements to watch a backward pass step by step.

    `node` comes after a node ran (with the gradient it got and the one it passed to each
    input); `accumulate` for each `+=` into a leaf's or a retained tensor's `.grad`. An
    observer may also have `pass_started(roots, is_grad_call)` and `pass_ended()` (looked
    up with getattr; `pass_ended` is called from a `finally`, also when the pass fails).
    """

    def node(
        self, node: Node, grad_output: Tensor, grad_inputs: tuple[Tensor | None, ...]
    ) -> None: ...

    def accumulate(self, tensor: Tensor, grad: Tensor, kind: str) -> None: ...


observers: list[Observer] = []
#: Set before each observer `accumulate` call: whether that `.grad` was None or all zeros
#: before this pass added into it (so observers need not compare arrays).
grad_was_empty = False


_SUM_DIMS: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[tuple[int, ...], ...]] = {}


def _sum_dims(gshape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """sum_to_shape's two sums: over the leading dims, then (kept) over the dims of size 1."""
    lead = len(gshape) - len(shape)
    kept = gshape[lead:]
    return tuple(range(lead)), tuple(k for k, s in enumerate(shape) if s == 1 and kept[k] != 1)


def sum_to_shape(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Undo broadcasting: sum `g` down to `shape` (differentiably). The one place it is done."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if not _gm.enabled and g._dtype.category == 2:
        # nothing to record (no create_graph): the same two sums as below, on the array
        key = (gshape, shape)
        dims = _SUM_DIMS.get(key)
        if dims is None:
            if len(_SUM_DIMS) > 1024:
                _SUM_DIMS.clear()
            dims = _SUM_DIMS[key] = _sum_dims(gshape, shape)
        d = g._data
        if dims[0]:
            d = float_sum(d, dims[0])
        if dims[1]:
            d = float_sum(d, dims[1], True)
        if d.shape != shape:
            d = d.reshape(shape)
        return result(d, g._dtype)
    if lead > 0:
        g = g.sum(tuple(range(lead)))
    keep = tuple(k for k, s in enumerate(shape) if s == 1 and g._data.shape[k] != 1)
    if keep:
        g = g.sum(keep, keepdim=True)
    if g._data.shape != tuple(shape):
        g = g.reshape(shape)
    return g


def _version_error(node: Node, index: int, tensor: Tensor, expected: int) -> TorchRuntimeError:
    current = tensor._vc.value if tensor._vc is not None else 0
    shape = ", ".join(str(s) for s in tensor._data.shape)
    what = f"[{tensor._dtype.tensor_type} [{shape}]]"
    maker: str | None
    if index == -1:
        maker = node.rule.node
    else:
        maker = tensor._grad_fn.rule.node if tensor._grad_fn is not None else None
    if maker is not None:
        base = maker
        while base and base[-1].isdigit():
            base = base[:-1]
        if base.endswith("Backward"):
            base = base[: -len("Backward")]
        what += f", which is output 0 of {base},"
    error = TorchRuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {current}; expected version {expected} instead. "
        + VERSION_HINT
    )
    # where things happened, for the tools' hint (opaque origins set by the runtime)
    error.saved_at = node.origin  # type: ignore[attr-defined]
    error.modified_at = (  # type: ignore[attr-defined]
        tensor._vc.last_modified_at if tensor._vc is not None else None
    )
    return error


_USED_SAVES: dict[tuple[str, tuple[bool, ...]], tuple[int, ...]] = {}


def _used_saves(rule: Rule, next_: tuple) -> tuple[int, ...]:
    """The saved tensors (input indices, -1: the output) that the formulas of the inputs
    with an edge read, sorted; cached per rule and edge pattern."""
    live = tuple([n is not None for n in next_])
    key = (rule.op, live)
    used = _USED_SAVES.get(key)
    if used is None:
        needs = rule.needs
        found: set[int] = set()
        for k, on in enumerate(live):
            if on:
                found.update(needs[0] if rule.variadic else needs[k])
        used = _USED_SAVES[key] = tuple(sorted(found))
    return used


def _check_saved(node: Node) -> None:
    """Freed graph and in-place modification checks for the tensors this run will read.

    `run` calls it only when they can fail: the graph was freed, or a saved tensor has a
    version counter (some in-place op touched its storage)."""
    used = _used_saves(node.rule, node.next)
    if not used:
        return
    if node.freed is not None:
        error = TorchRuntimeError(FREED_ERROR)
        error.freed_at = node.freed_at  # type: ignore[attr-defined]
        raise error
    inputs = node.inputs
    versions = node.versions
    for j in used:
        if j == -1:
            t = node.out
            expected = node.out_version
        else:
            if j >= len(inputs):
                continue
            t = inputs[j]
            if t.__class__ is not Tensor:
                continue
            expected = versions[j] if versions is not None else 0
        if t is not None and t._vc is not None and t._vc.value != expected:
            raise _version_error(node, j, t, expected)


def _run_hooks(hooks: list[Callable], g: Tensor) -> Tensor:
    """Run tensor hooks in order; a hook may return a replacement of the same size and type."""
    for hook in list(hooks):
        replaced = hook(g)
        if replaced is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(replaced, Tensor):
            raise TorchTypeError(
                f"expected Variable, but hook returned '{type(replaced).__name__}'"
            )
        if replaced._data.shape != g._data.shape:
            raise TorchRuntimeError(f"hook '{name}' has changed the size of value")
        if replaced._dtype is not g._dtype:
            raise TorchRuntimeError(
                f"hook '{name}' has changed the type of value (was {g._dtype.tensor_type} got "
                f"{replaced._dtype.tensor_type})"
            )
        g = replaced
    return g


def _fit(g: Tensor, like: Tensor) -> Tensor:
    """Reduce a gradient to the input's shape and cast it to the input's dtype."""
    if g._data.shape != like._data.shape:
        g = sum_to_shape(g, like._data.shape)
    if g._dtype is not like._dtype:
        g = g.to(like._dtype)
    return g


def _add(a: Tensor | None, b: Tensor) -> Tensor:
    return b if a is None else a + b


def _fresh(g: Tensor) -> Tensor:
    """A detached, writable, contiguous copy (what `.grad` holds)."""
    return Tensor(np.array(g._data, copy=True, order="C"), g._dtype)


def _dependencies(roots: Sequence[Any]) -> dict[Any, int]:
    """How many consumers send each reachable node a gradient (in the order found)."""
    deps: dict[Any, int] = {}
    stack: list[Any] = []
    for r in roots:
        if r not in deps:
            deps[r] = 0
            stack.append(r)
    while stack:
        n = stack.pop()
        for nx in n.next:
            if nx is None:
                continue
            if nx in deps:
                deps[nx] += 1
            else:
                deps[nx] = 1
                stack.append(nx)
    return deps


def _leading_to(capture: dict[Any, int], nodes: dict[Any, int]) -> set[Any]:
    """The nodes with a path to a captured node (only those run in `autograd.grad`)."""
    needed = set(capture)
    order = list(nodes)
    changed = True
    # propagate backwards until stable (the order found is not topological, so iterate;
    # graphs here are small or chain-like)
    while changed:
        changed = False
        for n in reversed(order):
            if n not in needed:
                for nx in n.next:
                    if nx is not None and nx in needed:
                        needed.add(n)
                        changed = True
                        break
    return needed


def run(
    roots: Sequence[Any],
    root_grads: Sequence[Tensor],
    keep_graph: bool,
    create_graph: bool,
    capture: dict[Any, int] | None = None,
    accumulate: bool = True,
) -> dict[Any, Tensor]:
    """Run backward from `roots` (nodes or AccumulateGrads) seeded with `root_grads`.

    With `capture` (node -> index), the gradient reaching each captured node is returned
    instead of being accumulated into `.grad` (autograd.grad); only nodes on a path to a
    captured node run.
    """
    deps = _dependencies(roots)
    needed = _leading_to(capture, deps) if capture is not None else None
    watchers = list(observers) if observers else None
    per_node: list[Observer] | None = None  # observers told about each node as it runs
    batched: list[Any] = []  # observers told the nodes that ran once, at the end (`pass_nodes`)
    ran: list[Node] | None = None
    if watchers is not None:
        for w in watchers:
            started = getattr(w, "pass_started", None)
            if started is not None:
                started(roots, capture is not None)
            if getattr(w, "pass_nodes", None) is not None:
                batched.append(w)
            else:
                per_node = per_node or []
                per_node.append(w)
        if batched:
            ran = []
    keep_retained = accumulate and capture is None
    # a leaf's gradient goes straight into its .grad (no hooks to run, nobody to tell)
    plain = keep_retained and watchers is None and not create_graph
    buffers: dict[Any, Tensor] = {}
    captured: dict[Any, Tensor] = {}
    heap: list[tuple[int, Any]] = []
    for r, g in zip(roots, root_grads):
        buffers[r] = _add(buffers.get(r), g)
    previous_mode = _gm.enabled
    _gm.enabled = create_graph
    freed = None if keep_graph else (_origin.current,)
    heappop = heapq.heappop
    heappush = heapq.heappush
    try:
        for r in dict.fromkeys(roots):
            if deps[r] == 0:
                if r.__class__ is AccumulateGrad:
                    _accumulate(
                        r, buffers.pop(r), create_graph, capture, captured, accumulate, watchers
                    )
                else:
                    heappush(heap, (-r.seq, r))
        # A node made ready by the one just run, held out of the heap (with its gradient out
        # of `buffers`) while it is the only ready node: in a chain it is simply the next one,
        # and the heap stays empty. (PyTorch's order: the ready node made last runs first.)
        ready: Any = None
        ready_grad: Any = None
        while True:
            if ready is not None and not heap:
                node: Any = ready
                g = ready_grad
                ready = None
            else:
                if ready is not None:
                    buffers[ready] = ready_grad
                    heappush(heap, (-ready.seq, ready))
                    ready = None
                if not heap:
                    break
                node = heappop(heap)[1]
                g = buffers.pop(node)
            if node.pre_hooks:
                g = _run_hooks(node.pre_hooks, g)
            if node.retained is not None and keep_retained:
                _keep(node.retained, g, create_graph, watchers)
            if needed is not None:
                if node in capture:  # type: ignore[operator]
                    captured[node] = g
                if node not in needed:
                    continue
            rule = node.rule
            inputs = node.inputs
            out = node.out
            if rule.saves:
                # _check_saved only when it can fail: a freed graph, or a tensor changed in
                # place since it was saved (whether the formulas read it, it decides)
                if node.freed is not None or (
                    out is not None and out._vc is not None and out._vc.value != node.out_version
                ):
                    _check_saved(node)
                else:
                    versions = node.versions
                    j = 0
                    for t in inputs:
                        if (
                            t.__class__ is Tensor
                            and t._vc is not None
                            and t._vc.value != (0 if versions is None else versions[j])
                        ):
                            _check_saved(node)
                            break
                        j += 1
                if freed is not None:
                    node.freed = freed
                    if out is not None:
                        # the saved output is freed as PyTorch frees it; this also breaks the
                        # output -> node -> output cycle, so the graph goes by refcounting
                        node.out = None
            if ran is not None:
                ran.append(node)
            results: list[Tensor | None] | None = [] if per_node else None
            grads: Any = rule.grads  # rule() gives every input a formula
            variadic = rule.variadic
            attrs = node.attrs
            k = -1
            for nxt in node.next:
                k += 1
                if nxt is None or (needed is not None and nxt not in needed):
                    if results is not None:
                        results.append(None)
                    continue
                if variadic:
                    gi = grads[0](g, inputs, out, attrs, k)
                else:
                    gi = grads[k](g, inputs, out, attrs)
                if gi is None:
                    if results is not None:
                        results.append(None)
                    continue
                like = inputs[k]
                if gi._dtype is not like._dtype or gi._data.shape != like._data.shape:
                    gi = _fit(gi, like)
                if results is not None:
                    results.append(gi)
                left = deps[nxt] - 1
                if left == 0:
                    prev = buffers.pop(nxt, None)
                    if prev is not None:
                        gi = prev + gi
                    if nxt.__class__ is AccumulateGrad:
                        extra = nxt.variable._extra
                        if plain and (extra is None or not extra.hooks):  # the usual leaf
                            _store(nxt.variable, gi, False)
                        else:
                            _accumulate(
                                nxt, gi, create_graph, capture, captured, accumulate, watchers
                            )
                    elif ready is None:
                        ready, ready_grad = nxt, gi
                    else:
                        buffers[nxt] = gi
                        heappush(heap, (-nxt.seq, nxt))
                else:
                    deps[nxt] = left
                    prev = buffers.get(nxt)
                    buffers[nxt] = gi if prev is None else prev + gi
            if per_node is not None:
                for w in per_node:
                    w.node(node, g, tuple(results or ()))
    finally:
        _gm.enabled = previous_mode
        if watchers is not None:
            for w in batched:
                w.pass_nodes(ran)
            for w in watchers:
                ended = getattr(w, "pass_ended", None)
                if ended is not None:
                    ended()
    return captured


def _accumulate(
    acc: AccumulateGrad,
    g: Tensor,
    create_graph: bool,
    capture: dict[Any, int] | None,
    captured: dict[Any, Tensor],
    accumulate: bool,
    watchers: list[Observer] | None,
) -> None:
    var = acc.variable
    extra = var._extra
    if extra is not None and extra.hooks:
        g = _run_hooks(extra.hooks, g)
    if capture is not None:
        if acc in capture:
            captured[acc] = g
        return
    if not accumulate:
        return
    global grad_was_empty
    if watchers is not None:
        old = var._grad
        grad_was_empty = old is None or not np.count_nonzero(old._data)
    _store(var, g, create_graph)
    if watchers is not None:
        for w in watchers:
            w.accumulate(var, g, "leaf")


def _store(var: Tensor, g: Tensor, create_graph: bool) -> None:
    old = var._grad
    if old is None:
        if create_graph and g._requires_grad:
            from gradlang.autograd.dispatch import record
            from gradlang.autograd.rules import RULES

            # as PyTorch: the new .grad is a copy_ of g into a fresh tensor (CopyBackwards)
            var._grad = record(_fresh(g), RULES["inplace_copy"], (Tensor(g._data, g._dtype), g))
        else:
            var._grad = _fresh(g)
    elif create_graph and (g._requires_grad or old._requires_grad):
        var._grad = old + g
    else:
        data = old._data
        if data.shape == g._data.shape and data.flags.writeable:
            if data.dtype is g._data.dtype:
                data += g._data
            else:
                np.add(data, g._data, out=data, casting="unsafe")
            counter = old._vc  # old._bump_version(), inline
            if counter is None:
                counter = old._vc = VersionCounter()
            counter.value += 1
            counter.last_modified_at = _origin.current
        else:
            var._grad = Tensor(data + g._data, old._dtype)


def _keep(t: Tensor, g: Tensor, create_graph: bool, watchers: list[Observer] | None) -> None:
    if g._data.shape != t._data.shape:
        g = sum_to_shape(g, t._data.shape)
    if g._dtype is not t._dtype:
        g = g.to(t._dtype)
    old = t._grad
    if watchers is not None:
        global grad_was_empty
        grad_was_empty = old is None or not np.count_nonzero(old._data)
    if old is None:
        t._grad = g if create_graph and g._requires_grad else _fresh(g)
    elif create_graph:
        t._grad = old + g
    else:
        t._grad = Tensor(old._data + g._data, old._dtype)
    if watchers is not None:
        for w in watchers:
            w.accumulate(t, g, "retained")


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _ones(like: Tensor) -> Tensor:
    """The implicit seed: ones of `like`'s shape and dtype (a fresh, contiguous tensor)."""
    shape = like._data.shape
    if shape == ():  # the usual scalar loss: np.array is 7x cheaper than np.ones
        return Tensor(np.array(1, like._dtype.np), like._dtype)
    return Tensor(np.ones(shape, like._dtype.np), like._dtype)


def _seed(outputs: list[Tensor], grads: list[Any]) -> list[Tensor]:
    seeds = []
    if grads and len(grads) != len(outputs):
        raise TorchRuntimeError(
            "grad can be implicitly created only for scalar outputs"
            if len(grads) < len(outputs)
            else f"Mismatch in number of gradients: got {len(grads)} but expected {len(outputs)}"
        )
    for k, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TorchTypeError(
                f"backward(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                f"{type(out).__name__}"
            )
        g = grads[k] if grads else None
        if g is None:
            if not out._requires_grad:  # PyTorch's _make_grads leaves it to the engine's check
                seeds.append(_ones(out))
                continue
            if out._data.size != 1:
                raise TorchRuntimeError("grad can be implicitly created only for scalar outputs")
            if not out._dtype.is_floating_point:
                raise TorchRuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out._dtype}"
                )
            g = _ones(out)
        else:
            if not isinstance(g, Tensor):
                from gradlang.autograd.creation import tensor

                g = tensor(g, dtype=out._dtype)
            if g._data.shape != out._data.shape:
                raise TorchRuntimeError(
                    f"Mismatch in shape: grad_output[{k}] has a shape of "
                    f"{Size(g._data.shape)} and output[{k}] has a shape of "
                    f"{Size(out._data.shape)}."
                )
            if g._dtype is not out._dtype:
                g = g.to(out._dtype)
        seeds.append(g)
    return seeds


def _root(t: Tensor, k: int) -> Any:
    if not t._requires_grad:
        raise TorchRuntimeError(
            f"element {k} of tensors does not require grad and does not have a grad_fn"
        )
    return t._grad_fn if t._grad_fn is not None else t._accumulator()


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """`torch.autograd.backward`: accumulate d(tensors)/d(leaves) into the leaves' `.grad`."""
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors)
    # the roots are checked before the seeds, as PyTorch does (a non-tensor fails in _seed)
    roots = [_root(t, k) if t.__class__ is Tensor else None for k, t in enumerate(outputs)]
    seeds = _seed(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and _warnings.once("create_graph"):  # once per process, as PyTorch
        _warnings.warn(
            CREATE_GRAPH_WARNING + _warnings.triggered("torch/csrc/autograd/engine.cpp:1307")
        )
    if inputs is not None:
        wanted = _as_list(inputs)
        capture = {_root(t, k): k for k, t in enumerate(wanted)}
        got = run(roots, seeds, retain_graph, create_graph, capture)
        for t in wanted:
            node = t._grad_fn if t._grad_fn is not None else t._accumulator()
            if node in got:
                if t._grad_fn is None:
                    _store(t, _fit(got[node], t), create_graph)
                else:
                    _keep(t, got[node], create_graph, None)
        return
    run(roots, seeds, retain_graph, create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """`torch.autograd.grad`: the gradients of `outputs` w.r.t. `inputs`, without touching .grad."""
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for t in ins:
        if not isinstance(t, Tensor):
            raise TorchTypeError(
                f"grad(): argument 'inputs' must be tuple of Tensors, not {type(t).__name__}"
            )
    seeds = _seed(outs, _as_list(grad_outputs))
    roots = [_root(t, k) for k, t in enumerate(outs)]  # PyTorch checks the outputs first
    for t in ins:
        if not t._requires_grad:
            raise TorchRuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if materialize_grads:
        allow_unused = True
    capture: dict[Any, int] = {}
    nodes = []
    for k, t in enumerate(ins):
        node = t._grad_fn if t._grad_fn is not None else t._accumulator()
        capture[node] = k
        nodes.append(node)
    got = run(roots, seeds, retain_graph, create_graph, capture)
    result: list[Tensor | None] = []
    for k, (t, node) in enumerate(zip(ins, nodes)):
        g = got.get(node)
        if g is None:
            if not allow_unused:
                raise TorchRuntimeError(
                    f"The differentiated Tensor at index {k} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                from gradlang.autograd.creation import zeros_like

                g = zeros_like(t)
            result.append(g)
            continue
        g = _fit(g, t)
        if not create_graph:
            g = g.detach() if g._requires_grad else g
        result.append(g)
    return tuple(result)


def add_observer(observer: Observer) -> Callable[[], None]:
    """Install an observer; returns a function that removes it."""
    observers.append(observer)

    def remove() -> None:
        if observer in observers:
            observers.remove(observer)

    return remove
