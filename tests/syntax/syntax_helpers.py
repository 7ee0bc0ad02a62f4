"""Shared helpers for the syntax tests: comparing IR while ignoring spans."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from gradlang.errors import Span
from gradlang.syntax import parse
from gradlang.syntax.unparse import unparse

NO_SPAN = Span("", 0, 0, 0, 0)


def strip_spans(node: object) -> object:
    """The same IR with every span replaced by one dummy span."""
    if isinstance(node, tuple):
        return tuple(strip_spans(n) for n in node)
    if is_dataclass(node) and not isinstance(node, (type, Span)):
        changes = {f.name: strip_spans(getattr(node, f.name)) for f in fields(node)}
        changes["span"] = NO_SPAN
        return replace(node, **changes)
    return node


def roundtrip(source: str) -> tuple[object, object, str]:
    """(IR of source, IR of unparse(source)), both without spans, and the unparsed text."""
    first = parse(source)
    text = unparse(first)
    second = parse(text)
    return strip_spans(first), strip_spans(second), text
