"""The tools' pages show real output: every filled block equals a fresh run."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET

import pytest

from .conftest import REPO

DOCS = REPO / "docs" / "tools"


def _updater():
    spec = importlib.util.spec_from_file_location("update_docs", DOCS / "update_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGES = sorted(DOCS.glob("*.md"))


def test_a_page_per_tool() -> None:
    names = {p.stem for p in PAGES}
    assert {"explain", "why", "graph", "show", "gradcheck", "functional", "hints"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_is_current(page) -> None:
    text = page.read_text()
    assert _updater().render(text) == text, "run: python docs/tools/update_docs.py"


@pytest.mark.parametrize("picture", ["graph_tree.svg", "graph_seed.svg"])
def test_pictures_are_svg(picture: str) -> None:
    root = ET.parse(DOCS / picture).getroot()
    assert root.tag.endswith("svg")
