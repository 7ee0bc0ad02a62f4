"""A small pool of `runner.py` workers with a watchdog per job (see runner.py).

`run_jobs(jobs, workers=2)` runs every job and returns one `Outcome` per job, in order. A job
that does not answer within `watchdog` seconds is recorded as hung (returncode None) and its
worker is killed and replaced; a worker that dies (a crash, the address-space limit) is
recorded as a crash with its stderr, and replaced too.
"""

from __future__ import annotations

import json
import os
import queue
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from hostile.conftest import REPO, Outcome, _limit_child, environment

RUNNER = Path(__file__).resolve().parent / "runner.py"


class Worker:
    def __init__(self, cache: Path | None, env: dict[str, str] | None = None) -> None:
        self.errfile = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errfile,
            env={**environment(None, cache), **(env or {})},
            cwd=str(REPO),
            preexec_fn=_limit_child,
        )
        self.buffer = b""

    def ask(self, job: dict[str, Any], watchdog: float) -> Outcome:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return self._dead(watchdog)
        deadline = time.monotonic() + watchdog
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.kill()
                    return Outcome(None, "", "", watchdog)
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return self._dead(watchdog)
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        data = json.loads(line)
        code = data["code"]
        if code == "traceback":
            code = 1
        return Outcome(
            code if isinstance(code, int) else 1, data["stdout"], data["stderr"], watchdog
        )

    def _dead(self, watchdog: float) -> Outcome:
        self.proc.wait()
        self.errfile.seek(0)
        err = self.errfile.read().decode(errors="replace")
        return Outcome(
            -1000 + (self.proc.returncode or 0),
            "",
            f"worker died ({self.proc.returncode})\n{err}",
            watchdog,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self.errfile.close()


def run_jobs(
    jobs: list[dict[str, Any]], cache: Path | None = None, workers: int = 2, watchdog: float = 60
) -> list[Outcome]:
    """Run `jobs` on `workers` worker processes; one Outcome per job, in order."""
    results: list[Outcome | None] = [None] * len(jobs)
    todo: queue.Queue[int] = queue.Queue()
    for i in range(len(jobs)):
        todo.put(i)

    def work() -> None:
        worker = Worker(cache)
        try:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                if not worker.alive():
                    worker.close()
                    worker = Worker(cache)
                results[i] = worker.ask(jobs[i], watchdog)
                if not worker.alive():
                    worker.close()
                    worker = Worker(cache)
        finally:
            worker.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r if r is not None else Outcome(-2000, "", "never ran", watchdog) for r in results]
