"""Every example prints the same bytes on every run, in any process, under any hash seed.

Two worker processes (different PYTHONHASHSEED values, one running the examples in reverse
order so no state can leak from one run into the next unnoticed) each run every example
twice, as `gradlang run` (output and report) and as `gradlang run --json`. Every run of an
example must give identical stdout, stderr and exit code; a sample also runs as a fresh
`python -m gradlang` process under a third hash seed, with the same result.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from hostile.conftest import REPO, Outcome, run_gradlang
from hostile.pool import Worker

EXAMPLES = sorted((REPO / "examples").glob("**/*.grad"))
SAMPLE = [p for p in EXAMPLES if p.stem in ("s04_computing_gradients", "05_linear_regression")]
MODES = (["run"], ["run", "--json"])


def _key(outcome: Outcome) -> tuple[object, str, str]:
    return outcome.returncode, outcome.stdout, outcome.stderr


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples copied to a scratch directory (a run may only write there)."""
    root = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "examples", root / "examples")
    return root


def _run_all(
    root: Path, cache: Path, hash_seed: str, order: list[Path], out: dict[str, list[Outcome]]
) -> None:
    worker = Worker(cache, {"PYTHONHASHSEED": hash_seed})
    try:
        for example in order:
            rel = str(example.relative_to(REPO))
            for mode in MODES:
                for _ in range(2):
                    job = {"args": [*mode, rel], "cwd": str(root)}
                    out.setdefault(f"{' '.join(mode)} {rel}", []).append(worker.ask(job, 120))
    finally:
        worker.close()


@pytest.fixture(scope="module")
def outcomes(copies: Path, parser_cache: Path) -> dict[str, list[Outcome]]:
    first: dict[str, list[Outcome]] = {}
    second: dict[str, list[Outcome]] = {}
    threads = [
        threading.Thread(target=_run_all, args=(copies, parser_cache, "0", EXAMPLES, first)),
        threading.Thread(
            target=_run_all, args=(copies, parser_cache, "424242", EXAMPLES[::-1], second)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {key: first[key] + second.get(key, []) for key in first}


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("mode", MODES, ids=["text", "json"])
def test_same_bytes_every_run(
    example: Path, mode: list[str], outcomes: dict[str, list[Outcome]]
) -> None:
    runs = outcomes[f"{' '.join(mode)} {example.relative_to(REPO)}"]
    assert len(runs) == 4
    assert not any(r.hung for r in runs)
    assert not any(r.traceback for r in runs), runs[0].describe()
    first = _key(runs[0])
    for other in runs[1:]:
        assert _key(other) == first, f"differs from the first run:\n{other.describe()}"


@pytest.mark.parametrize("example", SAMPLE, ids=[p.stem for p in SAMPLE])
def test_fresh_process_agrees(
    example: Path, copies: Path, parser_cache: Path, outcomes: dict[str, list[Outcome]]
) -> None:
    rel = str(example.relative_to(REPO))
    fresh = run_gradlang(
        ["run", rel], copies, cache=parser_cache, extra_env={"PYTHONHASHSEED": "7"}
    )
    assert _key(fresh) == _key(outcomes[f"run {rel}"][0]), fresh.describe()
