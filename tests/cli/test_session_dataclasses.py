"""session.py's two dataclasses go through the dataclass code cache: still plain dataclasses."""

from __future__ import annotations

import dataclasses

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
