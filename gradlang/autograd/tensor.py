"""The `Tensor` class: numpy storage, dtype, autograd metadata, and its core properties.

Ops live in the ops_* modules and are attached as methods by `methods.py`; this module holds
what every op needs: construction, the leaf/grad/requires_grad state machine, conversion to
Python values, and printing through printing.py.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from gradlang.autograd import dtypes as _dt
from gradlang.autograd import grad_mode as _gm
from gradlang.autograd import origin as _origin
from gradlang.autograd import warnings as _warnings
from gradlang.autograd.errors import TorchRuntimeError, TorchTypeError, TorchValueError
from gradlang.autograd.node import AccumulateGrad, Node, VersionCounter
from gradlang.autograd.size import Size

NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
SCALAR_GRAD_WARNING = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
NONLEAF_FLAG_ERROR = (
    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
    "variable in a subgraph that doesn't require differentiation use "
    "var_no_grad = var.detach()."
)


DETACH_VIEW_ERROR = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution."
)


_engine: Any = None  # gradlang.autograd.engine, which imports this module: bound on first use


class Tensor:
    """An n-dimensional array of one dtype that autograd can differentiate through."""

    __slots__ = (
        "_data",
        "_dtype",
        "_requires_grad",
        "_grad_fn",
        "_grad",
        "_vc",
        "_base",
        "_extra",
        "__weakref__",
    )

    PUBLIC_ATTRIBUTES: frozenset[str] = frozenset()  # filled in by methods.py

    if TYPE_CHECKING:  # the ops are attached by methods.py; these tell type checkers so

        def __add__(self, other: Any) -> Tensor: ...

        def __radd__(self, other: Any) -> Tensor: ...

        def __sub__(self, other: Any) -> Tensor: ...

        def __rsub__(self, other: Any) -> Tensor: ...

        def __mul__(self, other: Any) -> Tensor: ...

        def __rmul__(self, other: Any) -> Tensor: ...

        def __truediv__(self, other: Any) -> Tensor: ...

        def __rtruediv__(self, other: Any) -> Tensor: ...

        def __floordiv__(self, other: Any) -> Tensor: ...

        def __rfloordiv__(self, other: Any) -> Tensor: ...

        def __mod__(self, other: Any) -> Tensor: ...

        def __rmod__(self, other: Any) -> Tensor: ...

        def __pow__(self, other: Any) -> Tensor: ...

        def __rpow__(self, other: Any) -> Tensor: ...

        def __matmul__(self, other: Any) -> Tensor: ...

        def __rmatmul__(self, other: Any) -> Tensor: ...

        def __and__(self, other: Any) -> Tensor: ...

        def __rand__(self, other: Any) -> Tensor: ...

        def __or__(self, other: Any) -> Tensor: ...

        def __ror__(self, other: Any) -> Tensor: ...

        def __xor__(self, other: Any) -> Tensor: ...

        def __rxor__(self, other: Any) -> Tensor: ...

        def __lt__(self, other: Any) -> Tensor: ...

        def __le__(self, other: Any) -> Tensor: ...

        def __gt__(self, other: Any) -> Tensor: ...

        def __ge__(self, other: Any) -> Tensor: ...

        def __iadd__(self, other: Any) -> Tensor: ...

        def __isub__(self, other: Any) -> Tensor: ...

        def __imul__(self, other: Any) -> Tensor: ...

        def __itruediv__(self, other: Any) -> Tensor: ...

        def __eq__(self, other: Any) -> Any: ...  # type: ignore[override]

        def __ne__(self, other: Any) -> Any: ...  # type: ignore[override]

        def __neg__(self) -> Tensor: ...

        def __pos__(self) -> Tensor: ...

        def __abs__(self) -> Tensor: ...

        def __invert__(self) -> Tensor: ...

        def __getitem__(self, key: Any) -> Tensor: ...

        def __setitem__(self, key: Any, value: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, data: np.ndarray, dtype: _dt.DType) -> None:
        self._data = data
        self._dtype = dtype
        self._requires_grad = False
        self._grad_fn: Node | None = None
        self._grad: Tensor | None = None
        self._vc: VersionCounter | None = None
        self._base: Tensor | None = None
        self._extra: TensorExtra | None = None

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        from gradlang.autograd.shapes import wrap_dim

        return self._data.shape[wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> _dt.DType:
        return self._dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def device(self) -> Device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if dim is None:
            return strides
        from gradlang.autograd.shapes import wrap_dim

        return strides[wrap_dim(dim, self._data.ndim)]

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self._set_requires_grad(
            flag, "only Tensors of floating point and complex dtype can require gradients"
        )

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self._set_requires_grad(
            requires_grad, "only Tensors of floating point dtype can require gradients"
        )
        return self

    def _set_requires_grad(self, flag: bool, dtype_message: str) -> None:
        flag = bool(flag)
        if self._grad_fn is not None:
            if not flag:
                raise TorchRuntimeError(NONLEAF_FLAG_ERROR)
            return
        if flag and not self._dtype.is_floating_point:
            raise TorchRuntimeError(dtype_message)
        self._requires_grad = flag

    @property
    def grad_fn(self) -> Node | None:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def retains_grad(self) -> bool:
        return self._extra is not None and self._extra.retains_grad

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise TorchRuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None:
            return
        self._get_extra().retains_grad = True
        self._grad_fn.retained = self

    @property
    def grad(self) -> Tensor | None:
        grad = self._grad
        if (
            grad is None
            and self._grad_fn is not None
            and not (self._extra is not None and self._extra.retains_grad)
        ):
            _warnings.warn(NONLEAF_GRAD_WARNING + _warnings.triggered())
        return grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is None:
            self._grad = None
            return
        if not isinstance(value, Tensor):
            raise TorchTypeError(
                f"assigned grad expected to be a Tensor or None but got grad of type "
                f"{type(value).__name__}"
            )
        if value._dtype is not self._dtype:
            raise TorchRuntimeError("assigned grad has data of a different type")
        if value._data.shape != self._data.shape:
            raise TorchRuntimeError(
                f"attempting to assign a gradient of size '{_list(value._data.shape)}' to a "
                f"tensor of size '{_list(self._data.shape)}'. Please ensure that the gradient "
                "and the tensor are the same size"
            )
        self._grad = value

    @property
    def data(self) -> Tensor:
        out = Tensor(self._data, self._dtype)
        out._vc = VersionCounter()
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TorchTypeError(
                f"Variable data has to be a tensor, but got {type(value).__name__}"
            )
        self._data = value._data
        self._dtype = value._dtype

    @property
    def _version(self) -> int:
        """How often the storage was changed in place (PyTorch's `t._version`)."""
        return 0 if self._vc is None else self._vc.value

    def _counter(self) -> VersionCounter:
        """The version counter, created on first need (views, detach, in-place ops)."""
        counter = self._vc
        if counter is None:
            counter = self._vc = VersionCounter()
        return counter

    def _get_extra(self) -> TensorExtra:
        extra = self._extra
        if extra is None:
            extra = self._extra = TensorExtra()
        return extra

    def _accumulator(self) -> AccumulateGrad:
        """This leaf's AccumulateGrad node, one per leaf and reused."""
        extra = self._get_extra()
        acc = extra.accumulator
        if acc is None:
            acc = extra.accumulator = AccumulateGrad(self)
        return acc

    def _bump_version(self) -> None:
        counter = self._vc
        if counter is None:
            counter = self._vc = VersionCounter()
        counter.value += 1
        counter.last_modified_at = _origin.current

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        if not self._requires_grad:
            raise TorchRuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self._grad_fn is not None:
            hooks = self._grad_fn.pre_hooks
            if hooks is None:
                hooks = self._grad_fn.pre_hooks = []
        else:
            extra = self._get_extra()
            if extra.hooks is None:
                extra.hooks = []
            hooks = extra.hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        global _engine
        if _engine is None:  # bound once: an import statement per call costs ~1 us
            from gradlang.autograd import engine

            _engine = engine
        _engine.backward(
            [self], None if gradient is None else [gradient], retain_graph, create_graph, inputs
        )

    def detach(self) -> Tensor:
        out = Tensor(self._data, self._dtype)
        out._vc = self._counter()
        if self._requires_grad:  # remembered for the tools' why(): where the graph was cut
            out._get_extra().made_by = ("detach", _origin.current)
        return out

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise TorchRuntimeError(DETACH_VIEW_ERROR)
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ Python values
    def item(self) -> float | int | bool:
        n = self._data.size
        if n != 1:
            raise TorchRuntimeError(f"a Tensor with {n} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        if self._requires_grad:
            raise TorchRuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def _scalar(self, kind: str) -> Any:
        if self._data.size != 1:
            raise TorchValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad:
            _warnings.warn(
                SCALAR_GRAD_WARNING
                + _warnings.triggered(
                    "torch/csrc/autograd/generated/python_variable_methods.cpp:822"
                )
            )
        return self._data.item()

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        if self._data.size == 1 and self._dtype.is_floating_point:
            value = self._data.item()
            if value != value:
                raise TorchValueError("cannot convert float NaN to integer")
            if value in (float("inf"), float("-inf")):
                from gradlang.autograd.errors import TorchOverflowError

                raise TorchOverflowError("cannot convert float infinity to integer")
        return int(self._scalar("int"))

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self._data.size != 1:
            raise TorchTypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self._data.item())

    def __bool__(self) -> bool:
        n = self._data.size
        if n == 0:
            raise TorchRuntimeError("Boolean value of Tensor with no values is ambiguous")
        if n > 1:
            raise TorchRuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TorchTypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TorchTypeError("iteration over a 0-d tensor")
        from gradlang.autograd.ops_shape import unbind

        return iter(unbind(self, 0))

    def __hash__(self) -> int:
        return id(self)

    def __contains__(self, element: Any) -> bool:
        from gradlang.autograd.ops_math import eq

        return bool((eq(self, element))._data.any())

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        fn = self._grad_fn
        text = tensor_repr(
            self._data, self._dtype.name, None if fn is None else fn.name(), self._requires_grad
        )
        if self._extra is not None and self._extra.parameter:
            return "Parameter containing:\n" + text
        return text

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec == "":
            return repr(self)
        raise TorchTypeError("unsupported format string passed to Tensor.__format__")


class TensorExtra:
    """Rarely used per-tensor state, kept out of Tensor to keep ops cheap."""

    __slots__ = ("retains_grad", "hooks", "accumulator", "made_by", "parameter", "views")

    def __init__(self) -> None:
        self.retains_grad = False
        self.parameter = False  # made by nn.Parameter: prints "Parameter containing:"
        self.hooks: list[Callable] | None = None
        self.accumulator: AccumulateGrad | None = None
        self.made_by: tuple[str, object] | None = None  # ("detach", origin): for why()
        #: a base's views made under grad mode, oldest first (weakly): an in-place op on
        #: the base (or on one of them) gives them a new grad_fn, as PyTorch does
        self.views: list[weakref.ref[Tensor]] | None = None


class RemovableHandle:
    """What register_hook returns: `.remove()` takes the hook off."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list[Callable], hook: Callable) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __repr__(self) -> str:
        return "<torch.utils.hooks.RemovableHandle object>"


class Device:
    """`t.device`: always the CPU."""

    __slots__ = ()
    type = "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


CPU = Device()


def _list(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def tensor_repr(
    data: np.ndarray, dtype_name: str, grad_fn_name: str | None, requires_grad: bool
) -> str:
    """Print through printing.py (another engineer's); a plain fallback until it exists."""
    real: Callable[[np.ndarray, str, str | None, bool], str] | None
    try:
        from gradlang.autograd.printing import tensor_repr as real
    except ImportError:
        real = None
    if real is not None:
        return real(data, dtype_name, grad_fn_name, requires_grad)
    body = np.array2string(data, separator=", ", precision=4)
    suffix = ""
    if dtype_name not in ("float32", "int64", "bool"):
        suffix += f", dtype=torch.{dtype_name}"
    if grad_fn_name is not None:
        suffix += f", grad_fn=<{grad_fn_name}>"
    elif requires_grad:
        suffix += ", requires_grad=True"
    return f"tensor({body}{suffix})"


def wrap(data: np.ndarray, dtype: _dt.DType) -> Tensor:
    """A new leaf tensor around `data` (an ndarray of dtype.np)."""
    return Tensor(data, dtype)


__all__ = ["Tensor", "wrap", "tensor_repr", "_gm"]
