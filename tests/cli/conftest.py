"""Helpers for the CLI tests: run `gradlang` in-process (CliRunner) or as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gradlang.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture
def gradlang() -> Callable[..., Result]:
    """`gradlang(*args, input=None)`: the command run in-process; stdout and stderr apart."""

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return invoke


def run_module(*args: str, input: str | None = None, cwd: Path | None = None,
               env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`python -m gradlang ARGS` as a subprocess."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "gradlang", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )


@pytest.fixture
def program(tmp_path: Path) -> Callable[[str, str], Path]:
    """`program(text, name="prog.grad")`: write a program file and return its path."""

    def write(text: str, name: str = "prog.grad") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def pytorch_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[str, str | None]]:
    """What PyTorch prints for every example and for the extra programs of `EXTRA_PROGRAMS`
    (one subprocess for all: importing torch is the slow part)."""
    pytest.importorskip("torch")
    from .torch_outputs import torch_outputs

    folder = tmp_path_factory.mktemp("extra")
    extra = []
    for name, text in EXTRA_PROGRAMS.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        extra.append(path)
    return torch_outputs(sorted(EXAMPLES.rglob("*.grad")) + extra)


#: Programs (name -> text) other tests want PyTorch's output for; see `pytorch_outputs`.
EXTRA_PROGRAMS: dict[str, str] = {}
