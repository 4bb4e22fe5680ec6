#!/usr/bin/env bash
# CI stage: init sweep, the default (about a minute): docs/sweep.md's table, the committed CSVs and pictures are what it computes.
# Runs alone from any folder (bash .ci/stages/51-sweep-default.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "init sweep, the default (about a minute): docs/sweep.md's table, the committed CSVs and pictures are what it computes"
docs_snapshot docs/sweep.md docs/init_sweep.csv docs/init_sweep_runs.csv docs/init_sweep_loss.png \
  docs/init_sweep_convergence.png
bash scripts/sweep.sh
docs_unchanged
