#!/usr/bin/env python3
"""docs/sweep.md's two-column table of an init sweep (sigmoid and tanh side by side), from the
summary CSV that `cargo run --release --example init_sweep -- --csv FILE` writes.

    python3 scripts/sweep_table.py docs/init_sweep_100.csv

Prints, per init, the runs that reached 100% with the 95% Wilson interval of that rate in
whole percent, and the median iterations to 100% ('never' where fewer than half got there),
for each activation. scripts/sweep.sh writes it into docs/sweep.md.
"""
import csv
import math
import sys


def percent(x):
    """A rate in [0, 1] as whole percent, halves rounded up."""
    return math.floor(float(x) * 100 + 0.5)


def cell(row):
    """'93/100 (86–97%) | 6,500': the rate with its interval, and the median iterations."""
    iters = row["median_iters_to_100"]
    iters = iters if iters == "never" else f"{int(iters):,}"
    return (f"{row['reach_100']}/{row['runs']} "
            f"({percent(row['reach_100_low95'])}–{percent(row['reach_100_high95'])}%) | {iters}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 scripts/sweep_table.py SUMMARY_CSV")
    path = sys.argv[1]
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        by_init = {}
        for row in rows:
            by_init.setdefault(row["init"], {})[row["activation"]] = row
        lines = []
        for init, acts in by_init.items():
            if set(acts) != {"sigmoid", "tanh"}:
                sys.exit(f"{path}: init {init} lacks a sigmoid or a tanh row")
            lines.append(f"| {init} | {cell(acts['sigmoid'])} | {cell(acts['tanh'])} |")
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")
    except (KeyError, ValueError, TypeError) as e:
        sys.exit(f"{path}: not a summary CSV of examples/init_sweep.rs ({type(e).__name__}: {e})")
    if not lines:
        sys.exit(f"{path}: no rows")
    print("| init | sigmoid: reach 100% (95% interval) | median iterations to 100% "
          "| tanh: reach 100% (95% interval) | median iterations to 100% |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
