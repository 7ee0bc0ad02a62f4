"""Turning what went wrong into a `GradlangError` with the span of the failing expression.

A program's error is one of: a `GradlangError` already (passed on, keeping its inner span),
an engine error (`TorchError` subclasses: PyTorch's type name and text), or a Python error
raised by Python's own operations on program values inside the runtime (Python's type and
text: `ZeroDivisionError: division by zero`). Anything else raised from inside another part
of gradlang is a bug, reported as `InternalError` with the span where it happened (except a
tool's TypeError/ValueError about its arguments, which is the program's error).
"""

from __future__ import annotations

import os

from gradlang.errors import GradlangError, Span
from gradlang.runtime.engine import TorchError, builtin_name

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
_PACKAGE_DIR = os.path.dirname(_RUNTIME_DIR)
_TOOLS_DIR = os.path.join(_PACKAGE_DIR, "tools")


def _raised_in_other_part(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is gradlang code outside the runtime
    (a tool's own TypeError or ValueError about its arguments is the program's error)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
    if filename.startswith(_TOOLS_DIR) and isinstance(exc, (TypeError, ValueError)):
        return False
    return filename.startswith(_PACKAGE_DIR) and not filename.startswith(_RUNTIME_DIR)


def convert(exc: BaseException, span: Span | None) -> GradlangError:
    """The GradlangError for `exc`, raised while evaluating the code at `span`."""
    if isinstance(exc, GradlangError):
        return exc.with_span(span)
    if isinstance(exc, TorchError):
        type_name, message = builtin_name(exc), str(exc)
        return GradlangError(type_name, message, span, _hint(type_name, message, exc))
    if isinstance(exc, RecursionError):
        return GradlangError(
            "LimitError",
            "the program nests calls or values too deeply",
            span,
            "simplify the program (Limits.max_depth)",
        )
    if isinstance(exc, MemoryError):
        return GradlangError(
            "LimitError",
            "the program ran out of memory",
            span,
            "use smaller tensors (--max-elements N)",
        )
    if isinstance(exc, ValueError) and "maximum supported dimension" in str(exc):
        return GradlangError(  # numpy's limit, reached from inside the engine
            "LimitError",
            "a tensor can have at most 64 dimensions in gradlang",
            span,
            "this limit comes from numpy, under gradlang's engine",
        )
    if _raised_in_other_part(exc) or not isinstance(exc, _PROGRAM_ERRORS):
        return GradlangError(
            "InternalError",
            f"{type(exc).__name__}: {exc}",
            span,
            "this is a bug in gradlang; please report it",
        )
    return GradlangError(type(exc).__name__, _message(exc), span)


def _hint(type_name: str, message: str, exc: BaseException) -> str | None:
    """The tools' teaching hint for an engine error, when the tools are there."""
    try:
        from gradlang.tools.hints import hint_for
    except ImportError:
        return None
    try:
        return hint_for(type_name, message, error=exc)
    except Exception:  # a broken hint must not hide the program's error
        return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return repr(exc.args[0])
    return str(exc)


_PROGRAM_ERRORS = (
    TypeError,
    ValueError,
    ZeroDivisionError,
    IndexError,
    KeyError,
    OverflowError,
    AttributeError,
    NameError,
    ArithmeticError,
    AssertionError,
    LookupError,
    NotImplementedError,
    RuntimeError,
)
