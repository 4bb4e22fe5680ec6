#!/usr/bin/env bash
# CI stage: what gating buys (examples/gating.rs): the first two seeds of both tasks give the rows docs/gating_{recall,adding}.csv hold (the study is deterministic: every run its own seed, whatever the threads); the example refuses bad flags; the table of the course's addition by each cell (examples/gated_cells.rs --seeds) is what it prints.
# Runs alone from any folder (bash .ci/stages/58-gating.sh) once .ci/stages/00-setup.sh has
# installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "what gating buys: two seeds of each task, against the committed CSVs"
for bad in "--task copy" "--seeds 0" "--lr-gru 0" "--iters" "--plot x.txt"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example gating -- $bad 2>/dev/null
done
for task in recall adding; do
  cargo run --release --quiet --example gating -- --task "$task" --seeds 2 --quiet \
    --csv "target/ci-gating-$task.csv" > /dev/null
  # Rows of seeds 1 and 2 (the fourth column), in any order.
  awk -F, 'NR > 1 && ($4 == 1 || $4 == 2)' "docs/gating_$task.csv" | sort > target/ci-gating-want.txt
  awk -F, 'NR > 1' "target/ci-gating-$task.csv" | sort > target/ci-gating-got.txt
  [ -s target/ci-gating-want.txt ] || { echo "docs/gating_$task.csv has no rows for seeds 1 and 2" >&2; exit 1; }
  diff -u target/ci-gating-want.txt target/ci-gating-got.txt \
    || { echo "gating --task $task: seeds 1 and 2 differ from docs/gating_$task.csv" >&2; exit 1; }
done
for bad in "--cell rnn" "--seed 1 --seeds 2" "--seeds 0" "--lr -1"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example gated_cells -- $bad 2>/dev/null
done
# The course's addition by each cell (docs/gating.md): the whole table again, deterministic.
docs_snapshot docs/gating.md
bash scripts/sweep.sh gating-addition > /dev/null
docs_unchanged
