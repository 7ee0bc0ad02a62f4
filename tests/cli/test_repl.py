"""The REPL: its pure core, a session over a pipe, and one on a real pseudo-terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from gradlang.repl import HELP, Repl, is_complete, run_piped

from .conftest import EXAMPLES, REPO, run_module


def feed_all(repl: Repl, text: str) -> str:
    """Run `text` through the piped loop; the transcript."""
    import io

    out = io.StringIO()
    run_piped(repl, io.StringIO(text), out)
    return out.getvalue()


# -- the core -------------------------------------------------------------------------


def test_expressions_echo_and_statements_do_not() -> None:
    repl = Repl()
    assert repl.handle("x = torch.tensor([1., 2.], requires_grad=True)") == ""
    assert repl.handle("x * 2") == "tensor([2., 4.], grad_fn=<MulBackward0>)\n"
    assert repl.handle("print('hi')") == "hi\n"  # print returns None: no echo
    assert repl.handle("None") == ""
    assert repl.handle("'a'") == "'a'\n"  # a repr, as Python echoes it
    assert repl.handle("x.shape") == "torch.Size([2])\n"


def test_state_survives_an_error() -> None:
    repl = Repl()
    repl.handle("x = torch.ones(3, requires_grad=True)")
    out = repl.handle("(x * 2).backward()")
    assert out.startswith("<input-2>:1:1: RuntimeError: grad can be implicitly created only")
    assert "  1 | (x * 2).backward()" in out
    out = repl.handle("undefined_name + 1")
    assert "<input-3>:1:1: NameError" in out
    assert repl.handle("x.sum()") == "tensor(3., grad_fn=<SumBackward0>)\n"


def test_an_error_in_a_function_defined_earlier_quotes_the_right_input() -> None:
    repl = Repl()
    repl.handle("def f(t):\n    return t.item()\n")
    out = repl.handle("f(torch.ones(3))")
    assert "<input-1>:2:12: RuntimeError" in out and "  2 |     return t.item()" in out


def test_warnings_are_shown_in_order() -> None:
    repl = Repl()
    repl.handle("x = torch.ones(2, requires_grad=True)\ny = x * 2\n")
    out = repl.handle("print(y.grad)")
    assert "UserWarning: The .grad attribute of a Tensor that is not a leaf" in out
    assert out.endswith("None\n")


def test_meta_commands() -> None:
    repl = Repl()
    assert repl.handle(":help") == HELP
    repl.handle("x = torch.tensor([1., 2.], requires_grad=True)")
    repl.handle("y = (x * x).sum()")
    repl.handle("y.backward()")
    table = repl.handle(":vars").splitlines()
    assert table[0].split()[:3] == ["name", "shape", "dtype"]
    assert table[1].split()[0] == "x" and table[1].endswith("[2., 4.]")
    assert table[2].split()[0] == "y"
    assert repl.handle(":trace on") == "tracing on\n"
    assert repl.handle(":trace off") == "tracing off\n"
    assert repl.handle(":trace").startswith("usage: :trace on|off")
    assert "not a global tensor" in repl.handle(":graph nothing")
    assert "not a global tensor" in repl.handle(":why nothing")
    assert repl.handle(":graph").startswith("usage")
    assert repl.handle(":nope").startswith("unknown command :nope")
    assert repl.handle(":reset").startswith("session reset")
    assert "NameError" in repl.handle("x")
    assert repl.handle(":vars") == "(no global tensors)\n"
    assert not repl.done
    assert repl.handle(":quit") == "" and repl.done


def test_graph_and_why_meta_commands_answer() -> None:
    pytest.importorskip("gradlang.tools.graph_text")
    pytest.importorskip("gradlang.tools.why")
    repl = Repl()
    repl.handle("x = torch.tensor([1., 2.], requires_grad=True)")
    repl.handle("y = x * 2")
    repl.handle("z = y.sum()")
    repl.handle("z.backward()")
    graph = repl.handle(":graph z")
    assert "SumBackward0" in graph and "InternalError" not in graph
    why = repl.handle(":why y")
    assert why.strip() and "InternalError" not in why


def test_load_runs_a_file_in_the_session(tmp_path: Path) -> None:
    path = tmp_path / "defs.grad"
    path.write_text("w = torch.ones(2)\nprint('loaded')\n")
    repl = Repl()
    assert repl.handle(f":load {path}") == "loaded\n"
    assert repl.handle("w + 1") == "tensor([2., 2.])\n"
    assert repl.handle(":load").startswith("usage")
    assert repl.handle(f":load {tmp_path / 'missing.grad'}").startswith("cannot read")


def test_completeness_follows_python() -> None:
    assert is_complete("x = 1")
    assert not is_complete("for i in range(3):")
    assert not is_complete("for i in range(3):\n    print(i)")
    assert is_complete("for i in range(3):\n    print(i)\n")
    assert not is_complete("f(1,")
    assert is_complete("x +")  # invalid: complete, so gradlang reports the error


def test_feed_blocks_and_prompts() -> None:
    repl = Repl()
    assert repl.prompt == ">>> "
    assert repl.feed("for i in range(2):") == ""
    assert repl.prompt == "... "
    assert repl.feed("    print(i)") == ""
    assert repl.feed("") == "0\n1\n"
    assert repl.prompt == ">>> "
    assert repl.feed("t = torch.tensor([1.,") == ""
    assert repl.feed("  2.])") == ""
    assert repl.feed("t") == "tensor([1., 2.])\n"


def test_piped_transcript() -> None:
    text = (
        "x = torch.tensor([1., 2., 3.], requires_grad=True)\n"
        "def f(t):\n"
        "    s = t * 2\n"
        "\n"
        "    return s.sum()\n"
        "y = f(x)\n"
        "y\n"
        "nope\n"
        "y.backward()\n"
        ":quit\n"
        "print('not reached')\n"
    )
    out = feed_all(Repl(), text)
    lines = out.splitlines()
    assert lines[:8] == [
        ">>> x = torch.tensor([1., 2., 3.], requires_grad=True)",
        ">>> def f(t):",
        "...     s = t * 2",
        "... ",
        "...     return s.sum()",
        ">>> y = f(x)",
        ">>> y",
        "tensor(12., grad_fn=<SumBackward0>)",
    ]
    assert lines[8] == ">>> nope"
    assert lines[9].startswith("<input-5>:1:1: NameError")
    assert lines[-2:] == [">>> y.backward()", ">>> :quit"]
    assert "not reached" not in out


# -- over a real pipe ---------------------------------------------------------------------


def test_repl_over_a_pipe() -> None:
    text = "x = torch.ones(2, requires_grad=True)\nx * 3\n1/0\nx.sum()\n:vars\n"
    p = run_module("repl", input=text)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    assert ">>> x * 3\ntensor([3., 3.], grad_fn=<MulBackward0>)\n" in p.stdout
    assert "ZeroDivisionError" in p.stdout
    assert ">>> x.sum()\ntensor(2., grad_fn=<SumBackward0>)\n" in p.stdout
    assert p.stdout.rstrip().splitlines()[-1].split()[0] == "x"


def test_a_program_file_piped_into_the_repl_runs() -> None:
    source = (EXAMPLES / "tutorials" / "02_retain_grad.grad").read_text()
    p = run_module("repl", input=source)
    assert p.returncode == 0
    printed = [line for line in p.stdout.splitlines() if not line.startswith((">>>", "..."))]
    expected = (EXAMPLES / "tutorials" / "02_retain_grad.out").read_text()
    assert printed == expected.splitlines()


# -- on a pseudo-terminal -------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_repl_on_a_terminal(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_DATA_HOME": str(tmp_path),
           "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}  # fmt: skip
    child = pexpect.spawn(
        sys.executable, ["-m", "gradlang"], env=env, encoding="utf-8", timeout=20,
        dimensions=(40, 120),
    )  # fmt: skip
    try:
        child.expect(":quit to leave")
        child.send("weights = torch.tensor([1., 2.], requires_grad=True)\r")
        # completion of a global name, then of a tensor attribute: only if both complete
        # does the line evaluate (to True) instead of raising a NameError
        child.send("weig\t")
        child.send(".requires_g\t")
        child.send(" and 'completed'\r")
        child.expect("'completed'")
        # a multi-line block: Enter inside a block continues it (indented), an empty line
        # ends it
        child.send("for i in range(2):\r")
        child.send("print(i * 10 + 7)\r")
        child.send("\r")
        child.expect("7\r\n")
        child.expect("17\r\n")
        child.send("nope\r")
        child.expect("NameError")
        child.send("weights.sum()\r")  # the session survived the error
        child.expect("tensor\\(3\\., grad_fn=<SumBackward0>\\)")
        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = tmp_path / "gradlang" / "history"
    assert history.exists() and "weights" in history.read_text()


def test_tools_name_repl_inputs_not_line_1() -> None:
    """Every REPL input is its own `<input-K>`: the tools say `input K`, not `line 1`."""
    repl = Repl()
    repl.handle("x = torch.tensor([1.0, 2.0], requires_grad=True)")
    repl.handle("y = (x * x).sum()")
    repl.handle("y.backward()")
    said = repl.handle("why(x)")
    assert "the backward at input 3 (from y)" in said and "line 1" not in said
    failed = repl.handle("y.backward()")
    assert "<input-5>:1:1: RuntimeError" in failed
    assert "hint: The backward at input 3 freed the graph's saved tensors." in failed


def test_place_words() -> None:
    from types import SimpleNamespace

    from gradlang.tools.places import place, repl_input

    assert place(SimpleNamespace(file="prog.grad", line=7)) == "line 7"
    assert place(SimpleNamespace(file=repl_input(4), line=1)) == "input 4"
    assert place(SimpleNamespace(file=repl_input(4), line=3)) == "input 4, line 3"
    assert place(SimpleNamespace(file="<stdin>", line=2)) == "line 2"
    assert place(None) is None
