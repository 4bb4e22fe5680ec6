#!/usr/bin/env bash
# The course's experiment over many seeds (examples/init_sweep.rs), as docs/sweep.md shows it:
# runs the sweep and writes its CSVs, its pictures and its tables into docs/ (the tables between
# the markers that name this script in docs/sweep.md). The sweep is deterministic (the same
# numbers whatever the number of threads), so CI reruns it and fails if anything changes.
#
#   bash scripts/sweep.sh        # 20 seeds (about a minute on 2 cores): docs/init_sweep.csv,
#                                # docs/init_sweep_runs.csv, the two pictures, the first table
#   bash scripts/sweep.sh 100    # 100 seeds (under a minute): docs/init_sweep_100.csv, the
#                                # second table (by scripts/sweep_table.py)
#   bash scripts/sweep.sh settings   # the settings that learn fastest (examples/settings_sweep.rs,
#                                # about 2 minutes): docs/settings_sweep*.csv, its picture, its
#                                # table and the setting it recommends
#   bash scripts/sweep.sh generalisation   # networks trained on 8-bit sums, asked for 16- and
#                                # 32-bit ones (examples/generalisation.rs, under a minute):
#                                # docs/generalisation.csv and its table
#   bash scripts/sweep.sh fixed  # f32 and fixed point side by side over the same seeds
#                                # (examples/fixed_point.rs --sweep, seconds): docs/fixed_sweep.csv
#                                # and its table
#   bash scripts/sweep.sh gating # the Elman network, the GRU and the LSTM on two tasks whose
#                                # answer lies T steps back (examples/gating.rs, about 2 minutes):
#                                # docs/gating_{recall,adding}.{csv,png} and the tables of
#                                # docs/gating.md
#   bash scripts/sweep.sh gating-screen   # how its learning rates were picked (about 2
#                                # minutes): the screens' tables in docs/gating.md
#   bash scripts/sweep.sh gating-addition # the course's addition learnt by each cell, 20 seeds
#                                # at three learning rates (examples/gated_cells.rs, about 15
#                                # seconds): its table in docs/gating.md
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
  settings)
    cargo run --release --quiet --example settings_sweep -- --out docs/settings_sweep.png \
      --csv docs/settings_sweep.csv --screen-csv docs/settings_sweep_screen.csv | tee "$out/settings.txt"
    grep '^| ' "$out/settings.txt" | python3 scripts/docs_block.py docs/sweep.md settings
    grep '^recommended: ' "$out/settings.txt" | python3 scripts/docs_block.py docs/sweep.md settings-pick
    ;;
  generalisation)
    cargo run --release --quiet --example generalisation -- --csv docs/generalisation.csv \
      | tee "$out/generalisation.txt"
    grep '^| ' "$out/generalisation.txt" | python3 scripts/docs_block.py docs/sweep.md generalisation
    ;;
  fixed)
    cargo run --release --quiet --example fixed_point -- --sweep --csv docs/fixed_sweep.csv \
      | tee "$out/fixed.txt"
    grep '^| ' "$out/fixed.txt" | python3 scripts/docs_block.py docs/sweep.md fixed
    grep '^- ' "$out/fixed.txt" | python3 scripts/docs_block.py docs/sweep.md fixed-goal
    ;;
  gating)
    for task in recall adding; do
      cargo run --release --quiet --example gating -- --task "$task" --csv "docs/gating_$task.csv" \
        --plot "docs/gating_$task.png" | tee "$out/gating-$task.txt"
      grep '^| ' "$out/gating-$task.txt" | python3 scripts/docs_block.py docs/gating.md "gating-$task"
    done
    ;;
  gating-screen)
    for task in recall adding; do
      cargo run --release --quiet --example gating -- --task "$task" --screen | tee "$out/gating-screen-$task.txt"
      grep -E '^(\| |picked: )' "$out/gating-screen-$task.txt" \
        | python3 scripts/docs_block.py docs/gating.md "gating-screen-$task"
    done
    ;;
  gating-addition)
    cargo build --release --quiet --example gated_cells
    {
      echo "| cell | settings | iterations | seeds | runs that learn it | median iteration they do (checked every 250) | worst run: pairs right at the end |"
      echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
      for lr in 0.1 0.2 0.5; do
        for cell in elman gru lstm; do
          ./target/release/examples/gated_cells --cell "$cell" --seeds 20 --iters 10000 --lr "$lr" --quiet 2>/dev/null
        done
      done
    } | tee "$out/gating-addition.txt" | python3 scripts/docs_block.py docs/gating.md gating-addition
    ;;
  *) echo "usage: bash scripts/sweep.sh [20|100|settings|generalisation|fixed|gating|gating-screen|gating-addition]" >&2; exit 2;;
esac
