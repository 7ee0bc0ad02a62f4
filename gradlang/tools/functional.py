"""`jacobian`, `hessian`, `vjp`, `jvp`: torch.autograd.functional on gradlang's engine.

Same signatures, return types, shapes and errors as PyTorch 2.13's (reverse mode, not
vectorised): `jacobian` of R^n -> R^m is an (m, n) tensor (output shape + input shape in
general); a tuple of inputs or outputs gives tuples, nested output-first. Each row is one
real backward pass of the engine (`autograd.grad` with a one-hot `grad_outputs`), so the
numbers are the engine's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlang.autograd import engine as _engine
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import ops_shape as _shape
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError
from gradlang.autograd.size import Size
from gradlang.autograd.tensor import Tensor

Func = Callable[..., Any]


def _as_tuple(x: Any, arg: str, fn: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was a tuple, the tensors); raises torch's TypeError for anything else."""
    if isinstance(x, Tensor):
        return False, (x,)
    if isinstance(x, (tuple, list)) and all(isinstance(t, Tensor) for t in x):
        return True, tuple(x)
    if arg == "outputs":
        raise TorchTypeError(
            f"The outputs of the user-provided function given to {fn} must be either a Tensor "
            f"or a tuple of Tensors but the given outputs of the user-provided function has "
            f"type {_pytype(x)}."
        )
    raise TorchTypeError(
        f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but the value "
        f"at index 0 has type {_pytype(x)}."
    )


def check_callable(func: Any, fn: str) -> None:
    """torch's TypeError when the function argument cannot be called."""
    if not callable(func):
        raise TorchTypeError(f"'{type(func).__name__}' object is not callable")


def _pytype(x: Any) -> str:
    return f"<class '{type(x).__name__}'>"


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Fresh leaves that require grad (views of the inputs' values, as torch does)."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            # keep the graph to the outer inputs (hessian's inner jacobian)
            out.append(t)
        else:
            leaf = t.detach()
            if leaf.dtype.is_floating_point:
                leaf.requires_grad_(True)
            out.append(leaf)
    return tuple(out)


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor(np.zeros(t._data.shape, t._data.dtype), t.dtype)


def _one_hot(out: Tensor, j: int) -> Tensor:
    data = np.zeros(out._data.size, out._data.dtype)
    data[j] = 1
    return Tensor(data.reshape(out._data.shape), out.dtype)


def _grads_of(
    out: Tensor, v: Tensor, inputs: tuple[Tensor, ...], create_graph: bool
) -> list[Tensor]:
    """d(sum(out * v))/d(inputs), zeros where an input is unused (torch's allow_unused path)."""
    needs = [t for t in inputs if t.requires_grad]
    if not out.requires_grad or not needs:
        return [_zeros_like(t) for t in inputs]
    got = _engine.grad(
        [out], needs, [v], retain_graph=True, create_graph=create_graph, allow_unused=True
    )
    result: list[Tensor] = []
    it = iter(got)
    for t in inputs:
        g = next(it) if t.requires_grad else None
        result.append(_zeros_like(t) if g is None else g)
    return result


def _stack_rows(
    rows: list[Tensor],
    out_shape: tuple[int, ...],
    in_shape: tuple[int, ...],
    dtype_of: Tensor,
    create_graph: bool,
) -> Tensor:
    shape = tuple(out_shape) + tuple(in_shape)
    if create_graph and any(r.requires_grad for r in rows):
        stacked = _shape.stack(rows) if rows else _zeros_like(dtype_of)
        return _shape.reshape(stacked, shape)
    if rows:
        data = np.stack([np.asarray(r._data) for r in rows]).reshape(shape)
    else:
        data = np.zeros(shape, dtype_of._data.dtype)
    return Tensor(np.ascontiguousarray(data, dtype=dtype_of._data.dtype), dtype_of.dtype)


def jacobian(
    func: Func,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """torch.autograd.functional.jacobian: d(func(inputs))/d(inputs), reverse mode."""
    del strict, vectorize, strategy
    check_callable(func, "jacobian")
    in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
    with _gm.enable_grad():
        leaves = _prepare(ins, create_graph)
        outputs = func(*leaves)
        out_tuple, outs = _as_tuple(outputs, "outputs", "jacobian")
        per_output: list[tuple[Tensor, ...]] = []
        for out in outs:
            rows: list[list[Tensor]] = [[] for _ in leaves]
            for j in range(out._data.size):
                grads = _grads_of(out, _one_hot(out, j), leaves, create_graph)
                for k, g in enumerate(grads):
                    rows[k].append(g)
            per_output.append(
                tuple(
                    _stack_rows(rows[k], out._data.shape, leaf._data.shape, leaf, create_graph)
                    for k, leaf in enumerate(leaves)
                )
            )
    if not out_tuple and not in_tuple:
        return per_output[0][0]
    if not out_tuple:
        return per_output[0]
    if not in_tuple:
        return tuple(p[0] for p in per_output)
    return tuple(per_output)


def hessian(
    func: Func,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """torch.autograd.functional.hessian: the Jacobian of the gradient of a scalar function."""
    del strict, vectorize, outer_jacobian_strategy
    check_callable(func, "hessian")
    in_tuple, ins = _as_tuple(inputs, "inputs", "hessian")

    def checked(*args: Tensor) -> Tensor:
        out = func(*args)
        is_tuple, outs = _as_tuple(out, "outputs", "hessian")
        if is_tuple and len(outs) != 1:
            raise TorchRuntimeError("The function given to hessian should return a single Tensor")
        if outs[0]._data.size != 1:
            raise TorchRuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return _shape.reshape(outs[0], ())

    def gradient(*args: Tensor) -> Any:
        return jacobian(checked, args, create_graph=True)

    result = jacobian(gradient, ins, create_graph=create_graph)
    if not in_tuple:
        return result[0][0]
    return result


def _check_v(v: Any, like: tuple[Tensor, ...], fn: str, what: str) -> tuple[Tensor, ...]:
    if v is None:
        if len(like) != 1 or like[0]._data.size != 1:
            raise TorchRuntimeError(
                f"The vector v can only be None if the {what} a single Tensor with a single "
                "element."
            )
        return (Tensor(np.ones(like[0]._data.shape, like[0]._data.dtype), like[0].dtype),)
    _, vs = _as_tuple(v, "v", fn)
    if len(vs) != len(like):
        raise TorchRuntimeError(
            "The given v should contain a single Tensor."
            if len(like) == 1
            else f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}."
        )
    for a, b in zip(vs, like):
        if a._data.shape != b._data.shape:
            raise TorchRuntimeError(
                f"v has invalid size: should be {Size(b._data.shape)} but got "
                f"{Size(a._data.shape)}."
            )
    return vs


def _detached(outs: tuple[Tensor, ...], was_tuple: bool, create_graph: bool) -> Any:
    res = tuple(o if create_graph else o.detach() for o in outs)
    return res if was_tuple else res[0]


def _plus(a: Any, b: Any) -> Any:
    return a + b


def vjp(
    func: Func, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """torch.autograd.functional.vjp: (func(inputs), v^T J)."""
    del strict
    check_callable(func, "vjp")
    in_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
    with _gm.enable_grad():
        leaves = _prepare(ins, create_graph)
        outputs = func(*leaves)
        out_tuple, outs = _as_tuple(outputs, "outputs", "vjp")
        vs = _check_v(v, outs, "vjp", "user-provided function returns")
        total: list[Tensor] | None = None
        for out, vec in zip(outs, vs):
            vec = (
                vec
                if vec.dtype is out.dtype
                else Tensor(vec._data.astype(out._data.dtype), out.dtype)
            )
            grads = _grads_of(out, vec, leaves, create_graph)
            total = grads if total is None else [_plus(a, b) for a, b in zip(total, grads)]
    assert total is not None
    result = tuple(g if create_graph else g.detach() for g in total)
    return _detached(outs, out_tuple, create_graph), (result if in_tuple else result[0])


def jvp(
    func: Func, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple[Any, Any]:
    """torch.autograd.functional.jvp: (func(inputs), J v), from the reverse-mode Jacobian."""
    del strict
    check_callable(func, "jvp")
    in_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
    vs = _check_v(v, ins, "jvp", "input to the user-provided function is")
    with _gm.enable_grad():
        leaves = _prepare(ins, False)
        outputs = func(*leaves)
        out_tuple, outs = _as_tuple(outputs, "outputs", "jvp")
        results = []
        for out in outs:
            acc = np.zeros(out._data.size, np.float64)
            for j in range(out._data.size):
                grads = _grads_of(out, _one_hot(out, j), leaves, False)
                acc[j] = sum(
                    float(
                        np.dot(
                            np.asarray(g._data, np.float64).reshape(-1),
                            np.asarray(vec._data, np.float64).reshape(-1),
                        )
                    )
                    for g, vec in zip(grads, vs)
                )
            results.append(Tensor(acc.astype(out._data.dtype).reshape(out._data.shape), out.dtype))
    del create_graph
    res = tuple(results)
    return _detached(outs, out_tuple, False), (res if out_tuple else res[0])
