"""Golden outputs: the tools on the seed's examples, the tutorials and examples/tools.

For every seed example and tutorial, the transcript holds the program's output under
`--trace` (every backward explained), then `graph` and `why` of each global tensor, then
the error with its hint if the program fails. Regenerate after a deliberate change with
`GRADLANG_UPDATE_GOLDEN=1 pytest tests/tools/test_golden.py`, and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gradlang.autograd.tensor import Tensor
from gradlang.tools.graph_text import render_text
from gradlang.tools.naming import NameIndex
from gradlang.tools.why import explain_why

from .conftest import GOLDEN, REPO, run

EXAMPLES = REPO / "examples"
PROGRAMS = sorted((EXAMPLES / "seed").glob("*.grad")) + sorted(
    (EXAMPLES / "tutorials").glob("*.grad")
)
#: Programs whose backward runs in a long loop: traced output would be thousands of lines.
NO_TRACE = {"05_linear_regression", "06_tiny_mlp"}
UPDATE = bool(os.environ.get("GRADLANG_UPDATE_GOLDEN"))


def transcript(path: Path) -> str:
    source = path.read_text()
    ran = run(source, str(path.relative_to(REPO)), trace=path.stem not in NO_TRACE)
    parts = ["## output\n", ran.output]
    g = ran.globals
    names = NameIndex(g)
    for name, value in g.items():
        if not isinstance(value, Tensor):
            continue
        parts.append(f"\n## graph({name})\n")
        parts.append(render_text(value, names))
        parts.append(f"## why({name})\n")
        parts.append(
            explain_why(
                value, names, scope_tensors=[v for v in g.values() if isinstance(v, Tensor)]
            )
        )
    if ran.error is not None:
        parts.append(f"\n## error\n{ran.error.type_name}: {ran.error.message}\n")
        parts.append(f"hint: {ran.error.hint}\n")
    return "".join(parts)


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_tools_transcript(path: Path) -> None:
    golden = GOLDEN / f"{path.parent.name}__{path.stem}.txt"
    text = transcript(path)
    if UPDATE or not golden.exists():
        golden.write_text(text)
    assert text == golden.read_text()


TOOL_EXAMPLES = sorted((EXAMPLES / "tools").glob("*.grad"))


@pytest.mark.parametrize("path", TOOL_EXAMPLES, ids=lambda p: p.stem)
def test_tool_examples_print_their_out_file(path: Path) -> None:
    ran = run(path.read_text(), str(path.relative_to(REPO)))
    assert ran.error is None
    assert ran.output == path.with_suffix(".out").read_text()
