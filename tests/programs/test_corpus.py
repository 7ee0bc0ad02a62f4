"""The program corpus: every NAME.grad runs on gradlang and prints exactly NAME.out, and
fails (if it fails) with the type, message prefix and line of its `# error:` comment.

The `.out` files and error comments come from real PyTorch 2.13 (`torch_runner.py`); the
`torch`-marked test re-runs every program on PyTorch and compares it with gradlang directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted(HERE.glob("*.grad"))

from gradlang_runner import params, run_gradlang  # noqa: E402
from torch_runner import error_matches, expected_error  # noqa: E402

# Programs where the engine still differs from PyTorch (xfail, not strict: they pass once the
# engine is fixed); the reason says what differs.
ENGINE_GAPS: dict[str, str] = {}


def test_corpus_is_big_enough() -> None:
    assert len(PROGRAMS) >= 100


@pytest.mark.parametrize("path", params(PROGRAMS, ENGINE_GAPS), ids=[p.stem for p in PROGRAMS])
def test_program(path: Path) -> None:
    output, error = run_gradlang(path)
    want_error = expected_error(path.read_text())
    assert error_matches(error, want_error), f"error {error}, expected {want_error}"
    assert output == path.with_suffix(".out").read_text()


@pytest.mark.torch
@pytest.mark.parametrize("path", params(PROGRAMS, ENGINE_GAPS), ids=[p.stem for p in PROGRAMS])
def test_program_against_torch(path: Path) -> None:
    pytest.importorskip("torch")
    from torch_runner import run_torch

    outcome = run_torch(path.read_text())
    output, error = run_gradlang(path)
    assert output == outcome.output
    if outcome.error is None:
        assert error is None
    else:
        assert error is not None
        assert (error[0], error[2]) == (outcome.error[0], outcome.error[2])
        assert outcome.error[1].startswith(error[1][:60]) or error[1].startswith(
            outcome.error[1][:60]
        )
