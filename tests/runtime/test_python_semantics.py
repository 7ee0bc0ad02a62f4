"""Random Python expressions and small programs mean on gradlang what they mean in Python:
the same value text, or the same error type and message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gradlang.errors import GradlangError
from gradlang.runtime import Interpreter, Limits
from gradlang.syntax.parser import parse

atoms = st.one_of(
    st.integers(-20, 20).map(str),
    st.sampled_from(
        ["0.5", "2.0", "-1.5", "True", "False", "None", "'ab'", "[1, 2]", "(3,)", "''", "[]", "1e3"]
    ),
)
BINARY = ["+", "-", "*", "/", "//", "%", "**", "<", "<=", "==", "!=", "and", "or", "in"]


def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        children.map(lambda c: f"(-{c})"),
        children.map(lambda c: f"(not {c})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        children.map(lambda c: f"[{c}, {c}]"),
        children.map(lambda c: f"abs({c})"),
        children.map(lambda c: f"len({c})"),
        children.map(lambda c: f"str({c})"),
    )


expressions = st.recursive(atoms, combine, max_leaves=6)


def python_outcome(source: str) -> str:
    out: list[str] = []
    env = {"print": lambda *a: out.append(" ".join(map(str, a)) + "\n")}
    try:
        exec(compile(source, "p", "exec"), env)
    except Exception as exc:
        return "".join(out) + f"!{type(exc).__name__}: {exc}"
    return "".join(out)


def gradlang_outcome(source: str) -> str:
    out: list[str] = []
    interp = Interpreter(Limits(), None, out.append, lambda text: None)
    try:
        interp.run(parse(source, "p"))
    except GradlangError as exc:
        return "".join(out) + f"!{exc.type_name}: {exc.message}"
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_expressions_agree_with_python(expr: str) -> None:
    source = f"print(repr({expr}))"
    want = python_outcome(source)
    if "OverflowError" in want or "LimitError" in gradlang_outcome(source):
        return
    assert gradlang_outcome(source) == want


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-5, 5), max_size=6), st.integers(-8, 8), st.integers(-8, 8))
def test_slicing_and_list_methods_agree(xs: list[int], a: int, b: int) -> None:
    source = (
        f"xs = {xs!r}\nprint(xs[{a}:{b}], xs[::{b or 1}], xs[{a}:], sorted(xs), len(xs))\n"
        f"ys = list(xs)\nys.append({a})\nys.extend([{b}])\nprint(ys.pop(), ys, ys.count({a}))\n"
        f"print(xs[{a}])\n"
    )
    assert gradlang_outcome(source) == python_outcome(source)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        [".2f", "8.3f", ">6", "<5", "^7", "e", "+.1f", "05", "", "x", "b", ",", ".0%", "10.4e"]
    ),
    st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False)),
)
def test_format_specs_agree(spec: str, value: float) -> None:
    source = f"v = {value!r}\nprint(f'{{v:{spec}}}|{{v!r}}')"
    assert gradlang_outcome(source) == python_outcome(source)
