#!/usr/bin/env bash
# CI stage: the generalisation table (under a minute): networks trained on 8-bit sums, asked for 16- and 32-bit ones; docs/sweep.md's table and docs/generalisation.csv are what it computes.
# Runs alone from any folder (bash .ci/stages/54-generalisation.sh) once .ci/stages/00-setup.sh
# has installed the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the generalisation table (under a minute): docs/sweep.md's table and docs/generalisation.csv are what examples/generalisation.rs computes"
for bad in "--seeds 0" "--pairs x" "--csv"; do
  # shellcheck disable=SC2086 # each entry is a list of arguments
  expect_status 2 cargo run --release --quiet --example generalisation -- $bad 2>/dev/null
done
docs_snapshot docs/sweep.md docs/generalisation.csv
bash scripts/sweep.sh generalisation
docs_unchanged
