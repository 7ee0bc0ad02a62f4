"""The attack corpus: reading the expectations written atop each `attacks/*.grad` file.

Header comments of an attack file:
    # expect: TYPE line N     the run fails with a TYPE diagnostic at line N (exit 1)
    # expect: ok              the run succeeds (exit 0)
    # flags: --timeout 1 ...  extra flags for `gradlang run` (optional)
    # message: TEXT           the diagnostic's message contains TEXT (optional)
    # known-bug: TEXT         a hole found and reported, not fixed yet: the case is xfail
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

ATTACKS = Path(__file__).resolve().parent / "attacks"

_EXPECT = re.compile(r"^#\s*expect:\s*(?:(?P<ok>ok)|(?P<type>\w+) line (?P<line>\d+))\s*$")
_FLAGS = re.compile(r"^#\s*flags:\s*(?P<flags>.*)$")
_MESSAGE = re.compile(r"^#\s*message:\s*(?P<message>.*)$")
_KNOWN_BUG = re.compile(r"^#\s*known-bug:\s*(?P<bug>.*)$")

# Every run: small limits so the whole corpus stays fast (a file's `# flags:` come after
# and win). The default timeout is far above what any case needs.
DEFAULT_FLAGS = ["--no-report", "--timeout", "10", "--max-steps", "300000"]


@dataclass
class Attack:
    name: str
    path: Path
    source: str
    ok: bool
    type_name: str | None
    line: int | None
    flags: list[str] = field(default_factory=list)
    message: str | None = None
    known_bug: str | None = None

    @property
    def args(self) -> list[str]:
        return ["run", *DEFAULT_FLAGS, *self.flags, "attack.grad"]


def parse_attack(path: Path) -> Attack:
    source = path.read_text(encoding="utf-8")
    ok, type_name, line, flags, message, bug = False, None, None, [], None, None
    found = False
    for text in source.splitlines():
        if not text.startswith("#"):
            break
        if m := _EXPECT.match(text):
            found = True
            ok = m["ok"] is not None
            type_name = m["type"]
            line = int(m["line"]) if m["line"] else None
        elif m := _FLAGS.match(text):
            flags = shlex.split(m["flags"])
        elif m := _MESSAGE.match(text):
            message = m["message"].strip()
        elif m := _KNOWN_BUG.match(text):
            bug = m["bug"].strip()
    if not found:
        raise ValueError(f"{path.name}: no '# expect:' line")
    return Attack(path.stem, path, source, ok, type_name, line, flags, message, bug)


def load_attacks() -> list[Attack]:
    return [parse_attack(p) for p in sorted(ATTACKS.glob("*.grad"))]
