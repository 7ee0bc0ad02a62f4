"""Every workload of the suite by name, in the order `bench/run.py` runs them."""

from __future__ import annotations

from collections.abc import Callable

from bench.measure import Config, Row, deep_chain, matmul, mlp, scalar_chain, startup
from bench.parsing import parse

SUITE: dict[str, Callable[[Config], list[Row]]] = {
    "startup": startup,
    "mlp": mlp,
    "scalar_chain": scalar_chain,
    "matmul": matmul,
    "deep_chain": deep_chain,
    "parse": parse,
}
