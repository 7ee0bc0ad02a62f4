"""The marshal cache of tables.json (tables_cache.py): used only when it fits, never required.

Each test works on a copy of tables.json in a temporary directory, so the package's own
cache is left alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from gradlang.syntax import lalr, parser, tables_cache
from gradlang.syntax.layout import GradlangIndenter

PROGRAM = (
    "import torch\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "def f(a, b=2):\n"
    "    return (a ** b).sum()\n"
    "for i in range(2):\n"
    "    print(f'{i}: {f(x)!r:>10}', 0x1F, 1.5e-3, 2j, 'it''s')\n"
)


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    path = tmp_path / "tables.json"
    shutil.copyfile(parser.TABLES, path)
    return path


@pytest.fixture
def writable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _fresh(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _save(path: Path) -> dict[str, object]:
    data = _fresh(path)
    tables_cache.save(path, data, tables_cache.key(path))
    return data


def _tree(tables: object, regexes: list[re.Pattern[str]] | None, text: str = PROGRAM) -> object:
    return lalr.Parser(tables, regexes).parse(text, "file_input", GradlangIndenter())


def test_written_then_used(tables: Path, writable: None) -> None:
    data = _save(tables)
    cache = tables_cache.cache_path(tables)
    assert cache.exists() and cache.parent.name == "__pycache__"
    assert not [p for p in cache.parent.iterdir() if p.name.endswith(".tmp")]
    loaded = tables_cache.load(tables, tables_cache.key(tables))
    assert loaded is not None
    cached, regexes = loaded
    assert isinstance(cached["STATES"], lalr.PackedStates)
    assert cached["STATES"].unpacked() == data["STATES"]
    assert {k: v for k, v in cached.items() if k != "STATES"} == {
        k: v for k, v in data.items() if k != "STATES"
    }
    # the patterns come back as exactly what re.compile makes (same flags, code, groups)
    assert regexes == [re.compile(p) for p in data["PATTERNS"]]  # type: ignore[attr-defined]
    assert [r.groupindex for r in regexes] == [
        re.compile(p).groupindex
        for p in data["PATTERNS"]  # type: ignore[attr-defined]
    ]
    # and the parser they make builds the same tree, positions included
    plain = _tree(SimpleNamespace(**data), None)
    from_cache = _tree(SimpleNamespace(**cached), regexes)
    assert plain == from_cache
    assert repr(plain) == repr(from_cache)


def test_not_written_without_bytecode(tables: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _save(tables)
    assert not tables_cache.cache_path(tables).exists()
    assert tables_cache.load(tables, tables_cache.key(tables)) is None


def test_stale_cache_is_ignored(tables: Path, writable: None) -> None:
    _save(tables)
    data = _fresh(tables)
    data["STATES"] = []  # a different table, of another size
    tables.write_text(json.dumps(data), encoding="utf-8")
    assert tables_cache.load(tables, tables_cache.key(tables)) is None


def test_same_size_but_newer_tables_ignore_the_cache(tables: Path, writable: None) -> None:
    _save(tables)
    st = os.stat(tables)
    os.utime(tables, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert tables_cache.load(tables, tables_cache.key(tables)) is None


def test_cache_made_by_another_interpreter_is_ignored(tables: Path, writable: None) -> None:
    data = _fresh(tables)
    key = tables_cache.key(tables)
    assert key is not None
    other = (*key[:2], "2.7.18 (elsewhere)", *key[3:])
    assert other != key
    tables_cache.save(tables, data, other)
    assert tables_cache.cache_path(tables).exists()
    assert tables_cache.load(tables, key) is None


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage", "wrong shape", "flipped byte"])
def test_corrupt_cache_is_ignored(tables: Path, writable: None, damage: str) -> None:
    _save(tables)
    cache = tables_cache.cache_path(tables)
    blob = cache.read_bytes()
    if damage == "empty":
        cache.write_bytes(b"")
    elif damage == "truncated":
        cache.write_bytes(blob[: len(blob) // 2])
    elif damage == "garbage":
        cache.write_bytes(b"\x00not marshal data" * 10)
    elif damage == "wrong shape":
        import marshal

        cache.write_bytes(marshal.dumps([1, 2, 3]))
    else:  # still marshal data of the right shape: the checksum catches it
        middle = len(blob) // 2
        cache.write_bytes(blob[:middle] + bytes([blob[middle] ^ 1]) + blob[middle + 1 :])
    assert tables_cache.load(tables, tables_cache.key(tables)) is None


def test_packed_states_round_trip() -> None:
    states = [{"NAME": 3, "expr": -7, "$END": 0}, {}, {"LPAR": 2_000_000, "a": -1}]
    symbols, packed = lalr.pack_states(states)
    unpacked = lalr.PackedStates(symbols, packed)
    assert unpacked[2] == states[2] and list(unpacked[0]) == list(states[0])
    assert unpacked.unpacked() == states
    with pytest.raises(IndexError):
        unpacked[3]


def test_bad_compiled_pattern_falls_back_to_re_compile() -> None:
    patterns = ["(?P<A>a+)|(?P<B>b)"]
    for compiled in (None, [None], [(0, [1, 2, 3], 0, {}, ())], [("x",)]):
        assert tables_cache.compile_patterns(patterns, compiled) == [re.compile(patterns[0])]
    code = tables_cache.pattern_code(patterns[0])
    assert code is not None
    assert tables_cache.compile_patterns(patterns, [code]) == [re.compile(patterns[0])]


def test_read_only_install_neither_fails_nor_writes(tables: Path, writable: None) -> None:
    # a file where __pycache__ would be: nothing can be written there, even by root
    (tables.parent / "__pycache__").write_text("not a directory")
    _save(tables)
    assert not [p for p in tables.parent.iterdir() if p.name.endswith(".tmp")]
    assert tables_cache.load(tables, tables_cache.key(tables)) is None


def test_missing_tables_file(tmp_path: Path) -> None:
    missing = tmp_path / "tables.json"
    assert tables_cache.key(missing) is None
    assert tables_cache.load(missing, None) is None


def test_parser_reads_through_the_cache(
    tables: Path, writable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser, "TABLES", tables)
    first, regexes = parser._load_tables()
    assert regexes is None  # read from the JSON, cache written
    assert tables_cache.cache_path(tables).exists()
    second, regexes = parser._load_tables()
    assert regexes is not None  # read from the cache
    assert second.STATES.unpacked() == first.STATES
    assert {**vars(first), "STATES": None} == {**vars(second), "STATES": None}
    assert _tree(first, None) == _tree(second, regexes)


def test_parser_without_a_usable_cache_reads_the_json(
    tables: Path, writable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parser, "TABLES", tables)
    _save(tables)
    tables_cache.cache_path(tables).write_bytes(b"corrupt")
    loaded, regexes = parser._load_tables()
    assert regexes is None and vars(loaded) == _fresh(tables)
    # and the cache was rewritten, usable again
    assert tables_cache.load(tables, tables_cache.key(tables)) is not None


def test_cache_of_another_grammar_is_not_used(
    tables: Path, writable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a cache whose key matches is checked against the grammar, as the JSON is."""
    monkeypatch.setattr(parser, "TABLES", tables)
    data = _fresh(tables)
    data["GRAMMAR"] = "// an older grammar"
    tables_cache.save(tables, data, tables_cache.key(tables))
    loaded, regexes = parser._load_tables()
    assert regexes is None and vars(loaded) == _fresh(tables)
    # the cache now holds the JSON's tables
    cached = tables_cache.load(tables, tables_cache.key(tables))
    assert cached is not None and cached[0]["GRAMMAR"] == _fresh(tables)["GRAMMAR"]
