"""The REPL survives every attack and keeps its state.

`gradlang repl` runs over a pipe (two sessions, half of the corpus each). Each session
defines `sentinel_value = 1`, then for every attack types it (a one-line attack) or `:load`s
it (a longer one), then `print("after", NAME, sentinel_value)`: every one of those lines must come back as
`after NAME 1`, the session must end normally, with no traceback and no InternalError, and
the session's directory must be left as it was (only `.npy` files may appear).
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hostile.attack_corpus import Attack, load_attacks
from hostile.conftest import Outcome, World, run_gradlang

# Cases that need their own flags (--no-io, a small --timeout) stay in the corpus test, and
# so do the slowest ones (seconds each, hitting limits the other cases hit too).
SLOW = {
    "graph_deep_tools",
    "output_flood",
    "tensor_tolist_bomb",
    "print_shared_lists",
    "repr_shared_lists",
    "nest_unary",
    "nest_subscripts",
    "nest_calls",
    "extend_reversed_bomb",
    "split_bomb",
}
ATTACKS = [a for a in load_attacks() if not a.flags and a.name not in SLOW]
KNOWN_BUGS = {a.name for a in ATTACKS if a.known_bug}
REPL_FLAGS = ["repl", "--timeout", "10", "--max-steps", "300000"]


def body_lines(attack: Attack) -> list[str]:
    return [line for line in attack.source.splitlines() if not line.startswith("#")]


def session_input(attacks: list[Attack]) -> str:
    lines = ["sentinel_value = 1"]
    for attack in attacks:
        body = body_lines(attack)
        if len(body) == 1 and not body[0].rstrip().endswith(":"):
            lines.append(body[0])
        else:
            lines.append(f":load attacks/{attack.name}.grad")
        lines.append(f"print('after', '{attack.name}', sentinel_value)")
    lines.append("print('done', sentinel_value)")
    return "\n".join(lines) + "\n"


def run_session(attacks: list[Attack], root: Path, cache: Path) -> tuple[Outcome, World]:
    world = World(root)
    (world.prog / "attacks").mkdir()
    for attack in attacks:
        shutil.copy(attack.path, world.prog / "attacks" / attack.path.name)
    world.before = world.snapshot()
    out = run_gradlang(
        REPL_FLAGS, world.prog, world=world, cache=cache, input=session_input(attacks), timeout=240
    )
    return out, world


def test_repl_survives_every_attack(tmp_path: Path, parser_cache: Path) -> None:
    halves = [ATTACKS[0::2], ATTACKS[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda ih: run_session(ih[1], tmp_path / f"s{ih[0]}", parser_cache),
                enumerate(halves),
            )
        )
    for attacks, (out, world) in zip(halves, runs):
        assert not out.hung, f"the REPL hung\n{out.describe()}"
        assert out.returncode == 0, out.describe()
        assert not out.traceback, out.describe()
        stdout_lines = set(out.stdout.splitlines())
        missing = [a.name for a in attacks if f"after {a.name} 1" not in stdout_lines]
        assert missing == [], f"the session lost its state after {missing}\n{out.describe()}"
        assert "done 1" in stdout_lines
        transcript = out.stdout + out.stderr  # piped, the REPL shows diagnostics in its transcript
        assert "Traceback (most recent call last)" not in transcript, out.describe()
        internal = transcript.count(": InternalError:")
        known = sum(a.name in KNOWN_BUGS for a in attacks)
        assert internal <= known, f"InternalErrors in the transcript\n{out.describe()}"
        assert world.unexpected_changes() == []


def test_session_input_shape() -> None:
    text = session_input([a for a in ATTACKS if a.name in ("import_os", "recursion")])
    assert text.splitlines()[0] == "sentinel_value = 1"
    assert ":load attacks/recursion.grad" in text
    assert "import os" in text
