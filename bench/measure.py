"""Measurement procedures: throughput with startup cancelled, startup, scaling, parsing.

Each returns `Row`s for the table. A missing engine or a failing program becomes a blank
cell with the reason in the notes, never an exception, so one broken part cannot stop the
rest of the suite.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

from bench.harness import CLOCK, BenchError, Best, best_of, marginal_rate
from bench.programs import (
    ENGINES,
    Scratch,
    baseline_path,
    engine_available,
    program,
    same_output,
)


@dataclass(frozen=True)
class Config:
    """How hard to measure: `quick` means small sizes and one run each."""

    quick: bool = False

    @property
    def repeats(self) -> int:
        return 1 if self.quick else 3

    @property
    def rate_repeats(self) -> int:
        """Runs of each size per engine for a throughput (the engines taking turns)."""
        return 1 if self.quick else 5

    @property
    def min_extra_seconds(self) -> float:
        """The extra work between the two sizes must take at least this long."""
        return 0.1 if self.quick else 1.0


@dataclass
class Row:
    """One line of the results table. `values` maps engine to number (nan: none)."""

    workload: str
    measure: str
    fmt: str  # format spec for the values, e.g. "{:.0f} steps/s"
    values: dict[str, float] = field(default_factory=dict)
    ratio: float = math.nan  # gradlang against PyTorch, or the measured quantity itself
    target: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)

    def cell(self, engine: str) -> str:
        value = self.values.get(engine, math.nan)
        return "—" if math.isnan(value) else self.fmt.format(value)


def _engines() -> list[str]:
    return [e for e in ENGINES if engine_available(e)]


def _has_program(name: str, engine: str) -> bool:
    if engine in ("gradlang", "torch"):
        return True
    return baseline_path(name, engine).exists()


def _check_output(row: Row, outputs: dict[str, str]) -> None:
    """Note whether gradlang printed what PyTorch printed for the same program."""
    if "gradlang" in outputs and "torch" in outputs:
        if same_output(outputs["gradlang"], outputs["torch"]):
            row.notes.append("output matches PyTorch")
        else:
            row.notes.append(
                f"OUTPUT DIFFERS: gradlang {outputs['gradlang'].strip()!r} vs "
                f"PyTorch {outputs['torch'].strip()!r}"
            )


@dataclass
class _Sizes:
    """One engine's two program sizes (n and 2n) and the fastest run of each so far."""

    n: int
    small: Best
    large: Best

    @property
    def rate(self) -> float:
        return marginal_rate(self.n, self.small.time, 2 * self.n, self.large.time)


def _calibrate(
    scratch: Scratch, name: str, engine: str, n0: int, max_n: int, config: Config
) -> _Sizes:
    """Sizes n and 2n for `engine` on workload `name`, n grown until the extra work takes at
    least `config.min_extra_seconds` (or n reaches max_n); with one run of each."""

    def once(size: int) -> Best:
        return best_of(program(scratch, name, engine, size).cmd, scratch.path, 1)

    n = n0
    while True:
        small, large = once(n), once(2 * n)
        extra = large.time - small.time
        if extra >= config.min_extra_seconds or n >= max_n:
            return _Sizes(n, small, large)
        if extra <= 0.1 * config.min_extra_seconds:
            n = min(max_n, 4 * n)
        else:
            n = min(max_n, max(2 * n, math.ceil(1.3 * config.min_extra_seconds * n / extra)))


def _rerun(scratch: Scratch, name: str, engine: str, sizes: _Sizes) -> None:
    """One more run of both sizes; keep the fastest of each."""
    sizes.small = sizes.small.merge(
        best_of(program(scratch, name, engine, sizes.n).cmd, scratch.path, 1)
    )
    sizes.large = sizes.large.merge(
        best_of(program(scratch, name, engine, 2 * sizes.n).cmd, scratch.path, 1)
    )


def throughput(
    name: str,
    measure: str,
    unit: str,
    target: float,
    n0: int,
    max_n: int,
    config: Config,
) -> list[Row]:
    """A workload's rate on every engine (units per second, startup cancelled: the extra work
    of size 2n over size n), and gradlang's rate over PyTorch's.

    The engines take turns: after sizing, each round runs every engine's two sizes once, and
    each keeps its fastest run of each size. A busy spell on this shared machine then slows
    every engine's runs of that round, not one engine's whole measurement, so the ratio moves
    far less than the rates do."""
    row = Row(name, measure, "{:,.1f} " + unit, target=f"≥ {target:g}")
    outputs: dict[str, str] = {}
    measured: dict[str, _Sizes] = {}
    scratch = Scratch()
    try:
        for engine in _engines():
            if not _has_program(name, engine):
                continue
            try:
                if engine in ("gradlang", "torch"):
                    # The output check runs the program as written (a modest size).
                    outputs[engine] = best_of(
                        program(scratch, name, engine, None).cmd, scratch.path, 1
                    ).stdout
                measured[engine] = _calibrate(scratch, name, engine, n0, max_n, config)
            except BenchError as exc:
                row.notes.append(f"{engine} failed: {exc}")
        for _ in range(config.rate_repeats - 1):
            for engine, sizes in list(measured.items()):
                try:
                    _rerun(scratch, name, engine, sizes)
                except BenchError as exc:
                    row.notes.append(f"{engine} failed: {exc}")
                    del measured[engine]
    finally:
        scratch.close()
    for engine in _engines():
        if _has_program(name, engine):
            row.values[engine] = measured[engine].rate if engine in measured else math.nan
    gradlang, torch = row.values.get("gradlang", math.nan), row.values.get("torch", math.nan)
    row.ratio = gradlang / torch if torch else math.nan
    row.met = None if math.isnan(row.ratio) else row.ratio >= target
    _check_output(row, outputs)
    return [row]


def startup(config: Config) -> list[Row]:
    """The seed's computing-gradients example as a whole process: time and peak memory."""
    scratch = Scratch()
    try:
        time_row = Row(
            "startup",
            'seed example, whole process: time ÷ `python -c "import numpy"`',
            "{:.2f}×",
            target="≤ 1.5",
        )
        mem_row = Row("startup", "the same run: peak memory", "{:.1f} MiB", target="≤ 50")
        outputs: dict[str, str] = {}
        # gradlang as a user runs it: `gradlang run FILE`, report included.
        progs = {
            e: program(scratch, "startup", e, None, gradlang_args=())
            for e in _engines()
            if _has_program("startup", e)
        }
        bests: dict[str, Best] = {}
        base_cmd = [sys.executable, "-c", "import numpy"]
        base = best_of(base_cmd, scratch.path, 1)
        # Interleaved rounds: a change in the machine's load hits every engine alike.
        for _ in range(config.repeats + 2):
            base = base.merge(best_of(base_cmd, scratch.path, 1))
            for engine, prog in list(progs.items()):
                try:
                    best = best_of(prog.cmd, prog.cwd, 1)
                except BenchError as exc:
                    time_row.notes.append(f"{engine} failed: {exc}")
                    del progs[engine]
                    continue
                bests[engine] = bests[engine].merge(best) if engine in bests else best
        for engine, best in bests.items():
            time_row.values[engine] = best.time / base.time
            mem_row.values[engine] = best.maxrss_mib
            outputs[engine] = best.stdout
    finally:
        scratch.close()
    time_row.notes.append(
        f'`python -c "import numpy"`: {base.time * 1000:.0f} ms {CLOCK["name"]} time '
        f"(wall {base.wall * 1000:.0f} ms)"
    )
    if "gradlang" in bests:
        time_row.notes.append(
            f"gradlang: {bests['gradlang'].time * 1000:.0f} ms {CLOCK['name']} time "
            f"(wall {bests['gradlang'].wall * 1000:.0f} ms)"
        )
    time_row.ratio = time_row.values.get("gradlang", math.nan)
    time_row.met = None if math.isnan(time_row.ratio) else time_row.ratio <= 1.5
    mem_row.ratio = mem_row.values.get("gradlang", math.nan)
    mem_row.met = None if math.isnan(mem_row.ratio) else mem_row.ratio <= 50
    if "gradlang" in outputs and "torch" in outputs:
        # gradlang's run ends with its report; compare the program's own lines only.
        lines = outputs["torch"].count("\n")
        outputs["gradlang"] = "\n".join(outputs["gradlang"].splitlines()[:lines])
    _check_output(time_row, outputs)
    return [time_row, mem_row]


def deep_chain(config: Config) -> list[Row]:
    """Backward through a long chain: time and memory must grow linearly with its length."""
    sizes = [0, 5_000, 10_000, 20_000] if config.quick else [0, 50_000, 100_000, 200_000]
    label = "/".join(f"{n // 1000}k" for n in sizes[1:])
    time_row = Row(
        "deep_chain",
        f"chain of {label} nodes, backward: time ratio per doubling (above an empty run)",
        "{:.2f}×",
        target="≈ 2 (linear)",
    )
    mem_row = Row(
        "deep_chain",
        "the same: peak-memory ratio per doubling (above an empty run)",
        "{:.2f}×",
        target="≈ 2 (linear)",
    )
    scratch = Scratch()
    try:
        for engine in ("gradlang", "torch"):
            if not engine_available(engine):
                continue
            walls: list[float] = []
            mems: list[float] = []
            try:
                for n in sizes:
                    prog = program(scratch, "deep_chain", engine, n, ("--no-report", *_BIG_LIMITS))
                    best = best_of(prog.cmd, prog.cwd, 1 if config.quick else 2, timeout=600)
                    walls.append(best.time)
                    mems.append(best.maxrss_mib)
            except BenchError as exc:
                time_row.notes.append(f"{engine} failed: {exc}")
                continue
            t_ratio = _doubling(walls)
            m_ratio = _doubling(mems)
            time_row.values[engine] = t_ratio
            mem_row.values[engine] = m_ratio
            time_row.notes.append(
                f"{engine}: " + ", ".join(f"{w:.2f} s" for w in walls) + f" at {sizes} nodes"
            )
            mem_row.notes.append(
                f"{engine}: " + ", ".join(f"{m:.0f} MiB" for m in mems) + f" at {sizes} nodes"
            )
    finally:
        scratch.close()
    for row in (time_row, mem_row):
        row.ratio = row.values.get("gradlang", math.nan)
        row.met = None if math.isnan(row.ratio) else 1.5 <= row.ratio <= 2.6
    return [time_row, mem_row]


# The chain is long: lift the step limit so the benchmark measures the engine, not the limit.
_BIG_LIMITS = ("--max-steps", "100000000")


def _doubling(values: list[float]) -> float:
    """The worst growth factor per doubling of size, above the size-0 baseline."""
    base = values[0]
    above = [v - base for v in values[1:]]
    ratios = [b / a for a, b in zip(above, above[1:]) if a > 0]
    return max(ratios) if ratios else math.nan


def mlp(config: Config) -> list[Row]:
    return throughput(
        "mlp",
        "tiny MLP training (64×8 → 16 tanh → 1, MSE, SGD): steps/s",
        "steps/s",
        1.5,
        n0=20 if config.quick else 200,
        max_n=20_000,
        config=config,
    )


def scalar_chain(config: Config) -> list[Row]:
    return throughput(
        "scalar_chain",
        "scalar chain 50 × (sin, mul, add) + backward: reps/s",
        "reps/s",
        1.5,
        n0=5 if config.quick else 50,
        max_n=20_000,
        config=config,
    )


def matmul(config: Config) -> list[Row]:
    return throughput(
        "matmul",
        "1000×1000 matmul, tanh, sum, backward: it/s",
        "it/s",
        0.9,
        n0=1 if config.quick else 4,
        max_n=200,
        config=config,
    )
