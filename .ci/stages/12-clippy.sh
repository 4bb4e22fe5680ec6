#!/usr/bin/env bash
# CI stage: cargo clippy.
# Runs alone from any folder (bash .ci/stages/12-clippy.sh) once .ci/stages/00-setup.sh has installed
# the toolchains and packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

step "cargo clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features small-code -- -D warnings
(cd examples/firmware && cargo clippy --release --bins -- -D warnings)
(cd harness/firmware && cargo clippy --release -- -D warnings)
(cd harness/firmware && cargo clippy --release --features panic-check -- -D warnings)
(cd harness/firmware-riscv && cargo clippy --release -- -D warnings)
