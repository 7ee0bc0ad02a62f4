"""Import-time help for ir.py: the methods `dataclasses` generates, compiled once and kept.

`dataclasses` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`
and `__delattr__` as source text and compiles it on every import: about 0.4 ms a class, some
15 ms of startup for the IR's frozen dataclasses. Between `CodegenCache.begin()` and `end()`,
the `exec` that `dataclasses` calls finds the code object for each exact text in a marshal file
under `__pycache__` (keyed by the text itself, for this interpreter's bytecode magic number),
so the classes are exactly what `dataclasses` makes; a text not found is compiled as `exec`
would and the file rewritten (unless `sys.dont_write_bytecode`, as for .pyc files).
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

_MISSING = object()


class CodegenCache:
    """Compiled dataclass methods for the classes a module defines (see the module docstring)."""

    def __init__(self, module_file: str, name: str) -> None:
        tag = sys.implementation.cache_tag or "python"
        self.path = os.path.join(
            os.path.dirname(module_file), "__pycache__", f"{name}.{tag}.dataclasses"
        )
        self.codes: dict[str, CodeType] = {}
        self.used: dict[str, CodeType] = {}  # what this import compiled: the next file
        self.missed = False
        self._saved: Any = _MISSING

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as f:
                magic, codes = marshal.loads(f.read())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if magic == MAGIC_NUMBER and isinstance(codes, dict):
            self.codes = codes

    def _exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        if source.__class__ is str:
            code = self.codes.get(source)
            if code is None:
                # what exec(str) compiles; dataclasses.py has no __future__ imports
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.missed = True
            self.used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    def begin(self) -> None:
        """Route `dataclasses`' exec through the cache (until `end`)."""
        self._load()
        self._saved = dataclasses.__dict__.get("exec", _MISSING)
        dataclasses.exec = self._exec  # type: ignore[attr-defined]

    def end(self) -> None:
        """Restore `dataclasses`' exec; save the cache when a text was new."""
        if self._saved is _MISSING:
            dataclasses.__dict__.pop("exec", None)
        else:
            dataclasses.exec = self._saved  # type: ignore[attr-defined]
        if self.missed and not sys.dont_write_bytecode:
            self._save()

    def _save(self) -> None:
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(marshal.dumps((MAGIC_NUMBER, self.used)))
            os.replace(tmp, self.path)
        except OSError:  # a read-only install: compile each time, as dataclasses does
            try:
                os.unlink(tmp)
            except OSError:
                pass
