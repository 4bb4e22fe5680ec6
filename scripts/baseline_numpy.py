#!/usr/bin/env python3
"""Times one training iteration of the course's numpy code, as a baseline for tinyrnn's benchmark.

    python3 scripts/baseline_numpy.py

The loop timed is `train` of scripts/course_slip.py (the course's algorithm in numpy, float64,
2-16-1, as the notebook writes it, with the true output derivative). It runs 500 and 2,500
iterations (evaluating only at the end) and takes the difference, so that the evaluation and the
start-up do not count; the best of three of each. Prints microseconds per iteration.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import course_slip  # noqa: E402


def best_of(runs, iters):
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        course_slip.train(0, False, iters, iters + 1)
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    short, long = 500, 2500
    per_iter = (best_of(3, long) - best_of(3, short)) / (long - short)
    print(f"numpy {np.__version__}: {per_iter * 1e6:.0f} µs per iteration")
    return 0


if __name__ == "__main__":
    sys.exit(main())
