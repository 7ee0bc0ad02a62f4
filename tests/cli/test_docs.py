"""The README's and the CLI reference's sample sessions are real: each `$ gradlang ...`
block whose files exist is run again and must print the same text."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import REPO

DOCS = [REPO / "README.md", REPO / "docs" / "cli.md"]
BLOCK = re.compile(r"```text\n\$ ((?:printf '[^'\n]*' \| )?gradlang [^\n|]*)\n(.*?)```", re.S)


def _sessions() -> list[tuple[str, str, str]]:
    found = []
    for doc in DOCS:
        for command, output in BLOCK.findall(doc.read_text()):
            args = shlex.split(command.rpartition("| ")[2])[1:]
            files = [a for a in args if a.endswith(".grad")]
            if all((REPO / f).exists() for f in files):
                found.append((doc.name, command, output))
    return found


SESSIONS = _sessions()


def test_the_docs_show_sessions() -> None:
    assert len(SESSIONS) >= 4


@pytest.mark.parametrize("doc, command, expected", SESSIONS, ids=[c for _, c, _ in SESSIONS])
def test_sample_session(doc: str, command: str, expected: str, gradlang, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    feed, _, command = command.rpartition(" | ")
    stdin = shlex.split(feed)[1].encode().decode("unicode_escape") if feed else None
    r = gradlang(*shlex.split(command)[1:], input=stdin)
    assert r.stdout + r.stderr == expected, f"{doc}: {command}"
