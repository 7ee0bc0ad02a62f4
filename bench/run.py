"""Run gradlang's benchmark suite against PyTorch, numpy by hand and HIPS autograd.

python bench/run.py                 # everything; rewrites docs/performance.md
python bench/run.py --quick         # few reps, small sizes
python bench/run.py --only mlp      # one workload (repeatable)
python bench/run.py --no-write      # print the table, leave the docs alone
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import CLOCK, precompile  # noqa: E402
from bench.measure import Config, Row  # noqa: E402
from bench.report import machine, results_block, table, write_doc  # noqa: E402
from bench.suite import SUITE  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few reps, small sizes")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(SUITE),
        metavar="NAME",
        help=f"run only this workload (repeatable): {', '.join(SUITE)}",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--write",
        action="store_true",
        help="with --only: still replace the results in docs/performance.md (by default a "
        "partial run leaves the full table there alone)",
    )
    parser.add_argument(
        "--json", metavar="PATH", type=Path, help="also save the rows and the machine as JSON"
    )
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="time children by CPU time (default: robust on a shared machine) or wall time",
    )
    args = parser.parse_args(argv)
    CLOCK["name"] = args.clock
    names = args.only or list(SUITE)
    config = Config(quick=args.quick)
    precompile()
    rows: list[Row] = []
    for name in names:
        start = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        rows.extend(SUITE[name](config))
        print(f"[bench] {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(table(rows))
    info = machine()
    if args.json is not None:
        document = {"machine": info, "quick": args.quick, "clock": args.clock}
        document["rows"] = [dataclasses.asdict(row) for row in rows]
        args.json.write_text(json.dumps(document, indent=1, allow_nan=True) + "\n")
    if args.no_write or (args.only and not args.write):
        if args.only and not args.no_write:
            print(
                "\n(partial run: docs/performance.md left alone; --write to replace)",
                file=sys.stderr,
            )
    else:
        write_doc(results_block(rows, args.quick, info))
        print("\n(written to docs/performance.md)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
