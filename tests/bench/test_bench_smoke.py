"""The benchmark harness cannot rot: its pieces work and one tiny workload runs end to end.

No timings are asserted; only that the harness measures something and reports it.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import harness, parsing, programs  # noqa: E402


def test_with_size_substitutes_the_marked_line() -> None:
    text = "x = 1\nSTEPS = 200  # bench: size\nprint(STEPS)\n"
    assert programs.with_size(text, 7) == "x = 1\nSTEPS = 7  # bench: size\nprint(STEPS)\n"
    with pytest.raises(ValueError):
        programs.with_size("STEPS = 200\n", 7)


@pytest.mark.parametrize("name", ["mlp", "scalar_chain", "matmul", "deep_chain"])
def test_every_sized_workload_and_baseline_has_a_size_line(name: str) -> None:
    programs.with_size(programs.workload_text(name), 3)
    for engine in ("numpy", "autograd"):
        path = programs.baseline_path(name, engine)
        if path.exists():
            programs.with_size(path.read_text(), 3)


def test_same_output_compares_numbers_within_rounding() -> None:
    assert programs.same_output("loss 0.31843\n", "loss 0.31844")
    assert not programs.same_output("loss 0.31843", "loss 0.41843")
    assert not programs.same_output("loss 1.0", "grad 1.0")


def test_marginal_rate_cancels_startup() -> None:
    assert harness.marginal_rate(100, 1.5, 200, 2.5) == pytest.approx(100.0)
    assert math.isnan(harness.marginal_rate(100, 2.0, 200, 1.9))


def test_parse_program_has_the_asked_length() -> None:
    text = parsing.parse_program(1_000)
    assert 950 <= text.count("\n") <= 1_000
    compile(text, "<bench>", "exec")  # the generated text is valid Python too


def test_run_once_measures_a_child() -> None:
    run = harness.run_once([sys.executable, "-c", "print('hi')"], REPO)
    assert run.ok and run.stdout == "hi\n"
    assert run.wall > 0 and run.maxrss_mib > 1


def test_run_py_quick_parse_prints_the_table(tmp_path: Path) -> None:
    saved = tmp_path / "rows.json"
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--quick",
            "--only",
            "parse",
            "--no-write",
            "--json",
            str(saved),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "| parse |" in out.stdout
    rows = json.loads(saved.read_text())["rows"]
    assert [row["workload"] for row in rows] == ["parse"]
    if importlib.util.find_spec("gradlang.syntax.parser") is not None:
        assert rows[0]["values"]["gradlang"] > 0
        assert "lines/s" in out.stdout


def _run_tiny_mlp(engine: str) -> harness.Run:
    scratch = programs.Scratch()
    try:
        prog = programs.program(scratch, "mlp", engine, 3)
        return harness.run_once(prog.cmd, prog.cwd, timeout=60)
    finally:
        scratch.close()


@pytest.mark.torch
def test_tiny_mlp_runs_on_torch_with_the_prelude() -> None:
    pytest.importorskip("torch")
    run = _run_tiny_mlp("torch")
    assert run.ok, run.stderr
    assert run.stdout.startswith("loss ")


def test_tiny_mlp_runs_on_gradlang_and_matches_torch() -> None:
    probe = subprocess.run(
        [sys.executable, "-m", "gradlang", "run", "-"],
        input="x = 1\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"gradlang run does not work yet: {probe.stderr.strip()[-200:]}")
    run = _run_tiny_mlp("gradlang")
    assert run.ok, run.stderr
    if importlib.util.find_spec("torch") is not None:
        assert programs.same_output(run.stdout, _run_tiny_mlp("torch").stdout)


def test_throughput_lets_the_engines_take_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """After sizing, each round runs every engine's two sizes once; each engine keeps its
    fastest run of each size, and its rate is the extra work over the extra time."""
    from bench import measure

    calls: list[tuple[str, int]] = []
    slow_round = {"torch": 2}  # torch's third run of each size is slowed by "load"

    def fake_program(scratch: object, name: str, engine: str, size: int | None) -> object:
        return programs.Program([engine, str(size)], Path("."))

    def fake_best_of(cmd: list[str], cwd: Path, repeats: int) -> harness.Best:
        engine, size = cmd[0], 0 if cmd[1] == "None" else int(cmd[1])
        calls.append((engine, size))
        seen = sum(1 for e, s in calls if e == engine and s == size) - 1
        per_unit = {"gradlang": 1e-4, "torch": 2e-4}[engine]
        load = 5.0 if seen == slow_round.get(engine) else 1.0
        seconds = 0.5 + size * per_unit * load  # startup + work
        return harness.Best(wall=seconds, cpu=seconds, maxrss_mib=1.0, stdout="same\n")

    monkeypatch.setattr(measure, "_engines", lambda: ["gradlang", "torch"])
    monkeypatch.setattr(measure, "program", fake_program)
    monkeypatch.setattr(measure, "best_of", fake_best_of)
    (row,) = measure.throughput("mlp", "steps/s", "steps/s", 1.5, 1000, 10**6, measure.Config())
    assert row.values["gradlang"] == pytest.approx(1e4)
    assert row.values["torch"] == pytest.approx(5e3)
    assert row.ratio == pytest.approx(2.0) and row.met is True
    assert "output matches PyTorch" in row.notes
    rounds = calls[-16:]  # after sizing: 4 more rounds (5 runs of each size in all)
    assert [engine for engine, _ in rounds] == ["gradlang", "gradlang", "torch", "torch"] * 4
    n = {engine: size for engine, size in rounds[:4:2]}
    assert [size for _, size in rounds[:4]] == [n["gradlang"], 2 * n["gradlang"],
                                                n["torch"], 2 * n["torch"]]  # fmt: skip
