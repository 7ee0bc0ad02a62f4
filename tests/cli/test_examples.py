"""The shipped examples: every NAME.out is what PyTorch 2.13 prints, and gradlang agrees.

`gradlang test examples` (in test_cli.py) checks gradlang against the .out files; here the
.out files themselves are checked against real PyTorch, so neither side can drift.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gradlang.resources import examples_dir

from .conftest import EXAMPLES

PROGRAMS = sorted(EXAMPLES.rglob("*.grad"))
#: examples/tools/ use what only gradlang has (explain, why, ...): their .out is gradlang's own
PYTORCH_PROGRAMS = [p for p in PROGRAMS if "tools" not in p.relative_to(EXAMPLES).parts]
SEED = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "seed"


def test_examples_are_found_where_the_package_looks() -> None:
    assert examples_dir().resolve() == EXAMPLES.resolve()
    assert len(PROGRAMS) >= 18


def test_every_example_has_its_output_beside_it() -> None:
    missing = [str(p) for p in PROGRAMS if not p.with_suffix(".out").exists()]
    assert missing == []


@pytest.mark.skipif(not SEED.is_dir(), reason="shared/conformance not beside the checkout")
def test_seed_examples_are_the_conformance_programs() -> None:
    ours = sorted(p.read_text() for p in (EXAMPLES / "seed").glob("*.grad"))
    theirs = sorted(p.read_text() for p in SEED.glob("*.grad"))
    assert ours == theirs


def test_tour_steps_exist() -> None:
    from gradlang.tour import STEPS

    for step in STEPS:
        assert (EXAMPLES / step.path).is_file(), step.path


@pytest.mark.torch
def test_outputs_are_what_pytorch_prints(pytorch_outputs) -> None:
    wrong = [
        str(p)
        for p in PYTORCH_PROGRAMS
        if pytorch_outputs[p][0] != p.with_suffix(".out").read_text()
    ]
    assert wrong == []
    # the tools' examples print gradlang's own text, but their to-torch scripts still run;
    # the one example meant to fail fails on PyTorch too
    failed = sorted(p.name for p in PROGRAMS if pytorch_outputs[p][1])
    assert failed == ["08_inplace_error.grad"]
