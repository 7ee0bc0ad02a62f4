"""Python's builtins for programs (spec section 3): Python's meaning, with the tensor rule
(`abs max min sum round` act as torch's function when their first argument is a tensor)
and with every loop over a possibly huge iterable counted as steps (`counted`).

Each is registered in the builtins registry with the interpreter as first argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from gradlang.runtime import engine
from gradlang.runtime.builtins import register
from gradlang.runtime.engine import Tensor
from gradlang.runtime.pyops import check_length, size_error
from gradlang.runtime.values import repr_value, str_value

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter


def _torch(name: str) -> Callable[..., Any]:
    return engine.torch_table()[name]


def counted(interp: Interpreter, items: Iterable[Any]) -> Iterable[Any]:
    """`items` unchanged when bounded in size; otherwise a generator that counts each element
    as a step, so C loops over huge ranges or tensors stay under the step and time limits."""
    t = type(items)
    if t is list or t is tuple or t is str:
        return items
    if isinstance(items, Tensor) and items._data.ndim:  # iterating makes every row at once
        interp.meter.before_rows(items._data.shape[0], engine.origin.current)  # type: ignore[arg-type]
    return _count(interp, iter(items))


def _count(interp: Interpreter, it: Iterator[Any]) -> Iterator[Any]:
    meter = interp.meter
    for value in it:
        meter.steps += 1
        if meter.steps >= meter.next_check:
            meter.check(engine.origin.current)  # type: ignore[arg-type]
        yield value


def b_print(
    interp: Interpreter, *args: Any, sep: Any = " ", end: Any = "\n", flush: Any = False
) -> None:
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
