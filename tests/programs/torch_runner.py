"""Run a gradlang program as Python on real PyTorch 2.13: the corpus's source of truth.

The program text runs unchanged after the prelude of spec section 1 (`import torch`,
`import torch.nn.functional as F`, every bare torch name the program uses, and `abs max min
sum round` acting as torch's function when their first argument is a tensor). Output is
captured, `<MulBackward0 object at 0x...>` is normalised to `<MulBackward0>`, and an error
is reported as (type, message, line).

    python tests/programs/torch_runner.py            # check every NAME.grad against NAME.out
    python tests/programs/torch_runner.py --write    # (re)write every NAME.out from PyTorch
"""

from __future__ import annotations

import builtins
import contextlib
import io
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILENAME = "<program>"
_ADDRESS = re.compile(r"<(\w+) object at 0x[0-9a-fA-F]+>")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ERROR_COMMENT = re.compile(r"#\s*error:\s*(\w+)(?::\s*(.*))?$")


@dataclass
class Outcome:
    """What a program did: its stdout, and its error as (type, message, line) or None."""

    output: str
    error: tuple[str, str, int] | None


def normalise(text: str) -> str:
    """Drop addresses from grad_fn reprs, as gradlang prints them."""
    return _ADDRESS.sub(r"<\1>", text)


def _builtin_type(exc: BaseException) -> str:
    for klass in type(exc).__mro__:
        if klass.__module__ == "builtins":
            return klass.__name__
    return type(exc).__name__


def prelude(source: str) -> dict[str, object]:
    """The globals a program starts with under PyTorch (spec section 1)."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    env: dict[str, object] = {"__name__": "__main__", "torch": torch, "F": F}
    for name in set(_IDENT.findall(source)):
        if not hasattr(builtins, name) and not name.startswith("_") and hasattr(torch, name):
            value = getattr(torch, name)
            if callable(value) or isinstance(value, torch.dtype):
                env[name] = value

    def tensor_rule(name: str):  # type: ignore[no-untyped-def]
        python = getattr(builtins, name)
        torch_fn = getattr(torch, name)

        def fn(*args, **kwargs):  # type: ignore[no-untyped-def]
            if args and isinstance(args[0], torch.Tensor):
                return torch_fn(*args, **kwargs)
            return python(*args, **kwargs)

        return fn

    for name in ("abs", "max", "min", "sum", "round"):
        env[name] = tensor_rule(name)
    return env


def run_torch(source: str, seed: int = 0) -> Outcome:
    """Run `source` on PyTorch; the same starting seed as gradlang's default."""
    import torch

    torch.manual_seed(seed)
    torch.set_grad_enabled(True)
    out = io.StringIO()
    error = None
    env = prelude(source)
    code = compile(source, FILENAME, "exec")
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(code, env)
        except Exception as exc:  # a program's error is data here
            line = 0
            tb = exc.__traceback__
            while tb is not None:
                if tb.tb_frame.f_code.co_filename == FILENAME:
                    line = tb.tb_lineno
                tb = tb.tb_next
            error = (_builtin_type(exc), normalise(str(exc)), line)
    torch.set_grad_enabled(True)
    return Outcome(normalise(out.getvalue()), error)


def expected_error(source: str) -> tuple[str, str, int] | None:
    """The `# error: Type: message prefix` comment of a program, with its line."""
    for number, line in enumerate(source.splitlines(), 1):
        match = ERROR_COMMENT.search(line)
        if match:
            return (match.group(1), (match.group(2) or "").strip(), number)
    return None


def error_matches(got: tuple[str, str, int] | None, want: tuple[str, str, int] | None) -> bool:
    if got is None or want is None:
        return got is want
    return got[0] == want[0] and got[1].startswith(want[1]) and got[2] == want[2]


def programs() -> list[Path]:
    return sorted(HERE.glob("*.grad"))


def main(argv: list[str]) -> int:
    write = "--write" in argv
    bad = 0
    for path in programs():
        source = path.read_text()
        outcome = run_torch(source)
        want_error = expected_error(source)
        problems = []
        if not error_matches(outcome.error, want_error):
            problems.append(f"error {outcome.error} but the comment says {want_error}")
        out_path = path.with_suffix(".out")
        if write:
            out_path.write_text(outcome.output)
        elif not out_path.exists() or out_path.read_text() != outcome.output:
            problems.append("output differs from .out")
        if problems:
            bad += 1
            print(f"FAIL {path.name}: {'; '.join(problems)}")
    print(f"{len(programs()) - bad}/{len(programs())} programs agree with PyTorch")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
