"""Helpers for the tools' tests: run a gradlang program in a session and keep its state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradlang.autograd.methods  # noqa: F401  (Tensor methods and operators)
import gradlang.tools  # noqa: F401  (registers the program builtins)
from gradlang.session import Session, SessionOptions

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"


@dataclass
class Ran:
    """What a program printed, and the session that still holds its variables."""

    output: str
    session: Session
    error: Any

    @property
    def globals(self) -> dict[str, Any]:
        return self.session.interpreter().globals


def run(source: str, filename: str = "<test>", trace: bool = False) -> Ran:
    """Run `source` in a fresh session; program output is returned, not printed.

    The backward passes are recorded as for a program that calls `why` (the tests ask
    `explain_why` about programs that do not name it)."""
    from gradlang.tools import history

    history.install()
    session = Session(SessionOptions(trace=trace, warn=lambda _text: None))
    result = session.run_source(source, filename)
    if result.internal is not None:
        raise result.internal
    return Ran(result.output, session, result.error)
