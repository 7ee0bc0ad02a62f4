"""No input of any kind escapes as a Python exception: random text through the session and
the CLI ends in output, a program error, or (for a gradlang bug) an InternalError diagnostic."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlang.cli import cli
from gradlang.session import Session, SessionOptions

TOKENS = [
    "x", "y", "torch", "tensor", "(", ")", "[", "]", ",", ":", ".", "=", "+", "-", "*", "/",
    "**", "@", "1", "2.", "0", "'s'", "f'{x}'", "requires_grad=True", "backward", "grad",
    "sum", "def", "if", "for", "in", "range", "return", "\n", "    ", "not", "None", "lambda",
    "with", "no_grad", "ones", "zeros", "print", "#", "\\", '"""', "import", "class", "_x",
]  # fmt: skip

programs = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
)


def _options() -> SessionOptions:
    return SessionOptions(
        limits={"max_steps": 20_000, "timeout": 2.0, "max_elements": 100_000},
        warn=lambda _t: None,
        io=False,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_the_session_never_raises(source: str) -> None:
    result = Session(_options()).run_source(source, "<fuzz>")
    assert result.exit_code in (0, 1)
    if result.error is not None:
        assert result.error.type_name and isinstance(result.error.message, str)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
def test_the_cli_never_shows_a_traceback(source: str) -> None:
    from click.testing import CliRunner

    r = CliRunner().invoke(
        cli, ["run", "--json", "--max-steps", "20000", "--timeout", "2", "--no-io", "-"],
        input=source, catch_exceptions=False,
    )  # fmt: skip
    assert r.exit_code in (0, 1)
    assert "Traceback" not in r.output
    doc = json.loads(r.stdout)  # always one JSON document, even for garbage
    assert list(doc) == ["output", "tensors", "error"]
    assert (doc["error"] is None) == (r.exit_code == 0)
