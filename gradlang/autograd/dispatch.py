"""Recording ops into the graph, and the operand handling every op shares.

`record*` build the `Node` for a result when grad mode is on and an input requires grad;
`promote_operands` applies PyTorch's type promotion to (tensor, tensor|number) pairs cheaply:
no work at all when dtypes already agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import origin as _origin
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError
from gradlang.autograd.node import Node
from gradlang.autograd.rules import Rule
from gradlang.autograd.shapes import broadcast_shapes
from gradlang.autograd.tensor import Tensor

ndarray = np.ndarray
_asarray = np.asarray


def edge(t: Any) -> Any:
    """The node a gradient for `t` flows to: its grad_fn, its AccumulateGrad, or None."""
    if t.__class__ is Tensor and t._requires_grad:
        fn = t._grad_fn
        return fn if fn is not None else t._accumulator()
    return None


def record1(out: Tensor, rule: Rule, x: Tensor, attrs: Any = None) -> Tensor:
    """Record a one-input op whose input requires grad."""
    fn: Any = x._grad_fn
    if fn is None:
        extra = x._extra
        fn = extra.accumulator if extra is not None else None
        if fn is None:
            fn = x._accumulator()
    node = Node(rule, (x,), (fn,), attrs, _origin.current)
    if x._vc is not None:
        node.versions = (x._vc.value,)
    if rule.saves_out:
        node.out = out
    out._requires_grad = True
    out._grad_fn = node
    return out


def record(out: Tensor, rule: Rule, inputs: tuple, attrs: Any = None) -> Tensor:
    """Record an op over `inputs` (tensors, or Python numbers that get a `(None, 0)` edge)."""
    node = Node(rule, inputs, tuple([edge(t) for t in inputs]), attrs, _origin.current)
    for t in inputs:
        if t.__class__ is Tensor and t._vc is not None:
            node.versions = tuple(
                [t._vc.value if t.__class__ is Tensor and t._vc is not None else 0 for t in inputs]
            )
            break
    if rule.saves_out:
        node.out = out
    out._requires_grad = True
    out._grad_fn = node
    return out


def record2(out: Tensor, rule: Rule, a: Tensor, b: Any, attrs: Any = None) -> Tensor:
    """`record` for the hot binary ops (a is a tensor; b a tensor or a number), inlined."""
    ea: Any
    eb: Any
    if a._requires_grad:
        ea = a._grad_fn
        if ea is None:
            extra = a._extra
            ea = extra.accumulator if extra is not None else None
            if ea is None:
                ea = a._accumulator()
    else:
        ea = None
    if b.__class__ is Tensor:
        if b._requires_grad:
            eb = b._grad_fn
            if eb is None:
                extra = b._extra
                eb = extra.accumulator if extra is not None else None
                if eb is None:
                    eb = b._accumulator()
        else:
            eb = None
        node = Node(rule, (a, b), (ea, eb), attrs, _origin.current)
        if a._vc is not None or b._vc is not None:
            node.versions = (
                0 if a._vc is None else a._vc.value,
                0 if b._vc is None else b._vc.value,
            )
    else:
        node = Node(rule, (a, b), (ea, None), attrs, _origin.current)
        if a._vc is not None:
            node.versions = (a._vc.value, 0)
    if rule.saves_out:
        node.out = out
    out._requires_grad = True
    out._grad_fn = node
    return out


def needs_grad(inputs: tuple) -> bool:
    for t in inputs:
        if t.__class__ is Tensor and t._requires_grad:
            return True
    return False


_FLOAT_OPERANDS: dict[tuple[float, _dt.DType], np.ndarray] = {}
_FLOAT_RANGE = {_dt.float32: float(np.finfo(np.float32).max), _dt.float64: float("inf")}


def float_operand(x: float, dtype: _dt.DType) -> Any:
    """A Python float operand of a float32/float64 array op, as numpy itself converts it
    (NEP 50: to the array's dtype) but as a 0-dim array, which numpy's ufuncs take in about
    60% of the time they take the float, with the same bits. Cached, read-only: a program
    multiplies by the same learning rate every step. Zero (a dict key cannot tell -0.0
    from 0.0), NaN and floats beyond the dtype's range stay as they are."""
    key = (x, dtype)
    a = _FLOAT_OPERANDS.get(key)
    if a is None:
        limit = _FLOAT_RANGE.get(dtype)
        if limit is None or x == 0.0 or not -limit <= x <= limit:
            return x
        if len(_FLOAT_OPERANDS) >= 256:
            _FLOAT_OPERANDS.clear()
        a = _FLOAT_OPERANDS[key] = np.array(x, dtype.np)
        a.flags.writeable = False
    return a


def result(data: Any, dtype: _dt.DType) -> Tensor:
    """Wrap a numpy result (numpy returns scalars for 0-dim results) as a tensor."""
    if data.__class__ is not ndarray:
        # numpy returns scalars for 0-dim results; x[...] makes a writable 0-dim array of it
        # numpy's stubs give np.generic no __getitem__, though every scalar takes x[...]
        data = data[...] if data.__class__ is dtype.scalar else _asarray(data, dtype.np)  # type: ignore[index]
    elif data.dtype is not dtype.np and data.dtype != dtype.np:
        data = data.astype(dtype.np)
    return Tensor(data, dtype)


def is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and x.__class__ is not Tensor


def check_number(x: Any, what: str = "other") -> None:
    if not isinstance(x, (int, float, bool)):
        raise TorchTypeError(f"unsupported operand type: '{type(x).__name__}'")


def promote_operands(a: Tensor, b: Any) -> tuple[Any, Any, _dt.DType]:
    """(a's data, b's data or number, common dtype) under PyTorch's promotion rules."""
    if b.__class__ is Tensor:
        da, db = a._dtype, b._dtype
        if da is db:
            return a._data, b._data, da
        a0 = a._data.ndim == 0
        b0 = b._data.ndim == 0
        if a0 == b0:
            common = _dt.promote(da, db)
        elif a0:
            common = _dt.result_type(db, da, None)
        else:
            common = _dt.result_type(da, db, None)
        ad = a._data if da is common else a._data.astype(common.np)
        bd = b._data if db is common else b._data.astype(common.np)
        return ad, bd, common
    cls = b.__class__
    da = a._dtype
    if cls is float:
        if da.category == 2:
            return a._data, b, da
        return a._data.astype(np.float32), b, _dt.float32
    if cls is int:
        if da.category != 0:
            return a._data, _int_for(b, da), da
        return a._data.astype(np.int64), b, _dt.int64
    if cls is bool:
        return a._data, b, da
    if isinstance(b, (np.generic,)):
        return promote_operands(a, b.item())
    raise _unsupported(b)


_SYMBOLS = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "floor_divide": "//",
    "remainder": "%",
    "pow": "** or pow()",
    "radd": "+",
    "rsub": "-",
    "rmul": "*",
    "rdiv": "/",
    "rfloordiv": "//",
    "rmod": "%",
    "rpow": "** or pow()",
}


def _unsupported(other: Any) -> TorchTypeError:
    """Python's TypeError for `tensor OP other`, naming the operator of the calling op."""
    import sys
    from types import FrameType

    names = []
    frame: FrameType | None = sys._getframe(2)
    for _ in range(3):
        if frame is None:
            break
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    ops = [n for n in names if n in _SYMBOLS]
    kind = type(other).__name__
    if not ops:
        return TorchTypeError(f"unsupported operand type(s): 'Tensor' and '{kind}'")
    reversed_op = next((n for n in ops if n.startswith("r") and n != "remainder"), None)
    symbol = _SYMBOLS[reversed_op or ops[0]]
    if reversed_op:
        return TorchTypeError(f"unsupported operand type(s) for {symbol}: '{kind}' and 'Tensor'")
    return TorchTypeError(f"unsupported operand type(s) for {symbol}: 'Tensor' and '{kind}'")


def _int_for(value: int, dtype: _dt.DType) -> Any:
    if dtype.category == 1:
        info = np.iinfo(dtype.np)
        if value < info.min or value > info.max:
            if dtype is _dt.int64:
                raise TorchRuntimeError("Overflow when unpacking long")
            return np.array(value).astype(dtype.np)[()]
    return value


def as_tensor_operand(x: Any) -> Tensor:
    """A Python number (or bool) as a 0-dim tensor of its wrapped-number dtype."""
    if x.__class__ is Tensor:
        return x
    if isinstance(x, (bool, int, float)):
        d = _dt.scalar_dtype(x)
        return Tensor(np.asarray(x, d.np), d)
    raise TorchTypeError(f"expected Tensor as element but got {type(x).__name__}")


def broadcast_error(a: Any, b: Any) -> TorchRuntimeError:
    """The error PyTorch gives for shapes that do not broadcast (as a value to raise)."""
    sa = getattr(a, "shape", ())
    sb = getattr(b, "shape", ())
    try:
        broadcast_shapes(tuple(sa), tuple(sb))
    except TorchRuntimeError as error:
        return error
    return TorchRuntimeError("shapes cannot be broadcast")
