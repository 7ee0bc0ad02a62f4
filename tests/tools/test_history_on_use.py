"""Backward passes are recorded for `why` only in programs that name `why` (the REPL always
records): other programs skip the per-pass bookkeeping. Checked in fresh processes, since
the record, once on, stays on for the process."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import REPO

PROBE = """
import json, sys
from gradlang.autograd import engine
from gradlang.session import Session, SessionOptions
from gradlang.tools.history import HISTORY
out = []
session = Session(SessionOptions(warn=lambda _t: None, echo=out.append))
result = session.run_source(sys.argv[1], "prog.grad")
print(json.dumps({
    "observers": len(engine.observers),
    "passes": len(HISTORY.passes),
    "output": "".join(out),
    "error": None if result.error is None else [result.error.message, result.error.hint],
}))
"""


def probe(source: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, source],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


TRAIN = """x = torch.tensor([1.0, 2.0], requires_grad=True)
for _ in range(3):
    (x * x).sum().backward()
"""


def test_a_program_without_why_records_nothing() -> None:
    got = probe(TRAIN + "print(x.grad)\n")
    assert got["observers"] == 0 and got["passes"] == 0
    assert got["output"] == "tensor([ 6., 12.])\n"


def test_a_program_naming_why_records_from_its_first_statement() -> None:
    got = probe(TRAIN + "why(x)\n")
    assert got["observers"] == 1 and got["passes"] == 3
    assert "3 backward passes added into it: the backward at line 3, 3 times." in got["output"]


def test_why_inside_a_function_counts_as_named() -> None:
    got = probe(TRAIN + "def ask(t):\n    why(t)\n\nask(x)\n")
    assert got["passes"] == 3


def test_the_freed_graph_hint_names_the_line_without_the_record() -> None:
    source = (
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "y = (x * x).sum()\n"
        "y.backward()\n"
        "y.backward()\n"
    )
    got = probe(source)
    assert got["observers"] == 0
    message, hint = got["error"]
    assert "backward through the graph a second time" in message
    assert "The backward at line 3 freed the graph's saved tensors." in hint
