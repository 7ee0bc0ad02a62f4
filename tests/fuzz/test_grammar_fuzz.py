"""Programs generated from the grammar itself (hypothesis.extra.lark.from_lark).

Every terminal gets an explicit strategy: names and literals come from small pools (names a
program really uses, and a few hostile ones), punctuation and keywords are padded with
spaces, and the layout tokens the postlexer makes (_NEWLINE, _INDENT, _DEDENT) are drawn as
markers that `layout()` turns into real newlines and indentation. A prelude defines the
pool's names, so generated statements get past NameError and really run.
"""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from fuzz.oracle import check_source, fuzz_settings
from gradlang.resources import grammar_text

INDENT, DEDENT = "\x01", "\x02"

PRELUDE = """\
x = tensor([1.0, 2.0, 3.0], requires_grad=True)
w = tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
y = (x * 2).sum()
t = torch.ones(2, 2)
n = 3
l = [1, 2, 3]
s = "abc"
def f(a, b=1):
    return a * b
g = lambda v: v + 1
"""

NAMES = [
    "x", "w", "y", "t", "n", "l", "s", "f", "g", "i", "k", "torch", "F", "tensor", "zeros",
    "ones", "randn", "arange", "print", "range", "len", "sum", "max", "min", "abs", "str",
    "list", "float", "int", "enumerate", "zip", "backward", "grad", "requires_grad",
    "grad_fn", "mean", "item", "shape", "retain_grad", "detach", "no_grad", "enable_grad",
    "show", "graph", "why", "explain", "load", "save", "append", "join", "nn", "functional",
    "autograd", "manual_seed", "next_functions", "variable", "name", "T", "view", "reshape",
    "expand", "exp", "relu", "sigmoid", "numpy", "data", "register_hook", "matmul",
    # hostile names: dunders, Python's escape hatches
    "__class__", "__globals__", "_data", "eval", "exec", "open", "__import__", "getattr",
    "os", "sys", "type", "object",
]  # fmt: skip

STRINGS = [
    '"a"', "'b'", '""', '"x.npy"', "'../up.npy'", '"/etc/passwd"', '"\\n"', "r'\\d'",
    '"""doc"""', "'''d'''", 'f"{x}"', 'f"{n:>5}"', "f'{s!r}'", 'f"{x.__class__}"',
    'f"{n:{n}}"', "f'{{}}'", '"{0.__class__}"', "b'raw'", "u'x'", 'f"{1:>99999999}"',
    '"\\x00"', "'\\N{BULLET}'", '"é"',
]  # fmt: skip

NUMBERS = {
    "DEC_NUMBER": ["0", "1", "2", "3", "10", "100", "1_000", "99999999999999999999"],
    "FLOAT_NUMBER": ["1.0", "0.5", ".5", "1e-3", "2.", "1e308", "1e400"],
    "HEX_NUMBER": ["0x10", "0xFF"],
    "OCT_NUMBER": ["0o17"],
    "BIN_NUMBER": ["0b101"],
    "IMAG_NUMBER": ["1j"],
}


@cache
def program_strategy() -> st.SearchStrategy[str]:
    from lark import Lark

    grammar = Lark(grammar_text(), parser="lalr", lexer="basic", start=["file_input"])
    terminals, _, ignored = grammar.grammar.compile(["file_input"], ())
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for term in terminals:
        name = term.name
        if name in ignored or name == "COMMENT":
            explicit[name] = st.just(" ")
        elif term.pattern.type == "str":
            explicit[name] = st.just(f" {term.pattern.value} ")
        elif name == "NAME":
            explicit[name] = st.sampled_from(NAMES).map(lambda v: f" {v} ")
        elif name == "STRING":
            explicit[name] = st.sampled_from(STRINGS).map(lambda v: f" {v} ")
        elif name in NUMBERS:
            explicit[name] = st.sampled_from(NUMBERS[name]).map(lambda v: f" {v} ")
    explicit["_NEWLINE"] = st.just("\n")
    explicit["_INDENT"] = st.just(INDENT)
    explicit["_DEDENT"] = st.just(DEDENT)
    return from_lark(grammar, start="file_input", explicit=explicit)


def layout(text: str) -> str:
    """Markers to indentation: each line starts at 4 spaces per open INDENT."""
    out: list[str] = []
    level = 0
    at_start = True
    for ch in text:
        if ch == INDENT:
            level += 1
        elif ch == DEDENT:
            level = max(0, level - 1)
        elif ch == "\n":
            out.append("\n")
            at_start = True
        elif at_start and ch == " ":
            continue
        else:
            if at_start:
                out.append("    " * level)
                at_start = False
            out.append(ch)
    return "".join(out)


def test_layout() -> None:
    assert layout(" if  x :\n\x01 pass \n\x02 y = 1 \n") == "if  x :\n    pass \ny = 1 \n"


@fuzz_settings(quick_examples=60)
@given(program_strategy())
def test_generated_programs(text: str) -> None:
    check_source(PRELUDE + layout(text))


@fuzz_settings(quick_examples=40)
@given(program_strategy())
def test_generated_programs_alone(text: str) -> None:
    """Without the prelude: the generated text is the whole program (line 1 is its own)."""
    check_source(layout(text), run=False)
