"""`size_checks.pieces`: how many tensors split/chunk/unbind make (checked against the memory
limit before they are made); None when the arguments are not understood (the op's own
error then speaks)."""

from __future__ import annotations

import pytest

from gradlang.autograd.api import TORCH
from gradlang.runtime.size_checks import pieces

x = TORCH["zeros"](10, 4)


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "expected"),
    [
        ("unbind", (x,), {}, 10),
        ("unbind", (x, 1), {}, 4),
        ("unbind", (x,), {"dim": -1}, 4),
        ("split", (x, 3), {}, 4),
        ("split", (x, 1), {"dim": 1}, 4),
        ("split", (x, [2, 8]), {}, 2),
        ("split", (x,), {"split_size_or_sections": 5}, 2),
        ("chunk", (x, 3), {}, 3),
        ("chunk", (x, 100), {}, 10),
        ("chunk", (x, 2, 1), {}, 2),
        ("split", (x, 0), {}, None),
        ("unbind", (x, 5), {}, None),
        ("unbind", (TORCH["tensor"](1.0),), {}, None),
        ("split", ("not a tensor", 2), {}, None),
    ],
)
def test_pieces(name: str, args: tuple, kwargs: dict, expected: int | None) -> None:
    assert pieces(name, args, kwargs) == expected
    if expected is not None:
        assert len(TORCH[name](*args, **kwargs)) <= expected
