"""The fuzzers' oracle: what must hold for every input, and the hypothesis profiles.

For any text, `check_source(text)` parses it; when that fails, the error must be a
`GradlangError` of a known type with a position inside the text. When it parses, the IR
must survive `unparse` (parse(unparse(ir)) is the same IR, spans aside), and running it
(small limits, no file access, a watchdog) must end in success or in such an error: never
another exception, never an InternalError, never a hang.

Profiles: `fuzz-quick` (the default: a few hundred cases in all, derandomized so CI is
stable) and `fuzz-long` (thousands of random cases), chosen with GRADLANG_FUZZ=long.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from typing import Any

from hypothesis import HealthCheck, settings

from gradlang.errors import GradlangError, Span
from gradlang.session import Session, SessionOptions
from gradlang.syntax import parse
from gradlang.syntax.unparse import unparse

settings.register_profile(
    "fuzz-quick",
    max_examples=int(os.environ.get("GRADLANG_FUZZ_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "fuzz-long",
    max_examples=int(os.environ.get("GRADLANG_FUZZ_EXAMPLES", "5000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz_settings(quick_examples: int | None = None) -> settings:
    """The profile for this run: GRADLANG_FUZZ=long selects the long one. `quick_examples`
    trims the quick profile for a test whose cases are expensive to generate."""
    if os.environ.get("GRADLANG_FUZZ", "").lower() == "long":
        return settings.get_profile("fuzz-long")
    quick = settings.get_profile("fuzz-quick")
    if quick_examples is None or "GRADLANG_FUZZ_EXAMPLES" in os.environ:
        return quick
    return settings(quick, max_examples=quick_examples)


# Small limits: a fuzz case must stay cheap, and a limit is as good an ending as any.
LIMITS: dict[str, Any] = dict(
    max_steps=3000,
    max_elements=100_000,
    max_int_bits=20_000,
    max_string=200_000,
    max_list=20_000,
    max_depth=60,
    timeout=3.0,
)
WATCHDOG = 20  # seconds: a case still running by then hangs past every limit

# The error types a program may end with (Python's and PyTorch's names, and gradlang's own).
KNOWN_TYPES = frozenset(
    {
        "SyntaxError",
        "IndentationError",
        "TabError",
        "NameError",
        "UnboundLocalError",
        "TypeError",
        "ValueError",
        "RuntimeError",
        "IndexError",
        "KeyError",
        "ZeroDivisionError",
        "OverflowError",
        "AttributeError",
        "AssertionError",
        "ImportError",
        "ModuleNotFoundError",
        "LimitError",
        "RecursionError",
        "NotImplementedError",
        "PermissionError",
        "FileNotFoundError",
        "IsADirectoryError",
        "OSError",
        "StopIteration",
        "UserWarning",
    }
)


class Hang(Exception):
    """Raised by the watchdog."""


@contextmanager
def watchdog(seconds: int = WATCHDOG) -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


NO_SPAN = Span("", 0, 0, 0, 0)


def strip_spans(node: object) -> object:
    """The same IR with every span replaced by one dummy span."""
    if isinstance(node, tuple):
        return tuple(strip_spans(n) for n in node)
    if is_dataclass(node) and not isinstance(node, (type, Span)):
        changes = {f.name: strip_spans(getattr(node, f.name)) for f in fields(node)}
        if "span" in changes:
            changes["span"] = NO_SPAN
        return replace(node, **changes)  # type: ignore[type-var]
    return node


def check_error(error: GradlangError, source: str, stage: str) -> None:
    """A program's error: a known type, a position inside the source, no internal failure."""
    where = f"{stage}: {error.type_name}: {error.message}\n--- source ---\n{source}"
    assert error.type_name != "InternalError", where
    assert error.type_name in KNOWN_TYPES, f"unexpected error type; {where}"
    assert not error.message.startswith("internal parser error"), where
    assert error.span is not None, f"an error without a position; {where}"
    lines = source.count("\n") + 2
    assert 1 <= error.span.line <= lines, f"position {error.span} outside the source; {where}"


def check_roundtrip(module: Any, source: str) -> None:
    """parse(unparse(ir)) gives the same IR (spans aside)."""
    text = unparse(module)
    try:
        again = parse(text, "<unparsed>")
    except GradlangError as error:
        raise AssertionError(
            f"unparse gave text that does not parse: {error}\n--- source ---\n{source}"
            f"\n--- unparsed ---\n{text}"
        ) from None
    assert strip_spans(again) == strip_spans(module), (
        f"the IR changed through unparse\n--- source ---\n{source}\n--- unparsed ---\n{text}"
    )


def check_source(source: str, run: bool = True) -> str:
    """The whole oracle for one input; returns how it ended ('syntax', 'error', 'ok')."""
    with watchdog():
        try:
            module = parse(source, "<fuzz>")
        except GradlangError as error:
            check_error(error, source, "parse")
            return "syntax"
        check_roundtrip(module, source)
        if not run:
            return "parsed"
        session = Session(SessionOptions(limits=dict(LIMITS), io=False, warn=lambda text: None))
        result = session.run_source(source, "<fuzz>")
    assert result.internal is None, (
        f"an internal exception: {result.internal!r}\n--- source ---\n{source}"
    )
    if result.error is not None:
        check_error(result.error, source, "run")
        return "error"
    return "ok"
