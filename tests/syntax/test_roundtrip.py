"""Every grammar rule: parse → unparse → parse gives the same IR (spans aside)."""

from __future__ import annotations

import pytest
from syntax_helpers import roundtrip

from gradlang.syntax import ir, parse

PROGRAMS = {
    # statements
    "expr_stmt": "f(x)\n",
    "docstring": '"""A docstring."""\nx = 1\n',
    "assign": "x = 1\n",
    "assign_chain": "a = b = c = 0\n",
    "assign_tuple": "a, b = 1, 2\n",
    "assign_tuple_paren": "(g,) = grads\n",
    "assign_tuple_trailing": "g, = grads\n",
    "assign_list_target": "[a, b] = c\n",
    "assign_nested_target": "(a, b), c = x\n",
    "assign_attribute": "x.grad = None\nx.requires_grad = True\n",
    "assign_subscript": "x[0] = 1.0\nx[1:2, 0] = y\n",
    "augassign": "x += 1\nx -= 2\nx *= 3\nx /= 4\nx //= 5\nx %= 6\nx @= w\nx **= 2\n",
    "augassign_subscript": "x[0] += 1\n",
    "semicolons": "a = 1; b = 2; print(a, b);\n",
    "pass_break_continue": "for i in r:\n    if i:\n        break\n    continue\npass\n",
    "if": "if a:\n    x = 1\n",
    "if_else": "if a:\n    x = 1\nelse:\n    x = 2\n",
    "if_elif_else": "if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    x = 3\nelse:\n    x = 4\n",
    "if_one_line": "if a: x = 1\n",
    "while": "while i < 3:\n    i += 1\n",
    "for": "for i in range(3):\n    print(i)\n",
    "for_tuple": "for i, (a, b) in enumerate(zip(xs, ys)):\n    pass\n",
    "def": "def f():\n    return\n",
    "def_params_defaults": "def f(a, b=1, c=None):\n    return a + b\n",
    "def_trailing_comma": "def f(a, b,):\n    return a, b\n",
    "def_nested": "def f(x):\n    def g(y):\n        return x * y\n    return g\n",
    "def_docstring": "def f(p):\n    '''Doc.'''\n    return 0.0\n",
    "return_tuple": "def f():\n    return 1, 2\n",
    "with": "with torch.no_grad():\n    y = x * 2\n",
    "with_as": "with no_grad() as g:\n    pass\n",
    "with_two": "with no_grad(), enable_grad():\n    pass\n",
    "assert": "assert x\n",
    "assert_msg": "assert x > 0, f'bad {x}'\n",
    "import": "import torch\n",
    "import_as": "import torch.nn.functional as F\n",
    "import_many": "import torch, numpy\n",
    "from_import": "from torch import tensor, zeros as z\n",
    "from_import_paren": "from torch import (\n    tensor,\n    ones,\n)\n",
    "from_dotted": "from torch.nn import functional as F\n",
    "comments": "# top\nx = 1  # trailing\n    # odd indent comment\ny = 2\n",
    "blank_lines": "\n\nx = 1\n\n\n\ny = 2\n\n",
    "backslash": "x = 1 + \\\n    2\n",
    "implicit_join": "x = f(1,\n      2,\n   3)\ny = [\n  1,\n]\n",
    "tabs": "if a:\n\tx = 1\n\tif b:\n\t\ty = 2\n",
    "crlf": "if a:\r\n    x = 1\r\n",
    "no_final_newline": "x = 1",
    "byte_order_mark": "\ufeffx = 1\n",
    "form_feed": "x = 1\f\ny = 2\n",
    "unicode_names": "α = 1\nprint(α)\nﬁ = 2\n",
    "nested_fstring": "s = f\"{f'{x}'}\"\n",
    # expressions
    "int_literals": "x = (1, 0, 10_000, 0x1F, 0o17, 0b101)\n",
    "float_literals": "x = (1.0, 1., .5, 1e-3, 2.5E+2, 1_0.0_1)\n",
    "string_literals": "x = ('a', \"b\", '''c\nd''', r'\\d', 'it\\'s', \"\\t\\n\\\\\")\n",
    "string_escapes": r"x = ('\x41\101\u00e9\N{BULLET}\0', '\q')" + "\n",
    "string_concat": "x = 'a' 'b' \"c\"\n",
    "fstring": "s = f'{x}'\n",
    "fstring_spec": "s = f'{x:.4f} {y:>{w}}'\n",
    "fstring_conv": "s = f'{x!r} {y!s} {z!a:>10}'\n",
    "fstring_escapes": "s = f'{{literal}} {x} }}'\n",
    "fstring_nested_quotes": "s = f\"{d['k']} {'a' + 'b'}\"\n",
    "fstring_debug": "s = f'{x=} {y = :.2f}'\n",
    "fstring_concat": "s = 'a' f'{b}' 'c'\n",
    "fstring_expr": "s = f'{x.grad.norm().item():.3e} {a if b else c} {[i for i in r]}'\n",
    "fstring_triple": 's = f"""{x}\n{y}"""\n',
    "fstring_tuple": "s = f'{a, b}'\n",
    "constants": "x = (True, False, None, ...)\n",
    "list": "x = [1, 2, [3, 4], []]\n",
    "tuple": "x = ((), (1,), (1, 2), 1, (2, 3))\n",
    "listcomp": "x = [i * 2 for i in range(10) if i % 2 if i > 3]\n",
    "listcomp_nested": "x = [a + b for a in xs for b in ys if a != b]\n",
    "listcomp_tuple_target": "x = [a for a, b in pairs]\n",
    "ifexp": "x = a if c else b\n",
    "ifexp_nested": "x = a if c else b if d else e\n",
    "lambda": "f = lambda: 0\ng = lambda x, y=2: x * y\n",
    "boolops": "x = a or b and not c or d\n",
    "not_precedence": "x = not a == b\n",
    "compare_chain": "x = a < b <= c > d >= e == f != g\n",
    "compare_words": "x = a is None, a is not None, a in b, a not in b\n",
    "arith": "x = a + b - c * d / e // f % g @ h\n",
    "unary": "x = -a, +b, - -c, -a ** 2, (-a) ** 2\n",
    "power_right_assoc": "x = a ** b ** c, (a ** b) ** c, 2 ** -1\n",
    "parens": "x = (a + b) * c, a - (b - c), a / (b * c)\n",
    "call_kwargs": "y = f(a, b, c=1, d=x + 1)\n",
    "call_trailing_comma": "y = f(a, b=2,)\n",
    "call_chain": "y = x.sum().backward(retain_graph=True)\n",
    "attribute": "y = x.grad.data.T\n",
    "subscript": "y = x[0], x[-1], x[i, j], x[(1, 2)]\n",
    "subscript_slices": "y = x[:], x[1:], x[:2], x[::2], x[1:2:3], x[:, 0], x[..., None]\n",
    "subscript_list": "y = x[[0, 2]]\n",
    "subscript_trailing_comma": "y = x[0,]\n",
    "subscript_empty_tuple": "y = x[()]\n",
    "matmul": "y = a @ b @ c\n",
    "keyword_names_soft": "match = 1\ncase = match + 1\ntype = 2\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_roundtrip(name: str) -> None:
    first, second, text = roundtrip(PROGRAMS[name])
    assert first == second, text


def test_roundtrip_is_stable() -> None:
    for source in PROGRAMS.values():
        _, _, text = roundtrip(source)
        _, _, again = roundtrip(text)
        assert text == again


def test_elif_is_if_in_orelse() -> None:
    module = parse(PROGRAMS["if_elif_else"])
    (stmt,) = module.body
    assert isinstance(stmt, ir.If)
    assert isinstance(stmt.orelse[0], ir.If) and len(stmt.orelse) == 1
    assert stmt.orelse[0].span.line == 3


def test_with_two_items_nests() -> None:
    (stmt,) = parse(PROGRAMS["with_two"]).body
    assert isinstance(stmt, ir.With) and isinstance(stmt.body[0], ir.With)
