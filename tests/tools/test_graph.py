"""graph(): the text tree, DOT text (parsed, and rendered by Graphviz when it is installed)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gradlang.autograd.creation import tensor
from gradlang.tools.graph_dot import MissingGraphviz, render_dot, render_image
from gradlang.tools.graph_text import render_text
from gradlang.tools.naming import NameIndex

from .conftest import run

SEED = """\
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = 2 * x
y.retain_grad()
z = (y ** 2).sum()
"""

EXPECTED_TREE = """\
z              SumBackward0             []   float32  requires_grad               line 4
└── y ** 2     PowBackward0             [3]  float32  requires_grad               line 4
    └── y      MulBackward0             [3]  float32  requires_grad retains_grad  line 2
        ├── x  AccumulateGrad           [3]  float32  leaf requires_grad
        └── 2  (a number: no gradient)
"""


def test_seed_tree() -> None:
    ran = run(SEED + "graph(z)\n")
    assert ran.output == EXPECTED_TREE


def test_shared_leaf_and_dead_ends() -> None:
    a = tensor([1.0, 2.0], requires_grad=True)
    c = tensor([5.0, 6.0])
    out = (a * a + a * c).sum()
    text = render_text(out, NameIndex({"a": a, "c": c, "out": out}))
    assert text.count("AccumulateGrad") == 3  # a is reached three times, shown each time
    assert re.search(r"└── c +\(requires_grad=False: no gradient\)", text)
    assert text.splitlines()[0].startswith("out")


def test_only_the_path_to_one_variable() -> None:
    a = tensor([1.0], requires_grad=True)
    b = tensor([2.0], requires_grad=True)
    ab = a * 2
    out = (ab + b.exp()).sum()
    names = NameIndex({"a": a, "b": b, "ab": ab, "out": out})
    text = render_text(out, names, only=b)
    assert "ExpBackward0" in text and "MulBackward0" not in text
    assert "└── b" in text


def test_no_graph() -> None:
    c = tensor([1.0])
    assert "requires_grad=False" in render_text(c, NameIndex({"c": c}))


def _parse_dot(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    assert text.startswith("digraph backward {") and text.rstrip().endswith("}")
    nodes = set(re.findall(r"^\s+(\w+) \[label=", text, re.M))
    edges = set(re.findall(r"^\s+(\w+) -> (\w+)", text, re.M))
    assert all(a in nodes and b in nodes for a, b in edges)
    return nodes, edges


def test_dot_structure() -> None:
    ran = run(SEED)
    g = ran.globals
    dot = render_dot(g["z"], NameIndex(g))
    nodes, edges = _parse_dot(dot)
    assert len(nodes) == 5 and len(edges) == 4  # 4 nodes and the dead end for the 2
    assert '"y\\nMulBackward0\\n[3] float32\\nrequires_grad, retains_grad\\nline 2"' in dot
    assert 'fillcolor="#c8f0c8"' in dot  # the retained tensor is green


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_dot_renders(tmp_path, fmt: str) -> None:
    ran = run(SEED)
    g = ran.globals
    path = render_image(render_dot(g["z"], NameIndex(g)), fmt, tmp_path / f"g.{fmt}")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in data


def test_missing_graphviz_says_what_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(MissingGraphviz, match="Install Graphviz"):
        render_image("digraph {}", "svg", tmp_path / "x.svg")


def test_cli_only_option() -> None:
    from click.testing import CliRunner

    from gradlang.cli import cli

    from .conftest import REPO

    prog = str(REPO / "examples" / "tools" / "graph_tree.grad")
    result = CliRunner().invoke(cli, ["graph", prog, "--var", "loss", "--only", "x"])
    assert result.exit_code == 0
    assert "TanhBackward0" in result.output and "SumBackward0" not in result.output


TUTORIALS = sorted((Path(__file__).resolve().parents[2] / "examples" / "tutorials").glob("*.grad"))


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_graphs_as_dot(path, tmp_path) -> None:
    """The DOT of every tutorial's graphs parses, and Graphviz renders it where installed."""
    from gradlang.autograd.tensor import Tensor

    ran = run(path.read_text(), str(path))
    g = ran.globals
    graphs = [v for v in g.values() if isinstance(v, Tensor) and v.grad_fn is not None]
    for k, t in enumerate(graphs):
        dot = render_dot(t, NameIndex(g))
        _parse_dot(dot)
        if shutil.which("dot") is not None and k == len(graphs) - 1:
            render_image(dot, "svg", tmp_path / "g.svg")
