"""Size checks before the engine allocates: creation calls with explicit sizes or data, and
functions whose result can be far bigger than their inputs (cat of [x]*1000, outer, kron,
einsum, matmul, nested index lists). Each wrapper refuses more than `max_elements`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradlang.runtime import engine
from gradlang.runtime.engine import Tensor
from gradlang.runtime.limits import ROW_BYTES, format_bytes, limit_error
from gradlang.runtime.pyops import elements_error

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter

SIZED_CREATION = frozenset(
    {
        "zeros",
        "ones",
        "empty",
        "rand",
        "randn",
        "full",
        "randint",
        "Tensor",
        "FloatTensor",
        "DoubleTensor",
        "LongTensor",
    }
)


def _requested(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """The number of elements a creation call asks for, or None when it names no size."""
    if name in ("tensor", "as_tensor"):  # data, never a size: torch.tensor(5) is one element
        return _data_numel(args[0]) if args else None
    if name in DATA_CREATION and args and isinstance(args[0], (list, tuple)):
        if not isinstance(args[0], engine.Size):
            return _data_numel(args[0])
    if args and any(isinstance(a, Tensor) for a in args) and name in SIZED_CREATION:
        args = tuple(_size_value(a) for a in args)
    if name == "arange":
        nums = [a for a in args if isinstance(a, (int, float))]
        if not nums:
            return None
        start, end, step = 0.0, 0.0, 1.0
        if len(nums) == 1:
            end = nums[0]
        else:
            start, end = nums[0], nums[1]
            step = nums[2] if len(nums) > 2 else kwargs.get("step", 1)
        if not isinstance(step, (int, float)) or step == 0:
            return None
        try:
            return max(0, int((end - start) / step) + 1)
        except (OverflowError, ValueError):
            return None
    if name == "linspace" or name == "logspace":
        steps = args[2] if len(args) > 2 else kwargs.get("steps")
        return steps if type(steps) is int else None
    if name == "eye":
        n = args[0] if args else kwargs.get("n")
        m = args[1] if len(args) > 1 else kwargs.get("m", n)
        if type(n) is int and (type(m) is int or m is None):
            return n * (m if m is not None else n)
        return None
    if name == "randperm":
        n = args[0] if args else kwargs.get("n")
        return n if type(n) is int else None
    if name == "full":
        size = args[0] if args else kwargs.get("size")
        return _numel(size)
    if name == "randint":
        size = args[-1] if args and isinstance(args[-1], (list, tuple)) else kwargs.get("size")
        return _numel(size)
    size = kwargs.get("size")
    if size is None:
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            size = args[0]
        elif args and all(type(a) is int for a in args):
            size = args
        else:
            return None
    return _numel(size)


def _size_value(a: Any) -> Any:
    """A one-element integer tensor given as a size counts as its value."""
    if isinstance(a, Tensor) and a._data.size == 1 and a._data.dtype.kind in "iub":
        return int(a._data.reshape(-1)[0])
    return a


def _numel(size: Any) -> int | None:
    if type(size) is int:
        return size
    if not isinstance(size, (list, tuple)):
        return None
    n = 1
    for s in size:
        if type(s) is not int:
            return None
        n *= max(s, 0)
    return n


def sized(name: str, fn: Callable[..., Any], interp: Interpreter) -> Callable[..., Any]:
    """`fn` with a check of the requested element count against max_elements."""
    max_elements = interp.limits.max_elements

    def create(*args: Any, **kwargs: Any) -> Any:
        n = _requested(name, args, kwargs)
        if n is not None:
            if n > max_elements:
                raise elements_error(n, interp.limits)
            interp.meter.reserve(8 * n, None)
        return fn(*args, **kwargs)

    create.__name__ = getattr(fn, "__name__", name)
    create.__qualname__ = create.__name__
    return create


CREATION = SIZED_CREATION | {"arange", "linspace", "logspace", "eye", "randperm"}
MULTI_TENSOR = frozenset({"matmul", "mm", "bmm", "outer", "ger", "cartesian_prod", "kron"})
DATA_CREATION = frozenset(
    {"tensor", "as_tensor", "Tensor", "FloatTensor", "DoubleTensor", "LongTensor"}
)
# Functions (and the methods of the same name) whose result can be far bigger than any of
# their inputs: checked by `result_numel` before the engine allocates.
GROWING = frozenset(
    {
        "cat",
        "concat",
        "concatenate",
        "stack",
        "hstack",
        "vstack",
        "outer",
        "ger",
        "kron",
        "diag",
        "diag_embed",
        "meshgrid",
        "einsum",
        "cartesian_prod",
        "repeat_interleave",
        "cdist",
    }
)


def _data_numel(data: Any) -> int:
    """Elements of nested list/tuple data, following the first item at each level (the data
    must be rectangular anyway); shared sub-lists make this far more than the list sizes."""
    n = 1
    for _ in range(100):
        if isinstance(data, Tensor):
            return n * data._data.size
        if not isinstance(data, (list, tuple)):
            return n
        n *= len(data)
        if not data:
            return n
        data = data[0]
    return n


def check_index_list(index: list[Any], limits: Any) -> None:
    """`t[[...]]`: a nested index list (shared sub-lists) refused before numpy expands it."""
    n = _data_numel(index)
    if n > limits.max_elements:
        raise elements_error(n, limits)


def _tensors(items: Any) -> list[Any]:
    if isinstance(items, (list, tuple)):
        return [t for t in items if isinstance(t, Tensor)]
    return []


def result_numel(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """An upper bound of the elements `torch.NAME(*args)` (or the method) makes, or None."""
    if name in ("cat", "concat", "concatenate", "stack", "hstack", "vstack"):
        seq = args[0] if args else kwargs.get("tensors")
        return sum(t._data.size for t in _tensors(seq))
    tensors = [a for a in args if isinstance(a, Tensor)]
    if name in ("outer", "ger", "kron", "cartesian_prod", "meshgrid"):
        if name == "meshgrid" and len(args) == 1:
            tensors = _tensors(args[0])
        n = 1
        for t in tensors:
            n *= t._data.size
        return n * max(1, len(tensors)) if name in ("meshgrid", "cartesian_prod") else n
    if name == "cdist" and len(tensors) >= 2:  # (batch, r1, r2), a few arrays of it at once
        a, b = tensors[0]._data.shape, tensors[1]._data.shape
        if len(a) < 2 or len(b) < 2:
            return None
        n = a[-2] * b[-2]
        for size in (*a[:-2], *b[:-2]):
            n *= max(1, size)
        return n
    if name == "repeat_interleave" and args and isinstance(args[0], Tensor):
        reps = args[1] if len(args) > 1 else kwargs.get("repeats")
        size = args[0]._data.size
        if reps is None:  # torch.repeat_interleave(repeats): the indices
            reps, size = args[0], 0
        if isinstance(reps, Tensor):
            r = reps._data
            if r.size == 0 or r.dtype.kind not in "iu":
                return None
            total = sum(max(0, v) for v in r.reshape(-1).tolist())
            if size == 0 or r.size == 1:
                return total if size == 0 else size * total
            return (size // r.size) * total
        return size * reps if type(reps) is int and reps > 0 else None
    if name in ("diag", "diag_embed") and tensors:
        t = tensors[0]
        if name == "diag" and t._data.ndim != 1:
            return None
        offset = args[1] if len(args) > 1 and type(args[1]) is int else 0
        last = (t._data.shape[-1] if t._data.ndim else 1) + abs(offset)
        return (t._data.size // max(1, last - abs(offset))) * last * last
    if name == "einsum" and args and type(args[0]) is str:
        # the engine broadcasts every operand over all the letters before it sums
        operands = _tensors(args[1]) if len(args) == 2 else tensors
        inputs = args[0].replace(" ", "").split("->", 1)[0]
        n = 1
        if "." in inputs:
            for t in operands:
                n *= t._data.size
            return n
        sizes: dict[str, int] = {}
        for term, t in zip(inputs.split(","), operands):
            for letter, size in zip(term, t._data.shape):
                sizes[letter] = max(sizes.get(letter, 1), size)
        for size in sizes.values():
            n *= size
        return n
    return None


def checked_growth(name: str, fn: Callable[..., Any], interp: Interpreter) -> Callable[..., Any]:
    """`fn` refusing a result of more than max_elements elements before it is made."""

    def call(*args: Any, **kwargs: Any) -> Any:
        n = result_numel(name, args, kwargs)
        if n is not None and n > interp.limits.max_elements:
            raise elements_error(n, interp.limits)
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", name)
    call.__qualname__ = call.__name__
    return call


def multi(name: str, fn: Callable[..., Any], interp: Interpreter) -> Callable[..., Any]:
    from gradlang.runtime.pyops import check_tensors, matmul_cost

    matmul = name in ("matmul", "mm", "bmm")

    def call(*args: Any, **kwargs: Any) -> Any:
        tensors = [a for a in args if isinstance(a, Tensor)]
        if len(tensors) == 2:
            if matmul:
                check_tensors(tensors, interp.limits, matmul=True)
                a, b = tensors
                interp.meter.check_cost(matmul_cost(a._data.shape, b._data.shape), None)
            else:
                n = tensors[0]._data.size * tensors[1]._data.size
                if n > interp.limits.max_elements:
                    raise elements_error(n, interp.limits)
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", name)
    return call


# Functions (and methods) that cut a tensor into pieces, a tensor each (views: ~ROW_BYTES).
SPLITTING = frozenset({"split", "chunk", "unbind"})


def pieces(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    """How many tensors `torch.NAME(*args)` (split, chunk, unbind) makes, or None."""
    x = args[0] if args else kwargs.get("input", kwargs.get("tensor"))
    if not isinstance(x, Tensor) or x._data.ndim == 0:
        return None
    rest = args[1:]
    if name == "unbind":
        dim = rest[0] if rest else kwargs.get("dim", 0)
    else:
        dim = rest[1] if len(rest) > 1 else kwargs.get("dim", 0)
    if type(dim) is not int or not -x._data.ndim <= dim < x._data.ndim:
        return None
    size = x._data.shape[dim]
    if name == "unbind":
        return size
    how = rest[0] if rest else kwargs.get("split_size_or_sections", kwargs.get("chunks"))
    if isinstance(how, (list, tuple)):
        return len(how)
    if type(how) is not int or how <= 0:
        return None
    return min(how, size) if name == "chunk" else -(-size // how)


def check_pieces(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], limits: Any) -> None:
    """Refuse a split into so many tensors that they alone would pass the memory limit."""
    n = pieces(name, args, kwargs)
    if n is not None and n * ROW_BYTES > limits.max_memory_bytes:
        raise limit_error(
            f"the program would use more than {format_bytes(limits.max_memory_bytes)} of "
            f"memory ({n:,} tensors of about {ROW_BYTES} bytes each)",
            None,
            "--max-memory SIZE",
        )


def checked_pieces(name: str, fn: Callable[..., Any], interp: Interpreter) -> Callable[..., Any]:
    """`fn` (split, chunk, unbind) refusing more pieces than the memory limit holds."""

    def call(*args: Any, **kwargs: Any) -> Any:
        check_pieces(name, args, kwargs, interp.limits)
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", name)
    call.__qualname__ = call.__name__
    return call
