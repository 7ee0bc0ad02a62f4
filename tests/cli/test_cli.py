"""Every command, flag and exit code of `gradlang`, in-process through click's CliRunner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gradlang import __version__
from gradlang.cli_run import use_color

from .conftest import EXAMPLES, run_module

S06 = EXAMPLES / "seed" / "s06_retain_grad.grad"
COMMANDS = ["run", "repl", "check", "ir", "to-torch", "test", "tour", "graph"]


# -- the group ------------------------------------------------------------------------


def test_version(gradlang) -> None:
    r = gradlang("--version")
    assert r.exit_code == 0 and r.stdout == f"gradlang {__version__}\n"


def test_help_teaches_by_example(gradlang) -> None:
    r = gradlang("--help")
    assert r.exit_code == 0
    assert "Examples:" in r.stdout
    for command in COMMANDS:
        assert re.search(rf"^  {command}\s", r.stdout, re.M), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(gradlang, command: str) -> None:
    r = gradlang(command, "--help")
    assert r.exit_code == 0
    assert "Example" in r.stdout or "gradlang " in r.stdout


def test_plain_gradlang_off_a_terminal_prints_help(gradlang) -> None:
    r = gradlang()
    assert r.exit_code == 0 and "Usage: gradlang" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["run"],
        ["run", "--no-such-flag", str(S06)],
        ["run", "does/not/exist.grad"],
        ["run", "--max-steps", "0", str(S06)],
        ["run", "--max-memory", "lots", str(S06)],
        ["test", "no/such/dir"],
        ["graph", str(S06)],  # --var is required
        ["graph", str(S06), "--var", "x", "--format", "gif"],
    ],
)
def test_bad_command_lines_exit_2(gradlang, args: list[str]) -> None:
    r = gradlang(*args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output


def test_a_directory_is_a_bad_command_line(gradlang, tmp_path: Path) -> None:
    r = gradlang("run", str(tmp_path))
    assert r.exit_code == 2 and "is a directory" in r.stderr


# -- run --------------------------------------------------------------------------------


def test_run_prints_output_then_the_report(gradlang) -> None:
    r = gradlang("run", str(S06))
    assert r.exit_code == 0
    out = r.stdout
    assert out.startswith("x.grad: tensor([ 8., 16., 24.])\ny.grad: tensor([ 4.,  8., 12.])\n")
    report = out.split("── report: 3 global tensors ")[1].splitlines()[1:]
    assert report[0].split() == ["name", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn",
                                 "retains_grad", "value", "grad"]  # fmt: skip
    assert report[1].split() == ["x", "[3]", "float32", "yes", "yes", "-", "-", "[1.,", "2.,",
                                 "3.]", "[", "8.,", "16.,", "24.]"]  # fmt: skip
    assert report[2].split()[:7] == ["y", "[3]", "float32", "yes", "no", "MulBackward0", "yes"]
    assert report[3].split()[:6] == ["z", "[]", "float32", "yes", "no", "SumBackward0"]
    assert report[3].endswith("None")
    assert r.stderr == ""


def test_no_report_prints_exactly_the_program_output(gradlang) -> None:
    r = gradlang("run", "--no-report", str(S06))
    assert r.exit_code == 0
    assert r.stdout == S06.with_suffix(".out").read_text()


def test_run_reads_stdin(gradlang) -> None:
    r = gradlang("run", "--no-report", "-", input="print(tensor([1., 2.]) * 2)\n")
    assert r.exit_code == 0 and r.stdout == "tensor([2., 4.])\n"


def test_a_failing_program_exits_1_with_a_diagnostic_on_stderr(gradlang, program) -> None:
    path = program(
        "x = torch.tensor([1., 2.], requires_grad=True)\nprint('before')\ny = x * 2\ny.backward()\n"
    )
    r = gradlang("run", str(path))
    assert r.exit_code == 1
    assert r.stdout.startswith("before\n")
    assert "── report: 2 global tensors" in r.stdout  # the tensors at the error
    lines = r.stderr.splitlines()
    assert lines[0] == (
        f"{path}:4:1: RuntimeError: grad can be implicitly created only for scalar outputs"
    )
    assert lines[1] == "  4 | y.backward()"
    assert re.fullmatch(r"    \| \^+", lines[2])
    assert "Traceback" not in r.output


def test_syntax_error_exits_1(gradlang, program) -> None:
    r = gradlang("run", str(program("x = (1,\n")))
    assert r.exit_code == 1
    assert "SyntaxError" in r.stderr.splitlines()[0]


def test_warnings_go_to_stderr_not_stdout(gradlang) -> None:
    r = gradlang("run", "--no-report", str(EXAMPLES / "seed" / "s05_gradient_storage.grad"))
    assert r.exit_code == 0
    assert r.stdout == "x.grad: tensor([ 8., 16., 24.])\ny.grad: None\n"
    assert "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor" in r.stderr


def test_the_report_reads_non_leaf_grads_without_a_warning(gradlang, program) -> None:
    path = program("x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.sum().backward()\n")
    r = gradlang("run", str(path))
    assert r.exit_code == 0 and r.stderr == ""
    r = gradlang("run", "--json", str(path))
    assert r.exit_code == 0 and r.stderr == ""
    assert json.loads(r.stdout)["tensors"]["y"]["grad"] is None


def test_default_seed_is_0_and_seed_changes_it(gradlang) -> None:
    source = "print(torch.randn(3))\n"
    seeded = gradlang("run", "--no-report", "-", input="torch.manual_seed(0)\n" + source)
    default = gradlang("run", "--no-report", "-", input=source)
    other = gradlang("run", "--no-report", "--seed", "1", "-", input=source)
    assert default.stdout == seeded.stdout == "tensor([ 1.5410, -0.2934, -2.1788])\n"
    assert other.stdout != default.stdout


# -- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags, source",
    [
        (["--max-steps", "1000"], "while True:\n    pass\n"),
        (["--timeout", "0.5"], "while True:\n    pass\n"),
        (["--max-elements", "10"], "x = torch.zeros(100)\n"),
        (["--max-depth", "20"], "def f(n):\n    return f(n + 1)\nf(0)\n"),
    ],
)
def test_limits_stop_a_program_with_a_clear_error(gradlang, flags, source) -> None:
    r = gradlang("run", "--no-report", *flags, "-", input=source)
    assert r.exit_code == 1, r.output
    assert "Error:" in r.stderr.splitlines()[0]
    assert "Traceback" not in r.output


def test_no_io_turns_file_access_off(gradlang, program) -> None:
    path = program("x = torch.ones(2)\nsave(x, 'x.npy')\nprint('saved')\n")
    assert gradlang("run", "--no-report", str(path)).stdout == "saved\n"
    r = gradlang("run", "--no-report", "--no-io", str(path))
    assert r.exit_code == 1 and r.stdout == ""


# -- JSON -------------------------------------------------------------------------------


def test_json_document(gradlang) -> None:
    r = gradlang("run", "--json", str(S06))
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert list(doc) == ["output", "tensors", "error"]
    assert doc["output"] == S06.with_suffix(".out").read_text()
    assert list(doc["tensors"]) == ["x", "y", "z"]
    assert doc["tensors"]["y"] == {
        "shape": [3], "dtype": "float32", "requires_grad": True, "is_leaf": False,
        "grad_fn": "MulBackward0", "retains_grad": True, "value": [2.0, 4.0, 6.0],
        "grad": [4.0, 8.0, 12.0],
    }  # fmt: skip
    assert doc["tensors"]["z"]["value"] == 56.0 and doc["tensors"]["z"]["grad"] is None
    assert doc["error"] is None


def test_json_with_an_error_and_non_finite_values(gradlang) -> None:
    source = "a = torch.tensor([1., 0., -1.]) / 0\nprint('hi')\nb = a.item()\n"
    r = gradlang("run", "--json", "-", input=source)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["output"] == "hi\n"
    assert doc["tensors"]["a"]["value"] == ["inf", "nan", "-inf"]
    assert doc["tensors"]["a"]["dtype"] == "float32"
    error = doc["error"]
    assert set(error) == {"type", "message", "line", "column", "hint"}
    assert error["type"] == "RuntimeError"
    assert error["message"] == "a Tensor with 3 elements cannot be converted to Scalar"
    assert (error["line"], error["column"]) == (3, 5)
    assert "RuntimeError" in r.stderr  # the diagnostic is printed too


def test_json_of_other_dtypes(gradlang) -> None:
    source = "i = torch.tensor([1, 2])\nb = i > 1\nd = torch.ones(2, dtype=torch.float64)\n"
    doc = json.loads(gradlang("run", "--json", "-", input=source).stdout)
    assert doc["tensors"]["i"]["value"] == [1, 2] and doc["tensors"]["i"]["dtype"] == "int64"
    assert doc["tensors"]["b"]["value"] == [False, True] and doc["tensors"]["b"]["dtype"] == "bool"
    assert doc["tensors"]["d"]["dtype"] == "float64"


# -- check, ir, to-torch ------------------------------------------------------------------


def test_check(gradlang, program) -> None:
    good = program("x = 1\n", "good.grad")
    bad = program("x = 1\ny = x +\n", "bad.grad")
    r = gradlang("check", str(good))
    assert r.exit_code == 0 and r.stdout == f"{good}: ok\n"
    r = gradlang("check", str(good), str(bad))
    assert r.exit_code == 1
    assert r.stdout == f"{good}: ok\n"
    assert r.stderr.startswith(f"{bad}:2:")
    assert "SyntaxError" in r.stderr


def test_check_all_examples(gradlang) -> None:
    files = sorted(str(p) for p in EXAMPLES.rglob("*.grad"))
    r = gradlang("check", *files)
    assert r.exit_code == 0, r.stderr


def test_ir(gradlang) -> None:
    r = gradlang("ir", str(EXAMPLES / "seed" / "s02_non_leaf_tensors.grad"))
    assert r.exit_code == 0
    assert "y" in r.stdout and r.stdout.endswith("\n")
    r = gradlang("ir", "-", input="x = (\n")
    assert r.exit_code == 1 and "SyntaxError" in r.stderr


def test_to_torch_writes_prelude_and_program(gradlang, tmp_path: Path) -> None:
    r = gradlang("to-torch", str(S06))
    assert r.exit_code == 0
    assert r.stdout.startswith("# Generated by `gradlang to-torch`")
    assert "import torch.nn.functional as F" in r.stdout
    assert r.stdout.endswith(S06.read_text())
    compile(r.stdout, "script.py", "exec")
    out = tmp_path / "s.py"
    assert gradlang("to-torch", str(S06), "-o", str(out)).exit_code == 0
    assert out.read_text() == r.stdout
    assert gradlang("to-torch", "-", input="x = (\n").exit_code == 1


# -- test -------------------------------------------------------------------------------


def test_test_command(gradlang, tmp_path: Path) -> None:
    (tmp_path / "good.grad").write_text("print(1 + 1)\n")
    (tmp_path / "good.out").write_text("2\n")
    r = gradlang("test", str(tmp_path))
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == f"PASS  {tmp_path / 'good.grad'}"
    assert r.stdout.endswith("1 passed, 0 failed\n")

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.grad").write_text("print(2 * 2)\nprint('same')\n")
    (tmp_path / "sub" / "bad.out").write_text("5\nsame\n")
    (tmp_path / "lonely.grad").write_text("pass\n")
    r = gradlang("test", str(tmp_path))
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"PASS  {tmp_path / 'good.grad'}"
    assert lines[1].startswith(f"MISS  {tmp_path / 'lonely.grad'}")
    assert lines[2].startswith(f"FAIL  {tmp_path / 'sub' / 'bad.grad'}")
    assert "-5\n+4\n" in r.stdout  # a unified diff: expected then actual
    assert r.stdout.endswith("1 passed, 2 failed\n")


def test_test_compares_output_before_an_error(gradlang, tmp_path: Path) -> None:
    (tmp_path / "err.grad").write_text("print('a')\ntorch.ones(3).item()\n")
    (tmp_path / "err.out").write_text("a\n")
    r = gradlang("test", str(tmp_path / "err.grad"))
    assert r.exit_code == 0, r.stdout
    assert r.stdout.splitlines()[0].endswith("(ended with RuntimeError at line 2)")


def test_test_on_all_examples(gradlang) -> None:
    r = gradlang("test", str(EXAMPLES))
    assert r.exit_code == 0, r.stdout
    assert " 0 failed" in r.stdout.splitlines()[-1]


def test_test_without_programs(gradlang, tmp_path: Path) -> None:
    r = gradlang("test", str(tmp_path))
    assert r.exit_code == 1 and "no .grad files" in r.stderr


# -- tour -----------------------------------------------------------------------------------


def test_tour(gradlang) -> None:
    from gradlang.tour import STEPS

    listing = gradlang("tour", "--list")
    assert listing.exit_code == 0 and len(listing.stdout.splitlines()) == len(STEPS)
    r = gradlang("tour")
    assert r.exit_code == 0
    for n, step in enumerate(STEPS, 1):
        assert f"{n}/{len(STEPS)}  {step.title}" in r.stdout
    assert "InternalError" not in r.stdout
    assert "x.grad: tensor([ 8., 16., 24.])" in r.stdout
    one = gradlang("tour", "--step", "6")
    assert one.exit_code == 0 and "retain_grad()" in one.stdout
    assert gradlang("tour", "--step", "99").exit_code == 2


# -- colour -------------------------------------------------------------------------------


class _Tty:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(_Tty(), "auto") is True
    assert use_color(object(), "auto") is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(_Tty(), "auto") is False
    assert use_color(_Tty(), "always") is True
    assert use_color(_Tty(), "never") is False


def test_color_flag(gradlang, program) -> None:
    bad = program("y = torch.ones(2, requires_grad=True) * 2\ny.backward()\n")
    plain = gradlang("run", str(bad))
    assert "\x1b[" not in plain.output
    coloured = gradlang("--color", "always", "run", str(bad))
    assert "\x1b[" in coloured.stderr and "\x1b[" in coloured.stdout


# -- no traceback, ever -----------------------------------------------------------------------


def test_internal_errors_become_a_diagnostic(monkeypatch, capsys) -> None:
    from gradlang import cli as cli_module
    from gradlang.session import Session

    def broken(*_args, **_kw):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(Session, "run_source", broken)
    monkeypatch.setattr(cli_module, "_DEBUG", False)
    with pytest.raises(SystemExit) as stop:
        cli_module.main(["run", str(S06)])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "InternalError: ZeroDivisionError: boom" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        cli_module.main(["--debug", "run", str(S06)])
    monkeypatch.setattr(cli_module, "_DEBUG", False)


def test_internal_errors_inside_the_program_run(monkeypatch, gradlang) -> None:
    from gradlang import cli as cli_module
    from gradlang.session import Session

    def broken_interpreter(self, io_root):
        raise KeyError("oops")

    monkeypatch.setattr(cli_module, "_DEBUG", False)
    monkeypatch.setattr(Session, "_make_interpreter", broken_interpreter)
    r = gradlang("run", "--json", str(S06))
    assert r.exit_code == 1
    assert json.loads(r.stdout)["error"]["type"] == "InternalError"
    assert "InternalError" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize(
    "source",
    [
        b"\xff\xfe\x00binary",
        b"",
        b"(" * 5000,
        b"x = 1" + b" + 1" * 3000 + b"\n",
        b"print(2 ** 2 ** 2 ** 2 ** 2 ** 2)\n",
        b"def f():\n" + b"    " * 3000 + b"return 1\n",
        b"\x00\x01\x02",
        b"x = '" + b"a" * 100 + b"\n",
        b"import os\n",
        b"x._secret\n",
        b"class A: pass\n",
    ],
    ids=lambda b: repr(b[:12]),
)
def test_no_input_produces_a_traceback(gradlang, tmp_path: Path, source: bytes) -> None:
    path = tmp_path / "odd.grad"
    path.write_bytes(source)
    r = gradlang("run", str(path))
    assert r.exit_code in (0, 1), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 1:
        assert re.match(r"\S+(:\d+:\d+)?: \w+: ", r.stderr.splitlines()[0]), r.stderr


# -- python -m gradlang -----------------------------------------------------------------------


def test_python_dash_m(tmp_path: Path) -> None:
    p = run_module("--version", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == f"gradlang {__version__}\n"
    p = run_module("run", "--no-report", str(S06), cwd=tmp_path)
    assert p.returncode == 0 and p.stdout == S06.with_suffix(".out").read_text()
    p = run_module("run", "-", input="y = torch.ones(2, requires_grad=True) * 2\ny.backward()\n")
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("<stdin>:2:1: RuntimeError: ")


def test_a_closed_stdout_ends_the_run_quietly(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from .conftest import REPO

    prog = tmp_path / "loud.grad"
    prog.write_text("for i in range(200000):\n    print(i)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradlang", "run", str(prog)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"0\n"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""


def test_max_memory(gradlang) -> None:
    big = "x = torch.zeros(30_000_000)\n"  # 120 MB
    r = gradlang("run", "--no-report", "--max-memory", "64M", "-", input=big)
    assert r.exit_code == 1 and "LimitError" in r.stderr
    ok = gradlang("run", "--no-report", "--max-memory", "64M", "-", input="x = torch.zeros(1000)\n")
    assert ok.exit_code == 0


def test_trace_explains_every_backward(gradlang) -> None:
    r = gradlang("run", "--trace", "--no-report", str(S06))
    assert r.exit_code == 0
    assert r.stdout.startswith("backward from z = 56.")
    assert "x.grad += [ 8., 16., 24.]" in r.stdout
    assert r.stdout.endswith(S06.with_suffix(".out").read_text())


def test_repl_command_takes_the_limits(gradlang) -> None:
    r = gradlang("repl", "--max-steps", "50", input="while True:\n    pass\n\nprint('alive')\n")
    assert r.exit_code == 0
    assert "LimitError" in r.stdout and "alive\n" in r.stdout


def test_to_torch_seed(gradlang) -> None:
    r = gradlang("to-torch", "--seed", "7", "-", input="print(torch.randn(2))\n")
    assert r.exit_code == 0 and "torch.manual_seed(7)" in r.stdout


def test_tour_pause_stops_at_end_of_input(gradlang) -> None:
    r = gradlang("tour", "--pause", input="\n")
    assert r.exit_code == 0
    assert "━━ 2/" in r.stdout and "━━ 3/" not in r.stdout  # one Enter, then end of input


@pytest.mark.parametrize("fmt", ["text", "dot", "svg", "png"])
def test_graph_formats(gradlang, tmp_path: Path, fmt: str) -> None:
    import shutil

    if fmt in ("svg", "png") and shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    out = tmp_path / f"g.{fmt}"
    r = gradlang("graph", str(S06), "--var", "z", "--format", fmt, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    data = out.read_bytes()
    expected = {"text": b"z ", "dot": b"digraph", "svg": b"<?xml", "png": b"\x89PNG"}[fmt]
    assert data.startswith(expected)
    if fmt in ("text", "dot"):
        assert gradlang("graph", str(S06), "--var", "z", "--format", fmt).stdout == data.decode()


def test_graph_of_an_unknown_name_or_a_failing_program(gradlang, program) -> None:
    r = gradlang("graph", str(S06), "--var", "nothing")
    assert r.exit_code == 1 and "global tensors: x, y, z" in r.stderr
    bad = program("x = torch.ones(2, requires_grad=True)\n(x * 2).backward()\n")
    r = gradlang("graph", str(bad), "--var", "x")
    assert r.exit_code == 1 and "RuntimeError" in r.stderr


def test_stdin_that_is_not_utf8(gradlang) -> None:
    r = gradlang("run", "-", input="\udcff".encode("utf-8", "surrogateescape").decode("latin-1"))
    assert r.exit_code in (0, 1) and "Traceback" not in r.output
    p = run_module("run", "-", input="")  # empty stdin: an empty program
    assert p.returncode == 0


def test_to_torch_accepts_every_example(gradlang) -> None:
    refused = [
        str(p) for p in sorted(EXAMPLES.rglob("*.grad")) if gradlang("to-torch", str(p)).exit_code
    ]
    assert refused == []
