"""Mutation fuzzing: the examples and test programs, broken a little at a time.

Each case takes one real program (examples/**/*.grad, tests/programs/*.grad) and applies one
to four mutations: delete, duplicate or swap lines; delete, duplicate or swap tokens; insert
a character (brackets, quotes, colons, newlines, tabs, backslashes, odd Unicode, ...). The
result goes through the oracle (`oracle.check_source`).
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from fuzz.oracle import check_source, fuzz_settings

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted(
    [*(REPO / "examples").glob("**/*.grad"), *(REPO / "tests" / "programs").glob("*.grad")]
)
TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
TOKEN = re.compile(r"\w+|\S")
CHARS = list("()[]{}:,.;'\"\\#\n\t =+-*/%@<>!^~&|_0123456789eEjxXfrb") + [
    "\r", "\x0c", "\x00", "é", "∑", "\u200b", "\ufeff", "𝔵", "'''", '"""', "    ", "\n    ",
    "__class__", "lambda", "def ", "yield", "**", "9**9**9", "[0]*10**9", "zeros(10**9)",
]  # fmt: skip

OPS = ["del_line", "dup_line", "swap_lines", "del_token", "dup_token", "swap_tokens", "insert"]
Mutation = tuple[str, int, int, str]


def mutate(text: str, mutations: list[Mutation]) -> str:
    for op, a, b, char in mutations:
        if op.endswith("line") or op == "swap_lines":
            lines = text.splitlines(keepends=True)
            if not lines:
                continue
            i, j = a % len(lines), b % len(lines)
            if op == "del_line":
                del lines[i]
            elif op == "dup_line":
                lines.insert(i, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif op == "insert":
            i = a % (len(text) + 1)
            text = text[:i] + char + text[i:]
        else:
            spans = [m.span() for m in TOKEN.finditer(text)]
            if not spans:
                continue
            (s1, e1), (s2, e2) = spans[a % len(spans)], spans[b % len(spans)]
            if op == "del_token":
                text = text[:s1] + text[e1:]
            elif op == "dup_token":
                text = text[:e1] + " " + text[s1:e1] + text[e1:]
            elif (s1, e1) != (s2, e2):
                (s1, e1), (s2, e2) = sorted([(s1, e1), (s2, e2)])
                text = text[:s1] + text[s2:e2] + text[e1:s2] + text[s1:e1] + text[e2:]
    return text


mutations = st.lists(
    st.tuples(
        st.sampled_from(OPS),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.sampled_from(CHARS),
    ),
    min_size=1,
    max_size=4,
)


def test_there_are_seeds() -> None:
    assert len(SEEDS) >= 20


def test_mutate() -> None:
    assert mutate("a = 1\nb = 2\n", [("swap_lines", 0, 1, "")]) == "b = 2\na = 1\n"
    assert mutate("a = 1\n", [("del_token", 1, 0, "")]) == "a  1\n"
    assert mutate("f(x)\n", [("swap_tokens", 0, 2, "")]) == "x(f)\n"
    assert mutate("ab\n", [("insert", 1, 0, "(")]) == "a(b\n"


@fuzz_settings(quick_examples=200)
@given(st.sampled_from(range(len(TEXTS))), mutations)
def test_mutated_programs(seed: int, changes: list[Mutation]) -> None:
    check_source(mutate(TEXTS[seed], changes))


@fuzz_settings(quick_examples=len(TEXTS))
@given(st.sampled_from(range(len(TEXTS))))
def test_seed_programs_hold(seed: int) -> None:
    """The unmutated programs themselves: parse, round-trip, run."""
    check_source(TEXTS[seed])
