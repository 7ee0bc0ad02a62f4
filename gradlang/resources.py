"""Where gradlang's data files are, both in a source checkout and in an installed wheel.

The wheel force-includes `grammar/gradlang.lark` as `gradlang/grammar/gradlang.lark` and
`examples/` as `gradlang/examples/`; a checkout keeps them at the repository root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[0]


def grammar_path() -> Path:
    """The path of `gradlang.lark` (installed copy first, then the checkout's)."""
    return _first_existing(
        PACKAGE_DIR / "grammar" / "gradlang.lark",
        REPO_ROOT / "grammar" / "gradlang.lark",
    )


def grammar_text() -> str:
    """The grammar's source text."""
    return grammar_path().read_text(encoding="utf-8")


def examples_dir() -> Path:
    """The directory of example programs (installed copy first, then the checkout's)."""
    return _first_existing(PACKAGE_DIR / "examples", REPO_ROOT / "examples")
