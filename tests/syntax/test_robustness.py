"""No input makes parse() raise anything but GradlangError, or hang."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlang.errors import GradlangError
from gradlang.syntax import parse

_TOKENS = [
    "x", "y", "f", "1", "2.5", "'s'", "f'{x}'", "f'{", "'", '"""', "(", ")", "[", "]", "{",
    "}", ",", ":", ";", ".", "...", "=", "==", "+", "-", "*", "**", "/", "//", "@", "%", "<",
    "not", "and", "or", "if", "else", "elif", "for", "in", "while", "def", "return", "lambda",
    "with", "as", "import", "from", "class", "yield", "pass", "break", "\n", "\n    ", "\t",
    " ", "\\\n", "#c", "_x", ".__class__", "None", "True", "!", "$", "\0", "€", "\r",
]  # fmt: skip


def _parse_or_error(source: str) -> None:
    try:
        parse(source, "fuzz.grad")
    except GradlangError as err:
        assert err.type_name == "SyntaxError"
        assert err.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_random_text(source: str) -> None:
    _parse_or_error(source)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=60))
def test_random_bytes(data: bytes) -> None:
    _parse_or_error(data.decode("latin-1"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=30))
def test_token_soup(tokens: list[str]) -> None:
    _parse_or_error(" ".join(tokens))
    _parse_or_error("".join(tokens))


def test_deep_inputs_are_errors_not_crashes() -> None:
    for source in (
        "(" * 5000,
        "[" * 5000 + "]" * 5000,
        "x = " + "(" * 1000 + "1" + ")" * 1000,
        "x = " + "-" * 20000 + "1",
        "x = " + "not " * 5000 + "x",
        "x = " + "a if b else " * 3000 + "c",
        "x = " + "lambda: " * 3000 + "1",
        "x = " + "a ** " * 3000 + "b",
        "x = " + "a." * 5000 + "b",
        "x = " + "f()" * 5000,
        "x = " + "+".join(["1"] * 5000),
        "x = " + " < ".join(["1"] * 5000),
        "x = " + " and ".join(["a"] * 5000),
        "f'" + "{" * 500 + "x" + "}" * 500 + "'",
        "".join("    " * i + "if x:\n" for i in range(300)),
    ):
        start = time.perf_counter()
        _parse_or_error(source)
        assert time.perf_counter() - start < 5.0


def test_long_unterminated_string_is_fast() -> None:
    start = time.perf_counter()
    _parse_or_error("x = '" + "\\\\a" * 50000)
    _parse_or_error("x = '''" + 'ab\\"' * 50000)
    _parse_or_error("x = " + "1" * 100000)
    _parse_or_error("x = " + "1" * 100000 + "j")
    _parse_or_error("x = 1." + "1" * 100000 + "e")
    assert time.perf_counter() - start < 5.0


def test_parsing_in_threads_gives_the_same_errors() -> None:
    from concurrent.futures import ThreadPoolExecutor

    sources = ["print((1, 2)\nx = 3\n", "f(a b)\n", "x = [1,\n", "if x = 1:\n    pass\n"] * 25

    def outcome(source: str) -> str:
        try:
            parse(source)
        except GradlangError as err:
            return err.message
        return "ok"

    expected = [outcome(s) for s in sources]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(outcome, sources)) == expected
