"""Text for graph nodes: the expression a node computed, and its local derivative as a formula.

A node's output is labelled with the user's variable name when one holds it; otherwise with
the expression that made it, rebuilt from the op and its inputs' labels (`y ** 2`,
`(y ** 2).sum()`), down to a small depth. The local derivative comes from the engine's
formula text for each input (`grad * exponent * self ** (exponent - 1)`): the `grad` factor
is taken off and the operands are named, so PowBackward0 on `y` shows `2 * y`.
"""

from __future__ import annotations

import re
from typing import Any

from gradlang.autograd.node import AccumulateGrad, Node
from gradlang.autograd.tensor import Tensor
from gradlang.tools.naming import NameIndex
from gradlang.tools.values import format_value

#: How deep an unnamed expression is rebuilt before it is shown as `...`.
MAX_DEPTH = 3

# How each op's expression reads; {0}, {1}: the inputs' labels, {a}: the op's other argument.
_BINARY = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "pow_tensor": "**",
    "dot": "@",
    "mm": "@",
    "mv": "@",
    "bmm": "@",
    "remainder_tensor": "%",
    "fmod_tensor": "fmod",
}
_TEMPLATES = {
    "neg": "-{0}",
    "rsub": "c - {0}",
    "pow": "{0} ** {a}",
    "pow_scalar_base": "{a} ** {0}",
    "reciprocal": "1 / {0}",
    "remainder": "{0} % {a}",
    "sum": "{0}.sum()",
    "mean": "{0}.mean()",
    "prod": "{0}.prod()",
    "max": "{0}.max()",
    "min": "{0}.min()",
    "t": "{0}.t()",
    "clone": "{0}.clone()",
    "where": "where(cond, {0}, {1})",
    "addmm": "{0} + {1} @ {2}",
    "mul_scalar": "{0} * {a}",
    "div_scalar": "{0} / {a}",
    "add_scalar": "{0} + {a}",
}
_METHODS = {
    "sum_dim": "sum",
    "mean_dim": "mean",
    "prod_dim": "prod",
    "max_dim": "max",
    "min_dim": "min",
    "view": "view",
    "unsafe_view": "reshape",
    "squeeze_dim": "squeeze",
    "to_copy": "to",
    "select": "select",
    "slice": "slice",
    "index": "index",
}


def _is_simple(text: str) -> bool:
    """True when `text` needs no parentheses as an operand: no operator outside brackets."""
    if text.startswith("-"):
        return False
    depth = 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == " " and depth == 0 and k + 1 < len(text) and text[k + 1] in "+-*/@%<>=!":
            return False
    return True


def _paren(text: str) -> str:
    return text if _is_simple(text) else f"({text})"


def number_text(value: object) -> str:
    """A Python number as the user would write it (`2`, `0.5`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


class Labeler:
    """Labels for tensors and nodes, from the user's names or rebuilt expressions."""

    def __init__(self, names: NameIndex, alias_over: int | None = None) -> None:
        self.names = names
        self.alias_over = alias_over
        self.aliases: dict[int, str] = {}  # node id -> its alias or its (short) expression
        self._count = 0

    def _short(self, node: Node, depth: int) -> str:
        """The node's expression, or a short alias (`t1`) when it is long and aliases are on."""
        if self.alias_over is None:
            return self.expression(node, depth)
        known = self.aliases.get(id(node))
        if known is not None:
            return known
        if depth < MAX_DEPTH:
            expr = self.expression(node, depth)
            if len(expr) <= self.alias_over:
                self.aliases[id(node)] = expr
                return expr
        alias = self.aliases[id(node)] = f"t{self._count + 1}"
        self._count += 1
        return alias

    def tensor(self, t: object, depth: int = 0) -> str:
        """The label of an operand: its name, a number, or the expression that made it."""
        if not isinstance(t, Tensor):
            return number_text(t)
        name = self.names.first(t)
        if name is not None:
            return name
        fn = t.grad_fn
        if fn is not None:
            name = self.names.first(fn)
            if name is not None:
                return name
            return self._short(fn, depth)
        if t.numel() == 1 and not t.requires_grad:
            return f"tensor({format_value(t._data)})"
        return "tensor(...)"

    def node(self, node: object) -> str:
        """The label of the tensor a node made: its name, else its expression."""
        name = self.names.first(node)
        if name is not None:
            return name
        if isinstance(node, Node):
            return self._short(node, 0)
        return "?"

    def expression(self, node: Node, depth: int = 0) -> str:
        """The expression `node` computed, with its inputs labelled (no name for the node)."""
        if depth >= MAX_DEPTH:
            return "(...)"
        op = node.rule.op
        args = [_paren(self.tensor(t, depth + 1)) for t in node.inputs]
        attrs = node.attrs
        a = number_text(attrs) if isinstance(attrs, (int, float)) else "a"
        if op in ("cat", "stack"):
            plain = [self.tensor(t, depth + 1) for t in node.inputs]
            return f"{op}([{', '.join(plain)}])"
        if op in _BINARY and len(args) == 2:
            return f"{args[0]} {_BINARY[op]} {args[1]}"
        template = _TEMPLATES.get(op)
        if template is not None:
            try:
                return template.format(*args, a=a)
            except IndexError:
                pass
        method = _METHODS.get(op, op)
        if len(args) == 1:
            if attrs is None and op not in _METHODS:
                return f"{op}({self.tensor(node.inputs[0], depth + 1)})"
            return f"{args[0]}.{method}(...)"
        return f"{method}({', '.join(args)})"

    def local_derivative(self, node: Node, k: int) -> str:
        """`d(expr)/d(input_k) = formula`, the formula with operands named."""
        lhs, rhs = self.local_parts(node, k)
        return f"{lhs} = {rhs}"

    def local_parts(self, node: Node, k: int) -> tuple[str, str]:
        """(`d(expr)/d(input_k)`, the formula with operands named)."""
        expr = self.expression(node)
        arg = self.tensor(node.inputs[k]) if k < len(node.inputs) else f"input {k}"
        formulas = node.rule.formulas
        text = formulas[0] if node.rule.variadic else (formulas[k] if k < len(formulas) else "")
        local = _local(node, k, text, self)
        plain = re.fullmatch(r"[\w.\[\]]+", arg) is not None
        return f"d({expr})/d{arg if plain else f'({arg})'}", local


_OPERANDS = re.compile(r"\b(self|other|result|exponent|base|alpha|mat1|mat2|vec)\b")
_WORDS = re.compile(r"\b(self|other|result|exponent|base|alpha|mat1|mat2|vec|grad)\b")


def _local(node: Node, k: int, text: str, labeler: Labeler) -> str:
    """The formula of input k with the incoming `grad` factor removed and operands named."""
    op = node.rule.op
    attrs: Any = node.attrs
    if op == "pow" and isinstance(attrs, (int, float)):
        x = _paren(labeler.tensor(node.inputs[0]))
        e = attrs
        if e == 0:
            return "0"
        if e == 1:
            return "1"
        if e == 2:
            return f"2 * {x}"
        return f"{number_text(e)} * {x} ** {number_text(e - 1)}"
    if op in ("add", "sub") and attrs is None:
        return "1" if (op == "add" or k == 0) else "-1"
    if op in ("sum", "sum_dim"):
        return "1 for every element"
    if op in ("mean", "mean_dim") and isinstance(node.inputs[0], Tensor):
        total = node.inputs[0].numel()
        if op == "mean":
            return f"1/{total} for every element"
        return "1/n for every element (n: the size of the reduced dims)"
    if op in (
        "clone",
        "alias",
        "view",
        "unsafe_view",
        "squeeze",
        "unsqueeze",
        "squeeze_dim",
        "squeeze_dims",
        "expand",
        "t",
        "transpose",
        "permute",
        "to_copy",
        "copy",
    ):
        return f"1 (the gradient is moved back into place: {text})"
    local = _strip_grad(text)

    def name(m: re.Match[str]) -> str:
        word = m.group(1)
        if word == "self":
            return _paren(labeler.tensor(node.inputs[0]))
        if word == "other":
            return _paren(labeler.tensor(node.inputs[1])) if len(node.inputs) > 1 else word
        if word in ("mat1", "mat2", "vec"):
            index = {"mat1": 1, "mat2": 2 if op == "addmm" else 1, "vec": 1}[word]
            if index < len(node.inputs):
                return _paren(labeler.tensor(node.inputs[index]))
            return word
        if word == "result":
            return (
                _paren(labeler.expression(node))
                if labeler.names.first(node) is None
                else (labeler.names.first(node) or word)
            )
        if word in ("exponent", "base", "alpha"):
            if isinstance(attrs, (int, float)):
                return number_text(attrs)
            if word == "alpha" and attrs is None:
                return "1"
        return word

    if local is None:
        return "vjp: " + _OPERANDS.sub(name, text)
    return _WORDS.sub(name, local)


def _strip_grad(text: str) -> str | None:
    """`grad * X` -> `X`; `-grad * X` -> `-X`; `grad / X` -> `1 / X`; None if grad is inside."""
    text = text.strip()
    if text == "grad":
        return "1"
    if text == "-grad":
        return "-1"
    for prefix, out in (
        ("grad * ", ""),
        ("-grad * ", "-"),
        ("grad / ", "1 / "),
        ("-grad / ", "-1 / "),
    ):
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            if re.search(r"\bgrad\b", rest):
                return None
            if out in ("", "-") and rest == "alpha":
                return out + "alpha"
            return out + rest
    if re.search(r"\bgrad\b", text):
        if text.endswith(" * grad") and text.count("grad") == 1:
            return text[: -len(" * grad")]
        return None
    return text


def node_kind(node: object) -> str:
    """`leaf` for AccumulateGrad, `op` otherwise."""
    return "leaf" if isinstance(node, AccumulateGrad) else "op"
