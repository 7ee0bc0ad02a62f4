"""float32 softmax / log_softmax over the last dim replay ATen's AVX2 kernel bit for bit, and
softmax along another dim its scalar loop when fewer than 8 elements follow that dim
(gradlang/autograd/aten_softmax.py).

Against torch itself (run in a subprocess under ATEN_CPU_CAPABILITY=avx2, the reference
build): random rows of every length 1..70 (both sides of the 8-lane vectors and of the
16/32/64 boundaries) at scales 0.1..100, rows with -inf/+inf/NaN, huge, tied and underflowing
entries, and long rows; along other dims, every inner size 1..7. Without torch, a few values
recorded from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradlang.autograd import aten_softmax
from gradlang.autograd.api import TORCH

TORCH_SCRIPT = """
import sys
import numpy as np
import torch
print(torch.backends.cpu.get_cpu_capability())
for arg in sys.argv[1:]:
    path, dim = arg.split(":")
    x = torch.from_numpy(np.load(path))
    np.save(path + ".softmax.npy", torch.softmax(x, int(dim)).numpy())
    np.save(path + ".log_softmax.npy", torch.log_softmax(x, int(dim)).numpy())
"""


def _specials(rng: np.random.Generator, n: int) -> np.ndarray:
    x = (rng.standard_normal((200, n)) * 5).astype(np.float32)
    x[rng.random(x.shape) < 0.2] = -np.inf
    x[:10] = -np.inf  # every entry -inf: NaN
    x[10:20] += np.float32(1e6)
    x[20:30] *= np.float32(1e30)
    x[30:40, 0] = np.inf
    x[40:50, -1] = np.nan
    x[50:70] = np.round(x[50:70])  # ties
    x[70:80] = 0
    x[80:90] = np.float32(-3e38)
    x[90:110] = np.where(rng.random((20, n)) < 0.5, np.float32(-100), np.float32(0))
    noise = rng.standard_normal((20, n)).astype(np.float32) * np.float32(0.5)
    x[110:130] = np.where(rng.random((20, n)) < 0.5, np.float32(-103.5), np.float32(0)) + noise
    x[130:140] = np.float32(3e38)
    return x


def _inputs() -> list[np.ndarray]:
    rng = np.random.default_rng(20261127)
    out = []
    for n in range(1, 71):
        for scale in (0.1, 1.0, 3.0, 10.0, 30.0, 100.0):
            out.append((rng.standard_normal((250, n)) * scale).astype(np.float32))
        out.append(_specials(rng, n))
    for n, rows in ((100, 300), (128, 300), (257, 100), (1000, 40), (4099, 8)):
        out.append((rng.standard_normal((rows, n)) * 3).astype(np.float32))
    out.append((rng.standard_normal((3, 4, 11)) * 2).astype(np.float32))
    return out


def _other_dim_inputs() -> list[tuple[np.ndarray, int]]:
    rng = np.random.default_rng(11272026)
    out = []
    for n in (1, 2, 3, 7, 8, 9, 17, 40):
        for inner in range(1, 8):
            for scale in (0.3, 3.0, 30.0):
                x = (rng.standard_normal((40, n, inner)) * scale).astype(np.float32)
                x[rng.random(x.shape) < 0.05] = -np.inf
                x[rng.random(x.shape) < 0.01] = np.nan
                out.append((x, 1))
    out += [(rng.standard_normal(s).astype(np.float32), d) for s, d in OTHER_DIM_SHAPES]
    return out


OTHER_DIM_SHAPES = [
    ((5, 3), 0),
    ((2, 3, 4, 1), 1),
    ((4, 3, 2), 0),
    ((7, 1, 1), 0),
    ((3, 2, 2, 1), 0),
]


def _run_torch(folder: Path, cases: list[tuple[np.ndarray, int]]) -> list[tuple[np.ndarray, ...]]:
    args = []
    for i, (x, dim) in enumerate(cases):
        path = Path(folder, f"x{i}.npy")
        np.save(path, x)
        args.append(f"{path}:{dim}")
    proc = subprocess.run(
        [sys.executable, "-c", TORCH_SCRIPT, *args],
        env=dict(os.environ, ATEN_CPU_CAPABILITY="avx2"),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    if proc.stdout.split()[0] != "AVX2":
        pytest.skip(f"torch cannot run its AVX2 kernels here ({proc.stdout.strip()})")
    results = []
    for arg in args:
        path = arg.split(":")[0]
        results.append(
            (np.load(path), np.load(path + ".softmax.npy"), np.load(path + ".log_softmax.npy"))
        )
    return results


@pytest.fixture(scope="module")
def torch_results(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[np.ndarray, ...]]:
    pytest.importorskip("torch")
    return _run_torch(tmp_path_factory.mktemp("softmax"), [(x, -1) for x in _inputs()])


@pytest.fixture(scope="module")
def torch_other_dims(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[np.ndarray, ...]]:
    pytest.importorskip("torch")
    cases = _other_dim_inputs()
    results = _run_torch(tmp_path_factory.mktemp("softmax_dims"), cases)
    return [(dim, *r) for (_, dim), r in zip(cases, results, strict=True)]


def _differing(got: np.ndarray, want: np.ndarray) -> int:
    same = (got.view(np.int32) == want.view(np.int32)) | (np.isnan(got) & np.isnan(want))
    return int(np.size(same) - np.count_nonzero(same))


@pytest.mark.torch
@pytest.mark.parametrize("kind", ["softmax", "log_softmax"])
def test_matches_torch(torch_results: list[tuple[np.ndarray, ...]], kind: str) -> None:
    ours = aten_softmax.softmax_lastdim if kind == "softmax" else aten_softmax.log_softmax_lastdim
    bad = {}
    for x, softmax, log_softmax in torch_results:
        want = softmax if kind == "softmax" else log_softmax
        n = _differing(ours(x), want)
        if n:
            bad[x.shape] = n
    assert not bad, f"elements differing from torch, by input shape: {bad}"


@pytest.mark.torch
def test_ops_go_through_the_kernels(torch_results: list[tuple[np.ndarray, ...]]) -> None:
    tensor = TORCH["tensor"]
    for x, softmax, log_softmax in torch_results[::50]:
        t = tensor(x.tolist(), requires_grad=True)
        got = TORCH["softmax"](t, dim=-1)._data
        assert got.dtype == np.float32 and _differing(got, softmax) == 0
        got = TORCH["log_softmax"](t, dim=-1)._data
        assert got.dtype == np.float32 and _differing(got, log_softmax) == 0


@pytest.mark.torch
def test_other_dims_match_torch(torch_other_dims: list[tuple[Any, ...]]) -> None:
    bad = {}
    for dim, x, softmax, _ in torch_other_dims:
        n = _differing(aten_softmax.softmax_small_inner(x, dim), softmax)
        got = TORCH["softmax"](TORCH["tensor"](x.tolist()), dim=dim)._data
        n += _differing(got, softmax)
        if n:
            bad[x.shape, dim] = n
    assert not bad, f"elements differing from torch, by input shape and dim: {bad}"


# Recorded from torch 2.13 (AVX2); no torch needed.
RECORDED = [
    ([[0.05410228, 0.27279133], [0.49302816, 0.1611593]], "softmax", [1055137388, 1057878218, 1058343931, 1054205963]),
    ([[0.05410228, 0.27279133], [0.49302816, 0.1611593]], "log_softmax", [-1085343974, -1089012968, -1089832564, -1084264728]),
    ([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], "softmax", [1061756131, 1043562323, 1025520769, 1028258476, 1029650616, 1063611594]),
    ([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], "log_softmax", [-1099490735, -1075911862, -1068535387, -1069507248, -1069926679, -1109363012]),
]  # fmt: skip


@pytest.mark.parametrize(("x", "kind", "bits"), RECORDED)
def test_recorded_bits(x: list[list[float]], kind: str, bits: list[int]) -> None:
    data = np.array(x, np.float32)
    got = getattr(aten_softmax, f"{kind}_lastdim")(data)
    assert got.view(np.int32).ravel().tolist() == bits


def test_rows_sum_to_one_like_torch() -> None:
    # tests/programs/ag_cross_entropy: numpy's exp and division gave 1.0000001
    x = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], np.float32)
    assert aten_softmax.softmax_lastdim(x).sum(axis=1).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("shape", [(5,), (1, 5), (3, 1), (2, 3, 4), (1, 1, 9)])
@pytest.mark.parametrize("kind", ["softmax", "log_softmax"])
def test_input_left_alone(shape: tuple[int, ...], kind: str) -> None:
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    before = x.copy()
    out = getattr(aten_softmax, f"{kind}_lastdim")(x)
    assert out.shape == x.shape and out.flags.c_contiguous and not np.shares_memory(out, x)
    assert np.array_equal(x, before)


def test_recorded_other_dim() -> None:
    # numpy's exp rounds exp(-1.9) one ulp away from glibc's expf, which torch calls here
    x = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], np.float32)
    got = aten_softmax.softmax_small_inner(x, 0).view(np.int32).ravel().tolist()
    assert got == [1063170359, 1058213546, 1016289233, 1040530216, 1054466731, 1065051457]
