"""Shape arithmetic with PyTorch's errors: dim wrapping, broadcasting, view shapes."""

from __future__ import annotations

from collections.abc import Sequence

from gradlang.autograd.errors import TorchIndexError, TorchRuntimeError, TorchTypeError


def wrap_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim-1] (0-dim tensors accept -1 and 0) as a non-negative index."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TorchTypeError(f"dim must be an int, got {type(dim).__name__}")
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise TorchIndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else (dim if ndim > 0 else 0)


def wrap_dims(dims: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Wrapped dims, all of them when `dims` is None; a repeated dim is an error."""
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, int):
        dims = (dims,)
    out: list[int] = []
    for d in dims:
        w = wrap_dim(d, ndim)
        if w in out:
            raise TorchRuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    if ndim == 0:
        return ()
    return tuple(out)


def broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape, or PyTorch's error naming the first mismatching dim."""
    if a == b:
        return a
    n = max(len(a), len(b))
    out = [0] * n
    for k in range(1, n + 1):
        x = a[-k] if k <= len(a) else 1
        y = b[-k] if k <= len(b) else 1
        if x != y and x != 1 and y != 1:
            raise TorchRuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - k}"
            )
        out[n - k] = y if x == 1 else x
    return tuple(out)


def shape_list(shape: Sequence[int]) -> str:
    """`[2, 3]` as PyTorch prints sizes in messages."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def parse_shape(args: tuple) -> tuple[int, ...]:
    """Sizes given as `f(2, 3)`, `f((2, 3))` or `f([2, 3])` or a torch.Size."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for s in args:
        if s.__class__ is not int:
            break
    else:
        return args
    out = []
    for s in args:
        if hasattr(s, "_data") and s._data.ndim == 0:
            s = int(s._data.item())
        if not isinstance(s, int) or isinstance(s, bool):
            raise TorchTypeError(
                f"expected a sequence of integers or a single integer, got '{type(s).__name__}'"
            )
        out.append(s)
    return tuple(out)


def infer_view_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Resolve one -1 in a view/reshape shape; PyTorch's errors for a bad shape."""
    infer = -1
    known = 1
    for k, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise TorchRuntimeError("only one dimension can be inferred")
            infer = k
        elif s < 0:
            raise TorchRuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if infer >= 0:
        if known == 0 or numel % known != 0:
            raise TorchRuntimeError(
                f"shape '{shape_list(shape)}' is invalid for input of size {numel}"
            )
        out = list(shape)
        out[infer] = numel // known
        return tuple(out)
    if known != numel:
        raise TorchRuntimeError(f"shape '{shape_list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)
