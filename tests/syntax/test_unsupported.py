"""Python constructs that gradlang leaves out are NAMED, at their position."""

from __future__ import annotations

import pytest

from gradlang.errors import GradlangError
from gradlang.syntax import parse

STAR = "starred expressions and *args/**kwargs are not part of gradlang"

UNSUPPORTED = [
    ("class A:\n    pass\n", 1, 1, "classes are not part of gradlang"),
    ("x = 1\nclass A(B):\n    del y\n", 2, 1, "classes are not part of gradlang"),
    ("try:\n    x\nexcept E as e:\n    pass\n", 1, 1, "try/except is not part of gradlang"),
    ("try:\n    x\nfinally:\n    y\n", 1, 1, "try/except is not part of gradlang"),
    ("def f():\n    global x\n", 2, 5, "'global' is not part of gradlang"),
    ("def f():\n    nonlocal x\n", 2, 5, "'nonlocal' is not part of gradlang"),
    ("@dec\ndef f():\n    pass\n", 1, 1, "decorators are not part of gradlang"),
    ("@a.b(1)\ndef f():\n    pass\n", 1, 1, "decorators are not part of gradlang"),
    ("def f():\n    yield\n", 2, 5, "generators ('yield') are not part of gradlang"),
    ("x = (yield 1)\n", 1, 6, "generators ('yield') are not part of gradlang"),
    ("async def f():\n    pass\n", 1, 1, "async/await is not part of gradlang"),
    ("x = await y\n", 1, 5, "async/await is not part of gradlang"),
    ("if (n := 10) > 5:\n    pass\n", 1, 5, "the walrus operator ':=' is not part of gradlang"),
    ("f(*args)\n", 1, 3, STAR),
    ("f(**kw)\n", 1, 3, STAR),
    ("def f(*args):\n    pass\n", 1, 7, STAR),
    ("def f(**kw):\n    pass\n", 1, 7, STAR),
    ("def f(a, *, b):\n    pass\n", 1, 10, STAR),
    ("a, *b = c\n", 1, 4, STAR),
    ("x = [*a]\n", 1, 6, STAR),
    ("lambda *a: a\n", 1, 8, STAR),
    ("x = {}\n", 1, 5, "dict and set literals ({...}) are not part of gradlang"),
    ("x = {1: 2}\n", 1, 5, "dict and set literals"),
    ("x = {1, 2}\n", 1, 5, "dict and set literals"),
    ("x = {k: v for k in a}\n", 1, 5, "dict and set literals"),
    ("del x\n", 1, 1, "'del' is not part of gradlang"),
    ("raise ValueError('x')\n", 1, 1, "'raise' is not part of gradlang"),
    ("while x:\n    pass\nelse:\n    pass\n", 3, 1, "'else' after a loop is not part of gradlang"),
    ("for x in y:\n    pass\nelse:\n    pass\n", 3, 1, "'else' after a loop"),
    ("match x:\n    case 1:\n        pass\n", 1, 7, "'match' statements are not part of gradlang"),
    ("x = sum(i for i in r)\n", 1, 9, "generator expressions are not part of gradlang"),
    ("x = (i for i in r)\n", 1, 5, "generator expressions are not part of gradlang"),
    ("x: int = 1\n", 1, 1, "type annotations are not part of gradlang"),
    ("def f(x: int):\n    pass\n", 1, 8, "type annotations are not part of gradlang"),
    ("def f(a, /, b):\n    pass\n", 1, 10, "positional-only parameters"),
    ("x.__class__\n", 1, 3, "attribute names that start with '_' are not allowed in gradlang"),
    ("y = x.grad._base\n", 1, 12, "attribute names that start with '_' are not allowed"),
    ("from torch import *\n", 1, 19, "'from ... import *' is not part of gradlang"),
    ("from . import x\n", 1, 6, "relative imports are not part of gradlang"),
]


@pytest.mark.parametrize(
    ("source", "line", "column", "message"), UNSUPPORTED, ids=[u[0][:20] for u in UNSUPPORTED]
)
def test_unsupported_construct_is_named(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(GradlangError) as info:
        parse(source, "p.grad")
    err = info.value
    assert err.type_name == "SyntaxError"
    assert message in err.message
    assert err.span is not None and (err.span.line, err.span.column) == (line, column)
