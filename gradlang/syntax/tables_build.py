"""Build time: compile grammar/gradlang.lark with lark into plain tables (`tables.json`).

lark computes the LALR(1) automaton, the lexer's terminal order and the tree-shaping of
every rule; this module copies exactly those into a JSON file, so that running a program
needs neither `import lark` nor building or unpickling a parser (json.load takes a few
milliseconds, and needs no .pyc, unlike a big Python literal). `gradlang/syntax/lalr.py` is the small runtime that executes the tables.

Regenerate after editing the grammar (a test fails until you do):

    python -m gradlang.syntax.tables_build
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("tables.json")


def build_tables(text: str) -> dict[str, Any]:
    """Every table the runtime parser needs, computed by lark from the grammar text."""
    import lark
    from lark.parse_tree_builder import maybe_create_child_filter
    from lark.parsers.lalr_analysis import Shift

    parser = lark.Lark(
        text,
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=True,
        start=["file_input", "eval_input"],
    )
    lexer = parser.parser.lexer
    scanner = lexer.scanner  # builds the scanner and lexer.callback (keyword retyping)
    patterns = [mre.pattern for mre in scanner._mres]
    keywords: dict[str, dict[str, str]] = {}
    for name, callback in lexer.callback.items():
        table: dict[str, str] = {}
        for term in callback.scanner.terminals:
            if term.pattern.type != "str" or term.pattern.flags:
                raise ValueError(f"unsupported keyword terminal {term}")
            table[term.pattern.value] = term.name
        keywords[name] = table

    parse_table = parser.parser.parser.parser.parse_table
    # lark numbers states and orders rules differently from run to run; number them in the
    # order a breadth-first walk from the start states meets them, so the file is stable.
    number: dict[int, int] = {}
    order: list[int] = []
    rules: list[Any] = []
    rule_index: dict[Any, int] = {}

    def visit(state: int) -> int:
        if state not in number:
            number[state] = len(order)
            order.append(state)
        return number[state]

    for start in sorted(parse_table.start_states):
        visit(parse_table.start_states[start])
    states: list[dict[str, int]] = []
    i = 0
    while i < len(order):
        row: dict[str, int] = {}
        actions = parse_table.states[order[i]]
        for symbol in sorted(actions):
            action, arg = actions[symbol]
            if action is Shift:
                row[symbol] = visit(arg)
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    rules.append(arg)
                row[symbol] = -(rule_index[arg] + 1)
        states.append(row)
        i += 1
    if len(order) != len(parse_table.states):
        raise ValueError("some parser states are unreachable from the start states")

    rule_rows = []
    for rule in rules:
        options = rule.options
        child_filter = maybe_create_child_filter(
            rule.expansion, options.keep_all_tokens, False, options.empty_indices
        )
        include: tuple[tuple[int, bool, int], ...] | None = None
        append_none = 0
        if child_filter is not None:
            items, *rest = child_filter.args
            include = tuple(
                (item[0], bool(item[1]), item[2] if len(item) > 2 else 0) for item in items
            )
            append_none = rest[0] if rest else 0
        name = rule.alias or options.template_source or rule.origin.name
        expand1 = bool(options.expand1 and not rule.alias)
        rule_rows.append(
            (str(rule.origin.name), len(rule.expansion), str(name), expand1, include, append_none)
        )

    return {
        "GRAMMAR": text.replace("\r\n", "\n"),  # the runtime rebuilds tables when it differs
        "LARK_VERSION": lark.__version__,
        "PATTERNS": patterns,
        "KEYWORDS": keywords,
        "IGNORE": sorted(lexer.ignore_types),
        "NEWLINE_TYPES": sorted(lexer.newline_types),
        "START_STATES": {k: number[v] for k, v in sorted(parse_table.start_states.items())},
        "END_STATES": {k: number[v] for k, v in sorted(parse_table.end_states.items())},
        "RULES": rule_rows,
        "STATES": states,
    }


def render(tables: dict[str, Any]) -> str:
    """The tables as JSON text (one state per line, so diffs stay readable)."""
    head = {k: v for k, v in tables.items() if k not in ("RULES", "STATES")}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, separators=(',', ':'))},")
    for key in ("RULES", "STATES"):
        rows = [json.dumps(row, separators=(",", ":")) for row in tables[key]]
        lines.append(f'"{key}": [')
        lines.append(",\n".join(rows))
        lines.append("]," if key == "RULES" else "]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    from gradlang.resources import grammar_text

    OUTPUT.write_text(render(build_tables(grammar_text())), encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
