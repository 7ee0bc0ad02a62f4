"""`Session`: the one way from source text to a result, shared by the CLI and the REPL.

A session owns one interpreter (made on first use, dropped by `reset`), the text of every
source it ran (so diagnostics can quote any line, even of REPL input), and the options of
the run: limits, seed, file access, tracing, and where program output and warnings go.
Every failure comes back as data in a `RunResult`: a `GradlangError` the program caused, or
an internal exception (a bug in gradlang), never as an exception the caller must catch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradlang.errors import GradlangError, Span
from gradlang.syntax import lower, parser  # noqa: F401  (every run parses: loaded with the rest)
from gradlang.syntax.codegen_cache import CodegenCache
from gradlang.tools import report

Writer = Callable[[str], None]
MAX_OUTPUT = 50_000_000  # characters one run may print (its output is kept for the report)
# Parsing runs before any limit can act (about 5,000-10,000 lines a second), so the size of a
# program is bounded up front: a million characters is some 25,000 lines of real code.
MAX_SOURCE = 1_000_000


def _stderr(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()


# the methods dataclasses writes for the two classes below, compiled once (see ir.py)
_CODEGEN = CodegenCache(__file__, "session")
_CODEGEN.begin()


@dataclass
class SessionOptions:
    """How a session runs programs.

    `limits` holds overrides of `gradlang.runtime.Limits` fields (`max_steps`, `timeout`...);
    `echo` receives program output as it is printed (besides the captured copy); `warn`
    receives each warning line. `io` False turns `load`/`save` off (`--no-io`).
    """

    limits: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    io: bool = True
    trace: bool = False
    echo: Writer | None = None
    warn: Writer = _stderr
    debug: bool = False


@dataclass
class RunResult:
    """What running one source produced."""

    filename: str
    output: str = ""
    error: GradlangError | None = None
    internal: BaseException | None = None
    tensors: list[tuple[str, Any]] = field(default_factory=list)
    value: Any = None
    has_value: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.internal is None

    @property
    def exit_code(self) -> int:
        """0 on success, 1 when the program (or gradlang, internally) failed."""
        return 0 if self.ok else 1


_CODEGEN.end()


class Session:
    """Parse → run → result, with one interpreter that lasts until `reset()`."""

    def __init__(self, options: SessionOptions | None = None) -> None:
        self.options = options or SessionOptions()
        self.sources: dict[str, str] = {}
        self._interpreter: Any = None
        self._output: list[str] = []
        self._output_size = 0
        self._tracing = False

    # -- the interpreter ------------------------------------------------------------

    def _write(self, text: str) -> None:
        self._output_size += len(text)
        if self._output_size > MAX_OUTPUT:
            raise GradlangError(
                "LimitError",
                f"the program printed more than {MAX_OUTPUT:,} characters",
                None,
                "print less (the output of one run is kept in memory)",
            )
        self._output.append(text)
        if self.options.echo is not None:
            self.options.echo(text)

    def _make_interpreter(self, io_root: Path | None) -> Any:
        from gradlang.runtime import Interpreter, Limits

        limits = Limits(**self.options.limits)
        interp = Interpreter(
            limits=limits,
            io_root=io_root if self.options.io else None,
            write=self._write,
            warn=self.options.warn,
            seed=self.options.seed,
        )
        return interp

    def interpreter(self, io_root: Path | None = None) -> Any:
        """The session's interpreter, made on first use (file access rooted at `io_root`)."""
        if self._interpreter is None:
            _forget_backward_history()
            self._interpreter = self._make_interpreter(io_root or Path.cwd())
        return self._interpreter

    def reset(self) -> None:
        """Forget every name: the next run starts from a fresh interpreter."""
        _disable_trace(self)
        self._interpreter = None

    def set_trace(self, on: bool) -> None:
        """Turn tracing of every backward on or off for the runs to come."""
        self.options.trace = on

    # -- running --------------------------------------------------------------------

    def global_tensors(self) -> list[tuple[str, Any]]:
        """Global names bound to tensors, in order of first binding."""
        if self._interpreter is None:
            return []
        return [(k, v) for k, v in self._interpreter.globals.items() if report.is_tensor(v)]

    def global_names(self) -> list[str]:
        """Every global name, in order of first binding (for completion)."""
        if self._interpreter is None:
            return []
        return list(self._interpreter.globals)

    def run_source(self, source: str, filename: str, *, interactive: bool = False) -> RunResult:
        """Parse and run `source` (named `filename` in diagnostics) in this session.

        With `interactive`, the value of a final expression statement comes back in
        `RunResult.value` (`has_value` tells whether there was one).
        """
        self.sources[filename] = source
        result = RunResult(filename=filename)
        self._output = []
        self._output_size = 0
        try:
            from gradlang.syntax import parse

            _check_source_size(source, filename)
            module = parse(source, filename)
            interp = self.interpreter(_io_root(filename))
            _fresh_step_budget(interp)
            if self.options.trace:
                _enable_trace(self)
            if interactive:
                value = interp.run_interactive(module, source=source)
                from gradlang.runtime import NO_VALUE

                if value is not NO_VALUE:
                    result.value, result.has_value = value, True
            else:
                interp.run(module, source=source)
        except GradlangError as error:
            result.error = error
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a bug in gradlang: reported, never a traceback
            if self.options.debug:
                raise
            result.internal = exc
        try:
            _disable_trace(self)  # writes the account of the last backward pass
        except Exception as exc:  # pragma: no cover - a bug in the tracer
            if self.options.debug:
                raise
            result.internal = result.internal or exc
        result.output = "".join(self._output)
        try:
            result.tensors = self.global_tensors()
        except Exception as exc:  # pragma: no cover - only when the runtime is broken
            if result.internal is None:
                result.internal = exc
        return result

    def parse_only(self, source: str, filename: str) -> GradlangError | None:
        """Parse and check (names, imports, structure) without running; the first error."""
        self.sources[filename] = source
        from gradlang.runtime import check
        from gradlang.syntax import parse

        try:
            _check_source_size(source, filename)
            check(parse(source, filename))
        except GradlangError as error:
            return error
        return None

    def names(self) -> Any:
        """The tools' NameIndex of the session's variables (for labels in graphs and traces)."""
        from gradlang.tools.naming import NameIndex, scopes_of

        return NameIndex(scopes_of(self._interpreter) if self._interpreter is not None else None)

    def source_line(self, span: object) -> str | None:
        """The source text of the line a span starts on, from any source this session ran."""
        file, line = getattr(span, "file", None), getattr(span, "line", None)
        source = self.sources.get(file) if isinstance(file, str) else None
        if source is None or not isinstance(line, int):
            return None
        lines = source.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None

    def format_value(self, value: Any) -> str:
        """The REPL's echo of a value: its repr, as Python's REPL shows it."""
        return str(self.interpreter().format_value(value))


def _fresh_step_budget(interp: Any) -> None:
    """Each run (each REPL entry) gets the whole --max-steps budget, as a program does."""
    meter = getattr(interp, "meter", None)
    if meter is not None and hasattr(meter, "steps"):
        meter.steps = 0
        meter.next_check = 1  # check at once, then every CHECK_EVERY steps again


def _forget_backward_history() -> None:
    """A new interpreter is a new program: `why` and the hints must not see the backward
    passes of a program run earlier in this process (the same file run twice, `:reset`)."""
    from gradlang.tools import history

    history.HISTORY.clear()


def _io_root(filename: str) -> Path:
    """Programs may load/save below their own directory; stdin and REPL input: the cwd."""
    path = Path(filename)
    if filename.startswith("<") or not path.exists():
        return Path.cwd()
    return path.resolve().parent


def _enable_trace(session: Session) -> None:
    """Explain every backward from now on (`--trace`, `:trace on`): the tools' tracer."""
    if session._interpreter is None or session._tracing:
        return
    from gradlang.tools.program_builtins import set_trace

    set_trace(session._interpreter, True)
    session._tracing = True


def _disable_trace(session: Session) -> None:
    """Stop tracing; the account of the last backward pass is written now."""
    if session._interpreter is None or not session._tracing:
        return
    from gradlang.tools.program_builtins import set_trace

    session._tracing = False
    set_trace(session._interpreter, False)


def _check_source_size(source: str, filename: str) -> None:
    """Refuse a program too large to parse within any sensible time limit."""
    if len(source) > MAX_SOURCE:
        raise GradlangError(
            "LimitError",
            f"the program is {len(source):,} characters long; the limit is {MAX_SOURCE:,}",
            Span(filename, 1, 1, 1, 2),
            hint="split it into smaller programs",
        )
