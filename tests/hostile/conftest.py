"""Running untrusted programs the way a grader would: `python -m gradlang` in a subprocess,
in a throw-away world of directories, under an address-space limit, with a watchdog.

`World` lays out `root/prog` (the program's own directory, with the files an attack may
try: a legitimate `data.npy`, symlinks leading out, a `.npy` whose header claims 10**12
elements, a pickled array) beside `root/outside` (what must stay untouched), and a private
HOME and TMPDIR. `World.changes()` lists every difference since it was made, and
`World.unexpected_changes()` those that are not a regular `.npy` file written in `prog/`.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
ADDRESS_SPACE = 6 * 1024**3  # a child that tries to allocate more gets MemoryError, not the box
DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<type>\w+): (?P<message>.*)$"
)

Snapshot = dict[str, tuple[str, int, str]]


def _limit_child() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def environment(world: World | None, cache: Path | None) -> dict[str, str]:
    """A clean environment: the checkout on PYTHONPATH, a private HOME and TMPDIR."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "PYTHONHASHSEED")
    }
    env["PYTHONPATH"] = str(REPO)
    env["NO_COLOR"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if world is not None:
        env["HOME"] = str(world.root / "home")
        env["TMPDIR"] = str(world.root / "tmp")
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


@dataclass
class Outcome:
    """What one run of `python -m gradlang ...` did."""

    returncode: int | None  # None: killed by the watchdog
    stdout: str
    stderr: str
    seconds_limit: float

    @property
    def hung(self) -> bool:
        return self.returncode is None

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr

    def diagnostic(self) -> re.Match[str] | None:
        """The first `FILE:LINE:COL: Type: message` line on stderr."""
        for line in self.stderr.splitlines():
            match = DIAGNOSTIC.match(line)
            if match:
                return match
        return None

    def describe(self) -> str:
        return (
            f"exit {self.returncode}\n--- stdout (end) ---\n{self.stdout[-1500:]}\n"
            f"--- stderr (end) ---\n{self.stderr[-3000:]}"
        )


def run_gradlang(
    args: list[str],
    cwd: Path,
    *,
    world: World | None = None,
    cache: Path | None = None,
    input: str | None = None,
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> Outcome:
    """`python -m gradlang ARGS` in `cwd`, under the address-space limit and a watchdog."""
    env = environment(world, cache)
    env.update(extra_env or {})
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gradlang", *args],
            cwd=cwd,
            env=env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_child,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        return Outcome(None, out, err, timeout)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, timeout)


# ---------------------------------------------------------------------------------------
# The world an attack runs in


def write_npy_header(path: Path, header: str, body: bytes = b"\0" * 16) -> None:
    """A .npy file with the given header dictionary (not checked) and body."""
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        f.write(body)


def write_huge_header(path: Path) -> None:
    """A valid .npy header claiming 10**12 float32 elements, followed by 16 bytes."""
    write_npy_header(
        path, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    )


class World:
    """A temporary directory tree for one untrusted run, and its snapshot."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prog = root / "prog"
        self.outside = root / "outside"
        dirs = (self.prog, self.outside, root / "home", root / "tmp", self.prog / "sub")
        for d in (*dirs, self.prog / "dir.npy"):
            d.mkdir(parents=True, exist_ok=True)
        np.save(self.outside / "secret.npy", np.arange(4, dtype=np.float32))
        (self.outside / "notes.txt").write_text("keep me\n")
        np.save(self.prog / "data.npy", np.array([1.0, 2.0, 3.0], dtype=np.float32))
        np.save(self.prog / "pickled.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
        write_huge_header(self.prog / "huge.npy")
        write_npy_header(
            self.prog / "code.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (__import__('os').system('id'),), }",
        )
        write_npy_header(
            self.prog / "truncated.npy",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }",
        )
        (self.prog / "not_npy.npy").write_text("this is not an npy file\n")
        os.symlink("../outside", self.prog / "link_out")
        os.symlink("../outside/secret.npy", self.prog / "evil.npy")
        os.symlink("/etc/passwd", self.prog / "passwd.npy")
        os.symlink(str(self.outside / "planted.npy"), self.prog / "dangling.npy")
        self.before = self.snapshot()

    def snapshot(self) -> Snapshot:
        """Every path under root: (kind, size, content digest or link target)."""
        state: Snapshot = {}
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            for name in dirnames + filenames:
                path = Path(dirpath) / name
                rel = str(path.relative_to(self.root))
                if path.is_symlink():
                    state[rel] = ("link", 0, os.readlink(path))
                elif path.is_dir():
                    state[rel] = ("dir", 0, "")
                else:
                    data = path.read_bytes()
                    state[rel] = ("file", len(data), hashlib.sha256(data).hexdigest())
        return state

    def changes(self) -> list[str]:
        after = self.snapshot()
        changed = [p for p in set(after) | set(self.before) if after.get(p) != self.before.get(p)]
        return sorted(changed)

    def unexpected_changes(self) -> list[str]:
        """Changes other than a new or rewritten regular `.npy` file directly in prog/."""
        after = self.snapshot()
        bad = []
        for path in self.changes():
            allowed = (
                path.startswith("prog/")
                and path.endswith(".npy")
                and path in after
                and after[path][0] == "file"
                and self.before.get(path, ("file",))[0] == "file"
            )
            if not allowed:
                bad.append(path)
        return bad


@pytest.fixture(scope="session")
def parser_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One XDG cache shared by every child (the parser's tables are built once)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path / "world")
