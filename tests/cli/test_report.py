"""The report: the JSON document of spec §8 and the aligned table (on stand-in tensors).

Tests against the real engine live in test_cli.py and test_conformance.py; these pin the
formatting rules on a duck-typed stand-in so they hold whatever the engine's internals are.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from gradlang.errors import GradlangError, Span
from gradlang.tools import report


@dataclass
class Node:
    label: str

    def name(self) -> str:
        return self.label


@dataclass
class FakeTensor:
    values: Any
    shape: tuple[int, ...]
    dtype: str = "torch.float32"
    requires_grad: bool = False
    is_leaf: bool = True
    grad_fn: Node | None = None
    retains_grad: bool = False
    stored_grad: FakeTensor | None = None
    reads: list[str] = field(default_factory=list)

    @property
    def grad(self) -> FakeTensor | None:
        self.reads.append("grad")
        if not self.is_leaf and not self.retains_grad:
            raise AssertionError("the report read .grad of a non-leaf (PyTorch would warn)")
        return self.stored_grad

    def tolist(self) -> Any:
        return self.values


def test_json_entry_follows_the_spec() -> None:
    g = FakeTensor([8.0, 16.0, 24.0], (3,))
    x = FakeTensor([1.0, 2.0, 3.0], (3,), requires_grad=True, stored_grad=g)
    y = FakeTensor(56.0, (), requires_grad=True, is_leaf=False, grad_fn=Node("SumBackward0"))
    doc = report.json_document("hi\n", [("x", x), ("y", y)], None)
    assert doc == {
        "output": "hi\n",
        "tensors": {
            "x": {"shape": [3], "dtype": "float32", "requires_grad": True, "is_leaf": True,
                  "grad_fn": None, "retains_grad": False, "value": [1.0, 2.0, 3.0],
                  "grad": [8.0, 16.0, 24.0]},
            "y": {"shape": [], "dtype": "float32", "requires_grad": True, "is_leaf": False,
                  "grad_fn": "SumBackward0", "retains_grad": False, "value": 56.0, "grad": None},
        },
        "error": None,
    }  # fmt: skip
    assert list(doc["tensors"]) == ["x", "y"]  # first-binding order kept
    assert y.reads == []  # .grad of a non-leaf that does not retain is never read


def test_non_finite_numbers_become_strings_and_json_is_strict() -> None:
    t = FakeTensor([[math.nan, math.inf], [-math.inf, 1.5]], (2, 2))
    doc = report.json_document("", [("t", t)], None)
    assert doc["tensors"]["t"]["value"] == [["nan", "inf"], ["-inf", 1.5]]
    json.dumps(doc, allow_nan=False)
    assert report.tensor_facts(FakeTensor(math.nan, ()))["value"] == "nan"


def test_error_member() -> None:
    e = GradlangError("RuntimeError", "boom", Span("p.grad", 4, 7, 4, 9), "a hint")
    assert report.error_facts(e) == {
        "type": "RuntimeError", "message": "boom", "line": 4, "column": 7, "hint": "a hint",
    }  # fmt: skip
    assert report.error_facts(GradlangError("LimitError", "slow"))["line"] is None
    assert report.error_facts(None) is None


def test_table_is_aligned_and_summarises_long_tensors() -> None:
    big = FakeTensor([float(i) for i in range(100)], (100,))
    g = FakeTensor([4.0, 8.0], (2,))
    y = FakeTensor([2.0, 4.0], (2,), requires_grad=True, is_leaf=False,
                   grad_fn=Node("MulBackward0"), retains_grad=True, stored_grad=g)  # fmt: skip
    text = report.table([("big", big), ("y", y)])
    lines = text.splitlines()
    assert lines[0].split() == ["name", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn",
                                "retains_grad", "value", "grad"]  # fmt: skip
    # every column starts at the same offset on every line
    col = lines[0].index("grad_fn")
    assert lines[2][col:].startswith("MulBackward0") and lines[1][col:].startswith("-")
    assert "[ 0.,  1., …, 98., 99.]" in lines[1]  # PyTorch's number format
    assert lines[2].endswith("[4., 8.]")
    assert lines[1].endswith("None")


def test_summarise_numbers() -> None:
    assert report.summarise(2.5) == "2.5000"
    assert report.summarise([[1.0, 2.0], [3.0, 4.0]]) == "[[1., 2.], [3., 4.]]"
    assert report.summarise([True, False]) == "[ True, False]"
    assert report.summarise([1, 2, 3]) == "[1, 2, 3]"
    assert report.summarise([0.123456, math.nan]) == "[0.1235,    nan]"
    assert report.summarise(list(range(10))) == "[0, 1, …, 8, 9]"
    assert (
        report.summarise([1e-5] * 3 + [2.0] * 5)
        == "[1.0000e-05, 1.0000e-05, …, 2.0000e+00, 2.0000e+00]"
    )


def test_no_tensors() -> None:
    assert report.table([]) == "(no global tensors)\n"
