"""Run a `.grad` file on gradlang the way the corpus and fidelity tests compare it with PyTorch.

Shared by `tests/programs/test_corpus.py` and `tests/fidelity/test_fidelity.py`: the pytest
parameters for a folder of programs (known gaps marked xfail) and a program's stdout and error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gradlang.errors import GradlangError
from gradlang.runtime import Interpreter, Limits
from gradlang.syntax.parser import parse


def params(paths: list[Path], gaps: dict[str, str]) -> list[object]:
    """`paths` as pytest parameters, those named in `gaps` xfail (not strict) with its reason."""
    return [
        pytest.param(p, marks=pytest.mark.xfail(reason=gaps[p.stem], strict=False))
        if p.stem in gaps
        else p
        for p in paths
    ]


def run_gradlang(path: Path) -> tuple[str, tuple[str, str, int] | None]:
    """Stdout of a program on gradlang, and its error as (type, message, line)."""
    out: list[str] = []
    source = path.read_text()
    interp = Interpreter(Limits(timeout=20), path.parent, out.append, lambda text: None, seed=0)
    error = None
    try:
        interp.run(parse(source, str(path)), source)
    except GradlangError as exc:
        error = (exc.type_name, exc.message, exc.span.line if exc.span else 0)
    return "".join(out), error
