#!/usr/bin/env bash
# CI stage: the copies of expf (branch-free, used where there is SIMD, and scalar, elsewhere) and tanhf give libm's bits on all 2^32 inputs.
# Runs alone from any folder (bash .ci/stages/22-exhaustive.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "the copies of expf (branch-free, used where there is SIMD, and scalar, elsewhere) and tanhf give libm's bits on all 2^32 inputs"
cargo test --release --lib -- --ignored exhaustive
