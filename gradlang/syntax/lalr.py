"""The runtime LALR(1) parser: runs the tables that tables_build.py had lark compute.

A small, exact re-implementation of what lark does with `parser="lalr", lexer="basic",
propagate_positions=True, maybe_placeholders=True`: the basic lexer (one alternation, first
match wins, keywords re-typed from NAME), the shift/reduce loop, and the tree shaping
(filtered tokens, inlined `_rules`, `?rule` single-child expansion, `[x]` placeholders,
positions propagated from the first and last child, including their "containers").
Trees and tokens never leave gradlang/syntax: the lowering turns them into IR.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any


class Token(str):
    """A lexed token: its text, terminal type and position (1-based line and column)."""

    __slots__ = ("type", "start_pos", "line", "column", "end_line", "end_column", "end_pos")

    type: str
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __new__(
        cls,
        type_: str,
        value: str,
        start_pos: int = 0,
        line: int = 1,
        column: int = 1,
        end_line: int | None = None,
        end_column: int | None = None,
        end_pos: int | None = None,
    ) -> Token:
        self = super().__new__(cls, value)
        self.type = type_
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.end_line = line if end_line is None else end_line
        self.end_column = column if end_column is None else end_column
        self.end_pos = start_pos if end_pos is None else end_pos
        return self

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class Meta:
    """Where a tree's text is, as lark's propagate_positions computes it."""

    __slots__ = (
        "empty",
        "line",
        "column",
        "start_pos",
        "end_line",
        "end_column",
        "end_pos",
        "container_line",
        "container_column",
        "container_start_pos",
        "container_end_line",
        "container_end_column",
        "container_end_pos",
    )

    empty: bool
    line: int  # 0 until positions are known
    column: int
    start_pos: int
    end_line: int  # 0 until positions are known
    end_column: int
    end_pos: int
    container_line: int  # the container_* attributes stay unset until propagated
    container_column: int
    container_start_pos: int
    container_end_line: int
    container_end_column: int
    container_end_pos: int

    def __init__(self) -> None:
        self.empty = True
        self.line = 0
        self.end_line = 0


class Tree:
    """A parse-tree node: rule (or alias) name, children, and meta."""

    __slots__ = ("data", "children", "meta")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children
        self.meta = Meta()

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Tree) and self.data == other.data and self.children == other.children
        )

    __hash__ = None  # type: ignore[assignment]


class UnexpectedCharacters(Exception):
    """No terminal matches the text at `pos_in_stream`."""

    def __init__(self, text: str, pos: int, line: int, column: int) -> None:
        super().__init__(f"No terminal matches {text[pos : pos + 1]!r} at line {line} col {column}")
        self.pos_in_stream = pos
        self.line = line
        self.column = column
        self.char = text[pos : pos + 1]


class ParserState:
    """The stacks of the LALR automaton (read by error messages)."""

    __slots__ = ("state_stack", "value_stack")

    def __init__(self, start: int) -> None:
        self.state_stack = [start]
        self.value_stack: list[Any] = []


class UnexpectedToken(Exception):
    """The parser cannot go on with `token`; `expected` lists the terminals it could take."""

    def __init__(self, token: Token, expected: set[str], state: ParserState) -> None:
        super().__init__(f"Unexpected token {token!r}; expected one of {sorted(expected)}")
        self.token = token
        self.expected = expected
        self.state = state
        self.line = token.line
        self.column = token.column


# -- lexer ------------------------------------------------------------------------------------


class Lexer:
    """lark's basic lexer over precompiled alternations."""

    def __init__(
        self,
        patterns: list[str],
        keywords: dict[str, dict[str, str]],
        ignore: list[str],
        newline_types: list[str],
        regexes: list[re.Pattern[str]] | None = None,
    ) -> None:
        """`regexes`, when given, are the `patterns` already compiled."""
        self.regexes = [re.compile(p) for p in patterns] if regexes is None else regexes
        self.keywords = keywords
        self.ignore = frozenset(ignore)
        self.newline_types = frozenset(newline_types)

    def lex(self, text: str) -> Iterator[Token]:
        pos, line, line_start = 0, 1, 0
        end = len(text)
        regexes, keywords = self.regexes, self.keywords
        ignore, newline_types = self.ignore, self.newline_types
        while pos < end:
            for regex in regexes:
                m = regex.match(text, pos)
                if m:
                    break
            else:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            value = m.group(0)
            kind = m.lastgroup or ""
            start, column = pos, pos - line_start + 1
            start_line = line
            if kind in newline_types:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = pos + value.rindex("\n") + 1
            pos += len(value)
            if kind in ignore:
                continue
            if kind in keywords:
                kind = keywords[kind].get(value, kind)
            yield Token(kind, value, start, start_line, column, line, pos - line_start + 1, pos)


# -- tree building ------------------------------------------------------------------------------


def _make_builder(
    name: str, expand1: bool, include: tuple[tuple[int, bool, int], ...] | None, append_none: int
) -> Callable[[list[Any]], Any]:
    def build(children: list[Any]) -> Any:
        if include is None:
            filtered = children
        else:
            filtered = []
            for i, to_expand, add_none in include:
                if add_none:
                    filtered += [None] * add_none
                if to_expand:
                    if filtered:
                        filtered += children[i].children
                    else:  # left recursion (`x*`): reuse the list, as lark does (else O(n^2))
                        filtered = children[i].children
                else:
                    filtered.append(children[i])
            if append_none:
                filtered += [None] * append_none
        if expand1 and len(filtered) == 1:
            result = filtered[0]
            # lark would propagate [result]'s own positions onto result: nothing changes
            if len(children) == 1 or not isinstance(result, Tree):
                return result
        else:
            result = Tree(name, filtered)
        _propagate(result.meta, children)
        return result

    return build


def _propagate(meta: Meta, children: list[Any]) -> None:
    """lark's PropagatePositions: a node spans from its first child's container (the text
    of a rule inlined into it, parentheses included) to its last child's."""
    first: Any = None
    for c in children:
        if type(c) is Tree:
            if not c.meta.empty:
                first = c.meta
                break
        elif type(c) is Token:
            first = c
            break
    if first is None:
        return
    if type(first) is Token:
        line, column, pos = first.line, first.column, first.start_pos
    else:
        line, column, pos = first.container_line, first.container_column, first.container_start_pos
    if not meta.line:
        meta.line, meta.column, meta.start_pos = line, column, pos
        meta.empty = False
    meta.container_line, meta.container_column, meta.container_start_pos = line, column, pos
    last: Any = None
    for c in reversed(children):
        if type(c) is Tree:
            if not c.meta.empty:
                last = c.meta
                break
        elif type(c) is Token:
            last = c
            break
    if type(last) is Token:
        line, column, pos = last.end_line, last.end_column, last.end_pos
    else:
        line, column = last.container_end_line, last.container_end_column
        pos = last.container_end_pos
    if not meta.end_line:
        meta.end_line, meta.end_column, meta.end_pos = line, column, pos
    meta.container_end_line, meta.container_end_column = line, column
    meta.container_end_pos = pos


def _is_unit(row: list[Any]) -> bool:
    """A `?rule` reduction of one child that keeps it: its builder returns the child as is."""
    _, size, _, expand1, include, nones = row
    keeps = include is None or [list(i) for i in include] == [[0, False, 0]]
    return bool(expand1 and size == 1 and keeps and not nones)


class _Rules(dict[int, tuple[str, int, Callable[[list[Any]], Any], bool]]):
    """Reduction `i` (origin, size, tree builder, is a unit) by index, each made the first
    time the parser reduces by it: a program uses few of the grammar's rules, and making
    all of them was a good part of a first parse."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__()
        self.rows = rows

    def __missing__(self, i: int) -> tuple[str, int, Callable[[list[Any]], Any], bool]:
        row = self.rows[i]
        rule = (row[0], row[1], _make_builder(*row[2:]), _is_unit(row))
        self[i] = rule
        return rule


def pack_states(states: list[dict[str, int]]) -> tuple[list[str], list[bytes]]:
    """The LALR states compactly: the symbols, and per state its (symbol index, action)
    pairs as native 32-bit ints (what `PackedStates` reads back)."""
    symbols = sorted({name for row in states for name in row})
    index = {name: i for i, name in enumerate(symbols)}
    packed = []
    for row in states:
        pairs = [n for name, action in row.items() for n in (index[name], action)]
        buf = memoryview(bytearray(4 * len(pairs))).cast("i")
        for i, n in enumerate(pairs):
            buf[i] = n
        packed.append(buf.tobytes())
    return symbols, packed


class PackedStates(dict[int, dict[str, int]]):
    """The LALR states as `pack_states` keeps them, each state's row (symbol -> action, in
    the table's order) made the first time the parser enters it: loading every row of the
    table was most of loading it, and a program visits a fraction of the states."""

    __slots__ = ("symbols", "packed")

    def __init__(self, symbols: list[str], packed: list[bytes]) -> None:
        super().__init__()
        self.symbols = symbols
        self.packed = packed

    def __missing__(self, i: int) -> dict[str, int]:
        values = memoryview(self.packed[i]).cast("i").tolist()
        symbols = self.symbols
        row = {symbols[values[j]]: values[j + 1] for j in range(0, len(values), 2)}
        self[i] = row
        return row

    def unpacked(self) -> list[dict[str, int]]:
        """Every state's row, as the JSON tables have them."""
        return [self[i] for i in range(len(self.packed))]


# -- parser -------------------------------------------------------------------------------------


class Parser:
    """The LALR(1) automaton with lark's tree building."""

    def __init__(self, tables: Any, regexes: list[re.Pattern[str]] | None = None) -> None:
        """`regexes`: the lexer's `tables.PATTERNS` already compiled (else compiled here)."""
        self.lexer = Lexer(
            tables.PATTERNS, tables.KEYWORDS, tables.IGNORE, tables.NEWLINE_TYPES, regexes
        )
        # a list of rows (tables.json), or PackedStates (tables_cache.py)
        self.states: list[dict[str, int]] | PackedStates = tables.STATES
        self.start_states: dict[str, int] = tables.START_STATES
        self.end_states: dict[str, int] = tables.END_STATES
        self.rules = _Rules(tables.RULES)

    def parse(self, text: str, start: str, postlex: Any = None) -> Any:
        """Parse `text` from rule `start`; `postlex.process` may rewrite the token stream."""
        tokens: Iterator[Token] = self.lexer.lex(text)
        if postlex is not None:
            tokens = postlex.process(tokens)
        state = ParserState(self.start_states[start])
        end_state = self.end_states[start]
        last: Token | None = None
        for token in tokens:
            self._feed(state, token, end_state)
            last = token
        if last is not None:  # like lark: $END borrows the last token's position
            end = Token(
                "$END", "", last.start_pos, last.line, last.column,
                last.end_line, last.end_column, last.end_pos,
            )  # fmt: skip
        else:
            end = Token("$END", "", 0, 1, 1)
        return self._feed(state, end, end_state)

    def _feed(self, state: ParserState, token: Token, end_state: int) -> Any:
        states, rules = self.states, self.rules
        state_stack, value_stack = state.state_stack, state.value_stack
        is_end = token.type == "$END"
        while True:
            row = states[state_stack[-1]]
            action = row.get(token.type)
            if action is None:
                expected = {s for s in row if s.isupper()}
                raise UnexpectedToken(token, expected, state)
            if action >= 0:
                state_stack.append(action)
                value_stack.append(token)
                return None
            origin, size, build, unit = rules[-action - 1]
            if unit:  # `?a: b` hands b's value up unchanged: only the state moves
                state_stack[-1] = states[state_stack[-2]][origin]
                if is_end and state_stack[-1] == end_state:
                    return value_stack[-1]
                continue
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            value = build(children)
            state_stack.append(states[state_stack[-1]][origin])
            value_stack.append(value)
            if is_end and state_stack[-1] == end_state:
                return value_stack[-1]
