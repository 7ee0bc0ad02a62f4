"""What real PyTorch 2.13 prints for gradlang programs (the source of every example's .out).

Each program runs as `gradlang to-torch` would write it (the spec's prelude + the program)
in one subprocess for all of them; `<MulBackward0 object at 0x...>` becomes `<MulBackward0>`,
as gradlang prints it. Run as a script to (re)write the .out files of the examples:

    python -m tests.cli.torch_outputs examples
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from gradlang.torch_script import to_torch

_DRIVER = r"""
import contextlib, io, json, sys, traceback
scripts = json.load(sys.stdin)
results = {}
for name, text in scripts.items():
    buf = io.StringIO()
    error = None
    with contextlib.redirect_stdout(buf):
        try:
            exec(compile(text, name, "exec"), {"__name__": "__main__"})
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
    results[name] = {"output": buf.getvalue(), "error": error}
json.dump(results, sys.stdout)
"""

_ADDRESS = re.compile(r"<(\w+) object at 0x[0-9a-fA-F]+>")


def normalise(text: str) -> str:
    """gradlang prints grad_fn nodes without an address."""
    return _ADDRESS.sub(r"<\1>", text)


def torch_outputs(programs: list[Path]) -> dict[Path, tuple[str, str | None]]:
    """{program: (stdout on PyTorch, error or None)} for each program."""
    scripts = {str(p): to_torch(p.read_text(encoding="utf-8")) for p in programs}
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER],
        input=json.dumps(scripts),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    data = json.loads(proc.stdout)
    return {p: (normalise(data[str(p)]["output"]), data[str(p)]["error"]) for p in programs}


def main(folders: list[str]) -> None:
    programs = sorted(
        p
        for folder in folders
        for p in Path(folder).rglob("*.grad")
        if "tools" not in p.parts  # gradlang's own tools: their .out is gradlang's output
    )
    for program, (output, error) in torch_outputs(programs).items():
        program.with_suffix(".out").write_text(output, encoding="utf-8")
        print(f"{program}: {len(output.splitlines())} lines" + (f"  [{error}]" if error else ""))


if __name__ == "__main__":
    main(sys.argv[1:] or ["examples"])
