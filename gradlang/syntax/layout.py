"""The postlexer: Python's layout rules between lark's lexer and its LALR parser.

It turns the indentation after each `_NEWLINE` into `_INDENT`/`_DEDENT` tokens, drops
newlines inside brackets (implicit line joining), checks that brackets match, and limits
nesting. It keeps what it saw last in a `LayoutState`, which the parser's error messages
read ("'(' was never closed", "Perhaps you forgot a comma?").
"""

from __future__ import annotations

from collections.abc import Iterator

from gradlang.syntax.lalr import Token

MAX_BRACKETS = 100
MAX_INDENTS = 100

OPENERS = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
CLOSERS = {"RPAR", "RSQB", "RBRACE"}


class LayoutError(Exception):
    """A layout mistake found by the postlexer; the parser turns it into a SyntaxError."""

    def __init__(self, message: str, line: int, column: int, width: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.width = width


class LayoutState:
    """What the postlexer has seen so far in one parse."""

    __slots__ = ("open_brackets", "previous", "current")

    def __init__(self) -> None:
        self.open_brackets: list[Token] = []
        self.previous: Token | None = None
        self.current: Token | None = None


def indentation_width(text: str, tab: int = 8) -> int:
    """Columns taken by leading whitespace; a tab advances to the next multiple of `tab`."""
    width = 0
    for ch in text:
        if ch == "\t":
            width = (width // tab + 1) * tab
        elif ch == "\f":
            width = 0
        else:
            width += 1
    return width


def _marker(kind: str, value: str, line: int, column: int, pos: int) -> Token:
    return Token(kind, value, pos, line, column, line, column, pos)


class GradlangIndenter:
    """A postlexer after lark's Indenter, with per-parse state, bracket matching and
    nesting limits."""

    def __init__(self) -> None:
        self.state = LayoutState()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self.state = LayoutState()
        return self._layout(stream, self.state)

    def _layout(self, stream: Iterator[Token], state: LayoutState) -> Iterator[Token]:
        indents = [0]
        alt_indents = [0]  # the same with tabs of width 1: Python's check for mixed tabs
        brackets = state.open_brackets
        last: Token | None = None
        for tok in stream:
            if tok.type == "_NEWLINE":
                if brackets:
                    continue
                state.previous, state.current = state.current, tok
                yield tok
                if "\n" not in tok:
                    continue
                indent_text = tok.rsplit("\n", 1)[1]
                width = indentation_width(indent_text)
                alt = indentation_width(indent_text, 1)
                line, column = tok.end_line or 1, tok.end_column or 1
                pos = tok.end_pos or 0
                if (width > indents[-1]) != (alt > alt_indents[-1]) or (width == indents[-1]) != (
                    alt == alt_indents[-1]
                ):
                    raise LayoutError(
                        "inconsistent use of tabs and spaces in indentation", line, column
                    )
                if width > indents[-1]:
                    if len(indents) > MAX_INDENTS:
                        raise LayoutError(
                            "too deeply nested: too many levels of indentation", line, column
                        )
                    indents.append(width)
                    alt_indents.append(alt)
                    yield _marker("_INDENT", "", line, column, pos)
                    continue
                start_line, start_column = tok.line or 1, tok.column or 1
                start = tok.start_pos or 0
                while width < indents[-1]:
                    indents.pop()
                    alt_indents.pop()
                    yield _marker("_DEDENT", "", start_line, start_column, start)
                if width != indents[-1]:
                    raise LayoutError(
                        "unindent does not match any outer indentation level", line, column
                    )
                continue
            if last is None and tok.column is not None and tok.column > 1:
                raise LayoutError("unexpected indent", tok.line or 1, tok.column)
            if tok.type in OPENERS:
                if len(brackets) >= MAX_BRACKETS:
                    raise LayoutError(
                        f"too deeply nested: more than {MAX_BRACKETS} nested brackets",
                        tok.line or 1,
                        tok.column or 1,
                    )
                brackets.append(tok)
            elif tok.type in CLOSERS:
                if not brackets:
                    raise LayoutError(f"unmatched '{tok}'", tok.line or 1, tok.column or 1)
                opener = brackets.pop()
                if OPENERS[opener.type] != tok.type:
                    where = f" on line {opener.line}" if opener.line != tok.line else ""
                    raise LayoutError(
                        f"closing parenthesis '{tok}' does not match opening parenthesis "
                        f"'{opener}'{where}",
                        tok.line or 1,
                        tok.column or 1,
                    )
            state.previous, state.current = state.current, tok
            last = tok
            yield tok
        if brackets:
            opener = brackets[-1]
            raise LayoutError(f"'{opener}' was never closed", opener.line or 1, opener.column or 1)
        end_line = last.end_line if last is not None and last.end_line else 1
        end_column = last.end_column if last is not None and last.end_column else 1
        end_pos = last.end_pos if last is not None and last.end_pos else 0
        while len(indents) > 1:
            indents.pop()
            alt_indents.pop()
            yield _marker("_DEDENT", "", end_line, end_column, end_pos)
