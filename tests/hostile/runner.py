"""A worker that runs many `gradlang` command lines in one process, for the attack corpus.

Started as `python runner.py` (with the checkout on PYTHONPATH). Reads one JSON job per line
on stdin: {"args": [...], "cwd": DIR, "home": DIR}; for each, runs the click command group
in-process (`cli.main(args, standalone_mode=False)`) in `cwd`, capturing what it writes to
stdout and stderr, and answers one JSON line: {"code", "stdout", "stderr"}. An exception
escaping the command is written to the captured stderr as the Python traceback a user would
have seen. The parent (`pool.py`) watches every job with a watchdog and restarts a worker
that hangs or dies, so one bad case cannot hide the others.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback


def run_job(job: dict[str, object]) -> dict[str, object]:
    import click

    from gradlang.cli import cli

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    os.chdir(str(job["cwd"]))
    os.environ["HOME"] = str(job.get("home") or os.environ.get("HOME", ""))
    os.environ["TMPDIR"] = str(job.get("tmp") or os.environ.get("TMPDIR", "/tmp"))
    stdin = io.StringIO(str(job.get("input") or ""))
    old_stdin = sys.stdin
    sys.stdin = stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main(list(job["args"]), prog_name="gradlang", standalone_mode=False)  # type: ignore[call-overload]
            except SystemExit as exc:
                code = exc.code if exc.code is not None else 0
            except click.ClickException as exc:
                exc.show()
                code = exc.exit_code
            except click.Abort:
                code = 1
            except BaseException:  # what would reach the user as a traceback
                traceback.print_exc(file=err)
                code = "traceback"
    finally:
        sys.stdin = old_stdin
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main() -> None:
    real_stdout = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        result = run_job(json.loads(line))
        real_stdout.write(json.dumps(result) + "\n")
        real_stdout.flush()


if __name__ == "__main__":
    main()
