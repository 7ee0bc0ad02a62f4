"""Turning parse errors into SyntaxErrors a person understands.

The parser says "Unexpected token Token('EQUAL', '=') ... Expected one of: COLON"; people need
"cannot assign here; did you mean '=='?" at the `=`, "'(' was never closed" at the bracket,
"expected an indented block after 'if' statement on line 3". The messages follow Python
3.11's where Python has one.
"""

from __future__ import annotations

from gradlang.errors import GradlangError, Span
from gradlang.syntax.checks import token_span
from gradlang.syntax.lalr import Token, UnexpectedCharacters, UnexpectedToken
from gradlang.syntax.layout import LayoutError, LayoutState

_BLOCK_OPENERS = {
    "IF": "'if' statement",
    "ELIF": "'elif' statement",
    "ELSE": "'else' statement",
    "FOR": "'for' statement",
    "WHILE": "'while' statement",
    "WITH": "'with' statement",
    "DEF": "function definition",
    "CLASS": "class definition",
    "TRY": "'try' statement",
    "EXCEPT": "'except' statement",
    "FINALLY": "'finally' statement",
}

_KEYWORDS = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
    "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
    "try", "while", "with", "yield",
}  # fmt: skip

_ATOM_TYPES = {"NAME", "STRING", "DEC_NUMBER", "HEX_NUMBER", "OCT_NUMBER", "BIN_NUMBER",
               "FLOAT_NUMBER", "IMAG_NUMBER", "RPAR", "RSQB", "NONE", "TRUE", "FALSE"}  # fmt: skip
_ATOM_STARTS = {"NAME", "STRING", "DEC_NUMBER", "HEX_NUMBER", "OCT_NUMBER", "BIN_NUMBER",
                "FLOAT_NUMBER", "IMAG_NUMBER", "NONE", "TRUE", "FALSE", "LPAR", "LSQB"}  # fmt: skip

_NUMBER_TYPES = {"DEC_NUMBER", "HEX_NUMBER", "OCT_NUMBER", "BIN_NUMBER", "FLOAT_NUMBER"}

_PUNCTUATION = {
    "COLON": "':'", "RPAR": "')'", "RSQB": "']'", "RBRACE": "'}'", "EQUAL": "'='",
    "IN": "'in'", "IMPORT": "'import'", "ELSE": "'else' after 'if' expression",
    "LPAR": "'('",
}  # fmt: skip


def _error(message: str, span: Span | None, hint: str | None = None) -> GradlangError:
    return GradlangError("SyntaxError", message, span, hint)


def _point(filename: str, line: int, column: int, width: int = 1) -> Span:
    return Span(filename, line, column, line, column + width)


def from_layout(err: LayoutError, filename: str) -> GradlangError:
    """A postlexer error (indentation, brackets, nesting) as a SyntaxError."""
    return _error(err.message, _point(filename, err.line, err.column, err.width))


def from_parser(
    err: UnexpectedCharacters | UnexpectedToken, text: str, filename: str, state: LayoutState
) -> GradlangError:
    """A lexer or parser error raised while parsing `text` as a SyntaxError."""
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_character(err, text, filename)
    if isinstance(err, UnexpectedToken):
        return _unexpected_token(err, text, filename, state)
    return _error("invalid syntax", None)


def _unexpected_character(err: UnexpectedCharacters, text: str, filename: str) -> GradlangError:
    pos = err.pos_in_stream or 0
    ch = text[pos] if pos < len(text) else ""
    line, column = err.line, err.column
    if ch in "'\"":
        if text.startswith(ch * 3, pos):
            last = text.count("\n", 0, len(text.rstrip("\n"))) + 1
            return _error(
                f"unterminated triple-quoted string literal (detected at line {last})",
                _point(filename, line, column, 3),
            )
        return _error(
            f"unterminated string literal (detected at line {line})",
            _point(filename, line, column),
        )
    if ch == "\\":
        return _error(
            "unexpected character after line continuation character",
            _point(filename, line, column),
        )
    if ch.isdigit():
        if ch == "0":
            return _error(
                "leading zeros in decimal integer literals are not permitted; "
                "use an 0o prefix for octal integers",
                _point(filename, line, column),
            )
        return _error("invalid decimal literal", _point(filename, line, column))
    if ch == "!":
        return _error(
            "invalid syntax", _point(filename, line, column), "'!' is not an operator; use 'not'"
        )
    if ch in "$?`":
        return _error(f"invalid character '{ch}' (U+{ord(ch):04X})", _point(filename, line, column))
    if ch.isprintable():
        return _error(f"invalid character '{ch}' (U+{ord(ch):04X})", _point(filename, line, column))
    return _error(
        f"invalid non-printable character U+{ord(ch):04X}", _point(filename, line, column)
    )


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return "end of input"
    if tok.type == "_NEWLINE":
        return "end of line"
    if tok.type == "_DEDENT":
        return "end of block"
    return f"'{tok}'"


def _block_opener(err: UnexpectedToken) -> Token | None:
    stack = getattr(err.state, "value_stack", None) or []
    for item in reversed(stack):
        if isinstance(item, Token) and item.type in _BLOCK_OPENERS:
            return item
    return None


def _line_starts_with(text: str, line: int, word: str) -> bool:
    lines = text.split("\n")
    return 0 < line <= len(lines) and lines[line - 1].lstrip().startswith(word + " ")


def _unexpected_token(
    err: UnexpectedToken, text: str, filename: str, state: LayoutState
) -> GradlangError:
    tok: Token = err.token
    expected = set(err.expected or ())
    line = tok.line if isinstance(tok.line, int) else text.count("\n") + 1
    span = token_span(tok, filename) if isinstance(tok.line, int) else _point(filename, line, 1)

    opened = [b for b in state.open_brackets if b is not tok]
    if opened and (opened[-1].line or 0) < line and tok.type != "$END":
        b = opened[-1]
        return _error(f"'{b}' was never closed", token_span(b, filename))

    if tok.type == "_INDENT":
        return _error("unexpected indent", _point(filename, line, tok.column))
    if "_INDENT" in expected:
        opener = _block_opener(err)
        what = f" after {_BLOCK_OPENERS[opener.type]} on line {opener.line}" if opener else ""
        return _error(f"expected an indented block{what}", span)

    for word in ("match", "case"):
        if _line_starts_with(text, line, word) and tok.type != "_NEWLINE":
            return _error(f"'{word}' statements are not part of gradlang", span, "use if/elif")
    prev = state.previous if state.current is tok else state.current
    if prev is not None and prev.type == "NAME" and prev == "print" and prev.line == tok.line:
        if tok.type in _ATOM_STARTS - {"LPAR"}:
            return _error(
                "Missing parentheses in call to 'print'. Did you mean print(...)?",
                token_span(prev, filename),
            )
    glued = str(tok)[:1].isalnum() or str(tok)[:1] == "_"
    if glued and prev is not None and prev.type in _NUMBER_TYPES and prev.end_pos == tok.start_pos:
        kind = "hexadecimal" if str(prev) == "0" and str(tok)[:1] in "xX" else "decimal"
        return _error(f"invalid {kind} literal", token_span(prev, filename))
    if tok.type == "EQUAL" and prev is not None and prev.type in _ATOM_TYPES:
        return _error("cannot assign here; did you mean '=='?", span)
    if tok.type in ("_NEWLINE", "$END") and "COLON" in expected:
        return _error("expected ':'", span)
    if tok.type == "COLON" and prev is not None and prev.type == "ELSE":
        return _error("expected 'else' after 'if' expression", span)
    if (
        opened
        and tok.type in _ATOM_STARTS
        and prev is not None
        and prev.type in _ATOM_TYPES
        and ("COMMA" in expected or "RPAR" in expected or "RSQB" in expected)
    ):
        return _error("invalid syntax. Perhaps you forgot a comma?", span)
    if str(tok) in _KEYWORDS and tok.type != "NAME":
        return _error("invalid syntax", span, f"'{tok}' is a keyword and cannot be used here")
    if len(expected) == 1:
        (only,) = expected
        if only in _PUNCTUATION:
            return _error(f"expected {_PUNCTUATION[only]}", span)
    if tok.type in ("_NEWLINE", "$END"):
        return _error("invalid syntax", span, "the line ends before the statement is complete")
    if {"NAME", "LPAR", "DEC_NUMBER"} <= expected:
        return _error("invalid syntax", span, f"expected an expression before {_describe(tok)}")
    return _error("invalid syntax", span, f"unexpected {_describe(tok)}")
