#!/usr/bin/env bash
# CI stage: init sweep, the default (about a minute): the README's table, the committed CSVs and pictures are what it computes.
# Runs alone from any folder (bash .ci/stages/51-sweep-default.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "init sweep, the default (about a minute): the README's table, the committed CSVs and pictures are what it computes"
mkdir -p target/ci-sweep/default
cargo run --release --example init_sweep -- --out-dir target/ci-sweep/default --csv target/ci-sweep/default.csv \
  --runs-csv target/ci-sweep/default-runs.csv > target/ci-sweep/default.txt
cmp target/ci-sweep/default.csv docs/init_sweep.csv
cmp target/ci-sweep/default/init_sweep_loss.png docs/init_sweep_loss.png
cmp target/ci-sweep/default/init_sweep_convergence.png docs/init_sweep_convergence.png
cmp target/ci-sweep/default-runs.csv docs/init_sweep_runs.csv
grep -E '^\| (std=[0-9.e-]+|xavier|he) \|' target/ci-sweep/default.txt > target/ci-sweep/rows.md
test "$(wc -l < target/ci-sweep/rows.md)" = 16
test "$(grep -cFx -f target/ci-sweep/rows.md docs/sweep.md)" = 16   # every row, as printed
