"""The seed's conformance programs, through the shared tool, as `python -m gradlang`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

SHARED = REPO.parent / "shared"
TOOL = SHARED / "tools" / "conform.py"
SEED = SHARED / "conformance" / "seed"


@pytest.mark.skipif(not TOOL.is_file(), reason="shared/tools/conform.py not beside the checkout")
def test_conformance_seed_passes() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, str(TOOL), f"{sys.executable} -m gradlang", str(SEED)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("conformance: 10/10")
