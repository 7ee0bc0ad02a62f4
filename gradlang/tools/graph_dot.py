"""The backward graph as Graphviz DOT text, and pictures of it rendered by Graphviz's `dot`.

`render_dot(t, names)` always works (it is text). `render_image(dot_text, fmt, path)` runs
`dot -Tsvg` or `-Tpng` when Graphviz is installed, and otherwise raises `MissingGraphviz`
whose message says what to install. Leaves are boxes (light blue when they require grad),
ops are ellipses, tensors that keep their gradient (retain_grad) are green, and slots where no
gradient flows are grey dashed notes. Edges point the way gradients flow: output to input.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from gradlang.autograd.tensor import Tensor
from gradlang.tools.graph_model import build
from gradlang.tools.graph_text import NamesArg, as_index, line_of

FORMATS = ("svg", "png")


class MissingGraphviz(RuntimeError):
    """Graphviz's `dot` is not on PATH."""


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render_dot(t: Tensor, names: NamesArg = None, only: Tensor | None = None) -> str:
    """DOT text for the graph behind `t` (optionally only the paths to `only`)."""
    index = as_index(names)
    graph = build(t, index, only)
    title = index.first(t) or "tensor"
    lines = [
        "digraph backward {",
        f"  label={_quote(f'backward graph of {title}')};",
        "  labelloc=t;",
        '  fontname="Helvetica";',
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    dead = 0
    for node in graph.nodes:
        head = f"{node.label}\n{node.op}" if node.label != node.op else node.op
        info = f"{node.shape} {node.dtype}"
        flags = ", ".join(node.flags())
        where = line_of(node.origin)
        text = "\n".join(x for x in (head, info, flags, where) if x)
        if node.is_leaf:
            style = 'shape=box, style="rounded,filled", fillcolor="#cfe8ff"'
        elif node.tensor is not None and node.tensor.retains_grad:
            style = 'shape=ellipse, style=filled, fillcolor="#c8f0c8"'
        else:
            style = 'shape=ellipse, style=filled, fillcolor="#f2f2f2"'
        lines.append(f"  {node.key} [label={_quote(text)}, {style}];")
    for node in graph.nodes:
        for edge in node.edges:
            if edge.target is not None:
                lines.append(f"  {node.key} -> {edge.target.key};")
            else:
                key = f"none{dead}"
                dead += 1
                text = f"{edge.label}\n({edge.reason})"
                lines.append(
                    f"  {key} [label={_quote(text)}, shape=note, style=dashed, "
                    'color="#999999", fontcolor="#777777"];'
                )
                lines.append(f'  {node.key} -> {key} [style=dashed, color="#bbbbbb"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_available() -> bool:
    """True when Graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


def render_image(dot_text: str, fmt: str, path: str | Path) -> Path:
    """Render DOT text to `path` as `svg` or `png` with Graphviz's `dot`; returns the path."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}: choose svg or png (or dot for text)")
    exe = shutil.which("dot")
    if exe is None:
        raise MissingGraphviz(
            f"rendering {fmt.upper()} needs Graphviz's `dot` program, which is not installed. "
            "Install Graphviz (apt-get install graphviz, brew install graphviz, or "
            "https://graphviz.org/download/), or use --format dot to get the DOT text."
        )
    out = Path(path)
    done = subprocess.run(
        [exe, f"-T{fmt}", "-o", str(out)],
        input=dot_text.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return out
