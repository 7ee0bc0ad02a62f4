"""Whole programs: the conformance seeds parse and round-trip; show_ir golden text;
resources find the grammar."""

from __future__ import annotations

from pathlib import Path

import pytest
from syntax_helpers import roundtrip

from gradlang import resources
from gradlang.syntax import ir, parse
from gradlang.syntax.show import show_ir

SEEDS = sorted(
    (Path(__file__).resolve().parents[3] / "shared" / "conformance" / "seed").glob("*.grad")
)


@pytest.mark.skipif(not SEEDS, reason="conformance seeds not available")
@pytest.mark.parametrize("path", SEEDS, ids=[p.name for p in SEEDS])
def test_seed_program_parses_and_roundtrips(path: Path) -> None:
    source = path.read_text()
    module = parse(source, str(path))
    assert isinstance(module, ir.Module) and module.body
    first, second, text = roundtrip(source)
    assert first == second, text


def test_spans_carry_file_and_position() -> None:
    module = parse("x = 1\nif x:\n    y = f(x,\n          2)\n", "prog.grad")
    assign, if_stmt = module.body
    assert assign.span.file == "prog.grad"
    assert (assign.span.line, assign.span.column, assign.span.end_column) == (1, 1, 6)
    assert isinstance(if_stmt, ir.If)
    inner = if_stmt.body[0]
    assert isinstance(inner, ir.Assign) and isinstance(inner.value, ir.Call)
    call = inner.value.span
    assert (call.line, call.column, call.end_line, call.end_column) == (3, 9, 4, 13)
    assert (if_stmt.span.line, if_stmt.span.end_line) == (2, 4)


def test_fstring_field_spans_point_into_the_file() -> None:
    (stmt,) = parse("print(f'a {x.grad:>{w}} b')\n", "p.grad").body
    assert isinstance(stmt, ir.ExprStmt) and isinstance(stmt.value, ir.Call)
    fstring = stmt.value.args[0]
    assert isinstance(fstring, ir.FString)
    field = fstring.parts[1]
    assert isinstance(field, ir.FormattedValue)
    assert (field.span.column, field.span.end_column) == (11, 24)
    assert (field.value.span.column, field.value.span.end_column) == (12, 18)


GOLDEN_SOURCE = """\
import torch
x = torch.tensor([1., 2.], requires_grad=True)
y = -x ** 2
if y.sum() > 0:
    print(f"{y!r:>8}")
"""

GOLDEN_IR = """\
Module  1:1
  body[0] Import module='torch'  1:1
  body[1] Assign  2:1
    targets[0] Name x  2:1
    value Call  2:5
      func Attribute tensor  2:5
        value Name torch  2:5
      args[0] List  2:18
        elts[0] Constant 1.0  2:19
        elts[1] Constant 2.0  2:23
      keywords[0] Keyword name='requires_grad'  2:28
        value Constant True  2:42
  body[2] Assign  3:1
    targets[0] Name y  3:1
    value UnaryOp -  3:5
      operand BinOp **  3:6
        left Name x  3:6
        right Constant 2  3:11
  body[3] If  4:1
    test Compare >  4:4
      left Call  4:4
        func Attribute sum  4:4
          value Name y  4:4
      comparators[0] Constant 0  4:14
    body[0] ExprStmt  5:5
      value Call  5:5
        func Name print  5:5
        args[0] FString  5:11
          parts[0] FormattedValue conversion='r'  5:13
            value Name y  5:14
            format_spec FString  5:13
              parts[0] '>8'
"""


def test_show_ir_golden() -> None:
    assert show_ir(parse(GOLDEN_SOURCE, "g.grad")) == GOLDEN_IR


def test_show_ir_of_every_statement_kind() -> None:
    source = (
        "from torch import tensor as t\nx = 1\nx += 2\ndef f(a, b=1):\n    return a\n"
        "for i in r:\n    break\nwhile x:\n    continue\nwith no_grad() as g:\n    pass\n"
        "assert x, 'm'\ny = [i for i in r if i]\nz = lambda q: q if q else -q\n"
    )
    text = show_ir(parse(source))
    for kind in ("ImportFrom", "ImportName", "AugAssign", "FunctionDef", "Param", "Return",
                 "For", "Break", "While", "Continue", "With", "Pass", "Assert", "ListComp",
                 "Comprehension", "Lambda", "IfExp"):  # fmt: skip
        assert kind in text


def test_resources_find_grammar_and_examples() -> None:
    path = resources.grammar_path()
    assert path.name == "gradlang.lark" and path.exists()
    assert "file_input" in resources.grammar_text()
    assert resources.examples_dir().name == "examples"


def test_resources_prefer_installed_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "grammar").mkdir()
    (tmp_path / "grammar" / "gradlang.lark").write_text("// installed")
    (tmp_path / "examples").mkdir()
    monkeypatch.setattr(resources, "PACKAGE_DIR", tmp_path)
    assert resources.grammar_path() == tmp_path / "grammar" / "gradlang.lark"
    assert resources.examples_dir() == tmp_path / "examples"


GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.grad"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_show_ir_golden_files(path: Path) -> None:
    """golden/NAME.grad parses to exactly the IR text in golden/NAME.ir."""
    module = parse(path.read_text(), path.name)
    assert show_ir(module) == path.with_suffix(".ir").read_text()
