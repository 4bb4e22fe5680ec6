#!/usr/bin/env bash
# CI stage: the firmware example a user copies (examples/firmware): its three programs build for the three Cortex-M cores and print the desktop's bits.
# Runs alone from any folder (bash .ci/stages/72-firmware-example.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the firmware example a user copies (examples/firmware): its three programs build for the three Cortex-M cores and print the desktop's bits"
bash scripts/firmware-example.sh
