"""The measured programs: workload texts, their sizes, and how each engine runs them.

A workload is a gradlang file `bench/workloads/NAME.grad`. Its size is the one line marked
`# bench: size` (`STEPS = 200  # bench: size`); `with_size` substitutes another number, so
one template gives the program at every size. PyTorch runs the SAME text after the prelude
of spec section 1. Hand-written numpy and HIPS autograd versions live in
`bench/baselines/NAME_numpy.py` and `NAME_autograd.py`, with the same size line.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORKLOADS = BENCH / "workloads"
BASELINES = BENCH / "baselines"

ENGINES = ("gradlang", "torch", "numpy", "autograd")

_SIZE_LINE = re.compile(r"^(\s*\w+\s*=\s*)(\d+)(\s*#\s*bench:\s*size\b.*)$", re.MULTILINE)

# Spec section 1: every bare tensor name of section 4, and abs/max/min/sum/round acting as
# the torch function when the first argument is a tensor.
TORCH_PRELUDE = """\
import builtins as _builtins
import torch
import torch.nn.functional as F
from torch import (
    Tensor, tensor, zeros, ones, full, empty, arange, linspace, eye, zeros_like, ones_like,
    full_like, rand_like, randn_like, manual_seed, randn, rand, randint, randperm, neg, exp,
    log, log1p, expm1, sin, cos, tan, tanh, sigmoid, relu, sqrt, rsqrt, sign, clamp, pow,
    maximum, minimum, where, reciprocal, floor, ceil, sinh, cosh, asin, acos, atan, erf, exp2,
    log2, log10, square, mean, prod, argmax, argmin, norm, var, std, logsumexp, cumsum,
    matmul, mm, mv, dot, outer, transpose, permute, reshape, flatten, squeeze, unsqueeze, cat,
    stack, split, chunk, clone, softmax, log_softmax, allclose, isclose, equal, no_grad,
    enable_grad, set_grad_enabled, is_grad_enabled,
)


def _either(name):
    def call(*args, **kwargs):
        if args and isinstance(args[0], torch.Tensor):
            return getattr(torch, name)(*args, **kwargs)
        return getattr(_builtins, name)(*args, **kwargs)

    return call


abs, max, min, sum, round = (_either(n) for n in ("abs", "max", "min", "sum", "round"))
"""


def with_size(text: str, size: int) -> str:
    """The program text with its `# bench: size` line set to `size`."""
    new, count = _SIZE_LINE.subn(lambda m: f"{m.group(1)}{size}{m.group(3)}", text, count=1)
    if count != 1:
        raise ValueError("program has no line marked '# bench: size'")
    return new


def workload_text(name: str) -> str:
    return (WORKLOADS / f"{name}.grad").read_text()


def baseline_path(name: str, engine: str) -> Path:
    return BASELINES / f"{name}_{engine}.py"


def engine_available(engine: str) -> bool:
    """torch, numpy and autograd are optional; gradlang must at least be importable."""
    module = {"gradlang": "gradlang.cli", "autograd": "autograd"}.get(engine, engine)
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@dataclass(frozen=True)
class Program:
    """One engine's program at one size: the command to run and where to run it."""

    cmd: list[str]
    cwd: Path


class Scratch:
    """A temporary folder for program files; removed on `close`."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="gradlang-bench-")
        self.path = Path(self._dir.name)
        self._count = 0

    def write(self, stem: str, suffix: str, text: str) -> Path:
        self._count += 1
        path = self.path / f"{stem}_{self._count}{suffix}"
        path.write_text(text)
        return path

    def close(self) -> None:
        self._dir.cleanup()


def program(
    scratch: Scratch,
    name: str,
    engine: str,
    size: int | None,
    gradlang_args: tuple[str, ...] = ("--no-report",),
) -> Program:
    """The command that runs workload `name` on `engine` at `size` (None: as written)."""
    if engine in ("gradlang", "torch"):
        text = workload_text(name)
    else:
        text = baseline_path(name, engine).read_text()
    if size is not None:
        text = with_size(text, size)
    if engine == "gradlang":
        path = scratch.write(name, ".grad", text)
        cmd = [sys.executable, "-m", "gradlang", "run", *gradlang_args, path.name]
    elif engine == "torch":
        path = scratch.write(f"{name}_torch", ".py", TORCH_PRELUDE + "\n" + text)
        cmd = [sys.executable, path.name]
    else:
        path = scratch.write(f"{name}_{engine}", ".py", text)
        cmd = [sys.executable, path.name]
    return Program(cmd=cmd, cwd=scratch.path)


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def same_output(a: str, b: str, rel: float = 1e-3, abs_: float = 1e-4) -> bool:
    """Two programs' outputs agree: equal text, numbers equal within float32 rounding."""
    if _NUMBER.sub("#", a).split() != _NUMBER.sub("#", b).split():
        return False
    for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b)):
        if not math.isclose(float(x), float(y), rel_tol=rel, abs_tol=abs_):
            return False
    return True
