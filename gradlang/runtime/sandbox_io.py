"""`load(path)` and `save(tensor, path)`: the only file access a program has.

Only `.npy` files, only under the program's directory (`io_root`): paths are resolved with
symlinks followed and must stay inside the root; `io_root=None` turns I/O off. Loading reads
the header first and refuses arrays over the element limit; pickles are never allowed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gradlang.errors import GradlangError
from gradlang.runtime.builtins import register
from gradlang.runtime.engine import Tensor
from gradlang.runtime.pyops import elements_error

if TYPE_CHECKING:
    from gradlang.runtime.interpreter import Interpreter

ALLOWED_DTYPES = {"float32", "float64", "int64", "int32", "bool"}


def resolve(interp: Interpreter, path: Any, for_writing: bool) -> Path:
    """The real path of `path` inside the program's directory, or a PermissionError."""
    if interp.io_root is None:
        raise GradlangError(
            "PermissionError",
            "file access is off for this run",
            None,
            "run without --no-io to use load() and save()",
        )
    if type(path) is not str:
        raise TypeError(f"expected a path as str, not {type(path).__name__}")
    if not path.endswith(".npy"):
        raise GradlangError(
            "PermissionError", f"only .npy files can be loaded and saved, not {path!r}"
        )
    root = Path(os.path.realpath(interp.io_root))
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = root / candidate
    real = Path(os.path.realpath(candidate))
    if real != root and root not in real.parents:
        raise GradlangError(
            "PermissionError",
            f"{path!r} is outside the program's directory",
            None,
            "load() and save() reach only the program's directory and below",
        )
    if for_writing and real.is_dir():
        raise GradlangError("IsADirectoryError", f"{path!r} is a directory")
    return real


def _os_error(path: str, exc: OSError) -> GradlangError:
    """An OSError of the file system, without the absolute path of the program's directory."""
    shown = path if len(path) <= 80 else path[:77] + "..."
    return GradlangError(type(exc).__name__, f"{exc.strerror or 'cannot access'}: {shown!r}")


def load(interp: Interpreter, path: Any) -> Any:
    """A tensor from a `.npy` file under the program's directory."""
    try:
        return _load(interp, path)
    except OSError as exc:
        raise _os_error(str(path), exc) from None


def _load(interp: Interpreter, path: Any) -> Any:
    real = resolve(interp, path, False)
    if not real.is_file():
        raise GradlangError("FileNotFoundError", f"No such file: {path!r}")
    with open(real, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        except ValueError as exc:
            detail = re.sub(r" at 0x[0-9a-fA-F]+", "", str(exc))  # no addresses: deterministic
            raise GradlangError("ValueError", f"{path!r} is not a .npy file: {detail}") from None
        n = 1
        for s in shape:
            n *= s
        if n > interp.limits.max_elements:
            raise elements_error(n, interp.limits)
        if dtype.hasobject or dtype.name not in ALLOWED_DTYPES:
            raise GradlangError("ValueError", f"cannot load arrays of dtype {dtype.name}")
        f.seek(0)
        array = np.load(f, allow_pickle=False)
    make = interp.builtins["tensor"]
    return make(
        array.tolist() if array.ndim else array.item(), dtype=_torch_dtype(interp, array.dtype.name)
    )


def _torch_dtype(interp: Interpreter, name: str) -> Any:
    torch = interp.namespaces["torch"].members
    return torch.get(name)


def save(interp: Interpreter, tensor: Any, path: Any) -> None:
    """Write `tensor` (its values; no graph) as a `.npy` file under the program's directory."""
    try:
        _save(interp, tensor, path)
    except OSError as exc:
        raise _os_error(str(path), exc) from None


def _save(interp: Interpreter, tensor: Any, path: Any) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"save() expects a tensor, not {type(tensor).__name__}")
    real = resolve(interp, path, True)
    if not real.parent.is_dir():
        raise GradlangError("FileNotFoundError", f"No such directory for {path!r}")
    if real.exists() and not real.is_file():  # a pipe or device would block or leak
        raise GradlangError("PermissionError", f"{path!r} is not a regular file")
    array = np.asarray(tensor.detach().numpy())
    with open(real, "wb") as f:
        np.save(f, array, allow_pickle=False)


register("load", load, context=True)
register("save", save, context=True)
