"""The results table: machine description, markdown rendering, and docs/performance.md.

`docs/performance.md` keeps its hand-written parts; only the block between the markers
`<!-- bench:results:begin -->` and `<!-- bench:results:end -->` is rewritten.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import math
import os
import platform
import subprocess
from pathlib import Path

from bench.harness import CLOCK, REPO, SINGLE_THREAD
from bench.measure import Row

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"
DOC = REPO / "docs" / "performance.md"

LABELS = {
    "gradlang": "gradlang",
    "torch": "PyTorch",
    "numpy": "numpy by hand",
    "autograd": "HIPS autograd",
}


def _version(distribution: str) -> str:
    """The installed version of a distribution (without importing it), or "absent"."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    commit = out.stdout.strip() or "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "gradlang"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return commit + (" (working tree with uncommitted changes to gradlang/)" if dirty else "")


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "autograd": _version("autograd"),
        "lark": _version("lark"),
        "gradlang commit": _commit(),
    }


def _met(row: Row) -> str:
    if row.met is None:
        return "—" if row.target != "report" else ""
    return "yes" if row.met else "**no**"


def _ratio(row: Row) -> str:
    if math.isnan(row.ratio):
        return "—"
    if row.workload in ("mlp", "scalar_chain", "matmul"):
        return f"{row.ratio:.2f}"
    return row.cell("gradlang")


def table(rows: list[Row]) -> str:
    """The results as one markdown table plus notes under it."""
    head = [
        "workload",
        "measure",
        LABELS["gradlang"],
        LABELS["torch"],
        "result",
        "target",
        "met",
        LABELS["numpy"],
        LABELS["autograd"],
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [
            row.workload,
            row.measure,
            row.cell("gradlang"),
            row.cell("torch"),
            _ratio(row),
            row.target,
            _met(row),
            row.cell("numpy"),
            row.cell("autograd"),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = [f"- {row.workload}: {note}" for row in rows for note in row.notes]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines)


def results_block(rows: list[Row], quick: bool, info: dict[str, str]) -> str:
    env = " ".join(f"{k}={v}" for k, v in SINGLE_THREAD.items())
    parts = [
        BEGIN,
        "",
        f"Measured {info['date']}" + (" with `--quick` (few reps: rough numbers)" if quick else ""),
        "",
        *[f"- {k}: {v}" for k, v in info.items() if k != "date"],
        f"- every process single-threaded: `{env}`",
        f"- clock: {CLOCK['name']} time of each child process (user + system)"
        if CLOCK["name"] == "cpu"
        else "- clock: wall time of each child process",
        "",
        table(rows),
        "",
        END,
    ]
    return "\n".join(parts)


_SKELETON = f"""# gradlang's performance

`python bench/run.py` measures every workload and rewrites the results below.

{BEGIN}
{END}
"""


def write_doc(block: str, path: Path = DOC) -> None:
    """Replace the results block of docs/performance.md (creating the file if needed)."""
    text = path.read_text() if path.exists() else _SKELETON
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + block + tail)
