"""Every sample's autograd gradient against float64 central differences (no torch needed),
and second derivatives (create_graph=True) against differences of the gradient."""

from __future__ import annotations

import numpy as np
import pytest

from . import harness
from .op_samples import SAMPLES, Sample

CHECKED = [s for s in SAMPLES if s.grads]
IDS = [f"{s.rule}-{k}" for k, s in enumerate(CHECKED)]
EPS = 1e-6


pytestmark = pytest.mark.usefixtures("quiet_warnings")


def _objective(sample: Sample, arrays: list[np.ndarray], weights: np.ndarray) -> float:
    _, vals, _ = harness.run(harness.G, _no_grads(sample), arrays, "float64")
    return float(np.sum(vals * weights))


def _no_grads(sample: Sample) -> Sample:
    from dataclasses import replace

    return replace(sample, grads=False)


@pytest.mark.parametrize("sample", CHECKED, ids=IDS)
def test_gradcheck(sample: Sample) -> None:
    arrays = harness.arrays_for(sample, 2)
    out, vals, grads = harness.run(harness.G, sample, arrays, "float64")
    weights = np.linspace(0.5, 1.5, vals.size).reshape(vals.shape)
    for k, arg in enumerate(sample.args):
        if not arg.grad:
            continue
        numeric = np.zeros_like(arrays[k])
        flat = numeric.reshape(-1)
        for i in range(arrays[k].size):
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[k].reshape(-1)[i] += EPS
            minus[k].reshape(-1)[i] -= EPS
            flat[i] = (_objective(sample, plus, weights) - _objective(sample, minus, weights)) / (
                2 * EPS
            )
        got = grads[k] if grads[k] is not None else np.zeros_like(numeric)
        tol = 1e-2 if "lowprec" in sample.tags else 1e-5
        np.testing.assert_allclose(got, numeric, rtol=tol * 10, atol=tol, err_msg=f"input {k}")


SECOND = [s for s in CHECKED if s.gradgrad]


@pytest.mark.parametrize("sample", SECOND, ids=[f"{s.rule}-{k}" for k, s in enumerate(SECOND)])
def test_second_derivatives(sample: Sample) -> None:
    """d/dx of <grad(out·w, x), u> by autograd (create_graph) and by central differences."""
    g = harness.G
    arrays = harness.arrays_for(sample, 3)
    first = next((k for k, a in enumerate(sample.args) if a.grad), None)
    if first is None:
        pytest.skip("no differentiable input")

    def grad_dot(arrs: list[np.ndarray], build: bool) -> tuple[float, object, object]:
        inputs = harness.make_inputs(g, sample, arrs, "float64")
        out = sample.fn(g, *inputs)
        w = g.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        (gx,) = g.autograd.grad(
            out, inputs[first], grad_outputs=w, create_graph=build, allow_unused=True
        )
        if gx is None:
            return 0.0, None, inputs[first]
        u = g.tensor(np.linspace(-1.0, 1.0, gx.numel()).reshape(tuple(gx.shape)))
        return float((gx * u).sum().item()), (gx * u).sum(), inputs[first]

    _, scalar, x = grad_dot(arrays, True)
    if scalar is None or not scalar.requires_grad:
        analytic = np.zeros_like(arrays[first])
    else:
        (h,) = g.autograd.grad(scalar, x, allow_unused=True)
        analytic = np.zeros_like(arrays[first]) if h is None else harness.to_numpy(h)
    numeric = np.zeros_like(arrays[first])
    for i in range(arrays[first].size):
        plus = [a.copy() for a in arrays]
        minus = [a.copy() for a in arrays]
        plus[first].reshape(-1)[i] += EPS
        minus[first].reshape(-1)[i] -= EPS
        numeric.reshape(-1)[i] = (grad_dot(plus, False)[0] - grad_dot(minus, False)[0]) / (2 * EPS)
    tol = 1e-2 if "lowprec" in sample.tags else 1e-4
    np.testing.assert_allclose(analytic, numeric, rtol=tol, atol=tol)
