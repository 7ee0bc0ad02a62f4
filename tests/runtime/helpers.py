"""Running small programs on the interpreter in tests."""

from __future__ import annotations

from pathlib import Path

from gradlang.errors import GradlangError
from gradlang.runtime import Interpreter, Limits
from gradlang.syntax.parser import parse


def run(source: str, io_root: Path | None = None, **limits: object) -> str:
    """Run `source` and return what it printed (raises GradlangError)."""
    out: list[str] = []
    interp = Interpreter(Limits(**limits), io_root, out.append, lambda text: None)  # type: ignore[arg-type]
    interp.run(parse(source, "prog.grad"), source)
    return "".join(out)


def fails(source: str, io_root: Path | None = None, **limits: object) -> GradlangError:
    """Run `source`, which must fail with a GradlangError at a position; return the error."""
    try:
        run(source, io_root, **limits)
    except GradlangError as exc:
        assert exc.span is not None, f"no position for {exc}"
        assert exc.type_name != "InternalError", str(exc)
        return exc
    raise AssertionError("the program did not fail")
