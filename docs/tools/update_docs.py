"""Fill the output blocks of the tools' pages from the examples' real runs.

A page marks a block with `<!-- source: examples/tools/NAME.grad -->` (the program) or
`<!-- output: examples/tools/NAME.grad -->` (what `gradlang run --no-report` printed: the
`.out` file beside it, which the tests check against a real run) or
`<!-- trace: PATH -->` (what `gradlang run --trace --no-report PATH` prints, run now),
followed by a fenced block.
Run `python docs/tools/update_docs.py` from the checkout; tests/tools/test_docs.py checks the
pages are current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

REPO = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent
MARK = re.compile(r"(<!-- (source|output|trace): (\S+) -->\n```(\w*)\n)(.*?)(```)", re.S)


def traced(path: str) -> str:
    """What `gradlang run --trace --no-report PATH` prints (run in this process)."""
    from gradlang.session import Session, SessionOptions

    session = Session(SessionOptions(trace=True, warn=lambda _text: None))
    result = session.run_source((REPO / path).read_text(), path)
    return result.output


def block_text(kind: str, path: str) -> str:
    program = REPO / path
    if kind == "trace":
        text = traced(path)
    elif kind == "source":
        text = program.read_text()
    else:
        text = program.with_suffix(".out").read_text()
    return text if text.endswith("\n") else text + "\n"


def render(page: str) -> str:
    return MARK.sub(lambda m: m.group(1) + block_text(m.group(2), m.group(3)) + m.group(6), page)


def main() -> int:
    for page in sorted(PAGES.glob("*.md")):
        text = page.read_text()
        new = render(text)
        if new != text:
            page.write_text(new)
            print(f"updated {page.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
