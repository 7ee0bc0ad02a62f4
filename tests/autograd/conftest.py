"""Fixtures the engine's tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gradlang.autograd import warnings as engine_warnings


@pytest.fixture()
def quiet_warnings() -> Iterator[None]:
    """The engine's warnings dropped for one test (modules that compare many ops with torch
    use it for every test: `pytestmark = pytest.mark.usefixtures("quiet_warnings")`)."""
    previous = engine_warnings.set_handler(lambda message, category: None)
    yield
    engine_warnings.set_handler(previous)
