#!/usr/bin/env bash
# CI stage: the speed baselines (C and numpy): they build, the C version learns the task, the numpy timing runs.
# Runs alone from any folder (bash .ci/stages/62-baselines.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the speed baselines (C and numpy): they build, the C version learns the task, the numpy timing runs"
QUICK=1 bash scripts/baselines.sh
