"""Syntax errors as data: (source, line, column, message substring). Every error is a
GradlangError("SyntaxError") with a span pointing at the culprit."""

from __future__ import annotations

import pytest

from gradlang.errors import GradlangError
from gradlang.syntax import parse

DEEP_PARENS = "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n"
DEEP_IFS = "".join("    " * i + "if x:\n" for i in range(150)) + "    " * 150 + "pass\n"

ERRORS = [
    # brackets
    ("print((1, 2)\nx = 3\n", 1, 6, "'(' was never closed"),
    ("x = (1 +\n", 1, 5, "'(' was never closed"),
    ("f(a, b\n", 1, 2, "'(' was never closed"),
    ("x = [1, 2\ny = 3\n", 1, 5, "'[' was never closed"),
    ("x = (]\n", 1, 6, "closing parenthesis ']' does not match opening parenthesis '('"),
    ("x = )\n", 1, 5, "unmatched ')'"),
    ("f(a b)\n", 1, 5, "Perhaps you forgot a comma?"),
    ("x = [1 2]\n", 1, 8, "Perhaps you forgot a comma?"),
    # '=' for '=='
    ("if x = 1:\n    pass\n", 1, 6, "cannot assign here; did you mean '=='?"),
    ("while x = 1:\n    pass\n", 1, 9, "cannot assign here; did you mean '=='?"),
    ("assert x = 1\n", 1, 10, "cannot assign here; did you mean '=='?"),
    ("f(x.y=1)\n", 1, 3, "expression cannot contain assignment"),
    # indentation
    ("x = 1\n  y = 2\n", 2, 3, "unexpected indent"),
    ("  x = 1\n", 1, 3, "unexpected indent"),
    ("if x:\ny = 1\n", 2, 1, "expected an indented block after 'if' statement on line 1"),
    ("x = 1\n\nif x:\n    pass\nelif y:\nz\n", 6, 1, "after 'elif' statement on line 5"),
    ("if x:\n    pass\nelse:\nz\n", 4, 1, "after 'else' statement on line 3"),
    ("def f():\nreturn 1\n", 2, 1, "expected an indented block after function definition"),
    ("for i in r:\n\nx\n", 3, 1, "expected an indented block after 'for' statement on line 1"),
    ("while x:\n", 1, 9, "expected an indented block after 'while' statement on line 1"),
    ("with a:\npass\n", 2, 1, "expected an indented block after 'with' statement on line 1"),
    ("if x:\n    a\n  b\n", 3, 3, "unindent does not match any outer indentation level"),
    (DEEP_IFS, 102, 405, "too deeply nested"),
    # tokens
    ("s = 'abc\n", 1, 5, "unterminated string literal (detected at line 1)"),
    ('s = """abc\n\n', 1, 5, "unterminated triple-quoted string literal"),
    ("x = $\n", 1, 5, "invalid character '$' (U+0024)"),
    ("x = 1 € 2\n", 1, 7, "invalid character '€' (U+20AC)"),
    ("x = \\ 1\n", 1, 5, "unexpected character after line continuation character"),
    ("x = 1e\n", 1, 5, "invalid decimal literal"),
    ("x = 0x\n", 1, 5, "invalid hexadecimal literal"),
    ("x = (1 if 2)\n", 1, 12, "expected 'else' after 'if' expression"),
    ("x.y. = 3\n", 1, 6, "invalid syntax"),
    ("if x:\n\tpass\n        pass\n", 3, 9, "inconsistent use of tabs and spaces"),
    ("x = 0777\n", 1, 5, "leading zeros in decimal integer literals are not permitted"),
    ("x = '\\xZZ'\n", 1, 6, "truncated \\xXX escape"),
    ("x = '\\N{NO SUCH NAME}'\n", 1, 6, "malformed \\N character escape"),
    ("x = 1\n\0\n", 2, 1, "null bytes"),
    ("x = \u0007\n", 1, 5, "invalid non-printable character U+0007"),
    # grammar
    ("if x\n    pass\n", 1, 5, "expected ':'"),
    ("x = 1 if y\n", 1, 11, "expected 'else'"),
    ("print 'hi'\n", 1, 1, "Missing parentheses in call to 'print'"),
    ("x = \n", 1, 5, "invalid syntax"),
    ("else:\n    pass\n", 1, 1, "invalid syntax"),
    ("x = class\n", 1, 5, "invalid syntax"),
    ("match x:\n    case 1:\n        pass\n", 1, 7, "'match' statements are not part of gradlang"),
    # lowering
    ("def f(a=1, b):\n    pass\n", 1, 12, "non-default argument follows default argument"),
    ("def f(a, a):\n    pass\n", 1, 10, "duplicate argument 'a' in function definition"),
    ("f(a=1, 2)\n", 1, 8, "positional argument follows keyword argument"),
    ("f(a=1, a=2)\n", 1, 8, "keyword argument repeated: a"),
    ("1 = x\n", 1, 1, "cannot assign to literal"),
    ("f() = 1\n", 1, 1, "cannot assign to function call"),
    ("a + b = 1\n", 1, 1, "cannot assign to expression"),
    ("x, f() = 1, 2\n", 1, 4, "cannot assign to function call"),
    ("None = 1\n", 1, 1, "cannot assign to None"),
    ("x if y else z = 1\n", 1, 1, "cannot assign to conditional expression"),
    ("for f() in r:\n    pass\n", 1, 5, "cannot assign to function call"),
    ("(a, b) += 1\n", 1, 1, "'tuple' is an illegal expression for augmented assignment"),
    ("with a as b.c:\n    pass\n", 1, 11, "only a name can follow 'as'"),
    ("break\n", 1, 1, "'break' outside loop"),
    ("continue\n", 1, 1, "'continue' not properly in loop"),
    ("return 1\n", 1, 1, "'return' outside function"),
    ("for i in r:\n    def f():\n        break\n", 3, 9, "'break' outside loop"),
    ("x² = 1\n", 1, 2, "invalid character '²' (U+00B2)"),
    ("x = 1j\n", 1, 5, "complex numbers are not part of gradlang"),
    ("x = b'abc'\n", 1, 5, "bytes literals are not part of gradlang"),
    ("x = 1" + "0" * 5000 + "\n", 1, 5, "integer literal too large"),
    # f-strings
    ("x = f'{}'\n", 1, 7, "f-string: empty expression not allowed"),
    ("x = f'{x'\n", 1, 7, "f-string: expecting '}'"),
    ("x = f'}'\n", 1, 7, "f-string: single '}' is not allowed"),
    ("x = f'{x!z}'\n", 1, 10, "f-string: invalid conversion character"),
    ("x = f'{a b}'\n", 1, 10, "Perhaps you forgot a comma?"),
    ("x = f'{x\\n}'\n", 1, 9, "f-string expression part cannot include a backslash"),
    ("x = f'{x)}'\n", 1, 9, "f-string: unmatched ')'"),
    ("x = f'{x.__dict__}'\n", 1, 10, "attribute names that start with '_'"),
    ("y = 1\nx = f'''\n{a +}'''\n", 3, 5, "f-string: invalid syntax"),
    ('s = f\'{f"{f"{1}"}"}\'\n', 1, 13, "f-string: invalid syntax"),
    # nesting
    (DEEP_PARENS, 1, 105, "too deeply nested"),
    ("x = " + "-" * 1000 + "1\n", 1, 202, "too deeply nested"),
    ("x = " + "a." * 1000 + "b\n", 1, 5, "too deeply nested"),
    ("x = " + "+".join(["1"] * 1000) + "\n", 1, 5, "too deeply nested"),
    ("x = " + "f(" * 99 + ")" * 99 + "\n", 1, 201, "too deeply nested"),
]


@pytest.mark.parametrize(("source", "line", "column", "message"), ERRORS, ids=range(len(ERRORS)))
def test_syntax_error(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(GradlangError) as info:
        parse(source, "prog.grad")
    err = info.value
    assert err.type_name == "SyntaxError"
    assert message in err.message
    assert err.span is not None
    assert (err.span.file, err.span.line, err.span.column) == ("prog.grad", line, column)


def test_error_renders_with_position() -> None:
    with pytest.raises(GradlangError) as info:
        parse("x = (1 +\n", "prog.grad")
    assert str(info.value) == "prog.grad:1:5: SyntaxError: '(' was never closed"


HINTS = [
    ("with :\n    pass\n", "expected an expression before ':'"),
    ("x = 1 +\n", "the line ends before the statement is complete"),
    ("x = class\n", "'class' is a keyword and cannot be used here"),
    ("a b c\n", "unexpected 'b'"),
]


@pytest.mark.parametrize(("source", "hint"), HINTS)
def test_syntax_error_hint(source: str, hint: str) -> None:
    with pytest.raises(GradlangError) as info:
        parse(source)
    assert info.value.message == "invalid syntax"
    assert info.value.hint == hint
