#!/usr/bin/env bash
# CI stage: the fixed-point path's committed files and table are what their scripts make: the activation tables (scripts/fixed_tables.py), the exact integer reference values (tests/reference/fixed_generate.py), and the sweep of fixed point beside f32 (seconds); the example refuses bad flags.
# Runs alone from any folder (bash .ci/stages/56-fixed-point.sh) once .ci/stages/00-setup.sh
# has installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "fixed point: the tables and the integer reference values are their scripts' output"
python3 scripts/fixed_tables.py | diff -u src/fixed/tables.rs - \
  || { echo "src/fixed/tables.rs is not what scripts/fixed_tables.py writes" >&2; exit 1; }
python3 tests/reference/fixed_generate.py | rustfmt --edition 2024 | diff -u tests/reference/fixed_vectors.rs - \
  || { echo "tests/reference/fixed_vectors.rs is not what tests/reference/fixed_generate.py writes" >&2; exit 1; }

step "fixed point beside f32 (seconds): docs/sweep.md's table and docs/fixed_sweep.csv are what examples/fixed_point.rs computes"
for bad in "--lr 2" "--lr 0.000001" "--seeds 0" "--csv" "--clip 0"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example fixed_point -- $bad 2>/dev/null
done
cargo run --release --quiet --example fixed_point -- --quiet --activation tanh --init xavier --biases --clip 1 \
  | grep -q "^exact accuracy: 16384/16384 pairs" || { echo "fixed point, tanh with biases and clipping: not 100%" >&2; exit 1; }
docs_snapshot docs/sweep.md docs/fixed_sweep.csv
bash scripts/sweep.sh fixed
docs_unchanged
