"""Profile one workload on gradlang, in-process, with cProfile.

    python bench/profile_workload.py mlp                    # the workload at its written size
    python bench/profile_workload.py scalar_chain --size 50 --top 30 --sort cumulative

Runs the program through `gradlang.session.Session` (the same path as `gradlang run`) and
prints the top functions; the first run is a warm-up so imports and the grammar load do
not show.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.programs import WORKLOADS, with_size, workload_text  # noqa: E402


def run_program(text: str, filename: str) -> float:
    """Run one program through a fresh Session; return its wall time in seconds."""
    from gradlang.session import Session, SessionOptions

    session = Session(SessionOptions(limits={"max_steps": 10**9}, echo=None))
    start = time.perf_counter()
    result = session.run_source(text, filename)
    elapsed = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"{filename} failed: {result.error or result.internal!r}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    names = sorted(p.stem for p in WORKLOADS.glob("*.grad"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=names)
    parser.add_argument("--size", type=int, default=None, help="the `# bench: size` value")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    args = parser.parse_args(argv)
    text = workload_text(args.name)
    if args.size is not None:
        text = with_size(text, args.size)
    filename = f"{args.name}.grad"
    run_program(text, filename)  # warm-up: imports, grammar, first-call caches
    plain = run_program(text, filename)
    profiler = cProfile.Profile()
    profiler.enable()
    run_program(text, filename)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    print(f"{filename}: {plain:.3f} s without the profiler")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
