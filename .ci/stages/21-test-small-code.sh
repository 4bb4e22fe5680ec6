#!/usr/bin/env bash
# CI stage: cargo test --features small-code (the rolled-up kernels: the same bits, the same pinned checksum).
# Runs alone from any folder (bash .ci/stages/21-test-small-code.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo test --features small-code (the rolled-up kernels: the same bits, the same pinned checksum)"
cargo test --release --features small-code
