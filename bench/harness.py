"""Running one child process and measuring it: wall time, peak memory, output.

Every measurement is a fresh process, so peak memory (`ru_maxrss` from `os.wait4` on that
one child) and time include everything the process did. All children run single-threaded
(see `child_env`).
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SINGLE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    # PyTorch's reference facts were taken under AVX2; pin it so runs compare across hosts.
    "ATEN_CPU_CAPABILITY": "avx2",
}


def precompile() -> None:
    """Compile gradlang to .pyc as `pip install` does, so children start like a user's install
    (this machine sets PYTHONDONTWRITEBYTECODE, which would make every child compile)."""
    import compileall

    compileall.compile_dir(str(REPO / "gradlang"), quiet=1)


def child_env() -> dict[str, str]:
    """The environment of every measured child: single-threaded, gradlang importable."""
    env = dict(os.environ)
    env.update(SINGLE_THREAD)
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + path if path else "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the child (and its threads)
    maxrss_mib: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class BenchError(Exception):
    """A measured program failed or could not be run; the message says why."""


def run_once(cmd: Sequence[str], cwd: Path, timeout: float = 300.0) -> Run:
    """Run `cmd` once in a fresh process; time it and read its own peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=cwd, env=child_env())
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            maxrss_mib=usage.ru_maxrss / 1024.0,  # Linux reports KiB
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


# Which clock `Best.time` reads: "cpu" (user + system time of the child) by default, because
# the machine is shared and wall time swings with other people's load; "wall" on a quiet one.
CLOCK = {"name": "cpu"}


@dataclass(frozen=True)
class Best:
    """The fastest of several runs of one command (and the least peak memory seen)."""

    wall: float
    cpu: float
    maxrss_mib: float
    stdout: str

    @property
    def time(self) -> float:
        """Seconds on the clock the suite measures with (see `CLOCK`)."""
        return self.cpu if CLOCK["name"] == "cpu" else self.wall

    def merge(self, other: Best) -> Best:
        """The best of both: least time on each clock, least peak memory."""
        return Best(
            wall=min(self.wall, other.wall),
            cpu=min(self.cpu, other.cpu),
            maxrss_mib=min(self.maxrss_mib, other.maxrss_mib),
            stdout=self.stdout,
        )


def best_of(cmd: Sequence[str], cwd: Path, repeats: int, timeout: float = 300.0) -> Best:
    """Run `cmd` `repeats` times; raise BenchError on the first failure."""
    runs: list[Run] = []
    for _ in range(max(1, repeats)):
        run = run_once(cmd, cwd, timeout)
        if not run.ok:
            tail = (run.stderr.strip() or run.stdout.strip())[-600:]
            raise BenchError(f"exit {run.returncode}: {tail}")
        runs.append(run)
    return Best(
        wall=min(r.wall for r in runs),
        cpu=min(r.cpu for r in runs),
        maxrss_mib=min(r.maxrss_mib for r in runs),
        stdout=runs[0].stdout,
    )


def marginal_rate(n_small: int, t_small: float, n_large: int, t_large: float) -> float:
    """Work units per second with startup cancelled: extra work over extra time."""
    extra = t_large - t_small
    if extra <= 0:
        return math.nan
    return (n_large - n_small) / extra


def try_measure(measure: Callable[[], float]) -> tuple[float, str]:
    """Call a measurement; a failure becomes (nan, short reason) instead of an exception."""
    try:
        return measure(), ""
    except BenchError as exc:
        return math.nan, str(exc)
