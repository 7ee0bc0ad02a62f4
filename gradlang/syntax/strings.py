"""String literals: prefixes, escape sequences, and the pieces of an f-string body.

Pure text work, no lark: `split_literal` takes a STRING token's text apart, `decode_escapes`
does what Python does to backslashes, and `split_fstring` cuts an f-string body into literal
text and `{expr!conv:spec}` fields (the lowering parses each field's expression with the
grammar's expression rule). Errors are `StringError` with an offset into the body.
"""

from __future__ import annotations

import re


class StringError(Exception):
    """A malformed literal; `offset` is where in the body the problem is."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class Literal:
    """A string token taken apart: prefix letters (lower case), quote, and body.
    (A plain class, not a dataclass: made on each program's first parse, where building a
    dataclass costs more than all its uses; nothing compares or prints one.)"""

    __slots__ = ("prefix", "quote", "body")

    def __init__(self, prefix: str, quote: str, body: str) -> None:
        self.prefix = prefix
        self.quote = quote
        self.body = body

    def __repr__(self) -> str:
        return f"Literal(prefix={self.prefix!r}, quote={self.quote!r}, body={self.body!r})"

    @property
    def raw(self) -> bool:
        return "r" in self.prefix

    @property
    def is_fstring(self) -> bool:
        return "f" in self.prefix

    @property
    def is_bytes(self) -> bool:
        return "b" in self.prefix


def split_literal(text: str) -> Literal:
    """Split a STRING token (`rb'...'`, `f\"\"\"...\"\"\"`) into prefix, quote and body."""
    i = 0
    while text[i] not in "'\"":
        i += 1
    prefix = text[:i].lower()
    quote = text[i] * 3 if text[i : i + 3] == text[i] * 3 and len(text) - i >= 6 else text[i]
    return Literal(prefix, quote, text[i + len(quote) : len(text) - len(quote)])


_SIMPLE_ESCAPES = {
    "\n": "",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}

_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)


def decode_escapes(body: str, base_offset: int = 0) -> str:
    """Python's escape sequences in a non-raw str literal; unknown escapes stay as written."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        j = body.find("\\", i)
        if j < 0:
            out.append(body[i:])
            break
        out.append(body[i:j])
        if j + 1 >= n:
            out.append("\\")
            break
        ch = body[j + 1]
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
            i = j + 2
        elif ch in "01234567":
            k = j + 1
            while k < n and k < j + 4 and body[k] in "01234567":
                k += 1
            out.append(chr(int(body[j + 1 : k], 8)))
            i = k
        elif ch in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[ch]
            digits = body[j + 2 : j + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                name = {"x": "\\xXX", "u": "\\uXXXX", "U": "\\UXXXXXXXX"}[ch]
                raise StringError(
                    f"(unicode error) 'unicodeescape' codec can't decode bytes: "
                    f"truncated {name} escape",
                    base_offset + j,
                )
            code = int(digits, 16)
            if code > 0x10FFFF:
                raise StringError(
                    "(unicode error) 'unicodeescape' codec can't decode bytes: "
                    "illegal Unicode character",
                    base_offset + j,
                )
            out.append(chr(code))
            i = j + 2 + size
        elif ch == "N":
            import unicodedata  # a \N{...} escape: rare, and the module is large to load

            end = body.find("}", j) if body[j + 2 : j + 3] == "{" else -1
            try:
                if end < 0:
                    raise KeyError
                out.append(unicodedata.lookup(body[j + 3 : end]))
            except KeyError:
                raise StringError(
                    "(unicode error) 'unicodeescape' codec can't decode bytes: "
                    "malformed \\N character escape",
                    base_offset + j,
                ) from None
            i = end + 1
        else:
            out.append("\\" + ch)
            i = j + 2
    return "".join(out)


class Field:
    """One `{expr!conv:spec}` of an f-string body; offsets index the body.
    (A plain class for the reason `Literal` is.)"""

    __slots__ = ("start", "end", "expr", "expr_offset", "conversion", "spec", "debug_text")

    def __init__(
        self,
        start: int,  # offset of "{"
        end: int,  # offset just past "}"
        expr: str,
        expr_offset: int,
        conversion: str | None,
        spec: tuple[str | Field, ...] | None,
        debug_text: str | None,  # `{x=}` prints "x=" before the value
    ) -> None:
        self.start = start
        self.end = end
        self.expr = expr
        self.expr_offset = expr_offset
        self.conversion = conversion
        self.spec = spec
        self.debug_text = debug_text

    def __repr__(self) -> str:
        names = self.__slots__
        return f"Field({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"


_CLOSING = {"(": ")", "[": "]", "{": "}"}


def split_fstring(
    body: str, raw: bool, start: int = 0, nested: bool = False
) -> tuple[tuple[str | Field, ...], int]:
    """Cut an f-string body into literal text (escapes decoded) and fields.

    With `nested` (a format spec) it stops at the first unmatched "}" and returns its offset.
    """
    parts: list[str | Field] = []
    buf: list[str] = []
    buf_start = start
    i = start
    n = len(body)

    def flush(upto: int) -> None:
        text = "".join(buf)
        buf.clear()
        if text:
            parts.append(text if raw else decode_escapes(text, buf_start))

    while i < n:
        ch = body[i]
        if ch == "\\" and not raw and i + 1 < n:
            if body[i + 1] == "N" and body[i + 2 : i + 3] == "{":
                end = body.find("}", i)
                if end < 0:
                    end = n - 1
                buf.append(body[i : end + 1])
                i = end + 1
                continue
            if body[i + 1] not in "{}":
                buf.append(body[i : i + 2])
                i += 2
                continue
            buf.append(ch)
            i += 1
            continue
        if ch == "{":
            if body[i + 1 : i + 2] == "{" and not nested:
                buf.append("{")
                i += 2
                continue
            flush(i)
            field, i = _scan_field(body, i, raw)
            parts.append(field)
            buf_start = i
            continue
        if ch == "}":
            if nested:
                flush(i)
                return tuple(parts), i
            if body[i + 1 : i + 2] == "}":
                buf.append("}")
                i += 2
                continue
            raise StringError("f-string: single '}' is not allowed", i)
        buf.append(ch)
        i += 1
    if nested:
        raise StringError("f-string: expecting '}'", start)
    flush(i)
    return tuple(parts), i


def _scan_field(body: str, start: int, raw: bool) -> tuple[Field, int]:
    """Scan the field that opens at `body[start] == "{"`; returns it and the offset after."""
    n = len(body)
    i = start + 1
    stack: list[str] = []
    debug_end: int | None = None
    while i < n:
        ch = body[i]
        if ch == "\\":
            raise StringError("f-string expression part cannot include a backslash", i)
        if ch == "#":
            raise StringError("f-string expression part cannot include '#'", i)
        if ch in "'\"":
            i = _skip_string(body, i)
            continue
        if ch in "([{":
            stack.append(_CLOSING[ch])
        elif ch in ")]}":
            if stack:
                if stack[-1] != ch:
                    raise StringError(f"f-string: closing parenthesis '{ch}' does not match", i)
                stack.pop()
            elif ch == "}":
                break
            else:
                raise StringError(f"f-string: unmatched '{ch}'", i)
        elif not stack:
            if ch == "!" and body[i + 1 : i + 2] != "=":
                break
            if ch == ":":
                break
            if ch == "=" and body[i + 1 : i + 2] != "=" and body[i - 1] not in "=!<>":
                debug_end = i + 1
                i += 1
                while i < n and body[i] in " \t\n":
                    i += 1
                if i < n and body[i] not in "!:}":
                    raise StringError("f-string: expecting '}'", i)
                break
        i += 1
    if i >= n:
        raise StringError("f-string: expecting '}'", start)
    expr_end = debug_end - 1 if debug_end is not None else i
    expr = body[start + 1 : expr_end]
    if not expr.strip():
        raise StringError("f-string: empty expression not allowed", start)
    debug_text = body[start + 1 : i] if debug_end is not None else None
    conversion: str | None = None
    if body[i] == "!":
        conversion = body[i + 1 : i + 2]
        if conversion not in ("r", "s", "a") or body[i + 2 : i + 3] not in (":", "}"):
            raise StringError(
                "f-string: invalid conversion character: expected 's', 'r', or 'a'", i + 1
            )
        i += 2
    spec: tuple[str | Field, ...] | None = None
    if body[i] == ":":
        spec, i = split_fstring(body, raw, i + 1, nested=True)
    if i >= n or body[i] != "}":
        raise StringError("f-string: expecting '}'", start)
    if debug_text is not None and conversion is None and spec is None:
        conversion = "r"
    field = Field(start, i + 1, expr, start + 1, conversion, spec, debug_text)
    return field, i + 1


def _skip_string(body: str, start: int) -> int:
    """The offset just past the string literal that starts at `body[start]` (a quote)."""
    quote = body[start]
    if body[start : start + 3] == quote * 3:
        end = body.find(quote * 3, start + 3)
        if end < 0:
            raise StringError("f-string: unterminated string", start)
        return end + 3
    end = body.find(quote, start + 1)
    if end < 0:
        raise StringError("f-string: unterminated string", start)
    return end + 1
