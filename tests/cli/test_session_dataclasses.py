"""session.py's two dataclasses and errors.Span go through the dataclass code cache: still
plain dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from gradlang.errors import Span
from gradlang.session import RunResult, SessionOptions


def test_session_options_is_the_same_dataclass() -> None:
    assert dataclasses.is_dataclass(SessionOptions)
    assert [f.name for f in dataclasses.fields(SessionOptions)] == [
        "limits", "seed", "io", "trace", "echo", "warn", "debug",
    ]  # fmt: skip
    a, b = SessionOptions(), SessionOptions()
    assert a == b and a.limits is not b.limits  # default_factory: one dict each
    assert a.seed == 0 and a.io and not a.trace and a.echo is None and not a.debug
    assert dataclasses.replace(a, seed=3) == SessionOptions(seed=3)
    assert repr(SessionOptions(seed=2)).startswith("SessionOptions(limits={}, seed=2, io=True")


def test_run_result_is_the_same_dataclass() -> None:
    r = RunResult("f.grad")
    assert r == RunResult("f.grad", "") and r != RunResult("g.grad")
    assert r.ok and r.exit_code == 0 and r.tensors == [] and r.tensors is not RunResult("x").tensors
    assert repr(r).startswith("RunResult(filename='f.grad', output='', error=None")
    assert "exec" not in dataclasses.__dict__  # the cache put dataclasses' own exec back


def test_span_is_the_same_frozen_slotted_dataclass() -> None:
    a = Span("f.grad", 1, 2, 1, 5)
    assert [f.name for f in dataclasses.fields(Span)] == [
        "file", "line", "column", "end_line", "end_column",
    ]  # fmt: skip
    assert a == Span("f.grad", 1, 2, 1, 5) and hash(a) == hash(Span("f.grad", 1, 2, 1, 5))
    assert a != Span("f.grad", 1, 2, 1, 6) and str(a) == "f.grad:1:2"
    assert repr(a) == "Span(file='f.grad', line=1, column=2, end_line=1, end_column=5)"
    assert not hasattr(a, "__dict__") and Span.__slots__ == (
        "file", "line", "column", "end_line", "end_column",
    )  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.line = 3  # type: ignore[misc]


def test_importing_errors_loads_no_parser() -> None:
    import subprocess
    import sys

    code = "import sys, gradlang.errors; print('gradlang.syntax.parser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
