"""The engine's error classes: every error a program can cause, with PyTorch's type and text.

Each class subclasses the builtin PyTorch raises, so a program sees `RuntimeError` etc.,
while the runtime can tell a program's error (one of these) from a bug in gradlang.
"""

from __future__ import annotations


class TorchError(Exception):
    """Marker base of every engine error a program can cause."""


class TorchRuntimeError(TorchError, RuntimeError):
    """PyTorch's RuntimeError."""


class TorchIndexError(TorchError, IndexError):
    """PyTorch's IndexError."""


class TorchTypeError(TorchError, TypeError):
    """PyTorch's TypeError."""


class TorchValueError(TorchError, ValueError):
    """PyTorch's ValueError."""


class TorchNotImplementedError(TorchError, NotImplementedError):
    """PyTorch's NotImplementedError."""


class TorchOverflowError(TorchError, OverflowError):
    """Python's OverflowError, as int() of an infinite tensor raises it."""


class TorchAssertionError(TorchError, AssertionError):
    """PyTorch's AssertionError (asking for CUDA)."""


C10_NAMES = {
    "float32": "float",
    "float64": "double",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
    "float16": "c10::Half",
}


def builtin_name(error: BaseException) -> str:
    """The builtin exception name a user sees for an engine error (`RuntimeError`, ...)."""
    for klass in type(error).__mro__:
        if klass.__module__ == "builtins":
            return klass.__name__
    return type(error).__name__
