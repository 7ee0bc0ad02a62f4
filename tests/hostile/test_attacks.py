"""Every attack in tests/hostile/attacks ends as its header says, through the CLI.

The corpus runs on two worker processes (`pool.py`/`runner.py`: the click command run
in-process, as `gradlang run --no-report --timeout ... attack.grad` would), each under a
6 GiB address-space limit, with a watchdog per case; a sample of cases also runs as a real
`python -m gradlang` subprocess. Each case has its own `World` (see conftest). A case
passes when the run ends with the expected diagnostic (`attack.grad:LINE:COL: Type:
message`, exit 1) or succeeds as expected (exit 0), never prints a traceback or an
InternalError, never hangs, never "runs out of memory" (bombs are refused before
allocating), and leaves every file outside its own directory untouched (only `.npy` files
may appear in it).
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from hostile.attack_corpus import Attack, load_attacks
from hostile.conftest import Outcome, World, run_gradlang
from hostile.pool import run_jobs

ATTACKS = load_attacks()
BY_NAME = {a.name: a for a in ATTACKS}
WATCHDOG = 60.0  # seconds; far above every limit a case runs under

# One case of each kind, also run as a real `python -m gradlang` process.
SUBPROCESS_SAMPLE = [
    "dunder_variable_dict",
    "import_os",
    "str_doubling",
    "tensor_zeros_bomb",
    "loop_forever_timeout",
    "io_symlink_file_write",
]


@dataclass
class CaseResult:
    outcome: Outcome
    changes: list[str]
    unexpected: list[str]


def _prepare(attack: Attack, root: Path) -> World:
    world = World(root)
    shutil.copy(attack.path, world.prog / "attack.grad")
    world.before = world.snapshot()
    return world


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, parser_cache: Path) -> dict[str, CaseResult]:
    """Run the whole corpus once."""
    base = tmp_path_factory.mktemp("attacks")
    worlds = {a.name: _prepare(a, base / a.name) for a in ATTACKS}
    jobs = [
        {
            "args": a.args,
            "cwd": str(worlds[a.name].prog),
            "home": str(worlds[a.name].root / "home"),
            "tmp": str(worlds[a.name].root / "tmp"),
        }
        for a in ATTACKS
    ]
    outcomes = run_jobs(jobs, cache=parser_cache, workers=2, watchdog=WATCHDOG)
    return {
        a.name: CaseResult(out, worlds[a.name].changes(), worlds[a.name].unexpected_changes())
        for a, out in zip(ATTACKS, outcomes)
    }


def check(attack: Attack, out: Outcome, unexpected: list[str]) -> None:
    """The assertions every case must pass."""
    assert not out.hung, f"{attack.name} hung past {out.seconds_limit} s\n{out.describe()}"
    assert not out.traceback, f"a Python traceback\n{out.describe()}"
    assert "InternalError" not in out.stderr, f"an internal error\n{out.describe()}"
    assert "ran out of memory" not in out.stderr, f"allocated before refusing\n{out.describe()}"
    if attack.ok:
        assert out.returncode == 0, out.describe()
        assert out.diagnostic() is None, out.describe()
    else:
        assert out.returncode == 1, out.describe()
        diagnostic = out.diagnostic()
        assert diagnostic is not None, f"no FILE:LINE:COL diagnostic\n{out.describe()}"
        assert diagnostic["file"] == "attack.grad", out.describe()
        got = f"{diagnostic['type']} line {diagnostic['line']}"
        assert got == f"{attack.type_name} line {attack.line}", out.describe()
        if attack.message:
            assert attack.message in diagnostic["message"], out.describe()
    assert unexpected == [], f"side effects outside the allowed .npy files: {unexpected}"


def test_corpus_is_not_empty() -> None:
    assert len(ATTACKS) >= 150
    assert {a.type_name for a in ATTACKS} >= {"LimitError", "SyntaxError", "NameError"}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack(attack: Attack, results: dict[str, CaseResult]) -> None:
    result = results[attack.name]
    if attack.known_bug:
        try:
            check(attack, result.outcome, result.unexpected)
        except AssertionError:
            pytest.xfail(attack.known_bug)
        return
    check(attack, result.outcome, result.unexpected)


def test_allowed_io_wrote_only_its_files(results: dict[str, CaseResult]) -> None:
    """The one case that may write: exactly its two .npy files, nothing else."""
    result = results["io_allowed"]
    assert result.changes == ["prog/out.npy", "prog/sub/nested.npy"], result.outcome.describe()
    assert "tensor([2., 4., 6.])" in result.outcome.stdout


def test_refusals_changed_nothing(results: dict[str, CaseResult]) -> None:
    """Every failing case left its world exactly as it found it (not even a .npy file)."""
    changed = {
        a.name: results[a.name].changes for a in ATTACKS if not a.ok and results[a.name].changes
    }
    assert changed == {}


def test_sample_as_real_processes(tmp_path: Path, parser_cache: Path) -> None:
    """The same verdicts from `python -m gradlang run` in a fresh process."""

    def one(name: str) -> tuple[Attack, Outcome, list[str]]:
        attack = BY_NAME[name]
        world = _prepare(attack, tmp_path / name)
        out = run_gradlang(
            attack.args, world.prog, world=world, cache=parser_cache, timeout=WATCHDOG
        )
        return attack, out, world.unexpected_changes()

    with ThreadPoolExecutor(max_workers=2) as pool:
        for attack, out, unexpected in pool.map(one, SUBPROCESS_SAMPLE):
            check(attack, out, unexpected)
