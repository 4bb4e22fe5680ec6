#!/usr/bin/env bash
# The baselines docs/desktop-speed.md compares tinyrnn's desktop speed with, measured on this machine:
# the same training iteration written by hand in C (benches/baseline/rnn.c, gcc -O3, no -march,
# like the Rust build with no target-cpu) and the course's numpy code (scripts/baseline_numpy.py).
#
#   bash scripts/baselines.sh
#   QUICK=1 bash scripts/baselines.sh   # what CI runs: builds the C version, checks that it
#                                       # learns the task, times numpy, skips the C timing
#
# Needs gcc and python3 with numpy. Times vary by 10-40% on a shared virtual machine: the C
# figure is the lowest, middle and highest of five runs of 1,000,000 iterations.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
gcc -O3 -Wall -Wextra -Werror -o target/rnn-baseline benches/baseline/rnn.c -lm
echo "$(gcc --version | head -n 1), -O3:"
target/rnn-baseline check
if [ -z "${QUICK:-}" ]; then
  target/rnn-baseline | tee target/rnn-baseline.txt
  sed -n 's/^run [0-9]*: \([0-9]*\) ns per iteration$/\1/p' target/rnn-baseline.txt | sort -g \
    | awk '{v[NR] = $1} END {printf "C: lowest %.2f, middle %.2f, highest %.2f µs per iteration\n", v[1] / 1e3, v[int((NR + 1) / 2)] / 1e3, v[NR] / 1e3}'
fi
python3 scripts/baseline_numpy.py
