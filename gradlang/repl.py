"""The REPL: a pure core (`Repl.feed` / `Repl.handle`) around a `Session`, and two loops.

`Repl.handle(text)` runs one complete input (a statement, a block, or a `:command`) and
returns everything to show, in order: program output, warnings, the echoed value of an
expression, or the diagnostic of an error (the session goes on). `Repl.feed(line)` takes
one line at a time and knows when an input is complete (as Python's REPL does: a block
ends with an empty line, brackets and strings must close).

On a terminal the loop uses prompt_toolkit (history under the user's data directory,
multi-line editing, completion of names, builtins and attributes, Python syntax colour
unless NO_COLOR). With piped input it reads lines as they come and writes a transcript:
each input line after its prompt (`>>> ` or `... `), then its output.
"""

from __future__ import annotations

import codeop
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from gradlang import __version__
from gradlang.diagnostics import render, render_internal
from gradlang.session import RunResult, Session, SessionOptions
from gradlang.tools import report
from gradlang.tools.places import repl_input

BANNER = "gradlang {version}: PyTorch-style autograd you can see. :help for help, :quit to leave."
PROMPT = ">>> "
CONTINUATION = "... "

HELP = """\
Type gradlang (PyTorch-style Python) at the prompt; an expression echoes its value.
A block (if/for/while/def/with) ends with an empty line. Tab completes names and attributes.
gradlang's tools are functions too: show(x), graph(loss), explain(loss), why(x).

Meta-commands:
  :help              this text
  :vars              the report: every global tensor with its flags and gradient
  :graph NAME        the backward graph of tensor NAME
  :why NAME          why NAME.grad is what it is
  :trace on|off      trace every backward pass step by step
  :reset             forget every name
  :load FILE         run FILE in this session (its names stay defined)
  :quit              leave (also Ctrl-D)
"""

META_COMMANDS = (":help", ":vars", ":graph", ":why", ":trace", ":reset", ":load", ":quit")

_BLOCK_CONTINUES = re.compile(r"(else|elif|except|finally)\b")


def _strip_comment(line: str) -> str:
    """The line without a trailing `#` comment (a rough cut that respects simple strings)."""
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def is_complete(source: str) -> bool:
    """Whether `source` is a whole input (Python's rule: codeop; invalid code is complete)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return codeop.compile_command(source, "<input>", "single") is not None
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return True


class Repl:
    """The REPL's state machine: lines in, text out. No terminal, no I/O of its own."""

    def __init__(self, session: Session | None = None, color: bool = False) -> None:
        self.session = session or Session()
        self.color = color
        self.buffer: list[str] = []
        self.count = 0
        self.done = False
        self._chunks: list[str] = []
        self.session.options.echo = self._chunks.append
        self.session.options.warn = self._warn
        _record_history()

    def _warn(self, text: str) -> None:
        self._chunks.append(text if text.endswith("\n") else text + "\n")

    # -- line by line -----------------------------------------------------------------

    @property
    def prompt(self) -> str:
        return CONTINUATION if self.buffer else PROMPT

    def feed(self, line: str, next_line: str | None = None) -> str:
        """Take one line; run the input when it is complete. Returns the text to show.

        `next_line` (when the caller can look ahead, as with piped input) lets a blank
        line inside a block, followed by more indented lines, keep the block open.
        """
        line = line.rstrip("\r\n")
        out = self.close_before(line)
        if not self.buffer:
            if not line.strip():
                return out
            if line.lstrip().startswith(":"):
                return out + self.handle(line)
        self.buffer.append(line)
        if not line.strip() and next_line is not None:
            if next_line.strip() and next_line[:1].isspace():
                return out
        if is_complete("\n".join(self.buffer)):
            out += self._flush()
        return out

    def close_before(self, line: str) -> str:
        """Run the open input first if `line` cannot continue it (a dedented line after a
        complete block: handy for piped programs, an error in Python's REPL)."""
        if (
            self.buffer
            and line.strip()
            and not line[:1].isspace()
            and not _BLOCK_CONTINUES.match(line)
            and is_complete("\n".join(self.buffer) + "\n")
        ):
            return self._flush()
        return ""

    def _flush(self) -> str:
        source = "\n".join(self.buffer)
        self.buffer = []
        return self.handle(source)

    def finish(self) -> str:
        """End of input: run whatever is still buffered."""
        return self._flush() if self.buffer else ""

    # -- one complete input -----------------------------------------------------------

    def handle(self, text: str) -> str:
        """Run one complete input or meta-command; everything to show, newline-ended."""
        stripped = text.strip()
        if not stripped:
            return ""
        if stripped.startswith(":"):
            return self._meta(stripped)
        self.count += 1
        result = self.session.run_source(
            text + ("" if text.endswith("\n") else "\n"),
            repl_input(self.count),
            interactive=True,
        )
        return self._show(result, echo=True)

    def _show(self, result: RunResult, echo: bool) -> str:
        chunks, self._chunks[:] = list(self._chunks), []
        out = "".join(chunks)
        if out and not out.endswith("\n"):
            out += "\n"
        if result.error is not None:
            out += render(result.error, self.session.sources, color=self.color)
        elif result.internal is not None:
            out += render_internal(result.internal, color=self.color)
        elif echo and result.has_value and result.value is not None:
            try:
                out += self.session.format_value(result.value) + "\n"
            except Exception as exc:  # a broken repr is a bug in gradlang, not the user's
                out += render_internal(exc, color=self.color)
        return out

    # -- meta-commands ----------------------------------------------------------------

    def _meta(self, text: str) -> str:
        command, _, arg = text.partition(" ")
        arg = arg.strip()
        handlers: dict[str, Callable[[str], str]] = {
            ":help": lambda _a: HELP,
            ":h": lambda _a: HELP,
            ":vars": self._vars,
            ":graph": self._graph,
            ":why": self._why,
            ":trace": self._trace,
            ":reset": self._reset,
            ":load": self._load,
            ":quit": self._quit,
            ":q": self._quit,
            ":exit": self._quit,
        }
        handler = handlers.get(command)
        if handler is None:
            return f"unknown command {command}; :help lists the commands\n"
        try:
            return handler(arg)
        except Exception as exc:
            if self.session.options.debug:
                raise
            return render_internal(exc, color=self.color)

    def _vars(self, _arg: str) -> str:
        return report.table(self.session.global_tensors(), self.color)

    def _tensor(self, name: str, command: str) -> tuple[Any, str]:
        if not name:
            return None, f"usage: {command} NAME\n"
        tensors = dict(self.session.global_tensors())
        if name not in tensors:
            known = ", ".join(tensors) or "none yet"
            return None, f"{name} is not a global tensor (global tensors: {known})\n"
        return tensors[name], ""

    def _graph(self, name: str) -> str:
        tensor, problem = self._tensor(name, ":graph")
        if problem:
            return problem
        from gradlang.tools.graph_text import render_text

        text = render_text(tensor, self.session.names())
        return text if text.endswith("\n") else text + "\n"

    def _why(self, name: str) -> str:
        tensor, problem = self._tensor(name, ":why")
        if problem:
            return problem
        from gradlang.tools.why import explain_why

        text = explain_why(
            tensor,
            names=self.session.names(),
            source_line=self.session.source_line,
            sources=self.session.sources,
        )
        return text if text.endswith("\n") else text + "\n"

    def _trace(self, arg: str) -> str:
        if arg not in ("on", "off"):
            state = "on" if self.session.options.trace else "off"
            return f"usage: :trace on|off (tracing is {state})\n"
        self.session.set_trace(arg == "on")
        return f"tracing {arg}\n"

    def _reset(self, _arg: str) -> str:
        self.session.reset()
        return "session reset: every name is forgotten\n"

    def _load(self, arg: str) -> str:
        if not arg:
            return "usage: :load FILE\n"
        path = Path(os.path.expanduser(arg))
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"cannot read {arg}: {getattr(exc, 'strerror', None) or exc}\n"
        result = self.session.run_source(source, arg)
        return self._show(result, echo=False)

    def _quit(self, _arg: str) -> str:
        self.done = True
        return ""


def _record_history() -> None:
    """Let `:why` know about the backward passes the session runs."""
    try:
        from gradlang.tools.history import install
    except ImportError:  # pragma: no cover - the tools are part of gradlang
        return
    install()


# ---------------------------------------------------------------------------------------
# The loops


def run_piped(repl: Repl, lines: Iterable[str], out: TextIO) -> int:
    """Read lines (no terminal); write a transcript: each line after its prompt, then output."""
    iterator = iter(lines)
    line = next(iterator, None)
    while line is not None:
        following: str | None = None
        looked = False
        if repl.buffer and not line.strip():
            # Only a blank line inside an open input needs the next line to decide.
            following, looked = next(iterator, None), True
        out.write(repl.close_before(line))
        out.write(repl.prompt + line.rstrip("\r\n") + "\n")
        out.write(repl.feed(line, following))
        out.flush()
        if repl.done:
            return 0
        line = following if looked else next(iterator, None)
    out.write(repl.finish())
    out.flush()
    return 0


def history_path() -> Path:
    """Where the REPL keeps its history: $XDG_DATA_HOME/gradlang/history (or ~/.local/share)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return Path(base) / "gradlang" / "history"


def completion_words(session: Session) -> tuple[list[str], dict[str, list[str]]]:
    """(names, attributes by owner) for tab completion: globals, builtins, torch/F/tensor."""
    from gradlang.autograd import api
    from gradlang.autograd.tensor import Tensor
    from gradlang.torch_script import BARE_NAMES, DISPATCHED

    names = list(session.global_names())
    names += list(getattr(session.interpreter(), "builtins", {}))
    names += ["torch", "F", "print", "range", "len", "float", "int", "bool", "str", "list"]
    names += ["tuple", "enumerate", "zip", "True", "False", "None", *DISPATCHED, *BARE_NAMES]
    names = [n for n in names if not n.startswith("_")]
    tensor_attributes = sorted(Tensor.PUBLIC_ATTRIBUTES)
    attributes: dict[str, list[str]] = {
        "torch": sorted(n for n in api.TORCH if "." not in n),
        "F": sorted(api.FUNCTIONAL),
    }
    for name, _ in session.global_tensors():
        attributes[name] = tensor_attributes
    return sorted(set(names)), attributes


def _prompt_session(repl: Repl, color: bool) -> Any:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.key_binding import KeyBindings

    class GradlangCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            before = document.text_before_cursor
            if before.lstrip().startswith(":") and " " not in before.strip():
                word = before.strip()
                for command in META_COMMANDS:
                    if command.startswith(word):
                        yield Completion(command, start_position=-len(word))
                return
            match = re.search(r"([A-Za-z_][\w]*)\.(\w*)$", before)
            names, attributes = completion_words(repl.session)
            if match:
                owner, word = match.group(1), match.group(2)
                for attr in attributes.get(owner, []):
                    if attr.startswith(word) and not attr.startswith("_"):
                        yield Completion(attr, start_position=-len(word))
                return
            match = re.search(r"[A-Za-z_]\w*$", before)
            word = match.group(0) if match else ""
            if not word:
                return
            for name in names:
                if name.startswith(word):
                    yield Completion(name, start_position=-len(word))

    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event: Any) -> None:
        buffer = event.current_buffer
        text = buffer.text
        lines = text.split("\n")
        block = _strip_comment(lines[0]).rstrip().endswith(":")
        if not text.strip() or text.strip().startswith(":"):
            buffer.validate_and_handle()
        elif len(lines) > 1 and not lines[-1].strip():
            buffer.validate_and_handle()  # an empty line ends a block, as in Python
        elif not block and is_complete(text):
            buffer.validate_and_handle()
        else:
            indent = re.match(r"\s*", lines[-1]).group(0)  # type: ignore[union-attr]
            if _strip_comment(lines[-1]).rstrip().endswith(":"):
                indent += "    "
            buffer.insert_text("\n" + indent)

    try:
        path = history_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        history: Any = FileHistory(str(path))
    except OSError:
        history = InMemoryHistory()
    lexer = None
    if color:
        from prompt_toolkit.lexers import PygmentsLexer
        from pygments.lexers.python import PythonLexer

        lexer = PygmentsLexer(PythonLexer)
    return PromptSession(
        message=PROMPT,
        multiline=True,
        prompt_continuation=lambda _width, _line, _soft: CONTINUATION,
        key_bindings=bindings,
        completer=GradlangCompleter(),
        complete_while_typing=False,
        history=history,
        lexer=lexer,
        color_depth=None if color else _no_color_depth(),
        include_default_pygments_style=color,
    )


def _no_color_depth() -> Any:
    from prompt_toolkit.output.color_depth import ColorDepth

    return ColorDepth.DEPTH_1_BIT


def run_terminal(repl: Repl, color: bool) -> int:
    """The interactive loop on a terminal (prompt_toolkit)."""
    prompt = _prompt_session(repl, color)
    print(BANNER.format(version=__version__))
    while not repl.done:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            output = repl.handle(text)
        except KeyboardInterrupt:
            output = "KeyboardInterrupt\n"
        sys.stdout.write(output)
        sys.stdout.flush()
    return 0


def main(options: SessionOptions | None = None, color: bool = False) -> int:
    """Start the REPL: prompt_toolkit on a terminal, a transcript over a pipe."""
    session = Session(options or SessionOptions())
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    repl = Repl(session, color=color and interactive)
    if interactive:
        return run_terminal(repl, color and not os.environ.get("NO_COLOR"))
    return run_piped(repl, sys.stdin, sys.stdout)
