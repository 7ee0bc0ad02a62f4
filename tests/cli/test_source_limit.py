"""A program too large to parse in reasonable time is refused before parsing starts."""

from gradlang.session import MAX_SOURCE, Session


def test_oversized_program_is_a_limit_error_at_the_first_line() -> None:
    source = "x = 1\n" * (MAX_SOURCE // 6 + 1)
    result = Session().run_source(source, "big.grad")
    assert result.error is not None
    assert result.error.type_name == "LimitError"
    assert result.error.span is not None and result.error.span.line == 1
    assert f"{MAX_SOURCE:,}" in result.error.message


def test_a_long_ordinary_program_is_not_refused() -> None:
    result = Session().run_source("x = 1\n" * 2000, "ok.grad")
    assert result.error is None
