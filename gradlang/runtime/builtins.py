"""The one table of names a program starts with: Python's builtins, torch, F, the tools.

`REGISTRY` maps a name to an `Entry`; `register(name, fn, context=True)` adds one (the tools
engineer registers `show`, `graph`, `explain`, ... this way). An entry with `context=True`
is called as `fn(interp, *args, **kwargs)`, so it can reach `interp.names_of(tensor)`,
`interp.write`, the limits and the I/O root. `make_table(interp)` builds one interpreter's
table: the registry, then every `api.TORCH` name that Python has no builtin of.
"""

from __future__ import annotations

import builtins as _py
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from gradlang.runtime import engine
from gradlang.runtime.engine import Tensor
from gradlang.runtime.pyops import check_length, elements_error, size_error
from gradlang.runtime.values import Builtin, Namespace, repr_value, str_value

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter


@dataclass(frozen=True)
class Entry:
    """One builtin: the callable, and whether it takes the interpreter first."""

    fn: Callable[..., Any]
    context: bool = False


REGISTRY: dict[str, Entry] = {}
PYTHON_BUILTIN_NAMES = frozenset(dir(_py))


def register(name: str, fn: Callable[..., Any], context: bool = False) -> Callable[..., Any]:
    """Add a builtin available to every new interpreter; returns `fn` (usable as decorator)."""
    REGISTRY[name] = Entry(fn, context)
    return fn


def builtin(name: str, context: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator form of `register`: `@builtin("show")` on `def show(interp, *tensors)`."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        return register(name, fn, context)

    return decorate


# ---------------------------------------------------------------------------------------
# Python's builtins (spec section 3), each with Python's meaning and the tensor rule.


def _torch(name: str) -> Callable[..., Any]:
    return engine.torch_table()[name]


def counted(interp: Interpreter, items: Iterable[Any]) -> Iterable[Any]:
    """`items` unchanged when bounded in size; otherwise a generator that counts each element
    as a step, so C loops over huge ranges or tensors stay under the step and time limits."""
    t = type(items)
    if t is list or t is tuple or t is str:
        return items
    return _count(interp, iter(items))


def _count(interp: Interpreter, it: Iterator[Any]) -> Iterator[Any]:
    meter = interp.meter
    for value in it:
        meter.steps += 1
        if meter.steps >= meter.next_check:
            meter.check(engine.origin.current)  # type: ignore[arg-type]
        yield value


def b_print(interp: Interpreter, *args: Any, sep: Any = " ", end: Any = "\n") -> None:
    if sep is None:
        sep = " "
    if end is None:
        end = "\n"
    if type(sep) is not str:
        raise TypeError(f"sep must be None or a string, not {type(sep).__name__}")
    if type(end) is not str:
        raise TypeError(f"end must be None or a string, not {type(end).__name__}")
    text = sep.join(str_value(a) for a in args) + end
    interp.write(text)


def b_len(interp: Interpreter, value: Any) -> int:
    return len(value)


def b_abs(interp: Interpreter, x: Any) -> Any:
    if isinstance(x, Tensor):
        return _torch("abs")(x)
    return abs(x)


def _minmax(interp: Interpreter, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if args and isinstance(args[0], Tensor):
        return _torch(name)(*args, **kwargs)
    fn = max if name == "max" else min
    if len(args) == 1:
        return fn(counted(interp, args[0]), **kwargs)
    return fn(*args, **kwargs)


def b_max(interp: Interpreter, *args: Any, **kwargs: Any) -> Any:
    return _minmax(interp, "max", args, kwargs)


def b_min(interp: Interpreter, *args: Any, **kwargs: Any) -> Any:
    return _minmax(interp, "min", args, kwargs)


def b_sum(interp: Interpreter, *args: Any, **kwargs: Any) -> Any:
    if args and isinstance(args[0], Tensor):
        return _torch("sum")(*args, **kwargs)
    if len(args) not in (1, 2) or set(kwargs) - {"start"}:
        return sum(*args, **kwargs)  # Python's own error message
    start = args[1] if len(args) == 2 else kwargs.get("start", 0)
    if isinstance(start, str):
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]")
    add = interp.operators["+"]
    total = start
    for item in counted(interp, args[0]):
        total = add(total, item)
    return total


def b_round(interp: Interpreter, number: Any, ndigits: Any = None) -> Any:
    if isinstance(number, Tensor):
        if ndigits is None:
            return _torch("round")(number)
        return _torch("round")(number, decimals=ndigits)
    if ndigits is None:
        return round(number)
    if type(number) is int and type(ndigits) is int and ndigits < 0:
        if -ndigits > len(str(abs(number))) + 1:
            return 0
    return round(number, ndigits)


def b_pow(interp: Interpreter, base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is not None:
        if type(exp) is int and type(mod) is int:
            # modular power costs about exp_bits * mod_bits**1.6 in C: seconds, uninterruptible
            if exp.bit_length() * mod.bit_length() > 64 * interp.limits.max_int_bits:
                raise interp_int_bits_error(interp)
        return pow(base, exp, mod)
    return interp.operators["**"](base, exp)


def interp_int_bits_error(interp: Interpreter) -> Exception:
    from gradlang.runtime.pyops import int_bits_error

    return int_bits_error(interp.limits)


def b_str(interp: Interpreter, *args: Any) -> str:
    if not args:
        return ""
    if len(args) > 1:
        return str(*args)
    return str_value(args[0])


def b_repr(interp: Interpreter, value: Any) -> str:
    return repr_value(value)


def b_list(interp: Interpreter, *args: Any) -> list[Any]:
    if not args:
        return []
    _check_sized(interp, args[0])
    return check_length(list(counted(interp, args[0])), interp.limits)


def b_tuple(interp: Interpreter, *args: Any) -> tuple[Any, ...]:
    if not args:
        return ()
    _check_sized(interp, args[0])
    return check_length(tuple(counted(interp, args[0])), interp.limits)


def _check_sized(interp: Interpreter, items: Any) -> None:
    if type(items) is range and len(items) > interp.limits.max_list:
        raise size_error("list", interp.limits.max_list)


def b_sorted(
    interp: Interpreter, items: Any, *, key: Any = None, reverse: bool = False
) -> list[Any]:
    _check_sized(interp, items)
    return sorted(counted(interp, items), key=key, reverse=reverse)


def b_reversed(interp: Interpreter, seq: Any) -> Any:
    return reversed(seq)


def b_enumerate(interp: Interpreter, items: Any, start: int = 0) -> Any:
    return enumerate(counted(interp, items), start)


def b_zip(interp: Interpreter, *iterables: Any) -> Any:
    return zip(*(counted(interp, it) for it in iterables))


def b_all(interp: Interpreter, items: Any) -> bool:
    return all(counted(interp, items))


def b_any(interp: Interpreter, items: Any) -> bool:
    return any(counted(interp, items))


def b_range(interp: Interpreter, *args: Any) -> range:
    return range(*args)


def b_float(interp: Interpreter, *args: Any) -> float:
    return float(*args)


def b_int(interp: Interpreter, *args: Any) -> int:
    return int(*args)


def b_bool(interp: Interpreter, *args: Any) -> bool:
    return bool(*args)


def b_divmod(interp: Interpreter, a: Any, b: Any) -> Any:
    return divmod(a, b)


PYTHON_BUILTINS: dict[str, Callable[..., Any]] = {
    "print": b_print,
    "len": b_len,
    "abs": b_abs,
    "max": b_max,
    "min": b_min,
    "sum": b_sum,
    "round": b_round,
    "pow": b_pow,
    "str": b_str,
    "repr": b_repr,
    "list": b_list,
    "tuple": b_tuple,
    "sorted": b_sorted,
    "reversed": b_reversed,
    "enumerate": b_enumerate,
    "zip": b_zip,
    "all": b_all,
    "any": b_any,
    "range": b_range,
    "float": b_float,
    "int": b_int,
    "bool": b_bool,
    "divmod": b_divmod,
}
for _name, _fn in PYTHON_BUILTINS.items():
    register(_name, _fn, context=True)


# ---------------------------------------------------------------------------------------
# Tensor creation with explicit sizes: count the elements before the engine allocates.

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


def make_table(interp: Interpreter) -> dict[str, Any]:
    """The builtins of one interpreter: Python's, torch's (bare), the namespaces, the tools."""
    from gradlang.runtime import sandbox_io  # noqa: F401  (registers load/save)

    try:  # the tools register show, graph, explain, ... when imported
        import gradlang.tools  # noqa: F401
    except ImportError:
        pass

    torch_members = engine.torch_table()
    for name in list(torch_members):
        if name in CREATION or name in DATA_CREATION:
            torch_members[name] = sized(name, torch_members[name], interp)
        elif name in MULTI_TENSOR:
            torch_members[name] = _multi(name, torch_members[name], interp)
        if name in GROWING:
            torch_members[name] = checked_growth(name, torch_members[name], interp)
    functional = Namespace("torch.nn.functional", engine.functional_table())
    nn = Namespace("torch.nn", {"functional": functional})
    autograd = Namespace(
        "torch.autograd",
        {k: _namespaced(f"torch.autograd.{k}", v) for k, v in engine.autograd_table().items()},
    )
    torch_members = {
        k: _namespaced(f"torch.{k}", v) for k, v in torch_members.items() if "." not in k
    }
    torch_members["nn"] = nn
    torch_members["autograd"] = autograd
    torch = Namespace("torch", torch_members)
    interp.namespaces = {
        "torch": torch,
        "torch.nn": nn,
        "torch.nn.functional": functional,
        "torch.autograd": autograd,
    }

    table: dict[str, Any] = {"torch": torch, "F": functional}  # the prelude's imports
    for name, value in torch_members.items():
        if name not in PYTHON_BUILTIN_NAMES and name not in ("nn", "autograd"):
            table[name] = value
    for name, entry in REGISTRY.items():
        table[name] = Builtin(name, entry.fn, interp) if entry.context else entry.fn
    return table


def _namespaced(name: str, value: Any) -> Any:
    """The engine's SimpleNamespace groups (`torch.linalg`) as program-safe Namespaces."""
    if isinstance(value, SimpleNamespace):
        members = {
            k: _namespaced(f"{name}.{k}", v)
            for k, v in vars(value).items()
            if not k.startswith("_")
        }
        return Namespace(name, members)
    return value


def _multi(name: str, fn: Callable[..., Any], interp: Interpreter) -> Callable[..., Any]:
    from gradlang.runtime.pyops import check_tensors

    matmul = name in ("matmul", "mm", "bmm")

    def call(*args: Any, **kwargs: Any) -> Any:
        tensors = [a for a in args if isinstance(a, Tensor)]
        if len(tensors) == 2:
            if matmul:
                check_tensors(tensors, interp.limits, matmul=True)
            else:
                n = tensors[0]._data.size * tensors[1]._data.size
                if n > interp.limits.max_elements:
                    raise elements_error(n, interp.limits)
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", name)
    return call
