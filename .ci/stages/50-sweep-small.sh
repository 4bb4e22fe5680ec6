#!/usr/bin/env bash
# CI stage: init sweep, small version.
# Runs alone from any folder (bash .ci/stages/50-sweep-small.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "init sweep, small version"
rm -rf target/ci-sweep && mkdir -p target/ci-sweep/default
cargo run --release --example init_sweep -- --seeds 2 --iters 2000 --out-dir target/ci-sweep \
  --csv target/ci-sweep/summary.csv --runs-csv target/ci-sweep/runs.csv
test -s target/ci-sweep/init_sweep_loss.png
test -s target/ci-sweep/init_sweep_convergence.png
test "$(wc -l < target/ci-sweep/runs.csv)" = 33   # header + 8 inits x 2 activations x 2 seeds
