"""The runtime parser (lalr.py + tables.json) is lark, exactly: same trees, same positions.

lark is only needed at build time; these tests run lark itself on the same grammar and
compare, and check that tables.json was regenerated after the last grammar edit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_errors import ERRORS
from test_roundtrip import PROGRAMS
from test_unsupported import UNSUPPORTED

from gradlang.resources import grammar_text
from gradlang.syntax import lalr
from gradlang.syntax.layout import GradlangIndenter
from gradlang.syntax.parser import TABLES, _normalise, get_parser

lark = pytest.importorskip("lark")

SEEDS = sorted(
    (Path(__file__).resolve().parents[3] / "shared" / "conformance" / "seed").glob("*.grad")
)


def test_tables_match_the_grammar() -> None:
    tables = json.loads(TABLES.read_text())
    assert tables["GRAMMAR"] == grammar_text(), "run: python -m gradlang.syntax.tables_build"


def test_tables_are_what_lark_builds_today() -> None:
    from gradlang.syntax.tables_build import build_tables, render

    assert render(build_tables(grammar_text())) == TABLES.read_text()


class _LarkPostlex(GradlangIndenter):
    """The same postlexer, handing lark its own Token class for the markers it makes."""

    always_accept = ("_NEWLINE",)

    def process(self, stream: Any) -> Any:
        for tok in super().process(stream):
            if isinstance(tok, lalr.Token):
                tok = lark.Token(
                    tok.type, str(tok), tok.start_pos, tok.line, tok.column,
                    tok.end_line, tok.end_column, tok.end_pos,
                )  # fmt: skip
            yield tok


@pytest.fixture(scope="module")
def reference() -> Any:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        postlex=_LarkPostlex(),
        propagate_positions=True,
        maybe_placeholders=True,
        start=["file_input", "eval_input"],
    )


def _shape(node: Any) -> Any:
    if node is None:
        return None
    if isinstance(node, (lark.Token, lalr.Token)):
        where = (node.line, node.column, node.end_line, node.end_column)
        return ("tok", node.type, str(node), where)
    meta = node.meta
    where = None
    if not getattr(meta, "empty", True):
        where = (meta.line, meta.column, meta.end_line, meta.end_column)
    return (str(node.data), where, tuple(_shape(c) for c in node.children))


def _ours(text: str, start: str) -> Any:
    return get_parser().parse(text, start, GradlangIndenter())


def _outcome(parse: Any, source: str) -> Any:
    try:
        return _shape(parse(_normalise(source), start="file_input"))
    except Exception as err:  # both must fail at the same token
        token = getattr(err, "token", None)
        where = (getattr(err, "line", None), getattr(err, "column", None))
        return ("error", getattr(token, "type", None), where)


SOURCES = (
    list(PROGRAMS.values())
    + [p.read_text() for p in SEEDS]
    + [e[0] for e in ERRORS if len(e[0]) < 2000]
    + [u[0] for u in UNSUPPORTED]
)


@pytest.mark.parametrize("source", SOURCES, ids=range(len(SOURCES)))
def test_same_tree_as_lark(reference: Any, source: str) -> None:
    mine = _outcome(_ours, source)
    theirs = _outcome(reference.parse, source)
    if mine[0] == "error" and theirs[0] == "error":
        return  # layout errors are raised by the shared postlexer; token errors compared below
    assert mine == theirs


@pytest.mark.parametrize("source", ["x = = 1\n", "if x\n", "f(a b)\n", "x = (1,\n"])
def test_same_error_token_as_lark(reference: Any, source: str) -> None:
    assert _outcome(_ours, source) == _outcome(reference.parse, source)


_SOUP = ["x", "1", "'s'", "(", ")", "[", "]", ",", ":", "=", "+", "-", "**", "not", "and",
         "if", "else", "for", "in", "def", "return", "lambda", "\n", "\n    ", ".", "y"]  # fmt: skip


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(_SOUP), max_size=25))
def test_token_soup_same_as_lark(reference: Any, tokens: list[str]) -> None:
    source = " ".join(tokens)
    mine = _outcome(_ours, source)
    theirs = _outcome(reference.parse, source)
    assert (mine[0] == "error") == (theirs[0] == "error")
    if mine[0] != "error":
        assert mine == theirs


def test_stale_tables_are_rebuilt_from_the_grammar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradlang.syntax import parser

    stale = json.loads(TABLES.read_text())
    stale["GRAMMAR"] = "// an older grammar"
    stale["STATES"] = []
    path = tmp_path / "tables.json"
    path.write_text(json.dumps(stale))
    monkeypatch.setattr(parser, "TABLES", path)
    tables, regexes = parser._load_tables()
    assert regexes is None
    assert tables.STATES and tables.GRAMMAR == grammar_text()
