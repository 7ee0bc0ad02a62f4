"""Python's operators on gradlang values, guarded by the size limits.

`make_operators(limits)` returns the binary, augmented and unary operator functions the
compiler binds into its closures. Each is Python's own operator (so results and error
messages are Python's and PyTorch's), with a cheap check *before* anything that could
allocate without bound: big-integer products and powers, string and list repetition,
concatenation, `%`-formatting widths, and tensor broadcasting.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from gradlang.errors import GradlangError
from gradlang.runtime.engine import Tensor
from gradlang.runtime.limits import Limits, Meter, limit_error

BinaryOp = Callable[[Any, Any], Any]
SEQUENCES = (str, list, tuple)
_FORMAT_NUMBERS = re.compile(r"%[^a-zA-Z%]*")
_DIGITS = re.compile(r"\d+")
_CONVERSIONS = re.compile(r"%([^a-zA-Z%]*)([a-zA-Z%])")


def int_bits_error(limits: Limits) -> GradlangError:
    return limit_error(
        f"integer result would have more than {limits.max_int_bits:,} bits",
        None,
        "Limits.max_int_bits",
    )


def size_error(kind: str, limit: int) -> GradlangError:
    flag = "Limits.max_string" if kind == "string" else "Limits.max_list"
    return limit_error(f"{kind} would have more than {limit:,} items", None, flag)


def check_length(value: Any, limits: Limits) -> Any:
    """Raise if a str/list/tuple is over its size limit; return it."""
    t = type(value)
    if t is str:
        if len(value) > limits.max_string:
            raise size_error("string", limits.max_string)
    elif (t is list or t is tuple) and len(value) > limits.max_list:
        raise size_error("list", limits.max_list)
    return value


def broadcast_numel(shapes: list[tuple[int, ...]]) -> int:
    """Elements of the broadcast of `shapes` (sizes that do not broadcast count as their max)."""
    ndim = max(len(s) for s in shapes)
    n = 1
    for i in range(1, ndim + 1):
        n *= max((s[-i] if len(s) >= i else 1) for s in shapes)
    return n


def matmul_numel(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Elements of `a @ b`, an upper bound when the shapes do not fit."""
    if len(a) < 2 or len(b) < 2:
        return max(_prod(a), _prod(b))
    batch = broadcast_numel([a[:-2], b[:-2]]) if (a[:-2] or b[:-2]) else 1
    return batch * a[-2] * b[-1]


def matmul_cost(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """Multiply-adds of `a @ b` (an upper bound when the shapes do not fit)."""
    if not a or not b:
        return 0
    inner = a[-1]
    return matmul_numel(a, b) * inner


def _prod(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def check_tensors(tensors: list[Any], limits: Limits, matmul: bool = False) -> None:
    """Refuse an op on tensors whose result would have more than max_elements elements."""
    bound = 1
    for t in tensors:
        bound *= t._data.size
    if bound <= limits.max_elements:
        return
    shapes = [t._data.shape for t in tensors]
    n = matmul_numel(shapes[0], shapes[1]) if matmul else broadcast_numel(shapes)
    if n > limits.max_elements:
        raise elements_error(n, limits)


def elements_error(n: int, limits: Limits) -> GradlangError:
    return limit_error(
        f"a tensor of {n:,} elements is over the limit of {limits.max_elements:,}",
        None,
        "--max-elements N",
    )


def make_operators(limits: Limits, meter: Meter | None = None) -> dict[str, BinaryOp]:
    """The binary operators by symbol, and the augmented ones under "op=" keys."""
    max_bits = limits.max_int_bits
    max_string = limits.max_string
    max_list = limits.max_list
    max_elements = limits.max_elements

    def check_int(r: int) -> int:
        if r.bit_length() > max_bits:
            raise int_bits_error(limits)
        return r

    def tensors_fit(a: Any, b: Any, matmul: bool = False) -> None:
        if a._data.size * b._data.size > max_elements:
            check_tensors([a, b], limits, matmul)

    def repeat_fits(seq: Any, n: Any) -> None:
        if type(n) is int or type(n) is bool:
            total = len(seq) * n
            if type(seq) is str:
                if total > max_string:
                    raise size_error("string", max_string)
            elif total > max_list:
                raise size_error("list", max_list)

    # A tensor's own operator methods, called directly: what `a + b` would run for a tensor
    # `a` (no subclass of Tensor exists to be asked first), minus Python's operator dispatch.
    tensor_add, tensor_sub = Tensor.__add__, Tensor.__sub__
    tensor_mul, tensor_rmul, tensor_matmul = Tensor.__mul__, Tensor.__rmul__, Tensor.__matmul__

    def add(a: Any, b: Any) -> Any:
        if type(a) is Tensor:
            if type(b) is Tensor:
                tensors_fit(a, b)
            return tensor_add(a, b)
        r = a + b
        tr = type(r)
        if tr is int:
            if r.bit_length() > max_bits:
                raise int_bits_error(limits)
        elif tr is str:
            if len(r) > max_string:
                raise size_error("string", max_string)
        elif (tr is list or tr is tuple) and len(r) > max_list:
            raise size_error("list", max_list)
        return r

    def sub(a: Any, b: Any) -> Any:
        if type(a) is Tensor:
            if type(b) is Tensor:
                tensors_fit(a, b)
            return tensor_sub(a, b)
        r = a - b
        if type(r) is int and r.bit_length() > max_bits:
            raise int_bits_error(limits)
        return r

    def repeat(seq: Any, count: Tensor) -> Any:
        """`[0] * t`, `t * "ab"`: a sequence repeated by a tensor's `__index__` (an integer
        tensor of one element), as Python does for PyTorch's tensors."""
        n = operator.index(count)
        repeat_fits(seq, n)
        return seq * n

    def mul(a: Any, b: Any) -> Any:
        ta = type(a)
        tb = type(b)
        if ta is Tensor:
            if tb is Tensor:
                tensors_fit(a, b)
            elif tb in SEQUENCES:
                return repeat(b, a)
            return tensor_mul(a, b)
        if tb is Tensor:
            if ta is float or ta is int:  # a number times a tensor
                return tensor_rmul(b, a)
            if ta in SEQUENCES:
                return repeat(a, b)
        if ta is int and tb is int:
            if a.bit_length() + b.bit_length() > max_bits + 1:
                raise int_bits_error(limits)
        elif ta in SEQUENCES:
            repeat_fits(a, b)
        elif tb in SEQUENCES:
            repeat_fits(b, a)
        return a * b

    def truediv(a: Any, b: Any) -> Any:
        if type(a) is Tensor and type(b) is Tensor:
            tensors_fit(a, b)
        return a / b

    def floordiv(a: Any, b: Any) -> Any:
        if type(a) is Tensor and type(b) is Tensor:
            tensors_fit(a, b)
        return a // b

    def mod(a: Any, b: Any) -> Any:
        ta = type(a)
        if ta is str:
            return format_percent(a, b)
        if ta is Tensor and type(b) is Tensor:
            tensors_fit(a, b)
        return a % b

    def power(a: Any, b: Any) -> Any:
        ta = type(a)
        tb = type(b)
        if ta is Tensor:
            if tb is Tensor:
                tensors_fit(a, b)
            return a**b
        if (ta is int or ta is bool) and (tb is int or tb is bool) and b > 0:
            if a.bit_length() > 1 and (a.bit_length() - 1) * b > max_bits:
                raise int_bits_error(limits)
            return check_int(a**b)
        return a**b

    def matmul(a: Any, b: Any) -> Any:
        if type(a) is Tensor and type(b) is Tensor:
            tensors_fit(a, b, matmul=True)
            if meter is not None and meter.deadline is not None:
                meter.check_cost(matmul_cost(a._data.shape, b._data.shape), None)
            return tensor_matmul(a, b)
        return a @ b

    def bitwise(python_op: BinaryOp) -> BinaryOp:
        def apply(a: Any, b: Any) -> Any:
            if type(a) is Tensor and type(b) is Tensor:
                tensors_fit(a, b)
            return python_op(a, b)

        return apply

    def lshift(a: Any, b: Any) -> Any:
        ta = type(a)
        if ta is Tensor:
            if type(b) is Tensor:
                tensors_fit(a, b)
            return a << b
        if (ta is int or ta is bool) and (type(b) is int or type(b) is bool) and b > 0:
            if a and a.bit_length() + b > max_bits:
                raise int_bits_error(limits)
        return a << b

    def format_percent(fmt: str, args: Any) -> str:
        for spec in _FORMAT_NUMBERS.findall(fmt):
            for digits in _DIGITS.findall(spec):
                if len(digits) > 7 or int(digits) > max_string:
                    raise size_error("string", max_string)
        if "*" in fmt and type(args) is tuple:  # widths and precisions taken from the args
            i = 0
            for spec, conversion in _CONVERSIONS.findall(fmt):
                if conversion == "%" and not spec:
                    continue
                for _ in range(spec.count("*")):
                    arg = args[i] if i < len(args) else 0
                    if type(arg) is int and abs(arg) > max_string:
                        raise size_error("string", max_string)
                    i += 1
                i += 1
        return check_length(fmt % args, limits)

    ops: dict[str, BinaryOp] = {
        "+": add,
        "-": sub,
        "*": mul,
        "/": truediv,
        "//": floordiv,
        "%": mod,
        "**": power,
        "@": matmul,
        "&": bitwise(operator.and_),
        "|": bitwise(operator.or_),
        "^": bitwise(operator.xor),
        "<<": lshift,
        ">>": bitwise(operator.rshift),
    }
    inplace = {
        "+": operator.iadd,
        "-": operator.isub,
        "*": operator.imul,
        "/": operator.itruediv,
        "//": operator.ifloordiv,
        "%": operator.imod,
        "**": operator.ipow,
        "@": operator.imatmul,
        "&": operator.iand,
        "|": operator.ior,
        "^": operator.ixor,
        "<<": operator.ilshift,
        ">>": operator.irshift,
    }

    def augmented(symbol: str) -> BinaryOp:
        plain = ops[symbol]
        python_inplace = inplace[symbol]

        def apply(a: Any, b: Any) -> Any:
            ta = type(a)
            if ta is Tensor:
                if type(b) is Tensor:
                    tensors_fit(a, b, matmul=symbol == "@")
                    if symbol == "@" and meter is not None and meter.deadline is not None:
                        meter.check_cost(matmul_cost(a._data.shape, b._data.shape), None)
                return python_inplace(a, b)
            if ta is list:
                if symbol == "+":
                    if hasattr(b, "__len__") and len(a) + len(b) > max_list:
                        raise size_error("list", max_list)
                    r = python_inplace(a, b)
                    return check_length(r, limits)
                if symbol == "*":
                    if type(b) is Tensor:
                        return repeat(a, b)
                    repeat_fits(a, b)
                    return python_inplace(a, b)
            return plain(a, b)

        return apply

    for symbol in list(ops):
        ops[symbol + "="] = augmented(symbol)
    return ops
