#!/usr/bin/env bash
# CI stage: init sweep with 100 seeds (4 to 7 minutes): the committed CSV, the README's table of it, and its first 20 runs are the default sweep's.
# Runs alone from any folder (bash .ci/stages/52-sweep-100.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "init sweep with 100 seeds (4 to 7 minutes): the committed CSV, the README's table of it, and its first 20 runs are the default sweep's"
mkdir -p target/ci-sweep
cargo run --release --example init_sweep -- --seeds 100 --no-plot --csv target/ci-sweep/s100.csv \
  --runs-csv target/ci-sweep/s100-runs.csv > target/ci-sweep/s100.txt
cmp target/ci-sweep/s100.csv docs/init_sweep_100.csv
python3 scripts/sweep_table.py target/ci-sweep/s100.csv | grep -E '^\| (std=[0-9.e-]+|xavier|he) \|' \
  > target/ci-sweep/rows100.md
test "$(wc -l < target/ci-sweep/rows100.md)" = 8
test "$(grep -cFx -f target/ci-sweep/rows100.md docs/sweep.md)" = 8
# Run i of a setting has the seed splitmix64(2024 + i) whatever the number of seeds.
awk -F, 'NR == 1 || $3 < 20' target/ci-sweep/s100-runs.csv | cmp - docs/init_sweep_runs.csv
