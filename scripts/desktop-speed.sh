#!/usr/bin/env bash
# The desktop's speed, as docs/desktop-speed.md shows it, measured in one go on this machine:
# the C and numpy baselines (scripts/baselines.sh), the criterion benchmarks five times
# (scripts/bench.sh), the baselines again, and the instruction counts (scripts/desktop-insns.sh);
# then scripts/desktop_speed_docs.py writes the tables and the goal into docs/desktop-speed.md
# (between the markers that name this script). About 10 minutes; run it with nothing else
# running. Timings vary from run to run and from hour to hour on a shared machine, so CI does not
# run this (it runs the baselines' and the counts' scripts, without writing).
#
#   bash scripts/desktop-speed.sh
#
# Needs what those scripts need: gcc, python3 with numpy, valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/desktop-speed
rm -rf "$out"
mkdir -p "$out"
bash scripts/baselines.sh | tee "$out/before.txt"
bash scripts/bench.sh | tee "$out/bench.txt"
bash scripts/baselines.sh | tee "$out/after.txt"
bash scripts/desktop-insns.sh | tee "$out/insns.txt"
{
  lscpu | sed -n 's/^Model name: *//p' | head -n 1
  nproc
  rustc --version
} > "$out/machine.txt"
python3 scripts/desktop_speed_docs.py "$out"
