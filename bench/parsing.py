"""The parsing workload: a generated program of many lines, parsed in-process and checked.

Parsing is gradlang's own work, so this workload has no PyTorch column; CPython's own
`ast.parse` of the same text is reported beside it for scale.
"""

from __future__ import annotations

import json
import sys

from bench.harness import CLOCK, run_once
from bench.measure import Config, Row
from bench.programs import Scratch

_BLOCK = """\
# block $K
x$K = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w$K = torch.randn(3, 3) * 0.5
def f$K(a, b=2.0):
    c = a * b + torch.sin(a)
    if c.sum() > 0:
        return c.sum()
    elif c.sum() < -1:
        return -c.sum()
    else:
        return (c ** 2).mean()
y$K = f$K(x$K @ w$K, b=1.5)
vals$K = [i * 2 for i in range(5) if i % 2 == 0]
for i, v in enumerate(vals$K):
    y$K = y$K + v / (i + 1)
with torch.no_grad():
    z$K = x$K[0:2].clone()
    z$K += 1
sq$K = lambda t: t * t
assert sq$K(2) == 4, "lambda works"
print(f"block $K: {y$K.item():.3f} {z$K}")
"""


def parse_program(lines: int) -> str:
    """A valid gradlang program of about `lines` lines, mixing most statement kinds."""
    per_block = _BLOCK.count("\n")
    return "".join(_BLOCK.replace("$K", str(k)) for k in range(max(1, lines // per_block)))


_PARSE_TIMER = """\
import ast, json, sys, time
clock = time.process_time if sys.argv[3] == "cpu" else time.perf_counter
t0 = clock()
from gradlang.syntax.parser import parse
t1 = clock()
src = open(sys.argv[1]).read()
t2 = clock()
parse(src, sys.argv[1])
cold = clock() - t2
warm = []
for _ in range(int(sys.argv[2])):
    t = clock(); parse(src, sys.argv[1]); warm.append(clock() - t)
py = []
for _ in range(3):
    t = clock(); ast.parse(src); py.append(clock() - t)
print(json.dumps({"import": t1 - t0, "cold": cold, "warm": min(warm), "ast": min(py)}))
"""


def parse(config: Config) -> list[Row]:
    """Parsing a 10,000-line program: lines per second, in-process, and `gradlang check`."""
    lines = 1_000 if config.quick else 10_000
    row = Row("parse", f"parse a {lines:,}-line program (in-process, warm)", "{:,.0f} lines/s")
    row.target = "report"
    scratch = Scratch()
    try:
        text = parse_program(lines)
        n_lines = text.count("\n")
        path = scratch.write("parse", ".grad", text)
        timer = scratch.write("parse_timer", ".py", _PARSE_TIMER)
        run = run_once(
            [sys.executable, timer.name, path.name, str(config.repeats), CLOCK["name"]],
            scratch.path,
            300,
        )
        if not run.ok:
            row.notes.append(f"gradlang failed: {run.stderr.strip()[-400:]}")
            return [row]
        times = json.loads(run.stdout.strip().splitlines()[-1])
        row.values["gradlang"] = n_lines / times["warm"]
        row.ratio = row.values["gradlang"]
        row.notes.append(
            f"first parse in a fresh process (grammar load included): "
            f"{n_lines / times['cold']:,.0f} lines/s; importing the parser {times['import'] * 1000:.0f} ms"
        )
        row.notes.append(
            f"CPython's own `ast.parse` of the same text: {n_lines / times['ast']:,.0f} lines/s"
        )
        check = run_once([sys.executable, "-m", "gradlang", "check", path.name], scratch.path, 300)
        if check.ok:
            took = check.cpu if CLOCK["name"] == "cpu" else check.wall
            row.notes.append(
                f"`gradlang check` whole process: {took:.2f} s {CLOCK['name']} time "
                f"({n_lines / took:,.0f} lines/s)"
            )
        else:
            row.notes.append(
                f"`gradlang check` failed: {(check.stderr or check.stdout).strip()[-300:]}"
            )
    finally:
        scratch.close()
    return [row]
