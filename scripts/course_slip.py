#!/usr/bin/env python3
"""Does the course's output-derivative slip matter? Its own algorithm, in numpy, both ways.

    python3 scripts/course_slip.py [--seeds 20] [--iters 10000] [--eval-every 500] [--jobs 2]

The course code (3_1_simple_RNN.ipynb, summarised in shared/seed/README.md) computes the output
delta as `d_mean_squared_error(d, y) * d_sigmoid(y)`, where `d_sigmoid(x)` is
`sigmoid(x) (1 - sigmoid(x))` and `y` has already been through the sigmoid: it uses
`sigmoid(y) (1 - sigmoid(y))` where the derivative of the loss has `y (1 - y)`. This script runs
the course's training loop as the notebook does -- numpy, float64, 2-16-1, sigmoid hidden layer,
weights `1 * randn` drawn in the order W_in, W_out, W, learning rate 0.1, one random pair
`a, b < 128` per iteration, 10,000 iterations -- once with the slip ("course") and once with the
true derivative ("exact", what tinyrnn computes), from the same seed, so both start from the same
weights and see the same pairs. Each run is evaluated on all 16,384 pairs every `--eval-every`
iterations and at the end.

It prints, per variant: how many runs end with every pair right, the median iteration at which
a run first gets every pair right ("never" when fewer than half do), the median and worst final
exact accuracy, and then each seed's pair of results. Seeds are numpy `RandomState(seed)` for
seed = 0, 1, ..., and numpy's legacy generator gives the same draws in every version, so a
rerun here gives the same numbers; on another CPU numpy's `exp` may differ in the last bit, which
can move a run's first 100% by an evaluation. Needs numpy only.
"""
import argparse
import multiprocessing
import os
import subprocess
import sys

import numpy as np

BITS = 8
HIDDEN = 16
LR = 0.1
STD = 1.0
HALF = 1 << (BITS - 1)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def bits_of(n):
    """Bits of n (an int or an array of ints), least significant first, along a new last axis."""
    return (np.asarray(n)[..., None] >> np.arange(BITS)) & 1


# Every pair a, b < 128, for evaluation: inputs (16384, 8, 2), targets (16384, 8).
A, B = np.meshgrid(np.arange(HALF), np.arange(HALF), indexing="ij")
ALL_X = np.stack([bits_of(A.ravel()), bits_of(B.ravel())], axis=-1).astype(np.float64)
ALL_D = bits_of(A.ravel() + B.ravel())


def exact_accuracy(w_in, w, w_out):
    """Fraction of the 16,384 pairs whose every output bit is right (y > 0.5 is a 1)."""
    z = np.zeros((ALL_X.shape[0], HIDDEN))
    right = np.ones(ALL_X.shape[0], dtype=bool)
    for t in range(BITS):
        z = sigmoid(ALL_X[:, t, :] @ w_in + z @ w)
        y = sigmoid(z @ w_out)[:, 0]
        right &= (y > 0.5) == (ALL_D[:, t] == 1)
    return right.mean()


def train(seed, slip, iters, eval_every):
    """One run of the course's loop. Returns (final exact accuracy, first iteration at 100%)."""
    rng = np.random.RandomState(seed)
    w_in = STD * rng.randn(2, HIDDEN)
    w_out = STD * rng.randn(HIDDEN, 1)
    w = STD * rng.randn(HIDDEN, HIDDEN)
    first_perfect = None
    for i in range(1, iters + 1):
        a, b = rng.randint(HALF), rng.randint(HALF)
        x = np.stack([bits_of(a), bits_of(b)], axis=-1).astype(np.float64)  # (8, 2)
        d = bits_of(a + b).astype(np.float64)[:, None]  # (8, 1)
        zs = np.zeros((BITS + 1, HIDDEN))  # zs[t + 1] = z_t, zs[0] = 0
        ys = np.zeros((BITS, 1))
        for t in range(BITS):
            zs[t + 1] = sigmoid(x[t] @ w_in + zs[t] @ w)
            ys[t] = sigmoid(zs[t + 1] @ w_out)
        g_in, g_w, g_out = np.zeros_like(w_in), np.zeros_like(w), np.zeros_like(w_out)
        delta_next = np.zeros(HIDDEN)
        for t in reversed(range(BITS)):
            y = ys[t]
            # d mean_squared_error / dy for one output is (y - d); then the output derivative.
            dy = sigmoid(y) * (1 - sigmoid(y)) if slip else y * (1 - y)
            delta_out = (y - d[t]) * dy
            z = zs[t + 1]
            delta = (delta_next @ w.T + delta_out @ w_out.T) * z * (1 - z)
            g_out += np.outer(z, delta_out)
            g_w += np.outer(zs[t], delta)
            g_in += np.outer(x[t], delta)
            delta_next = delta
        w_in -= LR * g_in
        w -= LR * g_w
        w_out -= LR * g_out
        if first_perfect is None and i % eval_every == 0 and exact_accuracy(w_in, w, w_out) == 1.0:
            first_perfect = i
    final = exact_accuracy(w_in, w, w_out)
    if first_perfect is None and final == 1.0:
        first_perfect = iters
    return final, first_perfect


def median_iters(firsts):
    """Median of the first-100% iterations, runs that never got there counting as the latest."""
    ranked = sorted(firsts, key=lambda v: (v is None, v or 0))
    mid = ranked[(len(ranked) - 1) // 2], ranked[len(ranked) // 2]
    if None in mid:
        return "never"
    return f"{(mid[0] + mid[1]) / 2:g}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20, help="runs per variant (default 20)")
    p.add_argument("--iters", type=int, default=10_000, help="iterations per run (default 10000)")
    p.add_argument("--eval-every", type=int, default=500, help="evaluation interval (default 500)")
    p.add_argument("--jobs", type=int, default=multiprocessing.cpu_count(), help="processes")
    p.add_argument("--docs", action="store_true",
                   help="also write the tables into docs/course_slip.md (its block `result`)")
    args = p.parse_args()
    for name in ("seeds", "iters", "eval_every", "jobs"):
        if getattr(args, name) <= 0:
            p.error(f"--{name.replace('_', '-')} must be a positive integer")

    jobs = [(s, slip, args.iters, args.eval_every) for slip in (True, False) for s in range(args.seeds)]
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.starmap(train, jobs)
    course, exact = results[: args.seeds], results[args.seeds :]
    lines = []
    out = lines.append  # the tables: printed, and with --docs written into docs/

    out(f"{args.seeds} seeds, {args.iters} iterations, all 16384 pairs evaluated every "
        f"{args.eval_every} iterations and at the end\n")
    out("| output derivative | end with every pair right | median iterations to 100% "
        "| median final exact accuracy | worst final exact accuracy |")
    out("| --- | ---: | ---: | ---: | ---: |")
    for label, rs in (("course: sigmoid(y)(1 - sigmoid(y))", course), ("exact: y(1 - y)", exact)):
        finals = [f for f, _ in rs]
        perfect = sum(f == 1.0 for f in finals)
        out(f"| {label} | {perfect}/{len(rs)} | {median_iters([i for _, i in rs])} "
            f"| {100 * np.median(finals):.2f}% | {100 * min(finals):.2f}% |")
    out("\n| seed | course: final exact, first 100% at | exact: final exact, first 100% at |")
    out("| ---: | ---: | ---: |")
    for s, ((fc, ic), (fe, ie)) in enumerate(zip(course, exact)):
        out(f"| {s} | {100 * fc:.2f}%, {ic or 'never'} | {100 * fe:.2f}%, {ie or 'never'} |")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.docs:
        text = (f"numpy {np.__version__}, Python {sys.version.split()[0]}: " + text)
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        subprocess.run([sys.executable, os.path.join(root, "scripts", "docs_block.py"),
                        os.path.join(root, "docs", "course_slip.md"), "result"],
                       input=text, text=True, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
