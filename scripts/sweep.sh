#!/usr/bin/env bash
# The course's experiment over many seeds (examples/init_sweep.rs), as docs/sweep.md shows it:
# runs the sweep and writes its CSVs, its pictures and its tables into docs/ (the tables between
# the markers that name this script in docs/sweep.md). The sweep is deterministic (the same
# numbers whatever the number of threads), so CI reruns it and fails if anything changes.
#
#   bash scripts/sweep.sh        # 20 seeds (about a minute on 2 cores): docs/init_sweep.csv,
#                                # docs/init_sweep_runs.csv, the two pictures, the first table
#   bash scripts/sweep.sh 100    # 100 seeds (4 to 7 minutes): docs/init_sweep_100.csv, the
#                                # second table (by scripts/sweep_table.py)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/sweep
mkdir -p "$out"
case ${1:-20} in
  20)
    cargo run --release --quiet --example init_sweep -- --out-dir docs --csv docs/init_sweep.csv \
      --runs-csv docs/init_sweep_runs.csv | tee "$out/sweep-20.txt"
    grep '^| ' "$out/sweep-20.txt" | python3 scripts/docs_block.py docs/sweep.md sweep-20
    ;;
  100)
    cargo run --release --quiet --example init_sweep -- --seeds 100 --no-plot \
      --csv docs/init_sweep_100.csv --runs-csv "$out/runs-100.csv" | tee "$out/sweep-100.txt"
    python3 scripts/sweep_table.py docs/init_sweep_100.csv | python3 scripts/docs_block.py docs/sweep.md sweep-100
    ;;
  *) echo "usage: bash scripts/sweep.sh [20|100]" >&2; exit 2;;
esac
