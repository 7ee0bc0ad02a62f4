"""`Interpreter`: runs IR modules on the engine, under limits, with warnings and errors
turned into what the CLI and REPL show.

One interpreter is one program's (or one REPL session's) world: its globals, builtins
table, step meter, grad mode, and where output and warnings go.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradlang.errors import GradlangError, Span
from gradlang.runtime import engine
from gradlang.runtime.builtins import make_table
from gradlang.runtime.failures import convert
from gradlang.runtime.limits import Limits, Meter
from gradlang.runtime.pyops import make_operators
from gradlang.runtime.statements import Compiler, compile_module
from gradlang.runtime.values import NO_VALUE, Frame, repr_value
from gradlang.syntax import ir

RECURSION_LIMIT = 20_000
# Calls are counted against Limits.max_depth (500) long before Python's own limit is near:
# each gradlang call takes a handful of Python frames.
if sys.getrecursionlimit() < RECURSION_LIMIT:
    sys.setrecursionlimit(RECURSION_LIMIT)


def _default_write(text: str) -> None:
    sys.stdout.write(text)


def _default_warn(text: str) -> None:
    sys.stderr.write(text)


class Interpreter:
    """Runs programs; state (globals, RNG, grad mode) lasts across `run` calls."""

    def __init__(
        self,
        limits: Limits | None = None,
        io_root: Path | None = None,
        write: Callable[[str], None] | None = None,
        warn: Callable[[str], None] | None = None,
        seed: int | None = 0,
    ) -> None:
        self.limits = limits if limits is not None else Limits()
        self.io_root = io_root
        self.write = write if write is not None else _default_write
        self.warn = warn if warn is not None else _default_warn
        self.meter = Meter(self.limits)
        self.operators = make_operators(self.limits, self.meter)
        self.globals: dict[str, Any] = {}
        self.module_frame = Frame(self.globals, None)
        self.frames: list[Frame] = []
        self.depth = 0
        self.namespaces: dict[str, Any] = {}
        self.builtins: dict[str, Any] = {}
        self.builtins.update(make_table(self))
        self.sources: dict[str, str] = {}
        self.grad_enabled = True
        self._warned: set[tuple[str, int, str, str]] = set()
        manual_seed = engine.torch_table().get("manual_seed")
        if manual_seed is not None and seed is not None:  # None: leave the generator alone
            manual_seed(seed)
        from gradlang.autograd.printing import set_printoptions

        set_printoptions(profile="default")  # every run starts from PyTorch's print options
        self.meter.rebase()

    # -- running ----------------------------------------------------------------------
    def compile(self, module: ir.Module) -> Callable[[Frame], Any]:
        """Compile a module into one closure (raises GradlangError on a static error)."""
        return compile_module(Compiler(self), module)

    def run(self, module: ir.Module, source: str | None = None) -> None:
        """Execute a program; raises GradlangError."""
        if source is not None:
            self.sources[module.span.file] = source
        code = self.compile(module)
        self._execute(code)

    def run_interactive(self, module: ir.Module, source: str | None = None) -> object:
        """As `run`; returns the value of a final expression statement, or NO_VALUE."""
        if source is not None:
            self.sources[module.span.file] = source
        body = module.body
        if not body or not isinstance(body[-1], ir.ExprStmt):
            self._execute(self.compile(module))
            return NO_VALUE
        last: ir.ExprStmt = body[-1]
        compiler = Compiler(self)
        head = compile_module(compiler, ir.Module(module.span, body[:-1]))
        tail = compiler.expr(last.value)
        self._execute(head)
        result: list[Any] = []

        def final(frame: Frame) -> None:
            meter = self.meter
            meter.steps += 1
            if meter.steps >= meter.next_check:
                meter.check(last.span)
            engine.origin.current = last.span
            result.append(tail(frame))

        self._execute(final)
        return result[0]

    def _execute(self, code: Callable[[Frame], Any]) -> None:
        previous_handler = engine.set_warning_handler(self._on_warning)
        previous_mode = engine.grad_mode.enabled
        engine.grad_mode.enabled = self.grad_enabled
        self.meter.start()
        self._warned.clear()
        try:
            code(self.module_frame)
        except GradlangError:
            raise
        except KeyboardInterrupt:
            raise GradlangError(
                "KeyboardInterrupt", "the program was interrupted", self._current_span()
            ) from None
        except Exception as exc:
            raise convert(exc, self._current_span()) from None
        finally:
            self.depth = 0
            self.frames.clear()
            self.grad_enabled = engine.grad_mode.enabled
            engine.grad_mode.enabled = previous_mode
            engine.set_warning_handler(previous_handler)

    def _current_span(self) -> Span | None:
        span = engine.origin.current
        return span if isinstance(span, Span) else None

    # -- warnings -----------------------------------------------------------------------
    def _on_warning(self, message: str, category: str) -> None:
        span = self._current_span()
        file, line = (span.file, span.line) if span else ("<unknown>", 0)
        key = (file, line, category, message)
        if key in self._warned:
            return
        self._warned.add(key)
        text = f"{file}:{line}: {category}: {message}\n"
        source_line = self._source_line(file, line)
        if source_line:
            text += f"  {source_line.strip()}\n"
        self.warn(text)

    def _source_line(self, file: str, line: int) -> str | None:
        source = self.sources.get(file)
        if source is None and os.path.isfile(file):
            try:
                with open(file, encoding="utf-8") as f:
                    source = f.read()
            except (OSError, UnicodeDecodeError):
                return None
            self.sources[file] = source
        if source is None:
            return None
        lines = source.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None

    # -- inspection ---------------------------------------------------------------------
    def names_of(self, value: object) -> list[str]:
        """The variable names bound to `value`: live locals (innermost first), then globals."""
        names: list[str] = []
        for frame in reversed(self.frames):
            names.extend(n for n, v in frame.vars.items() if v is value and n not in names)
        names.extend(n for n, v in self.globals.items() if v is value and n not in names)
        return names

    def format_value(self, value: object) -> str:
        """Python's repr of a value, as the REPL echoes it."""
        return repr_value(value)
