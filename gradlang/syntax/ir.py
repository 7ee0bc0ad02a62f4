"""The IR: what a gradlang program is once parsed.

Small frozen dataclasses, each with the `Span` of the source it came from as its first
field. The parser's Transformer builds them; nothing past the parser sees a lark Tree.
Targets of assignments are `Name`, `Attribute`, `Subscript`, or a `Tuple`/`List` of targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlang.errors import Span
from gradlang.syntax.codegen_cache import CodegenCache

# the methods dataclasses writes for the classes below, compiled once (import time)
_CODEGEN = CodegenCache(__file__, "ir")
_CODEGEN.begin()

# ---------------------------------------------------------------------------------------
# Expressions


@dataclass(frozen=True, slots=True)
class Constant:
    """int, float, str, bool, None or Ellipsis (`...`)."""

    span: Span
    value: object


@dataclass(frozen=True, slots=True)
class Name:
    """A name read (or, as a target, bound)."""

    span: Span
    id: str


@dataclass(frozen=True, slots=True)
class FormattedValue:
    """One `{expr!conv:spec}` of an f-string; `format_spec` is itself an f-string or None."""

    span: Span
    value: Expr
    conversion: str | None  # "r", "s", "a" or None
    format_spec: FString | None


@dataclass(frozen=True, slots=True)
class FString:
    """An f-string: literal text pieces and formatted values, in order."""

    span: Span
    parts: tuple[str | FormattedValue, ...]


@dataclass(frozen=True, slots=True)
class List:
    """A list display `[a, b]` (or list target)."""

    span: Span
    elts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Tuple:
    """A tuple `a, b` / `(a, b)` (or tuple target)."""

    span: Span
    elts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Comprehension:
    """`for target in iter if cond...` inside a list comprehension."""

    span: Span
    target: Expr
    iter: Expr
    ifs: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ListComp:
    """A list comprehension `[elt for ... in ... if ...]`."""

    span: Span
    elt: Expr
    generators: tuple[Comprehension, ...]


@dataclass(frozen=True, slots=True)
class IfExp:
    """`body if test else orelse`."""

    span: Span
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a `def` or `lambda`, with its default (or None)."""

    span: Span
    name: str
    default: Expr | None


@dataclass(frozen=True, slots=True)
class Lambda:
    """A `lambda params: body` expression."""

    span: Span
    params: tuple[Param, ...]
    body: Expr


@dataclass(frozen=True, slots=True)
class BoolOp:
    """`a and b and c` or `a or b`: op is "and" or "or"."""

    span: Span
    op: str
    values: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class UnaryOp:
    """op is "-", "+", "~" or "not"."""

    span: Span
    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinOp:
    """op is one of + - * / // % @ ** & | ^ << >>."""

    span: Span
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare:
    """A chained comparison; ops are "<", "<=", ">", ">=", "==", "!=", "is", "is not",
    "in", "not in"."""

    span: Span
    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword argument `name=value` of a call."""

    span: Span
    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Call:
    """A call `func(args, keywords)`."""

    span: Span
    func: Expr
    args: tuple[Expr, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute `value.attr` read (or, as a target, set)."""

    span: Span
    value: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class Slice:
    """`lower:upper:step` inside a subscript; any part may be None."""

    span: Span
    lower: Expr | None
    upper: Expr | None
    step: Expr | None


@dataclass(frozen=True, slots=True)
class Subscript:
    """`value[index]`; `x[a, b]` has a `Tuple` index, `x[1:2]` a `Slice`."""

    span: Span
    value: Expr
    index: Expr


Expr = (
    Constant
    | Name
    | FString
    | List
    | Tuple
    | ListComp
    | IfExp
    | Lambda
    | BoolOp
    | UnaryOp
    | BinOp
    | Compare
    | Call
    | Attribute
    | Subscript
    | Slice
)

# ---------------------------------------------------------------------------------------
# Statements


@dataclass(frozen=True, slots=True)
class ExprStmt:
    """An expression used as a statement."""

    span: Span
    value: Expr


@dataclass(frozen=True, slots=True)
class Assign:
    """`t1 = t2 = value`: targets in source order."""

    span: Span
    targets: tuple[Expr, ...]
    value: Expr


@dataclass(frozen=True, slots=True)
class AugAssign:
    """`target op= value`; op is the binary operator without "=" ("+", "-", "*", "/", ...)."""

    span: Span
    target: Expr
    op: str
    value: Expr


@dataclass(frozen=True, slots=True)
class If:
    """`elif` is an `If` alone in `orelse`."""

    span: Span
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class While:
    """A `while` loop (with its `else`)."""

    span: Span
    test: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class For:
    """A `for` loop (with its `else`)."""

    span: Span
    target: Expr
    iter: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Break:
    """`break`."""

    span: Span


@dataclass(frozen=True, slots=True)
class Continue:
    """`continue`."""

    span: Span


@dataclass(frozen=True, slots=True)
class Pass:
    """`pass`."""

    span: Span


@dataclass(frozen=True, slots=True)
class FunctionDef:
    """A `def` statement."""

    span: Span
    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Return:
    """`return` with its value (or None)."""

    span: Span
    value: Expr | None


@dataclass(frozen=True, slots=True)
class With:
    """`with context:` (a grad-mode context); `name` is the `as NAME` target or None."""

    span: Span
    context: Expr
    name: str | None
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Assert:
    """`assert test, msg`."""

    span: Span
    test: Expr
    msg: Expr | None


@dataclass(frozen=True, slots=True)
class Import:
    """`import torch` / `import torch.nn.functional as F`: module is the dotted name."""

    span: Span
    module: str
    alias: str | None


@dataclass(frozen=True, slots=True)
class ImportName:
    """`import name [as alias]`."""

    span: Span
    name: str
    alias: str | None


@dataclass(frozen=True, slots=True)
class ImportFrom:
    """`from torch import a, b as c` / `from torch.nn import functional as F`."""

    span: Span
    module: str
    names: tuple[ImportName, ...]


Stmt = (
    ExprStmt
    | Assign
    | AugAssign
    | If
    | While
    | For
    | Break
    | Continue
    | Pass
    | FunctionDef
    | Return
    | With
    | Assert
    | Import
    | ImportFrom
)


@dataclass(frozen=True, slots=True)
class Module:
    """A whole program (or one REPL entry)."""

    span: Span
    body: tuple[Stmt, ...]


_CODEGEN.end()
