"""`gradlang test`: run each NAME.grad and compare its stdout with the NAME.out beside it.

NAME.out holds exactly what `gradlang run --no-report NAME.grad` prints on stdout (a program
that is meant to fail has the output it printed before its error). Each program runs in a
fresh session with the default limits, so one program cannot affect the next.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gradlang.diagnostics import render_internal
from gradlang.session import Session, SessionOptions


@dataclass
class CaseResult:
    """The verdict on one program."""

    program: Path
    status: str  # "pass", "fail" (output differs) or "missing" (no NAME.out)
    diff: str = ""
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def collect(paths: Iterable[Path]) -> list[Path]:
    """Every `.grad` file named or found (recursively, sorted) under the named directories."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.grad") if p.is_file())
        else:
            found.append(path)
    unique: dict[Path, None] = dict.fromkeys(found)
    return list(unique)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def run_case(program: Path, make_options: Callable[[], SessionOptions] | None = None) -> CaseResult:
    """Run one program and compare its stdout with NAME.out."""
    expected_path = program.with_suffix(".out")
    if not expected_path.exists():
        return CaseResult(program, "missing", note=f"no {expected_path.name} beside it")
    try:
        source, expected = _read(program), _read(expected_path)
    except (OSError, UnicodeDecodeError) as exc:
        return CaseResult(program, "fail", note=f"cannot read it: {exc}")
    options = make_options() if make_options else SessionOptions()
    options.warn = lambda _text: None  # warnings go to stderr, which is not compared
    result = Session(options).run_source(source, str(program))
    note = ""
    if result.error is not None:
        span = result.error.span
        where = f" at line {span.line}" if span is not None else ""
        note = f"ended with {result.error.type_name}{where}"
    elif result.internal is not None:
        note = render_internal(result.internal).splitlines()[0]
    if result.output == expected:
        return CaseResult(program, "pass", note=note)
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            result.output.splitlines(keepends=True),
            fromfile=f"{expected_path} (expected)",
            tofile=f"{program} (actual output)",
        )
    )
    if diff and not diff.endswith("\n"):
        diff += "\n"
    if not diff:  # differs only in a missing final newline
        diff = "(the outputs differ only in the final newline)\n"
    return CaseResult(
        program, "fail", diff=diff, note="output differs" + (f"; {note}" if note else "")
    )


def summary_table(results: list[CaseResult], color: bool = False) -> str:
    """The pass/fail table, the diffs of failures, and an 'N passed, N failed' last line."""
    marks = {"pass": "PASS", "fail": "FAIL", "missing": "MISS"}
    colours = {"pass": "\x1b[32m", "fail": "\x1b[1;31m", "missing": "\x1b[33m"}
    lines = []
    for r in results:
        mark = marks[r.status]
        if color:
            mark = f"{colours[r.status]}{mark}\x1b[0m"
        note = f"  ({r.note})" if r.note else ""
        lines.append(f"{mark}  {r.program}{note}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for r in results:
        if r.status == "fail" and r.diff:
            text += f"\n{r.diff}"
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    text += f"\n{passed} passed, {failed} failed\n"
    return text
