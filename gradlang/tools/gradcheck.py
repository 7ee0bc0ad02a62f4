"""`gradcheck`: autograd's Jacobian against central differences, as torch.autograd.gradcheck.

`check(func, inputs, ...)` computes, for every input that requires grad and every output, the
analytical Jacobian (one real backward per output element) and the numerical one
((f(x + eps) - f(x - eps)) / (2 eps), one element at a time), and compares them with
`|a - n| <= atol + rtol * |n|`. Two faces:

- `torch.autograd.gradcheck(func, inputs, eps=, atol=, rtol=, raise_exception=)`: PyTorch's:
  True, or a RuntimeError "Jacobian mismatch for output 0 with respect to input 0, ..."
  (False with raise_exception=False); inputs are used in their own dtype, with PyTorch's
  warning when they are not float64.
- the gradlang builtin `gradcheck(f, *inputs)`: checks in float64 whatever the inputs' dtype,
  prints a report with the worst error, and returns True or False.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.errors import TorchRuntimeError, TorchValueError
from gradlang.autograd.tensor import Tensor
from gradlang.tools.functional import _as_tuple, _grads_of, _one_hot, check_callable
from gradlang.tools.values import format_shape

Func = Callable[..., Any]


@dataclass
class Comparison:
    """One (output, input) pair: the two Jacobians (rows: input elements) and the worst gap."""

    output: int
    input: int
    analytical: np.ndarray
    numerical: np.ndarray
    worst: float
    worst_at: tuple[int, int]
    ok: bool


def _outputs(func: Func, args: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    _, outs = _as_tuple(func(*args), "outputs", "gradcheck")
    return outs


def _numerical(func: Func, args: tuple[Tensor, ...], k: int, eps: float) -> list[np.ndarray]:
    """Per output: the (n_in, n_out) central-difference Jacobian w.r.t. args[k]."""
    base = args[k]
    flat = np.array(base._data, copy=True).reshape(-1)
    cols: list[list[np.ndarray]] | None = None
    with _gm.no_grad():
        for i in range(flat.size):
            values = []
            for sign in (1.0, -1.0):
                moved = flat.copy()
                moved[i] = moved[i] + sign * eps
                t = Tensor(moved.reshape(base._data.shape), base.dtype)
                outs = _outputs(func, args[:k] + (t,) + args[k + 1 :])
                values.append([np.asarray(o._data, np.float64).reshape(-1) for o in outs])
            diff = [(p - m) / (2.0 * eps) for p, m in zip(values[0], values[1])]
            if cols is None:
                cols = [[] for _ in diff]
            for j, d in enumerate(diff):
                cols[j].append(d)
    if cols is None:
        return []
    return [np.stack(c) if c else np.zeros((0, 0)) for c in cols]


def _analytical(func: Func, args: tuple[Tensor, ...]) -> list[list[np.ndarray]]:
    """[output][input]: (n_in, n_out) Jacobians from the engine's backward."""
    with _gm.enable_grad():
        outs = _outputs(func, args)
        result: list[list[np.ndarray]] = []
        for out in outs:
            per_input: list[list[np.ndarray]] = [[] for _ in args]
            for j in range(out._data.size):
                grads = _grads_of(out, _one_hot(out, j), args, False)
                for k, g in enumerate(grads):
                    per_input[k].append(np.asarray(g._data, np.float64).reshape(-1))
            result.append(
                [
                    np.stack(cols, axis=1) if cols else np.zeros((args[k]._data.size, 0))
                    for k, cols in enumerate(per_input)
                ]
            )
    return result


def compare(
    func: Func, args: tuple[Tensor, ...], eps: float, atol: float, rtol: float
) -> list[Comparison]:
    """Every (output, input requiring grad) comparison."""
    analytical = _analytical(func, args)
    found: list[Comparison] = []
    for k, t in enumerate(args):
        if not t.requires_grad:
            continue
        numerical = _numerical(func, args, k, eps)
        for j, a_rows in enumerate(analytical):
            a = a_rows[k]
            n = numerical[j] if j < len(numerical) else np.zeros_like(a)
            gap = np.abs(a - n)
            ok = bool(np.all(gap <= atol + rtol * np.abs(n)))
            if gap.size:
                flat = int(np.argmax(gap))
                worst = float(gap.reshape(-1)[flat])
                at = tuple(int(i) for i in np.unravel_index(flat, gap.shape))
            else:
                worst, at = 0.0, (0, 0)
            found.append(Comparison(j, k, a, n, worst, (at[0], at[1]), ok))
    return found


def _tensor_text(a: np.ndarray, dtype: _dt.DType) -> str:
    return repr(Tensor(np.ascontiguousarray(a.astype(dtype.np)), dtype))


def torch_gradcheck(
    func: Func,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_ignored: Any,
) -> bool:
    """torch.autograd.gradcheck: True, or raise (or return False) on the first mismatch."""
    check_callable(func, "gradcheck")
    _, args = _as_tuple(inputs, "inputs", "gradcheck")
    if not any(t.requires_grad for t in args):
        raise TorchValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    for k, t in enumerate(args):
        if t.requires_grad and t.dtype is not _dt.float64:
            _warnings.warn(
                f"Input #{k} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. "
            )
    for c in compare(func, args, eps, atol, rtol):
        if not c.ok:
            if not raise_exception:
                return False
            dtype = args[c.input].dtype
            raise TorchRuntimeError(
                f"Jacobian mismatch for output {c.output} with respect to input {c.input},\n"
                f"numerical:{_tensor_text(c.numerical, dtype)}\n"
                f"analytical:{_tensor_text(c.analytical, dtype)}\n"
            )
    return True


def _as_float64(t: Tensor, all_float: bool) -> Tensor:
    if not t.dtype.is_floating_point:
        return t
    leaf = Tensor(np.array(t._data, dtype=np.float64, copy=True), _dt.float64)
    if t.requires_grad or all_float:
        leaf.requires_grad_(True)
    return leaf


def report(
    func: Func,
    inputs: tuple[Any, ...],
    names: list[str | None] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> tuple[bool, str]:
    """The gradlang `gradcheck`: (passed, report text), in float64."""
    check_callable(func, "gradcheck")
    if len(inputs) == 1 and isinstance(inputs[0], (tuple, list)):
        inputs = tuple(inputs[0])
    _, args0 = _as_tuple(tuple(inputs), "inputs", "gradcheck")
    any_grad = any(t.requires_grad for t in args0)
    args = tuple(_as_float64(t, not any_grad) for t in args0)
    if not any(t.requires_grad for t in args):
        raise TorchValueError("gradcheck needs at least one floating-point input tensor")
    found = compare(func, args, eps, atol, rtol)
    names = names or []
    fname = getattr(func, "name", None) or getattr(func, "__name__", "f")
    lines = [
        f"gradcheck {fname}: autograd vs central differences in float64 "
        f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})"
    ]
    rows = []
    for c in found:
        label = names[c.input] if c.input < len(names) and names[c.input] else f"input {c.input}"
        i, j = c.worst_at
        a = c.analytical[i, j] if c.analytical.size else 0.0
        n = c.numerical[i, j] if c.numerical.size else 0.0
        where = f"d out{c.output}[{j}] / d {label}[{i}]"
        rows.append(
            (
                f"  {'ok  ' if c.ok else 'FAIL'}  output {c.output} wrt {label} "
                f"{format_shape(args[c.input].shape)}",
                f"worst error {c.worst:.3g} at {where}: autograd {a:.6g}, numeric {n:.6g}",
            )
        )
    width = max((len(r[0]) for r in rows), default=0)
    lines.extend(f"{left.ljust(width)}  {right}" for left, right in rows)
    passed = all(c.ok for c in found)
    worst = max((c.worst for c in found), default=0.0)
    lines.append(f"  {'passed' if passed else 'FAILED'}: worst error {worst:.3g}")
    return passed, "\n".join(lines) + "\n"
