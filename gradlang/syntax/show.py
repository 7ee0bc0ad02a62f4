"""IR → readable text for `gradlang ir FILE`: an indented tree, one node per line.

Each line is `field NodeType details  line:col`; list fields number their items
(`body[0]`), scalar fields are shown inline, and empty or None fields are left out.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass

from gradlang.errors import Span
from gradlang.syntax import ir

_INLINE = {
    ir.Constant: ("value",),
    ir.Name: ("id",),
    ir.FormattedValue: ("conversion",),
    ir.BoolOp: ("op",),
    ir.UnaryOp: ("op",),
    ir.BinOp: ("op",),
    ir.Compare: ("ops",),
    ir.Keyword: ("name",),
    ir.Attribute: ("attr",),
    ir.Param: ("name",),
    ir.AugAssign: ("op",),
    ir.FunctionDef: ("name",),
    ir.With: ("name",),
    ir.Import: ("module", "alias"),
    ir.ImportName: ("name", "alias"),
    ir.ImportFrom: ("module",),
}


def show_ir(node: object) -> str:
    """The IR tree under `node` (usually an `ir.Module`) as text."""
    lines: list[str] = []
    _show(node, "", 0, lines)
    return "\n".join(lines) + "\n"


def _where(span: Span) -> str:
    return f"{span.line}:{span.column}"


def _details(node: object) -> str:
    if isinstance(node, ir.Constant):
        return "..." if node.value is Ellipsis else repr(node.value)
    out = []
    for name in _INLINE.get(type(node), ()):
        value = getattr(node, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            value = " ".join(str(v) for v in value)
            out.append(f"{name}={value!r}" if name != "ops" else value)
        elif name in ("value", "id", "attr", "op"):
            out.append(repr(value) if name == "value" else str(value))
        else:
            out.append(f"{name}={value!r}")
    return " ".join(out)


def _show(node: object, label: str, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    prefix = f"{pad}{label} " if label else pad
    if not is_dataclass(node):
        lines.append(f"{prefix}{node!r}")
        return
    head = type(node).__name__
    details = _details(node)
    span = getattr(node, "span", None)
    where = f"  {_where(span)}" if isinstance(span, Span) else ""
    lines.append(f"{prefix}{head}{' ' + details if details else ''}{where}")
    inline = _INLINE.get(type(node), ())
    for f in fields(node):
        if f.name == "span" or f.name in inline:
            continue
        value = getattr(node, f.name)
        if value is None:
            continue
        if isinstance(value, tuple):
            for i, item in enumerate(value):
                _show(item, f"{f.name}[{i}]", depth + 1, lines)
        else:
            _show(value, f.name, depth + 1, lines)
