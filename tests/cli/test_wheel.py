"""The built wheel works on its own: installed into a fresh venv, from outside the checkout,
`gradlang tour` runs on the examples shipped inside it, and so does an example.

It builds with the `build` front end when it is installed (without isolation, so nothing
is downloaded), else with `pip wheel`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .conftest import REPO


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_COLOR"] = "1"
    return env


def _build_wheel(out: Path) -> Path:
    src = out / "src"
    shutil.copytree(
        REPO, src, ignore=shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "dist",
                                                 "build", ".pytest_cache", ".mypy_cache", "bench"),
    )  # fmt: skip
    if importlib.util.find_spec("build") and importlib.util.find_spec("hatchling"):
        cmd = [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(src),
        ]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=_clean_env(), timeout=300)
    (wheel,) = out.glob("gradlang-*.whl")
    return wheel


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    env = _clean_env()
    # this interpreter's pip installs into the venv (ensurepip would take most of the time)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--force-reinstall", str(wheel)],
        check=True, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "gradlang"), *args],
            capture_output=True, text=True, cwd=outside, env=env, timeout=120,
        )  # fmt: skip

    where = subprocess.run(
        [str(python), "-c", "import gradlang, gradlang.resources as r; print(gradlang.__file__);"
         " print(r.examples_dir()); print(r.grammar_path())"],
        capture_output=True, text=True, cwd=outside, env=env, check=True,
    ).stdout.split()  # fmt: skip
    assert all(str(env_dir) in w for w in where), where  # the wheel's copy, not the checkout

    tour = run("tour")
    assert tour.returncode == 0, tour.stderr
    assert "Traceback" not in tour.stdout + tour.stderr
    assert "x.grad: tensor([ 8., 16., 24.])" in tour.stdout

    example = Path(where[1]) / "seed" / "s06_retain_grad.grad"
    result = run("run", "--no-report", str(example))
    assert result.returncode == 0, result.stderr
    assert result.stdout == example.with_suffix(".out").read_text()
    assert run("test", where[1]).returncode == 0
