"""`gradlang tour`: the seed's ideas, one shipped example at a time.

Each step prints a sentence on what to notice, the program, what it printed (warnings and
errors included, as the user would see them), and the report of its tensors. The examples
come from inside the installed package, so the tour works after `pip install`.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gradlang.diagnostics import render, render_internal
from gradlang.session import Session, SessionOptions
from gradlang.tools import report


@dataclass(frozen=True)
class Step:
    title: str
    path: str  # relative to the examples directory
    note: str


STEPS: tuple[Step, ...] = (
    Step("Leaf tensors", "seed/s01_leaf_tensors.grad",
         "A tensor you create yourself is a leaf: it has no grad_fn. requires_grad=True asks "
         "autograd to record every operation that uses it."),
    Step("Non-leaf tensors", "seed/s02_non_leaf_tensors.grad",
         "Each operation on a tracked tensor makes a non-leaf whose grad_fn is the node that "
         "will compute its part of the chain rule: MulBackward0 for *, PowBackward0 for **."),
    Step("requires_grad propagates", "seed/s03_requires_grad_propagates.grad",
         "An operation's result requires grad when any of its inputs does."),
    Step("Computing gradients", "seed/s04_computing_gradients.grad",
         "backward() on a scalar loss fills .grad of every leaf that requires grad with "
         "d(loss)/d(leaf); for sum(x**2) that is 2x."),
    Step("Only leaves keep .grad", "seed/s05_gradient_storage.grad",
         "After backward(), y (a non-leaf) has no .grad: reading it gives None and a warning "
         "on stderr, exactly as in PyTorch."),
    Step("retain_grad()", "seed/s06_retain_grad.grad",
         "retain_grad() before backward() keeps an intermediate's gradient: dz/dy = 2y."),
    Step("The implicit vector-Jacobian product", "seed/s07_implicit_vjp.grad",
         "backward() on a scalar is the vector-Jacobian product with v = 1."),
    Step("An explicit vector-Jacobian product", "seed/s08_explicit_vjp.grad",
         "A non-scalar output needs gradient=v: x.grad becomes v times the Jacobian, here "
         "v * cos(x)."),
    Step("A broken graph", "tutorials/03_broken_graph.grad",
         "detach(), no_grad() and .item() cut the graph: look at requires_grad and grad_fn "
         "to see where, before backward() surprises you."),
    Step("Gradients accumulate", "tutorials/04_accumulation_and_zeroing.grad",
         "Each backward() adds into .grad; zero it (or set it to None) between steps."),
    Step("Training by hand", "tutorials/05_linear_regression.grad",
         "Forward, backward, update under no_grad(), zero the gradients: the loop every "
         "optimizer runs for you."),
    Step("Second derivatives", "tutorials/07_second_derivatives.grad",
         "With create_graph=True the gradient is itself part of a graph, so it can be "
         "differentiated again."),
    Step("The chain rule, step by step", "tools/explain_retain_grad.grad",
         "explain(z) runs z.backward() and prints each node's upstream gradient, local "
         "derivative and what it passes on: the seed's Mathematical Verification, computed. "
         "(gradlang only; `gradlang run --trace` does it for every backward.)"),
    Step("Why is .grad None?", "tools/why_grad_is_none.grad",
         "why(t) names the reason a gradient is missing: backward has not run, not a leaf, "
         "no path to the output, cut by detach(), never required grad, integer dtype."),
    Step("When backward fails", "tutorials/08_inplace_error.grad",
         "Changing a tensor in place after autograd saved it is an error; gradlang's "
         "diagnostic points at the line and says which lines were involved."),
)  # fmt: skip


def examples_dir() -> Path:
    """The shipped examples (inside the wheel, or the checkout's examples/)."""
    try:
        from gradlang.resources import examples_dir as find
    except ImportError:  # pragma: no cover - resources.py is always there once it lands
        here = Path(__file__).resolve().parent
        for candidate in (here / "examples", here.parent / "examples"):
            if candidate.is_dir():
                return candidate
        raise
    return Path(find())


def _indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def _numbered(source: str) -> str:
    lines = source.rstrip("\n").splitlines()
    width = len(str(len(lines)))
    return "".join(f"    {i:>{width}} | {line}".rstrip() + "\n" for i, line in enumerate(lines, 1))


def _heading(text: str, color: bool) -> str:
    rule = f"━━ {text} " + "━" * max(0, 72 - len(text) - 4)
    return f"\x1b[1m{rule}\x1b[0m\n" if color else rule + "\n"


def _label(text: str, color: bool) -> str:
    return f"  \x1b[36m{text}\x1b[0m\n" if color else f"  {text}\n"


def show_step(number: int, step: Step, folder: Path, color: bool) -> str:
    """The whole text of one step of the tour."""
    path = folder / step.path
    source = path.read_text(encoding="utf-8")
    stderr: list[str] = []
    session = Session(SessionOptions(warn=stderr.append))
    result = session.run_source(source, step.path)
    text = _heading(f"{number}/{len(STEPS)}  {step.title}", color)
    text += textwrap.fill(step.note, width=88) + "\n\n"
    text += _label(f"{step.path}:", color) + _numbered(source) + "\n"
    text += _label("output:", color) + (_indent(result.output) if result.output else "    (none)\n")
    if stderr:
        text += _label("on stderr:", color) + _indent("".join(stderr))
    if result.error is not None:
        text += _label("error:", color) + _indent(render(result.error, session.sources))
    elif result.internal is not None:
        text += _label("error:", color) + _indent(render_internal(result.internal))
    if result.tensors:
        text += "\n" + _label("report:", color) + _indent(report.table(result.tensors))
    return text + "\n"


def run_tour(
    step: int | None = None,
    list_steps: bool = False,
    pause: bool = False,
    color: bool = False,
    write: Callable[[str], object] = sys.stdout.write,
    warn: Callable[[str], None] | None = None,
) -> int:
    """Print the tour (or one step, or the list of steps); the exit code."""
    if list_steps:
        for i, s in enumerate(STEPS, 1):
            write(f"{i:2d}. {s.title}  ({s.path})\n")
        return 0
    if step is not None and step > len(STEPS):
        write(f"there are {len(STEPS)} steps; --list shows them\n")
        return 2
    folder = examples_dir()
    chosen = [step] if step else list(range(1, len(STEPS) + 1))
    if step is None:
        write("A tour of autograd with gradlang: each step is a shipped example, run live.\n")
        write("Run one with `gradlang run`, or explore in `gradlang repl`.\n\n")
    for n in chosen:
        write(show_step(n, STEPS[n - 1], folder, color))
        if pause and n != chosen[-1]:
            sys.stdout.flush()
            try:
                input("(Enter for the next step) ")
            except EOFError:
                break
    return 0
