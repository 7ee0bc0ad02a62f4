"""The IR's dataclass code cache: same classes as dataclasses makes, exec restored, file kept."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from gradlang.syntax.codegen_cache import CodegenCache


def _define() -> type:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: tuple[int, ...] = ()

    return Point


def _check(cls: type) -> None:
    p = cls(1, (2,))
    assert repr(p) == "test_codegen_cache._define.<locals>.Point(x=1, y=(2,))".split(".", 1)[1]
    assert p == cls(1, (2,)) and p != cls(2) and hash(p) == hash(cls(1, (2,)))
    assert cls.__init__.__annotations__ == {"x": "int", "y": "tuple[int, ...]", "return": None}
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]


def test_cache_written_then_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    plain = _define()
    first = CodegenCache(str(tmp_path / "m.py"), "m")
    first.begin()
    made = _define()
    first.end()
    assert "exec" not in dataclasses.__dict__
    assert first.missed and Path(first.path).exists()
    second = CodegenCache(str(tmp_path / "m.py"), "m")
    second.begin()
    cached = _define()
    second.end()
    assert not second.missed and second.codes
    for cls in (plain, made, cached):
        _check(cls)
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__"):
        a, b = getattr(plain, name).__code__, getattr(cached, name).__code__
        assert (a.co_code, a.co_consts, a.co_names) == (b.co_code, b.co_consts, b.co_names)


def test_nothing_written_without_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = CodegenCache(str(tmp_path / "m.py"), "m")
    cache.begin()
    _check(_define())
    cache.end()
    assert not Path(cache.path).exists()
