"""Grading untrusted submissions with `gradlang test`, as docs/safety.md recommends.

A directory of submissions with their expected outputs: one correct, the others attacks
(an allocation bomb, an endless loop, a file-access escape, a recursion bomb). `gradlang
test --no-io --timeout 5 ...` must grade them all in one run: a table with one PASS and the
failures, exit code 1, no traceback, nothing written outside, in reasonable time.
"""

from __future__ import annotations

import time
from pathlib import Path

from hostile.conftest import World, run_gradlang

EXPECTED = "tensor([2., 4.])\n"
SUBMISSIONS = {
    "good": "x = tensor([1.0, 2.0], requires_grad=True)\n(x * x).sum().backward()\nprint(x.grad)\n",
    "bomb": "x = zeros(10 ** 5, 10 ** 5, 100)\nprint(x)\n",
    "loop": "while True:\n    pass\n",
    "escape": "save(tensor([2.0, 4.0]), '../escaped.npy')\nprint(tensor([2.0, 4.0]))\n",
    "recursion": "def f(n):\n    return f(n + 1)\nf(0)\n",
    "dunder": "print(tensor([2.0, 4.0]).__class__)\n",
}
FLAGS = ["--no-io", "--timeout", "5", "--max-steps", "100000", "--max-elements", "1000000"]


def test_grading_a_directory_of_attacks(world: World, parser_cache: Path) -> None:
    folder = world.prog / "submissions"
    folder.mkdir()
    for name, source in SUBMISSIONS.items():
        (folder / f"{name}.grad").write_text(source)
        (folder / f"{name}.out").write_text(EXPECTED)
    world.before = world.snapshot()
    start = time.monotonic()
    out = run_gradlang(["test", *FLAGS, "submissions"], world.prog, world=world, cache=parser_cache)
    elapsed = time.monotonic() - start
    assert not out.hung and not out.traceback, out.describe()
    assert out.returncode == 1, out.describe()
    assert "InternalError" not in out.stdout + out.stderr, out.describe()
    lines = out.stdout.splitlines()
    assert any(line.startswith("PASS") and "good.grad" in line for line in lines), out.describe()
    for name in SUBMISSIONS.keys() - {"good"}:
        assert any(line.startswith("FAIL") and f"{name}.grad" in line for line in lines), (
            f"{name} was not failed\n{out.describe()}"
        )
    assert world.unexpected_changes() == []
    assert elapsed < 60, f"grading took {elapsed:.1f} s"
