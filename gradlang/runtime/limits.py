"""Resource limits of a running program, and the meter that enforces them.

`Limits` holds every limit with a generous default; `Meter` counts statements, watches the
wall clock and the process's memory, and raises `GradlangError("LimitError", ...)` with a
hint naming the command-line flag that raises the limit.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from gradlang.errors import GradlangError, Span

GIB = 1024**3


@dataclass
class Limits:
    """Every limit a program runs under (a run stops with a LimitError when it hits one)."""

    max_steps: int = 10_000_000
    max_elements: int = 50_000_000
    max_memory_bytes: int = 2 * GIB
    max_int_bits: int = 100_000
    max_string: int = 10_000_000
    max_list: int = 10_000_000
    max_depth: int = 500
    max_nesting: int = 200
    timeout: float | None = None


def format_bytes(n: int) -> str:
    """`2 GiB`, `64 MiB`, `512 KiB`, `100 bytes`."""
    for unit, size in (("GiB", GIB), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} bytes"


def limit_error(message: str, span: Span | None, flag: str | None = None) -> GradlangError:
    """A LimitError whose hint names the flag (or the Limits field) that raises the limit."""
    if flag and flag.startswith("--"):
        hint = f"raise the limit with {flag}"
    elif flag:
        hint = f"a fixed limit ({flag}) that keeps programs from taking the machine down"
    else:
        hint = "this limit keeps programs from taking the machine down"
    return GradlangError("LimitError", message, span, hint)


def _rss_reader() -> object:
    """A function giving the process's resident memory in bytes, or None where unknown."""
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        with open("/proc/self/statm", "rb") as f:
            f.read()
    except (OSError, ValueError, AttributeError):
        return None

    def rss() -> int:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * page

    return rss


_RSS = _rss_reader()
CHECK_EVERY = 64  # statements between clock checks
MULTIPLY_ADDS_PER_SECOND = 5e10  # optimistic: refuse only what surely runs past the timeout
MEMORY_EVERY = 16  # clock checks between memory checks (reading /proc costs ~7 us)
#: Iterating a tensor unbinds it at once, as PyTorch does: every row becomes a tensor (its
#: object, a numpy view and a node), measured at ~310 bytes and over 1 us a row.
ROW_BYTES = 320
ROW_SECONDS = 1e-6  # optimistic: refuse only what surely runs past the timeout


class Meter:
    """Counts executed statements; every CHECK_EVERY steps looks at the clock and memory.

    The hot path is one increment and one comparison (`steps >= next_check`).
    """

    __slots__ = (
        "limits",
        "steps",
        "next_check",
        "deadline",
        "baseline",
        "interrupted",
        "checks",
        "heavy",
    )

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.steps = 0
        self.next_check = min(CHECK_EVERY, limits.max_steps + 1)
        self.deadline: float | None = None
        self.baseline = _RSS() if _RSS is not None else 0  # type: ignore[operator]
        self.interrupted = False
        self.checks = 0
        self.heavy = False  # using over 1/8 of the memory limit: check every statement

    def rebase(self) -> None:
        """Measure memory from now on (after the interpreter's own imports and tables)."""
        self.baseline = _RSS() if _RSS is not None else 0  # type: ignore[operator]

    def start(self) -> None:
        """Start the clock for one run (the REPL starts it afresh for every entry)."""
        t = self.limits.timeout
        self.deadline = time.monotonic() + t if t else None

    def check(self, span: Span | None) -> None:
        """Called when `steps` reaches `next_check`: enforce steps, time and memory."""
        lim = self.limits
        if self.steps > lim.max_steps:
            raise limit_error(
                f"the program executed more than {lim.max_steps:,} statements",
                span,
                "--max-steps N",
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise limit_error(
                f"the program ran longer than {lim.timeout:g} s", span, "--timeout SECONDS"
            )
        self.checks += 1
        if self.heavy or self.checks % MEMORY_EVERY == 0:
            self.check_memory(span)
        if self.interrupted:
            self.interrupted = False
            raise GradlangError("KeyboardInterrupt", "interrupted", span)
        every = 1 if self.heavy else CHECK_EVERY
        self.next_check = min(self.steps + every, lim.max_steps + 1)

    def check_memory(self, span: Span | None) -> None:
        if _RSS is None:
            return
        used = _RSS() - self.baseline  # type: ignore[operator]
        self.heavy = used > self.limits.max_memory_bytes // 8
        if used > self.limits.max_memory_bytes:
            raise limit_error(
                f"the program uses more than {format_bytes(self.limits.max_memory_bytes)} of memory",
                span,
                "--max-memory SIZE",
            )

    def before_rows(self, rows: int, span: Span | None) -> None:
        """Before a tensor of `rows` rows is iterated (all rows are made at once, in C-speed
        loops the clock cannot interrupt): refuse what would break the memory or time limit."""
        self.reserve(rows * ROW_BYTES, span)
        seconds = rows * ROW_SECONDS
        if self.deadline is not None and time.monotonic() + seconds > self.deadline:
            raise limit_error(
                f"iterating over {rows:,} rows would take about {seconds:.0f} s, past the time "
                f"limit of {self.limits.timeout:g} s",
                span,
                "--timeout SECONDS",
            )

    def reserve(self, nbytes: int, span: Span | None) -> None:
        """Before a big allocation: refuse it if it would take memory over the limit."""
        if _RSS is None or nbytes < 16 * 1024 * 1024:
            return
        used = _RSS() - self.baseline  # type: ignore[operator]
        if used + nbytes > self.limits.max_memory_bytes:
            raise limit_error(
                f"the program would use more than {format_bytes(self.limits.max_memory_bytes)} "
                "of memory",
                span,
                "--max-memory SIZE",
            )

    def check_cost(self, multiply_adds: int, span: Span | None) -> None:
        """Before one big C-level operation (a matrix product): refuse it when, even at a
        fast machine's speed, it would run past the --timeout (it cannot be interrupted)."""
        if self.deadline is None or multiply_adds < 1e9:
            return
        seconds = multiply_adds / MULTIPLY_ADDS_PER_SECOND
        if time.monotonic() + seconds > self.deadline:
            raise limit_error(
                f"this operation would take about {seconds:.0f} s, past the time limit of "
                f"{self.limits.timeout:g} s",
                span,
                "--timeout SECONDS",
            )

    def tick(self, span: Span | None) -> None:
        """One unit of work outside a statement (an element consumed by a builtin)."""
        self.steps += 1
        if self.steps >= self.next_check:
            self.check(span)
