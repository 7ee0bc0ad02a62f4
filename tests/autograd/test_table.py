"""The rule table drives these tests: every rule has samples; values, gradients and node
names match PyTorch 2.13 in float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

from gradlang.autograd.rules import RULES

from . import harness
from .op_samples import SAMPLES, Sample

IDS = [f"{s.rule}-{k}" for k, s in enumerate(SAMPLES)]


pytestmark = pytest.mark.usefixtures("quiet_warnings")


def test_every_rule_has_samples() -> None:
    covered = {s.rule for s in SAMPLES}
    missing = sorted(set(RULES) - covered)
    assert not missing, f"rules without samples in op_samples.py: {missing}"
    unknown = sorted(covered - set(RULES))
    assert not unknown, f"samples for unknown rules: {unknown}"


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_sample_exercises_its_rule(sample: Sample) -> None:
    arrays = harness.arrays_for(sample, 0)
    out, _, _ = harness.run(harness.G, sample, arrays, "float64")
    assert sample.rule in harness.rules_in_graph(out)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_matches_torch(sample: Sample, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    arrays = harness.arrays_for(sample, 1)
    out_g, vals_g, grads_g = harness.run(harness.G, sample, arrays, dtype)
    out_t, vals_t, grads_t = harness.run(torch, sample, arrays, dtype)
    tol = dict(rtol=2e-4, atol=2e-5) if dtype == "float32" else dict(rtol=1e-9, atol=1e-10)
    assert vals_g.shape == vals_t.shape
    np.testing.assert_allclose(vals_g, vals_t, **tol)
    assert out_g.dtype.name == str(out_t.dtype).removeprefix("torch.")
    assert out_g.requires_grad == out_t.requires_grad
    assert out_g.is_leaf == out_t.is_leaf
    if sample.names:
        assert harness.names(out_g) == harness.names(out_t)
    for g, t in zip(grads_g, grads_t):
        assert (g is None) == (t is None)
        if g is not None:
            np.testing.assert_allclose(g, t, **tol)
