"""The entry point of the `gradlang` script and of `python -m gradlang`:
a plain run without click.

A plain `gradlang [--debug] [--color MODE] run [OPTIONS] FILE|-` whose every option this
module can read with certainty runs at once, without importing click (≈ 10 ms of a run's
start-up, with the `inspect`, `uuid`, `gettext` it pulls in). Any other command line (help,
another command, `--`, an unknown or malformed option, a value click would refuse) goes to
the click group (`gradlang.cli.click_main`), so help, usage errors and their messages are
click's alone. Both ways print the same bytes and exit with the same code: the run itself is
`gradlang.cli_run.run_command`, which the click command calls too, and what escapes it is
handled as click's standalone mode does.

This module imports nothing heavy until it knows the command line is a plain run; then it
imports the run's modules with the cyclic GC off and freezes them (`_import_run_modules`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import Any

# ---------------------------------------------------------------------------------------
# The command line of a plain `run`, read without click


def parse_size(value: str) -> int:
    """`--max-memory`'s bytes from `256M`, `1G`, `1000000`...; ValueError says what is wrong."""
    units = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}
    text = value.strip().upper().removesuffix("B").removesuffix("I")
    unit = text[-1] if text and text[-1] in "KMG" else ""
    number = text[: len(text) - len(unit)]
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise ValueError(f"{value!r} is not a size (e.g. 256M, 1G, 1000000)") from None
    if size <= 0:
        raise ValueError("must be positive")
    return size


def _int(text: str) -> int:  # click.INT, for the texts `int` reads alike: [+-]?[0-9]+
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(text)
    return int(text)


def _count(text: str) -> int:  # click.IntRange(min=1)
    value = _int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _seconds(text: str) -> float:  # click.FloatRange(min=0, min_open=True), for [0-9.]+
    whole, _, fraction = text.partition(".")
    if not (text.isascii() and (whole + fraction).isdigit()):
        raise ValueError(text)
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


#: `run`'s flags and valued options (as declared in `gradlang.cli`), by their one spelling.
_RUN_FLAGS = {"--json": "as_json", "--no-report": "no_report", "--trace": "trace",
              "--no-io": "no_io"}  # fmt: skip
_RUN_VALUES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--seed": ("seed", _int),
    "--max-steps": ("max_steps", _count),
    "--max-elements": ("max_elements", _count),
    "--max-memory": ("max_memory", parse_size),
    "--max-depth": ("max_depth", _count),
    "--timeout": ("timeout", _seconds),
}
_COLORS = ("auto", "always", "never")


def parse_run(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(color mode, the `run` command's values as click would pass them) for a plain
    `[--debug] [--color MODE] run [OPTIONS] FILE|-`, or None for anything else (help, other
    commands, `--`, an unknown, repeated-in-a-way-click-rejects or malformed option, an
    extra argument, a value click would refuse): click must read those."""
    color = "auto"
    i = 0
    while i < len(args) and args[i] != "run":
        arg = args[i]
        if arg == "--debug":
            i += 1
            continue
        if arg == "--color" and i + 1 < len(args):
            value, i = args[i + 1], i + 2
        elif arg.startswith("--color="):
            value, i = arg.removeprefix("--color="), i + 1
        else:
            return None
        if value not in _COLORS:
            return None
        color = value
    if i == len(args):
        return None
    values: dict[str, Any] = dict.fromkeys(_RUN_FLAGS.values(), False)
    values.update(dict.fromkeys(name for name, _ in _RUN_VALUES.values()))
    values["seed"] = 0
    rest = args[i + 1 :]
    j = 0
    while j < len(rest):
        arg = rest[j]
        j += 1
        if arg == "-" or not arg.startswith("-"):
            if "file" in values:
                return None  # click: "Got unexpected extra argument"
            values["file"] = arg
            continue
        if arg in _RUN_FLAGS:
            values[_RUN_FLAGS[arg]] = True
            continue
        if arg in _RUN_VALUES:
            if j == len(rest):
                return None
            text = rest[j]  # click takes the next word as the value, whatever it is
            j += 1
        elif arg.startswith("--") and arg.partition("=")[0] in _RUN_VALUES:
            arg, _, text = arg.partition("=")
        else:
            return None  # `--`, -h/--help, unknown options, `--json=...`
        name, convert = _RUN_VALUES[arg]
        try:
            values[name] = convert(text)
        except Exception:  # click reports it (or, for `--max-memory inf`, fails as it does)
            return None
    if "file" not in values:
        return None
    return color, values


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: a plain `run` at once, anything else through click."""
    args = sys.argv[1:] if argv is None else list(argv)
    plain = parse_run(args)
    if plain is None or os.name == "nt" or os.environ.get("_GRADLANG_COMPLETE"):
        # Windows expands wildcards in argv for click; completion requests are click's too
        from gradlang.cli import click_main

        click_main(argv)
        return
    _import_run_modules()
    from gradlang.cli_run import debug_requested, guarded, run_command, set_color_mode

    color, values = plain
    set_color_mode(color)
    debug = debug_requested(argv)
    kw = dict(values)
    file, as_json = kw.pop("file"), kw.pop("as_json")
    no_report, trace = kw.pop("no_report"), kw.pop("trace")

    def command() -> None:
        run_command(file, as_json, no_report, trace, kw, debug)

    guarded(lambda: _as_click_would(command), lambda: debug)


def _import_run_modules() -> None:
    """Import what a run needs (numpy, the engine, the parser, the runtime) with the cyclic
    GC off, then move every object there is to the GC's permanent generation (`gc.freeze`):
    no collection walks those again, neither during the run nor the several Python runs
    while shutting down (which would also free every class and function one by one; the
    operating system takes the memory back at once). Only their collection changes: the few
    hundred objects the imports leave as garbage stay until exit, and gradlang has no
    `__del__`. The seed example: 669 → 613 million instructions (callgrind), ≈ 12 ms CPU."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        import gradlang.cli_run  # noqa: F401
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _as_click_would(command: Callable[[], object]) -> None:
    """What click's standalone mode does with what escapes a command: Ctrl-C and EOFError
    print `Aborted!` and exit 1; a broken pipe exits 1 with both streams pacified."""
    try:
        command()
    except (EOFError, KeyboardInterrupt):
        for text in ("\n", "Aborted!\n"):
            sys.stderr.write(text)
            sys.stderr.flush()
        sys.exit(1)
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        from click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        sys.exit(1)
