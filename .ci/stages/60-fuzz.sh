#!/usr/bin/env bash
# CI stage: fuzzing, short: the decoders' fuzz targets build and run clean for 30 s each (nightly, cargo-fuzz).
# Runs alone from any folder (bash .ci/stages/60-fuzz.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "fuzzing, short: the decoders' fuzz targets build and run clean for 30 s each (nightly, cargo-fuzz)"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
bash fuzz/run.sh 30
