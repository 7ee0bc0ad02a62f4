"""The interpreter's interface: run, run_interactive, globals, names_of, format_value, the
builtins registry, error spans and kinds, and static checks."""

from __future__ import annotations

import pytest

from gradlang.errors import GradlangError
from gradlang.runtime import NO_VALUE, Interpreter, Limits, check
from gradlang.runtime.builtins import REGISTRY, register
from gradlang.syntax.parser import parse

from .helpers import fails, run


def make() -> tuple[Interpreter, list[str], list[str]]:
    out: list[str] = []
    warnings: list[str] = []
    return Interpreter(Limits(), None, out.append, warnings.append), out, warnings


def test_run_interactive_returns_last_expression() -> None:
    interp, out, _ = make()
    assert interp.run_interactive(parse("x = 2\nx * 21", "<stdin>")) == 42
    assert interp.run_interactive(parse("y = 1", "<stdin>")) is NO_VALUE
    assert interp.run_interactive(parse("print(x + y)", "<stdin>")) is None
    assert out == ["3\n"]
    assert interp.run_interactive(parse("[x, 'a', None]", "<stdin>")) == [2, "a", None]


def test_state_survives_errors() -> None:
    interp, out, _ = make()
    interp.run(parse("a = 1\ndef f(n):\n    return n + a", "<stdin>"))
    with pytest.raises(GradlangError):
        interp.run(parse("b = 2\nf(None)", "<stdin>"))
    assert interp.run_interactive(parse("f(b)", "<stdin>")) == 3


def test_globals_in_binding_order() -> None:
    interp, _, _ = make()
    interp.run(parse("z = 1\na = 2\nz = 3\ndef m():\n    q = 1\nfor i in range(2):\n    pass", "p"))
    assert list(interp.globals) == ["z", "a", "m", "i"]


def test_format_value_is_pythons_repr_without_addresses() -> None:
    interp, _, _ = make()
    cases = {
        "'a'": "'a'",
        "1.5": "1.5",
        "[1, 'x', (2,)]": "[1, 'x', (2,)]",
        "None": "None",
        "range(3)": "range(0, 3)",
        "len": "<built-in function len>",
        "lambda: 0": "<function <lambda>>",
        "zip([1], [2])": "<zip object>",
    }
    for source, text in cases.items():
        assert interp.format_value(interp.run_interactive(parse(source, "<stdin>"))) == text
    interp.run(parse("def f():\n    pass", "<stdin>"))
    assert interp.format_value(interp.globals["f"]) == "<function f>"


def test_names_of_sees_globals_and_live_locals() -> None:
    seen: list[list[str]] = []

    def spy(interp: Interpreter, value: object) -> None:
        seen.append(interp.names_of(value))

    register("spy_names", spy, context=True)
    try:
        run("v = [1]\nw = v\ndef f(p):\n    local = p\n    spy_names(p)\nf(v)\nspy_names(v)")
    finally:
        del REGISTRY["spy_names"]
    assert seen == [["p", "local", "v", "w"], ["v", "w"]]


def test_builtin_table_entries_without_context() -> None:
    register("twice", lambda x: 2 * x)
    try:
        assert run("print(twice(21))") == "42\n"
    finally:
        del REGISTRY["twice"]


def test_error_spans_point_at_the_failing_expression() -> None:
    err = fails("x = 1\ny = [1, 2]\nz = x + y[7]")
    assert (err.type_name, err.message) == ("IndexError", "list index out of range")
    assert (err.span.line, err.span.column) == (3, 9)
    err = fails("def f(a):\n    return a / 0\nf(1)")
    assert err.span.line == 2


def test_internal_errors_are_wrapped() -> None:
    import os

    import gradlang.autograd

    fake_file = os.path.join(os.path.dirname(gradlang.autograd.__file__), "fake_module.py")
    namespace: dict[str, object] = {}
    exec(compile("def broken():\n    return {}['oops']", fake_file, "exec"), namespace)
    register("broken", namespace["broken"])  # type: ignore[arg-type]
    try:
        with pytest.raises(GradlangError) as info:
            run("x = 1\ny = broken()")
    finally:
        del REGISTRY["broken"]
    err = info.value
    assert err.type_name == "InternalError"
    assert err.span is not None and err.span.line == 2
    assert "bug" in (err.hint or "")


def test_syntax_level_checks() -> None:
    for source in ("return 1", "break", "continue", "def f(a, a):\n    pass"):
        with pytest.raises(GradlangError) as info:
            check(parse(source, "p"))
        assert info.value.type_name == "SyntaxError"
    check(parse("def f():\n    return 1\nfor i in range(1):\n    break", "p"))


def test_step_limit_and_hint() -> None:
    err = fails("i = 0\nwhile i < 10 ** 6:\n    i += 1", max_steps=1000)
    assert err.type_name == "LimitError"
    assert "--max-steps" in (err.hint or "")


def test_scoping_rules() -> None:
    src = """
x = "global"
def read():
    return x
def shadow():
    x = "local"
    return x
def comp():
    return [x for x in range(2)], x
print(read(), shadow(), comp(), x)
def outer():
    n = 1
    def inner():
        return n + 1
    n = 5
    return inner()
print(outer())
"""
    assert run(src) == "global local ([0, 1], 'global') global\n6\n"


def test_keyword_and_default_binding() -> None:
    src = (
        "def f(a, b=2, *, c=None):\n    pass"
        if False
        else ("def f(a, b=2, c=3):\n    return (a, b, c)\nprint(f(1), f(1, c=5), f(b=0, a=9))")
    )
    assert run(src) == "(1, 2, 3) (1, 2, 5) (9, 0, 3)\n"
    err = fails("def f(a, b, c):\n    pass\nf()")
    assert err.message == "f() missing 3 required positional arguments: 'a', 'b', and 'c'"
    err = fails("def f():\n    pass\nf(1)")
    assert err.message == "f() takes 0 positional arguments but 1 was given"
    err = fails("(lambda x: x)()")
    assert err.message == "<lambda>() missing 1 required positional argument: 'x'"


def test_print_errors_and_str_methods() -> None:
    assert fails("print(1, sep=2)").message == "sep must be None or a string, not int"
    assert run("print('a-b'.split('-'), ' x '.strip(), 'Ab'.lower())") == "['a', 'b'] x ab\n"
    assert fails("'{}'.format(1)").type_name == "AttributeError"


def test_assert_messages() -> None:
    err = fails("assert 1 == 2")
    assert (err.type_name, err.message) == ("AssertionError", "")
    err = fails("assert False, [1, 2]")
    assert err.message == "[1, 2]"


def test_check_finds_names_nothing_binds() -> None:
    check(
        parse("def f(a):\n    return [a + b for b in range(2)] + g()\ndef g():\n    return []", "p")
    )
    with pytest.raises(GradlangError) as info:
        check(parse("x = 1\ndef f():\n    return x + y", "p"))
    assert (info.value.type_name, info.value.message) == ("NameError", "name 'y' is not defined")
    assert info.value.span.line == 3


def test_builtin_binding_errors_name_the_builtin() -> None:
    assert fails("len(1, 2)").message == "len() takes 1 positional argument but 2 were given"
    assert fails("abs()").message == "abs() missing 1 required positional argument: 'x'"
    assert fails("print(1, file=None)").message == (
        "print() got an unexpected keyword argument 'file'"
    )
    assert run("print('a', flush=True)") == "a\n"
    assert fails("f'{[1]:>5}'").message == "unsupported format string passed to list.__format__"


def test_global_operands_read_directly_keep_pythons_name_rules() -> None:
    """Binary operators, attributes and augmented assignment read a global operand from the
    globals dict themselves; a name not there must still find the builtin, or fail with
    NameError at the name, and a function's own locals must still win."""
    assert run("abs = 3\nprint(abs + 1, 1 + abs)") == "4 4\n"  # a global shadows the builtin
    assert run("print(len == len, len([1]) + len([2, 3]))") == "True 3\n"  # builtins found
    for source, column in (("y = 1\nz = y + w", 9), ("z = w * 2.5 + 1", 5),
                           ("z = w.shape", 5), ("w += 1", 1), ("z = 2 @ w", 9)):  # fmt: skip
        err = fails(source)
        assert (err.type_name, err.message) == ("NameError", "name 'w' is not defined")
        assert err.span is not None and err.span.column == column, source
    src = "w = 10\ndef f(w):\n    w += 1\n    return w * 2 + w\nprint(f(1), w)"
    assert run(src) == "6 10\n"
    src = "import torch\nx = torch.ones(2)\ndef f():\n    return x @ x + x.sum()\nprint(f())"
    assert run(src) == "tensor(4.)\n"
