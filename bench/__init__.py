"""gradlang's benchmark suite against PyTorch, hand-written numpy and HIPS autograd.

Run it with `python bench/run.py` (see `--help`); the results go to docs/performance.md.
"""
