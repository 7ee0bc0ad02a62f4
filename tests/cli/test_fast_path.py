"""The click-free `gradlang run` (`gradlang.cli_fast`) against the click command.

A plain `run` skips click; everything else goes to click. Both ways must read a command line
alike and print the same bytes with the same exit code: checked here by reading command lines
both ways (fixed and generated ones) and by running programs as whole processes both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlang import cli as cli_module
from gradlang import cli_fast

from .conftest import EXAMPLES, REPO

S04 = EXAMPLES / "seed" / "s04_computing_gradients.grad"
S05 = EXAMPLES / "seed" / "s05_gradient_storage.grad"

# -- reading the command line ----------------------------------------------------------------


def click_reading(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, Any]] | None:  # fmt: skip
    """(color, values) the click group hands the run command for `args`, or None when click
    does anything else (refuses the line, prints help or the version, runs another command)."""
    seen: dict[str, Any] = {}

    def record(file: str, as_json: bool, no_report: bool, trace: bool, kw: dict[str, Any],
               debug: bool) -> None:  # fmt: skip
        seen.update(kw, file=file, as_json=as_json, no_report=no_report, trace=trace)

    colors: list[str] = []
    monkeypatch.setattr(cli_module, "_DEBUG", False)  # `--debug` sets it
    monkeypatch.setattr(cli_module, "run_command", record)
    monkeypatch.setattr(cli_module, "set_color_mode", colors.append)
    try:
        cli_module.cli.main(list(args), prog_name="gradlang", standalone_mode=False)
    except (click.ClickException, click.exceptions.Exit, SystemExit, OverflowError):
        return None
    finally:
        sys.stdout.flush()
    if not seen:
        return None
    return colors[-1], seen


def typed(reading: tuple[str, dict[str, Any]] | None) -> object:
    """The reading with each value's type, so that 2 and 2.0 differ."""
    if reading is None:
        return None
    color, values = reading
    return color, {k: (type(v).__name__, v) for k, v in sorted(values.items())}


PLAIN = [
    ["run", "prog.grad"],
    ["run", "-"],
    ["run", ""],
    ["--debug", "run", "prog.grad"],
    ["--color", "always", "run", "prog.grad"],
    ["--color=never", "--debug", "--color", "auto", "run", "prog.grad"],
    ["run", "--json", "prog.grad"],
    ["run", "prog.grad", "--no-report", "--trace", "--no-io", "--json", "--json"],
    ["run", "--seed", "7", "prog.grad"],
    ["run", "--seed=-3", "prog.grad"],
    ["run", "--seed", "+12", "--seed", "0013", "prog.grad"],
    ["run", "--max-steps", "10", "--max-elements=5", "--max-depth", "3", "prog.grad"],
    ["run", "--max-memory", "256M", "prog.grad"],
    ["run", "--max-memory=1.5gib", "prog.grad"],
    ["run", "--max-memory", " 2kb ", "prog.grad"],
    ["run", "--timeout", "2", "prog.grad"],
    ["run", "--timeout=0.5", "prog.grad"],
    ["run", "--timeout", ".25", "prog.grad"],
    ["run", "--timeout", "3.", "prog.grad"],
    ["run", "prog.grad", "--seed", "1"],
    ["run", "run"],
]

FALLBACK = [
    [],
    ["--help"],
    ["-h"],
    ["--version"],
    ["-V"],
    ["run"],
    ["run", "--help"],
    ["run", "prog.grad", "-h"],
    ["run", "a.grad", "b.grad"],
    ["run", "--", "prog.grad"],
    ["run", "--seed", "x", "prog.grad"],
    ["run", "--seed", "1.5", "prog.grad"],
    ["run", "--seed", "--json", "prog.grad"],
    ["run", "--seed"],
    ["run", "prog.grad", "--seed"],
    ["run", "--max-steps", "0", "prog.grad"],
    ["run", "--max-depth", "-1", "prog.grad"],
    ["run", "--max-memory", "lots", "prog.grad"],
    ["run", "--max-memory", "0", "prog.grad"],
    ["run", "--max-memory", "inf", "prog.grad"],
    ["run", "--timeout", "0", "prog.grad"],
    ["run", "--timeout", "-1", "prog.grad"],
    ["run", "--json=1", "prog.grad"],
    ["run", "--debug", "prog.grad"],
    ["run", "--color", "always", "prog.grad"],
    ["run", "--jso", "prog.grad"],
    ["run", "-x", "prog.grad"],
    ["--color", "pink", "run", "prog.grad"],
    ["--color", "run", "prog.grad"],
    ["--color"],
    ["--verbose", "run", "prog.grad"],
    ["check", "prog.grad"],
    ["graph", "prog.grad", "--var", "x"],
    ["repl"],
]


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_command_lines_are_read_as_click_reads_them(args, monkeypatch) -> None:
    fast = cli_fast.parse_run(args)
    assert fast is not None
    assert typed(fast) == typed(click_reading(args, monkeypatch))


@pytest.mark.parametrize("args", FALLBACK, ids=" ".join)
def test_anything_else_goes_to_click(args) -> None:
    assert cli_fast.parse_run(args) is None


VALUES = ["0", "1", "-1", "+2", "007", "1_0", " 7", "7 ", "0x10", "1e3", "\u0663", "nan", "inf",
          "-inf", ".5", "3.", "1.5", "-0.0", "2k", "2KB", "1.5gib", " 3m ", "lots", "", "-", "--json"]  # fmt: skip


@pytest.mark.parametrize("option", ["--seed", "--max-steps", "--max-elements", "--max-memory",
                                    "--max-depth", "--timeout"])  # fmt: skip
def test_option_values_are_converted_as_click_converts_them(option, monkeypatch) -> None:
    taken = 0
    for value in VALUES:
        for args in (["run", option, value, "p.grad"], ["run", f"{option}={value}", "p.grad"]):
            fast = cli_fast.parse_run(args)
            if fast is not None:  # (anything else goes to click, which is always right)
                taken += 1
                assert typed(fast) == typed(click_reading(args, monkeypatch)), args
    assert taken >= 6


WORDS = ["run", "prog.grad", "-", "--", "--json", "--no-report", "--trace", "--no-io", "--debug",
         "--color", "always", "never", "auto", "--seed", "--max-steps", "--max-elements",
         "--max-memory", "--max-depth", "--timeout", "-h", "--help", "0", "1", "-2", "3.5",
         "1G", "2k", "x", "check", "--seed=4", "--timeout=1", "--color=never", "--json=1",
         "1_0", " 7", "0x10", "1e3", "\u0663", "nan", "inf", ".5", "1.5g", "-0"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_generated_command_lines(args) -> None:
    """Whenever the fast path takes a command line, click reads it the same way."""
    fast = cli_fast.parse_run(args)
    if fast is None:
        return
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert typed(fast) == typed(click_reading(args, monkeypatch))


# -- whole processes, both ways ----------------------------------------------------------------

MARK = "\n<<click imported: "


def run_both(args: list[str], cwd: Path, input: bytes | None = None, prelude: str = ""
             ) -> tuple[subprocess.CompletedProcess[bytes], subprocess.CompletedProcess[bytes]]:  # fmt: skip
    """The command line through `gradlang.cli_fast.main` and through the click command
    (`gradlang.cli.click_main`), each in a fresh process after `prelude`; the fast one's stderr
    ends with whether click was imported."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    results = []
    for entry in ("gradlang.cli_fast import main", "gradlang.cli import click_main as main"):
        code = (
            f"import atexit, sys\n{prelude}\nfrom {entry}\n"
            f"atexit.register(lambda: sys.stderr.write({MARK!r} + str('click' in sys.modules)))\n"
            "main()\n"
        )
        results.append(subprocess.run([sys.executable, "-c", code, *args], input=input,
                                      capture_output=True, cwd=cwd, env=env, timeout=120))  # fmt: skip
    return results[0], results[1]


def assert_same(args: list[str], cwd: Path, without_click: bool, traceback: bool = False, **kw: Any
                ) -> bytes:  # fmt: skip
    """Run both ways: the same exit code, stdout and stderr (of a Python traceback, its last
    line: the frames are not the same); the fast way imports click exactly when it must."""
    fast, slow = run_both(args, cwd, **kw)
    fast_err, _, fast_click = fast.stderr.decode().rpartition(MARK)
    slow_err = slow.stderr.decode().rpartition(MARK)[0]
    assert fast_click == str(not without_click)
    if traceback:
        assert fast_err.startswith("Traceback") and slow_err.startswith("Traceback")
        fast_err, slow_err = fast_err.splitlines()[-1], slow_err.splitlines()[-1]
    assert (fast.returncode, fast.stdout, fast_err) == (slow.returncode, slow.stdout, slow_err)
    return fast.stdout + fast_err.encode()


PROGRAMS = {
    "ok.grad": S04.read_text(),
    "warns.grad": S05.read_text(),
    "runtime_error.grad": "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward()\n",
    "syntax_error.grad": "x = (1,\n",
    "no_newline.grad": "x = torch.ones(2)\nprint('no newline', end='')\n",
    "no_tensors.grad": "print(1 + 1)\n",
    "loop.grad": "t = torch.zeros(2)\nfor i in range(100):\n    t = t + 1\nprint(t)\n",
    "big.grad": "x = torch.ones(1000)\nprint(x.sum())\n",
    "io.grad": "x = torch.ones(2)\nsave(x, 'x.npy')\nprint(load('x.npy'))\n",
    "rand.grad": "print(torch.randn(3))\n",
    "unicode.grad": "print('grüße ✓')\nx = torch.tensor([1.0, float('nan'), float('inf')])\n",
}

CASES = [
    ["run", "ok.grad"],
    ["run", "warns.grad"],
    ["run", "runtime_error.grad"],
    ["run", "syntax_error.grad"],
    ["run", "no_newline.grad"],
    ["run", "no_tensors.grad"],
    ["run", "missing.grad"],
    ["run", "."],
    ["run", "latin1.grad"],
    ["run", "--json", "ok.grad"],
    ["run", "--json", "runtime_error.grad"],
    ["run", "--json", "syntax_error.grad"],
    ["run", "--json", "unicode.grad"],
    ["run", "unicode.grad", "--no-report"],
    ["run", "--trace", "ok.grad"],
    ["run", "--seed", "3", "rand.grad"],
    ["run", "--max-steps", "5", "loop.grad"],
    ["run", "--max-memory", "1K", "big.grad"],
    ["run", "--max-elements=10", "big.grad"],
    ["run", "--timeout", "60", "--max-depth", "50", "ok.grad"],
    ["run", "--no-io", "io.grad"],
    ["run", "io.grad"],
    ["--color", "always", "run", "runtime_error.grad"],
    ["--color=always", "run", "warns.grad"],
    ["--debug", "run", "syntax_error.grad"],
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in PROGRAMS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "latin1.grad").write_bytes("print('é')\n".encode("latin-1"))
    return tmp_path


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_a_plain_run_prints_what_click_prints(args, folder) -> None:
    shown = assert_same(args, folder, without_click=True)
    assert shown  # every case prints something


def test_stdin(folder) -> None:
    source = PROGRAMS["runtime_error.grad"].encode()
    assert b"<stdin>:3:1: RuntimeError" in assert_same(["run", "-"], folder, True, input=source)
    assert_same(["run", "--json", "-"], folder, True, input=b"\xff\xfe print(1)\n")


@pytest.mark.parametrize(
    "args",
    [["run", "--help"], ["run", "--seed", "x", "ok.grad"], ["run", "ok.grad", "extra"],
     ["--version"], ["run"], ["run", "--max-memory", "inf", "ok.grad"], ["check", "ok.grad"]],
    ids=" ".join,
)  # fmt: skip
def test_anything_else_runs_click(args, folder) -> None:
    assert_same(args, folder, without_click=False)


PATCH = "from gradlang.session import Session\ndef broken(*a, **k):\n    raise {}\nSession.run_source = broken\n"  # fmt: skip


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        ("ZeroDivisionError('boom')", "ZeroDivisionError: boom"),
        ("KeyboardInterrupt()", "\nAborted!\n"),
        ("EOFError()", "\nAborted!\n"),
        ("BrokenPipeError(32, 'gone')", ""),  # click's own wrapper pacifies the streams
    ],
)
@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["", "debug"])
def test_what_escapes_the_command(exc, shown, debug, folder) -> None:
    """An internal error (a traceback only with --debug), Ctrl-C, a broken pipe: as click."""
    traceback = bool(debug) and exc.startswith("ZeroDivisionError")
    without_click = not exc.startswith("BrokenPipeError")
    printed = assert_same(
        [*debug, "run", "ok.grad"], folder, without_click, traceback, prelude=PATCH.format(exc)
    )
    assert shown in printed.decode() and (shown or not printed)


def test_python_m_gradlang_takes_the_fast_path(folder) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradlang", "run", "ok.grad"],
                       capture_output=True, text=True, cwd=folder, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    imported = {line.rpartition("|")[2].strip() for line in r.stderr.splitlines()}
    assert "gradlang.cli_fast" in imported and "gradlang.session" in imported
    assert "click" not in imported and "gradlang.cli" not in imported


def test_the_console_script_entry_is_the_fast_one(monkeypatch) -> None:
    """The console script is `cli_fast.main`, and `gradlang.cli.main` goes through it too."""
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'gradlang = "gradlang.cli_fast:main"' in pyproject
    seen = []
    monkeypatch.setattr(cli_fast, "main", seen.append)
    cli_module.main(["run", "x.grad"])
    assert seen == [["run", "x.grad"]]
