#!/usr/bin/env bash
# CI stage: init sweep with 100 seeds (4 to 7 minutes): the committed CSV, docs/sweep.md's table of it, and its first 20 runs are the default sweep's.
# Runs alone from any folder (bash .ci/stages/52-sweep-100.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "init sweep with 100 seeds (4 to 7 minutes): the committed CSV, docs/sweep.md's table of it, and its first 20 runs are the default sweep's"
docs_snapshot docs/sweep.md docs/init_sweep_100.csv
bash scripts/sweep.sh 100
docs_unchanged
awk -F, 'NR == 1 || $3 < 20' target/sweep/runs-100.csv | cmp - docs/init_sweep_runs.csv
